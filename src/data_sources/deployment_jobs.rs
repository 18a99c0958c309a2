//! `qualys_deployment_jobs` data source: the job summaries of one platform (all pages),
//! optionally only those with a given name.

use std::sync::Arc;

use async_trait::async_trait;

use super::{answer, required_string};
use crate::client_slot::ClientSlot;
use crate::framework::field::assert_well_formed;
use crate::framework::json::read_object;
use crate::framework::schema::fields_schema;
use crate::framework::validate::validate_fields;
use crate::framework::{field, Attr, Field, Kind};
use crate::resources::deployment_job::fields::PLATFORMS;
use tfplugin::{DataSource, Diagnostic, Diagnostics, Mode, Schema, Value};

pub(crate) const TYPE_NAME: &str = "qualys_deployment_jobs";
pub(crate) const DESCRIPTION: &str =
    "Lists the Qualys Patch Management deployment jobs of a platform (every page of the job summary API), optionally only those with a given name.";

/// What the configuration asks for, and the answer.
const FIELDS: &[Field] = &[
    field(
        "platform",
        Kind::String,
        Mode::Required,
        &["platform"],
        "The platform whose jobs to list: `Windows` or `Linux`.",
    )
    .one_of(PLATFORMS),
    field(
        "name",
        Kind::String,
        Mode::Optional,
        &["name"],
        "Only jobs with exactly this name.",
    ),
    field(
        "jobs",
        Kind::List(SUMMARY_FIELDS),
        Mode::Computed,
        &["jobs"],
        "The matching jobs.",
    ),
];

const _: () = assert_well_formed(FIELDS);

const PLATFORM: Attr = Attr::declared(FIELDS, &["platform"]);
const NAME: Attr = Attr::declared(FIELDS, &["name"]);
const JOBS: Attr = Attr::declared(FIELDS, &["jobs"]);
const JOB_NAME: Attr = Attr::declared(SUMMARY_FIELDS, &["name"]);

/// One job summary, as the list API (`/pm/v1/deploymentjobs/summary`) reports it.
pub(crate) const SUMMARY_FIELDS: &[Field] = &[
    field("id", Kind::String, Mode::Computed, &["id"], "The job ID."),
    field("name", Kind::String, Mode::Computed, &["name"], "Name of the job."),
    field("description", Kind::String, Mode::Computed, &["description"], "Description of the job."),
    field("platform", Kind::String, Mode::Computed, &["platform"], "The platform: `Windows` or `Linux`."),
    field("type", Kind::String, Mode::Computed, &["type"], "The job type: `Install` or `Rollback`."),
    field(
        "status",
        Kind::String,
        Mode::Computed,
        &["status"],
        "The status the server reports (`Enabled`, `Disabled`, or a server-driven value such as `Prepared`).",
    ),
    field(
        "schedule_type",
        Kind::String,
        Mode::Computed,
        &["scheduleType"],
        "When the job runs (`On-demand`, `Once`, `Daily`, `Weekly`, `Monthly`).",
    ),
    field("recurring", Kind::Bool, Mode::Computed, &["isRecurring"], "Whether the job recurs."),
    field("created_by", Kind::String, Mode::Computed, &["created", "user", "name"], "User name of the job's creator."),
    field("created_at", Kind::EpochMs, Mode::Computed, &["created", "date"], "Creation time (RFC 3339)."),
    field("updated_at", Kind::EpochMs, Mode::Computed, &["updated", "date"], "Last update time (RFC 3339), if any."),
    field("next_run_at", Kind::EpochMs, Mode::Computed, &["nextScheduleDateTime"], "Next scheduled run (RFC 3339), if any."),
    field("last_run_at", Kind::EpochMs, Mode::Computed, &["lastScheduleDateTime"], "Last scheduled run (RFC 3339), if any."),
];

pub(crate) struct DeploymentJobsDataSource {
    slot: Arc<ClientSlot>,
}

impl DeploymentJobsDataSource {
    pub(crate) fn new(slot: Arc<ClientSlot>) -> Self {
        DeploymentJobsDataSource { slot }
    }

    async fn fetch(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.slot.get()?;
        let platform = required_string(config, PLATFORM, "Set platform to Windows or Linux.")?;
        // the name is matched here rather than sent as a QQL filter: exact and independent
        // of how the service tokenises names
        let summaries = client.list_jobs(platform, None).await.map_err(|e| {
            Diagnostic::error(
                "Listing deployment jobs failed",
                format!("Platform {platform}: {e}"),
            )
        })?;
        let summaries: Vec<serde_json::Value> = summaries
            .iter()
            .filter_map(|s| serde_json::to_value(s).ok())
            .collect();
        Ok(with_jobs(config, &summaries))
    }
}

pub(crate) fn schema() -> Schema {
    fields_schema(0, FIELDS, DESCRIPTION)
}

#[async_trait]
impl DataSource for DeploymentJobsDataSource {
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

/// The data source's value: the configuration, with `jobs` the summaries matching `name`.
fn with_jobs(config: &Value, summaries: &[serde_json::Value]) -> Value {
    let name = NAME.of(config).as_str();
    let jobs = summaries
        .iter()
        .map(|j| read_object(SUMMARY_FIELDS, j, &Value::Null, None))
        .filter(|job| name.is_none() || JOB_NAME.of(job).as_str() == name)
        .collect();
    let mut out = config.clone();
    if let Value::Object(m) = &mut out {
        m.insert(JOBS.name().to_owned(), Value::List(jobs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfplugin::AttributePath;

    #[test]
    fn summaries_map_to_jobs_filtered_by_exact_name() {
        let summaries = vec![
            json!({"id": "a", "name": "Weekly", "platform": "Linux", "type": "Install", "status": "Enabled",
                   "scheduleType": "Weekly", "isRecurring": true, "created": {"user": {"name": "me"}, "date": 1744638348039i64},
                   "nextScheduleDateTime": 1744638400000i64}),
            json!({"id": "b", "name": "Weekly 2", "platform": "Linux", "status": "Disabled"}),
        ];
        let mut cfg = std::collections::BTreeMap::new();
        cfg.insert("platform".to_owned(), Value::from("Linux"));
        cfg.insert("name".to_owned(), Value::Null);
        cfg.insert("jobs".to_owned(), Value::Null);
        let all = with_jobs(&Value::Object(cfg.clone()), &summaries);
        let jobs = all.get("jobs").as_elements().unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].get("recurring"), &Value::Bool(true));
        assert_eq!(
            jobs[0].get("created_at"),
            &Value::from("2025-04-14T13:45:48.039Z")
        );
        assert_eq!(
            jobs[0].get("next_run_at"),
            &Value::from("2025-04-14T13:46:40Z")
        );
        assert_eq!(jobs[1].get("schedule_type"), &Value::Null);
        cfg.insert("name".to_owned(), Value::from("Weekly"));
        let one = with_jobs(&Value::Object(cfg), &summaries);
        let jobs = one.get("jobs").as_elements().unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].get("id"), &Value::from("a"));
        assert!(one.is_wholly_known());
    }

    #[test]
    fn platform_is_validated() {
        let mut cfg = std::collections::BTreeMap::new();
        cfg.insert("platform".to_owned(), Value::from("Mac"));
        let d = DeploymentJobsDataSource::new(Default::default()).validate(&Value::Object(cfg));
        assert_eq!(d[0].attribute, Some(AttributePath::attr("platform")));
        assert_eq!(
            d[0].detail,
            "\"Mac\" is not allowed; expected one of \"Windows\", \"Linux\"."
        );
    }
}
