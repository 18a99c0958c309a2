//! The qualys-pm-simulator on the wire: raw HTTP, no client model, so its quirks are checked
//! as the real API would show them.

use serde_json::{json, Value};

use crate::support::simulator::{fixture, read_log, send_raw, Simulator};

struct Raw {
    url: String,
    token: String,
}

struct Answer {
    status: u16,
    body: Value,
}

impl Raw {
    async fn new(sim: &Simulator) -> Raw {
        Raw {
            url: sim.url.clone(),
            token: sim.token().await,
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Answer {
        let (status, body) = send_raw(&self.url, &self.token, method, path, body).await;
        Answer { status, body }
    }

    async fn create(&self, body: &Value) -> Answer {
        self.send(reqwest::Method::POST, "/pm/v1/deploymentjob", Some(body))
            .await
    }
    async fn get(&self, id: &str) -> Answer {
        self.send(
            reqwest::Method::GET,
            &format!("/pm/v1/deploymentjob/{id}"),
            None,
        )
        .await
    }
    async fn patch(&self, id: &str, body: &Value) -> Answer {
        self.send(
            reqwest::Method::PATCH,
            &format!("/pm/v1/deploymentjob/update/{id}"),
            Some(body),
        )
        .await
    }
    async fn status(&self, ids: &[&str], status: &str) -> Answer {
        self.send(
            reqwest::Method::POST,
            &format!("/pm/v1/deploymentjobs/update/status/{status}"),
            Some(&json!({ "ids": ids })),
        )
        .await
    }
    async fn delete(&self, ids: &[&str]) -> Answer {
        self.send(
            reqwest::Method::DELETE,
            "/pm/v1/deploymentjobs",
            Some(&json!({ "ids": ids })),
        )
        .await
    }
    async fn summary(&self, query: &str) -> Answer {
        self.send(
            reqwest::Method::GET,
            &format!("/pm/v1/deploymentjobs/summary?{query}"),
            None,
        )
        .await
    }
}

fn id_of(a: &Answer) -> String {
    a.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", a.body))
        .to_owned()
}

fn windows_job(name: &str) -> Value {
    json!({
        "name": name, "type": "Install", "platform": "Windows", "scheduleType": "On-demand",
        "assetIds": ["38aa48ca-a53f-4591-af01-8bce75de4ce7"], "approvedPatches": ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
    })
}

/// Compares two job bodies, skipping the keys whose values differ per tenant and time.
fn assert_same_job(actual: &Value, expected: &Value, path: &str, skip: &[&str]) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let ak: Vec<&String> = a.keys().collect();
            let ek: Vec<&String> = e.keys().collect();
            let mut ak_sorted = ak.clone();
            ak_sorted.sort();
            let mut ek_sorted = ek.clone();
            ek_sorted.sort();
            assert_eq!(ak_sorted, ek_sorted, "{path}: keys");
            for (k, v) in e {
                if skip.contains(&k.as_str()) {
                    continue;
                }
                assert_same_job(&a[k], v, &format!("{path}.{k}"), skip);
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: length");
            for (n, (x, y)) in a.iter().zip(e).enumerate() {
                assert_same_job(x, y, &format!("{path}[{n}]"), skip);
            }
        }
        (a, e) => assert_eq!(a, e, "{path}"),
    }
}

const PER_TENANT: [&str; 8] = [
    "id",
    "customerId",
    "createdBy",
    "updatedBy",
    "startDateTime",
    "actionId",
    "script",
    "detectionScript",
];

