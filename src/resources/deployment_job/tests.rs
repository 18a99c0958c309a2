//! Mapping, semantic equality, validation and plan tests on the API's own samples.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{json, Value as Json};

use tfplugin::{AttributePath, PlanRequest, Severity, Value};

use super::api::seam_json;
use super::fields::JOB_FIELDS;
use super::plan::plan;
use super::state::job_to_state;
use super::state::state_after;
use super::validate::validate;
use crate::framework::json::{get_path, overlay, read_object, to_create_json};
use crate::framework::{Field, Kind};

const WINDOWS_PRE_SCRIPT: &str = "if (Get-Command notepad++ -ErrorAction SilentlyContinue) { Write-Output \"Notepad++ is installed\" }";
const WINDOWS_POST_SCRIPT: &str = "Start-Process -Wait npp.Installer.exe /S";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn fixture(name: &str) -> Json {
    // the samples live in tests/fixtures/, which the end-to-end tests read too
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("no fixture {path}: {e}"));
    // the sample's two scripts are elided ("....."), not base64: use real scripts
    let text = text
        .replace(
            "CJOb3RlcGFkKysgaXMgbm90IG.....luc3RhbGxlZCBvbiB5b3VyIG1hY2hpbmUuIgp9IA",
            &b64(WINDOWS_PRE_SCRIPT),
        )
        .replace(
            "JHcNlewogICAgV3JpdG.....vbiB5b3VyIG1hY2hpbmUuIgp9IA==",
            &b64(WINDOWS_POST_SCRIPT),
        );
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// A Terraform object of `fields` from snake_case JSON; missing attributes are null and the
/// string `"<unknown>"` is an unknown value.
pub(super) fn tf(fields: &[Field], j: &Json) -> Value {
    let mut m = BTreeMap::new();
    for f in fields {
        m.insert(
            f.name.to_owned(),
            tf_field(f, j.get(f.name).unwrap_or(&Json::Null)),
        );
    }
    Value::Object(m)
}

fn tf_field(f: &Field, j: &Json) -> Value {
    if j.is_null() {
        return Value::Null;
    }
    if j == "<unknown>" {
        return Value::Unknown;
    }
    let strings = |j: &Json| {
        j.as_array()
            .unwrap()
            .iter()
            .map(|s| Value::from(s.as_str().unwrap()))
            .collect::<Vec<_>>()
    };
    match f.kind {
        Kind::Object(ch) | Kind::FlaggedObject { fields: ch, .. } => tf(ch, j),
        Kind::List(ch) => Value::List(j.as_array().unwrap().iter().map(|e| tf(ch, e)).collect()),
        Kind::StringSet | Kind::WeekDays => Value::Set(strings(j)),
        Kind::CommaList => Value::List(strings(j)),
        Kind::Number => Value::int(j.as_i64().unwrap()),
        Kind::Bool => Value::Bool(j.as_bool().unwrap()),
        _ => Value::from(j.as_str().unwrap()),
    }
}

/// What terraform proposes: configuration, with prior values for computed attributes the
/// configuration leaves null (nested objects merged, list elements by index).
pub(super) fn proposed(fields: &[Field], prior: &Value, config: &Value) -> Value {
    let mut m = BTreeMap::new();
    for f in fields {
        let (c, p) = (config.get(f.name), prior.get(f.name));
        let v = if c.is_unknown() {
            Value::Unknown
        } else if f.is_computed() && c.is_null() {
            p.clone()
        } else {
            match (f.kind, c, p) {
                (
                    Kind::Object(ch) | Kind::FlaggedObject { fields: ch, .. },
                    Value::Object(_),
                    Value::Object(_),
                ) => proposed(ch, p, c),
                (Kind::List(ch), Value::List(items), _) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, ci)| match p.as_elements().and_then(|pe| pe.get(i)) {
                            Some(pi) if pi.is_known_value() => proposed(ch, pi, ci),
                            _ => ci.clone(),
                        })
                        .collect(),
                ),
                _ => c.clone(),
            }
        };
        m.insert(f.name.to_owned(), v);
    }
    Value::Object(m)
}

fn plan_for(prior: &Value, config: &Value) -> tfplugin::PlanResponse {
    let proposed = if prior.is_null() {
        proposed(JOB_FIELDS, &Value::Null, config)
    } else {
        proposed(JOB_FIELDS, prior, config)
    };
    plan(PlanRequest {
        prior_state: prior.clone(),
        proposed_new_state: proposed,
        config: config.clone(),
        prior_private: Vec::new(),
    })
}

/// The attribute paths terraform would keep from requires_replace: those whose value changes.
fn effective_replace(resp: &tfplugin::PlanResponse, prior: &Value) -> Vec<String> {
    resp.requires_replace
        .iter()
        .filter_map(|p| match p.0.as_slice() {
            [tfplugin::PathStep::Attribute(a)] if resp.planned_state.get(a) != prior.get(a) => {
                Some(a.clone())
            }
            _ => None,
        })
        .collect()
}

fn is_empty_json(f: &Field, j: &Json) -> bool {
    match j {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::String(s) => {
            s.is_empty()
                || (matches!(f.kind, Kind::WeekDays) && !s.contains('1'))
                // a server-provided script (`default/...`) is the empty script of default_script_type
                || (matches!(f.kind, Kind::Base64 { storage_refs: true }) && s.starts_with("default/"))
        }
        Json::Array(a) => a.is_empty(),
        Json::Number(n) => f.zero_number.is_some() && n.as_i64() == f.zero_number,
        Json::Object(_) => false,
    }
}

