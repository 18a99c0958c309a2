//! The subscription's API controls (`--rate-limit CALLS/SECONDS`, `--concurrency-limit K`):
//! a rolling window of admitted calls and a cap on calls running at once, shared by every API
//! endpoint (`/auth` and the admin endpoints exempt). A refused call is not counted. Answers
//! carry the gateway's headers; under `--variant lenient` a refusal may be one of the classic
//! API's 409 readings (`--limit-refusal`) and the headers may be left out (`--limit-headers`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::lock;

/// How a refused call is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Refusal {
    /// 429 with `X-RateLimit-ToWait-Sec` and an `_error` body (the gateway; strict).
    #[default]
    #[value(name = "429")]
    #[serde(rename = "429")]
    TooMany,
    /// 409 `{"_error": {"errorCode": "1965"|"1960", "message"}}`.
    #[value(name = "409-json")]
    #[serde(rename = "409-json")]
    ConflictJson,
    /// 409 with the message as plain text.
    #[value(name = "409-text")]
    #[serde(rename = "409-text")]
    ConflictText,
    /// 409 `<SIMPLE_RETURN>` XML with `<CODE>` and `SECONDS_TO_WAIT` / `CALLS_TO_FINISH`.
    #[value(name = "409-xml")]
    #[serde(rename = "409-xml")]
    ConflictXml,
    /// The four above, in turn.
    Rotate,
}

/// A rolling window: `calls` per `seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Rate {
    pub calls: u64,
    pub seconds: f64,
}

/// `CALLS/SECONDS`, e.g. `300/3600` or `30/15`.
pub(crate) fn parse_rate(text: &str) -> Result<Rate, String> {
    let (calls, seconds) = text.split_once('/').ok_or_else(|| {
        format!("--rate-limit must be CALLS/SECONDS, e.g. 300/3600, got {text:?}")
    })?;
    let calls: u64 = calls
        .trim()
        .parse()
        .map_err(|_| format!("--rate-limit: {calls:?} is not a number of calls"))?;
    let seconds: f64 = seconds
        .trim()
        .parse()
        .map_err(|_| format!("--rate-limit: {seconds:?} is not a number of seconds"))?;
    if calls == 0 || !(seconds.is_finite() && seconds > 0.0) {
        return Err(format!(
            "--rate-limit needs at least one call per a positive number of seconds, got {text:?}"
        ));
    }
    Ok(Rate { calls, seconds })
}

/// The controls as configured (command line, then `/_simulator/limits`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub rate_limit: Option<Rate>,
    pub concurrency_limit: Option<usize>,
    /// Control headers on the answers (lenient may turn them off).
    pub headers: bool,
    pub refusal: Refusal,
}

#[derive(Default)]
struct Meter {
    admitted: VecDeque<Instant>,
    running: usize,
    refused: u64,
    turn: u64,
}

/// The simulator's controls and their meter.
pub(crate) struct Limits {
    settings: Mutex<Settings>,
    meter: Mutex<Meter>,
}

/// A call admitted under the controls: counted as running until dropped.
pub(crate) struct Running<'a>(&'a Limits);

impl std::fmt::Debug for Running<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut m = lock(&self.0.meter);
        m.running = m.running.saturating_sub(1);
    }
}

impl Limits {
    pub(crate) fn new(settings: Settings) -> Limits {
        Limits {
            settings: Mutex::new(settings),
            meter: Mutex::new(Meter::default()),
        }
    }

    pub(crate) fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub(crate) fn refused(&self) -> u64 {
        lock(&self.meter).refused
    }

