//! ApplyResourceChange: create, update, status changes and delete.
//!
//! Status: a create sends the desired `status` in its body (the API's "Save & Enable"), and
//! falls back to the status endpoint when the created job does not have it. Updates change
//! status only through `POST .../update/status/{Enabled|Disabled}`; the PATCH body always
//! carries the job's current (disabled) status, because the API rejects editing an Enabled
//! job: an Enabled recurring job is disabled, patched and enabled again.

use serde_json::Value as Json;

use qualys_pm::JobStatus;
use tfplugin::{ApplyRequest, ApplyResponse, Diagnostics, Value};

use super::api::JobApi;
use super::convert::{overlay, to_create_json};
use super::fields::{JOB_FIELDS, RUN_ONCE_SCHEDULES};
use super::state::{job_to_state, private_bytes, private_json, server_view, state_after};
use super::validate::validate;

/// Read-only views of other jobs that GET adds (`linkedToJob`: the parent job and this job's
/// chained rules; `linkedJobs`: the children). They are no part of this job's definition
/// (the rules go as `chainedJobRule`), so an update body leaves them out, as the API's
/// chained-job update sample does, instead of sending a stale copy back.
const READ_ONLY_VIEWS: &[&str] = &["linkedToJob", "linkedJobs"];

fn update_body(planned: &Value, prior: &Value, base: &Json) -> Json {
    let mut body = overlay(JOB_FIELDS, planned, prior, base);
    if let Json::Object(m) = &mut body {
        for k in READ_ONLY_VIEWS {
            m.remove(*k);
        }
    }
    body
}

fn set_status_in(job: &mut Json, status: &str) {
    if let Json::Object(m) = job {
        m.insert("status".to_owned(), Json::from(status));
    }
}

fn status_str(job: &Json) -> &str {
    job.get("status").and_then(Json::as_str).unwrap_or("")
}

pub async fn apply(api: &dyn JobApi, req: ApplyRequest) -> ApplyResponse {
    let mut resp = ApplyResponse::default();
    if req.planned_state.is_null() {
        resp.diagnostics = delete(api, &req.prior_state).await;
        return resp;
    }
    // values unknown at plan time are known now
    let diags = validate(&req.config);
    if diags.has_errors() {
        resp.diagnostics = diags;
        return resp;
    }
    if req.prior_state.is_null() {
        create(api, &req, &mut resp).await;
    } else {
        update(api, &req, &mut resp).await;
    }
    resp
}

async fn create(api: &dyn JobApi, req: &ApplyRequest, resp: &mut ApplyResponse) {
    let body = to_create_json(JOB_FIELDS, &req.planned_state);
    let mut created = match api.create_job(body).await {
        Ok(j) => j,
        Err(e) => {
            resp.diagnostics
                .error("Creating the deployment job failed", e);
            return;
        }
    };
    let Some(id) = created.get("id").and_then(Json::as_str).map(str::to_owned) else {
        resp.diagnostics.error(
            "Creating the deployment job failed",
            "The API answered without a job ID.",
        );
        return;
    };
    // from here on the job exists: a failure still returns it, so that terraform records
    // (and taints) it instead of losing track of it
    let desired = req
        .planned_state
        .get("status")
        .as_str()
        .unwrap_or("Disabled");
    if desired == "Enabled" && status_str(&created) == "Disabled" {
        match api.set_status(&id, JobStatus::Enabled).await {
            Ok(()) => set_status_in(&mut created, "Enabled"),
            Err(e) => resp.diagnostics.error(
                "Enabling the new deployment job failed",
                format!("Job {id} was created but could not be enabled: {e}. It is recorded in the state as tainted and will be replaced on the next apply."),
            ),
        }
    }
    let mut state = state_after(&req.planned_state, &created);
    if resp.diagnostics.has_errors() {
        // report what the server holds rather than what was planned
        let server = server_view(&created);
        for name in ["status", "server_status"] {
            if let Some(slot) = state.get_mut(name) {
                *slot = server.get(name).clone();
            }
        }
    }
    resp.private = private_bytes(&created);
    resp.new_state = state;
}

/// Whether the plan changes anything the PATCH body carries (everything but `status`).
fn needs_patch(planned: &Value, prior: &Value) -> bool {
    JOB_FIELDS
        .iter()
        .filter(|f| !f.is_computed_only() && f.name != "status")
        .any(|f| planned.get(f.name) != prior.get(f.name))
}