fn json_same(f: &Field, a: &Json, b: &Json) -> bool {
    if a == b {
        return true;
    }
    let as_num = |j: &Json| {
        j.as_f64()
            .or_else(|| j.as_str().and_then(|s| s.trim().parse().ok()))
    };
    let as_bool = |j: &Json| {
        j.as_bool()
            .or_else(|| j.as_str().and_then(|s| s.parse().ok()))
    };
    match f.kind {
        Kind::Number => as_num(a).is_some() && as_num(a) == as_num(b),
        Kind::Bool => as_bool(a).is_some() && as_bool(a) == as_bool(b),
        Kind::Base64 { .. } => {
            let strip = |j: &Json| {
                j.as_str()
                    .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            };
            strip(a).is_some() && strip(a) == strip(b)
        }
        Kind::StringSet => {
            let mut x: Vec<_> = a
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.to_string())
                .collect();
            let mut y: Vec<_> = b
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.to_string())
                .collect();
            x.sort();
            y.sort();
            x == y
        }
        _ => false,
    }
}

/// Every meaningful (declared, non-computed, non-empty) field of `want` is in `got`.
fn assert_meaningful_fields(fields: &[Field], want: &Json, got: &Json, path: &str) {
    for f in fields.iter().filter(|f| !f.is_computed_only()) {
        let (w, g) = (get_path(want, f.api), get_path(got, f.api));
        let here = format!("{path}{}", f.api.join("."));
        match f.kind {
            Kind::Object(ch) => {
                if w.is_object() {
                    assert!(g.is_object(), "{here}: missing object in {got}");
                    assert_meaningful_fields(ch, w, g, &format!("{here}."));
                }
            }
            Kind::FlaggedObject { flag, fields: ch } => {
                if want.get(flag) == Some(&Json::Bool(true)) {
                    assert_eq!(
                        got.get(flag),
                        Some(&Json::Bool(true)),
                        "{here}: flag {flag}"
                    );
                    assert_meaningful_fields(ch, w, g, &format!("{here}."));
                }
            }
            Kind::List(ch) => {
                let (wa, ga) = (
                    w.as_array().cloned().unwrap_or_default(),
                    g.as_array().cloned().unwrap_or_default(),
                );
                assert_eq!(wa.len(), ga.len(), "{here}: list length");
                for (i, (x, y)) in wa.iter().zip(&ga).enumerate() {
                    assert_meaningful_fields(ch, x, y, &format!("{here}[{i}]."));
                }
            }
            _ => {
                if is_empty_json(f, w) {
                    assert!(is_empty_json(f, g), "{here}: want empty, got {g}");
                } else {
                    assert!(json_same(f, w, g), "{here}: want {w}, got {g}");
                }
            }
        }
    }
}

#[test]
fn every_fixture_maps_json_to_terraform_and_back() {
    for name in [
        "create-windows-with-actions.request",
        "create-windows-with-actions.response",
        "create-linux-makecache.response",
        "update-windows.request",
        "update-windows.response",
        "update-linux-rollback.request",
        "update-linux-rollback.response",
        "update-chained-job.request",
        "update-chained-job.response",
    ] {
        let api = seam_json(qualys_pm::Job::from_json(fixture(name)).unwrap());
        let state = read_object(JOB_FIELDS, &api, &Value::Null, None);
        assert!(state.is_wholly_known(), "{name}");
        let back = to_create_json(JOB_FIELDS, &state);
        assert_meaningful_fields(JOB_FIELDS, &api, &back, &format!("{name}: "));
    }
}

#[test]
fn read_decodes_the_api_codecs() {
    let state = read_object(
        JOB_FIELDS,
        &fixture("create-windows-with-actions.response"),
        &Value::Null,
        None,
    );
    let n = state.get("notification");
    assert_eq!(
        n.get("recipient_emails"),
        &Value::List(vec!["abc@gmail.com".into()])
    );
    assert_eq!(
        n.get("completed_percentage"),
        &Value::int(80),
        "\"80\" on the wire is a number"
    );
    assert_eq!(
        state
            .get("reattempt_failed_patches")
            .get("no_of_reattempts"),
        &Value::int(5)
    );
    let pre = state.get("pre_deploy_actions").as_elements().unwrap();
    assert_eq!(
        pre[1].get("reg_key"),
        &Value::from("HKEY_LOCAL_MACHINE\\SOFTWARE\\Zoom\\MSI")
    );
    assert_eq!(pre[1].get("reg_value"), &Value::from("true"));
    assert_eq!(
        pre[0].get("script"),
        &Value::from(
            "2e5bc89e-4670-d067-83f2-b873a00f4531/e4fac150-804b-4857-ae9b-606d1b136b20/Script"
        ),
        "a storage reference passes through"
    );
    assert_eq!(
        pre[0].get("action_id"),
        &Value::from("e4fac150-804b-4857-ae9b-606d1b136b20")
    );
    assert_eq!(
        state.get("created_at"),
        &Value::from("2025-04-14T13:45:48.039Z")
    );
    assert_eq!(state.get("created_by"), &Value::from("quays_zs93"));
    assert_eq!(state.get("minimize_window"), &Value::Bool(true));
    // server "not set" values of optional attributes read as null on import
    assert_eq!(state.get("continue_on_patch_failure"), &Value::Null);
    assert_eq!(state.get("asset_tag_ids"), &Value::Null);

    // the seam puts the rules the server echoes under `linkedToJob` back at the top level
    let seam =
        seam_json(qualys_pm::Job::from_json(fixture("update-chained-job.response")).unwrap());
    let chained = job_to_state(&seam, &Value::Null, None);
    let rules = chained
        .get("chained_job_rules")
        .as_elements()
        .expect("rules read from linkedToJob");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].get("threshold"), &Value::int(100));
    assert_eq!(
        rules[0].get("action_ids"),
        &Value::Set(vec!["07eed865-d8e2-4cba-9c2a-27eeeef0598a".into()])
    );
    assert_eq!(chained.get("server_status"), &Value::from("Disabled"));
}

