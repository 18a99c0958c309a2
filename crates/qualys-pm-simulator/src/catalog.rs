//! The patch catalog and PM assets the simulator serves (`POST /pm/v2/patches`,
//! `GET /pm/v1/patches/count`, `POST /pm/v1/assets`): raw JSON objects in the field names the
//! public evidence shows (see "Patch catalog and assets" in `docs/simulator.md`), the QQL
//! fields each listing understands, searching and cursor paging.
//!
//! The built-in catalog is a pure function of a fixed seed: product lines (Windows cumulative
//! updates, browsers, Office, Red Hat / Ubuntu / Debian / SUSE / Oracle / Amazon package
//! advisories...) release patches at their own cadence from 2021 to [`ANCHOR`]; each release
//! supersedes the previous one of its line (Windows; Linux patches report `isSuperseded`
//! null). Assets run an OS and applications; each has installed some release of each line
//! that applies to it and misses the newer ones, which gives the patch and asset counts.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use serde_json::{json, Value};

use super::qql::{FieldSpec, Kind, Query, Record, Scalar};

/// Largest `pageSize` of `POST /pm/v2/patches`.
pub(crate) const PATCH_PAGE_MAX: usize = 1000;
/// Largest `pageSize` of `POST /pm/v1/assets` (qualysdk: "Default (and max) is 400").
pub(crate) const ASSET_PAGE_MAX: usize = 400;
/// `pageSize` when none is sent (the documented default of the v1 listings).
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;

/// The built-in catalog's default "today" (`--catalog-anchor`): its newest patch is
/// published on or before this day (2026-11-10, a Patch Tuesday), its assets last scanned
/// shortly before.
pub(crate) const ANCHOR: time::Date = time::macros::date!(2026 - 11 - 10);

/// The earliest anchor accepted (the product lines start in 2021).
pub(crate) const EARLIEST_ANCHOR: time::Date = time::macros::date!(2021 - 06 - 01);

/// Reads `--catalog-anchor`: `YYYY-MM-DD` or `today` (UTC).
pub(crate) fn parse_anchor(text: &str) -> Result<time::Date, String> {
    let date = if text.eq_ignore_ascii_case("today") {
        time::OffsetDateTime::now_utc().date()
    } else {
        time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| format!("--catalog-anchor must be YYYY-MM-DD or today, got {text:?}"))?
    };
    if date < EARLIEST_ANCHOR {
        return Err(format!(
            "--catalog-anchor must be {EARLIEST_ANCHOR} or later, got {date}"
        ));
    }
    Ok(date)
}

/// QQL fields of `POST /pm/v2/patches` `query` (and of assets' `havingQuery`).
pub(crate) static PATCH_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("id", Kind::Text),
    FieldSpec::new("title", Kind::Text),
    FieldSpec::new("vendor", Kind::Text),
    FieldSpec::new("vendorSeverity", Kind::Text),
    FieldSpec::new("platform", Kind::Text),
    FieldSpec::new("kb", Kind::Text),
    FieldSpec::new("advisory", Kind::Text),
    FieldSpec::new("bulletin", Kind::Text),
    FieldSpec::new("category", Kind::Text),
    FieldSpec::new("downloadMethod", Kind::Text),
    FieldSpec::new("appFamily", Kind::Text),
    FieldSpec::new("product", Kind::Text),
    FieldSpec::new("architecture", Kind::Text),
    FieldSpec::new("cve", Kind::Text),
    FieldSpec::new("qid", Kind::Number),
    FieldSpec::new("supersedes", Kind::Text),
    FieldSpec::new("supersededBy", Kind::Text),
    FieldSpec::new("packageDetails.packageName", Kind::Text),
    FieldSpec::new("isSecurity", Kind::Bool),
    FieldSpec::new("isSuperseded", Kind::Bool),
    FieldSpec::new("isRollback", Kind::Bool),
    FieldSpec::new("rebootRequired", Kind::Bool),
    FieldSpec::new("enabled", Kind::Bool),
    FieldSpec::new("publishedDate", Kind::Date),
    FieldSpec::new("modifiedDate", Kind::Date),
    // The sync tool filters on `lastModified:>"<date>"`.
    FieldSpec::alias("lastModified", "modifiedDate", Kind::Date),
    FieldSpec::new("missingCount", Kind::Number),
    FieldSpec::new("installedCount", Kind::Number),
    // Missing / Installed on some asset (in an asset's havingQuery: on that asset).
    FieldSpec::new("patchStatus", Kind::Text),
];

