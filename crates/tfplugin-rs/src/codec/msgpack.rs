//! terraform's msgpack form: decoding (`WireValue for Mp`, read in place from the bytes)
//! and encoding (`MsgpackWriter`), both through the shared walks.

use rmp::Marker;

use super::decode::{decode_value, WireValue};
use super::encode::{encode_value, WireWriter};
use super::{
    decimal_number, float_number, is_decimal, mismatch, normalize_float, CodecError, Path,
    UnknownAttributes,
};
use crate::types::Type;
use crate::value::{Number, Value};

/// msgpack nesting deeper than this is rejected rather than risking the stack.
const MAX_MSGPACK_DEPTH: usize = 512;

/// The msgpack extension type terraform uses for a plain unknown value (`d4 00 00`).
const UNKNOWN_EXT_TYPE: i8 = 0;

/// Decodes terraform's msgpack encoding of a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let path = Path::new();
    // The structure is checked once up front (every length within the bytes, the nesting
    // bounded), so the walk reads values in place, with no tree built and freed per call.
    let len = value_len(bytes, MAX_MSGPACK_DEPTH)
        .map_err(|e| path.error(format!("malformed msgpack: {e}")))?;
    if len < bytes.len() {
        return Err(path.error(format!(
            "malformed msgpack: {} unexpected bytes after the value",
            bytes.len() - len
        )));
    }
    // An object's attributes must match its type exactly on this wire.
    decode_value(Mp(bytes), ty, &path, UnknownAttributes::Reject)
}

/// A msgpack value in place: the bytes from its marker on (to the end of the input, which
/// `decode_msgpack` has checked holds whole values).
#[derive(Clone, Copy)]
struct Mp<'a>(&'a [u8]);

/// What a marker says: how many bytes its header takes and how long what follows is (bytes
/// for strings, binaries and extensions; values for arrays, twice the entries for maps).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    Bytes(usize),
    Values(usize),
}

/// The marker, header length and body of the value at the start of `bytes`.
fn header(bytes: &[u8]) -> Result<(Marker, usize, Body), String> {
    let Some(&first) = bytes.first() else {
        return Err("the input ends where a value should start".into());
    };
    let marker = Marker::from_u8(first);
    // the length field after the marker (and, for extensions, the type byte after that)
    let field = |width: usize| -> Result<usize, String> {
        let raw = bytes
            .get(1..1 + width)
            .ok_or_else(|| "the input ends inside a length".to_string())?;
        Ok(raw.iter().fold(0usize, |n, b| n << 8 | usize::from(*b)))
    };
    Ok(match marker {
        Marker::FixPos(_) | Marker::FixNeg(_) | Marker::Null | Marker::True | Marker::False => {
            (marker, 1, Body::Bytes(0))
        }
        Marker::U8 | Marker::I8 => (marker, 1, Body::Bytes(1)),
        Marker::U16 | Marker::I16 => (marker, 1, Body::Bytes(2)),
        Marker::U32 | Marker::I32 | Marker::F32 => (marker, 1, Body::Bytes(4)),
        Marker::U64 | Marker::I64 | Marker::F64 => (marker, 1, Body::Bytes(8)),
        Marker::FixStr(n) => (marker, 1, Body::Bytes(usize::from(n))),
        Marker::Str8 | Marker::Bin8 => (marker, 2, Body::Bytes(field(1)?)),
        Marker::Str16 | Marker::Bin16 => (marker, 3, Body::Bytes(field(2)?)),
        Marker::Str32 | Marker::Bin32 => (marker, 5, Body::Bytes(field(4)?)),
        Marker::FixArray(n) => (marker, 1, Body::Values(usize::from(n))),
        Marker::Array16 => (marker, 3, Body::Values(field(2)?)),
        Marker::Array32 => (marker, 5, Body::Values(field(4)?)),
        Marker::FixMap(n) => (marker, 1, Body::Values(2 * usize::from(n))),
        Marker::Map16 => (marker, 3, Body::Values(2 * field(2)?)),
        Marker::Map32 => (marker, 5, Body::Values(2 * field(4)?)),
        Marker::FixExt1 => (marker, 2, Body::Bytes(1)),
        Marker::FixExt2 => (marker, 2, Body::Bytes(2)),
        Marker::FixExt4 => (marker, 2, Body::Bytes(4)),
        Marker::FixExt8 => (marker, 2, Body::Bytes(8)),
        Marker::FixExt16 => (marker, 2, Body::Bytes(16)),
        Marker::Ext8 => (marker, 3, Body::Bytes(field(1)?)),
        Marker::Ext16 => (marker, 4, Body::Bytes(field(2)?)),
        Marker::Ext32 => (marker, 6, Body::Bytes(field(4)?)),
        Marker::Reserved => return Err(format!("0x{first:02x} is not a msgpack marker")),
    })
}

