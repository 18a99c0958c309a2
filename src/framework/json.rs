//! Terraform values <-> API JSON, driven by the attribute declarations (`field.rs`).
//!
//! - `to_create_json`: the body of a create (known, non-computed values only);
//! - `overlay`: the body of an update: the job as last read, overlaid with the plan (action
//!   IDs and unchanged script storage references kept);
//! - `read_object`: server JSON -> Terraform value, keeping the prior value's spelling where
//!   the server's value is semantically equal (no perpetual diffs);
//! - `keep_planned`: the state after apply: every known planned value, unknowns from the server.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value as Json};

use qualys_pm::model::{is_script_reference, lenient, parse_start_date_time};
use qualys_pm::JobStatus;
use tfplugin::{Mode, Number, Value};

use super::field::{Check, Field, Kind, WEEKDAYS};

static JSON_NULL: Json = Json::Null;

/// The JSON at `path` below `obj`; null when any step is missing.
pub(crate) fn get_path<'a>(obj: &'a Json, path: &[&str]) -> &'a Json {
    let mut cur = obj;
    for step in path {
        match cur.get(step) {
            Some(next) => cur = next,
            None => return &JSON_NULL,
        }
    }
    cur
}

/// Sets `path` below `obj`, creating (or replacing non-object) intermediate objects.
fn set_path(obj: &mut Map<String, Json>, path: &[&str], value: Json) {
    match path {
        [] => {}
        [last] => {
            obj.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let entry = obj
                .entry((*first).to_owned())
                .or_insert_with(|| Json::Object(Map::new()));
            if !entry.is_object() {
                *entry = Json::Object(Map::new());
            }
            if let Json::Object(m) = entry {
                set_path(m, rest, value);
            }
        }
    }
}

/// The server's spelling of a start time the configuration may write with an unpadded hour:
/// the date as written, the clock padded (`9:05:00 pm` -> `09:05:00 PM`), as the API documents
/// `hh:mm:ss`. The configured text itself stays in the plan and state.
fn start_date_time_for_api(s: &str) -> String {
    match (parse_start_date_time(s), s.split_whitespace().next()) {
        (Some(t), Some(date)) => {
            let h12 = match t.hour() % 12 {
                0 => 12,
                h => h,
            };
            let am_pm = if t.hour() < 12 { "AM" } else { "PM" };
            format!(
                "{date} {h12:02}:{:02}:{:02} {am_pm}",
                t.minute(),
                t.second()
            )
        }
        _ => s.to_owned(),
    }
}

fn number_to_json(n: &Number) -> Option<Json> {
    match n {
        Number::Int(i) => Some(Json::from(*i)),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Json::from(*f as i64)),
        Number::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number),
        Number::Decimal(s) => s.parse::<i64>().ok().map(Json::from).or_else(|| {
            s.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number)
        }),
    }
}

// Loose API values (numbers and booleans as strings, `""`) are read by the client's decoders,
// the same ones its model decodes with; a value they refuse reads as null.

fn json_to_number(j: &Json) -> Value {
    match lenient::value_to_i64(j) {
        Ok(Some(i)) => Value::int(i),
        Ok(None) => Value::Null,
        // not an integer: a fraction is kept as one
        Err(_) => j
            .as_f64()
            .or_else(|| j.as_str().and_then(|s| s.trim().parse::<f64>().ok()))
            .filter(|f| f.is_finite())
            .map(|f| Value::Number(Number::Float(f)))
            .unwrap_or(Value::Null),
    }
}

fn json_to_string(j: &Json) -> Value {
    lenient::value_to_string(j)
        .ok()
        .flatten()
        .map_or(Value::Null, Value::String)
}

fn json_to_bool(j: &Json) -> Value {
    lenient::value_to_bool(j)
        .ok()
        .flatten()
        .map_or(Value::Null, Value::Bool)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_elements()
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect()
}

