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

use super::actions::Action;
use super::lenient;
use super::messages::{DeploymentMessage, Notification, PostDeployment, PreDeployment};
use super::vocabulary::{JobStatus, Platform, ScheduleType};
use crate::Error;

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

    /// Decodes a job from JSON text, tolerating the API's type quirks, without building the
    /// JSON tree first.
    pub fn from_slice(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| Error::Decode {
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
        // one derivation of the stamp: the header's, which a refresh reads alone
        JobHeader::of(self).read_stamp()
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

    /// The server-assigned ID; `None` before the job is created.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The server's status as one of the two a caller sets ([`JobStatus::of_server`]);
    /// `None` when the job has none.
    pub fn status(&self) -> Option<JobStatus> {
        self.status
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(JobStatus::of_server)
    }

    /// The platform, when it is one this crate knows.
    pub fn platform(&self) -> Option<Platform> {
        self.platform.as_deref().and_then(Platform::parse)
    }

    /// The schedule type, when it is one this crate knows.
    pub fn schedule_type(&self) -> Option<ScheduleType> {
        self.schedule_type.as_deref().and_then(ScheduleType::parse)
    }

    /// True for On-demand and Once jobs, which cannot be edited or disabled once enabled.
    pub fn is_run_once(&self) -> bool {
        self.schedule_type().is_some_and(ScheduleType::is_run_once)
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

/// A job's creation date, last-update date and status as a full read saw them (epoch ms):
/// what a listing's summary is compared with to tell whether the job changed since.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStamp {
    pub created: Option<i64>,
    pub updated: Option<i64>,
    pub status: Option<String>,
}

/// What a refresh needs of a job it read in full before: its platform and read stamp, read
/// from the job's JSON text by `Job`'s lenient rules while every other field is skipped,
/// which costs a fraction of decoding the whole job.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobHeader {
    platform: Option<String>,
    status: Option<String>,
    created_by: Option<StampDate>,
    updated_by: Option<StampDate>,
}

/// The `date` of an `AuditStamp`, the one part a `ReadStamp` keeps.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct StampDate {
    date: Option<i64>,
}

impl lenient::Decode for StampDate {}

impl JobHeader {
    /// The header of `job`, written with the names `from_prefix` reads.
    pub fn of(job: &Job) -> Self {
        let date = |stamp: &Option<AuditStamp>| stamp.as_ref().map(|s| StampDate { date: s.date });
        JobHeader {
            platform: job.platform.clone(),
            status: job.status.clone(),
            created_by: date(&job.created_by),
            updated_by: date(&job.updated_by),
        }
    }

    /// The header in the first JSON value of `text`: a header written ahead of its job, or
    /// the job itself. What follows the first value is not read.
    pub fn from_prefix(text: &[u8]) -> Result<Self, Error> {
        let first = serde_json::Deserializer::from_slice(text)
            .into_iter()
            .next()
            .unwrap_or_else(|| serde_json::from_slice(b""));
        first.map_err(|e| Error::Decode {
            what: "deployment job".into(),
            message: e.to_string(),
        })
    }

    pub fn platform(&self) -> Option<Platform> {
        self.platform.as_deref().and_then(Platform::parse)
    }

    /// What a summary must show for the job to be unchanged since this read.
    pub fn read_stamp(&self) -> ReadStamp {
        let date = |stamp: &Option<StampDate>| stamp.as_ref().and_then(|s| s.date);
        ReadStamp {
            created: date(&self.created_by),
            updated: date(&self.updated_by),
            status: self.status.clone(),
        }
    }
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

// Nested objects decode as serde derives them; their own fields carry the leniency.
impl lenient::Decode for ReattemptFailedPatches {}
impl lenient::Decode for Vec<ChainedJobRule> {}
impl lenient::Decode for Vec<LinkedToJob> {}
impl lenient::Decode for AuditStamp {}
impl lenient::Decode for AuditUser {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobSummary;
    use serde_json::json;

