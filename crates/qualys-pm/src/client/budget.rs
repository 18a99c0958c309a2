//! The API budget of one client, shared by every call made through it: the subscription's
//! concurrency limit (a semaphore sized from the server's `X-Concurrency-Limit-Limit`, else
//! the configured cap), one shared gate that every call waits at when the server refuses a
//! call or announces `Remaining: 0`, and pacing from `X-RateLimit-Remaining` and
//! `X-RateLimit-Window-Sec`, so that calls are spread over the window instead of running into
//! a refusal. A wait longer than `max_rate_limit_wait` fails every pending call at once.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
// tokio's clock, so that tests can run it paused
use tokio::time::Instant;

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{kind_name, utc_clock, LimitKind};

/// Waits longer than this are logged at WARN (shorter ones are routine pacing).
pub(super) const WARN_WAIT: Duration = Duration::from_secs(5);
/// The most concurrent calls a server's header is believed for (a guard against garbage).
const MAX_ANNOUNCED_CONCURRENCY: usize = 64;
/// Added to a paced start: the server counts a call from when it admits it, the client from
/// when its answer came, so a call the client sees as expired has expired at the server too.
const PACE_MARGIN: Duration = Duration::from_millis(50);

/// The controls one answer announces; `None`: not announced, or not a readable number.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Controls {
    pub(super) limit: Option<u64>,
    pub(super) window: Option<Duration>,
    pub(super) remaining: Option<u64>,
    pub(super) to_wait: Option<Duration>,
    pub(super) concurrency: Option<usize>,
}

/// Reads the control headers (`HeaderMap` names are case-insensitive; both spellings of the
/// concurrency header, and the short names a third-party client, `qualyspy`, reads:
/// `X-RateLimit-Window`, `X-ConcurrencyLimit`). Garbage (`abc`, `-1`, `NaN`) reads as absent,
/// never as zero.
pub(super) fn read_controls(headers: &HeaderMap) -> Controls {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let count = |name: &str| text(name)?.parse::<u64>().ok();
    let seconds = |name: &str| {
        let secs: f64 = text(name)?.parse().ok()?;
        (secs.is_finite() && (0.0..1e9).contains(&secs)).then(|| Duration::from_secs_f64(secs))
    };
    Controls {
        limit: count("x-ratelimit-limit"),
        window: seconds("x-ratelimit-window-sec")
            .or_else(|| seconds("x-ratelimit-window"))
            .filter(|w| !w.is_zero()),
        remaining: count("x-ratelimit-remaining"),
        to_wait: seconds("x-ratelimit-towait-sec"),
        concurrency: count("x-concurrency-limit-limit")
            .or_else(|| count("x-concurrencylimit-limit"))
            .or_else(|| count("x-concurrencylimit"))
            .filter(|&c| c > 0)
            .map(|c| c.min(MAX_ANNOUNCED_CONCURRENCY as u64) as usize),
    }
}

/// A call the server refused under its controls, without acting on it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Refusal {
    pub(super) kind: LimitKind,
    /// How long the server asks to wait, when it says.
    pub(super) wait: Option<Duration>,
}

/// Whether an answer is a refusal: any 429, or a 409 whose code is 1965 or 1966 (rate) or
/// 1960 or 1959 (concurrency), or whose message says the API "cannot be run again for
/// another N seconds" or "until N currently running instance(s) have finished"; in JSON,
/// text or XML bodies. 1959 and 1966 are retried by a third-party client (`qualys-mcp-full`)
/// without saying which limit they mean: they are read as their documented neighbours.
pub(super) fn refusal(status: u16, headers: &HeaderMap, text: &str) -> Option<Refusal> {
    if status != 429 && status != 409 {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let code = body_code(text);
    let says_concurrency = matches!(code.as_deref(), Some("1960" | "1959"))
        || lower.contains("currently running")
        || lower.contains("concurrency");
    let says_rate =
        matches!(code.as_deref(), Some("1965" | "1966")) || lower.contains("run again for another");
    if status == 409 && !says_concurrency && !says_rate {
        return None; // some other conflict
    }
    let kind = if says_concurrency && !says_rate {
        LimitKind::Concurrency
    } else {
        LimitKind::Rate
    };
    let wait = server_wait(headers).or_else(|| body_seconds(&lower));
    Some(Refusal { kind, wait })
}

/// `Retry-After` (seconds or a date) or `X-RateLimit-ToWait-Sec`, uncapped.
fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let seconds = |v: &str| {
        let secs: f64 = v.parse().ok()?;
        (secs.is_finite() && (0.0..1e9).contains(&secs)).then(|| Duration::from_secs_f64(secs))
    };
    text("retry-after")
        .and_then(|v| {
            seconds(v).or_else(|| {
                let at = httpdate::parse_http_date(v).ok()?;
                Some(
                    at.duration_since(SystemTime::now())
                        .unwrap_or(Duration::ZERO),
                )
            })
        })
        .or_else(|| text("x-ratelimit-towait-sec").and_then(seconds))
}

