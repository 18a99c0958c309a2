//! Validation of a create or update body: every documented range, enum and cross-field
//! rule, refused as a 400 naming the field (`Invalid`).

use std::cell::Cell;

use serde_json::{Map, Value};

use super::wire::{
    array, boolean, id_list, in_range, int, is_base64, is_id, is_storage_path, not_an_id, object,
    one_of, parse_start, string,
};
use super::{
    action_ids, invalid, Invalid, JobLookup, StoredJob, CHAIN_CONDITION, ENABLE_RULE,
    ID_LIST_FIELDS, POST_ACTIONS, PRE_ACTIONS, REG_VALUE_TYPES, SCHEDULE_TYPES,
};

/// Every documented range, enum and cross-field rule. `self_id` is the job being updated.
pub(crate) fn validate(
    body: &Value,
    self_id: Option<&str>,
    jobs: &dyn JobLookup,
) -> Result<(), Invalid> {
    let obj = match body {
        Value::Object(m) => m,
        other => return invalid("body", format!("must be a JSON object, got {other}")),
    };
    let body = Body {
        obj,
        self_id,
        jobs,
        action_count: Cell::new(0),
    };
    // the first rule broken is the one the server reports: the order is the server's
    BODY_RULES.iter().try_for_each(|rule| rule(&body))
}

/// A written job body under validation. Accessors re-read an attribute that an earlier
/// rule in `BODY_RULES` has already checked, so their `?` never fires after the first.
struct Body<'a> {
    obj: &'a Map<String, Value>,
    self_id: Option<&'a str>,
    jobs: &'a dyn JobLookup,
    /// Pre- plus post-deployment actions, counted by `actions_follow_action_rules`.
    action_count: Cell<usize>,
}

type BodyRule = fn(&Body<'_>) -> Result<(), Invalid>;

/// The rules of a written job, in the order the server checks them.
const BODY_RULES: &[BodyRule] = &[
    name_is_set,
    type_platform_status_are_known,
    schedule_is_known,
    start_date_time_unless_on_demand,
    recurring_agrees_with_schedule,
    timezone_is_a_name,
    patch_window_in_range,
    download_randomize_time_within_window,
    week_days_are_flags,
    month_days_in_range,
    weekly_has_days,
    monthly_has_a_day,
    patch_selection_fields_are_valid,
    qql_for_install_only,
    qql_excludes_patch_list,
    linked_job_is_an_id,
    one_patch_source,
    platform_only_options,
    custom_patch_url_is_positive,
    reattempt_settings,
    |b| validate_notification(b.obj),
    |b| validate_messages(b.obj),
    actions_follow_action_rules,
    linked_job_exists,
    chained_rules_name_linked_actions,
    enabled_has_content_and_targets,
];

impl Body<'_> {
    fn job_type(&self) -> Result<Option<String>, Invalid> {
        one_of(self.obj, "type", "type", &["Install", "Rollback"])
    }

    fn platform(&self) -> Result<String, Invalid> {
        Ok(
            one_of(self.obj, "platform", "platform", &["Windows", "Linux"])?
                .unwrap_or_else(|| "Windows".into()),
        )
    }

    fn schedule(&self) -> Result<Option<String>, Invalid> {
        one_of(self.obj, "scheduleType", "scheduleType", &SCHEDULE_TYPES)
    }

    /// The schedule type, required by `schedule_is_known` before any rule asks for it.
    fn known_schedule(&self) -> Result<String, Invalid> {
        Ok(self.schedule()?.unwrap_or_default())
    }

    fn timeout_unit(&self) -> Result<String, Invalid> {
        Ok(one_of(
            self.obj,
            "timeoutUnit",
            "timeoutUnit",
            &["HOURS", "MINUTES"],
        )?
        .unwrap_or_else(|| "HOURS".into()))
    }

    fn week_days(&self) -> Result<&str, Invalid> {
        Ok(string(self.obj, "recurringWeekDays", "recurringWeekDays")?.unwrap_or(""))
    }

    fn int(&self, key: &str) -> Result<Option<i64>, Invalid> {
        int(self.obj, key, key)
    }

    /// A non-empty ID list (`patch_selection_fields_are_valid` checks every list first).
    fn non_empty(&self, key: &str) -> Result<bool, Invalid> {
        Ok(id_list(self.obj, key)?.is_some_and(|l| !l.is_empty()))
    }

    fn qql(&self) -> Result<String, Invalid> {
        Ok(string(self.obj, "dynamicPatchesQQL", "dynamicPatchesQQL")?
            .unwrap_or("")
            .trim()
            .to_owned())
    }

    fn linked(&self) -> Result<Option<&str>, Invalid> {
        Ok(string(self.obj, "linkedJobId", "linkedJobId")?
            .filter(|s| !s.is_empty() && *s != "null"))
    }

    /// The linked job as stored: IDs are stored in lower case (see normalise).
    fn linked_job(&self) -> Result<Option<&StoredJob>, Invalid> {
        Ok(self
            .linked()?
            .map(str::to_ascii_lowercase)
            .and_then(|k| self.jobs.job(&k)))
    }
}

