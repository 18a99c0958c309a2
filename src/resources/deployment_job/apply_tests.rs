//! Apply, read, import and delete against an in-memory fake of the job API.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use qualys_pm::{Job, JobStatus, Platform, ReadStamp};
use tfplugin::{CreateRequest, DeleteRequest, PlanRequest, ReadRequest, UpdateRequest, Value};

use super::api::{JobApi, JobApiError, SeamJob};
use super::apply::{create, delete, update};
use super::fields::JOB_FIELDS;
use super::plan::plan;
use super::read::{import, read};
use crate::framework::json::get_path;

#[derive(Default)]
struct Fake {
    jobs: Mutex<BTreeMap<String, Json>>,
    calls: Mutex<Vec<String>>,
    next: Mutex<u32>,
    /// create ignores the status in the body (the job starts Disabled)
    create_ignores_status: bool,
    fail_set_status: bool,
    /// PATCH answers an error (after the job was disabled for it)
    fail_update: bool,
    /// PATCH of an Enabled job is accepted (the lenient reading) instead of refused
    patch_while_enabled: bool,
    /// set_status Enabled fails (e.g. the re-enable after a failed PATCH)
    fail_enable: bool,
    /// set_status Disabled disables the job but reports a failure (its answer was lost)
    disable_then_fail: bool,
}

impl Fake {
    fn log(&self, s: String) {
        self.calls.lock().unwrap().push(s);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
    fn id(&self, prefix: &str) -> String {
        let mut n = self.next.lock().unwrap();
        *n += 1;
        format!("{prefix}-{n}")
    }
    /// What the server does with a job body: IDs, script references, defaults, types.
    fn store(&self, mut job: Json, id: &str) -> Json {
        job["id"] = json!(id);
        job["customerId"] = json!("cust");
        job["createdBy"] = json!({"user": {"id": "u", "name": "tester"}, "date": 1744638348039i64});
        job["updatedBy"] = json!({"user": null, "date": null});
        for list in ["preDeployActions", "postDeployActions"] {
            let Some(actions) = job.get_mut(list).and_then(Json::as_array_mut) else {
                continue;
            };
            for a in actions {
                if a.get("actionId").is_none() {
                    a["actionId"] = json!(self.id("act"));
                }
                let aid = a["actionId"].as_str().unwrap().to_owned();
                if let Some(s) = a.get("script").and_then(Json::as_str) {
                    if !s.is_empty() && !s.contains('/') {
                        a["script"] = json!(format!("cust/{aid}/Script"));
                    }
                }
                a["params"]["timeout"] = json!(180);
            }
        }
        if job.get("preDeployment").is_none_or(Json::is_null) {
            job["preDeployment"] = json!({"userMessage": "", "description": "", "deferment": {"count": 3, "interval": 1, "intervalUnit": "HOURS"}});
        }
        for (k, v) in [
            ("timezoneType", json!("SPECIFIC_TZ")),
            ("timezone", json!("UTC")),
            ("timeoutUnit", json!("HOURS")),
            ("timeout", json!(-1)),
        ] {
            if job.get(k).is_none_or(Json::is_null) {
                job[k] = v;
            }
        }
        if job.get("startDateTime").is_none() {
            job["startDateTime"] = json!("2025-4-14 01:45:48 PM");
        }
        for k in ["filterType", "exclusionFilterType"] {
            if job.get(k).is_none() {
                job[k] = json!("Any");
            }
        }
        if job.get("downloadRandomizeTime").is_none() {
            job["downloadRandomizeTime"] = json!(0);
            job["downloadRandomizeTimeUnit"] = json!("MINUTES");
        }
        for k in ["duringDeployment", "postDeployment"] {
            if job.get(k).is_none() {
                job[k] = json!({"userMessage": "", "description": ""});
            }
        }
        self.jobs.lock().unwrap().insert(id.to_owned(), job.clone());
        job
    }
}

#[async_trait]
impl JobApi for Fake {
    async fn create_job(&self, mut job: Json) -> Result<SeamJob, JobApiError> {
        self.log(format!("create status={}", job["status"]));
        if self.create_ignores_status {
            job["status"] = json!("Disabled");
        }
        let id = self.id("job");
        Ok(seam(self.store(job, &id)))
    }
    /// Like the client: a job the server marks deleted is no job.
    async fn get_job(&self, id: &str) -> Result<Option<SeamJob>, JobApiError> {
        self.log(format!("get {id}"));
        let job = self.jobs.lock().unwrap().get(id).cloned();
        Ok(job.map(seam).filter(|j| !j.job().is_deleted()))
    }
    async fn update_job(&self, id: &str, job: Json) -> Result<SeamJob, JobApiError> {
        self.log(format!("update {id} status={}", job["status"]));
        let current = self
            .jobs
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .ok_or(JobApiError::NotFound("404".into()))?;
        if self.fail_update {
            return Err(JobApiError::Refused("HTTP 500: internal error".into()));
        }
        if current["status"] == "Enabled" && !self.patch_while_enabled {
            return Err(JobApiError::Refused(
                "400: an Enabled job cannot be edited".into(),
            ));
        }
        let mut stored = self.store(job, id);
        stored["updatedBy"] =
            json!({"user": {"id": "u", "name": "tester"}, "date": 1744638400000i64});
        self.jobs
            .lock()
            .unwrap()
            .insert(id.to_owned(), stored.clone());
        Ok(seam(stored))
    }
    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), JobApiError> {
        self.log(format!("status {id} {status:?}"));
        if self.fail_set_status || (self.fail_enable && status == JobStatus::Enabled) {
            return Err(JobApiError::Refused("503 Service Unavailable".into()));
        }
        let mut jobs = self.jobs.lock().unwrap();
        let job = jobs
            .get_mut(id)
            .ok_or(JobApiError::NotFound("404".into()))?;
        job["status"] = json!(status.as_str());
        if self.disable_then_fail && status == JobStatus::Disabled {
            return Err(JobApiError::Transport("HTTP 504: Gateway Timeout".into()));
        }
        Ok(())
    }
    async fn delete_job(&self, id: &str) -> Result<(), JobApiError> {
        self.log(format!("delete {id}"));
        match self.jobs.lock().unwrap().remove(id) {
            Some(_) => Ok(()),
            None => Err(JobApiError::NotFound(format!(
                "failure: job {id} not found"
            ))),
        }
    }
    /// Like the client over a listing: the stored job's stamps against the last read's.
    async fn listed_unchanged(&self, platform: Platform, id: &str, last_read: &ReadStamp) -> bool {
        self.log(format!("listed {platform} {id}"));
        let jobs = self.jobs.lock().unwrap();
        jobs.get(id).is_some_and(|now| {
            let now = Job::from_json(now.clone()).unwrap();
            !now.is_deleted()
                && now.read_stamp().created.is_some()
                && now.read_stamp() == *last_read
        })
    }
}

