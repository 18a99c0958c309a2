//! GenerateResourceConfig (Terraform 1.14+ `-generate-config-out`): the configuration that
//! describes an imported job. Core's default keeps every optional+computed value; this one
//! also leaves out what the API fills in when the attribute is omitted (the plan-time
//! defaults declared in `fields.rs`, `recurring` where `schedule_type` implies it, an
//! On-demand job's start time), so the generated file shows what someone chose. Every
//! attribute left out is optional+computed and its value is what a plan of the omission
//! keeps or fills in, so the plan of the generated configuration is a no-op.

use tfplugin::{Schema, Value};

use super::convert::semantically_equal;
use super::fields::{DefaultValue, Field, Kind, JOB_FIELDS, RECURRING_SCHEDULES};

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

/// Nulls, at every depth, the optional+computed values equal to their plan-time default.
fn leave_out_defaults(fields: &[Field], obj: &mut Value) {
    for f in fields {
        let Some(slot) = obj.get_mut(f.name) else {
            continue;
        };
        if let Some(DefaultValue::Str(d)) = f.default {
            if slot.is_known_value() && semantically_equal(f, slot, &Value::from(d)) {
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
            ) => leave_out_defaults(children, slot),
            (Kind::List(children), Value::List(items)) => {
                for item in items {
                    leave_out_defaults(children, item);
                }
            }
            _ => {}
        }
    }
}
