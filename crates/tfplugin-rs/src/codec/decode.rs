//! Decoding: one type-directed walk (`decode_value`) over either wire form, which supplies
//! its primitives through `WireValue`.

use std::collections::BTreeMap;

use super::{collection_name, mismatch, CodecError, Path, Step, UnknownAttributes};
use crate::types::Type;
use crate::value::Value;

/// A parsed wire value (msgpack or JSON) as the type-directed walk sees it. The walk
/// (`decode_value`) owns what both forms share: lists, sets, tuples, maps, objects, and the
/// attribute paths in errors. Each form supplies its primitives, its map keys and its
/// wrapper for the `dynamic` type, which differ between the two.
pub(super) trait WireValue: Sized {
    /// A map key as the form holds it (msgpack: any value; JSON: always a string).
    type Key;
    /// cty JSON leaves null attributes out of an object; cty msgpack writes every one.
    const ABSENT_ATTRIBUTES_ARE_NULL: bool;
    /// The wire kind, for errors ("an array", "a map", ...).
    fn kind(&self) -> &'static str;
    /// `Some` for a null or an unknown: valid whatever the type.
    fn null_or_unknown(&self) -> Option<Value>;
    fn decode_string(&self, path: &Path) -> Result<Value, CodecError>;
    fn decode_number(&self, path: &Path) -> Result<Value, CodecError>;
    fn decode_bool(&self, path: &Path) -> Result<Value, CodecError>;
    fn array(&self) -> Option<&[Self]>;
    fn entries(&self) -> Option<impl Iterator<Item = (&Self::Key, &Self)>>;
    fn key<'a>(key: &'a Self::Key, path: &Path) -> Result<&'a str, CodecError>;
    /// Unwraps a value of the `dynamic` type into its own type and the value proper.
    fn dynamic(&self, path: &Path) -> Result<(Type, &Self), CodecError>;
}

pub(super) fn decode_value<W: WireValue>(
    v: &W,
    ty: &Type,
    path: &Path,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    if let Some(null_or_unknown) = v.null_or_unknown() {
        return Ok(null_or_unknown);
    }
    match ty {
        Type::String => v.decode_string(path),
        Type::Number => v.decode_number(path),
        Type::Bool => v.decode_bool(path),
        Type::List(elem) | Type::Set(elem) => {
            let Some(items) = v.array() else {
                return Err(mismatch(path, collection_name(ty), v.kind()));
            };
            let out = decode_elements(items.iter().zip(std::iter::repeat(&**elem)), path, unknown)?;
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::Set(out)
            })
        }
        Type::Tuple(elems) => decode_tuple(v, elems, path, unknown),
        Type::Map(elem) => decode_map(v, elem, path, unknown),
        Type::Object(attrs) => decode_object(v, attrs, path, unknown),
        Type::Dynamic => {
            let (inner_ty, inner) = v.dynamic(path)?;
            decode_value(inner, &inner_ty, path, unknown)
        }
    }
}

/// Decodes each element of a list, set or tuple with its type, under its index.
fn decode_elements<'a, W: WireValue + 'a>(
    items: impl Iterator<Item = (&'a W, &'a Type)>,
    path: &Path,
    unknown: UnknownAttributes,
) -> Result<Vec<Value>, CodecError> {
    items
        .enumerate()
        .map(|(i, (item, elem))| {
            path.within(Step::Index(i as i64), |p| {
                decode_value(item, elem, p, unknown)
            })
        })
        .collect()
}

fn decode_tuple<W: WireValue>(
    v: &W,
    elems: &[Type],
    path: &Path,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    let Some(items) = v.array() else {
        return Err(mismatch(path, "a tuple", v.kind()));
    };
    if items.len() != elems.len() {
        return Err(path.error(format!(
            "a tuple of {} elements is required, found {}",
            elems.len(),
            items.len()
        )));
    }
    Ok(Value::Tuple(decode_elements(
        items.iter().zip(elems),
        path,
        unknown,
    )?))
}

fn decode_map<W: WireValue>(
    v: &W,
    elem: &Type,
    path: &Path,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    let Some(entries) = v.entries() else {
        return Err(mismatch(path, "a map", v.kind()));
    };
    let mut out = Vec::new();
    for (k, item) in entries {
        let key = W::key(k, path)?;
        let value = path.within(Step::Key(key), |p| decode_value(item, elem, p, unknown))?;
        out.push((key.to_owned(), value));
    }
    let out = sorted_map(out).map_err(|_| path.error("a map key appears twice"))?;
    Ok(Value::Map(out))
}

fn decode_object<W: WireValue>(
    v: &W,
    attrs: &BTreeMap<String, Type>,
    path: &Path,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    let Some(entries) = v.entries() else {
        return Err(mismatch(path, "an object", v.kind()));
    };
    let mut out = Vec::with_capacity(attrs.len());
    // terraform writes attributes in the schema's order: the type of each is found by
    // walking the schema along, and searched for only when the order breaks
    let mut ahead = attrs.iter().peekable();
    for (k, item) in entries {
        let key = W::key(k, path)?;
        while ahead.next_if(|(name, _)| name.as_str() < key).is_some() {}
        let in_order = ahead.next_if(|(name, _)| name.as_str() == key);
        let Some(attr_ty) = in_order.map(|(_, ty)| ty).or_else(|| attrs.get(key)) else {
            if unknown == UnknownAttributes::Ignore {
                continue;
            }
            return Err(path.error(format!("unsupported attribute \"{key}\"")));
        };
        let value = path.within(Step::Attribute(key), |p| {
            decode_value(item, attr_ty, p, unknown)
        })?;
        out.push((key.to_owned(), value));
    }
    let mut out =
        sorted_map(out).map_err(|key| path.error(format!("attribute \"{key}\" appears twice")))?;
    if out.len() != attrs.len() {
        fill_absent_attributes::<W>(&mut out, attrs, path)?;
    }
    Ok(Value::Object(out))
}

/// The entries as a map, or the first key that appears twice. Terraform writes keys in
/// order, and a `BTreeMap` collected from ordered entries is built in one pass instead of
/// searched once per key.
fn sorted_map(mut entries: Vec<(String, Value)>) -> Result<BTreeMap<String, Value>, String> {
    if !entries.is_sorted_by(|a, b| a.0 < b.0) {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(pair[0].0.clone());
        }
    }
    Ok(entries.into_iter().collect())
}

/// Absent attributes are null in cty JSON; in msgpack every attribute must be written.
fn fill_absent_attributes<W: WireValue>(
    out: &mut BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
    path: &Path,
) -> Result<(), CodecError> {
    if W::ABSENT_ATTRIBUTES_ARE_NULL {
        for name in attrs.keys() {
            out.entry(name.clone()).or_insert(Value::Null);
        }
        return Ok(());
    }
    let missing: Vec<&str> = attrs
        .keys()
        .filter(|k| !out.contains_key(*k))
        .map(String::as_str)
        .collect();
    Err(path.error(format!(
        "an object with {} attributes is required ({} given; missing: {})",
        attrs.len(),
        out.len(),
        missing.join(", ")
    )))
}
