// Helpers for later tests too; not every one is used by every area yet.
#![allow(dead_code)]

//! Starting the provider binary the way terraform does, and talking gRPC to it.
//!
//! `ClientIdentity::generate()` makes a client certificate like go-plugin's (self-signed
//! ECDSA P-521 / SHA-512, CA, SAN localhost, client and server EKUs); `PluginProcess::start`
//! passes it in `PLUGIN_CLIENT_CERT` with the magic cookie and `PLUGIN_PROTOCOL_VERSIONS`,
//! reads the handshake line, and `channel()` connects over mTLS (or plaintext) to the
//! address it names. `unary()` calls any RPC with the crate's protobuf types.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint, Uri};

use super::terraform::provider_binary;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate and key, as terraform's go-plugin generates them per run.
pub struct ClientIdentity {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl ClientIdentity {
    pub fn generate() -> ClientIdentity {
        use rcgen::{
            BasicConstraints, CertificateParams, DistinguishedName, DnType,
            ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
        };
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        let mut name = DistinguishedName::new();
        name.push(DnType::OrganizationName, "HashiCorp");
        name.push(DnType::CommonName, "localhost");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params
            .self_signed(&key)
            .expect("self-signed P-521 certificate");
        ClientIdentity {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        }
    }
}

/// The fields of go-plugin's handshake line.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub line: String,
    pub core_version: String,
    pub protocol_version: String,
    pub network: String,
    pub address: String,
    pub protocol: String,
    /// The raw base64 field.
    pub server_cert_b64: String,
}

impl Handshake {
    pub fn parse(line: &str) -> Handshake {
        let fields: Vec<&str> = line.trim().split('|').collect();
        assert_eq!(
            fields.len(),
            6,
            "handshake line must have 6 fields: {line:?}"
        );
        Handshake {
            line: line.to_owned(),
            core_version: fields[0].to_owned(),
            protocol_version: fields[1].to_owned(),
            network: fields[2].to_owned(),
            address: fields[3].to_owned(),
            protocol: fields[4].to_owned(),
            server_cert_b64: fields[5].to_owned(),
        }
    }

    /// Decoded the way go-plugin does (`base64.RawStdEncoding`).
    pub fn server_cert_der(&self) -> Option<Vec<u8>> {
        if self.server_cert_b64.is_empty() {
            return None;
        }
        Some(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(&self.server_cert_b64)
                .expect("server certificate must be unpadded standard base64"),
        )
    }
}

/// A running provider process.
pub struct PluginProcess {
    child: Child,
    pub handshake: Handshake,
    stdout_rest: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl PluginProcess {
    /// Starts the provider as terraform does: cookie, protocol versions, port range, and
    /// the client certificate when `identity` is given (AutoMTLS); plus `extra_env`.
    pub fn start(identity: Option<&ClientIdentity>, extra_env: &[(&str, &str)]) -> PluginProcess {
        let mut cmd = Command::new(provider_binary());
        cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env_remove("PLUGIN_CLIENT_CERT")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER");
        if let Some(identity) = identity {
            cmd.env("PLUGIN_CLIENT_CERT", &identity.cert_pem);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        Self::spawn(cmd, |line| line.contains('|'), Duration::from_secs(20)).unwrap_or_else(
            |(status, stderr)| {
                panic!("provider did not print a handshake (exit {status:?}):\n{stderr}")
            },
        )
    }

    /// Spawns `cmd` and waits for the first stdout line accepted by `is_handshake` (other
    /// lines before it are kept in `stdout_rest`). On failure: the exit status and stderr.
    pub fn spawn(
        mut cmd: Command,
        is_handshake: impl Fn(&str) -> bool + Send + 'static,
        timeout: Duration,
    ) -> Result<PluginProcess, (Option<ExitStatus>, String)> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start the provider binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                stderr_sink
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout_rest = Arc::new(Mutex::new(String::new()));
        let rest_sink = stdout_rest.clone();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match tx.as_ref() {
                    Some(sender) if is_handshake(&line) => {
                        let _ = sender.send(line);
                        tx = None;
                    }
                    _ => {
                        let mut rest = rest_sink.lock().unwrap();
                        rest.push_str(&line);
                        rest.push('\n');
                    }
                }
            }
        });
        match rx.recv_timeout(timeout) {
            Ok(line) => Ok(PluginProcess {
                child,
                handshake: Handshake::parse_lenient(&line),
                stdout_rest,
                stderr,
            }),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                std::thread::sleep(Duration::from_millis(50));
                let text = stderr.lock().unwrap().clone();
                Err((status, text))
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the provider wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// stdout lines other than the handshake line, so far.
    pub fn stdout_rest(&self) -> String {
        self.stdout_rest.lock().unwrap().clone()
    }

    /// Sends a signal (e.g. "INT") to the process.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits up to `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if started.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Connects to the handshake's address; over mTLS with `identity` when the handshake
    /// carries a server certificate (`identity: None` then means "no client certificate").
    pub async fn channel(
        &self,
        identity: Option<&ClientIdentity>,
    ) -> Result<Channel, tonic::transport::Error> {
        connect(&self.handshake, identity).await
    }
}

