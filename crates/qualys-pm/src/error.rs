//! What went wrong talking to the PM API, and why. Never carries a password, token or JWT.

use std::fmt;

/// The most records one PM listing serves (DOC: "a maximum of 10,000 records only").
pub const RECORD_CAP: usize = 10_000;
/// `_error.errorCode` of a listing asked for records past `RECORD_CAP`.
pub const RECORD_CAP_ERROR_CODE: &str = "2501";

/// The API operation that failed, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Authenticate,
    CreateJob,
    GetJob,
    UpdateJob,
    SetStatus,
    DeleteJobs,
    ListJobs,
    SearchPatches,
    SearchAssets,
    JobRuns,
    JobResult,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Authenticate => "authenticate (POST /auth)",
            Operation::CreateJob => "create deployment job",
            Operation::GetJob => "read deployment job",
            Operation::UpdateJob => "update deployment job",
            Operation::SetStatus => "change deployment job status",
            Operation::DeleteJobs => "delete deployment job",
            Operation::ListJobs => "list deployment jobs",
            Operation::SearchPatches => "search patches (POST /pm/v2/patches)",
            Operation::SearchAssets => "search PM assets (POST /pm/v1/assets)",
            Operation::JobRuns => "list deployment job runs",
            Operation::JobResult => "read deployment job result summary",
        })
    }
}

/// Which of the subscription's controls refused or held a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// The rolling window of calls (`X-RateLimit-*`, code 1965).
    Rate,
    /// The calls running at once (`X-Concurrency-Limit-*`, code 1960).
    Concurrency,
}

pub(crate) fn kind_name(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Rate => "rate limit",
        LimitKind::Concurrency => "concurrency limit",
    }
}

/// `2026-12-06 04:10:00 UTC`.
pub(crate) fn utc_clock(at: std::time::SystemTime) -> String {
    let at = time::OffsetDateTime::from(at);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_else(|_| "?".to_owned())
}

fn job_suffix(job_id: &Option<String>) -> String {
    job_id
        .as_ref()
        .map(|id| format!(" {id}"))
        .unwrap_or_default()
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// The client configuration cannot work (bad URL, bad CA certificate...).
    #[error("invalid Qualys client configuration: {0}")]
    Config(String),

    /// Getting a JWT failed: bad credentials, missing permission, or an unusable answer.
    #[error("authentication to the Qualys gateway failed{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Auth {
        status: Option<u16>,
        message: String,
    },

    /// The API answered with an error status.
    #[error("{operation}{} failed: HTTP {status}: {message}", job_suffix(job_id))]
    Api {
        operation: Operation,
        job_id: Option<String>,
        status: u16,
        /// `_error.errorCode` when the server sent one.
        code: Option<String>,
        message: String,
    },

    /// HTTP 200, but the per-item result for a job says it failed.
    #[error("{operation} {job_id} failed: {message}")]
    ItemFailed {
        operation: Operation,
        job_id: String,
        message: String,
    },

    /// The request never got an answer (connection refused, reset, timeout...).
    #[error(
        "{operation}{} failed: could not reach the Qualys gateway: {message}",
        job_suffix(job_id)
    )]
    Transport {
        operation: Operation,
        job_id: Option<String>,
        message: String,
    },

    /// A create request may have reached the server, but no usable answer came back: the job
    /// may or may not exist. Not retried, to avoid a duplicate job.
    #[error("create deployment job: outcome unknown, the job may have been created ({message}); look for it by name before creating it again")]
    CreateOutcomeUnknown {
        status: Option<u16>,
        message: String,
    },

    /// The API refused a search's parameters (HTTP 400): a QQL error, or a bad platform or
    /// page size. `parameter` is the one the server named (`query`, `havingQuery`, ...).
    #[error("{operation} failed: the API rejected {}: {message}", parameter.as_deref().unwrap_or("the search"))]
    InvalidSearch {
        operation: Operation,
        parameter: Option<String>,
        message: String,
    },

    /// A listing's paging went wrong on the server's side (a cursor sent twice, a page of
    /// records already returned): stopped rather than looping forever.
    #[error("{operation} failed: {message}")]
    Paging {
        operation: Operation,
        message: String,
    },

    /// A listing reached the API's record cap (error code 2501): the platform holds more
    /// jobs than the API can list, and the `listed` ones are not all of them.
    #[error("the Qualys API lists at most {} records, and the {platform} deployment jobs go past that cap (error code {} after {listed} jobs): not every job can be listed", RECORD_CAP, RECORD_CAP_ERROR_CODE)]
    RecordCap { platform: String, listed: usize },

    /// The server answered that it created the job (2xx) but its answer carries no job ID (no
    /// body, `{}`, no `Location`): the job exists, and must not be created again.
    #[error("create deployment job: the server answered HTTP {status} without the new job's ID; the job was created, look for it by name")]
    CreatedWithoutId { status: u16 },

    /// The server created job `id` (its answer carried only the ID) but reading it back failed.
    #[error(
        "create deployment job: the server created job {id}, but reading it back failed: {message}"
    )]
    CreatedUnread { id: String, message: String },

    /// The subscription's API controls ask for a wait longer than `max_rate_limit_wait`: the
    /// call was not sent (or was refused before the server acted), so nothing happened.
    #[error("{operation}{} was not sent: {}", job_suffix(job_id), rate_limited(*limit, *window, *wait, *until, *max_wait))]
    RateLimited {
        operation: Operation,
        job_id: Option<String>,
        limit: LimitKind,
        /// The rolling window (calls, length) when the server announced it.
        window: Option<(u64, std::time::Duration)>,
        wait: std::time::Duration,
        until: std::time::SystemTime,
        max_wait: std::time::Duration,
    },

    /// The server's answer could not be understood.
    #[error("could not decode {what} from the Qualys API: {message}")]
    Decode { what: String, message: String },
}

