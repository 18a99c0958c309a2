//! The typed Qualys PM client, driven against the simulator.

use std::sync::Arc;
use std::time::Duration;

use qualys_pm::{Client, ClientConfig, Credentials, Error, Job, JobStatus};
use serde_json::{json, Value};

use crate::support::same_scalar;
use crate::support::simulator::{fault_seed, fixture, Simulator};

fn job(v: Value) -> Job {
    Job::from_json(v).expect("decode job")
}

/// A small valid Windows job.
fn windows_job(name: &str) -> Job {
    job(json!({
        "name": name, "type": "Install", "platform": "Windows", "status": "Disabled",
        "scheduleType": "On-demand", "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
        "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
    }))
}

fn weekly_job(name: &str) -> Job {
    job(json!({
        "name": name, "type": "Install", "platform": "Windows", "scheduleType": "Weekly",
        "startDateTime": "2030-01-06 09:00:00 AM", "recurringWeekDays": "0,1,0,0,0,0,0",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"], "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
    }))
}

/// Every field of `input` is in `output` with the same (canonicalised) value; a `null` may
/// be written as `null` or left out.
fn assert_fields_kept(input: &Value, output: &Value, path: &str) {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => {
            for (k, v) in i {
                match o.get(k) {
                    Some(ov) => assert_fields_kept(v, ov, &format!("{path}.{k}")),
                    None => assert!(v.is_null(), "{path}.{k} = {v} was dropped by to_json"),
                }
            }
        }
        (Value::Array(i), Value::Array(o)) => {
            assert_eq!(i.len(), o.len(), "{path}: array length");
            for (n, (a, b)) in i.iter().zip(o).enumerate() {
                assert_fields_kept(a, b, &format!("{path}[{n}]"));
            }
        }
        (a, b) => assert!(same_scalar(a, b), "{path}: {a} became {b}"),
    }
}

const FIXTURES: [&str; 9] = [
    "create-windows-with-actions.request.json",
    "create-windows-with-actions.response.json",
    "create-linux-makecache.response.json",
    "update-windows.request.json",
    "update-windows.response.json",
    "update-linux-rollback.request.json",
    "update-linux-rollback.response.json",
    "update-chained-job.request.json",
    "update-chained-job.response.json",
];

#[test]
fn every_fixture_round_trips_through_the_model_keeping_every_field() {
    for name in FIXTURES {
        let input = fixture(name);
        let decoded = job(input.clone());
        let output = decoded.to_json();
        assert_fields_kept(&input, &output, name);
        assert_eq!(
            Job::from_json(output.clone()).expect("decode again"),
            decoded,
            "{name}: decode(encode(x)) == x"
        );
        // Canonical types on the wire.
        for key in [
            "patchTuesdayPlusXDays",
            "customPatchURLId",
            "dayOfMonth",
            "timeout",
        ] {
            assert!(
                output[key].is_null() || output[key].is_number(),
                "{name}: {key} = {}",
                output[key]
            );
        }
        assert!(
            output["minimizeWindow"].is_null() || output["minimizeWindow"].is_boolean(),
            "{name}"
        );
        let pct = &output["notification"]["notificationConfigs"]["completedPercentage"];
        assert!(
            pct.is_null() || pct.is_number(),
            "{name}: completedPercentage {pct}"
        );
    }
}