#[test]
fn week_days_and_base64_encode_for_the_api() {
    let config = tf(
        JOB_FIELDS,
        &json!({"name": "w", "schedule_type": "Weekly", "recurring_week_days": ["Tuesday", "Sunday"],
                "pre_deploy_actions": [{"action": "Run Script", "action_item": "s", "script": "ls -l"}]}),
    );
    let body = to_create_json(JOB_FIELDS, &config);
    assert_eq!(body["recurringWeekDays"], json!("1,0,1,0,0,0,0"));
    assert_eq!(body["preDeployActions"][0]["script"], json!(b64("ls -l")));
    assert_eq!(
        body["preDeployActions"][0]["params"]["actionItem"],
        json!("s")
    );
    let back = read_object(JOB_FIELDS, &body, &Value::Null, None);
    assert_eq!(
        back.get("recurring_week_days"),
        &Value::Set(vec!["Sunday".into(), "Tuesday".into()])
    );
    assert_eq!(
        back.get("pre_deploy_actions").as_elements().unwrap()[0].get("script"),
        &Value::from("ls -l")
    );
}

fn windows_config() -> Value {
    tf(
        JOB_FIELDS,
        &json!({
            "name": "Public API on demand Window job with specific patches",
            "description": "Created via public API",
            "approved_patches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477", "b91fca0e-2a07-3155-909c-fc50ba1863ed"],
            "asset_ids": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
            "asset_tag_ids": [], "filter_type": "Any", "exclusion_asset_ids": [], "exclusion_filter_type": "Any",
            "exclusion_tag_ids": [], "co_author_user_ids": [],
            "during_deployment": {"description": "During deployment Description", "user_message": "During deployment userMessage"},
            "post_deployment": {
                "on_complete": {"description": "On complete Description", "user_message": "On complete userMessage"},
                "reboot_countdown": {"interval": 15, "interval_unit": "MINUTES", "user_message": "Reboot Countdown usermessage", "description": "Reboot Countdown description"},
                "reboot_option": {"deferment": {"count": 3, "interval": 1, "interval_unit": "HOURS"}, "description": "rebootOption description", "user_message": "rebootOption user message"},
                "suppress_reboots": false
            },
            "platform": "Windows", "minimize_window": true, "type": "Install", "status": "Disabled",
            "timeout": 6, "timeout_unit": "HOURS", "recurring": false, "schedule_type": "On-demand",
            "opportunistic_downloads": false,
            "reattempt_failed_patches": {"no_of_reattempts": 5, "exponential_backoff_interval": 15},
            "download_randomize_time": 2, "download_randomize_time_unit": "HOURS",
            "notification": {"email": true, "recipient_emails": ["abc@gmail.com"], "completed_percentage": 80, "on_job_start": true, "on_job_complete": false},
            "pre_deploy_actions": [
                {"action": "Run Script", "action_item": "Notepad detection script", "script": WINDOWS_PRE_SCRIPT, "script_type": "ps"},
                {"action": "Change Registry Key", "action_item": "DisableUpdate", "reg_key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Zoom\\MSI",
                 "reg_value_type": "REG_SZ", "reg_value": "true", "reg_key_add_new": false, "script_type": "ps"},
                {"action": "System Reboot", "action_item": "Reboot"}
            ],
            "post_deploy_actions": [
                {"action": "Install Software", "action_item": "Install Notepad",
                 "download_url": "https://github.com/notepad-plus-plus/notepad-plus-plus/releases/download/v8.6.2/npp.7.5.8.Installer.exe",
                 "file_checksum": "613f36bf5e98be7e56b7ea0c678cfb8534077c2ec1cbe839a854dd0a60278ebb", "install_method": 0,
                 "script": WINDOWS_POST_SCRIPT, "script_type": "ps", "detection_script": "", "detection_script_type": "ps"},
                {"action": "Uninstall Software", "action_item": "Uninstall Chrome",
                 "uninstall_registry_key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Google Chrome",
                 "uninstall_software_display_name": "Google Chrome", "uninstall_software_version": "109.0.5414.168",
                 "uninstall_software_version_match": "Equals", "script_type": "ps"},
                {"action": "Install Software", "action_item": "Install Notepad with Installer based option",
                 "download_url": "https://github.com/notepad-plus-plus/notepad-plus-plus/releases/download/v8.6.2/npp.7.5.8.Installer.exe",
                 "file_checksum": "613f36bf5e98be7e56b7ea0c678cfb8534077c2ec1cbe839a854dd0a60278ebb", "install_method": 1,
                 "detection_script": "", "detection_script_type": "ps", "script": "", "script_type": "ps"}
            ]
        }),
    )
}

