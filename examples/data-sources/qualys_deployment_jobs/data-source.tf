# Every Linux job (all pages), or only those with a given name.
data "qualys_deployment_jobs" "linux" {
  platform = "Linux"
}

data "qualys_deployment_jobs" "weekly" {
  platform = "Linux"
  name     = "Linux - weekly security updates"
}

output "linux_job_ids" {
  value = [for j in data.qualys_deployment_jobs.linux.jobs : j.id]
}
