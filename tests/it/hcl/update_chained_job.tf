# The Update Deployment Job sample "job with chained job and alwaysShowCompletedPrompt"
# (tests/fixtures/update-chained-job.request.json), as HCL. The sample's parent job
# (5b0fd130-...) is created here too, so the chained rule can name its post-action ID.
# Tests apply it twice: first with draft = true (other scripts), then as the sample: the
# second apply is the PATCH compared with the sample, which sends the scripts' content.
# child_name_suffix renames the child (for an update that keeps the scripts).
variable "draft" {
  type    = bool
  default = false
}
variable "child_name_suffix" {
  type    = string
  default = ""
}

locals {
  # the sample's script (base64 in the sample), byte for byte
  notepad_check = "$w64=Get-ItemProperty HKLM:\\Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\* | where-Object DisplayName -like 'NotePad++*'\n$w32=Get-ItemProperty HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*  | where-Object DisplayName -like 'NotePad++*'\nif ($w64 -or $w32)\n{\n    Write-output \"Notepad++ is already installed on your machine.\"\n}\nElse{\n    Write-Output \"Notepad++ is not installed on your machine.\"\n} "
  script        = var.draft ? "Write-Output 'draft'" : local.notepad_check
}

resource "qualys_deployment_job" "parent" {
  name          = "Parent job with a post-deployment action"
  platform      = "Windows"
  schedule_type = "On-demand"
  asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]

  post_deploy_actions = [
    {
      action                = "Install Software"
      action_item           = "Install Notepad"
      download_url          = "https://github.com/notepad-plus-plus/notepad-plus-plus/releases/download/v8.6.2/npp.7.5.8.Installer.exe"
      file_checksum         = "613f36bf5e98be7e56b7ea0c678cfb8534077c2ec1cbe839a854dd0a60278ebb"
      install_method        = 0
      script                = "Start-Process -Wait npp.Installer.exe /S"
      script_type           = "ps"
      detection_script      = ""
      detection_script_type = "ps"
    },
  ]
}

resource "qualys_deployment_job" "sample" {
  name        = "Public API job with chained job and alwaysShowCompletedPrompt${var.child_name_suffix}"
  description = "Created via public API"
  type        = "Install"
  status      = "Disabled"
  platform    = "Windows"

  schedule_type   = "On-demand"
  start_date_time = "2024-12-31 10:35:04 AM"
  recurring       = false
  timezone_type   = "SPECIFIC_TZ"
  timezone        = "UTC"
  timeout         = 6
  timeout_unit    = "HOURS"

  filter_type             = "Any"
  exclusion_filter_type   = "Any"
  opportunistic_downloads = false
  minimize_window         = true
  is_dynamic_patches_qql  = false
  dynamic_qql_type        = 1

  download_randomize_time      = 2
  download_randomize_time_unit = "HOURS"

  linked_job_id = qualys_deployment_job.parent.id
  chained_job_rules = [
    {
      field      = "postDeployAction"
      action_ids = [qualys_deployment_job.parent.post_deploy_actions[0].action_id]
      threshold  = 100
      condition  = "Post Actions were successfully executed"
    },
  ]

  during_deployment = {
    user_message = "During deployment userMessage"
    description  = "During deployment Description"
  }
  post_deployment = {
    suppress_reboots           = false
    reboot_honor_on_user_login = false
    reboot_option = {
      user_message = "rebootOption user message"
      description  = "rebootOption description"
      deferment = {
        count         = 3
        interval      = 1
        interval_unit = "HOURS"
      }
    }
    reboot_countdown = {
      interval      = 15
      interval_unit = "MINUTES"
      user_message  = "Reboot Countdown usermessage"
      description   = "Reboot Countdown description"
    }
    on_complete = {
      user_message                 = "On complete userMessage"
      description                  = "On complete Description"
      always_show_completed_prompt = true
    }
  }

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
      action_item = "Notepad detection script"
      script      = local.script
      script_type = "ps"
    },
  ]

  post_deploy_actions = [
    {
      action                = "Install Software"
      action_item           = "Install Notepad"
      download_url          = "https://github.com/notepad-plus-plus/notepad-plus-plus/releases/download/v8.6.2/npp.7.5.8.Installer.exe"
      file_checksum         = "613f36bf5e98be7e56b7ea0c678cfb8534077c2ec1cbe839a854dd0a60278ebb"
      install_method        = 0
      script                = local.script
      script_type           = "ps"
      detection_script      = ""
      detection_script_type = "ps"
    },
  ]
}
