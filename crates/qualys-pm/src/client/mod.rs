//! The PM API client: the job operations (here), over the shared plumbing of its parts:
//! `http` (one call with auth and the retry policy), `auth` (the JWT shared by concurrent
//! callers), `answers` (what a write's answer says, in every shape a tenant may use) and
//! `error_body` (error messages from any body, secrets masked).

mod answers;
mod auth;
mod batch;
mod budget;
mod error_body;
mod http;
mod listing;

pub use error_body::parse_error_body;
pub use http::MAX_RETRY_DELAY;
pub(crate) use http::{parse_json, Call};
pub use listing::Listed;

use answers::{answer, item_outcomes, item_results, Answer};
use auth::CachedToken;

use std::fmt;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use url::Url;

use super::error::{mentions_not_found, Operation, RECORD_CAP_ERROR_CODE};
use super::{ClientConfig, Credentials, Error, Job, JobStatus, JobSummary};

/// Summary list page size: the API's 10 000-record cap in 10 pages (the SDK takes up to
/// 10 000 a page; a page of 1 000 summaries is about 1 MB).
const LIST_PAGE_SIZE: u32 = 1_000;
/// The API serves at most 10 000 records; stop paging well after that.
const LIST_MAX_PAGES: u32 = 100;

/// The Qualys PM API client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
    /// Held while a token is fetched, so concurrent callers wait for one fetch.
    token: Mutex<Option<CachedToken>>,
    max_retries: u32,
    retry_base_delay: Duration,
    /// The API budget: every call of this client (so of the provider process) goes through it.
    budget: budget::Budget,
    /// This process's job listings, one per platform (for refresh).
    listings: listing::Listings,
    /// Deletes and status changes waiting to go out together.
    batches: batch::Batches,
    /// The method the result summary answers (POST or GET), once known.
    pub(crate) result_method: ResultMethod,
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
        if scheme == "http" && !crate::plaintext_allowed(&config.gateway_url) {
            return Err(Error::Config(
                "gateway URL: http:// sends the password and every token in clear text, so it \
                 is accepted only for this machine (localhost, 127.0.0.0/8, ::1); use https://"
                    .into(),
            ));
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
            budget: budget::Budget::new(
                config.max_concurrent_requests,
                config.max_rate_limit_wait,
                config.retry_base_delay,
                http::backoff,
            ),
            listings: listing::Listings::new(config.list_for_refresh),
            batches: Default::default(),
            result_method: Default::default(),
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
    /// checked (a failure comes back inside HTTP 200). The first job's failure is the error.
    pub async fn set_status(&self, ids: &[&str], status: JobStatus) -> Result<(), Error> {
        first_failure(self.set_status_each(ids, status).await)
    }

    /// `set_status`, with each job's own result; `Err` when the call failed as a whole.
    pub(crate) async fn set_status_each(
        &self,
        ids: &[&str],
        status: JobStatus,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
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
        let with_status = |e: Error| match e {
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
        };
        if let Some(items) = item_results(&reply.text) {
            return Ok(item_outcomes(Operation::SetStatus, ids, &items, |_| false)
                .into_iter()
                .map(|r| r.map_err(with_status))
                .collect());
        }
        // no per-item result (an empty 200/204): the jobs say whether it worked
        let mut each = Vec::with_capacity(ids.len());
        for id in ids {
            let failed = |message: String| {
                with_status(Error::ItemFailed {
                    operation: Operation::SetStatus,
                    job_id: (*id).to_owned(),
                    message,
                })
            };
            each.push(match self.get_job(id).await {
                Err(e) => Err(e),
                Ok(None) => Err(failed(format!(
                    "the server answered HTTP {} with no per-job result, and the job was not found when read back",
                    reply.status
                ))),
                Ok(Some(job)) => {
                    let now = job.status.as_deref().unwrap_or("");
                    let done = match status {
                        JobStatus::Disabled => now.eq_ignore_ascii_case("Disabled"),
                        // an enabled job may move on at once (e.g. an On-demand job to "Prepared")
                        JobStatus::Enabled => !now.is_empty() && !now.eq_ignore_ascii_case("Disabled"),
                    };
                    if done {
                        Ok(())
                    } else {
                        Err(failed(format!(
                            "the server answered HTTP {} with no per-job result, but the job is {:?} when read back",
                            reply.status, now
                        )))
                    }
                }
            });
        }
        Ok(each)
    }

    /// `DELETE /pm/v1/deploymentjobs` with `{"ids": [...]}`. A job that is already gone
    /// counts as deleted. The first job's failure is the error.
    pub async fn delete_jobs(&self, ids: &[&str]) -> Result<(), Error> {
        first_failure(self.delete_jobs_each(ids).await)
    }

    /// `delete_jobs`, with each job's own result; `Err` when the call failed as a whole (a
    /// not-found answer to a call for several jobs says nothing of each).
    pub(crate) async fn delete_jobs_each(
        &self,
        ids: &[&str],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
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
        if !matches!(reply.status, 200 | 201 | 204) {
            let err = self.api_error(&call, &reply);
            return if ids.len() == 1 && err.is_not_found() {
                Ok(vec![Ok(())])
            } else {
                Err(err)
            };
        }
        if let Some(items) = item_results(&reply.text) {
            // a job already gone counts as deleted
            return Ok(item_outcomes(
                Operation::DeleteJobs,
                ids,
                &items,
                mentions_not_found,
            ));
        }
        // no per-item result (an empty 200/204): a job still readable was not deleted
        let mut each = Vec::with_capacity(ids.len());
        for id in ids {
            each.push(match self.get_job(id).await {
                Err(e) => Err(e),
                Ok(None) => Ok(()),
                Ok(Some(_)) => Err(Error::ItemFailed {
                    operation: Operation::DeleteJobs,
                    job_id: (*id).to_owned(),
                    message: format!(
                        "the server answered HTTP {} with no per-job result, but the job still exists",
                        reply.status
                    ),
                }),
            });
        }
        Ok(each)
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
            let page_items = summary_page(&reply.text)?;
            if page_items.is_empty() {
                break;
            }
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
}

/// Which method the job result summary answers (`runs.rs`), once known (0 = not yet).
#[derive(Debug, Default)]
pub(crate) struct ResultMethod(std::sync::atomic::AtomicU8);

impl ResultMethod {
    pub(crate) fn first(&self) -> Method {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            2 => Method::GET,
            _ => Method::POST,
        }
    }
    pub(crate) fn remember(&self, method: &Method) {
        self.0.store(
            if method == Method::GET { 2 } else { 1 },
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    /// POST is known to be the method.
    pub(crate) fn is_post(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed) == 1
    }
}

/// The first failure of a call's per-job results, or of the call.
fn first_failure(each: Result<Vec<Result<(), Error>>, Error>) -> Result<(), Error> {
    each?.into_iter().collect()
}

fn single<'a>(ids: &[&'a str]) -> Option<&'a str> {
    match ids {
        [one] => Some(one),
        _ => None,
    }
}

