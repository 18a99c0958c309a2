//! Refresh from the job listing, through the real terraform CLI: a plan of 300 jobs over both
//! platforms costs the listing's pages instead of 300 GETs, jobs changed outside terraform
//! (edited through the simulator's admin API, as in the UI, or deleted) are read in full and
//! show as exactly those changes, `refresh = "get"` reads every job as before, a destroy goes
//! out in bulk calls, and a listing that fails falls back to GETs, never to a stale state.

use serde_json::{json, Value};

use crate::for_each_variant;
use crate::reliability::{
    apply, assert_state_matches_server, block_on, password_credentials, plan_shows_no_changes,
    server_jobs, state_jobs, workspace_for,
};
use crate::support::simulator::{Simulator, PASSWORD, STRICT_SHAPES, USERNAME};
use crate::support::terraform::{require_terraform, Workspace};

/// Jobs per platform.
const PER_PLATFORM: usize = 150;

/// `per_platform` disabled On-demand jobs on each platform.
fn jobs(per_platform: usize, description: &str) -> String {
    let mut hcl = String::new();
    for platform in ["Windows", "Linux"] {
        hcl.push_str(&format!(
            r#"
resource "qualys_deployment_job" "{lower}" {{
  count         = {per_platform}
  name          = "{platform} ${{count.index}}"
  description   = "{description}"
  platform      = "{platform}"
  schedule_type = "On-demand"
  asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
}}
"#,
            lower = platform.to_lowercase()
        ));
    }
    hcl
}

/// The API calls (not `/auth`, not the admin API) in the request log from line `from` on.
fn api_calls_since(sim: &Simulator, from: usize) -> Vec<Value> {
    sim.requests()
        .into_iter()
        .skip(from)
        .filter(|r| {
            let path = r["path"].as_str().unwrap_or_default();
            path.starts_with("/pm/")
        })
        .collect()
}

/// How many of `calls` list the summaries, and how many read one job.
pub(crate) fn pages_and_gets(calls: &[Value]) -> (usize, usize) {
    let of = |prefix: &str| {
        calls
            .iter()
            .filter(|r| r["method"] == "GET")
            .filter(|r| r["path"].as_str().unwrap_or_default().starts_with(prefix))
            .count()
    };
    (
        of("/pm/v1/deploymentjobs/summary"),
        of("/pm/v1/deploymentjob/"),
    )
}

/// A plan with `-detailed-exitcode`: its output and the API calls it made.
pub(crate) fn plan(sim: &Simulator, ws: &Workspace, env: &[(&str, &str)]) -> (String, Vec<Value>) {
    let from = sim.requests().len();
    let out = ws.run_with_env(
        &["plan", "-detailed-exitcode", "-no-color", "-input=false"],
        env,
    );
    assert!(
        out.code == Some(0) || out.code == Some(2),
        "plan failed:\n{}",
        out.combined()
    );
    (out.stdout.clone(), api_calls_since(sim, from))
}

/// The IDs of the state's jobs, by address.
fn ids(ws: &Workspace) -> Vec<(String, String)> {
    state_jobs(ws).into_iter().collect()
}

/// An edit made in the UI: the simulator's admin edit moves the job's `updated.date`.
pub(crate) fn edit_in_the_ui(sim: &Simulator, id: &str, change: Value) {
    let answer = block_on(async {
        reqwest::Client::new()
            .patch(format!("{}/_simulator/jobs/{id}", sim.url))
            .json(&change)
            .send()
            .await
            .expect("admin edit")
            .status()
    });
    assert_eq!(answer.as_u16(), 200, "admin edit of {id}");
}

