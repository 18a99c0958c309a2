//! Helpers shared by the integration tests.

pub mod deployment_job;
pub mod plugin;
pub mod simulator;
pub mod terraform;
