//! terraform-provider-qualys: started by terraform, or with `--debug` by hand.

use std::process::ExitCode;

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

/// A word after the flags: `generate-imports` is the one subcommand. Taken as an external
/// subcommand so that everything after it (`--help`, `--` included) reaches
/// `onboarding::main` untouched.
#[derive(Debug, clap::Subcommand)]
enum Command {
    #[command(external_subcommand)]
    Other(Vec<String>),
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
            command: Some(Command::Other(words)),
            ..
        } => match words.split_first() {
            Some((name, rest)) if name == onboarding::SUBCOMMAND => {
                onboarding::main(&rest.iter().map(String::as_str).collect::<Vec<_>>())
            }
            _ => {
                eprintln!("{USAGE}");
                ExitCode::from(2)
            }
        },
        Cli { version: true, .. } => {
            println!(
                "terraform-provider-qualys {} (Terraform plugin protocol {}, source address {SOURCE_ADDRESS})",
                env!("CARGO_PKG_VERSION"),
                tfplugin::handshake::PROTOCOL_VERSION
            );
            ExitCode::SUCCESS
        }
        Cli { debug: true, .. } => tfplugin::serve_debug(QualysProvider::new(), SOURCE_ADDRESS),
        Cli { .. } => tfplugin::serve(QualysProvider::new()),
    }
}
