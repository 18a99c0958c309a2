//! PlanResourceChange: defaults, unknowns for what the server decides, prior values kept
//! where the configuration leaves optional+computed attributes null, semantic equality, and
//! replacement. Deterministic: terraform plans again, in another process, at apply.

use tfplugin::{AttributePath, Diagnostics, PlanRequest, PlanResponse, Value};

use super::convert::semantically_equal;
use super::fields::{
    self, DefaultValue, Field, Kind, JOB_FIELDS, RECURRING_SCHEDULES, RUN_ONCE_SCHEDULES,
};

/// Computed-only attributes the server recomputes, and the attributes whose change makes it
/// recompute them (`None`: any change).
const RECOMPUTED: &[(&str, Option<&[&str]>)] = &[
    ("updated_at", None),
    (
        "patch_count",
        Some(&[
            "approved_patches",
            "dynamic_patches_qql",
            "dynamic_qql_type",
            "additional_dynamic_patches_qql",
            "linked_job_id",
            "type",
            "platform",
        ]),
    ),
    (
        "applicable_asset_count",
        Some(&[
            "asset_ids",
            "asset_tag_ids",
            "match_all_tag_ids",
            "exclusion_asset_ids",
            "exclusion_tag_ids",
            "filter_type",
            "exclusion_filter_type",
            "approved_patches",
            "dynamic_patches_qql",
            "linked_job_id",
            "platform",
        ]),
    ),
];

