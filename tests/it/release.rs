//! Release artifacts (`scripts/release.sh`): the registry assets, the provider network mirror
//! terraform installs from over HTTPS, the filesystem mirror built from the same zip, GPG
//! signing, `--version`, and the version the provider reports (User-Agent, startup log).
//!
//! The release script packages the already-built debug binary (`--binary`), so no release
//! build runs inside `cargo test`; `scripts/release.sh VERSION` without `--binary` is the
//! same packaging after a `cargo build --release`.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde_json::{json, Value};
use terraform_provider_qualys::provider::SOURCE_ADDRESS;

use crate::support::https::{StaticHttpsServer, TestCa};
use crate::support::simulator::{Simulator, PASSWORD, USERNAME};
use crate::support::terraform::{platform, provider_binary, require_terraform, run, Workspace};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const RELEASE_TIMEOUT: Duration = Duration::from_secs(300);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn zip_name() -> String {
    format!("terraform-provider-qualys_{VERSION}_{}.zip", platform())
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `scripts/release.sh --binary <the built provider> --dist <dist> VERSION`.
fn release_into(dist: &Path, env: &[(&str, &str)]) -> crate::support::terraform::Output {
    let mut cmd = Command::new(repo().join("scripts/release.sh"));
    cmd.arg("--binary")
        .arg(provider_binary())
        .arg("--dist")
        .arg(dist)
        .arg(VERSION)
        .env_remove("GPG_KEY_ID")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd, RELEASE_TIMEOUT)
}

/// One `dist/` shared by the tests running at the same time (packaging the 150 MB debug
/// binary takes a few seconds); deleted when the last of them is done.
struct Release {
    dir: tempfile::TempDir,
    output: String,
}

impl Release {
    fn shared() -> Arc<Release> {
        static SHARED: Mutex<Weak<Release>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(release) = shared.upgrade() {
            return release;
        }
        let dir = tempfile::Builder::new()
            .prefix("release-it-")
            .tempdir()
            .expect("temp dir");
        let out = release_into(&dir.path().join("dist"), &[]);
        out.expect_success("scripts/release.sh --binary");
        let release = Arc::new(Release {
            dir,
            output: out.combined(),
        });
        *shared = Arc::downgrade(&release);
        release
    }

    fn dist(&self) -> PathBuf {
        self.dir.path().join("dist")
    }

    /// The network mirror's directory for the provider's source address.
    fn mirror_dir(&self) -> PathBuf {
        self.dist().join("mirror").join(SOURCE_ADDRESS)
    }

    fn version_json(&self) -> Value {
        read_json(&self.mirror_dir().join(format!("{VERSION}.json")))
    }

    /// The hashes `VERSION.json` lists for this machine's platform.
    fn mirror_hashes(&self) -> Vec<String> {
        self.version_json()["archives"][platform()]["hashes"]
            .as_array()
            .expect("hashes array")
            .iter()
            .map(|h| h.as_str().expect("hash string").to_owned())
            .collect()
    }

    fn h1(&self) -> String {
        self.mirror_hashes()
            .into_iter()
            .find(|h| h.starts_with("h1:"))
            .expect("an h1: hash")
    }
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Names of the files directly in `dir`.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The member names of a zip, from its central directory (enough of the format to check
/// what the archive holds without a zip library).
pub(crate) fn zip_members(zip: &[u8]) -> Vec<(String, u32)> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]);
    let eocd = zip
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("end of central directory");
    let entries = u16_at(eocd + 10);
    let mut at = u32_at(eocd + 16) as usize;
    let mut members = Vec::new();
    for _ in 0..entries {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02", "central directory entry");
        let name_len = u16_at(at + 28);
        let extra_len = u16_at(at + 30);
        let comment_len = u16_at(at + 32);
        let unix_mode = u32_at(at + 38) >> 16;
        let name = String::from_utf8_lossy(&zip[at + 46..at + 46 + name_len]).into_owned();
        members.push((name, unix_mode));
        at += 46 + name_len + extra_len + comment_len;
    }
    members
}

