//! `--variant`: which reading of the API's undocumented (INF) behaviours the simulator serves.
//!
//! `strict` (the default) is the reading described in `docs/simulator.md`: 201 / 200 with the
//! full job, per-item result arrays, 404 for a job that is gone, PATCH of an Enabled job
//! refused, `_error` JSON bodies, `Retry-After` in seconds. `lenient` answers with the other
//! plausible readings (`docs/api-readings.md`), rotating through them request by request so
//! that one run meets each of them:
//!
//! | point | lenient answers, in turn |
//! |---|---|
//! | create | 200 `{"id"}`; 201 `{"id"}`; 200 full job |
//! | update | 204 no body; 200 `{}`; 200 `{"id"}`; 200 full job |
//! | delete, status change | 204 no body; 200 `{"success":[ids],"failure":[{id,name,error}]}`; 200 `{"success":[{id,name}],"failure":[ids]}` |
//! | GET of a deleted job | 200, the job with `deletedBy.date` set (soft delete) |
//! | GET of an unknown ID | 400 "Invalid job id"; 422 "Job not found"; 404 plain text |
//! | PATCH of an unknown ID | 422 "Deployment job not found"; 400 "Invalid deploymentJobId" |
//! | PATCH of an Enabled recurring job | accepted (the job stays Enabled) |
//! | other 4xx errors (not 401, not the listing's 2501 cap) | `_error`; `{status,error,message}`; `{message}`; plain text |
//! | 502/503/504 | an HTML page from "the gateway" |
//! | 429 | `Retry-After` seconds; `Retry-After` HTTP date; `X-RateLimit-ToWait-Sec`; no hint |
//!
//! The shaping happens in the request middleware, on the strict answer the handlers give, so
//! the job logic is the same in both variants. A request with the header
//! `X-Simulator-Variant: strict` gets the strict answer shapes (test tooling that plays "a
//! person using the API" uses it). Soft-deleted jobs live in memory only (not in `--state`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::lock;

/// The header that asks for the strict answer shapes whatever the variant.
pub(crate) const STRICT_HEADER: &str = "x-simulator-variant";

/// Which reading of the undocumented behaviours the simulator serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Variant {
    /// The strict reading (documented in docs/simulator.md).
    #[default]
    Strict,
    /// The other plausible readings, in turn (docs/api-readings.md).
    Lenient,
}

/// Per-simulator state of the variant: rotation counters and soft-deleted jobs.
#[derive(Default)]
pub(crate) struct Shaping {
    pub variant: Variant,
    turns: [AtomicU64; 8],
    /// Lenient: deleted jobs as GET returns them (with `deletedBy.date`), by ID.
    buried: Mutex<BTreeMap<String, Value>>,
}

/// The rotation points (an index into `turns`).
#[derive(Clone, Copy)]
enum Point {
    Create,
    Update,
    Results,
    GetUnknown,
    PatchUnknown,
    ErrorBody,
    Throttle,
}

impl Shaping {
    pub(crate) fn new(variant: Variant) -> Self {
        Shaping {
            variant,
            ..Shaping::default()
        }
    }

    fn lenient(&self) -> bool {
        self.variant == Variant::Lenient
    }

    /// The next of `n` choices at `point`.
    fn turn(&self, point: Point, n: u64) -> u64 {
        self.turns[point as usize].fetch_add(1, Ordering::Relaxed) % n
    }

    /// Whether the answer to a request with `request_headers` takes the lenient shapes (the
    /// variant is lenient and the request does not ask for the strict ones).
    pub(crate) fn lenient_shapes(&self, request_headers: &HeaderMap) -> bool {
        self.lenient() && !wants_strict(request_headers)
    }

    /// Lenient: a PATCH of an Enabled recurring job is accepted (strict: refused with 400).
    pub(crate) fn accepts_patch_while_enabled(&self) -> bool {
        self.lenient()
    }

    /// Lenient: keeps a deleted job's record, so that GET answers it marked deleted.
    /// `render` (the job as GET shows it) is only called in that variant.
    pub(crate) fn bury(&self, id: &str, user: &Value, now_ms: u64, render: impl FnOnce() -> Value) {
        if !self.lenient() {
            return;
        }
        let mut job = render();
        if let Some(m) = job.as_object_mut() {
            m.insert(
                "deletedBy".into(),
                json!({"user": user, "date": now_ms.to_string()}),
            );
        }
        lock(&self.buried).insert(id.to_owned(), job);
    }

