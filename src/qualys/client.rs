//! The PM API client: JWT auth shared by concurrent callers, retries, typed errors.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rand::Rng as _;
use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use url::Url;

use super::error::{mentions_not_found, Operation, RECORD_CAP_ERROR_CODE};
use super::{ClientConfig, Credentials, Error, Job, JobStatus, JobSummary};

/// Longest wait between two attempts, whatever the backoff or the server asks.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);
/// Summary list page size.
const LIST_PAGE_SIZE: u32 = 100;
/// The API serves at most 10 000 records; stop paging well after that.
const LIST_MAX_PAGES: u32 = 1_000;
/// Renew a JWT this long before its `exp`.
const TOKEN_RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Documented JWT lifetime, used when the token carries no readable `exp`.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(4 * 3600);

/// A secret string that never prints itself.
#[derive(Clone, PartialEq, Eq)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone, Debug)]
struct CachedToken {
    jwt: Secret,
    renew_at: Instant,
}

/// The Qualys PM API client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
    /// Held while a token is fetched, so concurrent callers wait for one fetch.
    token: Mutex<Option<CachedToken>>,
    max_retries: u32,
    retry_base_delay: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("gateway_url", &self.base.as_str())
            .field("credentials", &self.credentials)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

/// One API call, described once so it can be sent again.
pub(super) struct Call<'a> {
    pub(super) op: Operation,
    pub(super) job_id: Option<&'a str>,
    pub(super) method: Method,
    pub(super) url: Url,
    pub(super) body: Option<Value>,
    /// Extra request headers (e.g. a paging cursor).
    pub(super) headers: Vec<(&'static str, String)>,
}

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) text: String,
}

/// What a write's success answer says about the job (the API documents the full job; a
/// tenant may answer with less).
#[derive(Debug, PartialEq)]
enum Answer {
    /// The full job.
    Job(Value),
    /// Only the job's ID: `{"id": ...}` (maybe with a few result keys), a JSON string, or a
    /// `Location` header ending in it.
    Id(String),
    /// Nothing usable: no body, `{}`, `null`, or text that is not JSON.
    Nothing,
}

