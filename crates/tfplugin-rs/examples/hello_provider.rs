//! The smallest provider: one data source, `hello_greeting`, that computes
//! `greeting = "Hello, <name>!"`. Build it, name the binary `terraform-provider-hello`, and
//! put it in a filesystem mirror or `dev_overrides` (see the crate README); or run it with
//! `--debug` and pass the printed `TF_REATTACH_PROVIDERS` to terraform.

use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::{
    Attribute, Block, DataSource, Diagnostic, Diagnostics, Mode, Provider, Resource, Schema, Type,
    Value,
};

struct Hello;

#[async_trait]
impl Provider for Hello {
    fn type_name(&self) -> &'static str {
        "hello"
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Greeting)]
    }
}

struct Greeting;

#[async_trait]
impl DataSource for Greeting {
    fn type_name(&self) -> &'static str {
        "hello_greeting"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::new("name", Type::String, Mode::Required, "Who to greet."),
                    Attribute::new("greeting", Type::String, Mode::Computed, "The greeting."),
                ],
                ..Block::default()
            },
        }
    }
    async fn read(&self, config: &Value) -> (Value, Diagnostics) {
        let Some(name) = config.get("name").as_str() else {
            let error = Diagnostic::error("Missing name", "`name` must be known at read time");
            return (Value::Null, error.into());
        };
        let mut state = config.clone();
        if let Some(greeting) = state.get_mut("greeting") {
            *greeting = Value::string(format!("Hello, {name}!"));
        }
        (state, Diagnostics::new())
    }
}

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("--debug") => tfplugin::serve_debug(Hello, "registry.terraform.io/example/hello"),
        _ => tfplugin::serve(Hello),
    }
}