/// Every known planned value is kept, as terraform checks after apply.
fn assert_keeps_planned(planned: &Value, state: &Value, path: &str) {
    match planned {
        Value::Unknown => {}
        Value::Object(m) => {
            for (k, v) in m {
                assert_keeps_planned(v, state.get(k), &format!("{path}.{k}"));
            }
        }
        Value::List(items) => {
            let s = state
                .as_elements()
                .unwrap_or_else(|| panic!("{path}: not a list in state"));
            assert_eq!(items.len(), s.len(), "{path}");
            for (i, (p, x)) in items.iter().zip(s).enumerate() {
                assert_keeps_planned(p, x, &format!("{path}[{i}]"));
            }
        }
        other => assert_eq!(other, state, "{path}"),
    }
}

#[test]
fn windows_sample_create_apply_read_and_replan_show_no_changes() {
    let config = windows_config();
    assert!(!validate(&config).has_errors(), "{:?}", validate(&config));
    let resp = plan_for(&Value::Null, &config);
    let planned = resp.planned_state;
    assert_eq!(planned.get("id"), &Value::Unknown);
    assert_eq!(planned.get("name"), config.get("name"));
    assert_eq!(
        planned.get("pre_deployment"),
        &Value::Unknown,
        "server-filled object"
    );
    assert_eq!(
        planned
            .get("post_deployment")
            .get("reboot_honor_on_user_login"),
        &Value::Unknown
    );
    assert_eq!(
        planned.get("post_deployment").get("suppress_reboots"),
        &Value::Bool(false)
    );
    assert_eq!(
        planned.get("pre_deploy_actions").as_elements().unwrap()[0].get("action_id"),
        &Value::Unknown
    );
    assert_eq!(planned.get("start_date_time"), &Value::Unknown);

    // the create body carries the sample request's fields
    let body = to_create_json(JOB_FIELDS, &planned);
    assert_meaningful_fields(
        JOB_FIELDS,
        &fixture("create-windows-with-actions.request"),
        &body,
        "",
    );
    assert_eq!(body["status"], json!("Disabled"));
    assert!(body.get("id").is_none());

    // apply: the server's answer fills the unknowns, every planned value is kept
    let response = fixture("create-windows-with-actions.response");
    let state = state_after(&planned, &response);
    assert!(state.is_wholly_known());
    assert_keeps_planned(&planned, &state, "");
    assert_eq!(
        state.get("id"),
        &Value::from("e8eff303-9532-4a70-a399-b9dec57b4918")
    );
    assert_eq!(
        state.get("pre_deploy_actions").as_elements().unwrap()[0].get("script"),
        &Value::from(WINDOWS_PRE_SCRIPT)
    );

    // read: the same job (scripts as storage references) is no drift
    let read = job_to_state(&response, &state, Some(&response));
    assert_eq!(read, state);
    // ... nor is a GET that returns [] as null and strings for numbers
    let mut get = response.clone();
    get["assetTagIds"] = Json::Null;
    get["exclusionTagIds"] = Json::Null;
    get["timeout"] = json!("6");
    get["startDateTime"] = json!("2025-04-14 01:45:48 PM");
    assert_eq!(job_to_state(&get, &state, Some(&response)), state);

    // re-plan with the same configuration: no change
    let again = plan_for(&state, &config);
    assert_eq!(again.planned_state, state);
    assert!(effective_replace(&again, &state).is_empty());
}

#[test]
fn update_keeps_action_ids_and_unchanged_script_references() {
    let config = windows_config();
    let response = fixture("create-windows-with-actions.response");
    let state = state_after(&plan_for(&Value::Null, &config).planned_state, &response);

    let mut changed = config.clone();
    if let Value::Object(m) = &mut changed {
        m.insert("description".into(), Value::from("changed"));
    }
    let resp = plan_for(&state, &changed);
    let planned = &resp.planned_state;
    assert_eq!(planned.get("description"), &Value::from("changed"));
    assert_eq!(planned.get("updated_at"), &Value::Unknown);
    assert_eq!(planned.get("id"), state.get("id"));
    assert_eq!(
        planned.get("patch_count"),
        state.get("patch_count"),
        "a description change keeps the patch count"
    );
    assert!(effective_replace(&resp, &state).is_empty());
    let body = overlay(JOB_FIELDS, planned, &state, &response);
    assert_eq!(body["description"], json!("changed"));
    assert_eq!(
        body["customerId"], response["customerId"],
        "the job as last read is the base"
    );
    for list in ["preDeployActions", "postDeployActions"] {
        for (b, r) in body[list]
            .as_array()
            .unwrap()
            .iter()
            .zip(response[list].as_array().unwrap())
        {
            assert_eq!(b["actionId"], r["actionId"]);
            assert_eq!(
                b["script"], r["script"],
                "unchanged script is sent back as its reference"
            );
        }
    }

    // a changed script is uploaded as base64; removing the first action keeps the others' IDs
    let mut edited = changed.clone();
    if let Value::Object(m) = &mut edited {
        let mut pre = m["pre_deploy_actions"].as_elements().unwrap().to_vec();
        pre.remove(1);
        if let Value::Object(a) = &mut pre[0] {
            a.insert("script".into(), Value::from("Write-Output 'new'"));
        }
        m.insert("pre_deploy_actions".into(), Value::List(pre));
    }
    let resp = plan_for(&state, &edited);
    let pre = resp
        .planned_state
        .get("pre_deploy_actions")
        .as_elements()
        .unwrap()
        .to_vec();
    assert_eq!(
        pre[1].get("action_id"),
        &Value::from("dc8fa457-5c41-4508-a682-725df3c05af8"),
        "System Reboot keeps its ID"
    );
    let body = overlay(JOB_FIELDS, &resp.planned_state, &state, &response);
    assert_eq!(
        body["preDeployActions"][0]["script"],
        json!(b64("Write-Output 'new'"))
    );
    assert_eq!(
        body["preDeployActions"][1]["actionId"],
        json!("dc8fa457-5c41-4508-a682-725df3c05af8")
    );
    assert_eq!(body["preDeployActions"].as_array().unwrap().len(), 2);
}

