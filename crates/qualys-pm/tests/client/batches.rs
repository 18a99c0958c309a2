//! The client's call savers against a stub gateway that counts calls: one listing per platform
//! however many reads ask at once (a failed one too), and deletes and status changes asked
//! for together going out as one call, each caller getting its own job's result.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use qualys_pm::{Client, JobStatus, Listed};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::stub;

/// The request bodies of the stub's write calls, and how many listing pages it served.
#[derive(Clone, Default)]
struct Seen {
    writes: Arc<Mutex<Vec<Value>>>,
    pages: Arc<AtomicUsize>,
}

impl Seen {
    fn write_bodies(&self) -> Vec<Value> {
        self.writes.lock().unwrap().clone()
    }
}

fn auth() -> Router {
    Router::new().route(
        "/auth",
        post(|| async { (StatusCode::CREATED, stub::STUB_JWT) }),
    )
}

/// A gateway listing `jobs` Windows jobs (`w-0`...) in pages of the size asked, slowly (so
/// that concurrent readers overlap), or failing every listing with a 500 if `failing`.
async fn listing_gateway(jobs: usize, failing: bool) -> (Client, Seen) {
    let seen = Seen::default();
    let pages = seen.pages.clone();
    let router = auth().route(
        "/pm/v1/deploymentjobs/summary",
        get(move |Query(q): Query<Vec<(String, String)>>| {
            let pages = pages.clone();
            async move {
                pages.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                if failing {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
                }
                let arg = |k: &str| {
                    q.iter()
                        .find(|(n, _)| n == k)
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                        .unwrap_or(0)
                };
                let (page, size) = (arg("pageNumber"), arg("pageSize"));
                let records: Vec<Value> = (page * size..((page + 1) * size).min(jobs))
                    .map(|i| {
                        json!({"id": format!("w-{i}"), "name": format!("job {i}"), "platform": "Windows",
                               "status": "Disabled", "created": {"date": 1000 + i}, "updated": {"date": null}})
                    })
                    .collect();
                Json(Value::Array(records)).into_response()
            }
        }),
    );
    let url = stub::serve(router).await;
    (stub::client(&url, Some(0)), seen)
}

#[tokio::test]
async fn concurrent_reads_share_one_listing_per_platform() {
    let (client, seen) = listing_gateway(2500, false).await;
    let client = Arc::new(client);
    let reads: Vec<_> = (0..40)
        .map(|i| {
            let client = client.clone();
            // ids 0, 100, ..., 3900: the first 25 exist
            tokio::spawn(async move {
                client
                    .listed_job("Windows", &format!("W-{}", i * 100))
                    .await
            })
        })
        .collect();
    let mut found = 0;
    for (i, read) in reads.into_iter().enumerate() {
        match read.await.unwrap() {
            Listed::Found(summary) => {
                found += 1;
                assert_eq!(
                    summary.id,
                    format!("w-{}", i * 100),
                    "IDs match in any case"
                );
                assert_eq!(
                    summary.created.and_then(|c| c.date),
                    Some(1000 + i as i64 * 100)
                );
            }
            Listed::Absent => assert!(i * 100 >= 2500, "w-{} is listed", i * 100),
            Listed::Unknown => panic!("the listing did not fail"),
        }
    }
    assert_eq!(found, 25);
    // 2500 jobs in pages of 1000: three full or partial pages and the empty one past them
    assert_eq!(
        seen.pages.load(Ordering::SeqCst),
        4,
        "one listing for 40 reads"
    );
    // later reads cost nothing
    assert!(matches!(
        client.listed_job("windows", "w-7").await,
        Listed::Found(_)
    ));
    assert_eq!(seen.pages.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_failed_listing_is_tried_once_and_says_nothing_of_any_job() {
    let (client, seen) = listing_gateway(10, true).await;
    let client = Arc::new(client);
    let reads: Vec<_> = (0..10)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.listed_job("Windows", &format!("w-{i}")).await })
        })
        .collect();
    for read in reads {
        assert_eq!(read.await.unwrap(), Listed::Unknown);
    }
    assert_eq!(
        seen.pages.load(Ordering::SeqCst),
        1,
        "no retry, no second listing"
    );
}

