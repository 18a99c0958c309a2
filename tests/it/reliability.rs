//! Reliability with the real terraform CLI against the simulator's fault injection: nothing
//! lost, nothing duplicated, nothing left behind. Also: a lost create answer is resolved
//! (adopted, or reported with the job to import), invalid configurations fail at plan with
//! the attribute named, and the decoders never panic on arbitrary bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::simulator::{Simulator, PASSWORD, USERNAME};
use crate::support::terraform::{required_providers, terraform_or_skip, Output, Workspace};

/// The provider's first retry delay in these tests (read from `QUALYS_RETRY_BASE_DELAY`).
pub(crate) const FAST_RETRIES: (&str, &str) = ("QUALYS_RETRY_BASE_DELAY", "20ms");

pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// A workspace whose provider talks to `url` with the given credentials and extra provider
/// settings, with fast retries.
pub(crate) fn workspace_for(url: &str, credentials: &str, provider_extra: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.set_env(FAST_RETRIES.0, FAST_RETRIES.1);
    ws.write(
        "provider.tf",
        &format!(
            "{}\nprovider \"qualys\" {{\n  gateway_url = \"{url}\"\n{credentials}\n{provider_extra}\n}}\n",
            required_providers()
        ),
    );
    ws
}

pub(crate) fn password_credentials(username: &str, password: &str) -> String {
    format!("  username = \"{username}\"\n  password = \"{password}\"")
}

/// `count` Linux jobs, recurring and Enabled (so that an update goes through the status
/// endpoint too), named `"{prefix} {index}"`.
fn enabled_jobs(count: usize, prefix: &str, description: &str) -> String {
    format!(
        r#"
resource "qualys_deployment_job" "job" {{
  count               = {count}
  name                = "{prefix} ${{count.index}}"
  description         = "{description}"
  platform            = "Linux"
  status              = "Enabled"
  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  timeout             = 240
  timeout_unit        = "MINUTES"
  asset_ids           = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches    = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
}}
"#
    )
}

/// `count` disabled On-demand Windows jobs.
fn on_demand_jobs(count: usize, prefix: &str) -> String {
    format!(
        r#"
resource "qualys_deployment_job" "job" {{
  count         = {count}
  name          = "{prefix} ${{count.index}}"
  schedule_type = "On-demand"
  asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
}}
"#
    )
}

/// (address, job ID) of every `qualys_deployment_job` instance in the workspace's state.
pub(crate) fn state_jobs(ws: &Workspace) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(ws.path().join("terraform.tfstate")) else {
        return BTreeMap::new();
    };
    let state: Value = serde_json::from_str(&text).expect("state JSON");
    let mut jobs = BTreeMap::new();
    for r in state["resources"].as_array().into_iter().flatten() {
        if r["type"] != "qualys_deployment_job" || r["mode"] != "managed" {
            continue;
        }
        for inst in r["instances"].as_array().into_iter().flatten() {
            let key = match &inst["index_key"] {
                Value::Null => String::new(),
                k => format!("[{k}]"),
            };
            let id = inst["attributes"]["id"].as_str().unwrap_or_default();
            jobs.insert(format!("{}.{}{key}", r["type"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default()), id.to_owned());
        }
    }
    jobs
}

