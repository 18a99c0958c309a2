//! The five job operations the resource needs, and the form a job takes at this seam: a
//! [`SeamJob`], the client's typed `qualys::Job` (decoded once, in the client, so the API's
//! loose values are read there only) with its **canonical job JSON** beside it, as
//! `qualys::Job::to_json` writes it (numbers as numbers, booleans as booleans, unknown fields
//! kept) with the chained rules at the top level where they are sent (`seam_json`). The
//! provider acts on the typed job (ID, status, run-once, read stamp); the JSON is what the
//! resource maps every attribute through, by the paths declared in `fields.rs`. Bodies sent
//! are JSON built from the plan, encoded into a `Job` once on their way to the client.
//! Failures are a `JobApiError`, so that callers can tell "not found" and "the create may
//! have happened" from a refusal or a transport failure.
//!
//! `JobClient` implements the operations over `qualys::Client` with the create bookkeeping of
//! one provider instance (`CreateLedger`); tests implement them with an in-memory fake.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde_json::Value as Json;
use tokio::sync::Notify;

use qualys_pm::{Client, Error, Job, JobStatus, JobSummary, Listed, Platform, ReadStamp};

/// How far the server's clock may lag ours when deciding whether a job was created by this
/// create attempt (its `created.date` is the server's clock).
const CLOCK_SKEW_ALLOWANCE: Duration = Duration::from_secs(120);

/// Why a job operation failed. Each carries the client's message (the server's own words,
/// never a secret: `qualys::Error` carries none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobApiError {
    /// The job does not exist (404/410, a not-found 400, a per-item "not found").
    NotFound(String),
    /// A create left, or may have left, a job on the server that the state does not record;
    /// the message names it and how to import it.
    CreateOutcomeUnknown(String),
    /// The API answered and refused (an error status, a per-item failure, credentials).
    Refused(String),
    /// No usable answer: the gateway was not reached, or the call was never sent. A create
    /// that failed so did not create a job.
    Transport(String),
    /// A job body or answer that cannot be encoded or decoded.
    Invalid(String),
}

impl JobApiError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, JobApiError::NotFound(_))
    }
}

impl fmt::Display for JobApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (JobApiError::NotFound(m)
        | JobApiError::CreateOutcomeUnknown(m)
        | JobApiError::Refused(m)
        | JobApiError::Transport(m)
        | JobApiError::Invalid(m)) = self;
        f.write_str(m)
    }
}

impl std::error::Error for JobApiError {}

impl From<Error> for JobApiError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        if e.is_not_found() {
            return JobApiError::NotFound(message);
        }
        match e {
            Error::CreateOutcomeUnknown { .. }
            | Error::CreatedWithoutId { .. }
            | Error::CreatedUnread { .. } => JobApiError::CreateOutcomeUnknown(message),
            Error::Api { .. }
            | Error::ItemFailed { .. }
            | Error::Auth { .. }
            | Error::InvalidSearch { .. }
            | Error::RecordCap { .. } => JobApiError::Refused(message),
            Error::Decode { .. } | Error::Config(_) => JobApiError::Invalid(message),
            // not reached, or not sent at all: nothing happened on the server
            _ => JobApiError::Transport(message),
        }
    }
}

#[async_trait]
pub trait JobApi: Send + Sync {
    /// A plain error (not `CreateOutcomeUnknown`) means that no job was created.
    async fn create_job(&self, job: Json) -> Result<SeamJob, JobApiError>;
    /// `None`: the job does not exist, or the server marks it deleted.
    async fn get_job(&self, id: &str) -> Result<Option<SeamJob>, JobApiError>;
    async fn update_job(&self, id: &str, job: Json) -> Result<SeamJob, JobApiError>;
    /// Sent in one call with the other status changes to `status` of about the same time.
    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), JobApiError>;
    /// Sent in one call with the other deletes of about the same time.
    async fn delete_job(&self, id: &str) -> Result<(), JobApiError>;
    /// Whether the job listing of `platform` shows job `id` unchanged since `last_read` (the
    /// stamp of the job as last read in full, from the private state), so that its state
    /// stands without a GET. `false` whenever the listing cannot tell: refresh from the
    /// listing turned off, the listing failed, the job is not listed or is marked deleted, a
    /// stamp is missing.
    async fn listed_unchanged(&self, platform: Platform, id: &str, last_read: &ReadStamp) -> bool;
}

/// A job as the API holds it, at the seam: the client's typed job in the seam's form
/// (`seam_form`), and its canonical JSON made from it when first asked for (a refresh that
/// the listing settles never needs it).
#[derive(Clone, Debug)]
pub struct SeamJob {
    job: Job,
    json: OnceLock<Json>,
}

