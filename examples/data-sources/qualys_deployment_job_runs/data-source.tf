data "qualys_deployment_job_runs" "baseline" {
  job_id = "8df80cf0-e24c-4d7c-877f-10700250c906"
}

output "baseline_last_run" {
  value = data.qualys_deployment_job_runs.baseline.latest_job_instance_id == null ? "never ran" : "last run ${data.qualys_deployment_job_runs.baseline.runs[0].scheduled_at}"
}
