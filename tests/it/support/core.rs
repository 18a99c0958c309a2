//! A gRPC client that plays Terraform core 1.14/1.15 towards the provider binary, for the
//! protocol features no installable terraform has (identity, `terraform query`,
//! GenerateResourceConfig): the calls of the call scripts in
//! `terraform-identity-list-contract.md` §7, and after every response the checks core
//! makes (§2.2 schema load, §3.1 identity known and conforming, §3.6 import answers, §4.4
//! list events), failing the test with core's own error text.
//!
//! Each `Session::process` is one provider process, as terraform starts one per command
//! phase. With `SchemaMode::Cached` (the provider advertises `get_provider_schema_optional`)
//! only the first process loads the schema; with `Uncached` every one does.

#![allow(dead_code)]

use std::collections::BTreeMap;

use terraform_provider_qualys::provider::QualysProvider;
use tfplugin::codec;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::{Provider, Type, Value};
use tonic::transport::Channel;

use super::plugin::{unary, ClientIdentity, PluginProcess};
use super::simulator::{Simulator, PASSWORD, USERNAME};

pub const JOB: &str = "qualys_deployment_job";
pub const TERRAFORM_VERSION: &str = "1.15.9";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaMode {
    /// Every process calls GetProviderSchema then GetResourceIdentitySchemas.
    Uncached,
    /// Only the first process does; the others use the cached schema and make no call.
    Cached,
}

/// The schema as core holds it after loading and checking it.
#[derive(Clone)]
pub struct Loaded {
    pub response: pb::get_provider_schema::Response,
    /// The managed resource's implied type.
    pub job_ty: Type,
    pub identity_ty: Type,
    pub identity_version: i64,
    /// The list resource's `config` type.
    pub list_config_ty: Type,
}

impl Loaded {
    /// Attributes of the job schema that are computed and not optional, at the top level.
    pub fn computed_only(&self) -> Vec<String> {
        let block = self.response.resource_schemas[JOB].block.as_ref().unwrap();
        block
            .attributes
            .iter()
            .filter(|a| a.computed && !a.optional)
            .map(|a| a.name.clone())
            .collect()
    }
}

pub struct Session<'a> {
    pub sim: &'a Simulator,
    pub mode: SchemaMode,
    tls: ClientIdentity,
    cached: Option<Loaded>,
    /// How many GetProviderSchema calls were made, over all processes.
    pub schema_loads: usize,
}

pub struct Proc {
    pub ch: Channel,
    pub schema: Loaded,
    _plugin: PluginProcess,
}

/// The state of one resource instance as core stores it.
#[derive(Clone, Debug)]
pub struct Stored {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
}

impl<'a> Session<'a> {
    pub fn new(sim: &'a Simulator, mode: SchemaMode) -> Self {
        Session {
            sim,
            mode,
            tls: ClientIdentity::generate(),
            cached: None,
            schema_loads: 0,
        }
    }

    /// A new provider process, its schema step ("S") done as core does it.
    pub async fn process(&mut self) -> Proc {
        let plugin = PluginProcess::start(Some(&self.tls), &[]);
        let ch = plugin.channel(Some(&self.tls)).await.expect("connect");
        let schema = match (&self.cached, self.mode) {
            (Some(cached), SchemaMode::Cached) => cached.clone(),
            _ => {
                self.schema_loads += 1;
                let loaded = load_schema(&ch).await;
                let optional = loaded
                    .response
                    .server_capabilities
                    .as_ref()
                    .is_some_and(|c| c.get_provider_schema_optional);
                assert!(optional, "the provider must let core cache its schema");
                self.cached = Some(loaded.clone());
                loaded
            }
        };
        Proc {
            ch,
            schema,
            _plugin: plugin,
        }
    }