/// A gateway whose bulk endpoints answer per-item results: `fail` fails with a reason, `skip`
/// is left out of the answer, `bad` makes the whole call a 400 (as one job the API refuses might).
async fn write_gateway() -> (Client, Seen) {
    let seen = Seen::default();
    let answer = |seen: Seen| {
        move |body: Json<Value>| {
            let seen = seen.clone();
            async move {
                seen.writes.lock().unwrap().push(body.0.clone());
                let ids: Vec<String> = body.0["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect();
                if ids.iter().any(|id| id == "bad") {
                    let error = json!({"_error": {"errorCode": "400", "message": "Job bad is running and cannot be deleted"}});
                    return (StatusCode::BAD_REQUEST, Json(error)).into_response();
                }
                let items: Vec<Value> = ids
                    .iter()
                    .filter(|id| *id != "skip")
                    .map(|id| match id.as_str() {
                        "fail" => json!({"id": id, "status": "failure", "error": "Job is running"}),
                        _ => json!({"id": id, "status": "success"}),
                    })
                    .collect();
                Json(Value::Array(items)).into_response()
            }
        }
    };
    let router = auth()
        .route("/pm/v1/deploymentjobs", delete(answer(seen.clone())))
        .route(
            "/pm/v1/deploymentjobs/update/status/{status}",
            post({
                let inner = answer(seen.clone());
                move |Path(_status): Path<String>, body: Json<Value>| inner(body)
            }),
        );
    let url = stub::serve(router).await;
    (stub::client(&url, Some(0)), seen)
}

#[tokio::test]
async fn deletes_asked_together_go_out_as_one_call_with_each_job_its_own_result() {
    let (client, seen) = write_gateway().await;
    let client = Arc::new(client);
    let ids: [&'static str; 10] = ["a", "b", "fail", "c", "skip", "d", "e", "f", "g", "h"];
    let deletes: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move { (id, client.delete_job(id).await) })
        })
        .collect();
    for delete in deletes {
        let (id, result) = delete.await.unwrap();
        match id {
            "fail" => {
                let e = result.unwrap_err().to_string();
                assert!(e.contains("fail") && e.contains("Job is running"), "{e}");
            }
            "skip" => {
                let e = result.unwrap_err().to_string();
                assert!(e.contains("outcome is unknown"), "{e}");
            }
            _ => assert!(result.is_ok(), "{id}: {result:?}"),
        }
    }
    let bodies = seen.write_bodies();
    assert_eq!(bodies.len(), 1, "one call: {bodies:?}");
    assert_eq!(bodies[0]["ids"].as_array().unwrap().len(), ids.len());
}

