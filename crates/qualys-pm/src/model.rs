//! The deployment job as the PM API sends and accepts it.
//!
//! Decoding is lenient about every quirk the API is known for (numbers sent as strings,
//! `"true"` strings, `null` vs `[]`, fields that come and go); encoding is canonical
//! (numbers as JSON numbers, booleans as booleans). Fields this model does not know are kept
//! in `extra` and written back, so a full-body PATCH built from a GET loses nothing.
//!
//! Null policy of `to_json`: every known top-level field is written, `null` when unset (the
//! API's own GET bodies look like that, and a PATCH must be able to clear a field), except
//! `id` and `customerId`, which are left out when unset so a create body carries no id.
//! Inside nested objects, unset fields are left out.
//!
//! How the structs get there without a serde attribute on every field: `serde_with::apply`
//! gives every `Option` field `default` and decodes it through [`lenient::opt`] (lenient for
//! `i64`, `bool`, `String` and string lists, plain serde for nested objects and raw JSON), and
//! the nested structs add `serde_with::skip_serializing_none`. A field that needs otherwise
//! opts out with `#[serde_with(skip_apply)]`. (`default` stays per field: a struct-level
//! `#[serde(default)]` made the release binary about 95 KB larger.)

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Error;

/// A deployment job (`GET /pm/v1/deploymentjob/{id}` shape). Field names follow the API,
/// snake_cased; `job_type` is the API's `type`.
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    // identity (server-assigned): decoded strictly, and left out when unset so that a create
    // body carries no id
    #[serde_with(skip_apply)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde_with(skip_apply)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub schema_version: Option<String>,

    // what the job is
    pub name: Option<String>,
    pub description: Option<String>,
    /// `Install` or `Rollback`.
    #[serde(rename = "type")]
    pub job_type: Option<String>,
    /// `Windows` or `Linux`.
    pub platform: Option<String>,
    /// `Disabled`, `Enabled`, or a server-driven value such as `Prepared`.
    pub status: Option<String>,

    // schedule
    /// `On-demand`, `Once`, `Daily`, `Weekly`, `Monthly`.
    pub schedule_type: Option<String>,
    /// `yyyy-M-d hh:mm:ss AM|PM`, padded or not, as the server sent it.
    pub start_date_time: Option<String>,
    pub recurring: Option<bool>,
    /// Seven comma-separated 0/1 flags, Sunday first (`"0,0,1,0,0,0,0"`).
    pub recurring_week_days: Option<String>,
    pub day_of_month: Option<i64>,
    pub recurring_last_day_of_month: Option<bool>,
    pub monthly_recurring_type: Option<i64>,
    pub patch_tuesday_plus_x_days: Option<i64>,
    pub recurring_day_of_month: Option<i64>,
    pub recurring_week_day_of_month: Option<i64>,
    /// `AGENT_TZ` or `SPECIFIC_TZ`.
    pub timezone_type: Option<String>,
    pub timezone: Option<String>,
    /// Patch window; -1 = none.
    pub timeout: Option<i64>,
    pub timeout_unit: Option<String>,

    // targets and patches
    pub approved_patches: Option<Vec<String>>,
    pub disabled_patches: Option<Value>,
    pub asset_ids: Option<Vec<String>>,
    pub asset_tag_ids: Option<Vec<String>>,
    pub match_all_tag_ids: Option<Vec<String>>,
    pub exclusion_asset_ids: Option<Vec<String>>,
    pub exclusion_tag_ids: Option<Vec<String>>,
    pub co_author_user_ids: Option<Vec<String>>,
    /// `Any` or `All`.
    pub filter_type: Option<String>,
    pub exclusion_filter_type: Option<String>,
    #[serde(rename = "dynamicQQLType")]
    pub dynamic_qql_type: Option<i64>,
    #[serde(rename = "isDynamicPatchesQQL")]
    pub is_dynamic_patches_qql: Option<bool>,
    #[serde(rename = "dynamicPatchesQQL")]
    pub dynamic_patches_qql: Option<String>,
    #[serde(rename = "additionalDynamicQQLType")]
    pub additional_dynamic_qql_type: Option<i64>,
    #[serde(rename = "additionalDynamicPatchesQQL")]
    pub additional_dynamic_patches_qql: Option<String>,
    #[serde(rename = "assetDetectionsQQL")]
    pub asset_detections_qql: Option<String>,
    pub is_asset_imported: Option<bool>,

    // options
    pub opportunistic_downloads: Option<bool>,
    pub minimize_window: Option<bool>,
    pub continue_on_patch_failure: Option<bool>,
    pub download_randomize_time: Option<i64>,
    pub download_randomize_time_unit: Option<String>,
    #[serde(rename = "customPatchURLId")]
    pub custom_patch_url_id: Option<i64>,
    pub enable_reattempt_failed_patches: Option<bool>,
    pub reattempt_failed_patches: Option<ReattemptFailedPatches>,

    // linked (parent) job
    pub linked_job_id: Option<String>,
    /// Sent only; the server echoes the rules under `linked_to_job[].chained_job_rule`.
    pub chained_job_rule: Option<Vec<ChainedJobRule>>,
    /// Read-only: the parent job's summary and the rules with their action details.
    pub linked_to_job: Option<Vec<LinkedToJob>>,
    pub linked_jobs: Option<Value>,

    // messages and actions
    pub notification: Option<Notification>,
    pub pre_deployment: Option<PreDeployment>,
    pub during_deployment: Option<DeploymentMessage>,
    pub post_deployment: Option<PostDeployment>,
    pub pre_deploy_actions: Option<Vec<Action>>,
    pub post_deploy_actions: Option<Vec<Action>>,

    // audit and read-only facts
    pub created_by: Option<AuditStamp>,
    pub updated_by: Option<AuditStamp>,
    pub deleted_by: Option<AuditStamp>,
    pub patch_count: Option<i64>,
    pub asset_count: Option<i64>,
    pub tagged_asset_count: Option<i64>,
    pub applicable_asset_count: Option<i64>,
    pub total_asset_count: Option<i64>,
    pub asset_result_received_count: Option<i64>,
    pub job_category: Option<i64>,
    pub job_source: Option<i64>,
    pub job_trigger_status: Option<Value>,
    pub completion_percent: Option<Value>,
    pub read_only: Option<bool>,
    pub sub_category: Option<String>,
    pub job_start_countdown: Option<Value>,
    pub password_action: Option<Value>,
    pub is_vuln_context: Option<bool>,
    pub remediation_qids: Option<Value>,
    pub host_isolation_config: Option<Value>,
    pub quarantine_asset_request_notification: Option<Value>,

    /// Fields this model does not know, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Job {
    /// Decodes a job from the API's JSON, tolerating its type quirks.
    pub fn from_json(v: Value) -> Result<Self, Error> {
        if !v.is_object() {
            return Err(Error::Decode {
                what: "deployment job".into(),
                message: format!("expected a JSON object, got {}", lenient::kind(&v)),
            });
        }
        serde_json::from_value(v).map_err(|e| Error::Decode {
            what: "deployment job".into(),
            message: e.to_string(),
        })
    }

    /// Canonical wire JSON (camelCase names, numbers as numbers, booleans as booleans).
    pub fn to_json(&self) -> Value {
        // Serialising plain data with string keys into a Value cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// True when the server reports the job deleted (`deletedBy.date` set).
    pub fn is_deleted(&self) -> bool {
        self.deleted_by.as_ref().is_some_and(|d| d.date.is_some())
    }

    /// What a summary must show for this job to be unchanged since this read.
    pub fn read_stamp(&self) -> ReadStamp {
        ReadStamp {
            created: self.created_by.as_ref().and_then(|s| s.date),
            updated: self.updated_by.as_ref().and_then(|s| s.date),
            status: self.status.clone(),
        }
    }

    /// The chained job rules in the shape to send back: `chained_job_rule` when set, else the
    /// rules the server reports under `linkedToJob` (GET never echoes them at top level),
    /// without their read-only `id` and `actionDetails`. A full-body PATCH that should keep
    /// the rules must carry them.
    pub fn effective_chained_job_rules(&self) -> Option<Vec<ChainedJobRule>> {
        if self.chained_job_rule.is_some() {
            return self.chained_job_rule.clone();
        }
        let linked = self
            .linked_to_job
            .as_ref()?
            .iter()
            .find(|l| l.id.is_some() && l.id == self.linked_job_id)?;
        linked.chained_job_rule.as_ref().map(|rules| {
            rules
                .iter()
                .map(|r| ChainedJobRule {
                    id: None,
                    action_details: None,
                    ..r.clone()
                })
                .collect()
        })
    }

    /// True for On-demand and Once jobs, which cannot be edited or disabled once enabled.
    pub fn is_run_once(&self) -> bool {
        matches!(
            self.schedule_type.as_deref(),
            Some("On-demand") | Some("Once")
        )
    }
}