#[test]
fn fixture_responses_decode_to_the_expected_values() {
    let created = job(fixture("create-windows-with-actions.response.json"));
    assert_eq!(
        created.id.as_deref(),
        Some("e8eff303-9532-4a70-a399-b9dec57b4918")
    );
    assert_eq!(
        created.customer_id.as_deref(),
        Some("2e5bc89e-4670-d067-83f2-b873a00f4531")
    );
    assert_eq!(created.job_type.as_deref(), Some("Install"));
    assert_eq!(created.minimize_window, Some(true));
    assert_eq!(created.asset_tag_ids, Some(vec![]));
    assert_eq!(created.match_all_tag_ids, None);
    assert_eq!(created.timeout, Some(6));
    assert_eq!(created.download_randomize_time, Some(2));
    assert_eq!(
        created.start_date_time.as_deref(),
        Some("2025-4-14 01:45:48 PM")
    );
    let n = created.notification.as_ref().expect("notification");
    assert_eq!(
        n.notification_configs
            .as_ref()
            .and_then(|c| c.completed_percentage),
        Some(80)
    );
    assert_eq!(
        n.notification_types.as_ref().and_then(|t| t.email),
        Some(true)
    );
    assert_eq!(
        n.notification_events
            .as_ref()
            .and_then(|e| e.on_job_complete),
        Some(false)
    );
    let r = created
        .reattempt_failed_patches
        .as_ref()
        .expect("reattempt");
    assert_eq!(
        (r.no_of_reattempts, r.exponential_backoff_interval),
        (Some(5), Some(15))
    );
    assert_eq!(created.enable_reattempt_failed_patches, Some(true));
    let pre = created.pre_deploy_actions.as_ref().expect("pre actions");
    assert_eq!(pre.len(), 3);
    assert_eq!(
        pre[0].script.as_deref(),
        Some("2e5bc89e-4670-d067-83f2-b873a00f4531/e4fac150-804b-4857-ae9b-606d1b136b20/Script")
    );
    assert_eq!(pre[0].params.as_ref().and_then(|p| p.timeout), Some(180));
    assert_eq!(
        pre[1]
            .params
            .as_ref()
            .and_then(|p| p.reg_value.clone())
            .as_deref(),
        Some("dHJ1ZQ==")
    );
    assert_eq!(
        pre[1].params.as_ref().and_then(|p| p.reg_key_add_new),
        Some(false)
    );
    assert_eq!(pre[2].action_type.as_deref(), Some("predeploy"));
    let post = created.post_deploy_actions.as_ref().expect("post actions");
    assert_eq!(
        post[0].params.as_ref().and_then(|p| p.download_protocol),
        Some(0)
    );
    assert_eq!(
        post[2].params.as_ref().and_then(|p| p.install_method),
        Some(1)
    );
    assert_eq!(
        post[1]
            .params
            .as_ref()
            .and_then(|p| p.uninstall_software_version_match.clone())
            .as_deref(),
        Some("Equals")
    );
    let pd = created.post_deployment.as_ref().expect("postDeployment");
    assert_eq!(pd.reboot_honor_on_user_login, Some(false));
    assert_eq!(
        pd.reboot_option
            .as_ref()
            .and_then(|o| o.deferment.as_ref())
            .and_then(|d| d.count),
        Some(3)
    );
    assert_eq!(
        pd.on_complete
            .as_ref()
            .and_then(|o| o.always_show_completed_prompt),
        Some(false)
    );
    let pre_dep = created.pre_deployment.as_ref().expect("preDeployment");
    assert_eq!(
        pre_dep
            .deferment
            .as_ref()
            .and_then(|d| d.interval_unit.clone())
            .as_deref(),
        Some("HOURS")
    );
    let by = created.created_by.as_ref().expect("createdBy");
    assert_eq!(by.date, Some(1744638348039));
    assert_eq!(
        by.user
            .as_ref()
            .and_then(|u| u.full_name.clone())
            .as_deref(),
        Some("Shilpa Sutar")
    );
    assert!(!created.is_deleted());
    assert!(created.is_run_once());

    let make_cache = job(fixture("create-linux-makecache.response.json"));
    assert_eq!(make_cache.timeout, Some(-1));
    assert_eq!(make_cache.platform.as_deref(), Some("Linux"));
    assert_eq!(make_cache.status.as_deref(), Some("Enabled"));
    assert_eq!(make_cache.dynamic_qql_type, Some(1));
    assert_eq!(make_cache.recurring_week_days.as_deref(), Some(""));
    assert_eq!(make_cache.recurring_last_day_of_month, Some(false));
    let a = &make_cache.pre_deploy_actions.as_ref().expect("actions")[0];
    assert_eq!(a.script.as_deref(), Some("default/MakeCache/makecache"));
    assert_eq!(
        a.params
            .as_ref()
            .and_then(|p| p.default_script_type.clone())
            .as_deref(),
        Some("MakeCache")
    );
    assert_eq!(
        a.params.as_ref().and_then(|p| p.remediation_scope),
        Some(false)
    );
    assert_eq!(make_cache.post_deploy_actions, None);

    let windows = job(fixture("update-windows.response.json"));
    assert_eq!(windows.patch_tuesday_plus_x_days, Some(-12));
    assert_eq!(windows.custom_patch_url_id, Some(1008));
    assert_eq!(windows.deleted_by, None);
    assert_eq!(
        windows.updated_by.as_ref().and_then(|u| u.date),
        Some(1667278337740)
    );
    assert_eq!(windows.post_deploy_actions.as_ref().expect("post")[0].detection_script.as_deref(), Some("bc023fd7-4290-f28f-8181-95a46f519f52/fbef9851-2703-4ae7-b179-910f203796ac/DetectionScript"));
    let request = job(fixture("update-windows.request.json"));
    assert_eq!(
        request.patch_tuesday_plus_x_days,
        Some(-12),
        "the request's \"-12\" string"
    );
    assert_eq!(request.custom_patch_url_id, Some(1008));

    let rollback = job(fixture("update-linux-rollback.response.json"));
    assert_eq!(rollback.job_type.as_deref(), Some("Rollback"));
    assert_eq!(rollback.minimize_window, None);
    assert_eq!(
        rollback.co_author_user_ids,
        Some(vec!["c4c71f94-4ef6-7e6f-8260-11704fa58172".to_owned()])
    );
    let rollback_request = job(fixture("update-linux-rollback.request.json"));
    assert_eq!(
        rollback_request
            .post_deployment
            .as_ref()
            .and_then(|p| p.on_complete.clone()),
        None
    );
    assert_eq!(
        rollback_request.pre_deploy_actions.as_ref().expect("pre")[0]
            .script
            .as_deref(),
        Some("bHM=")
    );

    let chained = job(fixture("update-chained-job.response.json"));
    assert_eq!(chained.chained_job_rule, None, "not echoed at top level");
    let linked = &chained.linked_to_job.as_ref().expect("linkedToJob")[0];
    assert_eq!(linked.status.as_deref(), Some("Prepared"));
    assert_eq!(linked.schedule.as_deref(), Some("On-Demand"));
    assert_eq!(linked.linked_job_reference_count, Some(3));
    let rule = &linked.chained_job_rule.as_ref().expect("rules")[0];
    assert_eq!(rule.threshold, Some(100));
    assert_eq!(
        rule.action_ids,
        Some(vec!["07eed865-d8e2-4cba-9c2a-27eeeef0598a".to_owned()])
    );
    assert_eq!(
        rule.action_details.as_ref().expect("details")[0]
            .params
            .as_ref()
            .and_then(|p| p.file_checksum.clone())
            .as_deref(),
        Some("")
    );
    let chained_request = job(fixture("update-chained-job.request.json"));
    assert_eq!(
        chained_request.chained_job_rule.as_ref().expect("rules")[0].threshold,
        Some(100),
        "the request's \"100\" string"
    );
    assert_eq!(
        chained_request
            .post_deployment
            .as_ref()
            .and_then(|p| p.on_complete.as_ref())
            .and_then(|o| o.always_show_completed_prompt),
        Some(true)
    );
}

