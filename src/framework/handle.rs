//! Typed handles to declared attributes. Code names an attribute through an `Attr` constant
//! declared beside its table with `Attr::declared(TABLE, &["a", "b"])`; the path is checked
//! against the table when the crate compiles, so a handle to an attribute that no
//! declaration has (a typo, a renamed attribute) fails the build.

use tfplugin::{AttributePath, Value};

use super::field::{find_const, Field};

/// A path of attribute names from the object a table declares (nested objects only; list
/// elements are reached through a handle of the element's own table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr(&'static [&'static str]);

impl Attr {
    /// The handle of `path` below `fields`; a compile-time error in a constant when any step
    /// is not declared.
    pub const fn declared(fields: &'static [Field], path: &'static [&'static str]) -> Attr {
        assert!(
            !path.is_empty(),
            "an attribute handle names at least one attribute"
        );
        let mut level = fields;
        let mut i = 0;
        while i < path.len() {
            let Some(f) = find_const(level, path[i]) else {
                panic!("an attribute handle names an attribute that is not declared");
            };
            if let Some(children) = f.children() {
                level = children;
            }
            i += 1;
        }
        Attr(path)
    }

    /// The attribute's own name (the last step).
    pub fn name(self) -> &'static str {
        self.0[self.0.len() - 1]
    }

    /// The value at this handle in `obj` (null when any step is missing).
    pub fn of(self, obj: &Value) -> &Value {
        self.0.iter().fold(obj, |v, step| v.get(step))
    }

    /// The attribute's path from the root of its table.
    pub fn path(self) -> AttributePath {
        self.under(&AttributePath::root())
    }

    /// The attribute's path below `base` (e.g. a list element's path).
    pub fn under(self, base: &AttributePath) -> AttributePath {
        self.0
            .iter()
            .fold(base.clone(), |p, step| p.then_attr(step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::field::{field, Kind};
    use tfplugin::Mode;

    const INNER: &[Field] = &[field(
        "leaf",
        Kind::Bool,
        Mode::Optional,
        &["leaf"],
        "A leaf.",
    )];
    const TABLE: &[Field] = &[
        field("top", Kind::String, Mode::Optional, &["top"], "Top."),
        field(
            "nested",
            Kind::Object(INNER),
            Mode::Optional,
            &["n"],
            "An object.",
        ),
    ];
    const LEAF: Attr = Attr::declared(TABLE, &["nested", "leaf"]);

    #[test]
    fn a_handle_reads_and_points_at_its_declared_path() {
        let object = |k: &str, v: Value| Value::Object([(k.to_owned(), v)].into());
        let v = object("nested", object("leaf", Value::Bool(true)));
        assert_eq!(LEAF.of(&v), &Value::Bool(true));
        assert_eq!(LEAF.name(), "leaf");
        assert_eq!(LEAF.path(), AttributePath::attr("nested").then_attr("leaf"));
    }
}
