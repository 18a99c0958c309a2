//! Plan-time validation: every enum and range of the declarations, and the cross-field rules
//! of the API documentation. No API call; unknown values are skipped (checked at apply).

use tfplugin::{AttributePath, Diagnostics, Value};

use super::fields::{
    Check, Field, Kind, JOB_FIELDS, RECURRING_SCHEDULES, SCHEDULE_TYPES, WEEKDAYS,
};
use qualys_pm::model::{is_qualys_id, is_script_reference, parse_start_date_time, ID_SHAPE};

pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if !config.is_known_value() {
        return diags;
    }
    check_fields(JOB_FIELDS, config, &AttributePath::root(), &mut diags);
    cross_field_rules(config, &mut diags);
    // terraform (1.11) points diagnostics inside nested attributes at the resource block, not
    // at the nested line: name the attribute in the text too
    for d in &mut diags {
        if let Some(path) = d.attribute.as_ref().filter(|p| p.0.len() > 1) {
            let named = format!("{path}: ");
            if !d.detail.starts_with(&named) {
                d.detail = format!("{named}{}", d.detail);
            }
        }
    }
    diags
}

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The per-attribute checks (enums, ranges, formats) of `fields` over a configuration object;
/// also used by the data sources for their own declared attributes.
pub(crate) fn check_fields(
    fields: &[Field],
    obj: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    for f in fields {
        let v = obj.get(f.name);
        if !v.is_known_value() {
            continue;
        }
        let p = path.then_attr(f.name);
        check_value(f, v, &p, diags);
        match f.kind {
            Kind::Object(children)
            | Kind::FlaggedObject {
                fields: children, ..
            } => check_fields(children, v, &p, diags),
            Kind::List(children) => {
                for (i, item) in v.as_elements().unwrap_or(&[]).iter().enumerate() {
                    if item.is_known_value() {
                        check_fields(children, item, &p.then_index(i as i64), diags);
                    }
                }
            }
            _ => {}
        }
    }
}

fn check_value(f: &Field, v: &Value, p: &AttributePath, diags: &mut Diagnostics) {
    check_declared(f, v, p, diags);
    check_kind(f, v, p, diags);
}

