//! One listing of a platform's job summaries per client (so per provider process), shared by
//! every caller: the first caller lists every page, the others wait for it, and all read the
//! same records. A refresh of N jobs then costs the listing's pages instead of N GETs, for
//! the jobs whose summary shows them unchanged since they were last read in full
//! (`JobSummary::unchanged_since`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::model::JobSummary;

use super::Client;

/// What one platform's listing says of a job.
#[derive(Clone, Debug, PartialEq)]
pub enum Listed {
    /// The job's summary record.
    Found(Box<JobSummary>),
    /// Not in the listing: deleted, created since, or beyond the record cap. Only a GET can
    /// say which.
    Absent,
    /// The listing failed: it says nothing of any job.
    Unknown,
}

/// A platform's summaries by job ID, or why there are none.
type Outcome = Result<HashMap<String, JobSummary>, String>;

/// The listings of this client, one per platform, made on first use.
pub(crate) struct Listings {
    /// `ClientConfig::list_for_refresh`: off, every job is `Listed::Unknown` and nothing is
    /// listed.
    enabled: bool,
    by_platform: Mutex<HashMap<String, Arc<OnceCell<Outcome>>>>,
}

impl Listings {
    pub(crate) fn new(enabled: bool) -> Self {
        Listings {
            enabled,
            by_platform: Mutex::default(),
        }
    }

    fn cell(&self, platform: &str) -> Arc<OnceCell<Outcome>> {
        let mut map = self.by_platform.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(platform.to_ascii_lowercase())
            .or_default()
            .clone()
    }
}

impl Client {
    /// What this process's listing of `platform` says of job `id`. The first call for a
    /// platform lists all its pages (a failure is kept too, so that a failing listing costs
    /// its calls once and every job falls back to its own GET); later calls cost nothing.
    /// With `ClientConfig::list_for_refresh` off, `Listed::Unknown` at no cost.
    pub async fn listed_job(&self, platform: &str, id: &str) -> Listed {
        if !self.listings.enabled {
            return Listed::Unknown;
        }
        let cell = self.listings.cell(platform);
        let outcome = cell
            .get_or_init(|| async {
                match self.list_jobs(platform, None).await {
                    Ok(all) => {
                        tracing::debug!(platform, jobs = all.len(), "listed the job summaries for refresh");
                        Ok(all.into_iter().map(|s| (s.id.to_ascii_lowercase(), s)).collect())
                    }
                    Err(e) => {
                        tracing::warn!(platform, error = %e, "listing the job summaries failed; each job is read on its own");
                        Err(e.to_string())
                    }
                }
            })
            .await;
        match outcome {
            Ok(by_id) => match by_id.get(&id.to_ascii_lowercase()) {
                Some(summary) => Listed::Found(Box::new(summary.clone())),
                None => Listed::Absent,
            },
            Err(_) => Listed::Unknown,
        }
    }
}
