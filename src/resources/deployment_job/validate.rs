//! Plan-time validation: the declared checks of every attribute (`crate::framework`), and the
//! job's cross-field rules from the API documentation. No API call; unknown values are
//! skipped (checked at apply).

use tfplugin::{AttributePath, Diagnostics, Value};

use super::fields::attr::{self, action};
use super::fields::{JOB_FIELDS, RECURRING_SCHEDULES, SCHEDULE_TYPES};
use crate::framework::validate::{name_nested_paths, validate_fields};
use crate::framework::Attr;
use qualys_pm::model::is_script_reference;

pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = validate_fields(JOB_FIELDS, config);
    if !config.is_known_value() {
        return diags;
    }
    cross_field_rules(config, &mut diags);
    name_nested_paths(&mut diags);
    diags
}

/// Known, non-empty text.
fn text(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.trim().is_empty())
}

/// Known and non-empty (text, collection) or true/nonzero: "is something there".
fn present(v: &Value) -> Option<bool> {
    match v {
        Value::Unknown => None,
        Value::Null => Some(false),
        Value::String(s) => Some(!s.trim().is_empty()),
        Value::Set(e) | Value::List(e) => {
            if e.iter().any(Value::is_unknown) {
                None
            } else {
                Some(!e.is_empty())
            }
        }
        Value::Bool(b) => Some(*b),
        _ => Some(true),
    }
}

/// A configuration being validated, with the defaults the cross-field rules assume for
/// unset `platform` and `type`.
struct Job<'a> {
    c: &'a Value,
    /// `schedule_type`, when it is one of the documented schedules.
    schedule: Option<&'a str>,
    platform: Option<&'a str>,
    job_type: Option<&'a str>,
}

impl<'a> Job<'a> {
    fn new(c: &'a Value) -> Self {
        let or_default = |a: Attr, default: &'static str| match a.of(c) {
            Value::Null => Some(default),
            v => v.as_str(),
        };
        Job {
            c,
            schedule: attr::SCHEDULE_TYPE
                .of(c)
                .as_str()
                .filter(|s| SCHEDULE_TYPES.contains(s)),
            platform: or_default(attr::PLATFORM, "Windows"),
            job_type: or_default(attr::TYPE, "Install"),
        }
    }

    fn get(&self, a: Attr) -> &'a Value {
        a.of(self.c)
    }

    fn present(&self, a: Attr) -> Option<bool> {
        present(a.of(self.c))
    }

    /// The patch window in minutes; None for no window (-1), unknown or out of range.
    fn window_minutes(&self) -> Option<i64> {
        let unit = match self.get(attr::TIMEOUT_UNIT) {
            Value::Null => Some("HOURS"),
            v => v.as_str(),
        };
        match (self.get(attr::TIMEOUT).as_i64(), unit) {
            (Some(-1), _) => None,
            (Some(t), Some("MINUTES")) => (1..=10080).contains(&t).then_some(t),
            (Some(t), Some(_)) => (1..=168).contains(&t).then_some(t * 60),
            _ => None,
        }
    }

    /// A QQL type field that is known: is it 1 (Patch QQL) or 2 (Vulnerability QQL)?
    fn qql_type_set(&self, a: Attr) -> Option<bool> {
        match self.get(a) {
            Value::Unknown => None,
            v => Some(matches!(v.as_i64(), Some(1) | Some(2))),
        }
    }
}

/// One cross-field rule of the API documentation: what it enforces (in the resource docs),
/// and its check.
struct Rule {
    enforces: &'static str,
    check: fn(&Job, &mut Diagnostics),
}