/// One job's entry in a per-item result (delete, status change).
#[derive(Debug, PartialEq)]
struct Item {
    id: Option<String>,
    ok: bool,
    message: Option<String>,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let scheme = config.gateway_url.scheme();
        if scheme != "https" && scheme != "http" {
            return Err(Error::Config(format!(
                "gateway URL must start with https:// or http://, got {scheme}://"
            )));
        }
        if config.gateway_url.cannot_be_a_base() || config.gateway_url.host_str().is_none() {
            return Err(Error::Config(format!(
                "gateway URL {} has no host",
                config.gateway_url
            )));
        }
        match &config.credentials {
            Credentials::Token(t) if t.trim().is_empty() => {
                return Err(Error::Config("the token is empty".into()))
            }
            Credentials::Password { username, password }
                if username.is_empty() || password.is_empty() =>
            {
                return Err(Error::Config(
                    "username and password must both be set".into(),
                ))
            }
            _ => {}
        }
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(30)))
            .user_agent(concat!(
                "terraform-provider-qualys/",
                env!("CARGO_PKG_VERSION")
            ));
        if let Some(pem) = &config.ca_cert_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("cannot read the CA certificate PEM: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Config(
                    "the CA certificate PEM holds no certificate".into(),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            base: config.gateway_url,
            credentials: config.credentials,
            token: Mutex::new(None),
            max_retries: config.max_retries,
            retry_base_delay: config.retry_base_delay,
        })
    }

    /// How often a throttled or transient failure is retried.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// `POST /pm/v1/deploymentjob` (201, the full job). Retried only on 429 or when the
    /// connection failed before sending; otherwise an unanswered create is
    /// `Error::CreateOutcomeUnknown`.
    pub async fn create_job(&self, job: &Job) -> Result<Job, Error> {
        let mut body = job.to_json();
        if let Some(obj) = body.as_object_mut() {
            obj.remove("id");
        }
        let call = Call {
            op: Operation::CreateJob,
            job_id: None,
            method: Method::POST,
            url: self.url(&["pm", "v1", "deploymentjob"]),
            body: Some(body),
            headers: Vec::new(),
        };
        let reply = self.execute(&call).await?;
        if !matches!(reply.status, 200 | 201 | 204) {
            return Err(self.api_error(&call, &reply));
        }
        // from here on the server says it made the job: never send the create again
        match answer(&reply) {
            Answer::Job(value) => {
                let id_hint = value.get("id").and_then(Value::as_str).map(str::to_owned);
                Job::from_json(value).map_err(|e| match id_hint {
                    Some(id) => Error::CreatedUnread {
                        id,
                        message: format!("its answer could not be decoded: {e}"),
                    },
                    None => e,
                })
            }
            Answer::Id(id) => match self.get_job(&id).await {
                Ok(Some(job)) => Ok(job),
                Ok(None) => Err(Error::CreatedUnread {
                    id,
                    message: "GET found no such job".into(),
                }),
                Err(e) => Err(Error::CreatedUnread {
                    id,
                    message: e.to_string(),
                }),
            },
            Answer::Nothing => Err(Error::CreatedWithoutId {
                status: reply.status,
            }),
        }
    }

    /// `GET /pm/v1/deploymentjob/{id}`. `Ok(None)` when the job is gone (404, a not-found
    /// 400, or a job marked deleted).
    pub async fn get_job(&self, id: &str) -> Result<Option<Job>, Error> {
        let call = Call {
            op: Operation::GetJob,
            job_id: Some(id),
            method: Method::GET,
            url: self.url(&["pm", "v1", "deploymentjob", id]),
            body: None,
            headers: Vec::new(),
        };
        let reply = self.execute(&call).await?;
        match reply.status {
            200 => {
                let job = Job::from_json(parse_json(&reply.text, "the deployment job")?)?;
                Ok(if job.is_deleted() { None } else { Some(job) })
            }
            404 | 410 => Ok(None),
            _ => {
                let err = self.api_error(&call, &reply);
                if err.is_not_found() {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    /// `PATCH /pm/v1/deploymentjob/update/{id}` with the full job (the path id wins; the
    /// body carries the same id).
    pub async fn update_job(&self, id: &str, job: &Job) -> Result<Job, Error> {
        let mut body = job.to_json();
        if let Some(obj) = body.as_object_mut() {
            obj.insert("id".into(), Value::String(id.to_owned()));
        }
        let call = Call {
            op: Operation::UpdateJob,
            job_id: Some(id),
            method: Method::PATCH,
            url: self.url(&["pm", "v1", "deploymentjob", "update", id]),
            body: Some(body),
            headers: Vec::new(),
        };
        let reply = self.execute(&call).await?;
        if !matches!(reply.status, 200 | 201 | 204) {
            return Err(self.api_error(&call, &reply));
        }
        if let Answer::Job(value) = answer(&reply) {
            return Job::from_json(value);
        }
        // the answer does not carry the job: read it back
        match self.get_job(id).await? {
            Some(job) => Ok(job),
            None => Err(Error::ItemFailed {
                operation: Operation::UpdateJob,
                job_id: id.to_owned(),
                message: format!(
                    "the server accepted the update (HTTP {}) but the job was gone when read back",
                    reply.status
                ),
            }),
        }
    }

    /// `POST /pm/v1/deploymentjobs/update/status/{Enabled|Disabled}`; each per-item result is
    /// checked (a failure comes back inside HTTP 200).
    pub async fn set_status(&self, ids: &[&str], status: JobStatus) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }
        let call = Call {
            op: Operation::SetStatus,
            job_id: single(ids),
            method: Method::POST,
            url: self.url(&[
                "pm",
                "v1",
                "deploymentjobs",
                "update",
                "status",
                status.as_str(),
            ]),
            body: Some(json!({ "ids": ids })),
            headers: Vec::new(),
        };
        let reply = self.execute(&call).await?;
        if !matches!(reply.status, 200 | 201 | 204) {
            return Err(self.api_error(&call, &reply));
        }
        if let Some(items) = item_results(&reply.text) {
            return check_items(Operation::SetStatus, ids, &items, |_| false).map_err(
                |e| match e {
                    Error::ItemFailed {
                        operation,
                        job_id,
                        message,
                    } => Error::ItemFailed {
                        operation,
                        job_id,
                        message: format!("could not set status {status}: {message}"),
                    },
                    other => other,
                },
            );
        }
        // no per-item result (an empty 200/204): the jobs say whether it worked
        for id in ids {
            let failed = |message: String| Error::ItemFailed {
                operation: Operation::SetStatus,
                job_id: (*id).to_owned(),
                message: format!("could not set status {status}: {message}"),
            };
            let job = self.get_job(id).await?.ok_or_else(|| {
                failed(format!(
                    "the server answered HTTP {} with no per-job result, and the job was not found when read back",
                    reply.status
                ))
            })?;
            let now = job.status.as_deref().unwrap_or("");
            let done = match status {
                JobStatus::Disabled => now.eq_ignore_ascii_case("Disabled"),
                // an enabled job may move on at once (e.g. an On-demand job to "Prepared")
                JobStatus::Enabled => !now.is_empty() && !now.eq_ignore_ascii_case("Disabled"),
            };
            if !done {
                return Err(failed(format!(
                    "the server answered HTTP {} with no per-job result, but the job is {:?} when read back",
                    reply.status, now
                )));
            }
        }
        Ok(())
    }

    /// `DELETE /pm/v1/deploymentjobs` with `{"ids": [...]}`. A job that is already gone
    /// counts as deleted.
    pub async fn delete_jobs(&self, ids: &[&str]) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }
        let call = Call {
            op: Operation::DeleteJobs,
            job_id: single(ids),
            method: Method::DELETE,
            url: self.url(&["pm", "v1", "deploymentjobs"]),
            body: Some(json!({ "ids": ids })),
            headers: Vec::new(),
        };
        let reply = self.execute(&call).await?;
        match reply.status {
            200 | 201 | 204 => {}
            404 | 410 => return Ok(()),
            _ => {
                let err = self.api_error(&call, &reply);
                return if err.is_not_found() { Ok(()) } else { Err(err) };
            }
        }
        if let Some(items) = item_results(&reply.text) {
            // a job already gone counts as deleted
            return check_items(Operation::DeleteJobs, ids, &items, mentions_not_found);
        }
        // no per-item result (an empty 200/204): a job still readable was not deleted
        for id in ids {
            if self.get_job(id).await?.is_some() {
                return Err(Error::ItemFailed {
                    operation: Operation::DeleteJobs,
                    job_id: (*id).to_owned(),
                    message: format!(
                        "the server answered HTTP {} with no per-job result, but the job still exists",
                        reply.status
                    ),
                });
            }
        }
        Ok(())
    }

    /// Every job summary of one platform (`Windows` or `Linux`), all pages, optionally
    /// narrowed by a QQL `filter` (the simulator understands `name:"..."`). Past the API's
    /// 10 000-record cap, what was listed so far is all there is.
    pub async fn list_jobs(
        &self,
        platform: &str,
        filter: Option<&str>,
    ) -> Result<Vec<JobSummary>, Error> {
        self.list_pages(platform, filter, false, &mut |_| {}).await
    }

    /// Every job summary of one platform, all pages, or `Error::RecordCap` if the platform
    /// holds more jobs than the API lists (its 10 000-record cap, error code 2501).
    /// `progress` is called after each page with the number of jobs listed so far.
    pub async fn list_all_jobs(
        &self,
        platform: &str,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<Vec<JobSummary>, Error> {
        self.list_pages(platform, None, true, progress).await
    }

    async fn list_pages(
        &self,
        platform: &str,
        filter: Option<&str>,
        cap_is_error: bool,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<Vec<JobSummary>, Error> {
        let mut all: Vec<JobSummary> = Vec::new();
        let mut previous_first: Option<String> = None;
        for page in 0..LIST_MAX_PAGES {
            let mut url = self.url(&["pm", "v1", "deploymentjobs", "summary"]);
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("platform", platform)
                    .append_pair("pageNumber", &page.to_string())
                    .append_pair("pageSize", &LIST_PAGE_SIZE.to_string());
                if let Some(f) = filter.filter(|f| !f.is_empty()) {
                    q.append_pair("filter", f);
                }
            }
            let call = Call {
                op: Operation::ListJobs,
                job_id: None,
                method: Method::GET,
                url,
                body: None,
                headers: Vec::new(),
            };
            let reply = self.execute(&call).await?;
            if reply.status != 200 {
                let err = self.api_error(&call, &reply);
                // errorCode 2501: the API's 10 000-record cap; what we have is all we get.
                if matches!(&err, Error::Api { code: Some(c), .. } if c == RECORD_CAP_ERROR_CODE) {
                    if cap_is_error {
                        return Err(Error::RecordCap {
                            platform: platform.to_owned(),
                            listed: all.len(),
                        });
                    }
                    break;
                }
                return Err(err);
            }
            let value = parse_json(&reply.text, "the job summary list")?;
            let items = match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                other => {
                    return Err(Error::Decode {
                        what: "the job summary list".into(),
                        message: format!(
                            "expected an array, got {}",
                            super::model::lenient::kind(&other)
                        ),
                    })
                }
            };
            if items.is_empty() {
                break;
            }
            let page_items = items
                .into_iter()
                .map(JobSummary::from_json)
                .collect::<Result<Vec<_>, _>>()?;
            // A server that ignores pageNumber would loop forever: stop when a page repeats.
            let first = page_items.first().map(|s| s.id.clone());
            if page > 0 && first.is_some() && first == previous_first {
                break;
            }
            previous_first = first;
            // a soft-deleted job is gone, wherever it shows
            all.extend(page_items.into_iter().filter(|s| !s.is_deleted()));
            progress(all.len());
        }
        Ok(all)
    }

    /// Job summaries whose name is exactly `name`, on both platforms (or one).
    pub async fn find_jobs_by_name(
        &self,
        name: &str,
        platform: Option<&str>,
    ) -> Result<Vec<JobSummary>, Error> {
        let filter = format!(
            "name:\"{}\"",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let platforms: Vec<&str> = match platform {
            Some(p) => vec![p],
            None => vec!["Windows", "Linux"],
        };
        let mut found = Vec::new();
        for p in platforms {
            found.extend(
                self.list_jobs(p, Some(&filter))
                    .await?
                    .into_iter()
                    .filter(|s| s.name.as_deref() == Some(name)),
            );
        }
        Ok(found)
    }

    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends a call with auth and the retry policy; returns the final answer, whatever its
    /// status, or an error when no usable answer came.
    pub(super) async fn execute(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let is_create = call.op == Operation::CreateJob;
        let mut attempt: u32 = 0;
        let mut reauthenticated = false;
        loop {
            let jwt = self.bearer().await?;
            let started = Instant::now();
            let mut request = self
                .http
                .request(call.method.clone(), call.url.clone())
                .bearer_auth(&jwt.0)
                .header(ACCEPT, "application/json");
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            for (name, value) in &call.headers {
                request = request.header(*name, value);
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.text().await {
                        Ok(text) => Ok((status, headers, text)),
                        Err(e) => Err((false, describe_transport(&e))),
                    }
                }
                Err(e) => Err((e.is_connect(), describe_transport(&e))),
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match outcome {
                Err((before_sending, message)) => {
                    tracing::debug!(method = %call.method, path = call.url.path(), elapsed_ms, error = %message, "Qualys API request failed");
                    let may_retry = !is_create || before_sending;
                    if may_retry && attempt < self.max_retries {
                        self.pause(attempt, None).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(if is_create && !before_sending {
                        Error::CreateOutcomeUnknown {
                            status: None,
                            message,
                        }
                    } else {
                        Error::Transport {
                            operation: call.op,
                            job_id: call.job_id.map(str::to_owned),
                            message,
                        }
                    });
                }
                Ok((status, headers, text)) => {
                    tracing::debug!(method = %call.method, path = call.url.path(), status, elapsed_ms, "Qualys API request");
                    if status == 401
                        && !reauthenticated
                        && matches!(self.credentials, Credentials::Password { .. })
                    {
                        // The token expired or was revoked: fetch a new one, once per request.
                        self.forget_token(&jwt).await;
                        reauthenticated = true;
                        continue;
                    }
                    let transient = matches!(status, 502..=504);
                    let retryable = status == 429 || (transient && !is_create);
                    if retryable && attempt < self.max_retries {
                        self.pause(attempt, Some(&headers)).await;
                        attempt += 1;
                        continue;
                    }
                    if is_create && transient {
                        let (_, message) = server_message(&text);
                        return Err(Error::CreateOutcomeUnknown {
                            status: Some(status),
                            message: redact(&message),
                        });
                    }
                    return Ok(Reply {
                        status,
                        headers,
                        text,
                    });
                }
            }
        }
    }

    async fn pause(&self, attempt: u32, headers: Option<&HeaderMap>) {
        let delay = headers
            .and_then(server_retry_hint)
            .unwrap_or_else(|| backoff(self.retry_base_delay, attempt));
        tracing::debug!(
            attempt = attempt + 1,
            delay_ms = delay.as_millis() as u64,
            "retrying Qualys API request"
        );
        tokio::time::sleep(delay).await;
    }

    pub(super) fn api_error(&self, call: &Call<'_>, reply: &Reply) -> Error {
        let (code, message) = server_message(&reply.text);
        Error::Api {
            operation: call.op,
            job_id: call.job_id.map(str::to_owned),
            status: reply.status,
            code,
            message: redact(&message),
        }
    }

    /// The JWT to send: the configured token, or the cached one, fetched when missing or
    /// about to expire. The lock is held during the fetch so that concurrent callers share it.
    async fn bearer(&self) -> Result<Secret, Error> {
        let (username, password) = match &self.credentials {
            Credentials::Token(t) => return Ok(Secret(t.trim().to_owned())),
            Credentials::Password { username, password } => (username, password),
        };
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref() {
            if Instant::now() < token.renew_at {
                return Ok(token.jwt.clone());
            }
        }
        let fresh = self.fetch_token(username, password).await?;
        let jwt = fresh.jwt.clone();
        *cached = Some(fresh);
        Ok(jwt)
    }

    /// Drops the cached token if it is the one the server rejected (another caller may
    /// already have replaced it).
    async fn forget_token(&self, rejected: &Secret) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| &t.jwt == rejected) {
            *cached = None;
        }
    }

    async fn fetch_token(&self, username: &str, password: &str) -> Result<CachedToken, Error> {
        let url = self.url(&["auth"]);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("username", username),
                ("password", password),
                ("token", "true"),
                ("permissions", "true"),
            ])
            .finish();
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let result = self
                .http
                .post(url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.clone())
                .send()
                .await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let (status, headers, text) = match result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.text().await {
                        Ok(text) => (status, headers, text),
                        Err(e) => {
                            if attempt < self.max_retries {
                                self.pause(attempt, None).await;
                                attempt += 1;
                                continue;
                            }
                            return Err(Error::Auth {
                                status: Some(status),
                                message: format!(
                                    "the answer could not be read: {}",
                                    describe_transport(&e)
                                ),
                            });
                        }
                    }
                }
                Err(e) => {
                    tracing::debug!(method = "POST", path = url.path(), elapsed_ms, error = %describe_transport(&e), "Qualys auth request failed");
                    if attempt < self.max_retries {
                        self.pause(attempt, None).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(Error::Auth {
                        status: None,
                        message: format!("could not reach {}: {}", url, describe_transport(&e)),
                    });
                }
            };
            tracing::debug!(
                method = "POST",
                path = url.path(),
                status,
                elapsed_ms,
                "Qualys auth request"
            );
            match status {
                200 | 201 => {
                    let jwt = text.trim().trim_matches('"').to_owned();
                    if jwt.is_empty() || jwt.contains(char::is_whitespace) {
                        return Err(Error::Auth {
                            status: Some(status),
                            message: "the gateway answered without a token".into(),
                        });
                    }
                    let renew_at = renew_instant(&jwt);
                    return Ok(CachedToken {
                        jwt: Secret(jwt),
                        renew_at,
                    });
                }
                429 | 502..=504 if attempt < self.max_retries => {
                    self.pause(attempt, Some(&headers)).await;
                    attempt += 1;
                }
                _ => {
                    let (_, server) = server_message(&text);
                    let server = redact(&server.replace(password, "***"));
                    let cause = match status {
                        401 => format!("the gateway rejected the username or password of user {username:?} ({server})"),
                        403 => format!("user {username:?} may not use the API; it needs the PM.API.ACCESS permission and a non-free licence ({server})"),
                        404 => format!("no /auth endpoint at {url}; check the gateway URL ({server})"),
                        _ => server,
                    };
                    return Err(Error::Auth {
                        status: Some(status),
                        message: cause,
                    });
                }
            }
        }
    }
}

