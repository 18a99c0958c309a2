//! The one integration-test binary; one module per area.

mod support;

mod qualys_client;
mod simulator;
