//! `terraform-provider-qualys generate-imports`: bring a tenant's existing deployment jobs
//! under terraform. Lists the jobs with the provider's own client settings (from the
//! environment, as an empty provider block would take them) and writes one `import {}`
//! block per job. Uses the Qualys client only; knows nothing of the plugin protocol.
//! Workflow and re-run rules: `docs/guides/onboarding.md`.

mod managed;
pub mod names;
mod render;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::provider::config::{
    client_config_from_env, ENV_GATEWAY_URL, ENV_PASSWORD, ENV_TOKEN, ENV_USERNAME,
};
use managed::Managed;
use qualys_pm::{Client, Error, JobSummary};
use render::ImportBlock;

/// The subcommand's name on the provider binary's command line.
pub const SUBCOMMAND: &str = "generate-imports";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum Platform {
    #[value(name = "Windows")]
    Windows,
    #[value(name = "Linux")]
    Linux,
}

impl Platform {
    pub(crate) const ALL: [Platform; 2] = [Platform::Windows, Platform::Linux];

    pub(crate) fn api_name(self) -> &'static str {
        match self {
            Platform::Windows => "Windows",
            Platform::Linux => "Linux",
        }
    }
}

/// Command line of `generate-imports`.
#[derive(Debug, clap::Parser)]
#[command(
    name = "generate-imports",
    bin_name = "terraform-provider-qualys generate-imports",
    about = "Write one terraform `import {}` block per Qualys deployment job already in the tenant",
    long_about = "Write one terraform `import {}` block per Qualys deployment job already in the tenant.\n\n\
        Credentials come from the environment, as for an empty provider block: QUALYS_GATEWAY_URL, \
        QUALYS_USERNAME and QUALYS_PASSWORD (or QUALYS_TOKEN), optionally QUALYS_CA_CERT_FILE. Nothing is \
        written to the tenant. Then run `terraform plan -generate-config-out=generated.tf` and `terraform apply`."
)]
pub(crate) struct Args {
    /// Write the blocks to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only jobs of this platform (repeatable; default: both).
    #[arg(long, value_enum, ignore_case = true, value_name = "PLATFORM")]
    pub platform: Vec<Platform>,
    /// Only jobs whose name matches this regular expression (Rust regex syntax, unanchored).
    #[arg(long, value_name = "RE")]
    pub name_regex: Option<regex::Regex>,
    /// Skip the jobs already in this state: `terraform show -json` output or a state file;
    /// `-` reads stdin (repeatable).
    #[arg(long, value_name = "FILE")]
    pub skip_state: Vec<PathBuf>,
    /// Skip the jobs of the import blocks in this .tf file or directory of .tf files, and
    /// do not reuse its resource names (repeatable).
    #[arg(long, value_name = "PATH")]
    pub skip_config: Vec<PathBuf>,
}

