//! Managed resource RPCs: ValidateResourceConfig, UpgradeResourceState, ReadResource,
//! PlanResourceChange, ApplyResourceChange (dispatched to `Resource::create`, `update` or
//! `delete`), ImportResourceState.
//!
//! Identity (Terraform 1.12+): every response that carries a state carries the identity
//! derived from it (`ResourceEntry::identity_data`), never the one Terraform sent: core
//! stores exactly what comes back, so an identity left out is an identity dropped, and
//! Terraform before 1.12 sends none to copy.

use super::{
    decode, decode_error, diags, encode, encode_reporting, respond, Payload, ProviderService,
    ResourceEntry,
};
use crate::codec::{self, UnknownAttributes};
use crate::convert;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::{
    ApplyResponse, CreateRequest, DeleteRequest, PlanRequest, ReadRequest, Resource, UpdateRequest,
};
use crate::proto::tfplugin6 as pb;
use crate::value::Value;

impl ProviderService {
    pub(super) fn validate_resource_config(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        tracing::debug!(type_name = %req.type_name, "ValidateResourceConfig");
        let diagnostics = self.resource(&req.type_name).and_then(|entry| {
            let config = decode(req.config.as_ref(), &entry.ty, Payload::Config)?;
            Ok(entry.resource.validate(&config))
        });
        pb::validate_resource_config::Response {
            diagnostics: diags(&diagnostics.unwrap_or_else(|d| d)),
        }
    }

    /// Called for every instance in the state on every plan, refresh, apply and destroy.
    /// The stored JSON is read against the current schema (dropping attributes the schema
    /// no longer has when the stored version is older) and handed to `Resource::upgrade`.
    pub(super) async fn upgrade_resource_state(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        tracing::debug!(type_name = %req.type_name, version = req.version, "UpgradeResourceState");
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let raw = req.raw_state.unwrap_or_default();
            let state = if !raw.json.is_empty() {
                let unknown = if req.version == entry.schema.version {
                    UnknownAttributes::Reject
                } else {
                    UnknownAttributes::Ignore
                };
                codec::decode_json_with(&raw.json, &entry.ty, unknown).map_err(|e| decode_error(e, Payload::State))?
            } else if !raw.flatmap.is_empty() {
                return Err(Diagnostic::error(
                    "Unsupported state format",
                    format!(
                        "The state of this {} is in the legacy flatmap format of Terraform 0.11 and earlier, which this provider cannot read.",
                        req.type_name
                    ),
                )
                .into());
            } else {
                Value::Null
            };
            let upgraded = entry
                .resource
                .upgrade(req.version, entry.schema.version, state)
                .await?;
            Ok(pb::upgrade_resource_state::Response {
                upgraded_state: Some(encode(&upgraded, &entry.ty, Payload::State)?),
                diagnostics: Vec::new(),
            })
        }
        .await;
        respond(result)
    }

    /// A null `new_state` means the object is gone; terraform then plans to create it. The
    /// identity comes from the new state; when the object is gone, from the current one
    /// (harmless, and what some versions of core expect). A state written without identity
    /// gets one here: the backfill.
    pub(super) async fn read_resource(
        &self,
        req: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
        tracing::debug!(type_name = %req.type_name, "ReadResource");
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let current_state = decode(req.current_state.as_ref(), &entry.ty, Payload::State)?;
            // the current identity, for an object gone: small, where the state moved into
            // the read would be a deep copy
            let current_identity = entry.identity_data(&current_state);
            let resp = entry
                .resource
                .read(ReadRequest {
                    current_state,
                    private: req.private,
                })
                .await;
            let mut diagnostics = resp.diagnostics;
            let new_state =
                encode_reporting(&resp.new_state, &entry.ty, Payload::State, &mut diagnostics);
            let new_identity = entry.identity_data(&resp.new_state).or(current_identity);
            Ok::<_, Diagnostics>(pb::read_resource::Response {
                new_state,
                diagnostics: diags(&diagnostics),
                private: resp.private,
                deferred: None,
                new_identity,
            })
        }
        .await;
        respond(result)
    }

    /// Destroys are not planned by the resource (`plan_destroy` is off, but should terraform
    /// ask anyway, a null proposal is answered with a null plan).
    pub(super) async fn plan_resource_change(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        tracing::debug!(type_name = %req.type_name, "PlanResourceChange");
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let prior_state = decode(req.prior_state.as_ref(), &entry.ty, Payload::State)?;
            let proposed_new_state =
                decode(req.proposed_new_state.as_ref(), &entry.ty, Payload::Plan)?;
            let config = decode(req.config.as_ref(), &entry.ty, Payload::Config)?;
            if proposed_new_state.is_null() {
                return Ok(pb::plan_resource_change::Response {
                    planned_state: Some(encode(&Value::Null, &entry.ty, Payload::Plan)?),
                    planned_private: req.prior_private,
                    ..Default::default()
                });
            }
            let resp = entry
                .resource
                .plan(PlanRequest {
                    prior_state,
                    proposed_new_state,
                    config,
                    prior_private: req.prior_private,
                })
                .await;
            let mut diagnostics = resp.diagnostics;
            // none while the id is unknown (a create): allowed, and never a null id
            let planned_identity = entry.identity_data(&resp.planned_state);
            let planned_state = encode_reporting(
                &resp.planned_state,
                &entry.ty,
                Payload::Plan,
                &mut diagnostics,
            );
            Ok::<_, Diagnostics>(pb::plan_resource_change::Response {
                planned_state,
                requires_replace: resp
                    .requires_replace
                    .iter()
                    .map(convert::attribute_path)
                    .collect(),
                planned_private: resp.planned_private,
                diagnostics: diags(&diagnostics),
                legacy_type_system: false,
                deferred: None,
                planned_identity,
            })
        }
        .await;
        respond(result)
    }

    /// Dispatched once, here: a null prior state is a create, a null planned state a
    /// delete, anything else an update. On failure a create or update returns its best
    /// knowledge of the object (or null: nothing created, or the prior state kept); that is
    /// passed on so terraform never loses track of an object.
    pub(super) async fn apply_resource_change(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        tracing::debug!(type_name = %req.type_name, "ApplyResourceChange");
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let prior_state = decode(req.prior_state.as_ref(), &entry.ty, Payload::State)?;
            let planned_state = decode(req.planned_state.as_ref(), &entry.ty, Payload::Plan)?;
            let config = decode(req.config.as_ref(), &entry.ty, Payload::Config)?;
            let resp = apply_change(
                entry.resource.as_ref(),
                prior_state,
                planned_state,
                config,
                req.planned_private,
            )
            .await;
            let mut diagnostics = resp.diagnostics;
            let new_state =
                encode_reporting(&resp.new_state, &entry.ty, Payload::State, &mut diagnostics);
            // also after a failure that returns a partial state, which core stores with it
            let new_identity = entry.identity_data(&resp.new_state);
            Ok::<_, Diagnostics>(pb::apply_resource_change::Response {
                new_state,
                private: resp.private,
                diagnostics: diags(&diagnostics),
                legacy_type_system: false,
                new_identity,
            })
        }
        .await;
        respond(result)
    }

    /// Exactly one imported object, with its identity; terraform reads it next. Imports by
    /// `id` or, on Terraform 1.12+, by identity (`import_id`).
    pub(super) async fn import_resource_state(
        &self,
        req: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        tracing::debug!(type_name = %req.type_name, "ImportResourceState");
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let id = import_id(entry, &req)?;
            let resp = entry.resource.import(&id).await;
            let mut diagnostics = resp.diagnostics;
            if diagnostics.has_errors() {
                return Err(diagnostics);
            }
            if resp.state.is_null() {
                diagnostics.push(Diagnostic::error(
                    "Cannot import non-existent remote object",
                    format!("No {} with ID \"{id}\" was found.", req.type_name),
                ));
                return Err(diagnostics);
            }
            let state = encode(&resp.state, &entry.ty, Payload::State)?;
            Ok(pb::import_resource_state::Response {
                imported_resources: vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    private: resp.private,
                    identity: entry.identity_data(&resp.state),
                }],
                diagnostics: diags(&diagnostics),
                deferred: None,
            })
        }
        .await;
        respond(result)
    }
}