impl SeamJob {
    pub fn new(job: Job) -> Self {
        SeamJob {
            job: seam_form(job),
            json: OnceLock::new(),
        }
    }

    /// A job in JSON (an API answer, a saved last read), decoded leniently.
    pub fn from_json(json: Json) -> Result<Self, qualys_pm::Error> {
        Job::from_json(json).map(SeamJob::new)
    }

    /// The typed job, for the facts the provider acts on.
    pub fn job(&self) -> &Job {
        &self.job
    }

    /// The canonical JSON, for the attribute mapping of `fields.rs`.
    pub fn json(&self) -> &Json {
        self.json.get_or_init(|| self.job.to_json())
    }

    /// Records a status the provider set through the status endpoint.
    pub fn set_status(&mut self, status: JobStatus) {
        self.job.status = Some(status.as_str().to_owned());
        if let Some(Json::Object(m)) = self.json.get_mut() {
            m.insert("status".to_owned(), Json::from(status.as_str()));
        }
    }
}

impl PartialEq for SeamJob {
    fn eq(&self, other: &Self) -> bool {
        self.job == other.job
    }
}

/// The seam's form of a job read from the API: canonical JSON, with the chained rules the
/// server echoes only under `linkedToJob` put back at the top level (`chainedJobRule`), where
/// the resource declares and sends them.
pub fn seam_json(job: Job) -> Json {
    seam_form(job).to_json()
}

fn seam_form(mut job: Job) -> Job {
    if job.chained_job_rule.is_none() {
        job.chained_job_rule = job.effective_chained_job_rules();
    }
    job
}

fn encode(job: Json) -> Result<Job, JobApiError> {
    Job::from_json(job)
        .map_err(|e| JobApiError::Invalid(format!("the job could not be encoded for the API: {e}")))
}

/// The creates of one provider instance, so that a create whose answer was lost never takes
/// another resource's job of the same name (e.g. `count` instances sharing a name) for its
/// own: the jobs created or adopted are claimed, and a lost create is resolved only once no
/// other create of its name is waiting for an answer (a sibling's job can be on the server
/// before its answer arrives and it is claimed). Owned by the resource, one per provider
/// instance, so that two providers in one process share nothing.
#[derive(Default)]
pub struct CreateLedger {
    counts: std::sync::Mutex<Creates>,
    /// Woken whenever a create's answer arrives.
    answered: Notify,
    /// Lost creates are resolved one at a time, so two never adopt the same job.
    resolution: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Creates {
    /// Jobs created or adopted, and jobs a failed resolution named for import.
    claimed: BTreeSet<String>,
    /// By job name: creates sent and not yet answered.
    posting: BTreeMap<String, usize>,
    /// By job name: creates whose answer was lost and that are not resolved yet.
    resolving: BTreeMap<String, usize>,
}

impl Creates {
    fn of(&mut self, phase: Phase) -> &mut BTreeMap<String, usize> {
        match phase {
            Phase::Posting => &mut self.posting,
            Phase::Resolving => &mut self.resolving,
        }
    }
}

fn count(map: &mut BTreeMap<String, usize>, name: &str, up: bool) {
    let n = map.entry(name.to_owned()).or_default();
    *n = if up { *n + 1 } else { n.saturating_sub(1) };
    if *n == 0 {
        map.remove(name);
    }
}

impl CreateLedger {
    fn counts(&self) -> std::sync::MutexGuard<'_, Creates> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn claim(&self, id: &str) {
        self.counts().claimed.insert(id.to_owned());
    }

    #[cfg(test)]
    fn is_claimed(&self, id: &str) -> bool {
        self.counts().claimed.contains(id)
    }

    fn start<'a>(&'a self, phase: Phase, name: &'a str) -> InPhase<'a> {
        count(self.counts().of(phase), name, true);
        InPhase {
            ledger: self,
            phase,
            name,
        }
    }

    /// Returns once no create of `name` is waiting for its answer.
    async fn no_create_posting(&self, name: &str) {
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            if !self.counts().posting.contains_key(name) {
                return;
            }
            answered.await;
        }
    }

    /// The turn to resolve a lost create of `name`: held while no create of it is posting.
    async fn turn(&self, name: &str) -> tokio::sync::MutexGuard<'_, ()> {
        loop {
            self.no_create_posting(name).await;
            let turn = self.resolution.lock().await;
            if !self.counts().posting.contains_key(name) {
                return turn;
            }
        }
    }

    /// The jobs found that no create of this ledger claimed, and whether the caller is the
    /// only lost create of `name` being resolved.
    fn unclaimed(&self, found: Vec<JobSummary>, name: &str) -> (Vec<JobSummary>, bool) {
        let creates = self.counts();
        let alone = creates.resolving.get(name) == Some(&1);
        let unclaimed = found
            .into_iter()
            .filter(|s| !creates.claimed.contains(&s.id))
            .collect();
        (unclaimed, alone)
    }
}

