# Quickstart: three realistic Patch Management deployment jobs, one of them fed by the
# qualys_patches and qualys_assets lookups (no UUIDs by hand).
#
# The provider block is empty: the gateway and credentials come from QUALYS_GATEWAY_URL,
# QUALYS_USERNAME and QUALYS_PASSWORD (scripts/quickstart.sh points them at the local
# simulator; point them at your Qualys gateway to use the real service).

terraform {
  required_providers {
    qualys = {
      source  = "terraform.local/qualys/qualys"
      version = ">= 0.1.0"
    }
  }
}

provider "qualys" {}

# Windows: every month, two days after Patch Tuesday, critical patches selected by QQL,
# a registry tweak before and a clean-up script after.
resource "qualys_deployment_job" "windows_patch_tuesday" {
  name        = "Windows - Patch Tuesday + 2"
  description = "Monthly critical patches for the Windows fleet"
  platform    = "Windows"

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
  minimize_window        = true

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
      script      = <<-EOT
        Remove-Item -Recurse -Force "$env:SystemRoot\SoftwareDistribution\Download\*"
        Write-Output "cache cleaned"
      EOT
    },
  ]
}

# The Linux patches and servers, looked up by QQL: the critical patches published since
# October, for the staging web servers.
data "qualys_patches" "linux_critical" {
  platform = "Linux"
  query    = "vendorSeverity:Critical and publishedDate>=2026-10-01"
}

data "qualys_assets" "linux_web_staging" {
  platform = "Linux"
  query    = "name:web-* and tags.name:Staging"
}

# Linux: every Saturday night, refresh the package cache first, keep going when a package fails.
resource "qualys_deployment_job" "linux_weekly" {
  name     = "Linux - weekly security updates"
  platform = "Linux"
  status   = "Enabled"

  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  timeout             = 240
  timeout_unit        = "MINUTES"

  asset_ids                 = data.qualys_assets.linux_web_staging.ids
  approved_patches          = data.qualys_patches.linux_critical.ids
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

# A job chained to the Windows job: reuses its patches and runs when all of its
# post-deployment actions succeeded.
resource "qualys_deployment_job" "windows_followup" {
  name          = "Windows - follow-up on servers"
  platform      = "Windows"
  schedule_type = "On-demand"

  asset_tag_ids = ["0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"]
  linked_job_id = qualys_deployment_job.windows_patch_tuesday.id

  chained_job_rules = [
    {
      field      = "postDeployAction"
      action_ids = [qualys_deployment_job.windows_patch_tuesday.post_deploy_actions[0].action_id]
      threshold  = 100
      condition  = "Post Actions were successfully executed"
    },
  ]
}

output "job_ids" {
  value = {
    windows_patch_tuesday = qualys_deployment_job.windows_patch_tuesday.id
    linux_weekly          = qualys_deployment_job.linux_weekly.id
    windows_followup      = qualys_deployment_job.windows_followup.id
  }
}

output "linux_weekly_targets" {
  value = {
    patches = sort([for p in data.qualys_patches.linux_critical.patches : p.advisory])
    assets  = sort([for a in data.qualys_assets.linux_web_staging.assets : a.name])
  }
}
