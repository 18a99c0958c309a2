//! The patch catalog and the PM asset inventory: typed, leniently decoded records and the
//! cursor paging both listings share. Knows nothing of Terraform.
//!
//! What is known of the two endpoints (labels as in `qualys-pm-api.md`: DOC = docs.qualys.com,
//! SDK = the `qualysdk` Python client, git `226ff592`, SRC = other public client code,
//! INF = inferred):
//!
//! - Patches: `POST /pm/v2/patches?platform=Windows|Linux&pageSize=N` with a JSON body
//!   `{"query", "havingQuery", "attributes"}` (all optional), answering a flat JSON array
//!   (SDK `pm/base/assets_patches_threading_backend.py`; SRC: a catalog sync tool that pages
//!   live tenants with pageSize 1000). The next page is asked for by sending the
//!   `searchAfter` response header back as a `searchAfter` request header (SDK, SRC). The
//!   total comes in a response header (SRC, unnamed; INF `X-Total-Count`, the simulator's).
//! - Assets: `POST /pm/v1/assets?platform=..&pageSize=N` with `{"query", "havingQuery"}`
//!   (SDK `pm/assets.py`; DOC release 3.9 shows the answer's shape, through a `GET` form).
//!   Its cursor: the SDK pages assets with the same loop as patches, i.e. the `searchAfter`
//!   **request header**; one machine-written MCP module sends it as a `searchAfter` query
//!   parameter instead, marked unverified by its own author. We send the header (SDK: a
//!   client used on real tenants). The SDK documents 400 as the default and largest asset
//!   page size ("Default (and max) is 400").
//! - Stopping: no `searchAfter` in the answer, an empty page, or as many records as the total
//!   says. A short page alone does not stop the loop while a cursor comes with it (SDK and SRC
//!   stop there, which would lose records if a server served smaller pages than asked).
//! - PM serves at most 10,000 records of any listing (DOC get_started); past that it answers
//!   400 with `_error.errorCode` `2501` (SDK). SRC's comment says the `searchAfter` cursor of
//!   `/pm/v2/patches` has "no 10K cap"; if so, `max_results` (at most 10,000) is the only
//!   bound, and the cap handling simply never triggers.
//! - A refused search is 400 with `_error.message` (the simulator adds `_error.field`, the
//!   parameter at fault; INF for the real service).
//! - We do not send `attributes`: the wire names of some fields are known only from client
//!   code, and asking for an attribute the service does not know may be refused (INF).
//! - Field names: SDK `Patch` / `Asset` classes and the DOC samples: `cve` and `qid` (not
//!   plural; QIDs as numbers or strings), `vendorlink`, dates as epoch milliseconds,
//!   `assetStatus` (DOC) or `status` (SDK), tags as `{"id"}` objects (DOC) or IDs (SDK).

use std::collections::HashSet;
use std::fmt;
use std::future::Future;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};

use super::client::{parse_json, Call};
use super::error::{Operation, RECORD_CAP, RECORD_CAP_ERROR_CODE};
use super::model::lenient;
use super::{Client, Error};

/// Largest patch page (SDK default, SRC live use).
pub const PATCH_PAGE_SIZE: usize = 1_000;
/// Largest asset page (SDK: "Default (and max) is 400").
pub const ASSET_PAGE_SIZE: usize = 400;
/// Request and response header carrying the paging cursor (SDK, SRC).
pub const CURSOR_HEADER: &str = "searchAfter";
/// Response headers that may carry the total number of matches (SRC says "a response
/// header" without naming it; INF: `X-Total-Count`, as the simulator sends it, or a
/// `totalCount`-style name).
const TOTAL_HEADERS: &[&str] = &["x-total-count", "totalCount", "total-count"];

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

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct Search<'a> {
    /// `Windows` or `Linux`; required for patches, optional for assets.
    pub platform: Option<&'a str>,
    /// QQL on the listed records (`vendorSeverity:Critical`).
    pub query: Option<&'a str>,
    /// QQL on the other side (patches: on the assets missing them; assets: on their patches).
    pub having_query: Option<&'a str>,
    /// Stop after this many records (at most [`RECORD_CAP`]).
    pub max_results: usize,
}

