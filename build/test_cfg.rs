//! The cfg `tests_without_terraform`, set when the tests are built with
//! `QUALYS_TESTS_WITHOUT_TERRAFORM=1`: the tests that need the terraform CLI are then reported
//! as ignored instead of failing. Kept apart from the proto build so that it can become the
//! provider package's own build script (`build = "build/test_cfg.rs"`) when that one moves.

pub fn main() {
    println!("cargo::rustc-check-cfg=cfg(tests_without_terraform)");
    println!("cargo::rerun-if-env-changed=QUALYS_TESTS_WITHOUT_TERRAFORM");
    if std::env::var_os("QUALYS_TESTS_WITHOUT_TERRAFORM").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=tests_without_terraform");
    }
}