#[tokio::test]
async fn create_windows_fixture_through_the_client() {
    let sim = Simulator::start();
    let client = sim.client();
    let request = job(fixture("create-windows-with-actions.request.json"));
    let created = client.create_job(&request).await.expect("create");
    let id = created.id.clone().expect("id");
    let expected = job(fixture("create-windows-with-actions.response.json"));
    // Everything but identities, dates and the author equals the documented response.
    let mut normalised = created.clone();
    normalised.id = expected.id.clone();
    normalised.customer_id = expected.customer_id.clone();
    normalised.created_by = expected.created_by.clone();
    normalised.start_date_time = expected.start_date_time.clone();
    normalised.is_vuln_context = expected.is_vuln_context;
    normalised.remediation_qids = expected.remediation_qids.clone();
    for (mine, theirs) in [
        (
            &mut normalised.pre_deploy_actions,
            &expected.pre_deploy_actions,
        ),
        (
            &mut normalised.post_deploy_actions,
            &expected.post_deploy_actions,
        ),
    ] {
        for (m, t) in mine.iter_mut().flatten().zip(theirs.iter().flatten()) {
            m.action_id = t.action_id.clone();
            m.script = t.script.clone();
        }
    }
    assert_eq!(normalised, expected);
    let customer = created.customer_id.clone().expect("customer id");
    let first = &created.pre_deploy_actions.as_ref().expect("pre")[0];
    assert_eq!(
        first.script,
        Some(format!(
            "{customer}/{}/Script",
            first.action_id.clone().expect("action id")
        ))
    );

    let read = client.get_job(&id).await.expect("get").expect("job exists");
    assert_eq!(read.asset_tag_ids, None, "GET returns [] as null");
    assert_eq!(read.approved_patches, created.approved_patches);
    assert_eq!(read.pre_deploy_actions, created.pre_deploy_actions);
    assert_eq!(sim.count("POST", "/auth"), 1);
}

