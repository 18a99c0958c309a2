//! The per-request middleware: latency, injected faults (before or after acting), the
//! request log, and the lenient variant's shaping of answers.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::extract::State as AxState;
use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use rand::Rng as _;
use serde_json::{json, Value};

use crate::{lock, Faults, State};

use super::{json_response, ApiError, BODY_LIMIT};

pub(super) enum Injected {
    Before(u16),
    LoseAfter,
    /// Act, then close the connection without any answer.
    CutAfter,
    None,
}

pub(super) fn decide_fault(faults: &mut Faults, is_admin: bool, is_pm_write: bool) -> Injected {
    if is_admin {
        return Injected::None;
    }
    match faults.fail_next.pop_front() {
        // a placeholder: no failure before acting (a `lose_next` still applies)
        Some(0) => {}
        Some(status) => return Injected::Before(status),
        None => {
            if faults.draws.hit(faults.fault_rate) {
                return Injected::Before(if faults.draws.hit(0.5) { 429 } else { 503 });
            }
        }
    }
    if is_pm_write {
        if faults.cut_next > 0 {
            faults.cut_next -= 1;
            return Injected::CutAfter;
        }
        if faults.lose_next > 0 {
            faults.lose_next -= 1;
            return Injected::LoseAfter;
        }
        if faults.draws.hit(faults.lost_response_rate) {
            return Injected::LoseAfter;
        }
        if faults.draws.hit(faults.cut_connection_rate) {
            return Injected::CutAfter;
        }
    }
    Injected::None
}

