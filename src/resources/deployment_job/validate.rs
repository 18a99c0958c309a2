//! Plan-time validation: every enum and range of the declarations, and the cross-field rules
//! of the API documentation. No API call; unknown values are skipped (checked at apply).

use crate::plugin::{AttributePath, Diagnostics, Value};

use super::fields::{
    Check, Field, Kind, JOB_FIELDS, RECURRING_SCHEDULES, SCHEDULE_TYPES, WEEKDAYS,
};
use crate::qualys::model::{is_script_reference, parse_start_date_time};

pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if !config.is_known_value() {
        return diags;
    }
    check_fields(JOB_FIELDS, config, &AttributePath::root(), &mut diags);
    cross_field_rules(config, &mut diags);
    // terraform (1.11) points diagnostics inside nested attributes at the resource block, not
    // at the nested line: name the attribute in the text too
    for d in &mut diags.0 {
        if let Some(path) = d.attribute.as_ref().filter(|p| p.0.len() > 1) {
            d.detail = format!("{path}: {}", d.detail);
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

fn cross_field_rules(c: &Value, diags: &mut Diagnostics) {
    let at = AttributePath::attr;
    let schedule = c.get("schedule_type").as_str();
    let platform = match c.get("platform") {
        Value::Null => Some("Windows"),
        v => v.as_str(),
    };
    let job_type = match c.get("type") {
        Value::Null => Some("Install"),
        v => v.as_str(),
    };

    // start_date_time: required unless On-demand
    if let Some(s) = schedule.filter(|s| SCHEDULE_TYPES.contains(s)) {
        if s != "On-demand" && c.get("start_date_time").is_null() {
            diags.error_at(
                at("start_date_time"),
                "Missing start_date_time",
                format!("start_date_time is required for a \"{s}\" job (only On-demand jobs may leave it out)."),
            );
        }
        if let Some(r) = c.get("recurring").as_bool() {
            let expected = RECURRING_SCHEDULES.contains(&s);
            if r != expected {
                diags.error_at(
                    at("recurring"),
                    "recurring disagrees with schedule_type",
                    format!("A \"{s}\" job has recurring = {expected}; Daily, Weekly and Monthly jobs recur, On-demand and Once jobs do not."),
                );
            }
        }
        if s == "Weekly" && present(c.get("recurring_week_days")) == Some(false) {
            diags.error_at(
                at("recurring_week_days"),
                "Missing recurring_week_days",
                "A Weekly job needs at least one day in recurring_week_days.",
            );
        }
        if s == "Monthly" {
            let by_day = present(c.get("day_of_month"));
            let last = present(c.get("recurring_last_day_of_month"));
            let tuesday = match c.get("monthly_recurring_type") {
                Value::Unknown => None,
                v => Some(v.as_i64() == Some(1)),
            };
            let week_day = match (
                present(c.get("recurring_day_of_month")),
                present(c.get("recurring_week_day_of_month")),
            ) {
                (Some(a), Some(b)) => Some(a && b),
                _ => None,
            };
            if [by_day, last, tuesday, week_day]
                .iter()
                .all(|x| *x == Some(false))
            {
                diags.error_at(
                    at("schedule_type"),
                    "Monthly job without a day",
                    "A Monthly job needs day_of_month, recurring_last_day_of_month = true, monthly_recurring_type = 1 (Patch Tuesday), or recurring_day_of_month with recurring_week_day_of_month.",
                );
            }
        }
    }

    // patch window
    let unit = match c.get("timeout_unit") {
        Value::Null => Some("HOURS"),
        v => v.as_str(),
    };
    let window_minutes = match (c.get("timeout").as_i64(), unit) {
        (Some(-1), _) => None,
        (Some(t), Some(u)) => {
            let (max, minutes) = if u == "MINUTES" {
                (10080, t)
            } else {
                (168, t * 60)
            };
            if !(1..=max).contains(&t) {
                diags.error_at(
                    at("timeout"),
                    "Invalid value for timeout",
                    format!("{t} is out of range; the patch window is 1 to 168 HOURS, 1 to 10080 MINUTES, or -1 for none."),
                );
                None
            } else {
                Some(minutes)
            }
        }
        _ => None,
    };
    if let Some(drt) = c.get("download_randomize_time").as_i64() {
        // the server reports MINUTES for an unset unit
        let drt_unit = match c.get("download_randomize_time_unit") {
            Value::Null => Some("MINUTES"),
            v => v.as_str(),
        };
        if drt < 0 {
            diags.error_at(
                at("download_randomize_time"),
                "Invalid value for download_randomize_time",
                format!("{drt} is negative."),
            );
        } else if let (Some(window), Some(u)) = (window_minutes, drt_unit) {
            let drt_minutes = if u == "MINUTES" { drt } else { drt * 60 };
            if drt_minutes >= window {
                diags.error_at(
                    at("download_randomize_time"),
                    "download_randomize_time too long",
                    format!("download_randomize_time ({drt} {u}) must be less than the patch window (timeout, {window} minutes)."),
                );
            }
        }
    }

    // chained jobs
    if present(c.get("chained_job_rules")) == Some(true) && c.get("linked_job_id").is_null() {
        diags.error_at(
            at("chained_job_rules"),
            "chained_job_rules needs linked_job_id",
            "Chained job rules refer to the post-actions of the linked job: set linked_job_id.",
        );
    }

    // patch sources are mutually exclusive
    let qql = present(c.get("dynamic_patches_qql"));
    let patches = present(c.get("approved_patches"));
    let linked = present(c.get("linked_job_id"));
    let sources = [
        ("dynamic_patches_qql", qql),
        ("approved_patches", patches),
        ("linked_job_id", linked),
    ];
    let set: Vec<&str> = sources
        .iter()
        .filter(|(_, p)| *p == Some(true))
        .map(|(n, _)| *n)
        .collect();
    if set.len() > 1 {
        diags.error_at(
            at(set[1]),
            "Conflicting patch selections",
            format!("{} are mutually exclusive: a job takes its patches from a QQL, a patch list, or another job.", set.join(" and ")),
        );
    }
    if qql == Some(true) {
        if job_type == Some("Rollback") {
            diags.error_at(
                at("dynamic_patches_qql"),
                "QQL on a Rollback job",
                "QQL patch selection is only available for Install jobs.",
            );
        }
        match c.get("dynamic_qql_type") {
            Value::Unknown => {}
            v if matches!(v.as_i64(), Some(1) | Some(2)) => {}
            _ => diags.error_at(
                at("dynamic_qql_type"),
                "dynamic_qql_type must be set for a QQL",
                "dynamic_patches_qql needs dynamic_qql_type = 1 (Patch QQL) or 2 (Vulnerability QQL).",
            ),
        }
    }
    if present(c.get("additional_dynamic_patches_qql")) == Some(true) {
        match c.get("additional_dynamic_qql_type") {
            Value::Unknown => {}
            v if matches!(v.as_i64(), Some(1) | Some(2)) => {}
            _ => diags.error_at(
                at("additional_dynamic_qql_type"),
                "additional_dynamic_qql_type must be set",
                "additional_dynamic_patches_qql needs additional_dynamic_qql_type = 1 (Patch QQL) or 2 (Vulnerability QQL).",
            ),
        }
    }

    // platform-specific fields
    if let Some(p) = platform {
        let only = |name: &str, wanted: &str, diags: &mut Diagnostics| {
            if p != wanted && c.get(name).as_bool() == Some(true) {
                diags.error_at(at(name), format!("{name} is for {wanted} jobs only"), format!("{name} = true is only supported on {wanted} jobs; this job's platform is {p}."));
            }
        };
        only("continue_on_patch_failure", "Linux", diags);
        only("minimize_window", "Windows", diags);
        only("opportunistic_downloads", "Windows", diags);
        if p == "Linux"
            && c.get("post_deployment")
                .get("on_complete")
                .get("always_show_completed_prompt")
                .as_bool()
                == Some(true)
        {
            diags.error_at(
                at("post_deployment")
                    .then_attr("on_complete")
                    .then_attr("always_show_completed_prompt"),
                "always_show_completed_prompt is for Windows jobs only",
                "The completion pop-up window is only shown on Windows.",
            );
        }
    }

    // actions
    for list_name in ["pre_deploy_actions", "post_deploy_actions"] {
        for (i, a) in c
            .get(list_name)
            .as_elements()
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let p = at(list_name).then_index(i as i64);
            check_action(a, list_name == "post_deploy_actions", platform, &p, diags);
        }
    }

    // notification
    let n = c.get("notification");
    if n.is_known_value() {
        let start = n.get("on_job_start");
        let complete = n.get("on_job_complete");
        if !start.is_unknown()
            && !complete.is_unknown()
            && start.as_bool() != Some(true)
            && complete.as_bool() != Some(true)
        {
            diags.error_at(
                at("notification"),
                "Notification without an event",
                "Set on_job_start or on_job_complete (or both) to true.",
            );
        }
        for (i, e) in n
            .get("recipient_emails")
            .as_elements()
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if let Some(s) = e.as_str() {
                if !s.contains('@') || s.contains(',') || s.trim() != s {
                    diags.error_at(
                        at("notification")
                            .then_attr("recipient_emails")
                            .then_index(i as i64),
                        "Invalid email address in notification.recipient_emails",
                        format!("\"{s}\" is not one email address."),
                    );
                }
            }
        }
    }

    // enabling needs something to deploy and somewhere to deploy it
    if c.get("status").as_str() == Some("Enabled") {
        let what = [
            patches,
            qql,
            linked,
            present(c.get("pre_deploy_actions")),
            present(c.get("post_deploy_actions")),
            match c.get("dynamic_qql_type") {
                Value::Unknown => None,
                v => Some(matches!(v.as_i64(), Some(1) | Some(2))),
            },
        ];
        let targets = [
            present(c.get("asset_ids")),
            present(c.get("asset_tag_ids")),
            present(c.get("match_all_tag_ids")),
        ];
        if what.iter().all(|x| *x == Some(false)) {
            diags.error_at(at("status"), "Nothing to deploy", "An Enabled job needs at least one patch, a QQL, a linked job, or a pre- or post-deployment action.");
        }
        if targets.iter().all(|x| *x == Some(false)) {
            diags.error_at(at("status"), "No target assets", "An Enabled job needs at least one asset (asset_ids) or tag (asset_tag_ids, match_all_tag_ids).");
        }
    }
}