/// How many records a listing left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeftOut {
    /// The API reported its total.
    Exactly(u64),
    /// Records seen on the last page but not taken; the API reported no total.
    AtLeast(u64),
    /// The API offered another page; how many more it holds is unknown.
    Unknown,
}

/// Whether a listing returned every match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    /// Stopped at `max_results`.
    MaxResults {
        limit: usize,
        left_out: LeftOut,
    },
    /// The API refused to go past its 10,000-record cap (errorCode 2501).
    Cap {
        left_out: LeftOut,
    },
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftOut::Exactly(n) => write!(f, "{n} more match and were left out"),
            LeftOut::AtLeast(n) => write!(f, "at least {n} more match and were left out"),
            LeftOut::Unknown => f.write_str("the API has more matches, how many it did not say"),
        }
    }
}

/// A listing: every record taken, in the API's order, each once.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub completeness: Completeness,
    /// Total matches, when the API reported it.
    pub total: Option<u64>,
    /// Requests made.
    pub pages: u32,
}

/// One page as the API answered it.
#[derive(Clone, Debug, PartialEq)]
pub enum PageAnswer<T> {
    Page {
        items: Vec<T>,
        /// The cursor of the next page; `None` ends the listing.
        cursor: Option<String>,
        total: Option<u64>,
    },
    /// The 10,000-record cap was hit (HTTP 400, errorCode 2501).
    Cap,
}

/// The paging loop: asks for pages (`fetch(cursor)`, `None` for the first) until the API
/// sends no cursor, an empty page, or `max_results` records are taken, or as many as the
/// API's total says match (which saves the empty request after a full last page); the
/// 10,000-record cap ends it too. Records already taken (same ID) are skipped. A cursor sent twice, or a page
/// of nothing but records already taken, is an error: the loop never spins forever.
pub async fn collect_pages<T, F, Fut>(
    op: Operation,
    max_results: usize,
    key: fn(&T) -> &str,
    mut fetch: F,
) -> Result<Listing<T>, Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<PageAnswer<T>, Error>>,
{
    let limit = max_results.clamp(1, RECORD_CAP);
    let mut items: Vec<T> = Vec::new();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut seen_cursors: HashSet<String> = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut total: Option<u64> = None;
    let mut pages: u32 = 0;
    let left_out = |taken: usize, total: Option<u64>, fallback: LeftOut| match total {
        Some(t) if t > taken as u64 => LeftOut::Exactly(t - taken as u64),
        _ => fallback,
    };
    loop {
        pages += 1;
        let (page, next, page_total) = match fetch(cursor.clone()).await? {
            PageAnswer::Cap => {
                let completeness = Completeness::Cap {
                    left_out: left_out(items.len(), total, LeftOut::Unknown),
                };
                return Ok(Listing {
                    items,
                    completeness,
                    total,
                    pages,
                });
            }
            PageAnswer::Page {
                items,
                cursor,
                total,
            } => (items, cursor, total),
        };
        total = page_total.or(total);
        if page.is_empty() {
            break;
        }
        let mut fresh = 0usize;
        let mut not_taken = 0u64;
        for item in page {
            if !seen_ids.insert(key(&item).to_owned()) {
                continue;
            }
            fresh += 1;
            if items.len() < limit {
                items.push(item);
            } else {
                not_taken += 1;
            }
        }
        if fresh == 0 {
            return Err(Error::Paging {
                operation: op,
                message: format!(
                    "page {pages} held only records already returned; stopped after {} records",
                    items.len()
                ),
            });
        }
        if items.len() >= limit {
            let more = match (not_taken, &next) {
                (0, None) => None,
                (0, Some(_)) => Some(LeftOut::Unknown),
                (n, _) => Some(LeftOut::AtLeast(n)),
            };
            let completeness = match (more, total) {
                // the API's total says nothing is left
                (_, Some(t)) if t <= items.len() as u64 => Completeness::Complete,
                (None, _) => Completeness::Complete,
                (Some(fallback), _) => Completeness::MaxResults {
                    limit,
                    left_out: left_out(items.len(), total, fallback),
                },
            };
            return Ok(Listing {
                items,
                completeness,
                total,
                pages,
            });
        }
        // every match the API counted is here: the next page could only be empty
        if total.is_some_and(|t| items.len() as u64 >= t) {
            break;
        }
        match next {
            None => break,
            Some(c) => {
                if !seen_cursors.insert(c.clone()) {
                    return Err(Error::Paging {
                        operation: op,
                        message: format!(
                            "the API sent the same {CURSOR_HEADER} cursor twice (after page {pages}); stopped after {} records rather than loop",
                            items.len()
                        ),
                    });
                }
                cursor = Some(c);
            }
        }
    }
    Ok(Listing {
        items,
        completeness: Completeness::Complete,
        total,
        pages,
    })
}

