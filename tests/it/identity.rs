//! Resource identity (Terraform 1.12+) at the protocol level: the call scripts (a) to (c)
//! of `terraform-identity-list-contract.md` §7 played by `support::core` against the
//! simulator, in both schema modes, with core's checks applied to every response.

use tfplugin::proto::tfplugin6 as pb;
use tfplugin::{codec, Value};

use crate::support::core::{
    call, check_identity, errors, ident, no_errors, null_object, set, Proc, SchemaMode, Session,
    Stored, JOB,
};
use crate::support::simulator::Simulator;

const MODES: [SchemaMode; 2] = [SchemaMode::Uncached, SchemaMode::Cached];

/// A Weekly Windows job's configuration, every other attribute null.
pub fn job_config(p: &Proc, name: &str) -> Value {
    let mut c = null_object(&p.schema.job_ty);
    set(&mut c, "name", Value::from(name));
    set(&mut c, "schedule_type", Value::from("Weekly"));
    set(
        &mut c,
        "start_date_time",
        Value::from("2030-01-06 09:00:00 AM"),
    );
    set(
        &mut c,
        "recurring_week_days",
        Value::Set(vec![Value::from("Monday")]),
    );
    set(
        &mut c,
        "asset_ids",
        Value::Set(vec![Value::from("38aa48ca-a53f-4591-af01-8bce75de4ce7")]),
    );
    set(
        &mut c,
        "approved_patches",
        Value::Set(vec![Value::from("444ba31a-0f94-3199-870e-ef8ab1a5a477")]),
    );
    c
}

fn no_state() -> Stored {
    Stored {
        state: Value::Null,
        private: Vec::new(),
        identity: None,
    }
}

/// Script (a): `terraform plan -out=p` then `terraform apply p`, creating one job. Returns
/// the stored instance and the configuration.
pub async fn create(session: &mut Session<'_>, name: &str) -> (Stored, Value) {
    // P1 schema load, P2 validate (the name may be unknown there)
    drop(session.process().await);
    let p2 = session.process().await;
    let mut unknown_name = job_config(&p2, name);
    set(&mut unknown_name, "name", Value::Unknown);
    no_errors(
        &p2.validate_resource(&unknown_name).await,
        "ValidateResourceConfig",
    );
    drop(p2);
    // P3 plan
    let p3 = session.configured().await;
    let config = job_config(&p3, name);
    no_errors(
        &p3.validate_resource(&config).await,
        "ValidateResourceConfig",
    );
    let (planned, planned_identity, _) = p3.plan(&no_state(), &config).await;
    assert!(planned.get("id").is_unknown(), "{planned:?}");
    if let Some(i) = &planned_identity {
        assert!(
            i.get("id").is_unknown(),
            "a create plans no known id: {i:?}"
        );
    }
    drop(p3);
    // P4 apply: validate, re-plan, apply
    let p4 = session.configured().await;
    no_errors(
        &p4.validate_resource(&config).await,
        "ValidateResourceConfig",
    );
    let (planned, planned_identity, plan) = p4.plan(&no_state(), &config).await;
    let stored = p4
        .apply(
            &no_state(),
            &planned,
            &config,
            &plan,
            planned_identity.as_ref(),
        )
        .await;
    let id = stored
        .state
        .get("id")
        .as_str()
        .expect("a created job has an id")
        .to_owned();
    assert_eq!(stored.identity, Some(ident(&id)), "apply returns IDENT(id)");
    (stored, config)
}

#[tokio::test]
async fn create_and_apply_return_the_identity_in_both_schema_modes() {
    for mode in MODES {
        let sim = Simulator::start();
        let mut session = Session::new(&sim, mode);
        let (stored, config) = create(&mut session, "identity create").await;
        // the next plan (a fresh process) is a no-op that keeps the identity
        let p = session.configured().await;
        let (refreshed, _) = p.read(&stored).await;
        assert_eq!(refreshed.identity, stored.identity);
        let (planned, planned_identity, _) = p.plan(&refreshed, &config).await;
        assert_eq!(
            planned, refreshed.state,
            "{mode:?}: the plan after apply is a no-op"
        );
        assert_eq!(planned_identity, stored.identity);
        let expected_loads = if mode == SchemaMode::Cached { 1 } else { 5 };
        assert_eq!(session.schema_loads, expected_loads, "{mode:?}");
    }
}

