//! The service's decoding, delegation and encoding, with a fake provider (no network).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::*;
use crate::framework::{
    ApplyResponse, CreateRequest, DeleteRequest, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, UpdateRequest,
};
use crate::schema::{Attribute, Block, Mode};
use crate::{AttributePath, Number};

fn thing_schema() -> Schema {
    Schema {
        version: 1,
        block: Block {
            attributes: vec![
                Attribute::new("id", Type::String, Mode::Computed, "ID."),
                Attribute::new("name", Type::String, Mode::Required, "Name."),
                Attribute::new("size", Type::Number, Mode::Optional, "Size."),
            ],
            ..Default::default()
        },
    }
}

#[derive(Default)]
struct Thing {
    calls: Mutex<Vec<String>>,
    /// What `plan`, `create`, `update`, `read` and `import` answer.
    answer: Mutex<Value>,
    /// What `delete` answers.
    delete_diagnostics: Mutex<Diagnostics>,
}

impl Thing {
    fn answer(&self, v: Value) {
        *self.answer.lock().unwrap() = v;
    }
    fn called(&self, what: &str) {
        self.calls.lock().unwrap().push(what.to_owned());
    }
}

#[async_trait]
impl Resource for Arc<Thing> {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        thing_schema()
    }
    async fn upgrade(
        &self,
        version: i64,
        _current_version: i64,
        state: Value,
    ) -> Result<Value, Diagnostics> {
        self.called(&format!("upgrade v{version}"));
        Ok(state)
    }
    async fn read(&self, _req: ReadRequest) -> ReadResponse {
        self.called("read");
        ReadResponse {
            new_state: self.answer.lock().unwrap().clone(),
            ..Default::default()
        }
    }
    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        self.called("plan");
        PlanResponse {
            planned_state: self.answer.lock().unwrap().clone(),
            requires_replace: vec![AttributePath::attr("name")],
            planned_private: req.prior_private,
            ..Default::default()
        }
    }
    async fn create(&self, req: CreateRequest) -> ApplyResponse {
        self.called(&format!("create {}", private_text(&req.planned_private)));
        self.applied()
    }
    async fn update(&self, req: UpdateRequest) -> ApplyResponse {
        let prior_id = req.prior_state.get("id").as_str().unwrap_or("?").to_owned();
        self.called(&format!(
            "update {prior_id} {}",
            private_text(&req.planned_private)
        ));
        self.applied()
    }
    async fn delete(&self, req: DeleteRequest) -> Diagnostics {
        let prior_id = req.prior_state.get("id").as_str().unwrap_or("?").to_owned();
        self.called(&format!("delete {prior_id} {}", private_text(&req.private)));
        self.delete_diagnostics.lock().unwrap().clone()
    }
    async fn import(&self, id: &str) -> ImportResponse {
        self.called(&format!("import {id}"));
        ImportResponse {
            state: self.answer.lock().unwrap().clone(),
            ..Default::default()
        }
    }
}

impl Thing {
    fn applied(&self) -> ApplyResponse {
        ApplyResponse {
            new_state: self.answer.lock().unwrap().clone(),
            private: b"p".to_vec(),
            ..Default::default()
        }
    }
}

fn private_text(private: &[u8]) -> String {
    String::from_utf8_lossy(private).into_owned()
}

struct Fake(Arc<Thing>);

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
}

fn service() -> (ProviderService, Arc<Thing>) {
    let thing = Arc::new(Thing::default());
    (ProviderService::new(Arc::new(Fake(thing.clone()))), thing)
}

fn thing(id: Value, name: &str, size: Value) -> Value {
    Value::Object(
        [
            ("id".into(), id),
            ("name".into(), Value::string(name)),
            ("size".into(), size),
        ]
        .into(),
    )
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(encode(v, &thing_schema().value_type(), Payload::State).unwrap())
}

fn undv(d: &Option<pb::DynamicValue>) -> Value {
    decode(d.as_ref(), &thing_schema().value_type(), Payload::State).unwrap()
}

