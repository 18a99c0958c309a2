//! One test per seed sample (`tests/it/hcl/*.tf`, written from `tests/fixtures/`): the body
//! the simulator received equals the sample's request, modulo base64 (scripts and registry
//! values are compared as text) and what the server assigns; then the plan is empty.

use serde_json::{json, Value};

use super::*;
use crate::support::simulator::fixture;

/// Fields the server assigns or computes: never the user's to decide, so not compared (an
/// update echoes them from the last read; the simulator computes counts its own way).
const SERVER_ASSIGNED: &[&str] = &[
    "id",
    "customerId",
    "createdBy",
    "updatedBy",
    "deletedBy",
    "patchCount",
    "applicableAssetCount",
    "taggedAssetCount",
    "jobCategory",
    "jobSource",
    "subCategory",
];

/// Action fields holding base64 text (compared decoded).
const BASE64_FIELDS: &[&str] = &[
    "script",
    "detectionScript",
    "regKey",
    "regValue",
    "unInstallRegistryKey",
];

fn is_storage_ref(s: &str) -> bool {
    s.starts_with("default/") || s.ends_with("/Script") || s.ends_with("/DetectionScript")
}

/// The body made comparable: server-assigned fields dropped, base64 fields decoded.
fn comparable(body: &Value) -> Value {
    fn walk(v: &mut Value, top: bool) {
        match v {
            Value::Object(m) => {
                if top {
                    for k in SERVER_ASSIGNED {
                        m.remove(*k);
                    }
                }
                for (k, x) in m.iter_mut() {
                    match x {
                        Value::String(s)
                            if BASE64_FIELDS.contains(&k.as_str())
                                && !s.is_empty()
                                && !is_storage_ref(s)
                                && !s.contains(".....") =>
                        {
                            *s = format!("text:{}", decode_b64(s));
                        }
                        _ => walk(x, false),
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, false)),
            _ => {}
        }
    }
    let mut body = body.clone();
    walk(&mut body, true);
    body
}

/// A value the server fills in by default (false, "", or an object of those): where a sample
/// has null, the server it was taken from left the key out (key presence varies between API
/// versions, qualys-pm-api.md §6.9) while the simulator (the job echoed from its last read)
/// has the default.
fn server_default(v: &Value) -> bool {
    match v {
        Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.values().all(server_default),
        _ => false,
    }
}

/// Every difference between two bodies, by JSON path. An absent key equals null, and an
/// empty ID list or text equals null (the API returns `[]` as null; the samples use both).
fn differences(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    let empty = |v: &Value| {
        v.is_null()
            || v.as_array().is_some_and(Vec::is_empty)
            || v.as_str().is_some_and(str::is_empty)
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let keys: std::collections::BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for k in keys {
                differences(
                    e.get(k).unwrap_or(&Value::Null),
                    a.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                    out,
                );
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                differences(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (e, a) if empty(e) && empty(a) => {}
        (Value::Null, a) if server_default(a) => {}
        (e, a) if crate::support::same_scalar(e, a) => {}
        (e, a) => out.push(format!("{path}: sample {e}, sent {a}")),
    }
}

/// Asserts the request body equals the sample's, modulo base64 and server-assigned fields.
fn assert_matches_sample(sample: &Value, sent: &Value, what: &str) {
    let mut diffs = Vec::new();
    differences(&comparable(sample), &comparable(sent), "", &mut diffs);
    assert!(
        diffs.is_empty(),
        "{what}: the request differs from the sample:\n  {}\n--- sent:\n{}",
        diffs.join("\n  "),
        serde_json::to_string_pretty(sent).unwrap_or_default()
    );
}

/// Replaces every occurrence of the sample's server-assigned IDs by this run's.
fn substitute_ids(v: &mut Value, ids: &[(String, String)]) {
    match v {
        Value::String(s) => {
            for (from, to) in ids {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute_ids(x, ids)),
        Value::Object(m) => m.values_mut().for_each(|x| substitute_ids(x, ids)),
        _ => {}
    }
}

/// The action IDs of one action list in a state resource.
fn state_action_ids(resource: &Value, list: &str) -> Vec<String> {
    resource[list]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["action_id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The plain text the HCL gives the two scripts the sample elides.
const ELIDED_PRE_SCRIPT: &str = "if (Get-Command notepad++ -ErrorAction SilentlyContinue) { Write-Output \"Notepad++ is installed\" }";
const ELIDED_POST_SCRIPT: &str = "Start-Process -Wait npp.Installer.exe /S";

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn sample_create_windows_with_actions() {
    let e = E2e::start("sample_create_windows_with_actions");
    e.config(&sample_hcl("create_windows_with_actions.tf"));
    let mark = e.mark();
    e.apply(&[]);
    let sent = e.only_body(mark, "POST", "/pm/v1/deploymentjob");

    let mut sample: Value = serde_json::from_str(&crate::support::simulator::fixture_text(
        "create-windows-with-actions.request.json",
    ))
    .expect("fixture JSON");
    // the sample elides these two scripts: the HCL's text stands in for them
    sample["preDeployActions"][0]["script"] = json!(b64(ELIDED_PRE_SCRIPT));
    sample["postDeployActions"][0]["script"] = json!(b64(ELIDED_POST_SCRIPT));
    assert_matches_sample(&sample, &sent, "create-windows-with-actions");

    let job = e.resource("qualys_deployment_job.sample");
    assert_eq!(job["pre_deploy_actions"][0]["script"], ELIDED_PRE_SCRIPT);
    assert_eq!(
        job["pre_deploy_actions"][1]["reg_key"],
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Zoom\\MSI"
    );
    assert_eq!(job["server_status"], "Disabled");
    e.assert_plan_clean(&[], "after creating create-windows-with-actions");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn sample_create_linux_makecache() {
    let e = E2e::start("sample_create_linux_makecache");
    e.config(&sample_hcl("create_linux_makecache.tf"));
    let mark = e.mark();
    e.apply(&[]);
    let sent = e.only_body(mark, "POST", "/pm/v1/deploymentjob");
    // The seed has only the answer to this request: the request is that answer less what the
    // server filled in, with the MakeCache action as release 3.5 says to send it.
    let sample = json!({
        "name": "Demo_MakeCache",
        "type": "Install",
        "status": "Enabled",
        "platform": "Linux",
        "assetIds": ["08a028e6-7e1d-4dbf-b040-48d9059dee08"],
        "scheduleType": "On-demand",
        "recurring": false,
        "timeout": -1,
        "isDynamicPatchesQQL": false,
        "dynamicQQLType": 1,
        "preDeployActions": [{
            "action": "Run Script",
            "params": {"actionItem": "makecache Pre-Action", "defaultScriptType": "MakeCache"},
            "scriptType": "sh",
            "script": ""
        }]
    });
    assert_matches_sample(&sample, &sent, "create-linux-makecache");

    // what the server answered matches the sample's answer where the user decides
    let job = e.resource("qualys_deployment_job.sample");
    let answer = fixture("create-linux-makecache.response.json");
    let got = e
        .get_job(job["id"].as_str().unwrap_or_default())
        .expect("created job");
    for field in [
        "name",
        "platform",
        "type",
        "scheduleType",
        "timeout",
        "timeoutUnit",
        "assetIds",
    ] {
        assert_eq!(got[field], answer[field], "{field}");
    }
    assert_eq!(
        got["preDeployActions"][0]["script"],
        "default/MakeCache/makecache"
    );
    assert_eq!(job["pre_deploy_actions"][0]["script"], "");
    assert_eq!(job["status"], "Enabled");
    e.assert_plan_clean(&[], "after creating create-linux-makecache");
}

/// The update samples: apply with `first` variables, then with `second` (the sample); the
/// second apply's PATCH is compared with the sample. Returns the world, the PATCH body, the
/// sample and the state before the update.
fn update_sample(
    test: &str,
    hcl: &str,
    fixture_name: &str,
    first: &[(&str, &str)],
    second: &[(&str, &str)],
) -> (E2e, Value, Value, Value) {
    let e = E2e::start(test);
    e.config(&sample_hcl(hcl));
    e.apply(first);
    let before = e.resource("qualys_deployment_job.sample");
    let id = before["id"].as_str().expect("job id").to_owned();

    let mark = e.mark();
    let out = e.apply(second);
    assert!(out.stdout.contains("1 changed"), "{}", out.stdout);
    assert!(
        out.stdout.contains("0 added"),
        "an in-place update: {}",
        out.stdout
    );
    let sent = e.only_body(mark, "PATCH", &format!("/pm/v1/deploymentjob/update/{id}"));
    assert_eq!(
        sent["id"],
        json!(id),
        "the PATCH body names the job it updates"
    );

    let sample = fixture(fixture_name);
    (e, sent, sample, before)
}

/// The sample's server-assigned action IDs mapped to this run's, by position.
fn action_id_map(sample: &Value, sent: &Value) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    for list in ["preDeployActions", "postDeployActions"] {
        let s = sample[list].as_array().cloned().unwrap_or_default();
        let a = sent[list].as_array().cloned().unwrap_or_default();
        for (x, y) in s.iter().zip(&a) {
            if let (Some(from), Some(to)) = (x["actionId"].as_str(), y["actionId"].as_str()) {
                ids.push((from.to_owned(), to.to_owned()));
            }
        }
    }
    for key in ["customerId", "id"] {
        if let (Some(from), Some(to)) = (sample[key].as_str(), sent[key].as_str()) {
            ids.push((from.to_owned(), to.to_owned()));
        }
    }
    ids
}

/// The PATCH carries the action IDs the state had before the update, and the state keeps them.
fn assert_action_ids_kept(e: &E2e, before: &Value, sent: &Value) {
    let after = e.resource("qualys_deployment_job.sample");
    for (list, wire) in [
        ("pre_deploy_actions", "preDeployActions"),
        ("post_deploy_actions", "postDeployActions"),
    ] {
        let ids = state_action_ids(before, list);
        assert!(
            ids.iter().all(|i| !i.is_empty()),
            "{list} has action IDs: {before}"
        );
        let sent_ids: Vec<String> = sent[wire]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x["actionId"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(sent_ids, ids, "the PATCH keeps the {list} IDs");
        assert_eq!(
            state_action_ids(&after, list),
            ids,
            "the state keeps the {list} IDs"
        );
    }
}

/// The variables that turn the created job into the update sample's (name and description).
const UPDATE_WINDOWS_SAMPLE: &[(&str, &str)] =
    &[("name_suffix", " updated"), ("description_suffix", " 3")];

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn sample_update_windows() {
    let (e, sent, mut sample, before) = update_sample(
        "sample_update_windows",
        "update_windows.tf",
        "update-windows.request.json",
        &[],
        UPDATE_WINDOWS_SAMPLE,
    );
    let ids = action_id_map(&sample, &sent);
    substitute_ids(&mut sample, &ids);
    assert_matches_sample(&sample, &sent, "update-windows");
    // unchanged scripts go back as the server's storage references
    let customer = sent["customerId"].as_str().unwrap_or_default();
    let pre_id = sent["preDeployActions"][0]["actionId"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        sent["preDeployActions"][0]["script"],
        json!(format!("{customer}/{pre_id}/Script"))
    );
    assert_action_ids_kept(&e, &before, &sent);
    e.assert_plan_clean(UPDATE_WINDOWS_SAMPLE, "after update-windows");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn sample_update_linux_rollback() {
    let (e, sent, mut sample, before) = update_sample(
        "sample_update_linux_rollback",
        "update_linux_rollback.tf",
        "update-linux-rollback.request.json",
        &[("draft", "true")],
        &[],
    );
    let ids = action_id_map(&sample, &sent);
    substitute_ids(&mut sample, &ids);
    assert_matches_sample(&sample, &sent, "update-linux-rollback");
    assert_action_ids_kept(&e, &before, &sent);
    e.assert_plan_clean(&[], "after update-linux-rollback");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn sample_update_chained_job() {
    let (e, sent, mut sample, before) = update_sample(
        "sample_update_chained_job",
        "update_chained_job.tf",
        "update-chained-job.request.json",
        &[("draft", "true")],
        &[],
    );
    let parent = e.resource("qualys_deployment_job.parent");
    let mut ids = action_id_map(&sample, &sent);
    ids.push((
        "5b0fd130-52c8-473c-96b1-8f10ea7d4c13".into(),
        parent["id"].as_str().unwrap_or_default().to_owned(),
    ));
    ids.push((
        "07eed865-d8e2-4cba-9c2a-27eeeef0598a".into(),
        parent["post_deploy_actions"][0]["action_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    ));
    substitute_ids(&mut sample, &ids);
    assert_matches_sample(&sample, &sent, "update-chained-job");
    assert_action_ids_kept(&e, &before, &sent);
    e.assert_plan_clean(&[], "after update-chained-job");
}

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
