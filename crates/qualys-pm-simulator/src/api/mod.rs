//! Routes of the simulator: the PM API subset, `/auth`, and the `/_simulator/` admin endpoints.
//! Here: the router, the response shapes and auth; the job endpoints (`jobs`), the admin
//! endpoints (`admin`) and the per-request middleware (latency, faults, request log:
//! `observe`) one file each.

// Early returns carry a ready axum `Response`; boxing them buys nothing in a test server.
#![allow(clippy::result_large_err)]

mod admin;
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

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::jobs::Invalid;
use super::{lock, now_ms, State};

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
        .merge(extra)
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

pub(super) fn job_not_found(id: &str) -> Response {
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

pub(super) fn persist_or_500(state: &State, store: &super::Store) -> Result<(), Response> {
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

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> Response {
    app_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("{method} is not allowed on {}", uri.path()),
        None,
    )
}

async fn not_found_route(method: Method, uri: axum::http::Uri) -> Response {
    app_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("No route for {method} {}", uri.path()),
        None,
    )
}
