# The Create Deployment Job sample "on demand Windows job with specific patches", as HCL
# (tests/fixtures/create-windows-with-actions.request.json). The two elided scripts of the
# sample are replaced by real PowerShell; everything else is the sample's values.
resource "qualys_deployment_job" "sample" {
  name             = "Public API on demand Window job with specific patches"
  description      = "Created via public API"
  approved_patches = ["444ba31a-0f94-3199-870e-ef8ab1a5a477", "b91fca0e-2a07-3155-909c-fc50ba1863ed"]
  asset_ids        = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  asset_tag_ids    = []
  filter_type      = "Any"

  exclusion_asset_ids   = []
  exclusion_filter_type = "Any"
  exclusion_tag_ids     = []
  co_author_user_ids    = []

  during_deployment = {
    description  = "During deployment Description"
    user_message = "During deployment userMessage"
  }
  post_deployment = {
    on_complete = {
      description  = "On complete Description"
      user_message = "On complete userMessage"
    }
    reboot_countdown = {
      interval      = 15
      interval_unit = "MINUTES"
      user_message  = "Reboot Countdown usermessage"
      description   = "Reboot Countdown description"
    }
    reboot_option = {
      deferment = {
        count         = 3
        interval      = 1
        interval_unit = "HOURS"
      }
      description  = "rebootOption description"
      user_message = "rebootOption user message"
    }
    suppress_reboots = false
  }

  platform                = "Windows"
  minimize_window         = true
  type                    = "Install"
  status                  = "Disabled"
  timeout                 = 6
  timeout_unit            = "HOURS"
  recurring               = false
  schedule_type           = "On-demand"
  opportunistic_downloads = false

  reattempt_failed_patches = {
    no_of_reattempts             = 5
    exponential_backoff_interval = 15
  }
  download_randomize_time      = 2
  download_randomize_time_unit = "HOURS"

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
      action_item = "Notepad detection script"
      script      = "if (Get-Command notepad++ -ErrorAction SilentlyContinue) { Write-Output \"Notepad++ is installed\" }"
      script_type = "ps"
    },
    {
      action          = "Change Registry Key"
      action_item     = "DisableUpdate"
      reg_key         = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Zoom\\MSI"
      reg_value_type  = "REG_SZ"
      reg_value       = "true"
      reg_key_add_new = false
      script_type     = "ps"
    },
    {
      action      = "System Reboot"
      action_item = "Reboot"
    },
  ]

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
    {
      action                           = "Uninstall Software"
      action_item                      = "Uninstall Chrome"
      uninstall_registry_key           = "HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Google Chrome"
      uninstall_software_display_name  = "Google Chrome"
      uninstall_software_version       = "109.0.5414.168"
      uninstall_software_version_match = "Equals"
      script_type                      = "ps"
    },
    {
      action                = "Install Software"
      action_item           = "Install Notepad with Installer based option"
      download_url          = "https://github.com/notepad-plus-plus/notepad-plus-plus/releases/download/v8.6.2/npp.7.5.8.Installer.exe"
      file_checksum         = "613f36bf5e98be7e56b7ea0c678cfb8534077c2ec1cbe839a854dd0a60278ebb"
      install_method        = 1
      detection_script      = ""
      detection_script_type = "ps"
      script                = ""
      script_type           = "ps"
    },
  ]
}
