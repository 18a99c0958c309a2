//! Routes of the simulator: the PM API subset, `/auth`, and the `/_simulator/` admin endpoints.

// Early returns carry a ready axum `Response`; boxing them buys nothing in a test server.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::jobs::{self, Invalid, StoredJob, Tenant};
use super::{lock, now_ms, Faults, State};

/// Largest request body accepted (scripts are base64 inside JSON).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// `extra`: routes served alongside, under the same middleware (the catalog's, from
/// `catalog_api`, which builds on this module's helpers).
pub fn router(state: State, extra: Router<State>) -> Router {
    Router::new()
        .route("/auth", post(auth))
        .route("/pm/v1/deploymentjob", post(create_job))
        .route("/pm/v1/deploymentjob/{id}", get(get_job))
        .route("/pm/v1/deploymentjob/update/{id}", patch(update_job))
        .route("/pm/v1/deploymentjobs", axum::routing::delete(delete_jobs))
        .route(
            "/pm/v1/deploymentjobs/update/status/{status}",
            post(set_status),
        )
        .route("/pm/v1/deploymentjobs/summary", get(list_summary))
        .route("/_simulator/jobs", get(admin_jobs))
        .route("/_simulator/scripts", get(admin_scripts))
        .route(
            "/_simulator/faults",
            get(admin_get_faults).post(admin_set_faults),
        )
        .route("/_simulator/expire-tokens", post(admin_expire_tokens))
        .route("/_simulator/stats", get(admin_stats))
        .route("/_simulator/tokens", get(admin_tokens))
        .merge(extra)
        .fallback(not_found_route)
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

// ---------- responses ----------

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// PM application error shape (as the SDK reads it): `{"_error": {"errorCode", "message"}}`.
pub(super) fn app_error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    field: Option<&str>,
) -> Response {
    let mut inner = json!({"errorCode": code, "message": message.into()});
    if let (Some(f), Some(m)) = (field, inner.as_object_mut()) {
        m.insert("field".into(), json!(f));
    }
    json_response(status, json!({"_error": inner}))
}

/// The PM listing cap (`--list-record-cap`, the real API's 10,000): `errorCode` "2501".
pub(super) fn record_cap_error(cap: usize) -> Response {
    app_error(
        StatusCode::BAD_REQUEST,
        "2501",
        format!("Patch Management APIs support fetching a maximum of {cap} records only"),
        None,
    )
}

fn invalid_response(e: Invalid) -> Response {
    app_error(
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
        format!("Invalid value for field '{}': {}", e.field, e.message),
        Some(&e.field),
    )
}

/// Gateway 401 shape.
fn unauthorized(message: &str) -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        json!({"status": 401, "error": "Unauthorized", "message": message}),
    )
}

fn job_not_found(id: &str) -> Response {
    app_error(
        StatusCode::NOT_FOUND,
        "JOB_NOT_FOUND",
        format!("Deployment job {id} not found"),
        None,
    )
}

pub(super) fn parse_body(body: &Bytes) -> Result<Value, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(app_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            "Request body is missing",
            Some("body"),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        app_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            format!("Malformed JSON request body: {e}"),
            Some("body"),
        )
    })
}

fn persist_or_500(state: &State, store: &super::Store) -> Result<(), Response> {
    state.persist(store).map_err(|e| {
        eprintln!("qualys-pm-simulator: {e}");
        app_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "STATE_WRITE_FAILED",
            e,
            None,
        )
    })
}

// ---------- auth ----------

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: u64,
    exp: u64,
    generation: u64,
    /// Unique per token (two tokens issued in the same second differ).
    jti: String,
}

async fn auth(AxState(state): AxState<State>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    if form.get("token").map(String::as_str) != Some("true") {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"status": 400, "error": "Bad Request", "message": "token=true is required"}),
        );
    }
    if form.get("permissions").is_some_and(|p| p != "true") {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"status": 400, "error": "Bad Request", "message": "permissions must be true"}),
        );
    }
    let ok = form.get("username") == Some(&state.options.username)
        && form.get("password") == Some(&state.options.password);
    if !ok {
        return unauthorized("Invalid username or password");
    }
    let now = now_ms() / 1000;
    let claims = Claims {
        sub: state.options.username.clone(),
        iat: now,
        exp: now + state.options.token_ttl,
        generation: state.token_generation.load(Ordering::SeqCst),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    match jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&state.jwt_secret),
    ) {
        Ok(jwt) => {
            state.tokens_issued.fetch_add(1, Ordering::SeqCst);
            lock(&state.issued_tokens).push(jwt.clone());
            (
                StatusCode::CREATED,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain;charset=UTF-8"),
                )],
                jwt,
            )
                .into_response()
        }
        Err(e) => app_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "TOKEN_ERROR",
            format!("cannot sign token: {e}"),
            None,
        ),
    }
}

