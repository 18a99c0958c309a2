//! The five job operations the resource needs, on JSON. Implemented by `qualys::Client`
//! (through the model's canonical JSON); tests implement it with an in-memory fake.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::qualys::{Client, Job, JobStatus, JobSummary};

/// How far the server's clock may lag ours when deciding whether a job was created by this
/// create attempt (its `created.date` is the server's clock).
const CLOCK_SKEW_ALLOWANCE: Duration = Duration::from_secs(120);

/// IDs of the jobs this provider process created or adopted: another resource's job of the
/// same name (e.g. `count` instances sharing a name) is never taken for the one a lost create
/// made.
static CLAIMED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn claim(id: &str) {
    CLAIMED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.to_owned());
}

fn claimed() -> BTreeSet<String> {
    CLAIMED.lock().unwrap_or_else(|e| e.into_inner()).clone()
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
    /// again; anything else fails with an error naming the job and how to import it.
    async fn create_job(&self, job: Json) -> Result<Json, String> {
        let job = encode(job)?;
        let since = SystemTime::now()
            .checked_sub(CLOCK_SKEW_ALLOWANCE)
            .unwrap_or(UNIX_EPOCH);
        let mut retries = 0;
        loop {
            let lost = match Client::create_job(self, &job).await {
                Ok(created) => {
                    if let Some(id) = &created.id {
                        claim(id);
                    }
                    return Ok(created.to_json());
                }
                Err(e) if e.is_create_outcome_unknown() => e,
                Err(e) => return Err(e.to_string()),
            };
            let name = job.name.clone().unwrap_or_default();
            let found = self
                .find_jobs_by_name(&name, job.platform.as_deref())
                .await
                .map_err(|e| {
                    unknown_create_error(
                        &name,
                        &lost.to_string(),
                        &format!("looking the job up by name failed: {e}"),
                        &[],
                    )
                })?;
            let unclaimed: Vec<JobSummary> = {
                let claimed = claimed();
                found
                    .into_iter()
                    .filter(|s| !claimed.contains(&s.id))
                    .collect()
            };
            match created_since(&unclaimed, &job, since) {
                Candidates::One(id) => {
                    tracing::warn!(job_id = %id, "the answer to a create was lost; adopting the job the server created");
                    return match Client::get_job(self, &id).await {
                        Ok(Some(adopted)) => {
                            claim(&id);
                            Ok(adopted.to_json())
                        }
                        Ok(None) => Err(unknown_create_error(&name, &lost.to_string(), &format!("job {id} was found by name but could not be read back"), &[id])),
                        Err(e) => Err(unknown_create_error(&name, &lost.to_string(), &format!("job {id} was found by name but reading it failed: {e}"), &[id])),
                    };
                }
                // the server certainly did not act: as safe to retry as a 429, within the same budget
                Candidates::None if retries < self.max_retries() => {
                    tracing::warn!("the answer to a create was lost and no job was created; creating it again");
                    retries += 1;
                }
                Candidates::None => {
                    return Err(format!(
                        "{lost}. No job named {name:?} was created, after {} attempts; not trying again.",
                        retries + 1
                    ))
                }
                Candidates::Several(ids) => {
                    return Err(unknown_create_error(
                        &name,
                        &lost.to_string(),
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