/// A stored job as the client hands it over.
fn seam(job: Json) -> SeamJob {
    SeamJob::from_json(job).expect("the fake stores job objects")
}

fn config(extra: Json) -> Value {
    let mut base = json!({
        "name": "weekly", "schedule_type": "Weekly", "start_date_time": "2026-12-05 11:30:00 PM",
        "recurring_week_days": ["Saturday"], "asset_ids": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"], "approved_patches": ["0f5e1c2b-7a6d-4c3e-8b9a-1d2e3f4a5b6c"],
        "pre_deploy_actions": [{"action": "Run Script", "action_item": "check", "script": "Write-Output hi", "script_type": "ps"}]
    });
    base.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    super::tests::tf(JOB_FIELDS, &base)
}

fn plan_req(prior: &Value, cfg: &Value) -> Value {
    let proposed = super::tests::proposed(JOB_FIELDS, prior, cfg);
    plan(PlanRequest {
        prior_state: prior.clone(),
        proposed_new_state: proposed,
        config: cfg.clone(),
        prior_private: vec![],
    })
    .planned_state
}

async fn apply_plan(
    api: &Fake,
    prior: &Value,
    private: &[u8],
    cfg: &Value,
) -> tfplugin::ApplyResponse {
    let planned_state = plan_req(prior, cfg);
    let (config, planned_private) = (cfg.clone(), private.to_vec());
    // what the server calls for a change with a planned state
    if prior.is_null() {
        let req = CreateRequest {
            planned_state,
            config,
            planned_private,
        };
        create(api, req).await
    } else {
        let req = UpdateRequest {
            prior_state: prior.clone(),
            planned_state,
            config,
            planned_private,
        };
        update(api, req).await
    }
}

