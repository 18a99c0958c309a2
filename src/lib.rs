//! terraform-provider-qualys: Qualys Patch Management deployment jobs for Terraform.
//!
//! Layers: `plugin` (Terraform protocol, nothing of Qualys) and `qualys` (the API, nothing
//! of Terraform) never import each other; `provider`, `resources` and `data_sources` map one
//! onto the other, and share the configured client through `client_slot`. `onboarding` (the
//! `generate-imports` subcommand) uses `qualys` and the provider's settings, never `plugin`
//! types. `simulator` is the local stand-in for the Qualys service.

pub mod client_slot;
pub mod data_sources;
pub mod docs;
pub mod onboarding;
pub mod plugin;
pub mod provider;
pub mod qualys;
pub mod resources;
pub mod simulator;
