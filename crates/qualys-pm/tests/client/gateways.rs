//! The client against gateways that cannot be reached or that answer in the ways the
//! simulator does not (soft deletes, not-found 400s, HTML errors, throttling headers,
//! per-item failures, the record cap), and its configuration checked.

use std::sync::Arc;
use std::time::Duration;

use qualys_pm::{Client, ClientConfig, Credentials, Error, Job, JobStatus};
use serde_json::json;

/// A small valid Windows job.
fn windows_job(name: &str) -> Job {
    Job::from_json(json!({
        "name": name, "type": "Install", "platform": "Windows", "status": "Disabled",
        "scheduleType": "On-demand", "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
        "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
    }))
    .expect("decode job")
}

/// A loopback address where nothing listens, for as long as the returned socket lives: the
/// port is bound (no other process can take it meanwhile) but never listened on, so every
/// connection to it is refused.
fn refusing_address() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let address = socket.local_addr().expect("address");
    (socket, address)
}

#[tokio::test]
async fn unreachable_gateway_errors_name_the_cause() {
    // A port held bound where nothing listens.
    let (_refusing, address) = refusing_address();
    let mut config = ClientConfig::new(
        url::Url::parse(&format!("http://{address}")).expect("url"),
        Credentials::Token("test-token-value".into()),
    );
    config.retry_base_delay = Duration::from_millis(1);
    config.max_retries = 2;
    let client = Client::new(config).expect("client");
    let err = client.get_job("abc").await.expect_err("nothing listens");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("could not reach"), "{err}");
    let err = client
        .create_job(&windows_job("x"))
        .await
        .expect_err("connect refused");
    assert!(
        !err.is_create_outcome_unknown(),
        "a refused connection certainly did not create anything: {err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("test-token-value"));
}

#[tokio::test]
async fn client_configuration_is_checked() {
    let url = url::Url::parse("ftp://example.com").expect("url");
    let err = Client::new(ClientConfig::new(url, Credentials::Token("t".into()))).expect_err("ftp");
    assert!(matches!(err, Error::Config(_)));
    let url = url::Url::parse("https://gateway.example.com").expect("url");
    let mut config = ClientConfig::new(url, Credentials::Token("t".into()));
    config.ca_cert_pem = Some(b"not a certificate".to_vec());
    let err = Client::new(config).expect_err("bad pem");
    assert!(err.to_string().contains("CA certificate"), "{err}");
}

#[tokio::test]
async fn other_server_answers_are_understood() {
    use axum::http::StatusCode;
    use axum::routing::{delete, get, post};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let throttled = Arc::new(AtomicUsize::new(0));
    let throttled_calls = throttled.clone();
    let router = axum::Router::new()
        .route("/auth", post(|| async { (StatusCode::CREATED, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") }))
        .route(
            "/pm/v1/deploymentjob/soft-deleted",
            get(|| async { axum::Json(json!({"id": "soft-deleted", "name": "x", "deletedBy": {"user": {"id": "u"}, "date": 1700000000000u64}})) }),
        )
        .route(
            "/pm/v1/deploymentjob/invalid",
            get(|| async { (StatusCode::BAD_REQUEST, axum::Json(json!({"_error": {"errorCode": "400", "message": "Invalid job id"}}))) }),
        )
        .route(
            "/pm/v1/deploymentjob/html",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, [("content-type", "text/html")], "<html><body>Internal error</body></html>") }),
        )
        .route(
            "/pm/v1/deploymentjob/throttled",
            get(move || {
                let calls = throttled_calls.clone();
                async move {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        (StatusCode::TOO_MANY_REQUESTS, [("x-ratelimit-towait-sec", "1")], String::new())
                    } else {
                        (StatusCode::OK, [("x-ratelimit-towait-sec", "0")], json!({"id": "throttled", "name": "t"}).to_string())
                    }
                }
            }),
        )
        .route(
            "/pm/v1/deploymentjobs/update/status/Enabled",
            post(|| async { axum::Json(json!({"id": "a", "name": "n", "status": "failure", "error": "Job is locked"})) }),
        )
        .route(
            "/pm/v1/deploymentjobs",
            delete(|| async {
                axum::Json(json!([
                    {"id": "a", "name": "n", "status": "success"},
                    {"id": "gone", "name": null, "status": "failure", "error": "Job gone not found"},
                    {"id": "b", "name": "m", "status": "failure", "error": "Job b is referenced by another job"}
                ]))
            }),
        )
        .route(
            "/pm/v1/deploymentjobs/summary",
            get(|q: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                if q.get("pageNumber").map(String::as_str) == Some("0") {
                    (StatusCode::OK, axum::Json(json!([{"id": "s1", "name": "one", "platform": "Windows", "status": "Enabled", "created": {"user": null, "date": 1}}])))
                } else {
                    (StatusCode::BAD_REQUEST, axum::Json(json!({"_error": {"errorCode": "2501", "message": "max records reached"}})))
                }
            }),
        );
    let url = crate::stub::serve(router).await;
    let mut config = ClientConfig::new(
        url::Url::parse(&url).expect("url"),
        Credentials::Password {
            username: "u".into(),
            password: "p".into(),
        },
    );
    config.retry_base_delay = Duration::from_millis(1);
    let client = Client::new(config).expect("client");

    assert!(
        client
            .get_job("soft-deleted")
            .await
            .expect("soft delete")
            .is_none(),
        "deletedBy.date set = gone"
    );
    assert!(
        client
            .get_job("invalid")
            .await
            .expect("not-found 400")
            .is_none(),
        "a not-found 400 = gone"
    );
    let err = client.get_job("html").await.expect_err("500");
    assert_eq!(err.status(), Some(500));
    assert!(
        err.to_string().contains("Internal error") && err.to_string().contains("html"),
        "{err}"
    );

    let started = std::time::Instant::now();
    assert!(client
        .get_job("throttled")
        .await
        .expect("retried")
        .is_some());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited X-RateLimit-ToWait-Sec: {:?}",
        started.elapsed()
    );

    let err = client
        .set_status(&["a"], JobStatus::Enabled)
        .await
        .expect_err("per-item failure in an object");
    assert!(
        err.to_string().contains("Job is locked") && err.to_string().contains('a'),
        "{err}"
    );
    let err = client
        .delete_jobs(&["a", "gone", "b"])
        .await
        .expect_err("b failed");
    assert!(
        matches!(&err, Error::ItemFailed { job_id, .. } if job_id == "b"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("referenced by another job"),
        "{err}"
    );

    let all = client
        .list_jobs("Windows", None)
        .await
        .expect("stops at the 10 000 cap");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].created.as_ref().and_then(|c| c.date), Some(1));
    // A caller that needs every job hears of the cap instead.
    let mut pages = Vec::new();
    let err = client
        .list_all_jobs("Windows", &mut |n| pages.push(n))
        .await
        .expect_err("past the cap");
    assert!(
        matches!(&err, Error::RecordCap { platform, listed: 1 } if platform == "Windows"),
        "{err:?}"
    );
    assert!(err.to_string().contains("10000 records"), "{err}");
    assert_eq!(pages, [1], "progress after each page");
}
