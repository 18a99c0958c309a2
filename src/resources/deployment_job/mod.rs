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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use crate::client_slot::ClientSlot;
use api::{CreateLedger, JobApi, JobClient};
use tfplugin::{
    ApplyResponse, CreateRequest, DeleteRequest, Diagnostics, IdentityAttribute, IdentitySchema,
    ImportResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, Schema, Type,
    UpdateRequest, Value,
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
        self.with_api(
            req,
            |api, req| Box::pin(read::read(api, req)),
            |req, diagnostics| ReadResponse {
                new_state: req.current_state,
                private: req.private,
                diagnostics,
            },
        )
        .await
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        plan::plan(req)
    }

    async fn create(&self, req: CreateRequest) -> ApplyResponse {
        self.with_api(req, |api, req| Box::pin(apply::create(api, req)), failed)
            .await
    }

    async fn update(&self, req: UpdateRequest) -> ApplyResponse {
        self.with_api(req, |api, req| Box::pin(apply::update(api, req)), failed)
            .await
    }

    async fn delete(&self, req: DeleteRequest) -> Diagnostics {
        self.with_api(req, |api, req| Box::pin(apply::delete(api, req)), |_, d| d)
            .await
    }

    async fn import(&self, id: &str) -> ImportResponse {
        // owned: the operation may not borrow beyond the API it is handed
        let id = id.to_owned();
        self.with_api(
            id,
            |api, id| Box::pin(async move { read::import(api, &id).await }),
            |_, diagnostics| ImportResponse {
                diagnostics,
                ..Default::default()
            },
        )
        .await
    }
}

/// One operation's answer to come (boxed: a closure cannot name the future an async fn
/// returns for each borrow of the API).
type Operation<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl DeploymentJobResource {
    /// Runs one operation against the configured API; without one (the provider block is
    /// not configured, or not known yet) `unconfigured` answers with the reason.
    async fn with_api<R, T>(
        &self,
        req: R,
        operation: impl for<'a> FnOnce(&'a dyn JobApi, R) -> Operation<'a, T>,
        unconfigured: impl FnOnce(R, Diagnostics) -> T,
    ) -> T {
        match self.slot.get() {
            Ok(client) => operation(&JobClient::new(&client, &self.creates), req).await,
            Err(diagnostics) => unconfigured(req, diagnostics),
        }
    }
}

/// A create or update that could not start: nothing changed, the prior state (if any) stays.
fn failed<R>(_req: R, diagnostics: Diagnostics) -> ApplyResponse {
    ApplyResponse {
        diagnostics,
        ..Default::default()
    }
}
