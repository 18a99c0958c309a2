//! Job runs and per-asset results: the data sources `qualys_deployment_job_runs` and
//! `qualys_deployment_job_result` end to end (terraform, the provider, the simulator in both
//! variants), the calls each read costs, and the CI gates guide's examples.
//!
//! Expectations come from what the simulator's admin endpoint says it ran (the outcome of
//! each asset), never from the provider's own classification.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::for_each_variant;
use crate::resource_e2e::{block_on, E2e};

/// The first `n` Windows assets and patches of the simulator's catalog.
fn catalog_ids(e: &E2e, n: usize) -> (Vec<String>, Vec<String>) {
    let c = block_on(e.sim.admin_get("/_simulator/catalog"));
    let pick = |k: &str| -> Vec<String> {
        c[k].as_array()
            .unwrap_or_else(|| panic!("/_simulator/catalog has no {k}"))
            .iter()
            .filter(|v| v["platform"] == "Windows")
            .take(n)
            .map(|v| v["id"].as_str().expect("an id").to_owned())
            .collect()
    };
    let (assets, patches) = (pick("assets"), pick("patches"));
    assert_eq!(
        assets.len(),
        n,
        "the catalog should have {n} Windows assets"
    );
    (assets, patches)
}

fn hcl_set(ids: &[String]) -> String {
    serde_json::to_string(ids).expect("JSON of strings is HCL")
}

/// An On-demand Windows job, enabled (so the simulator runs it once, all succeeding).
fn job_hcl(name: &str, assets: &[String], patches: &[String]) -> String {
    format!(
        r#"resource "qualys_deployment_job" "{name}" {{
  name          = "{name}"
  platform      = "Windows"
  schedule_type = "On-demand"
  status        = "Enabled"

  approved_patches = {patches}
  asset_ids        = {assets}
}}
"#,
        patches = hcl_set(&patches[..1]),
        assets = hcl_set(assets),
    )
}

/// Runs job `id` now with the outcomes `spec`; the run the simulator recorded.
fn run_job(e: &E2e, id: &str, spec: Value) -> Value {
    block_on(
        e.sim
            .admin_post(&format!("/_simulator/jobs/{id}/run"), spec),
    )
}

/// The asset IDs the simulator gave `outcome` in `run`.
fn with_outcome(run: &Value, outcome: &str) -> BTreeSet<String> {
    run["assets"]
        .as_array()
        .unwrap_or_else(|| panic!("a run lists its assets: {run}"))
        .iter()
        .filter(|pair| pair[1] == outcome)
        .map(|pair| pair[0].as_str().expect("an asset id").to_owned())
        .collect()
}

fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

fn outputs(e: &E2e) -> Value {
    let out = e.tf(&["output", "-json"]);
    out.expect_success("terraform output -json");
    serde_json::from_str(&out.stdout).expect("output JSON")
}

/// The requests to the runs and result endpoints of `job_id` after `mark`: (runs GETs,
/// result POSTs, result GETs).
fn read_calls(e: &E2e, mark: usize, job_id: &str) -> (usize, usize, usize) {
    let requests = e.job_requests_since(mark);
    let count = |method: &str, suffix: &str| {
        let path = format!("/pm/v1/deploymentjob/{job_id}/{suffix}");
        requests
            .iter()
            .filter(|r| r["method"] == method && r["path"] == path.as_str())
            .count()
    };
    (
        count("GET", "runs"),
        count("POST", "deploymentjobresult/summary"),
        count("GET", "deploymentjobresult/summary"),
    )
}

const READS: &str = r#"
data "qualys_deployment_job_runs" "baseline" {
  job_id = qualys_deployment_job.baseline.id
}

data "qualys_deployment_job_result" "latest" {
  job_id = qualys_deployment_job.baseline.id
}

data "qualys_deployment_job_result" "first" {
  job_id          = qualys_deployment_job.baseline.id
  job_instance_id = data.qualys_deployment_job_runs.baseline.runs[1].job_instance_id
}

