//! `qualys-pm-simulator`: a local stand-in for the Qualys PM API (the subset the provider
//! uses), working on raw JSON, never on `qualys::model`, so that a client bug cannot hide
//! behind a type both sides share. See `docs/simulator.md`.

mod api;
mod catalog;
mod jobs;
mod limits;
mod qql;
mod runs;
mod variant;

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use jobs::StoredJob;

/// Command line of the simulator.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "qualys-pm-simulator",
    version,
    about = "A local simulator of the Qualys Patch Management API (deployment jobs)"
)]
pub struct Options {
    /// Address to listen on; port 0 picks a free port (printed on the first stdout line).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    /// Username accepted by POST /auth.
    #[arg(long, default_value = "qualys")]
    pub(crate) username: String,
    /// Password accepted by POST /auth.
    #[arg(long, default_value = "qualys")]
    pub(crate) password: String,
    /// Lifetime of the issued JWTs, in seconds (the real service: 4 hours).
    #[arg(long, default_value_t = 14_400)]
    pub(crate) token_ttl: u64,
    /// JSON file holding the jobs across restarts (written atomically after each change).
    #[arg(long)]
    pub(crate) state: Option<PathBuf>,
    /// Delay added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub(crate) latency_ms: u64,
    /// Share of requests (0..1, any endpoint including /auth) answered 429 or 503 before acting.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) fault_rate: f64,
    /// Share of writes (POST/PATCH/DELETE under /pm/) answered 504 AFTER acting: the change is
    /// made but the answer is lost (an ambiguous failure).
    #[arg(long, default_value_t = 0.0)]
    pub(crate) lost_response_rate: f64,
    /// Share of writes (POST/PATCH/DELETE under /pm/) whose connection is closed AFTER acting,
    /// without any answer: the change is made, and the client sees the connection cut (the
    /// ambiguous failure of a real network, where no gateway answers 504).
    #[arg(long, default_value_t = 0.0)]
    pub(crate) cut_connection_rate: f64,
    /// Seed of the draws behind the three rates above: one seed replays one sequence of
    /// faults (the requests they fall on follow the order the requests arrive in). Default:
    /// a fresh seed per run.
    #[arg(long)]
    pub(crate) fault_seed: Option<u64>,
    /// Append one JSON line per request ({method, path, query, status, body, ms, user_agent}) to FILE.
    #[arg(long)]
    pub(crate) request_log: Option<PathBuf>,
    /// An enabled On-demand job reports status "Prepared" this many ms after it was enabled.
    #[arg(long, default_value_t = 0)]
    pub(crate) prepared_after_ms: u64,
    /// The simulated tenant's customer ID (appears in script storage paths).
    #[arg(long, default_value = "5e1f6a2c-9d3b-4c7e-8f10-2a4b6c8d0e1f")]
    pub(crate) customer_id: String,
    /// The most records a job listing serves (the real API: 10 000); a page starting at or
    /// past it is answered 400 with `_error.errorCode` "2501".
    #[arg(long, default_value_t = 10_000)]
    pub(crate) list_record_cap: usize,
    /// Patch catalog and PM assets to serve instead of the built-in ones: a JSON file
    /// `{"patches": [...], "assets": [...]}` (see docs/simulator.md).
    #[arg(long)]
    pub(crate) catalog: Option<PathBuf>,
    /// The built-in catalog's newest day, `YYYY-MM-DD` or `today` (default 2026-11-10, fixed
    /// so that the catalog is the same on every run).
    #[arg(long)]
    pub(crate) catalog_anchor: Option<String>,
    /// Which reading of the API's undocumented behaviours to serve: `strict` (the default) or
    /// `lenient` (the other plausible readings, in turn; see docs/api-readings.md).
    #[arg(long, value_enum, default_value_t = variant::Variant::Strict)]
    pub(crate) variant: variant::Variant,
    /// The subscription's rolling window of API calls, `CALLS/SECONDS` (e.g. `300/3600`):
    /// past it, calls are refused (not counted) until the oldest leaves the window. `/auth`
    /// and the admin endpoints are exempt.
    #[arg(long, value_parser = limits::parse_rate)]
    pub(crate) rate_limit: Option<limits::Rate>,
    /// The most API calls running at once; more are refused.
    #[arg(long)]
    pub(crate) concurrency_limit: Option<usize>,
    /// `--variant lenient` only: `off` sends no rate-limit or concurrency header at all
    /// (as PM did in 12-2024). Default `on`.
    #[arg(long, value_enum)]
    pub(crate) limit_headers: Option<Toggle>,
    /// `--variant lenient` only: how a refused call is answered: `429`, `409-json`,
    /// `409-text`, `409-xml` (the classic API's codes 1965 / 1960) or `rotate` (the default
    /// under lenient: each in turn). Strict: always 429.
    #[arg(long, value_enum)]
    pub(crate) limit_refusal: Option<limits::Refusal>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Toggle {
    On,
    Off,
}

impl Default for Options {
    fn default() -> Self {
        <Options as clap::Parser>::parse_from(["qualys-pm-simulator"])
    }
}

/// Runtime-adjustable fault injection.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Faults {
    pub(crate) fault_rate: f64,
    pub(crate) lost_response_rate: f64,
    /// Share of writes under /pm/ that act, then close the connection without an answer.
    #[serde(default)]
    pub(crate) cut_connection_rate: f64,
    pub(crate) latency_ms: u64,
    /// Statuses (429, 503...) to answer, in order, to the next requests, before acting.
    #[serde(default)]
    pub(crate) fail_next: VecDeque<u16>,
    /// Answer the next N writes under /pm/ with 504 after acting.
    #[serde(default)]
    pub(crate) lose_next: u32,
    /// Cut the connection of the next N writes under /pm/ after acting, without an answer.
    #[serde(default)]
    pub(crate) cut_next: u32,
    /// Writes under /pm/ act at once and answer this many ms later (a slow network on the
    /// way back: the job exists before its creator hears of it).
    #[serde(default)]
    pub(crate) answer_delay_ms: u64,
    /// One page of the summary listing answers a status, a number of times (a listing that
    /// fails mid-way).
    #[serde(default)]
    pub(crate) fail_list_page: Option<PageFault>,
    /// Job IDs whose delete or status change fails, per item, with this error (the call
    /// itself succeeds for the others).
    #[serde(default)]
    pub(crate) fail_items: BTreeMap<String, String>,
    /// Where the rates draw from (not part of the admin endpoint's JSON).
    #[serde(skip)]
    pub(crate) draws: FaultDraws,
}