    /// A process configured as for plan/apply: ValidateProviderConfig, ConfigureProvider.
    pub async fn configured(&mut self) -> Proc {
        let p = self.process().await;
        let config = provider_config(&self.sim.url);
        let v: pb::validate_provider_config::Response = call(
            &p.ch,
            "/tfplugin6.Provider/ValidateProviderConfig",
            pb::validate_provider_config::Request {
                config: Some(config.clone()),
            },
        )
        .await;
        no_errors(&v.diagnostics, "ValidateProviderConfig");
        let c: pb::configure_provider::Response = call(
            &p.ch,
            "/tfplugin6.Provider/ConfigureProvider",
            pb::configure_provider::Request {
                terraform_version: TERRAFORM_VERSION.into(),
                config: Some(config),
                client_capabilities: Some(client_capabilities_configure()),
            },
        )
        .await;
        no_errors(&c.diagnostics, "ConfigureProvider");
        p
    }
}

fn client_capabilities_configure() -> pb::ClientCapabilities {
    pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    }
}

/// `CC` of the contract: what core sends with resource calls.
pub fn cc() -> Option<pb::ClientCapabilities> {
    Some(client_capabilities_configure())
}

pub async fn call<Req, Resp>(ch: &Channel, path: &'static str, req: Req) -> Resp
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    unary(ch, path, req)
        .await
        .unwrap_or_else(|s| panic!("{path}: gRPC error {s:?}"))
}

pub fn errors(diags: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .collect()
}

pub fn no_errors(diags: &[pb::Diagnostic], what: &str) {
    let errs = errors(diags);
    assert!(errs.is_empty(), "{what} returned errors: {errs:?}");
}

/// The provider block: the simulator's URL and credentials.
pub fn provider_config(url: &str) -> pb::DynamicValue {
    let ty = QualysProvider::new().schema().value_type();
    let mut obj = null_object(&ty);
    set(&mut obj, "gateway_url", Value::from(url));
    set(&mut obj, "username", Value::from(USERNAME));
    set(&mut obj, "password", Value::from(PASSWORD));
    dv(&obj, &ty)
}

pub fn dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: codec::encode_msgpack(v, ty).expect("encode"),
        json: Vec::new(),
    }
}

