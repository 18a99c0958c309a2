# This month's critical Windows patches that nothing supersedes, looked up by QQL.
data "qualys_patches" "critical" {
  platform = "Windows"
  query    = "vendorSeverity:`Critical` and isSuperseded:false"
}

# Linux security patches; at most 200 (a warning says when more match).
data "qualys_patches" "linux_security" {
  platform    = "Linux"
  query       = "isSecurity:true"
  max_results = 200
}

output "critical_patch_count" {
  value = length(data.qualys_patches.critical.ids)
}

output "critical_kbs" {
  value = sort([for p in data.qualys_patches.critical.patches : p.kb if p.kb != null])
}