/// The length in bytes of the whole value at the start of `bytes`, checking that all of it
/// is there and that it nests no deeper than `depth`.
fn value_len(bytes: &[u8], depth: usize) -> Result<usize, String> {
    let (_, head, body) = header(bytes)?;
    let len = match body {
        Body::Bytes(n) => head.checked_add(n).filter(|len| *len <= bytes.len()),
        Body::Values(n) => {
            if depth == 0 {
                return Err(format!("nested deeper than {MAX_MSGPACK_DEPTH}"));
            }
            let mut at = head;
            for _ in 0..n {
                at += value_len(bytes.get(at..).unwrap_or_default(), depth - 1)?;
            }
            Some(at)
        }
    };
    len.filter(|len| *len <= bytes.len())
        .ok_or_else(|| "the input ends inside a value".to_string())
}

/// The values that follow a container's header, each located by skipping the one before.
struct Values<'a> {
    rest: &'a [u8],
    left: usize,
}

impl<'a> Iterator for Values<'a> {
    type Item = Mp<'a>;

    fn next(&mut self) -> Option<Mp<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let item = Mp(self.rest);
        // checked by `decode_msgpack` before the walk; an end here would only stop early
        let len = value_len(self.rest, MAX_MSGPACK_DEPTH).ok()?;
        self.rest = &self.rest[len..];
        Some(item)
    }
}

impl<'a> Mp<'a> {
    fn marker(self) -> Marker {
        Marker::from_u8(self.0[0])
    }

    /// The bytes of a string, binary or extension body, or the values of a container.
    fn body(self) -> (Marker, &'a [u8], Body) {
        match header(self.0) {
            Ok((marker, head, body)) => (marker, &self.0[head..], body),
            Err(_) => (Marker::Reserved, &[], Body::Bytes(0)),
        }
    }

    fn bytes(self) -> &'a [u8] {
        match self.body() {
            (_, rest, Body::Bytes(n)) => &rest[..n],
            _ => &[],
        }
    }

    /// Whole-string data (str or bin), or `None` for any other kind.
    fn text_bytes(self) -> Option<&'a [u8]> {
        matches!(
            self.marker(),
            Marker::FixStr(_)
                | Marker::Str8
                | Marker::Str16
                | Marker::Str32
                | Marker::Bin8
                | Marker::Bin16
                | Marker::Bin32
        )
        .then(|| self.bytes())
    }

    fn is_string(self) -> bool {
        matches!(
            self.marker(),
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32
        )
    }

    fn values(self, container: fn(Marker) -> bool) -> Option<Values<'a>> {
        match self.body() {
            (marker, rest, Body::Values(left)) if container(marker) => Some(Values { rest, left }),
            _ => None,
        }
    }

    /// An integer marker's value: as `i64` when it fits, else the `u64` it is.
    fn integer(self) -> Option<Result<i64, u64>> {
        let b = self.bytes();
        let be = |n: usize| b.iter().take(n).fold(0u64, |v, x| v << 8 | u64::from(*x));
        Some(match self.marker() {
            Marker::FixPos(n) => Ok(i64::from(n)),
            Marker::FixNeg(n) => Ok(i64::from(n)),
            Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => {
                let n = be(b.len());
                i64::try_from(n).map_err(|_| n)
            }
            Marker::I8 => Ok(i64::from(be(1) as u8 as i8)),
            Marker::I16 => Ok(i64::from(be(2) as u16 as i16)),
            Marker::I32 => Ok(i64::from(be(4) as u32 as i32)),
            Marker::I64 => Ok(be(8) as i64),
            _ => return None,
        })
    }
}

fn is_array(marker: Marker) -> bool {
    matches!(
        marker,
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32
    )
}

fn is_map(marker: Marker) -> bool {
    matches!(marker, Marker::FixMap(_) | Marker::Map16 | Marker::Map32)
}

