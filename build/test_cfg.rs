//! The cfg `tests_without_terraform`, set when the tests are built with
//! `QUALYS_TESTS_WITHOUT_TERRAFORM=1`: the tests that need the terraform CLI are then reported
//! as ignored instead of failing. Likewise `tests_without_gpg` (`QUALYS_TESTS_WITHOUT_GPG=1`)
//! for the release test that signs with gpg. The provider package's build script (the proto build
//! lives in `crates/tfplugin-rs`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tests_without_terraform)");
    println!("cargo::rerun-if-env-changed=QUALYS_TESTS_WITHOUT_TERRAFORM");
    if std::env::var_os("QUALYS_TESTS_WITHOUT_TERRAFORM").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=tests_without_terraform");
    }
    println!("cargo::rustc-check-cfg=cfg(tests_without_gpg)");
    println!("cargo::rerun-if-env-changed=QUALYS_TESTS_WITHOUT_GPG");
    if std::env::var_os("QUALYS_TESTS_WITHOUT_GPG").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=tests_without_gpg");
    }
}
