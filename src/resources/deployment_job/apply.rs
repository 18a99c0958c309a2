//! ApplyResourceChange: create, update, status changes and delete.
//!
//! Status: a create sends the desired `status` in its body (the API's "Save & Enable"), and
//! falls back to the status endpoint when the created job does not have it. Updates change
//! status only through `POST .../update/status/{Enabled|Disabled}`; the PATCH body always
//! carries the job's current (disabled) status, because the API rejects editing an Enabled
//! job: an Enabled recurring job is disabled, patched and enabled again.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::plugin::{ApplyRequest, ApplyResponse, Diagnostics, Value};
use crate::qualys::{Client, Job, JobStatus};

use super::convert::{keep_planned, normalize_server_json, overlay, read_object, to_create_json};
use super::fields::{JOB_FIELDS, RUN_ONCE_SCHEDULES};
use super::validate::validate;

pub(crate) fn private_bytes(job: &Json) -> Vec<u8> {
    serde_json::to_vec(job).unwrap_or_default()
}

pub(crate) fn private_json(bytes: &[u8]) -> Option<Json> {
    if bytes.is_empty() {
        return None;
    }
    serde_json::from_slice(bytes).ok().filter(Json::is_object)
}

/// The Terraform state after apply: the plan's known values, the rest from the server's job.
pub(crate) fn state_after(planned: &Value, job: &Json) -> Value {
    let server = read_object(JOB_FIELDS, &normalize_server_json(job), &Value::Null, None);
    keep_planned(JOB_FIELDS, planned, &server)
}

fn status_of(s: &str) -> JobStatus {
    if s == "Enabled" {
        JobStatus::Enabled
    } else {
        JobStatus::Disabled
    }
}

fn set_status_in(job: &mut Json, status: &str) {
    if let Json::Object(m) = job {
        m.insert("status".to_owned(), Json::from(status));
    }
}

pub async fn apply(client: Result<Arc<Client>, Diagnostics>, req: ApplyRequest) -> ApplyResponse {
    let mut resp = ApplyResponse::default();
    let client = match client {
        Ok(c) => c,
        Err(d) => {
            resp.diagnostics = d;
            return resp;
        }
    };
    if req.planned_state.is_null() {
        resp.diagnostics = delete(&client, &req.prior_state).await;
        return resp;
    }
    // values unknown at plan time are known now
    let diags = validate(&req.config);
    if diags.has_errors() {
        resp.diagnostics = diags;
        return resp;
    }
    if req.prior_state.is_null() {
        create(&client, &req, &mut resp).await;
    } else {
        update(&client, &req, &mut resp).await;
    }
    resp
}

async fn create(client: &Client, req: &ApplyRequest, resp: &mut ApplyResponse) {
    let body = to_create_json(JOB_FIELDS, &req.planned_state);
    let job = match Job::from_json(body) {
        Ok(j) => j,
        Err(e) => {
            resp.diagnostics.error(
                "Invalid deployment job",
                format!("The planned job could not be encoded for the API: {e}"),
            );
            return;
        }
    };
    let created = match client.create_job(&job).await {
        Ok(j) => j.to_json(),
        Err(e) => {
            resp.diagnostics
                .error("Creating the deployment job failed", e.to_string());
            return;
        }
    };
    let mut created = created;
    let Some(id) = created.get("id").and_then(Json::as_str).map(str::to_owned) else {
        resp.diagnostics.error(
            "Creating the deployment job failed",
            "The API answered without a job ID.",
        );
        return;
    };
    // from here on the job exists: every failure still returns it, so terraform records
    // (and taints) it instead of losing track of it
    let desired = req
        .planned_state
        .get("status")
        .as_str()
        .unwrap_or("Disabled")
        .to_owned();
    let actual = created
        .get("status")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_owned();
    if desired == "Enabled" && actual == "Disabled" {
        match client.set_status(&[&id], JobStatus::Enabled).await {
            Ok(()) => set_status_in(&mut created, "Enabled"),
            Err(e) => resp.diagnostics.error(
                "Enabling the new deployment job failed",
                format!("Job {id} was created but could not be enabled: {e}. It is recorded in the state and will be replaced on the next apply."),
            ),
        }
    }
    let mut state = state_after(&req.planned_state, &created);
    if resp.diagnostics.has_errors() {
        // report what the server holds rather than what was planned
        let server = read_object(
            JOB_FIELDS,
            &normalize_server_json(&created),
            &Value::Null,
            None,
        );
        for name in ["status", "server_status"] {
            if let Some(slot) = state.get_mut(name) {
                *slot = server.get(name).clone();
            }
        }
    }
    resp.private = super::apply::private_bytes(&created);
    resp.new_state = state;
}

