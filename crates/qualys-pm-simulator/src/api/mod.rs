//! Routes of the simulator: the PM API subset, `/auth`, and the `/_simulator/` admin endpoints.
//! Here: the router, the response shapes and auth; the refusals (`error`), the job endpoints
//! (`job_routes`), the runs (`run_routes`), the patch catalog and assets (`catalog_routes`),
//! the admin endpoints (`admin`) and the per-request middleware (latency, faults, request
//! log: `observe`) one file each.

mod admin;
mod catalog_routes;
mod error;
mod job_routes;
mod observe;
mod run_routes;

use admin::{
    admin_edit_job, admin_expire_tokens, admin_get_faults, admin_get_limits, admin_jobs,
    admin_scripts, admin_set_faults, admin_set_limits, admin_stats, admin_tokens,
};
use job_routes::{create_job, delete_jobs, get_job, list_summary, set_status, update_job};
use observe::observe;
use run_routes::{admin_run_job, job_runs, result_summary};

use error::ApiError;

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{lock, now_ms, State};

/// Largest request body accepted (scripts are base64 inside JSON).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

pub(crate) fn router(state: State) -> Router {
    Router::new()
        .route("/auth", post(auth))
        .route("/pm/v1/deploymentjob", post(create_job))
        .route("/pm/v1/deploymentjob/{id}", get(get_job))
        .route("/pm/v1/deploymentjob/update/{id}", patch(update_job))
        // the job list without `/summary` (docs page get_deployment_job_list.htm): the same
        // records as the summary listing
        .route(
            "/pm/v1/deploymentjobs",
            axum::routing::delete(delete_jobs).get(list_summary),
        )
        .route(
            "/pm/v1/deploymentjobs/update/status/{status}",
            post(set_status),
        )
        .route("/pm/v1/deploymentjobs/summary", get(list_summary))
        .route("/pm/v1/deploymentjob/{id}/runs", get(job_runs))
        .route(
            "/pm/v1/deploymentjob/{id}/deploymentjobresult/summary",
            get(result_summary).post(result_summary),
        )
        .route("/_simulator/jobs/{id}/run", post(admin_run_job))
        .route("/_simulator/jobs", get(admin_jobs))
        .route("/_simulator/jobs/{id}", patch(admin_edit_job))
        .route("/_simulator/scripts", get(admin_scripts))
        .route(
            "/_simulator/faults",
            get(admin_get_faults).post(admin_set_faults),
        )
        .route("/_simulator/expire-tokens", post(admin_expire_tokens))
        .route("/_simulator/stats", get(admin_stats))
        .route("/_simulator/tokens", get(admin_tokens))
        .route(
            "/_simulator/limits",
            get(admin_get_limits).post(admin_set_limits),
        )
        .merge(catalog_routes::routes())
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
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

pub(super) fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed("Request body is missing"));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::malformed(format!("Malformed JSON request body: {e}")))
}

/// The stored job `id`, or PM's "not found" answer naming it.
pub(super) fn stored_job<'a>(
    store: &'a super::Store,
    id: &str,
) -> Result<&'a crate::jobs::StoredJob, ApiError> {
    store
        .jobs
        .get(id)
        .ok_or_else(|| ApiError::job_not_found(id))
}

/// As `stored_job`, to change it.
pub(super) fn stored_job_mut<'a>(
    store: &'a mut super::Store,
    id: &str,
) -> Result<&'a mut crate::jobs::StoredJob, ApiError> {
    store
        .jobs
        .get_mut(id)
        .ok_or_else(|| ApiError::job_not_found(id))
}

pub(super) fn persist_or_500(state: &State, store: &super::Store) -> Result<(), ApiError> {
    state.persist(store).map_err(|e| {
        eprintln!("qualys-pm-simulator: {e}");
        ApiError::app(StatusCode::INTERNAL_SERVER_ERROR, "STATE_WRITE_FAILED", e)
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

async fn auth(AxState(state): AxState<State>, body: Bytes) -> Result<Response, ApiError> {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let bad_request = |message| ApiError::Gateway {
        status: StatusCode::BAD_REQUEST,
        message,
    };
    if form.get("token").map(String::as_str) != Some("true") {
        return Err(bad_request("token=true is required"));
    }
    if form.get("permissions").is_some_and(|p| p != "true") {
        return Err(bad_request("permissions must be true"));
    }
    let ok = form.get("username") == Some(&state.options.username)
        && form.get("password") == Some(&state.options.password);
    if !ok {
        return Err(ApiError::unauthorized("Invalid username or password"));
    }
    let now = now_ms() / 1000;
    let claims = Claims {
        sub: state.options.username.clone(),
        iat: now,
        exp: now + state.options.token_ttl,
        generation: state.token_generation.load(Ordering::SeqCst),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let jwt = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&state.jwt_secret),
    )
    .map_err(|e| {
        ApiError::app(
            StatusCode::INTERNAL_SERVER_ERROR,
            "TOKEN_ERROR",
            format!("cannot sign token: {e}"),
        )
    })?;
    state.tokens_issued.fetch_add(1, Ordering::SeqCst);
    lock(&state.issued_tokens).push(jwt.clone());
    Ok((
        StatusCode::CREATED,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain;charset=UTF-8"),
        )],
        jwt,
    )
        .into_response())
}

pub(super) fn authorize(state: &State, headers: &HeaderMap) -> Result<(), ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::unauthorized("Not authenticated"))?;
    let token = value.strip_prefix("Bearer ").ok_or(ApiError::unauthorized(
        "Not authenticated: expected Authorization: Bearer <jwt>",
    ))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Claims>(
        token.trim(),
        &jsonwebtoken::DecodingKey::from_secret(&state.jwt_secret),
        &validation,
    )
    .map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::unauthorized("JWT expired"),
        _ => ApiError::unauthorized("Invalid token"),
    })?;
    if data.claims.generation != state.token_generation.load(Ordering::SeqCst) {
        return Err(ApiError::unauthorized("JWT expired"));
    }
    Ok(())
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::app(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

async fn not_found_route(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::app(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("No route for {method} {}", uri.path()),
    )
}
