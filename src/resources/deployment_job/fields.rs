//! The one declaration of every `qualys_deployment_job` attribute, at every depth, and the
//! typed handles (`attr`) the job's own rules name them by.
//!
//! The schema, the Terraform <-> API JSON mapping, the per-attribute checks, the plan
//! modifiers (defaults, replacement, recomputation) and the generated docs are all derived
//! from `JOB_FIELDS` by `crate::framework`; nothing else lists attributes.

use crate::framework::field::{assert_well_formed, field, Field, Filled, Kind};
use crate::framework::Attr;
use tfplugin::Mode;

use Kind::*;
use Mode::{Computed as C, Optional as O, OptionalComputed as OC, Required as R};

pub const PLATFORMS: &[&str] = qualys_pm::Platform::NAMES;
pub const JOB_TYPES: &[&str] = qualys_pm::JobType::NAMES;
pub const STATUSES: &[&str] = qualys_pm::JobStatus::NAMES;
pub const SCHEDULE_TYPES: &[&str] = qualys_pm::ScheduleType::NAMES;
pub const RUN_ONCE_SCHEDULES: &[&str] = qualys_pm::ScheduleType::RUN_ONCE_NAMES;
pub const RECURRING_SCHEDULES: &[&str] = qualys_pm::ScheduleType::RECURRING_NAMES;
pub const TIME_UNITS: &[&str] = &["HOURS", "MINUTES"];
pub const PRE_ACTIONS: &[&str] = &[
    "Run Script",
    "Install Software",
    "Change Registry Key",
    "Uninstall Software",
    "System Reboot",
];
pub const REG_VALUE_TYPES: &[&str] = &[
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_MULTI_SZ",
    "REG_DWORD",
    "REG_QWORD",
    "REG_BINARY",
];

const DEFERMENT: &[Field] = &[
    field(
        "count",
        Number,
        OC,
        &["count"],
        "How many times the user may defer.",
    )
    .filled(Filled::Int(3)),
    field(
        "interval",
        Number,
        OC,
        &["interval"],
        "Time between deferrals, in `interval_unit`.",
    )
    .filled(Filled::Int(1)),
    field(
        "interval_unit",
        String,
        OC,
        &["intervalUnit"],
        "Unit of `interval`: `HOURS` or `MINUTES`.",
    )
    .one_of(TIME_UNITS)
    .filled(Filled::Str("HOURS")),
];

const PRE_DEPLOYMENT: &[Field] = &[
    field(
        "user_message",
        String,
        OC,
        &["userMessage"],
        "Message shown to the user before the deployment starts.",
    ),
    field(
        "description",
        String,
        OC,
        &["description"],
        "Description of the message.",
    ),
    field(
        "deferment",
        Object(DEFERMENT),
        OC,
        &["deferment"],
        "How the user may defer the deployment.",
    ),
];

const DURING_DEPLOYMENT: &[Field] = &[
    field(
        "user_message",
        String,
        OC,
        &["userMessage"],
        "Message shown to the user while the deployment runs.",
    ),
    field(
        "description",
        String,
        OC,
        &["description"],
        "Description of the message.",
    ),
];

const ON_COMPLETE: &[Field] = &[
    field("user_message", String, OC, &["userMessage"], "Message shown to the user after the job is complete."),
    field("description", String, OC, &["description"], "Description of the message."),
    field(
        "always_show_completed_prompt",
        Bool,
        OC,
        &["alwaysShowCompletedPrompt"],
        "Always show the Patch Job Deployment Completion pop-up window, whether the patches failed, were skipped or were deployed (Windows jobs).",
    )
    .filled(Filled::Bool(false)),
];

const REBOOT_COUNTDOWN: &[Field] = &[
    field(
        "interval",
        Number,
        OC,
        &["interval"],
        "Length of the reboot countdown, in `interval_unit`.",
    ),
    field(
        "interval_unit",
        String,
        OC,
        &["intervalUnit"],
        "Unit of `interval`: `HOURS` or `MINUTES`.",
    )
    .one_of(TIME_UNITS),
    field(
        "user_message",
        String,
        OC,
        &["userMessage"],
        "Message shown before the reboot countdown starts.",
    ),
    field(
        "description",
        String,
        OC,
        &["description"],
        "Description of the message.",
    ),
];