/// Script (b): a state written without identity (any earlier version of this provider, or
/// Terraform before 1.12) gets one on its first read, and the plan after it carries it.
#[tokio::test]
async fn a_state_without_identity_is_backfilled_on_read() {
    for mode in MODES {
        let sim = Simulator::start();
        let mut session = Session::new(&sim, mode);
        let (created, config) = create(&mut session, "identity backfill").await;
        let id = created.state.get("id").as_str().unwrap().to_owned();
        let p = session.configured().await;
        assert_eq!(
            p.schema.identity_version, 0,
            "identity version 0: no UpgradeResourceIdentity for old states"
        );
        let raw = codec::encode_json(&created.state, &p.schema.job_ty).unwrap();
        let up: pb::upgrade_resource_state::Response = call(
            &p.ch,
            "/tfplugin6.Provider/UpgradeResourceState",
            pb::upgrade_resource_state::Request {
                type_name: JOB.into(),
                version: 0,
                raw_state: Some(pb::RawState {
                    json: raw,
                    ..Default::default()
                }),
            },
        )
        .await;
        no_errors(&up.diagnostics, "UpgradeResourceState");
        let upgraded =
            crate::support::core::decode(up.upgraded_state.as_ref(), &p.schema.job_ty, "upgraded");
        let old = Stored {
            state: upgraded,
            private: Vec::new(),
            identity: None,
        };
        let (refreshed, _) = p.read(&old).await;
        assert_eq!(
            refreshed.identity,
            Some(ident(&id)),
            "{mode:?}: the backfill"
        );
        let (planned, planned_identity, _) = p.plan(&refreshed, &config).await;
        assert_eq!(planned, refreshed.state, "{mode:?}: no change");
        assert_eq!(planned_identity, Some(ident(&id)));

        // Were the identity version ever bumped, core would upgrade the stored (absent)
        // identity; the answer must be a present msgpack nil (OpenTofu 1.12 demands one).
        let upgraded_identity: pb::upgrade_resource_identity::Response = call(
            &p.ch,
            "/tfplugin6.Provider/UpgradeResourceIdentity",
            pb::upgrade_resource_identity::Request {
                type_name: JOB.into(),
                version: 0,
                raw_identity: Some(pb::RawState::default()),
            },
        )
        .await;
        no_errors(&upgraded_identity.diagnostics, "UpgradeResourceIdentity");
        let data = upgraded_identity
            .upgraded_identity
            .and_then(|u| u.identity_data);
        assert_eq!(data.map(|d| d.msgpack), Some(vec![0xc0]));

        // Deleted outside terraform: a null state, and no identity with a null id.
        sim.client().delete_jobs(&[id.as_str()]).await.unwrap();
        let (gone, resp) = p.read(&refreshed).await;
        assert!(gone.state.is_null(), "{mode:?}");
        assert!(matches!(&gone.identity, None | Some(_)) && resp.diagnostics.is_empty());
        if let Some(i) = gone.identity {
            assert_eq!(i, ident(&id), "only ever the prior id");
        }
    }
}

/// Script (c): `import { identity = { id = ... } }` and `import { id = ... }`, each then
/// read, its configuration generated (GenerateResourceConfig), validated and planned: a
/// no-op whose planned identity is the imported one.
#[tokio::test]
async fn identity_and_id_imports_return_the_identity_and_generate_a_no_op_configuration() {
    for mode in MODES {
        let sim = Simulator::start();
        let mut session = Session::new(&sim, mode);
        let (created, _) = create(&mut session, "identity import").await;
        let id = created.state.get("id").as_str().unwrap().to_owned();
        for by_identity in [true, false] {
            let what = format!("{mode:?}, by identity: {by_identity}");
            let p = session.configured().await;
            let imported = if by_identity {
                p.import(None, Some(&ident(&id))).await
            } else {
                p.import(Some(&id), None).await
            };
            assert_eq!(imported.identity, Some(ident(&id)), "{what}");
            assert_eq!(
                imported.state.get("id").as_str(),
                Some(id.as_str()),
                "{what}"
            );
            let (refreshed, _) = p.read(&imported).await;
            assert!(
                !refreshed.state.is_null(),
                "Cannot import non-existent remote object"
            );
            assert_eq!(
                refreshed.identity,
                Some(ident(&id)),
                "{what}: the read keeps it"
            );

            let generated = p.generate_config(Some(&refreshed.state)).await;
            no_errors(&generated.diagnostics, "GenerateResourceConfig");
            let config =
                crate::support::core::decode(generated.config.as_ref(), &p.schema.job_ty, "config");
            for name in p.schema.computed_only() {
                assert!(
                    config.get(&name).is_null(),
                    "{what}: computed-only {name} must be null"
                );
            }
            // what someone chose is there; what the API fills in when omitted is not
            assert_eq!(config.get("name").as_str(), Some("identity import"));
            assert_eq!(config.get("schedule_type").as_str(), Some("Weekly"));
            for defaulted in ["platform", "type", "status", "recurring"] {
                assert!(
                    config.get(defaulted).is_null(),
                    "{what}: {defaulted} = {:?}",
                    config.get(defaulted)
                );
            }
            no_errors(
                &p.validate_resource(&config).await,
                "ValidateResourceConfig of the generated config",
            );
            let (planned, planned_identity, _) = p.plan(&refreshed, &config).await;
            assert_eq!(
                planned, refreshed.state,
                "{what}: the plan of the generated config is a no-op"
            );
            assert_eq!(planned_identity, Some(ident(&id)), "{what}");
        }
    }
}

