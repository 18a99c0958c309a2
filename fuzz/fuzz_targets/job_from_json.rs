//! The API's job and job-summary JSON, decoded leniently: never a panic, and a decoded job
//! decodes again from its own canonical JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_pm::{Job, JobSummary};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(job) = Job::from_json(json.clone()) {
        let again = Job::from_json(job.to_json());
        assert!(
            again.is_ok(),
            "a job's canonical JSON does not decode: {again:?}"
        );
    }
    let _ = JobSummary::from_json(json);
});
