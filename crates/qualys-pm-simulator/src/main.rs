//! The local Qualys PM API simulator; see `docs/simulator.md`.

use clap::Parser as _;
use qualys_pm_simulator::{run, Options};

#[tokio::main]
async fn main() {
    let options = Options::parse();
    if let Err(e) = run(options).await {
        eprintln!("qualys-pm-simulator: {e}");
        std::process::exit(1);
    }
}
