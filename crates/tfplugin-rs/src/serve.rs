//! Running a provider: as terraform launches it (`serve`), or by hand for debugging
//! (`serve_debug`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tonic::transport::Server;
use tonic_health::ServingStatus;

use super::framework::Provider;
use super::go_plugin::{Broker, Controller, ShutdownSignal, Stdio};
use super::proto::go_plugin::{
    grpc_broker_server::GrpcBrokerServer, grpc_controller_server::GrpcControllerServer,
    grpc_stdio_server::GrpcStdioServer,
};
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::server::{ProviderService, MAX_MESSAGE_SIZE};
use super::transport::{self, Listener};
use super::{handshake, logging, tls};

/// go-plugin kills a provider still running 2 s after Shutdown; in-flight answers (the
/// Shutdown reply itself) get this long to leave before the process exits.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// The health service name go-plugin registers as SERVING.
const HEALTH_SERVICE: &str = "plugin";

enum Mode {
    /// Launched by terraform: cookie checked, AutoMTLS unless terraform disabled it.
    Terraform { client_cert_pem: Option<String> },
    /// Started by hand; terraform attaches through `TF_REATTACH_PROVIDERS` (no TLS: the
    /// reattach client has no certificates).
    Debug { provider_address: String },
}

/// Serves `provider` to the terraform that launched this process. Run by hand (no magic
/// cookie), explains that it is a plugin and fails.
pub fn serve<P: Provider>(provider: P) -> ExitCode {
    logging::install_panic_hook();
    if !handshake::cookie_present() {
        eprint!(
            "{}",
            handshake::not_started_by_terraform_message(&handshake::binary_name())
        );
        return ExitCode::from(1);
    }
    if let Err(e) = handshake::negotiate(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())
    {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    let client_cert_pem = std::env::var("PLUGIN_CLIENT_CERT")
        .ok()
        .filter(|pem| !pem.trim().is_empty());
    logging::init(log_module(&provider), logging::level_from_env());
    log_start(&provider);
    run(Arc::new(provider), Mode::Terraform { client_cert_pem })
}

/// Serves `provider` until interrupted, printing the `TF_REATTACH_PROVIDERS` value that
/// makes terraform use this process for the source address `provider_address`.
pub fn serve_debug<P: Provider>(provider: P, provider_address: &str) -> ExitCode {
    logging::install_panic_hook();
    let level = logging::level_from_env().or(Some(tracing_subscriber::filter::LevelFilter::INFO));
    logging::init(log_module(&provider), level);
    log_start(&provider);
    run(
        Arc::new(provider),
        Mode::Debug {
            provider_address: provider_address.to_owned(),
        },
    )
}

/// The first log line: which provider, which release, which protocol (terraform shows it
/// with `TF_LOG=info` or lower).
fn log_start<P: Provider>(provider: &P) {
    tracing::info!(
        version = provider.version().unwrap_or("unknown"),
        protocol_version = handshake::PROTOCOL_VERSION,
        "starting terraform-provider-{}",
        provider.type_name()
    );
}

fn log_module<P: Provider>(provider: &P) -> String {
    format!("provider.terraform-provider-{}", provider.type_name())
}

fn run(provider: Arc<dyn Provider>, mode: Mode) -> ExitCode {
    // One thread: a call costs the provider far less than it waits on terraform or the
    // API, and handing calls between worker threads cost more (wake-ups, system calls)
    // than a second core gave back.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let mut socket = SocketFile(None);
    let result = runtime.block_on(serve_until_shutdown(provider, mode, &mut socket));
    drop(socket);
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("{e}");
            1
        }
    };
    // Exit now rather than wait for the runtime to wind down open connections and tasks.
    std::process::exit(code)
}

