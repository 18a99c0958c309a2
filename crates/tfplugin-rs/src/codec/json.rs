//! cty's JSON form (stored states): decoding (`WireValue for Json`, a borrowed tree) and
//! encoding (`JsonWriter`), both through the shared walks.

use std::borrow::Cow;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::decode::{decode_value, WireValue};
use super::encode::{encode_value, WireWriter};
use super::{
    decimal_number, float_number, is_decimal, mismatch, CodecError, Path, UnknownAttributes,
};
use crate::types::Type;
use crate::value::{Number, Value};

/// Decodes cty's JSON encoding (stored states) of a value of type `ty`. Absent object
/// attributes are null; JSON cannot express unknown values.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode_json_with(bytes, ty, UnknownAttributes::Reject)
}

pub(crate) fn decode_json_with(
    bytes: &[u8],
    ty: &Type,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    let path = Path::new();
    let json: Json =
        serde_json::from_slice(bytes).map_err(|e| path.error(format!("malformed JSON: {e}")))?;
    decode_value(&json, ty, &Path::new(), unknown)
}

/// JSON text as the walk reads it: strings borrowed from the text wherever they need no
/// unescaping, objects as their entries in order. The walk visits each value once, so
/// `serde_json::Value`'s copy of every string and hashed map per object would be spent for
/// nothing (they were a third of a state's decoding).
#[derive(Debug)]
enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Key<'a>, Json<'a>)>),
}

/// An object's key, borrowed from the text like the strings.
#[derive(Debug)]
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_str(JsonVisitor)? {
            Json::String(s) => Ok(Key(s)),
            _ => Err(serde::de::Error::custom("an object key must be a string")),
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Json<'de>, E> {
        serde_json::Number::from_f64(n)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

impl Json<'_> {
    fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// As `serde_json` holds it: for a dynamic value's type, which `Type::from_json` reads.
    fn to_value(&self) -> serde_json::Value {
        use serde_json::Value as V;
        match self {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => V::Number(n.clone()),
            Json::String(s) => V::String(s.to_string()),
            Json::Array(items) => V::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => V::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.0.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl<'a> WireValue for Json<'a> {
    type Key = Key<'a>;
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
            Json::String(s) => Ok(Value::String(s.to_string())),
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

    fn array(&self) -> Option<&[Self]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    fn entries(&self) -> Option<impl Iterator<Item = (&Key<'a>, &Self)>> {
        match self {
            Json::Object(entries) => Some(entries.iter().map(|(k, v)| (k, v))),
            _ => None,
        }
    }

    fn key<'k>(key: &'k Key<'a>, _path: &Path) -> Result<&'k str, CodecError> {
        Ok(&key.0)
    }

    /// A `{"value": ..., "type": ...}` object.
    fn dynamic(&self, path: &Path) -> Result<(Type, &Self), CodecError> {
        let Json::Object(wrapper) = self else {
            return Err(mismatch(
                path,
                "a {\"value\", \"type\"} object for a dynamic value",
                self.kind(),
            ));
        };
        if let Some((extra, _)) = wrapper
            .iter()
            .find(|(k, _)| k.0 != "value" && k.0 != "type")
        {
            return Err(path.error(format!("unexpected key \"{}\" in a dynamic value", extra.0)));
        }
        let get = |name: &str| {
            wrapper
                .iter()
                .rev()
                .find(|(k, _)| k.0 == name)
                .map(|(_, v)| v)
        };
        let (Some(type_json), Some(inner)) = (get("type"), get("value")) else {
            return Err(path.error("a dynamic value needs both \"value\" and \"type\""));
        };
        let inner_ty = Type::from_json(&type_json.to_value())
            .ok_or_else(|| path.error("the type of a dynamic value is not a valid type"))?;
        Ok((inner_ty, inner))
    }
}

/// Encodes `value` as cty JSON. Fails on unknown values, which JSON cannot carry.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut w = JsonWriter(Vec::with_capacity(64));
    encode_value(&mut w, value, ty, &Path::new())?;
    Ok(w.0)
}

/// Writes compact JSON text as it goes (what `serde_json::to_vec` would write for the same
/// tree), strings and numbers through serde_json.
struct JsonWriter(Vec<u8>);

impl JsonWriter {
    fn serialized(&mut self, v: &impl serde::Serialize, path: &Path) -> Result<(), CodecError> {
        serde_json::to_writer(&mut self.0, v).map_err(|e| path.error(e.to_string()))
    }
}

impl WireWriter for JsonWriter {
    fn null(&mut self, _path: &Path) -> Result<(), CodecError> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn unknown(&mut self, path: &Path) -> Result<(), CodecError> {
        Err(path.error("an unknown value cannot be written as JSON"))
    }

    fn string(&mut self, s: &str, path: &Path) -> Result<(), CodecError> {
        self.serialized(&s, path)
    }

    fn number(&mut self, n: &Number, path: &Path) -> Result<(), CodecError> {
        match n {
            Number::Int(i) => self.serialized(i, path),
            Number::Float(f) if f.is_finite() => self.serialized(f, path),
            Number::Float(_) => {
                Err(path.error("a number that is not finite cannot be written as JSON"))
            }
            // cty reads numbers from JSON strings too; this keeps every digit.
            Number::Decimal(text) if is_decimal(text) => self.serialized(text, path),
            Number::Decimal(_) => {
                Err(path.error("a number's decimal text is not a decimal number"))
            }
        }
    }

    fn bool(&mut self, b: bool, _path: &Path) -> Result<(), CodecError> {
        self.0.extend_from_slice(if b { b"true" } else { b"false" });
        Ok(())
    }

    fn begin_array(&mut self, _len: usize, _path: &Path) -> Result<(), CodecError> {
        self.0.push(b'[');
        Ok(())
    }

    fn item(&mut self, index: usize) {
        if index > 0 {
            self.0.push(b',');
        }
    }

    fn end_array(&mut self) {
        self.0.push(b']');
    }

    fn begin_map(&mut self, _len: usize, _path: &Path) -> Result<(), CodecError> {
        self.0.push(b'{');
        Ok(())
    }

    fn key(&mut self, index: usize, key: &str, path: &Path) -> Result<(), CodecError> {
        self.item(index);
        self.string(key, path)?;
        self.0.push(b':');
        Ok(())
    }

    fn end_map(&mut self) {
        self.0.push(b'}');
    }

    /// A `{"value": ..., "type": ...}` object.
    fn begin_dynamic(&mut self, _ty: &Type, _path: &Path) -> Result<(), CodecError> {
        self.0.extend_from_slice(b"{\"value\":");
        Ok(())
    }

    fn end_dynamic(&mut self, ty: &Type, path: &Path) -> Result<(), CodecError> {
        self.0.extend_from_slice(b",\"type\":");
        self.serialized(&ty.to_json(), path)?;
        self.0.push(b'}');
        Ok(())
    }
}