#[test]
fn update_windows_sample_body_from_the_imported_job() {
    // the job as GET returned it before the sample's PATCH
    let mut before = fixture("update-windows.response");
    before["name"] = json!("Public API on demand Window job with specific patches");
    before["description"] = json!("Created via public API");
    let imported = job_to_state(&before, &Value::Null, None);
    let mut config = imported.clone();
    if let Value::Object(m) = &mut config {
        m.insert(
            "name".into(),
            Value::from("Public API on demand Window job with specific patches updated"),
        );
        m.insert(
            "description".into(),
            Value::from("Created via public API 3"),
        );
        for f in JOB_FIELDS.iter().filter(|f| f.is_computed_only()) {
            m.insert(f.name.into(), Value::Null);
        }
    }
    let resp = plan_for(&imported, &config);
    let body = overlay(JOB_FIELDS, &resp.planned_state, &imported, &before);
    assert_meaningful_fields(JOB_FIELDS, &fixture("update-windows.request"), &body, "");
    assert_eq!(
        body["preDeployActions"][0]["script"],
        fixture("update-windows.request")["preDeployActions"][0]["script"]
    );
}

#[test]
fn import_then_generated_config_plans_clean() {
    for name in [
        "create-windows-with-actions.response",
        "create-linux-makecache.response",
        "update-chained-job.response",
        "update-linux-rollback.response",
    ] {
        let job = fixture(name);
        let state = job_to_state(&job, &Value::Null, None);
        // terraform -generate-config-out writes every non-computed-only attribute
        let mut config = state.clone();
        strip_computed_only(JOB_FIELDS, &mut config);
        let d = validate(&config);
        assert!(
            !d.has_errors(),
            "{name}: generated config fails validation: {d:?}"
        );
        let refreshed = job_to_state(&job, &state, Some(&job));
        assert_eq!(refreshed, state, "{name}: read after import");
        let resp = plan_for(&state, &config);
        assert_eq!(resp.planned_state, state, "{name}: plan after import");
    }
}

fn strip_computed_only(fields: &[Field], v: &mut Value) {
    let Value::Object(m) = v else { return };
    for f in fields {
        let Some(slot) = m.get_mut(f.name) else {
            continue;
        };
        if f.is_computed_only() {
            *slot = Value::Null;
        } else if let Some(ch) = f.children() {
            match slot {
                Value::Object(_) => strip_computed_only(ch, slot),
                Value::List(items) => items.iter_mut().for_each(|i| strip_computed_only(ch, i)),
                _ => {}
            }
        }
    }
}

#[test]
fn semantic_equality_keeps_the_state_spelling() {
    let job = fixture("create-windows-with-actions.response");
    let mut state = job_to_state(&job, &Value::Null, None);
    if let Value::Object(m) = &mut state {
        m.insert("asset_tag_ids".into(), Value::Set(vec![]));
        m.insert("description".into(), Value::from("Created via public API"));
    }
    let mut get = job.clone();
    get["assetTagIds"] = Json::Null;
    get["notification"]["notificationConfigs"]["completedPercentage"] = json!(80);
    get["minimizeWindow"] = json!("true");
    get["startDateTime"] = json!("2025-04-14 01:45:48 PM");
    let read = job_to_state(&get, &state, Some(&job));
    assert_eq!(
        read.get("asset_tag_ids"),
        &Value::Set(vec![]),
        "[] and null are equal"
    );
    assert_eq!(read, state);

    // real drift shows
    let mut drift = job.clone();
    drift["name"] = json!("renamed in the UI");
    drift["assetIds"] = json!(["other"]);
    let read = job_to_state(&drift, &state, Some(&job));
    assert_eq!(read.get("name"), &Value::from("renamed in the UI"));
    assert_eq!(read.get("asset_ids"), &Value::Set(vec!["other".into()]));

    // a script replaced out of band (new reference) shows; server-driven status does not
    let mut with_text = state.clone();
    set_action(
        &mut with_text,
        "pre_deploy_actions",
        0,
        "script",
        Value::from("text"),
    );
    let unchanged = job_to_state(&job, &with_text, Some(&job));
    assert_eq!(
        action(&unchanged, "pre_deploy_actions", 0).get("script"),
        &Value::from("text")
    );
    let mut replaced = job.clone();
    replaced["preDeployActions"][0]["script"] =
        json!("2e5bc89e-4670-d067-83f2-b873a00f4531/ffffffff-804b-4857-ae9b-606d1b136b20/Script");
    let read = job_to_state(&replaced, &with_text, Some(&job));
    assert_eq!(
        action(&read, "pre_deploy_actions", 0).get("script"),
        &replaced["preDeployActions"][0]["script"]
            .as_str()
            .unwrap()
            .into()
    );

    let mut enabled = state.clone();
    if let Value::Object(m) = &mut enabled {
        m.insert("status".into(), Value::from("Enabled"));
    }
    let mut prepared = job.clone();
    prepared["status"] = json!("Prepared");
    let read = job_to_state(&prepared, &enabled, Some(&job));
    assert_eq!(read.get("status"), &Value::from("Enabled"));
    assert_eq!(read.get("server_status"), &Value::from("Prepared"));
}

