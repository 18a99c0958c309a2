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
//!
//! One file per concern: `decode` and `encode` are the type-directed walks both wire forms
//! share (lists, sets, tuples, maps, objects, dynamic values, attribute paths in errors);
//! `msgpack` and `json` supply each form's primitives; the errors, paths, number and type
//! helpers both forms need live here.

mod decode;
mod encode;
mod json;
mod msgpack;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use super::diagnostics::{AttributePath, PathStep};
use super::types::Type;
use super::value::{Number, Value};

pub(crate) use json::decode_json_with;
pub use json::{decode_json, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};

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

/// The current position while walking a value: a chain of borrowed steps on the stack, so
/// that walking an attribute allocates nothing; the owned path is built only for an error.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Option<Step<'a>>,
}

/// One step of a `Path`, borrowing the name or key from the value or type being walked.
#[derive(Clone, Copy)]
enum Step<'a> {
    Attribute(&'a str),
    Key(&'a str),
    Index(i64),
}

impl Path<'_> {
    fn new() -> Path<'static> {
        Path {
            parent: None,
            step: None,
        }
    }
    fn error(&self, message: impl Into<String>) -> CodecError {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            steps.extend(path.step.map(|step| match step {
                Step::Attribute(name) => PathStep::Attribute(name.to_owned()),
                Step::Key(key) => PathStep::Key(key.to_owned()),
                Step::Index(i) => PathStep::Index(i),
            }));
            at = path.parent;
        }
        steps.reverse();
        CodecError {
            path: AttributePath(steps),
            message: message.into(),
        }
    }
    fn within<T>(&self, step: Step<'_>, f: impl FnOnce(&Path<'_>) -> T) -> T {
        f(&Path {
            parent: Some(self),
            step: Some(step),
        })
    }
}

/// How strictly JSON objects are matched against their object type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnknownAttributes {
    /// An attribute the type lacks is an error (cty's behaviour).
    Reject,
    /// Dropped: for states written by an older schema version.
    Ignore,
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
pub(crate) fn infer_type(value: &Value) -> Type {
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
