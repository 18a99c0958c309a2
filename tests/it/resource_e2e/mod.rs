//! `qualys_deployment_job` end to end: the real terraform CLI, the built provider (through
//! `dev_overrides`) and a fresh `qualys-pm-simulator` per test, each in its own temp dir.
//!
//! What is asserted is what a user sees: plan/apply output and exit codes, the state
//! (`terraform show -json`), and the requests the simulator received (its request log).

mod lifecycle;
mod samples;
mod schema;
mod validation;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::simulator::{Simulator, Variant, PASSWORD, STRICT_SHAPES, USERNAME};
use crate::support::terraform::{require_terraform, required_providers, Output, Workspace};

/// The HCL of the seed samples (`tests/it/hcl/`).
pub fn sample_hcl(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/hcl")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// One test's world: a simulator and a terraform workspace pointed at it.
pub struct E2e {
    pub sim: Simulator,
    pub ws: Workspace,
}

impl E2e {
    /// Fails the test, saying why, when terraform is not installed.
    pub fn start(test: &str) -> E2e {
        Self::start_with(test, &[], PASSWORD)
    }

    /// Against a simulator serving one reading of the undocumented behaviours.
    pub fn start_variant(test: &str, variant: Variant) -> E2e {
        Self::start_in(test, variant, &[], PASSWORD)
    }

    /// With extra simulator options; `password` must match its `--password` (if given).
    pub fn start_with(test: &str, simulator_args: &[&str], password: &str) -> E2e {
        Self::start_in(test, Variant::Strict, simulator_args, password)
    }

    fn start_in(test: &str, variant: Variant, simulator_args: &[&str], password: &str) -> E2e {
        require_terraform(&format!("{test} ({variant:?})"));
        let sim = Simulator::start_variant(variant, simulator_args);
        let mut ws = Workspace::new();
        ws.set_env("QUALYS_GATEWAY_URL", &sim.url)
            .set_env("QUALYS_USERNAME", USERNAME)
            .set_env("QUALYS_PASSWORD", password);
        E2e { sim, ws }
    }

    /// Writes `main.tf`: the provider requirements, an empty provider block (credentials come
    /// from the environment) and `resources`.
    pub fn config(&self, resources: &str) -> &Self {
        self.ws.write(
            "main.tf",
            &format!(
                "{}\nprovider \"qualys\" {{}}\n\n{resources}",
                required_providers()
            ),
        );
        self
    }

    pub fn tf(&self, args: &[&str]) -> Output {
        self.ws.run(args)
    }

    /// `terraform apply -auto-approve` with `-var` arguments; panics if it fails.
    pub fn apply(&self, vars: &[(&str, &str)]) -> Output {
        let out = self.try_apply(vars);
        out.expect_success("terraform apply");
        out
    }

    pub fn try_apply(&self, vars: &[(&str, &str)]) -> Output {
        let var_args: Vec<String> = vars.iter().map(|(k, v)| format!("-var={k}={v}")).collect();
        let mut args = vec!["apply", "-auto-approve", "-no-color", "-input=false"];
        args.extend(var_args.iter().map(String::as_str));
        self.tf(&args)
    }

    /// `terraform plan -detailed-exitcode`: exit code 0 = no changes, 2 = changes, 1 = error.
    pub fn plan(&self, vars: &[(&str, &str)]) -> Output {
        let var_args: Vec<String> = vars.iter().map(|(k, v)| format!("-var={k}={v}")).collect();
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        args.extend(var_args.iter().map(String::as_str));
        self.tf(&args)
    }

    /// Asserts that `terraform plan` shows no changes.
    pub fn assert_plan_clean(&self, vars: &[(&str, &str)], what: &str) {
        let out = self.plan(vars);
        assert_eq!(
            out.code,
            Some(0),
            "{what}: expected `terraform plan` to show no changes:\n{}",
            out.combined()
        );
        assert!(out.stdout.contains("No changes."), "{what}: {}", out.stdout);
    }

    /// The state's resources by address (`qualys_deployment_job.sample` -> its values).
    pub fn state(&self) -> BTreeMap<String, Value> {
        let out = self.tf(&["show", "-json"]);
        out.expect_success("terraform show -json");
        let json: Value = serde_json::from_str(&out.stdout).expect("show -json prints JSON");
        json["values"]["root_module"]["resources"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| {
                        (
                            r["address"].as_str().unwrap_or_default().to_owned(),
                            r["values"].clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One resource's values in the state.
    pub fn resource(&self, address: &str) -> Value {
        self.state()
            .remove(address)
            .unwrap_or_else(|| panic!("{address} is not in the state"))
    }

    /// How many requests the simulator has logged so far (a mark for `requests_since`).
    pub fn mark(&self) -> usize {
        self.sim.requests().len()
    }

    /// The PM API requests (not `/auth`, not admin) logged after `mark`.
    pub fn job_requests_since(&self, mark: usize) -> Vec<Value> {
        self.sim
            .requests()
            .into_iter()
            .skip(mark)
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/pm/")))
            .collect()
    }

    /// `METHOD path` of each PM API request after `mark`, reads (GET) left out.
    pub fn writes_since(&self, mark: usize) -> Vec<String> {
        self.job_requests_since(mark)
            .iter()
            .filter(|r| r["method"] != "GET")
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap_or_default(),
                    r["path"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }

    /// The body of the only request `method path` after `mark`.
    pub fn only_body(&self, mark: usize, method: &str, path: &str) -> Value {
        let matching: Vec<Value> = self
            .job_requests_since(mark)
            .into_iter()
            .filter(|r| r["method"] == method && r["path"] == path)
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "expected exactly one {method} {path}, got {}: {matching:#?}",
            matching.len()
        );
        matching[0]["body"].clone()
    }

    /// The jobs the simulator holds, as GET returns them.
    pub fn server_jobs(&self) -> Vec<Value> {
        block_on(self.sim.stored_jobs())
    }

    /// A job as `GET /pm/v1/deploymentjob/{id}` returns it (None if 404).
    pub fn get_job(&self, id: &str) -> Option<Value> {
        let (status, body) = self.api(
            reqwest::Method::GET,
            &format!("/pm/v1/deploymentjob/{id}"),
            None,
        );
        (status == 200).then_some(body)
    }

    /// A raw PM API call with a fresh token, as another tool (or a person) would make it,
    /// answered in the strict shapes whatever the simulator's variant (a soft-deleted job is
    /// a 404 here).
    pub fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        block_on(async {
            let token = self.sim.token().await;
            let mut request = reqwest::Client::new()
                .request(method, format!("{}{path}", self.sim.url))
                .header(STRICT_SHAPES.0, STRICT_SHAPES.1)
                .bearer_auth(token);
            if let Some(b) = body {
                request = request.json(&b);
            }
            let response = request.send().await.expect("simulator request");
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        })
    }

    /// Edits a job behind terraform's back: GET, change, PATCH (as the Qualys UI would).
    pub fn edit_out_of_band(&self, id: &str, change: impl FnOnce(&mut Value)) {
        let mut job = self.get_job(id).expect("job to edit");
        change(&mut job);
        let (status, answer) = self.api(
            reqwest::Method::PATCH,
            &format!("/pm/v1/deploymentjob/update/{id}"),
            Some(job),
        );
        assert_eq!(status, 200, "out-of-band PATCH: {answer}");
    }

    /// Deletes a job behind terraform's back.
    pub fn delete_out_of_band(&self, id: &str) {
        crate::support::simulator::delete_out_of_band(&self.sim, id);
    }
}

pub use crate::support::block_on;

/// The text of a base64 value (panics if it is not base64 of UTF-8).
pub fn decode_b64(s: &str) -> String {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_else(|e| panic!("{s:?} is not base64: {e}"));
    String::from_utf8(bytes).expect("base64 of UTF-8 text")
}
