# The Update Deployment Job sample "on demand Windows job with specific patches updated"
# (tests/fixtures/update-windows.request.json), as HCL. Tests apply it twice: first with
# NAME_SUFFIX = "" and DESCRIPTION_SUFFIX = "" (the create), then with the sample's values
# (" updated", " 3"): the second apply is the PATCH compared with the sample. The scripts are
# unchanged between the two, so the PATCH carries their storage references, as the sample does.
variable "name_suffix" {
  type    = string
  default = ""
}
variable "description_suffix" {
  type    = string
  default = ""
}

resource "qualys_deployment_job" "sample" {
  name                = "Public API on demand Window job with specific patches${var.name_suffix}"
  description         = "Created via public API${var.description_suffix}"
  type                = "Install"
  status              = "Disabled"
  platform            = "Windows"
  asset_ids           = ["ac66e55a-efc6-4a8d-9f61-00d871572b96"]
  asset_tag_ids       = ["f81f37b3-a32b-4aa0-a428-12cad6e37db1"]
  exclusion_tag_ids   = ["1de6c626-de40-4dee-81f8-ae022cd9726a"]
  exclusion_asset_ids = ["94c0bc01-3b1b-4b4b-84a0-b9fe3c9aebb0"]
  co_author_user_ids  = ["568be9b8-cbbb-47bf-8132-e4f3c2c46e6c"]
  approved_patches    = ["9285e676-6340-3ba7-b124-31d84542c7bf", "ca0d50b1-df21-31ef-aa9b-eec805b3a517"]

  schedule_type   = "On-demand"
  start_date_time = "2022-11-01 04:51:31 AM"
  recurring       = false
  timezone_type   = "SPECIFIC_TZ"
  timezone        = "UTC"
  timeout         = 6
  timeout_unit    = "HOURS"

  filter_type                  = "Any"
  exclusion_filter_type        = "Any"
  opportunistic_downloads      = false
  minimize_window              = true
  download_randomize_time      = 1
  download_randomize_time_unit = "HOURS"
  patch_tuesday_plus_x_days    = -12
  custom_patch_url_id          = 1008

  during_deployment = {
    user_message = "During deployment userMessage"
    description  = "During deployment Description"
  }
  post_deployment = {
    suppress_reboots = false
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
      user_message = "On complete userMessage"
      description  = "On complete Description"
    }
  }

  notification = {
    email                = true
    recipient_emails     = ["abc@gmail.com"]
    completed_percentage = 80
    on_job_start         = true
    on_job_complete      = false
  }

  pre_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "S1"
      script      = "Write-Output 'pre-deployment check'"
      script_type = "ps"
    },
  ]
  post_deploy_actions = [
    {
      action                = "Install Software"
      action_item           = "Install1"
      download_url          = "https://abc.com"
      file_checksum         = "1234556"
      install_method        = 0
      script                = "Start-Process -Wait installer.exe /S"
      script_type           = "ps"
      detection_script      = "Test-Path 'C:\\Program Files\\App'"
      detection_script_type = "ps"
    },
  ]
}
