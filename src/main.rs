//! terraform-provider-qualys: started by terraform, or with `--debug` by hand.

use std::process::ExitCode;

use terraform_provider_qualys::onboarding;
use terraform_provider_qualys::provider::{QualysProvider, SOURCE_ADDRESS};

const USAGE: &str = "usage: terraform-provider-qualys [--debug | --version | --help]
       terraform-provider-qualys generate-imports [--help]

Started by terraform; --debug serves it for TF_REATTACH_PROVIDERS; generate-imports writes import blocks for existing jobs.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => tfplugin::serve(QualysProvider::new()),
        ["--debug"] => tfplugin::serve_debug(QualysProvider::new(), SOURCE_ADDRESS),
        ["--version"] => {
            println!(
                "terraform-provider-qualys {} (Terraform plugin protocol {}, source address {SOURCE_ADDRESS})",
                env!("CARGO_PKG_VERSION"),
                tfplugin::handshake::PROTOCOL_VERSION
            );
            ExitCode::SUCCESS
        }
        [onboarding::SUBCOMMAND, rest @ ..] => onboarding::main(rest),
        ["--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
