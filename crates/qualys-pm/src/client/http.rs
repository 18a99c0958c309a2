//! One API call: the request with auth, through the client's API budget (refusals under the
//! subscription's controls wait at its gate), the retry policy for faults (capped exponential
//! backoff with jitter, or what the server asks), and the answer as status, headers and text.

use std::time::{Duration, Instant, SystemTime};

use rand::Rng as _;
use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::Method;
use serde_json::Value;
use url::Url;

use crate::error::Operation;
use crate::{Credentials, Error};

use super::budget::TooLong;
use super::error_body::{redact, server_message, truncate};
use super::Client;

/// Longest wait between two attempts, whatever the backoff or the server asks.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// One API call, described once so it can be sent again.
pub(crate) struct Call<'a> {
    pub(crate) op: Operation,
    pub(crate) job_id: Option<&'a str>,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Value>,
    /// Extra request headers (e.g. a paging cursor).
    pub(crate) headers: Vec<(&'static str, String)>,
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
}

/// An attempt that got no answer.
struct Unanswered {
    /// The connection failed before the request went out: the server cannot have acted.
    before_sending: bool,
    message: String,
}

/// How far the retry policy has gone with one call.
#[derive(Default)]
struct Tries {
    /// Retries of faults so far (refusals under the controls and the re-authentication are
    /// not counted).
    attempt: u32,
    reauthenticated: bool,
}

/// What follows an attempt.
enum Next {
    Again,
    /// The token was refused: forget it (the next attempt fetches another) and go again.
    Reauthenticate,
    Done(Result<Reply, Error>),
}

/// The budget's "the wait is too long" as the call's error.
fn rate_limited(call: &Call<'_>, t: TooLong) -> Error {
    Error::RateLimited {
        operation: call.op,
        job_id: call.job_id.map(str::to_owned),
        limit: t.kind,
        window: t.window,
        wait: t.wait,
        until: t.until,
        max_wait: t.max_wait,
    }
}

impl Client {
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends a call with auth and the retry policy; returns the final answer, whatever its
    /// status, or an error when no usable answer came.
    pub(crate) async fn execute(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let mut tries = Tries::default();
        loop {
            // the shared budget: waiting here is not an attempt
            let mut admission = self
                .budget
                .admit()
                .await
                .map_err(|t| rate_limited(call, t))?;
            // the token is taken once admitted: one taken before a long wait at the gate
            // could expire on the way (a 401 again after the one re-authentication)
            let jwt = self.bearer().await?;
            let started = Instant::now();
            let outcome = self.send(call, &jwt.0).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let next = match outcome {
                Err(failure) => {
                    drop(admission);
                    tracing::debug!(method = %call.method, path = call.url.path(), elapsed_ms, error = %failure.message, "Qualys API request failed");
                    self.after_unanswered(call, failure, &mut tries).await
                }
                Ok(reply) => {
                    let status = reply.status;
                    tracing::debug!(method = %call.method, path = call.url.path(), status, elapsed_ms, "Qualys API request");
                    // a refusal under the subscription's controls: the server did not act, so
                    // the call (even a create) goes again once the shared gate opens
                    let refused = admission
                        .answered(status, &reply.headers, &reply.text)
                        .map_err(|t| rate_limited(call, t))?;
                    drop(admission);
                    if let Some(refusal) = refused {
                        tracing::debug!(method = %call.method, path = call.url.path(), status, limit = ?refusal.kind, wait_ms = refusal.wait.map(|w| w.as_millis() as u64), "Qualys API refused the request under its controls");
                        continue;
                    }
                    self.after_answer(call, reply, &mut tries).await
                }
            };
            match next {
                Next::Again => continue,
                Next::Reauthenticate => self.forget_token(&jwt).await,
                Next::Done(result) => return result,
            }
        }
    }

