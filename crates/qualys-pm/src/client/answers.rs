//! What a write's success answer says about the job (the full job, only its ID, or nothing),
//! and the per-item results of deletes and status changes, in every shape a tenant may
//! answer with (`docs/api-readings.md`).

use serde_json::Value;

use crate::error::Operation;
use crate::Error;

use super::error_body::redact;
use super::http::Reply;

/// What a write's success answer says about the job (the API documents the full job; a
/// tenant may answer with less).
#[derive(Debug, PartialEq)]
pub(super) enum Answer {
    /// The full job.
    Job(Value),
    /// Only the job's ID: `{"id": ...}` (maybe with a few result keys), a JSON string, or a
    /// `Location` header ending in it.
    Id(String),
    /// Nothing usable: no body, `{}`, `null`, or text that is not JSON.
    Nothing,
}

/// One job's entry in a per-item result (delete, status change).
#[derive(Debug, PartialEq)]
pub(super) struct Item {
    id: Option<String>,
    ok: bool,
    message: Option<String>,
}

/// What a 2xx answer to a create or an update says about the job.
pub(super) fn answer(reply: &Reply) -> Answer {
    let from_location = || {
        reply
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.split(['?', '#']).next())
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| Answer::Id(id.to_owned()))
            .unwrap_or(Answer::Nothing)
    };
    let text = reply.text.trim();
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            if !text.is_empty() {
                tracing::debug!(
                    status = reply.status,
                    "the answer to a write is not JSON; reading the job instead"
                );
            }
            return from_location();
        }
    };
    match value {
        Value::Object(obj) => {
            let id = obj
                .get("id")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            match id {
                // a job carries its definition, not just an ID, a name and a result status
                Some(_)
                    if ["scheduleType", "platform"]
                        .iter()
                        .any(|k| obj.contains_key(*k)) =>
                {
                    Answer::Job(Value::Object(obj))
                }
                Some(id) => Answer::Id(id),
                None => from_location(),
            }
        }
        Value::String(id) if !id.trim().is_empty() && !id.trim().contains(char::is_whitespace) => {
            Answer::Id(id.trim().to_owned())
        }
        _ => from_location(),
    }
}

/// Per-item results of a delete or a status change, in any of the shapes a tenant may use:
/// an array of `{"id","name","status":"success"|"failure","error"}` (or of IDs), one such
/// object, or an object of `success` / `failure` lists (of IDs or of objects). `None` when
/// the answer carries no per-item result (no body, `{}`, empty lists, not JSON).
pub(super) fn item_results(text: &str) -> Option<Vec<Item>> {
    const LISTS: &[(&str, bool)] = &[
        ("success", true),
        ("successes", true),
        ("succeeded", true),
        ("failure", false),
        ("failures", false),
        ("failed", false),
    ];
    let value: Value = serde_json::from_str(text.trim()).ok()?;
    let items: Vec<Item> = match &value {
        Value::Array(items) => items.iter().map(|v| item_of(v, None)).collect(),
        Value::Object(obj) if LISTS.iter().any(|(k, _)| obj.contains_key(*k)) => LISTS
            .iter()
            .filter_map(|(k, ok)| obj.get(*k).map(|v| (v, *ok)))
            .flat_map(|(v, ok)| match v {
                Value::Array(list) => list.iter().map(|x| item_of(x, Some(ok))).collect(),
                Value::Null => Vec::new(),
                one => vec![item_of(one, Some(ok))],
            })
            .collect(),
        Value::Object(obj) if obj.contains_key("status") || obj.contains_key("id") => {
            vec![item_of(&value, None)]
        }
        _ => Vec::new(),
    };
    (!items.is_empty()).then_some(items)
}