#[tokio::test]
async fn update_fixtures_through_the_client_keep_action_ids_and_scripts() {
    let sim = Simulator::start();
    let client = sim.client();

    // update-windows: create a job, then PATCH the documented body onto it.
    let body = fixture("update-windows.request.json");
    let mut create_body = body.clone();
    if let Some(m) = create_body.as_object_mut() {
        m.remove("id");
        m.remove("preDeployActions");
        m.remove("postDeployActions");
    }
    let created = client.create_job(&job(create_body)).await.expect("create");
    let id = created.id.clone().expect("id");
    let updated = client.update_job(&id, &job(body)).await.expect("update");
    let expected = job(fixture("update-windows.response.json"));
    assert_eq!(updated.id.as_deref(), Some(id.as_str()), "the path id wins");
    assert_eq!(updated.patch_tuesday_plus_x_days, Some(-12));
    assert_eq!(updated.custom_patch_url_id, Some(1008));
    assert_eq!(updated.notification, expected.notification);
    assert_eq!(updated.approved_patches, expected.approved_patches);
    assert_eq!(
        updated.download_randomize_time_unit,
        expected.download_randomize_time_unit
    );
    let post = &updated.post_deploy_actions.as_ref().expect("post")[0];
    assert_eq!(
        post.detection_script,
        expected.post_deploy_actions.as_ref().expect("post")[0].detection_script,
        "a storage path sent back is kept"
    );
    assert_eq!(
        updated
            .updated_by
            .as_ref()
            .and_then(|u| u.user.as_ref())
            .and_then(|u| u.name.clone())
            .as_deref(),
        Some("qualys")
    );

    // Sending the actions back with their IDs keeps the IDs; new content gets stored.
    let mut again = updated.clone();
    let pre_id = updated.pre_deploy_actions.as_ref().expect("pre")[0]
        .action_id
        .clone();
    if let Some(a) = again
        .pre_deploy_actions
        .as_mut()
        .and_then(|a| a.first_mut())
    {
        a.script = Some("V3JpdGUtT3V0cHV0ICdjaGFuZ2VkJw==".into());
    }
    let again = client.update_job(&id, &again).await.expect("second update");
    let a = &again.pre_deploy_actions.as_ref().expect("pre")[0];
    assert_eq!(a.action_id, pre_id);
    let customer = again.customer_id.clone().expect("customer");
    assert_eq!(
        a.script,
        Some(format!("{customer}/{}/Script", pre_id.clone().expect("id")))
    );
    let scripts = sim.admin_get("/_simulator/scripts").await;
    assert_eq!(
        scripts[a.script.clone().expect("path")],
        json!("V3JpdGUtT3V0cHV0ICdjaGFuZ2VkJw==")
    );

    // update-linux-rollback: onComplete null is filled in; a base64 script becomes a path.
    let body = fixture("update-linux-rollback.request.json");
    let mut create_body = body.clone();
    if let Some(m) = create_body.as_object_mut() {
        m.remove("id");
    }
    let created = client
        .create_job(&job(create_body))
        .await
        .expect("create rollback");
    let id = created.id.clone().expect("id");
    let updated = client
        .update_job(&id, &job(body))
        .await
        .expect("update rollback");
    let on_complete = updated
        .post_deployment
        .as_ref()
        .and_then(|p| p.on_complete.clone())
        .expect("onComplete filled");
    assert_eq!(
        (
            on_complete.user_message.as_deref(),
            on_complete.always_show_completed_prompt
        ),
        (Some(""), Some(false))
    );
    let script = updated.pre_deploy_actions.as_ref().expect("pre")[0]
        .script
        .clone()
        .expect("script");
    assert!(
        script.ends_with("/Script") && script.starts_with(&customer),
        "{script}"
    );
}