const REBOOT_OPTION: &[Field] = &[
    field(
        "user_message",
        String,
        OC,
        &["userMessage"],
        "Message shown to the user about the reboot.",
    ),
    field(
        "description",
        String,
        OC,
        &["description"],
        "Description of the message.",
    ),
    field(
        "deferment",
        Object(DEFERMENT),
        OC,
        &["deferment"],
        "How the user may defer the reboot.",
    ),
];

const POST_DEPLOYMENT: &[Field] = &[
    field(
        "suppress_reboots",
        Bool,
        OC,
        &["suppressReboots"],
        "Allow users to suppress a reboot after the job. Default: `false`.",
    )
    .filled(Filled::Bool(false)),
    field(
        "reboot_honor_on_user_login",
        Bool,
        OC,
        &["rebootHonorOnUserLogin"],
        "Honour the reboot settings when a user logs in.",
    )
    .filled(Filled::Bool(false)),
    field(
        "on_complete",
        Object(ON_COMPLETE),
        OC,
        &["onComplete"],
        "Message shown after the job is complete.",
    ),
    field(
        "reboot_countdown",
        Object(REBOOT_COUNTDOWN),
        OC,
        &["rebootCountdown"],
        "Countdown shown before a reboot.",
    ),
    field(
        "reboot_option",
        Object(REBOOT_OPTION),
        OC,
        &["rebootOption"],
        "Reboot message and deferment.",
    ),
];

const NOTIFICATION: &[Field] = &[
    field(
        "email",
        Bool,
        O,
        &["notificationTypes", "email"],
        "Notify by email.",
    ),
    field(
        "recipient_emails",
        CommaList,
        O,
        &["notificationConfigs", "recipientEmails"],
        "Email addresses of the recipients (sent as one comma-separated string).",
    ),
    field(
        "completed_percentage",
        Number,
        O,
        &["notificationConfigs", "completedPercentage"],
        "Notify when this percentage of the job is complete, 1 to 100.",
    )
    .range(1, 100),
    field(
        "on_job_start",
        Bool,
        O,
        &["notificationEvents", "onJobStart"],
        "Notify when the job starts. At least one event must be `true`.",
    ),
    field(
        "on_job_complete",
        Bool,
        O,
        &["notificationEvents", "onJobComplete"],
        "Notify when the job completes. At least one event must be `true`.",
    ),
];

const REATTEMPT: &[Field] = &[
    field(
        "no_of_reattempts",
        Number,
        R,
        &["noOfReattempts"],
        "Number of re-attempts, 1 to 5.",
    )
    .range(1, 5),
    field(
        "exponential_backoff_interval",
        Number,
        R,
        &["exponentialBackoffInterval"],
        "Backoff interval between retries, 1 to 15.",
    )
    .range(1, 15),
];

const CHAINED_JOB_RULE: &[Field] = &[
    field("field", String, OC, &["field"], "What the rule looks at. The only documented value, and the default: `postDeployAction`.")
        .default_str("postDeployAction")
        .one_of(&["postDeployAction"]),
    field(
        "action_ids",
        StringSet,
        R,
        &["actionIds"],
        "IDs of the linked (parent) job's post-deployment actions (their `action_id`).",
    )
    .qualys_id(),
    field(
        "threshold",
        Number,
        R,
        &["threshold"],
        "Percentage of the parent job's post-actions that must succeed for this job to run, 1 to 100.",
    )
    .range(1, 100),
    field(
        "condition",
        String,
        OC,
        &["condition"],
        "The condition. The only documented value, and the default: `Post Actions were successfully executed`.",
    )
    .default_str("Post Actions were successfully executed")
    .one_of(&["Post Actions were successfully executed"]),
];