pub fn decode(d: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Value {
    let d = d.unwrap_or_else(|| panic!("{what}: absent"));
    codec::decode_msgpack(&d.msgpack, ty).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// An object of `ty` with every attribute null.
pub fn null_object(ty: &Type) -> Value {
    let Type::Object(attrs) = ty else {
        panic!("not an object type")
    };
    Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect())
}

pub fn set(obj: &mut Value, name: &str, v: Value) {
    let Value::Object(m) = obj else {
        panic!("not an object")
    };
    assert!(m.contains_key(name), "no attribute {name}");
    m.insert(name.to_owned(), v);
}

/// The cty type of a schema block, as core derives it from the protobuf.
pub fn block_type(b: &pb::schema::Block) -> Type {
    let mut attrs: BTreeMap<String, Type> = b
        .attributes
        .iter()
        .map(|a| (a.name.clone(), attribute_type(a)))
        .collect();
    for nb in &b.block_types {
        let t = block_type(nb.block.as_ref().unwrap());
        attrs.insert(nb.type_name.clone(), nest(nb.nesting, t));
    }
    Type::Object(attrs)
}

fn nest(nesting: i32, t: Type) -> Type {
    match nesting {
        2 => Type::list(t),
        3 => Type::set(t),
        4 => Type::map(t),
        _ => t,
    }
}

fn attribute_type(a: &pb::schema::Attribute) -> Type {
    match &a.nested_type {
        Some(o) => {
            let obj = Type::Object(
                o.attributes
                    .iter()
                    .map(|a| (a.name.clone(), attribute_type(a)))
                    .collect(),
            );
            nest(o.nesting, obj)
        }
        None => {
            let json: serde_json::Value =
                serde_json::from_slice(&a.r#type).expect("attribute type JSON");
            Type::from_json(&json).expect("attribute type")
        }
    }
}

/// GetProviderSchema then GetResourceIdentitySchemas, with core's load-time checks (§2.1,
/// §2.2) and the list/identity pairing a query needs (§4.2, P8).
pub async fn load_schema(ch: &Channel) -> Loaded {
    let response: pb::get_provider_schema::Response = call(
        ch,
        "/tfplugin6.Provider/GetProviderSchema",
        pb::get_provider_schema::Request {},
    )
    .await;
    no_errors(&response.diagnostics, "GetProviderSchema");
    assert!(response.provider.is_some(), "missing provider schema");
    let identities: pb::get_resource_identity_schemas::Response = call(
        ch,
        "/tfplugin6.Provider/GetResourceIdentitySchemas",
        pb::get_resource_identity_schemas::Request {},
    )
    .await;
    no_errors(&identities.diagnostics, "GetResourceIdentitySchemas");
    let mut identity_ty = None;
    let mut identity_version = 0;
    for (name, ident) in &identities.identity_schemas {
        if !response.resource_schemas.contains_key(name) {
            continue; // core ignores identities of other names
        }
        assert!(
            ident.version >= 0,
            "provider has invalid negative identity schema version for managed resource type {name:?}"
        );
        let mut attrs = BTreeMap::new();
        for a in &ident.identity_attributes {
            assert!(
                a.required_for_import || a.optional_for_import,
                "invalid identity schema for {name:?}: {}: must set Optional, Required or Computed",
                a.name
            );
            assert!(
                !(a.required_for_import && a.optional_for_import),
                "invalid identity schema for {name:?}: {}: cannot set both Optional and Required",
                a.name
            );
            // core panics on type JSON it cannot parse
            let json: serde_json::Value = serde_json::from_slice(&a.r#type).unwrap_or_else(|e| {
                panic!(
                    "identity attribute {} type JSON would panic terraform: {e}",
                    a.name
                )
            });
            let ty = Type::from_json(&json).expect("identity attribute type");
            assert!(
                !matches!(ty, Type::Map(_) | Type::Set(_) | Type::Object(_)),
                "identity attribute {:?} is a map, set or object, which is not allowed in identity schemas",
                a.name
            );
            attrs.insert(a.name.clone(), ty);
        }
        if name == JOB {
            identity_ty = Some(Type::Object(attrs));
            identity_version = ident.version;
        }
    }
    let job_ty = block_type(
        response.resource_schemas[JOB]
            .block
            .as_ref()
            .expect("job block"),
    );
    for list in response.list_resource_schemas.keys() {
        assert!(
            identities.identity_schemas.contains_key(list)
                && response.resource_schemas.contains_key(list),
            "Identity schema not found for resource type {list}; this is a bug in the provider - please report it there"
        );
    }
    let list_config_ty = block_type(
        response.list_resource_schemas[JOB]
            .block
            .as_ref()
            .expect("list block"),
    );
    Loaded {
        response,
        job_ty,
        identity_ty: identity_ty.expect("an identity schema for qualys_deployment_job"),
        identity_version,
        list_config_ty,
    }
}

/// What core does with an identity in a response (§3.1), plus the rule of pitfall P4
/// (core stores a null attribute without complaint; the provider must never send one).
/// `None` when absent or null (core then stores no identity).
pub fn check_identity(
    s: &Loaded,
    ident: Option<&pb::ResourceIdentityData>,
    allow_unknown: bool,
    what: &str,
) -> Option<Value> {
    let data = ident?.identity_data.as_ref()?;
    let v = codec::decode_msgpack(&data.msgpack, &s.identity_ty).unwrap_or_else(|e| {
        panic!("{what}: Provider produced an identity that doesn't match the schema: {e}")
    });
    if v.is_null() {
        return None;
    }
    if !allow_unknown {
        assert!(
            v.is_wholly_known(),
            "{what}: Provider produced invalid identity: returned an identity with unknown values"
        );
    }
    let Value::Object(m) = &v else { unreachable!() };
    assert!(
        m.values().all(|a| !a.is_null()),
        "{what}: identity with a null attribute (pitfall P4): {v:?}"
    );
    Some(v)
}

/// `IDENT(id)`.
pub fn ident(id: &str) -> Value {
    Value::Object([("id".to_owned(), Value::from(id))].into())
}

pub fn identity_data(s: &Loaded, identity: &Value) -> pb::ResourceIdentityData {
    pb::ResourceIdentityData {
        identity_data: Some(dv(identity, &s.identity_ty)),
    }
}

/// Core's proposed new state: configured values, and the prior value of each computed
/// attribute left null in the configuration (recursing into nested attributes).
pub fn proposed_new(prior: &Value, config: &Value, block: &pb::schema::Block) -> Value {
    proposed_attrs(prior, config, &block.attributes)
}

fn proposed_attrs(prior: &Value, config: &Value, attrs: &[pb::schema::Attribute]) -> Value {
    let Value::Object(cfg) = config else {
        return config.clone();
    };
    let mut out = cfg.clone();
    for a in attrs {
        let c = config.get(&a.name);
        let p = prior.get(&a.name);
        let v = if a.computed && c.is_null() {
            p.clone()
        } else if let (Some(nested), false) = (&a.nested_type, c.is_null()) {
            match (nested.nesting, c) {
                (1, _) => proposed_attrs(p, c, &nested.attributes),
                (2, Value::List(items)) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let pi = p
                                .as_elements()
                                .and_then(|e| e.get(i))
                                .unwrap_or(&Value::Null);
                            proposed_attrs(pi, item, &nested.attributes)
                        })
                        .collect(),
                ),
                _ => c.clone(),
            }
        } else {
            c.clone()
        };
        out.insert(a.name.clone(), v);
    }
    Value::Object(out)
}