/// QQL fields of `POST /pm/v1/assets` `query` (and of patches' `havingQuery`).
pub(crate) static ASSET_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("id", Kind::Text),
    FieldSpec::new("name", Kind::Text),
    FieldSpec::new("operatingSystem", Kind::Text),
    FieldSpec::new("platform", Kind::Text),
    FieldSpec::new("architecture", Kind::Text),
    FieldSpec::new("lastLoggedOnUser", Kind::Text),
    FieldSpec::new("assetStatus", Kind::Text),
    FieldSpec::new("scanStatus", Kind::Text),
    FieldSpec::new("scanDateTime", Kind::Date),
    FieldSpec::new("statusDateTime", Kind::Date),
    FieldSpec::new("missingPatchCount", Kind::Number),
    FieldSpec::new("installedPatchCount", Kind::Number),
    FieldSpec::new("nonSupersededMissingPatchCount", Kind::Number),
    FieldSpec::new("tags.id", Kind::Text),
    FieldSpec::new("tags.name", Kind::Text),
    FieldSpec::new("interfaces.address", Kind::Text),
    FieldSpec::new("interfaces.macAddress", Kind::Text),
    FieldSpec::new("hardware.model", Kind::Text),
    FieldSpec::new("hardware.manufacturer", Kind::Text),
    FieldSpec::new("activatedModules", Kind::Text),
];

/// The keys of a patch object, in order (what `attributes` may name).
pub(crate) const PATCH_ATTRIBUTES: &[&str] = &[
    "id",
    "title",
    "vendor",
    "vendorSeverity",
    "platform",
    "kb",
    "advisory",
    "bulletin",
    "category",
    "isSecurity",
    "isSuperseded",
    "isRollback",
    "rebootRequired",
    "enabled",
    "downloadMethod",
    "isCustomizedDownloadUrl",
    "appFamily",
    "product",
    "architecture",
    "cve",
    "qid",
    "supersedes",
    "supersededBy",
    "packageDetails",
    "vendorlink",
    "publishedDate",
    "modifiedDate",
    "missingCount",
    "installedCount",
];

/// The keys of an asset object, in order (what `attributes` may name).
pub(crate) const ASSET_ATTRIBUTES: &[&str] = &[
    "id",
    "name",
    "operatingSystem",
    "platform",
    "architecture",
    "lastLoggedOnUser",
    "assetStatus",
    "scanStatus",
    "scanDateTime",
    "statusDateTime",
    "hardware",
    "tags",
    "interfaces",
    "activatedModules",
    "installedPatchCount",
    "missingPatchCount",
    "nonSupersededMissingPatchCount",
    "installedPatches",
    "missingPatches",
    // strict only (`Catalog::render_asset`)
    "status",
    "statusCode",
    "version",
    "osIdentifier",
    "osNotSupportedForModules",
];

/// The search endpoints are POSTs but read-only: fault injection does not treat them as
/// writes (no `lose_next` / lost answer after acting, no `answer_delay_ms`).
pub(crate) fn is_search(path: &str) -> bool {
    path == "/pm/v2/patches" || path == "/pm/v1/assets"
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Missing,
    Installed,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Missing => "Missing",
            Status::Installed => "Installed",
        }
    }
}

/// Sort key of a listing: patches newest first, assets by name; then by id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Newest(Reverse<i64>, String),
    Name(String, String),
}

impl Key {
    /// The opaque cursor sent in the `searchAfter` header.
    pub(crate) fn cursor(&self) -> String {
        let raw = match self {
            Key::Newest(Reverse(ms), id) => json!(["p", ms, id]),
            Key::Name(name, id) => json!(["a", name, id]),
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
    }

    /// Reads a cursor made by [`Key::cursor`].
    pub(crate) fn from_cursor(cursor: &str) -> Option<Key> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .ok()?;
        let v: Value = serde_json::from_slice(&bytes).ok()?;
        let a = v.as_array().filter(|a| a.len() == 3)?;
        let id = a[2].as_str()?.to_owned();
        match a[0].as_str()? {
            "p" => Some(Key::Newest(Reverse(a[1].as_i64()?), id)),
            "a" => Some(Key::Name(a[1].as_str()?.to_owned(), id)),
            _ => None,
        }
    }
}

fn patch_key(p: &Value) -> Key {
    Key::Newest(
        Reverse(p.get("publishedDate").and_then(Value::as_i64).unwrap_or(0)),
        str_of(p, "id").to_owned(),
    )
}

fn asset_key(a: &Value) -> Key {
    Key::Name(str_of(a, "name").to_owned(), str_of(a, "id").to_owned())
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Where one page lies in a listing of matches.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    /// Whether the answer carries a `searchAfter` cursor (more records may follow).
    pub more: bool,
}

/// The page cannot be served.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PagingError {
    /// The page would start past the cap (and records exist there).
    Cap,
}

