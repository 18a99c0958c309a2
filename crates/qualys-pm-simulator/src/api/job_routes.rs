//! The deployment job endpoints: create, get, update, delete, status changes, and the
//! summary list with its small `field:value` filter.

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::extract::{Path, Query};
use std::collections::HashMap;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::jobs::{StoredJob, Tenant};
use crate::{jobs, lock, now_ms, State};

use super::{authorize, json_response, parse_body, persist_or_500, stored_job, ApiError};

pub(super) fn tenant<'a>(state: &'a State) -> Tenant<'a> {
    Tenant {
        customer_id: &state.options.customer_id,
        user_id: &state.user_id,
        username: &state.options.username,
        now_ms: now_ms(),
        now: time::OffsetDateTime::now_utc(),
    }
}

pub(super) async fn create_job(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let value = parse_body(&body)?;
    let mut store = lock(&state.store);
    jobs::validate(&value, None, &*store)?;
    let id = uuid::Uuid::new_v4().to_string();
    let t = tenant(&state);
    let (job, rules) = jobs::normalise(&value, None, &t, &id, &mut store.scripts);
    let enabled = job.get("status").and_then(Value::as_str) == Some("Enabled");
    store.next_seq += 1;
    let stored = StoredJob {
        seq: store.next_seq,
        job,
        chained_job_rule: rules,
        enabled_at_ms: enabled.then_some(t.now_ms),
        runs: Vec::new(),
        runs_checked_ms: None,
    };
    store.jobs.insert(id.clone(), stored);
    if enabled {
        super::run_routes::on_enabled(&state, &mut store, &id, t.now_ms);
    }
    if let Err(e) = persist_or_500(&state, &store) {
        store.jobs.remove(&id);
        return Err(e);
    }
    let stored = stored_job(&store, &id)?;
    Ok(json_response(
        StatusCode::CREATED,
        jobs::render_write(stored, &*store, t.now_ms, state.options.prepared_after_ms),
    ))
}

pub(super) async fn get_job(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let store = lock(&state.store);
    let stored = stored_job(&store, &id)?;
    Ok(json_response(
        StatusCode::OK,
        jobs::render_get(stored, &*store, now_ms(), state.options.prepared_after_ms),
    ))
}

pub(super) async fn update_job(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let value = parse_body(&body)?;
    let mut store = lock(&state.store);
    let existing = stored_job(&store, &id)?.clone();
    let now = now_ms();
    let current = existing.current_status(now, state.options.prepared_after_ms);
    let accepted = !existing.is_run_once() && state.shaping.accepts_patch_while_enabled();
    if current != "Disabled" && !accepted {
        let why = if existing.is_run_once() {
            "Run-once (On-demand or Once) jobs cannot be edited once enabled"
        } else {
            "Disable the job before editing it"
        };
        return Err(ApiError::app(
            StatusCode::BAD_REQUEST,
            "JOB_ENABLED",
            format!("Deployment job {id} is {current}: {why}"),
        )
        .on_field("status"));
    }
    // Platform and type are fixed at creation (the provider replaces the job instead).
    for key in ["platform", "type"] {
        let was = existing
            .job
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default();
        let sent = value.get(key).and_then(Value::as_str);
        if sent.is_some_and(|s| s != was)
            || (key == "platform" && sent.is_none() && was != "Windows")
        {
            return Err(ApiError::invalid(
                key,
                format!("cannot be changed from {was:?} on an existing job"),
            ));
        }
    }
    // Status is not changed by PATCH; validate the body as the job it would become.
    let mut checked = value.clone();
    if let Some(m) = checked.as_object_mut() {
        m.insert("status".into(), json!("Disabled"));
    }
    jobs::validate(&checked, Some(&id), &*store)?;
    let t = tenant(&state);
    let (job, rules) = jobs::normalise(&value, Some(&existing), &t, &id, &mut store.scripts);
    let updated = StoredJob {
        seq: existing.seq,
        job,
        chained_job_rule: rules,
        enabled_at_ms: existing.enabled_at_ms,
        runs: existing.runs.clone(),
        runs_checked_ms: existing.runs_checked_ms,
    };
    store.jobs.insert(id.clone(), updated);
    if let Err(e) = persist_or_500(&state, &store) {
        store.jobs.insert(id.clone(), existing);
        return Err(e);
    }
    let stored = stored_job(&store, &id)?;
    Ok(json_response(
        StatusCode::OK,
        jobs::render_write(stored, &*store, t.now_ms, state.options.prepared_after_ms),
    ))
}

fn ids_of(value: &Value) -> Result<Vec<String>, ApiError> {
    let ids = value
        .get("ids")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid("ids", "an array of job IDs is required"))?;
    if ids.is_empty() {
        return Err(ApiError::invalid("ids", "at least one job ID is required"));
    }
    ids.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| ApiError::invalid("ids", format!("{v} is not a job ID")))
        })
        .collect()
}

