//! The `/_simulator/` admin endpoints: stored jobs and scripts, faults, tokens, stats.

use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::{jobs, lock, now_ms, State};

use super::{json_response, parse_body, persist_or_500, stored_job, stored_job_mut, ApiError};

pub(super) async fn admin_jobs(AxState(state): AxState<State>) -> Response {
    let store = lock(&state.store);
    let all: Vec<Value> = <crate::Store as jobs::JobLookupAll>::all(&store)
        .into_iter()
        .map(|j| serde_json::to_value(j).unwrap_or(Value::Null))
        .collect();
    json_response(StatusCode::OK, Value::Array(all))
}

/// `PATCH /_simulator/jobs/{id}`: an edit made in the Qualys UI. The body's fields are
/// merged into the stored job as they are (no validation: the UI has its own), and the
/// job's `updatedBy` moves to now (strictly later than before), as every change does.
pub(super) async fn admin_edit_job(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = parse_body(&body)?;
    let fields = value.as_object().ok_or_else(|| {
        ApiError::app(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "the body must be a JSON object of job fields",
        )
    })?;
    let now = now_ms();
    let mut store = lock(&state.store);
    let stored = stored_job_mut(&mut store, &id)?;
    let before = stored.clone();
    let date = jobs::next_update_ms(stored.job.pointer("/updatedBy/date"), now);
    if let Some(job) = stored.job.as_object_mut() {
        job.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        job.insert(
            "updatedBy".into(),
            json!({"user": {"id": state.user_id, "name": state.options.username}, "date": date}),
        );
    }
    let enabled = match fields.get("status").and_then(Value::as_str) {
        Some("Disabled") => {
            stored.enabled_at_ms = None;
            false
        }
        Some(_) if before.stored_status() == "Disabled" => {
            stored.enabled_at_ms = Some(now);
            true
        }
        _ => false,
    };
    if enabled {
        super::run_routes::on_enabled(&state, &mut store, &id, now);
    }
    if let Err(e) = persist_or_500(&state, &store) {
        store.jobs.insert(id, before);
        return Err(e);
    }
    let stored = stored_job(&store, &id)?;
    let job = jobs::render_get(stored, &*store, now, state.options.prepared_after_ms);
    Ok(json_response(StatusCode::OK, job))
}

pub(super) async fn admin_scripts(AxState(state): AxState<State>) -> Response {
    let store = lock(&state.store);
    json_response(
        StatusCode::OK,
        serde_json::to_value(&store.scripts).unwrap_or(Value::Null),
    )
}

pub(super) async fn admin_get_faults(AxState(state): AxState<State>) -> Response {
    let faults = lock(&state.faults).clone();
    json_response(
        StatusCode::OK,
        serde_json::to_value(faults).unwrap_or(Value::Null),
    )
}

/// Body: any of `{"fault_rate", "lost_response_rate", "cut_connection_rate", "latency_ms", "fail_next": [429, 0, 503], "lose_next": N, "cut_next": N, "hold_answers": bool,
/// "answer_delay_ms": N, "fail_list_page": {"page", "status", "times"} | null, "fail_items": {id: error}}`
/// (`fail_next`: statuses for the next requests in order, 0 = no failure before acting for
/// that one, though a `lose_next` still applies to it).
pub(super) async fn admin_set_faults(
    AxState(state): AxState<State>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = parse_body(&body)?;
    let mut faults = lock(&state.faults);
    let rate = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_f64)
            .filter(|r| (0.0..=1.0).contains(r))
    };
    if let Some(r) = rate("fault_rate") {
        faults.fault_rate = r;
    }
    if let Some(r) = rate("lost_response_rate") {
        faults.lost_response_rate = r;
    }
    if let Some(r) = rate("cut_connection_rate") {
        faults.cut_connection_rate = r;
    }
    if let Some(ms) = value.get("latency_ms").and_then(Value::as_u64) {
        faults.latency_ms = ms;
    }
    if let Some(list) = value.get("fail_next").and_then(Value::as_array) {
        faults.fail_next = list
            .iter()
            .filter_map(Value::as_u64)
            .filter_map(|s| u16::try_from(s).ok())
            .collect();
    }
    if let Some(n) = value.get("lose_next").and_then(Value::as_u64) {
        faults.lose_next = u32::try_from(n).unwrap_or(u32::MAX);
    }
    if let Some(held) = value.get("hold_answers").and_then(Value::as_bool) {
        state.answers_held.send_replace(held);
    }
    if let Some(n) = value.get("cut_next").and_then(Value::as_u64) {
        faults.cut_next = u32::try_from(n).unwrap_or(u32::MAX);
    }
    if let Some(ms) = value.get("answer_delay_ms").and_then(Value::as_u64) {
        faults.answer_delay_ms = ms;
    }
    if let Some(fault) = value.get("fail_list_page") {
        faults.fail_list_page = serde_json::from_value(fault.clone()).ok();
    }
    if let Some(items) = value.get("fail_items") {
        faults.fail_items = serde_json::from_value(items.clone()).unwrap_or_default();
    }
    Ok(json_response(
        StatusCode::OK,
        serde_json::to_value(faults.clone()).unwrap_or(Value::Null),
    ))
}

pub(super) async fn admin_expire_tokens(AxState(state): AxState<State>) -> Response {
    state.token_generation.fetch_add(1, Ordering::SeqCst);
    json_response(StatusCode::OK, json!({"expired": true}))
}

/// Every JWT issued so far, for tests that check that no output ever shows one.
pub(super) async fn admin_tokens(AxState(state): AxState<State>) -> Response {
    json_response(StatusCode::OK, json!(lock(&state.issued_tokens).clone()))
}

pub(super) async fn admin_stats(AxState(state): AxState<State>) -> Response {
    let jobs = lock(&state.store).jobs.len();
    json_response(
        StatusCode::OK,
        json!({
            "jobs": jobs,
            "tokens_issued": state.tokens_issued.load(Ordering::SeqCst),
            "faults_injected": state.faults_injected.load(Ordering::SeqCst),
            "responses_lost": state.responses_lost.load(Ordering::SeqCst),
            "connections_cut": state.connections_cut.load(Ordering::SeqCst),
            "refused": state.limits.refused(),
        }),
    )
}

fn limits_answer(state: &State) -> Response {
    let mut body = serde_json::to_value(state.limits.settings()).unwrap_or(Value::Null);
    if let Some(m) = body.as_object_mut() {
        m.insert("refused".into(), json!(state.limits.refused()));
    }
    json_response(StatusCode::OK, body)
}

pub(super) async fn admin_get_limits(AxState(state): AxState<State>) -> Response {
    limits_answer(&state)
}

/// Body: any of `{"rate_limit": "CALLS/SECONDS" | null, "concurrency_limit": K | null,
/// "headers": bool, "refusal": "429" | "409-json" | "409-text" | "409-xml" | "rotate",
/// "reset": true, "exhaust": true}`; see `limits::Limits::update`.
pub(super) async fn admin_set_limits(
    AxState(state): AxState<State>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = parse_body(&body)?;
    state
        .limits
        .update(&value)
        .map_err(|e| ApiError::app(StatusCode::BAD_REQUEST, "INVALID_REQUEST", e))?;
    Ok(limits_answer(&state))
}