#[tokio::test]
async fn create_answers_the_documented_response_and_get_turns_empty_lists_into_null() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let request = fixture("create-windows-with-actions.request.json");
    let created = raw.create(&request).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mut expected = fixture("create-windows-with-actions.response.json");
    // isVulnContext / remediationQids: the simulator answers false / [] as the other samples do.
    expected["isVulnContext"] = json!(false);
    expected["remediationQids"] = json!([]);
    assert_same_job(&created.body, &expected, "create", &PER_TENANT);
    let keys: Vec<&String> = created.body.as_object().expect("object").keys().collect();
    let expected_keys: Vec<&String> = expected.as_object().expect("object").keys().collect();
    assert_eq!(keys, expected_keys, "same key order as the API");

    let id = id_of(&created);
    let customer = created.body["customerId"]
        .as_str()
        .expect("customerId")
        .to_owned();
    let script = created.body["preDeployActions"][0]["script"]
        .as_str()
        .expect("script");
    let action_id = created.body["preDeployActions"][0]["actionId"]
        .as_str()
        .expect("actionId");
    assert_eq!(script, format!("{customer}/{action_id}/Script"));
    assert_eq!(
        created.body["startDateTime"]
            .as_str()
            .map(|s| !s.contains("-0")),
        Some(true),
        "unpadded date"
    );
    assert_eq!(created.body["createdBy"]["user"]["name"], json!("qualys"));
    let scripts = sim.admin_get("/_simulator/scripts").await;
    assert_eq!(
        scripts[script], request["preDeployActions"][0]["script"],
        "content stored under the path"
    );

    let read = raw.get(&id).await;
    assert_eq!(read.status, 200);
    for k in [
        "assetTagIds",
        "exclusionAssetIds",
        "exclusionTagIds",
        "coAuthorUserIds",
    ] {
        assert_eq!(
            read.body[k],
            Value::Null,
            "{k}: [] comes back as null on GET"
        );
    }
    assert_eq!(read.body["assetIds"], created.body["assetIds"]);
    assert_eq!(
        read.body["notification"]["notificationConfigs"]["completedPercentage"],
        json!("80")
    );
    assert_eq!(read.body["minimizeWindow"], json!(true));
}

#[tokio::test]
async fn patch_applies_the_documented_type_changes() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let body = fixture("update-windows.request.json");
    let mut create_body = body.clone();
    if let Some(m) = create_body.as_object_mut() {
        for k in ["id", "preDeployActions", "postDeployActions"] {
            m.remove(k);
        }
    }
    let created = raw.create(&create_body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["patchTuesdayPlusXDays"],
        json!(-12),
        "string -> int"
    );
    assert_eq!(
        created.body["customPatchURLId"],
        json!("1008"),
        "kept a string"
    );
    let id = id_of(&created);
    let mut patch_body = body.clone();
    patch_body["minimizeWindow"] = json!("true");
    patch_body["dayOfMonth"] = json!("5");
    let updated = raw.patch(&id, &patch_body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let mut expected = fixture("update-windows.response.json");
    // The API fills these in (the update sample 1 response omits them; later samples show them).
    expected["postDeployment"]["rebootHonorOnUserLogin"] = json!(false);
    expected["postDeployment"]["onComplete"]["alwaysShowCompletedPrompt"] = json!(false);
    expected["dayOfMonth"] = json!(5);
    expected["isDynamicPatchesQQL"] = json!(false);
    expected["patchCount"] = json!(2);
    expected["applicableAssetCount"] = json!(1);
    for list in ["preDeployActions", "postDeployActions"] {
        if let Some(actions) = expected[list].as_array_mut() {
            for a in actions {
                a["actionLinkedToJob"] = json!(false); // sample 1 omits it; the others show it
            }
        }
    }
    for k in [
        "assetDetectionsQQL",
        "jobStartCountdown",
        "passwordAction",
        "subCategory",
        "isVulnContext",
        "remediationQids",
        "isAssetImported",
        "hostIsolationConfig",
        "quarantineAssetRequestNotification",
        "enableReattemptFailedPatches",
        "reattemptFailedPatches",
    ] {
        expected[k] = updated.body[k].clone();
    }
    assert_same_job(&updated.body, &expected, "update", &PER_TENANT);
    assert_eq!(
        updated.body["minimizeWindow"],
        json!(true),
        "\"true\" -> true"
    );
    assert_eq!(
        updated.body["id"],
        json!(id),
        "the path id wins over the body id"
    );
    assert_eq!(updated.body["deletedBy"], Value::Null);
    assert_eq!(
        updated.body["postDeployActions"][0]["detectionScript"],
        body["postDeployActions"][0]["detectionScript"],
        "a storage path sent back is kept"
    );
}