impl<'a> WireValue<'a> for Mp<'a> {
    const ABSENT_ATTRIBUTES_ARE_NULL: bool = false;

    fn kind(self) -> &'static str {
        let marker = self.marker();
        match marker {
            Marker::Null => "nil",
            Marker::True | Marker::False => "a boolean",
            Marker::F32 | Marker::F64 => "a float",
            _ if self.integer().is_some() => "an integer",
            _ if self.is_string() => "a string",
            _ if self.text_bytes().is_some() => "binary data",
            _ if is_array(marker) => "an array",
            _ if is_map(marker) => "a map",
            _ => "an extension",
        }
    }

    fn null_or_unknown(self) -> Option<Value> {
        match self.marker() {
            Marker::Null => Some(Value::Null),
            // Any extension is an unknown: `d4 00 00`, or ext 12 carrying refinements
            // (nullness, string prefix, number and length bounds) that this model does not keep.
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => Some(Value::Unknown),
            _ => None,
        }
    }

    fn decode_string(self, path: &Path) -> Result<Value, CodecError> {
        match self.text_bytes() {
            Some(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(Value::String(s.to_owned())),
                Err(_) => Err(path.error("a string is required, found invalid UTF-8")),
            },
            None => Err(mismatch(path, "a string", self.kind())),
        }
    }

    fn decode_number(self, path: &Path) -> Result<Value, CodecError> {
        if let Some(integer) = self.integer() {
            return Ok(Value::Number(match integer {
                Ok(n) => Number::Int(n),
                Err(big) => Number::Decimal(big.to_string()),
            }));
        }
        let b = self.bytes();
        match self.marker() {
            Marker::F32 => {
                let bits = b.iter().fold(0u32, |v, x| v << 8 | u32::from(*x));
                float_number(f64::from(f32::from_bits(bits)), path)
            }
            Marker::F64 => {
                let bits = b.iter().fold(0u64, |v, x| v << 8 | u64::from(*x));
                float_number(f64::from_bits(bits), path)
            }
            _ if self.is_string() => match std::str::from_utf8(b) {
                Ok(text) => decimal_number(text, path),
                Err(_) => Err(path.error("a number is required, found invalid UTF-8")),
            },
            _ => Err(mismatch(path, "a number", self.kind())),
        }
    }

    fn decode_bool(self, path: &Path) -> Result<Value, CodecError> {
        match self.marker() {
            Marker::True => Ok(Value::Bool(true)),
            Marker::False => Ok(Value::Bool(false)),
            _ => Err(mismatch(path, "a bool", self.kind())),
        }
    }

    fn array(self) -> Option<(usize, impl Iterator<Item = Self>)> {
        self.values(is_array).map(|values| (values.left, values))
    }

    fn entries(self) -> Option<impl Iterator<Item = (Self, Self)>> {
        let mut values = self.values(is_map)?;
        Some(std::iter::from_fn(move || {
            Some((values.next()?, values.next()?))
        }))
    }

    fn key(self, path: &Path) -> Result<&'a str, CodecError> {
        if !self.is_string() {
            return Err(path.error(format!("map keys must be strings, found {}", self.kind())));
        }
        std::str::from_utf8(self.bytes()).map_err(|_| path.error("a map key is not valid UTF-8"))
    }

    /// A `[type-json, value]` pair, the type as binary or string.
    fn dynamic(self, path: &Path) -> Result<(Type, Self), CodecError> {
        let Some(mut pair) = self.values(is_array) else {
            return Err(mismatch(
                path,
                "a [type, value] pair for a dynamic value",
                self.kind(),
            ));
        };
        if pair.left != 2 {
            return Err(path.error(format!(
                "a [type, value] pair for a dynamic value is required, found an array of {}",
                pair.left
            )));
        }
        let (Some(type_json), Some(inner)) = (pair.next(), pair.next()) else {
            return Err(path.error("a dynamic value is cut short"));
        };
        let Some(type_bytes) = type_json.text_bytes() else {
            return Err(mismatch(
                path,
                "the type (JSON) of a dynamic value",
                type_json.kind(),
            ));
        };
        Ok((parse_type_json(type_bytes, path)?, inner))
    }
}

fn parse_type_json(bytes: &[u8], path: &Path) -> Result<Type, CodecError> {
    let json: serde_json::Value = serde_json::from_slice(bytes)
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