/// The field's declared `Check`: an enum, a range, an ID shape, non-empty text.
fn check_declared(f: &Field, v: &Value, p: &AttributePath, diags: &mut Diagnostics) {
    match f.check {
        Check::None => {}
        Check::OneOf(allowed) => {
            if let Some(s) = v.as_str() {
                if !allowed.contains(&s) {
                    diags.error_at(
                        p.clone(),
                        format!("Invalid value for {}", f.name),
                        format!("\"{s}\" is not allowed; expected one of {}.", list(allowed)),
                    );
                }
            }
        }
        Check::IntOneOf(allowed) => match v.as_i64() {
            Some(n) if allowed.contains(&n) => {}
            _ => diags.error_at(
                p.clone(),
                format!("Invalid value for {}", f.name),
                format!(
                    "{} is not allowed; expected one of {}.",
                    display(v),
                    allowed
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        },
        Check::Range(lo, hi) => match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => {}
            _ => diags.error_at(
                p.clone(),
                format!("Invalid value for {}", f.name),
                format!(
                    "{} is out of range; expected a whole number from {lo} to {hi}.",
                    display(v)
                ),
            ),
        },
        Check::QualysId => {
            // a string, or each known element of a set (unknown ones are checked when known)
            let values = match v.as_elements() {
                Some(elements) => elements.iter().filter_map(Value::as_str).collect(),
                None => v.as_str().into_iter().collect::<Vec<_>>(),
            };
            for s in values.into_iter().filter(|s| !is_qualys_id(s)) {
                diags.error_at(
                    p.clone(),
                    format!("Invalid ID in {}", f.name),
                    not_an_id(p, s),
                );
            }
        }
        Check::NotEmpty => {
            if v.as_str().is_some_and(|s| s.trim().is_empty()) {
                diags.error_at(
                    p.clone(),
                    format!("Empty {}", f.name),
                    format!("{} must not be empty.", f.name),
                );
            }
        }
    }
}

/// What the field's kind implies whatever its check: weekday names, a date-time, a whole number.
fn check_kind(f: &Field, v: &Value, p: &AttributePath, diags: &mut Diagnostics) {
    match f.kind {
        Kind::WeekDays => {
            for d in v.as_elements().unwrap_or(&[]) {
                if let Some(s) = d.as_str() {
                    if !WEEKDAYS.contains(&s) {
                        diags.error_at(
                            p.clone(),
                            "Invalid weekday",
                            format!(
                                "\"{s}\" is not a weekday name; expected any of {}.",
                                list(WEEKDAYS)
                            ),
                        );
                    }
                }
            }
        }
        Kind::DateTime => {
            if let Some(s) = v.as_str() {
                if parse_start_date_time(s).is_none() {
                    diags.error_at(
                        p.clone(),
                        format!("Invalid {}", f.name),
                        format!("\"{s}\" is not in the form YYYY-M-D hh:mm:ss AM/PM, e.g. \"2022-2-20 01:18:30 PM\"."),
                    );
                }
            }
        }
        Kind::Number if f.check.is_none() && v.as_i64().is_none() => {
            diags.error_at(
                p.clone(),
                format!("Invalid value for {}", f.name),
                format!("{} is not a whole number.", display(v)),
            );
        }
        _ => {}
    }
}

/// The message for a value at `path` that is not a Qualys ID: the path, the value, the shape.
pub(crate) fn not_an_id(path: &AttributePath, value: &str) -> String {
    format!("{path}: \"{value}\" is not a Qualys ID ({ID_SHAPE})")
}

impl Check {
    fn is_none(&self) -> bool {
        matches!(self, Check::None)
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("\"{s}\""),
        other => format!("{other:?}"),
    }
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
        let or_default = |name: &str, default: &'static str| match c.get(name) {
            Value::Null => Some(default),
            v => v.as_str(),
        };
        Job {
            c,
            schedule: c
                .get("schedule_type")
                .as_str()
                .filter(|s| SCHEDULE_TYPES.contains(s)),
            platform: or_default("platform", "Windows"),
            job_type: or_default("type", "Install"),
        }
    }

    fn get(&self, name: &str) -> &'a Value {
        self.c.get(name)
    }

    fn present(&self, name: &str) -> Option<bool> {
        present(self.c.get(name))
    }

    /// The patch window in minutes; None for no window (-1), unknown or out of range.
    fn window_minutes(&self) -> Option<i64> {
        let unit = match self.get("timeout_unit") {
            Value::Null => Some("HOURS"),
            v => v.as_str(),
        };
        match (self.get("timeout").as_i64(), unit) {
            (Some(-1), _) => None,
            (Some(t), Some("MINUTES")) => (1..=10080).contains(&t).then_some(t),
            (Some(t), Some(_)) => (1..=168).contains(&t).then_some(t * 60),
            _ => None,
        }
    }

    /// A QQL type field that is known: is it 1 (Patch QQL) or 2 (Vulnerability QQL)?
    fn qql_type_set(&self, name: &str) -> Option<bool> {
        match self.get(name) {
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
        if j.get("start_date_time").is_null() {
            diags.error_at(
                AttributePath::attr("start_date_time"),
                "Missing start_date_time",
                format!("start_date_time is required for a \"{s}\" job (only On-demand jobs may leave it out)."),
            );
        }
    }
}

fn recurring_agrees_with_schedule(j: &Job, diags: &mut Diagnostics) {
    let (Some(s), Some(r)) = (j.schedule, j.get("recurring").as_bool()) else {
        return;
    };
    let expected = RECURRING_SCHEDULES.contains(&s);
    if r != expected {
        diags.error_at(
            AttributePath::attr("recurring"),
            "recurring disagrees with schedule_type",
            format!("A \"{s}\" job has recurring = {expected}; Daily, Weekly and Monthly jobs recur, On-demand and Once jobs do not."),
        );
    }
}

fn weekly_has_days(j: &Job, diags: &mut Diagnostics) {
    if j.schedule == Some("Weekly") && j.present("recurring_week_days") == Some(false) {
        diags.error_at(
            AttributePath::attr("recurring_week_days"),
            "Missing recurring_week_days",
            "A Weekly job needs at least one day in recurring_week_days.",
        );
    }
}

fn monthly_has_a_day(j: &Job, diags: &mut Diagnostics) {
    if j.schedule != Some("Monthly") {
        return;
    }
    let tuesday = match j.get("monthly_recurring_type") {
        Value::Unknown => None,
        v => Some(v.as_i64() == Some(1)),
    };
    let week_day = match (
        j.present("recurring_day_of_month"),
        j.present("recurring_week_day_of_month"),
    ) {
        (Some(a), Some(b)) => Some(a && b),
        _ => None,
    };
    let ways = [
        j.present("day_of_month"),
        j.present("recurring_last_day_of_month"),
        tuesday,
        week_day,
    ];
    if ways.iter().all(|x| *x == Some(false)) {
        diags.error_at(
            AttributePath::attr("schedule_type"),
            "Monthly job without a day",
            "A Monthly job needs day_of_month, recurring_last_day_of_month = true, monthly_recurring_type = 1 (Patch Tuesday), or recurring_day_of_month with recurring_week_day_of_month.",
        );
    }
}

