//! GenerateResourceConfig (Terraform 1.14+ `-generate-config-out`): the configuration that
//! describes an imported job. Core's default keeps every optional+computed value; this one
//! also leaves out what the API fills in when the attribute is omitted (the plan-time
//! defaults and the API's fill-ins declared in `fields.rs`, message objects left empty,
//! `recurring` where `schedule_type` implies it, an On-demand job's start time), so the
//! generated file shows what someone chose. Every
//! attribute left out is optional+computed and its value is what a plan of the omission
//! keeps or fills in, so the plan of the generated configuration is a no-op.

use tfplugin::{Mode, Schema, Value};

use super::convert::semantically_equal;
use super::fields::{DefaultValue, Field, Filled, Kind, JOB_FIELDS, RECURRING_SCHEDULES};

pub(crate) fn generate_config(schema: &Schema, state: &Value) -> Value {
    let mut config = schema.config_from_state(state);
    leave_out_defaults(JOB_FIELDS, &mut config);
    let schedule = state.get("schedule_type").as_str();
    let implied_recurring = schedule.map(|s| RECURRING_SCHEDULES.contains(&s));
    if config.get("recurring").as_bool().is_some()
        && config.get("recurring").as_bool() == implied_recurring
    {
        clear(&mut config, "recurring");
    }
    // the server sets an On-demand job's start time to its creation time
    if schedule == Some("On-demand") {
        clear(&mut config, "start_date_time");
    }
    config
}

fn clear(obj: &mut Value, name: &str) {
    if let Some(slot) = obj.get_mut(name) {
        *slot = Value::Null;
    }
}

/// Nulls, at every depth, the optional+computed values the API or the plan fills in when
/// they are omitted: equal to their plan-time default or their declared fill-in, and
/// optional+computed objects left with nothing set.
fn leave_out_defaults(fields: &[Field], obj: &mut Value) {
    for f in fields {
        let Some(slot) = obj.get_mut(f.name) else {
            continue;
        };
        let filled = match (f.default, f.filled) {
            (Some(DefaultValue::Str(d)), _) | (None, Some(Filled::Str(d))) => Some(Value::from(d)),
            (None, Some(Filled::Int(n))) => Some(Value::int(n)),
            (None, Some(Filled::Bool(b))) => Some(Value::Bool(b)),
            (None, None) => None,
        };
        if let Some(filled) = filled {
            if slot.is_known_value() && semantically_equal(f, slot, &filled) {
                *slot = Value::Null;
            }
            continue;
        }
        match (f.kind, &mut *slot) {
            (
                Kind::Object(children)
                | Kind::FlaggedObject {
                    fields: children, ..
                },
                _,
            ) => {
                leave_out_defaults(children, slot);
                let empty = slot
                    .as_object()
                    .is_some_and(|m| m.values().all(Value::is_null));
                if empty && f.mode == Mode::OptionalComputed {
                    *slot = Value::Null;
                }
            }
            (Kind::List(children), Value::List(items)) => {
                for item in items {
                    leave_out_defaults(children, item);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::deployment_job::schema::resource_schema;
    use crate::resources::deployment_job::state::server_view;

    #[test]
    fn what_the_api_fills_in_is_left_out_and_what_was_chosen_is_kept() {
        let job = serde_json::json!({
            "id": "8df80cf0-e24c-4d7c-877f-10700250c906", "name": "n", "platform": "Windows",
            "type": "Install", "status": "Enabled", "scheduleType": "Daily", "recurring": true,
            "startDateTime": "2030-01-06 09:00:00 AM", "timezoneType": "SPECIFIC_TZ",
            "timezone": "Europe/Paris", "timeout": -1, "filterType": "All",
            "duringDeployment": {"userMessage": "", "description": ""},
            "preDeployment": {"userMessage": "hi", "description": "",
                "deferment": {"count": 3, "interval": 1, "intervalUnit": "HOURS"}}
        });
        let state = server_view(&job);
        let config = generate_config(&resource_schema(), &state);
        for left_out in [
            "id",
            "platform",
            "type",
            "recurring",
            "timezone_type",
            "timeout",
            "during_deployment",
        ] {
            assert!(
                config.get(left_out).is_null(),
                "{left_out}: {:?}",
                config.get(left_out)
            );
        }
        for (kept, value) in [
            ("status", "Enabled"),
            ("timezone", "Europe/Paris"),
            ("filter_type", "All"),
        ] {
            assert_eq!(config.get(kept).as_str(), Some(value), "{kept}");
        }
        assert_eq!(
            config.get("start_date_time").as_str(),
            Some("2030-01-06 09:00:00 AM")
        );
        let pre = config.get("pre_deployment");
        assert_eq!(pre.get("user_message").as_str(), Some("hi"));
        assert!(
            pre.get("description").is_null() && pre.get("deferment").is_null(),
            "{pre:?}"
        );
    }
}
