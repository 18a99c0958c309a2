//! `qualys_deployment_job`: a Qualys Patch Management deployment job.
//!
//! Every attribute is declared once in `fields.rs`; the schema, the conversions to and from
//! the API's JSON, validation, plan and docs derive from those declarations.

pub mod api;
pub mod apply;
pub mod convert;
pub mod docs;
pub mod fields;
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
use tfplugin::{
    ApplyRequest, ApplyResponse, Diagnostics, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource, Schema, Value,
};

pub const TYPE_NAME: &str = "qualys_deployment_job";

pub struct DeploymentJobResource {
    slot: Arc<ClientSlot>,
}

impl DeploymentJobResource {
    pub fn new(slot: Arc<ClientSlot>) -> Self {
        DeploymentJobResource { slot }
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

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn read(&self, req: ReadRequest) -> ReadResponse {
        match self.slot.get() {
            Ok(client) => read::read(&*client, req).await,
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
            Ok(client) => apply::apply(&*client, req).await,
            Err(diagnostics) => ApplyResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }

    async fn import(&self, id: &str) -> ImportResponse {
        match self.slot.get() {
            Ok(client) => read::import(&*client, id).await,
            Err(diagnostics) => ImportResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }
}