/// A delete made outside terraform, through the API (strict answer shapes).
fn delete_outside(sim: &Simulator, id: &str) {
    let token = block_on(sim.token());
    let status = block_on(async {
        reqwest::Client::new()
            .delete(format!("{}/pm/v1/deploymentjobs", sim.url))
            .bearer_auth(token)
            .header(STRICT_SHAPES.0, STRICT_SHAPES.1)
            .json(&json!({ "ids": [id] }))
            .send()
            .await
            .expect("delete")
            .status()
    });
    assert!(status.is_success(), "delete of {id}: {status}");
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_plan_of_300_jobs_costs_pages_and_finds_what_changed_outside(variant) {
    require_terraform(&format!("a_plan_of_300_jobs_costs_pages_and_finds_what_changed_outside ({variant:?})"));
    let sim = Simulator::start_variant(variant, &[]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &jobs(PER_PLATFORM, "first"));
    apply(&ws, "apply of 300 jobs");
    assert_state_matches_server(&ws, &sim, 2 * PER_PLATFORM, "after apply");

    // a no-change plan: one listing per platform (its page and the empty page that ends it)
    let (out, calls) = plan(&sim, &ws, &[]);
    let (pages, gets) = pages_and_gets(&calls);
    println!("no-change plan of 300 jobs: {} API calls ({pages} pages, {gets} GETs)", calls.len());
    assert!(out.contains("No changes."), "{out}");
    assert!(pages <= 4, "{pages} summary pages for 2 platforms of 150 jobs");
    assert!(calls.len() <= 2 + pages, "a no-change plan cost {} calls: {calls:?}", calls.len());

    // three edited in the UI, two deleted outside terraform
    let ids = ids(&ws);
    let edited: Vec<&(String, String)> = [0, 7, 160].iter().map(|&i| &ids[i]).collect();
    for (_, id) in &edited {
        edit_in_the_ui(&sim, id, json!({"description": "edited in the UI"}));
    }
    let deleted: Vec<&(String, String)> = [3, 200].iter().map(|&i| &ids[i]).collect();
    for (_, id) in &deleted {
        delete_outside(&sim, id);
    }
    let (out, calls) = plan(&sim, &ws, &[]);
    let (pages, gets) = pages_and_gets(&calls);
    println!("plan after 3 edits and 2 deletes: {} API calls ({pages} pages, {gets} GETs)", calls.len());
    assert!(out.contains("Plan: 2 to add, 3 to change, 0 to destroy."), "{out}");
    for (address, _) in edited.iter().chain(&deleted) {
        assert!(out.contains(&format!("# {address} ")), "{address} not in the plan:\n{out}");
    }
    assert_eq!(gets, 5, "one GET per job changed outside terraform: {calls:?}");
    assert!(calls.len() <= pages + 5, "{} calls: {calls:?}", calls.len());

    // with the listing turned off, every job is read on its own
    let (out, calls) = plan(&sim, &ws, &[("QUALYS_REFRESH", "get")]);
    let (pages, gets) = pages_and_gets(&calls);
    assert!(out.contains("Plan: 2 to add, 3 to change, 0 to destroy."), "{out}");
    assert_eq!((pages, gets), (0, 2 * PER_PLATFORM), "refresh = get");

    // the destroy: the listing, then bulk deletes (terraform's parallelism brings 10 at once)
    let from = sim.requests().len();
    ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .expect_success("destroy of 298 jobs");
    let calls = api_calls_since(&sim, from);
    let mut by_kind = std::collections::BTreeMap::<String, usize>::new();
    for r in &calls {
        let path = r["path"].as_str().unwrap_or_default();
        let kind = if path.starts_with("/pm/v1/deploymentjob/") { "/pm/v1/deploymentjob/{id}" } else { path };
        *by_kind.entry(format!("{} {kind}", r["method"].as_str().unwrap_or_default())).or_default() += 1;
    }
    let batch_sizes: Vec<usize> = calls
        .iter()
        .filter(|r| r["method"] == "DELETE")
        .map(|r| r["body"]["ids"].as_array().map_or(0, Vec::len))
        .collect();
    println!("destroy of 298 jobs: {} API calls: {by_kind:?}, IDs per DELETE: {batch_sizes:?}", calls.len());
    // a bulk answer without per-job results (lenient's empty 204) is checked job by job
    let unconfirmed: usize = calls
        .iter()
        .filter(|r| r["method"] == "DELETE" && r["status"] == 204)
        .map(|r| r["body"]["ids"].as_array().map_or(0, Vec::len))
        .sum();
    let refresh_gets = 5;
    let gets = by_kind.get("GET /pm/v1/deploymentjob/{id}").copied().unwrap_or(0);
    assert!(gets <= refresh_gets + unconfirmed, "{gets} GETs for {unconfirmed} deletes answered without results");
    assert!(
        calls.len() - gets.saturating_sub(refresh_gets) <= 60,
        "a destroy of 298 jobs cost {} calls ({unconfirmed} deletes checked with a GET)",
        calls.len()
    );

    assert!(server_jobs(&sim).is_empty(), "destroy left jobs behind");
    assert!(state_jobs(&ws).is_empty());
}
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_listing_that_fails_falls_back_to_gets_never_to_a_stale_state() {
    require_terraform("a_listing_that_fails_falls_back_to_gets_never_to_a_stale_state");
    let sim = Simulator::start_variant(crate::support::simulator::Variant::Strict, &[]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &jobs(20, "first"));
    apply(&ws, "apply of 40 jobs");
    let ids = ids(&ws);
    edit_in_the_ui(&sim, &ids[0].1, json!({"description": "edited in the UI"}));
    // the second page of each platform's listing answers 503, beyond the client's retries
    block_on(sim.admin_post(
        "/_simulator/faults",
        json!({"fail_list_page": {"page": 1, "status": 503, "times": 100}}),
    ));
    let (out, calls) = plan(&sim, &ws, &[]);
    let (_, gets) = pages_and_gets(&calls);
    assert!(
        out.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{out}"
    );
    assert_eq!(gets, 40, "a failed listing: every job is read with a GET");
    block_on(sim.admin_post("/_simulator/faults", json!({"fail_list_page": null})));
    ws.write("main.tf", &jobs(20, "first"));
    apply(&ws, "apply after the failed listing");
    plan_shows_no_changes(&ws, "after the apply");
}

for_each_variant! {
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_bulk_delete_that_fails_one_job_fails_that_resource_alone(variant) {
    require_terraform(&format!("a_bulk_delete_that_fails_one_job_fails_that_resource_alone ({variant:?})"));
    let sim = Simulator::start_variant(variant, &[]);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &jobs(6, "bulk"));
    apply(&ws, "apply of 12 jobs");
    let ids = ids(&ws);
    let (address, kept) = ids[4].clone();
    block_on(sim.admin_post(
        "/_simulator/faults",
        json!({"fail_items": {kept.clone(): "Job is being deployed and cannot be deleted"}}),
    ));
    let from = sim.requests().len();
    let out = ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.combined());
    let text = out.squeezed();
    let error = &text[text.find("Error:").unwrap_or(0)..];
    assert!(error.contains(&kept), "the error names the job: {error}");
    // the server's reason, unless the answer carried no per-job result (lenient's 204)
    assert!(
        error.contains("Job is being deployed and cannot be deleted")
            || (variant == Variant::Lenient && error.contains("the job still exists")),
        "{error}"
    );
    let deletes = api_calls_since(&sim, from)
        .iter()
        .filter(|r| r["method"] == "DELETE")
        .count();
    assert!(deletes < 12, "the deletes went out in bulk: {deletes} calls");
    // that job and its resource stay; the other 11 are gone
    let left: Vec<String> = server_jobs(&sim).into_iter().map(|(id, _)| id).collect();
    assert_eq!(left, std::slice::from_ref(&kept));
    assert_eq!(state_jobs(&ws).into_iter().collect::<Vec<_>>(), [(address, kept)]);
    block_on(sim.admin_post("/_simulator/faults", json!({"fail_items": {}})));
    ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .expect_success("destroy once the job can be deleted");
    assert!(server_jobs(&sim).is_empty());
}
}