    /// Changes the settings at run time (`POST /_simulator/limits`): any of `rate_limit`
    /// (`"CALLS/SECONDS"` or null), `concurrency_limit` (K or null), `headers`, `refusal`;
    /// `reset: true` forgets the calls counted, `exhaust: true` fills the window now.
    pub(crate) fn update(&self, body: &Value) -> Result<Settings, String> {
        let mut settings = lock(&self.settings).clone();
        if let Some(v) = body.get("rate_limit") {
            settings.rate_limit = match v {
                Value::Null => None,
                Value::String(s) => Some(parse_rate(s)?),
                other => {
                    return Err(format!(
                        "rate_limit must be \"CALLS/SECONDS\" or null, got {other}"
                    ))
                }
            };
        }
        if let Some(v) = body.get("concurrency_limit") {
            settings.concurrency_limit = match v {
                Value::Null => None,
                v => Some(
                    v.as_u64()
                        .filter(|&k| k > 0)
                        .ok_or("concurrency_limit must be a positive number or null")?
                        as usize,
                ),
            };
        }
        if let Some(v) = body.get("headers") {
            settings.headers = v.as_bool().ok_or("headers must be true or false")?;
        }
        if let Some(v) = body.get("refusal") {
            settings.refusal = serde_json::from_value(v.clone()).map_err(|_| {
                "refusal must be one of \"429\", \"409-json\", \"409-text\", \"409-xml\", \"rotate\""
                    .to_owned()
            })?;
        }
        let mut meter = lock(&self.meter);
        if body.get("reset").and_then(Value::as_bool) == Some(true) {
            meter.admitted.clear();
        }
        if body.get("exhaust").and_then(Value::as_bool) == Some(true) {
            if let Some(rate) = settings.rate_limit {
                let now = Instant::now();
                while (meter.admitted.len() as u64) < rate.calls {
                    meter.admitted.push_back(now);
                }
            }
        }
        *lock(&self.settings) = settings.clone();
        Ok(settings)
    }

    /// Admits a call, or refuses it (the call is not counted).
    pub(crate) fn admit(&self) -> Result<Running<'_>, Refused> {
        let settings = self.settings();
        let now = Instant::now();
        let mut m = lock(&self.meter);
        if let Some(k) = settings.concurrency_limit {
            if m.running >= k {
                m.refused += 1;
                let running = m.running;
                drop(m);
                return Err(self.refusal(&settings, Exceeded::Concurrency { running }));
            }
        }
        if let Some(rate) = settings.rate_limit {
            let window = Duration::from_secs_f64(rate.seconds);
            prune(&mut m.admitted, now, window);
            if m.admitted.len() as u64 >= rate.calls {
                m.refused += 1;
                let wait = wait_secs(&m.admitted, now, window);
                drop(m);
                return Err(self.refusal(&settings, Exceeded::Rate { wait }));
            }
            m.admitted.push_back(now);
        }
        m.running += 1;
        Ok(Running(self))
    }

    /// The gateway's headers, as the meter stands now.
    pub(crate) fn add_headers(&self, settings: &Settings, response: &mut Response) {
        insert_headers(response, self.control_headers(settings));
    }

    fn control_headers(&self, settings: &Settings) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if !settings.headers {
            return headers;
        }
        let now = Instant::now();
        let mut m = lock(&self.meter);
        if let Some(rate) = settings.rate_limit {
            let window = Duration::from_secs_f64(rate.seconds);
            prune(&mut m.admitted, now, window);
            let remaining = rate.calls.saturating_sub(m.admitted.len() as u64);
            let to_wait = if remaining == 0 {
                wait_secs(&m.admitted, now, window)
            } else {
                0
            };
            headers.extend([
                ("x-ratelimit-limit", rate.calls.to_string()),
                ("x-ratelimit-window-sec", format_secs(rate.seconds)),
                ("x-ratelimit-remaining", remaining.to_string()),
                ("x-ratelimit-towait-sec", to_wait.to_string()),
            ]);
        }
        if let Some(k) = settings.concurrency_limit {
            headers.extend([
                ("x-concurrency-limit-limit", k.to_string()),
                ("x-concurrency-limit-running", m.running.to_string()),
            ]);
        }
        headers
    }

    /// The refusal of a call, in this turn's shape, with the headers as the meter stands.
    fn refusal(&self, settings: &Settings, exceeded: Exceeded) -> Refused {
        let shape = match settings.refusal {
            Refusal::Rotate => {
                let mut m = lock(&self.meter);
                m.turn += 1;
                [
                    Refusal::TooMany,
                    Refusal::ConflictJson,
                    Refusal::ConflictText,
                    Refusal::ConflictXml,
                ][(m.turn % 4) as usize]
            }
            other => other,
        };
        Refused {
            shape,
            exceeded,
            wait_header: settings.headers,
            control_headers: self.control_headers(settings),
        }
    }
}

/// Which control refused a call.
#[derive(Clone, Copy, Debug)]
enum Exceeded {
    /// The rolling window is full for `wait` more seconds.
    Rate { wait: u64 },
    /// `running` calls are running.
    Concurrency { running: usize },
}

