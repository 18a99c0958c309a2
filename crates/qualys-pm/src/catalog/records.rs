//! The records of the two listings, patches and assets: typed, leniently decoded (the
//! field names and their spellings are in the module comment of `catalog`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::model::lenient;
use crate::Error;

/// One patch of the catalog (`POST /pm/v2/patches`). Names follow the API (SDK `Patch`);
/// `cve`/`qid` are also accepted as `cves`/`qids`.
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patch {
    #[serde(default, deserialize_with = "lenient::opt_string_or_default")]
    pub id: String,
    pub title: Option<String>,
    pub platform: Option<String>,
    pub vendor: Option<String>,
    /// `Critical`, `Important`, `Moderate`, `Low`, `None` (as the vendor rates it).
    pub vendor_severity: Option<String>,
    /// Windows knowledge-base article (`KB5034441`).
    pub kb: Option<String>,
    /// Linux advisory (`RHSA-2024:1234`).
    pub advisory: Option<String>,
    pub bulletin: Option<String>,
    #[serde(rename = "type")]
    pub patch_type: Option<String>,
    pub category: Option<String>,
    /// An array (DOC) or one string (SDK).
    #[serde_with(skip_apply)]
    #[serde(default, deserialize_with = "one_or_many")]
    pub app_family: Option<Vec<String>>,
    pub product: Option<Vec<String>>,
    pub architecture: Option<Vec<String>>,
    #[serde(alias = "cves")]
    pub cve: Option<Vec<String>>,
    /// Linux: the packages the patch updates.
    pub package_details: Option<Vec<PackageDetail>>,
    /// QIDs are numbers on the wire (SDK); kept as text.
    #[serde(alias = "qids")]
    pub qid: Option<Vec<String>>,
    pub is_security: Option<bool>,
    /// Null rather than false on Linux (SRC).
    pub is_superseded: Option<bool>,
    pub superseded_by: Option<Vec<String>>,
    pub supersedes: Option<Vec<String>>,
    pub reboot_required: Option<bool>,
    pub is_rollback: Option<bool>,
    pub enabled: Option<bool>,
    /// `AcquireFromVendor`, `Automatic`, ... (DOC QQL examples).
    pub download_method: Option<String>,
    pub is_customized_download_url: Option<bool>,
    /// Epoch milliseconds (SDK).
    pub published_date: Option<i64>,
    pub modified_date: Option<i64>,
    #[serde(rename = "vendorlink", alias = "vendorLink")]
    pub vendor_link: Option<String>,
    pub missing_count: Option<i64>,
    pub installed_count: Option<i64>,
    /// Fields this model does not know, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One PM asset (`POST /pm/v1/assets`). Names follow the API (DOC release 3.9, SDK `Asset`).
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    #[serde(default, deserialize_with = "lenient::opt_string_or_default")]
    pub id: String,
    pub name: Option<String>,
    pub platform: Option<String>,
    pub operating_system: Option<String>,
    pub version: Option<String>,
    pub architecture: Option<String>,
    pub os_identifier: Option<String>,
    pub last_logged_on_user: Option<String>,
    /// `status` in the SDK, else `assetStatus` (DOC 3.9); a tenant may send both.
    pub status: Option<String>,
    /// `assetStatus` as received, moved into `status` when that is absent (`decode`).
    #[serde(rename = "assetStatus", skip_serializing)]
    asset_status: Option<String>,
    pub status_code: Option<String>,
    pub scan_status: Option<String>,
    /// Epoch milliseconds of the agent's last status report (INF: the last check-in).
    pub status_date_time: Option<i64>,
    /// Epoch milliseconds of the last patch scan.
    pub scan_date_time: Option<i64>,
    pub installed_patch_count: Option<i64>,
    pub missing_patch_count: Option<i64>,
    pub non_superseded_missing_patch_count: Option<i64>,
    pub activated_modules: Option<Vec<String>>,
    /// Tag IDs, or `{id, name}` objects (DOC 3.9 sends objects; the SDK reads strings).
    pub tags: Option<Vec<AssetTag>>,
    pub interfaces: Option<Vec<AssetInterface>>,
    pub hardware: Option<Hardware>,
    /// Fields this model does not know, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AssetTag {
    pub id: String,
    pub name: Option<String>,
}

impl<'de> Deserialize<'de> for AssetTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
        #[derive(Deserialize)]
        struct Object {
            #[serde(default, deserialize_with = "lenient::opt_string_or_default")]
            id: String,
            name: Option<String>,
        }
        match Value::deserialize(d)? {
            Value::String(id) => Ok(AssetTag { id, name: None }),
            Value::Number(n) => Ok(AssetTag {
                id: n.to_string(),
                name: None,
            }),
            v @ Value::Object(_) => {
                let o: Object = serde_json::from_value(v).map_err(serde::de::Error::custom)?;
                Ok(AssetTag {
                    id: o.id,
                    name: o.name,
                })
            }
            other => Err(serde::de::Error::custom(format!(
                "expected a tag ID or a tag object, got {}",
                lenient::kind(&other)
            ))),
        }
    }
}

#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetInterface {
    pub interface_name: Option<String>,
    pub mac_address: Option<String>,
    pub address: Option<String>,
    pub ipv6_address: Option<String>,
    pub gateway_address: Option<String>,
}

#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageDetail {
    pub package_name: Option<String>,
    pub architecture: Option<String>,
}

#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hardware {
    pub model: Option<String>,
    pub manufacturer: Option<String>,
}