/// Encodes a known scalar value of `f` as API JSON.
fn encode(f: &Field, v: &Value) -> Option<Json> {
    match f.kind {
        Kind::String | Kind::DesiredStatus => v.as_str().map(Json::from),
        Kind::DateTime => v.as_str().map(|s| Json::from(start_date_time_for_api(s))),
        Kind::Number => match v {
            Value::Number(n) => number_to_json(n),
            _ => None,
        },
        Kind::Bool => v.as_bool().map(Json::Bool),
        Kind::StringSet => Some(Json::Array(
            strings(v).into_iter().map(Json::String).collect(),
        )),
        Kind::CommaList => Some(Json::String(strings(v).join(","))),
        Kind::Base64 { storage_refs } => v.as_str().map(|s| {
            if s.is_empty() || (storage_refs && is_script_reference(s)) {
                Json::String(s.to_owned())
            } else {
                Json::String(base64::engine::general_purpose::STANDARD.encode(s.as_bytes()))
            }
        }),
        Kind::WeekDays => {
            let names = strings(v);
            let flags: Vec<&str> = WEEKDAYS
                .iter()
                .map(|d| {
                    if names.iter().any(|n| n == d) {
                        "1"
                    } else {
                        "0"
                    }
                })
                .collect();
            Some(Json::String(flags.join(",")))
        }
        Kind::EpochMs | Kind::Object(_) | Kind::FlaggedObject { .. } | Kind::List(_) => None,
    }
}

/// Decodes API JSON into a scalar value of `f` (lenient: numbers and booleans may be strings).
fn decode(f: &Field, j: &Json) -> Value {
    match f.kind {
        Kind::String | Kind::DateTime | Kind::DesiredStatus => json_to_string(j),
        Kind::Number => json_to_number(j),
        Kind::Bool => json_to_bool(j),
        Kind::StringSet => match j {
            Json::Array(a) => Value::Set(
                a.iter()
                    .map(json_to_string)
                    .filter(|v| !v.is_null())
                    .collect(),
            ),
            Json::String(s) if s.trim().is_empty() => Value::Set(Vec::new()),
            _ => Value::Null,
        },
        Kind::CommaList => match j {
            Json::String(s) => Value::List(
                s.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(Value::from)
                    .collect(),
            ),
            Json::Array(a) => Value::List(
                a.iter()
                    .map(json_to_string)
                    .filter(|v| !v.is_null())
                    .collect(),
            ),
            _ => Value::Null,
        },
        Kind::Base64 { storage_refs } => match j {
            Json::String(s) if s.is_empty() || (storage_refs && is_script_reference(s)) => {
                Value::String(s.clone())
            }
            Json::String(s) => {
                let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                match base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                {
                    Some(text) => Value::String(text),
                    // not base64 text: keep what the server holds, so it is visible
                    None => Value::String(s.clone()),
                }
            }
            _ => Value::Null,
        },
        Kind::WeekDays => match j {
            Json::String(s) => {
                let flags: Vec<&str> = s.split(',').map(str::trim).collect();
                Value::Set(
                    WEEKDAYS
                        .iter()
                        .zip(flags.iter())
                        .filter(|(_, f)| **f == "1")
                        .map(|(d, _)| Value::from(*d))
                        .collect(),
                )
            }
            _ => Value::Null,
        },
        Kind::EpochMs => match json_to_number(j).as_i64() {
            Some(ms) => time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .map(Value::String)
                .unwrap_or(Value::Null),
            None => Value::Null,
        },
        Kind::Object(_) | Kind::FlaggedObject { .. } | Kind::List(_) => Value::Null,
    }
}

/// The value the server uses for "not set" of an attribute: equal to null.
fn is_zero(f: &Field, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Set(e) | Value::List(e) => e.is_empty(),
        Value::Number(n) => f.zero_number.is_some() && n.as_i64() == f.zero_number,
        Value::Object(m) => match f.children() {
            Some(children) => children
                .iter()
                .all(|c| is_zero(c, m.get(c.name).unwrap_or(&Value::Null))),
            None => false,
        },
        _ => false,
    }
}

/// Whether two known values of `f` mean the same to the API.
pub(crate) fn semantically_equal(f: &Field, a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    if a.is_unknown() || b.is_unknown() {
        return false;
    }
    if !f.is_computed() && is_zero(f, a) && is_zero(f, b) {
        return true;
    }
    if matches!(f.check, Check::QualysId) {
        // the API may echo an ID in another case than it was written
        return lowered_ids(a) == lowered_ids(b);
    }
    match f.kind {
        Kind::DateTime => match (
            a.as_str().and_then(parse_start_date_time),
            b.as_str().and_then(parse_start_date_time),
        ) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        Kind::CommaList => strings(a) == strings(b),
        Kind::Object(children)
        | Kind::FlaggedObject {
            fields: children, ..
        } => match (a, b) {
            (Value::Object(x), Value::Object(y)) => children.iter().all(|c| {
                semantically_equal(
                    c,
                    x.get(c.name).unwrap_or(&Value::Null),
                    y.get(c.name).unwrap_or(&Value::Null),
                )
            }),
            _ => false,
        },
        Kind::List(children) => match (a.as_elements(), b.as_elements()) {
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter().zip(y).all(|(p, q)| {
                        children
                            .iter()
                            .all(|c| semantically_equal(c, p.get(c.name), q.get(c.name)))
                    })
            }
            _ => false,
        },
        _ => false,
    }
}