/// The random draws of the fault rates, seeded by `--fault-seed` or by the OS.
#[derive(Clone, Debug)]
pub(crate) struct FaultDraws(rand::rngs::StdRng);

impl FaultDraws {
    fn seeded(seed: Option<u64>) -> Self {
        use rand::SeedableRng as _;
        Self(match seed {
            Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
            None => rand::rngs::StdRng::from_os_rng(),
        })
    }

    /// True with probability `rate` (0 and below never draws, so a zero rate costs nothing).
    pub(crate) fn hit(&mut self, rate: f64) -> bool {
        rate > 0.0 && rand::Rng::random_bool(&mut self.0, rate.clamp(0.0, 1.0))
    }
}

impl Default for FaultDraws {
    fn default() -> Self {
        Self::seeded(None)
    }
}

/// `fail_list_page`: page `page` (from 0) of the summary listing answers `status`, `times`
/// times.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct PageFault {
    pub(crate) page: usize,
    pub(crate) status: u16,
    pub(crate) times: u32,
}

/// What the `--state` file holds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    #[serde(default)]
    pub(crate) next_seq: u64,
    #[serde(default)]
    pub(crate) jobs: BTreeMap<String, StoredJob>,
    /// Uploaded scripts: storage path -> base64 content.
    #[serde(default)]
    pub(crate) scripts: BTreeMap<String, String>,
    /// The last job instance ID given to a run.
    #[serde(default)]
    pub(crate) last_job_instance: u64,
}

impl jobs::JobLookup for Store {
    fn job(&self, id: &str) -> Option<&StoredJob> {
        self.jobs.get(id)
    }
}

impl jobs::JobLookupAll for Store {
    fn all(&self) -> Vec<&StoredJob> {
        let mut all: Vec<&StoredJob> = self.jobs.values().collect();
        all.sort_by_key(|j| j.seq);
        all
    }
}

/// Shared simulator state.
pub struct Shared {
    pub(crate) options: Options,
    jwt_secret: Vec<u8>,
    user_id: String,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    /// Tokens of an older generation are expired (`/_simulator/expire-tokens`).
    token_generation: AtomicU64,
    tokens_issued: AtomicU64,
    /// The JWTs issued (`GET /_simulator/tokens`).
    issued_tokens: Mutex<Vec<String>>,
    /// Answers replaced by an injected 429/5xx before acting, and writes whose answer was lost.
    faults_injected: AtomicU64,
    responses_lost: AtomicU64,
    connections_cut: AtomicU64,
    /// While true, writes under /pm/ act at once and answer only once it turns false (the
    /// `hold_answers` fault): a test then sees the change made before its caller hears of it,
    /// whatever the machine's speed.
    answers_held: tokio::sync::watch::Sender<bool>,
    request_log: Option<Mutex<std::fs::File>>,
    /// The patch catalog and assets: `--catalog`, or the built-in one made on first use.
    catalog: Mutex<Option<Arc<catalog::Catalog>>>,
    /// The built-in catalog's newest day (`--catalog-anchor`).
    catalog_anchor: time::Date,
    /// How answers are shaped (`--variant`).
    shaping: variant::Shaping,
    /// The API controls (`--rate-limit`, `--concurrency-limit`).
    limits: limits::Limits,
    /// When this process started: scheduled times before it never run.
    started_ms: u64,
}

