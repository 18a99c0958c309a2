//! Helpers shared by the integration tests.

pub mod core;
pub mod hcl;
pub mod https;
pub mod plugin;
pub mod simulator;
pub mod stub;
pub mod terraform;

/// Loose equality of two JSON scalars, as the API's documented type drift allows: `"80"`
/// equals `80`, `"true"` equals `true`.
pub fn same_scalar(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    if a == b {
        return true;
    }
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    text(a).is_some() && text(a) == text(b)
}

/// Runs a future to completion from a plain (non-async) test.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// A loopback address where nothing listens, for as long as the returned socket lives: the
/// port is bound (no other process can take it meanwhile) but never listened on, so every
/// connection to it is refused.
pub fn refusing_address() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let address = socket.local_addr().expect("address");
    (socket, address)
}

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
