//! The one integration-test binary: one module per area, shared helpers in `support`.

mod support;

mod protocol;
mod qualys_client;
mod simulator;
mod terraform_cli;
