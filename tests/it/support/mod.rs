//! Helpers shared by the integration tests.

pub mod https;
pub mod plugin;
pub mod simulator;
pub mod stub;
pub mod terraform;
