//! Rendering of stored jobs: GET and write answers (`[]` as `null`, `linkedToJob`, the
//! server-driven status) and summary-list entries.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{JobLookup, StoredJob, LIST_FIELDS};

/// The job as GET returns it: `[]` as `null`, the current status, `linkedToJob`.
pub(crate) fn render_get(
    stored: &StoredJob,
    jobs: &dyn JobLookupAll,
    now_ms: u64,
    prepared_after_ms: u64,
) -> Value {
    let mut job = render_write(stored, jobs, now_ms, prepared_after_ms);
    if let Value::Object(m) = &mut job {
        for k in LIST_FIELDS {
            if m.get(k)
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                m.insert(k.into(), Value::Null);
            }
        }
        m.insert(
            "status".into(),
            json!(stored.current_status(now_ms, prepared_after_ms)),
        );
    }
    job
}

/// Other jobs, for `linkedToJob` (the parent's summary and reference count).
pub(crate) trait JobLookupAll: JobLookup {
    fn all(&self) -> Vec<&StoredJob>;
}

/// The job as create and PATCH return it (lists as stored, `linkedToJob` filled in).
pub(crate) fn render_write(
    stored: &StoredJob,
    jobs: &dyn JobLookupAll,
    now_ms: u64,
    prepared_after_ms: u64,
) -> Value {
    let mut job = stored.job.clone();
    let linked = job
        .get("linkedJobId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let parent = linked.as_deref().and_then(|p| jobs.job(p));
    if let (Value::Object(m), Some(parent)) = (&mut job, parent) {
        let parent_id = parent.id().to_owned();
        let references = jobs
            .all()
            .iter()
            .filter(|j| {
                j.job.get("linkedJobId").and_then(Value::as_str) == Some(parent_id.as_str())
            })
            .count();
        let parent_actions = parent
            .job
            .get("postDeployActions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rules = stored
            .chained_job_rule
            .as_ref()
            .and_then(Value::as_array)
            .map(|rules| {
                Value::Array(
                    rules
                        .iter()
                        .map(|r| {
                            let mut r = r.clone();
                            let ids = strings_at(&r, "actionIds");
                            let details: Vec<Value> = parent_actions
                                .iter()
                                .filter(|a| {
                                    a.get("actionId")
                                        .and_then(Value::as_str)
                                        .is_some_and(|id| ids.iter().any(|x| x == id))
                                })
                                .cloned()
                                .collect();
                            if let Value::Object(rm) = &mut r {
                                rm.insert("actionDetails".into(), Value::Array(details));
                            }
                            r
                        })
                        .collect(),
                )
            });
        let schedule = match parent.schedule_type() {
            "On-demand" => "On-Demand".to_owned(),
            other => other.to_owned(),
        };
        m.insert(
            "linkedToJob".into(),
            json!([{
                "customerId": parent.job.get("customerId").cloned().unwrap_or(Value::Null),
                "id": parent_id,
                "name": parent.job.get("name").cloned().unwrap_or(Value::Null),
                "type": parent.job.get("type").cloned().unwrap_or(Value::Null),
                "status": parent.current_status(now_ms, prepared_after_ms),
                "createdBy": parent.job.get("createdBy").cloned().unwrap_or(Value::Null),
                "linkedJobReferenceCount": references,
                "schedule": schedule,
                "previousRun": null,
                "nextRun": null,
                "chainedJobRule": rules.unwrap_or(Value::Null),
            }]),
        );
    }
    job
}

/// The strings of the array at `key` (an absent key, or one not an array: none).
pub(crate) fn strings_at(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// What a summary record needs besides the job: the time, the variant, the tags' names.
pub(crate) struct SummaryContext<'a> {
    pub now_ms: u64,
    pub prepared_after_ms: u64,
    /// `--variant lenient`: the earlier shapes (`description`, tags as IDs, `updated` as
    /// `{user: null, date: null}` until the first change, no run facts).
    pub lenient: bool,
    /// Tag names by ID, for `tags` as `{id, name}` objects (strict).
    pub tag_names: &'a HashMap<String, String>,
}

/// One entry of the summary list. Strict: the keys and shapes `qualysdk` reads on real
/// tenants (`docs/api-readings.md`, "third-party clients").
pub(crate) fn summary(stored: &StoredJob, context: &SummaryContext) -> Value {
    let j = &stored.job;
    let g = |k: &str| j.get(k).cloned().unwrap_or(Value::Null);
    let stamp = |k: &str| {
        let s = j.get(k);
        json!({"user": s.and_then(|s| s.get("user")).cloned().unwrap_or(Value::Null), "date": s.and_then(|s| s.get("date")).cloned().unwrap_or(Value::Null)})
    };
    let mut record = json!({
        "id": g("id"),
        "name": g("name"),
        "type": g("type"),
        "platform": g("platform"),
        "status": stored.current_status(context.now_ms, context.prepared_after_ms),
        "scheduleType": g("scheduleType"),
        "isRecurring": g("recurring"),
        "created": stamp("createdBy"),
        "updated": stamp("updatedBy"),
        "startDateTime": g("startDateTime"),
        "timezone": g("timezone"),
        "nextScheduleDateTime": null,
        "lastScheduleDateTime": null,
        "triggerStatus": null,
        "category": g("jobCategory"),
        "linkedJobReferenceCount": 0,
        "customPatchUrlConfigured": !j.get("customPatchURLId").is_none_or(Value::is_null),
        "mitigationActionCount": 0,
        "isPriorityJob": false,
        "deleted": false,
        "assetCount": j.get("assetIds").and_then(Value::as_array).map_or(0, Vec::len),
        "patchCount": g("patchCount"),
        "tags": g("assetTagIds"),
        "exclusionTags": g("exclusionTagIds"),
        "matchAllTags": g("matchAllTagIds"),
    });
    let Value::Object(m) = &mut record else {
        return record;
    };
    if context.lenient {
        m.insert("description".into(), g("description"));
        // of the run facts, the earlier shape has the two schedule times
        let mut facts = super::run_facts(stored, context.now_ms);
        for key in ["lastScheduleDateTime", "nextScheduleDateTime"] {
            m.insert(key.into(), facts.remove(key).unwrap_or(Value::Null));
        }
    } else {
        third_party_shapes(m, stored, context);
    }
    record
}

/// The strict record's keys and shapes beyond the lenient one's: `updated: null` until the
/// first change, `tags` as `{id, name}`, day numbers as strings, the run facts.
fn third_party_shapes(m: &mut Map<String, Value>, stored: &StoredJob, context: &SummaryContext) {
    let j = &stored.job;
    if j.pointer("/updatedBy/date").is_none_or(Value::is_null) {
        m.insert("updated".into(), Value::Null);
    }
    let tag = |id: &Value| {
        let name = id.as_str().and_then(|id| context.tag_names.get(id));
        json!({"id": id, "name": name})
    };
    let tags = j.get("assetTagIds").and_then(Value::as_array);
    m.insert(
        "tags".into(),
        tags.map_or(json!([]), |ids| ids.iter().map(tag).collect()),
    );
    let as_text = |k: &str| match j.get(k) {
        Some(Value::Number(n)) => json!(n.to_string()),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    m.extend([
        ("dayOfMonth".into(), as_text("dayOfMonth")),
        ("recurringDayOfMonth".into(), as_text("dayOfMonth")),
        (
            "recurringWeekDayOfMonth".into(),
            as_text("recurringWeekDayOfMonth"),
        ),
        ("jobSource".into(), json!(0)),
        ("subCategory".into(), Value::Null),
        ("readOnly".into(), json!(false)),
        ("schemaVersion".into(), json!(1.0)),
        ("isVulnContext".into(), json!(false)),
        ("isAssetImported".into(), json!(false)),
        ("remediationQids".into(), Value::Null),
    ]);
    m.extend(super::run_facts(stored, context.now_ms));
}
