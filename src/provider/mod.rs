//! The `qualys` provider: its configuration block, env var fallbacks, and the client it builds.

pub(crate) mod config;
/// `docs/index.md` is rendered only by its test, which checks the committed page (or
/// rewrites it with `UPDATE_DOCS` set).
#[cfg(test)]
mod registry_page;
mod setting;

use std::sync::Arc;

use async_trait::async_trait;

use crate::client_slot::ClientSlot;
use tfplugin::{
    DataSource, Diagnostic, Diagnostics, ListResource, Provider, Resource, Schema, Value,
};

/// The provider's source address: a local one, installed from a network or filesystem
/// mirror (`scripts/release.sh` builds both) or found through `dev_overrides`, never from a
/// registry.
pub const SOURCE_ADDRESS: &str = "terraform.local/qualys/qualys";

pub struct QualysProvider {
    client: Arc<ClientSlot>,
}

impl Default for QualysProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl QualysProvider {
    pub fn new() -> Self {
        QualysProvider {
            client: Arc::new(ClientSlot::default()),
        }
    }

    /// The slot resources and data sources read the configured client from.
    fn client_slot(&self) -> Arc<ClientSlot> {
        self.client.clone()
    }
}

#[async_trait]
impl Provider for QualysProvider {
    fn type_name(&self) -> &'static str {
        "qualys"
    }

    fn version(&self) -> Option<&'static str> {
        Some(env!("CARGO_PKG_VERSION"))
    }

    fn schema(&self) -> Schema {
        config::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    /// Builds the client; no network call (the token is fetched on first use).
    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        let client_config = match config::client_config(config, &|name| std::env::var(name).ok()) {
            Ok(Some(c)) => c,
            Ok(None) => {
                tracing::debug!(
                    "provider configuration has unknown values; configuring once they are known"
                );
                self.client.mark_config_unknown();
                return Diagnostics::new();
            }
            Err(diags) => return diags,
        };
        let auth = match &client_config.credentials {
            qualys_pm::Credentials::Token(_) => "token",
            qualys_pm::Credentials::Password { .. } => "username and password",
        };
        tracing::info!(
            gateway = client_config.gateway_url.host_str().unwrap_or_default(),
            auth,
            max_retries = client_config.max_retries,
            request_timeout_ms = client_config.request_timeout.as_millis() as u64,
            extra_ca = client_config.ca_cert_pem.is_some(),
            terraform_version,
            "configuring the Qualys client"
        );
        match qualys_pm::Client::new(client_config) {
            Ok(client) => {
                self.client.set(client);
                Diagnostics::new()
            }
            Err(e) => Diagnostic::error("Cannot create the Qualys client", e.to_string()).into(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        crate::resources::resources(self.client_slot())
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        crate::data_sources::data_sources(self.client_slot())
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        crate::resources::list_resources(self.client_slot())
    }
}
