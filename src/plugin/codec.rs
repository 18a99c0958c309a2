//! The DynamicValue codec: msgpack (what terraform sends and expects) and JSON (stored
//! states in `UpgradeResourceState`), always read and written against a `Type`, because the
//! wire form alone cannot tell a list from a set or an object from a map.
//!
//! Follows go-cty's `msgpack` and `json` packages (the reference implementation terraform
//! uses): any msgpack extension is an unknown value (plain `d4 00 00` or a refined unknown,
//! ext 12, whose refinements are dropped); numbers may arrive as integers, floats or decimal
//! strings; objects carry exactly their type's attributes; the `dynamic` type travels as a
//! `[type-json, value]` pair (msgpack) or `{"value": ..., "type": ...}` (JSON).
//!
//! Errors name the attribute path and the kinds involved, never the values: a value may
//! be a secret.

use std::collections::BTreeMap;
use std::fmt;

use rmpv::Value as Mp;
use serde_json::Value as Json;

use super::diagnostics::{AttributePath, PathStep};
use super::types::Type;
use super::value::{Number, Value};

/// What went wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    pub path: AttributePath,
    pub message: String,
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CodecError {}

/// The current position while walking a value; cloned into an error only on failure.
struct Path(Vec<PathStep>);

impl Path {
    fn new() -> Self {
        Path(Vec::new())
    }
    fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError {
            path: AttributePath(self.0.clone()),
            message: message.into(),
        }
    }
    fn within<T>(&mut self, step: PathStep, f: impl FnOnce(&mut Path) -> T) -> T {
        self.0.push(step);
        let out = f(self);
        self.0.pop();
        out
    }
}

/// msgpack nesting deeper than this is rejected (rmpv's own limit) rather than risking the stack.
const MAX_MSGPACK_DEPTH: usize = 512;

/// The msgpack extension type terraform uses for a plain unknown value (`d4 00 00`).
const UNKNOWN_EXT_TYPE: i8 = 0;

// ---------------------------------------------------------------------------------------
// decoding: one type-directed walk over either wire form

/// A parsed wire value (msgpack or JSON) as the type-directed walk sees it. The walk
/// (`decode_value`) owns what both forms share: lists, sets, tuples, maps, objects, and the
/// attribute paths in errors. Each form supplies its primitives, its map keys and its
/// wrapper for the `dynamic` type, which differ between the two.
trait WireValue: Sized {
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

fn decode_value<W: WireValue>(
    v: &W,
    ty: &Type,
    path: &mut Path,
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
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(path.within(PathStep::Index(i as i64), |p| {
                    decode_value(item, elem, p, unknown)
                })?);
            }
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::Set(out)
            })
        }
        Type::Tuple(elems) => {
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
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                out.push(path.within(PathStep::Index(i as i64), |p| {
                    decode_value(item, elem, p, unknown)
                })?);
            }
            Ok(Value::Tuple(out))
        }
        Type::Map(elem) => {
            let Some(entries) = v.entries() else {
                return Err(mismatch(path, "a map", v.kind()));
            };
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                let key = W::key(k, path)?;
                let value = path.within(PathStep::Key(key.to_owned()), |p| {
                    decode_value(item, elem, p, unknown)
                })?;
                if out.insert(key.to_owned(), value).is_some() {
                    return Err(path.error("a map key appears twice"));
                }
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let Some(entries) = v.entries() else {
                return Err(mismatch(path, "an object", v.kind()));
            };
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                let key = W::key(k, path)?;
                let Some(attr_ty) = attrs.get(key) else {
                    if unknown == UnknownAttributes::Ignore {
                        continue;
                    }
                    return Err(path.error(format!("unsupported attribute \"{key}\"")));
                };
                let value = path.within(PathStep::Attribute(key.to_owned()), |p| {
                    decode_value(item, attr_ty, p, unknown)
                })?;
                if out.insert(key.to_owned(), value).is_some() {
                    return Err(path.error(format!("attribute \"{key}\" appears twice")));
                }
            }
            if out.len() != attrs.len() {
                if W::ABSENT_ATTRIBUTES_ARE_NULL {
                    for name in attrs.keys() {
                        out.entry(name.clone()).or_insert(Value::Null);
                    }
                } else {
                    let missing: Vec<&str> = attrs
                        .keys()
                        .filter(|k| !out.contains_key(*k))
                        .map(String::as_str)
                        .collect();
                    return Err(path.error(format!(
                        "an object with {} attributes is required ({} given; missing: {})",
                        attrs.len(),
                        out.len(),
                        missing.join(", ")
                    )));
                }
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let (inner_ty, inner) = v.dynamic(path)?;
            decode_value(inner, &inner_ty, path, unknown)
        }
    }
}

fn mismatch(path: &Path, want: &str, found: &str) -> CodecError {
    path.error(format!("{want} is required, found {found}"))
}

fn collection_name(ty: &Type) -> &'static str {
    match ty {
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        _ => "a collection",
    }
}

// ---------------------------------------------------------------------------------------
// msgpack decoding

