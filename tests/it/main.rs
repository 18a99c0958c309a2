//! The one integration-test binary: one module per area, shared helpers in `support`.

mod support;

mod api_budget;
mod api_readings;
mod generated_config;
mod house;
mod identity;
mod job_runs;
mod listing_refresh;
mod lookups;
mod network_faults;
mod onboarding;
mod plaintext_gateway;
mod plugin_lifecycle;
mod protocol;
mod qualys_client;
mod query;
mod release;
mod release_platforms;
mod reliability;
mod resource_e2e;
mod security;
mod simulator;
mod simulator_catalog;
mod simulator_runs;
mod terraform_cli;
mod third_party_readings;
mod upgrades;
