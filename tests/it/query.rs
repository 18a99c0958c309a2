//! `terraform query` (Terraform 1.14+) at the protocol level: call scripts (d) and (e) of
//! `terraform-identity-list-contract.md` §7 played by `support::core` against the
//! simulator, consuming the ListResource stream exactly as core does (§4.4), in both
//! schema modes; and what listing costs in API calls.

use std::time::Duration;

use qualys_pm::Job;
use serde_json::json;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::Value;

use crate::support::core::{
    call, check_identity, decode, dv, ident, no_errors, null_object, set, Proc, SchemaMode,
    Session, JOB,
};
use crate::support::plugin::server_streaming;
use crate::support::simulator::Simulator;

const MODES: [SchemaMode; 2] = [SchemaMode::Uncached, SchemaMode::Cached];

/// 7 Linux jobs (`linux 0`..`linux 6`) and 3 Windows jobs (`windows 0`..`windows 2`).
async fn seed(sim: &Simulator) -> Vec<(String, String, String)> {
    let client = sim.client();
    let mut jobs = Vec::new();
    for (platform, n) in [("Linux", 7), ("Windows", 3)] {
        for i in 0..n {
            let name = format!("{} {i}", platform.to_lowercase());
            let job = Job::from_json(json!({
                "name": name, "type": "Install", "platform": platform, "scheduleType": "Weekly",
                "startDateTime": "2030-01-06 09:00:00 AM", "recurringWeekDays": "0,1,0,0,0,0,0",
                "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
                "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
            }))
            .unwrap();
            let created = client.create_job(&job).await.expect("seed a job");
            let id = created.id.clone().expect("id");
            jobs.push((id, name, platform.to_owned()));
        }
    }
    jobs
}

/// The list block's config.
fn list_config(p: &Proc, set_attrs: &[(&str, Value)]) -> Value {
    let mut c = null_object(&p.schema.list_config_ty);
    for (k, v) in set_attrs {
        set(&mut c, k, v.clone());
    }
    c
}

async fn validate_list(p: &Proc, config: &Value) -> Vec<pb::Diagnostic> {
    let r: pb::validate_list_resource_config::Response = call(
        &p.ch,
        "/tfplugin6.Provider/ValidateListResourceConfig",
        pb::validate_list_resource_config::Request {
            type_name: JOB.into(),
            config: Some(dv(config, &p.schema.list_config_ty)),
            include_resource_object: None,
            limit: None,
        },
    )
    .await;
    r.diagnostics
}

/// One accepted result, as core keeps it.
#[derive(Debug)]
struct Found {
    identity: Value,
    display_name: String,
    /// Decoded only when resource objects were asked for (core ignores it otherwise).
    object: Option<Value>,
    object_sent: bool,
}

/// ListResource consumed as core does: no `Recv` once `limit` results are in (then the
/// stream is dropped: cancelled); an error diagnostic fails the block; after warnings an
/// event without identity is skipped; a missing identity is core's error.
async fn list(p: &Proc, config: &Value, include: bool, limit: i64) -> Vec<Found> {
    let mut stream = server_streaming::<_, pb::list_resource::Event>(
        &p.ch,
        "/tfplugin6.Provider/ListResource",
        pb::list_resource::Request {
            type_name: JOB.into(),
            config: Some(dv(config, &p.schema.list_config_ty)),
            include_resource_object: include,
            limit,
        },
    )
    .await
    .expect("ListResource");
    let mut found = Vec::new();
    let mut warned = false;
    while (found.len() as i64) < limit {
        let Some(event) = stream.message().await.expect("ListResource stream") else {
            break;
        };
        no_errors(&event.diagnostic, "ListResource event");
        warned |= !event.diagnostic.is_empty();
        if warned && event.identity.is_none() {
            continue;
        }
        assert!(
            event
                .identity
                .as_ref()
                .and_then(|i| i.identity_data.as_ref())
                .is_some(),
            "missing identity data in ListResource event for {JOB}"
        );
        let identity = check_identity(&p.schema, event.identity.as_ref(), false, "ListResource")
            .expect("a list result names its job");
        let object = (include && event.resource_object.is_some()).then(|| {
            decode(
                event.resource_object.as_ref(),
                &p.schema.job_ty,
                "resource_object",
            )
        });
        found.push(Found {
            identity,
            display_name: event.display_name,
            object,
            object_sent: event.resource_object.is_some(),
        });
    }
    found
}

