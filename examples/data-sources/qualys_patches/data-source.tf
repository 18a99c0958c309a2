# Critical Windows patches that nothing supersedes.
data "qualys_patches" "critical" {
  platform = "Windows"
  query    = "vendorSeverity:`Critical` and isSuperseded:false"
}

# Linux security patches of the last 90 days; at most 200 (a warning says when more match).
data "qualys_patches" "linux_recent" {
  platform    = "Linux"
  query       = "isSecurity:true and publishedDate>now-90d"
  max_results = 200
}

# Critical patches that matter to the web servers (missing on one or installed there).
data "qualys_patches" "critical_on_web" {
  platform     = "Windows"
  query        = "vendorSeverity:Critical"
  having_query = "name:web-*"
}

output "critical_kbs" {
  value = sort(compact([for p in data.qualys_patches.critical.patches : p.kb]))
}

output "linux_recent_count" {
  value = length(data.qualys_patches.linux_recent.ids)
}