fn name_is_set(b: &Body<'_>) -> Result<(), Invalid> {
    match string(b.obj, "name", "name")? {
        Some(n) if !n.trim().is_empty() => {
            if n.chars().count() > 256 {
                return invalid("name", "must be at most 256 characters");
            }
        }
        _ => return invalid("name", "is required"),
    }
    string(b.obj, "description", "description")?;
    Ok(())
}

fn type_platform_status_are_known(b: &Body<'_>) -> Result<(), Invalid> {
    if b.job_type()?.is_none() {
        return invalid("type", "is required (Install or Rollback)");
    }
    b.platform()?;
    one_of(b.obj, "status", "status", &["Disabled", "Enabled"])?;
    Ok(())
}

fn schedule_is_known(b: &Body<'_>) -> Result<(), Invalid> {
    match b.schedule()? {
        Some(_) => Ok(()),
        None => invalid(
            "scheduleType",
            format!("is required (one of {})", SCHEDULE_TYPES.join(", ")),
        ),
    }
}

fn start_date_time_unless_on_demand(b: &Body<'_>) -> Result<(), Invalid> {
    let schedule = b.known_schedule()?;
    match string(b.obj, "startDateTime", "startDateTime")? {
        Some(s) if !s.is_empty() && parse_start(s).is_none() => invalid(
            "startDateTime",
            format!("must look like 2022-2-20 01:18:30 PM, got {s:?}"),
        ),
        Some(s) if !s.is_empty() => Ok(()),
        _ if schedule != "On-demand" => {
            invalid("startDateTime", format!("is required for a {schedule} job"))
        }
        _ => Ok(()),
    }
}

fn recurring_agrees_with_schedule(b: &Body<'_>) -> Result<(), Invalid> {
    let schedule = b.known_schedule()?;
    let recurring_expected = matches!(schedule.as_str(), "Daily" | "Weekly" | "Monthly");
    match boolean(b.obj, "recurring", "recurring")? {
        Some(r) if r != recurring_expected => invalid(
            "recurring",
            format!("must be {recurring_expected} for a {schedule} job"),
        ),
        _ => Ok(()),
    }
}

fn timezone_is_a_name(b: &Body<'_>) -> Result<(), Invalid> {
    one_of(
        b.obj,
        "timezoneType",
        "timezoneType",
        &["AGENT_TZ", "SPECIFIC_TZ"],
    )?;
    match string(b.obj, "timezone", "timezone")? {
        Some(tz) if tz.trim().is_empty() || tz.contains(char::is_whitespace) => invalid(
            "timezone",
            format!("must be a time zone name such as UTC or America/New_York, got {tz:?}"),
        ),
        _ => Ok(()),
    }
}

fn patch_window_in_range(b: &Body<'_>) -> Result<(), Invalid> {
    let timeout_unit = b.timeout_unit()?;
    if let Some(t) = b.int("timeout")? {
        let max = if timeout_unit == "HOURS" { 168 } else { 10080 };
        if t != -1 && !(1..=max).contains(&t) {
            return invalid(
                "timeout",
                format!(
                    "must be -1 (no patch window) or between 1 and {max} {timeout_unit}, got {t}"
                ),
            );
        }
    }
    Ok(())
}