/// The hashes `.terraform.lock.hcl` records for the provider.
fn locked_hashes(ws: &Workspace) -> Vec<String> {
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl"))
        .expect("terraform init writes .terraform.lock.hcl");
    let block = lock
        .split(&format!("provider \"{SOURCE_ADDRESS}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no block for {SOURCE_ADDRESS} in the lock file:\n{lock}"));
    let squeezed = block.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squeezed.starts_with(&format!("{{ version = \"{VERSION}\"")),
        "the lock file pins {VERSION}:\n{lock}"
    );
    let hashes_list = block
        .split("hashes = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no hashes in the lock file:\n{lock}"));
    hashes_list
        .split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_owned)
        .collect()
}

fn pinned_config(extra: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    qualys = {{ source = \"{SOURCE_ADDRESS}\", version = \"{VERSION}\" }}\n  }}\n}}\n\nprovider \"qualys\" {{}}\n{extra}"
    )
}

/// A workspace installing from the network mirror at `url`, trusting `ca_pem` only.
fn network_mirror_workspace(url: &str, ca_pem: &str) -> Workspace {
    let mut ws = Workspace::bare();
    let ca_file = ws.path().join("mirror-ca.pem");
    std::fs::write(&ca_file, ca_pem).expect("write CA");
    let config = format!(
        "provider_installation {{\n  network_mirror {{\n    url     = \"{url}/\"\n    include = [\"terraform.local/*/*\"]\n  }}\n  direct {{\n    exclude = [\"terraform.local/*/*\"]\n  }}\n}}\n"
    );
    ws.write("mirror.tfrc", &config);
    let cli_config = ws.path().join("mirror.tfrc");
    ws.set_env("TF_CLI_CONFIG_FILE", cli_config.to_str().expect("utf-8"));
    // Go on Linux reads its trusted roots from SSL_CERT_FILE when set (instead of the
    // system's), so terraform trusts the test CA and nothing else.
    ws.set_env("SSL_CERT_FILE", ca_file.to_str().expect("utf-8"));
    ws
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

// ---------- the version the binary reports ----------

#[test]
fn help_prints_the_usage_and_exits_0_and_an_unknown_option_exits_2_with_it() {
    for flag in ["--help", "-h"] {
        let out = Command::new(provider_binary())
            .arg(flag)
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .output()
            .expect("run --help");
        assert!(out.status.success(), "{flag} exits 0: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.starts_with("usage: terraform-provider-qualys"),
            "{flag}: {text}"
        );
        assert!(text.contains("generate-imports"), "{flag}: {text}");
    }
    let out = Command::new(provider_binary())
        .arg("--bogus")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run --bogus");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("usage: terraform-provider-qualys"));
}

#[test]
fn version_flag_prints_the_crate_version_and_the_protocol() {
    let out = Command::new(provider_binary())
        .arg("--version")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run --version");
    assert!(out.status.success(), "--version exits 0: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!("terraform-provider-qualys {VERSION} (Terraform plugin protocol 6, source address {SOURCE_ADDRESS})"),
    );
}

#[tokio::test]
async fn the_user_agent_sent_to_qualys_names_the_provider_version() {
    let sim = Simulator::start();
    sim.client()
        .list_jobs("Windows", None)
        .await
        .expect("list jobs");
    let requests = sim.requests();
    assert!(requests.len() >= 2, "auth and a list: {requests:?}");
    for request in &requests {
        assert_eq!(
            request["user_agent"],
            json!(format!("terraform-provider-qualys/{VERSION}")),
            "{request}"
        );
    }
}

// ---------- the assets ----------

#[test]
fn release_writes_the_registry_assets_and_the_network_mirror() {
    let release = Release::shared();
    let dist = release.dist();
    let sums_name = format!("terraform-provider-qualys_{VERSION}_SHA256SUMS");
    let manifest_name = format!("terraform-provider-qualys_{VERSION}_manifest.json");
    assert_eq!(
        file_names(&dist),
        {
            let mut expected = vec![
                "mirror".to_owned(),
                sums_name.clone(),
                zip_name(),
                manifest_name.clone(),
            ];
            expected.sort();
            expected
        },
        "no signature without GPG_KEY_ID"
    );
    assert!(
        release.output.contains("GPG_KEY_ID is not set") && release.output.contains("NOT signed"),
        "says clearly that nothing was signed:\n{}",
        release.output
    );

    // The manifest declares protocol 6.0, exactly as the registry reads it.
    assert_eq!(
        read_json(&dist.join(&manifest_name)),
        json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );

    // SHA256SUMS: "sha256  name" for every zip and the manifest, each right.
    let sums = std::fs::read_to_string(dist.join(&sums_name)).expect("read SHA256SUMS");
    let listed: BTreeMap<String, String> = sums
        .lines()
        .map(|line| {
            let (hash, name) = line
                .split_once("  ")
                .unwrap_or_else(|| panic!("not 'hash  name': {line:?}"));
            (name.to_owned(), hash.to_owned())
        })
        .collect();
    assert_eq!(
        listed.keys().cloned().collect::<Vec<_>>(),
        vec![zip_name(), manifest_name.clone()]
    );
    for (name, hash) in &listed {
        let bytes = std::fs::read(dist.join(name)).expect("read asset");
        assert_eq!(hash, &sha256_hex(&bytes), "SHA256SUMS line for {name}");
    }

    // The zip holds one executable, named as terraform and the registry expect.
    let zip = std::fs::read(dist.join(zip_name())).expect("read zip");
    assert_eq!(
        zip_members(&zip),
        vec![(format!("terraform-provider-qualys_v{VERSION}"), 0o100755)]
    );

    // The network mirror: index.json lists the version, VERSION.json the archive by a URL
    // relative to itself, with its zh: (sha256 of the zip) and h1: hashes.
    let mirror = release.mirror_dir();
    assert_eq!(
        read_json(&mirror.join("index.json")),
        json!({"versions": {VERSION: {}}})
    );
    let archive = &release.version_json()["archives"][platform()];
    assert_eq!(archive["url"], json!(zip_name()));
    let hashes = release.mirror_hashes();
    assert_eq!(hashes.len(), 2, "{hashes:?}");
    assert!(
        hashes.contains(&format!("zh:{}", sha256_hex(&zip))),
        "{hashes:?}"
    );
    assert!(
        hashes[0].starts_with("h1:") && hashes[0].ends_with('='),
        "{hashes:?}"
    );
    assert_eq!(
        std::fs::read(mirror.join(zip_name())).expect("mirror zip"),
        zip,
        "the mirror serves the same zip"
    );
}

#[test]
fn release_refuses_a_version_that_is_not_the_crates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(repo().join("scripts/release.sh"));
    cmd.args(["--binary"])
        .arg(provider_binary())
        .arg("--dist")
        .arg(dir.path().join("other"))
        .arg("99.0.0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = run(cmd, RELEASE_TIMEOUT);
    assert!(
        !out.success(),
        "a version other than Cargo.toml's is refused"
    );
    assert!(
        out.stderr.contains("99.0.0") && out.stderr.contains("Cargo.toml"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("other").exists(), "nothing written");
}

/// Runs the packager alone (what release.sh calls after building) on `binaries`.
fn package(dist: &Path, version: &str, binaries: &[(&str, &Path)]) {
    let mut cmd = Command::new("python3");
    cmd.arg(repo().join("scripts/release_package.py"))
        .args(["--version", version, "--address", SOURCE_ADDRESS])
        .args(["--protocol", "6.0", "--dist"])
        .arg(dist)
        .args(
            binaries
                .iter()
                .map(|(platform, path)| format!("{platform}={}", path.display())),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    run(cmd, RELEASE_TIMEOUT).expect_success("scripts/release_package.py");
}

#[test]
fn a_mirror_directory_collects_versions_and_a_rerun_leaves_nothing_stale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = dir.path().join("bin");
    std::fs::write(&binary, "#!/bin/sh\n").expect("write");
    let dist = dir.path().join("dist");
    let mirror = dist.join("mirror").join(SOURCE_ADDRESS);
    package(&dist, "1.0.0", &[("linux_amd64", &binary)]);
    package(
        &dist,
        "1.1.0",
        &[("linux_amd64", &binary), ("darwin_arm64", &binary)],
    );
    assert_eq!(
        read_json(&mirror.join("index.json")),
        json!({"versions": {"1.0.0": {}, "1.1.0": {}}})
    );
    // 1.1.0 again, for one platform: its darwin zip leaves the mirror and the checksums.
    package(&dist, "1.1.0", &[("linux_amd64", &binary)]);
    assert_eq!(
        file_names(&mirror),
        vec![
            "1.0.0.json",
            "1.1.0.json",
            "index.json",
            "terraform-provider-qualys_1.0.0_linux_amd64.zip",
            "terraform-provider-qualys_1.1.0_linux_amd64.zip",
        ]
    );
    let archives = read_json(&mirror.join("1.1.0.json"))["archives"].clone();
    assert_eq!(
        archives
            .as_object()
            .map(|a| a.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["linux_amd64".to_owned()])
    );
    let sums = std::fs::read_to_string(dist.join("terraform-provider-qualys_1.1.0_SHA256SUMS"))
        .expect("sums");
    assert!(!sums.contains("darwin"), "{sums}");
    // Windows binaries keep their .exe inside the zip.
    package(&dist, "1.2.0", &[("windows_amd64", &binary)]);
    let zip =
        std::fs::read(dist.join("terraform-provider-qualys_1.2.0_windows_amd64.zip")).expect("zip");
    assert_eq!(
        zip_members(&zip),
        vec![("terraform-provider-qualys_v1.2.0.exe".to_owned(), 0o100755)]
    );
}

#[cfg_attr(tests_without_gpg, ignore = "needs gpg")]
#[test]
fn gpg_key_id_signs_the_checksums() {
    assert!(
        Command::new("gpg").arg("--version").output().is_ok(),
        "gpg_key_id_signs_the_checksums needs gpg, which is not installed (not on PATH). Install \
         it, or set QUALYS_TESTS_WITHOUT_GPG=1 to have this test reported as ignored."
    );
    // A throw-away key in a throw-away keyring (short path: gpg-agent's socket lives there).
    let home = tempfile::Builder::new()
        .prefix("gpg")
        .tempdir_in("/tmp")
        .expect("GNUPGHOME");
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    // gpg starts an agent for the keyring; it is stopped however the test ends.
    struct StopAgent<'a>(&'a Path);
    impl Drop for StopAgent<'_> {
        fn drop(&mut self) {
            let _ = Command::new("gpgconf")
                .args(["--kill", "gpg-agent"])
                .env("GNUPGHOME", self.0)
                .output();
        }
    }
    let _agent = StopAgent(home.path());
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .env("GNUPGHOME", home.path())
            .output()
            .expect("run gpg");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = gpg(&[
        "--quick-generate-key",
        "release test <release@example.invalid>",
        "ed25519",
        "sign",
        "never",
    ]);
    assert!(ok, "generate a key: {text}");
    let (ok, listing) = gpg(&["--with-colons", "--list-secret-keys"]);
    assert!(ok, "{listing}");
    let fingerprint = listing
        .lines()
        .find_map(|l| {
            l.strip_prefix("fpr:")
                .map(|r| r.trim_matches(':').to_owned())
        })
        .expect("the key's fingerprint");

    let dist = home.path().join("dist");
    let out = release_into(
        &dist,
        &[
            ("GPG_KEY_ID", &fingerprint),
            ("GNUPGHOME", home.path().to_str().expect("utf-8")),
        ],
    );
    out.expect_success("release with GPG_KEY_ID");
    let sums = dist.join(format!("terraform-provider-qualys_{VERSION}_SHA256SUMS"));
    let sig = dist.join(format!(
        "terraform-provider-qualys_{VERSION}_SHA256SUMS.sig"
    ));
    let signature = std::fs::read(&sig).expect("the .sig is written");
    assert_ne!(
        signature.first(),
        Some(&b'-'),
        "a binary detached signature, not armored"
    );
    let (ok, text) = gpg(&[
        "--verify",
        sig.to_str().expect("utf-8"),
        sums.to_str().expect("utf-8"),
    ]);
    assert!(ok, "the signature verifies: {text}");

    let mut tampered = std::fs::read_to_string(&sums).expect("sums");
    tampered = tampered.replacen('0', "1", 1);
    std::fs::write(&sums, tampered).expect("tamper");
    let (ok, _) = gpg(&[
        "--verify",
        sig.to_str().expect("utf-8"),
        sums.to_str().expect("utf-8"),
    ]);
    assert!(!ok, "a changed SHA256SUMS no longer verifies");
}

// ---------- terraform installs from them ----------

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn terraform_installs_from_the_network_mirror_then_plans_against_the_simulator() {
    require_terraform(
        "release::terraform_installs_from_the_network_mirror_then_plans_against_the_simulator",
    );
    let release = Release::shared();
    let ca = TestCa::new();
    let server = StaticHttpsServer::start(&release.dist().join("mirror"), &ca);
    let sim = Simulator::start();

    let mut ws = network_mirror_workspace(&server.url, &ca.ca_pem);
    ws.write(
        "main.tf",
        &pinned_config(
            "data \"qualys_deployment_jobs\" \"windows\" {\n  platform = \"Windows\"\n}\n\noutput \"windows_jobs\" {\n  value = length(data.qualys_deployment_jobs.windows.jobs)\n}\n",
        ),
    );
    ws.run(&["init", "-no-color"])
        .expect_success("terraform init from the network mirror");

    // terraform asked the mirror for the index, the version and the archive, all found.
    let base = format!("/{SOURCE_ADDRESS}");
    let requests = server.requests();
    let fetched: Vec<&str> = requests
        .iter()
        .filter_map(|(r, _)| r.strip_prefix("GET "))
        .collect();
    assert_eq!(
        fetched,
        vec![
            format!("{base}/index.json"),
            format!("{base}/{VERSION}.json"),
            format!("{base}/{}", zip_name()),
        ]
    );
    assert!(
        requests.iter().all(|(_, status)| *status == 200),
        "{requests:?}"
    );

    // The lock file records the package hash, and it is the mirror's h1: (terraform
    // computed it from what it unpacked, so the release's h1: is right).
    let locked = locked_hashes(&ws);
    let published = release.mirror_hashes();
    assert!(
        locked.contains(&release.h1()),
        "lock {locked:?}, mirror {published:?}"
    );
    assert!(
        locked.iter().all(|h| published.contains(h)),
        "lock {locked:?}, mirror {published:?}"
    );

    // What the README tells teams on several platforms to run: `providers lock` against the
    // mirror records the hashes of each platform asked for (here the one there is).
    let lock = ws.run(&[
        "providers",
        "lock",
        "-no-color",
        &format!("-net-mirror={}/", server.url),
        &format!("-platform={}", platform()),
        SOURCE_ADDRESS,
    ]);
    lock.expect_success("terraform providers lock -net-mirror");
    assert!(
        lock.squeezed().contains("(verified checksum)"),
        "{}",
        lock.combined()
    );
    assert_eq!(
        locked_hashes(&ws),
        locked,
        "the same hash for the same package"
    );

    let installed = ws
        .path()
        .join(".terraform/providers")
        .join(SOURCE_ADDRESS)
        .join(VERSION)
        .join(platform());
    assert_eq!(
        file_names(&installed),
        vec![format!("terraform-provider-qualys_v{VERSION}")]
    );

    // The installed provider plans against the simulator; it logs its version at startup
    // and names it in the User-Agent.
    ws.set_env("QUALYS_GATEWAY_URL", &sim.url)
        .set_env("QUALYS_USERNAME", USERNAME)
        .set_env("QUALYS_PASSWORD", PASSWORD);
    let log = ws.path().join("terraform.log");
    let plan = ws.run_with_env(
        &["plan", "-no-color"],
        &[
            ("TF_LOG_PROVIDER", "info"),
            ("TF_LOG_PATH", log.to_str().expect("utf-8")),
        ],
    );
    plan.expect_success("terraform plan with the mirror-installed provider");
    assert!(
        plan.squeezed().contains("windows_jobs = 0"),
        "{}",
        plan.stdout
    );
    let log = std::fs::read_to_string(&log).expect("terraform log");
    let started = log
        .lines()
        .find(|l| l.contains("starting terraform-provider-qualys"))
        .unwrap_or_else(|| panic!("no startup line in the provider log:\n{log}"));
    assert!(
        started.contains(&format!("version={VERSION}")) && started.contains("protocol_version=6"),
        "{started}"
    );
    let user_agents: Vec<Value> = sim
        .requests()
        .iter()
        .map(|r| r["user_agent"].clone())
        .collect();
    assert!(!user_agents.is_empty(), "the plan read from the simulator");
    assert!(
        user_agents
            .iter()
            .all(|ua| ua == &json!(format!("terraform-provider-qualys/{VERSION}"))),
        "{user_agents:?}"
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_tampered_zip_on_the_mirror_fails_terraform_init_on_the_checksum() {
    require_terraform("release::a_tampered_zip_on_the_mirror_fails_terraform_init_on_the_checksum");
    let release = Release::shared();
    // A copy of the mirror whose zip was swapped for another valid provider package (a
    // different program under the same name), its VERSION.json left as released.
    let work = tempfile::tempdir().expect("temp dir");
    let served = work.path().join("mirror");
    copy_dir(&release.dist().join("mirror"), &served);
    let impostor = work.path().join("impostor");
    std::fs::write(&impostor, "#!/bin/sh\necho 'not the provider'\nexit 1\n").expect("write");
    std::fs::set_permissions(&impostor, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    package(
        &work.path().join("impostor-dist"),
        VERSION,
        &[(&platform(), &impostor)],
    );
    let mirror_zip = served.join(SOURCE_ADDRESS).join(zip_name());
    std::fs::copy(
        work.path().join("impostor-dist").join(zip_name()),
        &mirror_zip,
    )
    .expect("swap");

    let ca = TestCa::new();
    let server = StaticHttpsServer::start(&served, &ca);
    let ws = network_mirror_workspace(&server.url, &ca.ca_pem);
    ws.write("main.tf", &pinned_config(""));
    let init = ws.run(&["init", "-no-color"]);
    assert!(!init.success(), "init must fail:\n{}", init.combined());
    let said = init.squeezed();
    assert!(
        said.contains("Failed to install provider") && said.contains("expected checksums"),
        "init names the checksum mismatch:\n{}",
        init.combined()
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|(r, _)| r == &format!("GET /{SOURCE_ADDRESS}/{}", zip_name())),
        "terraform downloaded the tampered zip"
    );
    assert!(
        !ws.path()
            .join(".terraform/providers")
            .join(SOURCE_ADDRESS)
            .join(VERSION)
            .join(platform())
            .exists(),
        "nothing is installed"
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn terraform_installs_the_same_zip_from_a_filesystem_mirror() {
    require_terraform("release::terraform_installs_the_same_zip_from_a_filesystem_mirror");
    let release = Release::shared();
    let zip = release.dist().join(zip_name());

    // The packed layout `terraform providers mirror` writes (it downloads from origin
    // registries only, so it cannot be pointed at the network mirror; its layout is
    // HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip), built from the
    // release zip as-is.
    let mut fs_ws = Workspace::bare();
    let packed = fs_ws.path().join("fs-mirror").join(SOURCE_ADDRESS);
    std::fs::create_dir_all(&packed).expect("mkdir");
    std::fs::copy(&zip, packed.join(zip_name())).expect("copy zip");
    let config = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"terraform.local/*/*\"]\n  }}\n  direct {{\n    exclude = [\"terraform.local/*/*\"]\n  }}\n}}\n",
        fs_ws.path().join("fs-mirror").display()
    );
    fs_ws.write("fs.tfrc", &config);
    let cli_config = fs_ws.path().join("fs.tfrc");
    fs_ws.set_env("TF_CLI_CONFIG_FILE", cli_config.to_str().expect("utf-8"));
    fs_ws.write("main.tf", &pinned_config(""));
    fs_ws
        .run(&["init", "-no-color"])
        .expect_success("terraform init from the filesystem mirror");
    let locked = locked_hashes(&fs_ws);
    assert!(locked.contains(&release.h1()), "lock {locked:?}");
    fs_ws
        .run(&["validate", "-no-color"])
        .expect_success("terraform validate with the provider from the filesystem mirror");
}
