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
        })
    }
}

fn job_suffix(job_id: &Option<String>) -> String {
    job_id
        .as_ref()
        .map(|id| format!(" {id}"))
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Kept for callers of the original contract.
    #[error("{0}")]
    Other(String),

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

    /// A listing reached the API's record cap (error code 2501): the platform holds more
    /// jobs than the API can list, and the `listed` ones are not all of them.
    #[error("the Qualys API lists at most {} records, and the {platform} deployment jobs go past that cap (error code {} after {listed} jobs): not every job can be listed", RECORD_CAP, RECORD_CAP_ERROR_CODE)]
    RecordCap { platform: String, listed: usize },

    /// The server's answer could not be understood.
    #[error("could not decode {what} from the Qualys API: {message}")]
    Decode { what: String, message: String },
}

impl Error {
    /// The job does not exist (HTTP 404, or a 400 saying it was not found).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Api { status: 404, .. } => true,
            Error::Api {
                status: 400,
                message,
                ..
            } => mentions_not_found(message),
            Error::ItemFailed { message, .. } => mentions_not_found(message),
            _ => false,
        }
    }

    /// A create that may or may not have happened.
    pub fn is_create_outcome_unknown(&self) -> bool {
        matches!(self, Error::CreateOutcomeUnknown { .. })
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
