//! Helpers shared by the integration tests.

pub mod core;
pub mod https;
pub mod plugin;
pub mod simulator;
pub mod stub;
pub mod terraform;

/// The provider block's attributes, sorted, as terraform must see them.
pub const PROVIDER_ATTRIBUTES: [&str; 10] = [
    "ca_cert_file",
    "gateway_url",
    "max_concurrent_requests",
    "max_rate_limit_wait",
    "max_retries",
    "password",
    "refresh",
    "request_timeout",
    "token",
    "username",
];
