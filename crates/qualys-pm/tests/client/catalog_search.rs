//! The patch and asset searches' wire behaviour (paging headers, page size, body, the 2501
//! cap, a cursor the server repeats, a refused QQL query) against a small hand-made gateway.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use qualys_pm::{Client, Completeness, Error, LeftOut, Listing, Patch, Search};
use serde_json::{json, Value};

/// What the stub gateway saw of one search request.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    query: String,
    cursor: Option<String>,
    authorization: Option<String>,
    body: Value,
}

/// How the stub pages: the records, the page size it serves, and its misbehaviours.
#[derive(Clone)]
struct Stub {
    records: Arc<Vec<Value>>,
    /// Serve at most this many per page, whatever pageSize asks.
    serve: usize,
    /// Answer 2501 instead of the page starting at this offset.
    cap_at: Option<usize>,
    /// Send this cursor on every page (a broken server).
    stuck_cursor: Option<&'static str>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// `/auth` requests.
    auths: Arc<std::sync::atomic::AtomicUsize>,
}

async fn stub_search(
    axum::extract::State(stub): axum::extract::State<Stub>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> axum::response::Response {
    let cursor = headers
        .get("searchAfter")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    stub.seen.lock().unwrap().push(Seen {
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        cursor: cursor.clone(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.clone(),
    });
    if body["query"] == "vendorSeverity:" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"_error": {"errorCode": "400", "message": "QQL syntax error at position 15: a value is expected"}})),
        )
            .into_response();
    }
    let page_size: usize = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("pageSize="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    // the cursor is the offset of the next record, as text
    let start: usize = cursor.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
    if stub.cap_at.is_some_and(|cap| start >= cap) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"_error": {"errorCode": "2501", "message": "Maximum 10000 records can be fetched"}})),
        )
            .into_response();
    }
    let end = (start + page_size.min(stub.serve)).min(stub.records.len());
    let page: Vec<Value> = stub.records[start.min(end)..end].to_vec();
    let mut response = axum::Json(Value::Array(page)).into_response();
    let h = response.headers_mut();
    h.insert(
        "totalCount",
        stub.records.len().to_string().parse().unwrap(),
    );
    if let Some(stuck) = stub.stuck_cursor {
        h.insert("searchAfter", stuck.parse().unwrap());
    } else if end - start == page_size.min(stub.serve) {
        // like the simulator: a full page (of what it serves) carries a cursor, even when
        // nothing follows
        h.insert("searchAfter", end.to_string().parse().unwrap());
    }
    response
}

/// Starts the stub on 127.0.0.1:0; gives a client for it and what it saw.
async fn stub_gateway(stub: Stub) -> Client {
    use axum::routing::post;
    let auths = stub.auths.clone();
    let router = axum::Router::new()
        .route(
            "/auth",
            post(move || {
                auths.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async { (StatusCode::CREATED, crate::stub::STUB_JWT) }
            }),
        )
        .route("/pm/v2/patches", post(stub_search))
        .route("/pm/v1/assets", post(stub_search))
        .with_state(stub);
    let url = crate::stub::serve(router).await;
    crate::stub::client(&url, None)
}

/// The Windows patch search `query` / `max_results` through a client of the stub `s`.
async fn search_stub(
    s: &Stub,
    query: Option<&'static str>,
    max_results: usize,
) -> Result<Listing<Patch>, Error> {
    let client = stub_gateway(s.clone()).await;
    let search = search(query, max_results);
    client.search_patches(&search).await
}

fn records(n: usize) -> Arc<Vec<Value>> {
    Arc::new(
        (0..n)
            .map(|i| json!({"id": format!("p-{i:05}"), "title": format!("Patch {i}"), "qid": [90000 + i]}))
            .collect(),
    )
}

fn stub(n: usize) -> Stub {
    Stub {
        records: records(n),
        serve: usize::MAX,
        cap_at: None,
        stuck_cursor: None,
        seen: Arc::new(Mutex::new(Vec::new())),
        auths: Default::default(),
    }
}