#[tokio::test]
async fn create_sends_status_in_the_body_and_records_the_job() {
    let api = Fake::default();
    let cfg = config(json!({"status": "Enabled"}));
    let resp = apply_plan(&api, &Value::Null, &[], &cfg).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(api.calls(), vec!["create status=\"Enabled\""]);
    let state = resp.new_state;
    assert!(state.is_wholly_known());
    assert_eq!(state.get("id"), &Value::from("job-1"));
    assert_eq!(state.get("status"), &Value::from("Enabled"));
    let action = &state.get("pre_deploy_actions").as_elements().unwrap()[0];
    assert_eq!(action.get("script"), &Value::from("Write-Output hi"));
    assert_eq!(action.get("timeout"), &Value::int(180));
    // the private state is the job as the server answered
    let private: Json = super::state::private_json(&resp.private).expect("private state");
    assert_eq!(
        get_path(&private, &["preDeployActions"])[0]["script"],
        json!("cust/act-2/Script")
    );
}

#[tokio::test]
async fn create_enables_through_the_status_endpoint_when_the_body_status_is_ignored() {
    let api = Fake {
        create_ignores_status: true,
        ..Default::default()
    };
    let resp = apply_plan(
        &api,
        &Value::Null,
        &[],
        &config(json!({"status": "Enabled"})),
    )
    .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(
        api.calls(),
        vec!["create status=\"Enabled\"", "status job-1 Enabled"]
    );
    assert_eq!(resp.new_state.get("server_status"), &Value::from("Enabled"));
}

#[tokio::test]
async fn a_created_job_whose_enabling_fails_is_still_returned_with_the_error() {
    let api = Fake {
        create_ignores_status: true,
        fail_set_status: true,
        ..Default::default()
    };
    let resp = apply_plan(
        &api,
        &Value::Null,
        &[],
        &config(json!({"status": "Enabled"})),
    )
    .await;
    assert!(resp.diagnostics.has_errors());
    assert_eq!(
        resp.new_state.get("id"),
        &Value::from("job-1"),
        "terraform must record (taint) the created job"
    );
    assert_eq!(resp.new_state.get("status"), &Value::from("Disabled"));
}

#[tokio::test]
async fn enabled_recurring_job_is_disabled_patched_and_enabled_with_one_patch_and_no_get() {
    let api = Fake::default();
    let cfg = config(json!({"status": "Enabled"}));
    let created = apply_plan(&api, &Value::Null, &[], &cfg).await;
    let state = created.new_state;
    let cfg2 = config(json!({"status": "Enabled", "name": "weekly, renamed"}));
    let resp = apply_plan(&api, &state, &created.private, &cfg2).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(
        api.calls()[1..],
        [
            "status job-1 Disabled",
            "update job-1 status=\"Disabled\"",
            "status job-1 Enabled"
        ]
    );
    let stored = api.jobs.lock().unwrap()["job-1"].clone();
    assert_eq!(stored["name"], json!("weekly, renamed"));
    assert_eq!(stored["status"], json!("Enabled"));
    assert_eq!(
        stored["preDeployActions"][0]["actionId"],
        json!("act-2"),
        "action ID kept"
    );
    assert_eq!(
        stored["preDeployActions"][0]["script"],
        json!("cust/act-2/Script"),
        "unchanged script sent as its reference"
    );
    assert_eq!(resp.new_state.get("status"), &Value::from("Enabled"));
    assert_eq!(
        resp.new_state.get("updated_at"),
        &Value::from("2025-04-14T13:46:40Z")
    );

    // the next read finds no drift, and the next plan no change
    let read_resp = read(
        &api,
        ReadRequest {
            current_state: resp.new_state.clone(),
            private: resp.private.clone(),
        },
    )
    .await;
    assert_eq!(read_resp.new_state, resp.new_state);
    assert_eq!(plan_req(&read_resp.new_state, &cfg2), read_resp.new_state);
}

