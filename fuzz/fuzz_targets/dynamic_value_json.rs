//! JSON DynamicValues (stored states in UpgradeResourceState), decoded against the schema
//! types: never a panic; what decodes encodes again.
#![no_main]

mod schema_types;
use schema_types::schema_types;

use libfuzzer_sys::fuzz_target;
use tfplugin::codec;

fuzz_target!(|data: &[u8]| {
    for ty in schema_types(false) {
        if let Ok(value) = codec::decode_json(data, ty) {
            let _ = codec::encode_json(&value, ty);
        }
    }
});
