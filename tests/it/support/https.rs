//! A static HTTPS file server on 127.0.0.1 with a certificate from a CA made by the test:
//! what a team's mirror host (S3, Artifactory, nginx) is to terraform.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A CA made by the test and a server certificate for `127.0.0.1` signed by it: for every
/// local HTTPS server of the tests (mirrors, gateways).
pub struct TestCa {
    /// The CA certificate, PEM: what clients must trust (`SSL_CERT_FILE` for terraform).
    pub ca_pem: String,
    pub server_cert: rustls_pki_types::CertificateDer<'static>,
    pub server_key_pkcs8: Vec<u8>,
}

impl TestCa {
    pub fn new() -> TestCa {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        };
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "terraform-provider-qualys test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().expect("server key");
        // "127.0.0.1" becomes an IP address SAN, which is what Go checks for an IP URL.
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .expect("server params")
            .signed_by(&leaf_key, &issuer)
            .expect("server certificate");
        TestCa {
            ca_pem: ca_cert.pem(),
            server_cert: leaf.der().clone(),
            server_key_pkcs8: leaf_key.serialize_der(),
        }
    }

    /// The server certificate's private key.
    pub fn server_key(&self) -> rustls_pki_types::PrivateKeyDer<'static> {
        rustls_pki_types::PrivateKeyDer::Pkcs8(self.server_key_pkcs8.clone().into())
    }

    /// A rustls server configuration presenting the server certificate (ALPN h2, http/1.1).
    pub fn server_config(&self) -> rustls::ServerConfig {
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![self.server_cert.clone()], self.server_key())
        .expect("server config");
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        config
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves the files under a directory over HTTPS (GET and HEAD, no listings) on its own thread
/// and runtime until dropped, and records the paths it was asked for.
pub struct StaticHttpsServer {
    /// e.g. `https://127.0.0.1:41234`
    pub url: String,
    requests: Arc<Mutex<Vec<(String, u16)>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Clone)]
struct Served {
    root: PathBuf,
    requests: Arc<Mutex<Vec<(String, u16)>>>,
}

impl StaticHttpsServer {
    pub fn start(root: &Path, ca: &TestCa) -> StaticHttpsServer {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(ca.server_config()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new().fallback(serve_file).with_state(Served {
            root: root.to_path_buf(),
            requests: requests.clone(),
        });
        let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let tcp = tokio::select! {
                        accepted = listener.accept() => match accepted {
                            Ok((tcp, _)) => tcp,
                            Err(_) => continue,
                        },
                        _ = &mut stop => return,
                    };
                    let acceptor = acceptor.clone();
                    let app = app.clone();
                    tokio::spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let service = hyper_util::service::TowerToHyperService::new(app);
                        let _ = hyper_util::server::conn::auto::Builder::new(
                            hyper_util::rt::TokioExecutor::new(),
                        )
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                    });
                }
            });
        });
        StaticHttpsServer {
            url: format!("https://127.0.0.1:{port}"),
            requests,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// Every request so far: ("METHOD /path", status).
    pub fn requests(&self) -> Vec<(String, u16)> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for StaticHttpsServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve_file(
    State(served): State<Served>,
    method: axum::http::Method,
    uri: Uri,
) -> Response {
    let path = uri.path().to_owned();
    let relative = path.trim_start_matches('/');
    let safe = !relative
        .split('/')
        .any(|part| part == ".." || part.is_empty());
    let file = served.root.join(relative);
    // HEAD too: terraform (go-getter) asks HEAD before it GETs an archive.
    let response = if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    } else if !safe || !file.is_file() {
        StatusCode::NOT_FOUND.into_response()
    } else {
        match tokio::fs::read(&file).await {
            Ok(bytes) => {
                let kind = if relative.ends_with(".json") {
                    "application/json"
                } else {
                    "application/zip"
                };
                ([(axum::http::header::CONTENT_TYPE, kind)], bytes).into_response()
            }
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    };
    served
        .requests
        .lock()
        .expect("requests")
        .push((format!("{method} {path}"), response.status().as_u16()));
    response
}
