//! Failures below HTTP: connections cut after the request went out (the server may have
//! acted, and no answer comes at all), gateways that never answer (the request timeout), and
//! the promise that configuring the provider touches no network.

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use qualys_pm::{Client, ClientConfig, Credentials, Error, Job};
use serde_json::json;

use crate::reliability::{
    assert_state_matches_server, block_on, enabled_jobs, on_demand_jobs, password_credentials,
    plan_shows_no_changes, server_jobs, state_jobs, stats, workspace_for,
};
use crate::support::simulator::{fault_seed, Simulator, PASSWORD, USERNAME};
use crate::support::stub::{Misbehaviour, RawGateway};
use crate::support::terraform::{require_terraform, run, Output, Workspace};

const CREATE_PATH: &str = "/pm/v1/deploymentjob";

/// A client of a raw gateway: a token (so no `/auth`), 1 ms retries.
fn raw_client(url: &str, max_retries: u32, request_timeout: Duration) -> Client {
    let mut config = ClientConfig::new(
        url::Url::parse(url).expect("url"),
        Credentials::Token("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.".into()),
    );
    config.max_retries = max_retries;
    config.retry_base_delay = Duration::from_millis(1);
    config.request_timeout = request_timeout;
    Client::new(config).expect("client")
}

fn small_job(name: &str) -> Job {
    Job::from_json(json!({
        "name": name, "type": "Install", "platform": "Windows", "scheduleType": "On-demand",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
    }))
    .expect("job")
}

#[test]
fn the_simulator_cuts_a_write_connection_after_acting_without_a_byte_of_answer() {
    let sim = Simulator::start();
    let token = block_on(sim.token());
    block_on(sim.admin_post("/_simulator/faults", json!({"cut_next": 1})));
    let body = json!({
        "name": "cut", "type": "Install", "platform": "Windows", "scheduleType": "On-demand",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
    })
    .to_string();
    let address = sim.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    write!(
        stream,
        "POST {CREATE_PATH} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = Vec::new();
    // the read ends at the close (or fails on a reset): either way, nothing was answered
    let _ = stream.read_to_end(&mut answer);
    assert!(
        answer.is_empty(),
        "a cut connection must answer nothing, got {:?}",
        String::from_utf8_lossy(&answer)
    );
    let jobs = server_jobs(&sim);
    assert_eq!(jobs.len(), 1, "the server must have acted: {jobs:?}");
    let logged: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r["path"] == CREATE_PATH)
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(logged, [json!(0)], "logged with status 0 (no answer)");
    assert_eq!(stats(&sim)["connections_cut"], 1);
}

#[test]
fn a_create_whose_connection_is_cut_after_sending_is_not_sent_again() {
    let gateway = RawGateway::start(Misbehaviour::ClosesAfterRequest);
    let client = raw_client(&gateway.url, 3, Duration::from_secs(10));
    let error = block_on(client.create_job(&small_job("cut")))
        .expect_err("a create without an answer cannot succeed");
    assert!(
        matches!(error, Error::CreateOutcomeUnknown { status: None, .. }),
        "the outcome of a create cut after sending is unknown: {error:?}"
    );
    assert_eq!(
        gateway.requests(),
        [format!("POST {CREATE_PATH} HTTP/1.1")],
        "a create cut after it went out must be sent once: the server may hold the job"
    );
    // a read is safe to send again: the same cut is retried as often as allowed
    let error =
        block_on(client.get_job("4b0ff0a8-2bd4-4a4b-8e5a-3c0f2d0d3e11")).expect_err("no answer");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(gateway.requests().len(), 1 + 4, "{:?}", gateway.requests());
}