fn check_action(
    a: &Value,
    post: bool,
    platform: Option<&str>,
    p: &AttributePath,
    diags: &mut Diagnostics,
) {
    let action = a.get("action").as_str();
    if post && action == Some("System Reboot") {
        diags.error_at(
            p.then_attr("action"),
            "System Reboot is not a post-deployment action",
            "post_deploy_actions allow \"Run Script\", \"Install Software\", \"Change Registry Key\" and \"Uninstall Software\".",
        );
    }
    if platform == Some("Linux") {
        if let Some(x) = action.filter(|x| *x != "Run Script") {
            diags.error_at(
                p.then_attr("action"),
                "Action not supported on Linux",
                format!("Linux jobs support the \"Run Script\" action only, not \"{x}\"."),
            );
        }
    }
    let script = a.get("script");
    let default_type = a.get("default_script_type");
    if text(default_type).is_some() {
        if let Some(s) = text(script) {
            if !s.starts_with("default/") {
                diags.error_at(p.then_attr("script"), "script must be empty with default_script_type", "default_script_type runs a server-provided script: leave script empty or unset.");
            }
        }
    }
    match action {
        Some("Run Script") if script.is_null() && default_type.is_null() => diags.error_at(
            p.then_attr("script"),
            "Run Script needs a script",
            "Set script (plain text or a storage reference) or default_script_type.",
        ),
        Some("Install Software") if a.get("download_url").is_null() => diags.error_at(
            p.then_attr("download_url"),
            "Install Software needs download_url",
            "Set download_url to the installer's URL.",
        ),
        Some("Change Registry Key") if a.get("reg_key").is_null() => diags.error_at(
            p.then_attr("reg_key"),
            "Change Registry Key needs reg_key",
            "Set reg_key to the registry key to change.",
        ),
        _ => {}
    }
    if let Some(s) = a.get("script").as_str() {
        if s.contains("/Script")
            && !is_script_reference(s)
            && s.lines().count() == 1
            && !s.contains(' ')
        {
            diags.warning_at(
                p.then_attr("script"),
                "script looks like a malformed storage reference",
                format!("\"{s}\" will be uploaded as script text."),
            );
        }
    }
}
