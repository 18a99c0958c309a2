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
}
