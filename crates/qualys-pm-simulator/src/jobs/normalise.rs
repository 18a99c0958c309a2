//! The server's normalisation of a written job: defaults it fills in, types it changes,
//! scripts moved to storage paths, action IDs assigned.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::wire::{boolean, format_start, int, is_storage_path, parse_start};
use super::{action_ids, StoredJob, Tenant, ID_LIST_FIELDS};

/// The job as the server stores and returns it after a create (`existing` = None) or an
/// update. Scripts sent as content are stored in `scripts` (path -> base64).
pub(crate) fn normalise(
    body: &Value,
    existing: Option<&StoredJob>,
    tenant: &Tenant<'_>,
    id: &str,
    scripts: &mut BTreeMap<String, String>,
) -> (Value, Option<Value>) {
    let empty = Map::new();
    let mut written = Written {
        body: body.as_object().unwrap_or(&empty),
        old: existing.and_then(|e| e.job.as_object()),
        existing,
        tenant,
        id,
        scripts,
    };
    let mut out = Map::new();
    written.fill(&mut out, JOB_HEAD);
    for k in &ID_LIST_FIELDS[..6] {
        out.insert((*k).into(), written.fill_value(Fill::Ids, k));
    }
    written.fill(&mut out, JOB_BODY);
    let rules = chained_rules(&written);
    (Value::Object(out), rules)
}