pub(super) fn authorize(state: &State, headers: &HeaderMap) -> Result<(), Response> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("Not authenticated"))?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| unauthorized("Not authenticated: expected Authorization: Bearer <jwt>"))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Claims>(
        token.trim(),
        &jsonwebtoken::DecodingKey::from_secret(&state.jwt_secret),
        &validation,
    )
    .map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => unauthorized("JWT expired"),
        _ => unauthorized("Invalid token"),
    })?;
    if data.claims.generation != state.token_generation.load(Ordering::SeqCst) {
        return Err(unauthorized("JWT expired"));
    }
    Ok(())
}

// ---------- jobs ----------

fn tenant<'a>(state: &'a State) -> Tenant<'a> {
    Tenant {
        customer_id: &state.options.customer_id,
        user_id: &state.user_id,
        username: &state.options.username,
        now_ms: now_ms(),
        now: time::OffsetDateTime::now_utc(),
    }
}

async fn create_job(AxState(state): AxState<State>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut store = lock(&state.store);
    if let Err(e) = jobs::validate(&value, None, &*store) {
        return invalid_response(e);
    }
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
    };
    store.jobs.insert(id.clone(), stored);
    if let Err(r) = persist_or_500(&state, &store) {
        store.jobs.remove(&id);
        return r;
    }
    let Some(stored) = store.jobs.get(&id) else {
        return job_not_found(&id);
    };
    json_response(
        StatusCode::CREATED,
        jobs::render_write(stored, &*store, t.now_ms, state.options.prepared_after_ms),
    )
}

async fn get_job(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let store = lock(&state.store);
    match store.jobs.get(&id) {
        Some(stored) => json_response(
            StatusCode::OK,
            jobs::render_get(stored, &*store, now_ms(), state.options.prepared_after_ms),
        ),
        None => job_not_found(&id),
    }
}

async fn update_job(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut store = lock(&state.store);
    let existing = match store.jobs.get(&id) {
        Some(e) => e.clone(),
        None => return job_not_found(&id),
    };
    let now = now_ms();
    let current = existing.current_status(now, state.options.prepared_after_ms);
    let accepted = !existing.is_run_once() && state.shaping.accepts_patch_while_enabled();
    if current != "Disabled" && !accepted {
        let why = if existing.is_run_once() {
            "Run-once (On-demand or Once) jobs cannot be edited once enabled"
        } else {
            "Disable the job before editing it"
        };
        return app_error(
            StatusCode::BAD_REQUEST,
            "JOB_ENABLED",
            format!("Deployment job {id} is {current}: {why}"),
            Some("status"),
        );
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
            return app_error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                format!("Invalid value for field '{key}': cannot be changed from {was:?} on an existing job"),
                Some(key),
            );
        }
    }
    // Status is not changed by PATCH; validate the body as the job it would become.
    let mut checked = value.clone();
    if let Some(m) = checked.as_object_mut() {
        m.insert("status".into(), json!("Disabled"));
    }
    if let Err(e) = jobs::validate(&checked, Some(&id), &*store) {
        return invalid_response(e);
    }
    let t = tenant(&state);
    let (job, rules) = jobs::normalise(&value, Some(&existing), &t, &id, &mut store.scripts);
    let updated = StoredJob {
        seq: existing.seq,
        job,
        chained_job_rule: rules,
        enabled_at_ms: existing.enabled_at_ms,
    };
    store.jobs.insert(id.clone(), updated);
    if let Err(r) = persist_or_500(&state, &store) {
        store.jobs.insert(id.clone(), existing);
        return r;
    }
    let Some(stored) = store.jobs.get(&id) else {
        return job_not_found(&id);
    };
    json_response(
        StatusCode::OK,
        jobs::render_write(stored, &*store, t.now_ms, state.options.prepared_after_ms),
    )
}

fn ids_of(value: &Value) -> Result<Vec<String>, Response> {
    let ids = value.get("ids").and_then(Value::as_array).ok_or_else(|| {
        app_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "Invalid value for field 'ids': an array of job IDs is required",
            Some("ids"),
        )
    })?;
    if ids.is_empty() {
        return Err(app_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "Invalid value for field 'ids': at least one job ID is required",
            Some("ids"),
        ));
    }
    ids.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                app_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    format!("Invalid value for field 'ids': {v} is not a job ID"),
                    Some("ids"),
                )
            })
        })
        .collect()
}