impl Handshake {
    /// Parses lines of either the handshake form or anything else (kept whole in `line`).
    fn parse_lenient(line: &str) -> Handshake {
        if line.trim().split('|').count() == 6 {
            Handshake::parse(line)
        } else {
            Handshake {
                line: line.to_owned(),
                core_version: String::new(),
                protocol_version: String::new(),
                network: String::new(),
                address: String::new(),
                protocol: String::new(),
                server_cert_b64: String::new(),
            }
        }
    }
}

impl Drop for PluginProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if self.handshake.network == "unix" {
            let _ = std::fs::remove_file(&self.handshake.address);
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// A gRPC channel to the address of a handshake.
pub async fn connect(
    handshake: &Handshake,
    identity: Option<&ClientIdentity>,
) -> Result<Channel, tonic::transport::Error> {
    let network = handshake.network.clone();
    let address = handshake.address.clone();
    let tls = handshake
        .server_cert_der()
        .map(|server_der| Arc::new(client_tls_config(server_der, identity)));
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(10))
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let network = network.clone();
            let address = address.clone();
            let tls = tls.clone();
            async move {
                let io: Box<dyn Io> = match network.as_str() {
                    "unix" => {
                        Box::new(tokio::net::UnixStream::connect(PathBuf::from(&address)).await?)
                    }
                    _ => Box::new(tokio::net::TcpStream::connect(&address).await?),
                };
                let io: Box<dyn Io> = match tls {
                    Some(config) => {
                        let connector = tokio_rustls::TlsConnector::from(config);
                        let name = ServerName::try_from("localhost").expect("server name");
                        Box::new(connector.connect(name, io).await?)
                    }
                    None => io,
                };
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
            }
        }))
        .await
}

fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Trusts exactly the server certificate from the handshake (as go-plugin does, using it as
/// the only root), presents `identity` if given, and offers ALPN h2 like grpc-go.
fn client_tls_config(
    server_der: Vec<u8>,
    identity: Option<&ClientIdentity>,
) -> rustls::ClientConfig {
    let provider = crypto_provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServerCert {
            der: server_der,
            provider,
        }));
    let mut config = match identity {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.cert_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone())),
            )
            .expect("client certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

#[derive(Debug)]
struct PinnedServerCert {
    der: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Calls a unary RPC, e.g. `unary(&ch, "/tfplugin6.Provider/GetProviderSchema", req)`.
pub async fn unary<Req, Resp>(
    channel: &Channel,
    path: &'static str,
    request: Req,
) -> Result<Resp, tonic::Status>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    let mut grpc = tonic::client::Grpc::new(channel.clone()).max_decoding_message_size(256 << 20);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    grpc.unary(
        tonic::Request::new(request),
        PathAndQuery::from_static(path),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .map(tonic::Response::into_inner)
}

/// Calls a server-streaming RPC.
pub async fn server_streaming<Req, Resp>(
    channel: &Channel,
    path: &'static str,
    request: Req,
) -> Result<tonic::Streaming<Resp>, tonic::Status>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    grpc.server_streaming(
        tonic::Request::new(request),
        PathAndQuery::from_static(path),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .map(tonic::Response::into_inner)
}

/// Calls a bidirectional-streaming RPC with the given outbound stream.
pub async fn streaming<Req, Resp>(
    channel: &Channel,
    path: &'static str,
    outbound: impl futures::Stream<Item = Req> + Send + 'static,
) -> Result<tonic::Streaming<Resp>, tonic::Status>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    grpc.streaming(
        tonic::Request::new(outbound),
        PathAndQuery::from_static(path),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .map(tonic::Response::into_inner)
}

/// The provider's schema (`GetProviderSchema`) over a connected channel.
pub async fn get_schema(
    channel: &Channel,
) -> Result<tfplugin::proto::tfplugin6::get_provider_schema::Response, tonic::Status> {
    unary(
        channel,
        "/tfplugin6.Provider/GetProviderSchema",
        tfplugin::proto::tfplugin6::get_provider_schema::Request {},
    )
    .await
}