fn download_randomize_time_within_window(b: &Body<'_>) -> Result<(), Invalid> {
    let rand_unit = one_of(
        b.obj,
        "downloadRandomizeTimeUnit",
        "downloadRandomizeTimeUnit",
        &["HOURS", "MINUTES"],
    )?
    .unwrap_or_else(|| "MINUTES".into());
    let Some(r) = b.int("downloadRandomizeTime")? else {
        return Ok(());
    };
    let r_min = if rand_unit == "HOURS" { r * 60 } else { r };
    if r < 0 || r_min > 120 {
        return invalid(
            "downloadRandomizeTime",
            format!("must be between 0 and 2 HOURS (120 MINUTES), got {r} {rand_unit}"),
        );
    }
    let timeout_unit = b.timeout_unit()?;
    if let Some(t) = b.int("timeout")?.filter(|t| *t > 0) {
        let t_min = if timeout_unit == "HOURS" { t * 60 } else { t };
        if r > 0 && r_min >= t_min {
            return invalid(
                "downloadRandomizeTime",
                format!("must be less than the patch window (timeout {t} {timeout_unit})"),
            );
        }
    }
    Ok(())
}

fn week_days_are_flags(b: &Body<'_>) -> Result<(), Invalid> {
    let week_days = b.week_days()?;
    if !week_days.is_empty() {
        let flags: Vec<&str> = week_days.split(',').map(str::trim).collect();
        if flags.len() != 7 || flags.iter().any(|f| *f != "0" && *f != "1") {
            return invalid("recurringWeekDays", format!("must be seven comma-separated 0/1 flags, Sunday first (e.g. \"0,0,1,0,0,0,0\"), got {week_days:?}"));
        }
    }
    Ok(())
}

fn month_days_in_range(b: &Body<'_>) -> Result<(), Invalid> {
    in_range("dayOfMonth", b.int("dayOfMonth")?, 1, 31)?;
    boolean(b.obj, "recurringLastDayOfMonth", "recurringLastDayOfMonth")?;
    in_range("monthlyRecurringType", b.int("monthlyRecurringType")?, 0, 1)?;
    in_range(
        "patchTuesdayPlusXDays",
        b.int("patchTuesdayPlusXDays")?,
        -27,
        27,
    )?;
    in_range("recurringDayOfMonth", b.int("recurringDayOfMonth")?, 1, 5)?;
    in_range(
        "recurringWeekDayOfMonth",
        b.int("recurringWeekDayOfMonth")?,
        0,
        6,
    )
}

fn weekly_has_days(b: &Body<'_>) -> Result<(), Invalid> {
    if b.known_schedule()? == "Weekly" && !b.week_days()?.contains('1') {
        return invalid(
            "recurringWeekDays",
            "a Weekly job needs at least one day (e.g. \"0,1,0,0,0,0,0\")",
        );
    }
    Ok(())
}

fn monthly_has_a_day(b: &Body<'_>) -> Result<(), Invalid> {
    let last_day =
        boolean(b.obj, "recurringLastDayOfMonth", "recurringLastDayOfMonth")?.unwrap_or(false);
    if b.known_schedule()? == "Monthly"
        && b.int("dayOfMonth")?.is_none()
        && !last_day
        && b.int("monthlyRecurringType")? != Some(1)
        && (b.int("recurringDayOfMonth")?.is_none() || b.int("recurringWeekDayOfMonth")?.is_none())
    {
        return invalid("dayOfMonth", "a Monthly job needs dayOfMonth, recurringLastDayOfMonth, recurringDayOfMonth with recurringWeekDayOfMonth, or monthlyRecurringType 1 (Patch Tuesday)");
    }
    Ok(())
}

fn patch_selection_fields_are_valid(b: &Body<'_>) -> Result<(), Invalid> {
    for key in ID_LIST_FIELDS {
        id_list(b.obj, key)?;
    }
    let obj = b.obj;
    one_of(obj, "filterType", "filterType", &["Any", "All"])?;
    one_of(
        obj,
        "exclusionFilterType",
        "exclusionFilterType",
        &["Any", "All"],
    )?;
    in_range("dynamicQQLType", b.int("dynamicQQLType")?, 0, 2)?;
    in_range(
        "additionalDynamicQQLType",
        b.int("additionalDynamicQQLType")?,
        0,
        2,
    )?;
    boolean(obj, "isDynamicPatchesQQL", "isDynamicPatchesQQL")?;
    boolean(obj, "isAssetImported", "isAssetImported")?;
    string(
        obj,
        "additionalDynamicPatchesQQL",
        "additionalDynamicPatchesQQL",
    )?;
    Ok(())
}