fn single<'a>(ids: &[&'a str]) -> Option<&'a str> {
    match ids {
        [one] => Some(one),
        _ => None,
    }
}

pub(super) fn parse_json(text: &str, what: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| Error::Decode {
        what: what.to_owned(),
        message: format!("{e}; body starts with {:?}", truncate(text, 200)),
    })
}

/// What a 2xx answer to a create or an update says about the job.
fn answer(reply: &Reply) -> Answer {
    let from_location = || {
        reply
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.split(['?', '#']).next())
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| Answer::Id(id.to_owned()))
            .unwrap_or(Answer::Nothing)
    };
    let text = reply.text.trim();
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            if !text.is_empty() {
                tracing::debug!(
                    status = reply.status,
                    "the answer to a write is not JSON; reading the job instead"
                );
            }
            return from_location();
        }
    };
    match value {
        Value::Object(obj) => {
            let id = obj
                .get("id")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            match id {
                // a job carries its definition, not just an ID, a name and a result status
                Some(_)
                    if ["scheduleType", "platform"]
                        .iter()
                        .any(|k| obj.contains_key(*k)) =>
                {
                    Answer::Job(Value::Object(obj))
                }
                Some(id) => Answer::Id(id),
                None => from_location(),
            }
        }
        Value::String(id) if !id.trim().is_empty() && !id.trim().contains(char::is_whitespace) => {
            Answer::Id(id.trim().to_owned())
        }
        _ => from_location(),
    }
}

