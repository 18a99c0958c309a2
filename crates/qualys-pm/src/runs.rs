//! A job's runs and the per-asset result of one run. Knows nothing of Terraform.
//!
//! What is known (labels as in `qualys-pm-api.md` §1.3: QSDK = `qualysdk`, strict models
//! built from live answers; QCLI = a client generated from the docs pages; INF = inferred):
//!
//! - Runs: `GET /pm/v1/deploymentjob/{id}/runs`, no paging; a bare array of
//!   `{jobInstanceId, scheduledDateTime (ISO-8601 with an offset), timezoneType}` (QSDK,
//!   QCLI). The order is not documented: we sort newest first ourselves.
//! - Result summary: `.../deploymentjob/{id}/deploymentjobresult/summary`, POST in QSDK
//!   (whose parameters never reach the server: its empty POST answered the latest run on
//!   real tenants), GET in QCLI. We send POST first and GET when POST is answered 405 or
//!   404, and remember for the process the method that answered. Query: `jobInstanceId`
//!   (omitted for the latest run, as QSDK in effect does), `pageSize`, `pageNumber` (INF:
//!   the listing's paging words; a server that ignores `pageNumber` repeats its page, which
//!   ends the loop).
//! - More pages (INF, docs/api-readings.md): while fewer entries were read than the
//!   answer's `assetCount` and the last page was not empty. Once a page names its run
//!   (`jobInstanceId` of the entries), later pages ask for that run, so that a run starting
//!   mid-read cannot mix in.
//! - A job that never ran: undocumented. A 404, an empty array, and an object without
//!   entries all mean "no run" here.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{parse_json, Call};
use super::error::Operation;
use super::model::lenient;
use super::{Client, Error};

/// Asset entries asked for per result page.
pub const RESULT_PAGE_SIZE: usize = 200;
/// Stop paging a result after this many pages whatever the answers say.
const RESULT_MAX_PAGES: usize = 100;

/// One run of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRun {
    pub job_instance_id: i64,
    /// `scheduledDateTime` read as a time, when it parses.
    pub scheduled: Option<time::OffsetDateTime>,
    pub timezone_type: Option<String>,
}

#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRun {
    job_instance_id: Option<i64>,
    scheduled_date_time: Option<String>,
    timezone_type: Option<String>,
}

/// ISO-8601 with an offset, with or without fractional seconds or the offset's colon
/// (`2026-12-07T16:30:00.000+00:00`, `2026-12-07T16:30:00+0000`, `...Z`).
fn parse_scheduled(text: &str) -> Option<time::OffsetDateTime> {
    use time::format_description::well_known::{iso8601, Iso8601, Rfc3339};
    let text = text.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = time::OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t);
    }
    const NO_COLON: iso8601::EncodedConfig =
        iso8601::Config::DEFAULT.set_use_separators(true).encode();
    time::OffsetDateTime::parse(text, &Iso8601::<NO_COLON>).ok()
}

/// One asset of a run's result: the nested asset and the run's counts and state for it.
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetResult {
    #[serde(default)]
    pub asset: ResultAsset,
    pub success_patches: Option<i64>,
    pub installed_patches: Option<i64>,
    pub failed_patches: Option<i64>,
    pub superseded_patches: Option<i64>,
    pub not_applicable_patches: Option<i64>,
    pub skip_patch_count: Option<i64>,
    pub total_patch_count: Option<i64>,
    pub failed_actions_count: Option<i64>,
    pub successful_actions_count: Option<i64>,
    pub skipped_actions_count: Option<i64>,
    pub executing: Option<bool>,
    pub pending_execution: Option<bool>,
    pub pending_reboot: Option<bool>,
    pub pending_verification: Option<bool>,
    pub status: Option<String>,
    pub status_code: Option<String>,
    pub job_instance_id: Option<i64>,
    pub run_id: Option<i64>,
    /// Epoch milliseconds.
    pub start_date_time: Option<i64>,
    pub end_date_time: Option<i64>,
    pub status_date_time: Option<i64>,
    pub job_sent_on: Option<i64>,
}

/// The `asset` object of a result entry.
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultAsset {
    #[serde(default, deserialize_with = "lenient::opt_string_or_default")]
    pub id: String,
    pub name: Option<String>,
    pub operating_system: Option<String>,
}

/// What a run did on one asset, from its counts and flags (never from the undocumented
/// status words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetOutcome {
    /// A patch or an action failed.
    Failed,
    /// Executing, waiting to execute or to be verified, or without an end time.
    Pending,
    Succeeded,
}

