//! The API budget through the real terraform CLI against a simulator enforcing the
//! subscription's controls (small windows, so that the tests stay fast): with the headers
//! announced, 100 jobs are created, updated and destroyed without one refused call; without
//! them, refusals (429 and the 409 readings) are waited out and nothing fails; with the quota
//! gone for the hour, plan and apply fail at once with the error that says when to run again,
//! and an apply run again later creates every job once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::json;

use crate::for_each_variant;
use crate::reliability::{
    apply, assert_state_matches_server, block_on, password_credentials, plan_shows_no_changes,
    server_jobs, state_jobs, workspace_for,
};
use crate::support::hcl::described_on_demand_jobs;
use crate::support::simulator::{Simulator, PASSWORD, USERNAME};
use crate::support::terraform::{require_terraform, Workspace};

/// The controls of these tests: 50 calls per rolling 5 s (small, so that the tests stay
/// fast), 2 at once.
const CONTROLS: [&str; 4] = ["--rate-limit", "50/5", "--concurrency-limit", "2"];
const JOBS: usize = 100;

/// Refused calls (429, or 409 under the controls) in the request log from line `from` on.
fn refused_since(sim: &Simulator, from: usize) -> (usize, usize) {
    let log = sim.requests();
    let of = |status: u64| {
        log.iter()
            .skip(from)
            .filter(|r| r["status"].as_u64() == Some(status))
            .count()
    };
    (of(429), of(409))
}

/// Runs the phases (apply, plan, update, plan, destroy) of `JOBS` jobs; returns the refused
/// calls (429, 409) of each phase, printed with its duration.
fn phases(sim: &Simulator, ws: &Workspace, what: &str) -> Vec<(&'static str, (usize, usize))> {
    let mut refused = Vec::new();
    let mut phase = |name: &'static str, run: &dyn Fn()| {
        let from = sim.requests().len();
        let started = std::time::Instant::now();
        run();
        let counts = refused_since(sim, from);
        println!(
            "{what}: {name}: {} requests, refused (429, 409) {counts:?}, {:?}",
            sim.requests().len() - from,
            started.elapsed()
        );
        refused.push((name, counts));
    };
    ws.write(
        "main.tf",
        &described_on_demand_jobs(JOBS, "budget", "first"),
    );
    phase("apply", &|| {
        apply(ws, &format!("{what}: apply of {JOBS} jobs"));
    });
    assert_state_matches_server(ws, sim, JOBS, "after apply");
    phase("plan", &|| plan_shows_no_changes(ws, "after apply"));
    ws.write(
        "main.tf",
        &described_on_demand_jobs(JOBS, "budget", "second"),
    );
    phase("update", &|| {
        apply(ws, &format!("{what}: update of {JOBS} jobs"));
    });
    assert_state_matches_server(ws, sim, JOBS, "after update");
    for job in block_on(sim.stored_jobs()) {
        assert_eq!(job["job"]["description"], "second", "{job}");
    }
    phase("plan after update", &|| {
        plan_shows_no_changes(ws, "after update")
    });
    phase("destroy", &|| {
        ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .expect_success(&format!("{what}: destroy of {JOBS} jobs"));
    });
    assert!(server_jobs(sim).is_empty(), "destroy left jobs behind");
    assert!(state_jobs(ws).is_empty());
    refused
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_hundred_jobs_within_announced_controls_meet_no_refusal(variant) {
    require_terraform(&format!("a_hundred_jobs_within_announced_controls_meet_no_refusal ({variant:?})"));
    let sim = Simulator::start_variant(variant, &CONTROLS);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    let refused = phases(&sim, &ws, &format!("announced controls ({variant:?})"));
    for (phase, counts) in &refused {
        assert_eq!(*counts, (0, 0), "{phase}: refused calls (429, 409) with the headers announced: {refused:?}");
    }
}
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_hundred_jobs_without_control_headers_wait_out_every_refusal() {
    require_terraform("a_hundred_jobs_without_control_headers_wait_out_every_refusal");
    // no header at all; refusals as 429, then 409 in JSON, text and XML, in turn
    let args: Vec<&str> = CONTROLS
        .iter()
        .copied()
        .chain(["--limit-headers", "off", "--limit-refusal", "rotate"])
        .collect();
    let sim = Simulator::start_variant(crate::support::simulator::Variant::Lenient, &args);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    let refused = phases(&sim, &ws, "no control headers (lenient)");
    let (too_many, conflicts) = refused
        .iter()
        .fold((0, 0), |(a, b), (_, (x, y))| (a + x, b + y));
    // the run met refusals of both kinds, and every phase succeeded all the same
    assert!(
        too_many > 0 && conflicts > 0,
        "the controls refused nothing, so this test proved nothing: {refused:?}"
    );
    let log = sim.requests();
    // creates the server carried out, per name: a create sent twice counts twice
    let mut creates: BTreeMap<String, usize> = BTreeMap::new();
    for r in log
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/pm/v1/deploymentjob")
        .filter(|r| {
            r["status"]
                .as_u64()
                .is_some_and(|s| (200..300).contains(&s))
        })
    {
        let name = r["body"]["name"].as_str().unwrap_or_default().to_owned();
        *creates.entry(name).or_default() += 1;
    }
    assert_eq!(creates.len(), JOBS, "every job created: {creates:?}");
    assert!(
        creates.values().all(|n| *n == 1),
        "each job created once: {creates:?}"
    );
}

