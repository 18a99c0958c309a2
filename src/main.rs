//! terraform-provider-qualys: started by terraform, or with `--debug` by hand.

use std::process::ExitCode;

/// Every call decodes, plans and frees thousands of small values (strings, maps): mimalloc
/// does that in about half the instructions of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser as _;
use terraform_provider_qualys::onboarding;
use terraform_provider_qualys::provider::{QualysProvider, SOURCE_ADDRESS};

const USAGE: &str = "usage: terraform-provider-qualys [--debug | --version | --help]
       terraform-provider-qualys generate-imports [--help]

Started by terraform; --debug serves it for TF_REATTACH_PROVIDERS; generate-imports writes import blocks for existing jobs.";

/// The command line: nothing (terraform starts the plugin), one flag, or `generate-imports`
/// followed by its own arguments, which `onboarding` parses; anything else is the usage on
/// stderr and exit status 2.
#[derive(Debug, clap::Parser)]
#[command(
    name = "terraform-provider-qualys",
    help_template = USAGE,
    disable_version_flag = true,
    disable_help_subcommand = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Serve for TF_REATTACH_PROVIDERS instead of for terraform's go-plugin handshake.
    #[arg(long, conflicts_with = "version")]
    debug: bool,
    /// Print the version, the plugin protocol and the source address.
    #[arg(long)]
    version: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

/// The one subcommand. Its arguments are taken as they are (`--help` included) and parsed
/// by `onboarding::main`, which has its own usage.
#[derive(Debug, clap::Subcommand)]
enum Command {
    #[command(name = onboarding::SUBCOMMAND, disable_help_flag = true)]
    GenerateImports {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(_) => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match cli {
        Cli {
            command: Some(Command::GenerateImports { args }),
            ..
        } => onboarding::main(&args.iter().map(String::as_str).collect::<Vec<_>>()),
        Cli { version: true, .. } => {
            println!(
                "terraform-provider-qualys {} (Terraform plugin protocol {}, source address {SOURCE_ADDRESS})",
                env!("CARGO_PKG_VERSION"),
                tfplugin::PROTOCOL_VERSION
            );
            ExitCode::SUCCESS
        }
        Cli { debug: true, .. } => tfplugin::serve_debug(QualysProvider::new(), SOURCE_ADDRESS),
        Cli { .. } => tfplugin::serve(QualysProvider::new()),
    }
}