pub fn plan(req: &PlanRequest) -> PlanResponse {
    let mut resp = PlanResponse {
        planned_private: req.prior_private.clone(),
        ..Default::default()
    };
    if req.proposed_new_state.is_null() {
        return resp; // destroy
    }
    let prior = &req.prior_state;
    let mut planned = req.proposed_new_state.clone();
    fill(JOB_FIELDS, &mut planned, &req.config, prior);

    // recurring follows schedule_type unless the configuration says it
    if req.config.get("recurring").is_null() {
        let derived = match planned.get("schedule_type").as_str() {
            Some(s) => Value::Bool(RECURRING_SCHEDULES.contains(&s)),
            None => Value::Unknown,
        };
        set(&mut planned, "recurring", derived);
    }

    if prior.is_null() {
        if planned.get("status").as_str() == Some("Enabled")
            && planned.get("schedule_type").as_str() == Some("On-demand")
        {
            resp.diagnostics.warning_at(
                AttributePath::attr("status"),
                "This On-demand job starts deploying when it is created",
                "An On-demand job created Enabled runs at once; once enabled it can be neither edited nor disabled, so any later change replaces it.",
            );
        }
        resp.planned_state = planned;
        return resp;
    }

    let changed: Vec<&Field> = JOB_FIELDS
        .iter()
        .filter(|f| !f.is_computed_only() && planned.get(f.name) != prior.get(f.name))
        .collect();
    if !changed.is_empty() {
        for (name, inputs) in RECOMPUTED {
            if inputs.is_none_or(|inputs| changed.iter().any(|f| inputs.contains(&f.name))) {
                set(&mut planned, name, Value::Unknown);
            }
        }
        if planned.get("status") != prior.get("status") {
            set(&mut planned, "server_status", Value::Unknown);
        }
    }

    resp.requires_replace = vec![AttributePath::attr("platform"), AttributePath::attr("type")];
    if !changed.is_empty() && is_enabled_run_once(prior) {
        let names: Vec<&str> = changed.iter().map(|f| f.name).collect();
        for name in &names {
            if !matches!(*name, "platform" | "type") {
                resp.requires_replace.push(AttributePath::attr(name));
            }
        }
        let mut diags = Diagnostics::new();
        diags.warning_at(
            AttributePath::attr(names[0]),
            "Enabled run-once job must be replaced",
            format!(
                "This job is a run-once job ({}) and is Enabled: the Qualys API does not allow editing or disabling it, so changing {} destroys it and creates a new job.",
                prior.get("schedule_type").as_str().unwrap_or("run-once"),
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
    let run_once = state
        .get("schedule_type")
        .as_str()
        .is_some_and(|s| RUN_ONCE_SCHEDULES.contains(&s));
    let enabled = state.get("status").as_str() == Some("Enabled")
        || state
            .get("server_status")
            .as_str()
            .is_some_and(|s| s != "Disabled");
    run_once && enabled
}

fn set(obj: &mut Value, name: &str, v: Value) {
    if let Some(slot) = obj.get_mut(name) {
        *slot = v;
    }
}

fn default_value(d: DefaultValue) -> Value {
    match d {
        DefaultValue::Str(s) => Value::from(s),
    }
}

/// Fills one object level of the plan. `prior` is the prior object this one continues
/// (null on create, or for a list element that is new).
fn fill(fields: &[Field], planned: &mut Value, config: &Value, prior: &Value) {
    for f in fields {
        let cfg = config.get(f.name);
        let before = prior.get(f.name).clone();
        let Some(slot) = planned.get_mut(f.name) else {
            continue;
        };
        if f.is_computed() && cfg.is_null() {
            *slot = match f.default {
                Some(d) => default_value(d),
                // what the server decides is unknown until it has decided
                None if prior.is_null() => Value::Unknown,
                None => before,
            };
            continue;
        }
        if cfg.is_unknown() {
            continue;
        }
        match f.kind {
            Kind::Object(children)
            | Kind::FlaggedObject {
                fields: children, ..
            } => {
                if slot.is_known_value() {
                    fill(children, slot, cfg, &before);
                }
            }
            Kind::List(children) => {
                if let Value::List(items) = slot {
                    let cfg_items = cfg.as_elements().unwrap_or(&[]);
                    let prior_items = before.as_elements().unwrap_or(&[]);
                    let matched = match_prior(children, cfg_items, prior_items);
                    for (i, item) in items.iter_mut().enumerate() {
                        let cfg_item = cfg_items.get(i).unwrap_or(&Value::Null);
                        let prior_item = matched
                            .get(i)
                            .copied()
                            .flatten()
                            .map(|j| &prior_items[j])
                            .unwrap_or(&Value::Null);
                        if item.is_known_value() {
                            fill(children, item, cfg_item, prior_item);
                        }
                    }
                }
            }
            _ => {
                // a configured value the server spells differently keeps the prior spelling
                if cfg.is_known_value()
                    && before.is_known_value()
                    && semantically_equal(f, &before, cfg)
                {
                    *slot = before;
                }
            }
        }
    }
}

/// Pairs configured list elements with prior ones. Elements with a server key (actions'
/// `action_id`) pair by content (`action` and `action_item`), then by position when the
/// action is the same, so that removing one action does not hand its ID to the next.
/// Elements without a key pair by position.
fn match_prior(
    children: &[Field],
    cfg_items: &[Value],
    prior_items: &[Value],
) -> Vec<Option<usize>> {
    let by_content = children.iter().any(|c| c.is_computed_only())
        && fields::find(children, "action").is_some()
        && fields::find(children, "action_item").is_some();
    if !by_content {
        return (0..cfg_items.len())
            .map(|i| (i < prior_items.len()).then_some(i))
            .collect();
    }
    let mut used = vec![false; prior_items.len()];
    let mut out = vec![None; cfg_items.len()];
    let same = |a: &Value, b: &Value, attr: &str| {
        a.get(attr).is_known_value() && a.get(attr) == b.get(attr)
    };
    for (i, c) in cfg_items.iter().enumerate() {
        if let Some(j) = (0..prior_items.len()).find(|&j| {
            !used[j]
                && same(c, &prior_items[j], "action")
                && same(c, &prior_items[j], "action_item")
        }) {
            used[j] = true;
            out[i] = Some(j);
        }
    }
    for (i, c) in cfg_items.iter().enumerate() {
        if out[i].is_none()
            && i < prior_items.len()
            && !used[i]
            && same(c, &prior_items[i], "action")
        {
            used[i] = true;
            out[i] = Some(i);
        }
    }
    out
}
