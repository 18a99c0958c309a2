//! `qualys_deployment_job` data source: one job by ID, every attribute of the resource
//! (derived from the same declarations), all computed.

use std::sync::Arc;

use async_trait::async_trait;

use super::{answer, required_string};
use crate::client_slot::ClientSlot;
use crate::framework::schema::lookup_view;
use crate::framework::validate::validate_fields;
use crate::resources::deployment_job::api::seam_json;
use crate::resources::deployment_job::fields::{attr, JOB_FIELDS};
use crate::resources::deployment_job::state::job_to_state;
use tfplugin::{Block, DataSource, Diagnostic, Diagnostics, Schema, Value};

pub(crate) const TYPE_NAME: &str = "qualys_deployment_job";
pub(crate) const DESCRIPTION: &str = "Reads one Qualys Patch Management deployment job by its ID.";

pub(crate) struct DeploymentJobDataSource {
    slot: Arc<ClientSlot>,
}

impl DeploymentJobDataSource {
    pub(crate) fn new(slot: Arc<ClientSlot>) -> Self {
        DeploymentJobDataSource { slot }
    }

    async fn fetch(&self, config: &Value) -> Result<Value, Diagnostics> {
        let client = self.slot.get()?;
        let id = required_string(config, attr::ID, "Set id to a deployment job ID.")?;
        match client.get_job(id).await {
            // `get_job` answers `None` for a soft-deleted job too
            Ok(Some(job)) => {
                let mut state = job_to_state(&seam_json(job), &Value::Null, None);
                if let Some(slot) = state.get_mut(attr::ID.name()) {
                    *slot = Value::from(id);
                }
                Ok(state)
            }
            Ok(None) => Err(Diagnostic::error(
                "Deployment job not found",
                format!("No deployment job has the ID {id}."),
            )
            .at(attr::ID.path())
            .into()),
            Err(e) => Err(Diagnostic::error(
                "Reading the deployment job failed",
                format!("Job {id}: {e}"),
            )
            .into()),
        }
    }
}

pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: lookup_view(JOB_FIELDS, attr::ID),
            blocks: Vec::new(),
            description: DESCRIPTION.to_owned(),
            deprecated: false,
        },
    }
}

#[async_trait]
impl DataSource for DeploymentJobDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        if attr::ID
            .of(config)
            .as_str()
            .is_some_and(|s| s.trim().is_empty())
        {
            let mut diags = Diagnostics::new();
            diags.error_at(
                attr::ID.path(),
                "Empty id",
                "Set id to a deployment job ID.",
            );
            return diags;
        }
        // the same check as the resource's declaration of `id`
        let id = JOB_FIELDS.iter().find(|f| f.name == attr::ID.name());
        validate_fields(id.map(std::slice::from_ref).unwrap_or_default(), config)
    }

    async fn read(&self, config: &Value) -> (Value, Diagnostics) {
        answer(self.fetch(config).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::{AttributePath, Mode};

    #[test]
    fn data_source_view_is_all_computed_but_id() {
        for a in schema().block.attributes {
            if a.name == "id" {
                assert_eq!(a.mode, Mode::Required);
            } else {
                assert_eq!(a.mode, Mode::Computed, "{}", a.name);
            }
        }
    }

    fn validate_id(id: &str) -> Diagnostics {
        let cfg = [("id".to_owned(), Value::from(id))].into_iter().collect();
        DeploymentJobDataSource::new(Default::default()).validate(&Value::Object(cfg))
    }

    #[test]
    fn id_must_look_like_a_qualys_id_in_either_case() {
        let d = validate_id("job-1");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].attribute, Some(AttributePath::attr("id")));
        assert_eq!(
            d[0].detail,
            "id: \"job-1\" is not a Qualys ID (36 hexadecimal characters as 8-4-4-4-12, like 38aa48ca-a53f-4591-af01-8bce75de4ce7)"
        );
        assert!(validate_id("38AA48CA-A53F-4591-AF01-8BCE75DE4CE7").is_empty());
    }
}
