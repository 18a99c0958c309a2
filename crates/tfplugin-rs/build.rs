//! Compiles `proto/` with protox (pure Rust: no `protoc` needed) and generates tonic
//! servers only; unhandled RPCs answer `Unimplemented` through the default stubs.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "tfplugin6.proto",
        "grpc_controller.proto",
        "grpc_stdio.proto",
        "grpc_broker.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed=proto/{proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
