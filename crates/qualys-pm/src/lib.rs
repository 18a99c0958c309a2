//! The Qualys Patch Management API: typed client, job model, patch catalog and assets, errors. Knows nothing of Terraform.

pub mod catalog;
pub mod client;
mod config;
pub mod error;
pub mod model;
pub mod runs;

pub use catalog::{Asset, Completeness, LeftOut, Listing, Patch, Search};
pub use client::Client;
pub use client::Listed;
pub use config::{plaintext_allowed, ClientConfig, Credentials};
pub use error::{Error, RECORD_CAP, RECORD_CAP_ERROR_CODE};
pub use model::{
    Job, JobHeader, JobStatus, JobSummary, JobType, Platform, ReadStamp, ScheduleType,
};
