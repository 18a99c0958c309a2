//! ReadResource and ImportResourceState.
//!
//! A refresh costs no call of its own for a job the platform's job listing shows unchanged
//! since it was last read in full (the private state holds that read): its state stands as
//! it is. Any other job is read with one GET. The listing is made once per provider process
//! and platform (`qualys_pm::Client::listed_job`), so a plan of N jobs costs the listing's
//! pages plus one GET per job changed outside terraform.

use qualys_pm::Platform;
use tfplugin::{ImportResponse, ReadRequest, ReadResponse, Value};

use super::api::{JobApi, SeamJob};
use super::state::{job_to_state, private_bytes, private_header, private_job};

pub async fn read(api: &dyn JobApi, req: ReadRequest) -> ReadResponse {
    // the request is handed back unchanged when the listing settles the job: moved, not copied
    let unchanged = |req: ReadRequest| ReadResponse {
        new_state: req.current_state,
        private: req.private,
        ..Default::default()
    };
    let Some(id) = req.current_state.get("id").as_str() else {
        return ReadResponse {
            new_state: Value::Null,
            ..unchanged(req)
        };
    };
    if let Some(last_read) = private_header(&req.private) {
        let platform = match req.current_state.get("platform").as_str() {
            Some(platform) => Platform::parse(platform),
            None => last_read.platform(),
        };
        if let Some(platform) = platform {
            if api
                .listed_unchanged(platform, id, &last_read.read_stamp())
                .await
            {
                return unchanged(req);
            }
        }
    }
    match api.get_job(id).await {
        // a soft-deleted job is gone too: `get_job` answers `None` for it
        Ok(Some(job)) => {
            let base = private_job(&req.private);
            ReadResponse {
                new_state: job_to_state(
                    job.json(),
                    &req.current_state,
                    base.as_ref().map(SeamJob::json),
                ),
                private: private_bytes(&job),
                ..Default::default()
            }
        }
        Ok(None) => ReadResponse {
            new_state: Value::Null,
            ..unchanged(req)
        },
        Err(e) => {
            let detail = format!("Job {id}: {e}");
            let mut resp = unchanged(req);
            resp.diagnostics
                .error("Reading the deployment job failed", detail);
            resp
        }
    }
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
        Ok(Some(job)) => {
            resp.state = job_to_state(job.json(), &Value::Null, None);
            resp.private = private_bytes(&job);
        }
        Ok(None) => resp.diagnostics.error(
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
