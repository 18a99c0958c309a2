# A monthly Windows job two days after Patch Tuesday, with a pre- and a post-deployment action.
resource "qualys_deployment_job" "windows_patch_tuesday" {
  name        = "Windows - Patch Tuesday + 2"
  description = "Monthly critical patches for the Windows fleet"
  platform    = "Windows"
  status      = "Enabled"

  schedule_type             = "Monthly"
  start_date_time           = "2026-12-01 10:00:00 PM"
  monthly_recurring_type    = 1
  patch_tuesday_plus_x_days = 2
  timezone_type             = "SPECIFIC_TZ"
  timezone                  = "Europe/Berlin"
  timeout                   = 6
  timeout_unit              = "HOURS"

  asset_tag_ids          = ["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"]
  dynamic_qql_type       = 1
  is_dynamic_patches_qql = true
  dynamic_patches_qql    = "vendorSeverity:`Critical` and isSuperseded:false"

  reattempt_failed_patches = {
    no_of_reattempts             = 3
    exponential_backoff_interval = 10
  }

  notification = {
    email                = true
    recipient_emails     = ["patching@example.com"]
    completed_percentage = 90
    on_job_start         = false
    on_job_complete      = true
  }

  post_deployment = {
    suppress_reboots = false
    reboot_countdown = {
      interval      = 15
      interval_unit = "MINUTES"
      user_message  = "Your computer restarts in 15 minutes to finish installing updates."
    }
  }

  pre_deploy_actions = [
    {
      action         = "Change Registry Key"
      action_item    = "Pause Windows Update UI"
      reg_key        = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
      reg_value_type = "REG_SZ"
      reg_value      = "1"
    },
  ]

  post_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "Clean the download cache"
      script_type = "ps"
      # plain text: the provider base64-encodes it
      script = <<-EOT
        Remove-Item -Recurse -Force "$env:SystemRoot\SoftwareDistribution\Download\*"
      EOT
    },
  ]
}

# A weekly Linux job that refreshes the package cache first.
resource "qualys_deployment_job" "linux_weekly" {
  name     = "Linux - weekly security updates"
  platform = "Linux"

  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  timeout             = 240
  timeout_unit        = "MINUTES"

  asset_ids                 = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches          = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
  continue_on_patch_failure = true

  pre_deploy_actions = [
    {
      action              = "Run Script"
      action_item         = "makecache Pre-Action"
      script_type         = "sh"
      default_script_type = "MakeCache"
    },
  ]
}