pub(super) async fn delete_jobs(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let ids = parse_body(&body).and_then(|v| ids_of(&v))?;
    let mut store = lock(&state.store);
    let mut results = Vec::new();
    let mut removed = Vec::new();
    for id in ids {
        if let Some(error) = item_fault(&state, &id) {
            let name = store.jobs.get(&id).and_then(|j| j.job.get("name").cloned());
            results.push(json!({"id": id, "name": name, "status": "failure", "error": error}));
            continue;
        }
        match store.jobs.remove(&id) {
            Some(job) => {
                state.shaping.bury(&id, &json!({"id": state.user_id, "name": state.options.username}), now_ms(), || {
                    jobs::render_get(&job, &*store, now_ms(), state.options.prepared_after_ms)
                });
                results.push(json!({"id": id, "name": job.job.get("name").cloned().unwrap_or(Value::Null), "status": "success"}));
                removed.push(job);
            }
            None => results.push(json!({"id": id, "name": null, "status": "failure", "error": format!("Deployment job {id} not found")})),
        }
    }
    if !removed.is_empty() {
        let paths: Vec<String> = removed.iter().flat_map(|j| script_paths(&j.job)).collect();
        store.scripts.retain(|p, _| !paths.contains(p));
        if let Err(e) = persist_or_500(&state, &store) {
            for job in removed {
                store.jobs.insert(job.id().to_owned(), job);
            }
            return Err(e);
        }
    }
    Ok(json_response(StatusCode::OK, Value::Array(results)))
}

fn script_paths(job: &Value) -> Vec<String> {
    ["preDeployActions", "postDeployActions"]
        .iter()
        .filter_map(|k| job.get(*k).and_then(Value::as_array))
        .flatten()
        .flat_map(|a| {
            ["script", "detectionScript"]
                .into_iter()
                .filter_map(|k| a.get(k).and_then(Value::as_str).map(str::to_owned))
        })
        .collect()
}

pub(super) async fn set_status(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(target): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    if target != "Enabled" && target != "Disabled" {
        return Err(ApiError::invalid(
            "status",
            format!("must be Enabled or Disabled, got {target:?}"),
        ));
    }
    let ids = parse_body(&body).and_then(|v| ids_of(&v))?;
    let now = now_ms();
    let mut store = lock(&state.store);
    let before = store.jobs.clone();
    let mut results = Vec::new();
    let mut enabled = Vec::new();
    for id in ids {
        if let Some(error) = item_fault(&state, &id) {
            let name = store.jobs.get(&id).and_then(|j| j.job.get("name").cloned());
            results.push(json!({"id": id, "name": name, "status": "failure", "error": error}));
            continue;
        }
        let Some(job) = store.jobs.get_mut(&id) else {
            results.push(json!({"id": id, "name": null, "status": "failure", "error": format!("Deployment job {id} not found")}));
            continue;
        };
        let name = job.job.get("name").cloned().unwrap_or(Value::Null);
        let current = job.current_status(now, state.options.prepared_after_ms);
        let outcome: Result<(), String> = match (target.as_str(), current.as_str()) {
            ("Enabled", "Disabled") => jobs::stored_can_enable(&job.job).map(|()| {
                set_stored_status(job, "Enabled");
                job.enabled_at_ms = Some(now);
                enabled.push(id.clone());
            }),
            ("Enabled", _) => Ok(()),
            ("Disabled", "Disabled") => Ok(()),
            ("Disabled", _) if job.is_run_once() => {
                Err("Non-recurring jobs cannot be disabled once enabled by user".into())
            }
            _ => {
                set_stored_status(job, "Disabled");
                job.enabled_at_ms = None;
                Ok(())
            }
        };
        results.push(match outcome {
            Ok(()) => json!({"id": id, "name": name, "status": "success"}),
            Err(e) => json!({"id": id, "name": name, "status": "failure", "error": e}),
        });
    }
    for id in &enabled {
        super::run_routes::on_enabled(&state, &mut store, id, now);
    }
    if let Err(e) = persist_or_500(&state, &store) {
        store.jobs = before;
        return Err(e);
    }
    Ok(json_response(StatusCode::OK, Value::Array(results)))
}

/// The status `fail_list_page` answers for listing page `page`, if any (counted as a fault).
fn page_fault(state: &State, page: usize) -> Option<StatusCode> {
    let mut faults = lock(&state.faults);
    let fault = faults
        .fail_list_page
        .as_mut()
        .filter(|f| f.page == page && f.times > 0)?;
    fault.times -= 1;
    let status = StatusCode::from_u16(fault.status).ok()?;
    state
        .faults_injected
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Some(status)
}

/// The error `fail_items` sets for job `id`'s delete or status change, if any.
fn item_fault(state: &State, id: &str) -> Option<String> {
    lock(&state.faults).fail_items.get(id).cloned()
}

fn set_stored_status(job: &mut StoredJob, status: &str) {
    if let Some(m) = job.job.as_object_mut() {
        m.insert("status".into(), json!(status));
    }
}

/// One `field:value` term of the simple QQL-ish filter; quoted values match exactly,
/// unquoted ones as a case-insensitive substring.
struct Term {
    field: String,
    value: String,
    exact: bool,
}

