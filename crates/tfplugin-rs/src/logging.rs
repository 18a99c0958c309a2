//! Logs as terraform reads them, and crashes as terraform reports them.
//!
//! go-plugin reads the provider's stderr line by line and parses each line as hclog JSON:
//! `@level`, `@message`, `@module`, and `@timestamp` with exactly six fractional digits
//! (any other precision and the whole line is shown raw). Other keys become key/value
//! pairs. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`, as terraform filters by the
//! same variables; when neither is set terraform shows no provider logs, so none are made.
//!
//! A panic is written as plain text starting with `panic: `, which terraform collects and
//! shows as "Stack trace from the ... plugin" when the provider crashes.

use std::io::Write;

use time::format_description::FormatItem;
use time::macros::format_description;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The level terraform asks for: `TF_LOG_PROVIDER`, else `TF_LOG`; `JSON` means trace.
/// `None` when logging is off or unset.
pub(crate) fn level_from_env() -> Option<LevelFilter> {
    let value = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("TF_LOG").ok())?;
    parse_level(&value)
}

fn parse_level(value: &str) -> Option<LevelFilter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "off" => None,
        "error" => Some(LevelFilter::ERROR),
        "warn" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        // "trace", "json", and anything terraform itself would treat as trace.
        _ => Some(LevelFilter::TRACE),
    }
}

/// Installs the stderr JSON logger. `module` is the `@module` of every line, e.g.
/// `provider.example`.
pub(crate) fn init(module: String, level: Option<LevelFilter>) {
    let Some(level) = level else { return };
    // The gRPC stack's own chatter stays out unless it is a warning.
    let quiet = std::cmp::min(level, LevelFilter::WARN);
    let filter = Targets::new()
        .with_default(level)
        .with_target("h2", quiet)
        .with_target("hyper", quiet)
        .with_target("hyper_util", quiet)
        .with_target("tower", quiet)
        .with_target("tonic", quiet)
        .with_target("rustls", quiet);
    let _ = tracing_subscriber::registry()
        .with(HclogJson { module }.with_filter(filter))
        .try_init();
}

/// Writes each event as one hclog JSON line on stderr.
pub(crate) struct HclogJson {
    module: String,
}

impl HclogJson {
    /// The JSON line (with its newline) for an event.
    fn line(&self, level: &Level, fields: FieldsVisitor) -> Vec<u8> {
        let mut map = serde_json::Map::new();
        map.insert("@level".into(), level_name(level).into());
        map.insert("@message".into(), fields.message.unwrap_or_default().into());
        map.insert("@module".into(), self.module.clone().into());
        map.insert("@timestamp".into(), timestamp().into());
        for (k, v) in fields.fields {
            map.insert(k, v);
        }
        let mut line = serde_json::to_vec(&serde_json::Value::Object(map)).unwrap_or_default();
        line.push(b'\n');
        line
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

fn timestamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(TIMESTAMP)
        .unwrap_or_default()
}

impl<S: Subscriber> Layer<S> for HclogJson {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = FieldsVisitor::default();
        event.record(&mut fields);
        let line = self.line(event.metadata().level(), fields);
        // One write per line, so concurrent lines never interleave.
        let _ = std::io::stderr().lock().write_all(&line);
    }
}

#[derive(Default)]
struct FieldsVisitor {
    message: Option<String>,
    fields: Vec<(String, serde_json::Value)>,
}

impl FieldsVisitor {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }
}

impl Visit for FieldsVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
}

/// A panic anywhere ends the process, the way a Go provider's does, after writing
/// `panic: <message>` and a backtrace as plain text for terraform's crash report.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string panic payload)".to_owned()
        };
        let location = info
            .location()
            .map(|l| l.to_string())
            .unwrap_or_else(|| "unknown location".to_owned());
        let thread = std::thread::current();
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        let report = panic_report(
            &message,
            thread.name().unwrap_or("<unnamed>"),
            &location,
            &backtrace,
        );
        let _ = std::io::stderr().lock().write_all(report.as_bytes());
        std::process::exit(2);
    }));
}

/// The crash report: terraform collects stderr from the first line starting with `panic: `.
fn panic_report(message: &str, thread: &str, location: &str, backtrace: &str) -> String {
    format!("panic: {message}\n\nthread '{thread}' panicked at {location}\n{backtrace}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_report_is_plain_text_terraform_recognises() {
        let report = panic_report(
            "boom",
            "tokio-runtime-worker",
            "src/x.rs:1:2",
            "   0: frame",
        );
        assert!(report.starts_with("panic: boom\n"), "{report}");
        assert!(report.contains("src/x.rs:1:2") && report.contains("0: frame"));
        assert!(serde_json::from_str::<serde_json::Value>(report.lines().next().unwrap()).is_err());
    }

    #[test]
    fn levels_follow_terraform_variables() {
        assert_eq!(parse_level("DEBUG"), Some(LevelFilter::DEBUG));
        assert_eq!(parse_level("json"), Some(LevelFilter::TRACE));
        assert_eq!(parse_level("Warn"), Some(LevelFilter::WARN));
        assert_eq!(parse_level("off"), None);
        assert_eq!(parse_level(""), None);
    }

    #[test]
    fn lines_are_hclog_json_with_microsecond_timestamps() {
        let layer = HclogJson {
            module: "provider.example".into(),
        };
        let fields = FieldsVisitor {
            message: Some("configured".into()),
            fields: vec![("type_name".into(), "example_thing".into())],
        };
        let line = layer.line(&Level::WARN, fields);
        assert_eq!(line.last(), Some(&b'\n'));
        let json: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(json["@level"], "warn");
        assert_eq!(json["@message"], "configured");
        assert_eq!(json["@module"], "provider.example");
        assert_eq!(json["type_name"], "example_thing");
        // go-plugin's layout 2006-01-02T15:04:05.000000Z07:00: exactly six digits.
        let ts = json["@timestamp"].as_str().unwrap();
        let (_, frac) = ts.split_once('.').unwrap();
        assert_eq!(frac.len(), 7, "{ts}");
        assert!(
            frac.ends_with('Z') && frac[..6].bytes().all(|b| b.is_ascii_digit()),
            "{ts}"
        );
        time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).unwrap();
    }
}