/// The error code of a body: `_error.errorCode`, `errorCode` or `code` in JSON, `<CODE>` in
/// XML, or a bare 1959/1960/1965/1966 in text.
fn body_code(text: &str) -> Option<String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        for pointer in ["/_error/errorCode", "/errorCode", "/code", "/CODE"] {
            match v.pointer(pointer) {
                Some(Value::String(s)) => return Some(s.trim().to_owned()),
                Some(Value::Number(n)) => return Some(n.to_string()),
                _ => {}
            }
        }
    }
    let upper = text.to_ascii_uppercase();
    if let Some(start) = upper.find("<CODE>") {
        let rest = &text[start + 6..];
        let end = rest.find('<').unwrap_or(rest.len());
        return Some(rest[..end].trim().to_owned());
    }
    ["1959", "1960", "1965", "1966"]
        .into_iter()
        .find(|c| text.contains(c))
        .map(str::to_owned)
}

/// The seconds a body asks for: an XML `SECONDS_TO_WAIT` item, or "for another N seconds"
/// (or "N minutes and M seconds").
fn body_seconds(lower: &str) -> Option<Duration> {
    // the number (and the word after it) within a few characters after `marker`
    let after = |marker: &str| -> Option<(u64, String)> {
        let at = lower.find(marker)? + marker.len();
        let rest: String = lower[at..].chars().take(80).collect();
        let from = rest.find(|c: char| c.is_ascii_digit())?;
        let digits: String = rest[from..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let unit: String = rest[from + digits.len()..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        Some((digits.parse().ok()?, unit))
    };
    if let Some((n, _)) = after("seconds_to_wait") {
        return Some(Duration::from_secs(n));
    }
    let (n, unit) = after("for another")?;
    let secs = match unit.as_str() {
        u if u.starts_with("min") => {
            let extra = after(&format!("{n} {unit}"))
                .filter(|(_, u)| u.starts_with("sec"))
                .map_or(0, |(m, _)| m);
            n * 60 + extra
        }
        u if u.starts_with("hour") => n * 3600,
        _ => n,
    };
    Some(Duration::from_secs(secs))
}

/// The shared gate: closed until `until`, for `kind`.
#[derive(Clone, Copy, Debug)]
struct Gate {
    until: Instant,
    until_utc: SystemTime,
    kind: LimitKind,
    warned: bool,
}

/// The rolling window as this client sees it: its own calls in the window (answered ones by
/// answer time, plus those in flight), and the calls of others the last answer implied.
#[derive(Debug)]
struct Pace {
    limit: u64,
    window: Duration,
    others: u64,
    /// When `others` was read: all of those calls have left the window one window later.
    others_at: Instant,
    answered: VecDeque<Instant>,
}

#[derive(Debug)]
struct Inner {
    /// Slots wanted (the announced or configured concurrency) and slots existing.
    cap: usize,
    issued: usize,
    /// Permits to retire as they come back (the cap shrank while they were held).
    debt: usize,
    in_flight: usize,
    gate: Option<Gate>,
    /// Consecutive refusals, for the backoff of a refusal that names no wait.
    refusals: u32,
    pace: Option<Pace>,
}

/// One client's budget; see the module documentation.
#[derive(Debug)]
pub(super) struct Budget {
    slots: Arc<Semaphore>,
    inner: std::sync::Mutex<Inner>,
    /// Woken whenever the gate changes, so that waiters re-read it.
    changed: Notify,
    max_wait: Duration,
    base_delay: Duration,
    /// The client's backoff (base, attempt), for a refusal that names no wait.
    backoff: fn(Duration, u32) -> Duration,
}

/// A call admitted by the budget: holds one concurrency slot until dropped.
#[derive(Debug)]
pub(super) struct Admission<'a> {
    budget: &'a Budget,
    permit: Option<OwnedSemaphorePermit>,
    answered: bool,
}

/// Why a call cannot wait: the wait asked is longer than `max_rate_limit_wait`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TooLong {
    pub(super) kind: LimitKind,
    pub(super) wait: Duration,
    pub(super) until: SystemTime,
    pub(super) max_wait: Duration,
    /// The rolling window, when announced (calls, seconds).
    pub(super) window: Option<(u64, Duration)>,
}

