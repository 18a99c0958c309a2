//! Job runs and their per-asset results: what the simulator records when a job runs, the
//! answers of `GET .../runs` and `.../deploymentjobresult/summary`, and the run facts of the
//! job summary. A run's outcome per asset is chosen by whoever starts it (the admin
//! endpoint's spec; all succeed for an On-demand job enabled, or a scheduled time passing),
//! so that tests are deterministic. See docs/simulator.md.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog::Catalog;
use crate::jobs::{strings_at, Outcome, Run, StoredJob};

/// How a run started by the admin endpoint ends per asset: the counts take the job's
/// assets in order (failed first, then pending, failed_action, pending_reboot), `assets`
/// names outcomes by asset ID over them; every other asset succeeds.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeSpec {
    #[serde(default)]
    pub failed: usize,
    #[serde(default)]
    pub pending: usize,
    #[serde(default)]
    pub failed_action: usize,
    #[serde(default)]
    pub pending_reboot: usize,
    #[serde(default)]
    pub assets: std::collections::BTreeMap<String, Outcome>,
}

impl OutcomeSpec {
    fn outcomes(&self, asset_ids: Vec<String>) -> Vec<(String, Outcome)> {
        let counted = [
            (Outcome::Failed, self.failed),
            (Outcome::Pending, self.pending),
            (Outcome::FailedAction, self.failed_action),
            (Outcome::PendingReboot, self.pending_reboot),
        ]
        .into_iter()
        .flat_map(|(o, n)| std::iter::repeat_n(o, n));
        let mut by_count = counted.chain(std::iter::repeat(Outcome::Succeeded));
        asset_ids
            .into_iter()
            .map(|id| {
                let counted = by_count.next().unwrap_or(Outcome::Succeeded);
                let outcome = self.assets.get(&id).copied().unwrap_or(counted);
                (id, outcome)
            })
            .collect()
    }
}

/// The assets a run reaches: the job's `assetIds`, then the catalog's assets carrying one of
/// its `assetTagIds`, less `exclusionAssetIds`.
pub(crate) fn targeted_assets(job: &Value, catalog: &Catalog) -> Vec<String> {
    let mut ids = strings_at(job, "assetIds");
    let tags = strings_at(job, "assetTagIds");
    if !tags.is_empty() {
        for asset in catalog.assets() {
            let tagged = asset
                .get("tags")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|t| tags.iter().any(|id| t["id"] == **id)));
            let id = asset.get("id").and_then(Value::as_str).unwrap_or_default();
            if tagged && !ids.iter().any(|i| i == id) {
                ids.push(id.to_owned());
            }
        }
    }
    let excluded = strings_at(job, "exclusionAssetIds");
    ids.retain(|id| !excluded.contains(id));
    ids
}

/// Records a run of `stored` scheduled at `at_ms` with the outcomes `spec` chooses.
pub(crate) fn record(
    stored: &mut StoredJob,
    last_instance: &mut u64,
    at_ms: u64,
    spec: &OutcomeSpec,
    catalog: &Catalog,
) -> Run {
    *last_instance += 1;
    let run = Run {
        job_instance_id: 7_000_000 + *last_instance,
        scheduled_ms: at_ms,
        assets: spec.outcomes(targeted_assets(&stored.job, catalog)),
    };
    stored.runs.push(run.clone());
    run
}

/// ISO-8601 with a UTC offset: strict `2026-12-07T16:30:00.000+00:00`, lenient without the
/// colon or the fraction (`2026-12-07T16:30:00+0000`).
fn iso(ms: u64, lenient: bool) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = if lenient {
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+0000")
    } else {
        time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+00:00"
        )
    };
    t.format(fmt).unwrap_or_default()
}

