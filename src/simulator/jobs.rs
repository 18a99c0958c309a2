//! Deployment job rules of the simulator, on raw JSON: validation (400 naming the field),
//! the server's normalisation (defaults, type changes, script storage, action IDs) and the
//! rendering of GET answers (`[]` as `null`, `linkedToJob`, server-driven status).

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A request value the API would refuse.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid {
        field: field.into(),
        message: message.into(),
    })
}

/// A stored job: the job as the API returns it after a write, plus what the API keeps but
/// does not echo at top level.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredJob {
    pub seq: u64,
    pub job: Value,
    /// `chainedJobRule` as normalised; echoed only under `linkedToJob`.
    #[serde(default)]
    pub chained_job_rule: Option<Value>,
    /// When the job was last enabled (epoch ms), for the On-demand `Prepared` status.
    #[serde(default)]
    pub enabled_at_ms: Option<u64>,
}

impl StoredJob {
    pub fn id(&self) -> &str {
        self.job
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
    pub fn stored_status(&self) -> &str {
        self.job
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("Disabled")
    }
    pub fn schedule_type(&self) -> &str {
        self.job
            .get("scheduleType")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
    pub fn is_run_once(&self) -> bool {
        matches!(self.schedule_type(), "On-demand" | "Once")
    }
    /// The status the server reports now: an enabled On-demand job moves on to `Prepared`.
    pub fn current_status(&self, now_ms: u64, prepared_after_ms: u64) -> String {
        let status = self.stored_status();
        if status == "Enabled"
            && self.schedule_type() == "On-demand"
            && self
                .enabled_at_ms
                .is_some_and(|t| now_ms >= t.saturating_add(prepared_after_ms))
        {
            "Prepared".into()
        } else {
            status.into()
        }
    }
    pub fn post_action_ids(&self) -> Vec<String> {
        action_ids(self.job.get("postDeployActions"))
    }
}

fn action_ids(actions: Option<&Value>) -> Vec<String> {
    actions
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("actionId").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Who and where the simulated tenant is.
pub struct Tenant<'a> {
    pub customer_id: &'a str,
    pub user_id: &'a str,
    pub username: &'a str,
    pub now_ms: u64,
    pub now: time::OffsetDateTime,
}

/// What a write needs to know about other jobs.
pub trait JobLookup {
    fn job(&self, id: &str) -> Option<&StoredJob>;
}

/// The fields whose `[]` GET returns as `null`.
const LIST_FIELDS: [&str; 9] = [
    "assetIds",
    "assetTagIds",
    "matchAllTagIds",
    "exclusionTagIds",
    "exclusionAssetIds",
    "coAuthorUserIds",
    "approvedPatches",
    "preDeployActions",
    "postDeployActions",
];
const ID_LIST_FIELDS: [&str; 7] = [
    "assetIds",
    "assetTagIds",
    "matchAllTagIds",
    "exclusionTagIds",
    "exclusionAssetIds",
    "coAuthorUserIds",
    "approvedPatches",
];
const SCHEDULE_TYPES: [&str; 5] = ["On-demand", "Once", "Daily", "Weekly", "Monthly"];
const PRE_ACTIONS: [&str; 5] = [
    "Run Script",
    "Install Software",
    "Change Registry Key",
    "Uninstall Software",
    "System Reboot",
];
const POST_ACTIONS: [&str; 4] = [
    "Run Script",
    "Install Software",
    "Change Registry Key",
    "Uninstall Software",
];
const REG_VALUE_TYPES: [&str; 6] = [
    "REG_SZ",
    "REG_DWORD",
    "REG_QWORD",
    "REG_EXPAND_SZ",
    "REG_MULTI_SZ",
    "REG_BINARY",
];
const CHAIN_CONDITION: &str = "Post Actions were successfully executed";
const ENABLE_RULE: &str = "To enable a job, it must include at least one patch, a QQL, or one pre-action or post-action, and target at least one included asset or one included tag";

// ---------- lenient typed access (the server coerces "true" and "12") ----------

fn int(obj: &Map<String, Value>, key: &str, field: &str) -> Result<Option<i64>, Invalid> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => invalid(field, format!("must be an integer, got {n}")),
        },
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(i) => Ok(Some(i)),
            Err(_) => invalid(field, format!("must be an integer, got {s:?}")),
        },
        Some(other) => invalid(field, format!("must be an integer, got {other}")),
    }
}