impl Budget {
    pub(super) fn new(
        max_concurrent: usize,
        max_wait: Duration,
        base_delay: Duration,
        backoff: fn(Duration, u32) -> Duration,
    ) -> Budget {
        let cap = max_concurrent.max(1);
        Budget {
            slots: Arc::new(Semaphore::new(cap)),
            inner: std::sync::Mutex::new(Inner {
                cap,
                issued: cap,
                debt: 0,
                in_flight: 0,
                gate: None,
                refusals: 0,
                pace: None,
            }),
            changed: Notify::new(),
            max_wait,
            base_delay,
            backoff,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most calls this client sends at once now.
    #[cfg(test)]
    pub(super) fn concurrency(&self) -> usize {
        self.lock().cap
    }

    /// Waits for the gate, the pacing and a concurrency slot; `Err` at once when the wait
    /// is longer than `max_rate_limit_wait`.
    pub(super) async fn admit(&self) -> Result<Admission<'_>, TooLong> {
        loop {
            self.wait_at_gate().await?;
            let permit = self
                .slots
                .clone()
                .acquire_owned()
                .await
                .expect("the budget's semaphore is never closed");
            let mut inner = self.lock();
            let now = Instant::now();
            if inner.gate.is_some_and(|g| g.until > now) {
                continue; // it closed while this call waited for a slot
            }
            if let Some(next) = next_paced_start(&mut inner, now) {
                // the window is full: everyone waits for the next free place
                close(&mut inner, next, LimitKind::Rate);
                drop(inner);
                self.changed.notify_waiters();
                continue;
            }
            inner.in_flight += 1;
            return Ok(Admission {
                budget: self,
                permit: Some(permit),
                answered: false,
            });
        }
    }

    async fn wait_at_gate(&self) -> Result<(), TooLong> {
        loop {
            let notified = self.changed.notified();
            let (until, kind) = {
                let mut inner = self.lock();
                let now = Instant::now();
                let window = inner.pace.as_ref().map(|p| (p.limit, p.window));
                let Some(gate) = inner.gate.as_mut() else {
                    return Ok(());
                };
                if gate.until <= now {
                    inner.gate = None;
                    return Ok(());
                }
                let wait = gate.until - now;
                if wait > self.max_wait {
                    return Err(TooLong {
                        kind: gate.kind,
                        wait,
                        until: gate.until_utc,
                        max_wait: self.max_wait,
                        window: window.filter(|_| gate.kind == LimitKind::Rate),
                    });
                }
                if wait > WARN_WAIT && !gate.warned {
                    gate.warned = true;
                    tracing::warn!(
                        limit = ?gate.kind,
                        wait_s = wait.as_secs(),
                        until = %utc_clock(gate.until_utc),
                        "the Qualys API {} of the subscription is reached: every request waits {}s (until {}), at most max_rate_limit_wait ({})",
                        kind_name(gate.kind),
                        wait.as_secs(),
                        utc_clock(gate.until_utc),
                        humantime::format_duration(self.max_wait),
                    );
                }
                (gate.until, gate.kind)
            };
            tracing::debug!(limit = ?kind, "waiting at the Qualys API budget's gate");
            tokio::select! {
                _ = tokio::time::sleep_until(until) => {}
                _ = notified => {}
            }
        }
    }

    /// A refusal that named no wait: how long to close the gate (backoff on consecutive
    /// refusals, so that a server without headers is probed ever more gently).
    fn refusal_wait(&self, inner: &mut Inner, asked: Option<Duration>) -> Duration {
        let n = inner.refusals;
        inner.refusals = inner.refusals.saturating_add(1);
        asked.unwrap_or_else(|| (self.backoff)(self.base_delay, n))
    }

    fn set_cap(&self, inner: &mut Inner, cap: usize) {
        let cap = cap.clamp(1, MAX_ANNOUNCED_CONCURRENCY);
        inner.cap = cap;
        let wanted = cap + inner.debt;
        if wanted > inner.issued {
            // pay back debt first, then create slots
            let back = (wanted - inner.issued).min(inner.debt);
            inner.debt -= back;
            let more = cap.saturating_sub(inner.issued - inner.debt);
            if more > 0 {
                self.slots.add_permits(more);
                inner.issued += more;
            }
        } else if inner.issued - inner.debt > cap {
            let excess = inner.issued - inner.debt - cap;
            let gone = self.slots.forget_permits(excess);
            inner.issued -= gone;
            inner.debt += excess - gone;
        }
    }
}

impl Admission<'_> {
    /// Records an answer; `Some` when it is a refusal (the call is to be sent again after
    /// the gate, and is not a failed attempt), `Err` when the wait asked is too long.
    pub(super) fn answered(
        &mut self,
        status: u16,
        headers: &HeaderMap,
        text: &str,
    ) -> Result<Option<Refusal>, TooLong> {
        self.answered = true;
        let budget = self.budget;
        let mut inner = budget.lock();
        let now = Instant::now();
        let controls = read_controls(headers);
        if let Some(c) = controls.concurrency {
            if c != inner.cap {
                budget.set_cap(&mut inner, c);
            }
        }
        let refused = refusal(status, headers, text);
        // the window: a refused call is not counted by the server, an answered one is
        if let (Some(window), Some(remaining)) = (controls.window, controls.remaining) {
            let in_flight_others = inner.in_flight.saturating_sub(1) as u64;
            let pace = inner.pace.get_or_insert_with(|| Pace {
                limit: 0,
                window,
                others: 0,
                others_at: now,
                answered: VecDeque::new(),
            });
            pace.window = window;
            if refused.is_none() {
                pace.answered.push_back(now);
            }
            prune(pace, now);
            let own = pace.answered.len() as u64 + in_flight_others;
            // without `Limit`: what is left plus what is used
            let limit = controls.limit.unwrap_or(remaining + own);
            pace.limit = limit;
            pace.others = limit.saturating_sub(remaining).saturating_sub(own);
            pace.others_at = now;
        } else if let Some(pace) = inner.pace.as_mut() {
            if refused.is_none() {
                pace.answered.push_back(now);
            }
        }
        let close_for = match &refused {
            Some(r) => {
                if r.kind == LimitKind::Concurrency && controls.concurrency.is_none() {
                    // more run at once than the server allows: fewer from now on
                    let cap = inner.in_flight.saturating_sub(1).max(1).min(inner.cap);
                    budget.set_cap(&mut inner, cap);
                }
                let wait = budget.refusal_wait(&mut inner, r.wait);
                Some((wait, r.kind))
            }
            None => {
                inner.refusals = 0;
                match (controls.remaining, controls.to_wait) {
                    (Some(0), Some(wait)) if !wait.is_zero() => Some((wait, LimitKind::Rate)),
                    _ => None,
                }
            }
        };
        let mut result = Ok(refused.clone());
        if let Some((wait, kind)) = close_for {
            close(&mut inner, now + wait, kind);
            if wait > budget.max_wait {
                result = Err(TooLong {
                    kind,
                    wait,
                    until: SystemTime::now() + wait,
                    max_wait: budget.max_wait,
                    window: inner
                        .pace
                        .as_ref()
                        .map(|p| (p.limit, p.window))
                        .filter(|_| kind == LimitKind::Rate),
                });
                // a refused call was not acted on; an accepted one stands
                if refused.is_none() {
                    result = Ok(None);
                }
            }
        }
        drop(inner);
        budget.changed.notify_waiters();
        result
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        let mut inner = self.budget.lock();
        inner.in_flight = inner.in_flight.saturating_sub(1);
        if !self.answered {
            // no answer (a transport failure): the server may have counted it
            if let Some(pace) = inner.pace.as_mut() {
                pace.answered.push_back(Instant::now());
            }
        }
        if let Some(permit) = self.permit.take() {
            if inner.debt > 0 {
                inner.debt -= 1;
                inner.issued -= 1;
                permit.forget();
            }
        }
    }
}