/// `GET /pm/v1/deploymentjob/{id}/runs`: a bare array, oldest first (strict) or newest
/// first (lenient).
pub(crate) fn render_runs(stored: &StoredJob, lenient: bool) -> Value {
    let mut runs: Vec<Value> = stored
        .runs
        .iter()
        .map(|r| {
            json!({
                "jobInstanceId": r.job_instance_id,
                "scheduledDateTime": iso(r.scheduled_ms, lenient),
                "timezoneType": stored.job.get("timezoneType").cloned().unwrap_or(json!("SPECIFIC_TZ")),
            })
        })
        .collect();
    if lenient {
        runs.reverse();
    }
    Value::Array(runs)
}

/// Paging of a result summary's `assets` (`pageNumber` from 0).
pub(crate) struct Page {
    pub number: usize,
    pub size: usize,
}

/// The result summary of `run`: one object, its `assets` paged. Flags are booleans (strict)
/// or 0/1 (lenient); an entry's `jobInstanceId` is a string (strict) or a number (lenient).
pub(crate) fn render_result(
    stored: &StoredJob,
    run: &Run,
    catalog: &Catalog,
    created_by: &str,
    page: &Page,
    lenient: bool,
) -> Value {
    let patches = strings_at(&stored.job, "approvedPatches").len();
    let assets: Vec<Value> = run
        .assets
        .iter()
        .enumerate()
        .skip(page.number.saturating_mul(page.size))
        .take(page.size)
        .map(|(i, (id, outcome))| {
            let facts = AssetFacts {
                run,
                index: i,
                outcome: *outcome,
                patches,
                actions: actions(&stored.job),
                lenient,
            };
            asset_entry(id, catalog.asset(id), &facts)
        })
        .collect();
    json!({
        "id": stored.id(),
        "name": stored.job.get("name").cloned().unwrap_or(Value::Null),
        "assetCount": run.assets.len(),
        "patchCount": patches,
        "createdBy": created_by,
        "createdOn": run.scheduled_ms,
        "assets": assets,
    })
}

fn actions(job: &Value) -> usize {
    ["preDeployActions", "postDeployActions"]
        .iter()
        .map(|k| job.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
        .sum()
}

struct AssetFacts<'a> {
    run: &'a Run,
    index: usize,
    outcome: Outcome,
    patches: usize,
    actions: usize,
    lenient: bool,
}