/// A gateway whose status endpoint holds its first answer open: it reports the first call's
/// arrival on the returned receiver and answers it only once the returned sender fires.
async fn held_status_gateway() -> (Client, Seen, oneshot::Receiver<()>, oneshot::Sender<()>) {
    let seen = Seen::default();
    let (arrived_tx, arrived_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let first = Arc::new(Mutex::new(Some((arrived_tx, release_rx))));
    let writes = seen.writes.clone();
    let router = auth().route(
        "/pm/v1/deploymentjobs/update/status/{status}",
        post(move |Path(_status): Path<String>, body: Json<Value>| {
            let (writes, first) = (writes.clone(), first.clone());
            async move {
                writes.lock().unwrap().push(body.0.clone());
                let held = first.lock().unwrap().take();
                if let Some((arrived, release)) = held {
                    let _ = arrived.send(());
                    let _ = release.await;
                }
                let items: Vec<Value> = body.0["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| json!({"id": id, "status": "success"}))
                    .collect();
                Json(Value::Array(items))
            }
        }),
    );
    let url = stub::serve(router).await;
    (stub::client(&url, Some(0)), seen, arrived_rx, release_tx)
}

#[tokio::test]
async fn writes_arriving_while_a_call_is_in_flight_go_out_together_in_the_next() {
    let (client, seen, first_arrived, release_first) = held_status_gateway().await;
    let client = Arc::new(client);
    let first = {
        let client = client.clone();
        tokio::spawn(async move { client.set_job_status("first", JobStatus::Disabled).await })
    };
    first_arrived
        .await
        .expect("the first call reaches the gateway");
    let mut later: Vec<_> = (0..5)
        .map(|i| {
            let client = client.clone();
            Box::pin(async move {
                client
                    .set_job_status(&format!("later-{i}"), JobStatus::Disabled)
                    .await
            })
        })
        .collect();
    // polled once, each has joined the queue and waits: the first call is still unanswered
    for status in &mut later {
        assert!(futures::poll!(status.as_mut()).is_pending());
    }
    release_first
        .send(())
        .expect("the gateway holds the first call");
    first.await.unwrap().unwrap();
    for result in futures::future::join_all(later).await {
        result.unwrap();
    }
    let sizes: Vec<usize> = seen
        .write_bodies()
        .iter()
        .map(|b| b["ids"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        sizes,
        [1, 5],
        "the first call alone, then the five that arrived while it was in flight, together"
    );
    // enabling is another call (another endpoint), never mixed with disabling
    client
        .set_job_status("x", JobStatus::Enabled)
        .await
        .unwrap();
    assert_eq!(seen.write_bodies().len(), 3);
}

#[tokio::test]
async fn a_call_refused_as_a_whole_is_sent_again_for_each_job_alone() {
    let (client, seen) = write_gateway().await;
    let client = Arc::new(client);
    let deletes: Vec<_> = ["x", "bad", "y"]
        .into_iter()
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move { (id, client.delete_job(id).await) })
        })
        .collect();
    for delete in deletes {
        let (id, result) = delete.await.unwrap();
        if id == "bad" {
            let e = result.unwrap_err().to_string();
            assert!(e.contains("bad") && e.contains("is running"), "{e}");
        } else {
            assert!(result.is_ok(), "{id}: {result:?}");
        }
    }
    let bodies = seen.write_bodies();
    assert_eq!(bodies.len(), 4, "the batch, then each alone: {bodies:?}");
    assert_eq!(bodies[0]["ids"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_cancelled_caller_does_not_leave_the_others_waiting() {
    let (client, seen) = write_gateway().await;
    let client = Arc::new(client);
    // the first caller leads, and is cancelled during its gathering window
    let leader = {
        let client = client.clone();
        tokio::spawn(async move { client.delete_job("leader").await })
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    let follower = {
        let client = client.clone();
        tokio::spawn(async move { client.delete_job("follower").await })
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    leader.abort();
    let result = tokio::time::timeout(Duration::from_secs(10), follower)
        .await
        .expect("the follower got an answer")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    let sent: Vec<Value> = seen.write_bodies();
    let ids: Vec<&Value> = sent
        .iter()
        .flat_map(|b| b["ids"].as_array().unwrap())
        .collect();
    assert_eq!(
        ids,
        [&json!("follower")],
        "nothing sent for the cancelled caller"
    );
}

/// Terraform as the batching sees it: `parallelism` operations at first, then each next one
/// only after an earlier one's answer has been recorded, one at a time (`record` each).
#[tokio::test]
async fn deletes_arriving_at_terraforms_pace_still_go_out_together() {
    let (client, seen) = write_gateway().await;
    let client = Arc::new(client);
    let (jobs, parallelism, record) = (30, 5, Duration::from_millis(150));
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let start = |i: usize| {
        let (client, done) = (client.clone(), done_tx.clone());
        tokio::spawn(async move {
            let result = client.delete_job(&format!("job-{i}")).await;
            let _ = done.send(result);
        });
    };
    for i in 0..parallelism {
        start(i);
    }
    let mut next = parallelism;
    for _ in 0..jobs {
        done_rx.recv().await.unwrap().unwrap();
        tokio::time::sleep(record).await;
        if next < jobs {
            start(next);
            next += 1;
        }
    }
    let sizes: Vec<usize> = seen
        .write_bodies()
        .iter()
        .map(|b| b["ids"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        jobs,
        "every job sent once: {sizes:?}"
    );
    // one call per wave of `parallelism` (6), with room for a wave split by a loaded machine;
    // a fixed window shorter than terraform's pace sends about one call per job
    assert!(
        sizes.len() <= 10,
        "{} calls for {jobs} deletes: {sizes:?}",
        sizes.len()
    );
}
