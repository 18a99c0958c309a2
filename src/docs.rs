//! Terraform-registry-style Markdown, rendered from `tfplugin` schemas (for the resources
//! and data sources, the schemas the `framework` module derives from their declarations),
//! so the docs of the provider, its resources and data sources come from the same
//! declarations as the schemas.
//! `docs/` is committed; unit tests fail when it differs from what is generated here.
//! Regenerate with: `UPDATE_DOCS=1 cargo test --lib docs`.

use tfplugin::{Attribute, AttributeType, Mode, Nesting, Type};

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
pub(crate) fn render_schema(attrs: &[Attribute]) -> String {
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

pub(crate) fn front_matter(name: &str, kind: &str, description: &str) -> String {
    format!(
        "---\npage_title: \"{name} {kind} - terraform-provider-qualys\"\nsubcategory: \"\"\ndescription: |-\n  {description}\n---\n\n# {name} ({kind})\n\n{description}\n\n"
    )
}

pub(crate) fn example_section(example: &str) -> String {
    format!(
        "## Example Usage\n\n```terraform\n{}\n```\n\n",
        example.trim_end()
    )
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
