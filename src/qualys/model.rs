//! STUB: replaced by the Qualys client work.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Job {}
impl Job {
    pub fn from_json(_v: serde_json::Value) -> Result<Self, super::Error> { unimplemented!() }
    pub fn to_json(&self) -> serde_json::Value { unimplemented!() }
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus { Enabled, Disabled }
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct JobSummary {}
