//! Hand-made gateways for the answers a test needs (paging, per-job results, odd readings):
//! an axum router served on 127.0.0.1:0, and a client for it.

use std::time::Duration;

use qualys_pm::{Client, ClientConfig, Credentials};

/// What a stub's `/auth` answers (a JWT with no `exp`).
pub(crate) const STUB_JWT: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";

/// Serves `router` on 127.0.0.1:0 for the rest of the test; its base URL.
pub(crate) async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// A client of the stub at `url` (username and password, retries after 1 ms).
pub(crate) fn client(url: &str, max_retries: Option<u32>) -> Client {
    let mut config = ClientConfig::new(
        url::Url::parse(url).expect("url"),
        Credentials::Password {
            username: "u".into(),
            password: "p".into(),
        },
    );
    config.retry_base_delay = Duration::from_millis(1);
    if let Some(n) = max_retries {
        config.max_retries = n;
    }
    Client::new(config).expect("client")
}