#[tokio::test]
async fn chained_job_rules_come_back_under_linked_to_job() {
    let sim = Simulator::start();
    let client = sim.client();
    let parent = job(json!({
        "name": "only pre post", "type": "Install", "platform": "Windows", "scheduleType": "On-demand",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"],
        "postDeployActions": [{"action": "Run Script", "params": {"actionItem": "post"}, "script": "bHM=", "scriptType": "ps"}]
    }));
    let parent = client.create_job(&parent).await.expect("create parent");
    let parent_id = parent.id.clone().expect("parent id");
    let parent_action = parent.post_deploy_actions.as_ref().expect("post")[0]
        .action_id
        .clone()
        .expect("action id");

    let mut body = fixture("update-chained-job.request.json");
    body["linkedJobId"] = json!(parent_id);
    body["chainedJobRule"][0]["actionIds"] = json!([parent_action]);
    let mut create_body = body.clone();
    if let Some(m) = create_body.as_object_mut() {
        m.remove("id");
    }
    let child = client
        .create_job(&job(create_body))
        .await
        .expect("create child");
    let child_id = child.id.clone().expect("child id");
    let updated = client
        .update_job(&child_id, &job(body))
        .await
        .expect("update child");
    assert_eq!(updated.chained_job_rule, None);
    assert_eq!(
        updated
            .post_deployment
            .as_ref()
            .and_then(|p| p.on_complete.as_ref())
            .and_then(|o| o.always_show_completed_prompt),
        Some(true)
    );
    let linked = &updated.linked_to_job.as_ref().expect("linkedToJob")[0];
    assert_eq!(linked.id.as_deref(), Some(parent_id.as_str()));
    assert_eq!(linked.schedule.as_deref(), Some("On-Demand"));
    let rule = &linked.chained_job_rule.as_ref().expect("rule")[0];
    assert_eq!(rule.threshold, Some(100));
    assert_eq!(
        rule.action_details.as_ref().expect("details")[0]
            .action_id
            .as_deref(),
        Some(parent_action.as_str())
    );

    // A job read back carries its rules only under linkedToJob; sent back, they are kept.
    let read = client
        .get_job(&child_id)
        .await
        .expect("get")
        .expect("child");
    assert_eq!(read.chained_job_rule, None);
    let rules = read
        .effective_chained_job_rules()
        .expect("rules from linkedToJob");
    assert_eq!(
        (
            rules[0].threshold,
            rules[0].action_details.clone(),
            rules[0].id.clone()
        ),
        (Some(100), None, None)
    );
    let mut again = read.clone();
    again.chained_job_rule = Some(rules);
    let again = client
        .update_job(&child_id, &again)
        .await
        .expect("patch with rules");
    assert_eq!(again.linked_to_job, updated.linked_to_job);
    let mut dropped = read.clone();
    dropped.chained_job_rule = None;
    let dropped = client
        .update_job(&child_id, &dropped)
        .await
        .expect("patch without rules");
    assert_eq!(
        dropped.linked_to_job.as_ref().expect("linked")[0].chained_job_rule,
        None,
        "full replace: rules not sent are gone"
    );

    // The parent moves on to Prepared once enabled; the child's summary of it follows.
    client
        .set_status(&[&parent_id], JobStatus::Enabled)
        .await
        .expect("enable parent");
    let child = client
        .get_job(&child_id)
        .await
        .expect("get")
        .expect("child");
    assert_eq!(
        child.linked_to_job.as_ref().expect("linked")[0]
            .status
            .as_deref(),
        Some("Prepared")
    );
}

