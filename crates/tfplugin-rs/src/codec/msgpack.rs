//! terraform's msgpack form: decoding (`WireValue for rmpv::ValueRef`) and encoding
//! (`MsgpackWriter`), both through the shared walks.

use rmpv::ValueRef as Mp;
use serde_json::Value as Json;

use super::decode::{decode_value, WireValue};
use super::encode::{encode_value, WireWriter};
use super::{
    decimal_number, float_number, is_decimal, mismatch, normalize_float, CodecError, Path,
    UnknownAttributes,
};
use crate::types::Type;
use crate::value::{Number, Value};

/// msgpack nesting deeper than this is rejected (rmpv's own limit) rather than risking the stack.
const MAX_MSGPACK_DEPTH: usize = 512;

/// The msgpack extension type terraform uses for a plain unknown value (`d4 00 00`).
const UNKNOWN_EXT_TYPE: i8 = 0;

/// Decodes terraform's msgpack encoding of a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let path = Path::new();
    let mut rest = bytes;
    // borrowed from `bytes`: strings are copied once, into the decoded value, not first into
    // a tree of their own
    let mp = rmpv::decode::read_value_ref_with_max_depth(&mut rest, MAX_MSGPACK_DEPTH)
        .map_err(|e| path.error(format!("malformed msgpack: {e}")))?;
    if !rest.is_empty() {
        return Err(path.error(format!(
            "malformed msgpack: {} unexpected bytes after the value",
            rest.len()
        )));
    }
    // An object's attributes must match its type exactly on this wire.
    decode_value(&mp, ty, &Path::new(), UnknownAttributes::Reject)
}

impl<'a> WireValue for Mp<'a> {
    type Key = Mp<'a>;
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

    fn array(&self) -> Option<&[Self]> {
        match self {
            Mp::Array(items) => Some(items),
            _ => None,
        }
    }

    fn entries(&self) -> Option<impl Iterator<Item = (&Self, &Self)>> {
        match self {
            Mp::Map(entries) => Some(entries.iter().map(|(k, v)| (k, v))),
            _ => None,
        }
    }

    fn key<'k>(key: &'k Self, path: &Path) -> Result<&'k str, CodecError> {
        match key {
            Mp::String(s) => s
                .as_str()
                .ok_or_else(|| path.error("a map key is not valid UTF-8")),
            other => Err(path.error(format!("map keys must be strings, found {}", other.kind()))),
        }
    }

    /// A `[type-json, value]` pair, the type as binary or string.
    fn dynamic(&self, path: &Path) -> Result<(Type, &Self), CodecError> {
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

/// Encodes `value` as a value of type `ty`: objects carry exactly the type's attributes
/// (absent ones as null), unknowns become `d4 00 00`.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut w = MsgpackWriter(Vec::with_capacity(64));
    encode_value(&mut w, value, ty, &Path::new())?;
    Ok(w.0)
}

struct MsgpackWriter(Vec<u8>);

/// Writing into a `Vec` cannot fail; this keeps the `Result`s honest anyway.
fn wrote<T, E: std::fmt::Display>(r: Result<T, E>, path: &Path) -> Result<(), CodecError> {
    r.map(|_| ())
        .map_err(|e| path.error(format!("cannot write msgpack: {e}")))
}

fn len_u32(len: usize, path: &Path) -> Result<u32, CodecError> {
    u32::try_from(len).map_err(|_| path.error("collection too large for msgpack"))
}

impl WireWriter for MsgpackWriter {
    fn null(&mut self, path: &Path) -> Result<(), CodecError> {
        wrote(rmp::encode::write_nil(&mut self.0), path)
    }

    fn unknown(&mut self, path: &Path) -> Result<(), CodecError> {
        wrote(
            rmp::encode::write_ext_meta(&mut self.0, 1, UNKNOWN_EXT_TYPE),
            path,
        )?;
        self.0.push(0);
        Ok(())
    }

    fn string(&mut self, s: &str, path: &Path) -> Result<(), CodecError> {
        wrote(rmp::encode::write_str(&mut self.0, s), path)
    }

    fn number(&mut self, n: &Number, path: &Path) -> Result<(), CodecError> {
        let out = &mut self.0;
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

    fn bool(&mut self, b: bool, path: &Path) -> Result<(), CodecError> {
        wrote(rmp::encode::write_bool(&mut self.0, b), path)
    }

    fn begin_array(&mut self, len: usize, path: &Path) -> Result<(), CodecError> {
        wrote(
            rmp::encode::write_array_len(&mut self.0, len_u32(len, path)?),
            path,
        )
    }

    fn item(&mut self, _index: usize) {}

    fn end_array(&mut self) {}

    fn begin_map(&mut self, len: usize, path: &Path) -> Result<(), CodecError> {
        wrote(
            rmp::encode::write_map_len(&mut self.0, len_u32(len, path)?),
            path,
        )
    }

    fn key(&mut self, _index: usize, key: &str, path: &Path) -> Result<(), CodecError> {
        self.string(key, path)
    }

    fn end_map(&mut self) {}

    /// A `[type-json, value]` pair, the type as binary.
    fn begin_dynamic(&mut self, ty: &Type, path: &Path) -> Result<(), CodecError> {
        let type_json = serde_json::to_vec(&ty.to_json())
            .map_err(|e| path.error(format!("cannot write a dynamic value's type: {e}")))?;
        wrote(rmp::encode::write_array_len(&mut self.0, 2), path)?;
        wrote(rmp::encode::write_bin(&mut self.0, &type_json), path)
    }

    fn end_dynamic(&mut self, _ty: &Type, _path: &Path) -> Result<(), CodecError> {
        Ok(())
    }
}
