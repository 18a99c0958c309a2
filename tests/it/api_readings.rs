//! The client under every plausible reading of the API's undocumented (INF) behaviours
//! (`docs/api-readings.md`) against the simulator's `--variant lenient`, and the resource's
//! create against tiny stub gateways answering a create without an ID or with one that cannot
//! be read back. (The client alone under the readings the simulator does not serve is tested
//! in `crates/qualys-pm/tests/client/api_readings.rs`.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

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
