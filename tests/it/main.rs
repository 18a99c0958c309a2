//! The one integration-test binary: one module per area, shared helpers in `support`.

mod support {
    pub mod plugin;
    pub mod terraform;
}

mod plugin_lifecycle;
mod protocol;
mod terraform_cli;