/// Every cross-field rule, in the order their diagnostics appear. Adding a rule is one
/// entry here and one small function below.
const CROSS_FIELD_RULES: &[Rule] = &[
    Rule { enforces: "`start_date_time` is required unless `schedule_type` is `On-demand`.", check: start_time_unless_on_demand },
    Rule { enforces: "`recurring`, when set, is true exactly for `Daily`, `Weekly` and `Monthly` jobs.", check: recurring_agrees_with_schedule },
    Rule { enforces: "A `Weekly` job names at least one day in `recurring_week_days`.", check: weekly_has_days },
    Rule { enforces: "A `Monthly` job has a day: `day_of_month`, `recurring_last_day_of_month = true`, `monthly_recurring_type = 1` (Patch Tuesday), or `recurring_day_of_month` with `recurring_week_day_of_month`.", check: monthly_has_a_day },
    Rule { enforces: "The patch window `timeout` is 1 to 168 `HOURS`, 1 to 10080 `MINUTES`, or -1 for none.", check: patch_window_in_range },
    Rule { enforces: "`download_randomize_time` is not negative and is shorter than the patch window.", check: download_randomize_time_within_window },
    Rule { enforces: "`chained_job_rules` refer to the post-deployment actions of the linked job, so they need `linked_job_id`.", check: chained_rules_need_linked_job },
    Rule { enforces: "A job takes its patches from one of `dynamic_patches_qql`, `approved_patches` and `linked_job_id`.", check: one_patch_source },
    Rule { enforces: "`dynamic_patches_qql` is for `Install` jobs only, not `Rollback`.", check: qql_for_install_only },
    Rule { enforces: "`dynamic_patches_qql` needs `dynamic_qql_type` 1 (Patch QQL) or 2 (Vulnerability QQL).", check: qql_has_type },
    Rule { enforces: "`additional_dynamic_patches_qql` needs `additional_dynamic_qql_type` 1 or 2.", check: additional_qql_has_type },
    Rule { enforces: "`continue_on_patch_failure` is for Linux jobs only; `minimize_window`, `opportunistic_downloads` and `post_deployment.on_complete.always_show_completed_prompt` are for Windows jobs only.", check: platform_only_fields },
    Rule { enforces: "Every pre- and post-deployment action follows the action rules below.", check: actions_follow_action_rules },
    Rule { enforces: "A `notification` is sent on job start, on job completion, or both (`on_job_start`, `on_job_complete`).", check: notification_has_an_event },
    Rule { enforces: "Each of `notification.recipient_emails` is one email address.", check: notification_recipients_are_addresses },
    Rule { enforces: "An `Enabled` job has something to deploy: a patch, a QQL, a linked job, or a pre- or post-deployment action.", check: enabled_has_something_to_deploy },
    Rule { enforces: "An `Enabled` job targets at least one asset or tag (`asset_ids`, `asset_tag_ids`, `match_all_tag_ids`).", check: enabled_has_targets },
];

/// What the cross-field rules and the action rules enforce, for the resource docs.
pub fn rule_docs() -> (Vec<&'static str>, Vec<&'static str>) {
    (
        CROSS_FIELD_RULES.iter().map(|r| r.enforces).collect(),
        ACTION_RULES.iter().map(|r| r.enforces).collect(),
    )
}

fn cross_field_rules(c: &Value, diags: &mut Diagnostics) {
    let job = Job::new(c);
    for rule in CROSS_FIELD_RULES {
        (rule.check)(&job, diags);
    }
}

fn start_time_unless_on_demand(j: &Job, diags: &mut Diagnostics) {
    if let Some(s) = j.schedule.filter(|s| *s != "On-demand") {
        if j.get(attr::START_DATE_TIME).is_null() {
            diags.error_at(
                attr::START_DATE_TIME.path(),
                "Missing start_date_time",
                format!("start_date_time is required for a \"{s}\" job (only On-demand jobs may leave it out)."),
            );
        }
    }
}

fn recurring_agrees_with_schedule(j: &Job, diags: &mut Diagnostics) {
    let (Some(s), Some(r)) = (j.schedule, j.get(attr::RECURRING).as_bool()) else {
        return;
    };
    let expected = RECURRING_SCHEDULES.contains(&s);
    if r != expected {
        diags.error_at(
            attr::RECURRING.path(),
            "recurring disagrees with schedule_type",
            format!("A \"{s}\" job has recurring = {expected}; Daily, Weekly and Monthly jobs recur, On-demand and Once jobs do not."),
        );
    }
}

fn weekly_has_days(j: &Job, diags: &mut Diagnostics) {
    if j.schedule == Some("Weekly") && j.present(attr::RECURRING_WEEK_DAYS) == Some(false) {
        diags.error_at(
            attr::RECURRING_WEEK_DAYS.path(),
            "Missing recurring_week_days",
            "A Weekly job needs at least one day in recurring_week_days.",
        );
    }
}

fn monthly_has_a_day(j: &Job, diags: &mut Diagnostics) {
    if j.schedule != Some("Monthly") {
        return;
    }
    let tuesday = match j.get(attr::MONTHLY_RECURRING_TYPE) {
        Value::Unknown => None,
        v => Some(v.as_i64() == Some(1)),
    };
    let week_day = match (
        j.present(attr::RECURRING_DAY_OF_MONTH),
        j.present(attr::RECURRING_WEEK_DAY_OF_MONTH),
    ) {
        (Some(a), Some(b)) => Some(a && b),
        _ => None,
    };
    let ways = [
        j.present(attr::DAY_OF_MONTH),
        j.present(attr::RECURRING_LAST_DAY_OF_MONTH),
        tuesday,
        week_day,
    ];
    if ways.iter().all(|x| *x == Some(false)) {
        diags.error_at(
            attr::SCHEDULE_TYPE.path(),
            "Monthly job without a day",
            "A Monthly job needs day_of_month, recurring_last_day_of_month = true, monthly_recurring_type = 1 (Patch Tuesday), or recurring_day_of_month with recurring_week_day_of_month.",
        );
    }
}

