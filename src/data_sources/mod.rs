//! Data sources: `qualys_deployment_job` (one job by ID), `qualys_deployment_jobs`
//! (the job summaries of a platform), the lookups `qualys_patches` and `qualys_assets`, and
//! a job's runs (`qualys_deployment_job_runs`) and one run's per-asset result
//! (`qualys_deployment_job_result`).

pub(crate) mod assets;
pub(crate) mod deployment_job;
pub(crate) mod deployment_jobs;
pub(crate) mod job_result;
pub(crate) mod job_runs;
pub(crate) mod lookup;
pub(crate) mod patches;

use std::sync::Arc;

use crate::client_slot::ClientSlot;
use crate::framework::Attr;
use tfplugin::{self, Diagnostic, Diagnostics, Value};

/// Every data source of the provider.
pub(crate) fn data_sources(slot: Arc<ClientSlot>) -> Vec<Arc<dyn tfplugin::DataSource>> {
    vec![
        Arc::new(deployment_job::DeploymentJobDataSource::new(slot.clone())),
        Arc::new(deployment_jobs::DeploymentJobsDataSource::new(slot.clone())),
        Arc::new(lookup::LookupDataSource::new(
            slot.clone(),
            &patches::LOOKUP,
        )),
        Arc::new(lookup::LookupDataSource::new(slot.clone(), &assets::LOOKUP)),
        Arc::new(job_runs::JobRunsDataSource::new(slot.clone())),
        Arc::new(job_result::JobResultDataSource::new(slot)),
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
fn required_string<'a>(config: &'a Value, a: Attr, hint: &str) -> Result<&'a str, Diagnostics> {
    a.of(config).as_str().ok_or_else(|| {
        Diagnostic::error(format!("Missing {}", a.name()), hint)
            .at(a.path())
            .into()
    })
}

/// The data sources' registry pages, generated from their schemas (rendered and compared
/// with `docs/` by the unit tests).
#[cfg(test)]
mod docs {
    use crate::docs::{example_section, front_matter, render_schema};

    const JOB_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_deployment_job/data-source.tf");
    const JOBS_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_deployment_jobs/data-source.tf");
    const PATCHES_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_patches/data-source.tf");
    const ASSETS_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_assets/data-source.tf");
    const RUNS_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_deployment_job_runs/data-source.tf");
    const RESULT_EXAMPLE: &str =
        include_str!("../../examples/data-sources/qualys_deployment_job_result/data-source.tf");

    pub(crate) fn deployment_job_doc() -> String {
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

    pub(crate) fn deployment_jobs_doc() -> String {
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

    /// A lookup's page: its schema, plus how paging, limits and QQL errors behave.
    fn lookup_doc(lookup: &super::lookup::Lookup, example: &str) -> String {
        let mut out = front_matter(lookup.type_name, "Data Source", lookup.description);
        out.push_str(&example_section(example));
        out.push_str(&render_schema(&lookup.schema().block.attributes));
        out.push_str(&format!(
            "## Notes\n\n\
             - The search runs when terraform reads the data source (every plan), one request per page of {page} {noun}, with the provider's credentials and retries.\n\
             - `ids` is a set, ready for a deployment job; `{list}` keeps the API's order. A record the API returns twice is listed once.\n\
             - Qualys Patch Management serves at most 10,000 records of a listing. When more match than `max_results` (default 1000) or than that cap, the data source returns what it got and a **warning** says how many were left out; it never truncates silently.\n\
             - A QQL error fails the plan with the API's message, at `query`{having}.\n\
             - See the [finding IDs guide](../guides/finding-ids.md) for QQL examples.\n",
            page = lookup.page_size(),
            noun = lookup.noun,
            list = lookup.list_name,
            having = if lookup.has("having_query") {
                " (or `having_query`)"
            } else {
                ""
            },
        ));
        out
    }

    pub(crate) fn patches_doc() -> String {
        lookup_doc(&super::patches::LOOKUP, PATCHES_EXAMPLE)
    }

    pub(crate) fn assets_doc() -> String {
        lookup_doc(&super::assets::LOOKUP, ASSETS_EXAMPLE)
    }

    pub(crate) fn job_runs_doc() -> String {
        use super::job_runs::{schema, DESCRIPTION, TYPE_NAME};
        let mut out = front_matter(TYPE_NAME, "Data Source", DESCRIPTION);
        out.push_str(&example_section(RUNS_EXAMPLE));
        out.push_str(&render_schema(&schema().block.attributes));
        out.push_str(
            "## Notes\n\n\
             - One API call per read (`GET /pm/v1/deploymentjob/{id}/runs`).\n\
             - A job that never ran has no runs: `runs` is empty and `latest_job_instance_id` null; the read does not fail.\n\
             - See the [CI gates guide](../guides/ci-gates.md).\n",
        );
        out
    }

    pub(crate) fn job_result_doc() -> String {
        use super::job_result::{schema, DESCRIPTION, OUTCOME_RULE, TYPE_NAME};
        let mut out = front_matter(TYPE_NAME, "Data Source", DESCRIPTION);
        out.push_str(&example_section(RESULT_EXAMPLE));
        out.push_str(&render_schema(&schema().block.attributes));
        out.push_str(&format!(
            "## Notes\n\n\
             - How an asset is classed: {OUTCOME_RULE}\n\
             - One API call per page of {page} assets (the result summary); without `job_instance_id` the API is asked for its latest run directly, with no call for the runs. The first read of a provider process may cost one more call, while the provider learns whether the tenant answers the result summary by POST or by GET.\n\
             - A job that never ran (or a `job_instance_id` it does not have) fails the read with an error naming the job; `qualys_deployment_job_runs` never fails for that.\n\
             - See the [CI gates guide](../guides/ci-gates.md) for `check` blocks, postconditions and retrying the failed assets.\n",
            page = qualys_pm::runs::RESULT_PAGE_SIZE,
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
            check_committed("docs/data-sources/patches.md", &patches_doc());
            check_committed("docs/data-sources/assets.md", &assets_doc());
            check_committed("docs/data-sources/deployment_job_runs.md", &job_runs_doc());
            check_committed(
                "docs/data-sources/deployment_job_result.md",
                &job_result_doc(),
            );
        }
    }
}
