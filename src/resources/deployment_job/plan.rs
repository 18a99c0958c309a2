//! PlanResourceChange of a job: the declared plan modifiers (`crate::framework::plan`:
//! defaults, unknowns for what the server decides or recomputes, prior values kept where the
//! configuration leaves optional+computed attributes null, semantic equality, replacement),
//! plus the job's own rules: `recurring` derived from `schedule_type`, and an enabled
//! run-once job replaced on any change. Deterministic: terraform plans again, in another
//! process, at apply.

use qualys_pm::JobStatus;
use tfplugin::{AttributePath, Diagnostics, PlanRequest, PlanResponse, Value};

use super::fields::{attr, JOB_FIELDS, RECURRING_SCHEDULES, RUN_ONCE_SCHEDULES};
use crate::framework::plan::{changed, fill, mark_recomputed, replaced_on_change};
use crate::framework::Attr;

/// Takes the request by value: the proposal becomes the plan in place (no copy per instance).
pub fn plan(req: PlanRequest) -> PlanResponse {
    let PlanRequest {
        prior_state,
        proposed_new_state: mut planned,
        config,
        prior_private,
    } = req;
    let mut resp = PlanResponse {
        planned_private: prior_private,
        ..Default::default()
    };
    if planned.is_null() {
        return resp; // destroy
    }
    let prior = &prior_state;
    fill(JOB_FIELDS, &mut planned, &config, prior);

    // recurring follows schedule_type unless the configuration says it
    if attr::RECURRING.of(&config).is_null() {
        let derived = match attr::SCHEDULE_TYPE.of(&planned).as_str() {
            Some(s) => Value::Bool(RECURRING_SCHEDULES.contains(&s)),
            None => Value::Unknown,
        };
        set(&mut planned, attr::RECURRING, derived);
    }

    if prior.is_null() {
        if attr::STATUS.of(&planned).as_str() == Some(JobStatus::Enabled.as_str())
            && attr::SCHEDULE_TYPE.of(&planned).as_str() == Some("On-demand")
        {
            resp.diagnostics.warning_at(
                attr::STATUS.path(),
                "This On-demand job starts deploying when it is created",
                "An On-demand job created Enabled runs at once; once enabled it can be neither edited nor disabled, so any later change replaces it.",
            );
        }
        resp.planned_state = planned;
        return resp;
    }

    let changed = changed(JOB_FIELDS, &planned, prior);
    mark_recomputed(JOB_FIELDS, &mut planned, &changed);

    resp.requires_replace = replaced_on_change(JOB_FIELDS);
    if !changed.is_empty() && is_enabled_run_once(prior) {
        // an enabled run-once job cannot be edited: every change replaces it
        for f in changed.iter().filter(|f| f.replaces.is_none()) {
            resp.requires_replace.push(AttributePath::attr(f.name));
        }
        let names: Vec<&str> = changed.iter().map(|f| f.name).collect();
        let mut diags = Diagnostics::new();
        diags.warning_at(
            AttributePath::attr(names[0]),
            "Enabled run-once job must be replaced",
            format!(
                "This job is a run-once job ({}) and is Enabled: the Qualys API does not allow editing or disabling it, so changing {} destroys it and creates a new job.",
                attr::SCHEDULE_TYPE.of(prior).as_str().unwrap_or("run-once"),
                names.join(", ")
            ),
        );
        resp.diagnostics = diags;
    }
    resp.planned_state = planned;
    resp
}

/// On-demand and Once jobs that are (or were) Enabled cannot be edited.
pub fn is_enabled_run_once(state: &Value) -> bool {
    let run_once = attr::SCHEDULE_TYPE
        .of(state)
        .as_str()
        .is_some_and(|s| RUN_ONCE_SCHEDULES.contains(&s));
    let enabled = attr::STATUS.of(state).as_str() == Some(JobStatus::Enabled.as_str())
        || attr::SERVER_STATUS
            .of(state)
            .as_str()
            .is_some_and(|s| s != JobStatus::Disabled.as_str());
    run_once && enabled
}

fn set(obj: &mut Value, a: Attr, v: Value) {
    if let Some(slot) = obj.get_mut(a.name()) {
        *slot = v;
    }
}
