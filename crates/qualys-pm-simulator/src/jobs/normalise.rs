//! The server's normalisation of a written job: defaults it fills in, types it changes,
//! scripts moved to storage paths, action IDs assigned.

use serde_json::{json, Map, Value};

use super::wire::{boolean, format_start, int, is_storage_path, parse_start};
use super::{action_ids, StoredJob, Tenant, ID_LIST_FIELDS};

/// The job as the server stores and returns it after a create (`existing` = None) or an
/// update. Scripts sent as content are stored in `scripts` (path -> base64).
pub fn normalise(
    body: &Value,
    existing: Option<&StoredJob>,
    tenant: &Tenant<'_>,
    id: &str,
    scripts: &mut std::collections::BTreeMap<String, String>,
) -> (Value, Option<Value>) {
    let empty = Map::new();
    let b = body.as_object().unwrap_or(&empty);
    let old = existing.and_then(|e| e.job.as_object());
    let mut out = Map::new();
    let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_owned);
    let i = |k: &str| int(b, k, k).ok().flatten();
    let bo = |k: &str| boolean(b, k, k).ok().flatten();
    let str_or = |k: &str, d: &str| json!(s(k).unwrap_or_else(|| d.to_owned()));
    let opt_str = |k: &str| s(k).map_or(Value::Null, Value::String);
    let opt_int = |k: &str| i(k).map_or(Value::Null, |v| json!(v));
    // the service stores IDs as UUIDs and echoes them in lower case, however they were sent
    let lower = |v: &Value| match v {
        Value::String(s) => Value::String(s.to_ascii_lowercase()),
        other => other.clone(),
    };
    let list = |k: &str| match b.get(k) {
        Some(Value::Array(a)) => Value::Array(a.iter().map(lower).collect()),
        _ => Value::Null,
    };
    let old_val = |k: &str| old.and_then(|o| o.get(k)).cloned().unwrap_or(Value::Null);
    let platform = s("platform").unwrap_or_else(|| "Windows".into());
    let schedule = s("scheduleType").unwrap_or_default();

    out.insert("customerId".into(), json!(tenant.customer_id));
    out.insert("id".into(), json!(id));
    out.insert("schemaVersion".into(), json!("1.0"));
    out.insert("name".into(), str_or("name", ""));
    out.insert("type".into(), str_or("type", "Install"));
    let status = match existing {
        Some(e) => e.stored_status().to_owned(), // PATCH does not change status
        None => s("status").unwrap_or_else(|| "Disabled".into()),
    };
    out.insert("status".into(), json!(status));
    for k in &ID_LIST_FIELDS[..6] {
        out.insert((*k).into(), list(k));
    }
    out.insert("approvedPatches".into(), list("approvedPatches"));
    out.insert("disabledPatches".into(), Value::Null);
    let patch_count = b
        .get("approvedPatches")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    out.insert("patchCount".into(), json!(patch_count));
    out.insert("scheduleType".into(), json!(schedule));
    let start = s("startDateTime")
        .and_then(|v| parse_start(&v))
        .map(format_start)
        .or_else(|| {
            old.and_then(|o| o.get("startDateTime"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let start = start.unwrap_or_else(|| {
        format_start(time::PrimitiveDateTime::new(
            tenant.now.date(),
            tenant
                .now
                .time()
                .replace_nanosecond(0)
                .unwrap_or(tenant.now.time()),
        ))
    });
    out.insert("startDateTime".into(), json!(start));
    out.insert(
        "recurring".into(),
        json!(matches!(schedule.as_str(), "Daily" | "Weekly" | "Monthly")),
    );
    out.insert("recurringWeekDays".into(), opt_str("recurringWeekDays"));
    out.insert("dayOfMonth".into(), opt_int("dayOfMonth"));
    out.insert("recurringDayOfMonth".into(), opt_int("recurringDayOfMonth"));
    out.insert(
        "recurringWeekDayOfMonth".into(),
        opt_int("recurringWeekDayOfMonth"),
    );
    out.insert("timezoneType".into(), str_or("timezoneType", "SPECIFIC_TZ"));
    out.insert("timezone".into(), str_or("timezone", "UTC"));
    out.insert("timeout".into(), json!(i("timeout").unwrap_or(-1)));
    out.insert("timeoutUnit".into(), str_or("timeoutUnit", "HOURS"));
    out.insert(
        "preDeployment".into(),
        pre_deployment(b.get("preDeployment")),
    );
    out.insert(
        "duringDeployment".into(),
        message_block(b.get("duringDeployment")),
    );
    out.insert(
        "postDeployment".into(),
        post_deployment(b.get("postDeployment")),
    );
    out.insert("description".into(), str_or("description", ""));
    let me = json!({"id": tenant.user_id, "name": tenant.username, "fullName": "Simulated User"});
    match existing {
        None => {
            out.insert(
                "createdBy".into(),
                json!({"user": me, "date": tenant.now_ms}),
            );
            out.insert("updatedBy".into(), json!({"user": null, "date": null}));
            out.insert("deletedBy".into(), json!({"user": null, "date": null}));
        }
        Some(_) => {
            out.insert("createdBy".into(), old_val("createdBy"));
            let date = next_update_ms(old_val("updatedBy").get("date"), tenant.now_ms);
            out.insert(
                "updatedBy".into(),
                json!({"user": {"id": tenant.user_id, "name": tenant.username}, "date": date}),
            );
            out.insert("deletedBy".into(), Value::Null);
        }
    }
    out.insert("assetCount".into(), Value::Null);
    out.insert(
        "opportunisticDownloads".into(),
        json!(bo("opportunisticDownloads").unwrap_or(false)),
    );
    out.insert("filterType".into(), str_or("filterType", "Any"));
    out.insert(
        "exclusionFilterType".into(),
        str_or("exclusionFilterType", "Any"),
    );
    out.insert("taggedAssetCount".into(), json!(0));
    out.insert(
        "minimizeWindow".into(),
        json!(bo("minimizeWindow").unwrap_or(false)),
    );
    out.insert("dynamicPatchesQQL".into(), opt_str("dynamicPatchesQQL"));
    out.insert(
        "isDynamicPatchesQQL".into(),
        json!(bo("isDynamicPatchesQQL").unwrap_or(false)),
    );
    out.insert("dynamicQQLType".into(), opt_int("dynamicQQLType"));
    out.insert("assetDetectionsQQL".into(), Value::Null);
    out.insert("platform".into(), json!(platform));
    out.insert(
        "continueOnPatchFailure".into(),
        json!(bo("continueOnPatchFailure").unwrap_or(false)),
    );
    let old_pre = old.and_then(|o| o.get("preDeployActions"));
    let old_post = old.and_then(|o| o.get("postDeployActions"));
    out.insert(
        "preDeployActions".into(),
        actions(
            b.get("preDeployActions"),
            "predeploy",
            old_pre,
            tenant,
            scripts,
        ),
    );
    out.insert(
        "postDeployActions".into(),
        actions(
            b.get("postDeployActions"),
            "postdeploy",
            old_post,
            tenant,
            scripts,
        ),
    );
    out.insert(
        "applicableAssetCount".into(),
        json!(b
            .get("assetIds")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)),
    );
    out.insert(
        "monthlyRecurringType".into(),
        opt_int("monthlyRecurringType"),
    );
    out.insert(
        "patchTuesdayPlusXDays".into(),
        opt_int("patchTuesdayPlusXDays"),
    );
    out.insert(
        "recurringLastDayOfMonth".into(),
        bo("recurringLastDayOfMonth").map_or(Value::Null, Value::Bool),
    );
    out.insert("jobCategory".into(), json!(3));
    out.insert("jobTriggerStatus".into(), Value::Null);
    out.insert("completionPercent".into(), Value::Null);
    out.insert("totalAssetCount".into(), Value::Null);
    out.insert("assetResultReceivedCount".into(), Value::Null);
    out.insert("jobSource".into(), json!(3));
    out.insert("readOnly".into(), json!(false));
    out.insert("notification".into(), notification(b.get("notification")));
    let linked = s("linkedJobId")
        .filter(|v| !v.is_empty() && v != "null")
        .map(|v| v.to_ascii_lowercase());
    out.insert(
        "linkedJobId".into(),
        linked.clone().map_or(Value::Null, Value::String),
    );
    out.insert("linkedToJob".into(), Value::Null);
    out.insert("linkedJobs".into(), Value::Null);
    out.insert("jobStartCountdown".into(), Value::Null);
    out.insert("passwordAction".into(), Value::Null);
    out.insert("subCategory".into(), json!("Patch"));
    out.insert(
        "additionalDynamicQQLType".into(),
        opt_int("additionalDynamicQQLType"),
    );
    out.insert(
        "additionalDynamicPatchesQQL".into(),
        s("additionalDynamicPatchesQQL")
            .filter(|v| !v.is_empty())
            .map_or(Value::Null, Value::String),
    );
    out.insert(
        "downloadRandomizeTime".into(),
        json!(i("downloadRandomizeTime").unwrap_or(0)),
    );
    out.insert(
        "downloadRandomizeTimeUnit".into(),
        str_or("downloadRandomizeTimeUnit", "MINUTES"),
    );
    out.insert(
        "customPatchURLId".into(),
        i("customPatchURLId").map_or(Value::Null, |v| json!(v.to_string())),
    );
    out.insert("isVulnContext".into(), json!(false));
    out.insert("remediationQids".into(), json!([]));
    out.insert(
        "isAssetImported".into(),
        json!(bo("isAssetImported").unwrap_or(false)),
    );
    out.insert("hostIsolationConfig".into(), Value::Null);
    out.insert("quarantineAssetRequestNotification".into(), Value::Null);
    let reattempt = b.get("reattemptFailedPatches").and_then(Value::as_object).map(|r| {
        json!({
            "noOfReattempts": int(r, "noOfReattempts", "").ok().flatten(),
            "exponentialBackoffInterval": int(r, "exponentialBackoffInterval", "").ok().flatten(),
        })
    });
    out.insert(
        "enableReattemptFailedPatches".into(),
        bo("enableReattemptFailedPatches").map_or(Value::Null, Value::Bool),
    );
    out.insert(
        "reattemptFailedPatches".into(),
        reattempt.unwrap_or(Value::Null),
    );

    let rules = b
        .get("chainedJobRule")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty() && linked.is_some())
        .map(|rules| {
            Value::Array(
                rules
                    .iter()
                    .map(|r| {
                        let r = r.as_object().unwrap_or(&empty);
                        json!({
                            "id": null,
                            "field": r.get("field").cloned().unwrap_or(Value::Null),
                            "threshold": int(r, "threshold", "").ok().flatten(),
                            "actionIds": match r.get("actionIds") {
                                Some(Value::Array(a)) => Value::Array(a.iter().map(lower).collect()),
                                _ => json!([]),
                            },
                            "condition": r.get("condition").cloned().unwrap_or(Value::Null),
                        })
                    })
                    .collect(),
            )
        });
    (Value::Object(out), rules)
}

pub(super) fn text_of(m: Option<&Map<String, Value>>, k: &str) -> Value {
    json!(m
        .and_then(|m| m.get(k))
        .and_then(Value::as_str)
        .unwrap_or(""))
}

pub(super) fn deferment(d: Option<&Value>) -> Value {
    let d = d.and_then(Value::as_object);
    let n = |k: &str, def: i64| d.and_then(|d| int(d, k, k).ok().flatten()).unwrap_or(def);
    json!({
        "count": n("count", 3),
        "interval": n("interval", 1),
        "intervalUnit": d.and_then(|d| d.get("intervalUnit")).and_then(Value::as_str).unwrap_or("HOURS"),
    })
}

pub(super) fn pre_deployment(v: Option<&Value>) -> Value {
    let m = v.and_then(Value::as_object);
    json!({"userMessage": text_of(m, "userMessage"), "description": text_of(m, "description"), "deferment": deferment(m.and_then(|m| m.get("deferment")))})
}

pub(super) fn message_block(v: Option<&Value>) -> Value {
    let m = v.and_then(Value::as_object);
    json!({"userMessage": text_of(m, "userMessage"), "description": text_of(m, "description")})
}

pub(super) fn post_deployment(v: Option<&Value>) -> Value {
    let m = v.and_then(Value::as_object);
    let flag = |o: Option<&Map<String, Value>>, k: &str| {
        o.and_then(|o| boolean(o, k, k).ok().flatten())
            .unwrap_or(false)
    };
    let option = m
        .and_then(|m| m.get("rebootOption"))
        .and_then(Value::as_object);
    let countdown = m
        .and_then(|m| m.get("rebootCountdown"))
        .and_then(Value::as_object);
    let complete = m
        .and_then(|m| m.get("onComplete"))
        .and_then(Value::as_object);
    json!({
        "suppressReboots": flag(m, "suppressReboots"),
        "rebootHonorOnUserLogin": flag(m, "rebootHonorOnUserLogin"),
        "rebootOption": {
            "userMessage": text_of(option, "userMessage"),
            "description": text_of(option, "description"),
            "deferment": deferment(option.and_then(|o| o.get("deferment"))),
        },
        "rebootCountdown": {
            "interval": countdown.and_then(|c| int(c, "interval", "").ok().flatten()).unwrap_or(15),
            "intervalUnit": countdown.and_then(|c| c.get("intervalUnit")).and_then(Value::as_str).unwrap_or("MINUTES"),
            "userMessage": text_of(countdown, "userMessage"),
            "description": text_of(countdown, "description"),
        },
        "onComplete": {
            "userMessage": text_of(complete, "userMessage"),
            "description": text_of(complete, "description"),
            "alwaysShowCompletedPrompt": flag(complete, "alwaysShowCompletedPrompt"),
        },
    })
}

pub(super) fn notification(v: Option<&Value>) -> Value {
    let n = match v.and_then(Value::as_object) {
        Some(n) => n,
        None => return Value::Null,
    };
    let mut out = n.clone();
    if let Some(Value::Object(c)) = out.get_mut("notificationConfigs") {
        // The API returns the percentage as a string.
        if let Ok(Some(p)) = int(c, "completedPercentage", "") {
            c.insert("completedPercentage".into(), json!(p.to_string()));
        }
    }
    for (group, keys) in [
        ("notificationTypes", &["email"][..]),
        ("notificationEvents", &["onJobStart", "onJobComplete"][..]),
    ] {
        if let Some(Value::Object(g)) = out.get_mut(group) {
            for k in keys {
                if let Ok(Some(b)) = boolean(g, k, k) {
                    g.insert((*k).into(), json!(b));
                }
            }
        }
    }
    Value::Object(out)
}

pub(super) fn actions(
    v: Option<&Value>,
    action_type: &str,
    old: Option<&Value>,
    tenant: &Tenant<'_>,
    scripts: &mut std::collections::BTreeMap<String, String>,
) -> Value {
    let list = match v.and_then(Value::as_array) {
        Some(l) => l,
        None => return Value::Null,
    };
    let old_ids = action_ids(old);
    Value::Array(
        list.iter()
            .filter_map(Value::as_object)
            .map(|a| {
                let kind = a
                    .get("action")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                // An action ID sent back is kept; an unknown or missing one gets a new ID.
                let id = a
                    .get("actionId")
                    .and_then(Value::as_str)
                    .filter(|id| old_ids.iter().any(|o| o == id))
                    .map(str::to_owned)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let mut params = a
                    .get("params")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let timeout = int(&params, "timeout", "timeout")
                    .ok()
                    .flatten()
                    .unwrap_or(180);
                params.insert("timeout".into(), json!(timeout));
                for k in ["installMethod", "downloadProtocol"] {
                    if let Ok(Some(v)) = int(&params, k, k) {
                        params.insert(k.into(), json!(v));
                    }
                }
                if kind == "Install Software" && !params.contains_key("downloadProtocol") {
                    params.insert("downloadProtocol".into(), json!(0));
                }
                let make_cache = params
                    .get("defaultScriptType")
                    .and_then(Value::as_str)
                    .is_some_and(|t| !t.is_empty());
                if make_cache {
                    params.entry("remediationScope").or_insert(json!(false));
                }
                let mut out = Map::new();
                out.insert("actionId".into(), json!(id));
                out.insert("action".into(), json!(kind));
                out.insert("actionType".into(), json!(action_type));
                out.insert("params".into(), Value::Object(params.clone()));
                let store = |key: &str,
                             suffix: &str,
                             scripts: &mut std::collections::BTreeMap<String, String>|
                 -> Option<Value> {
                    let sent = a.get(key).and_then(Value::as_str)?;
                    if sent.is_empty() || is_storage_path(sent) {
                        return Some(json!(sent));
                    }
                    let path = format!("{}/{}/{}", tenant.customer_id, id, suffix);
                    scripts.insert(path.clone(), sent.trim().to_owned());
                    Some(json!(path))
                };
                match kind.as_str() {
                    "Run Script" | "Install Software" => {
                        if let Some(d) = store("detectionScript", "DetectionScript", scripts) {
                            out.insert("detectionScript".into(), d);
                            out.insert(
                                "detectionScriptType".into(),
                                a.get("detectionScriptType").cloned().unwrap_or(json!("ps")),
                            );
                        }
                        let script = if make_cache {
                            Some(json!(format!(
                                "default/{}/{}",
                                params
                                    .get("defaultScriptType")
                                    .and_then(Value::as_str)
                                    .unwrap_or("MakeCache"),
                                "makecache"
                            )))
                        } else {
                            store("script", "Script", scripts)
                        };
                        if let Some(s) = script {
                            out.insert("script".into(), s);
                        }
                        out.insert(
                            "scriptType".into(),
                            a.get("scriptType").cloned().unwrap_or(json!("ps")),
                        );
                    }
                    "System Reboot" => {
                        out.insert("script".into(), json!(""));
                        out.insert(
                            "scriptType".into(),
                            a.get("scriptType").cloned().unwrap_or(json!("ps")),
                        );
                    }
                    _ => {} // Change Registry Key, Uninstall Software: no script fields returned
                }
                out.insert("actionLinkedToJob".into(), json!(false));
                Value::Object(out)
            })
            .collect(),
    )
}

/// The `updatedBy.date` of a change made at `now_ms`: strictly later than the previous one,
/// so that every change shows in the listing even when two land in the same millisecond.
pub fn next_update_ms(previous: Option<&Value>, now_ms: u64) -> u64 {
    match previous.and_then(Value::as_u64) {
        Some(before) => now_ms.max(before + 1),
        None => now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::next_update_ms;
    use serde_json::json;

    #[test]
    fn every_change_moves_the_update_date_even_within_one_millisecond() {
        assert_eq!(next_update_ms(None, 1_000), 1_000, "first change");
        assert_eq!(next_update_ms(Some(&json!(null)), 1_000), 1_000);
        assert_eq!(next_update_ms(Some(&json!(900)), 1_000), 1_000);
        assert_eq!(next_update_ms(Some(&json!(1_000)), 1_000), 1_001, "same ms");
        assert_eq!(
            next_update_ms(Some(&json!(1_005)), 1_000),
            1_006,
            "a clock behind"
        );
    }
}