fn rate_limited(
    limit: LimitKind,
    window: Option<(u64, std::time::Duration)>,
    wait: std::time::Duration,
    until: std::time::SystemTime,
    max_wait: std::time::Duration,
) -> String {
    let which = match window {
        Some((calls, length)) => format!(
            "{} ({calls} calls per {} s)",
            kind_name(limit),
            length.as_secs()
        ),
        None => kind_name(limit).to_owned(),
    };
    let minutes = wait.as_secs().div_ceil(60);
    let at = utc_clock(until);
    format!(
        "the Qualys API {which} of this subscription is used up, and the server asks to wait {minutes} minute{} (until {at}), \
         longer than max_rate_limit_wait ({}). Nothing was sent for this job (or the server refused it without acting). \
         Run again after {at}, or raise max_rate_limit_wait (environment: QUALYS_MAX_RATE_LIMIT_WAIT) to wait instead.",
        if minutes == 1 { "" } else { "s" },
        humantime::format_duration(max_wait),
    )
}

impl Error {
    /// The same error, told to the caller of job `id` (a call for several jobs failed as a
    /// whole: each job's caller gets the error with its own job named).
    pub(crate) fn clone_for(&self, id: &str) -> Error {
        let mut e = self.clone();
        match &mut e {
            Error::Api { job_id, .. } | Error::Transport { job_id, .. } => {
                *job_id = Some(id.to_owned())
            }
            Error::ItemFailed { job_id, .. } => *job_id = id.to_owned(),
            _ => {}
        }
        e
    }

    /// The job does not exist: HTTP 404 or 410 (any body), or a 400 or 422 whose message says
    /// that the job's ID is unknown or invalid (not one about another object or field).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Api {
                status: 404 | 410, ..
            } => true,
            Error::Api {
                status: 400 | 422,
                message,
                job_id,
                ..
            } => says_job_is_gone(message, job_id.as_deref()),
            Error::ItemFailed { message, .. } => mentions_not_found(message),
            _ => false,
        }
    }

    /// A create whose job ID the client does not know: it may or may not have happened
    /// (`CreateOutcomeUnknown`), or it certainly did (`CreatedWithoutId`).
    pub fn is_create_outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::CreateOutcomeUnknown { .. } | Error::CreatedWithoutId { .. }
        )
    }

    /// The server said it created the job, so a create must never be sent again for it.
    pub fn is_certainly_created(&self) -> bool {
        matches!(
            self,
            Error::CreatedWithoutId { .. } | Error::CreatedUnread { .. }
        )
    }

    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::Auth { .. }
                | Error::Api {
                    status: 401 | 403,
                    ..
                }
        )
    }

    /// The HTTP status behind the error, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Auth { status, .. } | Error::CreateOutcomeUnknown { status, .. } => *status,
            Error::CreatedWithoutId { status } => Some(*status),
            _ => None,
        }
    }
}

/// How the API (and the simulator) phrase "no such job".
pub(crate) fn mentions_not_found(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("not found")
        || m.contains("does not exist")
        || m.contains("invalid job id")
        || m.contains("invalid id")
}