/// One entry of a per-item result; `listed_ok` is the list it came from, if any.
pub(super) fn item_of(v: &Value, listed_ok: Option<bool>) -> Item {
    match v {
        Value::Object(obj) => {
            let id = ["id", "jobId", "deploymentJobId"]
                .iter()
                .find_map(|k| match obj.get(*k)? {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            let message = ["error", "message", "errorMessage", "reason"]
                .iter()
                .find_map(|k| obj.get(*k).and_then(Value::as_str))
                .filter(|m| !m.trim().is_empty())
                .map(redact);
            let status_ok = obj.get("status").map(|s| match s {
                Value::String(s) => ["success", "succeeded", "ok", "true"]
                    .iter()
                    .any(|w| s.eq_ignore_ascii_case(w)),
                Value::Bool(b) => *b,
                _ => false,
            });
            let ok = match (listed_ok, status_ok) {
                (Some(listed), Some(status)) => listed && status,
                (Some(listed), None) => listed,
                (None, Some(status)) => status,
                // no status at all: an error says it failed
                (None, None) => obj.get("error").is_none_or(Value::is_null),
            };
            Item { id, ok, message }
        }
        Value::String(s) => Item {
            id: Some(s.clone()),
            ok: listed_ok.unwrap_or(true),
            message: None,
        },
        other => Item {
            id: Some(other.to_string()),
            ok: listed_ok.unwrap_or(true),
            message: None,
        },
    }
}

/// Each requested job's result: it must have an entry, and no entry of it may say it failed
/// (unless `tolerated` accepts the failure message, e.g. "not found" for a delete). An entry
/// without an ID answers for the only job of a one-job request. A job the answer does not
/// mention has an unknown outcome: an error, never a silent success.
pub(super) fn item_outcomes(
    op: Operation,
    ids: &[&str],
    items: &[Item],
    tolerated: fn(&str) -> bool,
) -> Vec<Result<(), Error>> {
    ids.iter()
        .map(|id| item_outcome(op, id, ids.len(), items, tolerated))
        .collect()
}

fn item_outcome(
    op: Operation,
    id: &str,
    requested: usize,
    items: &[Item],
    tolerated: fn(&str) -> bool,
) -> Result<(), Error> {
    let mine: Vec<&Item> = items
        .iter()
        .filter(|item| match &item.id {
            Some(item_id) => item_id.trim().eq_ignore_ascii_case(id),
            None => requested == 1,
        })
        .collect();
    if mine.is_empty() {
        let listed: Vec<&str> = items.iter().filter_map(|i| i.id.as_deref()).collect();
        return Err(Error::ItemFailed {
            operation: op,
            job_id: id.to_owned(),
            message: format!(
                "the server's per-job result does not mention this job (it lists {}); the outcome is unknown",
                if listed.is_empty() {
                    "entries without IDs".to_owned()
                } else {
                    listed.join(", ")
                }
            ),
        });
    }
    for item in mine.iter().filter(|i| !i.ok) {
        let message = item
            .message
            .clone()
            .unwrap_or_else(|| "the server reported a failure without a reason".into());
        if !tolerated(&message) {
            return Err(Error::ItemFailed {
                operation: op,
                job_id: id.to_owned(),
                message,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `item_outcomes`' first failure.
    fn check_items(
        op: Operation,
        ids: &[&str],
        items: &[Item],
        tolerated: fn(&str) -> bool,
    ) -> Result<(), Error> {
        item_outcomes(op, ids, items, tolerated)
            .into_iter()
            .collect()
    }
    use crate::error::mentions_not_found;
    use reqwest::header::HeaderMap;

    fn reply(status: u16, text: &str, location: Option<&str>) -> Reply {
        let mut headers = HeaderMap::new();
        if let Some(l) = location {
            headers.insert(reqwest::header::LOCATION, l.parse().unwrap());
        }
        Reply {
            status,
            headers,
            text: text.into(),
        }
    }

    #[test]
    fn write_answers_of_every_shape() {
        let full = r#"{"id":"j-1","name":"n","scheduleType":"Weekly"}"#;
        assert!(matches!(answer(&reply(200, full, None)), Answer::Job(_)));
        for (text, location, want) in [
            (r#"{"id":"j-1"}"#, None, Answer::Id("j-1".into())),
            (
                r#"{"id":"j-1","status":"success"}"#,
                None,
                Answer::Id("j-1".into()),
            ),
            (
                r#"{"id":"j-1","name":"n","status":"success"}"#,
                None,
                Answer::Id("j-1".into()),
            ),
            (r#""j-1""#, None, Answer::Id("j-1".into())),
            ("", None, Answer::Nothing),
            ("{}", None, Answer::Nothing),
            ("null", None, Answer::Nothing),
            ("OK", None, Answer::Nothing),
            (
                "",
                Some("/pm/v1/deploymentjob/j-2"),
                Answer::Id("j-2".into()),
            ),
            (
                "{}",
                Some("https://gw/pm/v1/deploymentjob/j-3/?x=1"),
                Answer::Id("j-3".into()),
            ),
        ] {
            assert_eq!(
                answer(&reply(201, text, location)),
                want,
                "{text:?} {location:?}"
            );
        }
    }

    #[test]
    fn per_item_results_of_every_shape() {
        let ok = |text: &str, ids: &[&str]| {
            check_items(
                Operation::SetStatus,
                ids,
                &item_results(text).expect(text),
                |_| false,
            )
        };
        for text in [
            r#"[{"id":"a","name":"A","status":"success"}]"#,
            r#"{"id":"a","status":"SUCCESS"}"#,
            r#"{"status":"success"}"#,
            r#"{"success":["a"],"failure":[]}"#,
            r#"{"success":[{"id":"a","name":"A"}],"failure":[]}"#,
            r#"["a"]"#,
        ] {
            assert!(ok(text, &["a"]).is_ok(), "{text}");
        }
        for (text, why) in [
            (
                r#"[{"id":"a","status":"failure","error":"Non-recurring jobs cannot be disabled once enabled by user"}]"#,
                "Non-recurring",
            ),
            (
                r#"{"success":[],"failure":[{"id":"a","error":"locked"}]}"#,
                "locked",
            ),
            (r#"{"success":[],"failure":["a"]}"#, "without a reason"),
            (
                r#"[{"id":"b","status":"success"}]"#,
                "does not mention this job",
            ),
            (r#"{"success":["b"]}"#, "it lists b"),
        ] {
            match ok(text, &["a"]) {
                Err(Error::ItemFailed {
                    job_id, message, ..
                }) => {
                    assert_eq!(job_id, "a");
                    assert!(message.contains(why), "{text}: {message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        // two jobs asked, one answered: the other is not silently a success
        assert!(ok(r#"[{"id":"a","status":"success"}]"#, &["a", "b"]).is_err());
        assert!(ok(r#"[{"status":"success"}]"#, &["a", "b"]).is_err());
        // no per-item result at all: verified by reading instead
        for text in [
            "",
            "{}",
            "null",
            "[]",
            r#"{"success":[],"failure":[]}"#,
            "done",
        ] {
            assert_eq!(item_results(text), None, "{text:?}");
        }
        // a delete tolerates "not found" failures
        let items = item_results(r#"{"failure":[{"id":"a","error":"Job a not found"}]}"#).unwrap();
        assert!(check_items(Operation::DeleteJobs, &["a"], &items, mentions_not_found).is_ok());
    }
}