#[test]
fn schema_response_always_has_a_provider_block() {
    let (svc, _) = service();
    let resp = svc.schema_response.clone();
    assert!(resp.provider.is_some());
    assert_eq!(resp.resource_schemas["test_thing"].version, 1);
    assert!(
        resp.server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );
}

#[tokio::test]
async fn upgrade_reads_stored_json_against_the_current_schema() {
    let (svc, thing_rs) = service();
    let req = |version, json: &str| pb::upgrade_resource_state::Request {
        type_name: "test_thing".into(),
        version,
        raw_state: Some(pb::RawState {
            json: json.as_bytes().to_vec(),
            flatmap: Default::default(),
        }),
    };
    let resp = svc
        .upgrade_resource_state(req(
            1,
            "{\n  \"id\": \"1\",\n  \"name\": \"n\",\n  \"size\": 2.5\n}",
        ))
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(
        undv(&resp.upgraded_state),
        thing(Value::string("1"), "n", Value::Number(Number::Float(2.5)))
    );
    // An older version may carry attributes the schema dropped.
    let resp = svc
        .upgrade_resource_state(req(0, r#"{"id": "1", "name": "n", "gone": true}"#))
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(undv(&resp.upgraded_state).get("size"), &Value::Null);
    assert_eq!(
        *thing_rs.calls.lock().unwrap(),
        ["upgrade v1", "upgrade v0"]
    );
    // The current version may not.
    let resp = svc
        .upgrade_resource_state(req(1, r#"{"id": "1", "name": "n", "gone": true}"#))
        .await;
    assert!(
        resp.diagnostics[0]
            .detail
            .contains("unsupported attribute \"gone\""),
        "{:?}",
        resp.diagnostics
    );
    let mut flat = req(1, "");
    flat.raw_state
        .as_mut()
        .unwrap()
        .flatmap
        .insert("id".into(), "1".into());
    let resp = svc.upgrade_resource_state(flat).await;
    assert!(resp.diagnostics[0]
        .summary
        .contains("Unsupported state format"));
}

#[tokio::test]
async fn plan_encodes_unknowns_and_paths_and_skips_destroys() {
    let (svc, thing_rs) = service();
    let config = thing(Value::Null, "n", Value::Null);
    thing_rs.answer(thing(Value::Unknown, "n", Value::Null));
    let resp = svc
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&Value::Null),
            proposed_new_state: dv(&config),
            config: dv(&config),
            prior_private: b"x".to_vec(),
            ..Default::default()
        })
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let planned = resp.planned_state.unwrap().msgpack;
    assert!(
        planned.windows(3).any(|w| w == [0xd4, 0, 0]),
        "unknown id as d4 00 00"
    );
    assert_eq!(resp.requires_replace.len(), 1);
    assert_eq!(resp.planned_private, b"x");
    assert!(resp.deferred.is_none() && !resp.legacy_type_system);

    // Destroy: null proposal, null plan, the resource is not asked.
    let resp = svc
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&config),
            proposed_new_state: dv(&Value::Null),
            config: dv(&Value::Null),
            prior_private: b"keep".to_vec(),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.planned_state.unwrap().msgpack, [0xc0]);
    assert_eq!(resp.planned_private, b"keep");
    assert_eq!(*thing_rs.calls.lock().unwrap(), ["plan"]);
}

#[tokio::test]
async fn a_state_outside_the_schema_is_reported_as_a_provider_bug() {
    let (svc, thing_rs) = service();
    let mut bad = thing(Value::string("1"), "n", Value::Null);
    if let Value::Object(m) = &mut bad {
        m.insert("extra".into(), Value::Null);
    }
    thing_rs.answer(bad);
    let resp = svc
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
            planned_state: dv(&thing(Value::Unknown, "n", Value::Null)),
            ..Default::default()
        })
        .await;
    assert!(resp.new_state.is_none());
    assert!(
        resp.diagnostics[0]
            .detail
            .contains("\"extra\" is not in the schema"),
        "{:?}",
        resp.diagnostics
    );
    assert!(resp.diagnostics[0].detail.contains("bug in the provider"));
}