/// One page of the job listing. Decoded straight from the text into summaries (the API's
/// quirks are read the same way either way); a page that does not decode so is read
/// through the JSON tree, whose errors say what is wrong. `null` is an empty page.
fn summary_page(text: &str) -> Result<Vec<JobSummary>, Error> {
    if let Ok(Some(items)) = serde_json::from_str::<Option<Vec<JobSummary>>>(text) {
        return Ok(items);
    }
    let items = match parse_json(text, "the job summary list")? {
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
    items.into_iter().map(JobSummary::from_json).collect()
}

#[cfg(test)]
mod summary_page_tests {
    use super::*;

    #[test]
    fn a_page_reads_the_same_straight_from_the_text_as_through_the_tree() {
        let page = json!([
            {"id": "a", "status": "Enabled", "created": {"date": "1000"}, "updated": null,
             "tags": [{"id": "t1", "name": "x"}], "isRecurring": "true", "somethingNew": 1},
            {"id": 7, "created": {"user": null, "date": 5}, "updated": {"date": null},
             "deletedBy": {"date": 9}}
        ]);
        let straight = summary_page(&page.to_string()).unwrap();
        let Value::Array(items) = page else {
            unreachable!()
        };
        let through_tree: Vec<JobSummary> = items
            .into_iter()
            .map(|v| JobSummary::from_json(v).unwrap())
            .collect();
        assert_eq!(straight, through_tree);
        assert_eq!(straight[0].tags, Some(vec!["t1".to_string()]));
        assert_eq!(straight[1].id, "7");
        assert!(straight[1].is_deleted());
    }

    #[test]
    fn a_page_that_is_not_a_list_of_summaries_says_what_it_is() {
        assert_eq!(summary_page("null").unwrap(), Vec::new());
        let e = summary_page(r#"{"jobs": []}"#).unwrap_err().to_string();
        assert!(e.contains("expected an array, got an object"), "{e}");
        let e = summary_page(r#"[{"id": "a", "created": {"date": "soon"}}]"#).unwrap_err();
        assert!(e.to_string().contains("job summary"), "{e}");
        assert!(summary_page("[{").is_err());
    }
}
