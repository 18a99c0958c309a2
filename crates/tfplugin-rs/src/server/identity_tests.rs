//! Identity, list resources and generated configuration, with a fake resource whose only
//! identity code is its declaration: what the server derives for every resource.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::StreamExt;

use super::{decode, encode, pb, Payload, ProviderService};
use crate::codec;
use crate::diagnostics::Diagnostics;
use crate::framework::{
    ApplyResponse, CreateRequest, DataSource, DeleteRequest, ImportResponse, ListRequest,
    ListResource, ListResult, ListSink, PlanRequest, PlanResponse, Provider, ReadRequest,
    ReadResponse, Resource, UpdateRequest,
};
use crate::schema::{Attribute, Block, IdentityAttribute, IdentitySchema, Mode, Schema};
use crate::types::Type;
use crate::value::Value;

fn widget_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "ID."),
                Attribute::new("name", Type::String, Mode::Required, "Name."),
                Attribute::new("note", Type::String, Mode::Optional, "Note."),
            ],
            ..Default::default()
        },
    }
}

fn widget(id: Value, name: &str) -> Value {
    Value::Object(
        [
            ("id".into(), id),
            ("name".into(), Value::string(name)),
            ("note".into(), Value::string("")),
        ]
        .into(),
    )
}

/// Answers every call with `answer`; records imports. Declares an identity, nothing more.
#[derive(Default)]
struct Widget {
    answer: Mutex<Value>,
    imports: Mutex<Vec<String>>,
}

#[async_trait]
impl Resource for Arc<Widget> {
    fn type_name(&self) -> &'static str {
        "test_widget"
    }
    fn schema(&self) -> Schema {
        widget_schema()
    }
    fn identity(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema {
            version: 0,
            attributes: vec![IdentityAttribute {
                name: "id".into(),
                ty: Type::String,
                required_for_import: true,
                description: "ID.".into(),
            }],
        })
    }
    async fn read(&self, _req: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: self.answer.lock().unwrap().clone(),
            ..Default::default()
        }
    }
    async fn plan(&self, _req: PlanRequest) -> PlanResponse {
        PlanResponse {
            planned_state: self.answer.lock().unwrap().clone(),
            ..Default::default()
        }
    }
    async fn create(&self, _req: CreateRequest) -> ApplyResponse {
        self.half_done()
    }
    async fn update(&self, _req: UpdateRequest) -> ApplyResponse {
        self.half_done()
    }
    async fn delete(&self, _req: DeleteRequest) -> Diagnostics {
        Diagnostics::new()
    }
    async fn import(&self, id: &str) -> ImportResponse {
        self.imports.lock().unwrap().push(id.to_owned());
        ImportResponse {
            state: widget(Value::string(id), "imported"),
            ..Default::default()
        }
    }
}

impl Widget {
    /// A create or update that fails after its first step, answering `answer`.
    fn half_done(&self) -> ApplyResponse {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error("Half done", "Created, then a later step failed.");
        ApplyResponse {
            new_state: self.answer.lock().unwrap().clone(),
            diagnostics,
            ..Default::default()
        }
    }
}

/// Lists widgets `w0`, `w1`, ... until the sink says stop; counts what it produced.
struct Widgets(Arc<Mutex<usize>>, &'static str);

#[async_trait]
impl ListResource for Widgets {
    fn type_name(&self) -> &'static str {
        self.1
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn list(&self, _req: ListRequest, mut results: ListSink) {
        for i in 0..1000 {
            *self.0.lock().unwrap() += 1;
            let state = widget(Value::string(format!("w{i}")), "w");
            let result = ListResult {
                state,
                display_name: format!("widget {i}"),
            };
            if !results.send(result).await {
                return;
            }
        }
    }
}

struct Fake(Arc<Widget>, Arc<Mutex<usize>>, &'static str);

#[async_trait]
impl Provider for Fake {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(self.0.clone())]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(Widgets(self.1.clone(), self.2))]
    }
}

fn service(list_type: &'static str) -> (ProviderService, Arc<Widget>, Arc<Mutex<usize>>) {
    let w = Arc::new(Widget::default());
    let produced = Arc::new(Mutex::new(0));
    let svc = ProviderService::new(Arc::new(Fake(w.clone(), produced.clone(), list_type)));
    (svc, w, produced)
}

fn ty() -> Type {
    widget_schema().value_type()
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(encode(v, &ty(), Payload::State).unwrap())
}

fn identity_of(i: &Option<pb::ResourceIdentityData>) -> Option<Value> {
    let data = i.as_ref()?.identity_data.as_ref()?;
    let t = Type::Object([("id".to_owned(), Type::String)].into());
    Some(codec::decode_msgpack(&data.msgpack, &t).unwrap())
}

fn ident(id: &str) -> Value {
    Value::Object([("id".to_owned(), Value::string(id))].into())
}