/// Deletes the unix socket file when serving ends.
struct SocketFile(Option<PathBuf>);

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn serve_until_shutdown(
    provider: Arc<dyn Provider>,
    mode: Mode,
    socket: &mut SocketFile,
) -> Result<(), String> {
    let shutdown = ShutdownSignal::default();
    handle_signals(&shutdown, matches!(mode, Mode::Debug { .. }))?;

    let (tls_config, server_cert) = match &mode {
        Mode::Terraform {
            client_cert_pem: Some(pem),
        } => {
            let identity = tls::generate_server_identity().map_err(|e| e.to_string())?;
            let config = tls::server_config(&identity, pem).map_err(|e| e.to_string())?;
            (Some(config), Some(identity.cert_der))
        }
        _ => (None, None),
    };

    let listener = Listener::bind().map_err(|e| format!("cannot listen for terraform: {e}"))?;
    socket.0 = listener.socket_path();
    let network = listener.network();
    let address = listener
        .address()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;

    let server = spawn_server(provider, listener, tls_config, shutdown.clone()).await;

    // Only now, with the socket listening, tell terraform where it is.
    let announcement = match &mode {
        Mode::Terraform { .. } => {
            format!("{}\n", handshake::handshake_line(network, &address, server_cert.as_ref().map(|c| c.as_ref())))
        }
        Mode::Debug { provider_address } => format!(
            "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{}'\n\n",
            handshake::reattach_json(provider_address, std::process::id(), network, &address)
        ),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(announcement.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the handshake to stdout: {e}"))?;
    drop(stdout);
    tracing::debug!(network, address = %address, tls = server_cert.is_some(), "serving");

    let mut server = server;
    tokio::select! {
        result = &mut server => {
            return match result {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(format!("the gRPC server failed: {e}")),
                Err(e) => Err(format!("the gRPC server stopped: {e}")),
            };
        }
        () = shutdown.wait() => {}
    }
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, server).await;
    Ok(())
}

/// Starts serving every service on `listener` until `shutdown`.
async fn spawn_server(
    provider: Arc<dyn Provider>,
    listener: Listener,
    tls_config: Option<Arc<rustls::ServerConfig>>,
    shutdown: ShutdownSignal,
) -> tokio::task::JoinHandle<Result<(), tonic::transport::Error>> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status(HEALTH_SERVICE, ServingStatus::Serving)
        .await;
    let provider_service = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let router = Server::builder()
        .add_service(health_service)
        .add_service(provider_service)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }));
    let incoming = transport::incoming(listener, tls_config);
    tokio::spawn(
        router.serve_with_incoming_shutdown(incoming, async move { shutdown.wait().await }),
    )
}

/// A provider served inside the current process (on the current tokio runtime), for
/// terraform to attach to through `TF_REATTACH_PROVIDERS`: lets tests drive a provider with
/// the real CLI while observing it directly. Plaintext, like `serve_debug`.
pub struct InProcessServer {
    reattach_providers: String,
    socket: SocketFile,
    shutdown: ShutdownSignal,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

impl InProcessServer {
    /// Serves `provider` for the source address `provider_address`.
    pub async fn start(
        provider: Arc<dyn Provider>,
        provider_address: &str,
    ) -> Result<InProcessServer, String> {
        let listener = Listener::bind().map_err(|e| format!("cannot listen: {e}"))?;
        let socket = SocketFile(listener.socket_path());
        let network = listener.network();
        let address = listener
            .address()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let reattach_providers =
            handshake::reattach_json(provider_address, std::process::id(), network, &address);
        let shutdown = ShutdownSignal::default();
        let task = spawn_server(provider, listener, None, shutdown.clone()).await;
        Ok(InProcessServer {
            reattach_providers,
            socket,
            shutdown,
            task,
        })
    }

    /// The value for the `TF_REATTACH_PROVIDERS` environment variable.
    pub fn reattach_providers(&self) -> &str {
        &self.reattach_providers
    }

    /// Stops serving and removes the socket.
    pub async fn stop(self) {
        self.shutdown.trigger();
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.task).await;
        drop(self.socket);
    }
}

/// SIGINT (Ctrl-C) reaches the provider too, since it shares terraform's process group;
/// terraform handles it by calling StopProvider, so it is ignored, except in debug mode
/// where it is the way to stop. SIGTERM stops the server cleanly (the socket is removed).
fn handle_signals(shutdown: &ShutdownSignal, debug: bool) -> Result<(), String> {
    let mut sigint =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
    let mut sigterm =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = sigint.recv() => {
                    if debug {
                        shutdown.trigger();
                    } else {
                        tracing::debug!("ignoring SIGINT: terraform stops providers through StopProvider");
                    }
                }
                Some(()) = sigterm.recv() => shutdown.trigger(),
                else => break,
            }
        }
    });
    Ok(())
}