impl AssetResult {
    pub fn outcome(&self) -> AssetOutcome {
        let some = |n: Option<i64>| n.is_some_and(|n| n > 0);
        let set = |b: Option<bool>| b == Some(true);
        if some(self.failed_patches) || some(self.failed_actions_count) {
            AssetOutcome::Failed
        } else if set(self.executing)
            || set(self.pending_execution)
            || set(self.pending_verification)
            || self.end_date_time.is_none_or(|t| t <= 0)
        {
            AssetOutcome::Pending
        } else {
            AssetOutcome::Succeeded
        }
    }

    /// The entry as JSON, with the API's names.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A run's result summary, every page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobResult {
    /// The run the entries name (their `jobInstanceId`), or the one asked for.
    pub job_instance_id: Option<i64>,
    pub asset_count: Option<i64>,
    pub patch_count: Option<i64>,
    /// A user name (unlike a job's `createdBy` object).
    pub created_by: Option<String>,
    /// Epoch milliseconds.
    pub created_on: Option<i64>,
    pub assets: Vec<AssetResult>,
    /// Requests the read took.
    pub pages: usize,
}

#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResult {
    asset_count: Option<i64>,
    patch_count: Option<i64>,
    created_by: Option<String>,
    created_on: Option<i64>,
    assets: Option<Value>,
}

/// What one result page answered.
enum PageAnswer {
    Page(RawResult, Vec<AssetResult>),
    NoRun,
}

impl Client {
    /// `GET /pm/v1/deploymentjob/{id}/runs`, newest first; `Ok(None)` when the job is unknown.
    pub async fn job_runs(&self, job_id: &str) -> Result<Option<Vec<JobRun>>, Error> {
        let call = Call {
            op: Operation::JobRuns,
            job_id: Some(job_id),
            method: Method::GET,
            url: self.url(&["pm", "v1", "deploymentjob", job_id, "runs"]),
            body: None,
            headers: Vec::new(),
        };
        let reply = self.execute(&call).await?;
        if reply.status != 200 {
            let err = self.api_error(&call, &reply);
            return if err.is_not_found() {
                Ok(None)
            } else {
                Err(err)
            };
        }
        let items = match parse_json(&reply.text, "the job's runs")? {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => {
                return Err(Error::Decode {
                    what: "the job's runs".into(),
                    message: format!("expected an array, got {}", lenient::kind(&other)),
                })
            }
        };
        let mut runs = Vec::with_capacity(items.len());
        for item in items {
            let raw: RawRun = serde_json::from_value(item).map_err(|e| Error::Decode {
                what: "a job run".into(),
                message: e.to_string(),
            })?;
            let Some(job_instance_id) = raw.job_instance_id else {
                continue;
            };
            runs.push(JobRun {
                job_instance_id,
                scheduled: raw.scheduled_date_time.as_deref().and_then(parse_scheduled),
                timezone_type: raw.timezone_type,
            });
        }
        // newest first, whatever order the API answers in; unparsed times last
        runs.sort_by(|a, b| {
            (b.scheduled, b.job_instance_id).cmp(&(a.scheduled, a.job_instance_id))
        });
        Ok(Some(runs))
    }

    /// The result of run `job_instance_id` of a job (the latest when `None`), every page of
    /// its assets. `Ok(None)`: no such run (the job never ran, or is unknown).
    pub async fn job_result(
        &self,
        job_id: &str,
        job_instance_id: Option<i64>,
    ) -> Result<Option<JobResult>, Error> {
        let mut result = JobResult {
            job_instance_id,
            ..JobResult::default()
        };
        for page in 0..RESULT_MAX_PAGES {
            let answer = self
                .result_page(job_id, result.job_instance_id, page)
                .await?;
            result.pages += 1;
            let (raw, entries) = match answer {
                PageAnswer::NoRun if page == 0 => return Ok(None),
                PageAnswer::NoRun => break,
                PageAnswer::Page(raw, entries) => (raw, entries),
            };
            if page == 0 {
                if entries.is_empty() {
                    return Ok(None);
                }
                result.asset_count = raw.asset_count;
                result.patch_count = raw.patch_count;
                result.created_by = raw.created_by;
                result.created_on = raw.created_on;
                result.job_instance_id = result
                    .job_instance_id
                    .or_else(|| entries.iter().find_map(|e| e.job_instance_id));
            }
            // a server that ignores pageNumber repeats its first page
            let repeated = page > 0
                && entries.first().map(|e| &e.asset.id)
                    == result.assets.first().map(|e| &e.asset.id);
            if entries.is_empty() || repeated {
                break;
            }
            result.assets.extend(entries);
            let total = result.asset_count.unwrap_or(0).max(0) as usize;
            if result.assets.len() >= total {
                break;
            }
        }
        Ok(Some(result))
    }