pub type State = Arc<Shared>;

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Shared {
    /// Builds the state, loading `--state` if the file exists.
    pub fn new(options: Options) -> Result<State, String> {
        check_options(&options)?;
        let store = match &options.state {
            Some(path) if path.exists() => load_store(path)?,
            _ => Store::default(),
        };
        let request_log = match &options.request_log {
            Some(path) => Some(Mutex::new(open_request_log(path)?)),
            None => None,
        };
        let catalog = match &options.catalog {
            Some(path) => Some(Arc::new(catalog::Catalog::load_file(path)?)),
            None => None,
        };
        let catalog_anchor = match &options.catalog_anchor {
            Some(text) => catalog::parse_anchor(text)?,
            None => catalog::ANCHOR,
        };
        let mut secret = vec![0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut secret[..]);
        let faults = Faults {
            fault_rate: options.fault_rate,
            lost_response_rate: options.lost_response_rate,
            cut_connection_rate: options.cut_connection_rate,
            latency_ms: options.latency_ms,
            draws: FaultDraws::seeded(options.fault_seed),
            ..Faults::default()
        };
        Ok(Arc::new(Shared {
            jwt_secret: secret,
            user_id: "9ea81ebb-1830-5f23-8389-2921ae95238f".to_owned(),
            store: Mutex::new(store),
            faults: Mutex::new(faults),
            token_generation: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
            issued_tokens: Mutex::new(Vec::new()),
            faults_injected: AtomicU64::new(0),
            responses_lost: AtomicU64::new(0),
            connections_cut: AtomicU64::new(0),
            answers_held: tokio::sync::watch::Sender::new(false),
            request_log,
            catalog: Mutex::new(catalog),
            catalog_anchor,
            shaping: variant::Shaping::new(options.variant),
            limits: limits_of(&options),
            started_ms: now_ms(),
            options,
        }))
    }

    /// The catalog served (the built-in one is built on first use, ~1 s in a debug build).
    pub(crate) fn catalog(&self) -> Arc<catalog::Catalog> {
        lock(&self.catalog)
            .get_or_insert_with(|| Arc::new(catalog::Catalog::builtin_at(self.catalog_anchor)))
            .clone()
    }

    pub(crate) fn catalog_anchor(&self) -> time::Date {
        self.catalog_anchor
    }

    pub(crate) fn set_catalog(&self, catalog: Arc<catalog::Catalog>) {
        *lock(&self.catalog) = Some(catalog);
    }

    /// Writes the state file atomically (temp file in the same directory, fsync, rename).
    fn persist(&self, store: &Store) -> Result<(), String> {
        let path = match &self.options.state {
            Some(p) => p,
            None => return Ok(()),
        };
        let text = serde_json::to_vec_pretty(store).map_err(|e| e.to_string())?;
        write_atomically(path, &text)
            .map_err(|e| format!("cannot write state file {}: {e}", path.display()))
    }
}

/// The options' values that no parser checks alone.
fn check_options(options: &Options) -> Result<(), String> {
    for (name, rate) in [
        ("--fault-rate", options.fault_rate),
        ("--lost-response-rate", options.lost_response_rate),
        ("--cut-connection-rate", options.cut_connection_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!("{name} must be between 0 and 1, got {rate}"));
        }
    }
    let lenient = options.variant == variant::Variant::Lenient;
    if !lenient && (options.limit_headers.is_some() || options.limit_refusal.is_some()) {
        return Err("--limit-headers and --limit-refusal are readings of --variant lenient".into());
    }
    if options.concurrency_limit == Some(0) {
        return Err("--concurrency-limit must be at least 1".into());
    }
    if options.username.is_empty() || options.password.is_empty() {
        return Err("--username and --password must not be empty".into());
    }
    Ok(())
}

/// The API controls as the options set them (lenient refuses in every shape in turn).
fn limits_of(options: &Options) -> limits::Limits {
    let lenient = options.variant == variant::Variant::Lenient;
    limits::Limits::new(limits::Settings {
        rate_limit: options.rate_limit,
        concurrency_limit: options.concurrency_limit,
        headers: options.limit_headers != Some(Toggle::Off),
        refusal: options.limit_refusal.unwrap_or(if lenient {
            limits::Refusal::Rotate
        } else {
            limits::Refusal::TooMany
        }),
    })
}

/// The jobs and scripts of a `--state` file.
fn load_store(path: &Path) -> Result<Store, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read state file {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "state file {} is not a simulator state: {e}",
            path.display()
        )
    })
}

fn open_request_log(path: &Path) -> Result<std::fs::File, String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open request log {}: {e}", path.display()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The axum application (testable without a socket).
pub fn app(state: State) -> axum::Router {
    api::router(state)
}

/// Binds, prints `listening on http://HOST:PORT` as the first stdout line, and serves until
/// Ctrl-C or SIGTERM.
pub async fn run(options: Options) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = Shared::new(options)?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    eprintln!(
        "qualys-pm-simulator: user {:?}, token ttl {}s, state {}",
        state.options.username,
        state.options.token_ttl,
        state
            .options
            .state
            .as_ref()
            .map_or("in memory".into(), |p| p.display().to_string())
    );
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
