//! The provider driven by the real terraform CLI: through `dev_overrides`, and through
//! `TF_REATTACH_PROVIDERS` against a provider started with `--debug`.

use std::process::Command;
use std::time::Duration;

use crate::support::plugin::PluginProcess;
use crate::support::terraform::{
    provider_binary, require_terraform, required_providers, Output, Workspace, SOURCE,
};

/// A configuration with the given provider block body. Terraform only validates a provider
/// configuration that some resource uses, hence the (count = 0) resource, itself valid (its
/// required attributes set) so that validate fails only for the provider block.
fn config_with_provider(body: &str) -> String {
    format!(
        "{}\nprovider \"qualys\" {{\n{body}\n}}\n\nresource \"qualys_deployment_job\" \"uses_the_provider\" {{\n  count         = 0\n  name          = \"unused\"\n  schedule_type = \"On-demand\"\n}}\n",
        required_providers()
    )
}

/// The provider schema from `terraform providers schema -json`.
fn provider_schema(out: &Output) -> serde_json::Value {
    let json: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("providers schema -json prints JSON");
    json["provider_schemas"][SOURCE]["provider"].clone()
}

fn assert_full_provider_block(provider: &serde_json::Value) {
    let attrs = provider["block"]["attributes"]
        .as_object()
        .expect("provider block attributes");
    let mut names: Vec<&str> = attrs.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, crate::support::PROVIDER_ATTRIBUTES);
    for (name, attr) in attrs {
        let description = attr["description"].as_str().unwrap_or_default();
        assert!(description.len() > 20, "{name} needs a description: {attr}");
        assert_eq!(attr["optional"], true, "{name}");
    }
    assert_eq!(attrs["password"]["sensitive"], true);
    assert_eq!(attrs["token"]["sensitive"], true);
    assert_eq!(attrs["max_retries"]["type"], "number");
    assert_eq!(attrs["request_timeout"]["type"], "string");
    assert!(attrs["gateway_url"]["description"]
        .as_str()
        .unwrap()
        .contains("QUALYS_GATEWAY_URL"));
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn providers_schema_lists_the_provider_block() {
    require_terraform("providers_schema_lists_the_provider_block");
    let ws = Workspace::new();
    ws.write("main.tf", &required_providers());
    let out = ws.run_with_env(&["providers", "schema", "-json"], &[("TF_LOG", "debug")]);
    out.expect_success("terraform providers schema -json");
    assert_full_provider_block(&provider_schema(&out));
    // The provider exits right after Shutdown, never killed after go-plugin's 2 s wait.
    assert!(
        !out.stderr.contains("plugin failed to exit gracefully"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("plugin exited"), "{}", out.stderr);
    // terraform parsed the provider's JSON log lines (level, message, 6-digit timestamp).
    assert!(
        out.stderr.contains("[DEBUG] provider.terraform-provider-qualys: GetProviderSchema: @module=provider.terraform-provider-qualys"),
        "{}",
        out.stderr
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn terraform_init_installs_from_a_filesystem_mirror_offline() {
    require_terraform("terraform_init_installs_from_a_filesystem_mirror_offline");
    let ws = Workspace::with_filesystem_mirror("0.1.0");
    ws.write(
        "main.tf",
        &format!("terraform {{\n  required_providers {{\n    qualys = {{ source = \"{SOURCE}\", version = \"0.1.0\" }}\n  }}\n}}\n"),
    );
    let out = ws.run(&["init", "-no-color"]);
    out.expect_success("terraform init from the filesystem mirror");
    assert!(
        out.stdout
            .contains("Installed terraform.local/qualys/qualys v0.1.0"),
        "{}",
        out.stdout
    );
    let out = ws.run(&["providers", "schema", "-json"]);
    out.expect_success("providers schema after init");
    assert_full_provider_block(&provider_schema(&out));
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn validate_fails_naming_the_bad_provider_attribute() {
    require_terraform("validate_fails_naming_the_bad_provider_attribute");
    let cases: [(&str, &str, &str); 5] = [
        (
            "  gateway_url = \"gateway.qg2.apps.qualys.com\"",
            "gateway_url",
            "Invalid gateway_url",
        ),
        (
            "  gateway_url = \"ftp://gateway.example\"",
            "gateway_url",
            "https://",
        ),
        (
            "  token    = \"jwt-secret\"\n  username = \"alice\"",
            "token",
            "Conflicting credentials",
        ),
        (
            "  request_timeout = \"forever\"",
            "request_timeout",
            "Invalid request_timeout",
        ),
        ("  max_retries = -3", "max_retries", "must not be negative"),
    ];
    for (body, attribute, message) in cases {
        let ws = Workspace::new();
        ws.write("main.tf", &config_with_provider(body));
        let out = ws.run(&["validate", "-no-color"]);
        let text = out.combined();
        assert!(!out.success(), "validate must fail for {body:?}:\n{text}");
        assert!(
            text.contains(message),
            "expected {message:?} for {body:?}:\n{text}"
        );
        // Terraform points at the attribute's line in the provider block.
        assert!(text.contains("in provider \"qualys\":"), "{text}");
        assert!(
            text.lines().any(|l| l
                .trim_start()
                .split(':')
                .nth(1)
                .is_some_and(|rest| rest.trim_start().starts_with(attribute))),
            "the error must quote the {attribute} line:\n{text}"
        );
    }

    // The same configuration with a good provider block validates: the failures above
    // came from the provider block alone.
    let ws = Workspace::new();
    ws.write(
        "main.tf",
        &config_with_provider("  gateway_url = \"https://gateway.qg2.apps.qualys.com\"\n  token = \"x\"\n  request_timeout = \"90s\""),
    );
    ws.run(&["validate", "-no-color"])
        .expect_success("validate of a good provider block");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn debug_mode_serves_terraform_through_reattach() {
    require_terraform("debug_mode_serves_terraform_through_reattach");
    let mut cmd = Command::new(provider_binary());
    cmd.arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env_remove("PLUGIN_CLIENT_CERT");
    let mut provider = PluginProcess::spawn(
        cmd,
        |line| line.contains("TF_REATTACH_PROVIDERS="),
        Duration::from_secs(20),
    )
    .unwrap_or_else(|(status, stderr)| {
        panic!("--debug printed no TF_REATTACH_PROVIDERS line ({status:?}):\n{stderr}")
    });
    let line = provider.handshake.line.trim().to_owned();
    let value = line
        .strip_prefix("TF_REATTACH_PROVIDERS='")
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or_else(|| panic!("unexpected reattach line: {line}"));
    let reattach: serde_json::Value = serde_json::from_str(value).expect("reattach JSON");
    assert_eq!(reattach[SOURCE]["Pid"], provider.pid());
    let socket = reattach[SOURCE]["Addr"]["String"]
        .as_str()
        .expect("address")
        .to_owned();

    // No CLI config and no dev_overrides: terraform uses the running process.
    let ws = Workspace::bare();
    let env = [("TF_REATTACH_PROVIDERS", value)];
    ws.write("main.tf", &required_providers());
    let out = ws.run_with_env(&["providers", "schema", "-json"], &env);
    out.expect_success("providers schema -json through TF_REATTACH_PROVIDERS");
    assert_full_provider_block(&provider_schema(&out));

    // The same process serves the next command too.
    ws.write(
        "main.tf",
        &config_with_provider("  gateway_url = \"qualys\""),
    );
    let out = ws.run_with_env(&["validate", "-no-color"], &env);
    assert!(
        !out.success() && out.combined().contains("Invalid gateway_url"),
        "{}",
        out.combined()
    );
    assert!(
        provider.wait_exit(Duration::ZERO).is_none(),
        "terraform must not stop a reattached provider"
    );

    // Ctrl-C stops a provider started by hand, and its socket goes away.
    provider.signal("INT");
    let status = provider
        .wait_exit(Duration::from_secs(3))
        .expect("--debug provider stops on SIGINT");
    assert!(status.success(), "{status:?}: {}", provider.stderr());
    assert!(
        !std::path::Path::new(&socket).exists(),
        "socket {socket} must be removed"
    );
}