fn patch_window_in_range(j: &Job, diags: &mut Diagnostics) {
    let Some(t) = j.get("timeout").as_i64() else {
        return;
    };
    let unit_known = matches!(j.get("timeout_unit"), Value::Null | Value::String(_));
    if t != -1 && unit_known && j.window_minutes().is_none() {
        diags.error_at(
            AttributePath::attr("timeout"),
            "Invalid value for timeout",
            format!("{t} is out of range; the patch window is 1 to 168 HOURS, 1 to 10080 MINUTES, or -1 for none."),
        );
    }
}

fn download_randomize_time_within_window(j: &Job, diags: &mut Diagnostics) {
    let Some(drt) = j.get("download_randomize_time").as_i64() else {
        return;
    };
    let at = AttributePath::attr("download_randomize_time");
    if drt < 0 {
        diags.error_at(
            at,
            "Invalid value for download_randomize_time",
            format!("{drt} is negative."),
        );
        return;
    }
    // the server reports MINUTES for an unset unit
    let drt_unit = match j.get("download_randomize_time_unit") {
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
    if j.present("chained_job_rules") == Some(true) && j.get("linked_job_id").is_null() {
        diags.error_at(
            AttributePath::attr("chained_job_rules"),
            "chained_job_rules needs linked_job_id",
            "Chained job rules refer to the post-actions of the linked job: set linked_job_id.",
        );
    }
}

fn one_patch_source(j: &Job, diags: &mut Diagnostics) {
    let set: Vec<&str> = ["dynamic_patches_qql", "approved_patches", "linked_job_id"]
        .into_iter()
        .filter(|name| j.present(name) == Some(true))
        .collect();
    if set.len() > 1 {
        diags.error_at(
            AttributePath::attr(set[1]),
            "Conflicting patch selections",
            format!("{} are mutually exclusive: a job takes its patches from a QQL, a patch list, or another job.", set.join(" and ")),
        );
    }
}

fn qql_for_install_only(j: &Job, diags: &mut Diagnostics) {
    if j.present("dynamic_patches_qql") == Some(true) && j.job_type == Some("Rollback") {
        diags.error_at(
            AttributePath::attr("dynamic_patches_qql"),
            "QQL on a Rollback job",
            "QQL patch selection is only available for Install jobs.",
        );
    }
}

fn qql_has_type(j: &Job, diags: &mut Diagnostics) {
    if j.present("dynamic_patches_qql") == Some(true)
        && j.qql_type_set("dynamic_qql_type") == Some(false)
    {
        diags.error_at(
            AttributePath::attr("dynamic_qql_type"),
            "dynamic_qql_type must be set for a QQL",
            "dynamic_patches_qql needs dynamic_qql_type = 1 (Patch QQL) or 2 (Vulnerability QQL).",
        );
    }
}

fn additional_qql_has_type(j: &Job, diags: &mut Diagnostics) {
    if j.present("additional_dynamic_patches_qql") == Some(true)
        && j.qql_type_set("additional_dynamic_qql_type") == Some(false)
    {
        diags.error_at(
            AttributePath::attr("additional_dynamic_qql_type"),
            "additional_dynamic_qql_type must be set",
            "additional_dynamic_patches_qql needs additional_dynamic_qql_type = 1 (Patch QQL) or 2 (Vulnerability QQL).",
        );
    }
}

fn platform_only_fields(j: &Job, diags: &mut Diagnostics) {
    let Some(p) = j.platform else {
        return;
    };
    for (name, wanted) in [
        ("continue_on_patch_failure", "Linux"),
        ("minimize_window", "Windows"),
        ("opportunistic_downloads", "Windows"),
    ] {
        if p != wanted && j.get(name).as_bool() == Some(true) {
            diags.error_at(
                AttributePath::attr(name),
                format!("{name} is for {wanted} jobs only"),
                format!(
                    "{name} = true is only supported on {wanted} jobs; this job's platform is {p}."
                ),
            );
        }
    }
    let prompt = j
        .get("post_deployment")
        .get("on_complete")
        .get("always_show_completed_prompt");
    if p == "Linux" && prompt.as_bool() == Some(true) {
        diags.error_at(
            AttributePath::attr("post_deployment")
                .then_attr("on_complete")
                .then_attr("always_show_completed_prompt"),
            "always_show_completed_prompt is for Windows jobs only",
            "The completion pop-up window is only shown on Windows.",
        );
    }
}

fn actions_follow_action_rules(j: &Job, diags: &mut Diagnostics) {
    for list_name in ["pre_deploy_actions", "post_deploy_actions"] {
        for (i, a) in j
            .get(list_name)
            .as_elements()
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let action = Action {
                a,
                post: list_name == "post_deploy_actions",
                platform: j.platform,
                path: AttributePath::attr(list_name).then_index(i as i64),
            };
            for rule in ACTION_RULES {
                (rule.check)(&action, diags);
            }
        }
    }
}