/// Terraform 1.14.0 sends GenerateResourceConfig without a state: an error asking for
/// 1.14.1, never a panic. A null state (a query result without its object) gets a null
/// configuration.
#[tokio::test]
async fn generate_config_without_a_state_asks_for_terraform_1_14_1() {
    let sim = Simulator::start();
    let mut session = Session::new(&sim, SchemaMode::Uncached);
    let p = session.configured().await;
    let absent = p.generate_config(None).await;
    let errs = errors(&absent.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", absent.diagnostics);
    assert!(errs[0].detail.contains("1.14.1 or later"), "{:?}", errs[0]);
    assert!(absent.config.is_none());

    let null = p.generate_config(Some(&Value::Null)).await;
    no_errors(&null.diagnostics, "GenerateResourceConfig of a null state");
    let config = crate::support::core::decode(null.config.as_ref(), &p.schema.job_ty, "config");
    assert!(config.is_null());
    // the provider is still serving
    assert!(check_identity(&p.schema, None, false, "none").is_none());
    let caps = p.schema.response.server_capabilities.unwrap();
    assert!(caps.generate_resource_config);
}

/// The 6.10 RPCs the provider does not serve (actions, state stores) answer gRPC
/// `Unimplemented`, which Terraform reports as "Unsupported plugin method"; the provider
/// keeps serving.
#[tokio::test]
async fn unserved_6_10_rpcs_answer_unimplemented() {
    let sim = Simulator::start();
    let mut session = Session::new(&sim, SchemaMode::Uncached);
    let p = session.process().await;
    let caps = p.schema.response.server_capabilities.unwrap();
    assert!(caps.get_provider_schema_optional && caps.generate_resource_config);
    assert!(!caps.move_resource_state && !caps.plan_destroy);
    assert!(p.schema.response.action_schemas.is_empty());
    assert!(p.schema.response.state_store_schemas.is_empty());
    for path in [
        "/tfplugin6.Provider/PlanAction",
        "/tfplugin6.Provider/InvokeAction",
        "/tfplugin6.Provider/ValidateActionConfig",
        "/tfplugin6.Provider/ValidateStateStoreConfig",
        "/tfplugin6.Provider/ConfigureStateStore",
        "/tfplugin6.Provider/LockState",
        "/tfplugin6.Provider/UnlockState",
        "/tfplugin6.Provider/GetStates",
        "/tfplugin6.Provider/DeleteState",
    ] {
        let status = crate::support::plugin::unary::<
            pb::get_metadata::Request,
            pb::get_metadata::Response,
        >(&p.ch, path, pb::get_metadata::Request {})
        .await
        .expect_err(path);
        assert_eq!(
            status.code(),
            tonic::Code::Unimplemented,
            "{path}: {status:?}"
        );
    }
    let meta: pb::get_metadata::Response = call(
        &p.ch,
        "/tfplugin6.Provider/GetMetadata",
        pb::get_metadata::Request {},
    )
    .await;
    assert_eq!(meta.list_resources.len(), 1);
    assert_eq!(meta.list_resources[0].type_name, JOB);
}