pub(super) fn injected_response(status: u16) -> Response {
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

/// An answer hyper cannot send: its body fails before its first byte, so hyper drops the
/// connection with nothing written (not even the status line), as a cut network does.
fn cut_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection cut (injected by qualys-pm-simulator after acting)",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// What goes into the request log for a body: JSON as JSON, `/auth` forms with the
/// password masked, anything else as text.
pub(super) fn loggable_body(path: &str, body: &Bytes) -> Value {
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

pub(super) async fn observe(
    AxState(state): AxState<State>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return ApiError::app(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            "Request body too large or unreadable",
        )
        .on_field("body")
        .into_response();
    };
    let line = RequestLine::of(&parts, bytes.clone(), started);
    let is_admin = line.path.starts_with("/_simulator/");
    // the controls meter every API call; `/auth` is exempt (as on the gateway)
    let metered = !is_admin && line.path != "/auth";
    let running = match metered.then(|| state.limits.admit()).transpose() {
        Ok(running) => running,
        Err(refused) => return logged(&state, &line, refused.into_response()),
    };
    let is_pm_write = line.path.starts_with("/pm/")
        && line.method != Method::GET
        && !crate::catalog::is_search(&line.path);
    let fate = Fate::decide(&state, is_admin, is_pm_write);
    if fate.latency_ms > 0 && !is_admin {
        tokio::time::sleep(Duration::from_millis(fate.latency_ms)).await;
    }
    fate.count(&state);
    let request_headers = parts.headers.clone();
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some(response) = act(&state, fate, next, request, is_pm_write).await else {
        drop(running);
        // logged with status 0: no answer left the server
        log_request(&state, &line, 0);
        return cut_connection();
    };
    let mut response = state
        .shaping
        .shape(&line.method, &line.path, &request_headers, response)
        .await;
    // this call stops running before its answer tells how many are
    drop(running);
    if metered {
        state
            .limits
            .add_headers(&state.limits.settings(), &mut response);
    }
    logged(&state, &line, response)
}

/// One request, as the log shows it.
struct RequestLine {
    method: Method,
    path: String,
    query: Option<String>,
    bytes: Bytes,
    user_agent: Option<String>,
    started: Instant,
}

impl RequestLine {
    fn of(parts: &Parts, bytes: Bytes, started: Instant) -> RequestLine {
        RequestLine {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            bytes,
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            started,
        }
    }
}

/// What a request meets on its way: a latency before it is handled, a delay before its
/// answer leaves, and the fault injected.
struct Fate {
    latency_ms: u64,
    answer_delay_ms: u64,
    injected: Injected,
}

impl Fate {
    fn decide(state: &State, is_admin: bool, is_pm_write: bool) -> Fate {
        let mut faults = lock(&state.faults);
        Fate {
            latency_ms: faults.latency_ms,
            answer_delay_ms: if is_pm_write {
                faults.answer_delay_ms
            } else {
                0
            },
            injected: decide_fault(&mut faults, is_admin, is_pm_write),
        }
    }

    /// Counts the injected fault in `/_simulator/stats`.
    fn count(&self, state: &State) {
        let counter = match self.injected {
            Injected::Before(_) => &state.faults_injected,
            Injected::LoseAfter => &state.responses_lost,
            Injected::CutAfter => &state.connections_cut,
            Injected::None => return,
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

/// The handler's answer under the injected fault: refused before acting, or acted and then
/// delayed, held, lost (504) or cut (`None`: the connection closes without an answer).
async fn act(
    state: &State,
    fate: Fate,
    next: Next,
    request: Request,
    is_pm_write: bool,
) -> Option<Response> {
    if let Injected::Before(status) = fate.injected {
        return Some(injected_response(status));
    }
    let response = with_json_error_body(next.run(request).await).await;
    if fate.answer_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fate.answer_delay_ms)).await;
    }
    if is_pm_write {
        // `hold_answers`: acted, the answer waits for the test's release
        let mut held = state.answers_held.subscribe();
        let _ = held.wait_for(|held| !*held).await;
    }
    match fate.injected {
        Injected::CutAfter => None,
        Injected::LoseAfter => Some(json_response(
            StatusCode::GATEWAY_TIMEOUT,
            json!({"status": 504, "error": "Gateway Timeout", "message": "response lost (injected by qualys-pm-simulator after acting)"}),
        )),
        _ => Some(response),
    }
}

/// A 4xx answer whose body is not JSON (an extractor's refusal, a framework default) gets
/// the `_error` body carrying its text, so that every 4xx has the JSON error body.
async fn with_json_error_body(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !response.status().is_client_error() || is_json {
        return response;
    }
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let message = match text.trim() {
        "" => status.canonical_reason().unwrap_or("Client error"),
        text => text,
    };
    ApiError::app(status, "INVALID_REQUEST", message).into_response()
}

/// Logs the answer (stderr, `--request-log`) and gives it back.
fn logged(state: &State, line: &RequestLine, response: Response) -> Response {
    log_request(state, line, response.status().as_u16());
    response
}

/// Logs a request and the status answered (0: none, the connection was cut).
fn log_request(state: &State, request: &RequestLine, status: u16) {
    let RequestLine {
        method,
        path,
        query,
        bytes,
        user_agent,
        started,
    } = request;
    let ms = started.elapsed().as_millis() as u64;
    let shown = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    eprintln!("{method} {shown} {status} {ms}ms");
    if let Some(log) = &state.request_log {
        let line = json!({"method": method.as_str(), "path": path, "query": query, "status": status, "body": loggable_body(path, bytes), "ms": ms, "user_agent": user_agent});
        let mut file = lock(log);
        let _ = writeln!(file, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost_writes(seed: u64, writes: usize) -> Vec<bool> {
        let mut faults = Faults {
            lost_response_rate: 0.2,
            draws: crate::FaultDraws::seeded(Some(seed)),
            ..Faults::default()
        };
        (0..writes)
            .map(|_| matches!(decide_fault(&mut faults, false, true), Injected::LoseAfter))
            .collect()
    }

    #[test]
    fn one_fault_seed_replays_one_sequence_of_faults() {
        assert_eq!(lost_writes(7, 200), lost_writes(7, 200));
        assert_ne!(lost_writes(7, 200), lost_writes(8, 200));
        let lost = lost_writes(7, 200).iter().filter(|l| **l).count();
        assert!((20..=60).contains(&lost), "20% of 200 writes: {lost}");
        // the seed tests/it/reliability.rs uses: its 20 jobs make over 40 writes
        let first_30 = lost_writes(10, 30).iter().filter(|l| **l).count();
        assert_eq!(first_30, 10, "seed 10 loses 10 of the first 30 writes");
    }
}