/// The fields of a pre- or post-deployment action. The API's `params` object is flattened.
pub const ACTION_FIELDS: &[Field] = &[
    field("action_id", String, C, &["actionId"], "ID the server assigned to the action; kept across updates."),
    field(
        "action",
        String,
        R,
        &["action"],
        "The action: `Run Script`, `Install Software`, `Change Registry Key`, `Uninstall Software`, or (pre-actions only) `System Reboot`. Linux jobs support `Run Script` only.",
    )
    .one_of(PRE_ACTIONS),
    field("action_item", String, R, &["params", "actionItem"], "Name of the action item.").not_empty(),
    field(
        "script",
        Base64 { storage_refs: true },
        O,
        &["script"],
        "Script to run, as plain text (the provider base64-encodes it). A server storage reference (`<uuid>/<uuid>/Script`, `default/...`) is passed through unchanged. Must be empty when `default_script_type` is set.",
    ),
    field("script_type", String, OC, &["scriptType"], "Script type: `ps` (PowerShell) or `sh` (Linux shell).").one_of(&["ps", "sh"]),
    field(
        "detection_script",
        Base64 { storage_refs: true },
        O,
        &["detectionScript"],
        "Detection script, as plain text (the provider base64-encodes it). A server storage reference (`.../DetectionScript`) is passed through unchanged.",
    ),
    field("detection_script_type", String, OC, &["detectionScriptType"], "Detection script type: `ps` or `sh`.").one_of(&["ps", "sh"]),
    field(
        "default_script_type",
        String,
        O,
        &["params", "defaultScriptType"],
        "Run a server-provided script instead of `script`, e.g. `MakeCache` (Linux).",
    ),
    field("timeout", Number, OC, &["params", "timeout"], "Action timeout. The server default is 180.")
        .filled(Filled::Int(180)),
    field("download_url", String, O, &["params", "downloadURL"], "Install Software: URL of the installer."),
    field("file_checksum", String, O, &["params", "fileChecksum"], "Install Software: SHA-256 checksum of the downloaded file."),
    field(
        "install_method",
        Number,
        O,
        &["params", "installMethod"],
        "Install Software: `0` (script based) or `1` (installer based).",
    )
    .int_one_of(&[0, 1]),
    field("download_protocol", Number, OC, &["params", "downloadProtocol"], "Install Software: download protocol; the server default is `0`.")
        .filled(Filled::Int(0)),
    field(
        "reg_key",
        Base64 { storage_refs: false },
        O,
        &["params", "regKey"],
        "Change Registry Key: the registry key, as plain text (the provider base64-encodes it).",
    ),
    field("reg_value_type", String, O, &["params", "regValueType"], "Change Registry Key: the value type, e.g. `REG_SZ`.")
        .one_of(REG_VALUE_TYPES),
    field(
        "reg_value",
        Base64 { storage_refs: false },
        O,
        &["params", "regValue"],
        "Change Registry Key: the value, as plain text (the provider base64-encodes it).",
    ),
    field("reg_key_add_new", Bool, O, &["params", "regKeyAddNew"], "Change Registry Key: create the key when it does not exist."),
    field(
        "uninstall_registry_key",
        Base64 { storage_refs: false },
        O,
        &["params", "unInstallRegistryKey"],
        "Uninstall Software: the uninstall registry key, as plain text (the provider base64-encodes it).",
    ),
    field(
        "uninstall_software_display_name",
        String,
        O,
        &["params", "unInstallSoftwareDisplayName"],
        "Uninstall Software: display name of the software.",
    ),
    field("uninstall_software_version", String, O, &["params", "unInstallSoftwareVersion"], "Uninstall Software: version of the software."),
    field(
        "uninstall_software_version_match",
        String,
        O,
        &["params", "unInstallSoftwareVersionMatch"],
        "Uninstall Software: how the version is matched, e.g. `Equals`.",
    ),
];