fn patch_window_in_range(j: &Job, diags: &mut Diagnostics) {
    let Some(t) = j.get(attr::TIMEOUT).as_i64() else {
        return;
    };
    let unit_known = matches!(j.get(attr::TIMEOUT_UNIT), Value::Null | Value::String(_));
    if t != -1 && unit_known && j.window_minutes().is_none() {
        diags.error_at(
            attr::TIMEOUT.path(),
            "Invalid value for timeout",
            format!("{t} is out of range; the patch window is 1 to 168 HOURS, 1 to 10080 MINUTES, or -1 for none."),
        );
    }
}

fn download_randomize_time_within_window(j: &Job, diags: &mut Diagnostics) {
    let Some(drt) = j.get(attr::DOWNLOAD_RANDOMIZE_TIME).as_i64() else {
        return;
    };
    let at = attr::DOWNLOAD_RANDOMIZE_TIME.path();
    if drt < 0 {
        diags.error_at(
            at,
            "Invalid value for download_randomize_time",
            format!("{drt} is negative."),
        );
        return;
    }
    // the server reports MINUTES for an unset unit
    let drt_unit = match j.get(attr::DOWNLOAD_RANDOMIZE_TIME_UNIT) {
        Value::Null => Some("MINUTES"),
        v => v.as_str(),
    };
    if let (Some(window), Some(u)) = (j.window_minutes(), drt_unit) {
        let drt_minutes = if u == "MINUTES" { drt } else { drt * 60 };
        if drt_minutes >= window {
            diags.error_at(
                at,
                "download_randomize_time too long",
                format!("download_randomize_time ({drt} {u}) must be less than the patch window (timeout, {window} minutes)."),
            );
        }
    }
}

fn chained_rules_need_linked_job(j: &Job, diags: &mut Diagnostics) {
    if j.present(attr::CHAINED_JOB_RULES) == Some(true) && j.get(attr::LINKED_JOB_ID).is_null() {
        diags.error_at(
            attr::CHAINED_JOB_RULES.path(),
            "chained_job_rules needs linked_job_id",
            "Chained job rules refer to the post-actions of the linked job: set linked_job_id.",
        );
    }
}

fn one_patch_source(j: &Job, diags: &mut Diagnostics) {
    let set: Vec<Attr> = [
        attr::DYNAMIC_PATCHES_QQL,
        attr::APPROVED_PATCHES,
        attr::LINKED_JOB_ID,
    ]
    .into_iter()
    .filter(|a| j.present(*a) == Some(true))
    .collect();
    if set.len() > 1 {
        let names: Vec<&str> = set.iter().map(|a| a.name()).collect();
        diags.error_at(
            set[1].path(),
            "Conflicting patch selections",
            format!("{} are mutually exclusive: a job takes its patches from a QQL, a patch list, or another job.", names.join(" and ")),
        );
    }
}

fn qql_for_install_only(j: &Job, diags: &mut Diagnostics) {
    if j.present(attr::DYNAMIC_PATCHES_QQL) == Some(true) && j.job_type == Some("Rollback") {
        diags.error_at(
            attr::DYNAMIC_PATCHES_QQL.path(),
            "QQL on a Rollback job",
            "QQL patch selection is only available for Install jobs.",
        );
    }
}

fn qql_has_type(j: &Job, diags: &mut Diagnostics) {
    if j.present(attr::DYNAMIC_PATCHES_QQL) == Some(true)
        && j.qql_type_set(attr::DYNAMIC_QQL_TYPE) == Some(false)
    {
        diags.error_at(
            attr::DYNAMIC_QQL_TYPE.path(),
            "dynamic_qql_type must be set for a QQL",
            "dynamic_patches_qql needs dynamic_qql_type = 1 (Patch QQL) or 2 (Vulnerability QQL).",
        );
    }
}