fn parse_filter(filter: &str) -> Result<Vec<Term>, String> {
    let mut terms = Vec::new();
    let mut rest = filter.trim();
    while !rest.is_empty() {
        let (field, after) = rest
            .split_once(':')
            .ok_or_else(|| format!("expected field:value in {rest:?}"))?;
        let field = field.trim().to_owned();
        if !["name", "status", "type", "scheduleType", "id", "platform"].contains(&field.as_str()) {
            return Err(format!("unsupported filter field {field:?} (supported: name, status, type, scheduleType, id, platform)"));
        }
        let after = after.trim_start();
        let (value, exact, remaining) = if let Some(q) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            let end = end.ok_or("unterminated quoted value")?;
            (value, true, &q[end..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_owned(), false, &after[end..])
        };
        terms.push(Term {
            field,
            value,
            exact,
        });
        rest = remaining.trim_start();
        if let Some(r) = rest
            .strip_prefix("and ")
            .or_else(|| rest.strip_prefix("AND "))
        {
            rest = r.trim_start();
        } else if !rest.is_empty() {
            return Err(format!("expected 'and' before {rest:?}"));
        }
    }
    Ok(terms)
}

/// The summary listing's platform and page, checked.
struct Paging {
    platform: Option<String>,
    page: usize,
    size: usize,
}

fn paging(q: &HashMap<String, String>) -> Result<Paging, ApiError> {
    let platform = q.get("platform").cloned();
    if let Some(p) = &platform {
        if p != "Windows" && p != "Linux" {
            return Err(ApiError::invalid(
                "platform",
                format!("must be Windows or Linux, got {p:?}"),
            ));
        }
    }
    let page: usize = match q.get("pageNumber").map(|s| s.parse()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(ApiError::invalid("pageNumber", "must be a number from 0")),
    };
    let size: usize = match q.get("pageSize").map(|s| s.parse()) {
        None => 10,
        Some(Ok(n)) if (1..=10_000).contains(&n) => n,
        _ => return Err(ApiError::invalid("pageSize", "must be between 1 and 10000")),
    };
    Ok(Paging {
        platform,
        page,
        size,
    })
}

/// The `filter` parameter's terms, and `name` as an exact one.
fn terms(q: &HashMap<String, String>) -> Result<Vec<Term>, ApiError> {
    let mut terms = match q.get("filter").map(|f| parse_filter(f)) {
        None => Vec::new(),
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(ApiError::invalid("filter", e)),
    };
    if let Some(name) = q.get("name") {
        terms.push(Term {
            field: "name".into(),
            value: name.clone(),
            exact: true,
        });
    }
    Ok(terms)
}

impl Term {
    fn matches(&self, summary: &Value) -> bool {
        let v = summary
            .get(&self.field)
            .and_then(Value::as_str)
            .unwrap_or_default();
        if self.exact {
            v == self.value
        } else {
            v.to_lowercase().contains(&self.value.to_lowercase())
        }
    }
}

/// Every job's summary in listing order (the schedules caught up first), and under lenient
/// the soft-deleted jobs' too, marked deleted.
fn all_summaries(state: &State, headers: &HeaderMap) -> Result<Vec<Value>, ApiError> {
    let now = now_ms();
    let lenient = state.shaping.lenient_shapes(headers);
    let tag_names = if lenient {
        HashMap::new()
    } else {
        state.catalog().tag_names()
    };
    let context = jobs::SummaryContext {
        now_ms: now,
        prepared_after_ms: state.options.prepared_after_ms,
        lenient,
        tag_names: &tag_names,
    };
    let mut store = lock(&state.store);
    if super::run_routes::catch_up(state, &mut store, now) {
        persist_or_500(state, &store)?;
    }
    let all = <crate::Store as jobs::JobLookupAll>::all(&store);
    let summary = |j: &StoredJob| jobs::summary(j, &context);
    let buried = state.shaping.buried_summaries(|job| {
        summary(&StoredJob {
            seq: 0,
            job: job.clone(),
            chained_job_rule: None,
            enabled_at_ms: None,
            runs: Vec::new(),
            runs_checked_ms: None,
        })
    });
    Ok(all.into_iter().map(summary).chain(buried).collect())
}

pub(super) async fn list_summary(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let Paging {
        platform,
        page,
        size,
    } = paging(&q)?;
    if let Some(status) = page_fault(&state, page) {
        return Err(ApiError::app(
            status,
            "PAGE_FAULT",
            "fault injected by qualys-pm-simulator (fail_list_page)",
        ));
    }
    let terms = terms(&q)?;
    let matching = all_summaries(&state, &headers)?.into_iter().filter(|s| {
        platform
            .as_deref()
            .is_none_or(|p| s.get("platform").and_then(Value::as_str) == Some(p))
            && terms.iter().all(|t| t.matches(s))
    });
    let cap = state.options.list_record_cap;
    if page.saturating_mul(size) >= cap {
        return Err(ApiError::record_cap(cap));
    }
    let page_items: Vec<Value> = matching
        .skip(page.saturating_mul(size))
        .take(size)
        .collect();
    Ok(json_response(StatusCode::OK, Value::Array(page_items)))
}
