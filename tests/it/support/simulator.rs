//! Runs the `qualys-pm-simulator` binary on 127.0.0.1:0 for a test, and reads what it logged.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use qualys_pm::{Client, ClientConfig, Credentials};
use serde_json::Value;

pub const USERNAME: &str = "qualys";
pub const PASSWORD: &str = "qualys";

/// Which reading of the API's undocumented behaviours a simulator serves (`--variant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Strict,
    Lenient,
}

impl Variant {
    /// The simulator options that select it.
    pub fn args(self) -> &'static [&'static str] {
        match self {
            Variant::Strict => &[],
            Variant::Lenient => &["--variant", "lenient"],
        }
    }
}

/// The header with which test tooling (playing a person using the API) gets the strict
/// answer shapes whatever the variant.
pub const STRICT_SHAPES: (&str, &str) = ("X-Simulator-Variant", "strict");

/// Generates one `#[test]` per simulator variant from one body taking the variant:
/// `for_each_variant! { fn name(variant) { ... } }` makes `name::strict` and `name::lenient`;
/// attributes before `fn` (docs, `cfg_attr(.., ignore)`) go on both.
#[macro_export]
macro_rules! for_each_variant {
    ($(#[$attr:meta])* fn $name:ident($variant:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::support::simulator::Variant;

            fn body($variant: Variant) $body

            $(#[$attr])*
            #[test]
            fn strict() {
                body(Variant::Strict)
            }

            $(#[$attr])*
            #[test]
            fn lenient() {
                body(Variant::Lenient)
            }
        }
    };
}

/// A running simulator, killed when dropped. Its temp dir holds the request log, its
/// stderr (`simulator.stderr`) and, unless given, nothing else.
pub struct Simulator {
    /// e.g. `http://127.0.0.1:41234`
    pub url: String,
    /// One JSON line per request: `{method, path, query, status, body, ms, user_agent}`.
    pub request_log: PathBuf,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl Simulator {
    /// Starts the simulator with default options (user `qualys` / password `qualys`).
    pub fn start() -> Simulator {
        Self::start_with(&[])
    }

    /// Starts the simulator in a variant, with extra command-line options.
    pub fn start_variant(variant: Variant, args: &[&str]) -> Simulator {
        let all: Vec<&str> = variant
            .args()
            .iter()
            .copied()
            .chain(args.iter().copied())
            .collect();
        Self::start_with(&all)
    }

    /// Starts the simulator with extra command-line options, e.g. `["--token-ttl", "2"]`.
    pub fn start_with(args: &[&str]) -> Simulator {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, args)
    }

    /// Starts the simulator keeping its files in `dir` (to restart on the same `--state`).
    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Simulator {
        Self::start_listening(dir, "127.0.0.1:0", args)
    }

    /// Starts the simulator on a given address (e.g. the port of a stopped one, to restart
    /// it where clients expect it), keeping its files in `dir`.
    pub fn start_listening(dir: tempfile::TempDir, listen: &str, args: &[&str]) -> Simulator {
        let request_log = dir.path().join("requests.jsonl");
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("simulator.stderr"))
            .expect("stderr file");
        let mut child = Command::new(crate::support::terraform::simulator_binary())
            .args(["--listen", listen, "--request-log"])
            .arg(&request_log)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start qualys-pm-simulator");
        let stdout = child.stdout.take().expect("simulator stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the simulator's first line");
        let url = match first.trim().strip_prefix("listening on ") {
            Some(url) => url.to_owned(),
            None => {
                let _ = child.kill();
                let err = std::fs::read_to_string(dir.path().join("simulator.stderr"))
                    .unwrap_or_default();
                panic!("simulator did not start: first line {first:?}, stderr: {err}");
            }
        };
        Simulator {
            url,
            request_log,
            dir,
            child,
        }
    }

    /// Stops the simulator and gives back its directory (for a restart on the same state).
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.dir, dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every request logged so far.
    pub fn requests(&self) -> Vec<Value> {
        read_log(&self.request_log)
    }

    /// How many requests matched a method and an exact path.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["method"] == method && r["path"] == path)
            .count()
    }

    /// A client for this simulator with tiny retry delays.
    pub fn client(&self) -> Client {
        Client::new(self.config()).expect("client")
    }

    pub fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            url::Url::parse(&self.url).expect("simulator URL"),
            Credentials::Password {
                username: USERNAME.into(),
                password: PASSWORD.into(),
            },
        );
        config.retry_base_delay = Duration::from_millis(2);
        config.request_timeout = Duration::from_secs(20);
        config
    }

    /// POST to an admin endpoint (`/_simulator/...`).
    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("admin request");
        response.json().await.expect("admin answer")
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("admin request")
            .json()
            .await
            .expect("admin answer")
    }

    /// The jobs the simulator holds, raw (`[{seq, job, chained_job_rule, enabled_at_ms}]`).
    pub async fn stored_jobs(&self) -> Vec<Value> {
        match self.admin_get("/_simulator/jobs").await {
            Value::Array(a) => a,
            other => panic!("unexpected /_simulator/jobs answer {other}"),
        }
    }

    /// Makes the next requests fail with these statuses, before acting.
    pub async fn fail_next(&self, statuses: &[u16]) {
        self.admin_post(
            "/_simulator/faults",
            serde_json::json!({ "fail_next": statuses }),
        )
        .await;
    }

    pub async fn expire_tokens(&self) {
        self.admin_post("/_simulator/expire-tokens", serde_json::json!({}))
            .await;
    }

    /// A bearer token from `/auth`, for raw requests.
    pub async fn token(&self) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/auth", self.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "username={USERNAME}&password={PASSWORD}&token=true&permissions=true"
            ))
            .send()
            .await
            .expect("auth request");
        assert_eq!(response.status().as_u16(), 201);
        response.text().await.expect("token")
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A seed for the simulator's `--fault-seed`: `QUALYS_TEST_FAULT_SEED` when set (to replay a
/// run), else a fresh one. Printed with the test's name, so a failure names the faults that
/// caused it.
pub fn fault_seed(test: &str) -> String {
    let seed = std::env::var("QUALYS_TEST_FAULT_SEED").unwrap_or_else(|_| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        (now.as_nanos() % 1_000_000_007).to_string()
    });
    println!("{test}: fault seed {seed} (QUALYS_TEST_FAULT_SEED={seed} replays it)");
    seed
}

