// Helpers for later tests too; not every one is used by every area yet.
#![allow(dead_code)]

//! Running the real terraform CLI against the freshly built provider.
//!
//! A `Workspace` is a temp dir with a CLI configuration whose `dev_overrides` point
//! `terraform.local/qualys/qualys` at the directory of the built binary. With dev_overrides
//! `terraform init` is neither needed nor possible offline (it still queries the registry),
//! so commands are run directly: `plan`, `apply`, `validate`, `providers schema`, ...
//!
//! Tests that need terraform call `terraform_or_skip("test name")` first: when terraform
//! is not installed it prints a loud SKIPPED line and the test returns.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The provider's source address.
pub const SOURCE: &str = "terraform.local/qualys/qualys";

/// Every terraform command is killed after this long.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

/// Variables that must not leak from the developer's shell into the tests' terraform.
const SCRUBBED_ENV: &[&str] = &[
    "TF_CLI_CONFIG_FILE",
    "TF_LOG",
    "TF_LOG_PROVIDER",
    "TF_LOG_CORE",
    "TF_LOG_PATH",
    "TF_REATTACH_PROVIDERS",
    "TF_PLUGIN_CACHE_DIR",
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_CLI_ARGS",
    "TF_DISABLE_PLUGIN_TLS",
    "QUALYS_GATEWAY_URL",
    "QUALYS_USERNAME",
    "QUALYS_PASSWORD",
    "QUALYS_TOKEN",
    "QUALYS_CA_CERT_FILE",
];

/// terraform's platform name for this machine, e.g. `linux_amd64`.
pub fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// The built provider binary (cargo builds it for integration tests).
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-qualys"))
}

/// The simulator's binary, beside the provider's: it belongs to the `qualys-pm-simulator`
/// crate, which `cargo test` at the root builds too (it is a default member of the workspace).
pub fn simulator_binary() -> PathBuf {
    let path = provider_binary().with_file_name(format!(
        "qualys-pm-simulator{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        path.exists(),
        "{} is missing: run the tests from the repository root with `cargo test` (which builds \
         every crate of the workspace), or build it with `cargo build -p qualys-pm-simulator`",
        path.display()
    );
    path
}

/// `terraform version`'s first line, or None if terraform cannot be run.
pub fn terraform_version() -> Option<&'static str> {
    static VERSION: OnceLock<Option<String>> = OnceLock::new();
    VERSION
        .get_or_init(|| {
            let out = Command::new("terraform")
                .arg("version")
                .env("CHECKPOINT_DISABLE", "1")
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&out.stdout);
            out.status
                .success()
                .then(|| text.lines().next().unwrap_or_default().to_owned())
        })
        .as_deref()
}

/// True if terraform is available; otherwise prints a loud SKIPPED line for `test`.
pub fn terraform_or_skip(test: &str) -> bool {
    if terraform_version().is_some() {
        return true;
    }
    // Written to the real stderr, not through `eprintln!`, which the test harness captures.
    let _ = writeln!(
        std::io::stderr(),
        "\n=== SKIPPED {test}: terraform is not installed (not on PATH); this test needs the real terraform CLI ===\n"
    );
    false
}

/// The `required_providers` block every configuration needs.
pub fn required_providers() -> String {
    format!("terraform {{\n  required_providers {{\n    qualys = {{ source = \"{SOURCE}\" }}\n  }}\n}}\n")
}

/// A CLI configuration with `dev_overrides` for the provider in `provider_dir`.
pub fn dev_overrides_cli_config(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        provider_dir.display()
    )
}

/// What a terraform command did.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout then stderr, for matching messages wherever terraform put them.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// `combined()` with every run of whitespace as one space: terraform wraps long
    /// messages and aligns source snippets, so phrases are matched on this.
    pub fn squeezed(&self) -> String {
        self.combined()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Panics with the full output if the command failed.
    pub fn expect_success(&self, what: &str) -> &Self {
        assert!(
            self.success(),
            "{what} failed ({:?}):\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A temp directory holding a terraform configuration and the CLI config to run it with.
pub struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// A workspace whose terraform finds the built provider through `dev_overrides`.
    pub fn new() -> Workspace {
        let provider_dir = provider_binary()
            .parent()
            .expect("binary dir")
            .to_path_buf();
        let mut ws = Workspace::bare();
        ws.use_cli_config(&dev_overrides_cli_config(&provider_dir));
        ws
    }

    /// A workspace whose terraform installs the built provider with `terraform init` from a
    /// filesystem mirror in the workspace (unpacked layout
    /// `mirror/terraform.local/qualys/qualys/<version>/linux_amd64/terraform-provider-qualys_v<version>`,
    /// the binary symlinked). Configurations must pin `version`.
    pub fn with_filesystem_mirror(version: &str) -> Workspace {
        let mut ws = Workspace::bare();
        let mirror = ws.path().join("mirror");
        let package = mirror.join(SOURCE).join(version).join(platform());
        std::fs::create_dir_all(&package).expect("mirror dirs");
        std::os::unix::fs::symlink(
            provider_binary(),
            package.join(format!("terraform-provider-qualys_v{version}")),
        )
        .expect("link the provider into the mirror");
        let host_pattern = format!("{}/*/*", SOURCE.split('/').next().unwrap_or_default());
        ws.use_cli_config(&format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{host_pattern}\"]\n  }}\n  direct {{\n    exclude = [\"{host_pattern}\"]\n  }}\n}}\n",
            mirror.display()
        ));
        ws
    }

    /// A workspace without any CLI configuration (e.g. for TF_REATTACH_PROVIDERS).
    pub fn bare() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("tf-it-")
            .tempdir()
            .expect("temp dir");
        Workspace {
            dir,
            env: Vec::new(),
        }
    }

    /// Writes `contents` as the workspace's terraform CLI configuration and points
    /// `TF_CLI_CONFIG_FILE` at it.
    fn use_cli_config(&mut self, contents: &str) {
        let cli_config = self.path().join("cli.tfrc");
        std::fs::write(&cli_config, contents).expect("write CLI config");
        self.set_env(
            "TF_CLI_CONFIG_FILE",
            cli_config.to_str().expect("utf-8 path"),
        );
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (e.g. `main.tf`) into the workspace.
    pub fn write(&self, name: &str, contents: &str) -> &Self {
        std::fs::write(self.dir.path().join(name), contents).expect("write workspace file");
        self
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Runs `terraform <args>` in the workspace, with the scrubbed environment plus the
    /// workspace's variables plus `extra_env`.
    pub fn run_with_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        run(self.command(args, extra_env), COMMAND_TIMEOUT)
    }

    /// The command `run_with_env` runs, for tests that need to control the process (signals).
    pub fn command(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new("terraform");
        cmd.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for key in SCRUBBED_ENV {
            cmd.env_remove(key);
        }
        cmd.env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(args, &[])
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs a command to completion (killed after `timeout`), capturing its output.
pub fn run(mut cmd: Command, timeout: Duration) -> Output {
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        match child.try_wait().expect("wait for command") {
            Some(status) => break Some(status),
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let output = Output {
        code: status.and_then(|s| s.code()),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        elapsed: started.elapsed(),
    };
    assert!(
        status.is_some(),
        "{cmd:?} timed out after {timeout:?}:\n{}",
        output.combined()
    );
    output
}