impl Proc {
    pub fn block(&self) -> &pb::schema::Block {
        self.schema.response.resource_schemas[JOB]
            .block
            .as_ref()
            .unwrap()
    }

    pub async fn validate_resource(&self, config: &Value) -> Vec<pb::Diagnostic> {
        let r: pb::validate_resource_config::Response = call(
            &self.ch,
            "/tfplugin6.Provider/ValidateResourceConfig",
            pb::validate_resource_config::Request {
                type_name: JOB.into(),
                config: Some(dv(config, &self.schema.job_ty)),
                client_capabilities: cc(),
            },
        )
        .await;
        r.diagnostics
    }

    /// PlanResourceChange with core's checks; returns (planned state, planned identity).
    pub async fn plan(
        &self,
        prior: &Stored,
        config: &Value,
    ) -> (Value, Option<Value>, pb::plan_resource_change::Response) {
        let ty = &self.schema.job_ty;
        let proposed = proposed_new(&prior.state, config, self.block());
        let r: pb::plan_resource_change::Response = call(
            &self.ch,
            "/tfplugin6.Provider/PlanResourceChange",
            pb::plan_resource_change::Request {
                type_name: JOB.into(),
                prior_state: Some(dv(&prior.state, ty)),
                proposed_new_state: Some(dv(&proposed, ty)),
                config: Some(dv(config, ty)),
                prior_private: prior.private.clone(),
                provider_meta: None,
                client_capabilities: cc(),
                prior_identity: prior
                    .identity
                    .as_ref()
                    .map(|i| identity_data(&self.schema, i)),
            },
        )
        .await;
        no_errors(&r.diagnostics, "PlanResourceChange");
        let planned = decode(r.planned_state.as_ref(), ty, "planned_state");
        // unknown identity values are allowed only when creating (or replacing)
        let creating = prior.state.is_null();
        let identity = check_identity(
            &self.schema,
            r.planned_identity.as_ref(),
            creating,
            "PlanResourceChange",
        );
        (planned, identity, r)
    }

