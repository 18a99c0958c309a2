//! The `qualys_deployment_job` list resource, for `terraform query` (Terraform 1.14+): the
//! jobs of one platform or both, optionally narrowed by a name pattern and a status.
//!
//! Cost: the listing's pages (`/pm/v1/deploymentjobs/summary`, per platform), plus one GET
//! per job only when Terraform asks for resource objects (`include_resource = true`, or
//! `-generate-config-out`). Listing stops as soon as Terraform has its `limit`: no page or
//! GET is spent past it.

use std::sync::Arc;

use async_trait::async_trait;

use super::api::{CreateLedger, JobApi, JobClient};
use super::fields::{PLATFORMS, STATUSES};
use super::state::job_to_state;
use crate::client_slot::ClientSlot;
use crate::framework::schema::attributes;
use crate::framework::validate::check_fields;
use crate::framework::{field, Field, Kind};
use qualys_pm::{JobStatus, JobSummary};
use tfplugin::{
    AttributePath, Block, Diagnostic, Diagnostics, ListRequest, ListResource, ListResult, ListSink,
    Mode, Schema, Value,
};

pub(crate) const DESCRIPTION: &str = "Finds deployment jobs for `terraform query` (Terraform 1.14 and later): every job of a platform, or of both, optionally only those whose name matches a pattern or with a given status. Each result carries the job's identity and its name; with `include_resource = true` (and with `-generate-config-out`) the whole job, at one API call per job.";

/// The list block's `config`.
pub(crate) const CONFIG_FIELDS: &[Field] = &[
    field(
        "platform",
        Kind::String,
        Mode::Optional,
        &["platform"],
        "Only jobs of this platform: `Windows` or `Linux`. Both when not set.",
    )
    .one_of(PLATFORMS),
    field(
        "name_regex",
        Kind::String,
        Mode::Optional,
        &["name"],
        "Only jobs whose name matches this regular expression (Rust `regex` syntax; anchor it with `^...$` for a whole-name match).",
    ),
    field(
        "status",
        Kind::String,
        Mode::Optional,
        &["status"],
        "Only jobs with this status, as the resource's `status` reads it: `Enabled` (any status the server reports but `Disabled`) or `Disabled`.",
    )
    .one_of(STATUSES),
];

pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: attributes(CONFIG_FIELDS, None),
            blocks: Vec::new(),
            description: DESCRIPTION.to_owned(),
            deprecated: false,
        },
    }
}

pub struct DeploymentJobList {
    slot: Arc<ClientSlot>,
    /// Only reads happen here; the client wants a ledger for its creates all the same.
    creates: CreateLedger,
}

impl DeploymentJobList {
    pub fn new(slot: Arc<ClientSlot>) -> Self {
        DeploymentJobList {
            slot,
            creates: CreateLedger::default(),
        }
    }
}

fn name_regex(config: &Value) -> Result<Option<regex::Regex>, Diagnostics> {
    let Some(pattern) = config.get("name_regex").as_str() else {
        return Ok(None);
    };
    regex::Regex::new(pattern).map(Some).map_err(|e| {
        Diagnostic::error(
            "Invalid name_regex",
            format!("config.name_regex is not a valid regular expression: {e}"),
        )
        .at(AttributePath::attr("name_regex"))
        .into()
    })
}

/// Whether a listed job passes the config's filters.
fn selected(job: &JobSummary, name: Option<&regex::Regex>, status: Option<&str>) -> bool {
    let job_name = job.name.as_deref().unwrap_or_default();
    let job_status = JobStatus::of_server(job.status.as_deref().unwrap_or_default());
    name.is_none_or(|re| re.is_match(job_name)) && status.is_none_or(|s| s == job_status.as_str())
}

#[async_trait]
impl ListResource for DeploymentJobList {
    fn type_name(&self) -> &'static str {
        super::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_fields(CONFIG_FIELDS, config, &AttributePath::root(), &mut diags);
        if let Err(d) = name_regex(config) {
            diags.extend(d);
        }
        diags
    }

    async fn list(&self, req: ListRequest, mut results: ListSink) {
        let (client, name) = match (self.slot.get(), name_regex(&req.config)) {
            (Ok(client), Ok(name)) => (client, name),
            (Err(d), _) | (_, Err(d)) => return results.fail(d).await,
        };
        let status = req.config.get("status").as_str();
        let platforms = match req.config.get("platform").as_str() {
            Some(p) => vec![p],
            None => PLATFORMS.to_vec(),
        };
        let api = JobClient::new(&client, &self.creates);
        for platform in platforms {
            if !results.wants_more() {
                return;
            }
            let jobs = match client.list_jobs(platform, None).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    let d = Diagnostic::error(
                        "Listing deployment jobs failed",
                        format!("Platform {platform}: {e}"),
                    );
                    return results.fail(d.into()).await;
                }
            };
            for job in jobs.iter().filter(|j| selected(j, name.as_ref(), status)) {
                let state = if !req.include_resource {
                    Value::Object([("id".to_owned(), Value::from(job.id.as_str()))].into())
                } else {
                    match api.get_job(&job.id).await {
                        Ok(Some(full)) => job_to_state(full.json(), &Value::Null, None),
                        Ok(None) => continue, // deleted since it was listed
                        Err(e) => {
                            let d = Diagnostic::error(
                                "Reading a listed deployment job failed",
                                format!("Job {}: {e}", job.id),
                            );
                            return results.fail(d.into()).await;
                        }
                    }
                };
                let display_name = job.name.clone().unwrap_or_else(|| job.id.clone());
                if !results
                    .send(ListResult {
                        state,
                        display_name,
                    })
                    .await
                {
                    return;
                }
            }
        }
    }
}