fn qql_for_install_only(b: &Body<'_>) -> Result<(), Invalid> {
    if !b.qql()?.is_empty() && b.job_type()?.as_deref() == Some("Rollback") {
        return invalid(
            "dynamicPatchesQQL",
            "QQL is only allowed on Install jobs, not Rollback",
        );
    }
    Ok(())
}

fn qql_excludes_patch_list(b: &Body<'_>) -> Result<(), Invalid> {
    if !b.qql()?.is_empty() && b.non_empty("approvedPatches")? {
        return invalid(
            "dynamicPatchesQQL",
            "a QQL and a patch list (approvedPatches) are mutually exclusive",
        );
    }
    Ok(())
}

fn linked_job_is_an_id(b: &Body<'_>) -> Result<(), Invalid> {
    match b.linked()?.filter(|l| !is_id(l)) {
        Some(l) => invalid("linkedJobId", not_an_id(l)),
        None => Ok(()),
    }
}

fn one_patch_source(b: &Body<'_>) -> Result<(), Invalid> {
    if b.linked()?.is_some() && (!b.qql()?.is_empty() || b.non_empty("approvedPatches")?) {
        return invalid("linkedJobId", "patches from a linked job, a QQL and a patch list (approvedPatches) are mutually exclusive");
    }
    Ok(())
}

fn platform_only_options(b: &Body<'_>) -> Result<(), Invalid> {
    let platform = b.platform()?;
    for (key, only) in [
        ("opportunisticDownloads", "Windows"),
        ("minimizeWindow", "Windows"),
        ("continueOnPatchFailure", "Linux"),
    ] {
        if boolean(b.obj, key, key)? == Some(true) && platform != only {
            return invalid(key, format!("is for {only} jobs only"));
        }
    }
    Ok(())
}

fn custom_patch_url_is_positive(b: &Body<'_>) -> Result<(), Invalid> {
    let cp = b.obj.get("customPatchURLId");
    if matches!(cp, None | Some(Value::Null)) {
        return Ok(());
    }
    match b.int("customPatchURLId")? {
        Some(v) if v > 0 => Ok(()),
        None if cp.and_then(Value::as_str) == Some("") => Ok(()),
        _ => invalid(
            "customPatchURLId",
            "must be a positive integer id from the custom patch URL list",
        ),
    }
}

fn reattempt_settings(b: &Body<'_>) -> Result<(), Invalid> {
    let enable_reattempt = boolean(
        b.obj,
        "enableReattemptFailedPatches",
        "enableReattemptFailedPatches",
    )?
    .unwrap_or(false);
    match object(b.obj, "reattemptFailedPatches", "reattemptFailedPatches")? {
        Some(r) => {
            let n = int(r, "noOfReattempts", "reattemptFailedPatches.noOfReattempts")?;
            let backoff = int(
                r,
                "exponentialBackoffInterval",
                "reattemptFailedPatches.exponentialBackoffInterval",
            )?;
            if enable_reattempt && n.is_none() {
                return invalid(
                    "reattemptFailedPatches.noOfReattempts",
                    "is required when enableReattemptFailedPatches is true",
                );
            }
            in_range("reattemptFailedPatches.noOfReattempts", n, 1, 5)?;
            in_range(
                "reattemptFailedPatches.exponentialBackoffInterval",
                backoff,
                1,
                15,
            )
        }
        None if enable_reattempt => invalid(
            "reattemptFailedPatches",
            "is required when enableReattemptFailedPatches is true",
        ),
        None => Ok(()),
    }
}

fn actions_follow_action_rules(b: &Body<'_>) -> Result<(), Invalid> {
    let platform = b.platform()?;
    let pre = validate_actions(b.obj, "preDeployActions", &PRE_ACTIONS, &platform)?;
    let post = validate_actions(b.obj, "postDeployActions", &POST_ACTIONS, &platform)?;
    b.action_count.set(pre + post);
    Ok(())
}