#[test]
fn a_declared_identity_is_served_with_core_valid_flags() {
    let (svc, _, _) = service("test_widget");
    let s = &svc.identity_response.identity_schemas["test_widget"];
    assert_eq!(s.version, 0);
    let a = &s.identity_attributes[0];
    assert_eq!(
        (a.name.as_str(), a.r#type.as_slice()),
        ("id", &b"\"string\""[..])
    );
    assert!(a.required_for_import && !a.optional_for_import);
    assert!(svc.schema_response.diagnostics.is_empty());
    assert!(svc
        .schema_response
        .list_resource_schemas
        .contains_key("test_widget"));
}

#[test]
fn a_list_resource_without_an_identity_fails_the_schema_load() {
    let (svc, _, _) = service("test_gadget");
    let d = &svc.schema_response.diagnostics;
    assert_eq!(d.len(), 1);
    assert!(d[0].detail.contains("\"test_gadget\""), "{d:?}");
    assert!(svc.schema_response.list_resource_schemas.is_empty());
}

#[tokio::test]
async fn every_state_carries_its_identity_and_never_a_null_one() {
    let (svc, w, _) = service("test_widget");
    // read: from the new state (the backfill: no current identity is sent)
    *w.answer.lock().unwrap() = widget(Value::string("a"), "n");
    let read = svc
        .read_resource(pb::read_resource::Request {
            type_name: "test_widget".into(),
            current_state: dv(&widget(Value::string("a"), "n")),
            ..Default::default()
        })
        .await;
    assert_eq!(identity_of(&read.new_identity), Some(ident("a")));
    // gone: the prior id, never a null one
    *w.answer.lock().unwrap() = Value::Null;
    let gone = svc
        .read_resource(pb::read_resource::Request {
            type_name: "test_widget".into(),
            current_state: dv(&widget(Value::string("a"), "n")),
            ..Default::default()
        })
        .await;
    assert_eq!(identity_of(&gone.new_identity), Some(ident("a")));
    // a create plan: the id is unknown, so no identity
    *w.answer.lock().unwrap() = widget(Value::Unknown, "n");
    let plan = svc
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_widget".into(),
            proposed_new_state: dv(&widget(Value::Null, "n")),
            ..Default::default()
        })
        .await;
    assert!(plan.planned_identity.is_none());
    // a failed apply that returns a partial state: its identity too
    *w.answer.lock().unwrap() = widget(Value::string("b"), "n");
    let apply = svc
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            planned_state: dv(&widget(Value::Unknown, "n")),
            ..Default::default()
        })
        .await;
    assert_eq!(apply.diagnostics.len(), 1);
    assert_eq!(identity_of(&apply.new_identity), Some(ident("b")));
    // a failed update that keeps the prior state (null): no identity, core keeps the prior
    *w.answer.lock().unwrap() = Value::Null;
    let kept = svc
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dv(&widget(Value::string("b"), "n")),
            planned_state: dv(&widget(Value::string("b"), "m")),
            ..Default::default()
        })
        .await;
    assert_eq!(kept.diagnostics.len(), 1);
    assert!(kept.new_identity.is_none());
}

#[tokio::test]
async fn import_by_identity_imports_its_id() {
    let (svc, w, _) = service("test_widget");
    let t = Type::Object([("id".to_owned(), Type::String)].into());
    let by_identity = svc
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_widget".into(),
            identity: Some(pb::ResourceIdentityData {
                identity_data: Some(encode(&ident("x"), &t, Payload::Config).unwrap()),
            }),
            ..Default::default()
        })
        .await;
    let imported = &by_identity.imported_resources[0];
    assert_eq!(identity_of(&imported.identity), Some(ident("x")));
    let by_id = svc
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_widget".into(),
            id: "y".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(
        identity_of(&by_id.imported_resources[0].identity),
        Some(ident("y"))
    );
    assert_eq!(*w.imports.lock().unwrap(), ["x", "y"]);
}

#[test]
fn generated_config_nulls_computed_only_and_empty_optional_strings() {
    let (svc, _, _) = service("test_widget");
    let resp = svc.generate_resource_config(pb::generate_resource_config::Request {
        type_name: "test_widget".into(),
        state: dv(&widget(Value::string("a"), "n")),
    });
    let config = decode(resp.config.as_ref(), &ty(), Payload::Config).unwrap();
    let mut expected = widget(Value::Null, "n");
    *expected.get_mut("note").unwrap() = Value::Null;
    assert_eq!(config, expected);
}

#[tokio::test]
async fn listing_stops_at_the_limit_and_when_the_stream_is_dropped() {
    let (svc, _, produced) = service("test_widget");
    let request = |limit| pb::list_resource::Request {
        type_name: "test_widget".into(),
        config: Some(
            encode(
                &Value::Object(Default::default()),
                &Type::Object(Default::default()),
                Payload::Config,
            )
            .unwrap(),
        ),
        include_resource_object: false,
        limit,
    };
    let events: Vec<_> = svc.list_resource(request(3)).collect().await;
    assert_eq!(events.len(), 3);
    let first = events[0].as_ref().unwrap();
    assert_eq!(identity_of(&first.identity), Some(ident("w0")));
    assert_eq!(first.display_name, "widget 0");
    assert!(first.resource_object.is_none() && first.diagnostic.is_empty());
    assert_eq!(
        *produced.lock().unwrap(),
        3,
        "nothing produced past the limit"
    );

    assert!(svc
        .list_resource(request(0))
        .collect::<Vec<_>>()
        .await
        .is_empty());
    assert_eq!(*produced.lock().unwrap(), 3, "limit 0 lists nothing");

    let mut stream = svc.list_resource(request(100));
    stream.next().await.unwrap().unwrap();
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        *produced.lock().unwrap() <= 3 + 3,
        "the lister stopped after the drop"
    );
}
