# Terraform 1.14+, in a `.tfquery.hcl` file:
#   terraform query                                    # one line per job found
#   terraform query -generate-config-out=generated.tf  # resource and import blocks
provider "qualys" {}

list "qualys_deployment_job" "linux" {
  provider         = qualys
  include_resource = false # true: the whole job, at one API call per job
  limit            = 100

  config {
    platform   = "Linux"
    name_regex = "^Patch Tuesday"
    status     = "Enabled"
  }
}
