//! What a job read from the API (in the seam's form, `api::SeamJob`) becomes in Terraform:
//! the state (`job_to_state` after a read, `state_after` after an apply), from the job's
//! canonical JSON, and the private state (the job as last read, compressed), read back as a
//! typed job. Read, apply and the data sources all map through here.

use serde_json::Value as Json;

use qualys_pm::{JobHeader, ScheduleType};
use tfplugin::Value;

use super::api::SeamJob;
use super::fields::JOB_FIELDS;
use crate::framework::json::{get_path, keep_planned, read_object};

/// Maps the server's job onto the state, keeping `prior`'s spelling where the server's value
/// means the same, and the user's script text where the storage reference is unchanged
/// since `base` (the job as last read).
pub fn job_to_state(job: &Json, prior: &Value, base: Option<&Json>) -> Value {
    let mut state = read_object(JOB_FIELDS, job, prior, base);
    // the server sets an On-demand job's start time itself; a configured one is not drift
    if get_path(job, &["scheduleType"]).as_str() == Some(ScheduleType::OnDemand.as_str())
        && prior.get("start_date_time").is_known_value()
    {
        if let Some(slot) = state.get_mut("start_date_time") {
            *slot = prior.get("start_date_time").clone();
        }
    }
    state
}

/// The private state: the job as last read, so that an update costs one PATCH and no GET.
/// Compressed (zlib): terraform rewrites the whole state file after every resource it
/// applies, so every byte per job is paid N times over in a workspace of N jobs.
pub fn private_bytes(job: &Json) -> Vec<u8> {
    let json = serde_json::to_vec(job).unwrap_or_default();
    miniz_oxide::deflate::compress_to_vec_zlib(&json, ZLIB_LEVEL)
}

/// zlib's own default level.
const ZLIB_LEVEL: u8 = 6;

/// The job as last read, from what `private_bytes` wrote: decoded once, straight from the
/// text into the typed job (no JSON tree on the way); `None` for no or unreadable bytes.
pub fn private_job(bytes: &[u8]) -> Option<SeamJob> {
    LastRead::of(bytes)?.job()
}

/// The JSON text of what `private_bytes` wrote, decompressed once, to be read as the header
/// a refresh compares with the listing or, when that does not settle it, as the whole job.
pub struct LastRead(Vec<u8>);

impl LastRead {
    /// Plain JSON (an object starts with `{`) is accepted too.
    pub fn of(bytes: &[u8]) -> Option<Self> {
        match bytes.first() {
            None => None,
            Some(b'{') => Some(Self(bytes.to_vec())),
            Some(_) => inflate(bytes, 64 << 20).map(Self),
        }
    }

    pub fn header(&self) -> Option<JobHeader> {
        JobHeader::from_slice(&self.0).ok()
    }

    pub fn job(&self) -> Option<SeamJob> {
        let job = qualys_pm::Job::from_slice(&self.0).ok()?;
        Some(SeamJob::new(job))
    }
}

/// A zlib stream's content, up to `limit` bytes; `None` for a broken or truncated stream.
fn inflate(compressed: &[u8], limit: usize) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, limit).ok()
}

/// The private state as JSON, as a test inspects it.
#[cfg(test)]
pub fn private_json(bytes: &[u8]) -> Option<Json> {
    serde_json::from_slice::<Json>(&LastRead::of(bytes)?.0)
        .ok()
        .filter(Json::is_object)
}

/// The Terraform state after apply: the plan's known values, the rest from the server's job.
pub fn state_after(planned: &Value, job: &Json) -> Value {
    keep_planned(JOB_FIELDS, planned, &server_view(job))
}

/// The server's job as a Terraform object, with no prior state to keep spellings from.
pub fn server_view(job: &Json) -> Value {
    read_object(JOB_FIELDS, job, &Value::Null, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_last_read_comes_back_as_the_typed_job_it_was_written_from() {
        let job = json!({
            "id": "j", "status": "Enabled", "scheduleType": "Once",
            "createdBy": {"date": 1000}, "updatedBy": {"date": null}
        });
        let written = SeamJob::from_json(job.clone()).unwrap();
        let bytes = private_bytes(written.json());
        assert_ne!(bytes.first(), Some(&b'{'), "compressed");
        let read = private_job(&bytes).expect("the private state reads back");
        assert_eq!(read, written);
        assert_eq!(read.json(), written.json());
        assert_eq!(read.job().read_stamp(), written.job().read_stamp());
        assert!(read.job().is_run_once());
        // private state written as plain JSON (older versions) reads the same
        let plain = serde_json::to_vec(&job).unwrap();
        assert_eq!(private_job(&plain), Some(written));
    }

    #[test]
    fn inflating_grows_past_its_first_guess_and_stops_at_a_broken_stream_or_the_limit() {
        // far more compressible than a job: needs the output to grow many times
        let text = format!("{{\"description\":\"{}\"}}", "x".repeat(200_000));
        let bytes = private_bytes(&serde_json::from_str(&text).unwrap());
        assert!(bytes.len() * 8 < text.len());
        assert!(inflate(&bytes, 1 << 20).is_some_and(|out| out == text.as_bytes()));
        assert!(inflate(&bytes, 100_000).is_none(), "over the limit");
        assert!(
            inflate(&bytes[..bytes.len() / 2], 1 << 20).is_none(),
            "truncated"
        );
    }

    #[test]
    fn a_private_state_that_holds_no_job_reads_as_none() {
        for bytes in [
            &b""[..],
            b"\x78garbage",
            b"{not json",
            b"{\"timeout\": \"soon\"}",
        ] {
            assert!(private_job(bytes).is_none(), "{bytes:?}");
        }
    }
}