/// An ID, or a set of IDs, in lower case; None for anything else.
fn lowered_ids(v: &Value) -> Option<std::collections::BTreeSet<String>> {
    match v {
        Value::String(s) => Some([s.to_ascii_lowercase()].into()),
        Value::Set(e) => e
            .iter()
            .map(|x| x.as_str().map(str::to_ascii_lowercase))
            .collect(),
        _ => None,
    }
}

/// The JSON body of a create: every known, non-computed-only value; nulls are left out.
pub(crate) fn to_create_json(fields: &[Field], v: &Value) -> Json {
    let mut out = Map::new();
    for f in fields.iter().filter(|f| !f.is_computed_only()) {
        let x = v.get(f.name);
        if !x.is_known_value() {
            continue;
        }
        match f.kind {
            Kind::Object(children) => set_path(&mut out, f.api, to_create_json(children, x)),
            Kind::FlaggedObject {
                flag,
                fields: children,
            } => {
                out.insert(flag.to_owned(), Json::Bool(true));
                set_path(&mut out, f.api, to_create_json(children, x));
            }
            Kind::List(children) => {
                let items = x
                    .as_elements()
                    .unwrap_or(&[])
                    .iter()
                    .map(|e| to_create_json(children, e))
                    .collect();
                set_path(&mut out, f.api, Json::Array(items));
            }
            _ => {
                if let Some(j) = encode(f, x) {
                    set_path(&mut out, f.api, j);
                }
            }
        }
    }
    Json::Object(out)
}

fn is_zero_json(j: &Json) -> bool {
    match j {
        Json::Null | Json::Bool(false) => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The key field of list elements (e.g. `action_id`), used to pair elements across updates.
fn key_field(children: &[Field]) -> Option<&Field> {
    children
        .iter()
        .find(|c| c.is_computed_only() && matches!(c.kind, Kind::String))
}

/// Finds the element of `items` (Terraform values) whose key equals `key`.
fn find_by_key<'a>(items: &'a [Value], key_name: &str, key: &Value) -> Option<&'a Value> {
    if !key.is_known_value() {
        return None;
    }
    items.iter().find(|e| e.get(key_name) == key)
}

fn find_json_by_key<'a>(items: &'a [Json], key: &Field, value: &Value) -> Option<&'a Json> {
    let want = value.as_str()?;
    items
        .iter()
        .find(|e| get_path(e, key.api).as_str() == Some(want))
}

/// The JSON body of an update: `base` (the job as last read) overlaid with `planned`.
/// `prior` is the state the plan was made from: a script whose text is unchanged is sent
/// back as the storage reference `base` holds.
pub(crate) fn overlay(fields: &[Field], planned: &Value, prior: &Value, base: &Json) -> Json {
    let mut out = match base {
        Json::Object(m) => m.clone(),
        _ => Map::new(),
    };
    for f in fields.iter().filter(|f| !f.is_computed_only()) {
        let x = planned.get(f.name);
        if x.is_unknown() {
            continue;
        }
        let prior_at = prior.get(f.name);
        let base_at = get_path(base, f.api);
        let j = match f.kind {
            Kind::Object(children) => overlay_object(children, x, prior_at, base_at),
            Kind::FlaggedObject {
                flag,
                fields: children,
            } => {
                out.insert(flag.to_owned(), Json::Bool(!x.is_null()));
                overlay_object(children, x, prior_at, base_at)
            }
            Kind::List(children) => overlay_list(children, x, prior_at, base_at),
            Kind::Base64 { storage_refs: true } => overlay_script(f, x, prior_at, base_at),
            _ => overlay_scalar(f, x, base_at),
        };
        set_path(&mut out, f.api, j);
    }
    Json::Object(out)
}