/// An edit made in the UI, behind terraform's back: the simulator's admin edit, which moves
/// the job's `updated.date`.
pub fn edit_in_the_ui(sim: &Simulator, id: &str, change: Value) {
    let answer = crate::support::block_on(async {
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

/// A delete made behind terraform's back, through the API as another tool would (strict
/// answer shapes whatever the variant).
pub fn delete_out_of_band(sim: &Simulator, id: &str) {
    let (status, answer) = crate::support::block_on(async {
        let response = reqwest::Client::new()
            .delete(format!("{}/pm/v1/deploymentjobs", sim.url))
            .bearer_auth(sim.token().await)
            .header(STRICT_SHAPES.0, STRICT_SHAPES.1)
            .json(&serde_json::json!({ "ids": [id] }))
            .send()
            .await
            .expect("out-of-band DELETE");
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.unwrap_or_default())
    });
    assert_eq!(status, 200, "out-of-band DELETE of {id}: {answer}");
    assert_eq!(
        answer[0]["status"], "success",
        "out-of-band DELETE of {id}: {answer}"
    );
}

pub fn read_log(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// A fixture from `tests/fixtures/`, with the elided `.....` scripts of the create sample
/// replaced by valid base64.
pub fn fixture(name: &str) -> Value {
    let text = fixture_text(name);
    let mut value: Value = serde_json::from_str(&text).expect("fixture JSON");
    fix_elided_scripts(&mut value);
    value
}

/// The path of a fixture in `tests/fixtures/`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fixture's text, as committed.
pub fn fixture_text(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn fix_elided_scripts(v: &mut Value) {
    use base64::Engine as _;
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if (k == "script" || k == "detectionScript")
                    && x.as_str().is_some_and(|s| s.contains("....."))
                {
                    *x = Value::String(
                        base64::engine::general_purpose::STANDARD
                            .encode("Write-Output \"Notepad++ is not installed on your machine.\""),
                    );
                } else {
                    fix_elided_scripts(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(fix_elided_scripts),
        _ => {}
    }
}

/// One raw API call with a bearer token, as another tool would make it (no client model):
/// the status and the body (JSON, else its text as a string).
pub async fn send_raw(
    url: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{url}{path}"))
        .bearer_auth(token);
    if let Some(b) = body {
        request = request.json(b);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}
