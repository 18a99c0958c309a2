//! The five job operations the resource needs, on JSON. Implemented by `qualys_pm::Client`
//! (through the model's canonical JSON); tests implement it with an in-memory fake.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde_json::Value as Json;
use tokio::sync::Notify;

use qualys_pm::{Client, Job, JobStatus, JobSummary};

/// How far the server's clock may lag ours when deciding whether a job was created by this
/// create attempt (its `created.date` is the server's clock).
const CLOCK_SKEW_ALLOWANCE: Duration = Duration::from_secs(120);

/// The creates of this provider process, so that a create whose answer was lost never takes
/// another resource's job of the same name (e.g. `count` instances sharing a name) for its
/// own: the jobs created or adopted are claimed, and a lost create is resolved only once no
/// other create of its name is waiting for an answer (a sibling's job can be on the server
/// before its answer arrives and it is claimed).
struct Creates {
    /// Jobs created or adopted, and jobs a failed resolution named for import.
    claimed: BTreeSet<String>,
    /// By job name: creates sent and not yet answered.
    posting: BTreeMap<String, usize>,
    /// By job name: creates whose answer was lost and that are not resolved yet.
    resolving: BTreeMap<String, usize>,
}

static CREATES: Mutex<Creates> = Mutex::new(Creates {
    claimed: BTreeSet::new(),
    posting: BTreeMap::new(),
    resolving: BTreeMap::new(),
});
/// Woken whenever a create's answer arrives.
static ANSWERED: Notify = Notify::const_new();
/// Lost creates are resolved one at a time, so two never adopt the same job.
static RESOLUTION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn creates() -> std::sync::MutexGuard<'static, Creates> {
    CREATES.lock().unwrap_or_else(|e| e.into_inner())
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

/// Returns once no create of `name` is waiting for its answer.
async fn no_create_posting(name: &str) {
    loop {
        let answered = ANSWERED.notified();
        tokio::pin!(answered);
        answered.as_mut().enable();
        if !creates().posting.contains_key(name) {
            return;
        }
        answered.await;
    }
}

fn claim(id: &str) {
    creates().claimed.insert(id.to_owned());
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
    phase: Phase,
    name: &'a str,
}

impl<'a> InPhase<'a> {
    fn start(phase: Phase, name: &'a str) -> Self {
        count(creates().of(phase), name, true);
        Self { phase, name }
    }
}

impl Drop for InPhase<'_> {
    fn drop(&mut self) {
        count(creates().of(self.phase), self.name, false);
        if matches!(self.phase, Phase::Posting) {
            ANSWERED.notify_waiters();
        }
    }
}

#[async_trait]
pub trait JobApi: Send + Sync {
    async fn create_job(&self, job: Json) -> Result<Json, String>;
    /// `None`: the job does not exist.
    async fn get_job(&self, id: &str) -> Result<Option<Json>, String>;
    async fn update_job(&self, id: &str, job: Json) -> Result<Json, String>;
    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), String>;
    async fn delete_job(&self, id: &str) -> Result<(), String>;
}

fn encode(job: Json) -> Result<Job, String> {
    Job::from_json(job).map_err(|e| format!("the job could not be encoded for the API: {e}"))
}

