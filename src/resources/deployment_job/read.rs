//! ReadResource and ImportResourceState.

use serde_json::Value as Json;

use tfplugin::{ImportResponse, ReadRequest, ReadResponse, Value};

use super::api::JobApi;
use super::convert::get_path;
use super::state::{job_to_state, private_bytes, private_json};

/// A soft-deleted job (`deletedBy.date` set) is gone, like a 404.
fn is_deleted(job: &Json) -> bool {
    !get_path(job, &["deletedBy", "date"]).is_null()
}

pub async fn read(api: &dyn JobApi, req: ReadRequest) -> ReadResponse {
    let mut resp = ReadResponse {
        new_state: req.current_state.clone(),
        private: req.private.clone(),
        ..Default::default()
    };
    let Some(id) = req.current_state.get("id").as_str() else {
        resp.new_state = Value::Null;
        return resp;
    };
    match api.get_job(id).await {
        Ok(Some(job)) => {
            if is_deleted(&job) {
                resp.new_state = Value::Null;
                return resp;
            }
            let base = private_json(&req.private);
            resp.new_state = job_to_state(&job, &req.current_state, base.as_ref());
            resp.private = private_bytes(&job);
        }
        Ok(None) => resp.new_state = Value::Null,
        Err(e) => resp.diagnostics.error(
            "Reading the deployment job failed",
            format!("Job {id}: {e}"),
        ),
    }
    resp
}

pub async fn import(api: &dyn JobApi, id: &str) -> ImportResponse {
    let mut resp = ImportResponse::default();
    let id = id.trim();
    if id.is_empty() {
        resp.diagnostics.error(
            "Invalid import ID",
            "Import a deployment job by its job ID (a UUID).",
        );
        return resp;
    }
    match api.get_job(id).await {
        Ok(Some(job)) if !is_deleted(&job) => {
            resp.state = job_to_state(&job, &Value::Null, None);
            resp.private = private_bytes(&job);
        }
        Ok(_) => resp.diagnostics.error(
            "Cannot import a deployment job that does not exist",
            format!("No deployment job has the ID {id}."),
        ),
        Err(e) => resp.diagnostics.error(
            "Reading the deployment job to import failed",
            format!("Job {id}: {e}"),
        ),
    }
    resp
}
