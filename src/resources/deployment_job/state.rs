//! What a job read from the API (in the seam's form, `api::SeamJob`) becomes in Terraform:
//! the state (`job_to_state` after a read, `state_after` after an apply), from the job's
//! canonical JSON, and the private state (the job as last read, compressed), read back as a
//! typed job. Read, apply and the data sources all map through here.

use std::borrow::Cow;

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
/// applies, so every byte per job is paid N times over in a workspace of N jobs. The
/// compressed text is the job's header (platform, read stamp) and then the job, so that a
/// refresh, which needs only the header, inflates the first few hundred bytes of it.
pub fn private_bytes(job: &SeamJob) -> Vec<u8> {
    // writing plain data with string keys into a Vec cannot fail
    let mut text = Vec::new();
    let _ = serde_json::to_writer(&mut text, &JobHeader::of(job.job()));
    let _ = serde_json::to_writer(&mut text, job.json());
    miniz_oxide::deflate::compress_to_vec_zlib(&text, ZLIB_LEVEL)
}

/// zlib's own default level.
const ZLIB_LEVEL: u8 = 6;

/// How much of the text a refresh inflates for the header, which takes about 100 bytes.
const HEADER_ROOM: usize = 512;

/// The most a private state may inflate to.
const TEXT_LIMIT: usize = 64 << 20;

/// The header of the job as last read: from the first bytes of what `private_bytes` wrote,
/// or, in what earlier versions wrote (the job alone, compressed or plain JSON), from the
/// job; `None` for no or unreadable bytes.
pub fn private_header(bytes: &[u8]) -> Option<JobHeader> {
    if bytes.first() != Some(&b'{') {
        if let Some(header) = inflate_prefix(bytes, HEADER_ROOM)
            .and_then(|prefix| JobHeader::from_prefix(&prefix).ok())
        {
            return Some(header);
        }
    }
    JobHeader::from_prefix(&private_text(bytes)?).ok()
}

/// The job as last read, from what `private_bytes` wrote (or earlier versions did): decoded
/// straight from the text into the typed job; `None` for no or unreadable bytes.
pub fn private_job(bytes: &[u8]) -> Option<SeamJob> {
    let text = private_text(bytes)?;
    let job = qualys_pm::Job::from_slice(job_text(&text)).ok()?;
    Some(SeamJob::new(job))
}

/// The whole text: inflated, or as it is for plain JSON (an object starts with `{`).
fn private_text(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    match bytes.first()? {
        b'{' => Some(Cow::Borrowed(bytes)),
        _ => inflate(bytes, TEXT_LIMIT).map(Cow::Owned),
    }
}

/// The job's text: what follows the header, or all of it when no header precedes the job.
fn job_text(text: &[u8]) -> &[u8] {
    // the first value is only stepped over: no tree is built of it
    let mut values =
        serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>();
    if let Some(Ok(_)) = values.next() {
        let rest = &text[values.byte_offset()..];
        if !rest.trim_ascii().is_empty() {
            return rest;
        }
    }
    text
}

/// A zlib stream's content, up to `limit` bytes; `None` for a broken or truncated stream.
fn inflate(compressed: &[u8], limit: usize) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, limit).ok()
}

/// The first `room` bytes of a zlib stream's content (all of it when shorter); `None` for a
/// broken stream.
fn inflate_prefix(compressed: &[u8], room: usize) -> Option<Vec<u8>> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = vec![0; room];
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, _, written) = decompress(
        &mut DecompressorOxide::new(),
        compressed,
        &mut out,
        0,
        flags,
    );
    match status {
        TINFLStatus::Done | TINFLStatus::HasMoreOutput => {
            out.truncate(written);
            Some(out)
        }
        _ => None,
    }
}

/// The job in the private state as JSON, as a test inspects it.
#[cfg(test)]
pub fn private_json(bytes: &[u8]) -> Option<Json> {
    serde_json::from_slice::<Json>(job_text(&private_text(bytes)?))
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
        let bytes = private_bytes(&written);
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
        let bytes = miniz_oxide::deflate::compress_to_vec_zlib(text.as_bytes(), ZLIB_LEVEL);
        assert!(bytes.len() * 8 < text.len());
        assert!(inflate(&bytes, 1 << 20).is_some_and(|out| out == text.as_bytes()));
        assert!(inflate(&bytes, 100_000).is_none(), "over the limit");
        assert!(
            inflate(&bytes[..bytes.len() / 2], 1 << 20).is_none(),
            "truncated"
        );
    }

    #[test]
    fn a_refresh_inflates_only_the_header_and_earlier_private_states_still_read() {
        let job = SeamJob::from_json(json!({
            "id": "j", "platform": "Linux", "status": "Enabled", "description": "d".repeat(900),
            "createdBy": {"date": 1000}, "updatedBy": {"date": 2000}
        }))
        .unwrap();
        let header = JobHeader::of(job.job());
        let bytes = private_bytes(&job);
        let prefix = inflate_prefix(&bytes, HEADER_ROOM).unwrap();
        assert!(
            prefix.len() == HEADER_ROOM && HEADER_ROOM < inflate(&bytes, TEXT_LIMIT).unwrap().len()
        );
        assert_eq!(JobHeader::from_prefix(&prefix).ok(), Some(header.clone()));
        assert_eq!(private_header(&bytes), Some(header.clone()));
        assert_eq!(private_job(&bytes).as_ref(), Some(&job));
        // what earlier versions wrote: the job alone, compressed or plain
        let plain = serde_json::to_vec(job.json()).unwrap();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&plain, ZLIB_LEVEL);
        for earlier in [plain, compressed] {
            assert_eq!(private_header(&earlier), Some(header.clone()));
            assert_eq!(private_job(&earlier).as_ref(), Some(&job));
            assert_eq!(private_json(&earlier).as_ref(), Some(job.json()));
        }
        assert_eq!(private_json(&bytes).as_ref(), Some(job.json()));
        assert_eq!(private_header(b"\x78garbage"), None);
        assert_eq!(private_header(b""), None);
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
