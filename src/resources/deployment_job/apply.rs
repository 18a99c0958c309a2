//! ApplyResourceChange: create, update (with its status changes) and delete, each called
//! by the server (`tfplugin` dispatches the change).
//!
//! Status: a create sends the desired `status` in its body (the API's "Save & Enable"), and
//! falls back to the status endpoint when the created job does not have it. Updates change
//! status only through `POST .../update/status/{Enabled|Disabled}`; the PATCH body always
//! carries the job's current (disabled) status, because the API rejects editing an Enabled
//! job: an Enabled recurring job is disabled, patched and enabled again.

use serde_json::Value as Json;

use qualys_pm::JobStatus;
use tfplugin::{ApplyResponse, CreateRequest, DeleteRequest, Diagnostics, UpdateRequest, Value};

use super::api::{JobApi, JobApiError, SeamJob};
use super::fields::JOB_FIELDS;
use super::state::{job_to_state, private_bytes, private_job, server_view, state_after};
use super::validate::validate;
use crate::framework::json::{overlay, to_create_json};

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

/// Sets the status an update body carries.
fn set_status_in(body: &mut Json, status: &str) {
    if let Json::Object(m) = body {
        m.insert("status".to_owned(), Json::from(status));
    }
}

/// The status the plan asks for (validation allows these two; `Disabled` when unset).
fn desired_status(planned: &Value) -> JobStatus {
    match planned.get("status").as_str() {
        Some(s) if s == JobStatus::Enabled.as_str() => JobStatus::Enabled,
        _ => JobStatus::Disabled,
    }
}

/// Values unknown at plan time are known now: the configuration is checked again before a
/// create or an update sends anything.
fn invalid_config(config: &Value) -> Option<ApplyResponse> {
    let diagnostics = validate(config);
    diagnostics.has_errors().then(|| ApplyResponse {
        diagnostics,
        ..Default::default()
    })
}

pub async fn create(api: &dyn JobApi, req: CreateRequest) -> ApplyResponse {
    if let Some(invalid) = invalid_config(&req.config) {
        return invalid;
    }
    let mut resp = ApplyResponse::default();
    create_into(api, &req, &mut resp).await;
    resp
}

pub async fn update(api: &dyn JobApi, req: UpdateRequest) -> ApplyResponse {
    if let Some(invalid) = invalid_config(&req.config) {
        return invalid;
    }
    let mut resp = ApplyResponse::default();
    update_into(api, &req, &mut resp).await;
    resp
}

