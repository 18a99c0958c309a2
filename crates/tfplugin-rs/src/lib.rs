//! tfplugin: a Terraform plugin protocol 6 server for Rust providers. Knows nothing of any
//! provider (in this workspace: nothing of Qualys). See the crate README and
//! `examples/hello_provider.rs`.
//!
//! A provider implements the `framework` traits and calls `serve` (or `serve_debug`);
//! everything below is protocol: the go-plugin handshake and AutoMTLS (`handshake`, `tls`,
//! `transport`), go-plugin's own services (`go_plugin`), the tfplugin6 service (`server`),
//! the DynamicValue codec (`codec`), protobuf mapping (`convert`), and terraform-style
//! logging (`logging`).

pub mod codec;
pub mod convert;
pub mod diagnostics;
pub mod framework;
pub mod go_plugin;
pub mod handshake;
pub mod logging;
pub mod proto;
pub mod schema;
mod serve;
pub mod server;
pub mod tls;
pub mod transport;
pub mod types;
pub mod value;

pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use framework::*;
pub use schema::{
    Attribute, AttributeType, Block, IdentityAttribute, IdentitySchema, Mode, NestedBlock, Nesting,
    Schema,
};
pub use serve::{serve, serve_debug, InProcessServer};
pub use types::Type;
pub use value::{Number, Value};