fn action<'a>(state: &'a Value, list: &str, i: usize) -> &'a Value {
    &state.get(list).as_elements().unwrap()[i]
}

fn set_action(state: &mut Value, list: &str, i: usize, attr: &str, v: Value) {
    if let Some(Value::List(items)) = state.get_mut(list) {
        if let Value::Object(m) = &mut items[i] {
            m.insert(attr.into(), v);
        }
    }
}

#[test]
fn makecache_default_script_reference_equals_empty_script() {
    let config = tf(
        JOB_FIELDS,
        &json!({"name": "Demo_MakeCache", "platform": "Linux", "type": "Install", "status": "Enabled", "schedule_type": "On-demand",
                "timeout": -1, "asset_ids": ["08a028e6-7e1d-4dbf-b040-48d9059dee08"], "dynamic_qql_type": 1, "is_dynamic_patches_qql": false,
                "pre_deploy_actions": [{"action": "Run Script", "action_item": "makecache Pre-Action", "default_script_type": "MakeCache", "script_type": "sh", "script": ""}]}),
    );
    assert!(!validate(&config).has_errors(), "{:?}", validate(&config));
    let resp = plan_for(&Value::Null, &config);
    assert_eq!(
        resp.diagnostics.len(),
        1,
        "an enabled On-demand job runs at once: say so"
    );
    assert_eq!(resp.diagnostics[0].severity, Severity::Warning);
    let planned = resp.planned_state;
    let job = fixture("create-linux-makecache.response");
    let state = state_after(&planned, &job);
    assert_keeps_planned(&planned, &state, "");
    assert_eq!(job_to_state(&job, &state, Some(&job)), state);
    assert_eq!(plan_for(&state, &config).planned_state, state);
}

#[test]
fn enabled_run_once_job_is_replaced_on_any_change_with_a_warning() {
    let job = fixture("create-linux-makecache.response");
    let state = job_to_state(&job, &Value::Null, None);
    let mut config = state.clone();
    strip_computed_only(JOB_FIELDS, &mut config);
    if let Value::Object(m) = &mut config {
        m.insert("name".into(), Value::from("renamed"));
    }
    let resp = plan_for(&state, &config);
    assert_eq!(effective_replace(&resp, &state), vec!["name".to_owned()]);
    let w = &resp.diagnostics[0];
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.detail.contains("cannot") || w.detail.contains("does not allow"),
        "{}",
        w.detail
    );

    // a recurring or disabled job updates in place
    let mut disabled = state.clone();
    if let Value::Object(m) = &mut disabled {
        m.insert("status".into(), Value::from("Disabled"));
        m.insert("server_status".into(), Value::from("Disabled"));
    }
    let mut cfg = config.clone();
    if let Value::Object(m) = &mut cfg {
        m.insert("status".into(), Value::from("Disabled"));
    }
    let resp = plan_for(&disabled, &cfg);
    assert!(effective_replace(&resp, &disabled).is_empty());
    assert!(resp.diagnostics.is_empty());
}

#[test]
fn platform_and_type_changes_force_replacement() {
    let job = fixture("update-windows.response");
    let state = job_to_state(&job, &Value::Null, None);
    let mut config = state.clone();
    strip_computed_only(JOB_FIELDS, &mut config);
    if let Value::Object(m) = &mut config {
        m.insert("type".into(), Value::from("Rollback"));
        m.insert("approved_patches".into(), Value::Null);
    }
    let resp = plan_for(&state, &config);
    assert_eq!(effective_replace(&resp, &state), vec!["type".to_owned()]);
}