#[async_trait]
impl JobApi for Client {
    /// A create whose answer was lost (the server may or may not have made the job) is
    /// resolved through the summary list: the one job of that name and platform created since
    /// the first attempt, and not created or adopted by another resource of this provider
    /// process, is adopted; none means the server did not act, so the create is sent
    /// again; anything else fails with an error naming the job and how to import it. A create
    /// the server answered with success but without the job's ID is resolved the same way,
    /// except that it is never sent again (the job exists).
    async fn create_job(&self, job: Json) -> Result<Json, String> {
        let job = encode(job)?;
        let name = job.name.clone().unwrap_or_default();
        let since = SystemTime::now()
            .checked_sub(CLOCK_SKEW_ALLOWANCE)
            .unwrap_or(UNIX_EPOCH);
        let mut retries = 0;
        let mut posting = InPhase::start(Phase::Posting, &name);
        loop {
            let lost = match Client::create_job(self, &job).await {
                Ok(created) => {
                    // claimed before `posting` ends, so no lost create of this name can take it
                    if let Some(id) = &created.id {
                        claim(id);
                    }
                    return Ok(created.to_json());
                }
                Err(e) if e.is_create_outcome_unknown() => e,
                Err(qualys_pm::Error::CreatedUnread { id, message }) => {
                    // the job exists: never adopted by another resource, named for import
                    claim(&id);
                    return Err(format!(
                        "The server created deployment job {id} ({name:?}) but reading it back failed: {message}. \
                         The state does not record it: run `terraform import <this resource's address> {id}` \
                         before applying again (or delete the job)."
                    ));
                }
                Err(e) => return Err(e.to_string()),
            };
            // the server said it made the job (an answer without its ID): never sent again
            let created = lost.is_certainly_created();
            let resolving = InPhase::start(Phase::Resolving, &name);
            drop(posting);
            let _turn = loop {
                no_create_posting(&name).await;
                let turn = RESOLUTION.lock().await;
                if !creates().posting.contains_key(&name) {
                    break turn;
                }
            };
            let unknown = |why: &str, ids: &[String]| {
                // a job named for import is never adopted by another resource
                ids.iter().for_each(|id| claim(id));
                unknown_create_error(&name, &lost.to_string(), why, ids)
            };
            let found = self
                .find_jobs_by_name(&name, job.platform.as_deref())
                .await
                .map_err(|e| unknown(&format!("looking the job up by name failed: {e}"), &[]))?;
            let (unclaimed, alone): (Vec<JobSummary>, bool) = {
                let creates = creates();
                (
                    found
                        .into_iter()
                        .filter(|s| !creates.claimed.contains(&s.id))
                        .collect(),
                    creates.resolving.get(&name) == Some(&1),
                )
            };
            match created_since(&unclaimed, &job, since) {
                Candidates::One(id) if alone => {
                    tracing::warn!(job_id = %id, "the answer to a create was lost; adopting the job the server created");
                    return match Client::get_job(self, &id).await {
                        Ok(Some(adopted)) => {
                            claim(&id);
                            Ok(adopted.to_json())
                        }
                        Ok(None) => Err(unknown(&format!("job {id} was found by name but could not be read back"), &[id])),
                        Err(e) => Err(unknown(&format!("job {id} was found by name but reading it failed: {e}"), &[id])),
                    };
                }
                Candidates::One(id) => {
                    return Err(unknown(
                        "another create of this name in the same run lost its answer too, so the provider cannot tell whose job it is",
                        &[id],
                    ))
                }
                Candidates::None if created => {
                    return Err(unknown(
                        "no job of that name created since the request is listed yet",
                        &[],
                    ))
                }
                // the server certainly did not act: as safe to retry as a 429, within the same budget
                Candidates::None if retries < self.max_retries() => {
                    tracing::warn!("the answer to a create was lost and no job was created; creating it again");
                    retries += 1;
                    posting = InPhase::start(Phase::Posting, &name);
                    drop(resolving);
                }
                Candidates::None => {
                    return Err(format!(
                        "{lost}. No job named {name:?} was created, after {} attempts; not trying again.",
                        retries + 1
                    ))
                }
                Candidates::Several(ids) => {
                    return Err(unknown(
                        "more than one recent job has this name and platform, so the provider cannot tell which one it created",
                        &ids,
                    ))
                }
            }
        }
    }

    async fn get_job(&self, id: &str) -> Result<Option<Json>, String> {
        Client::get_job(self, id)
            .await
            .map(|j| j.map(|j| j.to_json()))
            .map_err(|e| e.to_string())
    }

    async fn update_job(&self, id: &str, job: Json) -> Result<Json, String> {
        let job = encode(job)?;
        Client::update_job(self, id, &job)
            .await
            .map(|j| j.to_json())
            .map_err(|e| e.to_string())
    }

    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), String> {
        Client::set_status(self, &[id], status)
            .await
            .map_err(|e| e.to_string())
    }

    async fn delete_job(&self, id: &str) -> Result<(), String> {
        Client::delete_jobs(self, &[id])
            .await
            .map_err(|e| e.to_string())
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
