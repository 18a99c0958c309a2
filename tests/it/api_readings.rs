//! The client under every plausible reading of the API's undocumented (INF) behaviours
//! (`docs/api-readings.md`): against the simulator's `--variant lenient`, and against tiny
//! stub gateways for the readings the simulator does not serve (and for the negative cases).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use qualys_pm::{Client, Error, Job, JobStatus};
use serde_json::{json, Value};
use terraform_provider_qualys::resources::deployment_job::api::{
    CreateLedger, JobApi, JobApiError, JobClient,
};

use crate::support::simulator::{Simulator, Variant};
use crate::support::stub;

fn weekly(name: &str) -> Job {
    Job::from_json(json!({
        "name": name, "type": "Install", "platform": "Windows", "scheduleType": "Weekly",
        "startDateTime": "2030-01-06 09:00:00 AM", "recurringWeekDays": "0,1,0,0,0,0,0",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
        "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
    }))
    .expect("job")
}

fn on_demand(name: &str) -> Job {
    Job::from_json(json!({
        "name": name, "type": "Install", "platform": "Windows", "scheduleType": "On-demand",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
        "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
    }))
    .expect("job")
}

/// Every answer shape of the lenient simulator, several times over (it rotates through
/// them): creates, updates, status changes and deletes work, what the answer does not carry
/// is read back, per-item failures name the job, and a deleted job is gone however the
/// server says so (soft-deleted record, 400, 422, 404).
#[tokio::test]
async fn the_client_works_under_every_lenient_answer() {
    let sim = Simulator::start_variant(Variant::Lenient, &["--list-record-cap", "5"]);
    let client = sim.client();
    let mut ids = Vec::new();
    // 3 create shapes, 4 update shapes, 3 result shapes: 12 rounds meet each several times
    for round in 0..12 {
        let created = client
            .create_job(&weekly(&format!("lenient {round}")))
            .await
            .unwrap_or_else(|e| panic!("create {round}: {e}"));
        let id = created.id.clone().expect("id");
        assert_eq!(
            created.name.as_deref(),
            Some(format!("lenient {round}").as_str()),
            "the full job, read back when the answer had only the id"
        );
        client
            .set_status(&[&id], JobStatus::Enabled)
            .await
            .unwrap_or_else(|e| panic!("enable {round}: {e}"));
        // accepted while Enabled in this reading
        let mut changed = created.clone();
        changed.description = Some(format!("round {round}"));
        let updated = client
            .update_job(&id, &changed)
            .await
            .unwrap_or_else(|e| panic!("update {round}: {e}"));
        assert_eq!(updated.description, changed.description, "round {round}");
        assert_eq!(updated.status.as_deref(), Some("Enabled"));
        client
            .set_status(&[&id], JobStatus::Disabled)
            .await
            .unwrap_or_else(|e| panic!("disable {round}: {e}"));
        let read = client.get_job(&id).await.expect("get").expect("exists");
        assert_eq!(read.status.as_deref(), Some("Disabled"));
        ids.push(id);
    }
    // the listing's record cap keeps its `_error.errorCode` 2501: the listing ends quietly
    // (four times: any other 4xx would take each of the four error shapes in turn)
    for _ in 0..4 {
        let listed = client
            .list_jobs("Windows", None)
            .await
            .expect("list up to the cap");
        assert_eq!(listed.len(), 12);
    }
    assert!(
        sim.requests()
            .iter()
            .any(|r| r["path"] == "/pm/v1/deploymentjobs/summary" && r["status"] == 400),
        "the second page hit the cap"
    );
    let statuses: Vec<u64> = sim
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap_or_default())
        .collect();
    assert!(statuses.contains(&204), "204 answers were served");

    // a run-once job cannot be disabled once enabled: an error naming the job in every shape
    let job = client
        .create_job(&on_demand("run once"))
        .await
        .expect("create");
    let run_once = job.id.clone().expect("id");
    client
        .set_status(&[&run_once], JobStatus::Enabled)
        .await
        .expect("enable");
    for shape in 0..3 {
        let err = client
            .set_status(&[&run_once], JobStatus::Disabled)
            .await
            .expect_err("run-once cannot be disabled");
        assert!(
            matches!(&err, Error::ItemFailed { job_id, .. } if job_id == &run_once),
            "shape {shape}: {err:?}"
        );
    }

    // deletes, then every way of saying "gone"
    let mark = sim.requests().len();
    for id in &ids {
        client
            .delete_jobs(&[id])
            .await
            .unwrap_or_else(|e| panic!("delete {id}: {e}"));
    }
    for id in &ids {
        assert!(client.get_job(id).await.expect("read").is_none(), "{id}");
    }
    let soft = sim
        .requests()
        .iter()
        .skip(mark)
        .filter(|r| {
            r["method"] == "GET"
                && r["status"] == 200
                && ids
                    .iter()
                    .any(|id| r["path"] == format!("/pm/v1/deploymentjob/{id}"))
        })
        .count();
    assert!(soft >= ids.len(), "soft-deleted records were served");
    for round in 0..3 {
        let unknown = format!("0000000{round}-0000-4000-8000-000000000000");
        assert!(
            client.get_job(&unknown).await.expect("unknown").is_none(),
            "round {round}"
        );
        let err = client
            .update_job(&unknown, &weekly("x"))
            .await
            .expect_err("update of an unknown job");
        assert!(err.is_not_found(), "{err:?}");
    }
}