/// Per-item results of a delete or a status change, in any of the shapes a tenant may use:
/// an array of `{"id","name","status":"success"|"failure","error"}` (or of IDs), one such
/// object, or an object of `success` / `failure` lists (of IDs or of objects). `None` when
/// the answer carries no per-item result (no body, `{}`, empty lists, not JSON).
fn item_results(text: &str) -> Option<Vec<Item>> {
    const LISTS: &[(&str, bool)] = &[
        ("success", true),
        ("successes", true),
        ("succeeded", true),
        ("failure", false),
        ("failures", false),
        ("failed", false),
    ];
    let value: Value = serde_json::from_str(text.trim()).ok()?;
    let items: Vec<Item> = match &value {
        Value::Array(items) => items.iter().map(|v| item_of(v, None)).collect(),
        Value::Object(obj) if LISTS.iter().any(|(k, _)| obj.contains_key(*k)) => LISTS
            .iter()
            .filter_map(|(k, ok)| obj.get(*k).map(|v| (v, *ok)))
            .flat_map(|(v, ok)| match v {
                Value::Array(list) => list.iter().map(|x| item_of(x, Some(ok))).collect(),
                Value::Null => Vec::new(),
                one => vec![item_of(one, Some(ok))],
            })
            .collect(),
        Value::Object(obj) if obj.contains_key("status") || obj.contains_key("id") => {
            vec![item_of(&value, None)]
        }
        _ => Vec::new(),
    };
    (!items.is_empty()).then_some(items)
}