#[tokio::test]
async fn status_only_change_uses_the_status_endpoint_only() {
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    let resp = apply_plan(
        &api,
        &created.new_state,
        &created.private,
        &config(json!({"status": "Enabled"})),
    )
    .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(api.calls()[1..], ["status job-1 Enabled"]);
    assert_eq!(resp.new_state.get("server_status"), &Value::from("Enabled"));
}

#[tokio::test]
async fn update_without_private_state_reads_the_job_first() {
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    let resp = apply_plan(
        &api,
        &created.new_state,
        &[],
        &config(json!({"description": "d"})),
    )
    .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(
        api.calls()[1..],
        ["get job-1", "update job-1 status=\"Disabled\""]
    );
}

#[tokio::test]
async fn read_of_a_job_gone_or_soft_deleted_leaves_the_state() {
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    api.jobs.lock().unwrap().get_mut("job-1").unwrap()["deletedBy"] =
        json!({"user": null, "date": 1744638400000i64});
    let r = read(
        &api,
        ReadRequest {
            current_state: created.new_state.clone(),
            private: created.private.clone(),
        },
    )
    .await;
    assert!(r.new_state.is_null() && r.diagnostics.is_empty());
    api.jobs.lock().unwrap().clear();
    let r = read(
        &api,
        ReadRequest {
            current_state: created.new_state,
            private: created.private,
        },
    )
    .await;
    assert!(r.new_state.is_null() && r.diagnostics.is_empty());
}

#[tokio::test]
async fn out_of_band_edit_shows_as_drift() {
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    {
        let mut jobs = api.jobs.lock().unwrap();
        let job = jobs.get_mut("job-1").unwrap();
        job["name"] = json!("edited in the UI");
        // an edit moves the job's last-update date, which the listing shows
        job["updatedBy"] = json!({"user": {"id": "u"}, "date": 1744639000000i64});
    }
    let r = read(
        &api,
        ReadRequest {
            current_state: created.new_state.clone(),
            private: created.private,
        },
    )
    .await;
    assert_eq!(r.new_state.get("name"), &Value::from("edited in the UI"));
    let planned = plan_req(&r.new_state, &config(json!({})));
    assert_eq!(planned.get("name"), &Value::from("weekly"));
}

#[tokio::test]
async fn a_job_the_listing_shows_unchanged_keeps_its_state_without_a_get() {
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    let req = |created: &tfplugin::ApplyResponse| ReadRequest {
        current_state: created.new_state.clone(),
        private: created.private.clone(),
    };
    api.calls.lock().unwrap().clear();
    let r = read(&api, req(&created)).await;
    assert_eq!(r.new_state, created.new_state);
    assert_eq!(r.private, created.private);
    assert_eq!(*api.calls.lock().unwrap(), ["listed Windows job-1"]);

    // the same name edited without its update date moving is not seen (the documented
    // assumption); a status moved is, with one GET
    api.jobs.lock().unwrap().get_mut("job-1").unwrap()["status"] = json!("Enabled");
    api.calls.lock().unwrap().clear();
    let r = read(&api, req(&created)).await;
    assert_eq!(r.new_state.get("status"), &Value::from("Enabled"));
    assert_eq!(
        *api.calls.lock().unwrap(),
        ["listed Windows job-1", "get job-1"]
    );

    // without a private state (an old state file) the job is read in full
    api.calls.lock().unwrap().clear();
    let mut no_private = req(&created);
    no_private.private.clear();
    read(&api, no_private).await;
    assert_eq!(*api.calls.lock().unwrap(), ["get job-1"]);
}

