//! The plugin layer's resource and data source RPCs driven by the real terraform CLI:
//! a small demo provider (nothing of Qualys) served in this test process, attached to
//! through `TF_REATTACH_PROVIDERS`, through create, no-op plan, update, replacement plan,
//! import and destroy.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tfplugin::{
    ApplyResponse, Attribute, AttributePath, Block, CreateRequest, DataSource, DeleteRequest,
    Diagnostics, ImportResponse, InProcessServer, Mode, Nesting, PlanRequest, PlanResponse,
    Provider, ReadRequest, ReadResponse, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::support::terraform::{require_terraform, Workspace};

const DEMO_SOURCE: &str = "terraform.local/test/demo";

/// The calls of the demo resource's create, update and delete, in order.
type CallLog = Arc<Mutex<Vec<String>>>;

struct Demo(CallLog);

#[async_trait]
impl Provider for Demo {
    fn type_name(&self) -> &'static str {
        "demo"
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing(self.0.clone()))]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
}

fn set(v: &mut Value, name: &str, x: Value) {
    if let Value::Object(m) = v {
        m.insert(name.to_owned(), x);
    }
}

/// `demo_thing`: id computed at create, size optional+computed (default 1), name forces
/// replacement, tags a map, rules a list of nested objects. Logs its changes.
struct Thing(CallLog);

impl Thing {
    fn log(&self, call: String) {
        self.0.lock().unwrap().push(call);
    }
}

fn id_of(state: &Value) -> &str {
    state.get("id").as_str().unwrap_or("?")
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "demo_thing"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::new("id", Type::String, Mode::Computed, "ID."),
                    Attribute::new(
                        "name",
                        Type::String,
                        Mode::Required,
                        "Name; changing it replaces the thing.",
                    ),
                    Attribute::new(
                        "size",
                        Type::Number,
                        Mode::OptionalComputed,
                        "Size, default 1.",
                    ),
                    Attribute::new("tags", Type::map(Type::String), Mode::Optional, "Tags."),
                    Attribute::nested(
                        "rules",
                        Nesting::List,
                        vec![Attribute::new(
                            "port",
                            Type::Number,
                            Mode::Required,
                            "Port.",
                        )],
                        Mode::Optional,
                        "Rules.",
                    ),
                    Attribute::new("secret", Type::String, Mode::Optional, "A secret.").sensitive(),
                ],
                ..Default::default()
            },
        }
    }
    async fn read(&self, req: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: Diagnostics::new(),
        }
    }
    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if req.prior_state.is_null() {
            set(&mut planned, "id", Value::Unknown);
        }
        if planned.get("size").is_null() {
            set(&mut planned, "size", Value::int(1));
        }
        PlanResponse {
            planned_state: planned,
            requires_replace: vec![AttributePath::attr("name")],
            planned_private: b"planned".to_vec(),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn create(&self, req: CreateRequest) -> ApplyResponse {
        let mut state = req.planned_state;
        let id = format!("thing-{}", state.get("name").as_str().unwrap_or_default());
        self.log(format!("create {id}"));
        set(&mut state, "id", Value::string(id));
        ApplyResponse {
            new_state: state,
            private: b"created".to_vec(),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn update(&self, req: UpdateRequest) -> ApplyResponse {
        let private = String::from_utf8_lossy(&req.planned_private);
        self.log(format!("update {} {private}", id_of(&req.prior_state)));
        ApplyResponse {
            new_state: req.planned_state,
            private: b"updated".to_vec(),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn delete(&self, req: DeleteRequest) -> Diagnostics {
        let private = String::from_utf8_lossy(&req.private);
        self.log(format!("delete {} {private}", id_of(&req.prior_state)));
        Diagnostics::new()
    }
    async fn import(&self, id: &str) -> ImportResponse {
        let state = Value::Object(
            [
                ("id".to_owned(), Value::string(id)),
                ("name".to_owned(), Value::string("imported")),
                ("size".to_owned(), Value::int(7)),
            ]
            .into(),
        );
        ImportResponse {
            state,
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// `demo_echo`: output = input in capitals.
struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> &'static str {
        "demo_echo"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::new("input", Type::String, Mode::Required, "Input."),
                    Attribute::new("output", Type::String, Mode::Computed, "Input in capitals."),
                ],
                ..Default::default()
            },
        }
    }
    async fn read(&self, config: &Value) -> (Value, Diagnostics) {
        let mut state = config.clone();
        let output = config
            .get("input")
            .as_str()
            .unwrap_or_default()
            .to_uppercase();
        set(&mut state, "output", Value::string(output));
        (state, Diagnostics::new())
    }
}

fn config(thing_a: &str, extra: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    demo = {{ source = "{DEMO_SOURCE}" }}
  }}
}}