fn search(query: Option<&'static str>, max_results: usize) -> Search<'static> {
    Search {
        platform: Some("Windows"),
        query,
        having_query: None,
        max_results,
    }
}

#[tokio::test]
async fn patches_are_paged_with_the_search_after_header_at_the_largest_page_size() {
    let s = stub(2_500);
    let listing = search_stub(&s, Some("isSecurity:true"), 10_000)
        .await
        .expect("search");
    assert_eq!(listing.items.len(), 2_500);
    assert_eq!(listing.completeness, Completeness::Complete);
    assert_eq!(listing.total, Some(2_500));
    let ids: std::collections::BTreeSet<&str> =
        listing.items.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 2_500, "each record once");
    assert_eq!(listing.items[1].qid, Some(vec!["90001".to_owned()]));
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "one request per page of 1000: {seen:#?}");
    assert_eq!(listing.pages, 3);
    assert_eq!(
        s.auths.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one token for every page"
    );
    let cursors: Vec<Option<&str>> = seen.iter().map(|r| r.cursor.as_deref()).collect();
    assert_eq!(cursors, vec![None, Some("1000"), Some("2000")]);
    for r in &seen {
        assert_eq!(r.path, "/pm/v2/patches");
        assert_eq!(r.query, "platform=Windows&pageSize=1000");
        assert_eq!(r.body, json!({"query": "isSecurity:true"}));
        assert!(
            r.authorization
                .as_deref()
                .is_some_and(|a| a.starts_with("Bearer eyJ")),
            "{:?}",
            r.authorization
        );
    }
}

#[tokio::test]
async fn ten_thousand_matches_take_ten_requests() {
    let s = stub(10_000);
    let listing = search_stub(&s, None, 10_000).await.expect("search");
    assert_eq!(listing.items.len(), 10_000);
    assert_eq!(listing.completeness, Completeness::Complete);
    assert_eq!(s.seen.lock().unwrap().len(), 10);
    // a full last page with a cursor: the total says it was the last, no empty request
    let s = stub(2_000);
    let listing = search_stub(&s, None, 10_000).await.expect("search");
    assert_eq!(listing.items.len(), 2_000);
    assert_eq!(s.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn assets_page_by_the_header_too_and_platform_is_optional() {
    let s = stub(900);
    let client = stub_gateway(s.clone()).await;
    let listing = client
        .search_assets(&Search {
            platform: None,
            query: Some("name:web"),
            having_query: None,
            max_results: 10_000,
        })
        .await
        .expect("search");
    assert_eq!(listing.items.len(), 900);
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "pages of 400");
    assert_eq!(seen[0].path, "/pm/v1/assets");
    assert_eq!(seen[0].query, "pageSize=400");
    assert_eq!(seen[1].cursor.as_deref(), Some("400"));
}

#[tokio::test]
async fn max_results_asks_for_no_more_than_it_needs_and_reports_the_rest() {
    let s = stub(5_000);
    let listing = search_stub(&s, None, 1_500).await.expect("search");
    assert_eq!(listing.items.len(), 1_500);
    assert_eq!(
        listing.completeness,
        Completeness::MaxResults {
            limit: 1_500,
            left_out: LeftOut::Exactly(3_500)
        }
    );
    assert_eq!(s.seen.lock().unwrap().len(), 2);
    assert_eq!(s.seen.lock().unwrap()[0].body, json!({}), "no QQL, no keys");
    // a small max_results is a small page
    let s = stub(50);
    let listing = search_stub(&s, None, 5).await.expect("search");
    assert_eq!(listing.items.len(), 5);
    assert_eq!(
        s.seen.lock().unwrap()[0].query,
        "platform=Windows&pageSize=5"
    );
}

#[tokio::test]
async fn a_server_that_pages_in_smaller_pages_than_asked_loses_nothing() {
    let mut s = stub(1_234);
    s.serve = 100;
    let listing = search_stub(&s, None, 10_000).await.expect("search");
    assert_eq!(listing.items.len(), 1_234);
    assert_eq!(listing.completeness, Completeness::Complete);
}

#[tokio::test]
async fn the_cap_answer_ends_the_listing_with_what_was_returned() {
    let mut s = stub(3_000);
    s.cap_at = Some(2_000);
    let listing = search_stub(&s, None, 10_000).await.expect("search");
    assert_eq!(listing.items.len(), 2_000);
    assert_eq!(
        listing.completeness,
        Completeness::Cap {
            left_out: LeftOut::Exactly(1_000)
        }
    );
}

#[tokio::test]
async fn a_repeated_cursor_is_an_error_after_one_extra_request() {
    let mut s = stub(3_000);
    s.stuck_cursor = Some("1000");
    let err = search_stub(&s, None, 10_000)
        .await
        .expect_err("stuck cursor");
    assert!(matches!(err, Error::Paging { .. }), "{err:?}");
    assert!(
        err.to_string().contains("same searchAfter cursor twice"),
        "{err}"
    );
    assert_eq!(s.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_qql_error_is_the_servers_message() {
    let s = stub(10);
    let err = search_stub(&s, Some("vendorSeverity:"), 100)
        .await
        .expect_err("bad QQL");
    match &err {
        Error::InvalidSearch {
            parameter, message, ..
        } => {
            assert!(message.contains("position 15"), "{message}");
            // the stub's body names no field: the message does ("QQL" is not a parameter)
            assert_eq!(parameter, &None);
        }
        other => panic!("expected the search to be rejected, got {other:?}"),
    }
}