/// Requests a stub gateway received, as `METHOD path`.
type Log = Arc<Mutex<Vec<String>>>;

/// A stub gateway: `/auth` answers a token; every other request is answered by `answer`
/// (method, path, request body, how many times this `METHOD path` was asked before).
async fn stub(
    answer: impl Fn(&Method, &str, &Value, usize) -> Response + Send + Sync + 'static,
) -> (Client, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let answer = Arc::new(answer);
    let counts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let router = axum::Router::new().fallback(move |method: Method, uri: Uri, body: String| {
        let (seen, answer, counts) = (seen.clone(), answer.clone(), counts.clone());
        async move {
            let path = uri.path().to_owned();
            if path == "/auth" {
                return (StatusCode::CREATED, stub::STUB_JWT).into_response();
            }
            let key = format!("{method} {path}");
            seen.lock().unwrap().push(key.clone());
            let n = {
                let mut c = counts.lock().unwrap();
                let n = c.entry(key).or_default();
                *n += 1;
                *n - 1
            };
            let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            answer(&method, &path, &body, n)
        }
    });
    let url = stub::serve(router).await;
    (stub::client(&url, Some(3)), log)
}

fn answer(status: u16, body: &str) -> Response {
    (
        StatusCode::from_u16(status).expect("status"),
        [("content-type", "application/json")],
        body.to_owned(),
    )
        .into_response()
}

fn full_job(id: &str, status: &str) -> String {
    json!({"id": id, "name": "stub job", "type": "Install", "platform": "Windows",
           "scheduleType": "Weekly", "status": status, "deletedBy": {"user": null, "date": null}})
    .to_string()
}

