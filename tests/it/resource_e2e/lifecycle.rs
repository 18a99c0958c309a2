//! Life of a job through terraform: drift, re-create, import, status, replacement, destroy,
//! and the data sources.

use serde_json::{json, Value};

use super::*;
use crate::for_each_variant;

/// A weekly Windows job with one pre-action; `status` and `name` come from variables.
const WEEKLY: &str = r#"
variable "status" {
  type    = string
  default = "Disabled"
}
variable "name" {
  type    = string
  default = "Weekly Windows patching"
}

resource "qualys_deployment_job" "weekly" {
  name                = var.name
  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  timezone_type       = "SPECIFIC_TZ"
  timezone            = "Europe/Berlin"
  asset_ids           = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches    = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
  status              = var.status

  pre_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "Say hello"
      script      = "Write-Output 'hello'"
      script_type = "ps"
    },
  ]
}
"#;

/// An On-demand Windows job; `name` and `status` from variables.
const ON_DEMAND: &str = r#"
variable "status" {
  type    = string
  default = "Enabled"
}
variable "name" {
  type    = string
  default = "Emergency patch"
}

resource "qualys_deployment_job" "now" {
  name             = var.name
  schedule_type    = "On-demand"
  asset_ids        = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
  status           = var.status
}
"#;

