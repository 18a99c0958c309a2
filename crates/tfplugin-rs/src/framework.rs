//! What a provider implements. The protocol layer (`server`) decodes requests against the
//! schemas declared here, calls these traits, and encodes the answers; implementors never
//! see protobuf or msgpack.

use std::sync::Arc;

use async_trait::async_trait;

use super::diagnostics::Diagnostics;
use super::schema::{IdentitySchema, Schema};
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
    /// List resources, for `terraform query` (Terraform 1.14+). Each must share its type
    /// name with a managed resource that declares an identity.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }
    /// Terraform was interrupted: cancel long-running work where possible.
    async fn stop(&self) {}
}

pub struct PlanRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Never null: destroys are planned by the server.
    pub proposed_new_state: Value,
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

/// A create: there is no prior state.
pub struct CreateRequest {
    /// May hold unknown values (computed attributes); the answer fills them in.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

/// An update in place: the object exists and the plan changes it.
pub struct UpdateRequest {
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

/// A destroy. The answer is diagnostics only: the server answers a null state when there
/// is no error; with an error, core keeps the prior state.
pub struct DeleteRequest {
    pub prior_state: Value,
    /// The private bytes stored with the object (its last read, create or update).
    pub private: Vec<u8>,
}

/// The answer to a create or an update.
#[derive(Default)]
pub struct ApplyResponse {
    /// On failure: the best known state (e.g. a job created whose later step failed), or
    /// null: nothing was created (create), or the prior state stays (update).
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
    /// The resource's identity (Terraform 1.12+), or none. Declaring one is all it takes:
    /// the server derives the identity from every state it returns (create, update, read,
    /// import, a failed apply's partial state), answers `GetResourceIdentitySchemas`, and
    /// imports by identity through `import` when the identity is one string attribute.
    fn identity(&self) -> Option<IdentitySchema> {
        None
    }
    /// The configuration that describes `state` (a full object, as a read returns it), for
    /// `-generate-config-out` on Terraform 1.14+. Planning it against `state` must be a
    /// no-op. The default is Terraform core's own logic (`Schema::config_from_state`);
    /// a resource that knows which values the API fills in can leave those out too.
    fn generate_config(&self, schema: &Schema, state: &Value) -> Value {
        schema.config_from_state(state)
    }
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
    /// Plans a create or an update (destroys are planned by the server: a null plan).
    async fn plan(&self, req: PlanRequest) -> PlanResponse;
    /// The server calls exactly one of `create`, `update` and `delete` per apply, chosen by
    /// which of the prior and planned states are null.
    async fn create(&self, req: CreateRequest) -> ApplyResponse;
    async fn update(&self, req: UpdateRequest) -> ApplyResponse;
    async fn delete(&self, req: DeleteRequest) -> Diagnostics;
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

/// What `terraform query` asks a list resource for.
pub struct ListRequest {
    /// The list block's `config`, every attribute present (null when not set); known.
    pub config: Value,
    /// Whether each result must carry the full object, as a read returns it.
    pub include_resource: bool,
}

/// One object found.
pub struct ListResult {
    /// With `include_resource`: the full object, as a read returns it. Otherwise an object
    /// of the managed resource's type with at least the identity attributes set (the rest
    /// may be null); it is not sent, only its identity.
    pub state: Value,
    /// How Terraform shows the result, e.g. the object's name.
    pub display_name: String,
}

/// Where a list resource sends its results. `send` answers whether to go on: false once
/// the request's limit is reached or Terraform stopped reading (it cancels the stream at
/// its limit), so that the lister stops quietly and spends no more API calls.
pub struct ListSink {
    tx: tokio::sync::mpsc::Sender<Result<ListResult, Diagnostics>>,
    remaining: u64,
}

impl ListSink {
    pub(crate) fn new(
        tx: tokio::sync::mpsc::Sender<Result<ListResult, Diagnostics>>,
        limit: u64,
    ) -> Self {
        ListSink {
            tx,
            remaining: limit,
        }
    }

    /// Whether any result is still wanted.
    pub fn wants_more(&self) -> bool {
        self.remaining > 0 && !self.tx.is_closed()
    }

    pub async fn send(&mut self, result: ListResult) -> bool {
        if !self.wants_more() || self.tx.send(Ok(result)).await.is_err() {
            return false;
        }
        self.remaining -= 1;
        // one turn for the transport first: a stream terraform has dropped is then seen
        // closed before the lister spends an API call on the next result
        tokio::task::yield_now().await;
        self.wants_more()
    }

    /// Ends the listing with diagnostics (an error fails the list block in Terraform).
    pub async fn fail(self, diagnostics: Diagnostics) {
        let _ = self.tx.send(Err(diagnostics)).await;
    }
}

/// A list resource: finds the remote objects of one managed resource type.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The managed resource type it lists; that resource must declare an identity.
    fn type_name(&self) -> &'static str;
    /// The schema of the list block's `config` (required and optional attributes only).
    fn schema(&self) -> Schema;
    /// Static checks of the config. Values may be unknown; check what is known.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Sends each object found to `results`, stopping when `send` answers false.
    async fn list(&self, req: ListRequest, results: ListSink);
}
