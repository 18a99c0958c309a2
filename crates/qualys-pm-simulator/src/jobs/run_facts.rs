//! The run facts of a job's summary record (`completionPercent`, `lastScheduleDateTime`, ...),
//! computed in one place from what the stored job holds, so that the job runs (when the
//! simulator runs jobs) change them here and nowhere else.

use serde_json::{json, Map, Value};

use super::StoredJob;

/// The run facts of `stored` as the summary record carries them (keys and types as
/// `qualysdk` 0.4.0 reads them, `docs/api-readings.md`). A job that never ran has 0 counts,
/// 0 % complete, no last run and trigger status 0; the next run is not computed (null).
pub(crate) fn run_facts(stored: &StoredJob) -> Map<String, Value> {
    let targeted_assets = stored
        .job
        .get("assetIds")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let facts = json!({
        "completionPercent": 0,
        "assetResultReceivedCount": 0,
        "totalAssetCount": targeted_assets,
        "taggedAssetCount": 0,
        "applicableAssetCount": 0,
        "triggerStatus": 0,
        "lastScheduleDateTime": null,
        "nextScheduleDateTime": null,
    });
    match facts {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