/// Decodes terraform's msgpack encoding of a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let path = Path::new();
    let mut rest = bytes;
    let mp = rmpv::decode::read_value_with_max_depth(&mut rest, MAX_MSGPACK_DEPTH)
        .map_err(|e| path.error(format!("malformed msgpack: {e}")))?;
    if !rest.is_empty() {
        return Err(path.error(format!(
            "malformed msgpack: {} unexpected bytes after the value",
            rest.len()
        )));
    }
    // An object's attributes must match its type exactly on this wire.
    decode_value(&mp, ty, &mut Path::new(), UnknownAttributes::Reject)
}

impl WireValue for Mp {
    type Key = Mp;
    const ABSENT_ATTRIBUTES_ARE_NULL: bool = false;

    fn kind(&self) -> &'static str {
        match self {
            Mp::Nil => "nil",
            Mp::Boolean(_) => "a boolean",
            Mp::Integer(_) => "an integer",
            Mp::F32(_) | Mp::F64(_) => "a float",
            Mp::String(_) => "a string",
            Mp::Binary(_) => "binary data",
            Mp::Array(_) => "an array",
            Mp::Map(_) => "a map",
            Mp::Ext(..) => "an extension",
        }
    }

    fn null_or_unknown(&self) -> Option<Value> {
        match self {
            Mp::Nil => Some(Value::Null),
            // Any extension is an unknown: `d4 00 00`, or ext 12 carrying refinements
            // (nullness, string prefix, number and length bounds) that this model does not keep.
            Mp::Ext(..) => Some(Value::Unknown),
            _ => None,
        }
    }

    fn decode_string(&self, path: &Path) -> Result<Value, CodecError> {
        match self {
            Mp::String(s) => match s.as_str() {
                Some(s) => Ok(Value::String(s.to_owned())),
                None => Err(path.error("a string is required, found invalid UTF-8")),
            },
            Mp::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(Value::String(s.to_owned())),
                Err(_) => Err(path.error("a string is required, found invalid UTF-8")),
            },
            other => Err(mismatch(path, "a string", other.kind())),
        }
    }

    fn decode_number(&self, path: &Path) -> Result<Value, CodecError> {
        match self {
            Mp::Integer(i) => Ok(Value::Number(match i.as_i64() {
                Some(n) => Number::Int(n),
                None => Number::Decimal(i.to_string()),
            })),
            Mp::F32(f) => float_number(f64::from(*f), path),
            Mp::F64(f) => float_number(*f, path),
            Mp::String(s) => match s.as_str() {
                Some(text) => decimal_number(text, path),
                None => Err(path.error("a number is required, found invalid UTF-8")),
            },
            other => Err(mismatch(path, "a number", other.kind())),
        }
    }

    fn decode_bool(&self, path: &Path) -> Result<Value, CodecError> {
        match self {
            Mp::Boolean(b) => Ok(Value::Bool(*b)),
            other => Err(mismatch(path, "a bool", other.kind())),
        }
    }

    fn array(&self) -> Option<&[Mp]> {
        match self {
            Mp::Array(items) => Some(items),
            _ => None,
        }
    }

    fn entries(&self) -> Option<impl Iterator<Item = (&Mp, &Mp)>> {
        match self {
            Mp::Map(entries) => Some(entries.iter().map(|(k, v)| (k, v))),
            _ => None,
        }
    }

    fn key<'a>(key: &'a Mp, path: &Path) -> Result<&'a str, CodecError> {
        match key {
            Mp::String(s) => s
                .as_str()
                .ok_or_else(|| path.error("a map key is not valid UTF-8")),
            other => Err(path.error(format!("map keys must be strings, found {}", other.kind()))),
        }
    }

    /// A `[type-json, value]` pair, the type as binary or string.
    fn dynamic(&self, path: &Path) -> Result<(Type, &Mp), CodecError> {
        let Mp::Array(pair) = self else {
            return Err(mismatch(
                path,
                "a [type, value] pair for a dynamic value",
                self.kind(),
            ));
        };
        let [type_json, inner] = pair.as_slice() else {
            return Err(path.error(format!(
                "a [type, value] pair for a dynamic value is required, found an array of {}",
                pair.len()
            )));
        };
        let type_bytes: &[u8] = match type_json {
            Mp::Binary(b) => b,
            Mp::String(s) => s.as_bytes(),
            other => {
                return Err(mismatch(
                    path,
                    "the type (JSON) of a dynamic value",
                    other.kind(),
                ))
            }
        };
        Ok((parse_type_json(type_bytes, path)?, inner))
    }
}

fn parse_type_json(bytes: &[u8], path: &Path) -> Result<Type, CodecError> {
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|e| path.error(format!("the type of a dynamic value is not JSON: {e}")))?;
    Type::from_json(&json)
        .ok_or_else(|| path.error("the type of a dynamic value is not a valid type"))
}

/// Integral floats that an f64 holds exactly become `Int`, so values compare as users expect.
fn float_number(f: f64, path: &Path) -> Result<Value, CodecError> {
    if f.is_nan() {
        return Err(path.error("a number is required, found NaN"));
    }
    Ok(Value::Number(normalize_float(f)))
}

