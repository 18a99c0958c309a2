//! Data sources: `qualys_deployment_job` (one job by ID) and `qualys_deployment_jobs`
//! (the job summaries of a platform).

pub mod deployment_job;
pub mod deployment_jobs;

use std::sync::Arc;

use crate::client_slot::ClientSlot;
use crate::plugin::{self, AttributePath, Diagnostic, Diagnostics, Value};

/// Every data source of the provider.
pub fn data_sources(slot: Arc<ClientSlot>) -> Vec<Arc<dyn plugin::DataSource>> {
    vec![
        Arc::new(deployment_job::DeploymentJobDataSource::new(slot.clone())),
        Arc::new(deployment_jobs::DeploymentJobsDataSource::new(slot)),
    ]
}

/// What `DataSource::read` answers for a read that either finds its value or fails.
fn answer(result: Result<Value, Diagnostics>) -> (Value, Diagnostics) {
    match result {
        Ok(value) => (value, Diagnostics::new()),
        Err(diagnostics) => (Value::Null, diagnostics),
    }
}

/// A string attribute the read cannot do without. Terraform enforces `Required` before a
/// read; a null that slips through anyway is an error at the attribute, not a panic.
fn required_string<'a>(config: &'a Value, name: &str, hint: &str) -> Result<&'a str, Diagnostics> {
    config.get(name).as_str().ok_or_else(|| {
        Diagnostic::error(format!("Missing {name}"), hint)
            .at(AttributePath::attr(name))
            .into()
    })
}

/// The data sources' registry pages, generated from their schemas.
pub mod docs {
    use crate::docs::{example_section, front_matter, render_schema};

    const JOB_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_deployment_job/data-source.tf");
    const JOBS_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_deployment_jobs/data-source.tf");

    pub fn deployment_job_doc() -> String {
        let mut out = front_matter(
            super::deployment_job::TYPE_NAME,
            "Data Source",
            super::deployment_job::DESCRIPTION,
        );
        out.push_str(&example_section(JOB_EXAMPLE));
        out.push_str(&render_schema(
            &super::deployment_job::schema().block.attributes,
        ));
        out.push_str(
            "## Notes\n\nScripts are reported as the storage references the API returns (`<customer-id>/<action-id>/Script`); the API never returns script content. `reg_key`, `reg_value` and `uninstall_registry_key` are decoded to plain text.\n",
        );
        out
    }

    pub fn deployment_jobs_doc() -> String {
        let mut out = front_matter(
            super::deployment_jobs::TYPE_NAME,
            "Data Source",
            super::deployment_jobs::DESCRIPTION,
        );
        out.push_str(&example_section(JOBS_EXAMPLE));
        out.push_str(&render_schema(
            &super::deployment_jobs::schema().block.attributes,
        ));
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::docs::check_committed;

        #[test]
        fn docs_data_source_pages_match_the_schemas() {
            check_committed("docs/data-sources/deployment_job.md", &deployment_job_doc());
            check_committed(
                "docs/data-sources/deployment_jobs.md",
                &deployment_jobs_doc(),
            );
        }
    }
}
