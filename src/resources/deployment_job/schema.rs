//! The Terraform schema, derived from the declarations in `fields.rs` by the framework.

use tfplugin::Schema;

use super::fields::JOB_FIELDS;
use crate::framework::schema::fields_schema;

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

pub fn resource_schema() -> Schema {
    fields_schema(SCHEMA_VERSION, JOB_FIELDS, RESOURCE_DESCRIPTION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::{AttributeType, Mode, Nesting, Type};

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
}
