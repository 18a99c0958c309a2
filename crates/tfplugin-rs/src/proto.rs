//! Generated tfplugin6 and go-plugin protobuf types and tonic servers (see `build.rs`).

#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services: GRPCController, GRPCStdio, GRPCBroker.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod go_plugin {
    tonic::include_proto!("plugin");
}