/// Calls the one resource method the change is. A delete answers a null state whether it
/// failed or not: after a failed apply with a null new state, core keeps the prior state.
/// Both states null (no object before or after, which core never sends) is nothing to do.
async fn apply_change(
    resource: &dyn Resource,
    prior_state: Value,
    planned_state: Value,
    config: Value,
    planned_private: Vec<u8>,
) -> ApplyResponse {
    match (prior_state.is_null(), planned_state.is_null()) {
        (true, true) => ApplyResponse::default(),
        (false, true) => ApplyResponse {
            diagnostics: resource
                .delete(DeleteRequest {
                    prior_state,
                    private: planned_private,
                })
                .await,
            ..Default::default()
        },
        (true, false) => {
            resource
                .create(CreateRequest {
                    planned_state,
                    config,
                    planned_private,
                })
                .await
        }
        (false, false) => {
            resource
                .update(UpdateRequest {
                    prior_state,
                    planned_state,
                    config,
                    planned_private,
                })
                .await
        }
    }
}

/// The ID to import: the request's `id`, or else the identity's one string attribute
/// (what a resource whose identity is its ID declares; others need an `id`).
fn import_id(
    entry: &ResourceEntry,
    req: &pb::import_resource_state::Request,
) -> Result<String, Diagnostics> {
    let identity_data = req.identity.as_ref().and_then(|i| i.identity_data.as_ref());
    let Some(data) = identity_data.filter(|_| req.id.is_empty()) else {
        return Ok(req.id.clone());
    };
    let unsupported = |why: &str| -> Diagnostics {
        Diagnostic::error(
            "Import by identity is not supported",
            format!(
                "{} cannot be imported by identity: {why}. Import it by ID (`id = \"...\"`).",
                req.type_name
            ),
        )
        .into()
    };
    let Some((schema, ty)) = entry.identity.as_ref() else {
        return Err(unsupported("it has no identity"));
    };
    let [attribute] = schema.attributes.as_slice() else {
        return Err(unsupported("its identity has more than one attribute"));
    };
    let identity = decode(Some(data), ty, Payload::Config)?;
    match identity.get(&attribute.name).as_str() {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(Diagnostic::error(
            "Invalid import identity",
            format!(
                "The identity's \"{}\" must be a non-empty string.",
                attribute.name
            ),
        )
        .into()),
    }
}
