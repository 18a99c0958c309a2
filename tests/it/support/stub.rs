//! Hand-made gateways for answers the simulator never gives (other error shapes, soft
//! deletes, rate-limit headers, odd paging): an axum router served on 127.0.0.1:0, and a
//! client for it.

use std::time::Duration;

use qualys_pm::{Client, ClientConfig, Credentials};

/// What a stub's `/auth` answers (a JWT with no `exp`).
pub const STUB_JWT: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";

/// Serves `router` on 127.0.0.1:0 for the rest of the test; its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// A client of the stub at `url` (username and password, retries after 1 ms).
pub fn client(url: &str, max_retries: Option<u32>) -> Client {
    let mut config = ClientConfig::new(
        url::Url::parse(url).expect("url"),
        Credentials::Password {
            username: "u".into(),
            password: "p".into(),
        },
    );
    config.retry_base_delay = Duration::from_millis(1);
    if let Some(n) = max_retries {
        config.max_retries = n;
    }
    Client::new(config).expect("client")
}

/// What a [`RawGateway`] does with each request it has read in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Keeps the connection open and never answers (a hung gateway).
    NeverAnswers,
    /// Closes the connection without a byte of answer (a network cut after the request went
    /// out: the server may have acted).
    ClosesAfterRequest,
}

/// A gateway below HTTP, on 127.0.0.1:0, for the failures an HTTP framework cannot give: it
/// reads each request (head and `Content-Length` body), records its first line, then
/// misbehaves. Stops accepting when dropped.
pub struct RawGateway {
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl RawGateway {
    pub fn start(misbehaviour: Misbehaviour) -> RawGateway {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        listener.set_nonblocking(true).expect("nonblocking");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let (seen, stopped) = (seen.clone(), stopped.clone());
                        std::thread::spawn(move || {
                            let Some(first_line) = read_request(&mut stream) else {
                                return;
                            };
                            seen.lock().expect("requests").push(first_line);
                            if misbehaviour == Misbehaviour::NeverAnswers {
                                // holds the connection, answering nothing, until dropped
                                while !stopped.load(Ordering::SeqCst) {
                                    std::thread::sleep(Duration::from_millis(20));
                                }
                            }
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => return,
                }
            }
        });
        RawGateway {
            url,
            requests,
            stop,
        }
    }

    /// The first line (`POST /pm/v1/deploymentjob HTTP/1.1`) of every request read so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for RawGateway {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Reads one HTTP/1.1 request (head, then a `Content-Length` body); its first line, or None
/// when the peer closed first.
fn read_request(stream: &mut std::net::TcpStream) -> Option<String> {
    use std::io::Read as _;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
    head.lines().next().map(str::to_owned)
}
