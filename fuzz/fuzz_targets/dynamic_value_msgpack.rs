//! Terraform's msgpack DynamicValues, decoded against the provider's, the resource's and
//! the data sources' schema types: never a panic; what decodes encodes again.
#![no_main]

mod schema_types;
use schema_types::schema_types;

use libfuzzer_sys::fuzz_target;
use tfplugin::codec;

fuzz_target!(|data: &[u8]| {
    for ty in schema_types(true) {
        if let Ok(value) = codec::decode_msgpack(data, ty) {
            let _ = codec::encode_msgpack(&value, ty);
        }
    }
});