#[test]
fn plan_defaults_and_semantic_config_spelling() {
    let config = tf(
        JOB_FIELDS,
        &json!({"name": "n", "schedule_type": "Daily", "start_date_time": "2026-1-5 09:00:00 PM"}),
    );
    let planned = plan_for(&Value::Null, &config).planned_state;
    assert_eq!(planned.get("platform"), &Value::from("Windows"));
    assert_eq!(planned.get("type"), &Value::from("Install"));
    assert_eq!(planned.get("status"), &Value::from("Disabled"));
    assert_eq!(planned.get("recurring"), &Value::Bool(true));
    assert_eq!(planned.get("timezone"), &Value::Unknown);
    assert_eq!(planned.get("description"), &Value::Null);

    // the prior spelling of the same time is kept (no diff for padding)
    let mut prior = planned.clone();
    replace_unknowns(&mut prior);
    let padded = tf(
        JOB_FIELDS,
        &json!({"name": "n", "schedule_type": "Daily", "start_date_time": "2026-01-05 09:00:00 PM"}),
    );
    let resp = plan_for(&prior, &padded);
    assert_eq!(resp.planned_state, prior);
    // deterministic: the same request plans the same
    assert_eq!(plan_for(&prior, &padded).planned_state, resp.planned_state);
}

fn replace_unknowns(v: &mut Value) {
    match v {
        Value::Unknown => *v = Value::from("x"),
        Value::Object(m) => m.values_mut().for_each(replace_unknowns),
        Value::List(items) => items.iter_mut().for_each(replace_unknowns),
        _ => {}
    }
    if let Value::Object(m) = v {
        for (k, val) in m.iter_mut() {
            if matches!(
                k.as_str(),
                "pre_deployment" | "during_deployment" | "post_deployment"
            ) && !val.is_null()
                && !val.is_known_value()
            {
                *val = Value::Null;
            }
            if matches!(
                k.as_str(),
                "patch_count" | "applicable_asset_count" | "timeout" | "download_randomize_time"
            ) {
                *val = Value::int(1);
            }
            if k == "timeout_unit" || k == "download_randomize_time_unit" {
                *val = Value::from("HOURS");
            }
        }
    }
}

fn errors_at(config: serde_json::Value) -> Vec<String> {
    validate(&tf(JOB_FIELDS, &config))
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.attribute.unwrap_or_else(AttributePath::root).to_string())
        .collect()
}