#[tokio::test]
async fn full_lifecycle_of_a_run_once_job() {
    let sim = Simulator::start();
    let client = sim.client();
    let created = client
        .create_job(&windows_job("lifecycle"))
        .await
        .expect("create");
    let id = created.id.clone().expect("id");
    assert_eq!(created.status.as_deref(), Some("Disabled"));

    let mut changed = created.clone();
    changed.description = Some("edited".into());
    let updated = client.update_job(&id, &changed).await.expect("update");
    assert_eq!(updated.description.as_deref(), Some("edited"));

    client
        .set_status(&[&id], JobStatus::Enabled)
        .await
        .expect("enable");
    let read = client.get_job(&id).await.expect("get").expect("exists");
    assert_eq!(
        read.status.as_deref(),
        Some("Prepared"),
        "an enabled On-demand job moves on"
    );

    let err = client
        .set_status(&[&id], JobStatus::Disabled)
        .await
        .expect_err("run-once cannot be disabled");
    assert!(matches!(err, Error::ItemFailed { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("Non-recurring jobs cannot be disabled once enabled by user"),
        "{err}"
    );
    assert!(err.to_string().contains(&id), "{err}");

    let err = client
        .update_job(&id, &changed)
        .await
        .expect_err("enabled run-once cannot be edited");
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains(&id), "{err}");

    client.delete_jobs(&[&id]).await.expect("delete");
    assert!(client
        .get_job(&id)
        .await
        .expect("get after delete")
        .is_none());
    client
        .delete_jobs(&[&id])
        .await
        .expect("deleting a gone job counts as deleted");
    let err = client
        .update_job(&id, &changed)
        .await
        .expect_err("update of a gone job");
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn recurring_job_is_disabled_patched_and_enabled_again() {
    let sim = Simulator::start();
    let client = sim.client();
    let created = client
        .create_job(&weekly_job("weekly"))
        .await
        .expect("create");
    let id = created.id.clone().expect("id");
    assert_eq!(created.recurring, Some(true));
    client
        .set_status(&[&id], JobStatus::Enabled)
        .await
        .expect("enable");
    let mut changed = created.clone();
    changed.recurring_week_days = Some("0,1,0,1,0,0,0".into());
    let err = client
        .update_job(&id, &changed)
        .await
        .expect_err("enabled job cannot be patched");
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err:?}");
    client
        .set_status(&[&id], JobStatus::Disabled)
        .await
        .expect("disable");
    client
        .update_job(&id, &changed)
        .await
        .expect("update while disabled");
    client
        .set_status(&[&id], JobStatus::Enabled)
        .await
        .expect("enable again");
    let read = client.get_job(&id).await.expect("get").expect("exists");
    assert_eq!(
        (read.status.as_deref(), read.recurring_week_days.as_deref()),
        (Some("Enabled"), Some("0,1,0,1,0,0,0"))
    );
}

#[tokio::test]
async fn status_change_of_a_missing_job_fails_per_item() {
    let sim = Simulator::start();
    let client = sim.client();
    let err = client
        .set_status(
            &["6f1c1a52-0000-4000-8000-000000000000"],
            JobStatus::Enabled,
        )
        .await
        .expect_err("missing job");
    assert!(
        err.to_string()
            .contains("6f1c1a52-0000-4000-8000-000000000000"),
        "{err}"
    );
    assert!(err.is_not_found());
    // Enabling needs targets and content: a per-item failure inside HTTP 200.
    let empty = client
        .create_job(&job(
            json!({"name": "empty", "type": "Install", "scheduleType": "On-demand"}),
        ))
        .await
        .expect("create");
    let err = client
        .set_status(&[empty.id.as_deref().expect("id")], JobStatus::Enabled)
        .await
        .expect_err("nothing to deploy");
    assert!(err.to_string().contains("at least one"), "{err}");
}

#[tokio::test]
async fn list_jobs_reads_every_page_and_filters_by_name() {
    let sim = Simulator::start();
    let client = Arc::new(sim.client());
    let mut tasks = Vec::new();
    for n in 0..130 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .create_job(&windows_job(&format!("bulk job {n:03}")))
                .await
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("create");
    }
    let linux = job(
        json!({"name": "bulk job linux", "type": "Install", "platform": "Linux", "scheduleType": "On-demand"}),
    );
    client.create_job(&linux).await.expect("create linux");

    let all = client.list_jobs("Windows", None).await.expect("list");
    assert_eq!(all.len(), 130);
    assert!(all
        .iter()
        .all(|s| s.platform.as_deref() == Some("Windows") && !s.id.is_empty()));
    let pages: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r["path"] == "/pm/v1/deploymentjobs/summary")
        .map(|r| r["query"].as_str().unwrap_or_default().to_owned())
        .collect();
    // pages of 1000 (several full pages: batches::concurrent_reads_share_one_listing_per_platform)
    assert_eq!(
        pages.len(),
        2,
        "page 0 holds the jobs, page 1 is empty: {pages:?}"
    );
    assert!(pages[0].contains("pageSize=1000") && pages[1].contains("pageNumber=1"));

    let found = client
        .find_jobs_by_name("bulk job 007", None)
        .await
        .expect("find");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name.as_deref(), Some("bulk job 007"));
    let linux_found = client
        .find_jobs_by_name("bulk job linux", None)
        .await
        .expect("find linux");
    assert_eq!(linux_found.len(), 1);
    let some = client
        .list_jobs("Windows", Some("name:\"bulk job 00\""))
        .await
        .expect("exact filter");
    assert_eq!(some.len(), 0, "quoted = exact");
    let some = client
        .list_jobs("Windows", Some("name:00 and status:Disabled"))
        .await
        .expect("contains filter");
    assert_eq!(some.len(), 11, "bulk job 000..009 and 100");
    let some = client
        .list_jobs("Windows", Some("name:job"))
        .await
        .expect("contains filter");
    assert_eq!(some.len(), 130);
}

#[tokio::test]
async fn throttling_and_transient_failures_are_retried_without_duplicates() {
    let sim = Simulator::start();
    let client = sim.client();
    let created = client
        .create_job(&windows_job("warm-up"))
        .await
        .expect("create");
    let id = created.id.clone().expect("id");

    sim.fail_next(&[429, 429]).await;
    let second = client
        .create_job(&windows_job("after 429"))
        .await
        .expect("create is retried after 429");
    sim.fail_next(&[503, 429, 502, 504]).await;
    assert!(client.get_job(&id).await.expect("get retried").is_some());
    sim.fail_next(&[503, 429]).await;
    client
        .update_job(&id, &created)
        .await
        .expect("update retried");
    sim.fail_next(&[503, 503]).await;
    client
        .set_status(&[&id], JobStatus::Enabled)
        .await
        .expect("status retried");
    sim.fail_next(&[429, 503]).await;
    client
        .list_jobs("Windows", None)
        .await
        .expect("list retried");
    sim.fail_next(&[504, 429]).await;
    client
        .delete_jobs(&[&id, second.id.as_deref().expect("id")])
        .await
        .expect("delete retried");
    assert_eq!(sim.stored_jobs().await.len(), 0);
    assert_eq!(
        sim.count("POST", "/pm/v1/deploymentjob"),
        4,
        "2 creates + 2 throttled attempts"
    );

    // Random 429/503 on every endpoint, /auth included: a busy session still converges, and
    // the server holds exactly the jobs whose create succeeded.
    let seed = fault_seed("noisy client session");
    let noisy = Simulator::start_with(&["--fault-rate", "0.3", "--fault-seed", &seed]);
    let mut config = noisy.config();
    config.max_retries = 12;
    let client = Client::new(config).expect("client");
    let mut created = Vec::new();
    for n in 0..12 {
        match client.create_job(&weekly_job(&format!("noisy {n}"))).await {
            Ok(j) => created.push(j.id.expect("id")),
            Err(e) => assert!(
                e.is_create_outcome_unknown(),
                "only an unretryable 503 may fail a create: {e}"
            ),
        }
    }
    for id in &created {
        client
            .set_status(&[id], JobStatus::Enabled)
            .await
            .expect("enable under faults");
        assert!(client
            .get_job(id)
            .await
            .expect("get under faults")
            .is_some());
    }
    let stored = noisy.stored_jobs().await;
    assert_eq!(stored.len(), created.len(), "no duplicate jobs");
    for id in &created {
        client
            .delete_jobs(&[id])
            .await
            .expect("delete under faults");
    }
    assert!(noisy.stored_jobs().await.is_empty());
}