fn linked_job_exists(b: &Body<'_>) -> Result<(), Invalid> {
    let Some(parent_id) = b.linked()? else {
        return Ok(());
    };
    if b.self_id
        .is_some_and(|me| me.eq_ignore_ascii_case(parent_id))
    {
        return invalid("linkedJobId", "a job cannot be linked to itself");
    }
    if b.linked_job()?.is_none() {
        return invalid("linkedJobId", format!("job {parent_id} not found"));
    }
    Ok(())
}

fn chained_rules_name_linked_actions(b: &Body<'_>) -> Result<(), Invalid> {
    let Some(rules) = array(b.obj, "chainedJobRule", "chainedJobRule")? else {
        return Ok(());
    };
    if !rules.is_empty() && b.linked()?.is_none() {
        return invalid("chainedJobRule", "needs linkedJobId (the parent job)");
    }
    let parent_actions = b
        .linked_job()?
        .map(StoredJob::post_action_ids)
        .unwrap_or_default();
    for (i, rule) in rules.iter().enumerate() {
        chained_rule_is_valid(i, rule, &parent_actions)?;
    }
    Ok(())
}

fn chained_rule_is_valid(i: usize, rule: &Value, parent_actions: &[String]) -> Result<(), Invalid> {
    let f = |k: &str| format!("chainedJobRule[{i}].{k}");
    let rule = match rule {
        Value::Object(m) => m,
        other => {
            return invalid(
                format!("chainedJobRule[{i}]"),
                format!("must be an object, got {other}"),
            )
        }
    };
    if string(rule, "field", &f("field"))? != Some("postDeployAction") {
        return invalid(f("field"), "must be postDeployAction");
    }
    if string(rule, "condition", &f("condition"))? != Some(CHAIN_CONDITION) {
        return invalid(f("condition"), format!("must be {CHAIN_CONDITION:?}"));
    }
    match int(rule, "threshold", &f("threshold"))? {
        Some(t) => in_range(&f("threshold"), Some(t), 1, 100)?,
        None => return invalid(f("threshold"), "is required (a percentage, 1 to 100)"),
    }
    let ids = id_list(rule, "actionIds")
        .map_err(|e| Invalid {
            field: format!("chainedJobRule[{i}].{}", e.field),
            message: e.message,
        })?
        .unwrap_or_default();
    if ids.is_empty() {
        return invalid(
            f("actionIds"),
            "needs at least one post-action ID of the linked job",
        );
    }
    if let Some(bad) = ids
        .iter()
        .find(|id| !parent_actions.contains(&id.to_ascii_lowercase()))
    {
        return invalid(
            f("actionIds"),
            format!("{bad} is not a post-action of the linked job"),
        );
    }
    Ok(())
}

fn enabled_has_content_and_targets(b: &Body<'_>) -> Result<(), Invalid> {
    let status = one_of(b.obj, "status", "status", &["Disabled", "Enabled"])?;
    if status.as_deref() == Some("Enabled") && !can_enable(b.obj, b.action_count.get()) {
        return invalid("status", ENABLE_RULE);
    }
    Ok(())
}

pub(super) fn can_enable(obj: &Map<String, Value>, action_count: usize) -> bool {
    let non_empty = |k: &str| {
        obj.get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    let has_str = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty() && s != "null")
    };
    let has_content = non_empty("approvedPatches")
        || has_str("dynamicPatchesQQL")
        || has_str("linkedJobId")
        || action_count > 0;
    let has_target = non_empty("assetIds") || non_empty("assetTagIds");
    has_content && has_target
}

/// The enable rule applied to a stored job (status endpoint).
pub(crate) fn stored_can_enable(job: &Value) -> Result<(), String> {
    let obj = match job.as_object() {
        Some(o) => o,
        None => return Err(ENABLE_RULE.into()),
    };
    let actions = action_ids(obj.get("preDeployActions")).len()
        + action_ids(obj.get("postDeployActions")).len();
    if can_enable(obj, actions) {
        Ok(())
    } else {
        Err(ENABLE_RULE.into())
    }
}