#[test]
fn a_request_to_a_gateway_that_never_answers_times_out_naming_the_operation() {
    let gateway = RawGateway::start(Misbehaviour::NeverAnswers);
    let client = raw_client(&gateway.url, 1, Duration::from_secs(1));
    let started = Instant::now();
    // the test's own limit: without the request timeout the read would wait forever
    let error = block_on(async {
        tokio::time::timeout(
            Duration::from_secs(20),
            client.get_job("4b0ff0a8-2bd4-4a4b-8e5a-3c0f2d0d3e11"),
        )
        .await
    })
    .expect("the request timeout must end the read (it still waits after 20 s)")
    .expect_err("no answer");
    let elapsed = started.elapsed();
    let message = error.to_string();
    assert!(message.contains("timed out"), "{message}");
    assert!(message.contains("read deployment job"), "{message}");
    // two attempts of 1 s each, 1-2 ms apart (the upper bound leaves room for a loaded
    // machine; without the timeout the read would wait until the 20 s limit above)
    assert_eq!(gateway.requests().len(), 2, "{:?}", gateway.requests());
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(7),
        "two attempts of a 1 s timeout took {elapsed:?}"
    );
}

/// A plan against a gateway that never answers, with `request_timeout = "1s"` and one retry.
fn plan_against_a_hung_gateway(gateway: &RawGateway) -> Output {
    let ws = workspace_for(
        &gateway.url,
        "  token = \"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\"",
        "  request_timeout = \"1s\"\n  max_retries = 1",
    );
    ws.write(
        "main.tf",
        "data \"qualys_deployment_jobs\" \"linux\" {\n  platform = \"Linux\"\n}\n",
    );
    // far below the commands' usual limit: without a request timeout the plan would hang
    run(
        ws.command(&["plan", "-no-color", "-input=false"], &[]),
        Duration::from_secs(60),
    )
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn request_timeout_ends_a_plan_against_a_gateway_that_never_answers() {
    require_terraform("request_timeout_ends_a_plan_against_a_gateway_that_never_answers");
    let gateway = RawGateway::start(Misbehaviour::NeverAnswers);
    let out = plan_against_a_hung_gateway(&gateway);
    assert!(!out.success(), "{}", out.combined());
    let text = out.squeezed();
    assert!(text.contains("timed out"), "{text}");
    assert!(text.contains("list deployment jobs"), "{text}");
    let attempts = gateway.requests().len();
    assert_eq!(
        attempts,
        2,
        "one try and one retry: {:?}",
        gateway.requests()
    );
    // 2 attempts of 1 s, a 20 ms retry delay, and terraform starting the provider
    println!("plan against a hung gateway failed after {:?}", out.elapsed);
    assert!(
        out.elapsed >= Duration::from_secs(2) && out.elapsed < Duration::from_secs(15),
        "{:?}",
        out.elapsed
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn validate_and_a_plan_of_new_resources_send_no_request_at_all() {
    require_terraform("validate_and_a_plan_of_new_resources_send_no_request_at_all");
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(3, "quiet"));
    ws.run(&["validate", "-no-color"])
        .expect_success("validate");
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    out.expect_success("plan of new resources");
    assert!(out.stdout.contains("3 to add"), "{}", out.stdout);
    let requests = sim.requests();
    assert!(
        requests.is_empty(),
        "configuring the provider, validating and planning new jobs must not call the API (not even /auth): {requests:?}"
    );
}

/// Creates per job name, from the request log.
fn creates_by_name(sim: &Simulator) -> std::collections::BTreeMap<String, Vec<u64>> {
    let mut by_name = std::collections::BTreeMap::<String, Vec<u64>>::new();
    for r in sim.requests() {
        if r["method"] == "POST" && r["path"] == CREATE_PATH {
            let name = r["body"]["name"].as_str().unwrap_or_default().to_owned();
            by_name
                .entry(name)
                .or_default()
                .push(r["status"].as_u64().unwrap_or_default());
        }
    }
    by_name
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_create_whose_connection_is_cut_is_adopted_and_never_sent_again() {
    require_terraform("a_create_whose_connection_is_cut_is_adopted_and_never_sent_again");
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(3, "cut"));
    block_on(sim.admin_post("/_simulator/faults", json!({"cut_next": 1})));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let creates = creates_by_name(&sim);
    assert_eq!(creates.len(), 3, "{creates:?}");
    for (name, statuses) in &creates {
        assert_eq!(
            statuses.len(),
            1,
            "{name} was created more than once: {creates:?}"
        );
    }
    assert_eq!(
        creates.values().flatten().filter(|s| **s == 0).count(),
        1,
        "one create was cut: {creates:?}"
    );
    if out.success() {
        assert_state_matches_server(&ws, &sim, 3, "after the cut create");
        plan_shows_no_changes(&ws, "after adoption");
    } else {
        // not adopted: then the user is told which job to import, and nothing is duplicated
        let text = out.squeezed();
        assert!(text.contains("terraform import"), "{text}");
        assert_eq!(server_jobs(&sim).len(), 3);
        assert_eq!(state_jobs(&ws).len(), 2);
    }
}

/// Runs `terraform <args>` until it succeeds, at most `runs` times; after every run, no job
/// name is held twice on the server. How many runs it took.
fn converge(ws: &Workspace, sim: &Simulator, args: &[&str], runs: usize, what: &str) -> usize {
    for run_number in 1..=runs {
        let out = ws.run(args);
        let server = server_jobs(sim);
        let mut names: Vec<&str> = server.iter().map(|(_, n)| n.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(
            before,
            names.len(),
            "{what}, run {run_number}: duplicate jobs: {server:?}"
        );
        if out.success() {
            return run_number;
        }
        println!("{what}: run {run_number} failed:\n{}", out.squeezed());
    }
    panic!("{what} did not converge in {runs} runs");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn thirty_percent_cut_connections_over_create_update_destroy_of_30_jobs_converge() {
    require_terraform(
        "thirty_percent_cut_connections_over_create_update_destroy_of_30_jobs_converge",
    );
    let started = Instant::now();
    let seed = fault_seed("thirty_percent_cut_connections");
    let sim = Simulator::start_with(&["--cut-connection-rate", "0.3", "--fault-seed", &seed]);
    let ws = workspace_for(
        &sim.url,
        &password_credentials(USERNAME, PASSWORD),
        "  max_retries = 12",
    );
    let apply_args = ["apply", "-auto-approve", "-no-color", "-input=false"];
    ws.write("main.tf", &enabled_jobs(30, "cut", "first"));
    let create_runs = converge(
        &ws,
        &sim,
        &apply_args,
        3,
        "create of 30 jobs under 30% cuts",
    );
    assert_state_matches_server(&ws, &sim, 30, "after create");
    plan_shows_no_changes(&ws, "after create");
    let creates = creates_by_name(&sim);
    assert_eq!(creates.len(), 30);
    for (name, statuses) in &creates {
        assert_eq!(
            statuses.len(),
            1,
            "{name} was sent more than once: {statuses:?}"
        );
    }

    ws.write("main.tf", &enabled_jobs(30, "cut", "second"));
    let update_runs = converge(
        &ws,
        &sim,
        &apply_args,
        3,
        "update of 30 jobs under 30% cuts",
    );
    assert_state_matches_server(&ws, &sim, 30, "after update");
    for job in block_on(sim.stored_jobs()) {
        assert_eq!(job["job"]["description"], "second", "{job}");
    }
    plan_shows_no_changes(&ws, "after update");

    let destroy_args = ["destroy", "-auto-approve", "-no-color", "-input=false"];
    let destroy_runs = converge(
        &ws,
        &sim,
        &destroy_args,
        3,
        "destroy of 30 jobs under 30% cuts",
    );
    assert!(server_jobs(&sim).is_empty(), "{:?}", server_jobs(&sim));
    assert!(state_jobs(&ws).is_empty());

    let cut = stats(&sim)["connections_cut"].as_u64().unwrap_or_default();
    println!(
        "cut-connection test: {cut} connections cut after acting over {} requests in {:?}; runs to converge: create {create_runs}, update {update_runs}, destroy {destroy_runs}",
        sim.requests().len(),
        started.elapsed()
    );
    assert!(cut >= 10, "too few cuts to mean anything: {cut}");
}