    async fn result_page(
        &self,
        job_id: &str,
        job_instance_id: Option<i64>,
        page: usize,
    ) -> Result<PageAnswer, Error> {
        let mut url = self.url(&[
            "pm",
            "v1",
            "deploymentjob",
            job_id,
            "deploymentjobresult",
            "summary",
        ]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(id) = job_instance_id {
                q.append_pair("jobInstanceId", &id.to_string());
            }
            q.append_pair("pageSize", &RESULT_PAGE_SIZE.to_string())
                .append_pair("pageNumber", &page.to_string());
        }
        let mut call = Call {
            op: Operation::JobResult,
            job_id: Some(job_id),
            method: self.result_method.first(),
            url,
            body: None,
            headers: Vec::new(),
        };
        let mut reply = self.execute(&call).await?;
        // (a concurrent read may have learnt GET meanwhile: this call's own method decides)
        if call.method == Method::POST
            && !self.result_method.is_post()
            && matches!(reply.status, 404 | 405)
        {
            // the other reading of the method (QCLI's GET)
            call.method = Method::GET;
            let other = self.execute(&call).await?;
            if other.status == 405 {
                // GET refused: POST is the method, and its 404 the answer
                call.method = Method::POST;
                self.result_method.remember(&call.method);
            } else if other.status == 200 || reply.status == 405 {
                reply = other;
            } else {
                call.method = Method::POST;
            }
        }
        if reply.status == 200 {
            self.result_method.remember(&call.method);
        } else {
            let err = self.api_error(&call, &reply);
            return if err.is_not_found() {
                Ok(PageAnswer::NoRun)
            } else {
                Err(err)
            };
        }
        let (raw, entries) = match parse_json(&reply.text, "the job result summary")? {
            Value::Null | Value::Array(_) => return Ok(PageAnswer::NoRun),
            v @ Value::Object(_) => {
                let raw: RawResult = serde_json::from_value(v).map_err(decode_error)?;
                let entries = match raw.assets.clone() {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                let entries = entries
                    .into_iter()
                    .map(|e| serde_json::from_value::<AssetResult>(e).map_err(decode_error))
                    .collect::<Result<Vec<_>, _>>()?;
                (raw, entries)
            }
            other => {
                return Err(Error::Decode {
                    what: "the job result summary".into(),
                    message: format!("expected an object, got {}", lenient::kind(&other)),
                })
            }
        };
        Ok(PageAnswer::Page(raw, entries))
    }
}

fn decode_error(e: serde_json::Error) -> Error {
    Error::Decode {
        what: "the job result summary".into(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scheduled_times_parse_with_or_without_fraction_and_colon() {
        let want = time::macros::datetime!(2026-12-07 16:30:00 UTC);
        for text in [
            "2026-12-07T16:30:00.000+00:00",
            "2026-12-07T16:30:00+0000",
            "2026-12-07T16:30:00Z",
            "2026-12-07T17:30:00.000+01:00",
        ] {
            assert_eq!(parse_scheduled(text), Some(want), "{text}");
        }
        assert_eq!(parse_scheduled("yesterday"), None);
    }

    fn entry(v: Value) -> AssetResult {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn outcomes_follow_the_counts_and_flags_not_the_status_words() {
        let done = json!({"asset": {"id": "a"}, "endDateTime": 1, "status": "Failed"});
        assert_eq!(entry(done).outcome(), AssetOutcome::Succeeded);
        let failed = json!({"failedPatches": 1, "executing": 1});
        assert_eq!(entry(failed).outcome(), AssetOutcome::Failed);
        let action = json!({"failedActionsCount": "2", "endDateTime": 1});
        assert_eq!(entry(action).outcome(), AssetOutcome::Failed);
        for flag in ["executing", "pendingExecution", "pendingVerification"] {
            let v = json!({"endDateTime": 1, flag: true});
            assert_eq!(entry(v).outcome(), AssetOutcome::Pending, "{flag}");
        }
        let reboot = json!({"endDateTime": 1, "pendingReboot": 1, "successPatches": 3});
        assert_eq!(entry(reboot).outcome(), AssetOutcome::Succeeded);
        assert_eq!(entry(json!({})).outcome(), AssetOutcome::Pending);
    }
}
