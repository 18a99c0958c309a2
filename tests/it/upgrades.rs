//! Upgrades never break a state: a state written by an earlier version of the provider plans
//! clean with this one (no change, no API write), and an apply rewrites it in the current
//! schema version without touching a job.
//!
//! Each fixture under `tests/fixtures/upgrades/<version>/` is what an earlier build left
//! after `terraform apply` of `tests/fixtures/upgrades/main.tf` against its own simulator:
//! `terraform-state.json` (terraform's state file) and `simulator-state.json` (that
//! simulator's `--state` file, so that the same jobs, with the same IDs, exist again). How
//! they were made, and how to add one: `tests/fixtures/upgrades/README.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::resource_e2e::E2e;
use crate::support::simulator::PASSWORD;

/// `tests/fixtures/upgrades/`: the configuration, and one directory per earlier version.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrades")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `address -> id` of every resource instance in a terraform state file.
fn ids_in_state(state: &Value) -> Vec<(String, String)> {
    let resources = state["resources"].as_array().expect("state resources");
    resources
        .iter()
        .flat_map(|r| {
            let address = format!(
                "{}.{}",
                r["type"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default()
            );
            r["instances"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |i| {
                    let id = i["attributes"]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    (address.clone(), id)
                })
        })
        .collect()
}

/// The `schema_version` of every resource instance in a terraform state file.
fn schema_versions(state: &Value) -> BTreeSet<i64> {
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["instances"].as_array().into_iter().flatten())
        .map(|i| i["schema_version"].as_i64().expect("schema_version"))
        .collect()
}

/// `METHOD path` of every logged request since `mark` (all of them, `/auth` included).
fn calls_since(e: &E2e, mark: usize) -> Vec<String> {
    e.sim
        .requests()
        .iter()
        .skip(mark)
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap_or_default(),
                r["path"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// Restores the fixture of `version` (its jobs in a fresh simulator, its state in a fresh
/// workspace), then: plan (no change, reads only), apply (nothing added, changed or destroyed,
/// no write; the state now in the current schema version, the same jobs) and plan again.
fn plans_clean(version: &str) {
    let test = format!("state_written_by_{version}_plans_clean");
    let dir = fixtures().join(version);
    let old_state: Value = serde_json::from_str(&read(&dir.join("terraform-state.json")))
        .expect("the fixture's terraform state is JSON");
    let old_ids = ids_in_state(&old_state);
    assert!(
        old_ids.len() >= 6,
        "{version}: the fixture holds {old_ids:?}"
    );

    // the simulator rewrites its --state file: give it a copy
    let jobs = tempfile::tempdir().expect("temp dir");
    let jobs_file = jobs.path().join("simulator-state.json");
    std::fs::copy(dir.join("simulator-state.json"), &jobs_file).expect("copy simulator state");
    let e = E2e::start_with(
        &test,
        &["--state", jobs_file.to_str().expect("utf-8 path")],
        PASSWORD,
    );
    let server_ids: BTreeSet<String> = e
        .server_jobs()
        .iter()
        .map(|stored| stored["job"]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    for (address, id) in &old_ids {
        assert!(
            server_ids.contains(id),
            "{version}: {address}'s job {id} is not in the simulator restored from the fixture"
        );
    }
    e.ws.write("main.tf", &read(&fixtures().join("main.tf")));
    e.ws.write(
        "terraform.tfstate",
        &read(&dir.join("terraform-state.json")),
    );

    let mark = e.mark();
    let plan = e.plan(&[]);
    assert_eq!(
        plan.code,
        Some(0),
        "{version}: the state written by {version} must plan without changes:\n{}",
        plan.combined()
    );
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    assert_eq!(
        e.writes_since(mark),
        Vec::<String>::new(),
        "{version}: plan wrote"
    );
    eprintln!("{version}: plan calls {:?}", calls_since(&e, mark));

    let mark = e.mark();
    let apply = e.apply(&[]);
    assert!(
        apply.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{version}: {}",
        apply.stdout
    );
    assert_eq!(
        e.writes_since(mark),
        Vec::<String>::new(),
        "{version}: apply wrote"
    );
    eprintln!("{version}: apply calls {:?}", calls_since(&e, mark));

    let new_state: Value = serde_json::from_str(&read(&e.ws.path().join("terraform.tfstate")))
        .expect("terraform's state is JSON");
    assert_eq!(
        ids_in_state(&new_state),
        old_ids,
        "{version}: the same jobs"
    );
    let schemas = e.tf(&["providers", "schema", "-json"]);
    schemas.expect_success("terraform providers schema -json");
    let schemas: Value = serde_json::from_str(&schemas.stdout).expect("schema JSON");
    let current = schemas["provider_schemas"]["terraform.local/qualys/qualys"]["resource_schemas"]
        ["qualys_deployment_job"]["version"]
        .as_i64()
        .expect("the resource's schema version");
    assert_eq!(
        schema_versions(&new_state),
        BTreeSet::from([current]),
        "{version}: the apply stores every instance in the current schema version"
    );
    e.assert_plan_clean(&[], &format!("{version}: after the apply"));
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn state_written_by_0_1_0_plans_clean() {
    plans_clean("0.1.0");
}

/// The last commit of main before issue 26 (protocol 6.10, resource identity).
#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn state_written_by_374b3b0_plans_clean() {
    plans_clean("374b3b0");
}