/// The page of `size` records after `after` in `keys` (sorted). A full page carries a
/// cursor (more may follow: the next page may then be empty), a short or empty one does not;
/// a page stops at the `cap`th record (PM's 10,000), with a cursor if records lie beyond
/// (asking for them is [`PagingError::Cap`]).
pub(crate) fn page<K: Ord>(
    keys: &[K],
    size: usize,
    after: Option<&K>,
    cap: usize,
) -> Result<Span, PagingError> {
    let total = keys.len();
    let start = after.map_or(0, |a| keys.partition_point(|k| k <= a));
    if start >= cap && total > cap {
        return Err(PagingError::Cap);
    }
    let end = (start + size).min(total).min(cap.max(start));
    let len = end - start;
    let more = len > 0 && (len == size || (end == cap && total > cap));
    Ok(Span { start, end, more })
}

/// Per patch (or asset), by index: the assets (or patches) linked to it, and how.
type Links = Vec<Vec<(usize, Status)>>;

/// Every patch is an object with a unique non-empty `id`, a platform and, if any, an
/// integer `publishedDate`; answers the patch IDs.
fn check_patches(patches: &[Value]) -> Result<HashSet<String>, String> {
    let mut ids = HashSet::new();
    for (i, p) in patches.iter().enumerate() {
        let Some(m) = p.as_object() else {
            return Err(format!("patches[{i}] must be an object"));
        };
        let id = m.get("id").and_then(Value::as_str).unwrap_or_default();
        if id.is_empty() {
            return Err(format!("patches[{i}].id: a non-empty string is required"));
        }
        if !ids.insert(id.to_owned()) {
            return Err(format!("patches[{i}].id: duplicate id {id:?}"));
        }
        let platform = str_of(p, "platform");
        if platform != "Windows" && platform != "Linux" {
            return Err(format!(
                "patches[{i}].platform: must be Windows or Linux, got {platform:?}"
            ));
        }
        if m.get("publishedDate")
            .is_some_and(|d| !d.is_null() && !d.is_i64())
        {
            return Err(format!(
                "patches[{i}].publishedDate: epoch milliseconds (an integer) expected"
            ));
        }
    }
    Ok(ids)
}

/// Every asset is an object with a unique non-empty `id`, a `name`, a platform, and patch
/// lists naming patches of the catalog.
fn check_assets(assets: &[Value], patch_ids: &HashSet<String>) -> Result<(), String> {
    let mut asset_ids = HashSet::new();
    for (i, a) in assets.iter().enumerate() {
        if !a.is_object() {
            return Err(format!("assets[{i}] must be an object"));
        }
        let id = str_of(a, "id");
        if id.is_empty() {
            return Err(format!("assets[{i}].id: a non-empty string is required"));
        }
        if !asset_ids.insert(id.to_owned()) {
            return Err(format!("assets[{i}].id: duplicate id {id:?}"));
        }
        if str_of(a, "name").is_empty() {
            return Err(format!("assets[{i}].name: a non-empty string is required"));
        }
        let platform = str_of(a, "platform");
        if platform != "Windows" && platform != "Linux" {
            return Err(format!(
                "assets[{i}].platform: must be Windows or Linux, got {platform:?}"
            ));
        }
        for list in ["missingPatches", "installedPatches"] {
            check_patch_list(a, i, list, patch_ids)?;
        }
    }
    Ok(())
}

/// Asset `i`'s `list` (`missingPatches` or `installedPatches`): absent, or `{"id"}` items
/// naming patches of the catalog.
fn check_patch_list(
    asset: &Value,
    i: usize,
    list: &str,
    patch_ids: &HashSet<String>,
) -> Result<(), String> {
    match asset.get(list) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                let pid = item.get("id").and_then(Value::as_str).unwrap_or_default();
                if !patch_ids.contains(pid) {
                    return Err(format!(
                        "assets[{i}].{list}[{j}].id: no patch with id {pid:?} in the catalog"
                    ));
                }
            }
            Ok(())
        }
        Some(_) => Err(format!(
            "assets[{i}].{list}: an array of {{\"id\": \"<patch id>\"}} expected"
        )),
    }
}

/// The links of the assets' patch lists, both ways: per patch, per asset.
fn link(patches: &[Value], assets: &[Value]) -> (Links, Links) {
    let index: HashMap<&str, usize> = patches
        .iter()
        .enumerate()
        .map(|(i, p)| (str_of(p, "id"), i))
        .collect();
    let mut patch_assets = vec![Vec::new(); patches.len()];
    let mut asset_patches = vec![Vec::new(); assets.len()];
    for (ai, a) in assets.iter().enumerate() {
        for (list, status) in [
            ("missingPatches", Status::Missing),
            ("installedPatches", Status::Installed),
        ] {
            for item in a.get(list).and_then(Value::as_array).into_iter().flatten() {
                if let Some(&pi) = item
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| index.get(id))
                {
                    patch_assets[pi].push((ai, status));
                    asset_patches[ai].push((pi, status));
                }
            }
        }
    }
    (patch_assets, asset_patches)
}

