//! Where terraform connects: a unix socket (go-plugin's default on Linux), or TCP on
//! 127.0.0.1 within `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when no socket can be made. Each
//! accepted connection goes through the TLS handshake (when AutoMTLS is on) before it
//! reaches the gRPC server; connections that fail it are dropped and logged.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

/// Unix socket paths must fit `sun_path` (108 bytes on Linux); keep a margin.
const MAX_SOCKET_PATH: usize = 100;

/// A TLS handshake that takes longer than this is abandoned.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) enum Listener {
    Unix {
        listener: UnixListener,
        path: PathBuf,
    },
    Tcp(TcpListener),
}

impl Listener {
    /// A unix socket in `PLUGIN_UNIX_SOCKET_DIR` (or the temp dir), else TCP.
    pub(crate) fn bind() -> io::Result<Listener> {
        let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        match bind_unix(&dir) {
            Ok(listener) => Ok(listener),
            Err(e) => {
                tracing::debug!(error = %e, dir = %dir.display(), "no unix socket; falling back to TCP");
                bind_tcp()
            }
        }
    }

    /// The handshake line's network field.
    pub(crate) fn network(&self) -> &'static str {
        match self {
            Listener::Unix { .. } => "unix",
            Listener::Tcp(_) => "tcp",
        }
    }

    /// The handshake line's address field.
    pub(crate) fn address(&self) -> io::Result<String> {
        match self {
            Listener::Unix { path, .. } => Ok(path.display().to_string()),
            Listener::Tcp(l) => Ok(l.local_addr()?.to_string()),
        }
    }

    /// The socket file to delete when the server stops.
    pub(crate) fn socket_path(&self) -> Option<PathBuf> {
        match self {
            Listener::Unix { path, .. } => Some(path.clone()),
            Listener::Tcp(_) => None,
        }
    }
}

/// Like go-plugin: reserve a unique `plugin*` name, then bind a socket in its place.
fn bind_unix(dir: &Path) -> io::Result<Listener> {
    let reserved = tempfile::Builder::new().prefix("plugin").tempfile_in(dir)?;
    let path = reserved.path().to_path_buf();
    if path.as_os_str().len() > MAX_SOCKET_PATH {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "socket path too long",
        ));
    }
    drop(reserved); // deletes the placeholder file
    let listener = UnixListener::bind(&path)?;
    Ok(Listener::Unix { listener, path })
}

fn port_from_env(name: &str, default: u16) -> u16 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn bind_tcp() -> io::Result<Listener> {
    let min = port_from_env("PLUGIN_MIN_PORT", 10000);
    let max = port_from_env("PLUGIN_MAX_PORT", 25000);
    let mut last_error = io::Error::new(io::ErrorKind::AddrNotAvailable, "empty port range");
    for port in min..=max {
        match std::net::TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => {
                l.set_nonblocking(true)?;
                return Ok(Listener::Tcp(TcpListener::from_std(l)?));
            }
            Err(e) => last_error = e,
        }
    }
    Err(io::Error::new(
        last_error.kind(),
        format!("no free TCP port on 127.0.0.1 in {min}..={max}: {last_error}"),
    ))
}

/// Any accepted connection, plain or TLS, over unix or TCP.
pub(crate) struct Conn(Pin<Box<dyn ConnIo>>);

trait ConnIo: AsyncRead + AsyncWrite + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + 'static> ConnIo for T {}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.as_mut().poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// Accepts connections until the server stops listening, yielding those that complete
/// the TLS handshake (if `tls` is set).
pub(crate) fn incoming(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> ReceiverStream<io::Result<Conn>> {
    let (tx, rx) = mpsc::channel(16);
    let acceptor = tls.map(TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let accepted = match &listener {
                Listener::Unix { listener, .. } => {
                    listener.accept().await.map(|(s, _)| Accepted::Unix(s))
                }
                Listener::Tcp(listener) => listener.accept().await.and_then(|(s, _)| {
                    // Without it, Nagle's algorithm meets delayed ACKs: ~40 ms per round trip.
                    s.set_nodelay(true)?;
                    Ok(Accepted::Tcp(s))
                }),
            };
            let stream = match accepted {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if tx.is_closed() {
                break;
            }
            let tx = tx.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let conn = match acceptor {
                    None => Ok(stream.into_conn()),
                    Some(acceptor) => stream.tls(&acceptor).await,
                };
                match conn {
                    Ok(conn) => {
                        let _ = tx.send(Ok(conn)).await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "refused a connection: TLS handshake failed")
                    }
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

enum Accepted {
    Unix(tokio::net::UnixStream),
    Tcp(tokio::net::TcpStream),
}

impl Accepted {
    fn into_conn(self) -> Conn {
        match self {
            Accepted::Unix(s) => Conn(Box::pin(s)),
            Accepted::Tcp(s) => Conn(Box::pin(s)),
        }
    }

    async fn tls(self, acceptor: &TlsAcceptor) -> io::Result<Conn> {
        let handshake = async {
            Ok::<_, io::Error>(match self {
                Accepted::Unix(s) => Conn(Box::pin(acceptor.accept(s).await?)),
                Accepted::Tcp(s) => Conn(Box::pin(acceptor.accept(s).await?)),
            })
        };
        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, handshake)
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))?
    }
}
