//! The configured Qualys client, shared by the provider (which fills it in `configure`) and
//! every resource and data source (which read it). It lives below all three so that the
//! provider can register resources and data sources without them importing the provider.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tfplugin::{Diagnostic, Diagnostics};

/// The configured API client, shared by the provider (which fills it in `configure`) and
/// every resource and data source (which use it).
#[derive(Default)]
pub struct ClientSlot(OnceLock<Arc<qualys_pm::Client>>, AtomicBool);

impl ClientSlot {
    pub fn set(&self, client: qualys_pm::Client) {
        let _ = self.0.set(Arc::new(client));
    }

    /// The provider block depends on values known only after apply; terraform configures
    /// the provider again, with known values, before it applies anything.
    pub fn mark_config_unknown(&self) {
        self.1.store(true, Ordering::Relaxed);
    }

    pub fn get(&self) -> Result<Arc<qualys_pm::Client>, Diagnostics> {
        self.0.get().cloned().ok_or_else(|| {
            if self.1.load(Ordering::Relaxed) {
                Diagnostic::error(
                    "Provider configuration not known yet",
                    "The qualys provider block uses values that are only known after apply, so the provider cannot reach Qualys at this stage.",
                )
                .into()
            } else {
                Diagnostic::error(
                    "Provider not configured",
                    "The qualys provider was not configured before use; this is a bug in the provider or in terraform.",
                )
                .into()
            }
        })
    }
}