/// Each patch's `missingCount` and `installedCount`.
fn count_assets_of_patches(patches: &mut [Value], patch_assets: &Links) {
    for (pi, p) in patches.iter_mut().enumerate() {
        let missing = patch_assets[pi]
            .iter()
            .filter(|(_, s)| *s == Status::Missing)
            .count();
        let installed = patch_assets[pi].len() - missing;
        if let Some(m) = p.as_object_mut() {
            m.insert("missingCount".into(), json!(missing));
            m.insert("installedCount".into(), json!(installed));
        }
    }
}

/// Each asset's patch counts (only on assets that list patches).
fn count_patches_of_assets(assets: &mut [Value], asset_patches: &Links, patches: &[Value]) {
    for (ai, a) in assets.iter_mut().enumerate() {
        let links = &asset_patches[ai];
        let Some(m) = a.as_object_mut() else { continue };
        if !m.contains_key("missingPatches") && !m.contains_key("installedPatches") {
            continue;
        }
        let missing: Vec<usize> = links
            .iter()
            .filter(|(_, s)| *s == Status::Missing)
            .map(|(p, _)| *p)
            .collect();
        let non_superseded = missing
            .iter()
            .filter(|p| patches[**p].get("isSuperseded") != Some(&Value::Bool(true)))
            .count();
        m.insert(
            "installedPatchCount".into(),
            json!(links.len() - missing.len()),
        );
        m.insert("missingPatchCount".into(), json!(missing.len()));
        m.insert(
            "nonSupersededMissingPatchCount".into(),
            json!(non_superseded),
        );
    }
}

/// The catalog: patches and assets, sorted as listed, with their links.
pub(crate) struct Catalog {
    patches: Vec<Value>,
    assets: Vec<Value>,
    patch_keys: Vec<Key>,
    asset_keys: Vec<Key>,
    /// Per patch: the assets missing it or having it installed.
    patch_assets: Links,
    /// Per asset: its missing and installed patches.
    asset_patches: Links,
}

/// One patch as QQL sees it, optionally in the context of one asset.
struct PatchRec<'a> {
    patch: &'a Value,
    on_asset: Option<Status>,
}

impl Record for PatchRec<'_> {
    fn values(&self, field: &str) -> Vec<Scalar<'_>> {
        if field == "patchStatus" {
            if let Some(s) = self.on_asset {
                return vec![Scalar::Text(s.name().into())];
            }
            let count = |k: &str| self.patch.get(k).and_then(Value::as_u64).unwrap_or(0);
            let mut out = Vec::new();
            if count("missingCount") > 0 {
                out.push(Scalar::Text("Missing".into()));
            }
            if count("installedCount") > 0 {
                out.push(Scalar::Text("Installed".into()));
            }
            return out;
        }
        path_values(self.patch, field)
    }
}

struct AssetRec<'a>(&'a Value);

impl Record for AssetRec<'_> {
    fn values(&self, field: &str) -> Vec<Scalar<'_>> {
        path_values(self.0, field)
    }
}

/// The leaves at a dotted path, arrays flattened on the way (`tags.name`).
fn path_values<'a>(root: &'a Value, path: &str) -> Vec<Scalar<'a>> {
    fn flat<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| flat(i, out)),
            other => out.push(other),
        }
    }
    let mut current = vec![root];
    for segment in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            if let Some(child) = v.get(segment) {
                flat(child, &mut next);
            }
        }
        current = next;
    }
    current
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(Scalar::Text(s.as_str().into())),
            Value::Number(n) => n.as_f64().map(Scalar::Number),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => None,
        })
        .collect()
}

fn platform_is(v: &Value, platform: &str) -> bool {
    str_of(v, "platform").eq_ignore_ascii_case(platform)
}

