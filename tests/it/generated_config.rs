//! GenerateResourceConfig against real Terraform planning: jobs created by terraform 1.11.4
//! from the API samples (actions, nested messages, a Linux job), their configuration
//! generated over the protocol as Terraform 1.14+ asks for it, written as HCL the way core
//! renders it (§5 of the contract: nulls left out, nested objects as object expressions),
//! and planned by terraform 1.11.4 in a fresh workspace with an `import` block per job:
//! every job imports with no change.

use serde_json::Value as Json;
use tfplugin::codec;

use crate::resource_e2e::{block_on, sample_hcl, E2e};
use crate::support::core::{decode, ident, no_errors, SchemaMode, Session};
use crate::support::terraform::{required_providers, Workspace};

/// A JSON value (from the state's JSON encoding) as an HCL expression; null attributes are
/// left out, as core leaves out (or writes `= null` for) what is not set.
fn hcl(v: &Json, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    match v {
        Json::Null => "null".into(),
        Json::Bool(_) | Json::Number(_) => v.to_string(),
        Json::String(s) => serde_json::to_string(s)
            .unwrap()
            .replace("${", "$${")
            .replace("%{", "%%{"),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| hcl(i, indent)).collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(m) => {
            let mut out = String::from("{\n");
            for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                out.push_str(&format!("{pad}{k} = {}\n", hcl(v, indent + 1)));
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
            out
        }
    }
}

#[test]
fn generated_configurations_import_with_no_change_in_terraform() {
    let e = E2e::start("generated_configurations_import_with_no_change_in_terraform");
    let windows = sample_hcl("create_windows_with_actions.tf").replace("\"sample\"", "\"windows\"");
    let linux = sample_hcl("create_linux_makecache.tf").replace("\"sample\"", "\"linux\"");
    e.config(&format!("{windows}\n{linux}"));
    e.apply(&[]);
    let ids: Vec<String> = e
        .state()
        .values()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2);

    let mut blocks = String::new();
    block_on(async {
        let mut session = Session::new(&e.sim, SchemaMode::Cached);
        let p = session.configured().await;
        for (i, id) in ids.iter().enumerate() {
            let imported = p.import(None, Some(&ident(id))).await;
            let (refreshed, _) = p.read(&imported).await;
            let r = p.generate_config(Some(&refreshed.state)).await;
            no_errors(&r.diagnostics, "GenerateResourceConfig");
            let config = decode(r.config.as_ref(), &p.schema.job_ty, "config");
            let json: Json =
                serde_json::from_slice(&codec::encode_json(&config, &p.schema.job_ty).unwrap())
                    .unwrap();
            blocks.push_str(&format!(
                "resource \"qualys_deployment_job\" \"job_{i}\" {}\n\nimport {{\n  to = qualys_deployment_job.job_{i}\n  id = \"{id}\"\n}}\n\n",
                hcl(&json, 0)
            ));
        }
    });
    assert!(
        !blocks.contains("server_status") && !blocks.contains("action_id"),
        "computed-only attributes are left out:\n{blocks}"
    );

    let ws = {
        let mut ws = Workspace::new();
        ws.set_env("QUALYS_GATEWAY_URL", &e.sim.url)
            .set_env("QUALYS_USERNAME", crate::support::simulator::USERNAME)
            .set_env("QUALYS_PASSWORD", crate::support::simulator::PASSWORD);
        ws
    };
    ws.write(
        "main.tf",
        &format!(
            "{}\nprovider \"qualys\" {{}}\n\n{blocks}",
            required_providers()
        ),
    );
    let out = ws.run(&["plan", "-no-color", "-input=false"]);
    out.expect_success("terraform plan of the generated configuration");
    assert!(
        out.stdout
            .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "the generated configuration must import with no change:\n{blocks}\n{}",
        out.stdout
    );
}
