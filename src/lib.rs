//! terraform-provider-qualys: Qualys Patch Management deployment jobs for Terraform.
//!
//! The provider maps the two crates it stands on onto each other: `tfplugin` (the Terraform
//! plugin protocol, nothing of Qualys) and `qualys_pm` (the API, nothing of Terraform), which
//! cannot import each other because neither depends on the other. `provider`, `resources`
//! and `data_sources` share the configured client through `client_slot`, and declare their
//! attributes with `framework`. `onboarding` (the `generate-imports` subcommand) uses
//! `qualys_pm` and the provider's settings, never `tfplugin` types. The simulator is its own
//! crate (`qualys-pm-simulator`), used only by tests.

mod client_slot;
mod data_sources;
mod docs;
mod framework;
pub mod onboarding;
pub mod provider;
pub mod resources;