/// Runs the subcommand; `args` are the words after `generate-imports`.
pub fn main(args: &[&str]) -> ExitCode {
    let args = match <Args as clap::Parser>::try_parse_from(
        std::iter::once(SUBCOMMAND).chain(args.iter().copied()),
    ) {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match run(&args, &|name| std::env::var(name).ok()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Everything but argument parsing; errors are one message, with no secret in it.
pub(crate) fn run(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let mut managed = Managed::default();
    for file in &args.skip_state {
        let text = if file.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
                .map_err(|e| format!("--skip-state -: cannot read stdin: {e}"))?
        } else {
            std::fs::read_to_string(file)
                .map_err(|e| format!("--skip-state {}: cannot read it: {e}", file.display()))?
        };
        managed
            .add_state_json(&text)
            .map_err(|e| format!("--skip-state {}: {e}", file.display()))?;
    }
    for path in &args.skip_config {
        managed
            .add_config_path(path)
            .map_err(|e| format!("--skip-config: {e}"))?;
    }
    let config = client_config_from_env(env).map_err(|problems| {
        format!(
            "the Qualys connection is not configured. generate-imports reads {ENV_GATEWAY_URL}, and {ENV_USERNAME} with {ENV_PASSWORD} or {ENV_TOKEN}, from the environment:\n  - {}",
            problems.join("\n  - ")
        )
    })?;
    let gateway = config.gateway_url.clone();
    let client = Client::new(config).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let chosen: Vec<Platform> = if args.platform.is_empty() {
        Platform::ALL.to_vec()
    } else {
        args.platform.clone()
    };
    let jobs = runtime
        .block_on(list(&client, &chosen))
        .map_err(|e| explain(&e, &gateway))?;

    let outcome = generate(&jobs, &chosen, args.name_regex.as_ref(), &managed);
    let text = render::render(&outcome.blocks);
    match &args.out {
        Some(file) => std::fs::write(file, &text)
            .map_err(|e| format!("--out {}: cannot write it: {e}", file.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write to stdout: {e}"))?;
        }
    }
    eprintln!(
        "{} import block(s) written to {}; {} job(s) left out as already managed, {} not matching the filters.",
        outcome.blocks.len(),
        args.out
            .as_ref()
            .map_or("stdout".to_owned(), |f| f.display().to_string()),
        outcome.already_managed,
        outcome.filtered_out,
    );
    Ok(())
}

/// Every job of every platform. The chosen platforms must be listed in full (past the
/// API's record cap is an error); the others are listed too, so that resource names do not
/// depend on `--platform`, but only as far as the API lists them.
async fn list(client: &Client, chosen: &[Platform]) -> Result<Vec<JobSummary>, Error> {
    let mut all = Vec::new();
    for platform in Platform::ALL {
        let name = platform.api_name();
        if chosen.contains(&platform) {
            let mut progress = |n: usize| eprintln!("listing {name} deployment jobs: {n} so far");
            let jobs = client.list_all_jobs(name, &mut progress).await?;
            eprintln!("{name}: {} deployment job(s)", jobs.len());
            all.extend(jobs);
        } else {
            all.extend(client.list_jobs(name, None).await?);
        }
    }
    Ok(all)
}

/// The blocks to write, and why the others were left out.
pub(crate) struct Generated {
    pub blocks: Vec<ImportBlock>,
    pub already_managed: usize,
    pub filtered_out: usize,
}

/// Names every job (over all `jobs`, so that names do not depend on filters or on what is
/// managed), then keeps the jobs of the chosen platforms, matching the regex, not managed.
pub(crate) fn generate(
    jobs: &[JobSummary],
    platforms: &[Platform],
    name_regex: Option<&regex::Regex>,
    managed: &Managed,
) -> Generated {
    // One entry per ID (a page boundary shifting under concurrent changes may repeat one).
    let unique: BTreeMap<&str, &JobSummary> = jobs
        .iter()
        .filter(|j| !j.id.is_empty())
        .map(|j| (j.id.as_str(), j))
        .collect();
    let names = names::assign(
        unique
            .values()
            .map(|j| (j.id.as_str(), j.name.as_deref().unwrap_or_default())),
        &managed.names,
    );
    let mut generated = Generated {
        blocks: Vec::new(),
        already_managed: 0,
        filtered_out: 0,
    };
    for (id, job) in unique {
        let platform = job.platform.as_deref().unwrap_or_default();
        let name = job.name.as_deref().unwrap_or_default();
        let chosen = platforms.iter().any(|p| p.api_name() == platform);
        if !chosen || !name_regex.is_none_or(|re| re.is_match(name)) {
            generated.filtered_out += 1;
        } else if managed.ids.contains(id) {
            generated.already_managed += 1;
        } else {
            generated.blocks.push(ImportBlock {
                resource_name: names[id].clone(),
                id: id.to_owned(),
                job_name: name.to_owned(),
                platform: platform.to_owned(),
            });
        }
    }
    generated
}

/// A listing failure as the user should read it: what to check, never a secret.
fn explain(error: &Error, gateway: &url::Url) -> String {
    let gateway = gateway.as_str().trim_end_matches('/');
    match error {
        Error::Auth {
            status: Some(401 | 403),
            ..
        } => format!(
            "{error}\nCheck {ENV_USERNAME} and {ENV_PASSWORD} (or {ENV_TOKEN}) for {gateway}."
        ),
        Error::Api {
            status: 401 | 403, ..
        } => format!(
            "{error}\nThe credentials were refused by {gateway}: check {ENV_USERNAME} and {ENV_PASSWORD} (or {ENV_TOKEN}), and that the user may use the Patch Management API."
        ),
        Error::Transport { .. } | Error::Auth { status: None, .. } => format!(
            "{error}\nIs {ENV_GATEWAY_URL} ({gateway}) the right gateway, and reachable from here?"
        ),
        Error::RecordCap { .. } => format!(
            "{error}.\nNo file was written: an incomplete list would leave jobs out without saying which."
        ),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(id: &str, name: &str, platform: &str) -> JobSummary {
        JobSummary::from_json(json!({"id": id, "name": name, "platform": platform})).unwrap()
    }

    #[test]
    fn filters_and_managed_jobs_leave_names_unchanged() {
        let jobs = vec![
            summary("b", "Nightly", "Windows"),
            summary("a", "nightly", "Linux"),
            summary("c", "Weekly", "Linux"),
            summary("c", "Weekly", "Linux"),
        ];
        let all = generate(&jobs, &Platform::ALL, None, &Managed::default());
        let by_id: BTreeMap<String, String> = all
            .blocks
            .iter()
            .map(|b| (b.id.clone(), b.resource_name.clone()))
            .collect();
        assert_eq!(by_id.len(), 3, "a repeated ID is one block");
        assert_eq!(by_id["a"], "nightly");
        assert_eq!(by_id["b"], "nightly_b");
        assert_eq!(by_id["c"], "weekly");

        let windows = generate(&jobs, &[Platform::Windows], None, &Managed::default());
        assert_eq!(windows.blocks.len(), 1);
        assert_eq!(windows.blocks[0].resource_name, "nightly_b");
        assert_eq!(windows.filtered_out, 2);

        let re = regex::Regex::new("^W").unwrap();
        let weekly = generate(&jobs, &Platform::ALL, Some(&re), &Managed::default());
        assert_eq!(weekly.blocks.len(), 1);
        assert_eq!(weekly.blocks[0].id, "c");

        let managed = Managed {
            ids: ["a".to_owned()].into(),
            names: ["nightly".to_owned()].into(),
        };
        let rest = generate(&jobs, &Platform::ALL, None, &managed);
        assert_eq!(rest.already_managed, 1);
        let names: Vec<&str> = rest
            .blocks
            .iter()
            .map(|b| b.resource_name.as_str())
            .collect();
        assert_eq!(names, ["nightly_b", "weekly"]);
    }
}
