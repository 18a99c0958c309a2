//! UpgradeResourceIdentity and GenerateResourceConfig (Terraform 1.12+ and 1.14+).
//! GetResourceIdentitySchemas answers a response built once in `ProviderService::new`.

use super::{decode, encode, respond, Payload, ProviderService};
use crate::codec;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;
use crate::value::Value;

impl ProviderService {
    /// Terraform calls this only when the stored identity version differs from the
    /// declared one. A state without identity (written before identities) has nothing to
    /// upgrade: a null identity, sent as msgpack nil because OpenTofu 1.12 refuses an empty
    /// answer; the next read fills it in.
    pub(super) fn upgrade_resource_identity(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        tracing::debug!(type_name = %req.type_name, version = req.version, "UpgradeResourceIdentity");
        let result = (|| {
            let entry = self.resource(&req.type_name)?;
            let Some((schema, ty)) = entry.identity.as_ref() else {
                return Err(Diagnostic::error(
                    "Resource has no identity",
                    format!("{} declares no identity to upgrade.", req.type_name),
                )
                .into());
            };
            let json = req.raw_identity.map(|r| r.json).unwrap_or_default();
            let identity = if json.is_empty() {
                Value::Null
            } else if req.version == schema.version {
                codec::decode_json(&json, ty).map_err(|e| super::decode_error(e, Payload::State))?
            } else {
                return Err(Diagnostic::error(
                    "Unsupported identity version",
                    format!(
                        "{} has no upgrade from identity version {} to {}.",
                        req.type_name, req.version, schema.version
                    ),
                )
                .into());
            };
            Ok(pb::upgrade_resource_identity::Response {
                upgraded_identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(encode(&identity, ty, Payload::State)?),
                }),
                diagnostics: Vec::new(),
            })
        })();
        respond(result)
    }

    /// The configuration for `-generate-config-out`: the resource's `generate_config` of
    /// the state. A null state (a query result without its object) gets a null config.
    pub(super) fn generate_resource_config(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        tracing::debug!(type_name = %req.type_name, "GenerateResourceConfig");
        let result = (|| {
            let entry = self.resource(&req.type_name)?;
            if req.state.is_none() {
                return Err(Diagnostics::from(Diagnostic::error(
                    "No state to generate the configuration from",
                    "Terraform 1.14.0 does not send the state to generate a configuration from (hashicorp/terraform#37896). Use Terraform 1.14.1 or later to generate configuration.",
                )));
            }
            let state = decode(req.state.as_ref(), &entry.ty, Payload::State)?;
            let config = if state.is_null() {
                Value::Null
            } else {
                entry.resource.generate_config(&entry.schema, &state)
            };
            Ok(pb::generate_resource_config::Response {
                config: Some(encode(&config, &entry.ty, Payload::Config)?),
                diagnostics: Vec::new(),
            })
        })();
        respond(result)
    }
}
