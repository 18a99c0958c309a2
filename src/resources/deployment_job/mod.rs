//! `qualys_deployment_job`: a Qualys Patch Management deployment job.
//!
//! Every attribute is declared once in `fields.rs`; the schema, the conversions to and from
//! the API's JSON, validation, plan and docs derive from those declarations.

pub mod api;
pub mod apply;
pub mod docs;
pub mod fields;
pub mod generate;
pub mod list;
pub mod plan;
pub mod read;
pub mod schema;
pub mod state;
pub mod validate;

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;

use crate::client_slot::ClientSlot;
use api::{CreateLedger, JobClient};
use tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, IdentityAttribute, IdentitySchema, ImportResponse,
    PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Schema, Type, Value,
};

pub const TYPE_NAME: &str = "qualys_deployment_job";

pub struct DeploymentJobResource {
    slot: Arc<ClientSlot>,
    /// The creates of this provider instance (the provider builds its resources once).
    creates: CreateLedger,
}

impl DeploymentJobResource {
    pub fn new(slot: Arc<ClientSlot>) -> Self {
        DeploymentJobResource {
            slot,
            creates: CreateLedger::default(),
        }
    }
}

#[async_trait]
impl Resource for DeploymentJobResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::resource_schema()
    }

    /// The job ID, which names a job for good (version 0: never bumped unless its shape
    /// changes, or every stored identity would need an upgrade).
    fn identity(&self) -> Option<IdentitySchema> {
        let id = fields::find(fields::JOB_FIELDS, "id")?;
        Some(IdentitySchema {
            version: 0,
            attributes: vec![IdentityAttribute {
                name: id.name.to_owned(),
                ty: Type::String,
                required_for_import: true,
                description: id.full_description(),
            }],
        })
    }

    fn generate_config(&self, schema: &Schema, state: &Value) -> Value {
        generate::generate_config(schema, state)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn read(&self, req: ReadRequest) -> ReadResponse {
        match self.slot.get() {
            Ok(client) => read::read(&JobClient::new(&client, &self.creates), req).await,
            Err(diagnostics) => ReadResponse {
                new_state: req.current_state,
                private: req.private,
                diagnostics,
            },
        }
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        plan::plan(&req)
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        match self.slot.get() {
            Ok(client) => apply::apply(&JobClient::new(&client, &self.creates), req).await,
            Err(diagnostics) => ApplyResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }

    async fn import(&self, id: &str) -> ImportResponse {
        match self.slot.get() {
            Ok(client) => read::import(&JobClient::new(&client, &self.creates), id).await,
            Err(diagnostics) => ImportResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }
}