/// One entry of `assets`: the nested asset and the run's facts for it. Status words are
/// the simulator's own (the real ones are undocumented; the provider does not read them).
fn asset_entry(id: &str, asset: Option<&Value>, f: &AssetFacts<'_>) -> Value {
    use Outcome::*;
    let flag = |b: bool| if f.lenient { json!(b as u8) } else { json!(b) };
    let start = f.run.scheduled_ms + 1_000 * f.index as u64;
    let finished = f.outcome != Pending;
    let failed = if f.outcome == Failed {
        f.patches.max(1)
    } else {
        0
    };
    let succeeded = if finished && f.outcome != Failed {
        f.patches
    } else {
        0
    };
    let failed_actions = usize::from(f.outcome == FailedAction);
    let (status, code) = match f.outcome {
        Succeeded | PendingReboot => ("Success", "2000"),
        Failed | FailedAction => ("Failed", "4000"),
        Pending => ("In Progress", "1000"),
    };
    let a = |k: &str| asset.and_then(|a| a.get(k)).cloned().unwrap_or(Value::Null);
    // as qualysdk reads the nested asset of live answers: tags `{id, name}`, interfaces
    // without `ipv6Address`
    let keep = |list: Value, keys: &[&str]| match list {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|mut item| {
                    if let Some(m) = item.as_object_mut() {
                        m.retain(|k, _| keys.contains(&k.as_str()));
                    }
                    item
                })
                .collect(),
        ),
        other => other,
    };
    json!({
        "asset": {
            "id": id,
            "name": a("name"),
            "operatingSystem": a("operatingSystem"),
            "osIdentifier": a("osIdentifier"),
            "lastLoggedOnUser": a("lastLoggedOnUser"),
            "tags": keep(a("tags"), &["id", "name"]),
            "interfaces": keep(a("interfaces"), &["interfaceName", "macAddress", "address", "gatewayAddress"]),
        },
        "successPatches": succeeded,
        "installedPatches": succeeded,
        "failedPatches": failed,
        "supersededPatches": 0,
        "notApplicablePatches": 0,
        "skipPatchCount": 0,
        "totalPatchCount": f.patches.max(failed),
        "failedActionsCount": failed_actions,
        "successfulActionsCount": if finished { f.actions.saturating_sub(failed_actions) } else { 0 },
        "skippedActionsCount": 0,
        "executing": flag(!finished),
        "pendingExecution": flag(false),
        "pendingReboot": flag(f.outcome == PendingReboot),
        "pendingVerification": flag(false),
        "status": status,
        "statusCode": code,
        "interimResultStatus": null,
        "jobInstanceId": if f.lenient { json!(f.run.job_instance_id) } else { json!(f.run.job_instance_id.to_string()) },
        "runId": f.run.job_instance_id,
        "startDateTime": start,
        "endDateTime": if finished { json!(start + 60_000) } else { Value::Null },
        "statusDateTime": start,
        "jobSentOn": f.run.scheduled_ms,
        "scanDateTime": null,
        "installed": [], "failed": [], "success": [], "superseded": [], "notApplicable": [],
        "additionalFields": null,
        "pendingForRebootInAnotherJob": flag(false),
        "pendingForRebootInAnotherJobName": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::find_run;

    fn job(v: Value) -> StoredJob {
        StoredJob {
            seq: 1,
            job: v,
            chained_job_rule: None,
            enabled_at_ms: None,
            runs: Vec::new(),
            runs_checked_ms: None,
        }
    }

    #[test]
    fn counts_take_the_assets_in_order_and_named_assets_override() {
        let spec = OutcomeSpec {
            failed: 2,
            pending: 1,
            assets: [("e".to_owned(), Outcome::PendingReboot)].into(),
            ..Default::default()
        };
        let ids = ["a", "b", "c", "d", "e"].map(str::to_owned).to_vec();
        let got: Vec<Outcome> = spec.outcomes(ids).into_iter().map(|(_, o)| o).collect();
        use Outcome::*;
        assert_eq!(got, [Failed, Failed, Pending, Succeeded, PendingReboot]);
    }

    #[test]
    fn the_latest_run_is_the_last_scheduled_and_facts_follow_it() {
        let mut stored = job(json!({"status": "Disabled", "assetIds": ["a", "b", "c", "d"]}));
        let catalog = Catalog::from_json(json!({"patches": [], "assets": []})).unwrap();
        let mut seq = 0;
        let first = record(
            &mut stored,
            &mut seq,
            1_000,
            &OutcomeSpec::default(),
            &catalog,
        );
        let spec = OutcomeSpec {
            pending: 1,
            ..Default::default()
        };
        let second = record(&mut stored, &mut seq, 2_000, &spec, &catalog);
        assert_ne!(first.job_instance_id, second.job_instance_id);
        assert_eq!(
            find_run(&stored, None).map(|r| r.job_instance_id),
            Some(second.job_instance_id)
        );
        let facts = crate::jobs::run_facts(&stored, 3_000);
        assert_eq!(facts["lastScheduleDateTime"], 2_000);
        assert_eq!(facts["completionPercent"], 75);
        assert_eq!(facts["assetResultReceivedCount"], 3);
        assert_eq!(facts["totalAssetCount"], 4);
        assert_eq!(facts["nextScheduleDateTime"], Value::Null);
        let strict = render_runs(&stored, false);
        assert_eq!(strict[0]["jobInstanceId"], first.job_instance_id);
        assert_eq!(
            strict[0]["scheduledDateTime"],
            "1970-01-01T00:00:01.000+00:00"
        );
        let lenient = render_runs(&stored, true);
        assert_eq!(lenient[0]["jobInstanceId"], second.job_instance_id);
        assert_eq!(lenient[0]["scheduledDateTime"], "1970-01-01T00:00:02+0000");
    }
}
