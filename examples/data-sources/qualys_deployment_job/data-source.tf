data "qualys_deployment_job" "patch_tuesday" {
  id = "8df80cf0-e24c-4d7c-877f-10700250c906"
}

output "patch_tuesday_schedule" {
  value = "${data.qualys_deployment_job.patch_tuesday.schedule_type} from ${data.qualys_deployment_job.patch_tuesday.start_date_time}"
}