async fn update(api: &dyn JobApi, req: &ApplyRequest, resp: &mut ApplyResponse) {
    let prior = &req.prior_state;
    let Some(id) = prior.get("id").as_str().map(str::to_owned) else {
        resp.diagnostics.error(
            "Updating the deployment job failed",
            "The state has no job ID.",
        );
        return;
    };
    // the job as last read: from the private state, so that an update costs one PATCH and no GET
    let base = match private_json(&req.planned_private) {
        Some(b) => b,
        None => match api.get_job(&id).await {
            Ok(Some(j)) => j,
            Ok(None) => {
                resp.diagnostics.error(
                    "Updating the deployment job failed",
                    format!("Job {id} no longer exists."),
                );
                return;
            }
            Err(e) => {
                resp.diagnostics.error(
                    "Reading the deployment job before its update failed",
                    format!("Job {id}: {e}"),
                );
                return;
            }
        },
    };
    let current = status_str(&base).to_owned();
    let desired = req
        .planned_state
        .get("status")
        .as_str()
        .unwrap_or("Disabled")
        .to_owned();
    let mut job = base.clone();

    if needs_patch(&req.planned_state, prior) {
        let mut body = update_body(&req.planned_state, prior, &base);
        let was_enabled = !current.is_empty() && current != "Disabled";
        if was_enabled {
            let schedule = base
                .get("scheduleType")
                .and_then(Json::as_str)
                .unwrap_or("");
            if RUN_ONCE_SCHEDULES.contains(&schedule) {
                resp.diagnostics.error(
                    "An enabled run-once job cannot be edited",
                    format!("Job {id} is a {schedule} job that has been enabled: the API allows neither editing nor disabling it. Replace it with `terraform apply -replace=<address>`."),
                );
                return;
            }
            if let Err(e) = api.set_status(&id, JobStatus::Disabled).await {
                resp.diagnostics.error(
                    "Disabling the job for its update failed",
                    format!("Job {id} must be disabled before it can be edited: {e}"),
                );
                // a failure whose answer was lost may have disabled it all the same
                re_enable(api, &id, resp).await;
                return;
            }
        }
        // status changes go through the status endpoint, never through the PATCH body
        set_status_in(
            &mut body,
            if was_enabled {
                "Disabled"
            } else {
                current.as_str()
            },
        );
        match api.update_job(&id, body).await {
            Ok(j) => job = j,
            Err(e) => {
                resp.diagnostics.error(
                    "Updating the deployment job failed",
                    format!("Job {id}: {e}"),
                );
                if was_enabled {
                    re_enable(api, &id, resp).await;
                }
                return;
            }
        }
        if desired == "Enabled" {
            if let Err(e) = api.set_status(&id, JobStatus::Enabled).await {
                resp.diagnostics.error(
                    "Enabling the updated job failed",
                    format!("Job {id} was updated but is Disabled: {e}"),
                );
                set_status_in(&mut job, "Disabled");
                // the update happened: record it, with the status the server holds
                resp.new_state = job_to_state(&job, &req.planned_state, Some(&base));
                resp.private = private_bytes(&job);
                return;
            }
            set_status_in(&mut job, "Enabled");
        } else {
            set_status_in(&mut job, "Disabled");
        }
    } else if desired != current && (desired == "Disabled" || current == "Disabled") {
        let status = if desired == "Enabled" {
            JobStatus::Enabled
        } else {
            JobStatus::Disabled
        };
        if let Err(e) = api.set_status(&id, status).await {
            resp.diagnostics.error(
                format!("Changing the job status to {desired} failed"),
                format!("Job {id}: {e}"),
            );
            return;
        }
        set_status_in(&mut job, &desired);
    }
    resp.private = private_bytes(&job);
    resp.new_state = state_after(&req.planned_state, &job);
}

/// After a failed step of the disable, PATCH, enable sequence: the job was Enabled before it
/// and must not be left Disabled (enabling an Enabled job is harmless).
async fn re_enable(api: &dyn JobApi, id: &str, resp: &mut ApplyResponse) {
    if let Err(e) = api.set_status(id, JobStatus::Enabled).await {
        resp.diagnostics.error(
            "Re-enabling the job failed",
            format!("Job {id} was disabled for its update and could not be enabled again: {e}"),
        );
    }
}

async fn delete(api: &dyn JobApi, prior: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(id) = prior.get("id").as_str() else {
        return diags;
    };
    if let Err(e) = api.delete_job(id).await {
        // a job already gone counts as deleted
        match api.get_job(id).await {
            Ok(None) => {}
            _ => diags.error(
                "Deleting the deployment job failed",
                format!("Job {id}: {e}"),
            ),
        }
    }
    diags
}
