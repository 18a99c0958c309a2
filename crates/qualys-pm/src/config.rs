//! How to reach and authenticate to a Qualys gateway.

use std::fmt;
use std::time::Duration;

#[derive(Clone)]
pub enum Credentials {
    /// A JWT obtained elsewhere.
    Token(String),
    /// Exchanged for a JWT at `POST {gateway}/auth`.
    Password { username: String, password: String },
}

/// Never prints the secrets.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(***)"),
            Credentials::Password { username, .. } => {
                write!(f, "Password {{ username: {username:?}, password: *** }}")
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// e.g. `https://gateway.qg2.apps.qualys.com` or `http://127.0.0.1:PORT` (simulator).
    pub gateway_url: url::Url,
    pub credentials: Credentials,
    /// Retries for throttled / transient failures.
    pub max_retries: u32,
    pub request_timeout: Duration,
    /// Extra trusted CA certificates (PEM), for private clouds and TLS proxies.
    pub ca_cert_pem: Option<Vec<u8>>,
    /// First retry delay; doubled per attempt (with jitter), capped at `MAX_RETRY_DELAY`.
    /// Tests set it to a few milliseconds.
    pub retry_base_delay: Duration,
    /// Calls in flight at most, until the server announces its concurrency limit.
    pub max_concurrent_requests: usize,
    /// The longest wait for the subscription's API controls; a longer one fails the calls.
    pub max_rate_limit_wait: Duration,
    /// Whether `Client::listed_job` answers from one listing of the job summaries per
    /// platform (`true`, the default) or says nothing (`Listed::Unknown`) so that every job
    /// is read on its own.
    pub list_for_refresh: bool,
}

impl ClientConfig {
    pub const DEFAULT_MAX_RETRIES: u32 = 5;
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(500);
    /// The concurrency limit of a default subscription (the gateway's sample headers: 2).
    pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 2;
    /// Long enough for a short window to roll over, short enough for a CI job to fail fast
    /// when the quota is gone for the hour.
    pub const DEFAULT_MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(300);

    /// A configuration with the default retry and timeout settings.
    pub fn new(gateway_url: url::Url, credentials: Credentials) -> Self {
        ClientConfig {
            gateway_url,
            credentials,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            ca_cert_pem: None,
            retry_base_delay: Self::DEFAULT_RETRY_BASE_DELAY,
            max_concurrent_requests: Self::DEFAULT_MAX_CONCURRENT_REQUESTS,
            max_rate_limit_wait: Self::DEFAULT_MAX_RATE_LIMIT_WAIT,
            list_for_refresh: true,
        }
    }
}

/// Whether a gateway URL may be plain `http://`: only when its host is this machine
/// (`localhost`, 127.0.0.0/8, `::1`), where the password and the JWTs never cross a network.
/// Any other gateway must be `https://`.
pub fn plaintext_allowed(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::plaintext_allowed;

    #[test]
    fn plain_http_is_allowed_for_loopback_hosts_only() {
        let allowed = |text: &str| plaintext_allowed(&url::Url::parse(text).expect("url"));
        for loopback in [
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:1",
            "http://127.10.20.30",
            "http://[::1]:9000",
        ] {
            assert!(allowed(loopback), "{loopback}");
        }
        for remote in [
            "http://gateway.qg2.apps.qualys.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://0.0.0.0",
        ] {
            assert!(!allowed(remote), "{remote}");
        }
    }
}
