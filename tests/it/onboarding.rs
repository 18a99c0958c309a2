//! `terraform-provider-qualys generate-imports` end to end: a tenant filled straight through
//! the simulator's HTTP API (not through the provider), then the onboarding workflow of
//! `docs/guides/onboarding.md` with the real terraform CLI; and every bad input the
//! subcommand must refuse, with the built binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use terraform_provider_qualys::onboarding::names::base_name;

use crate::resource_e2e::E2e;
use crate::support::simulator::{fixture, Simulator, PASSWORD, USERNAME};
use crate::support::terraform::{provider_binary, required_providers, run, Output, Workspace};

/// The Qualys variables a developer's shell may hold; never passed through.
const QUALYS_ENV: &[&str] = &[
    "QUALYS_GATEWAY_URL",
    "QUALYS_USERNAME",
    "QUALYS_PASSWORD",
    "QUALYS_TOKEN",
    "QUALYS_CA_CERT_FILE",
    "QUALYS_RETRY_BASE_DELAY",
];

/// Runs `terraform-provider-qualys generate-imports ARGS` in `dir` with exactly `env` as
/// its Qualys settings (and tiny retry delays).
fn generate_imports(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    generate_imports_from(dir, env, args, None)
}

/// `generate_imports` with stdin read from a file.
fn generate_imports_from(
    dir: &Path,
    env: &[(&str, &str)],
    args: &[&str],
    stdin: Option<&Path>,
) -> Output {
    let mut cmd = Command::new(provider_binary());
    cmd.arg("generate-imports")
        .args(args)
        .current_dir(dir)
        .stdin(match stdin {
            Some(file) => Stdio::from(std::fs::File::open(file).expect("stdin file")),
            None => Stdio::null(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for key in QUALYS_ENV {
        cmd.env_remove(key);
    }
    cmd.env("QUALYS_RETRY_BASE_DELAY", "5ms");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd, std::time::Duration::from_secs(120))
}

fn sim_env(sim: &Simulator) -> [(&str, &str); 3] {
    [
        ("QUALYS_GATEWAY_URL", sim.url.as_str()),
        ("QUALYS_USERNAME", USERNAME),
        ("QUALYS_PASSWORD", PASSWORD),
    ]
}

/// A job to seed: its create body.
fn job(name: &str, platform: &str, status: &str, schedule: Value) -> Value {
    let mut body = json!({
        "name": name, "type": "Install", "platform": platform, "status": status,
        "assetIds": ["08a028e6-7e1d-4dbf-b040-48d9059dee08"],
    });
    if platform == "Windows" {
        body["approvedPatches"] = json!(["444ba31a-0f94-3199-870e-ef8ab1a5a477"]);
    } else {
        body["isDynamicPatchesQQL"] = json!(true);
        body["dynamicQQLType"] = json!(1);
        body["dynamicPatchesQQL"] = json!("vendorSeverity:`Critical`");
    }
    for (k, v) in schedule.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    body
}

/// Fills the simulator with 32 jobs through its HTTP API: every seed sample, jobs chained to
/// another's post-deploy action, every schedule type, Enabled and Disabled, both platforms,
/// names that collide after sanitising and names with non-ASCII characters. Returns the job
/// IDs with their names.
fn seed(e: &E2e) -> BTreeMap<String, String> {
    let mut seeded = BTreeMap::new();
    let mut create = |body: Value| -> Value {
        let (status, created) = e.api(reqwest::Method::POST, "/pm/v1/deploymentjob", Some(body));
        assert_eq!(status, 201, "seeding a job: {created}");
        let id = created["id"].as_str().expect("created id").to_owned();
        seeded.insert(id, created["name"].as_str().unwrap_or_default().to_owned());
        created
    };
    // The seed samples, as a GET or a PATCH carries them, less what the server assigns.
    let sample = |name: &str| {
        let mut body = fixture(name);
        if let Some(m) = body.as_object_mut() {
            for key in [
                "id",
                "customerId",
                "createdBy",
                "updatedBy",
                "deletedBy",
                "linkedToJob",
            ] {
                m.remove(key);
            }
        }
        body
    };
    let parent = create(sample("create-windows-with-actions.request.json"));
    let parent_id = parent["id"].clone();
    let post_action = parent["postDeployActions"][0]["actionId"].clone();
    assert!(
        post_action.is_string(),
        "the parent has a post-deploy action: {parent}"
    );
    for name in [
        "create-windows-with-actions.response.json",
        "create-linux-makecache.response.json",
        "update-windows.request.json",
        "update-windows.response.json",
        "update-linux-rollback.request.json",
        "update-linux-rollback.response.json",
    ] {
        create(sample(name));
    }
    // The chained samples, chained to the parent's post-deploy action.
    for name in [
        "update-chained-job.request.json",
        "update-chained-job.response.json",
    ] {
        let mut body = sample(name);
        body["linkedJobId"] = parent_id.clone();
        body["chainedJobRule"] = json!([{"field": "postDeployAction", "actionIds": [post_action],
            "threshold": "100", "condition": "Post Actions were successfully executed"}]);
        create(body);
    }
    let start = "2030-01-15 09:30:00 AM";
    let jobs = [
        job(
            "Run once, disabled",
            "Windows",
            "Disabled",
            json!({"scheduleType": "Once", "startDateTime": start}),
        ),
        job(
            "Run once, enabled",
            "Linux",
            "Enabled",
            json!({"scheduleType": "Once", "startDateTime": start, "timezoneType": "AGENT_TZ"}),
        ),
        job(
            "Nightly Linux critical",
            "Linux",
            "Enabled",
            json!({"scheduleType": "Daily", "startDateTime": start, "recurring": true,
            "preDeployActions": [{"action": "Run Script", "params": {"actionItem": "refresh"}, "script": "ZG5mIG1ha2VjYWNoZQ==", "scriptType": "sh"}]}),
        ),
        job(
            "Nightly Windows",
            "Windows",
            "Disabled",
            json!({"scheduleType": "Daily", "startDateTime": start, "recurring": true, "timezoneType": "SPECIFIC_TZ", "timezone": "Europe/Berlin"}),
        ),
        job(
            "Weekly Mon+Wed",
            "Windows",
            "Enabled",
            json!({"scheduleType": "Weekly", "startDateTime": start, "recurring": true, "recurringWeekDays": "0,1,0,1,0,0,0"}),
        ),
        job(
            "Weekly Linux",
            "Linux",
            "Disabled",
            json!({"scheduleType": "Weekly", "startDateTime": start, "recurring": true, "recurringWeekDays": "0,0,0,0,0,1,0"}),
        ),
        job(
            "Monthly on the 15th",
            "Windows",
            "Enabled",
            json!({"scheduleType": "Monthly", "startDateTime": start, "recurring": true, "dayOfMonth": 15}),
        ),
        job(
            "Patch Tuesday +3",
            "Windows",
            "Disabled",
            json!({"scheduleType": "Monthly", "startDateTime": start, "recurring": true, "monthlyRecurringType": 1, "patchTuesdayPlusXDays": "3"}),
        ),
        job(
            "Second Wednesday",
            "Linux",
            "Enabled",
            json!({"scheduleType": "Monthly", "startDateTime": start, "recurring": true, "recurringDayOfMonth": 2, "recurringWeekDayOfMonth": 3}),
        ),
        job(
            "Last day of the month",
            "Windows",
            "Disabled",
            json!({"scheduleType": "Monthly", "startDateTime": start, "recurring": true, "recurringLastDayOfMonth": true}),
        ),
        job(
            "On demand, enabled",
            "Windows",
            "Enabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "Patch Tuesday – Servers",
            "Windows",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "patch tuesday servers ",
            "Linux",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "Mise à jour critique",
            "Windows",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "Mise a jour critique",
            "Linux",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "日本のサーバー",
            "Linux",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "count",
            "Windows",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "2025 Q1 rollout",
            "Linux",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "!!!",
            "Windows",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
        job(
            "Say \"hi\" ${var.x} %{if} \\ done",
            "Windows",
            "Disabled",
            json!({"scheduleType": "On-demand"}),
        ),
    ];
    for body in jobs {
        create(body);
    }
    // Every optional setting the samples leave out.
    let windows_all = job(
        "Every option (Windows)",
        "Windows",
        "Enabled",
        json!({
        "scheduleType": "Weekly", "startDateTime": start, "recurring": true, "recurringWeekDays": "1,0,0,0,0,0,1",
        "description": "all the optional fields", "opportunisticDownloads": true, "minimizeWindow": true,
        "assetTagIds": ["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"], "matchAllTagIds": ["8d0b5a4f-6e3c-4d2b-af90-2b3c4d5e6f70"],
        "filterType": "All", "exclusionTagIds": ["9e1c6b50-7f4d-4e3c-b0a1-3c4d5e6f7081"],
        "exclusionAssetIds": ["19a0f836-6c7a-4755-b6c3-9bcbacc3646e"], "exclusionFilterType": "Any",
        "coAuthorUserIds": ["c4c71f94-4ef6-7e6f-8260-11704fa58172"],
        "timeout": 4, "timeoutUnit": "HOURS", "downloadRandomizeTime": 30, "downloadRandomizeTimeUnit": "MINUTES",
        "timezoneType": "SPECIFIC_TZ", "timezone": "America/New_York"}),
    );
    create(windows_all);
    create(job(
        "Every option (Linux)",
        "Linux",
        "Disabled",
        json!({
        "scheduleType": "Daily", "startDateTime": start, "recurring": true, "continueOnPatchFailure": true,
        "additionalDynamicQQLType": 2, "additionalDynamicPatchesQQL": "vulnerabilities.vulnerability.criticality:CRITICAL",
        "dynamicQQLType": 1, "timeout": 90, "timeoutUnit": "MINUTES"}),
    ));
    // A recurring job chained to the parent too.
    let mut chained = job(
        "Chained monthly",
        "Windows",
        "Disabled",
        json!({"scheduleType": "Monthly", "startDateTime": start, "recurring": true,
        "monthlyRecurringType": 1, "patchTuesdayPlusXDays": "-3", "timezoneType": "AGENT_TZ"}),
    );
    chained["linkedJobId"] = parent_id;
    chained["chainedJobRule"] = json!([{"field": "postDeployAction", "actionIds": [post_action],
        "threshold": "50", "condition": "Post Actions were successfully executed"}]);
    if let Some(m) = chained.as_object_mut() {
        m.remove("approvedPatches");
        m.remove("assetIds");
        m.insert(
            "assetTagIds".into(),
            json!(["7c9a4f3e-5d2b-4c1a-9e8f-1a2b3c4d5e6f"]),
        );
    }
    create(chained);
    seeded
}

/// The import blocks of a generated file: ID -> the block's text with its comment.
fn blocks(text: &str) -> BTreeMap<String, String> {
    text.split("\n\n")
        .filter(|chunk| chunk.contains("import {"))
        .map(|chunk| {
            let id = chunk
                .lines()
                .find_map(|l| l.trim().strip_prefix("id = "))
                .and_then(|v| serde_json::from_str::<String>(v).ok())
                .unwrap_or_else(|| panic!("a block without an id: {chunk}"));
            (id, chunk.trim_end().to_owned())
        })
        .collect()
}

/// The resource name a block imports into.
fn target(block: &str) -> &str {
    block
        .lines()
        .find_map(|l| l.trim().strip_prefix("to = qualys_deployment_job."))
        .unwrap_or_else(|| panic!("a block without a target: {block}"))
}

fn write_main(ws: &Workspace) {
    ws.write(
        "main.tf",
        &format!("{}\nprovider \"qualys\" {{}}\n", required_providers()),
    );
}

/// `terraform plan -generate-config-out=FILE` then `apply`: every job imported, nothing
/// else, and a clean plan after.
fn import_all(ws: &Workspace, generated: &str, count: usize) {
    let plan = ws.run(&[
        "plan",
        "-no-color",
        "-input=false",
        &format!("-generate-config-out={generated}"),
    ]);
    plan.expect_success("terraform plan -generate-config-out");
    assert!(
        plan.stdout.contains(&format!(
            "Plan: {count} to import, 0 to add, 0 to change, 0 to destroy."
        )),
        "{}",
        plan.stdout
    );
    let apply = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    apply.expect_success("terraform apply");
    assert!(
        apply.stdout.contains(&format!(
            "Apply complete! Resources: {count} imported, 0 added, 0 changed, 0 destroyed."
        )),
        "{}",
        apply.stdout
    );
    let after = ws.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(
        after.code,
        Some(0),
        "the generated configuration plans clean after the import:\n{}\n--- {generated}\n{}",
        after.combined(),
        std::fs::read_to_string(ws.path().join(generated)).unwrap_or_default()
    );
}

/// The job IDs in a workspace's state.
fn state_ids(ws: &Workspace) -> BTreeSet<String> {
    let out = ws.run(&["show", "-json"]);
    out.expect_success("terraform show -json");
    let doc: Value = serde_json::from_str(&out.stdout).expect("show -json");
    doc["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["values"]["id"].as_str().map(str::to_owned))
        .collect()
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn an_existing_tenant_is_onboarded_with_three_commands_and_no_write() {
    let e = E2e::start("an_existing_tenant_is_onboarded_with_three_commands_and_no_write");
    let seeded = seed(&e);
    assert!(seeded.len() >= 25, "{} jobs seeded", seeded.len());
    let env = sim_env(&e.sim);
    write_main(&e.ws);
    let mark = e.mark();

    // 1. generate-imports
    let out = generate_imports(e.ws.path(), &env, &["--out", "imports.tf"]);
    out.expect_success("generate-imports");
    assert!(
        out.stderr.contains("listing Windows deployment jobs:")
            && out.stderr.contains("listing Linux deployment jobs:"),
        "progress on stderr: {}",
        out.stderr
    );
    assert!(
        out.stdout.is_empty(),
        "with --out, nothing on stdout: {}",
        out.stdout
    );
    let imports = std::fs::read_to_string(e.ws.path().join("imports.tf")).expect("imports.tf");
    let by_id = blocks(&imports);
    assert_eq!(
        by_id.keys().collect::<BTreeSet<_>>(),
        seeded.keys().collect::<BTreeSet<_>>(),
        "one block per job:\n{imports}"
    );
    let fmt = e.tf(&["fmt", "-check", "-diff", "imports.tf"]);
    assert_eq!(
        fmt.code,
        Some(0),
        "terraform fmt-clean:\n{}",
        fmt.combined()
    );
    let names: BTreeSet<&str> = by_id.values().map(|b| target(b)).collect();
    assert_eq!(names.len(), seeded.len(), "unique names:\n{imports}");
    for name in &names {
        assert!(
            name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
    }
    assert_eq!(
        base_name("日本のサーバー"),
        "ri_ben_nosaba",
        "non-Latin letters are transliterated"
    );
    for (id, name) in &seeded {
        let block = &by_id[id];
        let platform = e.get_job(id).expect("seeded job")["platform"].clone();
        let comment = format!(
            "# {} ({})",
            serde_json::to_string(name).unwrap(),
            platform.as_str().unwrap_or_default()
        );
        assert!(block.starts_with(&comment), "{comment:?} heads {block}");
    }
    for expected in [
        "mise_a_jour_critique",
        "patch_tuesday_servers",
        "count_job",
        "job_2025_q1_rollout",
        "job",
        // "日本のサーバー", transliterated
        "ri_ben_nosaba",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(expected)),
            "{expected} among {names:?}"
        );
    }
    for collided in ["mise_a_jour_critique", "patch_tuesday_servers"] {
        assert_eq!(
            names.iter().filter(|n| n.starts_with(collided)).count(),
            2,
            "{collided}: {names:?}"
        );
    }
    // The same tenant gives the same file.
    let again = generate_imports(e.ws.path(), &env, &[]);
    again.expect_success("generate-imports to stdout");
    assert_eq!(again.stdout, imports, "stable across runs");

    // 2. and 3.: plan -generate-config-out, apply, then a clean plan
    import_all(&e.ws, "generated.tf", seeded.len());
    let state = e.state();
    assert_eq!(
        state
            .values()
            .filter_map(|v| v["id"].as_str().map(str::to_owned))
            .collect::<BTreeSet<_>>(),
        seeded.keys().cloned().collect(),
        "every job in the state"
    );
    // The state holds every shape the test claims to cover.
    let values = |key: &str| -> BTreeSet<String> {
        state
            .values()
            .filter_map(|v| v[key].as_str().map(str::to_owned))
            .collect()
    };
    for schedule in ["On-demand", "Once", "Daily", "Weekly", "Monthly"] {
        assert!(values("schedule_type").contains(schedule), "{schedule}");
    }
    for status in ["Enabled", "Disabled"] {
        assert!(
            values("status").contains(status),
            "{status}: {:?}",
            values("status")
        );
    }
    assert_eq!(
        values("platform"),
        ["Linux".to_owned(), "Windows".to_owned()].into()
    );
    let chained = state
        .values()
        .filter(|v| v["linked_job_id"].is_string())
        .count();
    assert_eq!(chained, 3, "three chained jobs");
    assert!(
        state
            .values()
            .any(|v| v["monthly_recurring_type"] == json!(1)),
        "a Patch Tuesday job"
    );
    assert!(
        state.values().any(|v| v["day_of_month"] == json!(15)),
        "a Monthly job on a day"
    );
    for optional in [
        "additional_dynamic_patches_qql",
        "additional_dynamic_qql_type",
        "continue_on_patch_failure",
        "match_all_tag_ids",
        "opportunistic_downloads",
        "exclusion_tag_ids",
        "co_author_user_ids",
    ] {
        assert!(
            state.values().any(|v| !v[optional].is_null()),
            "some job sets {optional}"
        );
    }
    assert_eq!(
        e.writes_since(mark),
        Vec::<String>::new(),
        "onboarding writes nothing to the tenant"
    );

    // A second run with half the jobs managed writes blocks for the other half only, and
    // the same blocks (names included) as the first run.
    let mut half = Workspace::new();
    for (k, v) in env {
        half.set_env(k, v);
    }
    write_main(&half);
    let (first, rest): (Vec<_>, Vec<_>) = by_id.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let first: BTreeMap<&String, &String> = first.into_iter().map(|(_, kv)| kv).collect();
    let rest: BTreeMap<&String, &String> = rest.into_iter().map(|(_, kv)| kv).collect();
    half.write(
        "half.tf",
        &first
            .values()
            .map(|b| format!("{b}\n\n"))
            .collect::<String>(),
    );
    import_all(&half, "generated.tf", first.len());
    let show = half.run(&["show", "-json"]);
    show.expect_success("terraform show -json");
    half.write("state.json", &show.stdout);

    let by_config = generate_imports(half.path(), &env, &["--skip-config", "."]);
    by_config.expect_success("generate-imports --skip-config .");
    let by_state = generate_imports(
        half.path(),
        &env,
        &["--skip-state", "state.json", "--out", "rest.tf"],
    );
    by_state.expect_success("generate-imports --skip-state");
    assert!(
        by_state.stderr.contains(&format!(
            "{} job(s) left out as already managed",
            first.len()
        )),
        "{}",
        by_state.stderr
    );
    let rest_text = std::fs::read_to_string(half.path().join("rest.tf")).expect("rest.tf");
    let expected: BTreeMap<&String, &String> = rest.clone();
    let got = blocks(&rest_text);
    assert_eq!(
        got.iter().collect::<BTreeMap<_, _>>(),
        expected,
        "only the jobs not managed yet, as the first run named them"
    );
    assert_eq!(
        by_config.stdout, rest_text,
        "--skip-config . and --skip-state agree"
    );
    let piped = generate_imports_from(
        half.path(),
        &env,
        &["--skip-state", "-"],
        Some(&half.path().join("state.json")),
    );
    piped.expect_success("terraform show -json | generate-imports --skip-state -");
    assert_eq!(piped.stdout, rest_text, "--skip-state - reads stdin");
    import_all(&half, "generated-rest.tf", rest.len());
    assert_eq!(state_ids(&half), seeded.keys().cloned().collect());
    assert_eq!(e.writes_since(mark), Vec::<String>::new());
}

#[test]
fn platform_and_name_filters_narrow_the_blocks() {
    let sim = Simulator::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let env = crate::resource_e2e::block_on(async {
        let token = sim.token().await;
        let client = reqwest::Client::new();
        for (name, platform) in [
            ("Win A", "Windows"),
            ("Win B", "Windows"),
            ("Lin A", "Linux"),
        ] {
            let r = client
                .post(format!("{}/pm/v1/deploymentjob", sim.url))
                .bearer_auth(&token)
                .json(
                    &json!({"name": name, "type": "Install", "platform": platform,
                    "scheduleType": "On-demand", "assetIds": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"]}),
                )
                .send()
                .await
                .expect("create");
            assert_eq!(r.status().as_u16(), 201);
        }
        sim_env(&sim)
    });
    let linux = generate_imports(dir.path(), &env, &["--platform", "linux"]);
    linux.expect_success("--platform linux");
    assert_eq!(blocks(&linux.stdout).len(), 1, "{}", linux.stdout);
    assert!(linux.stdout.contains("qualys_deployment_job.lin_a"));
    let both = generate_imports(
        dir.path(),
        &env,
        &[
            "--platform",
            "Windows",
            "--platform",
            "Linux",
            "--name-regex",
            "A$",
        ],
    );
    both.expect_success("--name-regex");
    let found = blocks(&both.stdout);
    let names: BTreeSet<&str> = found.values().map(|b| target(b)).collect();
    let names: Vec<&str> = names.into_iter().collect();
    assert_eq!(names, ["lin_a", "win_a"], "{}", both.stdout);
}

/// Asserts a failed run: exit status 1 (or `code`), every phrase in the output, no secret.
fn assert_refused(out: &Output, code: i32, phrases: &[&str], secrets: &[&str]) {
    assert_eq!(out.code, Some(code), "{}", out.combined());
    let text = out.combined();
    for phrase in phrases {
        assert!(text.contains(phrase), "{phrase:?} in:\n{text}");
    }
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "the secret {secret:?} was printed:\n{text}"
        );
    }
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let here = dir.path();

    // No configuration at all: every variable named.
    let out = generate_imports(here, &[], &["--out", "imports.tf"]);
    assert_refused(
        &out,
        1,
        &[
            "QUALYS_GATEWAY_URL",
            "QUALYS_USERNAME",
            "QUALYS_PASSWORD",
            "QUALYS_TOKEN",
        ],
        &[],
    );
    assert!(!here.join("imports.tf").exists(), "no file on failure");
    // A username without a password.
    let out = generate_imports(
        here,
        &[
            ("QUALYS_GATEWAY_URL", "http://127.0.0.1:9"),
            ("QUALYS_USERNAME", "u"),
        ],
        &[],
    );
    assert_refused(&out, 1, &["QUALYS_PASSWORD"], &[]);

    // Arguments.
    let out = generate_imports(here, &[], &["--platform", "Mac"]);
    assert_refused(&out, 2, &["--platform", "Mac", "Windows", "Linux"], &[]);
    let out = generate_imports(here, &[], &["--name-regex", "patch(["]);
    assert_refused(&out, 2, &["--name-regex", "regex parse error"], &[]);
    let out = generate_imports(here, &[], &["--frobnicate"]);
    assert_refused(&out, 2, &["--frobnicate"], &[]);
    std::fs::write(here.join("broken.json"), "{ not json").unwrap();
    let out = generate_imports(here, &[], &["--skip-state", "broken.json"]);
    assert_refused(
        &out,
        1,
        &["--skip-state broken.json", "terraform show -json"],
        &[],
    );

    // An unreachable gateway: a port held bound where nothing listens.
    let (_refusing, address) = crate::support::refusing_address();
    let gateway = format!("http://{address}");
    let secret = "pa55-not-printed";
    let out = generate_imports(
        here,
        &[
            ("QUALYS_GATEWAY_URL", &gateway),
            ("QUALYS_USERNAME", "u"),
            ("QUALYS_PASSWORD", secret),
        ],
        &[],
    );
    assert_refused(
        &out,
        1,
        &["could not reach", "QUALYS_GATEWAY_URL", &gateway],
        &[secret],
    );

    // A wrong password, and a token the gateway does not accept.
    let sim = Simulator::start();
    let out = generate_imports(
        here,
        &[
            ("QUALYS_GATEWAY_URL", &sim.url),
            ("QUALYS_USERNAME", USERNAME),
            ("QUALYS_PASSWORD", secret),
        ],
        &[],
    );
    assert_refused(&out, 1, &["authentication", "QUALYS_PASSWORD"], &[secret]);
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.not-a-valid-signature";
    let out = generate_imports(
        here,
        &[("QUALYS_GATEWAY_URL", &sim.url), ("QUALYS_TOKEN", token)],
        &[],
    );
    assert_refused(
        &out,
        1,
        &["QUALYS_TOKEN", "401"],
        &[token, "not-a-valid-signature"],
    );
    // Both kinds of credentials at once.
    let out = generate_imports(
        here,
        &[
            ("QUALYS_GATEWAY_URL", &sim.url),
            ("QUALYS_TOKEN", token),
            ("QUALYS_USERNAME", USERNAME),
            ("QUALYS_PASSWORD", secret),
        ],
        &[],
    );
    assert_refused(
        &out,
        1,
        &["QUALYS_TOKEN", "QUALYS_USERNAME"],
        &[token, secret],
    );
}

#[test]
fn a_platform_past_the_record_cap_is_an_error_naming_the_cap() {
    // The simulator's cap set to 1: the second page of a listing is past it.
    let sim = Simulator::start_with(&["--list-record-cap", "1"]);
    crate::resource_e2e::block_on(async {
        let token = sim.token().await;
        for name in ["one", "two"] {
            let r = reqwest::Client::new()
                .post(format!("{}/pm/v1/deploymentjob", sim.url))
                .bearer_auth(&token)
                .json(
                    &json!({"name": name, "type": "Install", "platform": "Windows",
                    "scheduleType": "On-demand", "assetIds": ["6d2f4c1e-0b7a-4e58-9c3d-2a1b0f9e8d7c"]}),
                )
                .send()
                .await
                .expect("create");
            assert_eq!(r.status().as_u16(), 201);
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let env = sim_env(&sim);
    let out = generate_imports(
        dir.path(),
        &env,
        &["--platform", "Windows", "--out", "imports.tf"],
    );
    assert_refused(
        &out,
        1,
        &[
            "at most 10000 records",
            "Windows",
            "2501",
            "No file was written",
        ],
        &[PASSWORD],
    );
    assert!(!dir.path().join("imports.tf").exists());
}
