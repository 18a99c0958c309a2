//! Encoding: one type-directed walk (`encode_value`) for either wire form, which writes its
//! primitives and delimiters through `WireWriter`. The walk owns what both forms share:
//! matching values to types, objects carrying exactly their type's attributes (absent ones as
//! null), tuple lengths, dynamic values (typed by `infer_type`), and paths in errors.

use super::{infer_type, type_name, value_kind, CodecError, Path, Step};
use crate::types::Type;
use crate::value::{Number, Value};

/// A wire form's writer. Arrays and maps are written as `begin_*`, then per element
/// `item(i)` or `key(i, ..)` before it, then `end_*`; forms without delimiters ignore what
/// they do not need.
pub(super) trait WireWriter {
    fn null(&mut self, path: &Path) -> Result<(), CodecError>;
    fn unknown(&mut self, path: &Path) -> Result<(), CodecError>;
    fn string(&mut self, s: &str, path: &Path) -> Result<(), CodecError>;
    fn number(&mut self, n: &Number, path: &Path) -> Result<(), CodecError>;
    fn bool(&mut self, b: bool, path: &Path) -> Result<(), CodecError>;
    fn begin_array(&mut self, len: usize, path: &Path) -> Result<(), CodecError>;
    fn item(&mut self, index: usize);
    fn end_array(&mut self);
    fn begin_map(&mut self, len: usize, path: &Path) -> Result<(), CodecError>;
    fn key(&mut self, index: usize, key: &str, path: &Path) -> Result<(), CodecError>;
    fn end_map(&mut self);
    /// Around a value of the `dynamic` type, which travels with its (inferred) type.
    fn begin_dynamic(&mut self, ty: &Type, path: &Path) -> Result<(), CodecError>;
    fn end_dynamic(&mut self, ty: &Type, path: &Path) -> Result<(), CodecError>;
}

pub(super) fn encode_value<W: WireWriter>(
    w: &mut W,
    value: &Value,
    ty: &Type,
    path: &Path,
) -> Result<(), CodecError> {
    match value {
        Value::Null => return w.null(path),
        Value::Unknown => return w.unknown(path),
        _ => {}
    }
    match (ty, value) {
        (Type::String, Value::String(s)) => w.string(s, path),
        (Type::Number, Value::Number(n)) => w.number(n, path),
        (Type::Bool, Value::Bool(b)) => w.bool(*b, path),
        (
            Type::List(elem) | Type::Set(elem),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => {
            w.begin_array(items.len(), path)?;
            for (i, item) in items.iter().enumerate() {
                w.item(i);
                path.within(Step::Index(i as i64), |p| encode_value(w, item, elem, p))?;
            }
            w.end_array();
            Ok(())
        }
        (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != elems.len() {
                return Err(path.error(format!(
                    "a tuple of {} elements is required, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            w.begin_array(items.len(), path)?;
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                w.item(i);
                path.within(Step::Index(i as i64), |p| encode_value(w, item, elem, p))?;
            }
            w.end_array();
            Ok(())
        }
        (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
            w.begin_map(entries.len(), path)?;
            for (i, (k, item)) in entries.iter().enumerate() {
                w.key(i, k, path)?;
                path.within(Step::Key(k), |p| encode_value(w, item, elem, p))?;
            }
            w.end_map();
            Ok(())
        }
        (Type::Object(attrs), Value::Object(entries) | Value::Map(entries)) => {
            let not_in_schema =
                |extra: &str| path.error(format!("attribute \"{extra}\" is not in the schema"));
            // both maps are ordered by name: one merge instead of a search per attribute
            let mut given = entries.iter().peekable();
            w.begin_map(attrs.len(), path)?;
            for (i, (name, attr_ty)) in attrs.iter().enumerate() {
                w.key(i, name, path)?;
                let item = match given.next_if(|(key, _)| *key <= name) {
                    Some((key, item)) if key == name => item,
                    Some((extra, _)) => return Err(not_in_schema(extra)),
                    None => &Value::Null,
                };
                path.within(Step::Attribute(name), |p| encode_value(w, item, attr_ty, p))?;
            }
            if let Some((extra, _)) = given.next() {
                return Err(not_in_schema(extra));
            }
            w.end_map();
            Ok(())
        }
        (Type::Dynamic, v) => {
            let inner_ty = infer_type(v);
            w.begin_dynamic(&inner_ty, path)?;
            encode_value(w, v, &inner_ty, path)?;
            w.end_dynamic(&inner_ty, path)
        }
        (ty, v) => Err(path.error(format!(
            "{} is required, found {}",
            type_name(ty),
            value_kind(v)
        ))),
    }
}