    /// Lenient: the summary records of the soft-deleted jobs, marked `deleted: true`; every
    /// other one also carries its `deletedBy` (a soft delete may leave the dates alone).
    /// Strict: none (a deleted job is not listed).
    pub(crate) fn buried_summaries(&self, summary: impl Fn(&Value) -> Value) -> Vec<Value> {
        if !self.lenient() {
            return Vec::new();
        }
        lock(&self.buried)
            .values()
            .enumerate()
            .map(|(i, job)| {
                let mut record = summary(job);
                if let Some(m) = record.as_object_mut() {
                    m.insert("deleted".into(), json!(true));
                    if i % 2 == 0 {
                        let deleted_by = job.get("deletedBy").cloned().unwrap_or(Value::Null);
                        m.insert("deletedBy".into(), deleted_by);
                    }
                }
                record
            })
            .collect()
    }

    /// The answer to send, shaped from the strict answer `response` to `method path`.
    pub(crate) async fn shape(
        &self,
        method: &Method,
        path: &str,
        request_headers: &HeaderMap,
        response: Response,
    ) -> Response {
        if !self.lenient_shapes(request_headers) || path.starts_with("/_simulator/") {
            return response;
        }
        let status = response.status();
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        let route = Route::of(method, path);
        let shaped = match (status.as_u16(), &route) {
            (200..=299, Route::Create) => body.map(|job| self.created(job)),
            (200..=299, Route::Update(_)) => body.map(|job| self.updated(job)),
            (200..=299, Route::Results) => body.map(|results| self.results(results)),
            (404, Route::Get(id)) => Some(self.get_gone(id)),
            (404, Route::Update(id)) => Some(self.patch_gone(id)),
            (401, _) => None, // the gateway's documented shape
            // the record cap's `_error.errorCode` "2501" is what the SDK reads: kept
            (400..=499, Route::List) => None,
            (429, _) => Some(self.throttled(parts.headers.clone())),
            (502..=504, _) => Some(gateway_page(status)),
            (400..=499, _) => body.map(|b| self.error_body(status, &b)),
            _ => None,
        };
        match shaped {
            Some(r) => r,
            None => {
                parts.headers.remove(header::CONTENT_LENGTH);
                Response::from_parts(parts, Body::from(bytes))
            }
        }
    }

    fn created(&self, job: Value) -> Response {
        let id = job.get("id").cloned().unwrap_or(Value::Null);
        match self.turn(Point::Create, 3) {
            0 => json_answer(StatusCode::OK, &json!({ "id": id })),
            1 => json_answer(StatusCode::CREATED, &json!({ "id": id })),
            _ => json_answer(StatusCode::OK, &job),
        }
    }

    fn updated(&self, job: Value) -> Response {
        let id = job.get("id").cloned().unwrap_or(Value::Null);
        match self.turn(Point::Update, 4) {
            0 => StatusCode::NO_CONTENT.into_response(),
            1 => json_answer(StatusCode::OK, &json!({})),
            2 => json_answer(StatusCode::OK, &json!({ "id": id })),
            _ => json_answer(StatusCode::OK, &job),
        }
    }

    /// The strict per-item array `[{id,name,status,error}]`, in another shape.
    fn results(&self, results: Value) -> Response {
        let items = results.as_array().cloned().unwrap_or_default();
        let (ok, failed): (Vec<Value>, Vec<Value>) = items
            .into_iter()
            .partition(|i| i.get("status").and_then(Value::as_str) == Some("success"));
        let id = |i: &Value| i.get("id").cloned().unwrap_or(Value::Null);
        let brief = |i: &Value, with_error: bool| {
            let mut o = json!({"id": id(i), "name": i.get("name").cloned().unwrap_or(Value::Null)});
            if with_error {
                o["error"] = i.get("error").cloned().unwrap_or(Value::Null);
            }
            o
        };
        match self.turn(Point::Results, 3) {
            0 => StatusCode::NO_CONTENT.into_response(),
            1 => json_answer(
                StatusCode::OK,
                &json!({
                    "success": ok.iter().map(id).collect::<Vec<_>>(),
                    "failure": failed.iter().map(|i| brief(i, true)).collect::<Vec<_>>(),
                }),
            ),
            _ => json_answer(
                StatusCode::OK,
                &json!({
                    "success": ok.iter().map(|i| brief(i, false)).collect::<Vec<_>>(),
                    "failure": failed.iter().map(id).collect::<Vec<_>>(),
                }),
            ),
        }
    }