/// Where a create of a name stands, as counted in `Creates`.
#[derive(Clone, Copy)]
enum Phase {
    /// Sent, waiting for its answer.
    Posting,
    /// Its answer was lost; being resolved.
    Resolving,
}

/// A create of a name in a phase; counted until dropped (also when the RPC is cancelled, so
/// that no lost create waits for it forever).
struct InPhase<'a> {
    ledger: &'a CreateLedger,
    phase: Phase,
    name: &'a str,
}

impl Drop for InPhase<'_> {
    fn drop(&mut self) {
        count(self.ledger.counts().of(self.phase), self.name, false);
        if matches!(self.phase, Phase::Posting) {
            self.ledger.answered.notify_waiters();
        }
    }
}

/// The job operations over the API client, with the create bookkeeping of one provider
/// instance.
pub struct JobClient<'a> {
    client: &'a Client,
    creates: &'a CreateLedger,
}

impl<'a> JobClient<'a> {
    pub fn new(client: &'a Client, creates: &'a CreateLedger) -> Self {
        JobClient { client, creates }
    }
}

/// What one create request came to.
enum Sent {
    /// Boxed: a typed job is much larger than the error of the other arm.
    Created(Box<SeamJob>),
    /// No usable answer (or one without the job's ID): resolved by name.
    Lost(Error),
}