#[tokio::test]
async fn linux_rollback_and_makecache_samples() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let body = fixture("update-linux-rollback.request.json");
    let mut create_body = body.clone();
    if let Some(m) = create_body.as_object_mut() {
        m.remove("id");
    }
    let created = raw.create(&create_body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = id_of(&created);
    let pre_action = created.body["preDeployActions"][0]["actionId"].clone();
    let mut patch_body = body.clone();
    patch_body["preDeployActions"][0]["actionId"] = pre_action.clone();
    let updated = raw.patch(&id, &patch_body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let expected = fixture("update-linux-rollback.response.json");
    assert_eq!(
        updated.body["postDeployment"]["onComplete"], expected["postDeployment"]["onComplete"],
        "null onComplete filled in"
    );
    assert_eq!(
        updated.body["preDeployActions"][0]["actionId"], pre_action,
        "action id kept"
    );
    assert_eq!(updated.body["minimizeWindow"], json!(false));
    assert!(updated.body["preDeployActions"][0]["script"]
        .as_str()
        .is_some_and(|s| s.ends_with("/Script")));

    // MakeCache: created Enabled with the default script; GET then reports Prepared.
    let make_cache = json!({
        "name": "Demo_MakeCache", "type": "Install", "platform": "Linux", "status": "Enabled", "scheduleType": "On-demand",
        "timeout": -1, "dynamicQQLType": 1, "dynamicPatchesQQL": "", "assetIds": ["08a028e6-7e1d-4dbf-b040-48d9059dee08"],
        "assetTagIds": [], "matchAllTagIds": [], "exclusionTagIds": [], "exclusionAssetIds": [], "coAuthorUserIds": [], "approvedPatches": [],
        "recurringWeekDays": "", "recurringLastDayOfMonth": false,
        "preDeployActions": [{"action": "Run Script", "params": {"actionItem": "makecache Pre-Action", "defaultScriptType": "MakeCache"}, "scriptType": "sh", "script": ""}]
    });
    let created = raw.create(&make_cache).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mut expected = fixture("create-linux-makecache.response.json");
    expected["matchAllTagIds"] = json!([]);
    expected["assetDetectionsQQL"] = Value::Null; // present in the other samples
    assert_same_job(&created.body, &expected, "makecache", &PER_TENANT);
    let read = raw.get(&id_of(&created)).await;
    assert_eq!(read.body["status"], json!("Prepared"));
}

#[tokio::test]
async fn chained_rules_are_echoed_only_under_linked_to_job() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let parent = raw
        .create(&json!({
            "name": "only pre post", "type": "Install", "scheduleType": "On-demand", "assetIds": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"],
            "postDeployActions": [{"action": "Run Script", "params": {"actionItem": "post"}, "script": "bHM=", "scriptType": "ps"}]
        }))
        .await;
    assert_eq!(parent.status, 201, "{}", parent.body);
    let parent_id = id_of(&parent);
    let action = parent.body["postDeployActions"][0]["actionId"].clone();
    let mut body = fixture("update-chained-job.request.json");
    body["linkedJobId"] = json!(parent_id);
    body["chainedJobRule"][0]["actionIds"] = json!([action]);
    if let Some(m) = body.as_object_mut() {
        m.remove("id");
    }
    let child = raw.create(&body).await;
    assert_eq!(child.status, 201, "{}", child.body);
    assert!(child.body.get("chainedJobRule").is_none());
    let linked = &child.body["linkedToJob"][0];
    assert_eq!(linked["id"], json!(parent_id));
    assert_eq!(
        linked["chainedJobRule"][0]["threshold"],
        json!(100),
        "\"100\" -> 100"
    );
    assert_eq!(linked["chainedJobRule"][0]["id"], Value::Null);
    assert_eq!(
        linked["chainedJobRule"][0]["actionDetails"][0]["actionId"],
        action
    );
    assert_eq!(linked["linkedJobReferenceCount"], json!(1));
    assert_eq!(linked["schedule"], json!("On-Demand"));
    let expected = fixture("update-chained-job.response.json");
    let keys = |v: &Value| {
        v.as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(keys(linked), keys(&expected["linkedToJob"][0]));
    assert_eq!(
        keys(&linked["chainedJobRule"][0]),
        keys(&expected["linkedToJob"][0]["chainedJobRule"][0])
    );

    // PATCH of the documented body: the documented response, but for tenant-specific values.
    let child_id = id_of(&child);
    let updated = raw.patch(&child_id, &body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let mut expected = expected.clone();
    for k in [
        "assetDetectionsQQL",
        "hostIsolationConfig",
        "quarantineAssetRequestNotification",
        "enableReattemptFailedPatches",
        "reattemptFailedPatches",
    ] {
        expected[k] = Value::Null; // absent from this sample, null in the others
    }
    let mut skip = PER_TENANT.to_vec();
    skip.extend(["linkedJobId", "linkedToJob"]);
    assert_same_job(&updated.body, &expected, "chained update", &skip);

    // Rules need a linked job, and action IDs of its post-actions.
    let mut wrong = body.clone();
    wrong["chainedJobRule"][0]["actionIds"] = json!(["07eed865-d8e2-4cba-9c2a-27eeeef0598a"]);
    let answer = raw.create(&wrong).await;
    assert_eq!(
        (answer.status, answer.body["_error"]["field"].clone()),
        (400, json!("chainedJobRule[0].actionIds"))
    );
}

#[tokio::test]
async fn status_rules_for_run_once_and_recurring_jobs() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let once = id_of(&raw.create(&windows_job("run once")).await);
    let mut weekly = windows_job("weekly");
    weekly["scheduleType"] = json!("Weekly");
    weekly["startDateTime"] = json!("2030-1-6 09:00:00 AM");
    weekly["recurringWeekDays"] = json!("0,0,1,0,0,0,0");
    let weekly = id_of(&raw.create(&weekly).await);
    let missing = "11111111-2222-4333-8444-555555555555";

    let answer = raw.status(&[&once, &weekly, missing], "Enabled").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body[0]["status"], json!("success"));
    assert_eq!(answer.body[1]["status"], json!("success"));
    assert_eq!(answer.body[2]["status"], json!("failure"));

    let answer = raw.status(&[&once, &weekly], "Disabled").await;
    assert_eq!(answer.status, 200, "per-item failures come inside HTTP 200");
    assert_eq!(
        answer.body[0],
        json!({"id": once, "name": "run once", "status": "failure", "error": "Non-recurring jobs cannot be disabled once enabled by user"})
    );
    assert_eq!(answer.body[1]["status"], json!("success"));

    let edit = raw.patch(&once, &windows_job("run once edited")).await;
    assert_eq!(
        (edit.status, edit.body["_error"]["field"].clone()),
        (400, json!("status"))
    );
    let mut to_linux = windows_job("weekly");
    to_linux["platform"] = json!("Linux");
    to_linux["approvedPatches"] = Value::Null;
    let edit = raw.patch(&weekly, &to_linux).await;
    assert_eq!(
        (edit.status, edit.body["_error"]["field"].clone()),
        (400, json!("platform")),
        "{}",
        edit.body
    );
    let bad = raw.status(&[&once], "Paused").await;
    assert_eq!(bad.status, 400);

    let deleted = raw.delete(&[&once, missing]).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body[0],
        json!({"id": once, "name": "run once", "status": "success"})
    );
    assert_eq!(deleted.body[1]["status"], json!("failure"));
    let gone = raw.get(&once).await;
    assert_eq!(gone.status, 404);
    assert!(gone.body["_error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("not found")));
    assert_eq!(raw.patch(&once, &windows_job("x")).await.status, 404);
}

#[tokio::test]
async fn every_documented_rule_is_a_400_naming_the_field() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let parent = id_of(&raw.create(&windows_job("parent")).await);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": null}), "name"),
        (json!({"type": "Upgrade"}), "type"),
        (json!({"type": null}), "type"),
        (json!({"platform": "Mac"}), "platform"),
        (json!({"status": "Prepared"}), "status"),
        (json!({"scheduleType": "Hourly"}), "scheduleType"),
        (json!({"scheduleType": "Once"}), "startDateTime"),
        (
            json!({"startDateTime": "2022-02-30 01:18:30 PM"}),
            "startDateTime",
        ),
        (json!({"recurring": true}), "recurring"),
        (json!({"timezoneType": "LOCAL"}), "timezoneType"),
        (json!({"timeout": 169, "timeoutUnit": "HOURS"}), "timeout"),
        (
            json!({"timeout": 10081, "timeoutUnit": "MINUTES"}),
            "timeout",
        ),
        (json!({"timeout": 0}), "timeout"),
        (json!({"timeoutUnit": "DAYS"}), "timeoutUnit"),
        (
            json!({"downloadRandomizeTime": 3, "downloadRandomizeTimeUnit": "HOURS"}),
            "downloadRandomizeTime",
        ),
        (
            json!({"downloadRandomizeTime": 2, "downloadRandomizeTimeUnit": "HOURS", "timeout": 1, "timeoutUnit": "HOURS"}),
            "downloadRandomizeTime",
        ),
        (
            json!({"downloadRandomizeTimeUnit": "SECONDS"}),
            "downloadRandomizeTimeUnit",
        ),
        (
            json!({"scheduleType": "Weekly", "startDateTime": "2030-1-1 01:00:00 AM", "recurringWeekDays": "0,0,0,0,0,0,0"}),
            "recurringWeekDays",
        ),
        (json!({"recurringWeekDays": "1,0,1"}), "recurringWeekDays"),
        (
            json!({"scheduleType": "Monthly", "startDateTime": "2030-1-1 01:00:00 AM"}),
            "dayOfMonth",
        ),
        (json!({"dayOfMonth": 32}), "dayOfMonth"),
        (json!({"dayOfMonth": "zero"}), "dayOfMonth"),
        (json!({"monthlyRecurringType": 2}), "monthlyRecurringType"),
        (
            json!({"patchTuesdayPlusXDays": "-28"}),
            "patchTuesdayPlusXDays",
        ),
        (json!({"recurringDayOfMonth": 6}), "recurringDayOfMonth"),
        (
            json!({"recurringWeekDayOfMonth": 7}),
            "recurringWeekDayOfMonth",
        ),
        (json!({"filterType": "Some"}), "filterType"),
        (
            json!({"exclusionFilterType": "None"}),
            "exclusionFilterType",
        ),
        (json!({"dynamicQQLType": 3}), "dynamicQQLType"),
        (
            json!({"additionalDynamicQQLType": "9"}),
            "additionalDynamicQQLType",
        ),
        (
            json!({"dynamicPatchesQQL": "vendor:Microsoft"}),
            "dynamicPatchesQQL",
        ),
        (
            json!({"type": "Rollback", "approvedPatches": null, "dynamicPatchesQQL": "vendor:Microsoft"}),
            "dynamicPatchesQQL",
        ),
        (json!({"linkedJobId": parent}), "linkedJobId"),
        (
            json!({"approvedPatches": null, "linkedJobId": "99999999-9999-4999-8999-999999999999"}),
            "linkedJobId",
        ),
        (json!({"approvedPatches": [1]}), "approvedPatches[0]"),
        (json!({"assetIds": "a1"}), "assetIds"),
        (json!({"assetIds": ["not-a-uuid"]}), "assetIds[0]"),
        (
            json!({"approvedPatches": ["38aa48ca-a53f-4591-af01-8bce75de4ce7", "x"]}),
            "approvedPatches[1]",
        ),
        (json!({"coAuthorUserIds": ["alice"]}), "coAuthorUserIds[0]"),
        (
            json!({"approvedPatches": null, "linkedJobId": "job-1"}),
            "linkedJobId",
        ),
        (
            json!({"platform": "Linux", "minimizeWindow": "true"}),
            "minimizeWindow",
        ),
        (
            json!({"opportunisticDownloads": true, "platform": "Linux"}),
            "opportunisticDownloads",
        ),
        (
            json!({"continueOnPatchFailure": true}),
            "continueOnPatchFailure",
        ),
        (json!({"minimizeWindow": "yes"}), "minimizeWindow"),
        (json!({"customPatchURLId": "abc"}), "customPatchURLId"),
        (
            json!({"enableReattemptFailedPatches": true}),
            "reattemptFailedPatches",
        ),
        (
            json!({"reattemptFailedPatches": {"noOfReattempts": 6, "exponentialBackoffInterval": 1}}),
            "reattemptFailedPatches.noOfReattempts",
        ),
        (
            json!({"reattemptFailedPatches": {"noOfReattempts": 1, "exponentialBackoffInterval": 16}}),
            "reattemptFailedPatches.exponentialBackoffInterval",
        ),
        (
            json!({"notification": {"notificationTypes": {"email": true}, "notificationConfigs": {"recipientEmails": "a@b.com", "completedPercentage": 0}, "notificationEvents": {"onJobStart": true}}}),
            "notification.notificationConfigs.completedPercentage",
        ),
        (
            json!({"notification": {"notificationTypes": {"email": true}, "notificationConfigs": {"recipientEmails": "a@b.com", "completedPercentage": 50}, "notificationEvents": {"onJobStart": false, "onJobComplete": false}}}),
            "notification.notificationEvents",
        ),
        (
            json!({"notification": {"notificationTypes": {"email": true}, "notificationConfigs": {"recipientEmails": "not-an-email", "completedPercentage": 50}, "notificationEvents": {"onJobStart": true}}}),
            "notification.notificationConfigs.recipientEmails",
        ),
        (
            json!({"postDeployment": {"rebootCountdown": {"intervalUnit": "WEEKS"}}}),
            "postDeployment.rebootCountdown.intervalUnit",
        ),
        (
            json!({"preDeployment": {"deferment": {"count": "many"}}}),
            "preDeployment.deferment.count",
        ),
        (
            json!({"preDeployActions": [{"action": "Format Disk", "params": {"actionItem": "x"}}]}),
            "preDeployActions[0].action",
        ),
        (
            json!({"postDeployActions": [{"action": "System Reboot", "params": {"actionItem": "x"}}]}),
            "postDeployActions[0].action",
        ),
        (
            json!({"preDeployActions": [{"action": "Run Script", "params": {"actionItem": "x"}, "scriptType": "ps"}]}),
            "preDeployActions[0].script",
        ),
        (
            json!({"preDeployActions": [{"action": "Run Script", "params": {"actionItem": "x"}, "script": "not base64!", "scriptType": "ps"}]}),
            "preDeployActions[0].script",
        ),
        (
            json!({"preDeployActions": [{"action": "Run Script", "params": {"actionItem": "x"}, "script": "bHM=", "scriptType": "bat"}]}),
            "preDeployActions[0].scriptType",
        ),
        (
            json!({"preDeployActions": [{"action": "Run Script", "params": {}, "script": "bHM="}]}),
            "preDeployActions[0].params.actionItem",
        ),
        (
            json!({"preDeployActions": [{"action": "Run Script", "params": {"actionItem": "x", "timeout": 0}, "script": "bHM="}]}),
            "preDeployActions[0].params.timeout",
        ),
        (
            json!({"preDeployActions": [{"action": "Install Software", "params": {"actionItem": "x", "downloadURL": "nope"}}]}),
            "preDeployActions[0].params.downloadURL",
        ),
        (
            json!({"preDeployActions": [{"action": "Install Software", "params": {"actionItem": "x", "downloadURL": "https://a.b/c.exe", "installMethod": 2}}]}),
            "preDeployActions[0].params.installMethod",
        ),
        (
            json!({"preDeployActions": [{"action": "Change Registry Key", "params": {"actionItem": "x", "regKey": "SEtFWQ==", "regValue": "dHJ1ZQ==", "regValueType": "REG_FOO"}}]}),
            "preDeployActions[0].params.regValueType",
        ),
        (
            json!({"preDeployActions": [{"action": "Change Registry Key", "params": {"actionItem": "x", "regKey": "plain text!", "regValue": "dHJ1ZQ==", "regValueType": "REG_SZ"}}]}),
            "preDeployActions[0].params.regKey",
        ),
        (
            json!({"preDeployActions": [{"action": "Uninstall Software", "params": {"actionItem": "x"}}]}),
            "preDeployActions[0].params.unInstallSoftwareDisplayName",
        ),
        (
            json!({"preDeployActions": [{"action": "Run Script", "params": {"actionItem": "x", "defaultScriptType": "MakeCache"}, "script": ""}]}),
            "preDeployActions[0].params.defaultScriptType",
        ),
        (
            json!({"platform": "Linux", "preDeployActions": [{"action": "System Reboot", "params": {"actionItem": "x"}}]}),
            "preDeployActions[0].action",
        ),
        (
            json!({"chainedJobRule": [{"field": "postDeployAction", "actionIds": ["x"], "threshold": 50, "condition": "Post Actions were successfully executed"}]}),
            "chainedJobRule",
        ),
        (json!({"status": "Enabled", "assetIds": []}), "status"),
    ];
    for (overlay, field) in cases {
        let mut body = windows_job("validation");
        if let (Some(b), Some(o)) = (body.as_object_mut(), overlay.as_object()) {
            for (k, v) in o {
                b.insert(k.clone(), v.clone());
            }
        }
        let answer = raw.create(&body).await;
        assert_eq!(
            answer.status, 400,
            "{overlay} should be refused: {}",
            answer.body
        );
        assert_eq!(
            answer.body["_error"]["field"],
            json!(field),
            "{overlay}: {}",
            answer.body
        );
        let message = answer.body["_error"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.contains(field),
            "{overlay}: message {message:?} names {field}"
        );
    }
    // Malformed JSON and a non-object body.
    let response = reqwest::Client::new()
        .post(format!("{}/pm/v1/deploymentjob", sim.url))
        .bearer_auth(&raw.token)
        .header("Content-Type", "application/json")
        .body("{\"name\": \"x\",}")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["_error"]["errorCode"], json!("MALFORMED_JSON"));
    assert_eq!(raw.create(&json!([1, 2])).await.status, 400);
    assert_eq!(
        sim.stored_jobs().await.len(),
        1,
        "only the parent was stored"
    );
}

