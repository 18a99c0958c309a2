//! The summary records as third-party clients read real tenants (`docs/api-readings.md`
//! rows 26-28), served by the strict simulator: a never-edited job's `updated` is `null` and
//! its `tags` are `{id, name}` objects. Through the real terraform CLI: 300 never-edited jobs
//! cost a no-change plan the listing's pages, not 300 GETs, and one edit in the UI costs one
//! GET more and shows as one change; `qualys_deployment_jobs` and `generate-imports` work on
//! such listings.

use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::listing_refresh::{pages_and_gets, plan};
use crate::reliability::{
    apply, assert_state_matches_server, block_on, password_credentials, state_jobs, workspace_for,
};
use crate::support::hcl::jobs_per_platform_targeting;
use crate::support::simulator::edit_in_the_ui;
use crate::support::simulator::{Simulator, Variant, PASSWORD, STRICT_SHAPES, USERNAME};
use crate::support::terraform::{provider_binary, require_terraform, run};

/// Jobs per platform.
const PER_PLATFORM: usize = 150;

/// A tag of the simulator's catalog: (ID, name).
fn catalog_tag(sim: &Simulator) -> (String, String) {
    let catalog = block_on(sim.admin_get("/_simulator/catalog"));
    let tag = &catalog["assets"][0]["tags"][0];
    let text = |k: &str| tag[k].as_str().expect("a catalog tag").to_owned();
    (text("id"), text("name"))
}