impl Client {
    /// Searches the patch catalog of one platform (`POST /pm/v2/patches`), all pages up to
    /// `max_results`. A QQL error is `Error::Api` with status 400 and the server's message.
    pub async fn search_patches(&self, search: &Search<'_>) -> Result<Listing<Patch>, Error> {
        self.search(Operation::SearchPatches, search, PATCH_PAGE_SIZE, true)
            .await
    }

    /// Searches the PM assets (`POST /pm/v1/assets`), of one platform or all, all pages up to
    /// `max_results`.
    pub async fn search_assets(&self, search: &Search<'_>) -> Result<Listing<Asset>, Error> {
        self.search(Operation::SearchAssets, search, ASSET_PAGE_SIZE, false)
            .await
    }

    async fn search<T: Record>(
        &self,
        op: Operation,
        search: &Search<'_>,
        largest_page: usize,
        patches: bool,
    ) -> Result<Listing<T>, Error> {
        let limit = search.max_results.clamp(1, RECORD_CAP);
        // one page size for the whole listing: the largest, or less when fewer are wanted
        let page_size = largest_page.min(limit);
        let mut url = if patches {
            self.url(&["pm", "v2", "patches"])
        } else {
            self.url(&["pm", "v1", "assets"])
        };
        {
            let mut q = url.query_pairs_mut();
            if let Some(p) = search.platform {
                q.append_pair("platform", p);
            }
            q.append_pair("pageSize", &page_size.to_string());
        }
        let mut body = Map::new();
        for (key, value) in [
            ("query", search.query),
            ("havingQuery", search.having_query),
        ] {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                body.insert(key.into(), json!(v));
            }
        }
        let body = Value::Object(body);
        let what = if patches {
            "the patch list"
        } else {
            "the asset list"
        };
        collect_pages(op, limit, T::id, |cursor| {
            let call = Call {
                op,
                job_id: None,
                method: Method::POST,
                url: url.clone(),
                body: Some(body.clone()),
                headers: cursor.map(|c| vec![(CURSOR_HEADER, c)]).unwrap_or_default(),
            };
            async move {
                let reply = self.execute(&call).await?;
                if reply.status != 200 {
                    let err = self.api_error(&call, &reply);
                    return match err {
                        Error::Api { code: Some(c), .. } if c == RECORD_CAP_ERROR_CODE => {
                            Ok(PageAnswer::Cap)
                        }
                        Error::Api {
                            status: 400,
                            message,
                            ..
                        } => Err(Error::InvalidSearch {
                            operation: op,
                            parameter: rejected_parameter(&reply.text),
                            message,
                        }),
                        other => Err(other),
                    };
                }
                let items = match parse_json(&reply.text, what)? {
                    Value::Array(items) => items,
                    Value::Null => Vec::new(),
                    other => {
                        return Err(Error::Decode {
                            what: what.into(),
                            message: format!("expected an array, got {}", lenient::kind(&other)),
                        })
                    }
                };
                Ok(PageAnswer::Page {
                    items: items
                        .into_iter()
                        .map(T::from_json)
                        .collect::<Result<Vec<_>, _>>()?,
                    cursor: next_cursor(&reply.headers),
                    total: total_count(&reply.headers),
                })
            }
        })
        .await
    }
}

/// The parameter a 400 answer names: `_error.field` (the simulator), or the first of our
/// parameters the message mentions (INF: the real error body's shape is not published).
fn rejected_parameter(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let error = value.get("_error").unwrap_or(&value);
    if let Some(f) = error.get("field").and_then(Value::as_str) {
        return Some(f.to_owned());
    }
    let message = error
        .get("message")
        .and_then(Value::as_str)?
        .to_ascii_lowercase();
    [
        "havingQuery",
        "query",
        "platform",
        "pageSize",
        CURSOR_HEADER,
    ]
    .into_iter()
    .find(|p| message.contains(&p.to_ascii_lowercase()))
    .map(str::to_owned)
}

