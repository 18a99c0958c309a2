//! What a provider implements. The protocol layer (`server`) decodes requests against the
//! schemas declared here, calls these traits, and encodes the answers; implementors never
//! see protobuf or msgpack.

use std::sync::Arc;

use async_trait::async_trait;

use super::diagnostics::Diagnostics;
use super::schema::Schema;
use super::value::Value;

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's type name, the prefix of its resources: `qualys`.
    fn type_name(&self) -> &'static str;
    /// The provider's release version, e.g. `0.1.0`: logged when the plugin starts (the
    /// protocol has no field for it; the handshake line has none either).
    fn version(&self) -> Option<&'static str> {
        None
    }
    fn schema(&self) -> Schema;
    /// Static checks of the provider block. Values may be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Called once per process before any resource operation. Values may be unknown.
    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics;
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
    /// Terraform was interrupted: cancel long-running work where possible.
    async fn stop(&self) {}
}

pub struct PlanRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy.
    pub proposed_new_state: Value,
    /// Null on destroy.
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<super::diagnostics::AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ApplyRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Default)]
pub struct ApplyResponse {
    /// Null after a destroy. On failure: the best known state (e.g. a job created whose
    /// later step failed), or null to keep the prior state.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ReadRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
}

#[derive(Default)]
pub struct ReadResponse {
    /// Null: the object is gone and leaves the state.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Default)]
pub struct ImportResponse {
    /// A full object (every attribute present, nulls allowed); terraform reads it next.
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Full type name, e.g. `qualys_deployment_job`.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Static checks of the configuration. Values may be unknown; check what is known.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Upgrade a stored state (already decoded from JSON against the current schema) from
    /// `stored_version` to `current_version`, the version of the schema the server holds
    /// (given so that this per-instance call never rebuilds the schema). The default accepts
    /// the current version only.
    async fn upgrade(
        &self,
        stored_version: i64,
        current_version: i64,
        state: Value,
    ) -> Result<Value, Diagnostics> {
        if stored_version == current_version {
            Ok(state)
        } else {
            Err(super::diagnostics::Diagnostic::error(
                "Unsupported state version",
                format!(
                    "{} has no upgrade from schema version {stored_version}",
                    self.type_name()
                ),
            )
            .into())
        }
    }
    async fn read(&self, req: ReadRequest) -> ReadResponse;
    async fn plan(&self, req: PlanRequest) -> PlanResponse;
    async fn apply(&self, req: ApplyRequest) -> ApplyResponse;
    async fn import(&self, id: &str) -> ImportResponse;
}

#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Returns the full object: the configuration with the computed attributes filled in.
    async fn read(&self, config: &Value) -> (Value, Diagnostics);
}
