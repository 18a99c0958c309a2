//! The messages a job shows users before, during and after a deployment, and its notifications.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// `{"notificationTypes":{"email":…},"notificationConfigs":{…},"notificationEvents":{…}}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub notification_types: Option<NotificationTypes>,
    pub notification_configs: Option<NotificationConfigs>,
    pub notification_events: Option<NotificationEvents>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationTypes {
    pub email: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationConfigs {
    /// One comma-separated string.
    pub recipient_emails: Option<String>,
    /// 1..100; sent as a number, returned by the server as a string.
    pub completed_percentage: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationEvents {
    pub on_job_start: Option<bool>,
    pub on_job_complete: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"count":3,"interval":1,"intervalUnit":"HOURS"}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deferment {
    pub count: Option<i64>,
    pub interval: Option<i64>,
    pub interval_unit: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `preDeployment`: a message with a deferment.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreDeployment {
    pub user_message: Option<String>,
    pub description: Option<String>,
    pub deferment: Option<Deferment>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `duringDeployment`: `{"userMessage","description"}`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentMessage {
    pub user_message: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `postDeployment`.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostDeployment {
    pub suppress_reboots: Option<bool>,
    pub reboot_honor_on_user_login: Option<bool>,
    pub reboot_option: Option<RebootOption>,
    pub reboot_countdown: Option<RebootCountdown>,
    pub on_complete: Option<OnComplete>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebootOption {
    pub user_message: Option<String>,
    pub description: Option<String>,
    pub deferment: Option<Deferment>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebootCountdown {
    pub interval: Option<i64>,
    pub interval_unit: Option<String>,
    pub user_message: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnComplete {
    pub user_message: Option<String>,
    pub description: Option<String>,
    pub always_show_completed_prompt: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

// Nested objects decode as serde derives them; their own fields carry the leniency.
impl lenient::Decode for Notification {}
impl lenient::Decode for NotificationTypes {}
impl lenient::Decode for NotificationConfigs {}
impl lenient::Decode for NotificationEvents {}
impl lenient::Decode for Deferment {}
impl lenient::Decode for PreDeployment {}
impl lenient::Decode for DeploymentMessage {}
impl lenient::Decode for PostDeployment {}
impl lenient::Decode for RebootOption {}
impl lenient::Decode for RebootCountdown {}
impl lenient::Decode for OnComplete {}