#[tokio::test]
async fn auth_is_required_and_tokens_expire() {
    let sim = Simulator::start_with(&["--token-ttl", "1"]);
    let http = reqwest::Client::new();
    let auth = |body: &'static str| {
        http.post(format!("{}/auth", sim.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let bad = auth("username=qualys&password=nope&token=true&permissions=true")
        .await
        .expect("auth");
    assert_eq!(bad.status().as_u16(), 401);
    let body: Value = bad.json().await.expect("json");
    assert_eq!(
        body,
        json!({"status": 401, "error": "Unauthorized", "message": "Invalid username or password"})
    );
    assert_eq!(
        auth("username=qualys&password=qualys")
            .await
            .expect("auth")
            .status()
            .as_u16(),
        400,
        "token=true is required"
    );

    let no_auth = http
        .get(format!("{}/pm/v1/deploymentjob/x", sim.url))
        .send()
        .await
        .expect("get");
    assert_eq!(no_auth.status().as_u16(), 401);
    let body: Value = no_auth.json().await.expect("json");
    assert_eq!(
        (body["status"].clone(), body["error"].clone()),
        (json!(401), json!("Unauthorized"))
    );
    let no_bearer = http
        .get(format!("{}/pm/v1/deploymentjob/x", sim.url))
        .header("Authorization", sim.token().await)
        .send()
        .await
        .expect("get");
    assert_eq!(
        no_bearer.status().as_u16(),
        401,
        "the Bearer prefix is required"
    );

    let raw = Raw::new(&sim).await;
    assert_eq!(raw.get("x").await.status, 404);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = raw.get("x").await;
    assert_eq!(
        (expired.status, expired.body["message"].clone()),
        (401, json!("JWT expired"))
    );

    let raw = Raw::new(&sim).await;
    sim.expire_tokens().await;
    assert_eq!(raw.get("x").await.body["message"], json!("JWT expired"));
}

#[tokio::test]
async fn summary_list_pages_and_filters() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    for n in 0..5 {
        assert_eq!(
            raw.create(&windows_job(&format!("Patch Tuesday {n}")))
                .await
                .status,
            201
        );
    }
    let linux = raw.create(&json!({"name": "Patch Tuesday linux", "type": "Install", "platform": "Linux", "scheduleType": "On-demand"})).await;
    assert_eq!(linux.status, 201, "{}", linux.body);

    let page0 = raw
        .summary("platform=Windows&pageNumber=0&pageSize=2")
        .await;
    assert_eq!(page0.body.as_array().map(Vec::len), Some(2));
    assert_eq!(page0.body[0]["name"], json!("Patch Tuesday 0"));
    for key in [
        "id",
        "name",
        "type",
        "platform",
        "status",
        "scheduleType",
        "created",
        "updated",
        "isRecurring",
    ] {
        assert!(page0.body[0].get(key).is_some(), "summary has {key}");
    }
    let page2 = raw
        .summary("platform=Windows&pageNumber=2&pageSize=2")
        .await;
    assert_eq!(page2.body.as_array().map(Vec::len), Some(1));
    assert_eq!(
        raw.summary("platform=Windows&pageNumber=3&pageSize=2")
            .await
            .body,
        json!([])
    );
    assert_eq!(
        raw.summary("platform=Linux")
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let exact = raw
        .summary("platform=Windows&filter=name%3A%22Patch%20Tuesday%203%22")
        .await;
    assert_eq!(exact.body.as_array().map(Vec::len), Some(1));
    let contains = raw.summary("filter=name%3Atuesday").await;
    assert_eq!(contains.body.as_array().map(Vec::len), Some(6));
    let by_param = raw.summary("name=Patch%20Tuesday%20linux").await;
    assert_eq!(by_param.body[0]["platform"], json!("Linux"));
    let bad = raw.summary("filter=owner%3Ame").await;
    assert_eq!(
        (bad.status, bad.body["_error"]["field"].clone()),
        (400, json!("filter"))
    );
    assert_eq!(raw.summary("platform=Mac").await.status, 400);
}

#[tokio::test]
async fn the_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path").to_owned();
    let sim = Simulator::start_in(dir, &["--state", &state_arg]);
    let raw = Raw::new(&sim).await;
    let created = raw
        .create(&fixture("create-windows-with-actions.request.json"))
        .await;
    assert_eq!(created.status, 201);
    let id = id_of(&created);
    let before = raw.get(&id).await.body;
    let dir = sim.stop();
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state file"))
            .expect("state is JSON");
    assert!(on_disk["jobs"][&id].is_object());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left: {leftovers:?}");

    let sim = Simulator::start_in(dir, &["--state", &state_arg]);
    let raw = Raw::new(&sim).await;
    let after = raw.get(&id).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body, before);
    assert_eq!(raw.delete(&[&id]).await.status, 200);
    let sim_dir = sim.stop();
    let sim = Simulator::start_in(sim_dir, &["--state", &state_arg]);
    let raw = Raw::new(&sim).await;
    assert_eq!(
        raw.get(&id).await.status,
        404,
        "the delete was persisted too"
    );
}