fn additional_qql_has_type(j: &Job, diags: &mut Diagnostics) {
    if j.present(attr::ADDITIONAL_DYNAMIC_PATCHES_QQL) == Some(true)
        && j.qql_type_set(attr::ADDITIONAL_DYNAMIC_QQL_TYPE) == Some(false)
    {
        diags.error_at(
            attr::ADDITIONAL_DYNAMIC_QQL_TYPE.path(),
            "additional_dynamic_qql_type must be set",
            "additional_dynamic_patches_qql needs additional_dynamic_qql_type = 1 (Patch QQL) or 2 (Vulnerability QQL).",
        );
    }
}

fn platform_only_fields(j: &Job, diags: &mut Diagnostics) {
    let Some(p) = j.platform else {
        return;
    };
    for (only, wanted) in [
        (attr::CONTINUE_ON_PATCH_FAILURE, "Linux"),
        (attr::MINIMIZE_WINDOW, "Windows"),
        (attr::OPPORTUNISTIC_DOWNLOADS, "Windows"),
    ] {
        let name = only.name();
        if p != wanted && j.get(only).as_bool() == Some(true) {
            diags.error_at(
                only.path(),
                format!("{name} is for {wanted} jobs only"),
                format!(
                    "{name} = true is only supported on {wanted} jobs; this job's platform is {p}."
                ),
            );
        }
    }
    let prompt = j.get(attr::ALWAYS_SHOW_COMPLETED_PROMPT);
    if p == "Linux" && prompt.as_bool() == Some(true) {
        diags.error_at(
            attr::ALWAYS_SHOW_COMPLETED_PROMPT.path(),
            "always_show_completed_prompt is for Windows jobs only",
            "The completion pop-up window is only shown on Windows.",
        );
    }
}

fn actions_follow_action_rules(j: &Job, diags: &mut Diagnostics) {
    for list in [attr::PRE_DEPLOY_ACTIONS, attr::POST_DEPLOY_ACTIONS] {
        for (i, a) in j.get(list).as_elements().unwrap_or(&[]).iter().enumerate() {
            let action = Action {
                a,
                post: list == attr::POST_DEPLOY_ACTIONS,
                platform: j.platform,
                path: list.path().then_index(i as i64),
            };
            for rule in ACTION_RULES {
                (rule.check)(&action, diags);
            }
        }
    }
}

fn notification_has_an_event(j: &Job, diags: &mut Diagnostics) {
    let n = j.get(attr::NOTIFICATION);
    if !n.is_known_value() {
        return;
    }
    let start = j.get(attr::NOTIFICATION_ON_JOB_START);
    let complete = j.get(attr::NOTIFICATION_ON_JOB_COMPLETE);
    if !start.is_unknown()
        && !complete.is_unknown()
        && start.as_bool() != Some(true)
        && complete.as_bool() != Some(true)
    {
        diags.error_at(
            attr::NOTIFICATION.path(),
            "Notification without an event",
            "Set on_job_start or on_job_complete (or both) to true.",
        );
    }
}

fn notification_recipients_are_addresses(j: &Job, diags: &mut Diagnostics) {
    let n = j.get(attr::NOTIFICATION);
    if !n.is_known_value() {
        return;
    }
    let emails = j
        .get(attr::NOTIFICATION_RECIPIENT_EMAILS)
        .as_elements()
        .unwrap_or(&[]);
    for (i, e) in emails.iter().enumerate() {
        if let Some(s) = e.as_str() {
            if !s.contains('@') || s.contains(',') || s.trim() != s {
                diags.error_at(
                    attr::NOTIFICATION_RECIPIENT_EMAILS
                        .path()
                        .then_index(i as i64),
                    "Invalid email address in notification.recipient_emails",
                    format!("\"{s}\" is not one email address."),
                );
            }
        }
    }
}

fn enabled_has_something_to_deploy(j: &Job, diags: &mut Diagnostics) {
    if j.get(attr::STATUS).as_str() != Some("Enabled") {
        return;
    }
    let what = [
        j.present(attr::APPROVED_PATCHES),
        j.present(attr::DYNAMIC_PATCHES_QQL),
        j.present(attr::LINKED_JOB_ID),
        j.present(attr::PRE_DEPLOY_ACTIONS),
        j.present(attr::POST_DEPLOY_ACTIONS),
        j.qql_type_set(attr::DYNAMIC_QQL_TYPE),
    ];
    if what.iter().all(|x| *x == Some(false)) {
        diags.error_at(attr::STATUS.path(), "Nothing to deploy", "An Enabled job needs at least one patch, a QQL, a linked job, or a pre- or post-deployment action.");
    }
}