fn job_gets(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| {
            r["method"] == "GET"
                && r["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/pm/v1/deploymentjob/"))
        })
        .count()
}

fn listings(sim: &Simulator, platform: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| {
            r["path"] == "/pm/v1/deploymentjobs/summary"
                && r["query"]
                    .as_str()
                    .is_some_and(|q| q.contains(&format!("platform={platform}")))
        })
        .count()
}

fn names(found: &[Found]) -> Vec<String> {
    let mut n: Vec<String> = found.iter().map(|f| f.display_name.clone()).collect();
    n.sort();
    n
}

/// Script (d): validate (with unknowns) then list with a platform filter, with and without
/// resource objects; the objects are what a read returns, the cost what the docs say.
#[tokio::test]
async fn query_lists_jobs_by_platform_name_and_status_with_and_without_objects() {
    for mode in MODES {
        let sim = Simulator::start();
        let jobs = seed(&sim).await;
        let mut session = Session::new(&sim, mode);
        drop(session.process().await); // P1: schema load, list/identity pairing checked
        let p2 = session.process().await;
        let unknown = list_config(&p2, &[("platform", Value::Unknown)]);
        no_errors(
            &validate_list(&p2, &unknown).await,
            "ValidateListResourceConfig (unknowns)",
        );
        drop(p2);

        let p = session.configured().await;
        let linux = list_config(&p, &[("platform", Value::from("Linux"))]);
        no_errors(
            &validate_list(&p, &linux).await,
            "ValidateListResourceConfig",
        );
        let before = sim.requests().len();
        let found = list(&p, &linux, true, 20).await;
        assert_eq!(
            names(&found),
            (0..7).map(|i| format!("linux {i}")).collect::<Vec<_>>(),
            "{mode:?}"
        );
        assert_eq!(
            job_gets(&sim),
            7,
            "{mode:?}: one GET per job with include_resource"
        );
        assert_eq!(
            listings(&sim, "Windows"),
            0,
            "{mode:?}: the other platform is not listed"
        );
        let listing_calls = sim.requests().len() - before - 7;
        // the object is the one a read after an import returns
        let first = &found[0];
        let id = first.identity.get("id").as_str().unwrap().to_owned();
        assert!(jobs
            .iter()
            .any(|(jid, _, platform)| *jid == id && platform == "Linux"));
        let imported = p.import(None, Some(&ident(&id))).await;
        let (read, _) = p.read(&imported).await;
        let object = first
            .object
            .clone()
            .expect("resource_object with include_resource");
        assert!(object.is_wholly_known());
        assert_eq!(
            object, read.state,
            "{mode:?}: the list object is what a read returns"
        );

        let gets = job_gets(&sim);
        let without = list(&p, &linux, false, 20).await;
        assert_eq!(without.len(), 7);
        assert!(without.iter().all(|f| !f.object_sent && f.object.is_none()));
        assert_eq!(
            job_gets(&sim),
            gets,
            "{mode:?}: no GET without include_resource"
        );

        let all = list(&p, &list_config(&p, &[]), false, 100).await;
        assert_eq!(all.len(), 10, "{mode:?}: both platforms when none is given");
        let some = list(
            &p,
            &list_config(&p, &[("name_regex", Value::from("^linux [0-2]$"))]),
            false,
            100,
        )
        .await;
        assert_eq!(names(&some), ["linux 0", "linux 1", "linux 2"]);
        let enabled = list(
            &p,
            &list_config(&p, &[("status", Value::from("Enabled"))]),
            false,
            100,
        )
        .await;
        assert!(enabled.is_empty(), "{mode:?}: every seeded job is Disabled");
        let disabled = list(
            &p,
            &list_config(&p, &[("status", Value::from("Disabled"))]),
            false,
            100,
        )
        .await;
        assert_eq!(disabled.len(), 10);
        eprintln!("{mode:?}: listing one platform of 7 jobs costs {listing_calls} call(s) (auth included)");
    }
}