/// A nested object: null when planned null, else its own overlay.
fn overlay_object(children: &[Field], x: &Value, prior: &Value, base_at: &Json) -> Json {
    if x.is_null() {
        Json::Null
    } else {
        overlay(children, x, prior, base_at)
    }
}

/// A list of objects: each planned element overlays the base and prior elements it pairs
/// with (by the element's server key, e.g. `action_id`, else by position).
fn overlay_list(children: &[Field], x: &Value, prior: &Value, base_at: &Json) -> Json {
    let Some(items) = x.as_elements() else {
        return Json::Null;
    };
    let base_items = base_at.as_array().map(Vec::as_slice).unwrap_or(&[]);
    let prior_items = prior.as_elements().unwrap_or(&[]);
    let key = key_field(children);
    let overlaid = items.iter().enumerate().map(|(i, item)| {
        let (base_item, prior_item) = match key {
            Some(k) => (
                find_json_by_key(base_items, k, item.get(k.name)).unwrap_or(&JSON_NULL),
                find_by_key(prior_items, k.name, item.get(k.name)).unwrap_or(&Value::Null),
            ),
            None => (
                base_items.get(i).unwrap_or(&JSON_NULL),
                prior_items.get(i).unwrap_or(&Value::Null),
            ),
        };
        overlay(children, item, prior_item, base_item)
    });
    Json::Array(overlaid.collect())
}

/// A script: unchanged text is sent back as the storage reference the server holds.
fn overlay_script(f: &Field, x: &Value, prior: &Value, base_at: &Json) -> Json {
    let unchanged_text = x.is_known_value() && x == prior;
    match base_at {
        Json::String(r) if unchanged_text && is_script_reference(r) => base_at.clone(),
        // the server-provided script of default_script_type stands for "empty"
        Json::String(r) if is_zero(f, x) && r.starts_with("default/") => base_at.clone(),
        _ if x.is_null() && is_zero_json(base_at) => base_at.clone(),
        _ if x.is_null() => Json::Null,
        _ => encode(f, x).unwrap_or(Json::Null),
    }
}

fn overlay_scalar(f: &Field, x: &Value, base_at: &Json) -> Json {
    match x {
        // null and the server's own "not set" spelling mean the same: keep it
        Value::Null if is_zero_json(base_at) => base_at.clone(),
        Value::Null => Json::Null,
        _ => encode(f, x).unwrap_or(Json::Null),
    }
}

/// Reads the server's JSON object into a Terraform object of `fields`. Where the server's
/// value means the same as `prior`'s, `prior` is kept. `base` is the job as last read (the
/// private state): a script whose storage reference is unchanged keeps the prior text.
pub(crate) fn read_object(
    fields: &[Field],
    server: &Json,
    prior: &Value,
    base: Option<&Json>,
) -> Value {
    let mut m = BTreeMap::new();
    for f in fields {
        m.insert(
            f.name.to_owned(),
            read_field(f, server, prior.get(f.name), base),
        );
    }
    Value::Object(m)
}

fn read_field(f: &Field, server: &Json, prior: &Value, base: Option<&Json>) -> Value {
    let raw = get_path(server, f.api);
    let base_at = base.map(|b| get_path(b, f.api));
    match f.kind {
        Kind::Object(children) => {
            let v = match raw {
                Json::Object(_) => read_object(children, raw, prior, base_at),
                _ => Value::Null,
            };
            reconcile_nested(f, prior, v)
        }
        Kind::FlaggedObject {
            flag,
            fields: children,
        } => {
            let enabled = json_to_bool(get_path(server, &[flag]));
            let v = match raw {
                Json::Object(_) if enabled != Value::Bool(false) => {
                    read_object(children, raw, prior, base_at)
                }
                _ => Value::Null,
            };
            reconcile_nested(f, prior, v)
        }
        Kind::List(children) => {
            let v = match raw {
                Json::Array(items) => {
                    let prior_items = prior.as_elements().unwrap_or(&[]);
                    let base_items = base_at
                        .and_then(Json::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or(&[]);
                    let key = key_field(children);
                    Value::List(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                let (p, b) = match key {
                                    Some(k) => {
                                        let id = decode(k, get_path(item, k.api));
                                        let p = find_by_key(prior_items, k.name, &id)
                                            // a prior element without a known key (just planned) pairs by position
                                            .or_else(|| {
                                                prior_items
                                                    .get(i)
                                                    .filter(|e| !e.get(k.name).is_known_value())
                                            })
                                            .unwrap_or(&Value::Null);
                                        (p, find_json_by_key(base_items, k, &id))
                                    }
                                    None => (
                                        prior_items.get(i).unwrap_or(&Value::Null),
                                        base_items.get(i),
                                    ),
                                };
                                read_object(children, item, p, b)
                            })
                            .collect(),
                    )
                }
                _ => Value::Null,
            };
            reconcile_nested(f, prior, v)
        }
        _ => reconcile_scalar(f, prior, decode(f, raw), raw, base_at),
    }
}

