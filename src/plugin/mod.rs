//! The Terraform plugin protocol layer. Knows nothing of Qualys.

pub mod diagnostics;
pub mod framework;
pub mod schema;
pub mod types;
pub mod value;

pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use framework::*;
pub use schema::{Attribute, AttributeType, Block, Mode, NestedBlock, Nesting, Schema};
pub use types::Type;
pub use value::{Number, Value};
pub mod codec;
pub mod convert;
pub mod proto;
pub mod server;
