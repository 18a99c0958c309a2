//! tfplugin: a Terraform plugin protocol 6 server for Rust providers. Knows nothing of any
//! provider (in this workspace: nothing of Qualys). See the crate README and
//! `examples/hello_provider.rs`.
//!
//! A provider implements the traits re-exported here (`Provider`, `Resource`, `DataSource`,
//! `ListResource`) on the `Value`s and `Schema`s re-exported with them, and calls `serve`
//! (or `serve_debug`); everything else is protocol and stays private: the go-plugin
//! handshake and AutoMTLS (`handshake`, `tls`, `transport`), go-plugin's own services
//! (`go_plugin`), the tfplugin6 service (`server`), protobuf mapping (`convert`), and
//! terraform-style logging (`logging`).
//!
//! Two modules are public for code that plays Terraform core against a provider (the
//! provider's protocol, security and fuzz tests): `proto`, the generated gRPC messages and
//! clients, and `codec`, the DynamicValue encoding.

pub mod codec;
mod convert;
mod diagnostics;
mod framework;
mod go_plugin;
mod handshake;
mod logging;
pub mod proto;
mod schema;
mod serve;
mod server;
mod tls;
mod transport;
mod types;
mod value;

pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use framework::{
    ApplyResponse, CreateRequest, DataSource, DeleteRequest, ImportResponse, ListRequest,
    ListResource, ListResult, ListSink, PlanRequest, PlanResponse, Provider, ReadRequest,
    ReadResponse, Resource, UpdateRequest,
};
pub use handshake::PROTOCOL_VERSION;
pub use schema::{
    Attribute, AttributeType, Block, IdentityAttribute, IdentitySchema, Mode, NestedBlock, Nesting,
    Schema,
};
pub use serve::{serve, serve_debug, InProcessServer};
pub use types::Type;
pub use value::{Number, Value};
