//! Reliability with the real terraform CLI against the simulator's fault injection: nothing
//! lost, nothing duplicated, nothing left behind. Also: a lost create answer is resolved
//! (adopted, or reported with the job to import), invalid configurations fail at plan with
//! the attribute named, and the decoders never panic on arbitrary bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::for_each_variant;
use crate::support::simulator::{fault_seed, Simulator, PASSWORD, USERNAME};
use crate::support::terraform::{require_terraform, required_providers, Output, Workspace};

/// The provider's first retry delay in these tests (read from `QUALYS_RETRY_BASE_DELAY`).
pub(crate) const FAST_RETRIES: (&str, &str) = ("QUALYS_RETRY_BASE_DELAY", "20ms");

pub(crate) use crate::support::block_on;

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

/// Provider-block lines that authenticate with a token the simulator issued: no `/auth`
/// request, so a fault queued with `fail_next` hits the first job request.
pub(crate) fn token_credentials(sim: &Simulator) -> String {
    let token = block_on(sim.token());
    format!("  token = \"{token}\"")
}

pub(crate) use crate::support::hcl::{enabled_jobs, on_demand_jobs, same_name_jobs};

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
            jobs.insert(
                format!(
                    "{}.{}{key}",
                    r["type"].as_str().unwrap_or_default(),
                    r["name"].as_str().unwrap_or_default()
                ),
                id.to_owned(),
            );
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
pub(crate) fn assert_state_matches_server(
    ws: &Workspace,
    sim: &Simulator,
    expected: usize,
    when: &str,
) {
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

pub(crate) fn stats(sim: &Simulator) -> Value {
    block_on(sim.admin_get("/_simulator/stats"))
}

/// Requests per kind (`POST /pm/v1/deploymentjob` ...) from the request log: all of them,
/// and those answered with an injected failure (429 or 503).
fn calls_and_injected_by_kind(
    sim: &Simulator,
) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let (mut calls, mut injected) = (BTreeMap::new(), BTreeMap::new());
    for r in sim.requests() {
        let path = r["path"].as_str().unwrap_or_default();
        if path.starts_with("/_simulator/") {
            continue;
        }
        // one bucket per endpoint: job IDs replaced
        let kind = path
            .split('/')
            .map(|seg| {
                if qualys_pm::model::is_qualys_id(seg) {
                    "{id}"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let kind = format!("{} {kind}", r["method"].as_str().unwrap_or_default());
        let status = r["status"].as_u64().unwrap_or_default();
        if status == 429 || status == 503 {
            *injected.entry(kind.clone()).or_insert(0) += 1;
        }
        *calls.entry(kind).or_insert(0) += 1;
    }
    (calls, injected)
}

pub(crate) fn plan_shows_no_changes(ws: &Workspace, what: &str) {
    let out = ws.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(
        out.code,
        Some(0),
        "{what}: plan must show no changes:\n{}",
        out.combined()
    );
}

pub(crate) fn apply(ws: &Workspace, what: &str) -> Output {
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    out.expect_success(what);
    out
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn thirty_percent_throttling_and_503s_over_apply_update_destroy_of_50_jobs(variant) {
    require_terraform(&format!("thirty_percent_throttling_and_503s_over_apply_update_destroy_of_50_jobs ({variant:?})"));
    let started = Instant::now();
    let seed = fault_seed("thirty_percent_throttling_and_503s");
    let sim = Simulator::start_variant(variant, &["--fault-rate", "0.3", "--fault-seed", &seed]);
    let ws = workspace_for(
        &sim.url,
        &password_credentials(USERNAME, PASSWORD),
        "  max_retries = 12",
    );
    // the data source makes every plan and refresh page through the summary list too
    let listing = "data \"qualys_deployment_jobs\" \"linux\" {\n  platform = \"Linux\"\n}\n";
    ws.write(
        "main.tf",
        &format!("{}{listing}", enabled_jobs(50, "fault", "first")),
    );
    // auth happens once per provider process, too few times for the random rate alone to
    // be sure of hitting it: the first two requests (the /auth and its retry) always fail
    block_on(sim.fail_next(&[503, 429]));
    apply(&ws, "apply of 50 jobs under 30% faults");
    assert_state_matches_server(&ws, &sim, 50, "after apply");
    plan_shows_no_changes(&ws, "after apply");

    ws.write(
        "main.tf",
        &format!("{}{listing}", enabled_jobs(50, "fault", "second")),
    );
    // deletes and status changes go out in bulk calls of up to terraform's parallelism:
    // with 2, about 25 calls of each kind, enough for the 30% to hit every kind
    ws.run(&["apply", "-auto-approve", "-no-color", "-input=false", "-parallelism=2"])
        .expect_success("update of 50 jobs under 30% faults");
    assert_state_matches_server(&ws, &sim, 50, "after update");
    for job in block_on(sim.stored_jobs()) {
        assert_eq!(job["job"]["description"], "second", "{job}");
        assert_eq!(job["job"]["status"], "Enabled", "{job}");
    }
    plan_shows_no_changes(&ws, "after update");

    ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false", "-parallelism=2"])
        .expect_success("destroy of 50 jobs under 30% faults");
    assert!(
        server_jobs(&sim).is_empty(),
        "destroy left jobs behind: {:?}",
        server_jobs(&sim)
    );
    assert!(state_jobs(&ws).is_empty());

    let stats = stats(&sim);
    let (calls, by_kind) = calls_and_injected_by_kind(&sim);
    let total = stats["faults_injected"].as_u64().unwrap_or_default();
    println!(
        "fault test ({variant:?}): {total} faults (429/503) injected over {} requests in {:?}; per request kind: {by_kind:?} of {calls:?}; 50 jobs created, updated, destroyed; nothing lost, duplicated or left behind",
        sim.requests().len(),
        started.elapsed()
    );
    assert!(
        total >= 50,
        "too few faults injected to mean anything: {stats}"
    );
    for kind in [
        "POST /auth",
        "POST /pm/v1/deploymentjob",
        // refresh reads the listing: a job is read with a GET only when it changed outside
        // terraform (or the listing failed), so no GET need happen here
        "PATCH /pm/v1/deploymentjob/update/{id}",
        "POST /pm/v1/deploymentjobs/update/status/Enabled",
        "POST /pm/v1/deploymentjobs/update/status/Disabled",
        "DELETE /pm/v1/deploymentjobs",
        "GET /pm/v1/deploymentjobs/summary",
    ] {
        assert!(
            by_kind.contains_key(kind),
            "no fault was injected on {kind}: {by_kind:?}"
        );
    }
}
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn lost_write_answers_over_apply_update_destroy_are_harmless() {
    require_terraform("lost_write_answers_over_apply_update_destroy_are_harmless");
    // 20% of creates, PATCHes, status changes and deletes act, then answer 504; the seed
    // fixes how many of the 40-odd writes lose their answer (10 of the first 30: the
    // simulator's own test checks it), where a fresh draw lost fewer than 5 about once in 50
    let sim = Simulator::start_with(&["--lost-response-rate", "0.2", "--fault-seed", "10"]);
    let ws = workspace_for(
        &sim.url,
        &password_credentials(USERNAME, PASSWORD),
        "  max_retries = 12",
    );
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

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_lost_create_answer_is_resolved_by_adopting_the_job() {
    require_terraform("a_lost_create_answer_is_resolved_by_adopting_the_job");
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
    assert_eq!(
        creates.iter().filter(|s| **s == 504).count(),
        1,
        "{creates:?}"
    );
    assert_eq!(
        creates.len(),
        3,
        "the lost create must not be sent again: {creates:?}"
    );
    assert!(
        sim.requests()
            .iter()
            .any(|r| r["path"] == "/pm/v1/deploymentjobs/summary"),
        "the job must be looked up by name"
    );
    assert_state_matches_server(&ws, &sim, 3, "after the lost create");
    plan_shows_no_changes(&ws, "after adoption");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_lost_create_answer_never_adopts_another_resources_job_of_the_same_name() {
    require_terraform("a_lost_create_answer_never_adopts_another_resources_job_of_the_same_name");
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    // three resources, one name: the lookup by name sees the siblings' jobs too
    ws.write("main.tf", &same_name_jobs(3, "shared name"));
    block_on(sim.admin_post("/_simulator/faults", json!({"lose_next": 1})));
    // the lost create is resolved only after its siblings' answers have claimed their jobs,
    // so the one job left over is its own and the apply succeeds
    apply(&ws, "apply with a lost create among same-name siblings");
    let state = state_jobs(&ws);
    let server = server_jobs(&sim);
    let state_ids: BTreeSet<&String> = state.values().collect();
    assert_eq!(state.len(), 3, "{state:?}");
    assert_eq!(
        state_ids.len(),
        state.len(),
        "two resources hold the same job: {state:?}"
    );
    assert_eq!(server.len(), 3, "{server:?}");
    for id in state.values() {
        assert!(
            server.iter().any(|(s, _)| s == id),
            "{id} is not on the server"
        );
    }
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_refused_create_is_sent_again_rather_than_adopting_a_siblings_job() {
    require_terraform("a_refused_create_is_sent_again_rather_than_adopting_a_siblings_job");
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &token_credentials(&sim), "");
    ws.write("main.tf", &same_name_jobs(2, "twin"));
    // a 503 before acting: the client cannot know that the server did nothing; the lookup
    // by name then finds the sibling's job, which must not be taken for this one, even
    // while the sibling's answer is still on its way (the job exists before it is claimed)
    block_on(sim.admin_post(
        "/_simulator/faults",
        // the first create acts and answers 1.5 s later; the second is refused
        json!({"fail_next": [0, 503], "answer_delay_ms": 1500}),
    ));
    apply(&ws, "apply with a refused create");
    let state = state_jobs(&ws);
    let state_ids: BTreeSet<&String> = state.values().collect();
    assert_eq!(
        state_ids.len(),
        2,
        "two resources hold the same job: {state:?}"
    );
    let server = server_jobs(&sim);
    let server_ids: BTreeSet<&String> = server.iter().map(|(id, _)| id).collect();
    assert_eq!(server_ids, state_ids, "state and server disagree");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_refused_and_a_lost_create_of_one_name_leave_no_job_unaccounted_for() {
    require_terraform("a_refused_and_a_lost_create_of_one_name_leave_no_job_unaccounted_for");
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &token_credentials(&sim), "");
    ws.write("main.tf", &same_name_jobs(2, "pair"));
    // one create is refused before acting, the other acts and its answer is lost: when both
    // are unresolved at once, neither can tell whose job the server holds
    block_on(sim.admin_post(
        "/_simulator/faults",
        json!({"fail_next": [503], "lose_next": 1}),
    ));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = out.squeezed();
    let state = state_jobs(&ws);
    let state_ids: BTreeSet<&String> = state.values().collect();
    assert_eq!(
        state_ids.len(),
        state.len(),
        "two resources hold one job: {state:?}"
    );
    let server = server_jobs(&sim);
    // every job on the server is in the state or named to the user for import
    for (id, _) in &server {
        assert!(
            state_ids.contains(id)
                || text.contains(&format!("terraform import <this resource's address> {id}")),
            "job {id} is on the server, but neither in the state nor named in the output: {text}"
        );
    }
    println!(
        "refused + lost create of one name: apply {}, {} job(s) in state, {} on the server",
        if out.success() {
            "succeeded"
        } else {
            "failed naming the job to import"
        },
        state.len(),
        server.len()
    );
    if out.success() {
        assert_eq!(state.len(), 2, "{state:?}");
        assert_eq!(server.len(), 2, "{server:?}");
    } else {
        assert!(text.contains("cannot tell"), "{text}");
        assert_eq!(state.len(), 1, "{state:?}");
    }
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_lost_create_answer_that_cannot_be_resolved_names_the_job_to_import() {
    require_terraform("a_lost_create_answer_that_cannot_be_resolved_names_the_job_to_import");
    let sim = Simulator::start();
    // a token: the faults below hit the create and then the lookup
    let ws = workspace_for(&sim.url, &token_credentials(&sim), "  max_retries = 1");
    ws.write("main.tf", &on_demand_jobs(1, "unresolved"));
    block_on(sim.admin_post(
        "/_simulator/faults",
        json!({"lose_next": 1, "fail_next": [0, 503, 503]}),
    ));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.combined());
    let text = out.squeezed();
    assert!(
        text.contains("\"unresolved 0\""),
        "the error must name the job: {text}"
    );
    assert!(
        text.contains("terraform import"),
        "the error must say how to import it: {text}"
    );
    assert!(text.contains("outcome unknown"), "{text}");
    let error = text.find("Error:").map_or(text.as_str(), |at| &text[at..]);
    println!("unresolved lost create, as the user sees it: {error}");
    // the job the server made is not in the state: the user was told about it
    let server = server_jobs(&sim);
    assert_eq!(server.len(), 1, "{server:?}");
    assert!(state_jobs(&ws).is_empty());
    // and the import the message suggests brings it under management
    let id = &server[0].0;
    ws.run(&[
        "import",
        "-no-color",
        "-input=false",
        "qualys_deployment_job.job[0]",
        id,
    ])
    .expect_success("import of the job named in the error");
    assert_state_matches_server(&ws, &sim, 1, "after import");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn tokens_expiring_in_the_middle_of_an_apply_are_renewed() {
    require_terraform("tokens_expiring_in_the_middle_of_an_apply_are_renewed");
    // 2-second tokens; 250 ms per request: the apply of 80 jobs outlives a token
    let sim = Simulator::start_with(&["--token-ttl", "2", "--latency-ms", "250"]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(80, "token"));
    let sim_url = sim.url.clone();
    let log = sim.request_log.clone();
    // also revoke every token twice, after the 5th and the 40th create (events, not the
    // clock): at least two renewals, and a request meeting a 401, however fast the machine
    let revoker = std::thread::spawn(move || {
        let started = Instant::now();
        [5, 40].into_iter().all(|creates| {
            while crate::support::simulator::read_log(&log)
                .iter()
                .filter(|r| r["path"] == "/pm/v1/deploymentjob")
                .count()
                < creates
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
    assert!(
        issued >= 3,
        "the token was not renewed on expiry and on revocation ({issued} issued)"
    );
    assert!(unauthorized >= 1, "no request met the revoked token");
    assert!(
        !out.combined().contains("Unauthorized"),
        "{}",
        out.combined()
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn the_simulator_restarting_between_plan_and_apply_is_harmless() {
    require_terraform("the_simulator_restarting_between_plan_and_apply_is_harmless");
    let dir = tempfile::tempdir().expect("temp dir");
    let state_path = dir
        .path()
        .join("state.json")
        .to_str()
        .expect("utf-8 path")
        .to_owned();
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
    assert!(
        std::path::Path::new(&state_path).exists(),
        "the simulator saved no state"
    );
    let sim = Simulator::start_listening(dir, &listen, &["--state", &state_path]);
    assert_eq!(
        server_jobs(&sim).len(),
        5,
        "the restarted simulator lost its jobs"
    );
    ws.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "tfplan",
    ])
    .expect_success("apply of the saved plan after the restart");
    assert_state_matches_server(&ws, &sim, 10, "after the restart");
    for job in block_on(sim.stored_jobs()) {
        assert_eq!(job["job"]["description"], "second", "{job}");
    }
    plan_shows_no_changes(&ws, "after the restart");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn an_apply_interrupted_with_sigint_loses_nothing() {
    require_terraform("an_apply_interrupted_with_sigint_loses_nothing");
    let sim = Simulator::start_with(&["--latency-ms", "400"]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &on_demand_jobs(50, "interrupted"));
    let mut cmd = ws.command(
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        &[],
    );
    // its own process group, as a shell gives a foreground job: Ctrl-C reaches terraform
    // and the provider alike
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    // files, not pipes: nobody reads a pipe while the test waits, and a full one blocks terraform
    let out_file = ws.path().join("apply.stdout");
    let err_file = ws.path().join("apply.stderr");
    cmd.stdout(Stdio::from(
        std::fs::File::create(&out_file).expect("stdout file"),
    ))
    .stderr(Stdio::from(
        std::fs::File::create(&err_file).expect("stderr file"),
    ));
    let mut child = cmd.spawn().expect("start terraform apply");
    let pgid = child.id();
    let started = Instant::now();
    while sim.count("POST", "/pm/v1/deploymentjob") < 10 {
        if started.elapsed() > Duration::from_secs(60)
            || child.try_wait().expect("try_wait").is_some()
        {
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
        assert!(
            Instant::now() < deadline,
            "terraform did not stop after SIGINT"
        );
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
    assert!(
        created < 50,
        "the apply finished before the interrupt ({created} jobs)"
    );
    // every job the server made is in the state: nothing orphaned
    assert_state_matches_server(&ws, &sim, created, "after SIGINT");
    apply(&ws, "re-apply after SIGINT");
    assert_state_matches_server(&ws, &sim, 50, "after the re-apply");
    plan_shows_no_changes(&ws, "after the re-apply");
    println!("SIGINT test: interrupted after {created} of 50 jobs; re-apply completed 50, no orphan or duplicate");
}

/// Invalid configurations: (what must be named, the job's attributes besides `name`).
const OD: &str = "schedule_type = \"On-demand\"";
fn invalid_configurations() -> Vec<(&'static str, String)> {
    let od = |rest: &str| format!("{OD}\n{rest}");
    let weekly = |rest: &str| {
        format!("schedule_type = \"Weekly\"\nstart_date_time = \"2026-12-05 11:30:00 PM\"\nrecurring_week_days = [\"Saturday\"]\n{rest}")
    };
    let monthly = |rest: &str| {
        format!("schedule_type = \"Monthly\"\nstart_date_time = \"2026-12-05 11:30:00 PM\"\n{rest}")
    };
    let action = |list: &str, body: &str| od(&format!("{list} = [{{\n{body}\n}}]"));
    vec![
        // enums
        ("platform", od("platform = \"MacOS\"")),
        ("type", od("type = \"Uninstall\"")),
        ("status", od("status = \"Running\"")),
        ("schedule_type", "schedule_type = \"Hourly\"".into()),
        ("timezone_type", od("timezone_type = \"UTC\"")),
        ("timeout_unit", od("timeout_unit = \"DAYS\"")),
        ("filter_type", od("filter_type = \"Some\"")),
        ("exclusion_filter_type", od("exclusion_filter_type = \"None\"")),
        ("dynamic_qql_type", od("dynamic_qql_type = 3")),
        ("additional_dynamic_qql_type", od("additional_dynamic_qql_type = -1")),
        ("download_randomize_time_unit", od("download_randomize_time_unit = \"SECONDS\"")),
        ("monthly_recurring_type", monthly("monthly_recurring_type = 2")),
        ("recurring_week_days", weekly("").replace("[\"Saturday\"]", "[\"Funday\"]")),
        // ranges
        ("day_of_month", monthly("day_of_month = 0")),
        ("day_of_month", monthly("day_of_month = 32")),
        ("patch_tuesday_plus_x_days", monthly("monthly_recurring_type = 1\npatch_tuesday_plus_x_days = 28")),
        ("patch_tuesday_plus_x_days", monthly("monthly_recurring_type = 1\npatch_tuesday_plus_x_days = -28")),
        ("recurring_day_of_month", monthly("recurring_day_of_month = 6\nrecurring_week_day_of_month = 1")),
        ("recurring_week_day_of_month", monthly("recurring_day_of_month = 2\nrecurring_week_day_of_month = 7")),
        ("timeout", od("timeout = 169")),
        ("timeout", od("timeout = 10081\ntimeout_unit = \"MINUTES\"")),
        ("timeout", od("timeout = 0")),
        ("download_randomize_time", od("download_randomize_time = -1")),
        ("no_of_reattempts", od("reattempt_failed_patches = {\nno_of_reattempts = 6\nexponential_backoff_interval = 5\n}")),
        ("exponential_backoff_interval", od("reattempt_failed_patches = {\nno_of_reattempts = 2\nexponential_backoff_interval = 16\n}")),
        ("completed_percentage", od("notification = {\nemail = true\nrecipient_emails = [\"a@example.com\"]\ncompleted_percentage = 0\non_job_complete = true\n}")),
        ("threshold", od("linked_job_id = \"9d0e0c2e-0000-4000-8000-000000000001\"\nchained_job_rules = [{\nfield = \"postDeployAction\"\naction_ids = [\"x\"]\nthreshold = 101\ncondition = \"Post Actions were successfully executed\"\n}]")),
        ("name", od("")), // with name = ""
        ("install_method", action("pre_deploy_actions", "action = \"Install Software\"\ndownload_url = \"https://example.com/a.msi\"\ninstall_method = 2")),
        // cross-field rules
        ("start_date_time", "schedule_type = \"Weekly\"\nrecurring_week_days = [\"Saturday\"]".into()),
        ("start_date_time", "schedule_type = \"Daily\"\nstart_date_time = \"tomorrow\"".into()),
        ("recurring", od("recurring = true")),
        ("recurring_week_days", weekly("").replace("[\"Saturday\"]", "[]")),
        ("schedule_type", monthly("")),
        ("download_randomize_time", od("timeout = 4\ntimeout_unit = \"HOURS\"\ndownload_randomize_time = 300")),
        ("dynamic_qql_type", od("dynamic_patches_qql = \"vendorSeverity:`Critical`\"")),
        ("approved_patches", od("dynamic_qql_type = 1\ndynamic_patches_qql = \"vendorSeverity:`Critical`\"\napproved_patches = [\"444ba31a-0f94-3199-870e-ef8ab1a5a477\"]")),
        ("dynamic_patches_qql", od("type = \"Rollback\"\ndynamic_qql_type = 1\ndynamic_patches_qql = \"vendorSeverity:`Critical`\"")),
        ("additional_dynamic_qql_type", od("additional_dynamic_patches_qql = \"isSuperseded:false\"")),
        ("continue_on_patch_failure", od("continue_on_patch_failure = true")),
        ("minimize_window", od("platform = \"Linux\"\nminimize_window = true")),
        ("opportunistic_downloads", od("platform = \"Linux\"\nopportunistic_downloads = true")),
        ("chained_job_rules", od("chained_job_rules = [{\nfield = \"postDeployAction\"\naction_ids = [\"x\"]\nthreshold = 100\ncondition = \"Post Actions were successfully executed\"\n}]")),
        ("notification", od("notification = {\nemail = true\nrecipient_emails = [\"a@example.com\"]\non_job_start = false\non_job_complete = false\n}")),
        ("recipient_emails", od("notification = {\nemail = true\nrecipient_emails = [\"not-an-email\"]\non_job_complete = true\n}")),
        ("always_show_completed_prompt", od("platform = \"Linux\"\npost_deployment = {\non_complete = {\nalways_show_completed_prompt = true\n}\n}")),
        ("action", action("pre_deploy_actions", "action = \"Dance\"\naction_item = \"x\"")),
        ("action", action("post_deploy_actions", "action = \"System Reboot\"\naction_item = \"x\"")),
        ("action", format!("platform = \"Linux\"\n{}", action("pre_deploy_actions", "action = \"Install Software\"\ndownload_url = \"https://example.com/a.rpm\""))),
        ("script", action("pre_deploy_actions", "action = \"Run Script\"\naction_item = \"x\"\nscript_type = \"ps\"")),
        ("download_url", action("pre_deploy_actions", "action = \"Install Software\"\naction_item = \"x\"")),
        ("reg_key", action("pre_deploy_actions", "action = \"Change Registry Key\"\naction_item = \"x\"")),
        ("script_type", action("pre_deploy_actions", "action = \"Run Script\"\naction_item = \"x\"\nscript = \"echo\"\nscript_type = \"bat\"")),
        ("status", od("status = \"Enabled\"\nasset_ids = [\"38aa48ca-a53f-4591-af01-8bce75de4ce7\"]")),
        ("status", od("status = \"Enabled\"\napproved_patches = [\"444ba31a-0f94-3199-870e-ef8ab1a5a477\"]")),
        // wrong types, unknown and missing arguments (terraform's own checks, same promise)
        ("timeout", od("timeout = \"soon\"")),
        ("asset_ids", od("asset_ids = \"38aa48ca\"")),
        ("recurring", od("recurring = \"maybe\"")),
        ("notification", od("notification = \"yes\"")),
        ("pre_deploy_actions", od("pre_deploy_actions = { action = \"Run Script\" }")),
        ("colour", od("colour = \"red\"")),
        ("schedule_type", "description = \"no schedule\"".into()),
    ]
}

/// Does terraform's error output point at `attribute`: an error whose snippet line, summary
/// or detail names it?
fn error_names(output: &str, attribute: &str) -> bool {
    output.contains("Error:")
        && output.lines().any(|line| {
            let line = line.trim_start_matches(['│', ' ']);
            // snippet lines look like `12:   timeout = 169`
            let code = line
                .split_once(": ")
                .filter(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()))
                .map(|(_, code)| code.trim_start());
            code.is_some_and(|c| c.starts_with(attribute))
                || line.starts_with("Error:") && line.contains(attribute)
                || line.contains(&format!("\"{attribute}\""))
        })
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn invalid_configurations_fail_at_plan_naming_the_attribute() {
    require_terraform("invalid_configurations_fail_at_plan_naming_the_attribute");
    let started = Instant::now();
    let sim = Simulator::start();
    let cases = invalid_configurations();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((attribute, body)) = cases.get(i) else { break };
                let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
                let name = if *attribute == "name" { "" } else { "bad input" };
                ws.write(
                    "main.tf",
                    &format!("resource \"qualys_deployment_job\" \"bad\" {{\nname = \"{name}\"\n{body}\n}}\n"),
                );
                let out = ws.run(&["plan", "-no-color", "-input=false"]);
                if out.success() || !error_names(&out.combined(), attribute) {
                    failures.lock().unwrap().push(format!(
                        "case {i} ({attribute}): {}\n--- config\n{body}\n--- output\n{}",
                        if out.success() { "plan succeeded" } else { "the error does not name the attribute" },
                        out.combined()
                    ));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} invalid configurations were not reported right:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    let api_calls = sim
        .requests()
        .iter()
        .filter(|r| r["path"] != "/auth")
        .count();
    assert_eq!(api_calls, 0, "validation must not call the API");
    println!(
        "bad input: {} invalid configurations, each refused at plan naming its attribute, in {:?}",
        cases.len(),
        started.elapsed()
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn values_unknown_at_plan_are_validated_at_apply_before_any_api_call() {
    require_terraform("values_unknown_at_plan_are_validated_at_apply_before_any_api_call");
    let sim = Simulator::start();
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    // terraform_data's output is unknown until it is applied
    ws.write(
        "main.tf",
        "resource \"terraform_data\" \"window\" {\n  input = 999\n}\n\nresource \"qualys_deployment_job\" \"late\" {\n  name          = \"late\"\n  schedule_type = \"On-demand\"\n  timeout       = terraform_data.window.output\n}\n",
    );
    ws.run(&["plan", "-no-color", "-input=false"])
        .expect_success("plan with an unknown timeout");
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.combined());
    assert!(
        error_names(&out.combined(), "timeout"),
        "{}",
        out.combined()
    );
    assert_eq!(
        sim.count("POST", "/pm/v1/deploymentjob"),
        0,
        "an invalid job was sent"
    );
    assert!(server_jobs(&sim).is_empty());
}
