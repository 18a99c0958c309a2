//! Decoders that accept the API's spellings of each type: the one place where loose API
//! values are read (the provider's attribute mapping reads through `value_to_*` too).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// How a type is read when it sits in an `Option` field of the model: every such field is
/// decoded through [`opt`], which the structs attach with `serde_with::apply`.
pub trait Decode: DeserializeOwned {
    /// Plain serde (`null` is `None`); the scalar types and string lists override it.
    fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Option::<Self>::deserialize(d)
    }
}

/// The `deserialize_with` of every `Option` field.
pub fn opt<'de, D: Deserializer<'de>, T: Decode>(d: D) -> Result<Option<T>, D::Error> {
    T::decode_opt(d)
}

impl Decode for i64 {
    fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        opt_i64(d)
    }
}

impl Decode for bool {
    fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        opt_bool(d)
    }
}

impl Decode for String {
    fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        opt_string(d)
    }
}

impl Decode for Vec<String> {
    fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        opt_strings(d)
    }
}

/// Raw JSON is kept as received.
impl Decode for Value {}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn invalid<E: serde::de::Error>(v: &Value, want: &str) -> E {
    E::custom(format!("expected {want}, got {} ({v})", kind(v)))
}

/// Number, numeric string (`"80"`, `"-12"`, `"1008"`), `""` or null.
pub fn value_to_i64(v: &Value) -> Result<Option<i64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                Ok(Some(f as i64))
            } else {
                Err(format!("expected an integer, got {n}"))
            }
        }
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                t.parse::<i64>()
                    .map(Some)
                    .map_err(|_| format!("expected an integer, got the string {s:?}"))
            }
        }
        other => Err(format!("expected an integer, got {}", kind(other))),
    }
}

pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_i64(&v).map_err(serde::de::Error::custom)
}

/// Boolean, `"true"`/`"false"` (any case), 0/1, `""` or null.
pub fn value_to_bool(v: &Value) -> Result<Option<bool>, String> {
    let invalid = || format!("expected a boolean, got {} ({v})", kind(v));
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(invalid()),
        },
        Value::Number(n) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(invalid()),
        },
        _ => Err(invalid()),
    }
}

pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_bool(&v).map_err(serde::de::Error::custom)
}

/// String, or a number/boolean written as text, or null.
pub fn value_to_string(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!("expected a string, got {} ({other})", kind(other))),
    }
}

pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_string(&v).map_err(serde::de::Error::custom)
}

pub fn opt_string_or_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// Array of strings (numbers written as text, objects by their `id`), or null.
pub fn opt_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let v = Value::deserialize(d)?;
    match v {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                // a tag as `{id, name}` (the summary's `tags` on real tenants)
                Value::Object(o) => match o.get("id") {
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(Value::Number(n)) => Ok(n.to_string()),
                    _ => Err(invalid(&Value::Object(o), "an object with an id")),
                },
                other => Err(invalid(&other, "a string in the list")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(invalid(&other, "an array of strings")),
    }
}
