//! The simulator's job runs on the wire: runs kept in `--state`, a Once job running when its
//! time passes (and the summary's run facts following), the result summary's method per
//! variant and its paging, and the admin run endpoint's refusals.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::simulator::{send_raw, Simulator};

struct Raw {
    url: String,
    token: String,
}

impl Raw {
    async fn new(sim: &Simulator) -> Raw {
        Raw {
            url: sim.url.clone(),
            token: sim.token().await,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        send_raw(&self.url, &self.token, method, path, body).await
    }

    async fn create(&self, body: Value) -> String {
        let (status, job) = self
            .send(Method::POST, "/pm/v1/deploymentjob", Some(&body))
            .await;
        assert!(matches!(status, 200 | 201), "{status} {job}");
        job["id"].as_str().expect("an id").to_owned()
    }

    async fn runs(&self, id: &str) -> Vec<Value> {
        let (status, runs) = self
            .send(
                Method::GET,
                &format!("/pm/v1/deploymentjob/{id}/runs"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{runs}");
        runs.as_array().expect("a bare array").clone()
    }

    async fn result(&self, method: Method, id: &str, query: &str) -> (u16, Value) {
        self.send(
            method,
            &format!("/pm/v1/deploymentjob/{id}/deploymentjobresult/summary?{query}"),
            None,
        )
        .await
    }

    async fn summary(&self, id: &str) -> Value {
        let (status, list) = self
            .send(
                Method::GET,
                "/pm/v1/deploymentjobs/summary?platform=Windows&pageSize=100",
                None,
            )
            .await;
        assert_eq!(status, 200, "{list}");
        list.as_array()
            .expect("records")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .expect("the job is listed")
    }
}

fn job(schedule: &str, status: &str, assets: usize) -> Value {
    let ids: Vec<String> = (0..assets)
        .map(|i| format!("00000000-0000-4000-8000-{i:012x}"))
        .collect();
    json!({
        "name": format!("{schedule} job"), "type": "Install", "platform": "Windows",
        "scheduleType": schedule, "status": status, "assetIds": ids,
        "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"],
    })
}

#[tokio::test]
async fn runs_and_results_survive_a_restart_on_the_state_file() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path").to_owned();
    let sim = Simulator::start_in(dir, &["--state", &state_arg]);
    let raw = Raw::new(&sim).await;
    // created Enabled, an On-demand job runs at once
    let id = raw.create(job("On-demand", "Enabled", 3)).await;
    let second = sim
        .admin_post(&format!("/_simulator/jobs/{id}/run"), json!({"failed": 1}))
        .await;
    let before = raw.runs(&id).await;
    assert_eq!(before.len(), 2, "{before:?}");

    let sim = Simulator::start_in(sim.stop(), &["--state", &state_arg]);
    let raw = Raw::new(&sim).await;
    assert_eq!(raw.runs(&id).await, before);
    let (status, result) = raw.result(Method::POST, &id, "pageSize=10").await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        result["assets"][0]["jobInstanceId"],
        second["job_instance_id"].to_string()
    );
    assert_eq!(result["assets"][0]["failedPatches"], 1);
    let third = sim
        .admin_post(&format!("/_simulator/jobs/{id}/run"), json!({}))
        .await;
    assert!(
        third["job_instance_id"].as_u64() > second["job_instance_id"].as_u64(),
        "instance IDs keep growing after a restart: {third} after {second}"
    );
}