data "qualys_deployment_jobs" "baseline" {
  platform   = "Windows"
  name       = "baseline"
  depends_on = [qualys_deployment_job.baseline]
}
"#;

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn ten_assets_two_failed_one_pending_read_as_seven_ninths(variant) {
        let e = E2e::start_variant("ten_assets_two_failed_one_pending_read_as_seven_ninths", variant);
        let (assets, patches) = catalog_ids(&e, 10);
        let job = job_hcl("baseline", &assets, &patches);
        e.config(&job);
        e.apply(&[]);
        let job_id = e.resource("qualys_deployment_job.baseline")["id"]
            .as_str()
            .expect("the job has an id")
            .to_owned();
        // enabling the On-demand job ran it (every asset succeeding); now a run with failures
        let runs = block_on(e.sim.admin_get("/_simulator/jobs"));
        let first = runs[0]["runs"][0].clone();
        assert_eq!(with_outcome(&first, "succeeded").len(), 10, "{first}");
        let run = run_job(&e, &job_id, json!({"failed": 2, "pending": 1}));
        let failed = with_outcome(&run, "failed");
        let pending = with_outcome(&run, "pending");
        assert_eq!((failed.len(), pending.len()), (2, 1), "{run}");

        e.config(&format!("{job}{READS}"));
        e.apply(&[]);
        let state = e.state();
        let latest = &state["data.qualys_deployment_job_result.latest"];
        let ratio = latest["success_ratio"].as_f64().expect("a success ratio");
        assert!((ratio - 7.0 / 9.0).abs() < 1e-9, "success_ratio {ratio}, want 7/9");
        assert_eq!(string_set(&latest["failed_asset_ids"]), failed);
        assert_eq!(string_set(&latest["pending_asset_ids"]), pending);
        assert_eq!(string_set(&latest["succeeded_asset_ids"]).len(), 7);
        assert_eq!(latest["job_instance_id"], run["job_instance_id"]);
        assert_eq!(latest["asset_count"], 10);
        let entries = latest["assets"].as_array().expect("assets");
        assert_eq!(entries.len(), 10);
        for entry in entries {
            let id = entry["id"].as_str().unwrap().to_owned();
            let want = if failed.contains(&id) {
                "failed"
            } else if pending.contains(&id) {
                "pending"
            } else {
                "succeeded"
            };
            assert_eq!(entry["outcome"], want, "{entry}");
            assert!(entry["name"].is_string(), "the catalog's asset name: {entry}");
            assert_eq!(entry["ended_at"].is_null(), want == "pending", "{entry}");
        }

        // the runs, newest first; an earlier run chosen by job_instance_id is that run
        let listed = &state["data.qualys_deployment_job_runs.baseline"];
        let ids: Vec<&Value> = listed["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .map(|r| &r["job_instance_id"])
            .collect();
        assert_eq!(ids, [&run["job_instance_id"], &first["job_instance_id"]]);
        assert_eq!(listed["latest_job_instance_id"], run["job_instance_id"]);
        assert!(listed["runs"][0]["scheduled_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')), "{listed}");
        // the job listing's run facts follow the runs
        let summary = &state["data.qualys_deployment_jobs.baseline"]["jobs"][0];
        let scheduled = listed["runs"][0]["scheduled_at"].as_str().unwrap();
        assert!(
            summary["last_run_at"]
                .as_str()
                .is_some_and(|t| t[..19] == scheduled[..19]),
            "last_run_at {} for the run at {scheduled}",
            summary["last_run_at"]
        );
        let earlier = &state["data.qualys_deployment_job_result.first"];
        assert_eq!(earlier["job_instance_id"], first["job_instance_id"]);
        assert_eq!(earlier["success_ratio"], 1.0);
        assert_eq!(string_set(&earlier["succeeded_asset_ids"]).len(), 10);
        assert!(string_set(&earlier["failed_asset_ids"]).is_empty());
        e.assert_plan_clean(&[], "reading the runs and results");
    }
}

const ONE_OF_EACH: &str = r#"
variable "job_id" {
  type = string
}

data "qualys_deployment_job_runs" "job" {
  job_id = var.job_id
}

data "qualys_deployment_job_result" "job" {
  job_id = var.job_id
}

output "listed" {
  value = length(data.qualys_deployment_job_result.job.assets)
}
"#;

for_each_variant! {
    /// A read costs one call for the runs and one per result page (200 assets); under the
    /// lenient variant (GET only) a process's first result read costs one refused POST more.
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn each_read_costs_one_runs_call_and_one_call_per_result_page(variant) {
        let e = E2e::start_variant("each_read_costs_one_runs_call_and_one_call_per_result_page", variant);
        let (_, patches) = catalog_ids(&e, 1);
        for (count, (size, pages)) in [(10usize, 1usize), (450, 3)].into_iter().enumerate() {
            // assets unknown to the catalog run too (without a name)
            let assets: Vec<String> = (0..size)
                .map(|i| format!("00000000-0000-4000-8000-{:012x}", count * 1000 + i))
                .collect();
            let name = format!("job{size}");
            e.config(&job_hcl(&name, &assets, &patches));
            e.apply(&[]);
            let id = e.resource(&format!("qualys_deployment_job.{name}"))["id"]
                .as_str()
                .unwrap()
                .to_owned();
            // the reading configuration does not manage the job
            e.tf(&["state", "rm", &format!("qualys_deployment_job.{name}")])
                .expect_success("terraform state rm");
            e.config(ONE_OF_EACH);
            let mark = e.mark();
            let out = e.plan(&[("job_id", &id)]);
            assert_ne!(out.code, Some(1), "{}", out.combined());
            let (runs, posts, gets) = read_calls(&e, mark, &id);
            assert_eq!(runs, 1, "one runs call per read");
            let want = match variant {
                Variant::Strict => (pages, 0),
                Variant::Lenient => (1, pages),
            };
            assert_eq!((posts, gets), want, "result calls (POST, GET) for {size} assets");
            e.apply(&[("job_id", &id)]);
            assert_eq!(outputs(&e)["listed"]["value"], size, "every asset once");
        }
    }
}

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn a_job_that_never_ran_has_no_runs_and_no_result(variant) {
        let e = E2e::start_variant("a_job_that_never_ran_has_no_runs_and_no_result", variant);
        let (assets, patches) = catalog_ids(&e, 2);
        let job = job_hcl("idle", &assets, &patches).replace("\"Enabled\"", "\"Disabled\"");
        e.config(&format!(
            "{job}\ndata \"qualys_deployment_job_runs\" \"idle\" {{\n  job_id = qualys_deployment_job.idle.id\n}}\n"
        ));
        e.apply(&[]);
        let runs = e.state()["data.qualys_deployment_job_runs.idle"].clone();
        assert_eq!(runs["runs"], json!([]));
        assert!(runs["latest_job_instance_id"].is_null(), "{runs}");
        let id = runs["job_id"].as_str().unwrap().to_owned();
        // both readings of the never-ran answer under lenient (`[]`, then no entries)
        for _ in 0..2 {
            e.config(&format!(
                "{job}\ndata \"qualys_deployment_job_result\" \"idle\" {{\n  job_id = qualys_deployment_job.idle.id\n}}\n"
            ));
            let out = e.plan(&[]);
            assert_eq!(out.code, Some(1), "{}", out.combined());
            let text = out.squeezed();
            assert!(text.contains("The deployment job has not run"), "{text}");
            assert!(text.contains(&format!("Deployment job {id} has no run yet")), "{text}");
        }
        // a run it does not have
        e.config(&format!(
            "{job}\ndata \"qualys_deployment_job_result\" \"idle\" {{\n  job_id = qualys_deployment_job.idle.id\n  job_instance_id = 42\n}}\n"
        ));
        let out = e.plan(&[]);
        assert_eq!(out.code, Some(1), "{}", out.combined());
        assert!(out.squeezed().contains(&format!("Deployment job {id} has no run with job_instance_id 42")), "{}", out.combined());
    }
}

// ---------------------------------------------------------------------------------------
// The CI gates guide: each example as written, against a job run with failures.

fn guide() -> String {
    std::fs::read_to_string(format!(
        "{}/docs/guides/ci-gates.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("read the guide")
}

/// The guide's terraform block that starts with `# example: {name}`.
fn example(name: &str) -> String {
    let marker = format!("# example: {name}\n");
    guide()
        .split("```terraform\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default())
        .find(|block| block.starts_with(&marker))
        .unwrap_or_else(|| panic!("the guide has no example {name:?}"))
        .to_owned()
}

/// The guide's variable block (its first terraform block).
fn baseline_variable() -> String {
    let guide = guide();
    let block = guide
        .split("```terraform\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a first block");
    assert!(block.contains("variable \"baseline_job_id\""), "{block}");
    block.to_owned()
}

/// A job created outside the configuration (state removed), run with 10 assets of which
/// 2 fail and 1 stays pending; (its ID, the failed assets).
fn baseline_with_failures(e: &E2e) -> (String, BTreeSet<String>) {
    let (assets, patches) = catalog_ids(e, 10);
    e.config(&job_hcl("baseline", &assets, &patches));
    e.apply(&[]);
    let id = e.resource("qualys_deployment_job.baseline")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    e.tf(&["state", "rm", "qualys_deployment_job.baseline"])
        .expect_success("terraform state rm");
    let run = run_job(e, &id, json!({"failed": 2, "pending": 1}));
    (id, with_outcome(&run, "failed"))
}

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn guide_check_block_warns_under_the_threshold(variant) {
        let e = E2e::start_variant("guide_check_block_warns_under_the_threshold", variant);
        let (id, _) = baseline_with_failures(&e);
        e.config(&format!("{}\n{}", baseline_variable(), example("check")));
        let out = e.plan(&[("baseline_job_id", &id)]);
        assert_ne!(out.code, Some(1), "a check only warns: {}", out.combined());
        let text = out.squeezed();
        assert!(text.contains("Warning: Check block assertion failed"), "{text}");
        assert!(
            text.contains("succeeded on 7 of 10 assets (2 failed, 1 pending): under 95%"),
            "{text}"
        );
    }
}

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn guide_postcondition_fails_the_plan_with_its_message(variant) {
        let e = E2e::start_variant("guide_postcondition_fails_the_plan_with_its_message", variant);
        let (id, failed) = baseline_with_failures(&e);
        e.config(&format!("{}\n{}", baseline_variable(), example("postcondition")));
        let out = e.plan(&[("baseline_job_id", &id)]);
        assert_eq!(out.code, Some(1), "{}", out.combined());
        let text = out.squeezed();
        let listed = failed.iter().cloned().collect::<Vec<_>>().join(", ");
        assert!(
            text.contains(&format!("The last run of the baseline job failed on 2 assets: {listed}.")),
            "{text}"
        );
        // a clean run passes the gate
        run_job(&e, &id, json!({}));
        let out = e.plan(&[("baseline_job_id", &id)]);
        assert_ne!(out.code, Some(1), "{}", out.combined());
    }
}

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn guide_retry_job_targets_exactly_the_failed_assets(variant) {
        let e = E2e::start_variant("guide_retry_job_targets_exactly_the_failed_assets", variant);
        let (id, failed) = baseline_with_failures(&e);
        e.config(&format!("{}\n{}", baseline_variable(), example("retry")));
        let mark = e.mark();
        e.apply(&[("baseline_job_id", &id)]);
        let create = e.only_body(mark, "POST", "/pm/v1/deploymentjob");
        assert_eq!(string_set(&create["assetIds"]), failed, "{create}");
        let baseline = e.get_job(&id).expect("the baseline job");
        assert_eq!(create["approvedPatches"], baseline["approvedPatches"]);
        assert_eq!(create["name"], "Retry: baseline");
        e.assert_plan_clean(&[("baseline_job_id", &id)], "the retry job");
    }
}

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn guide_earlier_run_reads_the_previous_run(variant) {
        let e = E2e::start_variant("guide_earlier_run_reads_the_previous_run", variant);
        let (id, _) = baseline_with_failures(&e);
        e.config(&format!("{}\n{}", baseline_variable(), example("earlier run")));
        e.apply(&[("baseline_job_id", &id)]);
        // the previous run is the one enabling the job made: every asset succeeded
        assert_eq!(outputs(&e)["baseline_previous_success_ratio"]["value"], 1.0);
    }
}

for_each_variant! {
    #[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
    fn guide_same_configuration_reads_the_runs_after_the_job_is_enabled(variant) {
        let e = E2e::start_variant("guide_same_configuration_reads_the_runs_after_the_job_is_enabled", variant);
        let (assets, patches) = catalog_ids(&e, 3);
        e.config(&example("same configuration"));
        let vars = [
            ("hotfix_asset_ids", hcl_set(&assets)),
            ("hotfix_patch_ids", hcl_set(&patches[..1])),
        ];
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        e.apply(&vars);
        let jobs = block_on(e.sim.admin_get("/_simulator/jobs"));
        let run_id = &jobs[0]["runs"][0]["job_instance_id"];
        assert!(run_id.is_u64(), "enabling ran the job: {jobs}");
        assert_eq!(&outputs(&e)["hotfix_first_run"]["value"], run_id);
    }
}
