//! Generators of `qualys_deployment_job` configurations for the end-to-end tests.

#![allow(dead_code)]

/// `count` On-demand jobs that all have the same name.
pub fn same_name_jobs(count: usize, name: &str) -> String {
    format!(
        "resource \"qualys_deployment_job\" \"job\" {{\n  count         = {count}\n  name          = \"{name}\"\n  schedule_type = \"On-demand\"\n}}\n"
    )
}

/// `count` Linux jobs, recurring and Enabled (so that an update goes through the status
/// endpoint too), named `"{prefix} {index}"`.
pub fn enabled_jobs(count: usize, prefix: &str, description: &str) -> String {
    format!(
        r#"
resource "qualys_deployment_job" "job" {{
  count               = {count}
  name                = "{prefix} ${{count.index}}"
  description         = "{description}"
  platform            = "Linux"
  status              = "Enabled"
  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  timeout             = 240
  timeout_unit        = "MINUTES"
  asset_ids           = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches    = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
}}
"#
    )
}

/// `count` disabled On-demand Windows jobs named `"{prefix} {index}"`.
pub fn on_demand_jobs(count: usize, prefix: &str) -> String {
    format!(
        r#"
resource "qualys_deployment_job" "job" {{
  count         = {count}
  name          = "{prefix} ${{count.index}}"
  schedule_type = "On-demand"
  asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
}}
"#
    )
}

/// `on_demand_jobs` with a description (changing it is an in-place update).
pub fn described_on_demand_jobs(count: usize, prefix: &str, description: &str) -> String {
    format!(
        r#"
resource "qualys_deployment_job" "job" {{
  count         = {count}
  name          = "{prefix} ${{count.index}}"
  description   = "{description}"
  schedule_type = "On-demand"
  asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
}}
"#
    )
}

/// `per_platform` disabled On-demand jobs on each platform (resources `windows` and `linux`,
/// jobs named `"{platform} {index}"`).
pub fn jobs_per_platform(per_platform: usize, description: &str) -> String {
    jobs_per_platform_targeting(
        per_platform,
        description,
        r#"asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]"#,
    )
}

/// `jobs_per_platform` with the jobs' target written out (`asset_ids = [...]`,
/// `asset_tag_ids = [...]`).
pub fn jobs_per_platform_targeting(per_platform: usize, description: &str, target: &str) -> String {
    let mut hcl = String::new();
    for platform in ["Windows", "Linux"] {
        hcl.push_str(&format!(
            r#"
resource "qualys_deployment_job" "{lower}" {{
  count         = {per_platform}
  name          = "{platform} ${{count.index}}"
  description   = "{description}"
  platform      = "{platform}"
  schedule_type = "On-demand"
  {target}
}}
"#,
            lower = platform.to_lowercase()
        ));
    }
    hcl
}