    /// ImportResourceState with core's answer checks (§3.6), by identity or by id.
    pub async fn import(&self, id: Option<&str>, identity: Option<&Value>) -> Stored {
        let r: pb::import_resource_state::Response = call(
            &self.ch,
            "/tfplugin6.Provider/ImportResourceState",
            pb::import_resource_state::Request {
                type_name: JOB.into(),
                id: id.unwrap_or_default().into(),
                client_capabilities: cc(),
                identity: identity.map(|i| identity_data(&self.schema, i)),
            },
        )
        .await;
        no_errors(&r.diagnostics, "ImportResourceState");
        assert!(
            r.imported_resources.len() <= 1,
            "Multiple import states not supported"
        );
        let imported = r
            .imported_resources
            .first()
            .expect("Import returned no resources");
        assert!(!imported.type_name.is_empty(), "import didn't set type");
        let got_identity = check_identity(
            &self.schema,
            imported.identity.as_ref(),
            false,
            "ImportResourceState",
        );
        if identity.is_some() {
            assert!(got_identity.is_some(), "import didn't return an identity");
        }
        let state = decode(
            imported.state.as_ref(),
            &self.schema.job_ty,
            "imported state",
        );
        if id.is_some() {
            assert!(!state.is_null(), "Import returned null resource");
        }
        Stored {
            state,
            private: imported.private.clone(),
            identity: got_identity,
        }
    }

    /// ReadResource as core makes it; the stored result is exactly what came back.
    pub async fn read(&self, current: &Stored) -> (Stored, pb::read_resource::Response) {
        let ty = &self.schema.job_ty;
        let r: pb::read_resource::Response = call(
            &self.ch,
            "/tfplugin6.Provider/ReadResource",
            pb::read_resource::Request {
                type_name: JOB.into(),
                current_state: Some(dv(&current.state, ty)),
                private: current.private.clone(),
                provider_meta: None,
                client_capabilities: cc(),
                current_identity: current
                    .identity
                    .as_ref()
                    .map(|i| identity_data(&self.schema, i)),
            },
        )
        .await;
        no_errors(&r.diagnostics, "ReadResource");
        let state = decode(r.new_state.as_ref(), ty, "ReadResource new_state");
        let identity = check_identity(&self.schema, r.new_identity.as_ref(), false, "ReadResource");
        (
            Stored {
                state,
                private: r.private.clone(),
                identity,
            },
            r,
        )
    }

    /// GenerateResourceConfig; `state: None` sends the request without a state, as
    /// Terraform 1.14.0 did.
    pub async fn generate_config(
        &self,
        state: Option<&Value>,
    ) -> pb::generate_resource_config::Response {
        call(
            &self.ch,
            "/tfplugin6.Provider/GenerateResourceConfig",
            pb::generate_resource_config::Request {
                type_name: JOB.into(),
                state: state.map(|s| dv(s, &self.schema.job_ty)),
            },
        )
        .await
    }

    /// ApplyResourceChange; core stores `new_identity` as it comes (§3.4), so a missing one
    /// fails here: Terraform would silently store none.
    pub async fn apply(
        &self,
        prior: &Stored,
        planned: &Value,
        config: &Value,
        plan: &pb::plan_resource_change::Response,
        planned_identity: Option<&Value>,
    ) -> Stored {
        let ty = &self.schema.job_ty;
        let r: pb::apply_resource_change::Response = call(
            &self.ch,
            "/tfplugin6.Provider/ApplyResourceChange",
            pb::apply_resource_change::Request {
                type_name: JOB.into(),
                prior_state: Some(dv(&prior.state, ty)),
                planned_state: Some(dv(planned, ty)),
                config: Some(dv(config, ty)),
                planned_private: plan.planned_private.clone(),
                provider_meta: None,
                planned_identity: planned_identity.map(|i| identity_data(&self.schema, i)),
            },
        )
        .await;
        no_errors(&r.diagnostics, "ApplyResourceChange");
        let state = decode(r.new_state.as_ref(), ty, "ApplyResourceChange new_state");
        let identity = check_identity(
            &self.schema,
            r.new_identity.as_ref(),
            false,
            "ApplyResourceChange",
        );
        Stored {
            state,
            private: r.private,
            identity,
        }
    }
}