    /// One attempt: the request with the bearer token, and the answer read in full.
    async fn send(&self, call: &Call<'_>, token: &str) -> Result<Reply, Unanswered> {
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .bearer_auth(token)
            .header(ACCEPT, "application/json");
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(|e| Unanswered {
            before_sending: e.is_connect(),
            message: describe_transport(&e),
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(|e| Unanswered {
            before_sending: false,
            message: describe_transport(&e),
        })?;
        Ok(Reply {
            status,
            headers,
            text,
        })
    }

    /// No answer came: sent again after a backoff while retries remain, except a create
    /// that may have reached the server (it could make the job twice).
    async fn after_unanswered(
        &self,
        call: &Call<'_>,
        failure: Unanswered,
        tries: &mut Tries,
    ) -> Next {
        let is_create = call.op == Operation::CreateJob;
        let may_retry = !is_create || failure.before_sending;
        if may_retry && tries.attempt < self.max_retries {
            self.pause(tries.attempt, None).await;
            tries.attempt += 1;
            return Next::Again;
        }
        Next::Done(Err(if is_create && !failure.before_sending {
            Error::CreateOutcomeUnknown {
                status: None,
                message: failure.message,
            }
        } else {
            Error::Transport {
                operation: call.op,
                job_id: call.job_id.map(str::to_owned),
                message: failure.message,
            }
        }))
    }

    /// An answer the budget let through: a 401 re-authenticates once, a gateway fault (502
    /// to 504) is retried unless the call is a create (its outcome is then unknown); any
    /// other answer is the call's.
    async fn after_answer(&self, call: &Call<'_>, reply: Reply, tries: &mut Tries) -> Next {
        let is_create = call.op == Operation::CreateJob;
        if reply.status == 401
            && !tries.reauthenticated
            && matches!(self.credentials, Credentials::Password { .. })
        {
            // The token expired or was revoked: fetch a new one, once per request.
            tries.reauthenticated = true;
            return Next::Reauthenticate;
        }
        let transient = matches!(reply.status, 502..=504);
        let retryable = transient && !is_create;
        if retryable && tries.attempt < self.max_retries {
            self.pause(tries.attempt, Some(&reply.headers)).await;
            tries.attempt += 1;
            return Next::Again;
        }
        if is_create && transient {
            let (_, message) = server_message(&reply.text);
            return Next::Done(Err(Error::CreateOutcomeUnknown {
                status: Some(reply.status),
                message: redact(&message),
            }));
        }
        Next::Done(Ok(reply))
    }

    pub(crate) async fn pause(&self, attempt: u32, headers: Option<&HeaderMap>) {
        let delay = headers
            .and_then(server_retry_hint)
            .unwrap_or_else(|| backoff(self.retry_base_delay, attempt));
        tracing::debug!(
            attempt = attempt + 1,
            delay_ms = delay.as_millis() as u64,
            "retrying Qualys API request"
        );
        tokio::time::sleep(delay).await;
    }

    pub(crate) fn api_error(&self, call: &Call<'_>, reply: &Reply) -> Error {
        let (code, message) = server_message(&reply.text);
        Error::Api {
            operation: call.op,
            job_id: call.job_id.map(str::to_owned),
            status: reply.status,
            code,
            message: redact(&message),
        }
    }
}

pub(crate) fn parse_json(text: &str, what: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| Error::Decode {
        what: what.to_owned(),
        message: format!("{e}; body starts with {:?}", truncate(text, 200)),
    })
}

pub(crate) fn describe_transport(e: &reqwest::Error) -> String {
    // reqwest errors name the URL and the cause chain; no headers or bodies, so no secrets.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    if e.is_timeout() {
        message.push_str(" (timed out)");
    }
    message
}

/// Capped exponential backoff with "equal jitter": between half and all of base * 2^attempt.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    let full = base
        .saturating_mul(2u32.saturating_pow(attempt.min(20)))
        .min(MAX_RETRY_DELAY);
    let half = full / 2;
    let jitter_ms = rand::rng().random_range(0..=half.as_millis().min(u64::MAX as u128) as u64);
    half + Duration::from_millis(jitter_ms)
}

/// How long the server asks to wait: `Retry-After` (seconds, or an HTTP date), else
/// `X-RateLimit-ToWait-Sec`; capped. `None` (neither, or unreadable): the client's backoff.
pub(crate) fn server_retry_hint(headers: &HeaderMap) -> Option<Duration> {
    let value = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let seconds = |v: &str| {
        let secs: f64 = v.parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
    };
    let retry_after = value("retry-after").and_then(|v| {
        seconds(v).or_else(|| {
            let at = httpdate::parse_http_date(v).ok()?;
            // a date in the past means "now"
            Some(
                at.duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO),
            )
        })
    });
    retry_after
        .or_else(|| value("x-ratelimit-towait-sec").and_then(seconds))
        .map(|d| d.min(MAX_RETRY_DELAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        for attempt in 0..40 {
            let d = backoff(base, attempt);
            assert!(d <= MAX_RETRY_DELAY);
            assert!(
                d >= base
                    .saturating_mul(2u32.saturating_pow(attempt.min(20)))
                    .min(MAX_RETRY_DELAY)
                    / 2
            );
        }
    }

    #[test]
    fn server_retry_hints_are_read_and_capped() {
        let mut h = HeaderMap::new();
        assert_eq!(server_retry_hint(&h), None);
        h.insert("x-ratelimit-towait-sec", "3".parse().unwrap());
        assert_eq!(server_retry_hint(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after", "0".parse().unwrap());
        assert_eq!(
            server_retry_hint(&h),
            Some(Duration::ZERO),
            "Retry-After first"
        );
        h.insert("retry-after", "86400".parse().unwrap());
        assert_eq!(server_retry_hint(&h), Some(MAX_RETRY_DELAY));
        // an HTTP date: the time until then
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
        h.insert("retry-after", soon.parse().unwrap());
        let d = server_retry_hint(&h).unwrap();
        assert!(
            d > Duration::from_secs(3) && d <= Duration::from_secs(5),
            "{d:?}"
        );
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(server_retry_hint(&h), Some(Duration::ZERO), "a past date");
        // unreadable: the other header
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(server_retry_hint(&h), Some(Duration::from_secs(3)));
    }
}