impl JobClient<'_> {
    /// One POST of the create.
    async fn send_create(&self, job: &Job, name: &str) -> Result<Sent, JobApiError> {
        match self.client.create_job(job).await {
            Ok(created) => {
                // claimed before the posting count ends, so no lost create of this name can take it
                if let Some(id) = &created.id {
                    self.creates.claim(id);
                }
                Ok(Sent::Created(Box::new(SeamJob::new(created))))
            }
            Err(e) if e.is_create_outcome_unknown() => Ok(Sent::Lost(e)),
            Err(Error::CreatedUnread { id, message }) => {
                // the job exists: never adopted by another resource, named for import
                self.creates.claim(&id);
                Err(JobApiError::CreateOutcomeUnknown(format!(
                    "The server created deployment job {id} ({name:?}) but reading it back failed: {message}. \
                     The state does not record it: run `terraform import <this resource's address> {id}` \
                     before applying again (or delete the job)."
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The error of a lost create that could not be resolved; the jobs it names for import
    /// are never adopted by another resource.
    fn unknown(&self, name: &str, lost: &Error, why: &str, ids: &[String]) -> JobApiError {
        ids.iter().for_each(|id| self.creates.claim(id));
        JobApiError::CreateOutcomeUnknown(unknown_create_error(name, &lost.to_string(), why, ids))
    }

    /// Resolves a lost create through the summary list (see `create_job`). `Ok(None)`: the
    /// server certainly did not make the job.
    async fn resolve_lost(
        &self,
        job: &Job,
        name: &str,
        lost: &Error,
        since: SystemTime,
    ) -> Result<Option<SeamJob>, JobApiError> {
        let unknown = |why: &str, ids: &[String]| self.unknown(name, lost, why, ids);
        let found = self
            .client
            .find_jobs_by_name(name, job.platform.as_deref())
            .await
            .map_err(|e| unknown(&format!("looking the job up by name failed: {e}"), &[]))?;
        let (unclaimed, alone) = self.creates.unclaimed(found, name);
        match created_since(&unclaimed, job, since) {
            Candidates::One(id) if alone => {
                tracing::warn!(job_id = %id, "the answer to a create was lost; adopting the job the server created");
                match self.client.get_job(&id).await {
                    Ok(Some(adopted)) => {
                        self.creates.claim(&id);
                        Ok(Some(SeamJob::new(adopted)))
                    }
                    Ok(None) => Err(unknown(&format!("job {id} was found by name but could not be read back"), &[id])),
                    Err(e) => Err(unknown(&format!("job {id} was found by name but reading it failed: {e}"), &[id])),
                }
            }
            Candidates::One(id) => Err(unknown(
                "another create of this name in the same run lost its answer too, so the provider cannot tell whose job it is",
                &[id],
            )),
            // the server said it made the job (an answer without its ID): never sent again
            Candidates::None if lost.is_certainly_created() => Err(unknown(
                "no job of that name created since the request is listed yet",
                &[],
            )),
            Candidates::None => Ok(None),
            Candidates::Several(ids) => Err(unknown(
                "more than one recent job has this name and platform, so the provider cannot tell which one it created",
                &ids,
            )),
        }
    }
}

#[async_trait]
impl JobApi for JobClient<'_> {
    /// A create whose answer was lost (the server may or may not have made the job) is
    /// resolved through the summary list: the one job of that name and platform created since
    /// the first attempt, and not created or adopted by another resource of this provider
    /// instance, is adopted; none means the server did not act, so the create is sent
    /// again; anything else fails with an error naming the job and how to import it. A create
    /// the server answered with success but without the job's ID is resolved the same way,
    /// except that it is never sent again (the job exists).
    async fn create_job(&self, job: Json) -> Result<SeamJob, JobApiError> {
        let job = encode(job)?;
        let name = job.name.clone().unwrap_or_default();
        let since = SystemTime::now()
            .checked_sub(CLOCK_SKEW_ALLOWANCE)
            .unwrap_or(UNIX_EPOCH);
        let mut attempts = 1;
        let mut posting = self.creates.start(Phase::Posting, &name);
        loop {
            let lost = match self.send_create(&job, &name).await? {
                Sent::Created(created) => return Ok(*created),
                Sent::Lost(e) => e,
            };
            let resolving = self.creates.start(Phase::Resolving, &name);
            drop(posting);
            let _turn = self.creates.turn(&name).await;
            if let Some(adopted) = self.resolve_lost(&job, &name, &lost, since).await? {
                return Ok(adopted);
            }
            // the server certainly did not act: as safe to retry as a 429, within the same budget
            if attempts > self.client.max_retries() {
                return Err(JobApiError::Transport(format!(
                    "{lost}. No job named {name:?} was created, after {attempts} attempts; not trying again."
                )));
            }
            tracing::warn!(
                "the answer to a create was lost and no job was created; creating it again"
            );
            attempts += 1;
            posting = self.creates.start(Phase::Posting, &name);
            drop(resolving);
        }
    }

    async fn get_job(&self, id: &str) -> Result<Option<SeamJob>, JobApiError> {
        Ok(self.client.get_job(id).await?.map(SeamJob::new))
    }

    async fn update_job(&self, id: &str, job: Json) -> Result<SeamJob, JobApiError> {
        let job = encode(job)?;
        Ok(SeamJob::new(self.client.update_job(id, &job).await?))
    }

    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), JobApiError> {
        Ok(self.client.set_job_status(id, status).await?)
    }

    async fn delete_job(&self, id: &str) -> Result<(), JobApiError> {
        Ok(self.client.delete_job(id).await?)
    }

    async fn listed_unchanged(&self, platform: Platform, id: &str, last_read: &ReadStamp) -> bool {
        match self.client.listed_job(platform.as_str(), id).await {
            Listed::Found(summary) => summary.unchanged_since(last_read),
            Listed::Absent | Listed::Unknown => false,
        }
    }
}

/// Jobs of a name that may be the one a lost create made.
#[derive(Debug, PartialEq)]
enum Candidates {
    None,
    One(String),
    Several(Vec<String>),
}

/// The summaries (already matching the name) of the job's platform and type whose creation
/// time is at or after `since`. A summary without a creation time may be the job too.
fn created_since(found: &[JobSummary], job: &Job, since: SystemTime) -> Candidates {
    let since_ms = since
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let same = |ours: &Option<String>, theirs: &Option<String>| match (ours, theirs) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    };
    let ids: Vec<String> = found
        .iter()
        .filter(|s| same(&job.platform, &s.platform) && same(&job.job_type, &s.job_type))
        .filter(|s| {
            s.created
                .as_ref()
                .and_then(|c| c.date)
                .is_none_or(|date| date >= since_ms)
        })
        .map(|s| s.id.clone())
        .collect();
    match ids.len() {
        0 => Candidates::None,
        1 => Candidates::One(ids.into_iter().next().unwrap_or_default()),
        _ => Candidates::Several(ids),
    }
}

/// The message for a create that may have left a job on the server that the state does not
/// record: what happened, which job to look for, and how to bring it under management.
fn unknown_create_error(name: &str, lost: &str, why: &str, ids: &[String]) -> String {
    let import = match ids {
        [] => "terraform import <this resource's address> <job id>".to_owned(),
        ids => ids
            .iter()
            .map(|id| format!("terraform import <this resource's address> {id}"))
            .collect::<Vec<_>>()
            .join(" or "),
    };
    let which = if ids.is_empty() {
        String::new()
    } else {
        format!(" (candidates: {})", ids.join(", "))
    };
    format!(
        "{lost}. The server may have created deployment job {name:?}{which}, and {why}. \
         The state does not record it. Look for the job named {name:?} in Patch Management: \
         if it exists, run `{import}` before applying again (or delete it); if it does not, \
         apply again to create it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(id: &str, platform: &str, created_ms: Option<i64>) -> JobSummary {
        let mut v = json!({"id": id, "name": "Job", "platform": platform, "type": "Install"});
        if let Some(ms) = created_ms {
            v["created"] = json!({"date": ms});
        }
        JobSummary::from_json(v).unwrap()
    }

    #[test]
    fn a_status_set_shows_in_both_forms_of_the_job() {
        let disabled = json!({"id": "j", "status": "Disabled", "scheduleType": "Daily"});
        // the JSON made before the change, and made after it
        let mut made_before = SeamJob::from_json(disabled.clone()).unwrap();
        assert_eq!(made_before.json()["status"], "Disabled");
        let mut made_after = SeamJob::from_json(disabled).unwrap();
        for job in [&mut made_before, &mut made_after] {
            job.set_status(JobStatus::Enabled);
            assert_eq!(job.job().status(), Some(JobStatus::Enabled));
            assert_eq!(job.json()["status"], "Enabled");
        }
    }

    #[test]
    fn the_seam_puts_the_chained_rules_at_the_top_level() {
        let job = SeamJob::from_json(json!({
            "id": "child", "linkedJobId": "parent",
            "linkedToJob": [{"id": "parent", "chainedJobRule": [
                {"id": null, "field": "postDeployAction", "actionIds": ["a"], "threshold": 50,
                 "actionDetails": [{"actionId": "a"}]}
            ]}]
        }))
        .unwrap();
        let rules = &job.json()["chainedJobRule"];
        assert_eq!(rules[0]["actionIds"], json!(["a"]));
        assert!(rules[0].get("actionDetails").is_none(), "{rules}");
    }

    #[tokio::test]
    async fn two_ledgers_share_nothing() {
        // one per provider instance: a claim or a pending create of one is unknown to the other
        let (a, b) = (CreateLedger::default(), CreateLedger::default());
        a.claim("job-1");
        let _posting = a.start(Phase::Posting, "Nightly");
        assert!(a.is_claimed("job-1") && !b.is_claimed("job-1"));
        let (unclaimed, _) = b.unclaimed(vec![summary("job-1", "Windows", None)], "Nightly");
        assert_eq!(unclaimed.len(), 1);
        // b's lost create of the name does not wait for a's create in flight
        let _turn = tokio::time::timeout(Duration::from_secs(5), b.turn("Nightly"))
            .await
            .expect("b's turn comes at once");
    }

    #[test]
    fn only_jobs_created_since_the_attempt_are_candidates() {
        let job = Job::from_json(json!({"name": "Job", "platform": "Windows", "type": "Install"}))
            .unwrap();
        let since = UNIX_EPOCH + Duration::from_millis(10_000);
        let old = summary("old", "Windows", Some(9_999));
        let new = summary("new", "Windows", Some(10_000));
        let linux = summary("linux", "Linux", Some(20_000));
        assert_eq!(created_since(&[], &job, since), Candidates::None);
        assert_eq!(
            created_since(&[old.clone(), linux.clone()], &job, since),
            Candidates::None
        );
        assert_eq!(
            created_since(&[old.clone(), new.clone(), linux], &job, since),
            Candidates::One("new".into())
        );
        let undated = summary("undated", "Windows", None);
        assert_eq!(
            created_since(&[old, new, undated], &job, since),
            Candidates::Several(vec!["new".into(), "undated".into()])
        );
    }

    #[test]
    fn the_unknown_create_message_names_the_job_and_the_import_command() {
        let m = unknown_create_error(
            "Nightly",
            "create deployment job: outcome unknown",
            "reasons",
            &["a-1".into()],
        );
        assert!(m.contains("\"Nightly\""), "{m}");
        assert!(
            m.contains("terraform import <this resource's address> a-1"),
            "{m}"
        );
        let m = unknown_create_error("Nightly", "lost", "reasons", &[]);
        assert!(
            m.contains("terraform import <this resource's address> <job id>"),
            "{m}"
        );
    }
}