/// Verdicts that say a job is gone or its ID is no good.
const GONE_VERDICTS: &[&str] = &[
    "not found",
    "does not exist",
    "doesn't exist",
    "not exist",
    "no such",
    "has been deleted",
    "was deleted",
    "is deleted",
    "invalid job id",
    "invalid id",
    "invalid deployment job id",
    "invalid deploymentjob id",
    "invalid deploymentjobid",
    "invalid jobid",
    "invalid uuid",
    "id is invalid",
    "id is not valid",
    "not a valid id",
    "not a valid job id",
    "not a valid uuid",
];

/// Words naming the thing a verdict is about when the message does not quote the job's ID.
const JOB_SUBJECTS: &[&str] = &[
    "job",
    "jobs",
    "jobid",
    "deploymentjob",
    "deploymentjobid",
    "id",
    "uuid",
    "resource",
    "record",
    "entity",
];

/// Words that point a verdict at something other than the job itself.
const OTHER_SUBJECTS: &[&str] = &[
    "linked",
    "linkedjobid",
    "chained",
    "parent",
    "child",
    "asset",
    "assets",
    "assetids",
    "tag",
    "tags",
    "patch",
    "patches",
    "user",
    "users",
    "field",
    "action",
    "actions",
    "actionid",
    "script",
    "timezone",
];

fn is_uuid_like(word: &str) -> bool {
    word.len() == 36
        && word.matches('-').count() == 4
        && word.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// Whether a 400/422 message says that the job (`job_id`, when known) is unknown, invalid or
/// deleted: it quotes the job's ID with such a verdict, or it gives the verdict about "the
/// job" / "the id" in general, naming no other object, field or ID. "Patch X not found",
/// "Linked job not found" or "Invalid value for field 'timeout'" are not about the job.
pub(crate) fn says_job_is_gone(message: &str, job_id: Option<&str>) -> bool {
    let m = message.to_ascii_lowercase();
    if !GONE_VERDICTS.iter().any(|v| m.contains(v)) {
        return false;
    }
    let ours = job_id
        .map(str::to_ascii_lowercase)
        .filter(|id| !id.trim().is_empty());
    if ours.as_deref().is_some_and(|id| m.contains(id)) {
        return true;
    }
    let tokens: Vec<&str> = m
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    if tokens.iter().any(|t| is_uuid_like(t)) {
        // it names some ID, and not ours
        return false;
    }
    let words: Vec<&str> = m
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| JOB_SUBJECTS.contains(w))
        && !words.iter().any(|w| OTHER_SUBJECTS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f5b5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn messages_about_the_job_id_mean_gone() {
        for m in [
            "Deployment job 0f5b5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b not found",
            "Invalid job id: 0f5b5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "Invalid deploymentJobId",
            "Job not found",
            "Invalid id",
            "Resource not found",
            "No such job",
            "The job 0F5B5A3E-1C2D-4E5F-8A9B-0C1D2E3F4A5B has been deleted",
            "id is invalid",
        ] {
            assert!(says_job_is_gone(m, Some(ID)), "{m}");
        }
    }

    #[test]
    fn messages_about_anything_else_are_errors() {
        for m in [
            "Invalid value for field 'timeout': must be between 1 and 168",
            "Invalid value for field 'ids': at least one job ID is required",
            "Patch 444ba31a-0f94-3199-870e-ef8ab1a5a477 not found",
            "Linked job not found",
            "Invalid value for field 'linkedJobId': job 9d2c1b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b does not exist",
            "Asset not found",
            "Deployment job 0f5b5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b is Enabled: Disable the job before editing it",
            "Invalid request",
            "Malformed JSON request body",
            "Job 9d2c1b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b not found",
        ] {
            assert!(!says_job_is_gone(m, Some(ID)), "{m}");
        }
    }

    #[test]
    fn gone_by_status_and_message() {
        let api = |status: u16, message: &str| Error::Api {
            operation: Operation::GetJob,
            job_id: Some(ID.into()),
            status,
            code: None,
            message: message.into(),
        };
        assert!(api(404, "<html>whatever</html>").is_not_found());
        assert!(api(410, "").is_not_found());
        assert!(api(400, "Invalid job id").is_not_found());
        assert!(api(422, "Job not found").is_not_found());
        assert!(!api(400, "Invalid value for field 'timeout'").is_not_found());
        assert!(!api(422, "Patch not found").is_not_found());
        assert!(!api(500, "Job not found").is_not_found());
        assert!(!api(403, "Job not found").is_not_found());
    }
}