pub(super) fn validate_notification(obj: &Map<String, Value>) -> Result<(), Invalid> {
    let n = match object(obj, "notification", "notification")? {
        Some(n) => n,
        None => return Ok(()),
    };
    let types = object(n, "notificationTypes", "notification.notificationTypes")?;
    let email = match types {
        Some(t) => boolean(t, "email", "notification.notificationTypes.email")?.unwrap_or(false),
        None => false,
    };
    if let Some(c) = object(n, "notificationConfigs", "notification.notificationConfigs")? {
        let p = int(
            c,
            "completedPercentage",
            "notification.notificationConfigs.completedPercentage",
        )?;
        in_range(
            "notification.notificationConfigs.completedPercentage",
            p,
            1,
            100,
        )?;
        let emails = string(
            c,
            "recipientEmails",
            "notification.notificationConfigs.recipientEmails",
        )?
        .unwrap_or("");
        for e in emails.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let ok = e.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
            if !ok || e.contains(char::is_whitespace) {
                return invalid(
                    "notification.notificationConfigs.recipientEmails",
                    format!("{e:?} is not an email address"),
                );
            }
        }
        if email && emails.trim().is_empty() {
            return invalid(
                "notification.notificationConfigs.recipientEmails",
                "is required when email notification is on",
            );
        }
    } else if email {
        return invalid(
            "notification.notificationConfigs.recipientEmails",
            "is required when email notification is on",
        );
    }
    let events = object(n, "notificationEvents", "notification.notificationEvents")?;
    let (start, complete) = match events {
        Some(e) => (
            boolean(
                e,
                "onJobStart",
                "notification.notificationEvents.onJobStart",
            )?
            .unwrap_or(false),
            boolean(
                e,
                "onJobComplete",
                "notification.notificationEvents.onJobComplete",
            )?
            .unwrap_or(false),
        ),
        None => (false, false),
    };
    if email && !start && !complete {
        return invalid(
            "notification.notificationEvents",
            "at least one of onJobStart or onJobComplete must be true",
        );
    }
    Ok(())
}

pub(super) fn validate_deferment(
    d: Option<&Map<String, Value>>,
    field: &str,
) -> Result<(), Invalid> {
    if let Some(d) = d {
        in_range(
            &format!("{field}.count"),
            int(d, "count", &format!("{field}.count"))?,
            0,
            100,
        )?;
        in_range(
            &format!("{field}.interval"),
            int(d, "interval", &format!("{field}.interval"))?,
            0,
            10080,
        )?;
        one_of(
            d,
            "intervalUnit",
            &format!("{field}.intervalUnit"),
            &["MINUTES", "HOURS", "DAYS"],
        )?;
    }
    Ok(())
}

pub(super) fn validate_message(m: &Map<String, Value>, field: &str) -> Result<(), Invalid> {
    string(m, "userMessage", &format!("{field}.userMessage"))?;
    string(m, "description", &format!("{field}.description"))?;
    Ok(())
}

pub(super) fn validate_messages(obj: &Map<String, Value>) -> Result<(), Invalid> {
    if let Some(p) = object(obj, "preDeployment", "preDeployment")? {
        validate_message(p, "preDeployment")?;
        validate_deferment(
            object(p, "deferment", "preDeployment.deferment")?,
            "preDeployment.deferment",
        )?;
    }
    if let Some(d) = object(obj, "duringDeployment", "duringDeployment")? {
        validate_message(d, "duringDeployment")?;
    }
    if let Some(p) = object(obj, "postDeployment", "postDeployment")? {
        boolean(p, "suppressReboots", "postDeployment.suppressReboots")?;
        boolean(
            p,
            "rebootHonorOnUserLogin",
            "postDeployment.rebootHonorOnUserLogin",
        )?;
        if let Some(o) = object(p, "onComplete", "postDeployment.onComplete")? {
            validate_message(o, "postDeployment.onComplete")?;
            boolean(
                o,
                "alwaysShowCompletedPrompt",
                "postDeployment.onComplete.alwaysShowCompletedPrompt",
            )?;
        }
        if let Some(c) = object(p, "rebootCountdown", "postDeployment.rebootCountdown")? {
            validate_message(c, "postDeployment.rebootCountdown")?;
            in_range(
                "postDeployment.rebootCountdown.interval",
                int(c, "interval", "postDeployment.rebootCountdown.interval")?,
                0,
                10080,
            )?;
            one_of(
                c,
                "intervalUnit",
                "postDeployment.rebootCountdown.intervalUnit",
                &["MINUTES", "HOURS"],
            )?;
        }
        if let Some(o) = object(p, "rebootOption", "postDeployment.rebootOption")? {
            validate_message(o, "postDeployment.rebootOption")?;
            validate_deferment(
                object(o, "deferment", "postDeployment.rebootOption.deferment")?,
                "postDeployment.rebootOption.deferment",
            )?;
        }
    }
    Ok(())
}

