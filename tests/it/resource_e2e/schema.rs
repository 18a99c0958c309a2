//! `terraform providers schema -json`: every attribute, at every depth, of the resource and
//! of both data sources has a description.

use serde_json::Value;

use super::*;
use crate::support::terraform::SOURCE;

/// Walks a schema block, collecting `path: problem` for each attribute without a description.
fn undescribed(block: &Value, path: &str, seen: &mut usize, out: &mut Vec<String>) {
    if let Some(attrs) = block["attributes"].as_object() {
        for (name, attr) in attrs {
            *seen += 1;
            let here = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let description = attr["description"].as_str().unwrap_or_default().trim();
            if description.len() < 8 {
                out.push(format!("{here}: description {description:?}"));
            }
            if attr["nested_type"].is_object() {
                undescribed(&attr["nested_type"], &here, seen, out);
            }
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, b) in blocks {
            let here = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            undescribed(&b["block"], &here, seen, out);
        }
    }
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn providers_schema_describes_every_attribute_at_every_depth() {
    require_terraform("providers_schema_describes_every_attribute_at_every_depth");
    let ws = Workspace::new();
    ws.write("main.tf", &required_providers());
    let out = ws.run(&["providers", "schema", "-json"]);
    out.expect_success("terraform providers schema -json");
    let schema: Value = serde_json::from_str(&out.stdout).expect("schema JSON");
    let provider = &schema["provider_schemas"][SOURCE];
    let mut problems = Vec::new();
    for (kind, name, min_attributes) in [
        ("resource_schemas", "qualys_deployment_job", 100),
        ("data_source_schemas", "qualys_deployment_job", 100),
        ("data_source_schemas", "qualys_deployment_jobs", 10),
    ] {
        let block = &provider[kind][name]["block"];
        assert!(block.is_object(), "{kind}.{name} missing from the schema");
        assert!(
            block["description"].as_str().is_some_and(|d| d.len() > 20),
            "{kind}.{name} needs a description"
        );
        let mut seen = 0;
        undescribed(block, &format!("{kind}.{name}"), &mut seen, &mut problems);
        assert!(
            seen >= min_attributes,
            "{kind}.{name}: only {seen} attributes (nested included)"
        );
    }
    assert!(
        problems.is_empty(),
        "attributes without a description:\n{}",
        problems.join("\n")
    );

    // the nested attributes are there: spot-check the deepest ones
    let post = &provider["resource_schemas"]["qualys_deployment_job"]["block"]["attributes"]
        ["post_deployment"]["nested_type"]["attributes"];
    let deferment = &post["reboot_option"]["nested_type"]["attributes"]["deferment"];
    assert!(
        deferment["nested_type"]["attributes"]["interval_unit"]["description"].is_string(),
        "{post}"
    );
}