#[tokio::test]
async fn fault_injection_answers_before_acting_or_loses_answers_after() {
    let sim = Simulator::start_with(&["--fault-rate", "1"]);
    let http = reqwest::Client::new();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let answer = http
            .post(format!("{}/auth", sim.url))
            .body("username=qualys&password=qualys&token=true&permissions=true")
            .send()
            .await
            .expect("auth");
        let status = answer.status().as_u16();
        if status == 429 {
            let wait = answer
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            assert!(matches!(wait.as_deref(), Some("0") | Some("1")), "{wait:?}");
        }
        seen.insert(status);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![429, 503]);
    assert_eq!(
        sim.admin_get("/_simulator/stats").await["tokens_issued"],
        json!(0),
        "decided before acting"
    );
    sim.admin_post(
        "/_simulator/faults",
        json!({"fault_rate": 0.0, "lost_response_rate": 1.0}),
    )
    .await;
    let raw = Raw::new(&sim).await;
    let lost = raw.create(&windows_job("lost")).await;
    assert_eq!(lost.status, 504);
    assert_eq!(sim.stored_jobs().await.len(), 1, "created, answer lost");
    let faults = sim.admin_get("/_simulator/faults").await;
    assert_eq!(faults["lost_response_rate"], json!(1.0));

    // a held answer: the job exists on the server before its creator hears of it
    sim.admin_post(
        "/_simulator/faults",
        json!({"lost_response_rate": 0.0, "hold_answers": true}),
    )
    .await;
    let raw = std::sync::Arc::new(raw);
    let slow = tokio::spawn({
        let raw = raw.clone();
        async move { raw.create(&windows_job("slow")).await.status }
    });
    // waits for the event itself (the job in the store), not for a guessed time
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sim.stored_jobs().await.len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the held create never stored its job"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!slow.is_finished(), "created before answering");
    sim.admin_post("/_simulator/faults", json!({"hold_answers": false}))
        .await;
    assert_eq!(slow.await.expect("task"), 201);
}

