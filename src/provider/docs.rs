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

Throttled (429) and transient (502, 503, 504, connection) failures of reads, updates, status
changes and deletes are retried up to `max_retries` times with capped exponential backoff and
jitter, honouring `Retry-After`. A create is retried only when the server certainly did not
act on it; if its answer is lost, the provider looks the job up by name and adopts it, or
names it so that it can be imported.

## Trying it offline

The repository ships `qualys-pm-simulator`, a local stand-in for the Qualys PM API; see the
README's quickstart.
";

pub fn provider_doc() -> String {
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