#[tokio::test]
async fn a_once_job_runs_when_its_time_passes_and_the_summary_follows() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let now = time::OffsetDateTime::now_utc();
    let at = (now + Duration::from_secs(3))
        .replace_nanosecond(0)
        .unwrap();
    let start = at
        .format(time::macros::format_description!(
            "[year]-[month padding:none]-[day padding:none] [hour repr:12]:[minute]:[second] [period]"
        ))
        .unwrap();
    let mut body = job("Once", "Enabled", 2);
    body["startDateTime"] = json!(start);
    body["timezoneType"] = json!("SPECIFIC_TZ");
    body["timezone"] = json!("UTC");
    let id = raw.create(body).await;
    let at_ms = at.unix_timestamp() as u64 * 1000;
    let early = raw.runs(&id).await;
    let before = raw.summary(&id).await;
    // the wall clock of a loaded test machine may jump past the start time: what was read
    // before it must show no run yet
    if time::OffsetDateTime::now_utc() < at {
        assert!(early.is_empty(), "not before its time ({start}): {early:?}");
        assert_eq!(before["nextScheduleDateTime"], at_ms, "{before}");
        assert_eq!(before["lastScheduleDateTime"], Value::Null);
        assert_eq!(before["completionPercent"], 0);
    }
    while time::OffsetDateTime::now_utc() < at + Duration::from_millis(500) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let runs = raw.runs(&id).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    let scheduled = runs[0]["scheduledDateTime"].as_str().unwrap();
    assert!(scheduled.ends_with(".000+00:00"), "{scheduled}");
    let after = raw.summary(&id).await;
    assert_eq!(after["lastScheduleDateTime"], at_ms, "{after}");
    assert_eq!(after["nextScheduleDateTime"], Value::Null);
    assert_eq!(after["completionPercent"], 100);
    assert_eq!(after["assetResultReceivedCount"], 2);
    // read again: it ran once
    assert_eq!(raw.runs(&id).await.len(), 1);
}

#[tokio::test]
async fn the_result_summary_answers_one_method_per_variant_and_pages_its_assets() {
    for lenient in [false, true] {
        let args: &[&str] = if lenient {
            &["--variant", "lenient"]
        } else {
            &[]
        };
        let sim = Simulator::start_with(args);
        let raw = Raw::new(&sim).await;
        let id = raw.create(job("On-demand", "Disabled", 5)).await;
        let (served, refused) = if lenient {
            (Method::GET, Method::POST)
        } else {
            (Method::POST, Method::GET)
        };
        let (status, _) = raw.result(served.clone(), &id, "").await;
        assert_eq!(status, if lenient { 200 } else { 404 }, "never ran");
        sim.admin_post(&format!("/_simulator/jobs/{id}/run"), json!({"pending": 1}))
            .await;
        let (status, body) = raw.result(refused, &id, "").await;
        assert_eq!(status, 405, "lenient={lenient}: {body}");
        let (status, page) = raw.result(served, &id, "pageSize=2&pageNumber=2").await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["assetCount"], 5);
        let entries = page["assets"].as_array().expect("entries");
        assert_eq!(
            entries.len(),
            1,
            "the third page of 2 holds the fifth asset"
        );
        assert_eq!(
            entries[0]["asset"]["id"],
            "00000000-0000-4000-8000-000000000004"
        );
        let runs = raw.runs(&id).await;
        let pending_flag = if lenient { json!(1) } else { json!(true) };
        let (_, first) = raw
            .result(
                if lenient { Method::GET } else { Method::POST },
                &id,
                &format!("jobInstanceId={}", runs[0]["jobInstanceId"]),
            )
            .await;
        assert_eq!(first["assets"][0]["executing"], pending_flag, "{first}");
        assert_eq!(first["assets"][0]["endDateTime"], Value::Null);
    }
}

#[tokio::test]
async fn the_admin_run_refuses_a_bad_spec_and_an_unknown_job() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let id = raw.create(job("On-demand", "Disabled", 1)).await;
    let http = reqwest::Client::new();
    let post = |path: String, body: &'static str| {
        http.post(format!("{}{path}", sim.url))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let bad = post(format!("/_simulator/jobs/{id}/run"), r#"{"fail": 2}"#)
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(bad.text().await.unwrap().contains("unknown field `fail`"));
    let unknown = post(
        "/_simulator/jobs/38aa48ca-a53f-4591-af01-8bce75de4ce7/run".into(),
        "{}",
    )
    .await
    .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert!(raw.runs(&id).await.is_empty(), "nothing ran");
}
