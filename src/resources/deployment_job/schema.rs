//! The Terraform schema, derived from the declarations in `fields.rs`.

use tfplugin::{Attribute, Block, Mode, Nesting, Schema, Type};

use super::fields::{Field, Kind, JOB_FIELDS};

/// The version of the resource's state schema, stored by terraform beside every instance
/// (`schema_version`) and given back in `UpgradeResourceState` on every plan, refresh, apply
/// and destroy.
///
/// History: 0 since 0.1.0 (every state written so far). Within a version, attributes may be
/// added (an older state reads them as null; the next read fills them) and checks or
/// descriptions may change. Removing, renaming or retyping an attribute, or changing what a
/// stored value means, needs the next version and a step in `Resource::upgrade` (the default
/// accepts the current version only): `UpgradeResourceState` rejects a state of the current
/// version holding an attribute the schema lacks, and drops such attributes from an older
/// version's state before `upgrade` sees it (`tfplugin::server`). States written by earlier
/// releases are kept in `tests/fixtures/upgrades/` and must plan clean
/// (`tests/it/upgrades.rs`).
pub const SCHEMA_VERSION: i64 = 0;

pub const RESOURCE_DESCRIPTION: &str = "A Qualys Patch Management deployment job (Windows or Linux): which patches to deploy, to which assets, when, and with which pre- and post-deployment actions.";

/// The cty type of a declared attribute.
pub fn value_type(f: &Field) -> Type {
    match f.kind {
        Kind::String
        | Kind::DateTime
        | Kind::EpochMs
        | Kind::DesiredStatus
        | Kind::Base64 { .. } => Type::String,
        Kind::Number => Type::Number,
        Kind::Bool => Type::Bool,
        Kind::StringSet | Kind::WeekDays => Type::set(Type::String),
        Kind::CommaList => Type::list(Type::String),
        Kind::Object(_) | Kind::FlaggedObject { .. } | Kind::List(_) => {
            attribute(f, None).value_type()
        }
    }
}

/// How an attribute's mode is derived for a given use: `None` keeps the declared modes
/// (the resource); `Some(m)` forces every attribute to `m` (a data source's computed view).
fn attribute(f: &Field, force: Option<Mode>) -> Attribute {
    let mode = force.unwrap_or(f.mode);
    match f.kind {
        Kind::Object(children)
        | Kind::FlaggedObject {
            fields: children, ..
        } => Attribute::nested(
            f.name,
            Nesting::Single,
            attributes(children, force),
            mode,
            f.full_description(),
        ),
        Kind::List(children) => Attribute::nested(
            f.name,
            Nesting::List,
            attributes(children, force),
            mode,
            f.full_description(),
        ),
        _ => Attribute::new(f.name, value_type(f), mode, f.full_description()),
    }
}

pub fn attributes(fields: &[Field], force: Option<Mode>) -> Vec<Attribute> {
    fields.iter().map(|f| attribute(f, force)).collect()
}

pub fn resource_schema() -> Schema {
    Schema {
        version: SCHEMA_VERSION,
        block: Block {
            attributes: attributes(JOB_FIELDS, None),
            blocks: Vec::new(),
            description: RESOURCE_DESCRIPTION.to_owned(),
            deprecated: false,
        },
    }
}

/// Every job attribute computed, except `id`, which selects the job.
pub fn data_source_attributes() -> Vec<Attribute> {
    JOB_FIELDS
        .iter()
        .map(|f| {
            if f.name == "id" {
                Attribute::new("id", Type::String, Mode::Required, f.full_description())
            } else {
                attribute(f, Some(Mode::Computed))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::AttributeType;

    #[test]
    fn schema_uses_nested_attributes_and_modes_of_the_declarations() {
        let s = resource_schema();
        assert!(s.block.blocks.is_empty());
        let find = |n: &str| {
            s.block
                .attributes
                .iter()
                .find(|a| a.name == n)
                .unwrap()
                .clone()
        };
        assert_eq!(find("id").mode, Mode::Computed);
        assert_eq!(find("name").mode, Mode::Required);
        assert_eq!(find("platform").mode, Mode::OptionalComputed);
        let post = find("post_deployment");
        assert_eq!(post.mode, Mode::OptionalComputed);
        let AttributeType::Nested {
            nesting,
            attributes,
        } = &post.ty
        else {
            panic!("post_deployment not nested")
        };
        assert_eq!(*nesting, Nesting::Single);
        let oc = attributes.iter().find(|a| a.name == "on_complete").unwrap();
        assert_eq!(oc.mode, Mode::OptionalComputed);
        let actions = find("pre_deploy_actions");
        let AttributeType::Nested {
            nesting,
            attributes,
        } = &actions.ty
        else {
            panic!()
        };
        assert_eq!(*nesting, Nesting::List);
        assert_eq!(
            attributes
                .iter()
                .find(|a| a.name == "action_id")
                .unwrap()
                .mode,
            Mode::Computed
        );
        assert_eq!(
            find("recurring_week_days").value_type(),
            Type::set(Type::String)
        );
    }

    #[test]
    fn data_source_view_is_all_computed_but_id() {
        for a in data_source_attributes() {
            if a.name == "id" {
                assert_eq!(a.mode, Mode::Required);
            } else {
                assert_eq!(a.mode, Mode::Computed, "{}", a.name);
            }
        }
    }
}
