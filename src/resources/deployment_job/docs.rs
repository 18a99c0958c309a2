//! Registry-style Markdown docs, generated from the schema (itself derived from the
//! declarations). `docs/` is committed; a unit test fails when it differs from what is
//! generated here. Regenerate with: `UPDATE_DOCS=1 cargo test --lib docs`.

use crate::plugin::{Attribute, AttributeType, Mode, Nesting, Type};

use super::schema::{resource_schema, RESOURCE_DESCRIPTION};
use super::TYPE_NAME;

const RESOURCE_EXAMPLE: &str =
    include_str!("../../../examples/resources/qualys_deployment_job/resource.tf");
const IMPORT_TF: &str = include_str!("../../../examples/resources/qualys_deployment_job/import.tf");
const IMPORT_SH: &str = include_str!("../../../examples/resources/qualys_deployment_job/import.sh");

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

fn type_label(a: &Attribute) -> String {
    fn plain(t: &Type) -> String {
        match t {
            Type::String => "String".into(),
            Type::Number => "Number".into(),
            Type::Bool => "Boolean".into(),
            Type::Dynamic => "Dynamic".into(),
            Type::List(e) => format!("List of {}", plain(e)),
            Type::Set(e) => format!("Set of {}", plain(e)),
            Type::Map(e) => format!("Map of {}", plain(e)),
            Type::Object(_) => "Object".into(),
            Type::Tuple(_) => "Tuple".into(),
        }
    }
    match &a.ty {
        AttributeType::Plain(t) => plain(t),
        AttributeType::Nested { nesting, .. } => match nesting {
            Nesting::Single => "Attributes".into(),
            Nesting::List => "Attributes List".into(),
            Nesting::Set => "Attributes Set".into(),
            Nesting::Map => "Attributes Map".into(),
        },
    }
}

fn anchor(path: &str) -> String {
    format!("nestedatt--{}", path.replace('.', "--"))
}

/// Renders the attribute groups of one level and queues nested levels after it.
fn render_level(
    out: &mut String,
    attrs: &[Attribute],
    path: &str,
    nested: &mut Vec<(String, Vec<Attribute>)>,
) {
    let groups = [
        ("Required", Mode::Required),
        ("Optional", Mode::Optional),
        ("Optional (computed when not set)", Mode::OptionalComputed),
        ("Read-Only", Mode::Computed),
    ];
    for (title, mode) in groups {
        let mut in_group: Vec<&Attribute> = attrs.iter().filter(|a| a.mode == mode).collect();
        if in_group.is_empty() {
            continue;
        }
        in_group.sort_by(|a, b| a.name.cmp(&b.name));
        if path.is_empty() {
            out.push_str(&format!("### {title}\n\n"));
        } else {
            out.push_str(&format!("{title}:\n\n"));
        }
        for a in in_group {
            let full = if path.is_empty() {
                a.name.clone()
            } else {
                format!("{path}.{}", a.name)
            };
            let label = type_label(a);
            match &a.ty {
                AttributeType::Nested { attributes, .. } => {
                    out.push_str(&format!(
                        "- `{}` ({label}) {} (see [below for nested schema](#{}))\n",
                        a.name,
                        a.description,
                        anchor(&full)
                    ));
                    nested.push((full, attributes.clone()));
                }
                AttributeType::Plain(_) => {
                    out.push_str(&format!("- `{}` ({label}) {}\n", a.name, a.description))
                }
            }
        }
        out.push('\n');
    }
}

/// The `## Schema` section for a list of attributes, nested schemas included.
pub fn render_schema(attrs: &[Attribute]) -> String {
    let mut out = String::from("## Schema\n\n");
    let mut nested = Vec::new();
    render_level(&mut out, attrs, "", &mut nested);
    let mut i = 0;
    while i < nested.len() {
        let (path, children) = nested[i].clone();
        out.push_str(&format!(
            "<a id=\"{}\"></a>\n### Nested Schema for `{path}`\n\n",
            anchor(&path)
        ));
        render_level(&mut out, &children, &path, &mut nested);
        i += 1;
    }
    out
}

pub fn front_matter(name: &str, kind: &str, description: &str) -> String {
    format!(
        "---\npage_title: \"{name} {kind} - terraform-provider-qualys\"\nsubcategory: \"\"\ndescription: |-\n  {description}\n---\n\n# {name} ({kind})\n\n{description}\n\n"
    )
}

pub fn example_section(example: &str) -> String {
    format!(
        "## Example Usage\n\n```terraform\n{}\n```\n\n",
        example.trim_end()
    )
}

pub fn resource_doc() -> String {
    let mut out = front_matter(TYPE_NAME, "Resource", RESOURCE_DESCRIPTION);
    out.push_str(&example_section(RESOURCE_EXAMPLE));
    out.push_str(&render_schema(&resource_schema().block.attributes));
    out.push_str(&format!(
        "## Import\n\nImport is supported using the following syntax. In Terraform v1.5.0 and later, use an `import` block:\n\n```terraform\n{}\n```\n\nThe `terraform import` command:\n\n```shell\n{}\n```\n\n",
        IMPORT_TF.trim_end(),
        IMPORT_SH.trim_end()
    ));
    out.push_str(SCRIPT_NOTE);
    out
}

/// Compares a committed doc with what is generated, or rewrites it when `UPDATE_DOCS` is set.
#[cfg(test)]
pub(crate) fn check_committed(relative: &str, generated: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().expect("docs path has a parent"))
            .expect("create docs dir");
        std::fs::write(&path, generated).expect("write docs");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{relative} differs from what the declarations generate; regenerate with `UPDATE_DOCS=1 cargo test --lib docs`"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
