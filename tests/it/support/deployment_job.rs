//! Helpers for the `qualys_deployment_job` end-to-end tests: a terraform workspace wired to a
//! simulator, the simulator's request bodies, and out-of-band changes through the client.

use serde_json::Value as Json;
use terraform_provider_qualys::qualys::Job;

use crate::support::simulator::{Simulator, PASSWORD, USERNAME};
use crate::support::terraform::{required_providers, Workspace};

/// A workspace whose provider talks to `sim`, with `main.tf` written.
pub fn workspace(sim: &Simulator, main_tf: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.set_env("QUALYS_GATEWAY_URL", &sim.url)
        .set_env("QUALYS_USERNAME", USERNAME)
        .set_env("QUALYS_PASSWORD", PASSWORD);
    ws.write(
        "provider.tf",
        &format!("{}\nprovider \"qualys\" {{}}\n", required_providers()),
    );
    ws.write("main.tf", main_tf);
    ws
}

/// The bodies of the logged requests with this method whose path starts with `prefix`.
pub fn bodies(sim: &Simulator, method: &str, prefix: &str) -> Vec<Json> {
    sim.requests()
        .into_iter()
        .filter(|r| {
            r["method"] == method && r["path"].as_str().is_some_and(|p| p.starts_with(prefix))
        })
        .map(|r| r["body"].clone())
        .collect()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// The job as the API returns it, or None when it is gone.
pub fn get_job(sim: &Simulator, id: &str) -> Option<Json> {
    block_on(sim.client().get_job(id))
        .expect("get job")
        .map(|j| j.to_json())
}

/// An out-of-band edit: PATCH the job as `edit` changes it.
pub fn edit_job(sim: &Simulator, id: &str, edit: impl FnOnce(&mut Json)) {
    let mut job = get_job(sim, id).expect("job to edit");
    edit(&mut job);
    let job = Job::from_json(job).expect("edited job");
    block_on(sim.client().update_job(id, &job)).expect("out-of-band update");
}

/// An out-of-band delete.
pub fn delete_job(sim: &Simulator, id: &str) {
    block_on(sim.client().delete_jobs(&[id])).expect("out-of-band delete");
}

/// How many jobs the simulator holds, both platforms.
pub fn job_count(sim: &Simulator) -> usize {
    let client = sim.client();
    ["Windows", "Linux"]
        .iter()
        .map(|p| {
            block_on(client.list_jobs(p, None))
                .expect("list jobs")
                .len()
        })
        .sum()
}

/// The attribute values of a resource from `terraform show -json`.
pub fn resource_values(ws: &Workspace, address: &str) -> Json {
    let out = ws.run(&["show", "-json"]);
    out.expect_success("terraform show -json");
    let state: Json = serde_json::from_str(&out.stdout).expect("show -json prints JSON");
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == address))
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("{address} not in the state: {}", out.stdout))
}

/// `terraform plan -detailed-exitcode` finds nothing to change.
pub fn assert_plan_clean(ws: &Workspace, args: &[&str], what: &str) {
    let mut all = vec!["plan", "-detailed-exitcode", "-no-color"];
    all.extend_from_slice(args);
    let out = ws.run(&all);
    assert_eq!(
        out.code,
        Some(0),
        "{what}: the plan is not empty:\n{}",
        out.combined()
    );
}
