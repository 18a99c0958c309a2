# Terraform 1.5+: import with a block, then let terraform write the configuration:
#   terraform plan -generate-config-out=generated.tf
import {
  to = qualys_deployment_job.example
  id = "8df80cf0-e24c-4d7c-877f-10700250c906"
}
