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
use serde_json::{json, Map, Value};

use super::qql::{FieldSpec, Kind, Query, Record, Scalar};

/// PM answers at most this many records of one listing (`errorCode 2501` past it).
pub const CAP: usize = 10_000;
/// Largest `pageSize` of `POST /pm/v2/patches`.
pub const PATCH_PAGE_MAX: usize = 1000;
/// Largest `pageSize` of `POST /pm/v1/assets` (qualysdk: "Default (and max) is 400").
pub const ASSET_PAGE_MAX: usize = 400;
/// `pageSize` when none is sent (the documented default of the v1 listings).
pub const DEFAULT_PAGE_SIZE: usize = 10;

/// The built-in catalog's "today": its newest patch is published on or before this day
/// (2026-11-10, a Patch Tuesday), its assets last scanned shortly before.
pub const ANCHOR: (i32, u8, u8) = (2026, 11, 10);

/// QQL fields of `POST /pm/v2/patches` `query` (and of assets' `havingQuery`).
pub static PATCH_FIELDS: &[FieldSpec] = &[
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
pub static ASSET_FIELDS: &[FieldSpec] = &[
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
pub const PATCH_ATTRIBUTES: &[&str] = &[
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
pub const ASSET_ATTRIBUTES: &[&str] = &[
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
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
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
pub enum Key {
    Newest(Reverse<i64>, String),
    Name(String, String),
}

impl Key {
    /// The opaque cursor sent in the `searchAfter` header.
    pub fn cursor(&self) -> String {
        let raw = match self {
            Key::Newest(Reverse(ms), id) => json!(["p", ms, id]),
            Key::Name(name, id) => json!(["a", name, id]),
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
    }

    /// Reads a cursor made by [`Key::cursor`].
    pub fn from_cursor(cursor: &str) -> Option<Key> {
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
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// Whether the answer carries a `searchAfter` cursor (more records may follow).
    pub more: bool,
}

/// The page cannot be served.
#[derive(Debug, PartialEq, Eq)]
pub enum PagingError {
    /// The page would start past the [`CAP`]th record (and records exist there).
    Cap,
}

/// The page of `size` records after `after` in `keys` (sorted). A full page carries a
/// cursor (more may follow: the next page may then be empty), a short or empty one does not;
/// a page stops at the [`CAP`]th record, with a cursor if records lie beyond (asking for
/// them is [`PagingError::Cap`]).
pub fn page<K: Ord>(keys: &[K], size: usize, after: Option<&K>) -> Result<Span, PagingError> {
    let total = keys.len();
    let start = after.map_or(0, |a| keys.partition_point(|k| k <= a));
    if start >= CAP && total > CAP {
        return Err(PagingError::Cap);
    }
    let end = (start + size).min(total).min(CAP.max(start));
    let len = end - start;
    let more = len > 0 && (len == size || (end == CAP && total > CAP));
    Ok(Span { start, end, more })
}

/// The catalog: patches and assets, sorted as listed, with their links.
pub struct Catalog {
    patches: Vec<Value>,
    assets: Vec<Value>,
    patch_keys: Vec<Key>,
    asset_keys: Vec<Key>,
    /// Per patch: the assets missing it or having it installed.
    patch_assets: Vec<Vec<(usize, Status)>>,
    /// Per asset: its missing and installed patches.
    asset_patches: Vec<Vec<(usize, Status)>>,
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
    /// The built-in catalog.
    pub fn builtin() -> Catalog {
        let (patches, assets) = generate::catalog();
        Catalog::install(patches, assets).expect("the built-in catalog is consistent")
    }

    /// A catalog from `{"patches": [...], "assets": [...]}` (either may be left out).
    pub fn from_json(value: Value) -> Result<Catalog, String> {
        let Value::Object(mut m) = value else {
            return Err("a catalog is a JSON object {\"patches\": [...], \"assets\": [...]}".into());
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
    pub fn load_file(path: &std::path::Path) -> Result<Catalog, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read catalog file {}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("catalog file {} is not JSON: {e}", path.display()))?;
        Catalog::from_json(value)
            .map_err(|e| format!("catalog file {}: {e}", path.display()))
    }

    /// Checks, links and sorts; fills the counts the links determine.
    fn install(mut patches: Vec<Value>, mut assets: Vec<Value>) -> Result<Catalog, String> {
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
            if m.get("publishedDate").is_some_and(|d| !d.is_null() && !d.is_i64()) {
                return Err(format!(
                    "patches[{i}].publishedDate: epoch milliseconds (an integer) expected"
                ));
            }
        }
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
                match a.get(list) {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(items)) => {
                        for (j, item) in items.iter().enumerate() {
                            let pid = item.get("id").and_then(Value::as_str).unwrap_or_default();
                            if !ids.contains(pid) {
                                return Err(format!(
                                    "assets[{i}].{list}[{j}].id: no patch with id {pid:?} in the catalog"
                                ));
                            }
                        }
                    }
                    Some(_) => {
                        return Err(format!(
                            "assets[{i}].{list}: an array of {{\"id\": \"<patch id>\"}} expected"
                        ))
                    }
                }
            }
        }
        patches.sort_by_cached_key(patch_key);
        assets.sort_by_cached_key(asset_key);
        let index: HashMap<String, usize> = patches
            .iter()
            .enumerate()
            .map(|(i, p)| (str_of(p, "id").to_owned(), i))
            .collect();
        let mut patch_assets = vec![Vec::new(); patches.len()];
        let mut asset_patches = vec![Vec::new(); assets.len()];
        for (ai, a) in assets.iter().enumerate() {
            for (list, status) in [
                ("missingPatches", Status::Missing),
                ("installedPatches", Status::Installed),
            ] {
                for item in a.get(list).and_then(Value::as_array).into_iter().flatten() {
                    if let Some(&pi) = item.get("id").and_then(Value::as_str).and_then(|id| index.get(id)) {
                        patch_assets[pi].push((ai, status));
                        asset_patches[ai].push((pi, status));
                    }
                }
            }
        }
        for (pi, p) in patches.iter_mut().enumerate() {
            let missing = patch_assets[pi].iter().filter(|(_, s)| *s == Status::Missing).count();
            let installed = patch_assets[pi].len() - missing;
            if let Some(m) = p.as_object_mut() {
                m.insert("missingCount".into(), json!(missing));
                m.insert("installedCount".into(), json!(installed));
            }
        }
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
            m.insert("installedPatchCount".into(), json!(links.len() - missing.len()));
            m.insert("missingPatchCount".into(), json!(missing.len()));
            m.insert("nonSupersededMissingPatchCount".into(), json!(non_superseded));
        }
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
    pub fn to_json(&self) -> Value {
        json!({"patches": self.patches, "assets": self.assets})
    }

    pub fn summary(&self) -> Value {
        let count = |list: &[Value], p: &str| list.iter().filter(|v| platform_is(v, p)).count();
        json!({
            "patches": {"Windows": count(&self.patches, "Windows"), "Linux": count(&self.patches, "Linux"), "total": self.patches.len()},
            "assets": {"Windows": count(&self.assets, "Windows"), "Linux": count(&self.assets, "Linux"), "total": self.assets.len()},
        })
    }

    /// Indices (in listing order) of the `platform` patches matching `query` that have an
    /// asset (missing or installed) matching `having`.
    pub fn search_patches(&self, platform: &str, query: &Query, having: &Query) -> Vec<usize> {
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
    pub fn search_assets(&self, platform: Option<&str>, query: &Query, having: &Query) -> Vec<usize> {
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

    pub fn patch_key(&self, i: usize) -> &Key {
        &self.patch_keys[i]
    }
    pub fn asset_key(&self, i: usize) -> &Key {
        &self.asset_keys[i]
    }

    /// Patch `i` as the API answers it.
    pub fn render_patch(&self, i: usize, attributes: Option<&[String]>) -> Value {
        project(&self.patches[i], attributes)
    }

    /// Asset `i` as the API answers it: tags carry only their `id` (the documented sample).
    pub fn render_asset(&self, i: usize, attributes: Option<&[String]>) -> Value {
        let mut a = project(&self.assets[i], attributes);
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

/// The built-in catalog, a pure function of [`generate::SEED`].
mod generate {
    use super::*;
    use time::{Date, Month, Weekday};

    pub const SEED: u64 = 0x5157_414c_5953_504d; // "QUALYSPM"

    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A small deterministic generator, seeded per item.
    struct Rng(u64);

    impl Rng {
        fn new(salt: &str, a: u64, b: u64) -> Rng {
            let mut h = SEED;
            for byte in salt.bytes() {
                h = mix(h ^ u64::from(byte));
            }
            Rng(mix(mix(h ^ a) ^ b))
        }
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            mix(self.0)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
        fn chance(&mut self, p: f64) -> bool {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
        }
        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len() as u64) as usize]
        }
        fn uuid(&mut self) -> String {
            let hi = self.next().to_be_bytes();
            let lo = self.next().to_be_bytes();
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&hi);
            bytes[8..].copy_from_slice(&lo);
            uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
        }
    }

    const DAY_MS: i64 = 86_400_000;

    fn day(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap_or(Month::January), d)
            .unwrap_or(Date::MIN)
    }

    fn anchor() -> Date {
        day(ANCHOR.0, ANCHOR.1, ANCHOR.2)
    }

    fn ms(d: Date) -> i64 {
        d.midnight().assume_utc().unix_timestamp() * 1000
    }

    /// The second Tuesday of the month of `d`.
    fn patch_tuesday(d: Date) -> Date {
        let first = day(d.year(), d.month() as u8, 1);
        let mut t = first;
        while t.weekday() != Weekday::Tuesday {
            t = t.next_day().unwrap_or(t);
        }
        t.saturating_add(time::Duration::days(7))
    }

    fn next_month(d: Date) -> Date {
        let (y, m) = if d.month() == Month::December {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() as u8 + 1)
        };
        day(y, m, 1)
    }

    /// How a Windows line names its releases.
    #[derive(Clone, Copy)]
    enum Win {
        Cu(&'static str),
        DotNet(&'static str),
        Office(&'static str),
        Msrt,
        Edge,
        Sql(&'static str),
        Exchange,
        /// name, first major version, releases per major, bulletin prefix
        App(&'static str, u32, u32, Option<&'static str>),
    }

    struct WinLine {
        key: &'static str,
        vendor: &'static str,
        family: &'static str,
        products: &'static [&'static str],
        kind: Win,
        /// first release (year, month); `every` 0 = monthly on Patch Tuesday
        from: (i32, u8),
        every: i64,
        download: &'static str,
        reboot: bool,
        security: f64,
        qid_base: u64,
        arch: &'static [&'static str],
    }

    const X64: &[&str] = &["X64"];
    const X86_X64: &[&str] = &["X86", "X64"];

    macro_rules! wl {
        ($key:expr, $vendor:expr, $family:expr, $products:expr, $kind:expr, $from:expr, $every:expr, $dl:expr, $reboot:expr, $sec:expr, $qid:expr, $arch:expr) => {
            WinLine {
                key: $key,
                vendor: $vendor,
                family: $family,
                products: $products,
                kind: $kind,
                from: $from,
                every: $every,
                download: $dl,
                reboot: $reboot,
                security: $sec,
                qid_base: $qid,
                arch: $arch,
            }
        };
    }

    fn windows_lines() -> Vec<WinLine> {
        use Win::*;
        let a = "Automatic";
        let v = "AcquireFromVendor";
        vec![
            wl!("win10-21h2", "Microsoft", "Windows", &["Windows 10 Version 21H2 (x64)"], Cu("Windows 10 Version 21H2 for x64-based Systems"), (2021, 11), 0, a, true, 1.0, 92000, X64),
            wl!("win10-22h2", "Microsoft", "Windows", &["Windows 10 Version 22H2 (x64)"], Cu("Windows 10 Version 22H2 for x64-based Systems"), (2022, 10), 0, a, true, 1.0, 92000, X64),
            wl!("win11-22h2", "Microsoft", "Windows", &["Windows 11 Version 22H2 (x64)"], Cu("Windows 11 Version 22H2 for x64-based Systems"), (2022, 9), 0, a, true, 1.0, 92000, X64),
            wl!("win11-23h2", "Microsoft", "Windows", &["Windows 11 Version 23H2 (x64)"], Cu("Windows 11 Version 23H2 for x64-based Systems"), (2023, 10), 0, a, true, 1.0, 92000, X64),
            wl!("win11-24h2", "Microsoft", "Windows", &["Windows 11 Version 24H2 (x64)"], Cu("Windows 11 Version 24H2 for x64-based Systems"), (2024, 10), 0, a, true, 1.0, 92000, X64),
            wl!("ws2016", "Microsoft", "Windows", &["Windows Server 2016 Standard (x64)", "Windows Server 2016 Datacenter (x64)"], Cu("Windows Server 2016"), (2021, 1), 0, a, true, 1.0, 92000, X64),
            wl!("ws2019", "Microsoft", "Windows", &["Windows Server 2019 Standard (x64)", "Windows Server 2019 Datacenter (x64)"], Cu("Windows Server 2019"), (2021, 1), 0, a, true, 1.0, 92000, X64),
            wl!("ws2022", "Microsoft", "Windows", &["Windows Server 2022 Standard (x64)", "Windows Server 2022 Datacenter (x64)"], Cu("Microsoft server operating system version 21H2 for x64-based Systems"), (2021, 9), 0, a, true, 1.0, 92000, X64),
            wl!("ws2025", "Microsoft", "Windows", &["Windows Server 2025 Standard (x64)", "Windows Server 2025 Datacenter (x64)"], Cu("Microsoft server operating system version 24H2 for x64-based Systems"), (2024, 11), 0, a, true, 1.0, 92000, X64),
            wl!("net-ws2019", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8"], DotNet("Windows Server 2019"), (2021, 1), 0, a, false, 0.7, 92400, X64),
            wl!("net-ws2022", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8.1"], DotNet("Microsoft server operating system version 21H2"), (2021, 9), 0, a, false, 0.7, 92400, X64),
            wl!("net-win10", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8.1"], DotNet("Windows 10 Version 22H2"), (2022, 10), 0, a, false, 0.7, 92400, X64),
            wl!("net-win11", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8.1"], DotNet("Windows 11"), (2022, 9), 0, a, false, 0.7, 92400, X64),
            wl!("excel", "Microsoft", "Office", &["Microsoft Excel 2016"], Office("Microsoft Excel 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
            wl!("word", "Microsoft", "Office", &["Microsoft Word 2016"], Office("Microsoft Word 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
            wl!("outlook", "Microsoft", "Office", &["Microsoft Outlook 2016"], Office("Microsoft Outlook 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
            wl!("office", "Microsoft", "Office", &["Microsoft Office 2016"], Office("Microsoft Office 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
            wl!("msrt", "Microsoft", "Windows", &["Windows Malicious Software Removal Tool"], Msrt, (2021, 1), 0, a, false, 0.0, 0, X64),
            wl!("edge", "Microsoft", "Edge", &["Microsoft Edge"], Edge, (2021, 1), 10, a, false, 0.85, 377000, X64),
            wl!("sql2019", "Microsoft", "SQL Server", &["Microsoft SQL Server 2019"], Sql("SQL Server 2019"), (2021, 2), 61, a, true, 0.6, 100400, X64),
            wl!("sql2022", "Microsoft", "SQL Server", &["Microsoft SQL Server 2022"], Sql("SQL Server 2022"), (2023, 1), 61, a, true, 0.6, 100400, X64),
            wl!("exchange", "Microsoft", "Exchange", &["Microsoft Exchange Server 2019"], Exchange, (2021, 3), 61, a, true, 0.9, 50100, X64),
            wl!("chrome", "Google", "Chrome", &["Google Chrome"], App("Google Chrome", 88, 4, None), (2021, 1), 7, a, false, 0.9, 375000, X64),
            wl!("firefox", "Mozilla", "Firefox", &["Mozilla Firefox"], App("Mozilla Firefox", 85, 2, Some("MFSA")), (2021, 1), 14, a, false, 0.85, 376000, X86_X64),
            wl!("firefox-esr", "Mozilla", "Firefox", &["Mozilla Firefox ESR"], App("Mozilla Firefox ESR", 78, 13, Some("MFSA")), (2021, 1), 28, a, false, 0.85, 376000, X86_X64),
            wl!("thunderbird", "Mozilla", "Thunderbird", &["Mozilla Thunderbird"], App("Mozilla Thunderbird", 78, 13, Some("MFSA")), (2021, 1), 28, a, false, 0.8, 376200, X86_X64),
            wl!("reader", "Adobe", "Acrobat Reader", &["Adobe Acrobat Reader DC"], App("Adobe Acrobat Reader DC", 21, 12, Some("APSB")), (2021, 1), 30, a, false, 0.8, 380000, X86_X64),
            wl!("acrobat", "Adobe", "Acrobat", &["Adobe Acrobat DC"], App("Adobe Acrobat DC", 21, 12, Some("APSB")), (2021, 1), 30, a, false, 0.8, 380000, X86_X64),
            wl!("java8", "Oracle", "Java", &["Oracle Java SE 8"], App("Oracle Java SE 8 Update", 281, 1, None), (2021, 1), 91, v, false, 1.0, 372000, X86_X64),
            wl!("java17", "Oracle", "Java", &["Oracle Java SE 17"], App("Oracle Java SE 17.0", 1, 1, None), (2021, 10), 91, v, false, 1.0, 372000, X64),
            wl!("java21", "Oracle", "Java", &["Oracle Java SE 21"], App("Oracle Java SE 21.0", 1, 1, None), (2023, 10), 91, v, false, 1.0, 372000, X64),
            wl!("virtualbox", "Oracle", "VirtualBox", &["Oracle VM VirtualBox"], App("Oracle VM VirtualBox 7.0", 0, 1, None), (2021, 1), 60, a, true, 0.7, 372500, X64),
            wl!("zoom", "Zoom", "Zoom", &["Zoom Workplace"], App("Zoom Workplace", 5, 12, None), (2021, 1), 21, a, false, 0.5, 378000, X64),
            wl!("vlc", "VideoLAN", "VLC", &["VLC media player"], App("VLC media player 3.0", 12, 1, None), (2021, 1), 90, a, false, 0.6, 379000, X86_X64),
            wl!("7zip", "Igor Pavlov", "7-Zip", &["7-Zip"], App("7-Zip", 19, 2, None), (2021, 1), 120, a, false, 0.5, 379500, X86_X64),
            wl!("notepadpp", "Notepad++", "Notepad++", &["Notepad++"], App("Notepad++ 8", 1, 6, None), (2021, 1), 45, a, false, 0.3, 379800, X86_X64),
        ]
    }

    /// Release dates of a line from `from` to the anchor.
    fn release_dates(from: (i32, u8), every: i64, salt: &str) -> Vec<Date> {
        let end = anchor();
        let mut out = Vec::new();
        let mut month = day(from.0, from.1, 1);
        if every == 0 {
            while patch_tuesday(month) <= end {
                out.push(patch_tuesday(month));
                month = next_month(month);
            }
        } else {
            let mut d = month;
            let mut k = 0u64;
            while d <= end {
                out.push(d);
                let jitter = Rng::new(salt, k, 7).below(3) as i64;
                d = d.saturating_add(time::Duration::days(every + jitter - 1));
                k += 1;
            }
        }
        out
    }

    const SEVERITIES: &[(&str, f64)] = &[
        ("Critical", 0.22),
        ("Important", 0.45),
        ("Moderate", 0.2),
        ("Low", 0.13),
    ];

    fn severity(rng: &mut Rng) -> &'static str {
        let mut x = rng.below(1000) as f64 / 1000.0;
        for (s, w) in SEVERITIES {
            if x < *w {
                return s;
            }
            x -= w;
        }
        "Low"
    }

    fn cves(rng: &mut Rng, year: i32, max: u64) -> Vec<String> {
        let n = 1 + rng.below(max);
        let mut out: Vec<String> = (0..n)
            .map(|_| {
                let y = if rng.chance(0.15) { year - 1 } else { year };
                format!("CVE-{y}-{}", 20000 + rng.below(40000))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// One release, before its line links it to its neighbours.
    struct Made {
        line: usize,
        patch: Map<String, Value>,
    }

    fn base_patch(id: String, title: String, vendor: &str, platform: &str) -> Map<String, Value> {
        let mut m = Map::new();
        for k in PATCH_ATTRIBUTES {
            m.insert((*k).to_owned(), Value::Null);
        }
        m.insert("id".into(), json!(id));
        m.insert("title".into(), json!(title));
        m.insert("vendor".into(), json!(vendor));
        m.insert("platform".into(), json!(platform));
        m.insert("isRollback".into(), json!(false));
        m.insert("enabled".into(), json!(true));
        m.insert("isCustomizedDownloadUrl".into(), json!(false));
        m
    }

    fn windows(lines: &[WinLine], out: &mut Vec<Made>, line_offset: usize) {
        let start = day(2021, 1, 1);
        for (li, line) in lines.iter().enumerate() {
            let dates = release_dates(line.from, line.every, line.key);
            for (k, d) in dates.iter().enumerate() {
                let mut rng = Rng::new(line.key, k as u64, 1);
                let days = (*d - start).whole_days().max(0) as u64;
                let ym = format!("{}-{:02}", d.year(), d.month() as u8);
                let kb = format!("KB{}", 5_000_000 + days * 64 + li as u64);
                let security = rng.chance(line.security);
                let (title, kb, bulletin) = match line.kind {
                    Win::Cu(os) => (format!("{ym} Cumulative Update for {os} ({kb})"), Some(kb), None),
                    Win::DotNet(os) => (
                        format!("{ym} Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for {os} ({kb})"),
                        Some(kb),
                        None,
                    ),
                    Win::Office(app) => (format!("Security Update for {app} ({kb}) 64-Bit Edition"), Some(kb), None),
                    Win::Msrt => (
                        format!("Windows Malicious Software Removal Tool x64 - v5.{} (KB890830)", 85 + k),
                        Some("KB890830".to_owned()),
                        None,
                    ),
                    Win::Edge => (
                        format!("Microsoft Edge {}.0.{}.{}", 88 + k / 6, 700 + k * 9, 40 + rng.below(60)),
                        None,
                        None,
                    ),
                    Win::Sql(v) => (format!("Security Update for {v} CU{} ({kb})", k + 8), Some(kb), None),
                    Win::Exchange => (
                        format!("Security Update for Exchange Server 2019 CU{} ({kb})", 9 + k / 3),
                        Some(kb),
                        None,
                    ),
                    Win::App(name, major, per, bulletin) => {
                        let (maj, minor) = (major + k as u32 / per, k as u32 % per);
                        let version = match line.key {
                            "chrome" => format!("{maj}.0.{}.{}", 4324 + k * 11, 50 + rng.below(150)),
                            "java8" => format!("{}", major + k as u32 * 10),
                            "java17" | "java21" => format!("{}", major + k as u32),
                            "virtualbox" | "vlc" => format!("{}", major + k as u32),
                            _ => format!("{maj}.{minor}"),
                        };
                        let b = bulletin.map(|p| format!("{p}{}-{:02}", d.year(), 1 + k % 52));
                        (format!("{name} {version}"), None, b)
                    }
                };
                let sev = if security { severity(&mut rng) } else { "None" };
                let mut m = base_patch(rng.uuid(), title, line.vendor, "Windows");
                m.insert("vendorSeverity".into(), json!(sev));
                m.insert("kb".into(), json!(kb));
                m.insert("bulletin".into(), json!(bulletin));
                m.insert(
                    "category".into(),
                    json!(if security { "Security Patches" } else { "Non-Security Patches" }),
                );
                m.insert("isSecurity".into(), json!(security));
                m.insert("rebootRequired".into(), json!(line.reboot));
                m.insert("downloadMethod".into(), json!(line.download));
                m.insert("appFamily".into(), json!([line.family]));
                m.insert("product".into(), json!(line.products));
                m.insert("architecture".into(), json!(line.arch));
                let cve_list = if security { cves(&mut rng, d.year(), 8) } else { Vec::new() };
                let qids: Vec<String> = if security && line.qid_base > 0 {
                    let month_index = days / 30;
                    (0..1 + rng.below(2))
                        .map(|j| (line.qid_base + month_index * 3 + j).to_string())
                        .collect()
                } else {
                    Vec::new()
                };
                m.insert("cve".into(), json!(cve_list));
                m.insert("qid".into(), json!(qids));
                m.insert("packageDetails".into(), json!([]));
                m.insert(
                    "vendorlink".into(),
                    json!(match &kb {
                        Some(kb) if line.vendor == "Microsoft" =>
                            format!("https://support.microsoft.com/help/{}", &kb[2..]),
                        _ => format!("https://www.{}.com/security", line.vendor.to_lowercase().replace([' ', '+'], "")),
                    }),
                );
                let published = ms(*d) + 17 * 3_600_000;
                let modified = (published + rng.below(45) as i64 * DAY_MS).min(ms(anchor()) + DAY_MS - 1);
                m.insert("publishedDate".into(), json!(published));
                m.insert("modifiedDate".into(), json!(modified));
                out.push(Made {
                    line: line_offset + li,
                    patch: m,
                });
            }
        }
    }

    struct Distro {
        key: &'static str,
        vendor: &'static str,
        product: &'static str,
        style: &'static str,
        from: (i32, u8),
        qid_base: u64,
        pkg_suffix: &'static str,
    }

    const DISTROS: &[Distro] = &[
        Distro { key: "rhel8", vendor: "Red Hat", product: "Red Hat Enterprise Linux 8", style: "RH", from: (2021, 1), qid_base: 239000, pkg_suffix: "el8" },
        Distro { key: "rhel9", vendor: "Red Hat", product: "Red Hat Enterprise Linux 9", style: "RH", from: (2022, 5), qid_base: 241000, pkg_suffix: "el9" },
        Distro { key: "ubuntu2004", vendor: "Canonical", product: "Ubuntu 20.04 LTS", style: "USN", from: (2021, 1), qid_base: 198000, pkg_suffix: "0ubuntu0.20.04" },
        Distro { key: "ubuntu2204", vendor: "Canonical", product: "Ubuntu 22.04 LTS", style: "USN", from: (2022, 4), qid_base: 198000, pkg_suffix: "0ubuntu0.22.04" },
        Distro { key: "ubuntu2404", vendor: "Canonical", product: "Ubuntu 24.04 LTS", style: "USN", from: (2024, 4), qid_base: 198000, pkg_suffix: "0ubuntu0.24.04" },
        Distro { key: "debian11", vendor: "Debian", product: "Debian 11", style: "DSA", from: (2021, 8), qid_base: 178000, pkg_suffix: "deb11u" },
        Distro { key: "debian12", vendor: "Debian", product: "Debian 12", style: "DSA", from: (2023, 6), qid_base: 178000, pkg_suffix: "deb12u" },
        Distro { key: "sles15", vendor: "SUSE", product: "SUSE Linux Enterprise Server 15 SP5", style: "SUSE", from: (2023, 6), qid_base: 751000, pkg_suffix: "150500" },
        Distro { key: "ol8", vendor: "Oracle", product: "Oracle Linux 8", style: "ELSA", from: (2021, 1), qid_base: 159000, pkg_suffix: "el8" },
        Distro { key: "ol9", vendor: "Oracle", product: "Oracle Linux 9", style: "ELSA", from: (2022, 7), qid_base: 159000, pkg_suffix: "el9" },
        Distro { key: "amzn2", vendor: "Amazon", product: "Amazon Linux 2", style: "ALAS", from: (2021, 1), qid_base: 352000, pkg_suffix: "amzn2" },
    ];

    /// package, release every N days, max CVEs, reboot, subpackages
    const PACKAGES: &[(&str, i64, u64, bool, &[&str])] = &[
        ("kernel", 42, 20, true, &["kernel", "kernel-core", "kernel-modules"]),
        ("openssl", 150, 4, false, &["openssl", "openssl-libs"]),
        ("glibc", 240, 3, true, &["glibc", "glibc-common"]),
        ("openssh", 200, 3, false, &["openssh", "openssh-server", "openssh-clients"]),
        ("curl", 120, 5, false, &["curl", "libcurl"]),
        ("sudo", 300, 2, false, &["sudo"]),
        ("bind", 180, 4, false, &["bind", "bind-libs"]),
        ("httpd", 150, 5, false, &["httpd", "mod_ssl"]),
        ("nginx", 240, 3, false, &["nginx"]),
        ("postgresql", 150, 3, false, &["postgresql", "postgresql-server"]),
        ("mysql", 120, 12, false, &["mysql", "mysql-server"]),
        ("python3", 180, 4, false, &["python3", "python3-libs"]),
        ("java-17-openjdk", 91, 8, false, &["java-17-openjdk", "java-17-openjdk-headless"]),
        ("systemd", 270, 2, true, &["systemd", "systemd-libs"]),
        ("git", 200, 4, false, &["git", "git-core"]),
        ("vim", 150, 6, false, &["vim-enhanced", "vim-common"]),
        ("samba", 200, 5, false, &["samba", "samba-client-libs"]),
        ("krb5", 300, 2, false, &["krb5-libs"]),
        ("libxml2", 240, 3, false, &["libxml2"]),
        ("firefox", 42, 10, false, &["firefox"]),
    ];

    fn linux(out: &mut Vec<Made>, line_offset: usize) -> usize {
        let start = day(2021, 1, 1);
        let mut line = line_offset;
        for distro in DISTROS {
            for (pkg, every, max_cves, reboot, subs) in PACKAGES {
                let salt = format!("{}/{pkg}", distro.key);
                let dates = release_dates(distro.from, *every, &salt);
                for (k, d) in dates.iter().enumerate() {
                    let mut rng = Rng::new(&salt, k as u64, 2);
                    let days = (*d - start).whole_days().max(0) as u64;
                    let y = d.year();
                    let security = distro.style == "USN"
                        || distro.style == "DSA"
                        || distro.style == "ALAS"
                        || rng.chance(0.82);
                    let sev = if security { severity(&mut rng) } else { "None" };
                    let n = 1000 + rng.below(9000);
                    let (advisory, title) = match (distro.style, security) {
                        ("RH", true) => {
                            let a = format!("RHSA-{y}:{n}");
                            (a.clone(), format!("{a}: {pkg} security update ({sev})"))
                        }
                        ("RH", false) => {
                            let a = format!("RHBA-{y}:{n}");
                            (a.clone(), format!("{a}: {pkg} bug fix and enhancement update"))
                        }
                        ("USN", _) => {
                            let a = format!("USN-{}-1", 4700 + days * 2 / 3 + rng.below(3));
                            (a.clone(), format!("{a}: {pkg} vulnerabilities"))
                        }
                        ("DSA", _) => {
                            let a = format!("DSA-{}-1", 4830 + days / 2);
                            (a.clone(), format!("{a}: {pkg} - security update"))
                        }
                        ("SUSE", true) => {
                            let a = format!("SUSE-SU-{y}:{n}-1");
                            (a.clone(), format!("{a}: {}: Security update for {pkg}", sev.to_lowercase()))
                        }
                        ("SUSE", false) => {
                            let a = format!("SUSE-RU-{y}:{n}-1");
                            (a.clone(), format!("{a}: Recommended update for {pkg}"))
                        }
                        ("ELSA", true) => {
                            let a = format!("ELSA-{y}-{n}");
                            (a.clone(), format!("{a}: {pkg} security update ({})", sev.to_uppercase()))
                        }
                        ("ELSA", false) => {
                            let a = format!("ELBA-{y}-{n}");
                            (a.clone(), format!("{a}: {pkg} bug fix update"))
                        }
                        _ => {
                            let a = format!("ALAS2-{y}-{}", 1500 + days / 2);
                            (a.clone(), format!("{a}: {pkg} security update ({sev})"))
                        }
                    };
                    let version = format!("{}.{}.{}", 1 + rng.below(5), rng.below(20), k);
                    let arch = "x86_64";
                    let mut m = base_patch(rng.uuid(), title, distro.vendor, "Linux");
                    m.insert("vendorSeverity".into(), json!(sev));
                    m.insert("advisory".into(), json!(advisory));
                    m.insert(
                        "category".into(),
                        json!(if security { "Security Patches" } else { "Non-Security Patches" }),
                    );
                    m.insert("isSecurity".into(), json!(security));
                    // Linux patches report isSuperseded as null (sync tool comment).
                    m.insert("isSuperseded".into(), Value::Null);
                    m.insert("rebootRequired".into(), json!(reboot));
                    m.insert("downloadMethod".into(), json!("Automatic"));
                    m.insert("appFamily".into(), json!([pkg]));
                    m.insert("product".into(), json!([distro.product]));
                    m.insert("architecture".into(), json!([arch]));
                    let cve_list = if security { cves(&mut rng, y, *max_cves) } else { Vec::new() };
                    let qids: Vec<String> = if security {
                        vec![(distro.qid_base + days + rng.below(7)).to_string()]
                    } else {
                        Vec::new()
                    };
                    m.insert("cve".into(), json!(cve_list));
                    m.insert("qid".into(), json!(qids));
                    m.insert("supersedes".into(), json!([]));
                    m.insert("supersededBy".into(), json!([]));
                    m.insert(
                        "packageDetails".into(),
                        Value::Array(
                            subs.iter()
                                .map(|s| {
                                    json!({"packageName": format!("{s}-{version}-{}.{}", k + 1, distro.pkg_suffix), "architecture": arch})
                                })
                                .collect(),
                        ),
                    );
                    m.insert(
                        "vendorlink".into(),
                        json!(format!("https://security.example/{}/{}", distro.key, advisory)),
                    );
                    let published = ms(*d) + (8 + rng.below(10) as i64) * 3_600_000;
                    let modified = (published + rng.below(20) as i64 * DAY_MS).min(ms(anchor()) + DAY_MS - 1);
                    m.insert("publishedDate".into(), json!(published));
                    m.insert("modifiedDate".into(), json!(modified));
                    out.push(Made { line, patch: m });
                }
                line += 1;
            }
        }
        line
    }

    struct Tag {
        name: &'static str,
        id: String,
    }

    const TAG_NAMES: &[&str] = &[
        "Cloud Agent",
        "Windows",
        "Linux",
        "Production",
        "Staging",
        "Development",
        "Web Servers",
        "Database Servers",
        "Application Servers",
        "Kubernetes",
        "Domain Controllers",
        "Mail Servers",
        "File Servers",
        "Build Servers",
        "Workstations",
        "PCI",
        "DMZ",
        "EU",
        "US",
    ];

    /// name prefix, count, role tag, role, [(os, platform, line keys)] chosen per asset
    struct Group {
        prefix: &'static str,
        count: usize,
        width: usize,
        role_tag: &'static str,
        /// (operating system, platform key: a Windows line key or a distro key)
        systems: &'static [(&'static str, &'static str)],
        /// extra Windows line keys or Linux packages this role runs
        extra: &'static [&'static str],
    }

    const LINUX_BASE: &[&str] = &["kernel", "openssl", "glibc", "openssh", "curl", "sudo", "systemd", "python3", "krb5", "libxml2", "vim"];
    const WIN_SERVER_APPS: &[&str] = &["edge", "msrt", "7zip", "notepadpp", "java17"];
    const WIN_DESKTOP_APPS: &[&str] = &["edge", "msrt", "chrome", "firefox", "reader", "zoom", "7zip", "vlc", "excel", "word", "outlook", "office", "java8"];

    const GROUPS: &[Group] = &[
        Group { prefix: "web", count: 36, width: 2, role_tag: "Web Servers", systems: &[("Red Hat Enterprise Linux 9.4", "rhel9"), ("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("Ubuntu 24.04.1 LTS", "ubuntu2404")], extra: &["httpd", "nginx", "bind"] },
        Group { prefix: "web-iis", count: 12, width: 2, role_tag: "Web Servers", systems: &[("Windows Server 2022 Datacenter 21H2", "ws2022"), ("Windows Server 2019 Standard 1809", "ws2019")], extra: &["net-ws2022", "net-ws2019"] },
        Group { prefix: "db", count: 24, width: 2, role_tag: "Database Servers", systems: &[("Red Hat Enterprise Linux 8.10", "rhel8"), ("Oracle Linux 9.4", "ol9"), ("Oracle Linux 8.10", "ol8")], extra: &["postgresql", "mysql"] },
        Group { prefix: "db-mssql", count: 6, width: 2, role_tag: "Database Servers", systems: &[("Windows Server 2019 Datacenter 1809", "ws2019"), ("Windows Server 2022 Standard 21H2", "ws2022")], extra: &["sql2019", "sql2022", "net-ws2019", "net-ws2022"] },
        Group { prefix: "app", count: 40, width: 2, role_tag: "Application Servers", systems: &[("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("Debian GNU/Linux 12 (bookworm)", "debian12"), ("Debian GNU/Linux 11 (bullseye)", "debian11"), ("Ubuntu 20.04.6 LTS", "ubuntu2004")], extra: &["java-17-openjdk", "git"] },
        Group { prefix: "cache", count: 12, width: 2, role_tag: "Application Servers", systems: &[("Debian GNU/Linux 12 (bookworm)", "debian12"), ("Ubuntu 22.04.4 LTS", "ubuntu2204")], extra: &[] },
        Group { prefix: "k8s-node", count: 30, width: 2, role_tag: "Kubernetes", systems: &[("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("Ubuntu 24.04.1 LTS", "ubuntu2404"), ("Amazon Linux 2", "amzn2")], extra: &[] },
        Group { prefix: "build", count: 10, width: 2, role_tag: "Build Servers", systems: &[("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("SUSE Linux Enterprise Server 15 SP5", "sles15")], extra: &["git", "java-17-openjdk", "samba"] },
        Group { prefix: "jump", count: 4, width: 2, role_tag: "DMZ", systems: &[("Red Hat Enterprise Linux 9.4", "rhel9")], extra: &[] },
        Group { prefix: "mail", count: 4, width: 2, role_tag: "Mail Servers", systems: &[("Windows Server 2019 Standard 1809", "ws2019")], extra: &["exchange", "net-ws2019"] },
        Group { prefix: "dc", count: 6, width: 2, role_tag: "Domain Controllers", systems: &[("Windows Server 2022 Standard 21H2", "ws2022"), ("Windows Server 2025 Standard 24H2", "ws2025")], extra: &["net-ws2022"] },
        Group { prefix: "file", count: 8, width: 2, role_tag: "File Servers", systems: &[("Windows Server 2016 Standard 1607", "ws2016"), ("Windows Server 2019 Standard 1809", "ws2019")], extra: &["net-ws2019"] },
        Group { prefix: "ws", count: 108, width: 4, role_tag: "Workstations", systems: &[("Windows 11 Enterprise 23H2", "win11-23h2"), ("Windows 11 Enterprise 24H2", "win11-24h2"), ("Windows 10 Enterprise 22H2", "win10-22h2"), ("Windows 11 Pro 22H2", "win11-22h2")], extra: &["net-win11", "net-win10"] },
    ];

    pub fn catalog() -> (Vec<Value>, Vec<Value>) {
        let win = windows_lines();
        let mut made = Vec::new();
        windows(&win, &mut made, 0);
        let lines_total = linux(&mut made, win.len());
        // Line index -> the releases of that line, in order.
        let mut by_line: Vec<Vec<usize>> = vec![Vec::new(); lines_total];
        for (i, m) in made.iter().enumerate() {
            by_line[m.line].push(i);
        }
        // Windows supersedence: each release supersedes the previous one of its line.
        for releases in by_line.iter().take(win.len()) {
            for (k, &i) in releases.iter().enumerate() {
                let prev = k.checked_sub(1).map(|p| made[releases[p]].patch["id"].clone());
                let next = releases.get(k + 1).map(|&n| made[n].patch["id"].clone());
                let p = &mut made[i].patch;
                p.insert("isSuperseded".into(), json!(next.is_some()));
                p.insert("supersedes".into(), Value::Array(prev.into_iter().collect()));
                p.insert("supersededBy".into(), Value::Array(next.into_iter().collect()));
            }
        }
        let line_of = |key: &str| -> Option<usize> {
            if let Some(i) = win.iter().position(|l| l.key == key) {
                return Some(i);
            }
            let (distro, pkg) = key.split_once('/')?;
            let d = DISTROS.iter().position(|x| x.key == distro)?;
            let p = PACKAGES.iter().position(|x| x.0 == pkg)?;
            Some(win.len() + d * PACKAGES.len() + p)
        };
        let tags: Vec<Tag> = TAG_NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| Tag {
                name,
                id: Rng::new("tag", i as u64, 0).uuid(),
            })
            .collect();
        let tag = |name: &str| -> Value {
            let t = tags.iter().find(|t| t.name == name).unwrap_or(&tags[0]);
            json!({"id": t.id, "name": t.name})
        };
        let anchor_ms = ms(anchor());
        let mut assets = Vec::new();
        for group in GROUPS {
            for n in 1..=group.count {
                let name = format!("{}-{:0width$}", group.prefix, n, width = group.width);
                let mut rng = Rng::new("asset", assets.len() as u64, 3);
                let (os, system) = *rng.pick(group.systems);
                let is_windows = win.iter().any(|l| l.key == system);
                let platform = if is_windows { "Windows" } else { "Linux" };
                let mut keys: Vec<String> = vec![system.to_owned()];
                if is_windows {
                    let apps = if group.prefix == "ws" { WIN_DESKTOP_APPS } else { WIN_SERVER_APPS };
                    keys.extend(apps.iter().map(|s| s.to_string()));
                    // .NET and server products: only those for this OS family
                    keys.extend(group.extra.iter().filter(|e| {
                        let matches_os = match system {
                            "ws2019" | "ws2016" => e.ends_with("2019") || **e == "exchange",
                            "ws2022" | "ws2025" => e.ends_with("2022"),
                            s if s.starts_with("win11") => **e == "net-win11",
                            _ => **e == "net-win10",
                        };
                        matches_os
                    }).map(|s| s.to_string()));
                } else {
                    keys = LINUX_BASE
                        .iter()
                        .chain(group.extra.iter())
                        .map(|p| format!("{system}/{p}"))
                        .collect();
                }
                let mut missing = Vec::new();
                let mut installed = Vec::new();
                for key in &keys {
                    let Some(li) = line_of(key) else { continue };
                    let releases = &by_line[li];
                    let Some(last) = releases.len().checked_sub(1) else { continue };
                    let behind = if rng.chance(0.35) { 0 } else { 1 + rng.below(4) as usize };
                    let k = last.saturating_sub(behind);
                    installed.push(json!({"id": made[releases[k]].patch["id"].clone()}));
                    for &r in &releases[k + 1..] {
                        missing.push(json!({"id": made[r].patch["id"].clone()}));
                    }
                }
                let mut asset_tags = vec![tag("Cloud Agent"), tag(platform), tag(group.role_tag)];
                if group.prefix != "ws" {
                    let env = match rng.below(20) {
                        0..=11 => "Production",
                        12..=16 => "Staging",
                        _ => "Development",
                    };
                    asset_tags.push(tag(env));
                    if (group.prefix == "db" || group.prefix == "web") && rng.chance(0.4) {
                        asset_tags.push(tag("PCI"));
                    }
                    if group.prefix.starts_with("web") && rng.chance(0.5) {
                        asset_tags.push(tag("DMZ"));
                    }
                }
                asset_tags.push(tag(if rng.chance(0.55) { "US" } else { "EU" }));
                let stale = rng.chance(0.08);
                let scanned = anchor_ms + 9 * 3_600_000
                    - if stale {
                        (10 + rng.below(50) as i64) * DAY_MS
                    } else {
                        rng.below(72) as i64 * 3_600_000
                    };
                let (model, maker) = *rng.pick(&[
                    ("VMware7,1", "VMware, Inc."),
                    ("VMware20,1", "VMware, Inc."),
                    ("PowerEdge R650", "Dell Inc."),
                    ("ProLiant DL380 Gen10", "HPE"),
                    ("Virtual Machine", "Microsoft Corporation"),
                    ("HVM domU", "Xen"),
                ]);
                let (model, maker) = if group.prefix == "ws" {
                    *rng.pick(&[("Latitude 7440", "Dell Inc."), ("ThinkPad T14 Gen 4", "LENOVO"), ("EliteBook 840 G10", "HP")])
                } else {
                    (model, maker)
                };
                let ip = format!("10.{}.{}.{}", 10 + rng.below(20), rng.below(250), 10 + rng.below(240));
                let mac = (0..6).map(|i| if i == 0 { "00".to_owned() } else { format!("{:02x}", rng.below(256)) }).collect::<Vec<_>>().join(":");
                let status = if stale { "Failed" } else { "Active" };
                assets.push(json!({
                    "id": rng.uuid(),
                    "name": name,
                    "operatingSystem": os,
                    "platform": platform,
                    "architecture": if is_windows { "X64" } else { "x86_64" },
                    "lastLoggedOnUser": if is_windows { format!("CORP\\{}", ["alice", "bob", "carol", "dave", "erin", "svc-patch"][rng.below(6) as usize]) } else { "root".to_owned() },
                    "assetStatus": status,
                    "scanStatus": "Scanned",
                    "scanDateTime": scanned,
                    "statusDateTime": scanned + rng.below(3_600_000) as i64,
                    "hardware": {"model": model, "manufacturer": maker},
                    "tags": asset_tags,
                    "interfaces": [{
                        "interfaceName": if is_windows { "Ethernet0" } else { "ens192" },
                        "macAddress": mac,
                        "ipv6Address": null,
                        "address": ip,
                        "gatewayAddress": null,
                    }],
                    "activatedModules": ["VM", "PM"],
                    "installedPatchCount": 0,
                    "missingPatchCount": 0,
                    "nonSupersededMissingPatchCount": 0,
                    "installedPatches": installed,
                    "missingPatches": missing,
                }));
            }
        }
        let patches = made.into_iter().map(|m| Value::Object(m.patch)).collect();
        (patches, assets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let span = page(&sorted, 10, after.as_ref()).unwrap();
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
        let first = page(&keys, 10, None).unwrap();
        assert_eq!(first, Span { start: 0, end: 10, more: true });
        let second = page(&keys, 10, Some(&9)).unwrap();
        assert_eq!(second, Span { start: 10, end: 20, more: true });
        let third = page(&keys, 10, Some(&19)).unwrap();
        assert_eq!(third, Span { start: 20, end: 20, more: false });
        let short = page(&keys, 15, Some(&9)).unwrap();
        assert_eq!(short, Span { start: 10, end: 20, more: false });
        assert_eq!(page::<u32>(&[], 10, None).unwrap(), Span { start: 0, end: 0, more: false });
    }

    #[test]
    fn paging_stops_at_the_cap() {
        let keys: Vec<u32> = (0..10_500).collect();
        // A page across the 10,000th record stops there, with a cursor.
        let span = page(&keys, 1000, Some(&8_999)).unwrap();
        assert_eq!(span, Span { start: 9_000, end: 10_000, more: true });
        let span = page(&keys, 300, Some(&9_899)).unwrap();
        assert_eq!(span, Span { start: 9_900, end: 10_000, more: true });
        assert_eq!(page(&keys, 1000, Some(&9_999)), Err(PagingError::Cap));
        // Exactly 10,000 records: the last page is full, the next empty, no error.
        let keys: Vec<u32> = (0..10_000).collect();
        assert!(page(&keys, 1000, Some(&8_999)).unwrap().more);
        assert_eq!(
            page(&keys, 1000, Some(&9_999)).unwrap(),
            Span { start: 10_000, end: 10_000, more: false }
        );
    }

    #[test]
    fn cursors_are_opaque_and_checked() {
        let k = Key::Name("web, 01 é".into(), "abc".into());
        let c = k.cursor();
        assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{c}");
        assert_eq!(Key::from_cursor(&c), Some(k));
        assert_eq!(Key::from_cursor("not a cursor"), None);
        assert_eq!(Key::from_cursor(""), None);
    }

    #[test]
    fn builtin_catalog_is_deterministic_and_plausible() {
        let a = Catalog::builtin();
        let b = Catalog::builtin();
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
            ("Windows", "vendorSeverity:`Critical` and isSuperseded:false"),
            ("Windows", "patchStatus:[Missing,Installed] and isSuperseded:false"),
            ("Windows", "downloadMethod:AcquireFromVendor"),
            ("Windows", "missingCount>0"),
            ("Linux", "vendor:`Red Hat` and cve:CVE-2024-*"),
        ] {
            let hits = a.search_patches(platform, &parse(q, PATCH_FIELDS), &none);
            assert!(!hits.is_empty(), "{q} found nothing");
        }
        // Windows patches of one line chain by supersedence; Linux reports null.
        let all = a.to_json();
        let patches = all["patches"].as_array().unwrap();
        let by_id: HashMap<&str, &Value> = patches.iter().map(|p| (p["id"].as_str().unwrap(), p)).collect();
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
    fn having_queries_cross_patches_and_assets() {
        let c = Catalog::builtin();
        let none = Query::parse("", PATCH_FIELDS, 0).unwrap();
        let web = parse("name:web-*", ASSET_FIELDS);
        let on_web = c.search_patches("Linux", &none, &web);
        let all_linux = c.search_patches("Linux", &none, &none);
        assert!(!on_web.is_empty() && on_web.len() < all_linux.len());
        // Assets missing a critical patch.
        let no_asset_filter = Query::parse("", ASSET_FIELDS, 0).unwrap();
        let critical_missing = parse("patchStatus:Missing and vendorSeverity:Critical", PATCH_FIELDS);
        let hits = c.search_assets(None, &no_asset_filter, &critical_missing);
        assert!(!hits.is_empty());
        for i in hits {
            let a = c.render_asset(i, None);
            assert!(a["missingPatchCount"].as_u64().unwrap() > 0);
        }
    }

    #[test]
    fn attributes_and_tags_rendering() {
        let c = Catalog::builtin();
        let attrs = vec!["id".to_owned(), "title".to_owned()];
        let p = c.render_patch(0, Some(&attrs));
        assert_eq!(p.as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "title"]);
        let a = c.render_asset(0, None);
        for t in a["tags"].as_array().unwrap() {
            assert_eq!(t.as_object().unwrap().keys().collect::<Vec<_>>(), ["id"]);
        }
        // tags.name still works in QQL
        let none = Query::parse("", PATCH_FIELDS, 0).unwrap();
        let prod = c.search_assets(None, &parse("tags.name:Production", ASSET_FIELDS), &none);
        assert!(!prod.is_empty());
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
        assert_eq!(ok.render_asset(0, None)["installedPatchCount"], 1);
    }
}
