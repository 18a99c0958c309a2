//! Terraform's msgpack DynamicValues, decoded against the provider's and the resource's
//! schema types: never a panic; what decodes encodes again.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use terraform_provider_qualys::plugin::{codec, Provider, Type};
use terraform_provider_qualys::provider::QualysProvider;

fn types() -> &'static Vec<Type> {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let provider = QualysProvider::new();
        let mut types = vec![provider.schema().value_type(), Type::Dynamic];
        types.extend(provider.resources().iter().map(|r| r.schema().value_type()));
        types.extend(
            provider
                .data_sources()
                .iter()
                .map(|d| d.schema().value_type()),
        );
        types
    })
}

fuzz_target!(|data: &[u8]| {
    for ty in types() {
        if let Ok(value) = codec::decode_msgpack(data, ty) {
            let _ = codec::encode_msgpack(&value, ty);
        }
    }
});
