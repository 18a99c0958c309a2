//! The `tfplugin6.Provider` gRPC service: decodes each request against the declared
//! schemas, delegates to the `framework` traits, encodes the answers. One file per group
//! of RPCs; this file holds the dispatch table and the shared helpers.
//!
//! Never returned: `deferred` (terraform 1.11 rejects it unless it allowed deferrals, and
//! this provider has nothing to defer), `legacy_type_system`.

mod data_source_rpcs;
mod identity_rpcs;
mod list_rpcs;
mod provider_rpcs;
mod resource_rpcs;
mod unsupported_rpcs;

use std::collections::HashMap;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::codec::{self, CodecError};
use super::convert;
use super::diagnostics::{Diagnostic, Diagnostics};
use super::framework::{DataSource, ListResource, Provider, Resource};
use super::proto::tfplugin6 as pb;
use super::schema::{IdentitySchema, Schema};
use super::types::Type;
use super::value::Value;

/// Every RPC message may carry large configurations or states (terraform-plugin-go uses
/// the same limit both ways; tonic's default receive limit of 4 MiB is too small).
pub(crate) const MAX_MESSAGE_SIZE: usize = 256 << 20;

pub(crate) struct ResourceEntry {
    pub resource: Arc<dyn Resource>,
    pub schema: Schema,
    pub ty: Type,
    /// The declared identity and its object type.
    pub identity: Option<(IdentitySchema, Type)>,
}

impl ResourceEntry {
    /// The identity to send with `state`, derived from it: none without an identity
    /// declaration, or when the state cannot name its object (null, id not known yet).
    pub(crate) fn identity_data(&self, state: &Value) -> Option<pb::ResourceIdentityData> {
        identity_data(self.identity.as_ref()?, state)
    }
}

pub(crate) fn identity_data(
    (schema, ty): &(IdentitySchema, Type),
    state: &Value,
) -> Option<pb::ResourceIdentityData> {
    let identity = schema.identity_of(state)?;
    let msgpack = codec::encode_msgpack(&identity, ty).ok()?;
    Some(pb::ResourceIdentityData {
        identity_data: Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
    })
}

pub(crate) struct ListEntry {
    pub list: Arc<dyn ListResource>,
    /// The type of the list block's `config`.
    pub config_ty: Type,
}

pub(crate) struct DataSourceEntry {
    pub data_source: Arc<dyn DataSource>,
    pub ty: Type,
}

/// The tfplugin6 service around one `Provider`. Schemas are read once, at startup.
pub(crate) struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_ty: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    lists: HashMap<String, ListEntry>,
    schema_response: pb::get_provider_schema::Response,
    identity_response: pb::get_resource_identity_schemas::Response,
}

impl ProviderService {
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let mut resources = HashMap::new();
        let mut resource_schemas = HashMap::new();
        for resource in provider.resources() {
            let schema = resource.schema();
            resource_schemas.insert(resource.type_name().to_owned(), convert::schema(&schema));
            let ty = schema.value_type();
            let identity = resource.identity().map(|i| {
                let ty = i.value_type();
                (i, ty)
            });
            resources.insert(
                resource.type_name().to_owned(),
                ResourceEntry {
                    resource,
                    schema,
                    ty,
                    identity,
                },
            );
        }
        let mut data_sources = HashMap::new();
        let mut data_source_schemas = HashMap::new();
        for data_source in provider.data_sources() {
            let schema = data_source.schema();
            data_source_schemas
                .insert(data_source.type_name().to_owned(), convert::schema(&schema));
            let ty = schema.value_type();
            data_sources.insert(
                data_source.type_name().to_owned(),
                DataSourceEntry { data_source, ty },
            );
        }
        let (lists, list_resource_schemas, diagnostics) =
            list_entries(provider.list_resources(), &resources);
        let identity_response = pb::get_resource_identity_schemas::Response {
            identity_schemas: resources
                .iter()
                .filter_map(|(name, e)| {
                    let (schema, _) = e.identity.as_ref()?;
                    Some((name.clone(), convert::identity_schema(schema)))
                })
                .collect(),
            diagnostics: Vec::new(),
        };
        let schema_response = pb::get_provider_schema::Response {
            // Must be present even when empty, or terraform reports "missing provider schema".
            provider: Some(convert::schema(&provider_schema)),
            resource_schemas,
            data_source_schemas,
            functions: HashMap::new(),
            ephemeral_resource_schemas: HashMap::new(),
            list_resource_schemas,
            state_store_schemas: HashMap::new(),
            action_schemas: HashMap::new(),
            diagnostics,
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
        };
        ProviderService {
            provider_ty: provider_schema.value_type(),
            provider,
            resources,
            data_sources,
            lists,
            schema_response,
            identity_response,
        }
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type \"{type_name}\"."),
            )
            .into()
        })
    }

    fn list(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        self.lists.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("This provider has no list resource type \"{type_name}\"."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source type \"{type_name}\"."),
            )
            .into()
        })
    }
}