/// A create: the job's POST, then its status when the API did not take it from the body.
async fn create_into(api: &dyn JobApi, req: &CreateRequest, resp: &mut ApplyResponse) {
    let body = to_create_json(JOB_FIELDS, &req.planned_state);
    let mut created = match api.create_job(body).await {
        Ok(j) => j,
        Err(e) => {
            resp.diagnostics
                .error("Creating the deployment job failed", e.to_string());
            return;
        }
    };
    let Some(id) = created.job().id().map(str::to_owned) else {
        resp.diagnostics.error(
            "Creating the deployment job failed",
            "The API answered without a job ID.",
        );
        return;
    };
    // from here on the job exists: a failure still returns it, so that terraform records
    // (and taints) it instead of losing track of it
    if desired_status(&req.planned_state) == JobStatus::Enabled
        && created.job().status() == Some(JobStatus::Disabled)
    {
        match api.set_status(&id, JobStatus::Enabled).await {
            Ok(()) => created.set_status(JobStatus::Enabled),
            Err(e) => resp.diagnostics.error(
                "Enabling the new deployment job failed",
                format!("Job {id} was created but could not be enabled: {e}. It is recorded in the state as tainted and will be replaced on the next apply."),
            ),
        }
    }
    let mut state = state_after(&req.planned_state, created.json());
    if resp.diagnostics.has_errors() {
        // report what the server holds rather than what was planned
        let server = server_view(created.json());
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

/// An update: a PATCH when anything but the status changes (`patch`), else only a status
/// change (`change_status`). Every step that fails says so in `resp` and returns `None`.
async fn update_into(api: &dyn JobApi, req: &UpdateRequest, resp: &mut ApplyResponse) {
    let Some(id) = req.prior_state.get("id").as_str() else {
        resp.diagnostics.error(
            "Updating the deployment job failed",
            "The state has no job ID.",
        );
        return;
    };
    let Some(base) = job_as_last_read(api, id, &req.planned_private, resp).await else {
        return;
    };
    let desired = desired_status(&req.planned_state);
    let job = if needs_patch(&req.planned_state, &req.prior_state) {
        patch(api, id, req, &base, desired, resp).await
    } else {
        change_status(api, id, &base, desired, resp).await
    };
    if let Some(job) = job {
        resp.private = private_bytes(&job);
        resp.new_state = state_after(&req.planned_state, job.json());
    }
}

/// The job as last read: from the private state, so that an update costs one PATCH and no
/// GET; read from the API when the private state holds none.
async fn job_as_last_read(
    api: &dyn JobApi,
    id: &str,
    private: &[u8],
    resp: &mut ApplyResponse,
) -> Option<SeamJob> {
    if let Some(base) = private_job(private) {
        return Some(base);
    }
    match api.get_job(id).await {
        Ok(Some(j)) => Some(j),
        Ok(None) => {
            resp.diagnostics.error(
                "Updating the deployment job failed",
                format!("Job {id} no longer exists."),
            );
            None
        }
        Err(e) => {
            resp.diagnostics.error(
                "Reading the deployment job before its update failed",
                format!("Job {id}: {e}"),
            );
            None
        }
    }
}

/// Disable (when Enabled), PATCH, enable (when the plan asks for it). A job that was Enabled
/// is enabled again after a failed step, so that a failure never leaves it Disabled.
async fn patch(
    api: &dyn JobApi,
    id: &str,
    req: &UpdateRequest,
    base: &SeamJob,
    desired: JobStatus,
    resp: &mut ApplyResponse,
) -> Option<SeamJob> {
    let was_enabled = base.job().status() == Some(JobStatus::Enabled);
    if was_enabled && !disable_for_patch(api, id, base, resp).await {
        return None;
    }
    let mut body = update_body(&req.planned_state, &req.prior_state, base.json());
    // status changes go through the status endpoint, never through the PATCH body
    let body_status = if was_enabled {
        JobStatus::Disabled.as_str()
    } else {
        base.job().status.as_deref().unwrap_or_default()
    };
    set_status_in(&mut body, body_status);
    let mut job = match api.update_job(id, body).await {
        Ok(j) => j,
        Err(e) => {
            resp.diagnostics.error(
                "Updating the deployment job failed",
                format!("Job {id}: {e}"),
            );
            if was_enabled {
                re_enable(api, id, resp).await;
            }
            return None;
        }
    };
    if desired == JobStatus::Enabled {
        if let Err(e) = api.set_status(id, JobStatus::Enabled).await {
            resp.diagnostics.error(
                "Enabling the updated job failed",
                format!("Job {id} was updated but is Disabled: {e}"),
            );
            job.set_status(JobStatus::Disabled);
            // the update happened: record it, with the status the server holds
            resp.new_state = job_to_state(job.json(), &req.planned_state, Some(base.json()));
            resp.private = private_bytes(&job);
            return None;
        }
    }
    job.set_status(desired);
    Some(job)
}

/// An Enabled job is disabled before its PATCH (the API refuses to edit an Enabled job);
/// `false` when it cannot be.
async fn disable_for_patch(
    api: &dyn JobApi,
    id: &str,
    base: &SeamJob,
    resp: &mut ApplyResponse,
) -> bool {
    if base.job().is_run_once() {
        let schedule = base.job().schedule_type.as_deref().unwrap_or_default();
        resp.diagnostics.error(
            "An enabled run-once job cannot be edited",
            format!("Job {id} is a {schedule} job that has been enabled: the API allows neither editing nor disabling it. Replace it with `terraform apply -replace=<address>`."),
        );
        return false;
    }
    if let Err(e) = api.set_status(id, JobStatus::Disabled).await {
        resp.diagnostics.error(
            "Disabling the job for its update failed",
            format!("Job {id} must be disabled before it can be edited: {e}"),
        );
        // a failure whose answer was lost may have disabled it all the same
        re_enable(api, id, resp).await;
        return false;
    }
    true
}

/// Only the status changes: through the status endpoint, when the server's status is not
/// already the one asked for.
async fn change_status(
    api: &dyn JobApi,
    id: &str,
    base: &SeamJob,
    desired: JobStatus,
    resp: &mut ApplyResponse,
) -> Option<SeamJob> {
    let mut job = base.clone();
    let current = base.job().status();
    if current != Some(desired)
        && (desired == JobStatus::Disabled || current == Some(JobStatus::Disabled))
    {
        if let Err(e) = api.set_status(id, desired).await {
            resp.diagnostics.error(
                format!("Changing the job status to {desired} failed"),
                format!("Job {id}: {e}"),
            );
            return None;
        }
        job.set_status(desired);
    }
    Some(job)
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

pub async fn delete(api: &dyn JobApi, req: DeleteRequest) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(id) = req.prior_state.get("id").as_str() else {
        return diags;
    };
    match api.delete_job(id).await {
        // a job already gone counts as deleted
        Ok(()) | Err(JobApiError::NotFound(_)) => {}
        Err(e) => diags.error(
            "Deleting the deployment job failed",
            format!("Job {id}: {e}"),
        ),
    }
    diags
}