/// `limit = 3` over 10 jobs: exactly 3 events are read and the provider stops listing (no
/// further GET, the second platform never listed); `limit = 0` reads nothing and costs
/// nothing; a stream dropped early is a quiet, normal end.
#[tokio::test]
async fn query_limit_is_honoured_and_a_cancelled_stream_stops_quietly() {
    let sim = Simulator::start();
    seed(&sim).await;
    let mut session = Session::new(&sim, SchemaMode::Uncached);
    let p = session.configured().await;
    let any = list_config(&p, &[]);
    // Windows is listed first: its 3 jobs
    let three = list(&p, &any, true, 3).await;
    assert_eq!(three.len(), 3);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        job_gets(&sim),
        3,
        "one GET per result read, none past the limit"
    );
    assert_eq!(
        listings(&sim, "Linux"),
        0,
        "the limit was reached before Linux was listed"
    );

    let five = list(&p, &any, true, 5).await;
    assert_eq!(five.len(), 5);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(job_gets(&sim), 3 + 5);

    let before = sim.requests().len();
    assert!(list(&p, &any, true, 0).await.is_empty());
    assert_eq!(sim.requests().len(), before, "limit 0: no API call");

    // Terraform drops the stream: the provider stops and keeps serving
    let mut stream = server_streaming::<_, pb::list_resource::Event>(
        &p.ch,
        "/tfplugin6.Provider/ListResource",
        pb::list_resource::Request {
            type_name: JOB.into(),
            config: Some(dv(&any, &p.schema.list_config_ty)),
            include_resource_object: true,
            limit: 100,
        },
    )
    .await
    .unwrap();
    let gets = job_gets(&sim);
    stream.message().await.unwrap().expect("a first event");
    drop(stream);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_cancel = job_gets(&sim) - gets;
    assert!(
        after_cancel <= 3,
        "listing stopped after the cancel ({after_cancel} GETs of 10)"
    );
    no_errors(&validate_list(&p, &any).await, "the provider still serves");
    let bad = list_config(
        &p,
        &[
            ("platform", Value::from("Solaris")),
            ("name_regex", Value::from("([")),
        ],
    );
    let diags = validate_list(&p, &bad).await;
    let text = format!("{diags:?}");
    assert!(
        text.contains("platform") && text.contains("Windows") && text.contains("name_regex"),
        "{text}"
    );
}

/// Script (e): `terraform query -generate-config-out`: objects forced on, one
/// GenerateResourceConfig per result, and the follow-up plan of each generated resource
/// with its `import { identity = ... }` block is a no-op.
#[tokio::test]
async fn query_generate_config_out_gives_configurations_that_plan_clean() {
    for mode in MODES {
        let sim = Simulator::start();
        seed(&sim).await;
        let mut session = Session::new(&sim, mode);
        let p = session.configured().await;
        let windows = list_config(&p, &[("platform", Value::from("Windows"))]);
        no_errors(
            &validate_list(&p, &windows).await,
            "ValidateListResourceConfig",
        );
        let found = list(&p, &windows, true, 100).await;
        assert_eq!(found.len(), 3);
        let mut generated = Vec::new();
        for f in &found {
            let object = f.object.clone().expect("objects are forced on");
            let r = p.generate_config(Some(&object)).await;
            no_errors(&r.diagnostics, "GenerateResourceConfig");
            let config = decode(r.config.as_ref(), &p.schema.job_ty, "config");
            assert_eq!(config.get("name").as_str(), Some(f.display_name.as_str()));
            generated.push((f.identity.clone(), config));
        }
        drop(p);
        // the follow-up `terraform plan` of the generated file
        let p = session.configured().await;
        for (identity, config) in &generated {
            let imported = p.import(None, Some(identity)).await;
            let (refreshed, _) = p.read(&imported).await;
            assert_eq!(refreshed.identity.as_ref(), Some(identity));
            no_errors(&p.validate_resource(config).await, "ValidateResourceConfig");
            let (planned, planned_identity, _) = p.plan(&refreshed, config).await;
            assert_eq!(planned, refreshed.state, "{mode:?}: no-op import");
            assert_eq!(planned_identity.as_ref(), Some(identity));
        }
    }
}