/// The list resources by type name, their schemas, and an error for each that lists a
/// type without an identity (Terraform would fail every query of it at ListResource; the
/// error makes it fail at schema load instead, naming the bug).
fn list_entries(
    lists: Vec<Arc<dyn ListResource>>,
    resources: &HashMap<String, ResourceEntry>,
) -> (
    HashMap<String, ListEntry>,
    HashMap<String, pb::Schema>,
    Vec<pb::Diagnostic>,
) {
    let mut entries = HashMap::new();
    let mut schemas = HashMap::new();
    let mut problems = Diagnostics::new();
    for list in lists {
        let name = list.type_name().to_owned();
        if resources.get(&name).is_none_or(|r| r.identity.is_none()) {
            problems.error(
                "Invalid list resource",
                format!("The list resource \"{name}\" has no managed resource of its name with an identity. This is a bug in the provider."),
            );
            continue;
        }
        let schema = list.schema();
        schemas.insert(name.clone(), convert::schema(&schema));
        let config_ty = schema.value_type();
        entries.insert(name, ListEntry { list, config_ty });
    }
    (entries, schemas, convert::diagnostics(&problems))
}

/// `get_provider_schema_optional`: later provider processes of one terraform run skip
/// GetProviderSchema. `plan_destroy` stays off: destroys are applied from a null plan.
/// `generate_resource_config`: every resource answers GenerateResourceConfig (its own
/// logic or core's default).
pub(crate) fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: true,
    }
}

/// How a decoded value is described in errors, and whether its paths point into the
/// configuration (so terraform can underline the offending line).
#[derive(Clone, Copy)]
pub(crate) enum Payload {
    Config,
    State,
    Plan,
}

impl Payload {
    fn noun(self) -> &'static str {
        match self {
            Payload::Config => "configuration",
            Payload::State => "state",
            Payload::Plan => "planned value",
        }
    }
}

/// Decodes a DynamicValue (msgpack, or JSON as a fallback) against `ty`. An absent or
/// empty DynamicValue is null.
pub(crate) fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: Payload,
) -> Result<Value, Diagnostics> {
    let result = match dv {
        Some(dv) if !dv.msgpack.is_empty() => codec::decode_msgpack(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => codec::decode_json(&dv.json, ty),
        _ => Ok(Value::Null),
    };
    result.map_err(|e| decode_error(e, what))
}

pub(crate) fn decode_error(e: CodecError, what: Payload) -> Diagnostics {
    let d = Diagnostic::error(
        format!("Invalid {} received from Terraform", what.noun()),
        format!(
            "The provider could not read the {} sent by Terraform: {e}",
            what.noun()
        ),
    );
    match what {
        Payload::Config if !e.path.0.is_empty() => d.at(e.path).into(),
        _ => d.into(),
    }
}

/// Encodes a value the provider produced. Failure is a provider bug, reported as such.
pub(crate) fn encode(
    value: &Value,
    ty: &Type,
    what: Payload,
) -> Result<pb::DynamicValue, Diagnostics> {
    codec::encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                format!("Provider produced an invalid {}", what.noun()),
                format!(
                    "The {} does not match the schema: {e}. This is a bug in the provider.",
                    what.noun()
                ),
            )
            .into()
        })
}

/// Encodes a value the provider produced into a response that carries diagnostics anyway:
/// a failure joins `diagnostics` (after the provider's own) and the value is left out.
pub(crate) fn encode_reporting(
    value: &Value,
    ty: &Type,
    what: Payload,
    diagnostics: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    encode(value, ty, what)
        .map_err(|d| diagnostics.extend(d))
        .ok()
}

/// The diagnostics of a failed step, converted for a response.
pub(crate) fn diags(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    convert::diagnostics(d)
}

/// A response that can tell a failure by its diagnostics alone, every other field empty.
pub(crate) trait FailedResponse {
    fn failed(diagnostics: Vec<pb::Diagnostic>) -> Self;
}

macro_rules! failed_response {
    ($($rpc:ident),+) => {$(
        impl FailedResponse for pb::$rpc::Response {
            fn failed(diagnostics: Vec<pb::Diagnostic>) -> Self {
                Self {
                    diagnostics,
                    ..Default::default()
                }
            }
        }
    )+};
}

failed_response!(
    upgrade_resource_state,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    import_resource_state,
    read_data_source,
    upgrade_resource_identity,
    generate_resource_config
);

