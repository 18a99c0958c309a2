//! `qualys_deployment_job_runs` data source: the runs of one job, newest first, and the
//! latest run's instance ID (null when the job never ran). One API call per read.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use super::{answer, required_string};
use crate::client_slot::ClientSlot;
use crate::framework::field::assert_well_formed;
use crate::framework::json::read_object;
use crate::framework::schema::fields_schema;
use crate::framework::validate::validate_fields;
use crate::framework::{field, Attr, Field, Kind};
use tfplugin::Mode::{Computed as C, Required as R};
use tfplugin::{DataSource, Diagnostic, Diagnostics, Schema, Value};

pub(crate) const TYPE_NAME: &str = "qualys_deployment_job_runs";
pub(crate) const DESCRIPTION: &str = "Lists the runs of a Qualys Patch Management deployment job, newest first, with the latest run's instance ID (what `qualys_deployment_job_result` takes).";

/// A run's instance ID: a number, as the runs API gives it.
pub(super) const JOB_ID: Field = field(
    "job_id",
    Kind::String,
    R,
    &["jobId"],
    "The deployment job's ID.",
)
.qualys_id();

const RUN_FIELDS: &[Field] = &[
    field(
        "job_instance_id",
        Kind::Number,
        C,
        &["jobInstanceId"],
        "The run's instance ID (what `qualys_deployment_job_result.job_instance_id` takes).",
    ),
    field(
        "scheduled_at",
        Kind::String,
        C,
        &["scheduledAt"],
        "When the run was scheduled, as RFC 3339 (null if the API's time could not be read).",
    ),
    field(
        "timezone_type",
        Kind::String,
        C,
        &["timezoneType"],
        "The job's time zone setting for the run (`SPECIFIC_TZ` or `AGENT_TZ`).",
    ),
];

/// Every attribute, declared once: schema, reading and docs derive from it.
pub(super) const FIELDS: &[Field] = &[
    JOB_ID,
    field(
        "runs",
        Kind::List(RUN_FIELDS),
        C,
        &["runs"],
        "The job's runs, newest first (whatever order the API answers in). Empty when the job never ran.",
    ),
    field(
        "latest_job_instance_id",
        Kind::Number,
        C,
        &["latestJobInstanceId"],
        "The newest run's instance ID; null when the job never ran.",
    ),
];

const _: () = assert_well_formed(FIELDS);

/// The job whose runs are listed (also the job of `qualys_deployment_job_result`).
pub(super) const JOB_ID_ATTR: Attr = Attr::declared(FIELDS, &["job_id"]);

pub(crate) struct JobRunsDataSource {
    slot: Arc<ClientSlot>,
}

impl JobRunsDataSource {
    pub(crate) fn new(slot: Arc<ClientSlot>) -> Self {
        JobRunsDataSource { slot }
    }

    async fn fetch(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.slot.get()?;
        let id = required_string(config, JOB_ID_ATTR, "Set job_id to a deployment job ID.")?;
        let runs = match client.job_runs(id).await {
            Ok(Some(runs)) => runs,
            Ok(None) => return Err(job_not_found(id)),
            Err(e) => {
                return Err(Diagnostic::error(
                    "Reading the job's runs failed",
                    format!("Job {id}: {e}"),
                )
                .into())
            }
        };
        let rfc3339 = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        };
        let listed: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| {
                json!({
                    "jobInstanceId": r.job_instance_id,
                    "scheduledAt": r.scheduled.and_then(rfc3339),
                    "timezoneType": r.timezone_type,
                })
            })
            .collect();
        let server = json!({
            "jobId": id,
            "runs": listed,
            "latestJobInstanceId": runs.first().map(|r| r.job_instance_id),
        });
        Ok(read_object(FIELDS, &server, &Value::Null, None))
    }
}

pub(super) fn job_not_found(id: &str) -> Diagnostics {
    Diagnostic::error(
        "Deployment job not found",
        format!("No deployment job has the ID {id}."),
    )
    .at(JOB_ID_ATTR.path())
    .into()
}

pub(crate) fn schema() -> Schema {
    fields_schema(0, FIELDS, DESCRIPTION)
}

#[async_trait]
impl DataSource for JobRunsDataSource {
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
    use crate::data_sources::job_result::JobResultDataSource;
    use tfplugin::AttributePath;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn job_id_and_job_instance_id_are_checked_at_plan_naming_the_attribute() {
        let runs = JobRunsDataSource::new(Default::default());
        let d = runs.validate(&config(&[("job_id", Value::from("job-1"))]));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].attribute, Some(AttributePath::attr("job_id")));
        assert!(d[0].detail.contains("is not a Qualys ID"), "{d:?}");

        let result = JobResultDataSource::new(Default::default());
        let d = result.validate(&config(&[
            (
                "job_id",
                Value::from("38aa48ca-a53f-4591-af01-8bce75de4ce7"),
            ),
            ("job_instance_id", Value::int(0)),
        ]));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].attribute, Some(AttributePath::attr("job_instance_id")));
        assert!(d[0].detail.contains("out of range"), "{d:?}");
    }
}