async fn delete_jobs(AxState(state): AxState<State>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let ids = match parse_body(&body).and_then(|v| ids_of(&v)) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let mut store = lock(&state.store);
    let mut results = Vec::new();
    let mut removed = Vec::new();
    for id in ids {
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
        if let Err(r) = persist_or_500(&state, &store) {
            for job in removed {
                store.jobs.insert(job.id().to_owned(), job);
            }
            return r;
        }
    }
    json_response(StatusCode::OK, Value::Array(results))
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

async fn set_status(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(target): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    if target != "Enabled" && target != "Disabled" {
        return app_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            format!(
                "Invalid value for field 'status': must be Enabled or Disabled, got {target:?}"
            ),
            Some("status"),
        );
    }
    let ids = match parse_body(&body).and_then(|v| ids_of(&v)) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let now = now_ms();
    let mut store = lock(&state.store);
    let before = store.jobs.clone();
    let mut results = Vec::new();
    for id in ids {
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
    if let Err(r) = persist_or_500(&state, &store) {
        store.jobs = before;
        return r;
    }
    json_response(StatusCode::OK, Value::Array(results))
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

async fn list_summary(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let bad = |field: &str, m: String| {
        app_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            format!("Invalid value for field '{field}': {m}"),
            Some(field),
        )
    };
    let platform = q.get("platform").cloned();
    if let Some(p) = &platform {
        if p != "Windows" && p != "Linux" {
            return bad("platform", format!("must be Windows or Linux, got {p:?}"));
        }
    }
    let page: usize = match q.get("pageNumber").map(|s| s.parse()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return bad("pageNumber", "must be a number from 0".into()),
    };
    let size: usize = match q.get("pageSize").map(|s| s.parse()) {
        None => 10,
        Some(Ok(n)) if (1..=10_000).contains(&n) => n,
        _ => return bad("pageSize", "must be between 1 and 10000".into()),
    };
    let mut terms = match q.get("filter").map(|f| parse_filter(f)) {
        None => Vec::new(),
        Some(Ok(t)) => t,
        Some(Err(e)) => return bad("filter", e),
    };
    if let Some(name) = q.get("name") {
        terms.push(Term {
            field: "name".into(),
            value: name.clone(),
            exact: true,
        });
    }
    let now = now_ms();
    let store = lock(&state.store);
    let all = <super::Store as jobs::JobLookupAll>::all(&store);
    let matching: Vec<Value> = all
        .into_iter()
        .map(|j| jobs::summary(j, now, state.options.prepared_after_ms))
        .filter(|s| {
            platform
                .as_deref()
                .is_none_or(|p| s.get("platform").and_then(Value::as_str) == Some(p))
        })
        .filter(|s| {
            terms.iter().all(|t| {
                let v = s.get(&t.field).and_then(Value::as_str).unwrap_or_default();
                if t.exact {
                    v == t.value
                } else {
                    v.to_lowercase().contains(&t.value.to_lowercase())
                }
            })
        })
        .collect();
    if page.saturating_mul(size) >= state.options.list_record_cap {
        return record_cap_error(state.options.list_record_cap);
    }
    let page_items: Vec<Value> = matching
        .into_iter()
        .skip(page.saturating_mul(size))
        .take(size)
        .collect();
    json_response(StatusCode::OK, Value::Array(page_items))
}

async fn not_found_route(method: Method, uri: axum::http::Uri) -> Response {
    app_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("No route for {method} {}", uri.path()),
        None,
    )
}

// ---------- admin ----------

async fn admin_jobs(AxState(state): AxState<State>) -> Response {
    let store = lock(&state.store);
    let all: Vec<Value> = <super::Store as jobs::JobLookupAll>::all(&store)
        .into_iter()
        .map(|j| serde_json::to_value(j).unwrap_or(Value::Null))
        .collect();
    json_response(StatusCode::OK, Value::Array(all))
}

async fn admin_scripts(AxState(state): AxState<State>) -> Response {
    let store = lock(&state.store);
    json_response(
        StatusCode::OK,
        serde_json::to_value(&store.scripts).unwrap_or(Value::Null),
    )
}

async fn admin_get_faults(AxState(state): AxState<State>) -> Response {
    let faults = lock(&state.faults).clone();
    json_response(
        StatusCode::OK,
        serde_json::to_value(faults).unwrap_or(Value::Null),
    )
}

/// Body: any of `{"fault_rate", "lost_response_rate", "latency_ms", "fail_next": [429, 0, 503], "lose_next": N}`
/// (`fail_next`: statuses for the next requests in order, 0 = no failure before acting for
/// that one, though a `lose_next` still applies to it).
async fn admin_set_faults(AxState(state): AxState<State>, body: Bytes) -> Response {
    let value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
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
    if let Some(ms) = value.get("answer_delay_ms").and_then(Value::as_u64) {
        faults.answer_delay_ms = ms;
    }
    json_response(
        StatusCode::OK,
        serde_json::to_value(faults.clone()).unwrap_or(Value::Null),
    )
}