/// An RPC's answer: its response, or the diagnostics of the step that failed.
pub(crate) fn respond<R: FailedResponse>(result: Result<R, Diagnostics>) -> R {
    result.unwrap_or_else(|d| R::failed(diags(&d)))
}

type RpcResult<T> = Result<Response<T>, Status>;

/// The ListResource event stream.
pub(crate) type ListEvents = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<pb::list_resource::Event, Status>> + Send + 'static>,
>;

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _r: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        Ok(Response::new(self.get_metadata()))
    }

    async fn get_provider_schema(
        &self,
        _r: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        tracing::debug!("GetProviderSchema");
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        r: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        Ok(Response::new(self.validate_provider_config(r.into_inner())))
    }

    async fn configure_provider(
        &self,
        r: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        Ok(Response::new(self.configure_provider(r.into_inner()).await))
    }

    async fn stop_provider(
        &self,
        _r: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        Ok(Response::new(self.stop_provider().await))
    }

    async fn validate_resource_config(
        &self,
        r: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        Ok(Response::new(self.validate_resource_config(r.into_inner())))
    }

    async fn upgrade_resource_state(
        &self,
        r: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        Ok(Response::new(
            self.upgrade_resource_state(r.into_inner()).await,
        ))
    }

    async fn read_resource(
        &self,
        r: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        Ok(Response::new(self.read_resource(r.into_inner()).await))
    }

    async fn plan_resource_change(
        &self,
        r: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        Ok(Response::new(
            self.plan_resource_change(r.into_inner()).await,
        ))
    }

    async fn apply_resource_change(
        &self,
        r: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        Ok(Response::new(
            self.apply_resource_change(r.into_inner()).await,
        ))
    }

    async fn import_resource_state(
        &self,
        r: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        Ok(Response::new(
            self.import_resource_state(r.into_inner()).await,
        ))
    }

    async fn move_resource_state(
        &self,
        r: Request<pb::move_resource_state::Request>,
    ) -> RpcResult<pb::move_resource_state::Response> {
        Ok(Response::new(unsupported_rpcs::move_resource_state(
            r.into_inner(),
        )))
    }

    async fn validate_data_resource_config(
        &self,
        r: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        Ok(Response::new(
            self.validate_data_resource_config(r.into_inner()),
        ))
    }

    async fn read_data_source(
        &self,
        r: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        Ok(Response::new(self.read_data_source(r.into_inner()).await))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        r: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        Ok(Response::new(
            unsupported_rpcs::validate_ephemeral_resource_config(r.into_inner()),
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        r: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        Ok(Response::new(unsupported_rpcs::open_ephemeral_resource(
            r.into_inner(),
        )))
    }

    async fn renew_ephemeral_resource(
        &self,
        r: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        Ok(Response::new(unsupported_rpcs::renew_ephemeral_resource(
            r.into_inner(),
        )))
    }

    async fn close_ephemeral_resource(
        &self,
        r: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        Ok(Response::new(unsupported_rpcs::close_ephemeral_resource(
            r.into_inner(),
        )))
    }

    async fn get_functions(
        &self,
        _r: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(unsupported_rpcs::get_functions()))
    }

    async fn call_function(
        &self,
        r: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        Ok(Response::new(unsupported_rpcs::call_function(
            r.into_inner(),
        )))
    }

    async fn get_resource_identity_schemas(
        &self,
        _r: Request<pb::get_resource_identity_schemas::Request>,
    ) -> RpcResult<pb::get_resource_identity_schemas::Response> {
        tracing::debug!("GetResourceIdentitySchemas");
        Ok(Response::new(self.identity_response.clone()))
    }

    async fn upgrade_resource_identity(
        &self,
        r: Request<pb::upgrade_resource_identity::Request>,
    ) -> RpcResult<pb::upgrade_resource_identity::Response> {
        Ok(Response::new(
            self.upgrade_resource_identity(r.into_inner()),
        ))
    }

    async fn generate_resource_config(
        &self,
        r: Request<pb::generate_resource_config::Request>,
    ) -> RpcResult<pb::generate_resource_config::Response> {
        Ok(Response::new(self.generate_resource_config(r.into_inner())))
    }

    async fn list_resource(&self, r: Request<pb::list_resource::Request>) -> RpcResult<ListEvents> {
        Ok(Response::new(self.list_resource(r.into_inner())))
    }

    async fn validate_list_resource_config(
        &self,
        r: Request<pb::validate_list_resource_config::Request>,
    ) -> RpcResult<pb::validate_list_resource_config::Response> {
        Ok(Response::new(
            self.validate_list_resource_config(r.into_inner()),
        ))
    }
}

#[cfg(test)]
mod identity_tests;
#[cfg(test)]
mod tests;
