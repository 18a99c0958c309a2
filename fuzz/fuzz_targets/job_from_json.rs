//! The API's job and job-summary JSON, decoded leniently: never a panic, and a decoded job
//! or summary round-trips through its own JSON (decode, encode, decode again: equal values).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_pm::{Job, JobSummary};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(job) = Job::from_json(json.clone()) {
        let again = Job::from_json(job.to_json())
            .unwrap_or_else(|e| panic!("a job's canonical JSON does not decode: {e}: {job:?}"));
        assert_eq!(again, job, "the round trip changed the job");
    }
    if let Ok(summary) = JobSummary::from_json(json) {
        let text = serde_json::to_value(&summary).expect("a summary serialises");
        let again = JobSummary::from_json(text)
            .unwrap_or_else(|e| panic!("a summary's JSON does not decode: {e}: {summary:?}"));
        assert_eq!(again, summary, "the round trip changed the summary");
    }
});
