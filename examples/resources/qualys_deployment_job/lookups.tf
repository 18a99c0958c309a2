# No UUIDs by hand: the patches and the targets of a job come from lookups, re-evaluated on
# every plan. Next month's critical patches join the job at the next apply.
data "qualys_patches" "critical" {
  platform = "Windows"
  query    = "vendorSeverity:`Critical` and isSuperseded:false"
}

data "qualys_assets" "web" {
  platform = "Windows"
  query    = "name:web-*"
}

resource "qualys_deployment_job" "critical_to_web" {
  name     = "Windows - critical patches on the web servers"
  platform = "Windows"

  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:00:00 PM"
  recurring_week_days = ["Saturday"]
  timeout             = 4
  timeout_unit        = "HOURS"

  approved_patches = data.qualys_patches.critical.ids
  asset_ids        = data.qualys_assets.web.ids
}

output "critical_to_web" {
  value = {
    job     = qualys_deployment_job.critical_to_web.id
    patches = length(data.qualys_patches.critical.ids)
    assets  = sort([for a in data.qualys_assets.web.assets : a.name])
  }
}
