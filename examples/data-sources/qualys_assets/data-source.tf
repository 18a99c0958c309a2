# The Windows web servers, looked up by QQL.
data "qualys_assets" "web" {
  platform = "Windows"
  query    = "name:`web-01` or name:`web-02`"
}

# Every Linux asset still missing patches.
data "qualys_assets" "linux_behind" {
  platform = "Linux"
  query    = "missingPatchCount>0"
}

output "web_asset_names" {
  value = [for a in data.qualys_assets.web.assets : a.name]
}
