//! Plan-time validation of the declared checks: each attribute's enum, range, ID shape or
//! non-empty text, and what its kind implies (weekday names, a date-time, a whole number).
//! No API call; unknown values are skipped (checked at apply).

use tfplugin::{AttributePath, Diagnostics, Value};

use super::field::{Check, Field, Kind, WEEKDAYS};
use qualys_pm::model::{is_qualys_id, parse_start_date_time, ID_SHAPE};

/// The declared checks of a configuration object of `fields` (a data source's or a list
/// resource's configuration).
pub(crate) fn validate_fields(fields: &[Field], config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if config.is_known_value() {
        check_fields(fields, config, &AttributePath::root(), &mut diags);
    }
    diags
}

/// Terraform (1.11) points diagnostics inside nested attributes at the block, not at the
/// nested line: name the attribute in the text too.
pub(crate) fn name_nested_paths(diags: &mut Diagnostics) {
    for d in diags {
        if let Some(path) = d.attribute.as_ref().filter(|p| p.0.len() > 1) {
            let named = format!("{path}: ");
            if !d.detail.starts_with(&named) {
                d.detail = format!("{named}{}", d.detail);
            }
        }
    }
}

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The per-attribute checks (enums, ranges, formats) of `fields` over a configuration object
/// at `path`.
pub(crate) fn check_fields(
    fields: &[Field],
    obj: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    for f in fields {
        let v = obj.get(f.name);
        if !v.is_known_value() {
            continue;
        }
        // built only for a diagnostic or a nested walk: most values pass every check
        let p = || path.then_attr(f.name);
        check_value(f, v, &p, diags);
        match f.kind {
            Kind::Object(children)
            | Kind::FlaggedObject {
                fields: children, ..
            } => check_fields(children, v, &p(), diags),
            Kind::List(children) => {
                let p = p();
                for (i, item) in v.as_elements().unwrap_or(&[]).iter().enumerate() {
                    if item.is_known_value() {
                        check_fields(children, item, &p.then_index(i as i64), diags);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The path of the value being checked, made when a check fails.
type LazyPath<'a> = &'a dyn Fn() -> AttributePath;

fn check_value(f: &Field, v: &Value, p: LazyPath, diags: &mut Diagnostics) {
    check_declared(f, v, p, diags);
    check_kind(f, v, p, diags);
}

/// The field's declared `Check`: an enum, a range, an ID shape, non-empty text.
fn check_declared(f: &Field, v: &Value, p: LazyPath, diags: &mut Diagnostics) {
    match f.check {
        Check::None => {}
        Check::OneOf(allowed) => {
            if let Some(s) = v.as_str() {
                if !allowed.contains(&s) {
                    diags.error_at(
                        p(),
                        format!("Invalid value for {}", f.name),
                        format!("\"{s}\" is not allowed; expected one of {}.", list(allowed)),
                    );
                }
            }
        }
        Check::IntOneOf(allowed) => match v.as_i64() {
            Some(n) if allowed.contains(&n) => {}
            _ => diags.error_at(
                p(),
                format!("Invalid value for {}", f.name),
                format!(
                    "{} is not allowed; expected one of {}.",
                    display(v),
                    allowed
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        },
        Check::Range(lo, hi) => match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => {}
            _ => diags.error_at(
                p(),
                format!("Invalid value for {}", f.name),
                format!(
                    "{} is out of range; expected a whole number from {lo} to {hi}.",
                    display(v)
                ),
            ),
        },
        Check::QualysId => {
            // a string, or each known element of a set (unknown ones are checked when known)
            let values = match v.as_elements() {
                Some(elements) => elements.iter().filter_map(Value::as_str).collect(),
                None => v.as_str().into_iter().collect::<Vec<_>>(),
            };
            for s in values.into_iter().filter(|s| !is_qualys_id(s)) {
                diags.error_at(p(), format!("Invalid ID in {}", f.name), not_an_id(&p(), s));
            }
        }
        Check::NotEmpty => {
            if v.as_str().is_some_and(|s| s.trim().is_empty()) {
                diags.error_at(
                    p(),
                    format!("Empty {}", f.name),
                    format!("{} must not be empty.", f.name),
                );
            }
        }
    }
}

/// What the field's kind implies whatever its check: weekday names, a date-time, a whole number.
fn check_kind(f: &Field, v: &Value, p: LazyPath, diags: &mut Diagnostics) {
    match f.kind {
        Kind::WeekDays => {
            for d in v.as_elements().unwrap_or(&[]) {
                if let Some(s) = d.as_str() {
                    if !WEEKDAYS.contains(&s) {
                        diags.error_at(
                            p(),
                            "Invalid weekday",
                            format!(
                                "\"{s}\" is not a weekday name; expected any of {}.",
                                list(WEEKDAYS)
                            ),
                        );
                    }
                }
            }
        }
        Kind::DateTime => {
            if let Some(s) = v.as_str() {
                if parse_start_date_time(s).is_none() {
                    diags.error_at(
                        p(),
                        format!("Invalid {}", f.name),
                        format!("\"{s}\" is not in the form YYYY-M-D hh:mm:ss AM/PM, e.g. \"2022-2-20 01:18:30 PM\"."),
                    );
                }
            }
        }
        Kind::Number if f.check.is_none() && v.as_i64().is_none() => {
            diags.error_at(
                p(),
                format!("Invalid value for {}", f.name),
                format!("{} is not a whole number.", display(v)),
            );
        }
        _ => {}
    }
}

/// The message for a value at `path` that is not a Qualys ID: the path, the value, the shape.
fn not_an_id(path: &AttributePath, value: &str) -> String {
    format!("{path}: \"{value}\" is not a Qualys ID ({ID_SHAPE})")
}

impl Check {
    fn is_none(&self) -> bool {
        matches!(self, Check::None)
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("\"{s}\""),
        other => format!("{other:?}"),
    }
}
