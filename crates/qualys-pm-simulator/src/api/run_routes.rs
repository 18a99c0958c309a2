//! Job runs: `GET /pm/v1/deploymentjob/{id}/runs`, the result summary of a run (POST under
//! the strict variant, GET under lenient; the other method is 405), `POST
//! /_simulator/jobs/{id}/run`, and the hooks that make jobs run (enabling an On-demand job;
//! a scheduled time passing, caught up whenever runs or summaries are read).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::jobs::{self, StoredJob};
use crate::runs::{self, OutcomeSpec, Page};
use crate::variant::{Variant, STRICT_HEADER};
use crate::{lock, now_ms, State, Store};

use super::{authorize, json_response, persist_or_500, stored_job, ApiError};

/// Largest page of a result summary's `assets`; without `pageSize`, 10 (the SDK's default).
const MAX_RESULT_PAGE: usize = 1_000;
const DEFAULT_RESULT_PAGE: usize = 10;

fn lenient(state: &State, headers: &HeaderMap) -> bool {
    let strict_asked = headers
        .get(STRICT_HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"strict"));
    state.options.variant == Variant::Lenient && !strict_asked
}

/// A job just enabled: scheduled times from now on run; an On-demand job runs at once
/// (every asset succeeds).
pub(super) fn on_enabled(state: &State, store: &mut Store, id: &str, now: u64) {
    let catalog = state.catalog();
    let Store {
        jobs,
        last_job_instance,
        ..
    } = store;
    let Some(stored) = jobs.get_mut(id) else {
        return;
    };
    stored.runs_checked_ms = Some(now);
    if stored.schedule_type() == "On-demand" {
        runs::record(
            stored,
            last_job_instance,
            now,
            &OutcomeSpec::default(),
            &catalog,
        );
    }
}

/// Runs every Enabled Once or recurring job at each of its scheduled times that passed since
/// it was last looked at while the simulator ran (every asset succeeds). True if any ran.
pub(super) fn catch_up(state: &State, store: &mut Store, now: u64) -> bool {
    let mut catalog = None;
    let Store {
        jobs,
        last_job_instance,
        ..
    } = store;
    let mut ran = false;
    for stored in jobs.values_mut() {
        if stored.stored_status() != "Enabled" || stored.schedule_type() == "On-demand" {
            continue;
        }
        let after = stored
            .runs_checked_ms
            .or(stored.enabled_at_ms)
            .unwrap_or(now)
            .max(state.started_ms);
        stored.runs_checked_ms = Some(now);
        for at in jobs::occurrences(&stored.job, after, now) {
            let catalog = catalog.get_or_insert_with(|| state.catalog());
            runs::record(
                stored,
                last_job_instance,
                at,
                &OutcomeSpec::default(),
                catalog,
            );
            ran = true;
        }
    }
    ran
}

/// Catches the schedules up and persists what ran.
fn caught_up(state: &State, store: &mut Store) -> Result<(), ApiError> {
    if catch_up(state, store, now_ms()) {
        persist_or_500(state, store)?;
    }
    Ok(())
}

pub(super) async fn job_runs(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let mut store = lock(&state.store);
    caught_up(&state, &mut store)?;
    let stored = stored_job(&store, &id)?;
    Ok(json_response(
        StatusCode::OK,
        runs::render_runs(stored, lenient(&state, &headers)),
    ))
}

fn number<T: std::str::FromStr>(
    q: &HashMap<String, String>,
    key: &str,
    message: &str,
) -> Result<Option<T>, ApiError> {
    q.get(key)
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| ApiError::invalid(key, message))
        })
        .transpose()
}

/// Lenient: a job that never ran answers, in turn, `[]` and an object with no `assets`.
static NEVER_RAN_TURN: AtomicUsize = AtomicUsize::new(0);

fn never_ran(stored: &StoredJob, lenient: bool) -> Result<Response, ApiError> {
    if !lenient {
        return Err(ApiError::app(
            StatusCode::NOT_FOUND,
            "NO_JOB_RUN",
            format!("Deployment job {} has no run", stored.id()),
        ));
    }
    Ok(match NEVER_RAN_TURN.fetch_add(1, Ordering::Relaxed) % 2 {
        0 => json_response(StatusCode::OK, json!([])),
        _ => json_response(
            StatusCode::OK,
            json!({"id": stored.id(), "name": stored.job.get("name"), "assetCount": 0, "patchCount": 0, "assets": []}),
        ),
    })
}

/// The result summary's `jobInstanceId` (none: the latest run), page number and size.
fn result_query(q: &HashMap<String, String>) -> Result<(Option<u64>, usize, usize), ApiError> {
    let instance = number::<u64>(q, "jobInstanceId", "must be a job instance ID (a number)")?;
    let number_of = number::<usize>(q, "pageNumber", "must be a number from 0")?;
    let size = number::<usize>(q, "pageSize", "must be between 1 and 1000")?;
    if size.is_some_and(|s| !(1..=MAX_RESULT_PAGE).contains(&s)) {
        return Err(ApiError::invalid("pageSize", "must be between 1 and 1000"));
    }
    Ok((
        instance,
        number_of.unwrap_or(0),
        size.unwrap_or(DEFAULT_RESULT_PAGE),
    ))
}

/// `.../deploymentjob/{id}/deploymentjobresult/summary?jobInstanceId=&pageSize=&pageNumber=`.
pub(super) async fn result_summary(
    AxState(state): AxState<State>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let lenient = lenient(&state, &headers);
    let served = if lenient { Method::GET } else { Method::POST };
    if method != served {
        // the other reading's method, answered as any path answers a method it lacks
        return Err(ApiError::app(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("{method} is not allowed on this path"),
        ));
    }
    let (instance, page, size) = result_query(&q)?;
    let mut store = lock(&state.store);
    caught_up(&state, &mut store)?;
    let stored = stored_job(&store, &id)?;
    let Some(run) = jobs::find_run(stored, instance) else {
        return match instance {
            Some(i) => Err(ApiError::app(
                StatusCode::NOT_FOUND,
                "NO_JOB_RUN",
                format!("Deployment job {id} has no run {i}"),
            )),
            None => never_ran(stored, lenient),
        };
    };
    let page = Page { number: page, size };
    let catalog = state.catalog();
    Ok(json_response(
        StatusCode::OK,
        runs::render_result(
            stored,
            run,
            &catalog,
            &state.options.username,
            &page,
            lenient,
        ),
    ))
}

/// `POST /_simulator/jobs/{id}/run`: runs the job now, whatever its status, with the
/// outcomes the body asks for (`{"failed", "pending", "failed_action", "pending_reboot",
/// "assets": {id: outcome}}`, all optional); answers the run recorded.
pub(super) async fn admin_run_job(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let spec: OutcomeSpec = if body.iter().all(u8::is_ascii_whitespace) {
        OutcomeSpec::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::app(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                format!("the body must be an outcome spec: {e}"),
            )
        })?
    };
    let catalog = state.catalog();
    let mut store = lock(&state.store);
    let before = store.clone();
    let Store {
        jobs,
        last_job_instance,
        ..
    } = &mut *store;
    let stored = jobs
        .get_mut(&id)
        .ok_or_else(|| ApiError::job_not_found(&id))?;
    let run = runs::record(stored, last_job_instance, now_ms(), &spec, &catalog);
    if let Err(e) = persist_or_500(&state, &store) {
        *store = before;
        return Err(e);
    }
    Ok(json_response(
        StatusCode::OK,
        serde_json::to_value(run).unwrap_or(Value::Null),
    ))
}