fn normalize_float(f: f64) -> Number {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if f.fract() == 0.0 && f.abs() <= EXACT {
        Number::Int(f as i64)
    } else {
        Number::Float(f)
    }
}

/// A number written as decimal text (how cty sends numbers no f64 holds exactly).
fn decimal_number(text: &str, path: &Path) -> Result<Value, CodecError> {
    if !is_decimal(text) {
        return Err(path.error("a number is required, found a string that is not a decimal number"));
    }
    Ok(Value::Number(match text.parse::<i64>() {
        Ok(i) => Number::Int(i),
        Err(_) => Number::Decimal(text.to_owned()),
    }))
}

/// `-?digits[.digits][(e|E)[+-]digits]`, the syntax cty writes.
fn is_decimal(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(f) => (int_part.is_empty() || digits(int_part)) && digits(f),
        None => digits(int_part),
    };
    let exponent_ok = match exponent {
        Some(e) => digits(e.strip_prefix(['-', '+']).unwrap_or(e)),
        None => true,
    };
    mantissa_ok && exponent_ok
}

// ---------------------------------------------------------------------------------------
// msgpack encoding

/// Encodes `value` as a value of type `ty`: objects carry exactly the type's attributes
/// (absent ones as null), unknowns become `d4 00 00`.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(64);
    to_msgpack(value, ty, &mut out, &mut Path::new())?;
    Ok(out)
}

/// Writing into a `Vec` cannot fail; this keeps the `Result`s honest anyway.
fn wrote<T, E: fmt::Display>(r: Result<T, E>, path: &Path) -> Result<(), CodecError> {
    r.map(|_| ())
        .map_err(|e| path.error(format!("cannot write msgpack: {e}")))
}

fn len_u32(len: usize, path: &Path) -> Result<u32, CodecError> {
    u32::try_from(len).map_err(|_| path.error("collection too large for msgpack"))
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Tuple(_) => "a tuple",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
    }
}

fn to_msgpack(
    value: &Value,
    ty: &Type,
    out: &mut Vec<u8>,
    path: &mut Path,
) -> Result<(), CodecError> {
    match value {
        Value::Null => return wrote(rmp::encode::write_nil(out), path),
        Value::Unknown => {
            wrote(rmp::encode::write_ext_meta(out, 1, UNKNOWN_EXT_TYPE), path)?;
            out.push(0);
            return Ok(());
        }
        _ => {}
    }
    match (ty, value) {
        (Type::String, Value::String(s)) => wrote(rmp::encode::write_str(out, s), path),
        (Type::Number, Value::Number(n)) => number_to_msgpack(n, out, path),
        (Type::Bool, Value::Bool(b)) => wrote(rmp::encode::write_bool(out, *b), path),
        (
            Type::List(elem) | Type::Set(elem),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => {
            wrote(
                rmp::encode::write_array_len(out, len_u32(items.len(), path)?),
                path,
            )?;
            for (i, item) in items.iter().enumerate() {
                path.within(PathStep::Index(i as i64), |p| {
                    to_msgpack(item, elem, out, p)
                })?;
            }
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
            wrote(
                rmp::encode::write_array_len(out, len_u32(items.len(), path)?),
                path,
            )?;
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                path.within(PathStep::Index(i as i64), |p| {
                    to_msgpack(item, elem, out, p)
                })?;
            }
            Ok(())
        }
        (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
            wrote(
                rmp::encode::write_map_len(out, len_u32(entries.len(), path)?),
                path,
            )?;
            for (k, item) in entries {
                wrote(rmp::encode::write_str(out, k), path)?;
                path.within(PathStep::Key(k.clone()), |p| to_msgpack(item, elem, out, p))?;
            }
            Ok(())
        }
        (Type::Object(attrs), Value::Object(entries) | Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(path.error(format!("attribute \"{extra}\" is not in the schema")));
            }
            wrote(
                rmp::encode::write_map_len(out, len_u32(attrs.len(), path)?),
                path,
            )?;
            for (name, attr_ty) in attrs {
                wrote(rmp::encode::write_str(out, name), path)?;
                let item = entries.get(name).unwrap_or(&Value::Null);
                path.within(PathStep::Attribute(name.clone()), |p| {
                    to_msgpack(item, attr_ty, out, p)
                })?;
            }
            Ok(())
        }
        (Type::Dynamic, v) => {
            let inner_ty = infer_type(v);
            let type_json = serde_json::to_vec(&inner_ty.to_json())
                .map_err(|e| path.error(format!("cannot write a dynamic value's type: {e}")))?;
            wrote(rmp::encode::write_array_len(out, 2), path)?;
            wrote(rmp::encode::write_bin(out, &type_json), path)?;
            to_msgpack(v, &inner_ty, out, path)
        }
        (ty, v) => Err(path.error(format!(
            "{} is required, found {}",
            type_name(ty),
            value_kind(v)
        ))),
    }
}

