//! A job's pre- and post-deployment actions.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// A pre- or post-deployment action.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Server-assigned, stable across updates; send it back to keep the action.
    pub action_id: Option<String>,
    /// `Run Script`, `Install Software`, `Change Registry Key`, `Uninstall Software`, `System Reboot`.
    pub action: Option<String>,
    /// Read-only: `predeploy` / `postdeploy`.
    pub action_type: Option<String>,
    pub params: Option<ActionParams>,
    /// Base64 content when sent; a storage path (`<customerId>/<actionId>/Script`,
    /// `default/MakeCache/makecache`) when returned. Sending the path back keeps the script.
    pub script: Option<String>,
    /// `ps` or `sh`.
    pub script_type: Option<String>,
    pub detection_script: Option<String>,
    pub detection_script_type: Option<String>,
    pub action_linked_to_job: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Action parameters; which ones apply depends on the action.
#[serde_with::skip_serializing_none]
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionParams {
    pub action_item: Option<String>,
    /// Server default 180.
    pub timeout: Option<i64>,
    /// e.g. `MakeCache` (Linux; the script must then be empty).
    pub default_script_type: Option<String>,
    pub remediation_scope: Option<bool>,
    // Install Software
    #[serde(rename = "downloadURL")]
    pub download_url: Option<String>,
    pub file_checksum: Option<String>,
    /// 0 (script based) or 1 (installer based).
    pub install_method: Option<i64>,
    /// Server default 0.
    pub download_protocol: Option<i64>,
    // Change Registry Key (base64 key and value)
    pub reg_key: Option<String>,
    pub reg_value_type: Option<String>,
    pub reg_value: Option<String>,
    pub reg_key_add_new: Option<bool>,
    // Uninstall Software
    #[serde(rename = "unInstallRegistryKey")]
    pub uninstall_registry_key: Option<String>,
    #[serde(rename = "unInstallSoftwareDisplayName")]
    pub uninstall_software_display_name: Option<String>,
    #[serde(rename = "unInstallSoftwareVersion")]
    pub uninstall_software_version: Option<String>,
    #[serde(rename = "unInstallSoftwareVersionMatch")]
    pub uninstall_software_version_match: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

// Nested objects decode as serde derives them; their own fields carry the leniency.
impl lenient::Decode for Vec<Action> {}
impl lenient::Decode for ActionParams {}
