//! Terraform schema attributes derived from the declarations.

use tfplugin::{Attribute, Block, Mode, Nesting, Schema, Type};

use super::field::{Field, Kind};
use super::handle::Attr;

/// The cty type of a declared attribute.
fn value_type(f: &Field) -> Type {
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

/// The schema attributes of `fields`, at their declared modes or all forced to `force`.
pub(crate) fn attributes(fields: &[Field], force: Option<Mode>) -> Vec<Attribute> {
    fields.iter().map(|f| attribute(f, force)).collect()
}

/// A block of the declared attributes (a resource's, or a data source's whose attributes
/// are all declared in one table).
pub(crate) fn fields_schema(version: i64, fields: &[Field], description: &str) -> Schema {
    Schema {
        version,
        block: Block {
            attributes: attributes(fields, None),
            blocks: Vec::new(),
            description: description.to_owned(),
            deprecated: false,
        },
    }
}

/// A data source's view of a resource's table: every attribute computed, except `key`
/// (a required string), which selects the object.
pub(crate) fn lookup_view(fields: &[Field], key: Attr) -> Vec<Attribute> {
    fields
        .iter()
        .map(|f| {
            if f.name == key.name() {
                Attribute::new(f.name, Type::String, Mode::Required, f.full_description())
            } else {
                attribute(f, Some(Mode::Computed))
            }
        })
        .collect()
}
