# The Windows web servers, by name.
data "qualys_assets" "web" {
  platform = "Windows"
  query    = "name:web-*"
}

# Every Linux asset still missing a patch that nothing supersedes.
data "qualys_assets" "linux_behind" {
  platform = "Linux"
  query    = "nonSupersededMissingPatchCount>0"
}

output "web_asset_names" {
  value = sort([for a in data.qualys_assets.web.assets : a.name])
}

output "linux_assets_behind" {
  value = length(data.qualys_assets.linux_behind.ids)
}