resource "demo_thing" "a" {{
{thing_a}
}}

data "demo_echo" "e" {{
  input = demo_thing.a.id
}}

output "echo" {{
  value = data.demo_echo.e.output
}}

output "size" {{
  value = demo_thing.a.size
}}
{extra}"#
    )
}

const THING_A: &str = r#"  name   = "alpha"
  tags   = { env = "test" }
  rules  = [{ port = 80 }, { port = 443 }]
  secret = "hunter2""#;

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_lifecycle_through_terraform() {
    require_terraform("resource_lifecycle_through_terraform");
    let calls = CallLog::default();
    let server = InProcessServer::start(Arc::new(Demo(calls.clone())), DEMO_SOURCE)
        .await
        .expect("serve the demo provider");
    let mut ws = Workspace::bare();
    ws.set_env("TF_REATTACH_PROVIDERS", server.reattach_providers());
    // terraform runs as a child process; this thread just waits for it while the runtime's
    // workers serve its calls.
    let run = |ws: &Workspace, args: &[&str]| tokio::task::block_in_place(|| ws.run(args));

    // Create: unknown id at plan time, filled in at apply; the data source reads it.
    ws.write("main.tf", &config(THING_A, ""));
    let out = run(&ws, &["apply", "-auto-approve", "-no-color"]);
    out.expect_success("create");
    assert!(
        out.stdout.contains("1 added, 0 changed, 0 destroyed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("echo = \"THING-ALPHA\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("size = 1"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("hunter2"),
        "sensitive values are hidden"
    );

    // No perpetual diff: upgrade, read and plan agree with the state.
    let out = run(&ws, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(
        out.code,
        Some(0),
        "expected no changes:\n{}",
        out.combined()
    );

    // Update in place.
    ws.write("main.tf", &config(&format!("{THING_A}\n  size = 3"), ""));
    let out = run(&ws, &["apply", "-auto-approve", "-no-color"]);
    out.expect_success("update");
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("size = 3"), "{}", out.stdout);

    // A changed name forces replacement.
    ws.write("main.tf", &config(&THING_A.replace("alpha", "beta"), ""));
    let out = run(&ws, &["plan", "-no-color"]);
    out.expect_success("replacement plan");
    assert!(
        out.stdout.contains("must be replaced") && out.stdout.contains("forces replacement"),
        "{}",
        out.stdout
    );

    // Import, then the imported object plans cleanly against a matching configuration.
    let imported = "\nresource \"demo_thing\" \"b\" {\n  name = \"imported\"\n  size = 7\n}\n";
    ws.write("main.tf", &config(THING_A, imported));
    let out = run(&ws, &["import", "-no-color", "demo_thing.b", "thing-42"]);
    out.expect_success("import");
    assert!(out.stdout.contains("Import successful"), "{}", out.stdout);
    let out = run(&ws, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(
        out.code,
        Some(0),
        "expected no changes after import:\n{}",
        out.combined()
    );

    // Destroy both.
    let out = run(&ws, &["destroy", "-auto-approve", "-no-color"]);
    out.expect_success("destroy");
    assert!(out.stdout.contains("2 destroyed"), "{}", out.stdout);

    // Each apply called the one method its change is, with the private bytes its plan
    // (an update) or its state (a delete) holds.
    let mut calls = calls.lock().unwrap().clone();
    calls[2..].sort(); // the two deletes run in parallel
    assert_eq!(
        calls,
        [
            "create thing-alpha",
            "update thing-alpha planned",
            "delete thing-42 ",
            "delete thing-alpha updated",
        ]
    );

    server.stop().await;
}