#[test]
fn validation_points_at_the_attribute() {
    let base = json!({"name": "n", "schedule_type": "On-demand"});
    assert!(errors_at(base.clone()).is_empty());
    let with = |extra: Json| {
        let mut b = base.clone();
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        errors_at(b)
    };
    assert_eq!(with(json!({"platform": "Mac"})), vec!["platform"]);
    assert_eq!(
        with(json!({"schedule_type": "Hourly"})),
        vec!["schedule_type"]
    );
    assert_eq!(
        with(json!({"schedule_type": "Daily"})),
        vec!["start_date_time"]
    );
    assert_eq!(
        with(json!({"start_date_time": "2022-02-20 13:18:30"})),
        vec!["start_date_time"]
    );
    assert!(with(json!({"start_date_time": "2022-2-20 01:18:30 PM"})).is_empty());
    assert_eq!(with(json!({"recurring": true})), vec!["recurring"]);
    assert_eq!(with(json!({"timeout": 169})), vec!["timeout"]);
    assert!(with(json!({"timeout": 10080, "timeout_unit": "MINUTES"})).is_empty());
    assert!(with(json!({"timeout": -1})).is_empty());
    assert_eq!(
        with(
            json!({"timeout": 2, "download_randomize_time": 2, "download_randomize_time_unit": "HOURS"})
        ),
        vec!["download_randomize_time"]
    );
    assert!(
        with(json!({"timeout": 2, "download_randomize_time": 119})).is_empty(),
        "an unset unit is MINUTES"
    );
    assert_eq!(
        with(json!({"timeout": 2, "download_randomize_time": 120})),
        vec!["download_randomize_time"]
    );
    assert_eq!(
        with(json!({"patch_tuesday_plus_x_days": 28})),
        vec!["patch_tuesday_plus_x_days"]
    );
    assert_eq!(with(json!({"day_of_month": 0})), vec!["day_of_month"]);
    assert_eq!(
        with(json!({"recurring_week_days": ["Funday"]})),
        vec!["recurring_week_days"]
    );
    assert_eq!(
        with(json!({"schedule_type": "Weekly", "start_date_time": "2026-1-1 01:00:00 AM"})),
        vec!["recurring_week_days"]
    );
    assert_eq!(
        with(json!({"schedule_type": "Monthly", "start_date_time": "2026-1-1 01:00:00 AM"})),
        vec!["schedule_type"]
    );
    assert_eq!(
        with(
            json!({"chained_job_rules": [{"action_ids": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"], "threshold": 100}]})
        ),
        vec!["chained_job_rules"]
    );
    assert_eq!(
        with(
            json!({"linked_job_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "chained_job_rules": [{"action_ids": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"], "threshold": 101}]})
        ),
        vec!["chained_job_rules[0].threshold"]
    );
    assert_eq!(
        with(json!({"platform": "Windows", "continue_on_patch_failure": true})),
        vec!["continue_on_patch_failure"]
    );
    assert_eq!(
        with(json!({"platform": "Linux", "minimize_window": true})),
        vec!["minimize_window"]
    );
    assert_eq!(
        with(json!({"post_deploy_actions": [{"action": "System Reboot", "action_item": "r"}]})),
        vec!["post_deploy_actions[0].action"]
    );
    assert_eq!(
        with(
            json!({"notification": {"email": true, "on_job_start": false, "on_job_complete": false}})
        ),
        vec!["notification"]
    );
    assert_eq!(
        with(json!({"notification": {"on_job_start": true, "completed_percentage": 0}})),
        vec!["notification.completed_percentage"]
    );
    assert_eq!(
        with(
            json!({"pre_deploy_actions": [{"action": "Run Script", "action_item": "m", "default_script_type": "MakeCache", "script": "ls"}]})
        ),
        vec!["pre_deploy_actions[0].script"]
    );
    assert_eq!(
        with(
            json!({"approved_patches": ["0f5e1c2b-7a6d-4c3e-8b9a-1d2e3f4a5b6c"], "dynamic_qql_type": 1, "dynamic_patches_qql": "q"})
        ),
        vec!["approved_patches"]
    );
    assert_eq!(
        with(
            json!({"reattempt_failed_patches": {"no_of_reattempts": 6, "exponential_backoff_interval": 1}})
        ),
        vec!["reattempt_failed_patches.no_of_reattempts"]
    );
    assert_eq!(with(json!({"status": "Enabled"})), vec!["status", "status"]);
    assert_eq!(
        with(
            json!({"platform": "Linux", "pre_deploy_actions": [{"action": "Install Software", "action_item": "i", "download_url": "u"}]})
        ),
        vec!["pre_deploy_actions[0].action"]
    );
    // unknown values are not judged at plan time
    assert!(with(json!({"timeout": "<unknown>", "download_randomize_time": 5})).is_empty());
    // terraform points nested diagnostics at the resource block: the text names the attribute
    let d = validate(&tf(
        JOB_FIELDS,
        &json!({"name": "n", "schedule_type": "On-demand", "notification": {"on_job_start": true, "completed_percentage": 0}}),
    ));
    assert!(
        d[0].detail
            .starts_with("notification.completed_percentage: "),
        "{}",
        d[0].detail
    );
    // the error names the allowed values
    let d = validate(&tf(
        JOB_FIELDS,
        &json!({"name": "n", "schedule_type": "On-demand", "timeout_unit": "DAYS"}),
    ));
    assert!(
        d[0].detail.contains("\"HOURS\", \"MINUTES\""),
        "{}",
        d[0].detail
    );
}

#[test]
fn quickstart_configurations_validate_and_plan() {
    let jobs = [
        json!({"name": "Windows - Patch Tuesday + 2", "description": "Monthly critical patches for the Windows fleet", "platform": "Windows",
               "schedule_type": "Monthly", "start_date_time": "2026-12-01 10:00:00 PM", "monthly_recurring_type": 1, "patch_tuesday_plus_x_days": 2,
               "timezone_type": "SPECIFIC_TZ", "timezone": "Europe/Berlin", "timeout": 6, "timeout_unit": "HOURS",
               "asset_tag_ids": ["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"], "dynamic_qql_type": 1, "is_dynamic_patches_qql": true,
               "dynamic_patches_qql": "vendorSeverity:`Critical` and isSuperseded:false", "minimize_window": true,
               "reattempt_failed_patches": {"no_of_reattempts": 3, "exponential_backoff_interval": 10},
               "notification": {"email": true, "recipient_emails": ["patching@example.com"], "completed_percentage": 90, "on_job_start": false, "on_job_complete": true},
               "pre_deploy_actions": [{"action": "Change Registry Key", "action_item": "Pause Windows Update UI",
                   "reg_key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate", "reg_value_type": "REG_SZ", "reg_value": "1"}],
               "post_deploy_actions": [{"action": "Run Script", "action_item": "Clean the download cache", "script_type": "ps", "script": "Remove-Item x\n"}]}),
        json!({"name": "Linux - weekly security updates", "platform": "Linux", "status": "Enabled", "schedule_type": "Weekly",
               "start_date_time": "2026-12-05 11:30:00 PM", "recurring_week_days": ["Saturday"], "timeout": 240, "timeout_unit": "MINUTES",
               "asset_ids": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"], "approved_patches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"],
               "continue_on_patch_failure": true,
               "pre_deploy_actions": [{"action": "Run Script", "action_item": "makecache Pre-Action", "script_type": "sh", "default_script_type": "MakeCache"}]}),
        json!({"name": "Windows - follow-up on servers", "platform": "Windows", "schedule_type": "On-demand",
               "asset_tag_ids": ["0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"], "linked_job_id": "<unknown>",
               "chained_job_rules": [{"field": "postDeployAction", "action_ids": ["<unknown>"], "threshold": 100, "condition": "Post Actions were successfully executed"}]}),
    ];
    for j in jobs {
        let mut config = j.clone();
        // an unknown element inside a set: a reference to another job's action ID
        let cfg = if let Some(rules) = config.get_mut("chained_job_rules") {
            rules[0]["action_ids"] = json!([]);
            let mut v = tf(JOB_FIELDS, &config);
            if let Some(Value::List(rules)) = v.get_mut("chained_job_rules") {
                if let Value::Object(m) = &mut rules[0] {
                    m.insert("action_ids".into(), Value::Set(vec![Value::Unknown]));
                }
            }
            v
        } else {
            tf(JOB_FIELDS, &config)
        };
        let d = validate(&cfg);
        assert!(!d.has_errors(), "{}: {d:?}", j["name"]);
        let planned = plan_for(&Value::Null, &cfg).planned_state;
        assert_eq!(planned.get("id"), &Value::Unknown);
        assert_eq!(planned.get("name"), cfg.get("name"));
    }
}
