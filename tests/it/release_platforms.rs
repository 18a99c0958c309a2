//! What the release workflow (`.github/workflows/release.yml`) asks of `scripts/release.sh`:
//! binaries built on other machines, one per platform (`--binary OS_ARCH=PATH`), packaged
//! in one run into the registry assets and the network mirror. The binaries of the other
//! platforms are small stand-in files here: another platform's binary cannot run on this
//! machine, so the script takes it as it is.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::release::zip_members;
use crate::support::terraform::{platform, run, Output};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The six platforms the release workflow builds.
const PLATFORMS: [&str; 6] = [
    "linux_amd64",
    "linux_arm64",
    "darwin_amd64",
    "darwin_arm64",
    "windows_amd64",
    "windows_arm64",
];

fn release(dist: &Path, binaries: &[String]) -> Output {
    let mut cmd = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"));
    for spec in binaries {
        cmd.args(["--binary", spec]);
    }
    cmd.arg("--dist")
        .arg(dist)
        .arg(VERSION)
        .env_remove("GPG_KEY_ID")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    run(cmd, Duration::from_secs(120))
}

/// A stand-in binary for `platform` in `dir`.
fn stand_in(dir: &Path, platform: &str) -> String {
    let path = dir.join(format!("built-for-{platform}"));
    std::fs::write(&path, format!("provider binary for {platform}\n")).expect("write");
    format!("{platform}={}", path.display())
}

#[test]
fn binaries_built_elsewhere_are_packaged_for_every_platform_in_one_run() {
    // this machine's platform is left out: its binary would have to report VERSION
    let others: Vec<&str> = PLATFORMS.into_iter().filter(|p| *p != platform()).collect();
    let built = tempfile::tempdir().expect("temp dir");
    let binaries: Vec<String> = others.iter().map(|p| stand_in(built.path(), p)).collect();
    let dist = tempfile::tempdir().expect("temp dir");
    release(dist.path(), &binaries).expect_success("scripts/release.sh --binary OS_ARCH=PATH");

    let sums = std::fs::read_to_string(
        dist.path()
            .join(format!("terraform-provider-qualys_{VERSION}_SHA256SUMS")),
    )
    .expect("SHA256SUMS");
    let mirror = dist.path().join("mirror/terraform.local/qualys/qualys");
    let version_json: Value = serde_json::from_str(
        &std::fs::read_to_string(mirror.join(format!("{VERSION}.json"))).expect("VERSION.json"),
    )
    .expect("VERSION.json is JSON");
    for p in &others {
        let zip = format!("terraform-provider-qualys_{VERSION}_{p}.zip");
        assert!(
            sums.contains(&format!("  {zip}\n")),
            "{zip} not in SHA256SUMS:\n{sums}"
        );
        assert!(mirror.join(&zip).is_file(), "{zip} not on the mirror");
        assert_eq!(
            version_json["archives"][p]["url"],
            zip.as_str(),
            "{version_json}"
        );
        let member = format!(
            "terraform-provider-qualys_v{VERSION}{}",
            if p.starts_with("windows_") {
                ".exe"
            } else {
                ""
            }
        );
        let bytes = std::fs::read(dist.path().join(&zip)).expect("read the zip");
        assert_eq!(zip_members(&bytes), [(member, 0o100755)], "{zip}");
    }
    assert_eq!(
        version_json["archives"].as_object().map(|a| a.len()),
        Some(others.len()),
        "{version_json}"
    );
}

#[test]
fn two_binaries_for_one_platform_or_a_missing_one_are_refused_before_anything_is_written() {
    let built = tempfile::tempdir().expect("temp dir");
    let dist = tempfile::tempdir().expect("temp dir");
    let out_dir = dist.path().join("dist");
    let twice = [
        stand_in(built.path(), "windows_arm64"),
        stand_in(built.path(), "windows_arm64"),
    ];
    let out = release(&out_dir, &twice);
    assert!(!out.success(), "{}", out.combined());
    assert!(
        out.stderr.contains("two binaries for windows_arm64"),
        "{}",
        out.stderr
    );

    let missing = ["darwin_arm64=/nonexistent/terraform-provider-qualys".to_owned()];
    let out = release(&out_dir, &missing);
    assert!(!out.success(), "{}", out.combined());
    assert!(
        out.stderr
            .contains("/nonexistent/terraform-provider-qualys (darwin_arm64) is not a file"),
        "{}",
        out.stderr
    );
    assert!(!out_dir.exists(), "nothing written");
}
