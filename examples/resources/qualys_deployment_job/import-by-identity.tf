# Terraform 1.12+: import by resource identity (the job ID is the identity's only attribute):
import {
  to = qualys_deployment_job.example
  identity = {
    id = "8df80cf0-e24c-4d7c-877f-10700250c906"
  }
}