#[tokio::test]
async fn retry_after_is_honoured_and_retries_are_bounded() {
    let sim = Simulator::start();
    let mut config = sim.config();
    config.max_retries = 2;
    let client = Client::new(config).expect("client");
    let id = client
        .create_job(&windows_job("bounded"))
        .await
        .expect("create")
        .id
        .expect("id");
    sim.fail_next(&[503, 503, 503, 503]).await;
    let err = client.get_job(&id).await.expect_err("3 attempts, all 503");
    assert_eq!(err.status(), Some(503));
    assert!(err.to_string().contains(&id), "{err}");
    assert_eq!(sim.count("GET", &format!("/pm/v1/deploymentjob/{id}")), 3);
    sim.fail_next(&[]).await;
}

#[tokio::test]
async fn a_create_is_not_retried_after_an_ambiguous_failure() {
    let sim = Simulator::start();
    let client = sim.client();
    client
        .list_jobs("Windows", None)
        .await
        .expect("warm up the token");
    sim.admin_post("/_simulator/faults", json!({"lose_next": 1}))
        .await;
    let err = client
        .create_job(&windows_job("maybe created"))
        .await
        .expect_err("answer lost");
    assert!(err.is_create_outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("may have been created"), "{err}");
    assert_eq!(sim.count("POST", "/pm/v1/deploymentjob"), 1, "not retried");
    assert_eq!(sim.stored_jobs().await.len(), 1, "the job exists");
    let found = client
        .find_jobs_by_name("maybe created", Some("Windows"))
        .await
        .expect("find");
    assert_eq!(found.len(), 1, "the caller can find it by name");

    // A 503 on create is not retried either (the server may have acted).
    sim.fail_next(&[503]).await;
    let err = client
        .create_job(&windows_job("unsure"))
        .await
        .expect_err("503");
    assert!(err.is_create_outcome_unknown());
    assert_eq!(err.status(), Some(503));
    assert_eq!(sim.count("POST", "/pm/v1/deploymentjob"), 2);
}

#[tokio::test]
async fn an_expired_token_is_fetched_again_once() {
    let sim = Simulator::start();
    let client = sim.client();
    let id = client
        .create_job(&windows_job("expiry"))
        .await
        .expect("create")
        .id
        .expect("id");
    sim.expire_tokens().await;
    assert!(client
        .get_job(&id)
        .await
        .expect("get after expiry")
        .is_some());
    assert_eq!(sim.count("POST", "/auth"), 2, "one new token");
    let statuses: Vec<u64> = sim
        .requests()
        .iter()
        .filter(|r| r["method"] == "GET")
        .map(|r| r["status"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(statuses, vec![401, 200]);

    // A request that keeps getting 401 re-authenticates once, then reports the 401.
    sim.fail_next(&[401, 0, 401]).await; // GET 401, /auth passes, GET 401 again
    let err = client.get_job(&id).await.expect_err("401 twice");
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        sim.count("POST", "/auth"),
        3,
        "at most one new token per failing request"
    );
}

#[tokio::test]
async fn a_token_is_renewed_before_its_exp() {
    let sim = Simulator::start_with(&["--token-ttl", "2"]);
    let client = sim.client();
    let id = client
        .create_job(&windows_job("ttl"))
        .await
        .expect("create")
        .id
        .expect("id");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(client.get_job(&id).await.expect("get").is_some());
    assert!(sim.count("POST", "/auth") >= 2, "a new token after exp");
    assert!(
        sim.requests().iter().all(|r| r["status"] != 401),
        "renewed from exp, no 401 needed"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_token_fetch() {
    let sim = Simulator::start_with(&["--latency-ms", "30"]);
    let client = Arc::new(sim.client());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client.get_job("00000000-0000-4000-8000-000000000000").await
        }));
    }
    for t in tasks {
        assert!(t.await.expect("task").expect("get").is_none());
    }
    assert_eq!(sim.count("POST", "/auth"), 1);
    assert_eq!(
        sim.count(
            "GET",
            "/pm/v1/deploymentjob/00000000-0000-4000-8000-000000000000"
        ),
        20
    );
}