/// `PER_PLATFORM` disabled On-demand jobs on each platform, targeting the tag `tag_id`.
fn tagged_jobs(tag_id: &str) -> String {
    jobs_per_platform_targeting(
        PER_PLATFORM,
        "never edited",
        &format!(r#"asset_tag_ids = ["{tag_id}"]"#),
    )
}

/// Every summary record of `platform`, as the API lists them (one page of 10 000).
fn listing(sim: &Simulator, platform: &str) -> Vec<Value> {
    block_on(async {
        reqwest::Client::new()
            .get(format!(
                "{}/pm/v1/deploymentjobs/summary?platform={platform}&pageNumber=0&pageSize=10000",
                sim.url
            ))
            .bearer_auth(sim.token().await)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("a JSON listing")
    })
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn never_edited_jobs_cost_a_plan_the_listing_pages_and_one_ui_edit_one_get() {
    require_terraform("never_edited_jobs_cost_a_plan_the_listing_pages_and_one_ui_edit_one_get");
    let sim = Simulator::start_variant(Variant::Strict, &[]);
    let (tag_id, tag_name) = catalog_tag(&sim);
    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write("main.tf", &tagged_jobs(&tag_id));
    apply(&ws, "apply of 300 jobs");
    assert_state_matches_server(&ws, &sim, 2 * PER_PLATFORM, "after apply");

    // the listing reads as third-party clients read real tenants: no update stamp yet, tags
    // as objects; so the plan below proves the client reads `updated: null` as "unchanged"
    for platform in ["Windows", "Linux"] {
        let records = listing(&sim, platform);
        assert_eq!(records.len(), PER_PLATFORM, "{platform}");
        for record in &records {
            assert!(record["updated"].is_null(), "{record}");
            assert_eq!(record["tags"], json!([{"id": tag_id, "name": tag_name}]));
            assert!(record.get("description").is_none(), "{record}");
        }
    }

    let (out, calls) = plan(&sim, &ws, &[]);
    let (pages, gets) = pages_and_gets(&calls);
    println!(
        "no-change plan of 300 never-edited jobs: {} API calls ({pages} pages, {gets} GETs)",
        calls.len()
    );
    assert!(out.contains("No changes."), "{out}");
    assert_eq!(
        gets,
        0,
        "a never-edited job costs no GET ({} calls)",
        calls.len()
    );
    assert!(
        calls.len() <= 2 + pages,
        "a no-change plan cost {} calls: {calls:?}",
        calls.len()
    );
    let no_change_calls = calls.len();

    // one job edited in the UI: its summary now has an update stamp
    let jobs = state_jobs(&ws);
    let (address, id) = jobs.iter().nth(42).expect("a job");
    edit_in_the_ui(&sim, id, json!({"description": "edited in the UI"}));
    let (out, calls) = plan(&sim, &ws, &[]);
    let (pages, gets) = pages_and_gets(&calls);
    println!(
        "plan after one UI edit: {} API calls ({pages} pages, {gets} GETs)",
        calls.len()
    );
    assert!(
        out.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{out}"
    );
    assert!(out.contains(&format!("# {address} ")), "{address}:\n{out}");
    assert!(
        out.contains("\"edited in the UI\" -> \"never edited\""),
        "{out}"
    );
    let read: Vec<&Value> = calls
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"] == format!("/pm/v1/deploymentjob/{id}"))
        .collect();
    assert_eq!(
        (gets, read.len()),
        (1, 1),
        "one GET, of the edited job: {calls:?}"
    );
    assert_eq!(calls.len(), no_change_calls + 1, "one call more: {calls:?}");
}

/// `terraform-provider-qualys generate-imports` with the simulator's settings.
fn generate_imports(sim: &Simulator, dir: &std::path::Path) -> crate::support::terraform::Output {
    let mut cmd = Command::new(provider_binary());
    cmd.arg("generate-imports")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("QUALYS_TOKEN")
        .env("QUALYS_GATEWAY_URL", &sim.url)
        .env("QUALYS_USERNAME", USERNAME)
        .env("QUALYS_PASSWORD", PASSWORD);
    run(cmd, std::time::Duration::from_secs(120))
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn the_jobs_data_source_and_generate_imports_read_listings_with_tag_objects() {
    require_terraform("the_jobs_data_source_and_generate_imports_read_listings_with_tag_objects");
    let sim = Simulator::start_variant(Variant::Strict, &[]);
    let (tag_id, tag_name) = catalog_tag(&sim);
    let created: Vec<String> = block_on(async {
        let (token, http) = (sim.token().await, reqwest::Client::new());
        let mut ids = Vec::new();
        for (name, platform) in [
            ("Tagged A", "Windows"),
            ("Tagged B", "Windows"),
            ("Tagged C", "Linux"),
        ] {
            let job: Value = http
                .post(format!("{}/pm/v1/deploymentjob", sim.url))
                .bearer_auth(&token)
                .header(STRICT_SHAPES.0, STRICT_SHAPES.1)
                .json(
                    &json!({"name": name, "type": "Install", "platform": platform,
                    "scheduleType": "On-demand", "assetTagIds": [tag_id],
                    "exclusionTagIds": [tag_id], "matchAllTagIds": [tag_id]}),
                )
                .send()
                .await
                .expect("create")
                .json()
                .await
                .expect("the created job");
            ids.push(job["id"].as_str().expect("an id").to_owned());
        }
        ids
    });
    let windows = listing(&sim, "Windows");
    assert_eq!(
        windows[0]["tags"],
        json!([{"id": tag_id, "name": tag_name}])
    );
    assert_eq!(windows[0]["exclusionTags"], json!([tag_id]));

    let ws = workspace_for(&sim.url, &password_credentials(USERNAME, PASSWORD), "");
    ws.write(
        "main.tf",
        r#"
data "qualys_deployment_jobs" "windows" {
  platform = "Windows"
}
output "jobs" {
  value = [for j in data.qualys_deployment_jobs.windows.jobs : { id = j.id, name = j.name, updated_at = j.updated_at, description = j.description }]
}
"#,
    );
    apply(&ws, "apply reading the data source");
    let out = ws.run(&["output", "-json", "jobs"]);
    out.expect_success("terraform output");
    let mut jobs: Vec<Value> = serde_json::from_str(&out.stdout).expect("output JSON");
    jobs.sort_by_key(|j| j["name"].as_str().map(str::to_owned));
    assert_eq!(
        jobs,
        [
            json!({"id": created[0], "name": "Tagged A", "updated_at": null, "description": null}),
            json!({"id": created[1], "name": "Tagged B", "updated_at": null, "description": null}),
        ]
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let out = generate_imports(&sim, dir.path());
    out.expect_success("generate-imports");
    for id in &created {
        assert!(
            out.stdout.contains(&format!("id = \"{id}\"")),
            "{id}:\n{}",
            out.stdout
        );
    }
    assert_eq!(out.stdout.matches("import {").count(), 3, "{}", out.stdout);
}

/// The job list without `/summary` answers the summary records, and every 4xx answer of the
/// strict simulator (a method a path does not take included, once an empty 405) has the
/// JSON error body.
#[test]
fn the_list_path_without_summary_answers_and_every_4xx_has_a_json_error_body() {
    let sim = Simulator::start_variant(Variant::Strict, &[]);
    block_on(async {
        let (token, http) = (sim.token().await, reqwest::Client::new());
        let created: Value = http
            .post(format!("{}/pm/v1/deploymentjob", sim.url))
            .bearer_auth(&token)
            .json(
                &json!({"name": "listed", "type": "Install", "platform": "Linux",
                "scheduleType": "On-demand"}),
            )
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("the created job");
        let list: Value = http
            .get(format!(
                "{}/pm/v1/deploymentjobs?platform=Linux&pageSize=5&pageNumber=0",
                sim.url
            ))
            .bearer_auth(&token)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("a JSON list");
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["id"], created["id"]);
        assert!(list[0]["updated"].is_null(), "{list}");

        let job = format!(
            "/pm/v1/deploymentjob/{}",
            created["id"].as_str().unwrap_or_default()
        );
        for (method, path, body, status) in [
            ("PUT", "/pm/v1/deploymentjobs", "", 405),
            ("DELETE", job.as_str(), "", 405),
            ("GET", "/pm/v1/deploymentjob", "", 405),
            ("GET", "/pm/v1/no-such-thing", "", 404),
            ("POST", "/pm/v1/deploymentjob", "not json", 400),
            ("GET", "/pm/v1/deploymentjobs/summary?pageSize=0", "", 400),
            (
                "POST",
                "/pm/v1/deploymentjobs/update/status/Enable",
                "{\"ids\": []}",
                400,
            ),
        ] {
            let answer = http
                .request(
                    method.parse().expect("a method"),
                    format!("{}{path}", sim.url),
                )
                .bearer_auth(&token)
                .body(body)
                .send()
                .await
                .expect("an answer");
            assert_eq!(answer.status().as_u16(), status, "{method} {path}");
            let text = answer.text().await.expect("a body");
            let error: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text:?}"));
            assert!(
                error["_error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{method} {path}: {error}"
            );
        }
    });
}