/// The `searchAfter` response header, when it carries a cursor.
fn next_cursor(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CURSOR_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn total_count(headers: &HeaderMap) -> Option<u64> {
    TOTAL_HEADERS.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Clone, Debug, PartialEq)]
    struct Item(String);

    fn key(i: &Item) -> &str {
        &i.0
    }

    fn items(range: std::ops::Range<usize>) -> Vec<Item> {
        range.map(|i| Item(format!("p{i}"))).collect()
    }

    fn page(
        range: std::ops::Range<usize>,
        cursor: Option<&str>,
        total: Option<u64>,
    ) -> PageAnswer<Item> {
        PageAnswer::Page {
            items: items(range),
            cursor: cursor.map(str::to_owned),
            total,
        }
    }

    /// Runs the loop over scripted answers; gives back the listing and the cursors sent.
    fn run(
        max: usize,
        answers: Vec<PageAnswer<Item>>,
    ) -> (Result<Listing<Item>, Error>, Vec<Option<String>>) {
        let sent = RefCell::new(Vec::new());
        let answers = RefCell::new(answers.into_iter());
        let result = futures::executor::block_on(collect_pages(
            Operation::SearchPatches,
            max,
            key,
            |cursor| {
                sent.borrow_mut().push(cursor);
                let next = answers.borrow_mut().next();
                async move {
                    next.ok_or_else(|| Error::Paging {
                        operation: Operation::SearchPatches,
                        message: "asked for a page too many".into(),
                    })
                }
            },
        ));
        (result, sent.into_inner())
    }

    #[test]
    fn an_absent_cursor_ends_the_listing_and_cursors_are_sent_back() {
        let (r, sent) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(3..5, None, None)],
        );
        let l = r.unwrap();
        assert_eq!(l.items, items(0..5));
        assert_eq!(l.completeness, Completeness::Complete);
        assert_eq!(l.pages, 2);
        assert_eq!(sent, vec![None, Some("c1".to_owned())]);
    }

    #[test]
    fn an_empty_page_ends_the_listing_even_with_a_cursor() {
        let (r, sent) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(0..0, Some("c2"), None)],
        );
        let l = r.unwrap();
        assert_eq!(l.items.len(), 3);
        assert_eq!(l.completeness, Completeness::Complete);
        assert_eq!(sent.len(), 2);
    }

    #[test]
    fn holding_the_reported_total_ends_the_listing_without_an_empty_request() {
        let (r, sent) = run(
            100,
            vec![
                page(0..3, Some("c1"), Some(6)),
                page(3..6, Some("c2"), Some(6)),
            ],
        );
        let l = r.unwrap();
        assert_eq!(l.items.len(), 6);
        assert_eq!(l.completeness, Completeness::Complete);
        assert_eq!(sent.len(), 2, "no third request");
    }

    #[test]
    fn a_repeated_cursor_is_an_error_not_a_loop() {
        let (r, sent) = run(
            100,
            vec![
                page(0..3, Some("c1"), None),
                page(3..6, Some("c2"), None),
                page(6..9, Some("c1"), None),
            ],
        );
        let e = r.unwrap_err();
        assert!(matches!(e, Error::Paging { .. }), "{e:?}");
        assert!(
            e.to_string().contains("same searchAfter cursor twice"),
            "{e}"
        );
        assert_eq!(sent.len(), 3);
    }

    #[test]
    fn a_page_of_records_already_returned_is_an_error() {
        // a server ignoring the cursor but minting new ones would otherwise loop forever
        let (r, _) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(0..3, Some("c2"), None)],
        );
        assert!(matches!(r.unwrap_err(), Error::Paging { .. }));
    }

    #[test]
    fn duplicates_across_pages_are_returned_once() {
        let (r, _) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(2..5, None, None)],
        );
        assert_eq!(r.unwrap().items, items(0..5));
    }

    #[test]
    fn max_results_stops_and_says_how_many_were_left_out() {
        // the API's total makes the count exact
        let (r, sent) = run(
            4,
            vec![
                page(0..3, Some("c1"), Some(10)),
                page(3..6, Some("c2"), Some(10)),
            ],
        );
        let l = r.unwrap();
        assert_eq!(l.items, items(0..4));
        assert_eq!(
            l.completeness,
            Completeness::MaxResults {
                limit: 4,
                left_out: LeftOut::Exactly(6)
            }
        );
        assert_eq!(sent.len(), 2, "no request after max_results is reached");
        // without a total: what was seen but not taken
        let (r, _) = run(
            4,
            vec![page(0..3, Some("c1"), None), page(3..6, Some("c2"), None)],
        );
        assert_eq!(
            r.unwrap().completeness,
            Completeness::MaxResults {
                limit: 4,
                left_out: LeftOut::AtLeast(2)
            }
        );
        // a full last page with a cursor: more may follow
        let (r, _) = run(3, vec![page(0..3, Some("c1"), None)]);
        assert_eq!(
            r.unwrap().completeness,
            Completeness::MaxResults {
                limit: 3,
                left_out: LeftOut::Unknown
            }
        );
    }

    #[test]
    fn exactly_max_results_matches_is_complete() {
        let (r, _) = run(3, vec![page(0..3, None, None)]);
        assert_eq!(r.unwrap().completeness, Completeness::Complete);
        // a cursor, but the API's total says there is nothing more
        let (r, _) = run(3, vec![page(0..3, Some("c1"), Some(3))]);
        assert_eq!(r.unwrap().completeness, Completeness::Complete);
    }

    #[test]
    fn the_cap_ends_the_listing_and_is_reported() {
        let (r, _) = run(
            10_000,
            vec![page(0..3, Some("c1"), Some(12_000)), PageAnswer::Cap],
        );
        let l = r.unwrap();
        assert_eq!(l.items.len(), 3);
        assert_eq!(
            l.completeness,
            Completeness::Cap {
                left_out: LeftOut::Exactly(11_997)
            }
        );
        let (r, _) = run(10_000, vec![PageAnswer::Cap]);
        assert_eq!(
            r.unwrap().completeness,
            Completeness::Cap {
                left_out: LeftOut::Unknown
            }
        );
    }

    #[test]
    fn max_results_is_clamped_to_the_cap() {
        let (r, _) = run(50_000, vec![page(0..3, None, None)]);
        assert_eq!(r.unwrap().items.len(), 3);
        let (r, _) = run(0, vec![page(0..3, Some("c"), None)]);
        assert_eq!(
            r.unwrap().items.len(),
            1,
            "at least one record is asked for"
        );
    }

    #[test]
    fn errors_of_a_page_end_the_listing() {
        let (r, _) = run(100, vec![page(0..3, Some("c1"), None)]);
        // the scripted server has no second page: its error comes back as is
        assert!(
            matches!(&r.unwrap_err(), Error::Paging { message, .. } if message == "asked for a page too many")
        );
    }

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
    fn the_rejected_parameter_is_read_from_the_error_body() {
        let body = |v: Value| v.to_string();
        assert_eq!(
            rejected_parameter(&body(json!({"_error": {"errorCode": "INVALID_REQUEST",
                "message": "QQL syntax error at position 3", "field": "havingQuery"}}))),
            Some("havingQuery".into())
        );
        assert_eq!(
            rejected_parameter(&body(
                json!({"_error": {"message": "Invalid pageSize: 5000"}})
            )),
            Some("pageSize".into())
        );
        assert_eq!(
            rejected_parameter(&body(json!({"message": "unknown field in havingQuery"}))),
            Some("havingQuery".into())
        );
        assert_eq!(rejected_parameter("<html>"), None);
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

    #[test]
    fn cursor_and_total_headers_are_read() {
        let mut h = HeaderMap::new();
        assert_eq!(next_cursor(&h), None);
        h.insert("searchafter", " ".parse().unwrap());
        assert_eq!(next_cursor(&h), None, "a blank cursor is no cursor");
        h.insert("searchAfter", "1704844800000,a1".parse().unwrap());
        assert_eq!(next_cursor(&h).as_deref(), Some("1704844800000,a1"));
        h.insert("x-total-count", "2417".parse().unwrap());
        assert_eq!(total_count(&h), Some(2417));
    }
}