async fn update(client: &Client, req: &ApplyRequest, resp: &mut ApplyResponse) {
    let prior = &req.prior_state;
    let Some(id) = prior.get("id").as_str().map(str::to_owned) else {
        resp.diagnostics.error(
            "Updating the deployment job failed",
            "The state has no job ID.",
        );
        return;
    };
    // the job as last read: from the private state, so an update costs one PATCH and no GET
    let base = match private_json(&req.planned_private) {
        Some(b) => b,
        None => match client.get_job(&id).await {
            Ok(Some(j)) => j.to_json(),
            Ok(None) => {
                resp.diagnostics.error(
                    "Updating the deployment job failed",
                    format!("Job {id} no longer exists."),
                );
                return;
            }
            Err(e) => {
                resp.diagnostics.error(
                    "Reading the deployment job before the update failed",
                    e.to_string(),
                );
                return;
            }
        },
    };
    let current_status = base
        .get("status")
        .and_then(Json::as_str)
        .unwrap_or("Disabled")
        .to_owned();
    let desired = req
        .planned_state
        .get("status")
        .as_str()
        .unwrap_or("Disabled")
        .to_owned();

    let mut body = overlay(JOB_FIELDS, &req.planned_state, prior, &base);
    // status goes through the status endpoint, never through the PATCH body
    set_status_in(&mut body, &current_status);
    let needs_patch = body != base;

    let mut job = base.clone();
    if needs_patch {
        let was_enabled = current_status != "Disabled";
        if was_enabled {
            let schedule = base
                .get("scheduleType")
                .and_then(Json::as_str)
                .unwrap_or("");
            if RUN_ONCE_SCHEDULES.contains(&schedule) {
                resp.diagnostics.error(
                    "An enabled run-once job cannot be edited",
                    format!("Job {id} is a {schedule} job that has been enabled; the API allows neither editing nor disabling it. Terraform should have planned to replace it; run `terraform apply -replace` on it."),
                );
                return;
            }
            if let Err(e) = client.set_status(&[&id], JobStatus::Disabled).await {
                resp.diagnostics.error(
                    "Disabling the job for its update failed",
                    format!("Job {id} must be disabled before it can be edited: {e}"),
                );
                return;
            }
            set_status_in(&mut body, "Disabled");
        }
        let patch = match Job::from_json(body) {
            Ok(j) => j,
            Err(e) => {
                resp.diagnostics.error(
                    "Invalid deployment job",
                    format!("The updated job could not be encoded for the API: {e}"),
                );
                restore(client, &id, was_enabled, resp).await;
                return;
            }
        };
        match client.update_job(&id, &patch).await {
            Ok(j) => job = j.to_json(),
            Err(e) => {
                resp.diagnostics
                    .error("Updating the deployment job failed", e.to_string());
                restore(client, &id, was_enabled, resp).await;
                return;
            }
        }
        if desired == "Enabled" {
            if let Err(e) = client.set_status(&[&id], JobStatus::Enabled).await {
                resp.diagnostics.error(
                    "Enabling the updated job failed",
                    format!("Job {id} was updated but is now Disabled: {e}"),
                );
                set_status_in(&mut job, "Disabled");
                let server =
                    read_object(JOB_FIELDS, &normalize_server_json(&job), prior, Some(&base));
                resp.private = private_bytes(&job);
                resp.new_state = server;
                return;
            }
            set_status_in(&mut job, "Enabled");
        } else {
            set_status_in(&mut job, "Disabled");
        }
    } else if desired != current_status
        && (desired != "Enabled" || ["Enabled", "Disabled"].contains(&current_status.as_str()))
    {
        if let Err(e) = client.set_status(&[&id], status_of(&desired)).await {
            resp.diagnostics.error(
                format!("Changing the job status to {desired} failed"),
                e.to_string(),
            );
            return;
        }
        set_status_in(&mut job, &desired);
    }
    resp.private = private_bytes(&job);
    resp.new_state = state_after(&req.planned_state, &job);
}

/// After a failed PATCH of a job that was disabled for it: enable it again.
async fn restore(client: &Client, id: &str, was_enabled: bool, resp: &mut ApplyResponse) {
    if was_enabled {
        if let Err(e) = client.set_status(&[id], JobStatus::Enabled).await {
            resp.diagnostics.error(
                "Re-enabling the job failed",
                format!("Job {id} was disabled for the update and could not be enabled again: {e}"),
            );
        }
    }
}

async fn delete(client: &Client, prior: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(id) = prior.get("id").as_str() else {
        return diags;
    };
    if let Err(e) = client.delete_jobs(&[id]).await {
        // a job already gone counts as deleted
        match client.get_job(id).await {
            Ok(None) => {}
            _ => diags.error(
                "Deleting the deployment job failed",
                format!("Job {id}: {e}"),
            ),
        }
    }
    diags
}
