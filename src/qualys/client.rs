//! STUB: replaced by the Qualys client work. The signatures are the contract.
use super::{ClientConfig, Error, Job, JobStatus, JobSummary};
pub struct Client {}
impl Client {
    pub fn new(_config: ClientConfig) -> Result<Self, Error> {
        unimplemented!()
    }
    pub async fn create_job(&self, _job: &Job) -> Result<Job, Error> {
        unimplemented!()
    }
    pub async fn get_job(&self, _id: &str) -> Result<Option<Job>, Error> {
        unimplemented!()
    }
    pub async fn update_job(&self, _id: &str, _job: &Job) -> Result<Job, Error> {
        unimplemented!()
    }
    pub async fn set_status(&self, _ids: &[&str], _status: JobStatus) -> Result<(), Error> {
        unimplemented!()
    }
    pub async fn delete_jobs(&self, _ids: &[&str]) -> Result<(), Error> {
        unimplemented!()
    }
    pub async fn list_jobs(
        &self,
        _platform: &str,
        _filter: Option<&str>,
    ) -> Result<Vec<JobSummary>, Error> {
        unimplemented!()
    }
}
