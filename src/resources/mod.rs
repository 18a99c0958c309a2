//! Managed resources: each maps Terraform values onto the Qualys API.

pub mod deployment_job;