/// Keeps only `attributes` (all keys when `None`).
fn project(v: &Value, attributes: Option<&[String]>) -> Value {
    match (attributes, v.as_object()) {
        (Some(keep), Some(m)) => Value::Object(
            m.iter()
                .filter(|(k, _)| keep.iter().any(|a| a == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => v.clone(),
    }
}

impl Catalog {
    /// The built-in catalog as of `anchor` (its newest day).
    pub(crate) fn builtin_at(anchor: time::Date) -> Catalog {
        let (patches, assets) = generate::catalog(anchor);
        Catalog::install(patches, assets).expect("the built-in catalog is consistent")
    }

    /// A catalog from `{"patches": [...], "assets": [...]}` (either may be left out).
    pub(crate) fn from_json(value: Value) -> Result<Catalog, String> {
        let Value::Object(mut m) = value else {
            return Err(
                "a catalog is a JSON object {\"patches\": [...], \"assets\": [...]}".into(),
            );
        };
        if let Some(k) = m.keys().find(|k| *k != "patches" && *k != "assets") {
            return Err(format!(
                "unknown catalog key {k:?} (expected \"patches\" and \"assets\")"
            ));
        }
        let mut list = |key: &str| match m.remove(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(format!("{key} must be an array")),
        };
        let patches = list("patches")?;
        let assets = list("assets")?;
        Catalog::install(patches, assets)
    }

    /// A catalog from a `--catalog` file.
    pub(crate) fn load_file(path: &std::path::Path) -> Result<Catalog, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read catalog file {}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("catalog file {} is not JSON: {e}", path.display()))?;
        Catalog::from_json(value).map_err(|e| format!("catalog file {}: {e}", path.display()))
    }

    /// Checks, links and sorts; fills the counts the links determine.
    fn install(mut patches: Vec<Value>, mut assets: Vec<Value>) -> Result<Catalog, String> {
        let patch_ids = check_patches(&patches)?;
        check_assets(&assets, &patch_ids)?;
        patches.sort_by_cached_key(patch_key);
        assets.sort_by_cached_key(asset_key);
        let (patch_assets, asset_patches) = link(&patches, &assets);
        count_assets_of_patches(&mut patches, &patch_assets);
        count_patches_of_assets(&mut assets, &asset_patches, &patches);
        let patch_keys = patches.iter().map(patch_key).collect();
        let asset_keys = assets.iter().map(asset_key).collect();
        Ok(Catalog {
            patches,
            assets,
            patch_keys,
            asset_keys,
            patch_assets,
            asset_patches,
        })
    }

    /// The catalog as `--catalog` files and `POST /_simulator/catalog` take it.
    pub(crate) fn to_json(&self) -> Value {
        json!({"patches": self.patches, "assets": self.assets})
    }

    /// Every asset, raw (a run's targets and results read them).
    pub(crate) fn assets(&self) -> &[Value] {
        &self.assets
    }

    /// The asset whose `id` is `id`.
    pub(crate) fn asset(&self, id: &str) -> Option<&Value> {
        self.assets.iter().find(|a| a["id"] == id)
    }

    pub(crate) fn summary(&self) -> Value {
        let count = |list: &[Value], p: &str| list.iter().filter(|v| platform_is(v, p)).count();
        json!({
            "patches": {"Windows": count(&self.patches, "Windows"), "Linux": count(&self.patches, "Linux"), "total": self.patches.len()},
            "assets": {"Windows": count(&self.assets, "Windows"), "Linux": count(&self.assets, "Linux"), "total": self.assets.len()},
        })
    }

    /// Indices (in listing order) of the `platform` patches matching `query` that have an
    /// asset (missing or installed) matching `having`.
    pub(crate) fn search_patches(
        &self,
        platform: &str,
        query: &Query,
        having: &Query,
    ) -> Vec<usize> {
        (0..self.patches.len())
            .filter(|&i| {
                let p = &self.patches[i];
                platform_is(p, platform)
                    && query.matches(&PatchRec {
                        patch: p,
                        on_asset: None,
                    })
                    && (having.is_empty()
                        || self.patch_assets[i]
                            .iter()
                            .any(|(a, _)| having.matches(&AssetRec(&self.assets[*a]))))
            })
            .collect()
    }

    /// Indices (in listing order) of the assets (of `platform`, if given) matching `query`
    /// that have a patch (missing or installed, `patchStatus` telling which) matching `having`.
    pub(crate) fn search_assets(
        &self,
        platform: Option<&str>,
        query: &Query,
        having: &Query,
    ) -> Vec<usize> {
        (0..self.assets.len())
            .filter(|&i| {
                let a = &self.assets[i];
                platform.is_none_or(|p| platform_is(a, p))
                    && query.matches(&AssetRec(a))
                    && (having.is_empty()
                        || self.asset_patches[i].iter().any(|(p, s)| {
                            having.matches(&PatchRec {
                                patch: &self.patches[*p],
                                on_asset: Some(*s),
                            })
                        }))
            })
            .collect()
    }

    pub(crate) fn patch_key(&self, i: usize) -> &Key {
        &self.patch_keys[i]
    }
    pub(crate) fn asset_key(&self, i: usize) -> &Key {
        &self.asset_keys[i]
    }

    /// Patch `i` as the API answers it.
    pub(crate) fn render_patch(&self, i: usize, attributes: Option<&[String]>) -> Value {
        project(&self.patches[i], attributes)
    }

    /// The names of the tags the assets carry, by tag ID.
    pub(crate) fn tag_names(&self) -> HashMap<String, String> {
        self.assets
            .iter()
            .filter_map(|a| a.get("tags").and_then(Value::as_array))
            .flatten()
            .filter_map(|t| Some((t.get("id")?.as_str()?, t.get("name")?.as_str()?)))
            .map(|(id, name)| (id.to_owned(), name.to_owned()))
            .collect()
    }

    /// Asset `i` as the API answers it: tags carry only their `id` (the documented sample).
    /// Strict (`lenient` false) adds what `qualysdk` reads on real tenants and the PM 3.9
    /// sample shows: `status`, `statusCode`, `version`, `osIdentifier`,
    /// `osNotSupportedForModules`.
    pub(crate) fn render_asset(
        &self,
        i: usize,
        attributes: Option<&[String]>,
        lenient: bool,
    ) -> Value {
        let mut full = self.assets[i].clone();
        if let (Some(m), false) = (full.as_object_mut(), lenient) {
            let text = |k: &str| {
                m.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let (status, os) = (text("assetStatus"), text("operatingSystem"));
            // the OS release: its last word holding a digit ("21H2", "22.04")
            let version = os
                .split_whitespace()
                .rev()
                .find(|w| w.chars().any(|c| c.is_ascii_digit()));
            m.insert("status".into(), json!(status));
            // 20212: the one code seen with an active asset (INF for the others)
            m.insert("statusCode".into(), json!(20212));
            m.insert("version".into(), json!(version));
            m.insert("osIdentifier".into(), json!(os));
            m.insert("osNotSupportedForModules".into(), json!([]));
        }
        let mut a = project(&full, attributes);
        if let Some(tags) = a.get_mut("tags").and_then(Value::as_array_mut) {
            for t in tags.iter_mut() {
                if let Some(m) = t.as_object_mut() {
                    m.retain(|k, _| k == "id");
                }
            }
        }
        a
    }
}

mod generate;

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: usize = 10_000;

    fn parse(q: &str, schema: &[FieldSpec]) -> Query {
        Query::parse(q, schema, 0).unwrap_or_else(|e| panic!("{q}: {e}"))
    }

    #[test]
    fn paging_walks_every_record_once_with_a_cursor_round_trip() {
        let keys: Vec<Key> = (0..25)
            .map(|i| Key::Newest(Reverse(1000 - i / 2), format!("id-{i:02}")))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        let mut seen = Vec::new();
        let mut after: Option<Key> = None;
        let mut pages = 0;
        loop {
            let span = page(&sorted, 10, after.as_ref(), CAP).unwrap();
            pages += 1;
            seen.extend(sorted[span.start..span.end].iter().cloned());
            if !span.more {
                break;
            }
            let cursor = sorted[span.end - 1].cursor();
            after = Some(Key::from_cursor(&cursor).expect("cursor decodes"));
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, sorted);
    }

    #[test]
    fn last_page_has_no_cursor_and_a_full_last_page_is_followed_by_an_empty_one() {
        let keys: Vec<u32> = (0..20).collect();
        let first = page(&keys, 10, None, CAP).unwrap();
        assert_eq!(
            first,
            Span {
                start: 0,
                end: 10,
                more: true
            }
        );
        let second = page(&keys, 10, Some(&9), CAP).unwrap();
        assert_eq!(
            second,
            Span {
                start: 10,
                end: 20,
                more: true
            }
        );
        let third = page(&keys, 10, Some(&19), CAP).unwrap();
        assert_eq!(
            third,
            Span {
                start: 20,
                end: 20,
                more: false
            }
        );
        let short = page(&keys, 15, Some(&9), CAP).unwrap();
        assert_eq!(
            short,
            Span {
                start: 10,
                end: 20,
                more: false
            }
        );
        assert_eq!(
            page::<u32>(&[], 10, None, CAP).unwrap(),
            Span {
                start: 0,
                end: 0,
                more: false
            }
        );
    }

    #[test]
    fn paging_stops_at_the_cap() {
        let keys: Vec<u32> = (0..10_500).collect();
        // A page across the 10,000th record stops there, with a cursor.
        let span = page(&keys, 1000, Some(&8_999), CAP).unwrap();
        assert_eq!(
            span,
            Span {
                start: 9_000,
                end: 10_000,
                more: true
            }
        );
        let span = page(&keys, 300, Some(&9_899), CAP).unwrap();
        assert_eq!(
            span,
            Span {
                start: 9_900,
                end: 10_000,
                more: true
            }
        );
        assert_eq!(page(&keys, 1000, Some(&9_999), CAP), Err(PagingError::Cap));
        // Exactly 10,000 records: the last page is full, the next empty, no error.
        let keys: Vec<u32> = (0..10_000).collect();
        assert!(page(&keys, 1000, Some(&8_999), CAP).unwrap().more);
        assert_eq!(
            page(&keys, 1000, Some(&9_999), CAP).unwrap(),
            Span {
                start: 10_000,
                end: 10_000,
                more: false
            }
        );
    }

    #[test]
    fn cursors_are_opaque_and_checked() {
        let k = Key::Name("web, 01 é".into(), "abc".into());
        let c = k.cursor();
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{c}"
        );
        assert_eq!(Key::from_cursor(&c), Some(k));
        assert_eq!(Key::from_cursor("not a cursor"), None);
        assert_eq!(Key::from_cursor(""), None);
    }

    #[test]
    fn builtin_catalog_is_deterministic_and_plausible() {
        let a = Catalog::builtin_at(ANCHOR);
        let b = Catalog::builtin_at(ANCHOR);
        assert_eq!(a.to_json(), b.to_json(), "a pure function of the seed");
        let s = a.summary();
        let windows = s["patches"]["Windows"].as_u64().unwrap();
        let linux = s["patches"]["Linux"].as_u64().unwrap();
        let assets = s["assets"]["total"].as_u64().unwrap();
        assert!((2000..6000).contains(&windows), "{s}");
        assert!((2000..6000).contains(&linux), "{s}");
        assert!((200..500).contains(&assets), "{s}");
        // Every non-empty QQL the docs show finds something.
        let none = Query::parse("", PATCH_FIELDS, 0).unwrap();
        for (platform, q) in [
            (
                "Windows",
                "vendorSeverity:`Critical` and isSuperseded:false",
            ),
            (
                "Windows",
                "patchStatus:[Missing,Installed] and isSuperseded:false",
            ),
            ("Windows", "downloadMethod:AcquireFromVendor"),
            ("Windows", "missingCount>0"),
            ("Linux", "vendor:`Red Hat` and cve:CVE-2024-*"),
            // the DOC sample request's query, spaces after the colons included
            (
                "Windows",
                "isSecurity: true and (patchStatus:[Missing, Installed] and isSuperseded: false)",
            ),
        ] {
            let hits = a.search_patches(platform, &parse(q, PATCH_FIELDS), &none);
            assert!(!hits.is_empty(), "{q} found nothing");
        }
        // Windows patches of one line chain by supersedence; Linux reports null.
        let all = a.to_json();
        let patches = all["patches"].as_array().unwrap();
        let by_id: HashMap<&str, &Value> = patches
            .iter()
            .map(|p| (p["id"].as_str().unwrap(), p))
            .collect();
        for p in patches {
            match p["platform"].as_str().unwrap() {
                "Linux" => assert!(p["isSuperseded"].is_null()),
                _ => {
                    let by = p["supersededBy"].as_array().unwrap();
                    assert_eq!(p["isSuperseded"], json!(!by.is_empty()));
                    for newer in by {
                        let n = by_id[newer.as_str().unwrap()];
                        assert!(n["publishedDate"].as_i64() >= p["publishedDate"].as_i64());
                        assert!(n["supersedes"].as_array().unwrap().contains(&p["id"]));
                    }
                }
            }
        }
        // Counts agree with the links.
        for asset in all["assets"].as_array().unwrap() {
            assert_eq!(
                asset["missingPatchCount"].as_u64().unwrap() as usize,
                asset["missingPatches"].as_array().unwrap().len()
            );
        }
    }

    #[test]
    fn a_later_anchor_only_adds_releases() {
        let ids = |c: &Catalog| -> HashSet<String> {
            c.patches
                .iter()
                .map(|p| str_of(p, "id").to_owned())
                .collect()
        };
        let later = time::macros::date!(2027 - 02 - 09);
        let (a, b) = (Catalog::builtin_at(ANCHOR), Catalog::builtin_at(later));
        assert!(ids(&a).is_subset(&ids(&b)));
        assert!(ids(&b).len() > ids(&a).len());
        let newest = |c: &Catalog| c.patches[0]["publishedDate"].as_i64().unwrap();
        let day_ms = |d: time::Date| d.midnight().assume_utc().unix_timestamp() * 1000;
        assert!(newest(&a) < day_ms(ANCHOR) + 86_400_000 && newest(&a) >= day_ms(ANCHOR));
        assert!(newest(&b) < day_ms(later) + 86_400_000 && newest(&b) > newest(&a));
        assert!(parse_anchor("2020-12-31").is_err());
        assert!(parse_anchor("11/10/2026").is_err());
        assert_eq!(parse_anchor("2026-11-10"), Ok(ANCHOR));
        assert!(parse_anchor("today").is_ok());
    }

    #[test]
    fn having_queries_cross_patches_and_assets() {
        let c = Catalog::builtin_at(ANCHOR);
        let none = Query::parse("", PATCH_FIELDS, 0).unwrap();
        let web = parse("name:web-*", ASSET_FIELDS);
        let on_web = c.search_patches("Linux", &none, &web);
        let all_linux = c.search_patches("Linux", &none, &none);
        assert!(!on_web.is_empty() && on_web.len() < all_linux.len());
        // Assets missing a critical patch.
        let no_asset_filter = Query::parse("", ASSET_FIELDS, 0).unwrap();
        let critical_missing = parse(
            "patchStatus:Missing and vendorSeverity:Critical",
            PATCH_FIELDS,
        );
        let hits = c.search_assets(None, &no_asset_filter, &critical_missing);
        assert!(!hits.is_empty());
        for i in hits {
            let a = c.render_asset(i, None, true);
            assert!(a["missingPatchCount"].as_u64().unwrap() > 0);
        }
    }

    #[test]
    fn attributes_and_tags_rendering() {
        let c = Catalog::builtin_at(ANCHOR);
        let attrs = vec!["id".to_owned(), "title".to_owned()];
        let p = c.render_patch(0, Some(&attrs));
        assert_eq!(
            p.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["id", "title"]
        );
        let a = c.render_asset(0, None, false);
        for t in a["tags"].as_array().unwrap() {
            assert_eq!(t.as_object().unwrap().keys().collect::<Vec<_>>(), ["id"]);
        }
        // strict: what qualysdk reads on real tenants; lenient: the 3.9 sample's keys only
        assert_eq!(a["status"], a["assetStatus"]);
        assert_eq!(a["statusCode"], 20212);
        assert_eq!(a["osIdentifier"], a["operatingSystem"]);
        assert!(a["version"]
            .as_str()
            .is_some_and(|v| a["operatingSystem"].as_str().unwrap().contains(v)));
        assert_eq!(a["osNotSupportedForModules"], json!([]));
        let lenient = c.render_asset(0, None, true);
        for key in ["status", "statusCode", "version", "osIdentifier"] {
            assert!(lenient.get(key).is_none(), "lenient has no {key}");
        }
        // tags.name still works in QQL
        let none = Query::parse("", PATCH_FIELDS, 0).unwrap();
        let prod = c.search_assets(None, &parse("tags.name:Production", ASSET_FIELDS), &none);
        assert!(!prod.is_empty());
    }

    /// docs/simulator.md lists every key and QQL field (the other side's contract).
    #[test]
    fn the_docs_name_every_key_and_field() {
        let doc = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/simulator.md"
        ))
        .expect("docs/simulator.md");
        let section = |from: &str, to: &str| -> String {
            let start = doc
                .find(from)
                .unwrap_or_else(|| panic!("no {from:?} in the docs"));
            let end = doc[start..].find(to).map_or(doc.len(), |e| start + e);
            doc[start..end].to_owned()
        };
        let patch = section("### Patch object", "### Asset object");
        let asset = section("### Asset object", "### The built-in catalog");
        let qql = section("### QQL", "### Patch object");
        for k in PATCH_ATTRIBUTES {
            assert!(
                patch.contains(&format!("`{k}`")),
                "patch key {k} undocumented"
            );
        }
        for k in ASSET_ATTRIBUTES {
            assert!(
                asset.contains(&format!("`{k}`")),
                "asset key {k} undocumented"
            );
        }
        let (patch_q, asset_q) = qql.split_once("Asset QQL fields").expect("both lists");
        for f in PATCH_FIELDS {
            assert!(
                patch_q.contains(&format!("`{}`", f.name)),
                "patch QQL field {} undocumented",
                f.name
            );
        }
        for f in ASSET_FIELDS {
            assert!(
                asset_q.contains(&format!("`{}`", f.name)),
                "asset QQL field {} undocumented",
                f.name
            );
        }
    }

    #[test]
    fn loaded_catalogs_are_checked() {
        let bad = |v: Value| Catalog::from_json(v).err().unwrap();
        assert!(bad(json!({"patches": [{"id": "a"}]})).contains("patches[0].platform"));
        assert!(bad(json!({"patches": [{"id": "a", "platform": "Windows"}, {"id": "a", "platform": "Linux"}]}))
            .contains("patches[1].id: duplicate"));
        assert!(bad(json!({"assets": [{"id": "x", "name": "n", "platform": "Linux", "missingPatches": [{"id": "nope"}]}]}))
            .contains("assets[0].missingPatches[0].id"));
        assert!(bad(json!({"patchez": []})).contains("unknown catalog key"));
        let ok = Catalog::from_json(json!({
            "patches": [{"id": "p1", "platform": "Linux", "publishedDate": 5}, {"id": "p2", "platform": "Linux", "publishedDate": 9}],
            "assets": [{"id": "a1", "name": "n1", "platform": "Linux", "missingPatches": [{"id": "p1"}], "installedPatches": [{"id": "p2"}]}],
        }))
        .unwrap();
        // newest first, counts derived
        assert_eq!(ok.render_patch(0, None)["id"], "p2");
        assert_eq!(ok.render_patch(1, None)["missingCount"], 1);
        assert_eq!(ok.render_asset(0, None, false)["installedPatchCount"], 1);
    }
}
