//! Conversions between the provider-facing types (schemas, diagnostics, paths) and their
//! tfplugin6 protobuf messages. Pure data mapping, no protocol logic.

use super::diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use super::proto::tfplugin6 as pb;
use super::schema::{
    Attribute, AttributeType, Block, IdentitySchema, Mode, NestedBlock, Nesting, Schema,
};

pub(crate) fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested_block).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (type_json, nested_type) = match &a.ty {
        // The cty type JSON, as raw bytes (`"string"` with its quotes). `Type::to_json`
        // only produces valid type JSON; invalid JSON here would crash terraform.
        AttributeType::Plain(t) => (t.to_json().to_string().into_bytes(), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: attributes.iter().map(attribute).collect(),
                nesting: object_nesting(*nesting) as i32,
                ..Default::default()
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: type_json,
        nested_type,
        description: a.description.clone(),
        required: a.mode == Mode::Required,
        optional: matches!(a.mode, Mode::Optional | Mode::OptionalComputed),
        computed: matches!(a.mode, Mode::OptionalComputed | Mode::Computed),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        write_only: false,
        deprecation_message: String::new(),
    }
}

/// The identity schema message; `type` is cty type JSON like an attribute's.
pub(crate) fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json().to_string().into_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

fn nested_block(b: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match b.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: b.type_name.clone(),
        block: Some(block(&b.block, 0)),
        nesting: nesting as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

fn object_nesting(n: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode;
    match n {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    }
}

pub(crate) fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    // The severity is always set: INVALID (0) would be neither an error nor a warning.
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d
            .attribute
            .as_ref()
            .filter(|p| !p.0.is_empty())
            .map(attribute_path),
    }
}

pub(crate) fn diagnostics(ds: &Diagnostics) -> Vec<pb::Diagnostic> {
    ds.iter().map(diagnostic).collect()
}

pub(crate) fn attribute_path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{step::Selector, Step};
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| Step {
                selector: Some(match s {
                    PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Type;

    #[test]
    fn attribute_modes_and_types_map_to_protocol_flags() {
        let s = Schema {
            version: 2,
            block: Block {
                attributes: vec![
                    Attribute::new("id", Type::String, Mode::Computed, "The ID."),
                    Attribute::new(
                        "tags",
                        Type::map(Type::String),
                        Mode::OptionalComputed,
                        "Tags.",
                    )
                    .sensitive(),
                    Attribute::nested(
                        "rules",
                        Nesting::List,
                        vec![Attribute::new(
                            "port",
                            Type::Number,
                            Mode::Required,
                            "Port.",
                        )],
                        Mode::Optional,
                        "Rules.",
                    ),
                ],
                ..Default::default()
            },
        };
        let pb = schema(&s);
        assert_eq!(pb.version, 2);
        let attrs = pb.block.unwrap().attributes;
        assert_eq!(attrs[0].r#type, b"\"string\"");
        assert!(attrs[0].computed && !attrs[0].optional && !attrs[0].required);
        assert_eq!(attrs[1].r#type, br#"["map","string"]"#);
        assert!(attrs[1].computed && attrs[1].optional && attrs[1].sensitive);
        assert!(attrs[2].r#type.is_empty());
        let nested = attrs[2].nested_type.as_ref().unwrap();
        assert_eq!(nested.nesting, pb::schema::object::NestingMode::List as i32);
        assert!(nested.attributes[0].required);
        assert_eq!(attrs[2].description_kind, pb::StringKind::Markdown as i32);
    }

    #[test]
    fn diagnostics_keep_severity_and_path() {
        let d = Diagnostic::error("Bad", "Worse")
            .at(AttributePath::attr("rules").then_index(0).then_key("k"));
        let pb = diagnostic(&d);
        assert_eq!(pb.severity, pb::diagnostic::Severity::Error as i32);
        let steps: Vec<_> = pb
            .attribute
            .unwrap()
            .steps
            .into_iter()
            .map(|s| s.selector.unwrap())
            .collect();
        use pb::attribute_path::step::Selector;
        assert_eq!(
            steps,
            vec![
                Selector::AttributeName("rules".into()),
                Selector::ElementKeyInt(0),
                Selector::ElementKeyString("k".into())
            ]
        );
        assert_eq!(
            diagnostic(&Diagnostic::warning("w", "")).severity,
            pb::diagnostic::Severity::Warning as i32
        );
    }
}
