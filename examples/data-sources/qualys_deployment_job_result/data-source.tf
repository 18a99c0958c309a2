# the latest run of the job (set job_instance_id to read an earlier one)
data "qualys_deployment_job_result" "baseline" {
  job_id = "8df80cf0-e24c-4d7c-877f-10700250c906"
}

output "baseline_success_ratio" {
  value = data.qualys_deployment_job_result.baseline.success_ratio
}

output "baseline_failed_assets" {
  value = data.qualys_deployment_job_result.baseline.failed_asset_ids
}