impl lenient::Decode for Vec<AssetTag> {}
impl lenient::Decode for Vec<AssetInterface> {}
impl lenient::Decode for Hardware {}
impl lenient::Decode for Vec<PackageDetail> {}

/// A list of strings, or one string as a list of one.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(vec![s])),
        other => lenient::opt_strings(other).map_err(serde::de::Error::custom),
    }
}

/// A record of a listing: decoded from one array element, keyed by its ID.
pub trait Record: Sized + Serialize {
    const WHAT: &'static str;
    fn id(&self) -> &str;
    fn from_json(v: Value) -> Result<Self, Error> {
        let hint = v.get("id").map(|id| format!(" {id}")).unwrap_or_default();
        if !v.is_object() {
            return Err(Error::Decode {
                what: Self::WHAT.into(),
                message: format!("expected a JSON object, got {}", lenient::kind(&v)),
            });
        }
        let record = Self::decode(v).map_err(|e| Error::Decode {
            what: format!("{}{hint}", Self::WHAT),
            message: e.to_string(),
        })?;
        // an ID is what a lookup is for; a record without one cannot be told from another
        if record.id().trim().is_empty() {
            return Err(Error::Decode {
                what: Self::WHAT.into(),
                message: "a record without an id".into(),
            });
        }
        Ok(record)
    }
    fn decode(v: Value) -> Result<Self, serde_json::Error>;
    /// Canonical wire JSON (the API's names, numbers as numbers).
    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Record for Patch {
    const WHAT: &'static str = "patch";
    fn id(&self) -> &str {
        &self.id
    }
    fn decode(v: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(v)
    }
}

impl Record for Asset {
    const WHAT: &'static str = "asset";
    fn id(&self) -> &str {
        &self.id
    }
    fn decode(v: Value) -> Result<Self, serde_json::Error> {
        let mut asset: Asset = serde_json::from_value(v)?;
        let asset_status = asset.asset_status.take();
        asset.status = asset.status.or(asset_status);
        Ok(asset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_decode_leniently() {
        let p = Patch::from_json(json!({
            "id": "a1", "title": "2024-01 Cumulative Update", "vendorSeverity": "Critical",
            "qid": [91234, "91235"], "cves": ["CVE-2024-1"], "isSecurity": "true",
            "isSuperseded": null, "publishedDate": "1704844800000", "vendorlink": "https://x",
            "somethingNew": {"a": 1}
        }))
        .unwrap();
        assert_eq!(p.qid, Some(vec!["91234".into(), "91235".into()]));
        assert_eq!(p.cve, Some(vec!["CVE-2024-1".into()]));
        assert_eq!(p.is_security, Some(true));
        assert_eq!(p.is_superseded, None);
        assert_eq!(p.published_date, Some(1_704_844_800_000));
        assert_eq!(p.extra["somethingNew"], json!({"a": 1}));
        let back = p.to_json();
        assert_eq!(back["vendorSeverity"], "Critical");
        assert_eq!(back["cve"], json!(["CVE-2024-1"]));
        assert_eq!(back["vendorlink"], "https://x");
        let e = Patch::from_json(json!({"id": "bad", "isSecurity": [1]})).unwrap_err();
        assert!(e.to_string().contains("patch \"bad\""), "{e}");
        assert!(Patch::from_json(json!("x")).is_err());
        let e = Patch::from_json(json!({"title": "no id"})).unwrap_err();
        assert!(e.to_string().contains("without an id"), "{e}");
    }

    #[test]
    fn asset_tags_are_ids_or_objects() {
        let a = Asset::from_json(json!({
            "id": "h1", "name": "web-01", "assetStatus": "Failed",
            "tags": ["t1", {"id": "t2", "name": "Web"}, 7],
            "hardware": {"model": "VMware7,1"}, "statusDateTime": 1753435366000i64,
            "statusCode": 20212
        }))
        .unwrap();
        let tags = a.tags.clone().unwrap();
        assert_eq!(
            tags[0],
            AssetTag {
                id: "t1".into(),
                name: None
            }
        );
        assert_eq!(tags[1].name.as_deref(), Some("Web"));
        assert_eq!(tags[2].id, "7");
        assert_eq!(a.status.as_deref(), Some("Failed"));
        assert_eq!(a.status_code.as_deref(), Some("20212"));
        assert_eq!(a.to_json()["tags"][1], json!({"id": "t2", "name": "Web"}));
        assert!(Asset::from_json(json!({"id": "h", "tags": [true]})).is_err());
        // both spellings at once (the strict simulator, as qualysdk and the 3.9 sample read
        // a tenant): `status` wins
        let both =
            Asset::from_json(json!({"id": "h", "status": "Active", "assetStatus": "Failed"}));
        assert_eq!(both.unwrap().status.as_deref(), Some("Active"));
    }

    #[test]
    fn app_family_is_a_list_or_one_string_and_packages_are_kept() {
        let p = Patch::from_json(json!({"id": "a", "appFamily": "Office",
            "packageDetails": [{"packageName": "openssl-libs", "architecture": "x86_64"}]}))
        .unwrap();
        assert_eq!(p.app_family, Some(vec!["Office".to_owned()]));
        assert_eq!(
            p.to_json()["packageDetails"][0]["packageName"],
            "openssl-libs"
        );
        let p = Patch::from_json(json!({"id": "a", "appFamily": ["Windows", "Office"]})).unwrap();
        assert_eq!(p.app_family.map(|a| a.len()), Some(2));
        let p = Patch::from_json(json!({"id": "a", "appFamily": null})).unwrap();
        assert_eq!(p.app_family, None);
    }
}
