//! Deployment jobs in the simulator, on raw JSON: the stored job and the tenant (here), the
//! rules shared by the parts below (enums, list fields), and, one file each, validation
//! (`validate`: 400 naming the field), the server's normalisation (`normalise`: defaults,
//! type changes, script storage, action IDs) and rendering (`render`: GET and write
//! answers, `[]` as `null`, `linkedToJob`, server-driven status, summaries). `wire` holds
//! the lenient typed access and formats they share.

mod normalise;
mod render;
mod run;
mod run_facts;
mod validate;
mod wire;

pub(crate) use normalise::{next_update_ms, normalise};
pub(crate) use render::strings_at;
pub(crate) use render::{render_get, render_write, summary, JobLookupAll, SummaryContext};
pub(crate) use run::{find_run, occurrences};
pub(crate) use run::{Outcome, Run};
pub(crate) use run_facts::run_facts;
pub(crate) use validate::{stored_can_enable, validate};
pub(crate) use wire::parse_start;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request value the API would refuse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid {
        field: field.into(),
        message: message.into(),
    })
}

/// A stored job: the job as the API returns it after a write, plus what the API keeps but
/// does not echo at top level.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredJob {
    pub seq: u64,
    pub job: Value,
    /// `chainedJobRule` as normalised; echoed only under `linkedToJob`.
    #[serde(default)]
    pub chained_job_rule: Option<Value>,
    /// When the job was last enabled (epoch ms), for the On-demand `Prepared` status.
    #[serde(default)]
    pub enabled_at_ms: Option<u64>,
    /// Its runs, oldest first.
    #[serde(default)]
    pub runs: Vec<Run>,
    /// Scheduled times up to here have been run (or passed before the job was enabled).
    #[serde(default)]
    pub runs_checked_ms: Option<u64>,
}

impl StoredJob {
    pub(crate) fn id(&self) -> &str {
        self.job
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
    pub(crate) fn stored_status(&self) -> &str {
        self.job
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("Disabled")
    }
    pub(crate) fn schedule_type(&self) -> &str {
        self.job
            .get("scheduleType")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
    pub(crate) fn is_run_once(&self) -> bool {
        matches!(self.schedule_type(), "On-demand" | "Once")
    }
    /// The status the server reports now: an enabled On-demand job moves on to `Prepared`.
    pub(crate) fn current_status(&self, now_ms: u64, prepared_after_ms: u64) -> String {
        let status = self.stored_status();
        if status == "Enabled"
            && self.schedule_type() == "On-demand"
            && self
                .enabled_at_ms
                .is_some_and(|t| now_ms >= t.saturating_add(prepared_after_ms))
        {
            "Prepared".into()
        } else {
            status.into()
        }
    }
    pub(crate) fn post_action_ids(&self) -> Vec<String> {
        action_ids(self.job.get("postDeployActions"))
    }
}

fn action_ids(actions: Option<&Value>) -> Vec<String> {
    actions
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("actionId").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Who and where the simulated tenant is.
pub(crate) struct Tenant<'a> {
    pub customer_id: &'a str,
    pub user_id: &'a str,
    pub username: &'a str,
    pub now_ms: u64,
    pub now: time::OffsetDateTime,
}

/// What a write needs to know about other jobs.
pub(crate) trait JobLookup {
    fn job(&self, id: &str) -> Option<&StoredJob>;
}

/// The fields whose `[]` GET returns as `null`.
const LIST_FIELDS: [&str; 9] = [
    "assetIds",
    "assetTagIds",
    "matchAllTagIds",
    "exclusionTagIds",
    "exclusionAssetIds",
    "coAuthorUserIds",
    "approvedPatches",
    "preDeployActions",
    "postDeployActions",
];
const ID_LIST_FIELDS: [&str; 7] = [
    "assetIds",
    "assetTagIds",
    "matchAllTagIds",
    "exclusionTagIds",
    "exclusionAssetIds",
    "coAuthorUserIds",
    "approvedPatches",
];
const SCHEDULE_TYPES: [&str; 5] = ["On-demand", "Once", "Daily", "Weekly", "Monthly"];
const PRE_ACTIONS: [&str; 5] = [
    "Run Script",
    "Install Software",
    "Change Registry Key",
    "Uninstall Software",
    "System Reboot",
];
const POST_ACTIONS: [&str; 4] = [
    "Run Script",
    "Install Software",
    "Change Registry Key",
    "Uninstall Software",
];
const REG_VALUE_TYPES: [&str; 6] = [
    "REG_SZ",
    "REG_DWORD",
    "REG_QWORD",
    "REG_EXPAND_SZ",
    "REG_MULTI_SZ",
    "REG_BINARY",
];
const CHAIN_CONDITION: &str = "Post Actions were successfully executed";
const ENABLE_RULE: &str = "To enable a job, it must include at least one patch, a QQL, or one pre-action or post-action, and target at least one included asset or one included tag";