fn enabled_has_targets(j: &Job, diags: &mut Diagnostics) {
    if j.get(attr::STATUS).as_str() != Some("Enabled") {
        return;
    }
    let targets = [
        j.present(attr::ASSET_IDS),
        j.present(attr::ASSET_TAG_IDS),
        j.present(attr::MATCH_ALL_TAG_IDS),
    ];
    if targets.iter().all(|x| *x == Some(false)) {
        diags.error_at(attr::STATUS.path(), "No target assets", "An Enabled job needs at least one asset (asset_ids) or tag (asset_tag_ids, match_all_tag_ids).");
    }
}

/// One action of `pre_deploy_actions` or `post_deploy_actions`, at `path`.
struct Action<'a> {
    a: &'a Value,
    post: bool,
    platform: Option<&'a str>,
    path: AttributePath,
}

impl Action<'_> {
    fn action(&self) -> Option<&str> {
        action::ACTION.of(self.a).as_str()
    }
}

/// One rule every deployment action follows: what it enforces, and its check.
struct ActionRule {
    enforces: &'static str,
    check: fn(&Action, &mut Diagnostics),
}

const ACTION_RULES: &[ActionRule] = &[
    ActionRule { enforces: "`System Reboot` is a pre-deployment action only.", check: reboot_is_pre_only },
    ActionRule { enforces: "Linux jobs support the `Run Script` action only.", check: linux_runs_scripts_only },
    ActionRule { enforces: "With `default_script_type`, `script` is left empty (the server provides the script).", check: default_script_type_means_no_script },
    ActionRule { enforces: "`Run Script` has a `script` (or `default_script_type`), `Install Software` a `download_url`, `Change Registry Key` a `reg_key`.", check: action_has_its_payload },
    ActionRule { enforces: "A `script` that looks like a storage reference but is not one gets a warning: it would be uploaded as script text.", check: malformed_reference_warns },
];

fn reboot_is_pre_only(x: &Action, diags: &mut Diagnostics) {
    if x.post && x.action() == Some("System Reboot") {
        diags.error_at(
            action::ACTION.under(&x.path),
            "System Reboot is not a post-deployment action",
            "post_deploy_actions allow \"Run Script\", \"Install Software\", \"Change Registry Key\" and \"Uninstall Software\".",
        );
    }
}

fn linux_runs_scripts_only(x: &Action, diags: &mut Diagnostics) {
    if x.platform != Some("Linux") {
        return;
    }
    if let Some(other) = x.action().filter(|a| *a != "Run Script") {
        diags.error_at(
            action::ACTION.under(&x.path),
            "Action not supported on Linux",
            format!("Linux jobs support the \"Run Script\" action only, not \"{other}\"."),
        );
    }
}

fn default_script_type_means_no_script(x: &Action, diags: &mut Diagnostics) {
    if text(action::DEFAULT_SCRIPT_TYPE.of(x.a)).is_none() {
        return;
    }
    if text(action::SCRIPT.of(x.a)).is_some_and(|s| !s.starts_with("default/")) {
        diags.error_at(
            action::SCRIPT.under(&x.path),
            "script must be empty with default_script_type",
            "default_script_type runs a server-provided script: leave script empty or unset.",
        );
    }
}

fn action_has_its_payload(x: &Action, diags: &mut Diagnostics) {
    let a = x.a;
    match x.action() {
        Some("Run Script")
            if action::SCRIPT.of(a).is_null() && action::DEFAULT_SCRIPT_TYPE.of(a).is_null() =>
        {
            diags.error_at(
                action::SCRIPT.under(&x.path),
                "Run Script needs a script",
                "Set script (plain text or a storage reference) or default_script_type.",
            )
        }
        Some("Install Software") if action::DOWNLOAD_URL.of(a).is_null() => diags.error_at(
            action::DOWNLOAD_URL.under(&x.path),
            "Install Software needs download_url",
            "Set download_url to the installer's URL.",
        ),
        Some("Change Registry Key") if action::REG_KEY.of(a).is_null() => diags.error_at(
            action::REG_KEY.under(&x.path),
            "Change Registry Key needs reg_key",
            "Set reg_key to the registry key to change.",
        ),
        _ => {}
    }
}

fn malformed_reference_warns(x: &Action, diags: &mut Diagnostics) {
    if let Some(s) = action::SCRIPT.of(x.a).as_str() {
        if s.contains("/Script")
            && !is_script_reference(s)
            && s.lines().count() == 1
            && !s.contains(' ')
        {
            diags.warning_at(
                action::SCRIPT.under(&x.path),
                "script looks like a malformed storage reference",
                format!("\"{s}\" will be uploaded as script text."),
            );
        }
    }
}
