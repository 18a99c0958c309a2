terraform {
  required_providers {
    qualys = {
      source = "terraform.local/qualys/qualys"
    }
  }
}

# Every argument can come from the environment instead:
# QUALYS_GATEWAY_URL, QUALYS_USERNAME, QUALYS_PASSWORD, QUALYS_TOKEN.
provider "qualys" {
  gateway_url = "https://gateway.qg2.apps.qualys.com"
  username    = "patch-automation"
  password    = var.qualys_password

  # Or a JWT obtained elsewhere instead of username/password:
  # token = var.qualys_token

  max_retries     = 5
  request_timeout = "60s"
  # ca_cert_file  = "/etc/ssl/private-cloud-ca.pem"
}

variable "qualys_password" {
  type      = string
  sensitive = true
}
