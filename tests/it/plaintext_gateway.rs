//! `http://` sends the password and every JWT in clear text: the provider accepts it only for
//! this machine, and refuses any other `http://` gateway at plan, naming `gateway_url`.

use crate::reliability::{password_credentials, workspace_for};
use crate::support::terraform::{require_terraform, required_providers, Workspace};

const NEW_JOB: &str = "resource \"qualys_deployment_job\" \"job\" {\n  name          = \"plain\"\n  schedule_type = \"On-demand\"\n}\n";

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn an_http_gateway_that_is_not_this_machine_is_refused_at_plan_naming_gateway_url() {
    require_terraform(
        "an_http_gateway_that_is_not_this_machine_is_refused_at_plan_naming_gateway_url",
    );
    // in the provider block: refused by validate, before any provider is configured
    let ws = workspace_for(
        "http://gateway.qg2.apps.qualys.com",
        &password_credentials("someone", "a-password"),
        "",
    );
    ws.write("main.tf", NEW_JOB);
    for command in ["validate", "plan"] {
        let out = ws.run(&[command, "-no-color"]);
        assert!(!out.success(), "{command}: {}", out.combined());
        let text = out.squeezed();
        assert!(text.contains("gateway_url"), "{command}: {text}");
        assert!(text.contains("clear text"), "{command}: {text}");
        assert!(text.contains("https://"), "{command}: {text}");
        assert!(!text.contains("a-password"), "{command}: {text}");
    }

    // from QUALYS_GATEWAY_URL: refused when the provider is configured, at plan
    let ws = Workspace::new();
    ws.write("main.tf", &format!("{}\n{NEW_JOB}", required_providers()));
    let out = ws.run_with_env(
        &["plan", "-no-color", "-input=false"],
        &[
            ("QUALYS_GATEWAY_URL", "http://10.20.30.40:8080"),
            ("QUALYS_USERNAME", "someone"),
            ("QUALYS_PASSWORD", "a-password"),
        ],
    );
    assert!(!out.success(), "{}", out.combined());
    let text = out.squeezed();
    assert!(text.contains("QUALYS_GATEWAY_URL"), "{text}");
    assert!(text.contains("clear text"), "{text}");
}
