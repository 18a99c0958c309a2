//! Validation of a create or update body: every documented range, enum and cross-field
//! rule, refused as a 400 naming the field (`Invalid`).

use serde_json::{json, Map, Value};

use super::wire::{
    array, boolean, id_list, in_range, int, is_base64, is_id, is_storage_path, not_an_id, object,
    one_of, parse_start, string,
};
use super::{
    action_ids, invalid, Invalid, JobLookup, StoredJob, CHAIN_CONDITION, ENABLE_RULE,
    ID_LIST_FIELDS, POST_ACTIONS, PRE_ACTIONS, REG_VALUE_TYPES, SCHEDULE_TYPES,
};

/// Every documented range, enum and cross-field rule. `self_id` is the job being updated.
pub fn validate(body: &Value, self_id: Option<&str>, jobs: &dyn JobLookup) -> Result<(), Invalid> {
    let obj = match body {
        Value::Object(m) => m,
        other => return invalid("body", format!("must be a JSON object, got {other}")),
    };
    match string(obj, "name", "name")? {
        Some(n) if !n.trim().is_empty() => {
            if n.chars().count() > 256 {
                return invalid("name", "must be at most 256 characters");
            }
        }
        _ => return invalid("name", "is required"),
    }
    string(obj, "description", "description")?;
    let job_type = match one_of(obj, "type", "type", &["Install", "Rollback"])? {
        Some(t) => t,
        None => return invalid("type", "is required (Install or Rollback)"),
    };
    let platform = one_of(obj, "platform", "platform", &["Windows", "Linux"])?
        .unwrap_or_else(|| "Windows".into());
    let status = one_of(obj, "status", "status", &["Disabled", "Enabled"])?;
    let schedule = match one_of(obj, "scheduleType", "scheduleType", &SCHEDULE_TYPES)? {
        Some(s) => s,
        None => {
            return invalid(
                "scheduleType",
                format!("is required (one of {})", SCHEDULE_TYPES.join(", ")),
            )
        }
    };
    match string(obj, "startDateTime", "startDateTime")? {
        Some(s) if !s.is_empty() && parse_start(s).is_none() => {
            return invalid(
                "startDateTime",
                format!("must look like 2022-2-20 01:18:30 PM, got {s:?}"),
            );
        }
        Some(s) if !s.is_empty() => {}
        _ if schedule != "On-demand" => {
            return invalid("startDateTime", format!("is required for a {schedule} job"))
        }
        _ => {}
    }
    let recurring_expected = matches!(schedule.as_str(), "Daily" | "Weekly" | "Monthly");
    if let Some(r) = boolean(obj, "recurring", "recurring")? {
        if r != recurring_expected {
            return invalid(
                "recurring",
                format!("must be {recurring_expected} for a {schedule} job"),
            );
        }
    }
    one_of(
        obj,
        "timezoneType",
        "timezoneType",
        &["AGENT_TZ", "SPECIFIC_TZ"],
    )?;
    if let Some(tz) = string(obj, "timezone", "timezone")? {
        if tz.trim().is_empty() || tz.contains(char::is_whitespace) {
            return invalid(
                "timezone",
                format!("must be a time zone name such as UTC or America/New_York, got {tz:?}"),
            );
        }
    }
    let timeout_unit = one_of(obj, "timeoutUnit", "timeoutUnit", &["HOURS", "MINUTES"])?
        .unwrap_or_else(|| "HOURS".into());
    let timeout = int(obj, "timeout", "timeout")?;
    if let Some(t) = timeout {
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
    let rand_unit = one_of(
        obj,
        "downloadRandomizeTimeUnit",
        "downloadRandomizeTimeUnit",
        &["HOURS", "MINUTES"],
    )?
    .unwrap_or_else(|| "MINUTES".into());
    if let Some(r) = int(obj, "downloadRandomizeTime", "downloadRandomizeTime")? {
        let r_min = if rand_unit == "HOURS" { r * 60 } else { r };
        if r < 0 || r_min > 120 {
            return invalid(
                "downloadRandomizeTime",
                format!("must be between 0 and 2 HOURS (120 MINUTES), got {r} {rand_unit}"),
            );
        }
        if let Some(t) = timeout.filter(|t| *t > 0) {
            let t_min = if timeout_unit == "HOURS" { t * 60 } else { t };
            if r > 0 && r_min >= t_min {
                return invalid(
                    "downloadRandomizeTime",
                    format!("must be less than the patch window (timeout {t} {timeout_unit})"),
                );
            }
        }
    }

    // recurrence
    let week_days = string(obj, "recurringWeekDays", "recurringWeekDays")?.unwrap_or("");
    if !week_days.is_empty() {
        let flags: Vec<&str> = week_days.split(',').map(str::trim).collect();
        if flags.len() != 7 || flags.iter().any(|f| *f != "0" && *f != "1") {
            return invalid("recurringWeekDays", format!("must be seven comma-separated 0/1 flags, Sunday first (e.g. \"0,0,1,0,0,0,0\"), got {week_days:?}"));
        }
    }
    let day_of_month = int(obj, "dayOfMonth", "dayOfMonth")?;
    in_range("dayOfMonth", day_of_month, 1, 31)?;
    let last_day =
        boolean(obj, "recurringLastDayOfMonth", "recurringLastDayOfMonth")?.unwrap_or(false);
    let monthly_type = int(obj, "monthlyRecurringType", "monthlyRecurringType")?;
    in_range("monthlyRecurringType", monthly_type, 0, 1)?;
    in_range(
        "patchTuesdayPlusXDays",
        int(obj, "patchTuesdayPlusXDays", "patchTuesdayPlusXDays")?,
        -27,
        27,
    )?;
    let week_of_month = int(obj, "recurringDayOfMonth", "recurringDayOfMonth")?;
    in_range("recurringDayOfMonth", week_of_month, 1, 5)?;
    let weekday_of_month = int(obj, "recurringWeekDayOfMonth", "recurringWeekDayOfMonth")?;
    in_range("recurringWeekDayOfMonth", weekday_of_month, 0, 6)?;
    if schedule == "Weekly" && !week_days.contains('1') {
        return invalid(
            "recurringWeekDays",
            "a Weekly job needs at least one day (e.g. \"0,1,0,0,0,0,0\")",
        );
    }
    if schedule == "Monthly"
        && day_of_month.is_none()
        && !last_day
        && monthly_type != Some(1)
        && (week_of_month.is_none() || weekday_of_month.is_none())
    {
        return invalid("dayOfMonth", "a Monthly job needs dayOfMonth, recurringLastDayOfMonth, recurringDayOfMonth with recurringWeekDayOfMonth, or monthlyRecurringType 1 (Patch Tuesday)");
    }

    // targets and patches
    let mut lists = Map::new();
    for key in ID_LIST_FIELDS {
        if let Some(l) = id_list(obj, key)? {
            lists.insert(key.to_owned(), json!(l));
        }
    }
    let non_empty = |k: &str| {
        lists
            .get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    one_of(obj, "filterType", "filterType", &["Any", "All"])?;
    one_of(
        obj,
        "exclusionFilterType",
        "exclusionFilterType",
        &["Any", "All"],
    )?;
    in_range(
        "dynamicQQLType",
        int(obj, "dynamicQQLType", "dynamicQQLType")?,
        0,
        2,
    )?;
    in_range(
        "additionalDynamicQQLType",
        int(obj, "additionalDynamicQQLType", "additionalDynamicQQLType")?,
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
    let qql = string(obj, "dynamicPatchesQQL", "dynamicPatchesQQL")?
        .unwrap_or("")
        .trim()
        .to_owned();
    if !qql.is_empty() && job_type == "Rollback" {
        return invalid(
            "dynamicPatchesQQL",
            "QQL is only allowed on Install jobs, not Rollback",
        );
    }
    if !qql.is_empty() && non_empty("approvedPatches") {
        return invalid(
            "dynamicPatchesQQL",
            "a QQL and a patch list (approvedPatches) are mutually exclusive",
        );
    }
    let linked =
        string(obj, "linkedJobId", "linkedJobId")?.filter(|s| !s.is_empty() && *s != "null");
    if let Some(l) = linked.filter(|l| !is_id(l)) {
        return invalid("linkedJobId", not_an_id(l));
    }
    // IDs are stored in lower case (see normalise): look them up that way
    let linked_key = linked.map(str::to_ascii_lowercase);
    if linked.is_some() && (!qql.is_empty() || non_empty("approvedPatches")) {
        return invalid("linkedJobId", "patches from a linked job, a QQL and a patch list (approvedPatches) are mutually exclusive");
    }

    // options
    for (key, only) in [
        ("opportunisticDownloads", "Windows"),
        ("minimizeWindow", "Windows"),
        ("continueOnPatchFailure", "Linux"),
    ] {
        if boolean(obj, key, key)? == Some(true) && platform != only {
            return invalid(key, format!("is for {only} jobs only"));
        }
    }
    let cp = obj.get("customPatchURLId");
    if !matches!(cp, None | Some(Value::Null)) {
        match int(obj, "customPatchURLId", "customPatchURLId")? {
            Some(v) if v > 0 => {}
            None if cp.and_then(Value::as_str) == Some("") => {}
            _ => {
                return invalid(
                    "customPatchURLId",
                    "must be a positive integer id from the custom patch URL list",
                )
            }
        }
    }
    let enable_reattempt = boolean(
        obj,
        "enableReattemptFailedPatches",
        "enableReattemptFailedPatches",
    )?
    .unwrap_or(false);
    match object(obj, "reattemptFailedPatches", "reattemptFailedPatches")? {
        Some(r) => {
            let n = int(r, "noOfReattempts", "reattemptFailedPatches.noOfReattempts")?;
            let b = int(
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
                b,
                1,
                15,
            )?;
        }
        None if enable_reattempt => {
            return invalid(
                "reattemptFailedPatches",
                "is required when enableReattemptFailedPatches is true",
            )
        }
        None => {}
    }

    validate_notification(obj)?;
    validate_messages(obj)?;

    // actions
    let pre = validate_actions(obj, "preDeployActions", &PRE_ACTIONS, &platform)?;
    let post = validate_actions(obj, "postDeployActions", &POST_ACTIONS, &platform)?;

    // linked job and chained rules
    if let Some(parent_id) = linked {
        if self_id.is_some_and(|me| me.eq_ignore_ascii_case(parent_id)) {
            return invalid("linkedJobId", "a job cannot be linked to itself");
        }
        if linked_key.as_deref().and_then(|k| jobs.job(k)).is_none() {
            return invalid("linkedJobId", format!("job {parent_id} not found"));
        }
    }
    if let Some(rules) = array(obj, "chainedJobRule", "chainedJobRule")? {
        if !rules.is_empty() && linked.is_none() {
            return invalid("chainedJobRule", "needs linkedJobId (the parent job)");
        }
        let parent_actions = linked_key
            .as_deref()
            .and_then(|p| jobs.job(p))
            .map(StoredJob::post_action_ids)
            .unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
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
        }
    }

    if status.as_deref() == Some("Enabled") && !can_enable(obj, pre + post) {
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
pub fn stored_can_enable(job: &Value) -> Result<(), String> {
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
        let f = |k: &str| format!("{key}[{i}].{k}");
        let a = match action {
            Value::Object(m) => m,
            other => {
                return invalid(
                    format!("{key}[{i}]"),
                    format!("must be an object, got {other}"),
                )
            }
        };
        let kind = match one_of(a, "action", &f("action"), allowed)? {
            Some(k) => k,
            None => {
                return invalid(
                    f("action"),
                    format!("is required (one of {})", allowed.join(", ")),
                )
            }
        };
        if platform == "Linux" && kind != "Run Script" {
            return invalid(
                f("action"),
                format!("{kind} is for Windows jobs only; Linux jobs support Run Script"),
            );
        }
        if let Some(id) = string(a, "actionId", &f("actionId"))? {
            if seen_ids.contains(&id) {
                return invalid(f("actionId"), format!("duplicate action ID {id}"));
            }
            seen_ids.push(id);
        }
        let script_types: &[&str] = if platform == "Linux" {
            &["sh"]
        } else {
            &["ps"]
        };
        one_of(a, "scriptType", &f("scriptType"), script_types)?;
        one_of(
            a,
            "detectionScriptType",
            &f("detectionScriptType"),
            script_types,
        )?;
        let script = validate_script(a, "script", &f("script"))?;
        validate_script(a, "detectionScript", &f("detectionScript"))?;
        let params = match object(a, "params", &f("params"))? {
            Some(p) => p,
            None => return invalid(f("params"), "is required (with at least actionItem)"),
        };
        let pf = |k: &str| format!("{key}[{i}].params.{k}");
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
        match kind.as_str() {
            "Run Script" => {
                if default_type.is_some() {
                    if platform != "Linux" {
                        return invalid(
                            pf("defaultScriptType"),
                            "MakeCache is for Linux jobs only",
                        );
                    }
                    if script
                        .as_deref()
                        .is_some_and(|s| !s.is_empty() && !s.starts_with("default/"))
                    {
                        return invalid(f("script"), "must be empty when defaultScriptType is set");
                    }
                } else if script.as_deref().unwrap_or("").is_empty() {
                    return invalid(f("script"), "is required for Run Script (base64 content)");
                }
            }
            "Install Software" => {
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
            }
            "Change Registry Key" => {
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
            }
            "Uninstall Software" => {
                match string(params, "unInstallRegistryKey", &pf("unInstallRegistryKey"))? {
                    Some(s) if is_base64(s) => {}
                    None => {}
                    Some(_) => {
                        return invalid(pf("unInstallRegistryKey"), "must be base64-encoded")
                    }
                }
                match string(
                    params,
                    "unInstallSoftwareDisplayName",
                    &pf("unInstallSoftwareDisplayName"),
                )? {
                    Some(s) if !s.trim().is_empty() => {}
                    _ => return invalid(pf("unInstallSoftwareDisplayName"), "is required"),
                }
                string(
                    params,
                    "unInstallSoftwareVersion",
                    &pf("unInstallSoftwareVersion"),
                )?;
                string(
                    params,
                    "unInstallSoftwareVersionMatch",
                    &pf("unInstallSoftwareVersionMatch"),
                )?;
            }
            _ => {}
        }
    }
    Ok(actions.len())
}
