# The Create Deployment Job sample "Linux job with the MakeCache pre-action" (release 3.5;
# tests/fixtures/create-linux-makecache.response.json shows what the server answers).
resource "qualys_deployment_job" "sample" {
  name          = "Demo_MakeCache"
  platform      = "Linux"
  type          = "Install"
  status        = "Enabled"
  schedule_type = "On-demand"
  timeout       = -1
  asset_ids     = ["08a028e6-7e1d-4dbf-b040-48d9059dee08"]

  dynamic_qql_type       = 1
  is_dynamic_patches_qql = false

  pre_deploy_actions = [
    {
      action              = "Run Script"
      action_item         = "makecache Pre-Action"
      default_script_type = "MakeCache"
      script_type         = "sh"
      script              = ""
    },
  ]
}