/// A call refused under the controls; answered in its shape (never `Rotate`: the turn's
/// shape is chosen when refusing).
#[derive(Debug)]
pub(crate) struct Refused {
    shape: Refusal,
    exceeded: Exceeded,
    /// The 429 carries its own `X-RateLimit-ToWait-Sec` when headers are on.
    wait_header: bool,
    control_headers: Vec<(&'static str, String)>,
}

impl Refused {
    /// The classic API's code, message and `<ITEM>` for this refusal.
    fn classic(&self) -> (&'static str, String, (&'static str, String)) {
        match self.exceeded {
            Exceeded::Rate { wait: n } => (
                "1965",
                format!("This API cannot be run again for another {n} seconds."),
                ("SECONDS_TO_WAIT", n.to_string()),
            ),
            Exceeded::Concurrency { running } => (
                "1960",
                format!("This API cannot be run again until {running} currently running instance(s) have finished."),
                ("CALLS_TO_FINISH", running.to_string()),
            ),
        }
    }

    /// The gateway's 429, strict's only refusal.
    fn too_many(&self) -> Response {
        let message = match self.exceeded {
            Exceeded::Rate { wait: n } => format!(
                "API rate limit exceeded: this API cannot be run again for another {n} seconds"
            ),
            Exceeded::Concurrency { .. } => "Concurrency limit exceeded".to_owned(),
        };
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json!({"_error": {"errorCode": "429", "message": message}}).to_string(),
        )
            .into_response();
        if let (Exceeded::Rate { wait: n }, true) = (self.exceeded, self.wait_header) {
            r.headers_mut().insert(
                HeaderName::from_static("x-ratelimit-towait-sec"),
                HeaderValue::from(n),
            );
        }
        r
    }

    /// One of the classic API's 409 readings.
    fn conflict(&self) -> Response {
        let (code, message, item) = self.classic();
        let (content_type, body) = match self.shape {
            Refusal::ConflictJson => (
                "application/json",
                json!({"_error": {"errorCode": code, "message": message}}).to_string(),
            ),
            Refusal::ConflictText => ("text/plain;charset=UTF-8", message),
            _ => (
                "text/xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<SIMPLE_RETURN>\n  <RESPONSE>\n    <DATETIME>{}</DATETIME>\n    <CODE>{code}</CODE>\n    <TEXT>{message}</TEXT>\n    <ITEM_LIST>\n      <ITEM>\n        <KEY>{}</KEY>\n        <VALUE>{}</VALUE>\n      </ITEM>\n    </ITEM_LIST>\n  </RESPONSE>\n</SIMPLE_RETURN>\n",
                    httpdate::fmt_http_date(std::time::SystemTime::now()),
                    item.0,
                    item.1
                ),
            ),
        };
        (
            StatusCode::CONFLICT,
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response()
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut response = match self.shape {
            Refusal::TooMany | Refusal::Rotate => self.too_many(),
            Refusal::ConflictJson | Refusal::ConflictText | Refusal::ConflictXml => self.conflict(),
        };
        insert_headers(&mut response, self.control_headers);
        response
    }
}

fn insert_headers(response: &mut Response, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), v);
        }
    }
}

fn prune(admitted: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while admitted.front().is_some_and(|t| *t + window <= now) {
        admitted.pop_front();
    }
}

/// Whole seconds until the oldest counted call leaves the window (at least 1).
fn wait_secs(admitted: &VecDeque<Instant>, now: Instant, window: Duration) -> u64 {
    admitted
        .front()
        .map(|t| (*t + window).saturating_duration_since(now))
        .map_or(1, |d| d.as_secs_f64().ceil().max(1.0) as u64)
}

fn format_secs(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{}", seconds as u64)
    } else {
        format!("{seconds}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_parsed() {
        assert_eq!(
            parse_rate("300/3600"),
            Ok(Rate {
                calls: 300,
                seconds: 3600.0
            })
        );
        assert!(parse_rate("0/10").is_err());
        assert!(parse_rate("10").is_err());
        assert!(parse_rate("10/-1").is_err());
    }

    #[test]
    fn a_refused_call_is_not_counted_and_the_concurrency_refusal_comes_first() {
        let limits = Limits::new(Settings {
            rate_limit: Some(Rate {
                calls: 2,
                seconds: 60.0,
            }),
            concurrency_limit: Some(1),
            headers: true,
            refusal: Refusal::TooMany,
        });
        let first = limits.admit().expect("first");
        let busy = limits.admit().expect_err("one at a time").into_response();
        assert_eq!(busy.status(), StatusCode::TOO_MANY_REQUESTS);
        drop(first);
        let second = limits.admit().expect("the refused call was not counted");
        drop(second);
        let full = limits.admit().expect_err("two per minute").into_response();
        assert!(full.headers().get("x-ratelimit-towait-sec").is_some());
        assert_eq!(limits.refused(), 2);
    }
}