/// (ID, name) of every job the simulator holds.
pub(crate) fn server_jobs(sim: &Simulator) -> Vec<(String, String)> {
    block_on(sim.stored_jobs())
        .iter()
        .map(|j| {
            (
                j["job"]["id"].as_str().unwrap_or_default().to_owned(),
                j["job"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The state and the server agree: same job IDs, one job per name, `expected` jobs.
fn assert_state_matches_server(ws: &Workspace, sim: &Simulator, expected: usize, when: &str) {
    let state = state_jobs(ws);
    let server = server_jobs(sim);
    let names: BTreeSet<&str> = server.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        names.len(),
        server.len(),
        "{when}: duplicate jobs on the server: {server:?}"
    );
    let state_ids: BTreeSet<&str> = state.values().map(String::as_str).collect();
    let server_ids: BTreeSet<&str> = server.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        state_ids.len(),
        state.len(),
        "{when}: two state entries hold the same job: {state:?}"
    );
    let orphans: Vec<_> = server_ids.difference(&state_ids).collect();
    let missing: Vec<_> = state_ids.difference(&server_ids).collect();
    assert!(
        orphans.is_empty() && missing.is_empty(),
        "{when}: jobs on the server but not in the state (orphans): {orphans:?}; in the state but not on the server: {missing:?}"
    );
    assert_eq!(server.len(), expected, "{when}: job count");
}

fn stats(sim: &Simulator) -> Value {
    block_on(sim.admin_get("/_simulator/stats"))
}

/// Injected failures per request kind (`POST /pm/v1/deploymentjob` ...), from the request log.
fn injected_by_kind(sim: &Simulator) -> BTreeMap<String, usize> {
    let mut by_kind = BTreeMap::new();
    for r in sim.requests() {
        let status = r["status"].as_u64().unwrap_or_default();
        if status != 429 && status != 503 {
            continue;
        }
        let path = r["path"].as_str().unwrap_or_default();
        // one bucket per endpoint: job IDs replaced
        let kind = path
            .split('/')
            .map(|seg| if seg.len() == 36 && seg.matches('-').count() == 4 { "{id}" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        *by_kind
            .entry(format!("{} {kind}", r["method"].as_str().unwrap_or_default()))
            .or_insert(0) += 1;
    }
    by_kind
}

fn plan_shows_no_changes(ws: &Workspace, what: &str) {
    let out = ws.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(
        out.code,
        Some(0),
        "{what}: plan must show no changes:\n{}",
        out.combined()
    );
}

fn apply(ws: &Workspace, what: &str) -> Output {
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    out.expect_success(what);
    out
}

#[test]
fn thirty_percent_throttling_and_503s_over_apply_update_destroy_of_50_jobs() {
    if !terraform_or_skip("thirty_percent_throttling_and_503s_over_apply_update_destroy_of_50_jobs") {
        return;
    }
    let started = Instant::now();
    let sim = Simulator::start_with(&["--fault-rate", "0.3"]);
    let ws = workspace_for(
        &sim.url,
        &password_credentials(USERNAME, PASSWORD),
        "  max_retries = 12",
    );
    // the data source makes every plan and refresh page through the summary list too
    let listing = "data \"qualys_deployment_jobs\" \"linux\" {\n  platform = \"Linux\"\n}\n";
    ws.write("main.tf", &format!("{}{listing}", enabled_jobs(50, "fault", "first")));
    apply(&ws, "apply of 50 jobs under 30% faults");
    assert_state_matches_server(&ws, &sim, 50, "after apply");
    plan_shows_no_changes(&ws, "after apply");

    ws.write("main.tf", &format!("{}{listing}", enabled_jobs(50, "fault", "second")));
    apply(&ws, "update of 50 jobs under 30% faults");
    assert_state_matches_server(&ws, &sim, 50, "after update");
    for job in block_on(sim.stored_jobs()) {
        assert_eq!(job["job"]["description"], "second", "{job}");
        assert_eq!(job["job"]["status"], "Enabled", "{job}");
    }
    plan_shows_no_changes(&ws, "after update");

    ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .expect_success("destroy of 50 jobs under 30% faults");
    assert!(
        server_jobs(&sim).is_empty(),
        "destroy left jobs behind: {:?}",
        server_jobs(&sim)
    );
    assert!(state_jobs(&ws).is_empty());

    let stats = stats(&sim);
    let by_kind = injected_by_kind(&sim);
    let total = stats["faults_injected"].as_u64().unwrap_or_default();
    println!(
        "fault test: {total} faults (429/503) injected over {} requests in {:?}; per request kind: {by_kind:?}; 50 jobs created, updated, destroyed; nothing lost, duplicated or left behind",
        sim.requests().len(),
        started.elapsed()
    );
    assert!(total >= 50, "too few faults injected to mean anything: {stats}");
    for kind in [
        "POST /auth",
        "POST /pm/v1/deploymentjob",
        "GET /pm/v1/deploymentjob/{id}",
        "PATCH /pm/v1/deploymentjob/update/{id}",
        "POST /pm/v1/deploymentjobs/update/status/Enabled",
        "POST /pm/v1/deploymentjobs/update/status/Disabled",
        "DELETE /pm/v1/deploymentjobs",
        "GET /pm/v1/deploymentjobs/summary",
    ] {
        assert!(by_kind.contains_key(kind), "no fault was injected on {kind}: {by_kind:?}");
    }
}

#[test]
fn lost_write_answers_over_apply_update_destroy_are_harmless() {
    if !terraform_or_skip("lost_write_answers_over_apply_update_destroy_are_harmless") {
        return;
    }
    // 20% of creates, PATCHes, status changes and deletes act, then answer 504
    let sim = Simulator::start_with(&["--lost-response-rate", "0.2"]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "  max_retries = 12");
    ws.write("main.tf", &enabled_jobs(20, "lost", "first"));
    apply(&ws, "apply of 20 jobs with lost answers");
    assert_state_matches_server(&ws, &sim, 20, "after apply");
    ws.write("main.tf", &enabled_jobs(20, "lost", "second"));
    apply(&ws, "update of 20 jobs with lost answers");
    assert_state_matches_server(&ws, &sim, 20, "after update");
    plan_shows_no_changes(&ws, "after update");
    ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .expect_success("destroy with lost answers");
    assert!(server_jobs(&sim).is_empty(), "{:?}", server_jobs(&sim));
    let lost = stats(&sim)["responses_lost"].as_u64().unwrap_or_default();
    println!("lost-answer test: {lost} write answers lost after the server acted; nothing duplicated or left behind");
    assert!(lost >= 5, "too few lost answers to mean anything: {lost}");
}

#[test]
fn a_lost_create_answer_is_resolved_by_adopting_the_job() {
    if !terraform_or_skip("a_lost_create_answer_is_resolved_by_adopting_the_job") {
        return;
    }
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(3, "adopted"));
    // the first create is made on the server, but its answer is a 504
    block_on(sim.admin_post("/_simulator/faults", json!({"lose_next": 1})));
    apply(&ws, "apply with a lost create answer");
    let creates: Vec<u64> = sim
        .requests()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/pm/v1/deploymentjob")
        .map(|r| r["status"].as_u64().unwrap_or_default())
        .collect();
    assert_eq!(creates.iter().filter(|s| **s == 504).count(), 1, "{creates:?}");
    assert_eq!(creates.len(), 3, "the lost create must not be sent again: {creates:?}");
    assert!(
        sim.requests().iter().any(|r| r["path"] == "/pm/v1/deploymentjobs/summary"),
        "the job must be looked up by name"
    );
    assert_state_matches_server(&ws, &sim, 3, "after the lost create");
    plan_shows_no_changes(&ws, "after adoption");
}

#[test]
fn a_lost_create_answer_that_cannot_be_resolved_names_the_job_to_import() {
    if !terraform_or_skip("a_lost_create_answer_that_cannot_be_resolved_names_the_job_to_import") {
        return;
    }
    let sim = Simulator::start();
    let token = block_on(sim.token());
    // a token: no /auth request, so the faults below hit the create and then the lookup
    let ws = workspace_for(&sim.url, &format!("  token = \"{token}\""), "  max_retries = 1");
    ws.write("main.tf", &on_demand_jobs(1, "unresolved"));
    block_on(sim.admin_post(
        "/_simulator/faults",
        json!({"lose_next": 1, "fail_next": [0, 503, 503]}),
    ));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.combined());
    let text = out.combined().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("\"unresolved 0\""), "the error must name the job: {text}");
    assert!(text.contains("terraform import"), "the error must say how to import it: {text}");
    assert!(text.contains("outcome unknown"), "{text}");
    // the job the server made is not in the state: the user was told about it
    let server = server_jobs(&sim);
    assert_eq!(server.len(), 1, "{server:?}");
    assert!(state_jobs(&ws).is_empty());
    // and the import the message suggests brings it under management
    let id = &server[0].0;
    ws.run(&["import", "-no-color", "-input=false", "qualys_deployment_job.job[0]", id])
        .expect_success("import of the job named in the error");
    assert_state_matches_server(&ws, &sim, 1, "after import");
}

#[test]
fn tokens_expiring_in_the_middle_of_an_apply_are_renewed() {
    if !terraform_or_skip("tokens_expiring_in_the_middle_of_an_apply_are_renewed") {
        return;
    }
    // 2-second tokens; 250 ms per request: the apply of 80 jobs outlives a token
    let sim = Simulator::start_with(&["--token-ttl", "2", "--latency-ms", "250"]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(80, "token"));
    let sim_url = sim.url.clone();
    let log = sim.request_log.clone();
    // also revoke every token once, after the first creates, so that a request meets a 401
    let revoker = std::thread::spawn(move || {
        let started = Instant::now();
        while crate::support::simulator::read_log(&log)
            .iter()
            .filter(|r| r["path"] == "/pm/v1/deploymentjob")
            .count()
            < 5
        {
            if started.elapsed() > Duration::from_secs(60) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        block_on(async {
            reqwest::Client::new()
                .post(format!("{sim_url}/_simulator/expire-tokens"))
                .send()
                .await
                .is_ok()
        })
    });
    let out = apply(&ws, "apply across token expiries");
    assert!(revoker.join().unwrap_or(false));
    assert_state_matches_server(&ws, &sim, 80, "after apply");
    let issued = stats(&sim)["tokens_issued"].as_u64().unwrap_or_default();
    let unauthorized = sim.requests().iter().filter(|r| r["status"] == 401).count();
    println!(
        "token test: {issued} tokens issued, {unauthorized} requests answered 401 and retried, apply took {:?}",
        out.elapsed
    );
    assert!(issued >= 3, "the token was not renewed on expiry and on revocation ({issued} issued)");
    assert!(unauthorized >= 1, "no request met the revoked token");
    assert!(!out.combined().contains("Unauthorized"), "{}", out.combined());
}

#[test]
fn the_simulator_restarting_between_plan_and_apply_is_harmless() {
    if !terraform_or_skip("the_simulator_restarting_between_plan_and_apply_is_harmless") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let state_path = dir.path().join("state.json").to_str().expect("utf-8 path").to_owned();
    let sim = Simulator::start_in(dir, &["--state", &state_path]);
    let listen = sim.url.trim_start_matches("http://").to_owned();
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &enabled_jobs(5, "restart", "first"));
    apply(&ws, "first apply");
    // an update of 5 jobs and 5 new ones, planned, then the server restarts
    ws.write("main.tf", &enabled_jobs(10, "restart", "second"));
    ws.run(&["plan", "-out=tfplan", "-no-color", "-input=false"])
        .expect_success("plan -out");
    let dir = sim.stop();
    assert!(std::path::Path::new(&state_path).exists(), "the simulator saved no state");
    let sim = Simulator::start_listening(dir, &listen, &["--state", &state_path]);
    assert_eq!(server_jobs(&sim).len(), 5, "the restarted simulator lost its jobs");
    ws.run(&["apply", "-auto-approve", "-no-color", "-input=false", "tfplan"])
        .expect_success("apply of the saved plan after the restart");
    assert_state_matches_server(&ws, &sim, 10, "after the restart");
    for job in block_on(sim.stored_jobs()) {
        assert_eq!(job["job"]["description"], "second", "{job}");
    }
    plan_shows_no_changes(&ws, "after the restart");
}

#[test]
fn an_apply_interrupted_with_sigint_loses_nothing() {
    if !terraform_or_skip("an_apply_interrupted_with_sigint_loses_nothing") {
        return;
    }
    let sim = Simulator::start_with(&["--latency-ms", "400"]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(50, "interrupted"));
    let mut cmd = ws.command(&["apply", "-auto-approve", "-no-color", "-input=false"], &[]);
    // its own process group, as a shell gives a foreground job: Ctrl-C reaches terraform
    // and the provider alike
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    // files, not pipes: nobody reads a pipe while the test waits, and a full one blocks terraform
    let out_file = ws.path().join("apply.stdout");
    let err_file = ws.path().join("apply.stderr");
    cmd.stdout(Stdio::from(std::fs::File::create(&out_file).expect("stdout file")))
        .stderr(Stdio::from(std::fs::File::create(&err_file).expect("stderr file")));
    let mut child = cmd.spawn().expect("start terraform apply");
    let pgid = child.id();
    let started = Instant::now();
    while sim.count("POST", "/pm/v1/deploymentjob") < 10 {
        if started.elapsed() > Duration::from_secs(60) || child.try_wait().expect("try_wait").is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "terraform did not create jobs:\n{}\n{}",
                std::fs::read_to_string(&out_file).unwrap_or_default(),
                std::fs::read_to_string(&err_file).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-s", "INT", "--", &format!("-{pgid}")])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(120);
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("try_wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "terraform did not stop after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = format!(
        "{}\n{}",
        std::fs::read_to_string(&out_file).unwrap_or_default(),
        std::fs::read_to_string(&err_file).unwrap_or_default()
    );
    let created = server_jobs(&sim).len();
    assert!(!exit.success(), "the apply was not interrupted:\n{text}");
    assert!(text.contains("Interrupt received"), "{text}");
    assert!(created < 50, "the apply finished before the interrupt ({created} jobs)");
    // every job the server made is in the state: nothing orphaned
    assert_state_matches_server(&ws, &sim, created, "after SIGINT");
    apply(&ws, "re-apply after SIGINT");
    assert_state_matches_server(&ws, &sim, 50, "after the re-apply");
    plan_shows_no_changes(&ws, "after the re-apply");
    println!("SIGINT test: interrupted after {created} of 50 jobs; re-apply completed 50, no orphan or duplicate");
}