/// `{"noOfReattempts": 1..5, "exponentialBackoffInterval": 1..15}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReattemptFailedPatches {
    pub no_of_reattempts: Option<i64>,
    pub exponential_backoff_interval: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A rule on the linked (parent) job's post-actions.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainedJobRule {
    /// Always `null` in the samples; kept when present.
    pub id: Option<Value>,
    /// `postDeployAction`.
    pub field: Option<String>,
    /// The parent's post-action IDs (UUID strings).
    pub action_ids: Option<Vec<String>>,
    /// A percentage, 1..100 (sent by the docs as a string, returned as a number).
    pub threshold: Option<i64>,
    pub condition: Option<String>,
    /// Read-only: the parent's actions the rule refers to.
    pub action_details: Option<Vec<Action>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The parent job summary the server returns under `linkedToJob`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedToJob {
    // decoded strictly, like the job's own identity
    #[serde_with(skip_apply)]
    pub customer_id: Option<String>,
    #[serde_with(skip_apply)]
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub job_type: Option<String>,
    pub status: Option<String>,
    pub created_by: Option<AuditStamp>,
    pub linked_job_reference_count: Option<i64>,
    /// e.g. `On-Demand` (spelled differently from `scheduleType`).
    pub schedule: Option<String>,
    pub previous_run: Option<Value>,
    pub next_run: Option<Value>,
    pub chained_job_rule: Option<Vec<ChainedJobRule>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"notificationTypes":{"email":…},"notificationConfigs":{…},"notificationEvents":{…}}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub notification_types: Option<NotificationTypes>,
    pub notification_configs: Option<NotificationConfigs>,
    pub notification_events: Option<NotificationEvents>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationTypes {
    pub email: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationConfigs {
    /// One comma-separated string.
    pub recipient_emails: Option<String>,
    /// 1..100; sent as a number, returned by the server as a string.
    pub completed_percentage: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationEvents {
    pub on_job_start: Option<bool>,
    pub on_job_complete: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"count":3,"interval":1,"intervalUnit":"HOURS"}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deferment {
    pub count: Option<i64>,
    pub interval: Option<i64>,
    pub interval_unit: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `preDeployment`: a message with a deferment.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreDeployment {
    pub user_message: Option<String>,
    pub description: Option<String>,
    pub deferment: Option<Deferment>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `duringDeployment`: `{"userMessage","description"}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentMessage {
    pub user_message: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `postDeployment`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostDeployment {
    pub suppress_reboots: Option<bool>,
    pub reboot_honor_on_user_login: Option<bool>,
    pub reboot_option: Option<RebootOption>,
    pub reboot_countdown: Option<RebootCountdown>,
    pub on_complete: Option<OnComplete>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebootOption {
    pub user_message: Option<String>,
    pub description: Option<String>,
    pub deferment: Option<Deferment>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebootCountdown {
    pub interval: Option<i64>,
    pub interval_unit: Option<String>,
    pub user_message: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnComplete {
    pub user_message: Option<String>,
    pub description: Option<String>,
    pub always_show_completed_prompt: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A pre- or post-deployment action.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Server-assigned, stable across updates; send it back to keep the action.
    pub action_id: Option<String>,
    /// `Run Script`, `Install Software`, `Change Registry Key`, `Uninstall Software`, `System Reboot`.
    pub action: Option<String>,
    /// Read-only: `predeploy` / `postdeploy`.
    pub action_type: Option<String>,
    pub params: Option<ActionParams>,
    /// Base64 content when sent; a storage path (`<customerId>/<actionId>/Script`,
    /// `default/MakeCache/makecache`) when returned. Sending the path back keeps the script.
    pub script: Option<String>,
    /// `ps` or `sh`.
    pub script_type: Option<String>,
    pub detection_script: Option<String>,
    pub detection_script_type: Option<String>,
    pub action_linked_to_job: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Action parameters; which ones apply depends on the action.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionParams {
    pub action_item: Option<String>,
    /// Server default 180.
    pub timeout: Option<i64>,
    /// e.g. `MakeCache` (Linux; the script must then be empty).
    pub default_script_type: Option<String>,
    pub remediation_scope: Option<bool>,
    // Install Software
    #[serde(rename = "downloadURL")]
    pub download_url: Option<String>,
    pub file_checksum: Option<String>,
    /// 0 (script based) or 1 (installer based).
    pub install_method: Option<i64>,
    /// Server default 0.
    pub download_protocol: Option<i64>,
    // Change Registry Key (base64 key and value)
    pub reg_key: Option<String>,
    pub reg_value_type: Option<String>,
    pub reg_value: Option<String>,
    pub reg_key_add_new: Option<bool>,
    // Uninstall Software
    #[serde(rename = "unInstallRegistryKey")]
    pub uninstall_registry_key: Option<String>,
    #[serde(rename = "unInstallSoftwareDisplayName")]
    pub uninstall_software_display_name: Option<String>,
    #[serde(rename = "unInstallSoftwareVersion")]
    pub uninstall_software_version: Option<String>,
    #[serde(rename = "unInstallSoftwareVersionMatch")]
    pub uninstall_software_version_match: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A job's creation date, last-update date and status as a full read saw them (epoch ms):
/// what a listing's summary is compared with to tell whether the job changed since.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStamp {
    pub created: Option<i64>,
    pub updated: Option<i64>,
    pub status: Option<String>,
}

/// `{"user": {...} | null, "date": epoch-ms | null}`.
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditStamp {
    pub user: Option<AuditUser>,
    /// Epoch milliseconds.
    pub date: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditUser {
    pub id: Option<String>,
    pub name: Option<String>,
    pub full_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The status a caller can set through the status endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    Enabled,
    Disabled,
}

impl JobStatus {
    /// The path segment and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Enabled => "Enabled",
            JobStatus::Disabled => "Disabled",
        }
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `GET /pm/v1/deploymentjobs/summary` (a different shape from the full job).
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    #[serde(default, deserialize_with = "lenient::opt_string_or_default")]
    pub id: String,
    pub name: Option<String>,
    pub platform: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub job_type: Option<String>,
    pub schedule_type: Option<String>,
    pub description: Option<String>,
    pub is_recurring: Option<bool>,
    /// `{"user": {...}, "date": epoch-ms}`.
    pub created: Option<AuditStamp>,
    pub updated: Option<AuditStamp>,
    /// Tag IDs, listed as IDs or as `{id, name}` objects (real tenants: objects).
    pub tags: Option<Vec<String>>,
    /// Tag IDs, listed as IDs (real tenants) or objects.
    pub exclusion_tags: Option<Vec<String>>,
    pub match_all_tags: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl JobSummary {
    /// A soft-deleted job (`deleted: true`, or `deletedBy.date` or `deleted.date` set), should
    /// a tenant list one.
    pub fn is_deleted(&self) -> bool {
        self.extra.get("deleted").and_then(Value::as_bool) == Some(true)
            || ["deletedBy", "deleted"].iter().any(|k| {
                self.extra
                    .get(*k)
                    .and_then(|d| d.get("date"))
                    .is_some_and(|d| !d.is_null())
            })
    }

    /// True when this summary shows the job as it was when `last` was recorded from a full
    /// read: the same creation date, the same last-update date and the same status, and not
    /// deleted. An `updated` that is null, absent or `{date: null}` means "not updated since
    /// creation" (a never-edited job's record on real tenants, as `qualysdk` reads them). A
    /// record without its creation date or its status proves nothing. This rests on one
    /// undocumented reading (`docs/api-readings.md`): `updated.date` moves on every change.
    pub fn unchanged_since(&self, last: &ReadStamp) -> bool {
        let Some(created) = &self.created else {
            return false;
        };
        let updated = self.updated.as_ref().and_then(|u| u.date);
        let same_status = match (&self.status, &last.status) {
            (Some(now), Some(then)) => now.eq_ignore_ascii_case(then),
            _ => false,
        };
        !self.is_deleted()
            && created.date.is_some()
            && created.date == last.created
            && updated == last.updated
            && same_status
    }

    pub fn from_json(v: Value) -> Result<Self, Error> {
        serde_json::from_value(v).map_err(|e| Error::Decode {
            what: "job summary".into(),
            message: e.to_string(),
        })
    }
}

/// How a Qualys ID looks, for messages and docs.
pub const ID_SHAPE: &str =
    "36 hexadecimal characters as 8-4-4-4-12, like 38aa48ca-a53f-4591-af01-8bce75de4ce7";

/// Whether `s` has the shape of a Qualys ID (job, asset, tag, patch, user, action): a
/// 8-4-4-4-12 hexadecimal UUID, either case. No version or variant nibble is required, since
/// the service hands out IDs that are not RFC 4122 (a user ID with version nibble 7).
pub fn is_qualys_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A script value that is a server storage reference rather than content:
/// `<uuid>/<uuid>/Script`, `<uuid>/<uuid>/DetectionScript`, or `default/<type>/<name>`.
/// Sending such a reference back keeps the stored script.
pub fn is_script_reference(script: &str) -> bool {
    let parts: Vec<&str> = script.split('/').collect();
    match parts.as_slice() {
        ["default", kind, name] => !kind.is_empty() && !name.is_empty(),
        // Customer and action IDs are UUIDs on the real service; any plain segment is
        // accepted so that a reference is never mistaken for (and re-uploaded as) content.
        [customer, action, "Script" | "DetectionScript"] => {
            is_plain_segment(customer) && is_plain_segment(action)
        }
        _ => false,
    }
}

fn is_plain_segment(s: &str) -> bool {
    !s.is_empty() && !s.contains(char::is_whitespace)
}

/// `startDateTime` as the API reads it: `yyyy-M-d hh:mm:ss AM|PM`, the date and the clock
/// zero-padded or not (`2025-4-14 1:45:48 PM` and `2025-04-14 01:45:48 PM` are the same time),
/// the hour 1..12, `AM`/`PM` in any case.
const START_DATE_TIME_IN: time::format_description::StaticFormatDescription = time::macros::format_description!(
    "[year]-[month padding:none]-[day padding:none] [hour repr:12 padding:none]:[minute padding:none]:[second padding:none] [period case:upper case_sensitive:false]"
);

/// The server's spelling of a start time: unpadded date, padded 12-hour clock.
const START_DATE_TIME_OUT: time::format_description::StaticFormatDescription = time::macros::format_description!(
    "[year]-[month padding:none]-[day padding:none] [hour repr:12]:[minute]:[second] [period]"
);

/// Parses `startDateTime` as the API writes it ([`START_DATE_TIME_IN`]); any run of
/// whitespace separates the date, the clock and AM/PM, and the year has no sign.
pub fn parse_start_date_time(s: &str) -> Option<time::PrimitiveDateTime> {
    let words = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !words.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    time::PrimitiveDateTime::parse(&words, START_DATE_TIME_IN).ok()
}

/// The server's spelling of a start time: unpadded date, padded 12-hour clock.
pub fn format_start_date_time(t: time::PrimitiveDateTime) -> String {
    t.format(START_DATE_TIME_OUT)
        .expect("a PrimitiveDateTime has every component of the format")
}

// Nested objects decode as serde derives them; their own fields carry the leniency.
impl lenient::Decode for ReattemptFailedPatches {}
impl lenient::Decode for Vec<ChainedJobRule> {}
impl lenient::Decode for Vec<LinkedToJob> {}
impl lenient::Decode for Notification {}
impl lenient::Decode for NotificationTypes {}
impl lenient::Decode for NotificationConfigs {}
impl lenient::Decode for NotificationEvents {}
impl lenient::Decode for Deferment {}
impl lenient::Decode for PreDeployment {}
impl lenient::Decode for DeploymentMessage {}
impl lenient::Decode for PostDeployment {}
impl lenient::Decode for RebootOption {}
impl lenient::Decode for RebootCountdown {}
impl lenient::Decode for OnComplete {}
impl lenient::Decode for Vec<Action> {}
impl lenient::Decode for ActionParams {}
impl lenient::Decode for AuditStamp {}
impl lenient::Decode for AuditUser {}

/// Decoders that accept the API's spellings of each type: the one place where loose API
/// values are read (the provider's attribute mapping reads through `value_to_*` too).
pub mod lenient {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// How a type is read when it sits in an `Option` field of the model: every such field is
    /// decoded through [`opt`], which the structs attach with `serde_with::apply`.
    pub trait Decode: DeserializeOwned {
        /// Plain serde (`null` is `None`); the scalar types and string lists override it.
        fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            Option::<Self>::deserialize(d)
        }
    }

    /// The `deserialize_with` of every `Option` field.
    pub fn opt<'de, D: Deserializer<'de>, T: Decode>(d: D) -> Result<Option<T>, D::Error> {
        T::decode_opt(d)
    }

    impl Decode for i64 {
        fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            opt_i64(d)
        }
    }

    impl Decode for bool {
        fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            opt_bool(d)
        }
    }

    impl Decode for String {
        fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            opt_string(d)
        }
    }

    impl Decode for Vec<String> {
        fn decode_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            opt_strings(d)
        }
    }

    /// Raw JSON is kept as received.
    impl Decode for Value {}

    pub fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    fn invalid<E: serde::de::Error>(v: &Value, want: &str) -> E {
        E::custom(format!("expected {want}, got {} ({v})", kind(v)))
    }

    /// Number, numeric string (`"80"`, `"-12"`, `"1008"`), `""` or null.
    pub fn value_to_i64(v: &Value) -> Result<Option<i64>, String> {
        match v {
            Value::Null => Ok(None),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Some(i))
                } else if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                {
                    Ok(Some(f as i64))
                } else {
                    Err(format!("expected an integer, got {n}"))
                }
            }
            Value::String(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Ok(None)
                } else {
                    t.parse::<i64>()
                        .map(Some)
                        .map_err(|_| format!("expected an integer, got the string {s:?}"))
                }
            }
            other => Err(format!("expected an integer, got {}", kind(other))),
        }
    }

    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let v = Value::deserialize(d)?;
        value_to_i64(&v).map_err(serde::de::Error::custom)
    }

    /// Boolean, `"true"`/`"false"` (any case), 0/1, `""` or null.
    pub fn value_to_bool(v: &Value) -> Result<Option<bool>, String> {
        let invalid = || format!("expected a boolean, got {} ({v})", kind(v));
        match v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(invalid()),
            },
            Value::Number(n) => match n.as_i64() {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(invalid()),
            },
            _ => Err(invalid()),
        }
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let v = Value::deserialize(d)?;
        value_to_bool(&v).map_err(serde::de::Error::custom)
    }

    /// String, or a number/boolean written as text, or null.
    pub fn value_to_string(v: &Value) -> Result<Option<String>, String> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            other => Err(format!("expected a string, got {} ({other})", kind(other))),
        }
    }

    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Value::deserialize(d)?;
        value_to_string(&v).map_err(serde::de::Error::custom)
    }

    pub fn opt_string_or_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(opt_string(d)?.unwrap_or_default())
    }

    /// Array of strings (numbers written as text, objects by their `id`), or null.
    pub fn opt_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        let v = Value::deserialize(d)?;
        match v {
            Value::Null => Ok(None),
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    Value::Number(n) => Ok(n.to_string()),
                    // a tag as `{id, name}` (the summary's `tags` on real tenants)
                    Value::Object(o) => match o.get("id") {
                        Some(Value::String(s)) => Ok(s.clone()),
                        Some(Value::Number(n)) => Ok(n.to_string()),
                        _ => Err(invalid(&Value::Object(o), "an object with an id")),
                    },
                    other => Err(invalid(&other, "a string in the list")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            other => Err(invalid(&other, "an array of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn qualys_ids_are_8_4_4_4_12_hex_in_either_case() {
        for good in [
            "38aa48ca-a53f-4591-af01-8bce75de4ce7",
            "38AA48CA-A53F-4591-AF01-8BCE75DE4CE7",
            // not RFC 4122 (version nibble 7 in the third group's first digit is fine too)
            "2e5bc89e-4670-d067-83f2-b873a00f4531",
        ] {
            assert!(is_qualys_id(good), "{good}");
        }
        for bad in [
            "not-a-uuid",
            "x",
            "",
            "38aa48caa53f4591af018bce75de4ce7",
            "{38aa48ca-a53f-4591-af01-8bce75de4ce7}",
            "38aa48ca-a53f-4591-af01-8bce75de4ce",
            "38aa48ca-a53f-4591-af01-8bce75de4ce7 ",
            "g8aa48ca-a53f-4591-af01-8bce75de4ce7",
            "38aa48ca-a53f4-591-af01-8bce75de4ce7",
        ] {
            assert!(!is_qualys_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_summary_shows_a_job_unchanged_only_when_dates_and_status_match_its_last_read() {
        let job = Job::from_json(json!({
            "id": "j", "status": "Enabled",
            "createdBy": {"user": null, "date": 1000},
            "updatedBy": {"user": null, "date": null},
        }))
        .unwrap();
        let last = job.read_stamp();
        let summary = |v: Value| JobSummary::from_json(v).unwrap();
        let base = json!({
            "id": "j", "status": "Enabled",
            "created": {"date": 1000, "user": {"id": "u"}},
            "updated": {"date": null, "user": null},
        });
        assert!(
            summary(base.clone()).unchanged_since(&last),
            "never updated, same status"
        );
        let mut status_case = base.clone();
        status_case["status"] = json!("ENABLED");
        assert!(
            summary(status_case).unchanged_since(&last),
            "a status in another case"
        );
        let mut updated = base.clone();
        updated["updated"]["date"] = json!(2000);
        assert!(
            !summary(updated).unchanged_since(&last),
            "the update date moved"
        );
        let mut disabled = base.clone();
        disabled["status"] = json!("Disabled");
        assert!(
            !summary(disabled).unchanged_since(&last),
            "the status moved"
        );
        for key in ["created", "status"] {
            let mut without = base.clone();
            without.as_object_mut().unwrap().remove(key);
            assert!(!summary(without).unchanged_since(&last), "no {key}");
        }
        // never updated, in each form a tenant may list it: `updated` null, absent, or
        // `{date: null}`: unchanged, no GET needed
        for never_updated in [json!(null), json!({"date": null}), json!("absent")] {
            let mut record = base.clone();
            if never_updated == "absent" {
                record.as_object_mut().unwrap().remove("updated");
            } else {
                record["updated"] = never_updated.clone();
            }
            assert!(
                summary(record).unchanged_since(&last),
                "updated: {never_updated}"
            );
        }
        // ... but once the last full read saw an update, a record without one is a change
        let mut no_update = base.clone();
        no_update["updated"] = json!(null);
        no_update["status"] = json!("Disabled");
        let edited_last = ReadStamp {
            updated: Some(3000),
            status: Some("Disabled".into()),
            ..last.clone()
        };
        assert!(!summary(no_update).unchanged_since(&edited_last));
        let mut recreated = base.clone();
        recreated["created"]["date"] = json!(1001);
        assert!(
            !summary(recreated).unchanged_since(&last),
            "another creation date"
        );
        for deleted in [json!({"deleted": true}), json!({"deletedBy": {"date": 5}})] {
            let mut marked = base.clone();
            marked
                .as_object_mut()
                .unwrap()
                .extend(deleted.as_object().unwrap().clone());
            assert!(
                !summary(marked).unchanged_since(&last),
                "marked deleted: {deleted}"
            );
        }
        // a job read in full after its first update matches the summary's update date
        let edited = Job::from_json(json!({
            "id": "j", "status": "Disabled",
            "createdBy": {"date": 1000}, "updatedBy": {"date": 3000},
        }))
        .unwrap();
        let mut later = base;
        later["status"] = json!("Disabled");
        later["updated"]["date"] = json!(3000);
        assert!(summary(later.clone()).unchanged_since(&edited.read_stamp()));
        // a job whose last read recorded no creation date is never taken as unchanged
        assert!(!summary(later).unchanged_since(&ReadStamp::default()));
    }

    #[test]
    fn tags_are_read_as_ids_or_as_id_name_objects() {
        let summary = JobSummary::from_json(json!({
            "id": "j",
            "tags": [{"id": "t1", "name": "Web"}, {"id": 7, "name": null}],
            "exclusionTags": ["t2"],
            "matchAllTags": null,
        }))
        .unwrap();
        assert_eq!(summary.tags, Some(vec!["t1".into(), "7".into()]));
        assert_eq!(summary.exclusion_tags, Some(vec!["t2".into()]));
        let job = Job::from_json(json!({
            "assetTagIds": [{"id": "t1", "name": "Web"}, "t3"],
            "exclusionTagIds": ["t2"],
        }))
        .unwrap();
        assert_eq!(job.asset_tag_ids, Some(vec!["t1".into(), "t3".into()]));
        assert_eq!(job.to_json()["assetTagIds"], json!(["t1", "t3"]));
        let nameless = JobSummary::from_json(json!({"tags": [{"name": "Web"}]}));
        assert!(
            nameless.is_err(),
            "a tag object without an id is a decode error"
        );
    }

    #[test]
    fn quirky_types_decode_and_encode_canonically() {
        let job = Job::from_json(json!({
            "name": "j", "minimizeWindow": "true", "patchTuesdayPlusXDays": "-12",
            "customPatchURLId": "1008", "dayOfMonth": "5", "additionalDynamicQQLType": "",
            "notification": {"notificationConfigs": {"completedPercentage": "80"}},
            "chainedJobRule": [{"threshold": "100", "actionIds": ["a"]}],
            "assetTagIds": null, "assetIds": [], "someNewField": {"x": 1}
        }))
        .unwrap();
        assert_eq!(job.minimize_window, Some(true));
        assert_eq!(job.patch_tuesday_plus_x_days, Some(-12));
        assert_eq!(job.custom_patch_url_id, Some(1008));
        assert_eq!(job.day_of_month, Some(5));
        assert_eq!(job.additional_dynamic_qql_type, None);
        assert_eq!(job.asset_ids, Some(vec![]));
        assert_eq!(job.asset_tag_ids, None);
        let out = job.to_json();
        assert_eq!(out["minimizeWindow"], json!(true));
        assert_eq!(out["patchTuesdayPlusXDays"], json!(-12));
        assert_eq!(out["customPatchURLId"], json!(1008));
        assert_eq!(
            out["notification"]["notificationConfigs"]["completedPercentage"],
            json!(80)
        );
        assert_eq!(out["chainedJobRule"][0]["threshold"], json!(100));
        assert_eq!(out["someNewField"], json!({"x": 1}));
        assert_eq!(out["assetIds"], json!([]));
        assert_eq!(out["assetTagIds"], Value::Null);
        assert!(
            out.get("id").is_none(),
            "an unset id is left out of the body"
        );
    }

    #[test]
    fn script_references_and_start_times() {
        assert!(is_script_reference(
            "2e5bc89e-4670-d067-83f2-b873a00f4531/e4fac150-804b-4857-ae9b-606d1b136b20/Script"
        ));
        assert!(is_script_reference("bc023fd7-4290-f28f-8181-95a46f519f52/fbef9851-2703-4ae7-b179-910f203796ac/DetectionScript"));
        assert!(is_script_reference("default/MakeCache/makecache"));
        assert!(!is_script_reference("bHM="));
        assert!(!is_script_reference("cat a/b/Script"));
        assert!(!is_script_reference("a//Script"));
        let padded = parse_start_date_time("2025-04-14 01:45:48 PM").unwrap();
        assert_eq!(Some(padded), parse_start_date_time("2025-4-14 01:45:48 PM"));
        assert_eq!(format_start_date_time(padded), "2025-4-14 01:45:48 PM");
        assert_eq!(
            format_start_date_time(parse_start_date_time("2022-2-20 12:18:30 AM").unwrap()),
            "2022-2-20 12:18:30 AM"
        );
        for bad in [
            "2025-2-30 01:00:00 PM",
            "2025-4-14 13:00:00 PM",
            "2025-4-14",
            "soon",
        ] {
            assert_eq!(parse_start_date_time(bad), None, "{bad}");
        }
    }

    /// `y-m-d h:mi:s` on the 24-hour clock, for the start time tests.
    fn at(y: i32, m: u8, d: u8, h: u8, mi: u8, sec: u8) -> time::PrimitiveDateTime {
        time::PrimitiveDateTime::new(
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap(),
            time::Time::from_hms(h, mi, sec).unwrap(),
        )
    }

    #[test]
    fn start_times_accept_padded_or_unpadded_parts_and_am_pm_in_any_case() {
        let pm = at(2025, 4, 14, 13, 45, 48);
        for good in [
            "2025-04-14 01:45:48 PM",
            "2025-4-14 01:45:48 PM",
            "2025-4-14 1:45:48 PM",
            "2025-04-14 1:45:48 PM",
            "2025-4-14 01:45:48 pm",
            "2025-4-14 01:45:48 Pm",
            "2025-4-14 01:45:48 pM",
            // any run of whitespace between the three words, and around them
            "  2025-4-14   01:45:48\tPM \n",
        ] {
            assert_eq!(parse_start_date_time(good), Some(pm), "{good:?}");
        }
        for (text, want) in [
            ("2025-4-14 1:5:8 PM", at(2025, 4, 14, 13, 5, 8)),
            ("2025-4-14 01:05:08 am", at(2025, 4, 14, 1, 5, 8)),
            ("2025-4-14 12:00:00 AM", at(2025, 4, 14, 0, 0, 0)),
            ("2025-4-14 12:59:59 AM", at(2025, 4, 14, 0, 59, 59)),
            ("2025-4-14 12:00:00 PM", at(2025, 4, 14, 12, 0, 0)),
            ("2025-4-14 11:59:59 PM", at(2025, 4, 14, 23, 59, 59)),
            ("2025-12-31 11:59:59 AM", at(2025, 12, 31, 11, 59, 59)),
            ("2025-1-1 01:00:00 AM", at(2025, 1, 1, 1, 0, 0)),
            ("2024-2-29 01:00:00 AM", at(2024, 2, 29, 1, 0, 0)),
            ("0999-1-1 01:00:00 AM", at(999, 1, 1, 1, 0, 0)),
        ] {
            assert_eq!(parse_start_date_time(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn start_times_reject_other_shapes_and_impossible_values() {
        for bad in [
            "",
            "soon",
            "2025-4-14",
            "2025-4-14 01:45:48",
            "01:45:48 PM",
            // hour 1..12 only
            "2025-4-14 00:45:48 AM",
            "2025-4-14 0:45:48 PM",
            "2025-4-14 13:00:00 PM",
            "2025-4-14 13:00:00 AM",
            "2025-4-14 24:00:00 AM",
            // at most two digits on the clock, all three parts there
            "2025-4-14 001:45:48 PM",
            "2025-4-14 01:045:48 PM",
            "2025-4-14 01:45:048 PM",
            "2025-4-14 01:45 PM",
            "2025-4-14 01::48 PM",
            "2025-4-14 01:60:00 PM",
            "2025-4-14 01:45:60 PM",
            // the year has four digits, no sign
            "25-4-14 01:45:48 PM",
            "02025-4-14 01:45:48 PM",
            "+2025-4-14 01:45:48 PM",
            "-2025-4-14 01:45:48 PM",
            // calendar dates only
            "2025-0-14 01:45:48 PM",
            "2025-13-14 01:45:48 PM",
            "2025-4-0 01:45:48 PM",
            "2025-4-31 01:45:48 PM",
            "2025-2-30 01:00:00 PM",
            "2023-2-29 01:00:00 PM",
            "2025-4 01:45:48 PM",
            "2025-4-14-1 01:45:48 PM",
            "2025/4/14 01:45:48 PM",
            "2025-4-14T01:45:48 PM",
            // AM or PM, nothing else, and nothing after it
            "2025-4-14 01:45:48 XM",
            "2025-4-14 01:45:48 P.M.",
            "2025-4-14 01:45:48 PMT",
            "2025-4-14 01:45:48PM",
            "2025-4-14 01:45:48 PM UTC",
            "2025-4-14 01:45:48 PM x",
        ] {
            assert_eq!(parse_start_date_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn start_times_are_written_with_an_unpadded_date_and_a_padded_12_hour_clock() {
        for (t, want) in [
            (at(2025, 4, 14, 13, 45, 48), "2025-4-14 01:45:48 PM"),
            (at(2025, 4, 14, 0, 5, 0), "2025-4-14 12:05:00 AM"),
            (at(2025, 4, 14, 12, 0, 0), "2025-4-14 12:00:00 PM"),
            (at(2025, 4, 14, 1, 2, 3), "2025-4-14 01:02:03 AM"),
            (at(2025, 12, 31, 23, 59, 59), "2025-12-31 11:59:59 PM"),
        ] {
            assert_eq!(format_start_date_time(t), want);
            assert_eq!(parse_start_date_time(want), Some(t), "{want} reads back");
        }
    }

    #[test]
    fn soft_deleted_jobs_are_recognised() {
        let job = Job::from_json(json!({"deletedBy": {"user": null, "date": null}})).unwrap();
        assert!(!job.is_deleted());
        let job =
            Job::from_json(json!({"deletedBy": {"user": {"id": "u"}, "date": "1700000000000"}}))
                .unwrap();
        assert!(job.is_deleted());
    }

    #[test]
    fn every_option_type_decodes_leniently_and_only_top_level_nulls_are_written() {
        let job = Job::from_json(json!({
            "schemaVersion": 1.5,
            "recurring": 0,
            "timeout": 30.0,
            "approvedPatches": ["p", 7],
            "disabledPatches": {"kept": ["as", "is"]},
            "notification": null,
            "preDeployment": {"userMessage": 5, "deferment": {"count": "3", "future": 1}},
            "createdBy": {"user": null, "date": "17"},
            "summaryOnly": true
        }))
        .unwrap();
        assert_eq!(job.schema_version.as_deref(), Some("1.5"));
        assert_eq!(job.recurring, Some(false));
        assert_eq!(job.timeout, Some(30));
        assert_eq!(job.approved_patches, Some(vec!["p".into(), "7".into()]));
        assert_eq!(job.notification, None);
        let out = job.to_json();
        let top = out.as_object().unwrap();
        for unset in [
            "notification",
            "description",
            "recurringWeekDays",
            "linkedToJob",
        ] {
            assert_eq!(
                top.get(unset),
                Some(&Value::Null),
                "{unset} is written as null"
            );
        }
        assert_eq!(out["disabledPatches"], json!({"kept": ["as", "is"]}));
        assert_eq!(
            out["preDeployment"],
            json!({"userMessage": "5", "deferment": {"count": 3, "future": 1}}),
            "nested objects leave unset fields out and keep unknown ones"
        );
        assert_eq!(out["createdBy"], json!({"user": null, "date": 17}));
        assert_eq!(out["summaryOnly"], json!(true));
        assert_eq!(
            Job::from_json(out).unwrap(),
            job,
            "the canonical form reads back"
        );

        let summary =
            JobSummary::from_json(json!({"id": 42, "isRecurring": "TRUE", "name": null})).unwrap();
        assert_eq!(summary.id, "42");
        assert_eq!(summary.is_recurring, Some(true));
        assert_eq!(summary.name, None);
        assert_eq!(JobSummary::from_json(json!({})).unwrap().id, "");
    }

    #[test]
    fn bad_types_are_decode_errors_not_panics() {
        for bad in [
            json!([]),
            json!("x"),
            json!({"timeout": "soon"}),
            json!({"recurring": "maybe"}),
            json!({"assetIds": "a"}),
        ] {
            let err = Job::from_json(bad.clone()).unwrap_err();
            assert!(err.to_string().contains("deployment job"), "{bad}: {err}");
        }
    }
}