#[tokio::test]
async fn delete_counts_a_job_already_gone_as_deleted() {
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    let req = || DeleteRequest {
        prior_state: created.new_state.clone(),
        private: created.private.clone(),
    };
    let deleted = delete(&api, req()).await;
    assert!(deleted.is_empty(), "{deleted:?}");
    assert_eq!(api.calls().last().unwrap(), "delete job-1");
    let again = delete(&api, req()).await;
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn import_by_id_reads_the_job_and_keeps_it_private() {
    let api = Fake::default();
    apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    let imported = import(&api, " job-1 ").await;
    assert!(imported.diagnostics.is_empty());
    assert_eq!(imported.state.get("id"), &Value::from("job-1"));
    assert_eq!(
        imported
            .state
            .get("pre_deploy_actions")
            .as_elements()
            .unwrap()[0]
            .get("script"),
        &Value::from("cust/act-2/Script"),
        "an imported script is its storage reference"
    );
    assert!(!imported.private.is_empty());
    let missing = import(&api, "nope").await;
    assert!(missing.diagnostics.has_errors());
}

#[tokio::test]
async fn update_body_leaves_out_the_read_only_views_of_other_jobs() {
    // found by the e2e test of the chained-job update sample: the PATCH sent GET's
    // `linkedToJob` (a stale copy of the parent job) back
    let api = Fake::default();
    let created = apply_plan(&api, &Value::Null, &[], &config(json!({}))).await;
    let mut last_read: Json = super::state::private_json(&created.private).expect("private state");
    last_read["linkedToJob"] = json!([{"id": "parent", "name": "parent job"}]);
    last_read["linkedJobs"] = json!([{"id": "child"}]);
    let private = super::state::private_bytes(&SeamJob::from_json(last_read).unwrap());
    let resp = apply_plan(
        &api,
        &created.new_state,
        &private,
        &config(json!({"description": "d"})),
    )
    .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let sent = api.jobs.lock().unwrap()["job-1"].clone();
    assert_eq!(sent["description"], json!("d"));
    assert!(sent.get("linkedToJob").is_none(), "{sent}");
    assert!(sent.get("linkedJobs").is_none(), "{sent}");
}

#[test]
fn private_state_is_compressed_and_reads_back_old_plain_json_too() {
    use super::state::{private_bytes, private_json};
    let job: Json = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/update-windows.response.json"
        ))
        .expect("fixture"),
    )
    .expect("fixture JSON");
    let job = SeamJob::from_json(job).unwrap();
    let bytes = private_bytes(&job);
    let job = job.json().clone();
    let plain = serde_json::to_vec(&job).unwrap();
    assert!(
        bytes.len() * 2 < plain.len(),
        "compressed {} bytes vs {} plain",
        bytes.len(),
        plain.len()
    );
    assert_eq!(private_json(&bytes), Some(job.clone()));
    assert_eq!(
        private_json(&plain),
        Some(job),
        "states written before compression"
    );
    assert_eq!(private_json(b""), None);
    assert_eq!(private_json(b"\x78garbage"), None);
}

/// The enabled-recurring update is the same disable, PATCH, enable sequence whether the API
/// refuses a PATCH of an Enabled job (strict) or accepts it (lenient), and ends Enabled.
#[tokio::test]
async fn enabled_recurring_update_ends_enabled_whether_patch_while_enabled_is_refused_or_accepted()
{
    for patch_while_enabled in [false, true] {
        let api = Fake {
            patch_while_enabled,
            ..Fake::default()
        };
        let cfg = config(json!({"status": "Enabled"}));
        let created = apply_plan(&api, &Value::Null, &[], &cfg).await;
        let cfg2 = config(json!({"status": "Enabled", "description": "v2"}));
        let resp = apply_plan(&api, &created.new_state, &created.private, &cfg2).await;
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        assert_eq!(
            api.calls()[1..],
            [
                "status job-1 Disabled",
                "update job-1 status=\"Disabled\"",
                "status job-1 Enabled"
            ],
            "patch_while_enabled={patch_while_enabled}"
        );
        let stored = api.jobs.lock().unwrap()["job-1"].clone();
        assert_eq!(stored["status"], json!("Enabled"));
        assert_eq!(stored["description"], json!("v2"));
        assert_eq!(resp.new_state.get("status"), &Value::from("Enabled"));
    }
}

/// An Enabled job created through a well-behaved fake, then `faulty` (a fake with some
/// failure switched on) holding the same jobs: for the failure paths of an enabled update.
async fn enabled_job_in(faulty: Fake) -> (tfplugin::ApplyResponse, Fake) {
    let api = Fake::default();
    let created = apply_plan(
        &api,
        &Value::Null,
        &[],
        &config(json!({"status": "Enabled"})),
    )
    .await;
    let faulty = Fake {
        jobs: Mutex::new(api.jobs.lock().unwrap().clone()),
        ..faulty
    };
    (created, faulty)
}