fn reconcile_nested(f: &Field, prior: &Value, server: Value) -> Value {
    if prior.is_unknown() || f.is_computed_only() {
        return server;
    }
    if server.is_null() {
        // the server did not report it: an optional+computed value stays as it was
        return if f.is_computed() || is_zero(f, prior) {
            prior.clone()
        } else {
            server
        };
    }
    if !f.is_computed() && is_zero(f, prior) && is_zero(f, &server) {
        return prior.clone();
    }
    server
}

fn reconcile_scalar(
    f: &Field,
    prior: &Value,
    server: Value,
    raw: &Json,
    base_raw: Option<&Json>,
) -> Value {
    if prior.is_unknown() || f.is_computed_only() {
        return server;
    }
    match f.kind {
        Kind::DesiredStatus => {
            let set_by_us = |s: &str| {
                [JobStatus::Enabled, JobStatus::Disabled]
                    .iter()
                    .any(|j| j.as_str() == s)
            };
            return match server.as_str() {
                Some(s) if set_by_us(s) => server,
                // server-driven states (e.g. `Prepared` after a run) are not drift
                _ if prior.is_known_value() => prior.clone(),
                None => server,
                Some(_) => Value::from(JobStatus::Enabled.as_str()),
            };
        }
        Kind::Base64 { storage_refs: true } => {
            if let Json::String(r) = raw {
                // the API never returns script text: an unchanged reference keeps the user's text
                if prior.is_known_value() && base_raw == Some(raw) && is_script_reference(r) {
                    return prior.clone();
                }
                if r.starts_with("default/") && is_zero(f, prior) {
                    return prior.clone();
                }
            }
        }
        _ => {}
    }
    if semantically_equal(f, prior, &server) {
        return prior.clone();
    }
    if server.is_null() && f.mode == Mode::OptionalComputed {
        return prior.clone();
    }
    server
}

/// The state after apply: each known planned value as planned (terraform requires it), each
/// unknown one from the server's answer.
pub(crate) fn keep_planned(fields: &[Field], planned: &Value, server: &Value) -> Value {
    let mut m = BTreeMap::new();
    for f in fields {
        m.insert(
            f.name.to_owned(),
            keep_planned_field(f, planned.get(f.name), server.get(f.name)),
        );
    }
    Value::Object(m)
}

fn keep_planned_field(f: &Field, planned: &Value, server: &Value) -> Value {
    if planned.is_unknown() {
        return server.clone();
    }
    if planned.is_wholly_known() {
        return planned.clone();
    }
    match (f.children(), planned) {
        (Some(children), Value::Object(_)) => keep_planned(children, planned, server),
        (Some(children), Value::List(items)) => {
            let server_items = server.as_elements().unwrap_or(&[]);
            Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        keep_planned(children, item, server_items.get(i).unwrap_or(&Value::Null))
                    })
                    .collect(),
            )
        }
        _ => planned.clone(),
    }
}

#[cfg(test)]
mod start_date_time_tests {
    use super::start_date_time_for_api;

    #[test]
    fn an_unpadded_hour_is_sent_padded_and_the_date_as_written() {
        assert_eq!(
            start_date_time_for_api("2026-12-5 9:05:00 pm"),
            "2026-12-5 09:05:00 PM"
        );
        assert_eq!(
            start_date_time_for_api("2022-11-01 04:51:31 AM"),
            "2022-11-01 04:51:31 AM"
        );
        assert_eq!(
            start_date_time_for_api("2025-4-14 12:00:00 AM"),
            "2025-4-14 12:00:00 AM"
        );
    }
}