#[tokio::test]
async fn concurrent_creates_and_the_request_log() {
    let sim = Simulator::start_with(&["--latency-ms", "5"]);
    let raw = std::sync::Arc::new(Raw::new(&sim).await);
    let mut tasks = Vec::new();
    for n in 0..24 {
        let raw = raw.clone();
        tasks.push(tokio::spawn(async move {
            raw.create(&windows_job(&format!("parallel {n}")))
                .await
                .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 201);
    }
    let stored = sim.stored_jobs().await;
    let ids: std::collections::BTreeSet<String> = stored
        .iter()
        .filter_map(|j| j["job"]["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 24);
    let log = read_log(&sim.request_log);
    let creates: Vec<&Value> = log
        .iter()
        .filter(|r| r["path"] == "/pm/v1/deploymentjob")
        .collect();
    assert_eq!(creates.len(), 24);
    assert!(creates
        .iter()
        .all(|r| r["status"] == 201 && r["body"]["type"] == "Install" && r["ms"].is_u64()));
    let auth = log
        .iter()
        .find(|r| r["path"] == "/auth")
        .expect("auth logged");
    assert_eq!(auth["body"]["password"], json!("***"));
    let stderr = std::fs::read_to_string(sim.path("simulator.stderr")).expect("stderr");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("POST /pm/v1/deploymentjob 201 ")),
        "{stderr}"
    );
    assert!(!stderr.contains("password=qualys"));
}

#[tokio::test]
async fn the_app_answers_without_a_socket() {
    use tower::ServiceExt as _;
    let state = qualys_pm_simulator::Shared::new(Default::default()).expect("state");
    let app = qualys_pm_simulator::app(state);
    let request = axum::http::Request::builder()
        .uri("/pm/v1/deploymentjob/abc")
        .body(axum::body::Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status().as_u16(), 401);
}