fn requests(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[tokio::test]
async fn a_create_answer_with_only_an_id_or_a_location_is_read_back_once() {
    for (status, body, location) in [
        (201, r#"{"id":"j-1"}"#, None),
        (200, r#""j-1""#, None),
        (201, "", Some("/pm/v1/deploymentjob/j-1")),
        (
            201,
            "{}",
            Some("https://gw.example/pm/v1/deploymentjob/j-1"),
        ),
    ] {
        let (client, log) = stub(move |method, path, _, _| match (method.as_str(), path) {
            ("POST", "/pm/v1/deploymentjob") => {
                let mut r = answer(status, body);
                if let Some(l) = location {
                    r.headers_mut().insert("location", l.parse().unwrap());
                }
                r
            }
            ("GET", "/pm/v1/deploymentjob/j-1") => answer(200, &full_job("j-1", "Disabled")),
            _ => answer(404, ""),
        })
        .await;
        let job = client
            .create_job(&weekly("stub job"))
            .await
            .expect("create");
        assert_eq!(job.id.as_deref(), Some("j-1"));
        assert_eq!(job.name.as_deref(), Some("stub job"));
        assert_eq!(
            requests(&log),
            ["POST /pm/v1/deploymentjob", "GET /pm/v1/deploymentjob/j-1"],
            "{status} {body:?} {location:?}"
        );
    }
}

/// A 2xx create answer with no ID at all: the job exists, so the create is never sent
/// again; the resource's create finds it by name (and adopts it) or fails naming it.
#[tokio::test]
async fn a_create_answered_without_an_id_is_never_sent_again() {
    for body in ["", "{}", "null", "Created"] {
        let (client, log) = stub(move |_, _, _, _| answer(201, body)).await;
        let err = client
            .create_job(&weekly("stub job"))
            .await
            .expect_err("no id");
        assert!(
            matches!(err, Error::CreatedWithoutId { status: 201 }),
            "{err:?}"
        );
        assert!(err.is_certainly_created() && err.is_create_outcome_unknown());
        assert_eq!(requests(&log), ["POST /pm/v1/deploymentjob"], "{body:?}");
    }

    // through the resource's create: the one new job of that name is adopted
    let name = "created without an id (adopted)";
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (client, log) = stub(move |method, path, _, _| match (method.as_str(), path) {
        ("POST", "/pm/v1/deploymentjob") => answer(204, ""),
        ("GET", "/pm/v1/deploymentjobs/summary") => answer(
            200,
            &json!([{"id": "new-1", "name": name, "platform": "Windows", "type": "Install",
                     "created": {"user": null, "date": now_ms}}])
            .to_string(),
        ),
        ("GET", "/pm/v1/deploymentjob/new-1") => answer(200, &full_job("new-1", "Disabled")),
        _ => answer(404, ""),
    })
    .await;
    let job = JobClient::new(&client, &CreateLedger::default())
        .create_job(weekly(name).to_json())
        .await
        .expect("adopted");
    assert_eq!(job.job().id(), Some("new-1"));
    let posts = requests(&log)
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "{:?}", requests(&log));

    // nothing of that name listed: an error naming the job, and still no second create
    let name = "created without an id (not listed)";
    let (client, log) = stub(move |method, path, _, _| match (method.as_str(), path) {
        ("POST", "/pm/v1/deploymentjob") => answer(201, "{}"),
        ("GET", "/pm/v1/deploymentjobs/summary") => answer(200, "[]"),
        _ => answer(404, ""),
    })
    .await;
    let err = JobClient::new(&client, &CreateLedger::default())
        .create_job(weekly(name).to_json())
        .await
        .expect_err("not found by name")
        .to_string();
    assert!(
        err.contains(name) && err.contains("terraform import"),
        "{err}"
    );
    let posts = requests(&log)
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "never re-sent: {:?}", requests(&log));
}

#[tokio::test]
async fn a_create_whose_read_back_fails_names_the_created_job() {
    let (client, _) = stub(|method, _, _, _| match method.as_str() {
        "POST" => answer(201, r#"{"id":"j-9"}"#),
        _ => answer(500, r#"{"message":"database down"}"#),
    })
    .await;
    let err = client.create_job(&weekly("x")).await.expect_err("unread");
    assert!(
        matches!(&err, Error::CreatedUnread { id, .. } if id == "j-9"),
        "{err:?}"
    );
    assert!(err.to_string().contains("database down"), "{err}");
    let err = JobClient::new(&client, &CreateLedger::default())
        .create_job(weekly("read back fails").to_json())
        .await
        .expect_err("unread");
    assert!(
        matches!(err, JobApiError::CreateOutcomeUnknown(_)),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("j-9") && err.contains("terraform import <this resource's address> j-9"),
        "{err}"
    );
}

#[tokio::test]
async fn update_answers_without_the_job_are_read_back() {
    for (status, body) in [
        (204, ""),
        (200, ""),
        (200, "{}"),
        (200, r#"{"id":"j-1"}"#),
        (201, "null"),
    ] {
        let (client, log) = stub(move |method, _, _, _| match method.as_str() {
            "PATCH" => answer(status, body),
            _ => answer(200, &full_job("j-1", "Disabled")),
        })
        .await;
        let job = client
            .update_job("j-1", &weekly("stub job"))
            .await
            .expect("update");
        assert_eq!(job.name.as_deref(), Some("stub job"));
        assert_eq!(
            requests(&log),
            [
                "PATCH /pm/v1/deploymentjob/update/j-1",
                "GET /pm/v1/deploymentjob/j-1"
            ],
            "{status} {body:?}"
        );
    }
    // the full job: no read
    let (client, log) = stub(|_, _, _, _| answer(200, &full_job("j-1", "Disabled"))).await;
    client
        .update_job("j-1", &weekly("stub job"))
        .await
        .expect("update");
    assert_eq!(requests(&log), ["PATCH /pm/v1/deploymentjob/update/j-1"]);
}

/// Gone: 404 or 410 with any body, a 400/422 saying the id is invalid or unknown, a record
/// with `deletedBy.date`. A 400 about anything else stays an error.
#[tokio::test]
async fn gone_jobs_in_every_reading_and_400s_that_are_not_about_the_id() {
    let gone: &[(u16, &str)] = &[
        (404, ""),
        (404, "<html><body><h1>Not Found</h1></body></html>"),
        (410, "Gone"),
        (
            400,
            r#"{"_error":{"errorCode":"INVALID_ID","message":"Invalid job id: j-1"}}"#,
        ),
        (
            422,
            r#"{"status":422,"error":"Unprocessable Entity","message":"Job not found"}"#,
        ),
        (400, r#"{"message":"Invalid deploymentJobId"}"#),
        (400, "Deployment job j-1 does not exist"),
        (
            200,
            r#"{"id":"j-1","name":"x","deletedBy":{"user":{"id":"u"},"date":"1700000000000"}}"#,
        ),
    ];
    for (status, body) in gone {
        let (status, body) = (*status, *body);
        let (client, _) = stub(move |_, _, _, _| answer(status, body)).await;
        assert!(
            client
                .get_job("j-1")
                .await
                .expect("gone, not an error")
                .is_none(),
            "{status} {body}"
        );
        if status != 200 {
            client
                .delete_jobs(&["j-1"])
                .await
                .unwrap_or_else(|e| panic!("delete of a gone job {status} {body}: {e}"));
        }
    }
    // a tenant that lists soft-deleted jobs in the summary: they are left out
    let (client, _) = stub(|_, _, _, n| {
        if n == 0 {
            answer(
                200,
                r#"[{"id":"live","name":"a"},{"id":"dead","name":"a","deletedBy":{"user":null,"date":1700000000000}},{"id":"also-live","name":"a","deletedBy":{"user":null,"date":null}}]"#,
            )
        } else {
            answer(200, "[]")
        }
    })
    .await;
    let listed: Vec<String> = client
        .list_jobs("Windows", None)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, ["live", "also-live"]);

    let errors: &[(u16, &str)] = &[
        (
            400,
            r#"{"_error":{"errorCode":"INVALID_REQUEST","message":"Invalid value for field 'timeout': must be between 1 and 168"}}"#,
        ),
        (
            400,
            r#"{"message":"Patch 444ba31a-0f94-3199-870e-ef8ab1a5a477 not found"}"#,
        ),
        (422, r#"{"message":"Linked job not found"}"#),
        (400, "Bad Request"),
        (403, "Job not found"),
    ];
    for (status, body) in errors {
        let (status, body) = (*status, *body);
        let (client, _) = stub(move |_, _, _, _| answer(status, body)).await;
        let err = client.get_job("j-1").await.expect_err("an error, not gone");
        assert_eq!(err.status(), Some(status), "{err}");
        assert!(!err.is_not_found(), "{status} {body}");
        let err = client.delete_jobs(&["j-1"]).await.expect_err("an error");
        assert!(!err.is_not_found(), "{status} {body}: {err}");
    }
}

/// Per-item results of a status change and a delete in every shape; a result that lists
/// other jobs but not this one is an error; an empty answer is verified by reading the job.
#[tokio::test]
async fn per_item_results_in_every_shape_and_empty_answers_verified_by_reading() {
    let ok: &[(u16, &str)] = &[
        (200, r#"[{"id":"j-1","name":"n","status":"success"}]"#),
        (200, r#"{"success":["j-1"],"failure":[]}"#),
        (200, r#"{"success":[{"id":"j-1","name":"n"}],"failure":[]}"#),
        (201, r#"{"id":"j-1","status":"success"}"#),
    ];
    for (status, body) in ok {
        let (status, body) = (*status, *body);
        let (client, log) = stub(move |_, _, _, _| answer(status, body)).await;
        client
            .set_status(&["j-1"], JobStatus::Enabled)
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        client
            .delete_jobs(&["j-1"])
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert!(
            !requests(&log).iter().any(|r| r.starts_with("GET")),
            "a per-item result needs no read"
        );
    }
    let failed: &[(&str, &str)] = &[
        (
            r#"[{"id":"j-1","name":"n","status":"failure","error":"Job is locked"}]"#,
            "Job is locked",
        ),
        (
            r#"{"success":[],"failure":[{"id":"j-1","error":"Job is locked"}]}"#,
            "Job is locked",
        ),
        (r#"{"success":[],"failure":["j-1"]}"#, "without a reason"),
        // the id missing from a non-empty result is not silently a success
        (
            r#"[{"id":"j-2","name":"n","status":"success"}]"#,
            "does not mention this job",
        ),
        (
            r#"{"success":["j-2"],"failure":[]}"#,
            "does not mention this job",
        ),
    ];
    for (body, why) in failed {
        let body = *body;
        let (client, _) = stub(move |_, _, _, _| answer(200, body)).await;
        for err in [
            client
                .set_status(&["j-1"], JobStatus::Enabled)
                .await
                .expect_err(body),
            client.delete_jobs(&["j-1"]).await.expect_err(body),
        ] {
            assert!(
                matches!(&err, Error::ItemFailed { job_id, .. } if job_id == "j-1"),
                "{body}: {err:?}"
            );
            assert!(err.to_string().contains(why), "{body}: {err}");
        }
    }

    // empty answers: the job as read back decides
    for (status, body) in [(204, ""), (200, ""), (200, "{}")] {
        let now = Arc::new(Mutex::new("Disabled"));
        let state = now.clone();
        let (client, log) = stub(move |method, _, _, _| match method.as_str() {
            "GET" => answer(200, &full_job("j-1", &state.lock().unwrap())),
            _ => answer(status, body),
        })
        .await;
        // the server did not act: the job is still Disabled
        let err = client
            .set_status(&["j-1"], JobStatus::Enabled)
            .await
            .expect_err("not enabled");
        assert!(err.to_string().contains("\"Disabled\""), "{err}");
        *now.lock().unwrap() = "Enabled";
        client
            .set_status(&["j-1"], JobStatus::Enabled)
            .await
            .expect("enabled, as read back");
        let err = client
            .delete_jobs(&["j-1"])
            .await
            .expect_err("still there after the delete");
        assert!(err.to_string().contains("still exists"), "{err}");
        assert_eq!(
            requests(&log),
            [
                "POST /pm/v1/deploymentjobs/update/status/Enabled",
                "GET /pm/v1/deploymentjob/j-1",
                "POST /pm/v1/deploymentjobs/update/status/Enabled",
                "GET /pm/v1/deploymentjob/j-1",
                "DELETE /pm/v1/deploymentjobs",
                "GET /pm/v1/deploymentjob/j-1",
            ]
        );
    }
    let (client, _) = stub(|method, _, _, _| match method.as_str() {
        "GET" => answer(404, ""),
        _ => answer(204, ""),
    })
    .await;
    client
        .delete_jobs(&["j-1"])
        .await
        .expect("deleted: gone when read");
}

#[tokio::test]
async fn throttling_hints_in_every_reading() {
    // "DATE": an HTTP date 2 s ahead, made just before the request
    let hints: Vec<(Option<(&'static str, &'static str)>, Duration)> = vec![
        (Some(("retry-after", "1")), Duration::from_millis(950)),
        (Some(("retry-after", "DATE")), Duration::from_millis(900)),
        (
            Some(("x-ratelimit-towait-sec", "1")),
            Duration::from_millis(950),
        ),
        (None, Duration::ZERO),
    ];
    for (hint, at_least) in hints {
        let header = hint.map(|(name, value)| {
            let value = match value {
                "DATE" => httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2)),
                v => v.to_owned(),
            };
            (name, value)
        });
        let hint = header.clone();
        let (client, log) = stub(move |_, _, _, n| {
            if n == 0 {
                let mut r = answer(429, r#"{"message":"Too many requests"}"#);
                if let Some((name, value)) = &header {
                    r.headers_mut()
                        .insert(*name, value.parse().expect("header value"));
                }
                r
            } else {
                answer(200, &full_job("j-1", "Disabled"))
            }
        })
        .await;
        let started = Instant::now();
        client.get_job("j-1").await.expect("retried").expect("job");
        assert!(
            started.elapsed() >= at_least,
            "{hint:?}: {:?}",
            started.elapsed()
        );
        assert_eq!(requests(&log).len(), 2, "{hint:?}");
    }
    // a throttled create is retried (the server did not act); a 503 HTML page is not, and
    // its message is a short excerpt
    let (client, log) = stub(|_, _, _, n| {
        if n == 0 {
            answer(429, "")
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [("content-type", "text/html")],
                format!(
                    "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1>{}</body></html>",
                    "<p>The gateway is overloaded.</p>".repeat(200)
                ),
            )
                .into_response()
        }
    })
    .await;
    let err = client
        .create_job(&weekly("x"))
        .await
        .expect_err("503 on create");
    assert!(
        err.is_create_outcome_unknown() && !err.is_certainly_created(),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("503 Service Unavailable"), "{text}");
    assert!(!text.contains('<') && text.len() < 600, "{text}");
    assert_eq!(
        requests(&log).len(),
        2,
        "one retry after the 429, none after the 503"
    );
}

/// Error bodies of every shape carry the server's message into the error.
#[tokio::test]
async fn error_bodies_in_every_shape() {
    let (client, _) = stub(|_, path, _, _| match path {
        "/pm/v1/deploymentjob/update/a" => answer(
            400,
            r#"{"_error":{"errorCode":"INVALID_REQUEST","message":"Invalid value for field 'timeout'"}}"#,
        ),
        "/pm/v1/deploymentjob/update/b" => answer(
            400,
            r#"{"status":400,"error":"Bad Request","message":"Invalid value for field 'timeout'"}"#,
        ),
        "/pm/v1/deploymentjob/update/c" => answer(400, r#"{"message":"Invalid value for field 'timeout'"}"#),
        "/pm/v1/deploymentjob/update/d" => (
            StatusCode::BAD_REQUEST,
            [("content-type", "text/plain")],
            "Invalid value for field 'timeout'",
        )
            .into_response(),
        _ => (
            StatusCode::BAD_REQUEST,
            [("content-type", "text/html")],
            "<!DOCTYPE html><html><head><title>Request Rejected</title><script>track()</script></head><body><p>Invalid value for field 'timeout'</p></body></html>",
        )
            .into_response(),
    })
    .await;
    for id in ["a", "b", "c", "d", "e"] {
        let err = client.update_job(id, &weekly("x")).await.expect_err("400");
        let text = err.to_string();
        assert!(
            text.contains("Invalid value for field 'timeout'"),
            "{id}: {text}"
        );
        assert!(
            !text.contains("<") && !text.contains("track()"),
            "{id}: {text}"
        );
        assert_eq!(err.status(), Some(400));
        assert!(!err.is_not_found());
    }
}
