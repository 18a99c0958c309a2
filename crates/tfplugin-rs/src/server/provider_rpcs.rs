//! Provider-level RPCs: GetMetadata, ValidateProviderConfig, ConfigureProvider, StopProvider.
//! (GetProviderSchema answers a response built once in `ProviderService::new`.)

use super::{decode, diags, server_capabilities, Payload, ProviderService};
use crate::proto::tfplugin6 as pb;

impl ProviderService {
    pub(super) fn get_metadata(&self) -> pb::get_metadata::Response {
        use pb::get_metadata::{DataSourceMetadata, ListResourceMetadata, ResourceMetadata};
        let mut resources: Vec<_> = self.resources.keys().cloned().collect();
        resources.sort();
        let mut data_sources: Vec<_> = self.data_sources.keys().cloned().collect();
        data_sources.sort();
        let mut lists: Vec<_> = self.lists.keys().cloned().collect();
        lists.sort();
        pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: data_sources
                .into_iter()
                .map(|type_name| DataSourceMetadata { type_name })
                .collect(),
            resources: resources
                .into_iter()
                .map(|type_name| ResourceMetadata { type_name })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
            list_resources: lists
                .into_iter()
                .map(|type_name| ListResourceMetadata { type_name })
                .collect(),
            state_stores: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// Called even without a `provider` block; values may be unknown.
    pub(super) fn validate_provider_config(
        &self,
        req: pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        tracing::debug!("ValidateProviderConfig");
        let diagnostics = match decode(req.config.as_ref(), &self.provider_ty, Payload::Config) {
            Ok(config) => self.provider.validate(&config),
            Err(d) => d,
        };
        pb::validate_provider_config::Response {
            diagnostics: diags(&diagnostics),
        }
    }

    pub(super) async fn configure_provider(
        &self,
        req: pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        tracing::debug!(terraform_version = %req.terraform_version, "ConfigureProvider");
        let diagnostics = match decode(req.config.as_ref(), &self.provider_ty, Payload::Config) {
            Ok(config) => {
                self.provider
                    .configure(&config, &req.terraform_version)
                    .await
            }
            Err(d) => d,
        };
        pb::configure_provider::Response {
            diagnostics: diags(&diagnostics),
        }
    }

    /// Terraform was interrupted; may arrive while other RPCs are in flight.
    pub(super) async fn stop_provider(&self) -> pb::stop_provider::Response {
        tracing::info!("StopProvider: terraform was interrupted");
        self.provider.stop().await;
        pb::stop_provider::Response {
            error: String::new(),
        }
    }
}