fn prune(pace: &mut Pace, now: Instant) {
    while pace
        .answered
        .front()
        .is_some_and(|t| *t + pace.window + PACE_MARGIN <= now)
    {
        pace.answered.pop_front();
    }
}

/// `None`: a call may start now; else when the next place in the window frees.
/// The places of the window left free for the first calls of the next provider process
/// (which start before any answer tells them how full the window is): as many as run at once.
fn next_paced_start(inner: &mut Inner, now: Instant) -> Option<Instant> {
    let in_flight = inner.in_flight as u64;
    let reserve = inner.cap as u64;
    let pace = inner.pace.as_mut()?;
    prune(pace, now);
    if pace.others_at + pace.window <= now {
        pace.others = 0;
    }
    let limit = pace.limit.saturating_sub(reserve).max(1);
    let used = pace.answered.len() as u64 + in_flight + pace.others;
    if used < limit {
        return None;
    }
    // the next of this client's calls to leave the window; with none, the window is full of
    // others' calls (or ones in flight): go, and let the answer say how long to wait
    pace.answered
        .front()
        .map(|oldest| *oldest + pace.window + PACE_MARGIN)
}

fn close(inner: &mut Inner, until: Instant, kind: LimitKind) {
    let wait = until.saturating_duration_since(Instant::now());
    match inner.gate.as_mut() {
        Some(g) if g.until >= until => {}
        _ => {
            inner.gate = Some(Gate {
                until,
                until_utc: SystemTime::now() + wait,
                kind,
                warned: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn controls_are_read_in_either_spelling_and_case_and_garbage_is_unknown() {
        let c = read_controls(&headers(&[
            ("X-RateLimit-Limit", "300"),
            ("x-ratelimit-window-sec", " 3600 "),
            ("X-RATELIMIT-REMAINING", "12"),
            ("X-RateLimit-ToWait-Sec", "0"),
            ("X-Concurrency-Limit-Limit", "2"),
        ]));
        assert_eq!(
            c,
            Controls {
                limit: Some(300),
                window: Some(Duration::from_secs(3600)),
                remaining: Some(12),
                to_wait: Some(Duration::ZERO),
                concurrency: Some(2),
            }
        );
        let short = read_controls(&headers(&[
            ("X-RateLimit-Window", "3600"),
            ("X-ConcurrencyLimit", "4"),
        ]));
        assert_eq!(
            short.window,
            Some(Duration::from_secs(3600)),
            "qualyspy's names"
        );
        assert_eq!(short.concurrency, Some(4));
        let c = read_controls(&headers(&[("X-ConcurrencyLimit-Limit", "3")]));
        assert_eq!(c.concurrency, Some(3));
        assert_eq!(c.remaining, None, "absent is unknown, not zero");
        let c = read_controls(&headers(&[
            ("X-RateLimit-Limit", "lots"),
            ("X-RateLimit-Window-Sec", "-5"),
            ("X-RateLimit-Remaining", "-1"),
            ("X-RateLimit-ToWait-Sec", "NaN"),
            ("X-Concurrency-Limit-Limit", "0"),
        ]));
        assert_eq!(c, Controls::default(), "garbage reads as unknown");
        let c = read_controls(&headers(&[("X-Concurrency-Limit-Limit", "100000")]));
        assert_eq!(c.concurrency, Some(MAX_ANNOUNCED_CONCURRENCY));
    }

    #[test]
    fn refusals_in_json_text_and_xml() {
        let none = HeaderMap::new();
        let rate = |wait| {
            Some(Refusal {
                kind: LimitKind::Rate,
                wait: Some(Duration::from_secs(wait)),
            })
        };
        assert_eq!(
            refusal(
                409,
                &none,
                r#"{"_error":{"errorCode":"1965","message":"This API cannot be run again for another 42 seconds"}}"#
            ),
            rate(42)
        );
        assert_eq!(
            refusal(
                409,
                &none,
                "This API cannot be run again for another 7 seconds."
            ),
            rate(7)
        );
        let xml = "<?xml version=\"1.0\"?><SIMPLE_RETURN><RESPONSE><CODE>1965</CODE><TEXT>This API cannot be run again for another 23 minutes and 5 seconds</TEXT><ITEM_LIST><ITEM><KEY>SECONDS_TO_WAIT</KEY><VALUE>1385</VALUE></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>";
        assert_eq!(
            refusal(409, &none, xml),
            rate(1385),
            "SECONDS_TO_WAIT first"
        );
        assert_eq!(
            refusal(
                409,
                &none,
                "This API cannot be run again for another 23 minutes and 5 seconds"
            ),
            rate(1385)
        );
        let xml = "<SIMPLE_RETURN><RESPONSE><CODE>1965</CODE><TEXT>Too many calls</TEXT><ITEM_LIST><ITEM><KEY>SECONDS_TO_WAIT</KEY><VALUE>1385</VALUE></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>";
        assert_eq!(refusal(409, &none, xml), rate(1385));
        let concurrency = refusal(409, &none, "<SIMPLE_RETURN><RESPONSE><CODE>1960</CODE><TEXT>This API cannot be run again until 2 currently running instance(s) have finished.</TEXT></RESPONSE></SIMPLE_RETURN>").unwrap();
        assert_eq!(concurrency.kind, LimitKind::Concurrency);
        assert_eq!(
            refusal(409, &none, r#"{"errorCode":1960,"message":"busy"}"#)
                .unwrap()
                .kind,
            LimitKind::Concurrency
        );
        // 1959 and 1966, as a third-party client retries them, in JSON, XML or text
        for (body, kind) in [
            (
                r#"{"_error":{"errorCode":"1966","message":"limit"}}"#,
                LimitKind::Rate,
            ),
            (
                "<SIMPLE_RETURN><RESPONSE><CODE>1966</CODE></RESPONSE></SIMPLE_RETURN>",
                LimitKind::Rate,
            ),
            (
                r#"{"_error":{"errorCode":"1959","message":"limit"}}"#,
                LimitKind::Concurrency,
            ),
            ("error 1959", LimitKind::Concurrency),
        ] {
            assert_eq!(
                refusal(409, &none, body).map(|r| r.kind),
                Some(kind),
                "{body}"
            );
        }
        // other conflicts are not refusals
        assert_eq!(
            refusal(
                409,
                &none,
                r#"{"_error":{"errorCode":"2001","message":"Job name already exists"}}"#
            ),
            None
        );
        assert_eq!(refusal(400, &none, "for another 5 seconds"), None);
        // a 429 is a refusal whatever its body; the headers say how long
        let r = refusal(429, &headers(&[("X-RateLimit-ToWait-Sec", "3600")]), "");
        assert_eq!(r, rate(3600));
        let r = refusal(
            429,
            &none,
            r#"{"_error":{"errorCode":"429","message":"Concurrency limit exceeded"}}"#,
        )
        .unwrap();
        assert_eq!(
            r,
            Refusal {
                kind: LimitKind::Concurrency,
                wait: None
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_calls_at_once_than_the_cap_and_the_announced_limit_wins() {
        let budget = Arc::new(Budget::new(
            3,
            Duration::from_secs(60),
            Duration::from_millis(1),
            super::super::http::backoff,
        ));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let run = |n: usize| {
            let tasks: Vec<_> = (0..n)
                .map(|_| {
                    let (budget, running, most) = (budget.clone(), running.clone(), most.clone());
                    tokio::spawn(async move {
                        let admission = budget.admit().await.expect("admitted");
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        running.fetch_sub(1, Ordering::SeqCst);
                        drop(admission);
                    })
                })
                .collect();
            async move {
                for t in tasks {
                    t.await.unwrap();
                }
            }
        };
        run(20).await;
        assert_eq!(
            most.load(Ordering::SeqCst),
            3,
            "the configured cap before any header"
        );
        // the server announces 1: from then on one at a time
        let mut a = budget.admit().await.unwrap();
        a.answered(200, &headers(&[("X-Concurrency-Limit-Limit", "1")]), "")
            .unwrap();
        drop(a);
        most.store(0, Ordering::SeqCst);
        run(10).await;
        assert_eq!(most.load(Ordering::SeqCst), 1, "the announced limit");
        assert_eq!(budget.concurrency(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn one_refusal_makes_every_waiting_call_wait_once_at_the_shared_gate() {
        let budget = Arc::new(Budget::new(
            2,
            Duration::from_secs(60),
            Duration::from_millis(1),
            super::super::http::backoff,
        ));
        let mut first = budget.admit().await.unwrap();
        let refused = first
            .answered(429, &headers(&[("X-RateLimit-ToWait-Sec", "0.3")]), "")
            .unwrap();
        assert!(refused.is_some());
        drop(first);
        let started = Instant::now();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let budget = budget.clone();
                tokio::spawn(async move {
                    let mut a = budget.admit().await.expect("admitted");
                    a.answered(200, &HeaderMap::new(), "").unwrap();
                    Instant::now()
                })
            })
            .collect();
        let mut admitted = Vec::new();
        for t in tasks {
            admitted.push(t.await.unwrap());
        }
        for at in &admitted {
            assert!(
                *at - started >= Duration::from_millis(250),
                "a call went through the closed gate"
            );
        }
        let spread = *admitted.iter().max().unwrap() - *admitted.iter().min().unwrap();
        assert!(
            spread < Duration::from_millis(250),
            "the waits were one shared wait, not one each: {spread:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_longer_than_the_maximum_fails_every_pending_call_at_once() {
        let budget = Arc::new(Budget::new(
            2,
            Duration::from_secs(300),
            Duration::from_millis(1),
            super::super::http::backoff,
        ));
        let mut first = budget.admit().await.unwrap();
        let err = first
            .answered(
                429,
                &headers(&[
                    ("X-RateLimit-ToWait-Sec", "3600"),
                    ("X-RateLimit-Limit", "30"),
                    ("X-RateLimit-Window-Sec", "3600"),
                    ("X-RateLimit-Remaining", "0"),
                ]),
                "",
            )
            .expect_err("too long");
        assert_eq!(err.kind, LimitKind::Rate);
        assert!(err.wait > Duration::from_secs(3590));
        assert_eq!(err.window, Some((30, Duration::from_secs(3600))));
        drop(first);
        let started = Instant::now();
        for _ in 0..5 {
            let e = budget.admit().await.expect_err("pending calls fail");
            assert_eq!(e.kind, LimitKind::Rate);
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_keeps_the_calls_inside_the_announced_window() {
        // 4 calls per 0.4 s, one place kept for the next process: the fourth call waits for
        // the first to leave the window
        let budget = Budget::new(
            1,
            Duration::from_secs(60),
            Duration::from_millis(1),
            super::super::http::backoff,
        );
        let started = Instant::now();
        let mut times = Vec::new();
        for i in 0..6u64 {
            let mut a = budget.admit().await.unwrap();
            times.push(started.elapsed());
            let remaining = (3u64).saturating_sub(i % 3);
            let h = headers(&[
                ("X-RateLimit-Limit", "4"),
                ("X-RateLimit-Window-Sec", "0.4"),
                ("X-RateLimit-Remaining", &remaining.to_string()),
            ]);
            assert_eq!(a.answered(200, &h, "").unwrap(), None);
        }
        assert!(times[2] < Duration::from_millis(200), "{times:?}");
        assert!(times[3] >= Duration::from_millis(400), "{times:?}");
        assert!(times[5] >= Duration::from_millis(400), "{times:?}");
    }
}
