//! The client's reading of job runs and result summaries against hand-made gateways: the
//! readings the simulator does not serve (a server that ignores `pageNumber`, POST 404 with
//! GET 405, runs in a scrambled order), and what it remembers between reads.

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::stub;

const JOB: &str = "38aa48ca-a53f-4591-af01-8bce75de4ce7";

/// How the stub answers the result summary.
#[derive(Clone)]
struct Gateway {
    /// The method the result summary answers; the other gets `other_status`.
    serves: Method,
    other_status: u16,
    /// The run's entries; `None`: the job never ran (404 to the served method).
    entries: Option<Arc<Vec<Value>>>,
    /// Serve page 0 whatever `pageNumber` asks.
    ignore_page_number: bool,
    /// Largest page served.
    serve: usize,
    /// Answer the first POST 300 ms late (a refused POST whose answer comes after a
    /// concurrent read learnt GET).
    slow_first_post: bool,
    /// Answers refused so far.
    refused: Arc<std::sync::atomic::AtomicUsize>,
    seen: Arc<Mutex<Vec<(Method, String)>>>,
}

fn query_number(uri: &Uri, key: &str) -> Option<usize> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
}

async fn result_summary(
    axum::extract::State(g): axum::extract::State<Gateway>,
    method: Method,
    uri: Uri,
) -> Response {
    g.seen
        .lock()
        .unwrap()
        .push((method.clone(), uri.query().unwrap_or_default().to_owned()));
    if method != g.serves {
        let turn = g.refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if g.slow_first_post && turn == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        return StatusCode::from_u16(g.other_status)
            .unwrap()
            .into_response();
    }
    let Some(entries) = &g.entries else {
        return (StatusCode::NOT_FOUND, "no run").into_response();
    };
    let size = query_number(&uri, "pageSize").unwrap_or(10).min(g.serve);
    let page = if g.ignore_page_number {
        0
    } else {
        query_number(&uri, "pageNumber").unwrap_or(0)
    };
    let slice: Vec<Value> = entries
        .iter()
        .skip(page * size)
        .take(size)
        .cloned()
        .collect();
    axum::Json(json!({
        "id": JOB, "name": "j", "assetCount": entries.len(), "patchCount": 1,
        "createdBy": "qualys", "createdOn": 1_700_000_000_000u64, "assets": slice,
    }))
    .into_response()
}

async fn runs() -> Response {
    // scrambled, with offsets: newest is 3 (17:00Z), then 1 (16:30Z), then 2 (12:00Z)
    axum::Json(json!([
        {"jobInstanceId": 1, "scheduledDateTime": "2026-12-07T17:30:00.000+01:00", "timezoneType": "SPECIFIC_TZ"},
        {"jobInstanceId": "3", "scheduledDateTime": "2026-12-07T17:00:00+0000", "timezoneType": "SPECIFIC_TZ"},
        {"jobInstanceId": 2, "scheduledDateTime": "2026-12-07T12:00:00Z", "timezoneType": "AGENT_TZ"},
    ]))
    .into_response()
}

async fn start(g: Gateway) -> qualys_pm::Client {
    use axum::routing::{get, post};
    let router = axum::Router::new()
        .route(
            "/auth",
            post(|| async { (StatusCode::CREATED, stub::STUB_JWT) }),
        )
        .route(&format!("/pm/v1/deploymentjob/{JOB}/runs"), get(runs))
        .route(
            &format!("/pm/v1/deploymentjob/{JOB}/deploymentjobresult/summary"),
            get(result_summary).post(result_summary),
        )
        .with_state(g);
    stub::client(&stub::serve(router).await, None)
}

fn entries(n: usize, instance: i64) -> Arc<Vec<Value>> {
    Arc::new(
        (0..n)
            .map(|i| json!({"asset": {"id": format!("asset-{i}")}, "jobInstanceId": instance.to_string(), "endDateTime": 1}))
            .collect(),
    )
}

