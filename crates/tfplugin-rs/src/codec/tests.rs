//! The codec's tests: round trips, terraform's own bytes, and malformed input.

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
        // the streamed text is exactly what serde_json writes for the same tree
        let tree: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
        assert_eq!(json, serde_json::to_vec(&tree).unwrap(), "canonical JSON");
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
fn json_is_written_as_cty_writes_it() {
    let json = encode_json(&everything_value(), &everything_type()).unwrap();
    assert_eq!(
        String::from_utf8(json).unwrap(),
        r#"{"b":true,"d":{"value":{"any":[1,2]},"type":["object",{"any":["list","number"]}]},"l":["a","b"],"m":{"k":false},"n":1.5,"o":{"inner":[{"deep":"y"}]},"s":"héllo","set":[3,-1],"t":["x",7]}"#
    );
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
fn every_msgpack_width_decodes() {
    use rmp::encode as mp;
    let n = |write: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = Vec::new();
        write(&mut bytes);
        decode_msgpack(&bytes, &Type::Number).unwrap()
    };
    assert_eq!(n(&|b| drop(mp::write_i8(b, -5))), Value::int(-5));
    assert_eq!(n(&|b| drop(mp::write_i16(b, -300))), Value::int(-300));
    assert_eq!(n(&|b| drop(mp::write_i32(b, -70_000))), Value::int(-70_000));
    assert_eq!(
        n(&|b| drop(mp::write_i64(b, i64::MIN))),
        Value::int(i64::MIN)
    );
    assert_eq!(n(&|b| drop(mp::write_u8(b, 200))), Value::int(200));
    assert_eq!(n(&|b| drop(mp::write_u16(b, 60_000))), Value::int(60_000));
    assert_eq!(
        n(&|b| drop(mp::write_u32(b, 4_000_000_000))),
        Value::int(4_000_000_000)
    );
    assert_eq!(n(&|b| drop(mp::write_u64(b, 7))), Value::int(7));
    assert_eq!(n(&|b| drop(mp::write_pfix(b, 0x7f))), Value::int(127));
    assert_eq!(n(&|b| drop(mp::write_nfix(b, -32))), Value::int(-32));
    // long strings, binaries, and containers past their fix forms (16+ entries)
    let long = "x".repeat(70_000);
    let ty = obj_ty(&[
        ("s", Type::String),
        ("b", Type::String),
        ("l", Type::list(Type::Number)),
    ]);
    let mut bytes = Vec::new();
    mp::write_map_len(&mut bytes, 3).unwrap();
    mp::write_str(&mut bytes, "b").unwrap();
    mp::write_bin(&mut bytes, "é".repeat(200).as_bytes()).unwrap();
    mp::write_str(&mut bytes, "l").unwrap();
    mp::write_array_len(&mut bytes, 70_000).unwrap();
    for i in 0..70_000 {
        mp::write_sint(&mut bytes, i).unwrap();
    }
    mp::write_str(&mut bytes, "s").unwrap();
    mp::write_str(&mut bytes, &long).unwrap();
    let v = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(v.get("s"), &Value::string(&long));
    assert_eq!(v.get("b"), &Value::string("é".repeat(200)));
    assert_eq!(
        v.get("l"),
        &Value::List((0..70_000).map(Value::int).collect())
    );
    let big_map: Value = Value::Map(
        (0..300)
            .map(|i| (format!("k{i}"), Value::Bool(i % 2 == 0)))
            .collect(),
    );
    let bytes = encode_msgpack(&big_map, &Type::map(Type::Bool)).unwrap();
    assert_eq!(
        decode_msgpack(&bytes, &Type::map(Type::Bool)).unwrap(),
        big_map
    );
    // an unknown in every extension width
    for ext in [
        &[0xd4, 0, 0][..],
        &[0xd5, 12, 0, 0],
        &[0xc7, 1, 12, 0],
        &[0xc8, 0, 1, 12, 0],
    ] {
        assert_eq!(
            decode_msgpack(ext, &Type::String).unwrap(),
            Value::Unknown,
            "{ext:?}"
        );
    }
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
    assert!(decode_msgpack(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)).is_err());
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
    // keys in any order, escaped keys and strings (not borrowed from the text) alike
    let v = decode_json(
        br#"{"tags": {"b\u0021": "1", "a": "\"q\""}, "n\u0061me": "\u00e9"}"#,
        &ty,
    )
    .unwrap();
    assert_eq!(v.get("name"), &Value::string("\u{e9}"));
    assert_eq!(
        v.get("tags"),
        &Value::Map(
            [("a", "\"q\""), ("b!", "1")]
                .map(|(k, s)| (k.to_string(), Value::string(s)))
                .into()
        )
    );
    // as in cty, an attribute or key given twice is an error, not a silent choice
    let e = decode_json(br#"{"name": "x", "size": 1, "name": "y"}"#, &ty).unwrap_err();
    assert!(
        e.message.contains("attribute \"name\" appears twice"),
        "{e}"
    );
    let e = decode_json(br#"{"tags": {"k": "1", "k": "2"}}"#, &ty).unwrap_err();
    assert_eq!(e.to_string(), "tags: a map key appears twice");
}

#[test]
fn attributes_decode_in_any_order_and_once_each_from_msgpack() {
    let ty = obj_ty(&[("a", Type::String), ("b", Type::Number)]);
    let mut bytes = Vec::new();
    rmp::encode::write_map_len(&mut bytes, 2).unwrap();
    rmp::encode::write_str(&mut bytes, "b").unwrap();
    rmp::encode::write_sint(&mut bytes, 7).unwrap();
    rmp::encode::write_str(&mut bytes, "a").unwrap();
    rmp::encode::write_str(&mut bytes, "x").unwrap();
    assert_eq!(
        decode_msgpack(&bytes, &ty).unwrap(),
        obj(&[("a", Value::string("x")), ("b", Value::int(7))])
    );
    let mut twice = Vec::new();
    rmp::encode::write_map_len(&mut twice, 2).unwrap();
    for _ in 0..2 {
        rmp::encode::write_str(&mut twice, "a").unwrap();
        rmp::encode::write_str(&mut twice, "x").unwrap();
    }
    let e = decode_msgpack(&twice, &ty).unwrap_err();
    assert!(e.message.contains("attribute \"a\" appears twice"), "{e}");
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
    for extra in ["0", "ab"] {
        let given = obj(&[("a", Value::string("x")), (extra, Value::Null)]);
        let e = encode_json(&given, &ty).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("attribute \"{extra}\" is not in the schema")
        );
    }
    let e = encode_msgpack(&obj(&[("b", Value::string("1"))]), &ty).unwrap_err();
    assert_eq!(e.to_string(), "b: a number is required, found a string");
    assert!(encode_json(&obj(&[("a", Value::Unknown)]), &ty).is_err());
    assert!(encode_msgpack(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
}