/// Every attribute of `qualys_deployment_job`.
pub const JOB_FIELDS: &[Field] = &[
    field("id", String, C, &["id"], "The job ID (UUID) assigned by the server. Also the import ID.")
    .qualys_id(),
    field("name", String, R, &["name"], "Name of the job.").not_empty(),
    field("description", String, O, &["description"], "Description of the job. `\"\"` and null are equal."),
    field("platform", String, OC, &["platform"], "The platform: `Windows` or `Linux`. Default: `Windows`.")
        .requires_replace("job")
        .default_str("Windows")
        .one_of(PLATFORMS),
    field(
        "type",
        String,
        OC,
        &["type"],
        "The job type: `Install` or `Rollback` (Windows and Linux). Default: `Install`.",
    )
    .requires_replace("job")
    .default_str("Install")
    .one_of(JOB_TYPES),
    field(
        "status",
        DesiredStatus,
        OC,
        &["status"],
        "Desired state: `Enabled` or `Disabled`. Default: `Disabled`. Changed through the status endpoint. Run-once jobs (On-demand, Once) start when enabled and cannot be edited or disabled afterwards: any change to an enabled run-once job replaces it.",
    )
    .default_str("Disabled")
    .one_of(STATUSES),
    field("server_status", String, C, &["status"], "The raw status the server reports (may be e.g. `Prepared` after a run).")
        .recomputed_when(&["status"]),
    field(
        "schedule_type",
        String,
        R,
        &["scheduleType"],
        "When the job runs: `On-demand`, `Once`, `Daily`, `Weekly` or `Monthly`.",
    )
    .one_of(SCHEDULE_TYPES),
    field(
        "start_date_time",
        DateTime,
        OC,
        &["startDateTime"],
        "Start time, `YYYY-M-D hh:mm:ss AM/PM` (e.g. `2022-2-20 01:18:30 PM`; zero padding optional, compared as a time). Required unless `schedule_type` is `On-demand`; for On-demand jobs the server fills in the creation time.",
    ),
    field(
        "recurring",
        Bool,
        OC,
        &["recurring"],
        "Whether the job recurs. Must agree with `schedule_type` (true for Daily, Weekly, Monthly); derived from it when not set.",
    ),
    field("day_of_month", Number, O, &["dayOfMonth"], "Monthly jobs: day of the month to run, 1 to 31.").range(1, 31),
    field(
        "recurring_last_day_of_month",
        Bool,
        O,
        &["recurringLastDayOfMonth"],
        "Monthly jobs: run on the last day of the month.",
    ),
    field(
        "monthly_recurring_type",
        Number,
        O,
        &["monthlyRecurringType"],
        "Monthly jobs: `0` (not Patch Tuesday) or `1` (Patch Tuesday schedule). Server default: 0.",
    )
    .int_one_of(&[0, 1])
    .zero(0),
    field(
        "patch_tuesday_plus_x_days",
        Number,
        O,
        &["patchTuesdayPlusXDays"],
        "Run up to 27 days before (-1 to -27) or after (1 to 27) Patch Tuesday.",
    )
    .range(-27, 27),
    field(
        "recurring_day_of_month",
        Number,
        O,
        &["recurringDayOfMonth"],
        "Monthly jobs: week of the month, 1 to 5 (e.g. 2 with `recurring_week_day_of_month = 1` for the second Monday).",
    )
    .range(1, 5),
    field(
        "recurring_week_day_of_month",
        Number,
        O,
        &["recurringWeekDayOfMonth"],
        "Monthly jobs: day of the week, 0 to 6 (0 = Sunday, 1 = Monday, ...).",
    )
    .range(0, 6),
    field(
        "recurring_week_days",
        WeekDays,
        O,
        &["recurringWeekDays"],
        "Weekly jobs: weekday names (`Sunday` ... `Saturday`); sent as the API's `\"0,0,1,0,0,0,0\"` flags.",
    ),
    field(
        "timezone_type",
        String,
        OC,
        &["timezoneType"],
        "Run in the agent's time zone (`AGENT_TZ`) or in `timezone` (`SPECIFIC_TZ`). Server default: `SPECIFIC_TZ`.",
    )
    .one_of(&["AGENT_TZ", "SPECIFIC_TZ"])
    .filled(Filled::Str("SPECIFIC_TZ")),
    field("timezone", String, OC, &["timezone"], "Time zone (IANA name, e.g. `America/New_York`) for `SPECIFIC_TZ`. Server default: `UTC`.")
        .filled(Filled::Str("UTC")),
    field(
        "timeout",
        Number,
        OC,
        &["timeout"],
        "Patch window: 1 to 168 `HOURS`, 1 to 10080 `MINUTES`, or -1 for none.",
    )
    .filled(Filled::Int(-1)),
    field("timeout_unit", String, OC, &["timeoutUnit"], "Unit of `timeout`: `HOURS` or `MINUTES`.").one_of(TIME_UNITS),
    field("asset_ids", StringSet, O, &["assetIds"], "IDs of the assets to patch; look them up by QQL with `data.qualys_assets.<name>.ids`.")
    .qualys_id(),
    field("asset_tag_ids", StringSet, O, &["assetTagIds"], "IDs of the asset tags to include.")
    .qualys_id(),
    field("match_all_tag_ids", StringSet, O, &["matchAllTagIds"], "IDs of tags that an asset must all have.")
    .qualys_id(),
    field("exclusion_asset_ids", StringSet, O, &["exclusionAssetIds"], "IDs of the assets to exclude.")
    .qualys_id(),
    field("exclusion_tag_ids", StringSet, O, &["exclusionTagIds"], "IDs of the asset tags to exclude.")
    .qualys_id(),
    field("co_author_user_ids", StringSet, O, &["coAuthorUserIds"], "IDs of users who may co-author the job.")
    .qualys_id(),
    field("approved_patches", StringSet, O, &["approvedPatches"], "IDs of the patches the job deploys; look them up by QQL with `data.qualys_patches.<name>.ids`.")
    .qualys_id(),
    field("filter_type", String, OC, &["filterType"], "Relationship between the selected tags: `Any` or `All`. Default: `Any`.")
        .one_of(&["Any", "All"])
        .filled(Filled::Str("Any")),
    field(
        "exclusion_filter_type",
        String,
        OC,
        &["exclusionFilterType"],
        "Relationship between the excluded tags: `Any` or `All`. Default: `Any`.",
    )
    .one_of(&["Any", "All"])
    .filled(Filled::Str("Any")),
    field(
        "dynamic_qql_type",
        Number,
        O,
        &["dynamicQQLType"],
        "QQL type of the job: `0` (no QQL), `1` (Patch QQL), `2` (Vulnerability QQL). Server default: 0.",
    )
    .int_one_of(&[0, 1, 2])
    .zero(0),
    field(
        "additional_dynamic_qql_type",
        Number,
        O,
        &["additionalDynamicQQLType"],
        "QQL type of `additional_dynamic_patches_qql`: `1` (Patch QQL) or `2` (Vulnerability QQL).",
    )
    .int_one_of(&[0, 1, 2])
    .zero(0),
    field("is_dynamic_patches_qql", Bool, O, &["isDynamicPatchesQQL"], "Whether the QQL job uses patch tokens."),
    field(
        "dynamic_patches_qql",
        String,
        O,
        &["dynamicPatchesQQL"],
        "QQL selecting the patches (Install jobs). Mutually exclusive with `approved_patches` and `linked_job_id`.",
    ),
    field("additional_dynamic_patches_qql", String, O, &["additionalDynamicPatchesQQL"], "An additional QQL."),
    field(
        "continue_on_patch_failure",
        Bool,
        O,
        &["continueOnPatchFailure"],
        "Linux jobs only: keep installing when a patch in the package fails.",
    ),
    field("minimize_window", Bool, O, &["minimizeWindow"], "Windows jobs only: let users minimize the job window. Default: `false`."),
    field(
        "opportunistic_downloads",
        Bool,
        O,
        &["opportunisticDownloads"],
        "Windows jobs only: let the agent download the patches before the job starts. Default: `false`.",
    ),
    field(
        "linked_job_id",
        String,
        O,
        &["linkedJobId"],
        "ID of a parent job whose patches this job reuses. Mutually exclusive with `approved_patches` and `dynamic_patches_qql`.",
    )
    .qualys_id(),
    field(
        "chained_job_rules",
        List(CHAINED_JOB_RULE),
        O,
        &["chainedJobRule"],
        "Run this job depending on the success of the linked job's post-deployment actions. Needs `linked_job_id`.",
    ),
    field(
        "custom_patch_url_id",
        Number,
        O,
        &["customPatchURLId"],
        "The `id` from the Fetch Custom Patch Download URLs API.",
    ),
    field(
        "download_randomize_time",
        Number,
        OC,
        &["downloadRandomizeTime"],
        "Randomize the download start over this time, in `download_randomize_time_unit`; must be less than the patch window.",
    ),
    field(
        "download_randomize_time_unit",
        String,
        OC,
        &["downloadRandomizeTimeUnit"],
        "Unit of `download_randomize_time`: `HOURS` or `MINUTES`.",
    )
    .one_of(TIME_UNITS),
    field(
        "reattempt_failed_patches",
        FlaggedObject { flag: "enableReattemptFailedPatches", fields: REATTEMPT },
        O,
        &["reattemptFailedPatches"],
        "Re-attempt failed patches; present means enabled.",
    ),
    field(
        "notification",
        Object(NOTIFICATION),
        O,
        &["notification"],
        "Notify at the start and end of the job. At least one of `on_job_start`, `on_job_complete` must be `true`.",
    ),
    field("pre_deployment", Object(PRE_DEPLOYMENT), OC, &["preDeployment"], "Message shown before the deployment starts (Windows)."),
    field("during_deployment", Object(DURING_DEPLOYMENT), OC, &["duringDeployment"], "Message shown during the deployment (Windows)."),
    field("post_deployment", Object(POST_DEPLOYMENT), OC, &["postDeployment"], "Messages and reboot behaviour after the deployment (Windows)."),
    field("pre_deploy_actions", List(ACTION_FIELDS), O, &["preDeployActions"], "Actions run before the deployment, in order."),
    field(
        "post_deploy_actions",
        List(ACTION_FIELDS),
        O,
        &["postDeployActions"],
        "Actions run after the deployment, in order (no `System Reboot`).",
    ),
    field("customer_id", String, C, &["customerId"], "The subscription's customer ID."),
    field("patch_count", Number, C, &["patchCount"], "Number of patches in the job.").recomputed_when(&[
        "approved_patches",
        "dynamic_patches_qql",
        "dynamic_qql_type",
        "additional_dynamic_patches_qql",
        "linked_job_id",
        "type",
        "platform",
    ]),
    field("applicable_asset_count", Number, C, &["applicableAssetCount"], "Number of assets the job applies to.")
        .recomputed_when(&[
            "asset_ids",
            "asset_tag_ids",
            "match_all_tag_ids",
            "exclusion_asset_ids",
            "exclusion_tag_ids",
            "filter_type",
            "exclusion_filter_type",
            "approved_patches",
            "dynamic_patches_qql",
            "linked_job_id",
            "platform",
        ]),
    field("created_by", String, C, &["createdBy", "user", "name"], "User name of the job's creator."),
    field("created_at", EpochMs, C, &["createdBy", "date"], "Creation time (RFC 3339)."),
    field("updated_at", EpochMs, C, &["updatedBy", "date"], "Last update time (RFC 3339).")
        .recomputed_on_any_change(),
];

