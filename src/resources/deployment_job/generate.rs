//! GenerateResourceConfig (Terraform 1.14+ `-generate-config-out`): the configuration that
//! describes an imported job. Core's default keeps every optional+computed value; this one
//! also leaves out what the API fills in when the attribute is omitted (the plan-time
//! defaults and the API's fill-ins declared in `fields.rs`, message objects left empty: the
//! framework's `leave_out_filled`; and the job's own: `recurring` where `schedule_type`
//! implies it, an On-demand job's start time), so the generated file shows what someone
//! chose. Every attribute left out is optional+computed and its value is what a plan of the
//! omission keeps or fills in, so the plan of the generated configuration is a no-op.

use tfplugin::{Schema, Value};

use super::fields::{attr, JOB_FIELDS, RECURRING_SCHEDULES};
use crate::framework::plan::leave_out_filled;
use crate::framework::Attr;

pub(crate) fn generate_config(schema: &Schema, state: &Value) -> Value {
    let mut config = schema.config_from_state(state);
    leave_out_filled(JOB_FIELDS, &mut config);
    let schedule = attr::SCHEDULE_TYPE.of(state).as_str();
    let implied_recurring = schedule.map(|s| RECURRING_SCHEDULES.contains(&s));
    let recurring = attr::RECURRING.of(&config).as_bool();
    if recurring.is_some() && recurring == implied_recurring {
        clear(&mut config, attr::RECURRING);
    }
    // the server sets an On-demand job's start time to its creation time
    if schedule == Some("On-demand") {
        clear(&mut config, attr::START_DATE_TIME);
    }
    config
}

fn clear(obj: &mut Value, a: Attr) {
    if let Some(slot) = obj.get_mut(a.name()) {
        *slot = Value::Null;
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