    #[test]
    fn a_header_reads_what_the_whole_job_reads() {
        let texts = [
            // canonical, as the private state holds it
            json!({"platform": "Linux", "status": "Enabled", "name": "j",
                   "createdBy": {"user": {"id": "u"}, "date": 1_700_000_000_000_i64},
                   "updatedBy": {"date": 1_700_000_900_000_i64}, "assetIds": ["a"]}),
            // the API's quirks: dates as text, stamps null or absent, an unknown platform
            json!({"platform": "Solaris", "status": "Prepared",
                   "createdBy": {"date": "1700000000000"}, "updatedBy": null}),
            json!({"createdBy": {"date": null}}),
            json!({}),
        ];
        for text in texts {
            let bytes = serde_json::to_vec(&text).unwrap();
            let job = Job::from_slice(&bytes).unwrap();
            let header = JobHeader::from_prefix(&bytes).unwrap();
            assert_eq!(header.read_stamp(), job.read_stamp(), "{text}");
            assert_eq!(header.platform(), job.platform(), "{text}");
        }
        // written and read back, the header stays what it was
        let job = Job::from_json(json!({"platform": "Windows", "status": "Disabled",
            "createdBy": {"user": {"id": "u"}, "date": 7}, "updatedBy": {"date": null}}))
        .unwrap();
        let written = serde_json::to_vec(&JobHeader::of(&job)).unwrap();
        assert_eq!(
            JobHeader::from_prefix(&written).unwrap(),
            JobHeader::of(&job)
        );
        assert_eq!(JobHeader::of(&job).read_stamp(), job.read_stamp());
        let edited = JobHeader::from_prefix(br#"{"updatedBy": {"date": 5}}"#).unwrap();
        assert_eq!(edited.read_stamp().updated, Some(5));
        assert!(JobHeader::from_prefix(b"{\"platform\"").is_err());
        assert!(JobHeader::from_prefix(b"").is_err());
        // a header written ahead of its job is read alone
        let mut text = written.clone();
        text.extend_from_slice(br#"{"platform": "Linux"}"#);
        assert_eq!(JobHeader::from_prefix(&text).unwrap(), JobHeader::of(&job));
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

    #[test]
    fn typed_accessors_read_the_servers_words() {
        let job = |v: Value| Job::from_json(v).unwrap();
        let prepared = job(json!({
            "id": "j", "status": "Prepared", "platform": "linux", "scheduleType": "On-demand"
        }));
        assert_eq!(prepared.id(), Some("j"));
        assert_eq!(
            prepared.status(),
            Some(JobStatus::Enabled),
            "any status but Disabled"
        );
        assert_eq!(prepared.platform(), Some(Platform::Linux));
        assert_eq!(prepared.schedule_type(), Some(ScheduleType::OnDemand));
        assert!(prepared.is_run_once());
        let weekly =
            job(json!({"status": "Disabled", "scheduleType": "Weekly", "platform": "Mac"}));
        assert_eq!(weekly.id(), None);
        assert_eq!(weekly.status(), Some(JobStatus::Disabled));
        assert_eq!(weekly.platform(), None, "a platform outside the vocabulary");
        assert!(!weekly.is_run_once());
        assert!(job(json!({"scheduleType": "Once"})).is_run_once());
        let bare = job(json!({"status": ""}));
        assert_eq!((bare.status(), bare.schedule_type()), (None, None));
        assert!(!bare.is_run_once());
        assert_eq!(
            weekly.to_json()["platform"],
            json!("Mac"),
            "the server's own text is sent back"
        );
    }

    #[test]
    fn a_job_decodes_the_same_from_text_as_from_a_json_tree() {
        let wire = json!({
            "id": "j", "name": "n", "timeout": "30", "minimizeWindow": "true",
            "createdBy": {"date": "17"}, "someNewField": {"x": 1},
            "preDeployment": {"deferment": {"count": "3"}}
        });
        let text = serde_json::to_vec(&wire).unwrap();
        assert_eq!(
            Job::from_slice(&text).unwrap(),
            Job::from_json(wire).unwrap()
        );
        for bad in [&b"[]"[..], b"\"x\"", b"{\"timeout\": \"soon\"}", b"{"] {
            let err = Job::from_slice(bad).unwrap_err();
            assert!(err.to_string().contains("deployment job"), "{err}");
        }
    }
}