fn gateway(serves: Method, other_status: u16, entries: Option<Arc<Vec<Value>>>) -> Gateway {
    Gateway {
        serves,
        other_status,
        entries,
        ignore_page_number: false,
        serve: 1_000,
        slow_first_post: false,
        refused: Default::default(),
        seen: Default::default(),
    }
}

#[tokio::test]
async fn runs_come_newest_first_whatever_the_order_and_offsets() {
    let client = start(gateway(Method::POST, 405, None)).await;
    let runs = client.job_runs(JOB).await.unwrap().expect("the job's runs");
    let ids: Vec<i64> = runs.iter().map(|r| r.job_instance_id).collect();
    assert_eq!(ids, [3, 1, 2]);
    assert_eq!(runs[2].timezone_type.as_deref(), Some("AGENT_TZ"));
}

#[tokio::test]
async fn a_get_only_server_costs_one_refused_post_per_process() {
    let g = gateway(Method::GET, 405, Some(entries(3, 77)));
    let seen = g.seen.clone();
    let client = start(g).await;
    for _ in 0..3 {
        let result = client.job_result(JOB, None).await.unwrap().expect("a run");
        assert_eq!(result.assets.len(), 3);
        assert_eq!(result.job_instance_id, Some(77));
    }
    let methods: Vec<Method> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(m, _)| m.clone())
        .collect();
    assert_eq!(
        methods,
        [Method::POST, Method::GET, Method::GET, Method::GET]
    );
    // the latest run is asked for without jobInstanceId
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .all(|(_, q)| !q.contains("jobInstanceId")));
}

#[tokio::test]
async fn post_404_with_get_405_means_no_run_and_post_is_remembered() {
    let g = gateway(Method::POST, 405, None);
    let seen = g.seen.clone();
    let client = start(g).await;
    assert_eq!(client.job_result(JOB, None).await.unwrap(), None);
    assert_eq!(client.job_result(JOB, Some(5)).await.unwrap(), None);
    let methods: Vec<Method> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(m, _)| m.clone())
        .collect();
    assert_eq!(methods, [Method::POST, Method::GET, Method::POST]);
}

#[tokio::test]
async fn pages_follow_the_asset_count_and_later_pages_name_the_run() {
    let mut g = gateway(Method::POST, 405, Some(entries(450, 9)));
    g.serve = 200;
    let seen = g.seen.clone();
    let client = start(g).await;
    let result = client.job_result(JOB, None).await.unwrap().expect("a run");
    assert_eq!(result.assets.len(), 450);
    assert_eq!(result.pages, 3);
    let queries: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, q)| q.clone())
        .collect();
    assert_eq!(
        queries,
        [
            "pageSize=200&pageNumber=0",
            "jobInstanceId=9&pageSize=200&pageNumber=1",
            "jobInstanceId=9&pageSize=200&pageNumber=2",
        ]
    );
}

#[tokio::test]
async fn a_server_ignoring_page_number_ends_the_read_without_repeating_assets() {
    let mut g = gateway(Method::POST, 405, Some(entries(450, 9)));
    g.serve = 200;
    g.ignore_page_number = true;
    let seen = g.seen.clone();
    let client = start(g).await;
    let result = client.job_result(JOB, None).await.unwrap().expect("a run");
    assert_eq!(result.assets.len(), 200, "the first page once");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn concurrent_first_reads_of_a_get_only_server_all_fall_back_to_get() {
    let mut g = gateway(Method::GET, 405, Some(entries(3, 77)));
    g.slow_first_post = true;
    let seen = g.seen.clone();
    let client = start(g).await;
    // terraform reads several result data sources at once in one provider process: a read
    // whose POST was refused while another learnt GET must still try GET
    let reads = (0..2).map(|_| client.job_result(JOB, None));
    for read in futures::future::join_all(reads).await {
        assert_eq!(read.unwrap().expect("a run").assets.len(), 3);
    }
    let gets = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, _)| m == Method::GET)
        .count();
    assert_eq!(gets, 2, "one GET per read");
}
