# The Update Deployment Job sample "on demand Linux Rollback job"
# (tests/fixtures/update-linux-rollback.request.json), as HCL. Its scripts are "bHM=", i.e. `ls`.
# Tests apply it twice: first with draft = true (other scripts), then as the sample: the
# second apply is the PATCH compared with the sample, which sends the new scripts' content.
variable "draft" {
  type    = bool
  default = false
}

resource "qualys_deployment_job" "sample" {
  name               = "Public API on demand Linux Rollback job"
  description        = "Created via public API"
  type               = "Rollback"
  status             = "Disabled"
  platform           = "Linux"
  asset_ids          = ["d543e2a2-3860-461f-bd59-d718c31d2344"]
  co_author_user_ids = ["c4c71f94-4ef6-7e6f-8260-11704fa58172"]

  schedule_type   = "On-demand"
  start_date_time = "2024-12-31 10:25:52 AM"
  recurring       = false
  timezone_type   = "SPECIFIC_TZ"
  timezone        = "UTC"
  timeout         = 6
  timeout_unit    = "HOURS"

  filter_type               = "Any"
  exclusion_filter_type     = "Any"
  opportunistic_downloads   = false
  continue_on_patch_failure = false
  is_dynamic_patches_qql    = false

  download_randomize_time      = 0
  download_randomize_time_unit = "MINUTES"

  notification = {
    email                = true
    recipient_emails     = ["xxx@xxxx.com"]
    completed_percentage = 80
    on_job_start         = true
    on_job_complete      = false
  }

  pre_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "S1"
      script      = var.draft ? "ls -la" : "ls"
      script_type = "sh"
    },
  ]
  post_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "S1"
      script      = var.draft ? "ls -la" : "ls"
      script_type = "sh"
    },
  ]
}
