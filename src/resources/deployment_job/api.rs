//! The five job operations the resource needs, on JSON. Implemented by `qualys::Client`
//! (through the model's canonical JSON); tests implement it with an in-memory fake.

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::qualys::{Client, Job, JobStatus};

#[async_trait]
pub trait JobApi: Send + Sync {
    async fn create_job(&self, job: Json) -> Result<Json, String>;
    /// `None`: the job does not exist.
    async fn get_job(&self, id: &str) -> Result<Option<Json>, String>;
    async fn update_job(&self, id: &str, job: Json) -> Result<Json, String>;
    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), String>;
    async fn delete_job(&self, id: &str) -> Result<(), String>;
}

fn encode(job: Json) -> Result<Job, String> {
    Job::from_json(job).map_err(|e| format!("the job could not be encoded for the API: {e}"))
}

#[async_trait]
impl JobApi for Client {
    async fn create_job(&self, job: Json) -> Result<Json, String> {
        let job = encode(job)?;
        Client::create_job(self, &job)
            .await
            .map(|j| j.to_json())
            .map_err(|e| e.to_string())
    }

    async fn get_job(&self, id: &str) -> Result<Option<Json>, String> {
        Client::get_job(self, id)
            .await
            .map(|j| j.map(|j| j.to_json()))
            .map_err(|e| e.to_string())
    }

    async fn update_job(&self, id: &str, job: Json) -> Result<Json, String> {
        let job = encode(job)?;
        Client::update_job(self, id, &job)
            .await
            .map(|j| j.to_json())
            .map_err(|e| e.to_string())
    }

    async fn set_status(&self, id: &str, status: JobStatus) -> Result<(), String> {
        Client::set_status(self, &[id], status)
            .await
            .map_err(|e| e.to_string())
    }

    async fn delete_job(&self, id: &str) -> Result<(), String> {
        Client::delete_jobs(self, &[id])
            .await
            .map_err(|e| e.to_string())
    }
}
