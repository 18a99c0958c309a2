//! Terraform's msgpack DynamicValues, decoded against the provider's, the resource's and
//! the data sources' schema types: never a panic; what decodes encodes again, and decodes
//! back to the same value.
#![no_main]

mod schema_types;
use schema_types::schema_types;

use libfuzzer_sys::fuzz_target;
use tfplugin::codec;

fuzz_target!(|data: &[u8]| {
    for ty in schema_types(true) {
        if let Ok(value) = codec::decode_msgpack(data, ty) {
            let encoded = codec::encode_msgpack(&value, ty)
                .unwrap_or_else(|e| panic!("a decoded value does not encode: {e:?}: {value:?}"));
            let again = codec::decode_msgpack(&encoded, ty)
                .unwrap_or_else(|e| panic!("an encoded value does not decode: {e:?}: {value:?}"));
            assert_eq!(again, value, "the round trip changed the value");
        }
    }
});