const _: () = assert_well_formed(JOB_FIELDS);

/// Typed handles to the job's attributes, for the job's own rules (`validate.rs`, `plan.rs`,
/// `generate.rs`, reads). Each is checked against `JOB_FIELDS` when the crate compiles.
pub mod attr {
    use super::{Attr, JOB_FIELDS};

    const fn job(path: &'static [&'static str]) -> Attr {
        Attr::declared(JOB_FIELDS, path)
    }
    pub const ID: Attr = job(&["id"]);
    pub const NAME: Attr = job(&["name"]);
    pub const PLATFORM: Attr = job(&["platform"]);
    pub const TYPE: Attr = job(&["type"]);
    pub const STATUS: Attr = job(&["status"]);
    pub const SERVER_STATUS: Attr = job(&["server_status"]);
    pub const SCHEDULE_TYPE: Attr = job(&["schedule_type"]);
    pub const START_DATE_TIME: Attr = job(&["start_date_time"]);
    pub const RECURRING: Attr = job(&["recurring"]);
    pub const DAY_OF_MONTH: Attr = job(&["day_of_month"]);
    pub const RECURRING_LAST_DAY_OF_MONTH: Attr = job(&["recurring_last_day_of_month"]);
    pub const MONTHLY_RECURRING_TYPE: Attr = job(&["monthly_recurring_type"]);
    pub const RECURRING_DAY_OF_MONTH: Attr = job(&["recurring_day_of_month"]);
    pub const RECURRING_WEEK_DAY_OF_MONTH: Attr = job(&["recurring_week_day_of_month"]);
    pub const RECURRING_WEEK_DAYS: Attr = job(&["recurring_week_days"]);
    pub const TIMEOUT: Attr = job(&["timeout"]);
    pub const TIMEOUT_UNIT: Attr = job(&["timeout_unit"]);
    pub const ASSET_IDS: Attr = job(&["asset_ids"]);
    pub const ASSET_TAG_IDS: Attr = job(&["asset_tag_ids"]);
    pub const MATCH_ALL_TAG_IDS: Attr = job(&["match_all_tag_ids"]);
    pub const APPROVED_PATCHES: Attr = job(&["approved_patches"]);
    pub const DYNAMIC_QQL_TYPE: Attr = job(&["dynamic_qql_type"]);
    pub const ADDITIONAL_DYNAMIC_QQL_TYPE: Attr = job(&["additional_dynamic_qql_type"]);
    pub const DYNAMIC_PATCHES_QQL: Attr = job(&["dynamic_patches_qql"]);
    pub const ADDITIONAL_DYNAMIC_PATCHES_QQL: Attr = job(&["additional_dynamic_patches_qql"]);
    pub const CONTINUE_ON_PATCH_FAILURE: Attr = job(&["continue_on_patch_failure"]);
    pub const MINIMIZE_WINDOW: Attr = job(&["minimize_window"]);
    pub const OPPORTUNISTIC_DOWNLOADS: Attr = job(&["opportunistic_downloads"]);
    pub const LINKED_JOB_ID: Attr = job(&["linked_job_id"]);
    pub const CHAINED_JOB_RULES: Attr = job(&["chained_job_rules"]);
    pub const DOWNLOAD_RANDOMIZE_TIME: Attr = job(&["download_randomize_time"]);
    pub const DOWNLOAD_RANDOMIZE_TIME_UNIT: Attr = job(&["download_randomize_time_unit"]);
    pub const NOTIFICATION: Attr = job(&["notification"]);
    pub const PRE_DEPLOY_ACTIONS: Attr = job(&["pre_deploy_actions"]);
    pub const POST_DEPLOY_ACTIONS: Attr = job(&["post_deploy_actions"]);
    pub const ALWAYS_SHOW_COMPLETED_PROMPT: Attr = job(&[
        "post_deployment",
        "on_complete",
        "always_show_completed_prompt",
    ]);
    pub const NOTIFICATION_ON_JOB_START: Attr = job(&["notification", "on_job_start"]);
    pub const NOTIFICATION_ON_JOB_COMPLETE: Attr = job(&["notification", "on_job_complete"]);
    pub const NOTIFICATION_RECIPIENT_EMAILS: Attr = job(&["notification", "recipient_emails"]);

    /// Attributes of one element of `pre_deploy_actions` / `post_deploy_actions`.
    pub mod action {
        use super::super::{Attr, ACTION_FIELDS};

        const fn action(path: &'static [&'static str]) -> Attr {
            Attr::declared(ACTION_FIELDS, path)
        }
        pub const ACTION: Attr = action(&["action"]);
        pub const SCRIPT: Attr = action(&["script"]);
        pub const DEFAULT_SCRIPT_TYPE: Attr = action(&["default_script_type"]);
        pub const DOWNLOAD_URL: Attr = action(&["download_url"]);
        pub const REG_KEY: Attr = action(&["reg_key"]);
    }
}

pub use crate::framework::field::find;

#[cfg(test)]
mod tests {
    use super::*;

    fn count(fields: &[Field]) -> usize {
        fields
            .iter()
            .map(|f| 1 + f.children().map(count).unwrap_or(0))
            .sum()
    }

    #[test]
    fn every_attribute_is_declared_once_per_level_with_a_description() {
        fn check(fields: &[Field]) {
            let mut names: Vec<_> = fields.iter().map(|f| f.name).collect();
            names.sort();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate attribute names");
            for f in fields {
                assert!(!f.description.is_empty(), "{} has no description", f.name);
                if let Some(c) = f.children() {
                    check(c);
                }
            }
        }
        check(JOB_FIELDS);
        // the whole API surface (about seventy attributes counting each level once)
        assert!(count(JOB_FIELDS) > 100, "{}", count(JOB_FIELDS));
    }
}
