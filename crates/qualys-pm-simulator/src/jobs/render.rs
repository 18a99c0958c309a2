//! Rendering of stored jobs: GET and write answers (`[]` as `null`, `linkedToJob`, the
//! server-driven status) and summary-list entries.

use serde_json::{json, Value};

use super::{JobLookup, StoredJob, LIST_FIELDS};

/// The job as GET returns it: `[]` as `null`, the current status, `linkedToJob`.
pub fn render_get(
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
pub trait JobLookupAll: JobLookup {
    fn all(&self) -> Vec<&StoredJob>;
}

/// The job as create and PATCH return it (lists as stored, `linkedToJob` filled in).
pub fn render_write(
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
                            let ids = action_ids_of_rule(&r);
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

pub(super) fn action_ids_of_rule(rule: &Value) -> Vec<String> {
    rule.get("actionIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// One entry of the summary list.
pub fn summary(stored: &StoredJob, now_ms: u64, prepared_after_ms: u64) -> Value {
    let j = &stored.job;
    let g = |k: &str| j.get(k).cloned().unwrap_or(Value::Null);
    let stamp = |k: &str| {
        let s = j.get(k);
        json!({"user": s.and_then(|s| s.get("user")).cloned().unwrap_or(Value::Null), "date": s.and_then(|s| s.get("date")).cloned().unwrap_or(Value::Null)})
    };
    json!({
        "id": g("id"),
        "name": g("name"),
        "description": g("description"),
        "type": g("type"),
        "platform": g("platform"),
        "status": stored.current_status(now_ms, prepared_after_ms),
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
    })
}
