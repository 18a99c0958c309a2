//! `docs/index.md`: the provider page, rendered from the provider block's schema.

use crate::docs::{example_section, render_schema};

const PROVIDER_EXAMPLE: &str = include_str!("../../examples/provider/provider.tf");

const AUTHENTICATION: &str = "## Authentication

Give either `token` (a JWT obtained elsewhere) or `username` and `password` (exchanged for a
JWT at `POST {gateway_url}/auth`, once per provider process, shared by all concurrent
requests, and fetched again when it expires or a request answers 401). The secrets are
sensitive: they never appear in plans, state or logs.

Every argument falls back to an environment variable: `QUALYS_GATEWAY_URL`,
`QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`.

## Retries

Transient failures (502, 503, 504, connection errors) of reads, updates, status changes and
deletes are retried up to `max_retries` times with capped exponential backoff and jitter,
honouring `Retry-After`; refusals under the API controls are waited out instead (see API
budget). A create is retried only when the server certainly did not
act on it; if its answer is lost, the provider looks the job up by name and adopts it, or
names it so that it can be imported.

## API budget

Qualys meters its APIs per subscription (a rolling window of calls, e.g. 300 per 3600 s, and
a number of calls at once, e.g. 2), and the customer's other integrations share the same
meter. One provider process (one `terraform plan` or `apply`: the resources, data sources and
lookups together, or one `generate-imports`) keeps one budget:

- never more calls at once than the server announces (`X-Concurrency-Limit-Limit`), and
  before that, or when it announces nothing, at most `max_concurrent_requests` (default `2`,
  the concurrency limit of a default subscription: more would only be refused);
- with `X-RateLimit-Remaining` and `X-RateLimit-Window-Sec` announced, calls are paced to stay
  inside the window, keeping a few places free for the next terraform command, so that no
  call is refused;
- a refusal (429, or 409 with code 1965/1966/1960/1959) or `Remaining: 0` makes **every** call of the
  process wait at one shared gate for the time the server asks (else a backoff); the refused
  call is then sent again (a create too: the server did not act). Waiting is not a failed
  attempt: `max_retries` counts faults only. Waits over 5 s are logged at WARN with the
  reason and the time left;
- when the wait asked is longer than `max_rate_limit_wait` (default `5m`), every pending
  operation fails at once with one error naming the limit, the wait in minutes and the UTC
  time to run again after; nothing was sent for those jobs (a create that failed this way was
  not made: run `apply` again later, no import needed).

What operations cost, in API calls (`/auth` is exempt):

| operation | calls |
|---|---|
| plan / refresh of N jobs | about one call per job (a GET each; measured: 101 calls for 100 jobs) |
| create | one POST (plus one GET where the answer lacks the job) |
| update | one PATCH (disable + PATCH + enable for an Enabled recurring job) |
| destroy, status changes | bulk calls: concurrent operations' ids gathered into one call |
| `qualys_patches` / `qualys_assets` lookup | one search per page |
| `qualys_deployment_job_runs` read | one call (`GET .../runs`) |
| `qualys_deployment_job_result` read | one call per page of 200 assets (the latest run is asked for directly, no runs call); the first read of a provider process costs one call more on a tenant that answers the result summary by GET only (a refused POST; measured on the simulator: strict 1 call for 10 assets and 3 for 450, lenient 2 and 4) |

For big workspaces: a first apply of 1 000 jobs needs about 1 000 calls, more than a
300-per-hour subscription allows, so it waits out windows (raise `max_rate_limit_wait`, e.g.
`\"2h\"`, for such a run, or apply in parts with `-target`); later plans cost about one call per job, so
split very big workspaces into several. Ask Qualys Support for a larger limit if every run waits; do not raise
`max_concurrent_requests` above the subscription's concurrency limit.

## Trying it offline

The repository ships `qualys-pm-simulator`, a local stand-in for the Qualys PM API; see the
README's quickstart.
";

fn provider_doc() -> String {
    let description = super::config::schema().block.description;
    let mut out = format!(
        "---\npage_title: \"Provider: Qualys\"\ndescription: |-\n  {}\n---\n\n# Qualys Provider\n\n{}\n\n",
        description.lines().next().unwrap_or_default(),
        description
    );
    out.push_str(&example_section(PROVIDER_EXAMPLE));
    out.push_str(AUTHENTICATION);
    out.push('\n');
    out.push_str(&render_schema(&super::config::schema().block.attributes));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::check_committed;

    #[test]
    fn docs_provider_page_matches_the_schema() {
        let doc = provider_doc();
        for a in &super::super::config::schema().block.attributes {
            assert!(
                doc.contains(&format!("- `{}` (", a.name)),
                "{} missing",
                a.name
            );
        }
        check_committed("docs/index.md", &doc);
    }
}