pub(super) fn validate_script(
    a: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<String>, Invalid> {
    match string(a, key, field)? {
        None => Ok(None),
        Some("") => Ok(Some(String::new())),
        Some(s) if is_storage_path(s) || is_base64(s) => Ok(Some(s.to_owned())),
        Some(_) => invalid(
            field,
            "must be base64-encoded script content or a stored script path",
        ),
    }
}

/// Returns the number of actions.
pub(super) fn validate_actions(
    obj: &Map<String, Value>,
    key: &str,
    allowed: &[&str],
    platform: &str,
) -> Result<usize, Invalid> {
    let actions = match array(obj, key, key)? {
        Some(a) => a,
        None => return Ok(0),
    };
    let mut seen_ids = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let sent = match action {
            Value::Object(m) => m,
            other => {
                return invalid(
                    format!("{key}[{i}]"),
                    format!("must be an object, got {other}"),
                )
            }
        };
        let action = SentAction {
            sent,
            key,
            i,
            platform,
        };
        let kind = action.kind(allowed)?;
        if let Some(id) = string(sent, "actionId", &action.field("actionId"))? {
            if seen_ids.contains(&id) {
                return invalid(
                    action.field("actionId"),
                    format!("duplicate action ID {id}"),
                );
            }
            seen_ids.push(id);
        }
        let CommonParts {
            script,
            params,
            built_in,
        } = action.scripts_and_params()?;
        match kind.as_str() {
            "Run Script" => action.run_script(script.as_deref(), built_in)?,
            "Install Software" => action.install_software(params)?,
            "Change Registry Key" => action.change_registry_key(params)?,
            "Uninstall Software" => action.uninstall_software(params)?,
            _ => {}
        }
    }
    Ok(actions.len())
}

/// What every kind of action has: its script, params, and whether the params name a
/// built-in script (`defaultScriptType`) to run instead.
struct CommonParts<'a> {
    script: Option<String>,
    params: &'a Map<String, Value>,
    built_in: bool,
}

/// The `i`th action of the list `key` of a written job, and the job's platform.
struct SentAction<'a> {
    sent: &'a Map<String, Value>,
    key: &'a str,
    i: usize,
    platform: &'a str,
}

impl<'a> SentAction<'a> {
    fn field(&self, k: &str) -> String {
        format!("{}[{}].{k}", self.key, self.i)
    }

    fn param(&self, k: &str) -> String {
        format!("{}[{}].params.{k}", self.key, self.i)
    }

    /// The action's kind: one of `allowed`, and Run Script only on Linux.
    fn kind(&self, allowed: &[&str]) -> Result<String, Invalid> {
        let kind = match one_of(self.sent, "action", &self.field("action"), allowed)? {
            Some(k) => k,
            None => {
                return invalid(
                    self.field("action"),
                    format!("is required (one of {})", allowed.join(", ")),
                )
            }
        };
        if self.platform == "Linux" && kind != "Run Script" {
            return invalid(
                self.field("action"),
                format!("{kind} is for Windows jobs only; Linux jobs support Run Script"),
            );
        }
        Ok(kind)
    }

