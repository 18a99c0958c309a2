# A deployment job is imported by its job ID (a UUID).
terraform import qualys_deployment_job.example 8df80cf0-e24c-4d7c-877f-10700250c906
