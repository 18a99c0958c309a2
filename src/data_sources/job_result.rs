//! `qualys_deployment_job_result` data source: what one run of a job did on each asset
//! (the latest run unless `job_instance_id` says which), and the facts a CI gate needs:
//! the succeeded, failed and pending asset IDs and the success ratio. One API call per page
//! of assets; the latest run is the API's answer without `jobInstanceId` (no runs call).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use super::job_runs::{job_not_found, JOB_ID, JOB_ID_ATTR};
use super::{answer, required_string};
use crate::client_slot::ClientSlot;
use crate::framework::field::{assert_well_formed, field, Field, Kind::*};
use crate::framework::json::read_object;
use crate::framework::schema::fields_schema;
use crate::framework::validate::validate_fields;
use crate::framework::Attr;
use qualys_pm::runs::{AssetOutcome, JobResult};
use tfplugin::Mode::{Computed as C, OptionalComputed as OC};
use tfplugin::{DataSource, Diagnostic, Diagnostics, Schema, Value};

pub(crate) const TYPE_NAME: &str = "qualys_deployment_job_result";
pub(crate) const DESCRIPTION: &str = "Reads what one run of a Qualys Patch Management deployment job did on each asset (the latest run unless `job_instance_id` names one), with the succeeded, failed and pending asset IDs and the success ratio a CI gate checks.";

/// The rule that sorts an asset into `succeeded_asset_ids`, `failed_asset_ids` or
/// `pending_asset_ids` (the docs quote it).
#[cfg(test)]
pub(crate) const OUTCOME_RULE: &str = "an asset with a failed patch or a failed action is `failed`; else one still executing, pending execution, pending verification or without an end time is `pending`; else it `succeeded` (a pending reboot does not change that). The API's status words are undocumented and are not used.";

/// One asset of the run, as the result summary reports it (API names snake_cased).
const ASSET_FIELDS: &[Field] = &[
    field(
        "id",
        String,
        C,
        &["asset", "id"],
        "The asset ID (what a job's `asset_ids` takes).",
    ),
    field("name", String, C, &["asset", "name"], "The asset's name."),
    field(
        "operating_system",
        String,
        C,
        &["asset", "operatingSystem"],
        "The asset's operating system.",
    ),
    field(
        "outcome",
        String,
        C,
        &["outcome"],
        "`succeeded`, `failed` or `pending`, by the rule in the page's notes.",
    ),
    field(
        "status",
        String,
        C,
        &["status"],
        "The status word the API reports (undocumented; informative only).",
    ),
    field(
        "status_code",
        String,
        C,
        &["statusCode"],
        "The status code the API reports (undocumented).",
    ),
    field(
        "success_patches",
        Number,
        C,
        &["successPatches"],
        "Patches that succeeded.",
    ),
    field(
        "installed_patches",
        Number,
        C,
        &["installedPatches"],
        "Patches installed.",
    ),
    field(
        "failed_patches",
        Number,
        C,
        &["failedPatches"],
        "Patches that failed.",
    ),
    field(
        "superseded_patches",
        Number,
        C,
        &["supersededPatches"],
        "Patches superseded.",
    ),
    field(
        "not_applicable_patches",
        Number,
        C,
        &["notApplicablePatches"],
        "Patches not applicable to the asset.",
    ),
    field(
        "skipped_patches",
        Number,
        C,
        &["skipPatchCount"],
        "Patches skipped.",
    ),
    field(
        "total_patches",
        Number,
        C,
        &["totalPatchCount"],
        "Patches the run had for the asset.",
    ),
    field(
        "failed_actions",
        Number,
        C,
        &["failedActionsCount"],
        "Pre- and post-actions that failed.",
    ),
    field(
        "successful_actions",
        Number,
        C,
        &["successfulActionsCount"],
        "Pre- and post-actions that succeeded.",
    ),
    field(
        "skipped_actions",
        Number,
        C,
        &["skippedActionsCount"],
        "Pre- and post-actions skipped.",
    ),
    field(
        "pending_reboot",
        Bool,
        C,
        &["pendingReboot"],
        "Whether the asset waits for a reboot.",
    ),
    field(
        "started_at",
        EpochMs,
        C,
        &["startDateTime"],
        "When the run started on the asset (RFC 3339).",
    ),
    field(
        "ended_at",
        EpochMs,
        C,
        &["endDateTime"],
        "When the run ended on the asset (RFC 3339); null while pending.",
    ),
];

/// Every attribute, declared once: schema, validation, reading and docs derive from it.
pub(super) const FIELDS: &[Field] = &[
    JOB_ID,
    field(
        "job_instance_id",
        Number,
        OC,
        &["jobInstanceId"],
        "The run to read, as `qualys_deployment_job_runs` gives it. Unset: the latest run (and then the run read, when the API names it).",
    )
    .range(1, i64::MAX),
    field("asset_count", Number, C, &["assetCount"], "How many assets the run reached."),
    field("patch_count", Number, C, &["patchCount"], "How many patches the run deployed."),
    field("created_by", String, C, &["createdBy"], "The user name the API reports for the run."),
    field("created_at", EpochMs, C, &["createdOn"], "When the run was created (RFC 3339)."),
    field(
        "assets",
        List(ASSET_FIELDS),
        C,
        &["assets"],
        "One object per asset of the run, in the API's order (every page).",
    ),
    field(
        "succeeded_asset_ids",
        StringSet,
        C,
        &["succeeded"],
        "IDs of the assets the run succeeded on.",
    ),
    field(
        "failed_asset_ids",
        StringSet,
        C,
        &["failed"],
        "IDs of the assets where a patch or an action failed: ready for a follow-up job's `asset_ids`.",
    ),
    field(
        "pending_asset_ids",
        StringSet,
        C,
        &["pending"],
        "IDs of the assets the run has not finished on.",
    ),
    field(
        "success_ratio",
        Number,
        C,
        &["successRatio"],
        "Succeeded assets over finished (succeeded or failed) ones, from 0 to 1; null when none finished.",
    ),
];

