//! Lenient typed access to request JSON (the server coerces "true" and "12"), base64 and
//! script storage paths, and the start-time format.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::{invalid, Invalid};

pub(super) fn int(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<i64>, Invalid> {
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

pub(super) fn boolean(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<bool>, Invalid> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => invalid(field, format!("must be true or false, got {other}")),
    }
}

pub(super) fn string<'a>(
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

pub(super) fn one_of(
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

pub(super) fn in_range(field: &str, v: Option<i64>, lo: i64, hi: i64) -> Result<(), Invalid> {
    match v {
        Some(x) if x < lo || x > hi => {
            invalid(field, format!("must be between {lo} and {hi}, got {x}"))
        }
        _ => Ok(()),
    }
}

pub(super) fn object<'a>(
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

pub(super) fn array<'a>(
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

pub(super) fn id_list(obj: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Invalid> {
    match array(obj, key, key)? {
        None => Ok(None),
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if is_id(s) => Ok(s.clone()),
                Value::String(s) => invalid(format!("{key}[{i}]"), not_an_id(s)),
                other => invalid(
                    format!("{key}[{i}]"),
                    format!("must be a non-empty string, got {other}"),
                ),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// Every ID the service hands out (jobs, assets, tags, patches, users, actions) is a UUID
/// written 8-4-4-4-12 in hexadecimal, either case; not always RFC 4122, so no version check.
pub(super) fn is_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn not_an_id(s: &str) -> String {
    format!("must be an ID (a UUID such as 38aa48ca-a53f-4591-af01-8bce75de4ce7), got {s:?}")
}

pub(super) fn is_base64(s: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    !s.is_empty() && engine.decode(s.trim()).is_ok()
}

/// `<uuid>/<uuid>/Script`, `.../DetectionScript`, or `default/<...>`: a stored script.
pub(crate) fn is_storage_path(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() == 3 && parts[0] == "default" {
        return parts[1..].iter().all(|p| !p.is_empty());
    }
    parts.len() == 3
        && uuid::Uuid::parse_str(parts[0]).is_ok()
        && uuid::Uuid::parse_str(parts[1]).is_ok()
        && matches!(parts[2], "Script" | "DetectionScript")
}

/// A start time as the simulator accepts it: `yyyy-M-d hh:mm:ss AM|PM`, the date padded or
/// not, the clock padded to two digits (hour 1..12), upper-case `AM`/`PM`. Stricter than the
/// client, which also takes an unpadded clock and any case.
const START_IN: time::format_description::StaticFormatDescription = time::macros::format_description!(
    "[year]-[month padding:none]-[day padding:none] [hour repr:12]:[minute]:[second] [period case:upper case_sensitive:true]"
);

/// The server's spelling: unpadded date, padded 12-hour time.
const START_OUT: time::format_description::StaticFormatDescription = time::macros::format_description!(
    "[year]-[month padding:none]-[day padding:none] [hour repr:12]:[minute]:[second] [period]"
);

/// Parses `yyyy-M-d hh:mm:ss AM|PM` ([`START_IN`]); any run of whitespace separates the
/// date, the clock and AM/PM, and the year has no sign.
pub(crate) fn parse_start(s: &str) -> Option<time::PrimitiveDateTime> {
    let words = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !words.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    time::PrimitiveDateTime::parse(&words, START_IN).ok()
}

/// The server's spelling: unpadded date, padded 12-hour time.
pub(crate) fn format_start(t: time::PrimitiveDateTime) -> String {
    t.format(START_OUT)
        .expect("a PrimitiveDateTime has every component of the format")
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

    /// `y-m-d h:mi:s` on the 24-hour clock.
    fn at(y: i32, m: u8, d: u8, h: u8, mi: u8, sec: u8) -> time::PrimitiveDateTime {
        time::PrimitiveDateTime::new(
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap(),
            time::Time::from_hms(h, mi, sec).unwrap(),
        )
    }

    #[test]
    fn start_dates_accept_an_unpadded_date_but_only_a_padded_clock_and_upper_case_am_pm() {
        for (text, want) in [
            ("2022-02-20 01:18:30 PM", at(2022, 2, 20, 13, 18, 30)),
            ("2022-2-20 01:18:30 PM", at(2022, 2, 20, 13, 18, 30)),
            ("2022-2-5 01:18:30 PM", at(2022, 2, 5, 13, 18, 30)),
            ("2022-02-05 01:18:30 PM", at(2022, 2, 5, 13, 18, 30)),
            ("2022-12-31 11:59:59 PM", at(2022, 12, 31, 23, 59, 59)),
            ("2022-1-1 12:00:00 AM", at(2022, 1, 1, 0, 0, 0)),
            ("2022-1-1 12:59:59 AM", at(2022, 1, 1, 0, 59, 59)),
            ("2022-1-1 12:00:00 PM", at(2022, 1, 1, 12, 0, 0)),
            ("2022-1-1 01:00:00 AM", at(2022, 1, 1, 1, 0, 0)),
            ("2024-2-29 01:00:00 AM", at(2024, 2, 29, 1, 0, 0)),
            // any run of whitespace between the three words, and around them
            (" 2022-2-20  01:18:30\tPM\n", at(2022, 2, 20, 13, 18, 30)),
        ] {
            assert_eq!(parse_start(text), Some(want), "{text:?}");
        }
        for bad in [
            "",
            "tomorrow",
            "2022-2-20",
            "2022-2-20 01:00:00",
            // the clock's parts have exactly two digits
            "2022-2-20 1:00:00 PM",
            "2022-2-20 01:0:00 PM",
            "2022-2-20 01:00:0 PM",
            "2022-2-20 001:00:00 PM",
            "2022-2-20 01:00 PM",
            // hour 1..12 only
            "2022-2-20 00:30:00 AM",
            "2022-2-20 13:00:00 PM",
            "2022-2-20 13:00:00 AM",
            "2022-2-20 01:60:00 PM",
            "2022-2-20 01:00:60 PM",
            // upper-case AM or PM, nothing else, and nothing after it
            "2022-2-20 01:00:00 pm",
            "2022-2-20 01:00:00 Am",
            "2022-2-20 01:00:00 XM",
            "2022-2-20 01:00:00PM",
            "2022-2-20 01:00:00 PM UTC",
            "2022-2-20 01:00:00 PMT",
            // a four-digit year without sign; calendar dates only
            "22-2-20 01:00:00 PM",
            "02022-2-20 01:00:00 PM",
            "+2022-2-20 01:00:00 PM",
            "-2022-2-20 01:00:00 PM",
            "2022-0-20 01:00:00 PM",
            "2022-13-20 01:00:00 PM",
            "2022-2-0 01:00:00 PM",
            "2022-2-30 01:00:00 PM",
            "2023-2-29 01:00:00 PM",
            "2022/2/20 01:00:00 PM",
            "2022-2-20T01:00:00 PM",
        ] {
            assert!(parse_start(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn start_dates_are_written_unpadded_with_a_padded_12_hour_clock() {
        for (t, want) in [
            (at(2022, 2, 20, 13, 18, 30), "2022-2-20 01:18:30 PM"),
            (at(2025, 4, 14, 0, 5, 0), "2025-4-14 12:05:00 AM"),
            (at(2025, 4, 14, 12, 0, 0), "2025-4-14 12:00:00 PM"),
            (at(2025, 12, 31, 23, 59, 59), "2025-12-31 11:59:59 PM"),
        ] {
            assert_eq!(format_start(t), want);
            assert_eq!(parse_start(want), Some(t), "{want} reads back");
        }
    }

    #[test]
    fn ids_are_uuids_in_either_case() {
        assert!(is_id("38aa48ca-a53f-4591-af01-8bce75de4ce7"));
        assert!(is_id("38AA48CA-A53F-4591-AF01-8BCE75DE4CE7"));
        for bad in ["not-a-uuid", "x", "38aa48caa53f4591af018bce75de4ce7", ""] {
            assert!(!is_id(bad), "{bad}");
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
