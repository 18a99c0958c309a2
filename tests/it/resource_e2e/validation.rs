//! Invalid configurations fail at `terraform plan`, the error naming the attribute (its path
//! in the message, and for top-level attributes the configuration line terraform shows),
//! with no request to the API.

use super::*;

struct Case {
    what: &'static str,
    /// The resource body.
    body: &'static str,
    /// The attribute path the error must name.
    path: &'static str,
    /// For top-level attributes, the configuration text terraform must show.
    line: Option<&'static str>,
    /// Text the error must contain (whitespace squeezed), if any.
    says: &'static str,
}

/// The message of an ID that is not one, as a user reads it.
macro_rules! not_an_id {
    ($path:literal, $value:literal) => {
        concat!(
            $path,
            ": \"",
            $value,
            "\" is not a Qualys ID (36 hexadecimal characters as 8-4-4-4-12, like 38aa48ca-a53f-4591-af01-8bce75de4ce7)"
        )
    };
}

const CASES: &[Case] = &[
    Case {
        what: "bad enum",
        body: r#"name = "j"
  schedule_type = "On-demand"
  platform = "MacOS""#,
        path: "platform",
        line: Some(r#"platform = "MacOS""#),
        says: "",
    },
    Case {
        what: "bad enum in an action",
        body: r#"name = "j"
  schedule_type = "On-demand"
  pre_deploy_actions = [{ action = "Run Script", action_item = "a", script = "echo", script_type = "bat" }]"#,
        path: "pre_deploy_actions[0].script_type",
        line: None,
        says: "",
    },
    Case {
        what: "out-of-range number",
        body: r#"name = "j"
  schedule_type = "On-demand"
  timeout = 200
  timeout_unit = "HOURS""#,
        path: "timeout",
        line: Some("timeout = 200"),
        says: "",
    },
    Case {
        what: "out-of-range nested number",
        body: r#"name = "j"
  schedule_type = "On-demand"
  notification = { email = true, recipient_emails = ["a@example.com"], completed_percentage = 0, on_job_start = true }"#,
        path: "notification.completed_percentage",
        line: None,
        says: "",
    },
    Case {
        what: "out-of-range reattempts",
        body: r#"name = "j"
  schedule_type = "On-demand"
  reattempt_failed_patches = { no_of_reattempts = 6, exponential_backoff_interval = 5 }"#,
        path: "reattempt_failed_patches.no_of_reattempts",
        line: None,
        says: "",
    },
    Case {
        what: "out-of-range Patch Tuesday offset",
        body: r#"name = "j"
  schedule_type = "Monthly"
  start_date_time = "2026-12-01 10:00:00 PM"
  monthly_recurring_type = 1
  patch_tuesday_plus_x_days = 28"#,
        path: "patch_tuesday_plus_x_days",
        line: Some("patch_tuesday_plus_x_days = 28"),
        says: "",
    },
    Case {
        what: "bad date format",
        body: r#"name = "j"
  schedule_type = "Once"
  start_date_time = "2026/12/05 23:30""#,
        path: "start_date_time",
        line: Some(r#"start_date_time = "2026/12/05 23:30""#),
        says: "",
    },
    Case {
        what: "scheduled job without start_date_time",
        body: r#"name = "j"
  schedule_type = "Weekly"
  recurring_week_days = ["Monday"]"#,
        path: "start_date_time",
        line: None,
        says: "",
    },
    Case {
        what: "recurring disagrees with schedule_type",
        body: r#"name = "j"
  schedule_type = "Once"
  start_date_time = "2026-12-05 11:30:00 PM"
  recurring = true"#,
        path: "recurring",
        line: Some("recurring = true"),
        says: "",
    },
    Case {
        what: "bad weekday",
        body: r#"name = "j"
  schedule_type = "Weekly"
  start_date_time = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Funday"]"#,
        path: "recurring_week_days",
        line: Some(r#"recurring_week_days = ["Funday"]"#),
        says: "",
    },
    Case {
        what: "chained rule without linked_job_id",
        body: r#"name = "j"
  schedule_type = "On-demand"
  chained_job_rules = [{ field = "postDeployAction", action_ids = ["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"], threshold = 100, condition = "Post Actions were successfully executed" }]"#,
        path: "chained_job_rules",
        line: Some("chained_job_rules = ["),
        says: "",
    },
    Case {
        what: "chained rule threshold out of range",
        body: r#"name = "j"
  schedule_type = "On-demand"
  linked_job_id = "5b0fd130-52c8-473c-96b1-8f10ea7d4c13"
  chained_job_rules = [{ field = "postDeployAction", action_ids = ["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"], threshold = 101, condition = "Post Actions were successfully executed" }]"#,
        path: "chained_job_rules[0].threshold",
        line: None,
        says: "",
    },
    Case {
        what: "System Reboot as a post action",
        body: r#"name = "j"
  schedule_type = "On-demand"
  post_deploy_actions = [
    { action = "Run Script", action_item = "a", script = "echo" },
    { action = "System Reboot", action_item = "reboot" },
  ]"#,
        path: "post_deploy_actions[1].action",
        line: None,
        says: "",
    },
    Case {
        what: "Windows-only field on Linux",
        body: r#"name = "j"
  platform = "Linux"
  schedule_type = "On-demand"
  minimize_window = true"#,
        path: "minimize_window",
        line: Some("minimize_window = true"),
        says: "",
    },
    Case {
        what: "Windows-only action on Linux",
        body: r#"name = "j"
  platform = "Linux"
  schedule_type = "On-demand"
  pre_deploy_actions = [{ action = "Install Software", action_item = "a", download_url = "https://example.com/x.rpm" }]"#,
        path: "pre_deploy_actions[0].action",
        line: None,
        says: "",
    },
    Case {
        what: "download randomization longer than the patch window",
        body: r#"name = "j"
  schedule_type = "On-demand"
  timeout = 1
  timeout_unit = "HOURS"
  download_randomize_time = 2
  download_randomize_time_unit = "HOURS""#,
        path: "download_randomize_time",
        line: Some("download_randomize_time = 2"),
        says: "",
    },
    Case {
        what: "malformed ID in asset_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  asset_ids = ["not-a-uuid"]"#,
        path: "asset_ids",
        line: Some(r#"asset_ids = ["not-a-uuid"]"#),
        says: not_an_id!("asset_ids", "not-a-uuid"),
    },
    Case {
        what: "malformed ID in asset_tag_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  asset_tag_ids = ["tag-1"]"#,
        path: "asset_tag_ids",
        line: None,
        says: not_an_id!("asset_tag_ids", "tag-1"),
    },
    Case {
        what: "malformed ID in match_all_tag_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  match_all_tag_ids = ["38aa48ca-a53f-4591-af01-8bce75de4ce"]"#,
        path: "match_all_tag_ids",
        line: None,
        says: not_an_id!("match_all_tag_ids", "38aa48ca-a53f-4591-af01-8bce75de4ce"),
    },
    Case {
        what: "malformed ID in exclusion_asset_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  exclusion_asset_ids = ["38aa48caa53f4591af018bce75de4ce7"]"#,
        path: "exclusion_asset_ids",
        line: None,
        says: not_an_id!("exclusion_asset_ids", "38aa48caa53f4591af018bce75de4ce7"),
    },
    Case {
        what: "malformed ID in exclusion_tag_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  exclusion_tag_ids = ["38aa48ca-a53f-4591-af01-8bce75de4ce7", "x"]"#,
        path: "exclusion_tag_ids",
        line: None,
        says: not_an_id!("exclusion_tag_ids", "x"),
    },
    Case {
        what: "malformed ID in co_author_user_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  co_author_user_ids = ["alice"]"#,
        path: "co_author_user_ids",
        line: None,
        says: not_an_id!("co_author_user_ids", "alice"),
    },
    Case {
        what: "malformed ID in approved_patches",
        body: r#"name = "j"
  schedule_type = "On-demand"
  approved_patches = ["x"]"#,
        path: "approved_patches",
        line: None,
        says: not_an_id!("approved_patches", "x"),
    },
    Case {
        what: "malformed ID in linked_job_id",
        body: r#"name = "j"
  schedule_type = "On-demand"
  linked_job_id = "{5b0fd130-52c8-473c-96b1-8f10ea7d4c13}""#,
        path: "linked_job_id",
        line: None,
        says: not_an_id!("linked_job_id", "{5b0fd130-52c8-473c-96b1-8f10ea7d4c13}"),
    },
    Case {
        what: "malformed ID in a chained rule's action_ids",
        body: r#"name = "j"
  schedule_type = "On-demand"
  linked_job_id = "5b0fd130-52c8-473c-96b1-8f10ea7d4c13"
  chained_job_rules = [{ field = "postDeployAction", action_ids = ["post-1"], threshold = 100, condition = "Post Actions were successfully executed" }]"#,
        path: "chained_job_rules[0].action_ids",
        line: None,
        says: not_an_id!("chained_job_rules[0].action_ids", "post-1"),
    },
];

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn invalid_input_fails_at_plan_naming_the_attribute_without_calling_the_api() {
    let e = E2e::start("invalid_input_fails_at_plan_naming_the_attribute");
    let env = [
        ("QUALYS_GATEWAY_URL", e.sim.url.clone()),
        (
            "QUALYS_USERNAME",
            crate::support::simulator::USERNAME.to_owned(),
        ),
        (
            "QUALYS_PASSWORD",
            crate::support::simulator::PASSWORD.to_owned(),
        ),
    ];
    // each case in its own workspace, a few at a time
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = CASES
            .chunks(CASES.len().div_ceil(4))
            .map(|chunk| {
                let env = &env;
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for case in chunk {
                        let mut ws = Workspace::new();
                        for (k, v) in env {
                            ws.set_env(k, v);
                        }
                        ws.write(
                            "main.tf",
                            &format!(
                                "{}\nresource \"qualys_deployment_job\" \"bad\" {{\n  {}\n}}\n",
                                required_providers(),
                                case.body
                            ),
                        );
                        let out = ws.run(&["plan", "-no-color", "-input=false"]);
                        let text = out.combined();
                        // normalise terraform's alignment of `=` in the source snippet
                        let squeezed = out.squeezed();
                        let mut problems = Vec::new();
                        if out.code != Some(1) {
                            problems.push(format!("exit code {:?}", out.code));
                        }
                        if !text.contains("Error: ") {
                            problems.push("no error".to_owned());
                        }
                        if !text.contains(case.path) {
                            problems.push(format!("the error does not name {}", case.path));
                        }
                        if !squeezed.contains(case.says) {
                            problems.push(format!("the error does not say `{}`", case.says));
                        }
                        if let Some(line) = case.line {
                            if !squeezed.contains(line) {
                                problems.push(format!("terraform does not point at `{line}`"));
                            }
                        }
                        if !problems.is_empty() {
                            failures.push(format!(
                                "{}: {}\n{text}",
                                case.what,
                                problems.join("; ")
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n-----\n")
    );
    assert_eq!(
        e.job_requests_since(0),
        Vec::<serde_json::Value>::new(),
        "no API call for an invalid configuration"
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_value_unknown_at_plan_is_validated_at_apply_before_any_write() {
    let e = E2e::start("a_value_unknown_at_plan_is_validated_at_apply");
    e.config(
        r#"
resource "qualys_deployment_job" "first" {
  name          = "first"
  schedule_type = "On-demand"
}

resource "qualys_deployment_job" "second" {
  name          = "second"
  schedule_type = "On-demand"
  # known only once the first job exists: 0 + 500 hours is out of range
  timeout       = qualys_deployment_job.first.patch_count + 500
}
"#,
    );
    let plan = e.plan(&[]);
    assert_eq!(
        plan.code,
        Some(2),
        "the plan cannot judge it yet:\n{}",
        plan.combined()
    );
    let mark = e.mark();
    let out = e.try_apply(&[]);
    assert_eq!(out.code, Some(1), "{}", out.combined());
    assert!(
        out.combined().contains("Invalid value for timeout"),
        "{}",
        out.combined()
    );
    assert_eq!(
        e.writes_since(mark),
        ["POST /pm/v1/deploymentjob"],
        "only the first job is created"
    );
    let state = e.state();
    assert!(state.contains_key("qualys_deployment_job.first"));
    assert!(!state.contains_key("qualys_deployment_job.second"));
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn a_malformed_id_known_only_at_apply_fails_there_with_the_plan_message_and_creates_nothing() {
    let e = E2e::start("a_malformed_id_known_only_at_apply");
    e.config(
        r#"
resource "terraform_data" "asset" {
  input = "not-a-uuid"
}

resource "qualys_deployment_job" "job" {
  name          = "job"
  schedule_type = "On-demand"
  # unknown until terraform_data.asset is applied
  asset_ids     = [terraform_data.asset.output]
}
"#,
    );
    let plan = e.plan(&[]);
    assert_eq!(
        plan.code,
        Some(2),
        "the plan cannot judge it yet:\n{}",
        plan.combined()
    );
    let mark = e.mark();
    let out = e.try_apply(&[]);
    assert_eq!(out.code, Some(1), "{}", out.combined());
    assert!(
        out.squeezed()
            .contains(not_an_id!("asset_ids", "not-a-uuid")),
        "{}",
        out.combined()
    );
    assert_eq!(e.writes_since(mark), Vec::<String>::new(), "no job created");
    assert!(!e.state().contains_key("qualys_deployment_job.job"));
}

#[test]
#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
fn upper_case_ids_apply_and_plan_clean_though_the_api_echoes_them_in_lower_case() {
    let e = E2e::start("upper_case_ids_apply_and_plan_clean");
    e.config(
        r#"
resource "qualys_deployment_job" "parent" {
  name          = "parent"
  schedule_type = "On-demand"
}

resource "qualys_deployment_job" "job" {
  name              = "job"
  schedule_type     = "On-demand"
  asset_ids         = ["38AA48CA-A53F-4591-AF01-8BCE75DE4CE7"]
  exclusion_tag_ids = ["5B0FD130-52C8-473C-96B1-8F10EA7D4C13"]
  linked_job_id     = upper(qualys_deployment_job.parent.id)
}
"#,
    );
    e.apply(&[]);
    let job = e.resource("qualys_deployment_job.job");
    let id = job["id"].as_str().expect("job id");
    let server = e.get_job(id).expect("the job exists");
    // the API's spelling differs from the configuration's: that is what must not show as a diff
    assert_eq!(
        server["assetIds"],
        serde_json::json!(["38aa48ca-a53f-4591-af01-8bce75de4ce7"])
    );
    assert_eq!(
        job["asset_ids"],
        serde_json::json!(["38AA48CA-A53F-4591-AF01-8BCE75DE4CE7"])
    );
    e.assert_plan_clean(&[], "after applying upper-case IDs");
}
