//! `qualys_deployment_job` end to end: the real terraform CLI, the built provider, and the
//! simulator. Each test starts its own simulator on a free port and works in a temp dir.

use serde_json::Value as Json;

use crate::support::deployment_job::{
    assert_plan_clean, bodies, delete_job, edit_job, get_job, job_count, resource_values, workspace,
};
use crate::support::simulator::Simulator;
use crate::support::terraform::{terraform_or_skip, Workspace};

fn hcl(name: &str) -> String {
    let path = format!("{}/tests/it/hcl/{name}.tf", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture(name: &str) -> Json {
    let path = format!(
        "{}/src/resources/deployment_job/testdata/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .expect("fixture JSON")
}

/// Keys whose values the server assigns or computes: not part of what a user sends.
const SERVER_ASSIGNED: &[&str] = &[
    "id",
    "customerId",
    "schemaVersion",
    "createdBy",
    "updatedBy",
    "deletedBy",
    "actionId",
    "actionType",
    "actionLinkedToJob",
    "linkedJobId",
    "actionIds",
    "patchCount",
    "applicableAssetCount",
    "assetCount",
    "taggedAssetCount",
    "totalAssetCount",
    "assetResultReceivedCount",
    "jobCategory",
    "jobSource",
    "jobTriggerStatus",
    "completionPercent",
    "readOnly",
    "subCategory",
    "linkedToJob",
    "linkedJobs",
    "jobStartCountdown",
    "passwordAction",
    "isVulnContext",
    "remediationQids",
    "isAssetImported",
    "hostIsolationConfig",
    "quarantineAssetRequestNotification",
    "disabledPatches",
    "assetDetectionsQQL",
];

fn is_empty(v: &Json) -> bool {
    matches!(v, Json::Null | Json::Bool(false))
        || v.as_str() == Some("")
        || v.as_array().is_some_and(Vec::is_empty)
}

fn is_storage_ref(s: &str) -> bool {
    s.starts_with("default/") || s.ends_with("/Script") || s.ends_with("/DetectionScript")
}

/// Every field of the API sample is in the request, modulo types the API itself mixes
/// (`"80"`/`80`, `"true"`/`true`), `[]`/`null`, base64 of elided scripts, and values the
/// server assigns (IDs, storage references).
fn compare_with_sample(
    sample: &Json,
    sent: &Json,
    stored: &Json,
    path: &str,
    errors: &mut Vec<String>,
) {
    match sample {
        Json::Object(m) => {
            for (k, v) in m {
                if SERVER_ASSIGNED.contains(&k.as_str()) {
                    continue;
                }
                let here = format!("{path}.{k}");
                let got = sent.get(k).unwrap_or(&Json::Null);
                let kept = stored.get(k).unwrap_or(&Json::Null);
                // left out of the request, and the server filled in the sample's value
                if got.is_null() && !kept.is_null() && same_value(v, kept) {
                    continue;
                }
                if is_empty(v) {
                    if !(is_empty(got) || v == got) {
                        errors.push(format!(
                            "{here}: the sample has {v}, the provider sent {got}"
                        ));
                    }
                    continue;
                }
                if matches!(k.as_str(), "script" | "detectionScript") {
                    // the HCL samples carry their own script text (the API samples' scripts are
                    // elided or long); the encoding itself is checked separately
                    if got.as_str().is_none_or(|s| s.is_empty()) {
                        errors.push(format!("{here}: no script sent"));
                    }
                    continue;
                }
                compare_with_sample(v, got, kept, &here, errors);
            }
        }
        Json::Array(items) if items.iter().all(Json::is_object) => {
            let got = sent.as_array().cloned().unwrap_or_default();
            if items.len() != got.len() {
                errors.push(format!(
                    "{path}: the sample has {} items, the provider sent {sent}",
                    items.len()
                ));
                return;
            }
            for (i, (a, b)) in items.iter().zip(&got).enumerate() {
                compare_with_sample(
                    a,
                    b,
                    stored.get(i).unwrap_or(&Json::Null),
                    &format!("{path}[{i}]"),
                    errors,
                );
            }
        }
        Json::Array(items) => {
            let mut want: Vec<String> = items.iter().map(|v| v.to_string()).collect();
            let mut have: Vec<String> = sent
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|v| v.to_string())
                .collect();
            want.sort();
            have.sort();
            if want != have {
                errors.push(format!(
                    "{path}: the sample has {want:?}, the provider sent {have:?}"
                ));
            }
        }
        _ => {
            if !same_value(sample, sent) {
                errors.push(format!(
                    "{path}: the sample has {sample}, the provider sent {sent}"
                ));
            }
        }
    }
}

fn assert_matches_sample(sample: &Json, sent: &Json, stored: &Json, path: &str) {
    let mut errors = Vec::new();
    compare_with_sample(sample, sent, stored, path, &mut errors);
    assert!(
        errors.is_empty(),
        "the request differs from the API sample:\n{}",
        errors.join("\n")
    );
}

/// Equal, or equal once the API's mixed spellings (`"80"`/`80`, `"true"`/`true`) are set aside.
fn same_value(a: &Json, b: &Json) -> bool {
    a == b
        || (!a.is_object()
            && !a.is_array()
            && a.to_string().trim_matches('"') == b.to_string().trim_matches('"'))
        || (a.is_object()
            && b.is_object()
            && a.as_object()
                .unwrap()
                .iter()
                .all(|(k, v)| is_empty(v) || b.get(k).is_some_and(|w| same_value(v, w))))
}

fn job_id(ws: &Workspace, address: &str) -> String {
    resource_values(ws, address)["id"]
        .as_str()
        .expect("id in state")
        .to_owned()
}

#[test]
fn deployment_job_create_samples_send_the_sample_requests() {
    if !terraform_or_skip("deployment_job_create_samples_send_the_sample_requests") {
        return;
    }
    for (tf, sample) in [
        (
            "create_windows_with_actions",
            "create-windows-with-actions.request",
        ),
        ("update_linux_rollback", "update-linux-rollback.request"),
    ] {
        let sim = Simulator::start();
        let ws = workspace(&sim, &hcl(tf));
        ws.run(&["apply", "-auto-approve", "-no-color"])
            .expect_success(tf);
        let posts = bodies(&sim, "POST", "/pm/v1/deploymentjob");
        assert_eq!(posts.len(), 1, "{tf}: one create");
        let stored =
            get_job(&sim, &job_id(&ws, "qualys_deployment_job.sample")).expect("created job");
        assert_matches_sample(&fixture(sample), &posts[0], &stored, tf);
        if tf == "update_linux_rollback" {
            // plain text `ls` in HCL, base64 on the wire, as in the sample
            assert_eq!(
                posts[0]["preDeployActions"][0]["script"],
                fixture(sample)["preDeployActions"][0]["script"]
            );
        }
        assert_plan_clean(&ws, &[], tf);
        ws.run(&["destroy", "-auto-approve", "-no-color"])
            .expect_success(tf);
        assert_eq!(
            job_count(&sim),
            0,
            "{tf}: destroy leaves the simulator empty"
        );
    }
}

#[test]
fn deployment_job_makecache_sample_creates_an_enabled_job_and_plans_clean() {
    if !terraform_or_skip("deployment_job_makecache_sample_creates_an_enabled_job_and_plans_clean")
    {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace(&sim, &hcl("create_linux_makecache"));
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("apply");
    let post = &bodies(&sim, "POST", "/pm/v1/deploymentjob")[0];
    let response = fixture("create-linux-makecache.response");
    for key in [
        "name",
        "platform",
        "type",
        "status",
        "scheduleType",
        "timeout",
        "assetIds",
        "dynamicQQLType",
    ] {
        assert_matches_sample(&response[key], &post[key], &Json::Null, key);
    }
    assert_eq!(
        post["preDeployActions"][0]["params"]["defaultScriptType"],
        "MakeCache"
    );
    assert_eq!(post["preDeployActions"][0]["script"], "");
    assert_plan_clean(&ws, &[], "after apply");
    ws.run(&["destroy", "-auto-approve", "-no-color"])
        .expect_success("destroy");
    assert_eq!(job_count(&sim), 0);
}

#[test]
fn deployment_job_update_samples_send_the_sample_patch_with_action_ids_and_references_kept() {
    if !terraform_or_skip(
        "deployment_job_update_samples_send_the_sample_patch_with_action_ids_and_references_kept",
    ) {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace(&sim, &hcl("update_windows"));
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("create");
    let before = resource_values(&ws, "qualys_deployment_job.sample");
    let vars = [
        "-var",
        "name_suffix= updated",
        "-var",
        "description_suffix= 3",
    ];
    let mut args = vec!["apply", "-auto-approve", "-no-color"];
    args.extend_from_slice(&vars);
    ws.run(&args).expect_success("update");
    let patches = bodies(&sim, "PATCH", "/pm/v1/deploymentjob/update/");
    assert_eq!(patches.len(), 1, "one PATCH");
    let patch = &patches[0];
    // the PATCH carries the action IDs and the scripts' storage references as last read
    let job = get_job(&sim, before["id"].as_str().unwrap()).expect("job exists");
    assert_matches_sample(
        &fixture("update-windows.request"),
        patch,
        &job,
        "update-windows",
    );
    for list in ["preDeployActions", "postDeployActions"] {
        assert_eq!(
            patch[list][0]["actionId"], job[list][0]["actionId"],
            "{list} action ID kept"
        );
        assert!(
            is_storage_ref(patch[list][0]["script"].as_str().unwrap()),
            "{list}: unchanged script sent as its reference"
        );
    }
    let after = resource_values(&ws, "qualys_deployment_job.sample");
    assert_eq!(
        after["pre_deploy_actions"][0]["action_id"],
        before["pre_deploy_actions"][0]["action_id"]
    );
    assert_eq!(
        after["pre_deploy_actions"][0]["script"],
        "Write-Output 'pre-deployment check'"
    );
    let mut plan = vec![];
    plan.extend_from_slice(&vars);
    assert_plan_clean(&ws, &plan, "after the update");

    // the chained sample: the child is created with the sample's fields, then updated
    let ws2 = workspace(&sim, &hcl("update_chained_job"));
    ws2.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("chained create");
    let posts = bodies(&sim, "POST", "/pm/v1/deploymentjob");
    let child = posts.last().expect("child create");
    let stored = get_job(&sim, &job_id(&ws2, "qualys_deployment_job.sample")).expect("child job");
    let mut sample = fixture("update-chained-job.request");
    // fields of the sample its HCL (tests/it/hcl/update_chained_job.tf) leaves out: the type
    // of an empty QQL and the download randomisation
    if let Some(m) = sample.as_object_mut() {
        for key in [
            "dynamicQQLType",
            "downloadRandomizeTime",
            "downloadRandomizeTimeUnit",
        ] {
            m.remove(key);
        }
    }
    assert_matches_sample(&sample, child, &stored, "update-chained-job");
    let parent = resource_values(&ws2, "qualys_deployment_job.parent");
    assert_eq!(child["linkedJobId"], parent["id"]);
    assert_eq!(
        child["chainedJobRule"][0]["actionIds"][0],
        parent["post_deploy_actions"][0]["action_id"]
    );
    assert_plan_clean(&ws2, &[], "chained job after apply");
    ws2.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-var",
        "child_name_suffix= (2)",
    ])
    .expect_success("chained update");
    let patch = bodies(&sim, "PATCH", "/pm/v1/deploymentjob/update/")
        .pop()
        .expect("chained PATCH");
    assert_eq!(patch["chainedJobRule"][0]["threshold"], 100);
    assert_plan_clean(
        &ws2,
        &["-var", "child_name_suffix= (2)"],
        "chained job after update",
    );
}

const WEEKLY_LINUX: &str = r#"
resource "qualys_deployment_job" "weekly" {
  name                = "Linux - weekly"
  platform            = "Linux"
  status              = "Enabled"
  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  timeout             = 240
  timeout_unit        = "MINUTES"
  asset_ids           = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches    = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
  pre_deploy_actions = [
    { action = "Run Script", action_item = "check", script_type = "sh", script = "df -h" },
  ]
}
"#;

#[test]
fn deployment_job_enabled_recurring_job_is_disabled_patched_and_enabled() {
    if !terraform_or_skip("deployment_job_enabled_recurring_job_is_disabled_patched_and_enabled") {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace(&sim, WEEKLY_LINUX);
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("create");
    let before = resource_values(&ws, "qualys_deployment_job.weekly");
    assert_eq!(before["server_status"], "Enabled");
    let seen = sim.requests().len();
    ws.write(
        "main.tf",
        &WEEKLY_LINUX.replace("Linux - weekly", "Linux - weekly (v2)"),
    );
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("update");
    let calls: Vec<String> = sim.requests()[seen..]
        .iter()
        .filter(|r| r["method"] != "GET" && r["path"] != "/auth")
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect();
    let id = before["id"].as_str().unwrap();
    assert_eq!(
        calls,
        [
            "POST /pm/v1/deploymentjobs/update/status/Disabled".to_owned(),
            format!("PATCH /pm/v1/deploymentjob/update/{id}"),
            "POST /pm/v1/deploymentjobs/update/status/Enabled".to_owned(),
        ]
    );
    let after = resource_values(&ws, "qualys_deployment_job.weekly");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(
        after["pre_deploy_actions"][0]["action_id"],
        before["pre_deploy_actions"][0]["action_id"]
    );
    let job = get_job(&sim, id).unwrap();
    assert_eq!(job["status"], "Enabled");
    assert_eq!(job["name"], "Linux - weekly (v2)");
    assert_plan_clean(&ws, &[], "after the update");
}

#[test]
fn deployment_job_enabled_run_once_job_is_replaced_with_a_warning() {
    if !terraform_or_skip("deployment_job_enabled_run_once_job_is_replaced_with_a_warning") {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace(&sim, &hcl("create_linux_makecache"));
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("create");
    let old = job_id(&ws, "qualys_deployment_job.sample");
    ws.write(
        "main.tf",
        &hcl("create_linux_makecache").replace("\"Demo_MakeCache\"", "\"Demo_MakeCache 2\""),
    );
    let plan = ws.run(&["plan", "-no-color"]);
    plan.expect_success("plan");
    let text = plan.combined();
    assert!(text.contains("must be replaced"), "{text}");
    assert!(
        text.contains("Enabled run-once job must be replaced"),
        "{text}"
    );
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("replace");
    let new = job_id(&ws, "qualys_deployment_job.sample");
    assert_ne!(old, new);
    assert!(get_job(&sim, &old).is_none(), "the old job is deleted");
    assert_plan_clean(&ws, &[], "after the replacement");
}

#[test]
fn deployment_job_drift_and_out_of_band_delete_show_in_the_plan() {
    if !terraform_or_skip("deployment_job_drift_and_out_of_band_delete_show_in_the_plan") {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace(&sim, &hcl("create_windows_with_actions"));
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("create");
    let id = job_id(&ws, "qualys_deployment_job.sample");
    edit_job(&sim, &id, |job| {
        job["name"] = Json::from("edited in the UI");
        job["timeout"] = Json::from(8);
    });
    let plan = ws.run(&["plan", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    let text = plan.combined();
    assert!(
        text.contains(
            "\"edited in the UI\" -> \"Public API on demand Window job with specific patches\""
        ),
        "{text}"
    );
    assert!(
        text.contains("timeout") && text.contains("8 -> 6"),
        "{text}"
    );

    delete_job(&sim, &id);
    let plan = ws.run(&["plan", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.code, Some(2), "{}", plan.combined());
    assert!(
        plan.combined().contains("will be created"),
        "{}",
        plan.combined()
    );
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("re-create");
    assert_plan_clean(&ws, &[], "after the re-create");
}

#[test]
fn deployment_job_import_and_generated_config_plan_clean() {
    if !terraform_or_skip("deployment_job_import_and_generated_config_plan_clean") {
        return;
    }
    let sim = Simulator::start();
    let quickstart = std::fs::read_to_string(format!(
        "{}/examples/quickstart/main.tf",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("quickstart");
    // the quickstart has its own terraform and provider blocks
    let ws = workspace(&sim, &quickstart);
    ws.write("provider.tf", "");
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("quickstart apply");
    assert_plan_clean(&ws, &[], "quickstart");
    for address in [
        "qualys_deployment_job.windows_patch_tuesday",
        "qualys_deployment_job.linux_weekly",
        "qualys_deployment_job.windows_followup",
    ] {
        let id = job_id(&ws, address);
        let imp = workspace(
            &sim,
            &format!("import {{\n  to = qualys_deployment_job.imported\n  id = \"{id}\"\n}}\n"),
        );
        imp.run(&["plan", "-no-color", "-generate-config-out=generated.tf"])
            .expect_success("generate config");
        let generated =
            std::fs::read_to_string(imp.path().join("generated.tf")).expect("generated.tf");
        for line in generated
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("script ") && l.contains('"'))
        {
            assert!(
                line.ends_with("/Script\""),
                "an imported script is its storage reference: {line}"
            );
        }
        let plan = imp.run(&["plan", "-no-color"]);
        plan.expect_success("plan with the generated config");
        assert!(
            plan.combined()
                .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
            "{address}: {}",
            plan.combined()
        );
        imp.run(&["apply", "-auto-approve", "-no-color"])
            .expect_success("import apply");
        assert_plan_clean(&imp, &[], "after the import");
        imp.run(&["state", "rm", "qualys_deployment_job.imported"])
            .expect_success("forget the imported copy");
    }
    // the `terraform import` command too
    let id = job_id(&ws, "qualys_deployment_job.linux_weekly");
    let cmd = workspace(&sim, "resource \"qualys_deployment_job\" \"imported\" {\n  name = \"x\"\n  schedule_type = \"On-demand\"\n}\n");
    cmd.run(&["import", "-no-color", "qualys_deployment_job.imported", &id])
        .expect_success("terraform import");
    assert_eq!(
        resource_values(&cmd, "qualys_deployment_job.imported")["name"],
        "Linux - weekly security updates"
    );
    ws.run(&["destroy", "-auto-approve", "-no-color"])
        .expect_success("destroy");
    assert_eq!(job_count(&sim), 0, "destroy leaves the simulator empty");
}

#[test]
fn deployment_job_invalid_inputs_fail_at_plan_naming_the_attribute() {
    if !terraform_or_skip("deployment_job_invalid_inputs_fail_at_plan_naming_the_attribute") {
        return;
    }
    let sim = Simulator::start();
    let cases = [
        ("platform = \"Mac\"", "platform", "\"Windows\", \"Linux\""),
        ("schedule_type = \"Daily\"", "start_date_time", "required"),
        (
            "start_date_time = \"2026-12-05 23:30:00\"",
            "start_date_time",
            "YYYY-M-D hh:mm:ss AM/PM",
        ),
        ("timeout = 200", "timeout", "1 to 168 HOURS"),
        ("recurring = true", "recurring", "On-demand"),
        (
            "patch_tuesday_plus_x_days = 30",
            "patch_tuesday_plus_x_days",
            "-27 to 27",
        ),
        (
            "chained_job_rules = [{ action_ids = [\"a\"], threshold = 100 }]",
            "chained_job_rules",
            "linked_job_id",
        ),
        (
            "notification = { on_job_start = false, on_job_complete = false }",
            "notification",
            "on_job_start",
        ),
        (
            "notification = { on_job_start = true, completed_percentage = 101 }",
            "notification.completed_percentage",
            "1 to 100",
        ),
        (
            "post_deploy_actions = [{ action = \"System Reboot\", action_item = \"r\" }]",
            "post_deploy_actions[0].action",
            "Run Script",
        ),
        (
            "platform = \"Linux\"\n  minimize_window = true",
            "minimize_window",
            "Windows",
        ),
        (
            "recurring_week_days = [\"Funday\"]",
            "recurring_week_days",
            "Sunday",
        ),
        (
            "reattempt_failed_patches = { no_of_reattempts = 9, exponential_backoff_interval = 1 }",
            "reattempt_failed_patches.no_of_reattempts",
            "1 to 5",
        ),
    ];
    for (extra, attribute, allowed) in cases {
        let schedule = if extra.starts_with("schedule_type") {
            ""
        } else {
            "schedule_type = \"On-demand\""
        };
        let ws = workspace(&sim, &format!("resource \"qualys_deployment_job\" \"bad\" {{\n  name = \"bad\"\n  {schedule}\n  {extra}\n}}\n"));
        let out = ws.run(&["plan", "-no-color"]);
        assert!(!out.success(), "{extra}: plan should fail");
        let text = out.combined();
        assert!(
            text.contains(attribute),
            "{extra}: the error should name {attribute}:\n{text}"
        );
        assert!(
            text.contains(allowed),
            "{extra}: the error should say {allowed:?}:\n{text}"
        );
    }
    let touched: Vec<Json> = sim
        .requests()
        .into_iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/pm/")))
        .collect();
    assert!(touched.is_empty(), "validation made API calls: {touched:?}");
}

#[test]
fn deployment_job_data_sources_read_a_job_and_list_a_platform() {
    if !terraform_or_skip("deployment_job_data_sources_read_a_job_and_list_a_platform") {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace(&sim, WEEKLY_LINUX);
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("create");
    let id = job_id(&ws, "qualys_deployment_job.weekly");
    let reader = workspace(
        &sim,
        &format!(
            r#"
data "qualys_deployment_job" "one" {{
  id = "{id}"
}}
data "qualys_deployment_jobs" "linux" {{
  platform = "Linux"
}}
data "qualys_deployment_jobs" "none" {{
  platform = "Linux"
  name     = "no such job"
}}
output "one" {{ value = data.qualys_deployment_job.one }}
output "linux" {{ value = data.qualys_deployment_jobs.linux.jobs }}
output "none" {{ value = data.qualys_deployment_jobs.none.jobs }}
"#
        ),
    );
    reader
        .run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("read data sources");
    let out = reader.run(&["output", "-json"]);
    out.expect_success("output");
    let outputs: Json = serde_json::from_str(&out.stdout).expect("outputs JSON");
    let one = &outputs["one"]["value"];
    assert_eq!(one["name"], "Linux - weekly");
    assert_eq!(one["recurring_week_days"], serde_json::json!(["Saturday"]));
    assert_eq!(
        one["pre_deploy_actions"][0]["script"]
            .as_str()
            .map(|s| s.ends_with("/Script")),
        Some(true)
    );
    let linux = outputs["linux"]["value"].as_array().expect("jobs");
    assert_eq!(linux.len(), 1);
    assert_eq!(linux[0]["id"], id.as_str());
    assert_eq!(outputs["none"]["value"], serde_json::json!([]));
}

#[test]
fn deployment_job_documented_example_applies_and_plans_clean() {
    if !terraform_or_skip("deployment_job_documented_example_applies_and_plans_clean") {
        return;
    }
    let sim = Simulator::start();
    let example = std::fs::read_to_string(format!(
        "{}/examples/resources/qualys_deployment_job/resource.tf",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("example");
    let ws = workspace(&sim, &example);
    ws.run(&["apply", "-auto-approve", "-no-color"])
        .expect_success("apply the documented example");
    assert_plan_clean(&ws, &[], "the documented example");
    ws.run(&["destroy", "-auto-approve", "-no-color"])
        .expect_success("destroy");
    assert_eq!(job_count(&sim), 0);
}