    /// What every kind shares: script types of the platform, scripts as base64 or stored
    /// paths, params with an `actionItem`.
    fn scripts_and_params(&self) -> Result<CommonParts<'a>, Invalid> {
        let a = self.sent;
        let script_types: &[&str] = if self.platform == "Linux" {
            &["sh"]
        } else {
            &["ps"]
        };
        one_of(a, "scriptType", &self.field("scriptType"), script_types)?;
        one_of(
            a,
            "detectionScriptType",
            &self.field("detectionScriptType"),
            script_types,
        )?;
        let script = validate_script(a, "script", &self.field("script"))?;
        validate_script(a, "detectionScript", &self.field("detectionScript"))?;
        let params = match object(a, "params", &self.field("params"))? {
            Some(p) => p,
            None => {
                return invalid(
                    self.field("params"),
                    "is required (with at least actionItem)",
                )
            }
        };
        let pf = |k: &str| self.param(k);
        match string(params, "actionItem", &pf("actionItem"))? {
            Some(s) if !s.trim().is_empty() => {}
            _ => return invalid(pf("actionItem"), "is required"),
        }
        if let Some(t) = int(params, "timeout", &pf("timeout"))? {
            in_range(&pf("timeout"), Some(t), 1, 10080)?;
        }
        boolean(params, "remediationScope", &pf("remediationScope"))?;
        let default_type = one_of(
            params,
            "defaultScriptType",
            &pf("defaultScriptType"),
            &["MakeCache"],
        )?;
        Ok(CommonParts {
            script,
            params,
            built_in: default_type.is_some(),
        })
    }

    /// A script of its own, or the built-in MakeCache (Linux only) instead.
    fn run_script(&self, script: Option<&str>, built_in: bool) -> Result<(), Invalid> {
        if !built_in {
            if script.unwrap_or("").is_empty() {
                return invalid(
                    self.field("script"),
                    "is required for Run Script (base64 content)",
                );
            }
            return Ok(());
        }
        if self.platform != "Linux" {
            return invalid(
                self.param("defaultScriptType"),
                "MakeCache is for Linux jobs only",
            );
        }
        if script.is_some_and(|s| !s.is_empty() && !s.starts_with("default/")) {
            return invalid(
                self.field("script"),
                "must be empty when defaultScriptType is set",
            );
        }
        Ok(())
    }

    fn install_software(&self, params: &Map<String, Value>) -> Result<(), Invalid> {
        let pf = |k: &str| self.param(k);
        match string(params, "downloadURL", &pf("downloadURL"))? {
            Some(u)
                if url::Url::parse(u)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "file")) => {}
            _ => return invalid(pf("downloadURL"), "is required: an http(s) URL"),
        }
        in_range(
            &pf("installMethod"),
            int(params, "installMethod", &pf("installMethod"))?,
            0,
            1,
        )?;
        in_range(
            &pf("downloadProtocol"),
            int(params, "downloadProtocol", &pf("downloadProtocol"))?,
            0,
            2,
        )?;
        string(params, "fileChecksum", &pf("fileChecksum"))?;
        Ok(())
    }

    fn change_registry_key(&self, params: &Map<String, Value>) -> Result<(), Invalid> {
        let pf = |k: &str| self.param(k);
        for k in ["regKey", "regValue"] {
            match string(params, k, &pf(k))? {
                Some(s) if is_base64(s) => {}
                _ => return invalid(pf(k), "is required, base64-encoded"),
            }
        }
        if one_of(
            params,
            "regValueType",
            &pf("regValueType"),
            &REG_VALUE_TYPES,
        )?
        .is_none()
        {
            return invalid(
                pf("regValueType"),
                format!("is required (one of {})", REG_VALUE_TYPES.join(", ")),
            );
        }
        boolean(params, "regKeyAddNew", &pf("regKeyAddNew"))?;
        Ok(())
    }

    fn uninstall_software(&self, params: &Map<String, Value>) -> Result<(), Invalid> {
        let pf = |k: &str| self.param(k);
        match string(params, "unInstallRegistryKey", &pf("unInstallRegistryKey"))? {
            Some(s) if is_base64(s) => {}
            None => {}
            Some(_) => return invalid(pf("unInstallRegistryKey"), "must be base64-encoded"),
        }
        match string(
            params,
            "unInstallSoftwareDisplayName",
            &pf("unInstallSoftwareDisplayName"),
        )? {
            Some(s) if !s.trim().is_empty() => {}
            _ => return invalid(pf("unInstallSoftwareDisplayName"), "is required"),
        }
        for k in ["unInstallSoftwareVersion", "unInstallSoftwareVersionMatch"] {
            string(params, k, &pf(k))?;
        }
        Ok(())
    }
}