/// One ApplyResourceChange is one call of the resource, chosen by the server: a create from
/// a null prior state, a delete to a null planned state, an update otherwise. A delete is
/// answered with a null state whether it failed or not (core keeps the prior state after a
/// failed one), and no private bytes.
#[tokio::test]
async fn apply_calls_exactly_one_of_create_update_and_delete() {
    let (svc, thing_rs) = service();
    let stored = thing(Value::string("1"), "n", Value::Null);
    thing_rs.answer(stored.clone());
    let apply = |prior: &Value, planned: &Value| pb::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior),
        planned_state: dv(planned),
        config: dv(&Value::Null),
        planned_private: b"pp".to_vec(),
        ..Default::default()
    };
    let created = svc
        .apply_resource_change(apply(
            &Value::Null,
            &thing(Value::Unknown, "n", Value::Null),
        ))
        .await;
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    assert_eq!(undv(&created.new_state), stored);
    assert_eq!(created.private, b"p");
    let renamed = thing(Value::string("1"), "m", Value::Null);
    let updated = svc.apply_resource_change(apply(&stored, &renamed)).await;
    assert_eq!(undv(&updated.new_state), stored);
    let deleted = svc
        .apply_resource_change(apply(&stored, &Value::Null))
        .await;
    assert!(deleted.diagnostics.is_empty(), "{:?}", deleted.diagnostics);
    assert_eq!(deleted.new_state.unwrap().msgpack, [0xc0]);
    assert!(deleted.private.is_empty());

    thing_rs
        .delete_diagnostics
        .lock()
        .unwrap()
        .error("Deleting the thing failed", "The API said no.");
    let failed = svc
        .apply_resource_change(apply(&stored, &Value::Null))
        .await;
    assert_eq!(failed.new_state.unwrap().msgpack, [0xc0]);
    assert_eq!(failed.diagnostics.len(), 1);
    assert_eq!(failed.diagnostics[0].summary, "Deleting the thing failed");

    // no object before or after: nothing to ask the resource
    let nothing = svc
        .apply_resource_change(apply(&Value::Null, &Value::Null))
        .await;
    assert!(nothing.diagnostics.is_empty());
    assert_eq!(
        *thing_rs.calls.lock().unwrap(),
        ["create pp", "update 1 pp", "delete 1 pp", "delete 1 pp"]
    );
}

#[tokio::test]
async fn read_null_means_gone_and_import_needs_an_object() {
    let (svc, thing_rs) = service();
    thing_rs.answer(Value::Null);
    let resp = svc
        .read_resource(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&thing(Value::string("1"), "n", Value::Null)),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.new_state.unwrap().msgpack, [0xc0]);

    let resp = svc
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "42".into(),
            ..Default::default()
        })
        .await;
    assert!(resp.imported_resources.is_empty());
    assert!(resp.diagnostics[0].summary.contains("non-existent"));

    let found = thing(Value::string("42"), "n", Value::Null);
    thing_rs.answer(found.clone());
    let resp = svc
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "42".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(resp.imported_resources.len(), 1);
    assert_eq!(resp.imported_resources[0].type_name, "test_thing");
    assert_eq!(undv(&resp.imported_resources[0].state), found);
}

#[tokio::test]
async fn invalid_configuration_points_at_the_attribute() {
    let (svc, _) = service();
    // {"id": nil, "name": 5, "size": nil}: name must be a string.
    let msgpack = vec![
        0x83, 0xa2, b'i', b'd', 0xc0, 0xa4, b'n', b'a', b'm', b'e', 0x05, 0xa4, b's', b'i', b'z',
        b'e', 0xc0,
    ];
    let resp = svc.validate_resource_config(pb::validate_resource_config::Request {
        type_name: "test_thing".into(),
        config: Some(pb::DynamicValue {
            msgpack,
            json: vec![],
        }),
        client_capabilities: None,
    });
    let d = &resp.diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
    assert_eq!(
        d.attribute,
        Some(convert::attribute_path(&AttributePath::attr("name")))
    );
}