/// The quota used up, and the server asking for 3600 s: plan fails at once naming the limit
/// and when to run again; an apply of new jobs creates none and says nothing was sent; run
/// again once the window has passed, it creates each job once.
#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_quota_gone_for_the_hour_fails_at_once_and_creates_nothing_twice() {
    require_terraform("a_quota_gone_for_the_hour_fails_at_once_and_creates_nothing_twice");
    let sim = Simulator::start_with(&["--rate-limit", "30/3600", "--concurrency-limit", "2"]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &described_on_demand_jobs(5, "kept", "first"));
    apply(&ws, "apply of 5 jobs");
    block_on(sim.admin_post("/_simulator/limits", json!({"exhaust": true})));

    let from = sim.requests().len();
    let mut cmd = ws.command(&["plan", "-no-color", "-input=false"], &[]);
    cmd.env("TF_LOG_PROVIDER", "WARN");
    // a hang guard: the provider used to wait and retry for minutes here
    let out = crate::support::terraform::run(cmd, Duration::from_secs(60));
    assert!(
        out.code.is_some(),
        "terraform plan did not exit within 60 s:\n{}",
        out.combined()
    );
    assert_ne!(out.code, Some(0), "plan must fail:\n{}", out.combined());
    let text = out.squeezed();
    for phrase in [
        "rate limit (30 calls per 3600 s)",
        "wait 60 minutes",
        " UTC",
        "Nothing was sent for this job",
        "max_rate_limit_wait",
    ] {
        assert!(text.contains(phrase), "{phrase:?} missing from:\n{text}");
    }
    // refused at once: no call went past the one refusal of each slot
    let api_calls = sim.requests()[from..]
        .iter()
        .filter(|r| r["path"] != "/auth")
        .count();
    assert!(
        api_calls <= 2,
        "{api_calls} calls sent into a used-up quota"
    );
    println!("quota gone: plan failed in {:?}", out.elapsed);

    // new jobs, in a workspace of their own: not one is created, and none is "unknown"
    let fresh = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    fresh.write("main.tf", &described_on_demand_jobs(8, "new", "first"));
    let out = fresh.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_ne!(out.code, Some(0), "apply must fail:\n{}", out.combined());
    let text = out.squeezed();
    assert!(text.contains("Nothing was sent for this job"), "{text}");
    assert!(
        !text.contains("terraform import") && !text.contains("outcome unknown"),
        "a create never sent is not an unknown outcome:\n{text}"
    );
    assert_eq!(
        server_jobs(&sim).len(),
        5,
        "no new job while the quota is gone"
    );
    assert!(state_jobs(&fresh).is_empty());

    // the hour has passed (the window forgets its calls): each job created once
    block_on(sim.admin_post("/_simulator/limits", json!({"reset": true})));
    apply(&fresh, "apply after the window");
    let names: Vec<String> = server_jobs(&sim).into_iter().map(|(_, n)| n).collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(names.len(), 13, "{names:?}");
    assert_eq!(unique.len(), 13, "a job created twice: {names:?}");
    assert_eq!(state_jobs(&fresh).len(), 8);
}