fn number_to_msgpack(n: &Number, out: &mut Vec<u8>, path: &Path) -> Result<(), CodecError> {
    match n {
        Number::Int(i) => wrote(rmp::encode::write_sint(out, *i), path),
        Number::Float(f) if f.is_nan() => Err(path.error("NaN is not a valid number")),
        Number::Float(f) => match normalize_float(*f) {
            Number::Int(i) => wrote(rmp::encode::write_sint(out, i), path),
            _ => wrote(rmp::encode::write_f64(out, *f), path),
        },
        Number::Decimal(text) => {
            if !is_decimal(text) {
                return Err(path.error("a number's decimal text is not a decimal number"));
            }
            match text.parse::<i64>() {
                Ok(i) => wrote(rmp::encode::write_sint(out, i), path),
                Err(_) => match text.parse::<u64>() {
                    Ok(u) => wrote(rmp::encode::write_uint(out, u), path),
                    Err(_) => wrote(rmp::encode::write_str(out, text), path),
                },
            }
        }
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::Dynamic => "a value",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object(_) => "an object",
        Type::Tuple(_) => "a tuple",
    }
}

/// The type a value of the `dynamic` type is sent with. Nulls and unknowns say nothing
/// about their type, so they give way to whatever their siblings show.
pub fn infer_type(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::list(unify(items.iter().map(infer_type))),
        Value::Set(items) => Type::set(unify(items.iter().map(infer_type))),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Map(entries) => Type::map(unify(entries.values().map(infer_type))),
        Value::Object(entries) => Type::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), infer_type(v)))
                .collect(),
        ),
    }
}

/// One element type for a collection; `Dynamic` when the elements disagree.
fn unify(types: impl Iterator<Item = Type>) -> Type {
    let mut acc = Type::Dynamic;
    for t in types {
        match merge(&acc, &t) {
            Some(m) => acc = m,
            None => return Type::Dynamic,
        }
    }
    acc
}

fn merge(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t.clone()),
        (Type::List(x), Type::List(y)) => Some(Type::list(merge(x, y)?)),
        (Type::Set(x), Type::Set(y)) => Some(Type::set(merge(x, y)?)),
        (Type::Map(x), Type::Map(y)) => Some(Type::map(merge(x, y)?)),
        (Type::Object(x), Type::Object(y)) if x.len() == y.len() => {
            let mut attrs = BTreeMap::new();
            for (k, xt) in x {
                attrs.insert(k.clone(), merge(xt, y.get(k)?)?);
            }
            Some(Type::Object(attrs))
        }
        (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => Some(Type::Tuple(
            x.iter()
                .zip(y)
                .map(|(a, b)| merge(a, b))
                .collect::<Option<_>>()?,
        )),
        (a, b) if a == b => Some(a.clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// JSON

/// How strictly JSON objects are matched against their object type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownAttributes {
    /// An attribute the type lacks is an error (cty's behaviour).
    Reject,
    /// Dropped: for states written by an older schema version.
    Ignore,
}

/// Decodes cty's JSON encoding (stored states) of a value of type `ty`. Absent object
/// attributes are null; JSON cannot express unknown values.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode_json_with(bytes, ty, UnknownAttributes::Reject)
}

pub fn decode_json_with(
    bytes: &[u8],
    ty: &Type,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    let path = Path::new();
    let json: Json =
        serde_json::from_slice(bytes).map_err(|e| path.error(format!("malformed JSON: {e}")))?;
    decode_value(&json, ty, &mut Path::new(), unknown)
}

impl WireValue for Json {
    type Key = String;
    const ABSENT_ATTRIBUTES_ARE_NULL: bool = true;

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// JSON has no unknowns.
    fn null_or_unknown(&self) -> Option<Value> {
        self.is_null().then_some(Value::Null)
    }

    // Like cty, primitive types accept each other's JSON forms where the text converts.
    fn decode_string(&self, path: &Path) -> Result<Value, CodecError> {
        match self {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Number(n) => Ok(Value::String(n.to_string())),
            Json::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(mismatch(path, "a string", other.kind())),
        }
    }

    fn decode_number(&self, path: &Path) -> Result<Value, CodecError> {
        match self {
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Value::Number(Number::Int(i)))
                } else if let Some(u) = n.as_u64() {
                    Ok(Value::Number(Number::Decimal(u.to_string())))
                } else {
                    match n.as_f64() {
                        Some(f) => float_number(f, path),
                        None => Err(path.error("a number is required, found an unreadable number")),
                    }
                }
            }
            Json::String(s) => decimal_number(s, path),
            other => Err(mismatch(path, "a number", other.kind())),
        }
    }

    fn decode_bool(&self, path: &Path) -> Result<Value, CodecError> {
        match self {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s == "true" => Ok(Value::Bool(true)),
            Json::String(s) if s == "false" => Ok(Value::Bool(false)),
            other => Err(mismatch(path, "a bool", other.kind())),
        }
    }

    fn array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    fn entries(&self) -> Option<impl Iterator<Item = (&String, &Json)>> {
        match self {
            Json::Object(entries) => Some(entries.iter()),
            _ => None,
        }
    }

    fn key<'a>(key: &'a String, _path: &Path) -> Result<&'a str, CodecError> {
        Ok(key)
    }

    /// A `{"value": ..., "type": ...}` object.
    fn dynamic(&self, path: &Path) -> Result<(Type, &Json), CodecError> {
        let Json::Object(wrapper) = self else {
            return Err(mismatch(
                path,
                "a {\"value\", \"type\"} object for a dynamic value",
                self.kind(),
            ));
        };
        if let Some(extra) = wrapper.keys().find(|k| *k != "value" && *k != "type") {
            return Err(path.error(format!("unexpected key \"{extra}\" in a dynamic value")));
        }
        let (Some(type_json), Some(inner)) = (wrapper.get("type"), wrapper.get("value")) else {
            return Err(path.error("a dynamic value needs both \"value\" and \"type\""));
        };
        let inner_ty = Type::from_json(type_json)
            .ok_or_else(|| path.error("the type of a dynamic value is not a valid type"))?;
        Ok((inner_ty, inner))
    }
}

