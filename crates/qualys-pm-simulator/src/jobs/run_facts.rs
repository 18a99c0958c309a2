//! The run facts of a job's summary record (`completionPercent`, `lastScheduleDateTime`, ...),
//! computed in one place from the runs the simulator recorded for the job (`run.rs`).

use serde_json::{json, Map, Value};

use super::run::{find_run, next_occurrence, Outcome};
use super::StoredJob;

/// The run facts of `stored` as the summary record carries them (keys and types as
/// `qualysdk` 0.4.0 reads them, `docs/api-readings.md`), from its latest run: the assets
/// that reported (not pending) and their share of the run's assets, the run's time; the
/// next scheduled time of an enabled Once or recurring job. A job that never ran has 0
/// counts, 0 % complete and no last run. `triggerStatus` stays 0 (its meaning is unknown).
pub(crate) fn run_facts(stored: &StoredJob, now_ms: u64) -> Map<String, Value> {
    let targeted_assets = stored
        .job
        .get("assetIds")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let latest = find_run(stored, None);
    let run_assets = latest.map_or(0, |r| r.assets.len());
    let reported = latest.map_or(0, |r| {
        r.assets
            .iter()
            .filter(|(_, o)| *o != Outcome::Pending)
            .count()
    });
    let next = (stored.stored_status() == "Enabled")
        .then(|| next_occurrence(&stored.job, now_ms))
        .flatten();
    let facts = json!({
        "completionPercent": (reported * 100).checked_div(run_assets).unwrap_or(0),
        "assetResultReceivedCount": reported,
        "totalAssetCount": targeted_assets,
        "taggedAssetCount": 0,
        "applicableAssetCount": run_assets,
        "triggerStatus": 0,
        "lastScheduleDateTime": latest.map(|r| r.scheduled_ms),
        "nextScheduleDateTime": next,
    });
    match facts {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