    fn get_gone(&self, id: &str) -> Response {
        if let Some(job) = lock(&self.buried).get(id) {
            return json_answer(StatusCode::OK, job);
        }
        match self.turn(Point::GetUnknown, 3) {
            0 => app_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ID",
                &format!("Invalid job id: {id}"),
            ),
            1 => json_answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({"status": 422, "error": "Unprocessable Entity", "message": "Job not found"}),
            ),
            _ => text_answer(StatusCode::NOT_FOUND, "Not Found"),
        }
    }

    fn patch_gone(&self, id: &str) -> Response {
        match self.turn(Point::PatchUnknown, 2) {
            0 => app_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "JOB_NOT_FOUND",
                &format!("Deployment job {id} not found"),
            ),
            _ => json_answer(
                StatusCode::BAD_REQUEST,
                &json!({"message": "Invalid deploymentJobId"}),
            ),
        }
    }

    /// An `_error` body in one of the other shapes a tenant may use.
    fn error_body(&self, status: StatusCode, body: &Value) -> Response {
        let message = body
            .pointer("/_error/message")
            .or_else(|| body.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("Bad request")
            .to_owned();
        let reason = status.canonical_reason().unwrap_or("Error");
        match self.turn(Point::ErrorBody, 4) {
            0 => json_answer(status, body),
            1 => json_answer(
                status,
                &json!({"status": status.as_u16(), "error": reason, "message": message}),
            ),
            2 => json_answer(status, &json!({ "message": message })),
            _ => text_answer(status, &message),
        }
    }

    /// A 429 with the server's hint as one of `Retry-After` seconds, `Retry-After` date,
    /// `X-RateLimit-ToWait-Sec`, or none.
    fn throttled(&self, strict: HeaderMap) -> Response {
        let seconds = strict
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1);
        let mut response = json_answer(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({"status": 429, "error": "Too Many Requests", "message": "rate limit exceeded (injected by qualys-pm-simulator)"}),
        );
        let hint = match self.turn(Point::Throttle, 4) {
            0 => Some((header::RETRY_AFTER.as_str(), seconds.to_string())),
            1 => Some((
                header::RETRY_AFTER.as_str(),
                httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(seconds)),
            )),
            2 => Some(("x-ratelimit-towait-sec", seconds.to_string())),
            _ => None,
        };
        if let Some((name, value)) = hint {
            if let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

fn wants_strict(request_headers: &HeaderMap) -> bool {
    request_headers
        .get(STRICT_HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"strict"))
}

/// The routes whose answers the lenient variant reshapes.
enum Route {
    Create,
    Get(String),
    Update(String),
    Results,
    List,
    Other,
}

impl Route {
    fn of(method: &Method, path: &str) -> Route {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method.as_str(), segs.as_slice()) {
            ("POST", ["pm", "v1", "deploymentjob"]) => Route::Create,
            ("GET", ["pm", "v1", "deploymentjob", id]) => Route::Get((*id).to_owned()),
            ("PATCH", ["pm", "v1", "deploymentjob", "update", id]) => {
                Route::Update((*id).to_owned())
            }
            ("DELETE", ["pm", "v1", "deploymentjobs"])
            | ("POST", ["pm", "v1", "deploymentjobs", "update", "status", _]) => Route::Results,
            ("GET", ["pm", "v1", "deploymentjobs", "summary"] | ["pm", "v1", "deploymentjobs"]) => {
                Route::List
            }
            _ => Route::Other,
        }
    }
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
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

fn text_answer(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain;charset=UTF-8"),
        )],
        text.to_owned(),
    )
        .into_response()
}

fn app_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_answer(
        status,
        &json!({"_error": {"errorCode": code, "message": message}}),
    )
}

/// What a gateway in front of the API answers for 502/503/504: an HTML page.
fn gateway_page(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html"),
        )],
        format!(
            "<!DOCTYPE html>\r\n<html>\r\n<head><title>{title}</title>\r\n<style>body {{ font-family: sans-serif; }}</style></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>qualys-pm-simulator gateway</center>\r\n{}</body>\r\n</html>\r\n",
            "<!-- padding so that the page is not mistaken for a short message -->\r\n".repeat(8)
        ),
    )
        .into_response()
}