const _: () = assert_well_formed(FIELDS);

/// The run to read; the latest when null.
const JOB_INSTANCE_ID: Attr = Attr::declared(FIELDS, &["job_instance_id"]);

pub(crate) struct JobResultDataSource {
    slot: Arc<ClientSlot>,
}

impl JobResultDataSource {
    pub(crate) fn new(slot: Arc<ClientSlot>) -> Self {
        JobResultDataSource { slot }
    }

    async fn fetch(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.slot.get()?;
        let id = required_string(config, JOB_ID_ATTR, "Set job_id to a deployment job ID.")?;
        let instance = JOB_INSTANCE_ID.of(config).as_i64();
        match client.job_result(id, instance).await {
            Ok(Some(result)) => Ok(read_object(
                FIELDS,
                &result_json(id, &result),
                &Value::Null,
                None,
            )),
            Ok(None) => Err(no_run(id, instance)),
            Err(e) if e.is_not_found() => Err(job_not_found(id)),
            Err(e) => Err(Diagnostic::error(
                "Reading the job's result failed",
                format!("Job {id}: {e}"),
            )
            .into()),
        }
    }
}

/// The data source's value as JSON named like `FIELDS`' API paths.
fn result_json(job_id: &str, result: &JobResult) -> serde_json::Value {
    let mut classes: [Vec<&str>; 3] = Default::default();
    let assets: Vec<serde_json::Value> = result
        .assets
        .iter()
        .map(|a| {
            let (class, word) = match a.outcome() {
                AssetOutcome::Succeeded => (0, "succeeded"),
                AssetOutcome::Failed => (1, "failed"),
                AssetOutcome::Pending => (2, "pending"),
            };
            classes[class].push(a.asset.id.as_str());
            let mut entry = a.to_json();
            entry["outcome"] = json!(word);
            entry
        })
        .collect();
    let [succeeded, failed, pending] = classes;
    let finished = succeeded.len() + failed.len();
    let ratio = (finished > 0).then(|| succeeded.len() as f64 / finished as f64);
    json!({
        "jobId": job_id,
        "jobInstanceId": result.job_instance_id,
        "assetCount": result.asset_count,
        "patchCount": result.patch_count,
        "createdBy": result.created_by,
        "createdOn": result.created_on,
        "assets": assets,
        "succeeded": succeeded,
        "failed": failed,
        "pending": pending,
        "successRatio": ratio,
    })
}

fn no_run(job_id: &str, instance: Option<i64>) -> Diagnostics {
    match instance {
        Some(n) => Diagnostic::error(
            "No such run of the deployment job",
            format!("Deployment job {job_id} has no run with job_instance_id {n}: the Qualys API reports no result for it. qualys_deployment_job_runs lists the job's runs."),
        )
        .at(JOB_INSTANCE_ID.path()),
        None => Diagnostic::error(
            "The deployment job has not run",
            format!("Deployment job {job_id} has no run yet: the Qualys API reports no result for it. A job runs once it is enabled (an On-demand job at once, a scheduled one at its start time); until then there is nothing to read. Read qualys_deployment_job_runs (latest_job_instance_id is null until the first run) to wait for it."),
        )
        .at(JOB_ID_ATTR.path()),
    }
    .into()
}

pub(crate) fn schema() -> Schema {
    fields_schema(0, FIELDS, DESCRIPTION)
}

#[async_trait]
impl DataSource for JobResultDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_fields(FIELDS, config)
    }

    async fn read(&self, config: &Value) -> (Value, Diagnostics) {
        answer(self.fetch(config).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qualys_pm::runs::AssetResult;

    fn asset(id: &str, v: serde_json::Value) -> AssetResult {
        let mut a: AssetResult = serde_json::from_value(v).unwrap();
        a.asset.id = id.to_owned();
        a
    }

    #[test]
    fn the_ratio_counts_finished_assets_only_and_is_null_when_none_finished() {
        let done = json!({"endDateTime": 5});
        let result = JobResult {
            assets: vec![
                asset("a", done.clone()),
                asset("b", done),
                asset("c", json!({"failedPatches": 1, "endDateTime": 5})),
                asset("d", json!({"executing": true})),
            ],
            ..Default::default()
        };
        let v = result_json("j", &result);
        assert_eq!(v["succeeded"], json!(["a", "b"]));
        assert_eq!(v["failed"], json!(["c"]));
        assert_eq!(v["pending"], json!(["d"]));
        assert!((v["successRatio"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(v["assets"][3]["outcome"], "pending");
        let pending_only = JobResult {
            assets: vec![asset("d", json!({"pendingExecution": 1}))],
            ..Default::default()
        };
        assert_eq!(
            result_json("j", &pending_only)["successRatio"],
            serde_json::Value::Null
        );
    }
}
