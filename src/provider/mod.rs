//! The `qualys` provider: its configuration block, env var fallbacks, and the client it builds.

use std::sync::{Arc, OnceLock};

use crate::plugin::{Diagnostic, Diagnostics};
use crate::qualys;

/// The configured API client, shared by the provider (which fills it in `configure`) and
/// every resource and data source (which use it).
#[derive(Default)]
pub struct ClientSlot(OnceLock<Arc<qualys::Client>>);

impl ClientSlot {
    pub fn set(&self, client: qualys::Client) {
        let _ = self.0.set(Arc::new(client));
    }

    pub fn get(&self) -> Result<Arc<qualys::Client>, Diagnostics> {
        self.0.get().cloned().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The qualys provider was not configured before use; this is a bug in the provider or in terraform.",
            )
            .into()
        })
    }
}
