//! What a job read from the API (in the seam's form, `api::seam_json`) becomes in Terraform: the state (`job_to_state` after a
//! read, `state_after` after an apply) and the private state (the job as last read,
//! compressed). Read, apply and the data sources all map through here.

use serde_json::Value as Json;

use tfplugin::Value;

use super::fields::JOB_FIELDS;
use crate::framework::json::{get_path, keep_planned, read_object};

/// Maps the server's job onto the state, keeping `prior`'s spelling where the server's value
/// means the same, and the user's script text where the storage reference is unchanged
/// since `base` (the job as last read).
pub fn job_to_state(job: &Json, prior: &Value, base: Option<&Json>) -> Value {
    let mut state = read_object(JOB_FIELDS, job, prior, base);
    // the server sets an On-demand job's start time itself; a configured one is not drift
    if get_path(job, &["scheduleType"]).as_str() == Some("On-demand")
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
    use std::io::Write as _;
    let json = serde_json::to_vec(job).unwrap_or_default();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    match z.write_all(&json).and_then(|()| z.finish()) {
        Ok(compressed) => compressed,
        Err(_) => json,
    }
}

/// Reads what `private_bytes` wrote; plain JSON (an object starts with `{`) is accepted too.
pub fn private_json(bytes: &[u8]) -> Option<Json> {
    use std::io::Read as _;
    let json: Vec<u8> = match bytes.first() {
        None => return None,
        Some(b'{') => bytes.to_vec(),
        Some(_) => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(bytes)
                .take(64 << 20)
                .read_to_end(&mut out)
                .ok()?;
            out
        }
    };
    serde_json::from_slice::<Json>(&json)
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