/// Encodes `value` as cty JSON. Fails on unknown values, which JSON cannot carry.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let json = to_json(value, ty, &mut Path::new())?;
    serde_json::to_vec(&json).map_err(|e| CodecError {
        path: AttributePath::root(),
        message: e.to_string(),
    })
}

fn to_json(value: &Value, ty: &Type, path: &mut Path) -> Result<Json, CodecError> {
    match value {
        Value::Null => return Ok(Json::Null),
        Value::Unknown => return Err(path.error("an unknown value cannot be written as JSON")),
        _ => {}
    }
    match (ty, value) {
        (Type::String, Value::String(s)) => Ok(Json::String(s.clone())),
        (Type::Number, Value::Number(n)) => match n {
            Number::Int(i) => Ok(Json::from(*i)),
            Number::Float(f) => serde_json::Number::from_f64(*f)
                .map(Json::Number)
                .ok_or_else(|| path.error("a number that is not finite cannot be written as JSON")),
            // cty reads numbers from JSON strings too; this keeps every digit.
            Number::Decimal(text) => {
                if is_decimal(text) {
                    Ok(Json::String(text.clone()))
                } else {
                    Err(path.error("a number's decimal text is not a decimal number"))
                }
            }
        },
        (Type::Bool, Value::Bool(b)) => Ok(Json::Bool(*b)),
        (
            Type::List(elem) | Type::Set(elem),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(path.within(PathStep::Index(i as i64), |p| to_json(item, elem, p))?);
            }
            Ok(Json::Array(out))
        }
        (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != elems.len() {
                return Err(path.error(format!(
                    "a tuple of {} elements is required, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                out.push(path.within(PathStep::Index(i as i64), |p| to_json(item, elem, p))?);
            }
            Ok(Json::Array(out))
        }
        (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
            let mut out = serde_json::Map::new();
            for (k, item) in entries {
                out.insert(
                    k.clone(),
                    path.within(PathStep::Key(k.clone()), |p| to_json(item, elem, p))?,
                );
            }
            Ok(Json::Object(out))
        }
        (Type::Object(attrs), Value::Object(entries) | Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(path.error(format!("attribute \"{extra}\" is not in the schema")));
            }
            let mut out = serde_json::Map::new();
            for (name, attr_ty) in attrs {
                let item = entries.get(name).unwrap_or(&Value::Null);
                out.insert(
                    name.clone(),
                    path.within(PathStep::Attribute(name.clone()), |p| {
                        to_json(item, attr_ty, p)
                    })?,
                );
            }
            Ok(Json::Object(out))
        }
        (Type::Dynamic, v) => {
            let inner_ty = infer_type(v);
            let mut out = serde_json::Map::new();
            out.insert("value".into(), to_json(v, &inner_ty, path)?);
            out.insert("type".into(), inner_ty.to_json());
            Ok(Json::Object(out))
        }
        (ty, v) => Err(path.error(format!(
            "{} is required, found {}",
            type_name(ty),
            value_kind(v)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: &[(&str, Value)]) -> Value {
        Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn obj_ty(entries: &[(&str, Type)]) -> Type {
        Type::Object(
            entries
                .iter()
                .map(|(k, t)| (k.to_string(), t.clone()))
                .collect(),
        )
    }

    fn roundtrip(value: &Value, ty: &Type) {
        let bytes = encode_msgpack(value, ty).expect("encode msgpack");
        let back = decode_msgpack(&bytes, ty).expect("decode msgpack");
        assert_eq!(&back, value, "msgpack round trip of {value:?} as {ty:?}");
        if value.is_wholly_known() {
            let json = encode_json(value, ty).expect("encode json");
            let back = decode_json(&json, ty).expect("decode json");
            assert_eq!(&back, value, "JSON round trip of {value:?} as {ty:?}");
        }
    }

    /// A schema-like type exercising every kind at once.
    fn everything_type() -> Type {
        obj_ty(&[
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("l", Type::list(Type::String)),
            ("set", Type::set(Type::Number)),
            ("m", Type::map(Type::Bool)),
            ("t", Type::Tuple(vec![Type::String, Type::Number])),
            (
                "o",
                obj_ty(&[("inner", Type::list(obj_ty(&[("deep", Type::String)])))]),
            ),
            ("d", Type::Dynamic),
        ])
    }

    fn everything_value() -> Value {
        obj(&[
            ("s", Value::string("héllo")),
            ("n", Value::Number(Number::Float(1.5))),
            ("b", Value::Bool(true)),
            (
                "l",
                Value::List(vec![Value::string("a"), Value::string("b")]),
            ),
            ("set", Value::Set(vec![Value::int(3), Value::int(-1)])),
            (
                "m",
                Value::Map([("k".to_string(), Value::Bool(false))].into()),
            ),
            ("t", Value::Tuple(vec![Value::string("x"), Value::int(7)])),
            (
                "o",
                obj(&[(
                    "inner",
                    Value::List(vec![obj(&[("deep", Value::string("y"))])]),
                )]),
            ),
            (
                "d",
                obj(&[("any", Value::List(vec![Value::int(1), Value::int(2)]))]),
            ),
        ])
    }

    #[test]
    fn every_kind_round_trips() {
        roundtrip(&everything_value(), &everything_type());
        for (v, t) in [
            (Value::string(""), Type::String),
            (Value::Bool(false), Type::Bool),
            (Value::int(0), Type::Number),
            (Value::int(i64::MIN), Type::Number),
            (Value::int(i64::MAX), Type::Number),
            (Value::Number(Number::Float(-0.25)), Type::Number),
            (
                Value::Number(Number::Decimal("18446744073709551615".into())),
                Type::Number,
            ),
            (Value::Number(Number::Decimal("1e400".into())), Type::Number),
            (
                Value::Number(Number::Decimal("0.1000000000000000000001".into())),
                Type::Number,
            ),
            (Value::List(vec![]), Type::list(Type::String)),
            (Value::Set(vec![]), Type::set(Type::String)),
            (Value::Map(BTreeMap::new()), Type::map(Type::Number)),
            (obj(&[]), obj_ty(&[])),
            (Value::string("plain"), Type::Dynamic),
            (
                Value::Tuple(vec![Value::Bool(true), Value::string("x")]),
                Type::Dynamic,
            ),
        ] {
            roundtrip(&v, &t);
        }
    }

    #[test]
    fn nulls_round_trip_at_every_depth() {
        let ty = everything_type();
        roundtrip(&Value::Null, &ty);
        let Value::Object(attrs) = everything_value() else {
            unreachable!()
        };
        for name in attrs.keys() {
            let mut v = everything_value();
            *v.get_mut(name).unwrap() = Value::Null;
            roundtrip(&v, &ty);
        }
        let mut v = everything_value();
        *v.get_mut("l").unwrap() = Value::List(vec![Value::Null]);
        roundtrip(&v, &ty);
    }

    #[test]
    fn unknowns_round_trip_at_every_depth() {
        let ty = everything_type();
        roundtrip(&Value::Unknown, &ty);
        let Value::Object(attrs) = everything_value() else {
            unreachable!()
        };
        for name in attrs.keys() {
            let mut v = everything_value();
            *v.get_mut(name).unwrap() = Value::Unknown;
            roundtrip(&v, &ty);
        }
        let deep = [
            ("l", Value::List(vec![Value::string("a"), Value::Unknown])),
            ("set", Value::Set(vec![Value::Unknown])),
            ("m", Value::Map([("k".to_string(), Value::Unknown)].into())),
            ("t", Value::Tuple(vec![Value::Unknown, Value::int(1)])),
            (
                "o",
                obj(&[("inner", Value::List(vec![obj(&[("deep", Value::Unknown)])]))]),
            ),
            ("o", obj(&[("inner", Value::List(vec![Value::Unknown]))])),
            (
                "d",
                obj(&[("any", Value::List(vec![Value::int(1), Value::Unknown]))]),
            ),
        ];
        for (name, inner) in deep {
            let mut v = everything_value();
            *v.get_mut(name).unwrap() = inner;
            roundtrip(&v, &ty);
            assert!(!v.is_wholly_known());
        }
    }

    #[test]
    fn matches_terraform_bytes() {
        // Captured from terraform 1.11.4: keys sorted, nulls as c0, unknown as d4 00 00.
        let ty = obj_ty(&[
            ("created", Type::String),
            ("id", Type::String),
            ("name", Type::String),
            ("size", Type::Number),
            ("tags", Type::map(Type::String)),
        ]);
        let mut bytes = vec![0x85];
        for (k, v) in [
            ("created", &[0xc0][..]),
            ("id", &[0xd4, 0, 0][..]),
            ("name", &[0xa1, b'x'][..]),
            ("size", &[0x05][..]),
            ("tags", &[0x81, 0xa1, b'k', 0xa1, b'v'][..]),
        ] {
            bytes.push(0xa0 | k.len() as u8);
            bytes.extend_from_slice(k.as_bytes());
            bytes.extend_from_slice(v);
        }
        let value = decode_msgpack(&bytes, &ty).unwrap();
        assert_eq!(value.get("created"), &Value::Null);
        assert_eq!(value.get("id"), &Value::Unknown);
        assert_eq!(value.get("size"), &Value::int(5));
        assert_eq!(encode_msgpack(&value, &ty).unwrap(), bytes);
        assert_eq!(
            encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
            [0xd4, 0, 0]
        );
        assert_eq!(encode_msgpack(&Value::Null, &ty).unwrap(), [0xc0]);
    }

    #[test]
    fn refined_and_other_extensions_are_unknown() {
        // ext 12 with refinements {1: false (not null), 2: "pre"} as terraform writes them.
        let refined = [
            0xc7, 0x08, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa3, b'p', b'r', b'e',
        ];
        assert_eq!(
            decode_msgpack(&refined, &Type::String).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode_msgpack(&[0xd4, 0x05, 0x00], &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode_msgpack(&[0xc7, 0x00, 0x00], &Type::list(Type::Bool)).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn numbers_in_every_wire_form() {
        let n = |bytes: &[u8]| decode_msgpack(bytes, &Type::Number).unwrap();
        assert_eq!(n(&[0x2a]), Value::int(42));
        assert_eq!(n(&[0xd0, 0x9c]), Value::int(-100));
        assert_eq!(
            n(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Value::Number(Number::Decimal("18446744073709551615".into()))
        );
        assert_eq!(
            n(&[0xca, 0x3f, 0xc0, 0x00, 0x00]),
            Value::Number(Number::Float(1.5))
        );
        let mut f64_bytes = vec![0xcb];
        f64_bytes.extend_from_slice(&0.1f64.to_be_bytes());
        assert_eq!(n(&f64_bytes), Value::Number(Number::Float(0.1)));
        let mut text = vec![0xa5];
        text.extend_from_slice(b"1e400");
        assert_eq!(n(&text), Value::Number(Number::Decimal("1e400".into())));
        // Integral floats encode compactly, as cty does.
        assert_eq!(
            encode_msgpack(&Value::Number(Number::Float(3.0)), &Type::Number).unwrap(),
            [0x03]
        );
        // JSON numbers, and numbers as JSON strings (how cty keeps big decimals).
        assert_eq!(decode_json(b"12", &Type::Number).unwrap(), Value::int(12));
        assert_eq!(
            decode_json(b"2.5", &Type::Number).unwrap(),
            Value::Number(Number::Float(2.5))
        );
        assert_eq!(
            decode_json(b"\"123456789012345678901234567890\"", &Type::Number).unwrap(),
            Value::Number(Number::Decimal("123456789012345678901234567890".into()))
        );
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        // [bin("\"string\""), "x"]
        let mut bytes = vec![0x92, 0xc4, 0x08];
        bytes.extend_from_slice(b"\"string\"");
        bytes.extend_from_slice(&[0xa1, b'x']);
        assert_eq!(
            decode_msgpack(&bytes, &Type::Dynamic).unwrap(),
            Value::string("x")
        );
        assert_eq!(
            encode_msgpack(&Value::string("x"), &Type::Dynamic).unwrap(),
            bytes
        );
        // A wholly unknown or null dynamic value has no wrapper.
        assert_eq!(
            encode_msgpack(&Value::Unknown, &Type::Dynamic).unwrap(),
            [0xd4, 0, 0]
        );
        assert_eq!(
            decode_msgpack(&[0xc0], &Type::Dynamic).unwrap(),
            Value::Null
        );
        let json = decode_json(
            br#"{"value": ["a", "b"], "type": ["set", "string"]}"#,
            &Type::Dynamic,
        )
        .unwrap();
        assert_eq!(
            json,
            Value::Set(vec![Value::string("b"), Value::string("a")])
        );
        // Mixed nulls do not hide the element type.
        let list = Value::List(vec![
            obj(&[("a", Value::Null)]),
            obj(&[("a", Value::string("x"))]),
        ]);
        assert_eq!(
            infer_type(&list),
            Type::list(obj_ty(&[("a", Type::String)]))
        );
    }

    fn msgpack_error(bytes: &[u8], ty: &Type) -> CodecError {
        decode_msgpack(bytes, ty).expect_err("malformed msgpack must be rejected")
    }

    #[test]
    fn malformed_msgpack_is_rejected_with_the_path() {
        let ty = obj_ty(&[("name", Type::String), ("size", Type::Number)]);
        // Truncated: a 2-entry map with one entry.
        let e = msgpack_error(&[0x82, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x'], &ty);
        assert!(e.message.contains("malformed msgpack"), "{e}");
        // Trailing bytes.
        let e = msgpack_error(&[0xc0, 0xc0], &ty);
        assert!(e.message.contains("unexpected bytes"), "{e}");
        // Empty input.
        assert!(msgpack_error(&[], &ty)
            .message
            .contains("malformed msgpack"));
        // Wrong type inside, with the attribute path.
        let e = msgpack_error(
            &[
                0x82, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x', 0xa4, b's', b'i', b'z', b'e', 0xa2,
                b'x', b'9',
            ],
            &ty,
        );
        assert_eq!(
            e.to_string(),
            "size: a number is required, found a string that is not a decimal number"
        );
        // Unknown attribute.
        let e = msgpack_error(&[0x81, 0xa3, b'b', b'a', b'd', 0xc0], &ty);
        assert!(e.message.contains("unsupported attribute \"bad\""), "{e}");
        // Missing attribute.
        let e = msgpack_error(&[0x81, 0xa4, b'n', b'a', b'm', b'e', 0xc0], &ty);
        assert!(
            e.message
                .contains("2 attributes is required (1 given; missing: size)"),
            "{e}"
        );
        // Non-string key.
        let e = msgpack_error(&[0x81, 0x01, 0xc0], &Type::map(Type::String));
        assert!(e.message.contains("map keys must be strings"), "{e}");
        // Invalid UTF-8 string, deep inside a list.
        let e = msgpack_error(&[0x91, 0xa2, 0xff, 0xfe], &Type::list(Type::String));
        assert_eq!(e.path, AttributePath(vec![PathStep::Index(0)]));
        assert!(e.message.contains("UTF-8"), "{e}");
        // Tuple of the wrong length.
        assert!(msgpack_error(
            &[0x91, 0x01],
            &Type::Tuple(vec![Type::Number, Type::Number])
        )
        .message
        .contains("2 elements"));
        // Dynamic value without its type wrapper, and with a bogus type.
        assert!(msgpack_error(&[0xa1, b'x'], &Type::Dynamic)
            .message
            .contains("[type, value]"));
        assert!(
            msgpack_error(&[0x92, 0xc4, 0x03, b'"', b'x', b'"', 0xc0], &Type::Dynamic)
                .message
                .contains("not a valid type")
        );
        // Deeply nested garbage does not overflow the stack.
        let bomb = vec![0x91; 100_000];
        assert!(decode_msgpack(&bomb, &Type::Dynamic).is_err());
        // A huge declared length with no data behind it fails cleanly.
        assert!(
            decode_msgpack(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)).is_err()
        );
    }

    #[test]
    fn malformed_msgpack_never_panics() {
        // Every prefix and every single-byte corruption of a rich value.
        let ty = everything_type();
        let good = encode_msgpack(&everything_value(), &ty).unwrap();
        for end in 0..good.len() {
            let _ = decode_msgpack(&good[..end], &ty);
        }
        for i in 0..good.len() {
            for b in [0x00, 0x7f, 0x80, 0xc1, 0xd4, 0xdc, 0xde, 0xff] {
                let mut bad = good.clone();
                bad[i] = b;
                let _ = decode_msgpack(&bad, &ty);
            }
        }
    }

    #[test]
    fn json_decoding_follows_cty() {
        let ty = obj_ty(&[
            ("name", Type::String),
            ("size", Type::Number),
            ("tags", Type::map(Type::String)),
        ]);
        // Pretty-printed, with an absent attribute (null).
        let v = decode_json(b"{\n  \"name\": \"x\",\n  \"size\": 3\n}", &ty).unwrap();
        assert_eq!(
            v,
            obj(&[
                ("name", Value::string("x")),
                ("size", Value::int(3)),
                ("tags", Value::Null)
            ])
        );
        let e = decode_json(br#"{"name": "x", "extra": 1}"#, &ty).unwrap_err();
        assert!(e.message.contains("unsupported attribute \"extra\""), "{e}");
        let v = decode_json_with(
            br#"{"name": "x", "extra": 1}"#,
            &ty,
            UnknownAttributes::Ignore,
        )
        .unwrap();
        assert_eq!(v.get("name"), &Value::string("x"));
        let e = decode_json(br#"{"tags": {"a": ["no"]}}"#, &ty).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tags[\"a\"]: a string is required, found an array"
        );
        let e = decode_json(br#"{"name": "x""#, &ty).unwrap_err();
        assert!(e.message.starts_with("malformed JSON"), "{e}");
        assert!(decode_json(b"", &ty).is_err());
        assert!(decode_json(b"[1]", &ty)
            .unwrap_err()
            .message
            .contains("an object is required"));
        assert!(decode_json(br#"{"value": 1}"#, &Type::Dynamic).is_err());
    }

    #[test]
    fn encoding_writes_exactly_the_schema_attributes() {
        let ty = obj_ty(&[("a", Type::String), ("b", Type::Number)]);
        // A missing attribute is written as null...
        let bytes = encode_msgpack(&obj(&[("a", Value::string("x"))]), &ty).unwrap();
        assert_eq!(
            decode_msgpack(&bytes, &ty).unwrap(),
            obj(&[("a", Value::string("x")), ("b", Value::Null)])
        );
        // ...an extra one is a provider bug, reported with its path.
        let nested = obj_ty(&[("o", ty.clone())]);
        let e = encode_msgpack(&obj(&[("o", obj(&[("zzz", Value::Null)]))]), &nested).unwrap_err();
        assert_eq!(e.to_string(), "o: attribute \"zzz\" is not in the schema");
        let e = encode_msgpack(&obj(&[("b", Value::string("1"))]), &ty).unwrap_err();
        assert_eq!(e.to_string(), "b: a number is required, found a string");
        assert!(encode_json(&obj(&[("a", Value::Unknown)]), &ty).is_err());
        assert!(encode_msgpack(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
    }
}