/// What the simulator's listing says of a deleted job, under each variant: absent (strict),
/// or marked `deleted: true`, with or without a `deletedBy` date (lenient).
#[test]
fn the_simulator_lists_soft_deleted_jobs_as_deleted_under_lenient() {
    use crate::support::simulator::Variant;
    for variant in [Variant::Strict, Variant::Lenient] {
        let sim = Simulator::start_variant(variant, &[]);
        let (token, http) = (block_on(sim.token()), reqwest::Client::new());
        let listing = || -> Vec<Value> {
            block_on(async {
                http.get(format!(
                    "{}/pm/v1/deploymentjobs/summary?platform=Windows&pageNumber=0&pageSize=100",
                    sim.url
                ))
                .bearer_auth(&token)
                .send()
                .await
                .expect("list")
                .json()
                .await
                .expect("a JSON listing")
            })
        };
        let mut ids = Vec::new();
        for i in 0..3 {
            let created: Value = block_on(async {
                http.post(format!("{}/pm/v1/deploymentjob", sim.url))
                    .bearer_auth(&token)
                    .header(STRICT_SHAPES.0, STRICT_SHAPES.1)
                    .json(&json!({"name": format!("job {i}"), "type": "Install", "platform": "Windows", "scheduleType": "On-demand"}))
                    .send()
                    .await
                    .expect("create")
                    .json()
                    .await
                    .expect("the created job")
            });
            ids.push(created["id"].as_str().expect("an id").to_owned());
        }
        let before = listing();
        assert_eq!(before.len(), 3);
        for record in &before {
            assert!(record["created"]["date"].is_u64(), "{record}");
            // never edited: `updated` is null (strict, as third-party clients read real
            // tenants) or `{user: null, date: null}` (lenient)
            match variant {
                Variant::Strict => assert!(record["updated"].is_null(), "{record}"),
                Variant::Lenient => assert!(
                    record["updated"]
                        .as_object()
                        .is_some_and(|u| u["date"].is_null()),
                    "{record}"
                ),
            }
            assert_eq!(record["deleted"], false, "{record}");
        }
        // an edit in the UI moves `updated.date`
        edit_in_the_ui(&sim, &ids[0], json!({"name": "renamed in the UI"}));
        let edited = listing();
        let record = edited
            .iter()
            .find(|r| r["id"] == ids[0].as_str())
            .expect("listed");
        assert!(
            record["updated"]["date"].as_u64() > record["created"]["date"].as_u64().map(|d| d - 1),
            "{record}"
        );
        assert_eq!(record["name"], "renamed in the UI");
        delete_outside(&sim, &ids[1]);
        delete_outside(&sim, &ids[2]);
        let after = listing();
        let deleted: Vec<&Value> = after
            .iter()
            .filter(|r| r["id"] != ids[0].as_str())
            .collect();
        match variant {
            Variant::Strict => assert!(deleted.is_empty(), "{after:?}"),
            Variant::Lenient => {
                assert_eq!(deleted.len(), 2, "{after:?}");
                assert!(deleted.iter().all(|r| r["deleted"] == true), "{after:?}");
                let dated = deleted
                    .iter()
                    .filter(|r| !r["deletedBy"]["date"].is_null())
                    .count();
                assert_eq!(
                    dated, 1,
                    "one with its deletedBy date, one without: {after:?}"
                );
            }
        }
    }
}
