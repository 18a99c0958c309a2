//! Registry-style Markdown docs, generated from the schema (itself derived from the
//! declarations). `docs/` is committed; a unit test fails when it differs from what is
//! generated here. Regenerate with: `UPDATE_DOCS=1 cargo test --lib docs`.

use crate::docs::{example_section, front_matter, render_schema};

use super::schema::{resource_schema, RESOURCE_DESCRIPTION};
use super::TYPE_NAME;

const RESOURCE_EXAMPLE: &str =
    include_str!("../../../examples/resources/qualys_deployment_job/resource.tf");
const IMPORT_TF: &str = include_str!("../../../examples/resources/qualys_deployment_job/import.tf");
const IMPORT_SH: &str = include_str!("../../../examples/resources/qualys_deployment_job/import.sh");
const IMPORT_IDENTITY_TF: &str =
    include_str!("../../../examples/resources/qualys_deployment_job/import-by-identity.tf");
const LIST_EXAMPLE: &str =
    include_str!("../../../examples/list-resources/qualys_deployment_job/list.tfquery.hcl");

const SCRIPT_NOTE: &str = "## Scripts and storage references

`script`, `detection_script`, `reg_key`, `reg_value` and `uninstall_registry_key` take plain
text; the provider base64-encodes them for the API.

The API never returns script content: it stores each script and returns a storage reference
(`<customer-id>/<action-id>/Script`, `.../DetectionScript`, or `default/...` for server-provided
scripts such as `MakeCache`). The provider keeps your text in the state as long as the
reference is unchanged, and sends the reference back on updates, so an unchanged script is not
uploaded again. A script changed outside Terraform shows as a change from your text to the new
reference.

An imported job's scripts are their storage references (that is all the API returns), and
`terraform plan -generate-config-out` writes them as such. A reference is passed through
unchanged; replacing it with plain text uploads that text on the next apply.

## Status and run-once jobs

`status` is the desired state; `server_status` is what the server reports (e.g. `Prepared`
after a run), which is not treated as drift. On-demand and Once jobs run when enabled and,
once enabled, cannot be edited or disabled: any change to such a job destroys it and creates a
new one (the plan says so). An enabled recurring job is disabled, updated and enabled again.

A job created with `status = \"Enabled\"` is enabled by its create request (the API's \"Save &
Enable\"; an On-demand job then starts at once). Later status changes use the API's status
endpoint. If a job is created but a later step of the same apply fails, it is still recorded
in the state (as tainted), so that it is never lost.
";

pub fn resource_doc() -> String {
    let mut out = front_matter(TYPE_NAME, "Resource", RESOURCE_DESCRIPTION);
    out.push_str(&example_section(RESOURCE_EXAMPLE));
    out.push_str(&render_schema(&resource_schema().block.attributes));
    out.push_str(&format!(
        "## Import\n\nImport is supported using the following syntax. In Terraform v1.5.0 and later, use an `import` block:\n\n```terraform\n{}\n```\n\nIn Terraform v1.12.0 and later, an `import` block can name the job by its resource identity, `id` (required), which Terraform also stores in the state:\n\n```terraform\n{}\n```\n\nThe `terraform import` command:\n\n```shell\n{}\n```\n\nTerraform 1.14 and later can find jobs to import with `terraform query` and the [`qualys_deployment_job` list resource](../list-resources/deployment_job.md); `-generate-config-out` then writes each job's configuration, leaving out what the API fills in when an attribute is omitted (the defaults of `platform`, `type`, `status`, `timezone_type`, `timezone`, `timeout`, `filter_type`, `exclusion_filter_type`, the actions' `timeout` and `download_protocol`, the message objects' defaults, `recurring` where `schedule_type` implies it, an On-demand job's start time), so that it shows what was chosen and plans without a change.\n\n",
        IMPORT_TF.trim_end(),
        IMPORT_IDENTITY_TF.trim_end(),
        IMPORT_SH.trim_end()
    ));
    out.push_str(SCRIPT_NOTE);
    out.push_str(&validation_section());
    out
}

/// The list resource's page (`docs/list-resources/`), from its schema.
pub fn list_resource_doc() -> String {
    let mut out = front_matter(TYPE_NAME, "List Resource", super::list::DESCRIPTION);
    out.push_str(&format!(
        "## Example Usage\n\n```terraform\n{}\n```\n\n",
        LIST_EXAMPLE.trim_end()
    ));
    out.push_str(&render_schema(&super::list::schema().block.attributes));
    out.push_str("## Results and cost\n\nEach result is a job: its identity (`id`) and its name as the display name, and with `include_resource = true` (always with `-generate-config-out`) the whole job as the resource reads it. Listing costs the job list's pages of each platform listed (one platform when `platform` is set), plus one call per job only when whole jobs are asked for; it stops as soon as `limit` results are found. `name_regex` and `status` are matched by the provider on the listed jobs.\n");
    out
}

/// The cross-field rules, as `validate` declares them.
fn validation_section() -> String {
    let (job_rules, action_rules) = super::validate::rule_docs();
    let bullets = |rules: Vec<&str>| rules.iter().map(|r| format!("- {r}\n")).collect::<String>();
    format!(
        "\n## Validation\n\nBesides each attribute's own values and ranges (above), `terraform plan` checks these rules of the API documentation, without calling the API; a value known only after apply is checked at apply.\n\n{}\nActions (`pre_deploy_actions`, `post_deploy_actions`):\n\n{}",
        bullets(job_rules),
        bullets(action_rules)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::check_committed;

    #[test]
    fn docs_resource_page_matches_the_declarations() {
        let doc = resource_doc();
        for f in super::super::fields::JOB_FIELDS {
            assert!(
                doc.contains(&format!("- `{}` (", f.name)),
                "{} missing from the docs",
                f.name
            );
        }
        assert!(doc.contains("## Import"));
        check_committed("docs/resources/deployment_job.md", &doc);
    }

    #[test]
    fn docs_list_resource_page_matches_the_declarations() {
        let doc = list_resource_doc();
        for f in super::super::list::CONFIG_FIELDS {
            assert!(doc.contains(&format!("- `{}` (", f.name)), "{}", f.name);
        }
        check_committed("docs/list-resources/deployment_job.md", &doc);
    }
}