fn notification_has_an_event(j: &Job, diags: &mut Diagnostics) {
    let n = j.get("notification");
    if !n.is_known_value() {
        return;
    }
    let start = n.get("on_job_start");
    let complete = n.get("on_job_complete");
    if !start.is_unknown()
        && !complete.is_unknown()
        && start.as_bool() != Some(true)
        && complete.as_bool() != Some(true)
    {
        diags.error_at(
            AttributePath::attr("notification"),
            "Notification without an event",
            "Set on_job_start or on_job_complete (or both) to true.",
        );
    }
}

fn notification_recipients_are_addresses(j: &Job, diags: &mut Diagnostics) {
    let n = j.get("notification");
    if !n.is_known_value() {
        return;
    }
    let emails = n.get("recipient_emails").as_elements().unwrap_or(&[]);
    for (i, e) in emails.iter().enumerate() {
        if let Some(s) = e.as_str() {
            if !s.contains('@') || s.contains(',') || s.trim() != s {
                diags.error_at(
                    AttributePath::attr("notification")
                        .then_attr("recipient_emails")
                        .then_index(i as i64),
                    "Invalid email address in notification.recipient_emails",
                    format!("\"{s}\" is not one email address."),
                );
            }
        }
    }
}

fn enabled_has_something_to_deploy(j: &Job, diags: &mut Diagnostics) {
    if j.get("status").as_str() != Some("Enabled") {
        return;
    }
    let what = [
        j.present("approved_patches"),
        j.present("dynamic_patches_qql"),
        j.present("linked_job_id"),
        j.present("pre_deploy_actions"),
        j.present("post_deploy_actions"),
        j.qql_type_set("dynamic_qql_type"),
    ];
    if what.iter().all(|x| *x == Some(false)) {
        diags.error_at(AttributePath::attr("status"), "Nothing to deploy", "An Enabled job needs at least one patch, a QQL, a linked job, or a pre- or post-deployment action.");
    }
}

fn enabled_has_targets(j: &Job, diags: &mut Diagnostics) {
    if j.get("status").as_str() != Some("Enabled") {
        return;
    }
    let targets = [
        j.present("asset_ids"),
        j.present("asset_tag_ids"),
        j.present("match_all_tag_ids"),
    ];
    if targets.iter().all(|x| *x == Some(false)) {
        diags.error_at(AttributePath::attr("status"), "No target assets", "An Enabled job needs at least one asset (asset_ids) or tag (asset_tag_ids, match_all_tag_ids).");
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
        self.a.get("action").as_str()
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
            x.path.then_attr("action"),
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
            x.path.then_attr("action"),
            "Action not supported on Linux",
            format!("Linux jobs support the \"Run Script\" action only, not \"{other}\"."),
        );
    }
}

fn default_script_type_means_no_script(x: &Action, diags: &mut Diagnostics) {
    if text(x.a.get("default_script_type")).is_none() {
        return;
    }
    if text(x.a.get("script")).is_some_and(|s| !s.starts_with("default/")) {
        diags.error_at(
            x.path.then_attr("script"),
            "script must be empty with default_script_type",
            "default_script_type runs a server-provided script: leave script empty or unset.",
        );
    }
}

fn action_has_its_payload(x: &Action, diags: &mut Diagnostics) {
    let a = x.a;
    match x.action() {
        Some("Run Script")
            if a.get("script").is_null() && a.get("default_script_type").is_null() =>
        {
            diags.error_at(
                x.path.then_attr("script"),
                "Run Script needs a script",
                "Set script (plain text or a storage reference) or default_script_type.",
            )
        }
        Some("Install Software") if a.get("download_url").is_null() => diags.error_at(
            x.path.then_attr("download_url"),
            "Install Software needs download_url",
            "Set download_url to the installer's URL.",
        ),
        Some("Change Registry Key") if a.get("reg_key").is_null() => diags.error_at(
            x.path.then_attr("reg_key"),
            "Change Registry Key needs reg_key",
            "Set reg_key to the registry key to change.",
        ),
        _ => {}
    }
}

fn malformed_reference_warns(x: &Action, diags: &mut Diagnostics) {
    if let Some(s) = x.a.get("script").as_str() {
        if s.contains("/Script")
            && !is_script_reference(s)
            && s.lines().count() == 1
            && !s.contains(' ')
        {
            diags.warning_at(
                x.path.then_attr("script"),
                "script looks like a malformed storage reference",
                format!("\"{s}\" will be uploaded as script text."),
            );
        }
    }
}