#[tokio::test]
async fn bad_credentials_name_the_cause_and_hide_the_secret() {
    let sim = Simulator::start_with(&["--password", "the-right-one"]);
    let mut config = sim.config();
    config.credentials = Credentials::Password {
        username: "qualys".into(),
        password: "Wr0ng-S3cret!".into(),
    };
    let client = Client::new(config.clone()).expect("client");
    let err = client.get_job("abc").await.expect_err("bad password");
    let text = format!("{err} | {err:?} | {client:?} | {config:?}");
    assert!(
        matches!(
            err,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("rejected the username or password"),
        "{err}"
    );
    assert!(err.to_string().contains("qualys"), "names the user: {err}");
    assert!(!text.contains("Wr0ng-S3cret!"), "{text}");
    assert!(err.is_auth());
    // The simulator's own log never holds the password either.
    let log = std::fs::read_to_string(&sim.request_log).expect("log");
    assert!(!log.contains("Wr0ng-S3cret!") && log.contains("***"));

    // A bad configured token: the API's 401, no token in the error.
    config.credentials = Credentials::Token("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm9wZQ".into());
    let client = Client::new(config).expect("client");
    let err = client.get_job("abc").await.expect_err("bad token");
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("Invalid token"), "{err}");
    assert!(!format!("{err} {err:?}").contains("bm9wZQ"));
    assert_eq!(
        sim.count("POST", "/auth"),
        1,
        "a configured token is used as is"
    );
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let sim = Simulator::start();
    let client = sim.client();
    let mut bad = windows_job("bad timeout");
    bad.timeout = Some(500);
    bad.timeout_unit = Some("HOURS".into());
    let err = client
        .create_job(&bad)
        .await
        .expect_err("timeout out of range");
    assert!(
        matches!(&err, Error::Api { status: 400, code: Some(c), .. } if c == "INVALID_REQUEST"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("timeout") && err.to_string().contains("168"),
        "{err}"
    );
    assert!(!err.is_create_outcome_unknown());
    let mut bad = windows_job("bad pct");
    bad.notification = Some(serde_json::from_value(json!({"notificationTypes": {"email": true}, "notificationConfigs": {"recipientEmails": "a@b.com", "completedPercentage": 101}, "notificationEvents": {"onJobStart": true}})).expect("notification"));
    let err = client.create_job(&bad).await.expect_err("pct out of range");
    assert!(
        err.to_string()
            .contains("notification.notificationConfigs.completedPercentage"),
        "{err}"
    );
    assert_eq!(sim.stored_jobs().await.len(), 0);
}

/// A one-shot-per-connection HTTPS gateway: `/auth` gives a token, everything else 404.
async fn tls_gateway(
    cert: rustls_pki_types::CertificateDer<'static>,
    key: rustls_pki_types::PrivateKeyDer<'static>,
) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server cert");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = tls.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let (status, body) = if request.starts_with(b"POST /auth") {
                    (
                        "201 Created",
                        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.".to_owned(),
                    )
                } else {
                    (
                        "404 Not Found",
                        r#"{"_error":{"errorCode":"404","message":"not found"}}"#.to_owned(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn https_gateways_are_verified_and_an_extra_ca_is_trusted() {
    let ca = crate::support::https::TestCa::new();
    let port = tls_gateway(ca.server_cert.clone(), ca.server_key()).await;

    let url = url::Url::parse(&format!("https://127.0.0.1:{port}")).expect("url");
    let mut config = ClientConfig::new(
        url,
        Credentials::Password {
            username: "u".into(),
            password: "p".into(),
        },
    );
    config.max_retries = 0;
    config.ca_cert_pem = Some(ca.ca_pem.clone().into_bytes());
    let client = Client::new(config.clone()).expect("client");
    assert!(client
        .get_job("x")
        .await
        .expect("the extra CA is trusted")
        .is_none());

    config.ca_cert_pem = None;
    let err = Client::new(config)
        .expect("client")
        .get_job("x")
        .await
        .expect_err("unknown CA");
    assert!(matches!(err, Error::Auth { status: None, .. }), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "names the certificate problem: {err}"
    );
}