/// One entry of a per-item result; `listed_ok` is the list it came from, if any.
fn item_of(v: &Value, listed_ok: Option<bool>) -> Item {
    match v {
        Value::Object(obj) => {
            let id = ["id", "jobId", "deploymentJobId"]
                .iter()
                .find_map(|k| match obj.get(*k)? {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            let message = ["error", "message", "errorMessage", "reason"]
                .iter()
                .find_map(|k| obj.get(*k).and_then(Value::as_str))
                .filter(|m| !m.trim().is_empty())
                .map(redact);
            let status_ok = obj.get("status").map(|s| match s {
                Value::String(s) => ["success", "succeeded", "ok", "true"]
                    .iter()
                    .any(|w| s.eq_ignore_ascii_case(w)),
                Value::Bool(b) => *b,
                _ => false,
            });
            let ok = match (listed_ok, status_ok) {
                (Some(listed), Some(status)) => listed && status,
                (Some(listed), None) => listed,
                (None, Some(status)) => status,
                // no status at all: an error says it failed
                (None, None) => obj.get("error").is_none_or(Value::is_null),
            };
            Item { id, ok, message }
        }
        Value::String(s) => Item {
            id: Some(s.clone()),
            ok: listed_ok.unwrap_or(true),
            message: None,
        },
        other => Item {
            id: Some(other.to_string()),
            ok: listed_ok.unwrap_or(true),
            message: None,
        },
    }
}

/// Every requested job must have an entry, and no entry of it may say it failed (unless
/// `tolerated` accepts the failure message, e.g. "not found" for a delete). An entry without
/// an ID answers for the only job of a one-job request.
fn check_items(
    op: Operation,
    ids: &[&str],
    items: &[Item],
    tolerated: fn(&str) -> bool,
) -> Result<(), Error> {
    for id in ids {
        let mine: Vec<&Item> = items
            .iter()
            .filter(|item| match &item.id {
                Some(item_id) => item_id.trim().eq_ignore_ascii_case(id),
                None => ids.len() == 1,
            })
            .collect();
        if mine.is_empty() {
            let listed: Vec<&str> = items.iter().filter_map(|i| i.id.as_deref()).collect();
            return Err(Error::ItemFailed {
                operation: op,
                job_id: (*id).to_owned(),
                message: format!(
                    "the server's per-job result does not mention this job (it lists {}); the outcome is unknown",
                    if listed.is_empty() {
                        "entries without IDs".to_owned()
                    } else {
                        listed.join(", ")
                    }
                ),
            });
        }
        for item in mine.iter().filter(|i| !i.ok) {
            let message = item
                .message
                .clone()
                .unwrap_or_else(|| "the server reported a failure without a reason".into());
            if !tolerated(&message) {
                return Err(Error::ItemFailed {
                    operation: op,
                    job_id: (*id).to_owned(),
                    message,
                });
            }
        }
    }
    Ok(())
}

/// The (error code, message) of an API error body of any shape (the fuzz targets' entry).
pub fn parse_error_body(text: &str) -> (Option<String>, String) {
    server_message(text)
}

/// The server's error message however it is shaped: `_error.{errorCode,message}`,
/// `{status,error,message}`, a JSON string, plain text, or a gateway's HTML page (a short
/// text excerpt of it).
pub(crate) fn server_message(text: &str) -> (Option<String>, String) {
    let raw = || {
        let t = text.trim();
        if t.is_empty() {
            "(empty body)".to_owned()
        } else if looks_like_html(t) {
            html_excerpt(t)
        } else {
            truncate(t, 300)
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => return (None, raw()),
    };
    let str_of = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    match &value {
        Value::Object(obj) => {
            if let Some(inner) = obj.get("_error").filter(|e| e.is_object()) {
                let code = str_of(inner.get("errorCode"));
                let message = str_of(inner.get("message"))
                    .or_else(|| str_of(inner.get("errorMessage")))
                    .or_else(|| code.as_ref().map(|c| format!("error code {c}")))
                    .unwrap_or_else(raw);
                return (code, message);
            }
            let error = str_of(obj.get("error"));
            let message = str_of(obj.get("message")).or_else(|| str_of(obj.get("errorMessage")));
            let code = str_of(obj.get("errorCode"));
            match (error, message) {
                (Some(e), Some(m)) if e != m => (code, format!("{e}: {m}")),
                (_, Some(m)) => (code, m),
                (Some(e), None) => (code, e),
                (None, None) => (code, raw()),
            }
        }
        Value::String(s) if !s.trim().is_empty() => (None, s.clone()),
        _ => (None, raw()),
    }
}

/// Longest excerpt of an HTML error page shown in a message.
const HTML_EXCERPT_CHARS: usize = 160;

fn looks_like_html(t: &str) -> bool {
    let head: String = t.chars().take(300).collect::<String>().to_ascii_lowercase();
    head.starts_with('<')
        && ["<html", "<!doctype html", "<head", "<body", "<title", "<h1"]
            .iter()
            .any(|tag| head.contains(tag))
}

/// The text of an HTML page, short: its `<title>`, and the body's text when it says more.
fn html_excerpt(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|start| {
        let open_end = start + lower[start..].find('>')? + 1;
        let close = open_end + lower[open_end..].find("</title")?;
        Some(html_text(&html[open_end..close]))
    });
    let body_start = lower.find("<body").unwrap_or(0);
    let mut body = html_text(&html[body_start..]);
    if let Some(t) = title.as_deref().filter(|t| !t.is_empty()) {
        // "503 Service Unavailable" in both title and <h1>: say it once
        if let Some(rest) = body.strip_prefix(t) {
            body = rest.trim().to_owned();
        }
        body = if body.is_empty() {
            t.to_owned()
        } else {
            format!("{t}: {body}")
        };
    }
    if body.is_empty() {
        body = "an HTML page with no text".into();
    }
    format!("{} (HTML page)", truncate(&body, HTML_EXCERPT_CHARS))
}

/// Text content of an HTML fragment: tags, comments, scripts and styles dropped, the common
/// entities decoded, whitespace collapsed.
fn html_text(fragment: &str) -> String {
    let mut out = String::new();
    let mut rest = fragment;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let after = &rest[lt..];
        let lower: String = after
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if after.starts_with("<!--") {
            after.find("-->").map(|i| i + 3)
        } else if lower.starts_with("<script") || lower.starts_with("<style") {
            let close = if lower.starts_with("<script") {
                "</script"
            } else {
                "</style"
            };
            after
                .to_ascii_lowercase()
                .find(close)
                .and_then(|i| after[i..].find('>').map(|j| i + j + 1))
        } else {
            after.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(n) => rest = &after[n..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// Masks anything shaped like a JWT (`eyJ….….…`) in text that came from the server.
fn redact(text: &str) -> String {
    text.split_inclusive(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .map(|piece| {
            let word = piece
                .trim_end_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',');
            if word.starts_with("eyJ") && word.matches('.').count() == 2 {
                piece.replacen(word, "***", 1)
            } else {
                piece.to_owned()
            }
        })
        .collect()
}

fn describe_transport(e: &reqwest::Error) -> String {
    // reqwest errors name the URL and the cause chain; no headers or bodies, so no secrets.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    if e.is_timeout() {
        message.push_str(" (timed out)");
    }
    message
}

/// Capped exponential backoff with "equal jitter": between half and all of base * 2^attempt.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let full = base
        .saturating_mul(2u32.saturating_pow(attempt.min(20)))
        .min(MAX_RETRY_DELAY);
    let half = full / 2;
    let jitter_ms = rand::rng().random_range(0..=half.as_millis().min(u64::MAX as u128) as u64);
    half + Duration::from_millis(jitter_ms)
}

/// How long the server asks to wait: `Retry-After` (seconds, or an HTTP date), else
/// `X-RateLimit-ToWait-Sec`; capped. `None` (neither, or unreadable): the client's backoff.
fn server_retry_hint(headers: &HeaderMap) -> Option<Duration> {
    let value = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let seconds = |v: &str| {
        let secs: f64 = v.parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
    };
    let retry_after = value("retry-after").and_then(|v| {
        seconds(v).or_else(|| {
            let at = httpdate::parse_http_date(v).ok()?;
            // a date in the past means "now"
            Some(
                at.duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO),
            )
        })
    });
    retry_after
        .or_else(|| value("x-ratelimit-towait-sec").and_then(seconds))
        .map(|d| d.min(MAX_RETRY_DELAY))
}

/// When to fetch a new token: a minute before the JWT's `exp`, or before the documented
/// 4-hour lifetime when the token carries none.
fn renew_instant(jwt: &str) -> Instant {
    let now = Instant::now();
    let lifetime = jwt_exp(jwt)
        .map(|exp| {
            let now_unix = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            Duration::from_secs_f64((exp - now_unix).max(0.0))
        })
        .unwrap_or(DEFAULT_TOKEN_LIFETIME);
    let margin = TOKEN_RENEW_MARGIN.min(lifetime / 4);
    now + lifetime.saturating_sub(margin)
}

fn jwt_exp(jwt: &str) -> Option<f64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_of_every_shape() {
        assert_eq!(
            server_message(r#"{"_error":{"errorCode":"2501","message":"too many"}}"#),
            (Some("2501".into()), "too many".into())
        );
        assert_eq!(
            server_message(r#"{"status":401,"error":"Unauthorized","message":"JWT expired"}"#).1,
            "Unauthorized: JWT expired"
        );
        assert_eq!(server_message(r#"{"message":"bad"}"#).1, "bad");
        assert_eq!(
            server_message("<html>Bad Gateway</html>").1,
            "Bad Gateway (HTML page)"
        );
        assert_eq!(
            server_message("Service busy, try later").1,
            "Service busy, try later"
        );
        assert_eq!(server_message("").1, "(empty body)");
        // the error_body fuzz target's invariant: blank messages left "HTTP 500: " with nothing after it
        for blank in [
            r#""""#,
            r#"" ""#,
            r#"{"message":" "}"#,
            r#"{"_error":{"message":""}}"#,
        ] {
            assert!(!server_message(blank).1.trim().is_empty(), "{blank}");
        }
    }

    #[test]
    fn gateway_html_pages_become_a_short_excerpt() {
        let nginx = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
        assert_eq!(
            server_message(nginx).1,
            "503 Service Temporarily Unavailable: nginx (HTML page)"
        );
        let big = format!(
            "<!DOCTYPE html><html><head><style>body {{ color: red }}</style><script>var x = '<b>';</script></head><body><!-- hidden --><p>Gateway &amp; proxy error</p>{}</body></html>",
            "<div>filler text</div>".repeat(500)
        );
        let m = server_message(&big).1;
        assert!(m.starts_with("Gateway & proxy error filler text"), "{m}");
        assert!(m.chars().count() <= HTML_EXCERPT_CHARS + 20, "{m}");
        assert!(
            !m.contains('<') && !m.contains("color") && !m.contains("hidden"),
            "{m}"
        );
        assert!(server_message("<html><body></body></html>")
            .1
            .contains("no text"));
    }

    fn reply(status: u16, text: &str, location: Option<&str>) -> Reply {
        let mut headers = HeaderMap::new();
        if let Some(l) = location {
            headers.insert(reqwest::header::LOCATION, l.parse().unwrap());
        }
        Reply {
            status,
            headers,
            text: text.into(),
        }
    }

    #[test]
    fn write_answers_of_every_shape() {
        let full = r#"{"id":"j-1","name":"n","scheduleType":"Weekly"}"#;
        assert!(matches!(answer(&reply(200, full, None)), Answer::Job(_)));
        for (text, location, want) in [
            (r#"{"id":"j-1"}"#, None, Answer::Id("j-1".into())),
            (
                r#"{"id":"j-1","status":"success"}"#,
                None,
                Answer::Id("j-1".into()),
            ),
            (
                r#"{"id":"j-1","name":"n","status":"success"}"#,
                None,
                Answer::Id("j-1".into()),
            ),
            (r#""j-1""#, None, Answer::Id("j-1".into())),
            ("", None, Answer::Nothing),
            ("{}", None, Answer::Nothing),
            ("null", None, Answer::Nothing),
            ("OK", None, Answer::Nothing),
            (
                "",
                Some("/pm/v1/deploymentjob/j-2"),
                Answer::Id("j-2".into()),
            ),
            (
                "{}",
                Some("https://gw/pm/v1/deploymentjob/j-3/?x=1"),
                Answer::Id("j-3".into()),
            ),
        ] {
            assert_eq!(
                answer(&reply(201, text, location)),
                want,
                "{text:?} {location:?}"
            );
        }
    }

    #[test]
    fn per_item_results_of_every_shape() {
        let ok = |text: &str, ids: &[&str]| {
            check_items(
                Operation::SetStatus,
                ids,
                &item_results(text).expect(text),
                |_| false,
            )
        };
        for text in [
            r#"[{"id":"a","name":"A","status":"success"}]"#,
            r#"{"id":"a","status":"SUCCESS"}"#,
            r#"{"status":"success"}"#,
            r#"{"success":["a"],"failure":[]}"#,
            r#"{"success":[{"id":"a","name":"A"}],"failure":[]}"#,
            r#"["a"]"#,
        ] {
            assert!(ok(text, &["a"]).is_ok(), "{text}");
        }
        for (text, why) in [
            (
                r#"[{"id":"a","status":"failure","error":"Non-recurring jobs cannot be disabled once enabled by user"}]"#,
                "Non-recurring",
            ),
            (
                r#"{"success":[],"failure":[{"id":"a","error":"locked"}]}"#,
                "locked",
            ),
            (r#"{"success":[],"failure":["a"]}"#, "without a reason"),
            (
                r#"[{"id":"b","status":"success"}]"#,
                "does not mention this job",
            ),
            (r#"{"success":["b"]}"#, "it lists b"),
        ] {
            match ok(text, &["a"]) {
                Err(Error::ItemFailed {
                    job_id, message, ..
                }) => {
                    assert_eq!(job_id, "a");
                    assert!(message.contains(why), "{text}: {message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        // two jobs asked, one answered: the other is not silently a success
        assert!(ok(r#"[{"id":"a","status":"success"}]"#, &["a", "b"]).is_err());
        assert!(ok(r#"[{"status":"success"}]"#, &["a", "b"]).is_err());
        // no per-item result at all: verified by reading instead
        for text in [
            "",
            "{}",
            "null",
            "[]",
            r#"{"success":[],"failure":[]}"#,
            "done",
        ] {
            assert_eq!(item_results(text), None, "{text:?}");
        }
        // a delete tolerates "not found" failures
        let items = item_results(r#"{"failure":[{"id":"a","error":"Job a not found"}]}"#).unwrap();
        assert!(check_items(Operation::DeleteJobs, &["a"], &items, mentions_not_found).is_ok());
    }

    #[test]
    fn jwts_in_server_text_are_masked() {
        let out = redact("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln is bad");
        assert_eq!(out, "token *** is bad");
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        for attempt in 0..40 {
            let d = backoff(base, attempt);
            assert!(d <= MAX_RETRY_DELAY);
            assert!(
                d >= base
                    .saturating_mul(2u32.saturating_pow(attempt.min(20)))
                    .min(MAX_RETRY_DELAY)
                    / 2
            );
        }
    }

    #[test]
    fn server_retry_hints_are_read_and_capped() {
        let mut h = HeaderMap::new();
        assert_eq!(server_retry_hint(&h), None);
        h.insert("x-ratelimit-towait-sec", "3".parse().unwrap());
        assert_eq!(server_retry_hint(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after", "0".parse().unwrap());
        assert_eq!(
            server_retry_hint(&h),
            Some(Duration::ZERO),
            "Retry-After first"
        );
        h.insert("retry-after", "86400".parse().unwrap());
        assert_eq!(server_retry_hint(&h), Some(MAX_RETRY_DELAY));
        // an HTTP date: the time until then
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
        h.insert("retry-after", soon.parse().unwrap());
        let d = server_retry_hint(&h).unwrap();
        assert!(
            d > Duration::from_secs(3) && d <= Duration::from_secs(5),
            "{d:?}"
        );
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(server_retry_hint(&h), Some(Duration::ZERO), "a past date");
        // unreadable: the other header
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(server_retry_hint(&h), Some(Duration::from_secs(3)));
    }

    #[test]
    fn renew_time_follows_jwt_exp() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"exp":{}}}"#, now + 600));
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{claims}.sig");
        let renew = renew_instant(&jwt);
        let left = renew.saturating_duration_since(Instant::now());
        assert!(
            left > Duration::from_secs(500) && left <= Duration::from_secs(541),
            "{left:?}"
        );
        assert!(
            renew_instant("opaque").saturating_duration_since(Instant::now())
                > Duration::from_secs(3 * 3600)
        );
    }
}
