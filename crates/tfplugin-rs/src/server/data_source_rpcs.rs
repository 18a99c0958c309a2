//! Data source RPCs: ValidateDataResourceConfig, ReadDataSource.

use super::{decode, diags, encode_reporting, respond, Payload, ProviderService};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;

impl ProviderService {
    pub(super) fn validate_data_resource_config(
        &self,
        req: pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        tracing::debug!(type_name = %req.type_name, "ValidateDataResourceConfig");
        let diagnostics = self.data_source(&req.type_name).and_then(|entry| {
            let config = decode(req.config.as_ref(), &entry.ty, Payload::Config)?;
            Ok(entry.data_source.validate(&config))
        });
        pb::validate_data_resource_config::Response {
            diagnostics: diags(&diagnostics.unwrap_or_else(|d| d)),
        }
    }

    /// Must answer a non-null, wholly known object.
    pub(super) async fn read_data_source(
        &self,
        req: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        tracing::debug!(type_name = %req.type_name, "ReadDataSource");
        let result = async {
            let entry = self.data_source(&req.type_name)?;
            let config = decode(req.config.as_ref(), &entry.ty, Payload::Config)?;
            let (state, mut diagnostics) = entry.data_source.read(&config).await;
            if !diagnostics.has_errors() && (state.is_null() || !state.is_wholly_known()) {
                diagnostics.push(Diagnostic::error(
                    "Provider produced an invalid data source result",
                    format!(
                        "The data source {} returned a null or partly unknown object. This is a bug in the provider.",
                        req.type_name
                    ),
                ));
            }
            let state = encode_reporting(&state, &entry.ty, Payload::State, &mut diagnostics);
            Ok::<_, Diagnostics>(pb::read_data_source::Response {
                state,
                diagnostics: diags(&diagnostics),
                deferred: None,
            })
        }
        .await;
        respond(result)
    }
}
