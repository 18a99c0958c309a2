//! The value types of the provider's schemas, which the DynamicValue targets decode against.

use std::sync::OnceLock;

use tfplugin::{Provider, Type};
use terraform_provider_qualys::provider::QualysProvider;

/// The provider block's type, `dynamic` and every resource's type (what a stored state can
/// be), and with `with_data_sources` every data source's type too (what terraform can send
/// as msgpack). Built once per process.
pub fn schema_types(with_data_sources: bool) -> &'static [Type] {
    static RESOURCES: OnceLock<Vec<Type>> = OnceLock::new();
    static ALL: OnceLock<Vec<Type>> = OnceLock::new();
    let cell = if with_data_sources { &ALL } else { &RESOURCES };
    cell.get_or_init(|| {
        let provider = QualysProvider::new();
        let mut types = vec![provider.schema().value_type(), Type::Dynamic];
        types.extend(provider.resources().iter().map(|r| r.schema().value_type()));
        if with_data_sources {
            types.extend(
                provider
                    .data_sources()
                    .iter()
                    .map(|d| d.schema().value_type()),
            );
        }
        types
    })
}