async fn admin_expire_tokens(AxState(state): AxState<State>) -> Response {
    state.token_generation.fetch_add(1, Ordering::SeqCst);
    json_response(StatusCode::OK, json!({"expired": true}))
}

/// Every JWT issued so far, for tests that check that no output ever shows one.
async fn admin_tokens(AxState(state): AxState<State>) -> Response {
    json_response(StatusCode::OK, json!(lock(&state.issued_tokens).clone()))
}

async fn admin_stats(AxState(state): AxState<State>) -> Response {
    let jobs = lock(&state.store).jobs.len();
    json_response(
        StatusCode::OK,
        json!({
            "jobs": jobs,
            "tokens_issued": state.tokens_issued.load(Ordering::SeqCst),
            "faults_injected": state.faults_injected.load(Ordering::SeqCst),
            "responses_lost": state.responses_lost.load(Ordering::SeqCst),
        }),
    )
}

// ---------- per-request middleware: latency, faults, logs ----------

enum Injected {
    Before(u16),
    LoseAfter,
    None,
}

fn decide_fault(faults: &mut Faults, is_admin: bool, is_pm_write: bool) -> Injected {
    if is_admin {
        return Injected::None;
    }
    let mut rng = rand::rng();
    match faults.fail_next.pop_front() {
        // a placeholder: no failure before acting (a `lose_next` still applies)
        Some(0) => {}
        Some(status) => return Injected::Before(status),
        None => {
            if faults.fault_rate > 0.0 && rng.random_bool(faults.fault_rate.clamp(0.0, 1.0)) {
                return Injected::Before(if rng.random_bool(0.5) { 429 } else { 503 });
            }
        }
    }
    if is_pm_write {
        if faults.lose_next > 0 {
            faults.lose_next -= 1;
            return Injected::LoseAfter;
        }
        if faults.lost_response_rate > 0.0
            && rng.random_bool(faults.lost_response_rate.clamp(0.0, 1.0))
        {
            return Injected::LoseAfter;
        }
    }
    Injected::None
}

fn injected_response(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = json_response(
        code,
        json!({"status": status, "error": code.canonical_reason().unwrap_or("Injected fault"), "message": "fault injected by qualys-pm-simulator"}),
    );
    if status == 429 {
        let wait = if rand::rng().random_bool(0.5) {
            "0"
        } else {
            "1"
        };
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(wait));
    }
    response
}

/// What goes into the request log for a body: JSON as JSON, `/auth` forms with the
/// password masked, anything else as text.
fn loggable_body(path: &str, body: &Bytes) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    if path == "/auth" {
        let form: serde_json::Map<String, Value> = url::form_urlencoded::parse(body)
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), Value::String(v))
            })
            .collect();
        return Value::Object(form);
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn observe(AxState(state): AxState<State>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let user_agent = request
        .headers()
        .get(axum::http::header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let (parts, body) = request.into_parts();
    let request_headers = parts.headers.clone();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return app_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BODY_TOO_LARGE",
                "Request body too large or unreadable",
                Some("body"),
            )
        }
    };
    let is_admin = path.starts_with("/_simulator/");
    let is_pm_write =
        path.starts_with("/pm/") && method != Method::GET && !super::catalog::is_search(&path);
    let (latency, answer_delay, injected) = {
        let mut faults = lock(&state.faults);
        (
            faults.latency_ms,
            if is_pm_write {
                faults.answer_delay_ms
            } else {
                0
            },
            decide_fault(&mut faults, is_admin, is_pm_write),
        )
    };
    if latency > 0 && !is_admin {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match injected {
        Injected::Before(_) => state.faults_injected.fetch_add(1, Ordering::SeqCst),
        Injected::LoseAfter => state.responses_lost.fetch_add(1, Ordering::SeqCst),
        Injected::None => 0,
    };
    let response = match injected {
        Injected::Before(status) => injected_response(status),
        other => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes.clone())))
                .await;
            if answer_delay > 0 {
                tokio::time::sleep(Duration::from_millis(answer_delay)).await;
            }
            if matches!(other, Injected::LoseAfter) {
                json_response(
                    StatusCode::GATEWAY_TIMEOUT,
                    json!({"status": 504, "error": "Gateway Timeout", "message": "response lost (injected by qualys-pm-simulator after acting)"}),
                )
            } else {
                response
            }
        }
    };
    let response = state
        .shaping
        .shape(&method, &path, &request_headers, response)
        .await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis() as u64;
    let shown = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    eprintln!("{method} {shown} {status} {ms}ms");
    if let Some(log) = &state.request_log {
        let line = json!({"method": method.as_str(), "path": path, "query": query, "status": status, "body": loggable_body(&path, &bytes), "ms": ms, "user_agent": user_agent});
        let mut file = lock(log);
        let _ = writeln!(file, "{line}");
    }
    response
}