fn boolean(obj: &Map<String, Value>, key: &str, field: &str) -> Result<Option<bool>, Invalid> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => invalid(field, format!("must be true or false, got {other}")),
    }
}

fn string<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a str>, Invalid> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => invalid(field, format!("must be a string, got {other}")),
    }
}

fn one_of(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
    allowed: &[&str],
) -> Result<Option<String>, Invalid> {
    match string(obj, key, field)? {
        None => Ok(None),
        Some(s) if allowed.contains(&s) => Ok(Some(s.to_owned())),
        Some(s) => invalid(
            field,
            format!("must be one of {}, got {s:?}", allowed.join(", ")),
        ),
    }
}

fn in_range(field: &str, v: Option<i64>, lo: i64, hi: i64) -> Result<(), Invalid> {
    match v {
        Some(x) if x < lo || x > hi => {
            invalid(field, format!("must be between {lo} and {hi}, got {x}"))
        }
        _ => Ok(()),
    }
}

fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, Invalid> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => invalid(field, format!("must be an object, got {other}")),
    }
}

fn array<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a Vec<Value>>, Invalid> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(other) => invalid(field, format!("must be an array, got {other}")),
    }
}

fn id_list(obj: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Invalid> {
    match array(obj, key, key)? {
        None => Ok(None),
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                other => invalid(
                    format!("{key}[{i}]"),
                    format!("must be a non-empty string, got {other}"),
                ),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

fn is_base64(s: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    !s.is_empty() && engine.decode(s.trim()).is_ok()
}

/// `<uuid>/<uuid>/Script`, `.../DetectionScript`, or `default/<...>`: a stored script.
pub fn is_storage_path(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() == 3 && parts[0] == "default" {
        return parts[1..].iter().all(|p| !p.is_empty());
    }
    parts.len() == 3
        && uuid::Uuid::parse_str(parts[0]).is_ok()
        && uuid::Uuid::parse_str(parts[1]).is_ok()
        && matches!(parts[2], "Script" | "DetectionScript")
}

// ---------- dates ----------

/// Parses `yyyy-M-d hh:mm:ss AM|PM` (padded or not).
pub fn parse_start(s: &str) -> Option<time::PrimitiveDateTime> {
    let mut parts = s.split_whitespace();
    let (date, clock, ampm) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = clock.split(':').collect();
    if d.len() != 3 || t.len() != 3 || t.iter().any(|x| x.len() != 2) {
        return None;
    }
    let year: i32 = d[0].parse().ok()?;
    let month: u8 = d[1].parse().ok()?;
    let day: u8 = d[2].parse().ok()?;
    let (h, m, sec): (u8, u8, u8) = (t[0].parse().ok()?, t[1].parse().ok()?, t[2].parse().ok()?);
    if !(1..=12).contains(&h) || d[0].len() != 4 {
        return None;
    }
    let hour = match ampm {
        "AM" => h % 12,
        "PM" => h % 12 + 12,
        _ => return None,
    };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let clock = time::Time::from_hms(hour, m, sec).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock))
}

/// The server's spelling: unpadded date, padded 12-hour time.
pub fn format_start(t: time::PrimitiveDateTime) -> String {
    let (h24, m, s) = (t.hour(), t.minute(), t.second());
    let h12 = if h24 % 12 == 0 { 12 } else { h24 % 12 };
    let ampm = if h24 < 12 { "AM" } else { "PM" };
    format!(
        "{}-{}-{} {:02}:{:02}:{:02} {}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        h12,
        m,
        s,
        ampm
    )
}

// ---------- validation ----------

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
        if Some(parent_id) == self_id {
            return invalid("linkedJobId", "a job cannot be linked to itself");
        }
        if jobs.job(parent_id).is_none() {
            return invalid("linkedJobId", format!("job {parent_id} not found"));
        }
    }
    if let Some(rules) = array(obj, "chainedJobRule", "chainedJobRule")? {
        if !rules.is_empty() && linked.is_none() {
            return invalid("chainedJobRule", "needs linkedJobId (the parent job)");
        }
        let parent_actions = linked
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
            if let Some(bad) = ids.iter().find(|id| !parent_actions.contains(id)) {
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

fn can_enable(obj: &Map<String, Value>, action_count: usize) -> bool {
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

fn validate_notification(obj: &Map<String, Value>) -> Result<(), Invalid> {
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

fn validate_deferment(d: Option<&Map<String, Value>>, field: &str) -> Result<(), Invalid> {
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

fn validate_message(m: &Map<String, Value>, field: &str) -> Result<(), Invalid> {
    string(m, "userMessage", &format!("{field}.userMessage"))?;
    string(m, "description", &format!("{field}.description"))?;
    Ok(())
}

fn validate_messages(obj: &Map<String, Value>) -> Result<(), Invalid> {
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

fn validate_script(
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
fn validate_actions(
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

// ---------- normalisation ----------

/// The job as the server stores and returns it after a create (`existing` = None) or an
/// update. Scripts sent as content are stored in `scripts` (path -> base64).
pub fn normalise(
    body: &Value,
    existing: Option<&StoredJob>,
    tenant: &Tenant<'_>,
    id: &str,
    scripts: &mut std::collections::BTreeMap<String, String>,
) -> (Value, Option<Value>) {
    let empty = Map::new();
    let b = body.as_object().unwrap_or(&empty);
    let old = existing.and_then(|e| e.job.as_object());
    let mut out = Map::new();
    let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_owned);
    let i = |k: &str| int(b, k, k).ok().flatten();
    let bo = |k: &str| boolean(b, k, k).ok().flatten();
    let str_or = |k: &str, d: &str| json!(s(k).unwrap_or_else(|| d.to_owned()));
    let opt_str = |k: &str| s(k).map_or(Value::Null, Value::String);
    let opt_int = |k: &str| i(k).map_or(Value::Null, |v| json!(v));
    let list = |k: &str| match b.get(k) {
        Some(Value::Array(a)) => Value::Array(a.clone()),
        _ => Value::Null,
    };
    let old_val = |k: &str| old.and_then(|o| o.get(k)).cloned().unwrap_or(Value::Null);
    let platform = s("platform").unwrap_or_else(|| "Windows".into());
    let schedule = s("scheduleType").unwrap_or_default();

    out.insert("customerId".into(), json!(tenant.customer_id));
    out.insert("id".into(), json!(id));
    out.insert("schemaVersion".into(), json!("1.0"));
    out.insert("name".into(), str_or("name", ""));
    out.insert("type".into(), str_or("type", "Install"));
    let status = match existing {
        Some(e) => e.stored_status().to_owned(), // PATCH does not change status
        None => s("status").unwrap_or_else(|| "Disabled".into()),
    };
    out.insert("status".into(), json!(status));
    for k in &ID_LIST_FIELDS[..6] {
        out.insert((*k).into(), list(k));
    }
    out.insert("approvedPatches".into(), list("approvedPatches"));
    out.insert("disabledPatches".into(), Value::Null);
    let patch_count = b
        .get("approvedPatches")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    out.insert("patchCount".into(), json!(patch_count));
    out.insert("scheduleType".into(), json!(schedule));
    let start = s("startDateTime")
        .and_then(|v| parse_start(&v))
        .map(format_start)
        .or_else(|| {
            old.and_then(|o| o.get("startDateTime"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let start = start.unwrap_or_else(|| {
        format_start(time::PrimitiveDateTime::new(
            tenant.now.date(),
            tenant
                .now
                .time()
                .replace_nanosecond(0)
                .unwrap_or(tenant.now.time()),
        ))
    });
    out.insert("startDateTime".into(), json!(start));
    out.insert(
        "recurring".into(),
        json!(matches!(schedule.as_str(), "Daily" | "Weekly" | "Monthly")),
    );
    out.insert("recurringWeekDays".into(), opt_str("recurringWeekDays"));
    out.insert("dayOfMonth".into(), opt_int("dayOfMonth"));
    out.insert("recurringDayOfMonth".into(), opt_int("recurringDayOfMonth"));
    out.insert(
        "recurringWeekDayOfMonth".into(),
        opt_int("recurringWeekDayOfMonth"),
    );
    out.insert("timezoneType".into(), str_or("timezoneType", "SPECIFIC_TZ"));
    out.insert("timezone".into(), str_or("timezone", "UTC"));
    out.insert("timeout".into(), json!(i("timeout").unwrap_or(-1)));
    out.insert("timeoutUnit".into(), str_or("timeoutUnit", "HOURS"));
    out.insert(
        "preDeployment".into(),
        pre_deployment(b.get("preDeployment")),
    );
    out.insert(
        "duringDeployment".into(),
        message_block(b.get("duringDeployment")),
    );
    out.insert(
        "postDeployment".into(),
        post_deployment(b.get("postDeployment")),
    );
    out.insert("description".into(), str_or("description", ""));
    let me = json!({"id": tenant.user_id, "name": tenant.username, "fullName": "Simulated User"});
    match existing {
        None => {
            out.insert(
                "createdBy".into(),
                json!({"user": me, "date": tenant.now_ms}),
            );
            out.insert("updatedBy".into(), json!({"user": null, "date": null}));
            out.insert("deletedBy".into(), json!({"user": null, "date": null}));
        }
        Some(_) => {
            out.insert("createdBy".into(), old_val("createdBy"));
            out.insert("updatedBy".into(), json!({"user": {"id": tenant.user_id, "name": tenant.username}, "date": tenant.now_ms}));
            out.insert("deletedBy".into(), Value::Null);
        }
    }
    out.insert("assetCount".into(), Value::Null);
    out.insert(
        "opportunisticDownloads".into(),
        json!(bo("opportunisticDownloads").unwrap_or(false)),
    );
    out.insert("filterType".into(), str_or("filterType", "Any"));
    out.insert(
        "exclusionFilterType".into(),
        str_or("exclusionFilterType", "Any"),
    );
    out.insert("taggedAssetCount".into(), json!(0));
    out.insert(
        "minimizeWindow".into(),
        json!(bo("minimizeWindow").unwrap_or(false)),
    );
    out.insert("dynamicPatchesQQL".into(), opt_str("dynamicPatchesQQL"));
    out.insert(
        "isDynamicPatchesQQL".into(),
        json!(bo("isDynamicPatchesQQL").unwrap_or(false)),
    );
    out.insert("dynamicQQLType".into(), opt_int("dynamicQQLType"));
    out.insert("assetDetectionsQQL".into(), Value::Null);
    out.insert("platform".into(), json!(platform));
    out.insert(
        "continueOnPatchFailure".into(),
        json!(bo("continueOnPatchFailure").unwrap_or(false)),
    );
    let old_pre = old.and_then(|o| o.get("preDeployActions"));
    let old_post = old.and_then(|o| o.get("postDeployActions"));
    out.insert(
        "preDeployActions".into(),
        actions(
            b.get("preDeployActions"),
            "predeploy",
            old_pre,
            tenant,
            scripts,
        ),
    );
    out.insert(
        "postDeployActions".into(),
        actions(
            b.get("postDeployActions"),
            "postdeploy",
            old_post,
            tenant,
            scripts,
        ),
    );
    out.insert(
        "applicableAssetCount".into(),
        json!(b
            .get("assetIds")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)),
    );
    out.insert(
        "monthlyRecurringType".into(),
        opt_int("monthlyRecurringType"),
    );
    out.insert(
        "patchTuesdayPlusXDays".into(),
        opt_int("patchTuesdayPlusXDays"),
    );
    out.insert(
        "recurringLastDayOfMonth".into(),
        bo("recurringLastDayOfMonth").map_or(Value::Null, Value::Bool),
    );
    out.insert("jobCategory".into(), json!(3));
    out.insert("jobTriggerStatus".into(), Value::Null);
    out.insert("completionPercent".into(), Value::Null);
    out.insert("totalAssetCount".into(), Value::Null);
    out.insert("assetResultReceivedCount".into(), Value::Null);
    out.insert("jobSource".into(), json!(3));
    out.insert("readOnly".into(), json!(false));
    out.insert("notification".into(), notification(b.get("notification")));
    let linked = s("linkedJobId").filter(|v| !v.is_empty() && v != "null");
    out.insert(
        "linkedJobId".into(),
        linked.clone().map_or(Value::Null, Value::String),
    );
    out.insert("linkedToJob".into(), Value::Null);
    out.insert("linkedJobs".into(), Value::Null);
    out.insert("jobStartCountdown".into(), Value::Null);
    out.insert("passwordAction".into(), Value::Null);
    out.insert("subCategory".into(), json!("Patch"));
    out.insert(
        "additionalDynamicQQLType".into(),
        opt_int("additionalDynamicQQLType"),
    );
    out.insert(
        "additionalDynamicPatchesQQL".into(),
        s("additionalDynamicPatchesQQL")
            .filter(|v| !v.is_empty())
            .map_or(Value::Null, Value::String),
    );
    out.insert(
        "downloadRandomizeTime".into(),
        json!(i("downloadRandomizeTime").unwrap_or(0)),
    );
    out.insert(
        "downloadRandomizeTimeUnit".into(),
        str_or("downloadRandomizeTimeUnit", "MINUTES"),
    );
    out.insert(
        "customPatchURLId".into(),
        i("customPatchURLId").map_or(Value::Null, |v| json!(v.to_string())),
    );
    out.insert("isVulnContext".into(), json!(false));
    out.insert("remediationQids".into(), json!([]));
    out.insert(
        "isAssetImported".into(),
        json!(bo("isAssetImported").unwrap_or(false)),
    );
    out.insert("hostIsolationConfig".into(), Value::Null);
    out.insert("quarantineAssetRequestNotification".into(), Value::Null);
    let reattempt = b.get("reattemptFailedPatches").and_then(Value::as_object).map(|r| {
        json!({
            "noOfReattempts": int(r, "noOfReattempts", "").ok().flatten(),
            "exponentialBackoffInterval": int(r, "exponentialBackoffInterval", "").ok().flatten(),
        })
    });
    out.insert(
        "enableReattemptFailedPatches".into(),
        bo("enableReattemptFailedPatches").map_or(Value::Null, Value::Bool),
    );
    out.insert(
        "reattemptFailedPatches".into(),
        reattempt.unwrap_or(Value::Null),
    );

    let rules = b
        .get("chainedJobRule")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty() && linked.is_some())
        .map(|rules| {
            Value::Array(
                rules
                    .iter()
                    .map(|r| {
                        let r = r.as_object().unwrap_or(&empty);
                        json!({
                            "id": null,
                            "field": r.get("field").cloned().unwrap_or(Value::Null),
                            "threshold": int(r, "threshold", "").ok().flatten(),
                            "actionIds": r.get("actionIds").cloned().unwrap_or(json!([])),
                            "condition": r.get("condition").cloned().unwrap_or(Value::Null),
                        })
                    })
                    .collect(),
            )
        });
    (Value::Object(out), rules)
}

fn text_of(m: Option<&Map<String, Value>>, k: &str) -> Value {
    json!(m
        .and_then(|m| m.get(k))
        .and_then(Value::as_str)
        .unwrap_or(""))
}

fn deferment(d: Option<&Value>) -> Value {
    let d = d.and_then(Value::as_object);
    let n = |k: &str, def: i64| d.and_then(|d| int(d, k, k).ok().flatten()).unwrap_or(def);
    json!({
        "count": n("count", 3),
        "interval": n("interval", 1),
        "intervalUnit": d.and_then(|d| d.get("intervalUnit")).and_then(Value::as_str).unwrap_or("HOURS"),
    })
}

fn pre_deployment(v: Option<&Value>) -> Value {
    let m = v.and_then(Value::as_object);
    json!({"userMessage": text_of(m, "userMessage"), "description": text_of(m, "description"), "deferment": deferment(m.and_then(|m| m.get("deferment")))})
}

fn message_block(v: Option<&Value>) -> Value {
    let m = v.and_then(Value::as_object);
    json!({"userMessage": text_of(m, "userMessage"), "description": text_of(m, "description")})
}

fn post_deployment(v: Option<&Value>) -> Value {
    let m = v.and_then(Value::as_object);
    let flag = |o: Option<&Map<String, Value>>, k: &str| {
        o.and_then(|o| boolean(o, k, k).ok().flatten())
            .unwrap_or(false)
    };
    let option = m
        .and_then(|m| m.get("rebootOption"))
        .and_then(Value::as_object);
    let countdown = m
        .and_then(|m| m.get("rebootCountdown"))
        .and_then(Value::as_object);
    let complete = m
        .and_then(|m| m.get("onComplete"))
        .and_then(Value::as_object);
    json!({
        "suppressReboots": flag(m, "suppressReboots"),
        "rebootHonorOnUserLogin": flag(m, "rebootHonorOnUserLogin"),
        "rebootOption": {
            "userMessage": text_of(option, "userMessage"),
            "description": text_of(option, "description"),
            "deferment": deferment(option.and_then(|o| o.get("deferment"))),
        },
        "rebootCountdown": {
            "interval": countdown.and_then(|c| int(c, "interval", "").ok().flatten()).unwrap_or(15),
            "intervalUnit": countdown.and_then(|c| c.get("intervalUnit")).and_then(Value::as_str).unwrap_or("MINUTES"),
            "userMessage": text_of(countdown, "userMessage"),
            "description": text_of(countdown, "description"),
        },
        "onComplete": {
            "userMessage": text_of(complete, "userMessage"),
            "description": text_of(complete, "description"),
            "alwaysShowCompletedPrompt": flag(complete, "alwaysShowCompletedPrompt"),
        },
    })
}

fn notification(v: Option<&Value>) -> Value {
    let n = match v.and_then(Value::as_object) {
        Some(n) => n,
        None => return Value::Null,
    };
    let mut out = n.clone();
    if let Some(Value::Object(c)) = out.get_mut("notificationConfigs") {
        // The API returns the percentage as a string.
        if let Ok(Some(p)) = int(c, "completedPercentage", "") {
            c.insert("completedPercentage".into(), json!(p.to_string()));
        }
    }
    for (group, keys) in [
        ("notificationTypes", &["email"][..]),
        ("notificationEvents", &["onJobStart", "onJobComplete"][..]),
    ] {
        if let Some(Value::Object(g)) = out.get_mut(group) {
            for k in keys {
                if let Ok(Some(b)) = boolean(g, k, k) {
                    g.insert((*k).into(), json!(b));
                }
            }
        }
    }
    Value::Object(out)
}

fn actions(
    v: Option<&Value>,
    action_type: &str,
    old: Option<&Value>,
    tenant: &Tenant<'_>,
    scripts: &mut std::collections::BTreeMap<String, String>,
) -> Value {
    let list = match v.and_then(Value::as_array) {
        Some(l) => l,
        None => return Value::Null,
    };
    let old_ids = action_ids(old);
    Value::Array(
        list.iter()
            .filter_map(Value::as_object)
            .map(|a| {
                let kind = a
                    .get("action")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                // An action ID sent back is kept; an unknown or missing one gets a new ID.
                let id = a
                    .get("actionId")
                    .and_then(Value::as_str)
                    .filter(|id| old_ids.iter().any(|o| o == id))
                    .map(str::to_owned)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let mut params = a
                    .get("params")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let timeout = int(&params, "timeout", "timeout")
                    .ok()
                    .flatten()
                    .unwrap_or(180);
                params.insert("timeout".into(), json!(timeout));
                for k in ["installMethod", "downloadProtocol"] {
                    if let Ok(Some(v)) = int(&params, k, k) {
                        params.insert(k.into(), json!(v));
                    }
                }
                if kind == "Install Software" && !params.contains_key("downloadProtocol") {
                    params.insert("downloadProtocol".into(), json!(0));
                }
                let make_cache = params
                    .get("defaultScriptType")
                    .and_then(Value::as_str)
                    .is_some_and(|t| !t.is_empty());
                if make_cache {
                    params.entry("remediationScope").or_insert(json!(false));
                }
                let mut out = Map::new();
                out.insert("actionId".into(), json!(id));
                out.insert("action".into(), json!(kind));
                out.insert("actionType".into(), json!(action_type));
                out.insert("params".into(), Value::Object(params.clone()));
                let store = |key: &str,
                             suffix: &str,
                             scripts: &mut std::collections::BTreeMap<String, String>|
                 -> Option<Value> {
                    let sent = a.get(key).and_then(Value::as_str)?;
                    if sent.is_empty() || is_storage_path(sent) {
                        return Some(json!(sent));
                    }
                    let path = format!("{}/{}/{}", tenant.customer_id, id, suffix);
                    scripts.insert(path.clone(), sent.trim().to_owned());
                    Some(json!(path))
                };
                match kind.as_str() {
                    "Run Script" | "Install Software" => {
                        if let Some(d) = store("detectionScript", "DetectionScript", scripts) {
                            out.insert("detectionScript".into(), d);
                            out.insert(
                                "detectionScriptType".into(),
                                a.get("detectionScriptType").cloned().unwrap_or(json!("ps")),
                            );
                        }
                        let script = if make_cache {
                            Some(json!(format!(
                                "default/{}/{}",
                                params
                                    .get("defaultScriptType")
                                    .and_then(Value::as_str)
                                    .unwrap_or("MakeCache"),
                                "makecache"
                            )))
                        } else {
                            store("script", "Script", scripts)
                        };
                        if let Some(s) = script {
                            out.insert("script".into(), s);
                        }
                        out.insert(
                            "scriptType".into(),
                            a.get("scriptType").cloned().unwrap_or(json!("ps")),
                        );
                    }
                    "System Reboot" => {
                        out.insert("script".into(), json!(""));
                        out.insert(
                            "scriptType".into(),
                            a.get("scriptType").cloned().unwrap_or(json!("ps")),
                        );
                    }
                    _ => {} // Change Registry Key, Uninstall Software: no script fields returned
                }
                out.insert("actionLinkedToJob".into(), json!(false));
                Value::Object(out)
            })
            .collect(),
    )
}

// ---------- rendering ----------

/// The job as GET returns it: `[]` as `null`, the current status, `linkedToJob`.
pub fn render_get(
    stored: &StoredJob,
    jobs: &dyn JobLookupAll,
    now_ms: u64,
    prepared_after_ms: u64,
) -> Value {
    let mut job = render_write(stored, jobs, now_ms, prepared_after_ms);
    if let Value::Object(m) = &mut job {
        for k in LIST_FIELDS {
            if m.get(k)
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                m.insert(k.into(), Value::Null);
            }
        }
        m.insert(
            "status".into(),
            json!(stored.current_status(now_ms, prepared_after_ms)),
        );
    }
    job
}

/// Other jobs, for `linkedToJob` (the parent's summary and reference count).
pub trait JobLookupAll: JobLookup {
    fn all(&self) -> Vec<&StoredJob>;
}

/// The job as create and PATCH return it (lists as stored, `linkedToJob` filled in).
pub fn render_write(
    stored: &StoredJob,
    jobs: &dyn JobLookupAll,
    now_ms: u64,
    prepared_after_ms: u64,
) -> Value {
    let mut job = stored.job.clone();
    let linked = job
        .get("linkedJobId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let parent = linked.as_deref().and_then(|p| jobs.job(p));
    if let (Value::Object(m), Some(parent)) = (&mut job, parent) {
        let parent_id = parent.id().to_owned();
        let references = jobs
            .all()
            .iter()
            .filter(|j| {
                j.job.get("linkedJobId").and_then(Value::as_str) == Some(parent_id.as_str())
            })
            .count();
        let parent_actions = parent
            .job
            .get("postDeployActions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rules = stored
            .chained_job_rule
            .as_ref()
            .and_then(Value::as_array)
            .map(|rules| {
                Value::Array(
                    rules
                        .iter()
                        .map(|r| {
                            let mut r = r.clone();
                            let ids = action_ids_of_rule(&r);
                            let details: Vec<Value> = parent_actions
                                .iter()
                                .filter(|a| {
                                    a.get("actionId")
                                        .and_then(Value::as_str)
                                        .is_some_and(|id| ids.iter().any(|x| x == id))
                                })
                                .cloned()
                                .collect();
                            if let Value::Object(rm) = &mut r {
                                rm.insert("actionDetails".into(), Value::Array(details));
                            }
                            r
                        })
                        .collect(),
                )
            });
        let schedule = match parent.schedule_type() {
            "On-demand" => "On-Demand".to_owned(),
            other => other.to_owned(),
        };
        m.insert(
            "linkedToJob".into(),
            json!([{
                "customerId": parent.job.get("customerId").cloned().unwrap_or(Value::Null),
                "id": parent_id,
                "name": parent.job.get("name").cloned().unwrap_or(Value::Null),
                "type": parent.job.get("type").cloned().unwrap_or(Value::Null),
                "status": parent.current_status(now_ms, prepared_after_ms),
                "createdBy": parent.job.get("createdBy").cloned().unwrap_or(Value::Null),
                "linkedJobReferenceCount": references,
                "schedule": schedule,
                "previousRun": null,
                "nextRun": null,
                "chainedJobRule": rules.unwrap_or(Value::Null),
            }]),
        );
    }
    job
}

fn action_ids_of_rule(rule: &Value) -> Vec<String> {
    rule.get("actionIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// One entry of the summary list.
pub fn summary(stored: &StoredJob, now_ms: u64, prepared_after_ms: u64) -> Value {
    let j = &stored.job;
    let g = |k: &str| j.get(k).cloned().unwrap_or(Value::Null);
    let stamp = |k: &str| {
        let s = j.get(k);
        json!({"user": s.and_then(|s| s.get("user")).cloned().unwrap_or(Value::Null), "date": s.and_then(|s| s.get("date")).cloned().unwrap_or(Value::Null)})
    };
    json!({
        "id": g("id"),
        "name": g("name"),
        "description": g("description"),
        "type": g("type"),
        "platform": g("platform"),
        "status": stored.current_status(now_ms, prepared_after_ms),
        "scheduleType": g("scheduleType"),
        "isRecurring": g("recurring"),
        "created": stamp("createdBy"),
        "updated": stamp("updatedBy"),
        "startDateTime": g("startDateTime"),
        "timezone": g("timezone"),
        "nextScheduleDateTime": null,
        "lastScheduleDateTime": null,
        "triggerStatus": null,
        "category": g("jobCategory"),
        "linkedJobReferenceCount": 0,
        "customPatchUrlConfigured": !j.get("customPatchURLId").is_none_or(Value::is_null),
        "mitigationActionCount": 0,
        "isPriorityJob": false,
        "deleted": false,
        "assetCount": j.get("assetIds").and_then(Value::as_array).map_or(0, Vec::len),
        "patchCount": g("patchCount"),
        "tags": g("assetTagIds"),
        "exclusionTags": g("exclusionTagIds"),
        "matchAllTags": g("matchAllTagIds"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_dates_parse_padded_or_not_and_format_unpadded() {
        let t = parse_start("2022-02-20 01:18:30 PM").unwrap();
        assert_eq!(format_start(t), "2022-2-20 01:18:30 PM");
        assert_eq!(
            format_start(parse_start("2025-4-14 12:05:00 AM").unwrap()),
            "2025-4-14 12:05:00 AM"
        );
        for bad in [
            "2022-2-30 01:00:00 PM",
            "2022-2-20 13:00:00 PM",
            "2022-2-20 1:00:00 PM",
            "tomorrow",
            "2022-2-20 01:00:00",
        ] {
            assert!(parse_start(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn storage_paths_are_recognised() {
        assert!(is_storage_path(
            "2e5bc89e-4670-d067-83f2-b873a00f4531/e4fac150-804b-4857-ae9b-606d1b136b20/Script"
        ));
        assert!(is_storage_path("default/MakeCache/makecache"));
        assert!(!is_storage_path("bHM="));
    }
}