/// A PATCH that fails after the job was disabled for it: the job is enabled again before the
/// error is returned, and the state is not replaced by the failed update.
#[tokio::test]
async fn a_failed_patch_of_an_enabled_job_re_enables_it_before_returning_the_error() {
    let (created, api) = enabled_job_in(Fake {
        fail_update: true,
        ..Fake::default()
    })
    .await;
    let cfg2 = config(json!({"status": "Enabled", "description": "v2"}));
    let resp = apply_plan(&api, &created.new_state, &created.private, &cfg2).await;
    assert!(resp.diagnostics.has_errors());
    let text = format!("{:?}", resp.diagnostics);
    assert!(
        text.contains("Updating the deployment job failed"),
        "{text}"
    );
    assert!(text.contains("HTTP 500"), "{text}");
    assert_eq!(
        api.calls(),
        [
            "status job-1 Disabled",
            "update job-1 status=\"Disabled\"",
            "status job-1 Enabled"
        ]
    );
    assert_eq!(
        api.jobs.lock().unwrap()["job-1"]["status"],
        json!("Enabled")
    );
    assert!(resp.new_state.is_null(), "terraform keeps the prior state");

    // and when the re-enable fails too, the error says the job is left disabled
    let api = Fake {
        fail_update: true,
        fail_enable: true,
        jobs: Mutex::new(api.jobs.lock().unwrap().clone()),
        ..Fake::default()
    };
    let resp = apply_plan(&api, &created.new_state, &created.private, &cfg2).await;
    let text = format!("{:?}", resp.diagnostics);
    assert!(text.contains("Re-enabling the job failed"), "{text}");
    assert!(text.contains("could not be enabled again"), "{text}");
}

/// A disable that reports a failure may still have happened (a lost answer): the job is
/// enabled again, never left Disabled while the plan wants it Enabled.
#[tokio::test]
async fn a_failed_disable_before_the_patch_leaves_the_job_enabled() {
    let (created, api) = enabled_job_in(Fake {
        disable_then_fail: true,
        ..Fake::default()
    })
    .await;
    let cfg2 = config(json!({"status": "Enabled", "description": "v2"}));
    let resp = apply_plan(&api, &created.new_state, &created.private, &cfg2).await;
    let text = format!("{:?}", resp.diagnostics);
    assert!(
        text.contains("Disabling the job for its update failed"),
        "{text}"
    );
    assert_eq!(
        api.calls(),
        ["status job-1 Disabled", "status job-1 Enabled"],
        "no PATCH, and enabled again"
    );
    assert_eq!(
        api.jobs.lock().unwrap()["job-1"]["status"],
        json!("Enabled")
    );
}

/// Before the provider is configured, every operation answers why (and reaches no API); a
/// read keeps the state and private bytes it was given.
#[tokio::test]
async fn an_unconfigured_resource_answers_every_operation_with_the_reason() {
    use tfplugin::Resource;
    let resource = super::DeploymentJobResource::new(Default::default());
    let state = Value::Object([("id".to_owned(), Value::from("job-1"))].into());
    let why = |d: &tfplugin::Diagnostics| {
        assert_eq!(d.len(), 1, "{d:?}");
        d[0].summary.clone()
    };
    let read = resource
        .read(ReadRequest {
            current_state: state.clone(),
            private: b"p".to_vec(),
        })
        .await;
    assert_eq!((&read.new_state, &read.private[..]), (&state, &b"p"[..]));
    let created = resource
        .create(CreateRequest {
            planned_state: state.clone(),
            config: state.clone(),
            planned_private: vec![],
        })
        .await;
    assert!(created.new_state.is_null());
    let updated = resource
        .update(UpdateRequest {
            prior_state: state.clone(),
            planned_state: state.clone(),
            config: state.clone(),
            planned_private: vec![],
        })
        .await;
    assert!(updated.new_state.is_null());
    let deleted = resource
        .delete(DeleteRequest {
            prior_state: state.clone(),
            private: vec![],
        })
        .await;
    let imported = resource.import("job-1").await;
    assert!(imported.state.is_null());
    let reasons = [
        why(&read.diagnostics),
        why(&created.diagnostics),
        why(&updated.diagnostics),
        why(&deleted),
        why(&imported.diagnostics),
    ];
    assert!(
        reasons.iter().all(|r| r == "Provider not configured"),
        "{reasons:?}"
    );
}
