//! Managed resources: each maps Terraform values onto the Qualys API.

pub mod deployment_job;

use std::sync::Arc;

use crate::client_slot::ClientSlot;

/// Every resource of the provider.
pub fn resources(slot: Arc<ClientSlot>) -> Vec<Arc<dyn tfplugin::Resource>> {
    vec![Arc::new(deployment_job::DeploymentJobResource::new(slot))]
}

/// Every list resource (`terraform query`), each named after the resource it finds.
pub fn list_resources(slot: Arc<ClientSlot>) -> Vec<Arc<dyn tfplugin::ListResource>> {
    vec![Arc::new(deployment_job::list::DeploymentJobList::new(slot))]
}