fn id_of(resource: &Value) -> String {
    resource["id"]
        .as_str()
        .expect("job id in the state")
        .to_owned()
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn out_of_band_edit_shows_as_drift_and_apply_restores_the_configuration(variant) {
    let e = E2e::start_variant("out_of_band_edit_shows_as_drift", variant);
    e.config(WEEKLY);
    e.apply(&[]);
    let id = id_of(&e.resource("qualys_deployment_job.weekly"));

    e.edit_out_of_band(&id, |job| {
        job["name"] = json!("Renamed in the Qualys UI");
        job["timezone"] = json!("Asia/Tokyo");
        job["preDeployActions"][0]["params"]["actionItem"] = json!("Renamed action");
    });
    let plan = e.plan(&[]);
    assert_eq!(
        plan.code,
        Some(2),
        "drift is a change:\n{}",
        plan.combined()
    );
    let out = &plan.stdout;
    assert!(
        out.contains(r#"~ name"#)
            && out.contains(r#""Renamed in the Qualys UI" -> "Weekly Windows patching""#),
        "{out}"
    );
    assert!(out.contains(r#""Asia/Tokyo" -> "Europe/Berlin""#), "{out}");
    assert!(out.contains(r#""Renamed action" -> "Say hello""#), "{out}");
    assert!(out.contains("1 to change"), "{out}");

    let action_id =
        e.resource("qualys_deployment_job.weekly")["pre_deploy_actions"][0]["action_id"].clone();
    e.apply(&[]);
    let job = e.get_job(&id).expect("job");
    assert_eq!(job["name"], "Weekly Windows patching");
    assert_eq!(job["timezone"], "Europe/Berlin");
    assert_eq!(
        job["preDeployActions"][0]["params"]["actionItem"],
        "Say hello"
    );
    assert_eq!(
        job["preDeployActions"][0]["actionId"], action_id,
        "the action keeps its ID"
    );
    e.assert_plan_clean(&[], "after restoring the configuration");
}
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn out_of_band_delete_plans_a_re_create(variant) {
    let e = E2e::start_variant("out_of_band_delete_plans_a_re_create", variant);
    e.config(WEEKLY);
    e.apply(&[]);
    let old_id = id_of(&e.resource("qualys_deployment_job.weekly"));

    e.delete_out_of_band(&old_id);
    let plan = e.plan(&[]);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );

    let mark = e.mark();
    e.apply(&[]);
    assert_eq!(e.writes_since(mark), ["POST /pm/v1/deploymentjob"]);
    let new_id = id_of(&e.resource("qualys_deployment_job.weekly"));
    assert_ne!(new_id, old_id);
    assert_eq!(e.server_jobs().len(), 1);
    e.assert_plan_clean(&[], "after re-creating");
}
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn destroy_leaves_the_simulator_empty(variant) {
    let e = E2e::start_variant("destroy_leaves_the_simulator_empty", variant);
    e.config(&sample_hcl("update_chained_job.tf"));
    e.apply(&[]);
    assert_eq!(e.server_jobs().len(), 2);
    // a plan with no change costs the platform's listing (its page and the empty page that
    // ends it), and nothing else
    let mark = e.mark();
    e.assert_plan_clean(&[], "after apply");
    let reads: Vec<String> = e
        .job_requests_since(mark)
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap_or(""), r["path"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(reads, ["GET /pm/v1/deploymentjobs/summary"; 2], "the listing only");
    let mark = e.mark();
    let out = e.tf(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    out.expect_success("terraform destroy");
    assert!(out.stdout.contains("2 destroyed"), "{}", out.stdout);
    assert_eq!(
        e.server_jobs(),
        Vec::<Value>::new(),
        "jobs left after destroy"
    );
    let deletes = e.writes_since(mark);
    assert_eq!(
        deletes,
        [
            "DELETE /pm/v1/deploymentjobs",
            "DELETE /pm/v1/deploymentjobs"
        ]
    );
    assert!(e.state().is_empty());
}
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn enabled_recurring_job_is_disabled_patched_and_enabled_again(variant) {
    let e = E2e::start_variant("enabled_recurring_job_is_disabled_patched_and_enabled_again", variant);
    e.config(WEEKLY);
    e.apply(&[("status", "Enabled")]);
    let before = e.resource("qualys_deployment_job.weekly");
    let id = id_of(&before);
    assert_eq!(before["server_status"], "Enabled");

    let mark = e.mark();
    let out = e.apply(&[
        ("status", "Enabled"),
        ("name", "Weekly Windows patching v2"),
    ]);
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.stdout
    );
    assert_eq!(
        e.writes_since(mark),
        [
            "POST /pm/v1/deploymentjobs/update/status/Disabled".to_owned(),
            format!("PATCH /pm/v1/deploymentjob/update/{id}"),
            "POST /pm/v1/deploymentjobs/update/status/Enabled".to_owned(),
        ]
    );
    let after = e.resource("qualys_deployment_job.weekly");
    assert_eq!(id_of(&after), id, "updated in place");
    assert_eq!(after["status"], "Enabled");
    assert_eq!(after["server_status"], "Enabled");
    assert_eq!(
        after["pre_deploy_actions"][0]["action_id"], before["pre_deploy_actions"][0]["action_id"],
        "the action keeps its ID"
    );
    let job = e.get_job(&id).expect("job");
    assert_eq!(job["status"], "Enabled");
    assert_eq!(job["name"], "Weekly Windows patching v2");
    e.assert_plan_clean(
        &[
            ("status", "Enabled"),
            ("name", "Weekly Windows patching v2"),
        ],
        "after the update",
    );

    // a status change alone goes through the status endpoint only
    let mark = e.mark();
    e.apply(&[
        ("status", "Disabled"),
        ("name", "Weekly Windows patching v2"),
    ]);
    assert_eq!(
        e.writes_since(mark),
        ["POST /pm/v1/deploymentjobs/update/status/Disabled"]
    );
    assert_eq!(e.get_job(&id).expect("job")["status"], "Disabled");
}
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn enabled_run_once_job_changed_is_replaced(variant) {
    let e = E2e::start_variant("enabled_run_once_job_changed_is_replaced", variant);
    e.config(ON_DEMAND);
    e.apply(&[]);
    let old_id = id_of(&e.resource("qualys_deployment_job.now"));
    e.assert_plan_clean(&[], "after creating an Enabled On-demand job");
    // the server moves the running job on to "Prepared": a fact, not a change to plan
    e.tf(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ])
    .expect_success("terraform apply -refresh-only");
    let refreshed = e.resource("qualys_deployment_job.now");
    assert_eq!(refreshed["server_status"], "Prepared");
    assert_eq!(refreshed["status"], "Enabled");
    e.assert_plan_clean(&[], "with the server status Prepared");

    let vars = [("name", "Emergency patch (second wave)")];
    let plan = e.plan(&vars);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    let out = plan.combined();
    assert!(out.contains("must be replaced"), "{out}");
    assert!(out.contains("# forces replacement"), "{out}");
    assert!(out.contains("1 to add, 0 to change, 1 to destroy"), "{out}");
    assert!(
        out.contains("Enabled run-once job must be replaced"),
        "the reason is given: {out}"
    );

    let mark = e.mark();
    let applied = e.apply(&vars);
    assert!(
        applied.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        applied.stdout
    );
    let writes = e.writes_since(mark);
    assert!(
        writes.contains(&"POST /pm/v1/deploymentjob".to_owned()),
        "{writes:?}"
    );
    assert!(
        writes.contains(&"DELETE /pm/v1/deploymentjobs".to_owned()),
        "{writes:?}"
    );
    assert!(
        !writes.iter().any(|w| w.starts_with("PATCH")),
        "never edited: {writes:?}"
    );
    let new = e.resource("qualys_deployment_job.now");
    assert_ne!(id_of(&new), old_id);
    assert!(e.get_job(&old_id).is_none(), "the old job is gone");
    let jobs = e.server_jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        e.get_job(&id_of(&new)).expect("new job")["name"],
        "Emergency patch (second wave)"
    );
    e.assert_plan_clean(&vars, "after the replacement");
}
}

/// A job created outside terraform, from the create-windows-with-actions sample.
fn create_sample_job(e: &E2e) -> String {
    let body = crate::support::simulator::fixture("create-windows-with-actions.request.json");
    let (status, job) = e.api(reqwest::Method::POST, "/pm/v1/deploymentjob", Some(body));
    assert_eq!(status, 201, "{job}");
    job["id"].as_str().expect("id").to_owned()
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn import_command_then_plan_is_clean(variant) {
    let e = E2e::start_variant("import_command_then_plan_is_clean", variant);
    // a job made elsewhere, and the configuration its owner writes for it
    let body = json!({
        "name": "Made in the UI", "type": "Install", "platform": "Linux", "scheduleType": "Daily",
        "startDateTime": "2026-12-01 02:00:00 AM", "recurring": true,
        "assetTagIds": ["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"],
        "isDynamicPatchesQQL": true, "dynamicQQLType": 1,
        "dynamicPatchesQQL": "vendorSeverity:`Critical`",
        "preDeployActions": [{"action": "Run Script", "params": {"actionItem": "refresh"},
                              "script": "ZG5mIG1ha2VjYWNoZQ==", "scriptType": "sh"}]
    });
    let (status, job) = e.api(reqwest::Method::POST, "/pm/v1/deploymentjob", Some(body));
    assert_eq!(status, 201, "{job}");
    let id = job["id"].as_str().expect("id").to_owned();
    let script_ref = job["preDeployActions"][0]["script"]
        .as_str()
        .expect("script ref")
        .to_owned();
    e.config(&format!(
        r#"
resource "qualys_deployment_job" "daily" {{
  name                   = "Made in the UI"
  platform               = "Linux"
  schedule_type          = "Daily"
  start_date_time        = "2026-12-01 02:00:00 AM"
  asset_tag_ids          = ["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"]
  is_dynamic_patches_qql = true
  dynamic_qql_type       = 1
  dynamic_patches_qql    = "vendorSeverity:`Critical`"
  pre_deploy_actions = [
    {{
      action      = "Run Script"
      action_item = "refresh"
      script      = "{script_ref}"
      script_type = "sh"
    }},
  ]
}}
"#
    ));
    let out = e.tf(&[
        "import",
        "-no-color",
        "-input=false",
        "qualys_deployment_job.daily",
        &id,
    ]);
    out.expect_success("terraform import");
    assert!(out.stdout.contains("Import successful"), "{}", out.stdout);
    let state = e.resource("qualys_deployment_job.daily");
    assert_eq!(state["id"], json!(id));
    assert_eq!(state["pre_deploy_actions"][0]["script"], json!(script_ref));
    assert_eq!(state["recurring"], true);
    e.assert_plan_clean(&[], "after terraform import");
}
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn import_of_an_unknown_id_fails_naming_it(variant) {
    let e = E2e::start_variant("import_of_an_unknown_id_fails_naming_it", variant);
    e.config("resource \"qualys_deployment_job\" \"x\" {\n  name          = \"x\"\n  schedule_type = \"On-demand\"\n}\n");
    let out = e.tf(&[
        "import",
        "-no-color",
        "-input=false",
        "qualys_deployment_job.x",
        "00000000-0000-0000-0000-000000000000",
    ]);
    assert_eq!(out.code, Some(1), "{}", out.combined());
    let text = out.combined();
    assert!(
        text.contains("does not exist") && text.contains("00000000-0000-0000-0000-000000000000"),
        "{text}"
    );
    assert!(e.state().is_empty());
}
}

/// Two actions; the second one's script comes from a variable.
const TWO_ACTIONS: &str = r#"
variable "cleanup" {
  type    = string
  default = "Remove-Item C:\\Temp\\patch-*.log"
}

resource "qualys_deployment_job" "job" {
  name             = "Two actions"
  schedule_type    = "On-demand"
  asset_ids        = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]

  pre_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "check"
      script      = "Write-Output 'check'"
      script_type = "ps"
    },
  ]
  post_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "cleanup"
      script      = var.cleanup
      script_type = "ps"
    },
  ]
}
"#;

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn in_place_update_keeps_action_ids_and_sends_unchanged_scripts_as_references(variant) {
    let e = E2e::start_variant("in_place_update_keeps_action_ids", variant);
    e.config(TWO_ACTIONS);
    e.apply(&[]);
    let before = e.resource("qualys_deployment_job.job");
    let id = id_of(&before);
    let pre_id = before["pre_deploy_actions"][0]["action_id"]
        .as_str()
        .expect("pre action ID")
        .to_owned();
    let post_id = before["post_deploy_actions"][0]["action_id"]
        .as_str()
        .expect("post action ID")
        .to_owned();

    let plan = e.plan(&[("cleanup", "Remove-Item C:\\Temp\\*.log")]);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    assert!(plan.stdout.contains("1 to change"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("will be updated in-place"),
        "{}",
        plan.stdout
    );

    let mark = e.mark();
    e.apply(&[("cleanup", "Remove-Item C:\\Temp\\*.log")]);
    assert_eq!(
        e.writes_since(mark),
        [format!("PATCH /pm/v1/deploymentjob/update/{id}")]
    );
    let sent = e.only_body(mark, "PATCH", &format!("/pm/v1/deploymentjob/update/{id}"));
    let pre = &sent["preDeployActions"][0];
    let post = &sent["postDeployActions"][0];
    assert_eq!(pre["actionId"], json!(pre_id));
    assert_eq!(post["actionId"], json!(post_id));
    let customer = sent["customerId"].as_str().unwrap_or_default();
    assert_eq!(
        pre["script"],
        json!(format!("{customer}/{pre_id}/Script")),
        "unchanged: its reference"
    );
    assert_eq!(
        decode_b64(post["script"].as_str().unwrap_or_default()),
        "Remove-Item C:\\Temp\\*.log",
        "changed: its text"
    );

    let after = e.resource("qualys_deployment_job.job");
    assert_eq!(id_of(&after), id);
    assert_eq!(after["pre_deploy_actions"][0]["action_id"], json!(pre_id));
    assert_eq!(after["post_deploy_actions"][0]["action_id"], json!(post_id));
    assert_eq!(
        after["pre_deploy_actions"][0]["script"], "Write-Output 'check'",
        "the state keeps the text"
    );
    assert_eq!(
        after["post_deploy_actions"][0]["script"],
        "Remove-Item C:\\Temp\\*.log"
    );
    e.assert_plan_clean(
        &[("cleanup", "Remove-Item C:\\Temp\\*.log")],
        "after the update",
    );
}
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn platform_change_is_planned_as_replacement() {
    let e = E2e::start("platform_change_is_planned_as_replacement");
    let job = |platform: &str| {
        format!("resource \"qualys_deployment_job\" \"p\" {{\n  name          = \"p\"\n  platform      = \"{platform}\"\n  schedule_type = \"On-demand\"\n}}\n")
    };
    e.config(&job("Windows"));
    e.apply(&[]);
    let old = id_of(&e.resource("qualys_deployment_job.p"));
    e.config(&job("Linux"));
    let plan = e.plan(&[]);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains(
            r#"~ platform                     = "Windows" -> "Linux" # forces replacement"#
        ) || plan.stdout.contains("# forces replacement"),
        "{}",
        plan.stdout
    );
    e.apply(&[]);
    let new = e.resource("qualys_deployment_job.p");
    assert_ne!(id_of(&new), old);
    assert_eq!(
        e.get_job(&id_of(&new)).expect("new job")["platform"],
        "Linux"
    );
    assert!(e.get_job(&old).is_none());
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn import_block_with_generated_config_plans_clean() {
    let e = E2e::start("import_block_with_generated_config_plans_clean");
    let id = create_sample_job(&e);
    // and two more kinds: an Enabled On-demand Linux job (now "Prepared") with the MakeCache
    // pre-action, and a chained Monthly job
    let (status, linux) = e.api(
        reqwest::Method::POST,
        "/pm/v1/deploymentjob",
        Some(json!({"name": "Demo_MakeCache", "type": "Install", "platform": "Linux", "status": "Enabled",
            "scheduleType": "On-demand", "timeout": -1, "assetIds": ["08a028e6-7e1d-4dbf-b040-48d9059dee08"],
            "isDynamicPatchesQQL": false, "dynamicQQLType": 1,
            "preDeployActions": [{"action": "Run Script", "params": {"actionItem": "makecache Pre-Action", "defaultScriptType": "MakeCache"}, "scriptType": "sh", "script": ""}]})),
    );
    assert_eq!(status, 201, "{linux}");
    let parent = e.get_job(&id).expect("sample job");
    let (status, chained) = e.api(
        reqwest::Method::POST,
        "/pm/v1/deploymentjob",
        Some(json!({"name": "Chained monthly", "type": "Install", "platform": "Windows",
            "scheduleType": "Monthly", "startDateTime": "2026-12-01 10:00:00 PM", "recurring": true,
            "monthlyRecurringType": 1, "patchTuesdayPlusXDays": "-3", "timezoneType": "AGENT_TZ",
            "assetTagIds": ["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"], "linkedJobId": id,
            "chainedJobRule": [{"field": "postDeployAction", "actionIds": [parent["postDeployActions"][0]["actionId"]],
                "threshold": "50", "condition": "Post Actions were successfully executed"}]})),
    );
    assert_eq!(status, 201, "{chained}");
    e.config(&format!(
        "import {{\n  to = qualys_deployment_job.imported\n  id = \"{id}\"\n}}\nimport {{\n  to = qualys_deployment_job.linux\n  id = \"{}\"\n}}\nimport {{\n  to = qualys_deployment_job.chained\n  id = \"{}\"\n}}\n",
        linux["id"].as_str().unwrap_or_default(),
        chained["id"].as_str().unwrap_or_default()
    ));
    let mark = e.mark();
    let plan = e.tf(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=gen.tf",
    ]);
    assert!(
        plan.code == Some(0),
        "plan -generate-config-out:\n{}",
        plan.combined()
    );
    assert!(plan.stdout.contains("3 to import"), "{}", plan.stdout);
    assert!(
        e.writes_since(mark).is_empty(),
        "planning an import writes nothing"
    );
    let generated = std::fs::read_to_string(e.ws.path().join("gen.tf")).expect("gen.tf written");
    if std::env::var_os("E2E_SHOW_GENERATED").is_some() {
        eprintln!("{generated}");
    }
    assert!(
        generated.contains(r#"name                         = "Public API on demand Window job with specific patches""#)
            || generated.contains(r#""Public API on demand Window job with specific patches""#),
        "{generated}"
    );
    assert!(
        generated.contains("/Script\""),
        "scripts as storage references: {generated}"
    );

    let mark = e.mark();
    let applied = e.apply(&[]);
    assert!(
        applied
            .stdout
            .contains("3 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.stdout
    );
    assert!(
        e.writes_since(mark).is_empty(),
        "an import changes nothing: {:?}",
        e.writes_since(mark)
    );
    e.assert_plan_clean(&[], "generated configuration after the import");
    assert_eq!(
        e.resource("qualys_deployment_job.imported")["id"],
        json!(id)
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn data_sources_read_a_job_by_id_and_list_by_platform_and_name() {
    let e = E2e::start("data_sources_read_a_job_by_id_and_list_by_platform_and_name");
    let id = create_sample_job(&e);
    // another Windows job, and a Linux one with the same name
    for (name, platform) in [
        ("Another Windows job", "Windows"),
        (
            "Public API on demand Window job with specific patches",
            "Linux",
        ),
    ] {
        let (status, job) = e.api(
            reqwest::Method::POST,
            "/pm/v1/deploymentjob",
            Some(json!({"name": name, "type": "Install", "platform": platform, "scheduleType": "On-demand", "assetIds": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"]})),
        );
        assert_eq!(status, 201, "{job}");
    }
    e.config(&format!(
        r#"
data "qualys_deployment_job" "by_id" {{
  id = "{id}"
}}
data "qualys_deployment_jobs" "windows" {{
  platform = "Windows"
}}
data "qualys_deployment_jobs" "named" {{
  platform = "Windows"
  name     = "Public API on demand Window job with specific patches"
}}
output "by_id" {{
  value = data.qualys_deployment_job.by_id
}}
output "windows" {{
  value = data.qualys_deployment_jobs.windows.jobs
}}
output "named" {{
  value = data.qualys_deployment_jobs.named.jobs
}}
"#
    ));
    e.apply(&[]);
    let out = e.tf(&["output", "-json"]);
    out.expect_success("terraform output -json");
    let outputs: Value = serde_json::from_str(&out.stdout).expect("outputs JSON");
    let job = &outputs["by_id"]["value"];
    assert_eq!(
        job["name"],
        "Public API on demand Window job with specific patches"
    );
    assert_eq!(job["platform"], "Windows");
    assert_eq!(job["minimize_window"], true);
    assert_eq!(
        job["notification"]["recipient_emails"],
        json!(["abc@gmail.com"])
    );
    assert_eq!(
        job["pre_deploy_actions"][1]["reg_value"], "true",
        "registry value decoded"
    );
    assert_eq!(job["post_deploy_actions"].as_array().map(Vec::len), Some(3));

    let windows = outputs["windows"]["value"]
        .as_array()
        .expect("windows jobs");
    let mut names: Vec<&str> = windows.iter().filter_map(|j| j["name"].as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Another Windows job",
            "Public API on demand Window job with specific patches"
        ]
    );
    let named = outputs["named"]["value"].as_array().expect("named jobs");
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0]["id"], json!(id));
    assert_eq!(named[0]["platform"], "Windows");

    // an unknown ID fails with a message naming it
    e.config("data \"qualys_deployment_job\" \"missing\" {\n  id = \"00000000-0000-0000-0000-000000000000\"\n}\n");
    let plan = e.plan(&[]);
    assert_eq!(plan.code, Some(1), "{}", plan.combined());
    assert!(
        plan.combined()
            .contains("00000000-0000-0000-0000-000000000000"),
        "{}",
        plan.combined()
    );
}

/// A Disabled job whose optional parts come and go with `full`.
const OPTIONAL_PARTS: &str = r#"
variable "full" {
  type    = bool
  default = true
}

resource "qualys_deployment_job" "job" {
  name             = "Optional parts"
  description      = var.full ? "with everything" : null
  schedule_type    = var.full ? "On-demand" : "Weekly"
  start_date_time  = var.full ? null : "2026-12-5 09:05:00 PM"
  recurring_week_days = var.full ? null : ["Monday", "Thursday"]
  asset_ids        = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches = var.full ? ["444ba31a-0f94-3199-870e-ef8ab1a5a477"] : []

  reattempt_failed_patches = var.full ? { no_of_reattempts = 2, exponential_backoff_interval = 5 } : null
  notification = var.full ? {
    email                = true
    recipient_emails     = ["ops@example.com"]
    completed_percentage = 50
    on_job_start         = true
    on_job_complete      = true
  } : null

  pre_deploy_actions = [
    {
      action      = "Run Script"
      action_item = "first"
      script      = "Write-Output 1"
      script_type = "ps"
    },
  ]
  post_deploy_actions = var.full ? [
    {
      action      = "Run Script"
      action_item = "second"
      script      = "Write-Output 2"
      script_type = "ps"
    },
    {
      action      = "Run Script"
      action_item = "third"
      script      = "Write-Output 3"
      script_type = "ps"
    },
  ] : [
    {
      action      = "Run Script"
      action_item = "third"
      script      = "Write-Output 3"
      script_type = "ps"
    },
  ]
}
"#;

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn removing_optional_settings_and_changing_the_schedule_update_in_place() {
    let e = E2e::start("removing_optional_settings_and_changing_the_schedule");
    e.config(OPTIONAL_PARTS);
    e.apply(&[]);
    e.assert_plan_clean(&[], "with every optional part");
    let before = e.resource("qualys_deployment_job.job");
    let id = id_of(&before);
    let third_id = before["post_deploy_actions"][1]["action_id"].clone();

    let out = e.apply(&[("full", "false")]);
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.stdout
    );
    let job = e.get_job(&id).expect("job");
    assert_eq!(job["description"].as_str().unwrap_or_default(), "", "{job}");
    assert_eq!(job["scheduleType"], "Weekly");
    assert_eq!(job["recurring"], true);
    assert_eq!(job["recurringWeekDays"], "0,1,0,0,1,0,0", "{job}");
    assert!(job["notification"].is_null(), "{job}");
    assert_ne!(job["enableReattemptFailedPatches"], true, "{job}");
    assert!(
        job["approvedPatches"].as_array().is_none_or(Vec::is_empty),
        "{job}"
    );
    let post = job["postDeployActions"].as_array().expect("post actions");
    assert_eq!(post.len(), 1);
    assert_eq!(
        post[0]["actionId"], third_id,
        "the remaining action keeps its ID"
    );
    let after = e.resource("qualys_deployment_job.job");
    assert_eq!(after["post_deploy_actions"][0]["action_id"], third_id);
    assert_eq!(
        after["start_date_time"], "2026-12-5 09:05:00 PM",
        "kept as written"
    );
    e.assert_plan_clean(&[("full", "false")], "after removing the optional parts");

    // and back
    e.apply(&[]);
    e.assert_plan_clean(&[], "after restoring them");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn out_of_band_disable_of_an_enabled_job_is_planned_back() {
    let e = E2e::start("out_of_band_disable_of_an_enabled_job");
    e.config(WEEKLY);
    e.apply(&[("status", "Enabled")]);
    let id = id_of(&e.resource("qualys_deployment_job.weekly"));
    let (status, answer) = e.api(
        reqwest::Method::POST,
        "/pm/v1/deploymentjobs/update/status/Disabled",
        Some(json!({ "ids": [id] })),
    );
    assert_eq!(status, 200, "{answer}");
    let plan = e.plan(&[("status", "Enabled")]);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    assert!(
        plan.stdout.contains(r#""Disabled" -> "Enabled""#),
        "{}",
        plan.stdout
    );
    let mark = e.mark();
    e.apply(&[("status", "Enabled")]);
    assert_eq!(
        e.writes_since(mark),
        ["POST /pm/v1/deploymentjobs/update/status/Enabled"]
    );
    e.assert_plan_clean(&[("status", "Enabled")], "after enabling again");
}

/// `(status, method path)` of every request after `mark`, `/auth` included.
fn statuses_since(e: &E2e, mark: usize) -> Vec<(u64, String)> {
    e.sim
        .requests()
        .into_iter()
        .skip(mark)
        .map(|r| {
            (
                r["status"].as_u64().unwrap_or_default(),
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap_or_default(),
                    r["path"].as_str().unwrap_or_default()
                ),
            )
        })
        .collect()
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn throttling_and_transient_failures_are_retried_through_terraform() {
    let e = E2e::start("throttling_and_transient_failures_are_retried");
    e.config(WEEKLY);
    // create: a throttled /auth and a throttled create (the server certainly did not act)
    block_on(e.sim.fail_next(&[429, 0, 429]));
    let mark = e.mark();
    e.apply(&[]);
    let create = "POST /pm/v1/deploymentjob".to_owned();
    let seen = statuses_since(&e, mark);
    assert_eq!(
        seen.iter()
            .filter(|(_, r)| *r == create)
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        [429, 201],
        "{seen:?}"
    );
    assert_eq!(e.server_jobs().len(), 1, "one job, not two");

    // refresh: two transient failures of the read (the listing's first page)
    block_on(e.sim.fail_next(&[0, 503, 502]));
    let mark = e.mark();
    e.assert_plan_clean(&[], "with transient read failures");
    let list = "GET /pm/v1/deploymentjobs/summary".to_owned();
    let seen = statuses_since(&e, mark);
    assert_eq!(
        seen.iter()
            .filter(|(_, r)| *r == list)
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        [503, 502, 200, 200],
        "{seen:?}"
    );

    // destroy (the plan's provider process: /auth, GET; the apply's: /auth, DELETE): the
    // delete throttled, then failing before acting (after the plan's /auth and listing pages
    // and the apply's /auth)
    block_on(e.sim.fail_next(&[0, 0, 0, 0, 429, 504]));
    let mark = e.mark();
    e.tf(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .expect_success("terraform destroy");
    let delete = "DELETE /pm/v1/deploymentjobs".to_owned();
    let seen = statuses_since(&e, mark);
    assert_eq!(
        seen.iter()
            .filter(|(_, r)| *r == delete)
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        [429, 504, 200],
        "{seen:?}"
    );
    assert!(e.server_jobs().is_empty());
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn jobs_data_source_reads_every_page() {
    let e = E2e::start("jobs_data_source_reads_every_page");
    const JOBS: usize = 230;
    block_on(async {
        let token = e.sim.token().await;
        let client = reqwest::Client::new();
        for i in 0..JOBS {
            let response = client
                .post(format!("{}/pm/v1/deploymentjob", e.sim.url))
                .bearer_auth(&token)
                .json(&json!({"name": format!("Linux job {i:03}"), "type": "Install", "platform": "Linux",
                    "scheduleType": "On-demand", "assetIds": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"]}))
                .send()
                .await
                .expect("create");
            assert_eq!(response.status().as_u16(), 201);
        }
    });
    e.config(
        r#"
data "qualys_deployment_jobs" "linux" {
  platform = "Linux"
}
data "qualys_deployment_jobs" "one" {
  platform = "Linux"
  name     = "Linux job 217"
}
output "count" {
  value = length(data.qualys_deployment_jobs.linux.jobs)
}
output "ids" {
  value = toset([for j in data.qualys_deployment_jobs.linux.jobs : j.id])
}
output "one" {
  value = [for j in data.qualys_deployment_jobs.one.jobs : j.name]
}
"#,
    );
    e.apply(&[]);
    let out = e.tf(&["output", "-json"]);
    out.expect_success("terraform output -json");
    let outputs: Value = serde_json::from_str(&out.stdout).expect("outputs JSON");
    assert_eq!(outputs["count"]["value"], json!(JOBS));
    assert_eq!(
        outputs["ids"]["value"].as_array().map(Vec::len),
        Some(JOBS),
        "no job twice"
    );
    assert_eq!(outputs["one"]["value"], json!(["Linux job 217"]));
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn secrets_never_appear_in_trace_logs_or_state() {
    const SECRET: &str = "Pa55-w0rd-only-in-this-test";
    let e = E2e::start_with(
        "secrets_never_appear_in_trace_logs_or_state",
        &["--password", SECRET],
        SECRET,
    );
    e.config(WEEKLY);
    let trace = [("TF_LOG", "trace")];
    let apply = e.ws.run_with_env(
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        &trace,
    );
    apply.expect_success("terraform apply with TF_LOG=trace");
    let plan =
        e.ws.run_with_env(&["plan", "-no-color", "-input=false"], &trace);
    plan.expect_success("terraform plan with TF_LOG=trace");
    let logs = format!("{}\n{}", apply.combined(), plan.combined());
    assert!(
        logs.contains("configuring the Qualys client"),
        "the provider logs are there"
    );
    assert!(!logs.contains(SECRET), "the password is logged");
    // a JWT is three base64url parts, the first two JSON (`eyJ...`)
    assert!(!logs.contains(".eyJ"), "a JWT is logged");
    let state = std::fs::read_to_string(e.ws.path().join("terraform.tfstate")).expect("state");
    assert!(
        !state.contains(SECRET) && !state.contains(".eyJ"),
        "a secret in the state"
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn failed_update_of_an_enabled_job_re_enables_it_and_keeps_the_state() {
    let e = E2e::start("failed_update_of_an_enabled_job_re_enables_it");
    e.config(WEEKLY);
    e.apply(&[("status", "Enabled")]);
    let before = e.resource("qualys_deployment_job.weekly");
    let id = id_of(&before);
    let vars = [("status", "Enabled"), ("name", "Renamed")];

    // the plan's provider (/auth, the listing's two pages), then the apply's (/auth,
    // disable, PATCH fails)
    block_on(e.sim.fail_next(&[0, 0, 0, 0, 0, 500]));
    let mark = e.mark();
    let out = e.try_apply(&vars);
    assert_eq!(out.code, Some(1), "{}", out.combined());
    assert!(
        out.combined()
            .contains("Updating the deployment job failed"),
        "{}",
        out.combined()
    );
    assert_eq!(
        e.writes_since(mark),
        [
            "POST /pm/v1/deploymentjobs/update/status/Disabled".to_owned(),
            format!("PATCH /pm/v1/deploymentjob/update/{id}"),
            "POST /pm/v1/deploymentjobs/update/status/Enabled".to_owned(),
        ],
        "disabled for the edit, enabled again after the failure"
    );
    let job = e.get_job(&id).expect("job");
    assert_eq!(job["status"], "Enabled");
    assert_eq!(job["name"], "Weekly Windows patching");
    let after = e.resource("qualys_deployment_job.weekly");
    assert_eq!(
        after["name"], before["name"],
        "the state keeps the job as it is"
    );
    assert_eq!(after["id"], before["id"]);

    // the next apply makes the change
    e.apply(&vars);
    assert_eq!(e.get_job(&id).expect("job")["name"], "Renamed");
    e.assert_plan_clean(&vars, "after the retried update");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn reordered_actions_keep_their_ids() {
    let e = E2e::start("reordered_actions_keep_their_ids");
    let job = |order: [&str; 2]| {
        let action = |item: &str| {
            format!("    {{\n      action      = \"Run Script\"\n      action_item = \"{item}\"\n      script      = \"Write-Output '{item}'\"\n      script_type = \"ps\"\n    }},\n")
        };
        format!(
            "resource \"qualys_deployment_job\" \"j\" {{\n  name          = \"reorder\"\n  schedule_type = \"On-demand\"\n  post_deploy_actions = [\n{}{}  ]\n}}\n",
            action(order[0]),
            action(order[1])
        )
    };
    e.config(&job(["alpha", "beta"]));
    e.apply(&[]);
    let before = e.resource("qualys_deployment_job.j");
    let id_of_item = |r: &Value, item: &str| {
        r["post_deploy_actions"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["action_item"] == item))
            .map(|x| x["action_id"].clone())
            .unwrap_or(Value::Null)
    };
    let (alpha, beta) = (id_of_item(&before, "alpha"), id_of_item(&before, "beta"));
    assert!(alpha.is_string() && beta.is_string() && alpha != beta);

    e.config(&job(["beta", "alpha"]));
    let mark = e.mark();
    e.apply(&[]);
    let id = id_of(&before);
    let sent = e.only_body(mark, "PATCH", &format!("/pm/v1/deploymentjob/update/{id}"));
    let sent_pairs: Vec<(Value, Value)> = sent["postDeployActions"]
        .as_array()
        .expect("post actions")
        .iter()
        .map(|a| (a["params"]["actionItem"].clone(), a["actionId"].clone()))
        .collect();
    assert_eq!(
        sent_pairs,
        [
            (json!("beta"), beta.clone()),
            (json!("alpha"), alpha.clone())
        ]
    );
    let after = e.resource("qualys_deployment_job.j");
    assert_eq!(id_of_item(&after, "alpha"), alpha);
    assert_eq!(id_of_item(&after, "beta"), beta);
    assert_eq!(after["post_deploy_actions"][0]["action_item"], "beta");
    e.assert_plan_clean(&[], "after reordering");
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn documented_example_applies_plans_clean_and_destroys(variant) {
    let e = E2e::start_variant("documented_example_applies_plans_clean_and_destroys", variant);
    let example = std::fs::read_to_string(format!(
        "{}/examples/resources/qualys_deployment_job/resource.tf",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("read the documented example");
    e.config(&example);
    e.apply(&[]);
    e.assert_plan_clean(&[], "the documented example");
    e.tf(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .expect_success("terraform destroy");
    assert_eq!(
        e.server_jobs(),
        Vec::<Value>::new(),
        "jobs left after destroy"
    );
}
}