/// How the server fills one attribute of the stored job from the written one (same key).
#[derive(Clone, Copy)]
enum Fill {
    /// Always this text / number / boolean / null / empty list, whatever was sent.
    Is(&'static str),
    Number(i64),
    Flag(bool),
    Null,
    EmptyList,
    /// The text sent, else this default.
    Text(&'static str),
    /// The text sent, else null.
    OptText,
    /// The integer sent (numbers as text accepted), else null / else this default.
    OptInt,
    IntOr(i64),
    /// The boolean sent ("true"/"false" accepted), else this default / else null.
    BoolOr(bool),
    OptBool,
    /// A list of IDs, lower-cased as the service stores UUIDs, else null.
    Ids,
    /// Derived from more than the attribute itself.
    Rule(fn(&mut Written<'_, '_>) -> Value),
}

/// The stored job's attributes before the ID lists, in the order the server returns them.
const JOB_HEAD: &[(&str, Fill)] = &[
    ("customerId", Fill::Rule(|w| json!(w.tenant.customer_id))),
    ("id", Fill::Rule(|w| json!(w.id))),
    ("schemaVersion", Fill::Is("1.0")),
    ("name", Fill::Text("")),
    ("type", Fill::Text("Install")),
    ("status", Fill::Rule(status)),
];

/// The stored job's attributes after the ID lists, in the order the server returns them.
const JOB_BODY: &[(&str, Fill)] = &[
    ("approvedPatches", Fill::Ids),
    ("disabledPatches", Fill::Null),
    (
        "patchCount",
        Fill::Rule(|w| json!(w.count("approvedPatches"))),
    ),
    ("scheduleType", Fill::Text("")),
    ("startDateTime", Fill::Rule(start_date_time)),
    ("recurring", Fill::Rule(recurring)),
    ("recurringWeekDays", Fill::OptText),
    ("dayOfMonth", Fill::OptInt),
    ("recurringDayOfMonth", Fill::OptInt),
    ("recurringWeekDayOfMonth", Fill::OptInt),
    ("timezoneType", Fill::Text("SPECIFIC_TZ")),
    ("timezone", Fill::Text("UTC")),
    ("timeout", Fill::IntOr(-1)),
    ("timeoutUnit", Fill::Text("HOURS")),
    (
        "preDeployment",
        Fill::Rule(|w| pre_deployment(w.body.get("preDeployment"))),
    ),
    (
        "duringDeployment",
        Fill::Rule(|w| message_block(w.body.get("duringDeployment"))),
    ),
    (
        "postDeployment",
        Fill::Rule(|w| post_deployment(w.body.get("postDeployment"))),
    ),
    ("description", Fill::Text("")),
    ("createdBy", Fill::Rule(created_by)),
    ("updatedBy", Fill::Rule(updated_by)),
    ("deletedBy", Fill::Rule(deleted_by)),
    ("assetCount", Fill::Null),
    ("opportunisticDownloads", Fill::BoolOr(false)),
    ("filterType", Fill::Text("Any")),
    ("exclusionFilterType", Fill::Text("Any")),
    ("taggedAssetCount", Fill::Number(0)),
    ("minimizeWindow", Fill::BoolOr(false)),
    ("dynamicPatchesQQL", Fill::OptText),
    ("isDynamicPatchesQQL", Fill::BoolOr(false)),
    ("dynamicQQLType", Fill::OptInt),
    ("assetDetectionsQQL", Fill::Null),
    ("platform", Fill::Text("Windows")),
    ("continueOnPatchFailure", Fill::BoolOr(false)),
    (
        "preDeployActions",
        Fill::Rule(|w| w.actions("preDeployActions", "predeploy")),
    ),
    (
        "postDeployActions",
        Fill::Rule(|w| w.actions("postDeployActions", "postdeploy")),
    ),
    (
        "applicableAssetCount",
        Fill::Rule(|w| json!(w.count("assetIds"))),
    ),
    ("monthlyRecurringType", Fill::OptInt),
    ("patchTuesdayPlusXDays", Fill::OptInt),
    ("recurringLastDayOfMonth", Fill::OptBool),
    ("jobCategory", Fill::Number(3)),
    ("jobTriggerStatus", Fill::Null),
    ("completionPercent", Fill::Null),
    ("totalAssetCount", Fill::Null),
    ("assetResultReceivedCount", Fill::Null),
    ("jobSource", Fill::Number(3)),
    ("readOnly", Fill::Flag(false)),
    (
        "notification",
        Fill::Rule(|w| notification(w.body.get("notification"))),
    ),
    (
        "linkedJobId",
        Fill::Rule(|w| w.linked_job_id().map_or(Value::Null, Value::String)),
    ),
    ("linkedToJob", Fill::Null),
    ("linkedJobs", Fill::Null),
    ("jobStartCountdown", Fill::Null),
    ("passwordAction", Fill::Null),
    ("subCategory", Fill::Is("Patch")),
    ("additionalDynamicQQLType", Fill::OptInt),
    ("additionalDynamicPatchesQQL", Fill::Rule(additional_qql)),
    ("downloadRandomizeTime", Fill::IntOr(0)),
    ("downloadRandomizeTimeUnit", Fill::Text("MINUTES")),
    ("customPatchURLId", Fill::Rule(custom_patch_url_id)),
    ("isVulnContext", Fill::Flag(false)),
    ("remediationQids", Fill::EmptyList),
    ("isAssetImported", Fill::BoolOr(false)),
    ("hostIsolationConfig", Fill::Null),
    ("quarantineAssetRequestNotification", Fill::Null),
    ("enableReattemptFailedPatches", Fill::OptBool),
    (
        "reattemptFailedPatches",
        Fill::Rule(reattempt_failed_patches),
    ),
];

/// A written job (create or update) and what the server knows as it stores it.
struct Written<'a, 't> {
    body: &'a Map<String, Value>,
    old: Option<&'a Map<String, Value>>,
    existing: Option<&'a StoredJob>,
    tenant: &'a Tenant<'t>,
    id: &'a str,
    scripts: &'a mut BTreeMap<String, String>,
}

impl Written<'_, '_> {
    fn fill(&mut self, out: &mut Map<String, Value>, table: &[(&str, Fill)]) {
        for (key, fill) in table {
            let value = self.fill_value(*fill, key);
            out.insert((*key).into(), value);
        }
    }

    fn fill_value(&mut self, fill: Fill, key: &str) -> Value {
        match fill {
            Fill::Is(text) => json!(text),
            Fill::Number(n) => json!(n),
            Fill::Flag(b) => json!(b),
            Fill::Null => Value::Null,
            Fill::EmptyList => json!([]),
            Fill::Text(default) => json!(self.text(key).unwrap_or_else(|| default.to_owned())),
            Fill::OptText => self.text(key).map_or(Value::Null, Value::String),
            Fill::OptInt => self.int(key).map_or(Value::Null, |v| json!(v)),
            Fill::IntOr(default) => json!(self.int(key).unwrap_or(default)),
            Fill::BoolOr(default) => json!(self.flag(key).unwrap_or(default)),
            Fill::OptBool => self.flag(key).map_or(Value::Null, Value::Bool),
            Fill::Ids => match self.body.get(key) {
                Some(Value::Array(a)) => lower_ids(a),
                _ => Value::Null,
            },
            Fill::Rule(rule) => rule(self),
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        self.body
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn int(&self, key: &str) -> Option<i64> {
        int(self.body, key, key).ok().flatten()
    }

    fn flag(&self, key: &str) -> Option<bool> {
        boolean(self.body, key, key).ok().flatten()
    }

    fn count(&self, key: &str) -> usize {
        self.body
            .get(key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    }

    fn old_value(&self, key: &str) -> Value {
        self.old
            .and_then(|o| o.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn linked_job_id(&self) -> Option<String> {
        self.text("linkedJobId")
            .filter(|v| !v.is_empty() && v != "null")
            .map(|v| v.to_ascii_lowercase())
    }

    fn actions(&mut self, key: &str, action_type: &str) -> Value {
        let old = self.old.and_then(|o| o.get(key));
        actions(
            self.body.get(key),
            action_type,
            old,
            self.tenant,
            self.scripts,
        )
    }
}

/// The service stores IDs as UUIDs and echoes them in lower case, however they were sent.
fn lower_ids(ids: &[Value]) -> Value {
    let lower = |v: &Value| match v {
        Value::String(s) => Value::String(s.to_ascii_lowercase()),
        other => other.clone(),
    };
    Value::Array(ids.iter().map(lower).collect())
}

fn status(w: &mut Written<'_, '_>) -> Value {
    match w.existing {
        Some(e) => json!(e.stored_status()), // PATCH does not change status
        None => json!(w.text("status").unwrap_or_else(|| "Disabled".into())),
    }
}

/// The start sent (reformatted), else the stored one, else now to the second.
fn start_date_time(w: &mut Written<'_, '_>) -> Value {
    let start = w
        .text("startDateTime")
        .and_then(|v| parse_start(&v))
        .map(format_start)
        .or_else(|| {
            w.old
                .and_then(|o| o.get("startDateTime"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let now = w.tenant.now;
    json!(start.unwrap_or_else(|| {
        format_start(time::PrimitiveDateTime::new(
            now.date(),
            now.time().replace_nanosecond(0).unwrap_or(now.time()),
        ))
    }))
}

fn recurring(w: &mut Written<'_, '_>) -> Value {
    let schedule = w.text("scheduleType").unwrap_or_default();
    json!(matches!(schedule.as_str(), "Daily" | "Weekly" | "Monthly"))
}

fn created_by(w: &mut Written<'_, '_>) -> Value {
    match w.existing {
        None => {
            let me = json!({"id": w.tenant.user_id, "name": w.tenant.username, "fullName": "Simulated User"});
            json!({"user": me, "date": w.tenant.now_ms})
        }
        Some(_) => w.old_value("createdBy"),
    }
}

fn updated_by(w: &mut Written<'_, '_>) -> Value {
    match w.existing {
        None => json!({"user": null, "date": null}),
        Some(_) => {
            let date = next_update_ms(w.old_value("updatedBy").get("date"), w.tenant.now_ms);
            json!({"user": {"id": w.tenant.user_id, "name": w.tenant.username}, "date": date})
        }
    }
}

fn deleted_by(w: &mut Written<'_, '_>) -> Value {
    match w.existing {
        None => json!({"user": null, "date": null}),
        Some(_) => Value::Null,
    }
}

fn additional_qql(w: &mut Written<'_, '_>) -> Value {
    w.text("additionalDynamicPatchesQQL")
        .filter(|v| !v.is_empty())
        .map_or(Value::Null, Value::String)
}

/// The API returns the custom patch URL ID as text.
fn custom_patch_url_id(w: &mut Written<'_, '_>) -> Value {
    w.int("customPatchURLId")
        .map_or(Value::Null, |v| json!(v.to_string()))
}

fn reattempt_failed_patches(w: &mut Written<'_, '_>) -> Value {
    let reattempt = w.body.get("reattemptFailedPatches").and_then(Value::as_object).map(|r| {
        json!({
            "noOfReattempts": int(r, "noOfReattempts", "").ok().flatten(),
            "exponentialBackoffInterval": int(r, "exponentialBackoffInterval", "").ok().flatten(),
        })
    });
    reattempt.unwrap_or(Value::Null)
}

/// The chained-job rules, kept only for a job linked to another.
fn chained_rules(w: &Written<'_, '_>) -> Option<Value> {
    let empty = Map::new();
    let rule = |r: &Value| {
        let r = r.as_object().unwrap_or(&empty);
        json!({
            "id": null,
            "field": r.get("field").cloned().unwrap_or(Value::Null),
            "threshold": int(r, "threshold", "").ok().flatten(),
            "actionIds": match r.get("actionIds") {
                Some(Value::Array(a)) => lower_ids(a),
                _ => json!([]),
            },
            "condition": r.get("condition").cloned().unwrap_or(Value::Null),
        })
    };
    w.body
        .get("chainedJobRule")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty() && w.linked_job_id().is_some())
        .map(|rules| Value::Array(rules.iter().map(rule).collect()))
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
    scripts: &mut BTreeMap<String, String>,
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
                // An action ID sent back is kept; an unknown or missing one gets a new ID.
                let id = a
                    .get("actionId")
                    .and_then(Value::as_str)
                    .filter(|id| old_ids.iter().any(|o| o == id))
                    .map(str::to_owned)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let stored = StoredAction {
                    sent: a,
                    id: &id,
                    customer_id: tenant.customer_id,
                };
                stored.normalise(action_type, scripts)
            })
            .collect(),
    )
}

/// One written pre- or post-deployment action being stored under its action ID.
struct StoredAction<'a> {
    sent: &'a Map<String, Value>,
    id: &'a str,
    customer_id: &'a str,
}

impl StoredAction<'_> {
    fn normalise(&self, action_type: &str, scripts: &mut BTreeMap<String, String>) -> Value {
        let kind = self
            .sent
            .get("action")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let params = action_params(self.sent, kind);
        let mut out = Map::new();
        out.insert("actionId".into(), json!(self.id));
        out.insert("action".into(), json!(kind));
        out.insert("actionType".into(), json!(action_type));
        out.insert("params".into(), Value::Object(params.clone()));
        self.insert_scripts(&mut out, kind, &params, scripts);
        out.insert("actionLinkedToJob".into(), json!(false));
        Value::Object(out)
    }

    fn insert_scripts(
        &self,
        out: &mut Map<String, Value>,
        kind: &str,
        params: &Map<String, Value>,
        scripts: &mut BTreeMap<String, String>,
    ) {
        let script_type = || self.sent.get("scriptType").cloned().unwrap_or(json!("ps"));
        match kind {
            "Run Script" | "Install Software" => {
                if let Some(d) = self.store("detectionScript", "DetectionScript", scripts) {
                    out.insert("detectionScript".into(), d);
                    out.insert(
                        "detectionScriptType".into(),
                        self.sent
                            .get("detectionScriptType")
                            .cloned()
                            .unwrap_or(json!("ps")),
                    );
                }
                let script = match default_script_type(params) {
                    Some(t) => Some(json!(format!("default/{t}/makecache"))),
                    None => self.store("script", "Script", scripts),
                };
                if let Some(s) = script {
                    out.insert("script".into(), s);
                }
                out.insert("scriptType".into(), script_type());
            }
            "System Reboot" => {
                out.insert("script".into(), json!(""));
                out.insert("scriptType".into(), script_type());
            }
            _ => {} // Change Registry Key, Uninstall Software: no script fields returned
        }
    }

    /// A script sent as content is stored and answered by its storage path; a path (or
    /// nothing) is echoed.
    fn store(
        &self,
        key: &str,
        suffix: &str,
        scripts: &mut BTreeMap<String, String>,
    ) -> Option<Value> {
        let sent = self.sent.get(key).and_then(Value::as_str)?;
        if sent.is_empty() || is_storage_path(sent) {
            return Some(json!(sent));
        }
        let path = format!("{}/{}/{}", self.customer_id, self.id, suffix);
        scripts.insert(path.clone(), sent.trim().to_owned());
        Some(json!(path))
    }
}

/// The server's defaults and number types in an action's params.
fn action_params(sent: &Map<String, Value>, kind: &str) -> Map<String, Value> {
    let mut params = sent
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
    if default_script_type(&params).is_some() {
        params.entry("remediationScope").or_insert(json!(false));
    }
    params
}

/// The built-in script (e.g. `MakeCache`) an action runs instead of one of its own.
fn default_script_type(params: &Map<String, Value>) -> Option<&str> {
    params
        .get("defaultScriptType")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
}

/// The `updatedBy.date` of a change made at `now_ms`: strictly later than the previous one,
/// so that every change shows in the listing even when two land in the same millisecond.
pub(crate) fn next_update_ms(previous: Option<&Value>, now_ms: u64) -> u64 {
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
