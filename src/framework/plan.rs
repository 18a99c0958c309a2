//! Plan modifiers derived from the declarations: defaults, the prior value kept for an
//! optional+computed attribute left null (use-state-for-unknown), unknown for what the server
//! decides or recomputes, the prior spelling kept for a semantically equal value, and the
//! attributes whose change requires replacement. Also their inverse for generated
//! configurations: what a plan would fill in anyway is left out.

use tfplugin::{AttributePath, Mode, Value};

use super::field::{DefaultValue, Field, Filled, Kind, Recompute};
use super::json::semantically_equal;

fn default_value(d: DefaultValue) -> Value {
    match d {
        DefaultValue::Str(s) => Value::from(s),
    }
}

/// Fills one object level of the plan. `prior` is the prior object this one continues
/// (null on create, or for a list element that is new).
pub(crate) fn fill(fields: &[Field], planned: &mut Value, config: &Value, prior: &Value) {
    for f in fields {
        let cfg = config.get(f.name);
        // borrowed: copied only where it becomes the plan
        let before = prior.get(f.name);
        let Some(slot) = planned.get_mut(f.name) else {
            continue;
        };
        if f.is_computed() && cfg.is_null() {
            *slot = match f.default {
                Some(d) => default_value(d),
                // what the server decides is unknown until it has decided
                None if prior.is_null() => Value::Unknown,
                None => before.clone(),
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
                    fill(children, slot, cfg, before);
                }
            }
            Kind::List(children) => fill_list(children, slot, cfg, before),
            _ => {
                // a configured value the server spells differently keeps the prior spelling
                if cfg.is_known_value()
                    && before.is_known_value()
                    && semantically_equal(f, before, cfg)
                {
                    *slot = before.clone();
                }
            }
        }
    }
}

/// Fills each planned element of a list with the prior element it continues.
fn fill_list(children: &[Field], slot: &mut Value, cfg: &Value, before: &Value) {
    let Value::List(items) = slot else {
        return;
    };
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

/// Pairs configured list elements with prior ones. Elements with a server key (a
/// computed-only attribute, e.g. actions' `action_id`) pair by content (all their required
/// attributes equal, e.g. `action` and `action_item`), then by position when the first
/// required attribute is the same, so that removing one element does not hand its key to
/// the next. Other elements pair by position.
fn match_prior(
    children: &[Field],
    cfg_items: &[Value],
    prior_items: &[Value],
) -> Vec<Option<usize>> {
    let content: Vec<&str> = children
        .iter()
        .filter(|c| c.mode == Mode::Required)
        .map(|c| c.name)
        .collect();
    let keyed = children.iter().any(Field::is_computed_only);
    if !keyed || content.is_empty() {
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
        if let Some(j) = (0..prior_items.len())
            .find(|&j| !used[j] && content.iter().all(|n| same(c, &prior_items[j], n)))
        {
            used[j] = true;
            out[i] = Some(j);
        }
    }
    for (i, c) in cfg_items.iter().enumerate() {
        if out[i].is_none()
            && i < prior_items.len()
            && !used[i]
            && same(c, &prior_items[i], content[0])
        {
            used[i] = true;
            out[i] = Some(i);
        }
    }
    out
}

/// The configurable attributes of one object level whose planned value differs from prior.
pub(crate) fn changed<'a>(fields: &'a [Field], planned: &Value, prior: &Value) -> Vec<&'a Field> {
    fields
        .iter()
        .filter(|f| !f.is_computed_only() && planned.get(f.name) != prior.get(f.name))
        .collect()
}

/// Plans as unknown each computed attribute the server recomputes for these changes.
pub(crate) fn mark_recomputed(fields: &[Field], planned: &mut Value, changed: &[&Field]) {
    if changed.is_empty() {
        return;
    }
    for f in fields {
        let recomputed = match f.recompute {
            Recompute::Never => false,
            Recompute::OnAnyChange => true,
            Recompute::When(inputs) => changed.iter().any(|c| inputs.contains(&c.name)),
        };
        if let Some(slot) = planned.get_mut(f.name).filter(|_| recomputed) {
            *slot = Value::Unknown;
        }
    }
}

/// The attributes declared `requires_replace`, at the top level of `fields`.
pub(crate) fn replaced_on_change(fields: &[Field]) -> Vec<AttributePath> {
    fields
        .iter()
        .filter(|f| f.replaces.is_some())
        .map(|f| AttributePath::attr(f.name))
        .collect()
}

/// Nulls, at every depth, the optional+computed values the API or the plan fills in when
/// they are omitted: equal to their plan-time default or their declared fill-in, and
/// optional+computed objects left with nothing set.
pub(crate) fn leave_out_filled(fields: &[Field], obj: &mut Value) {
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
                leave_out_filled(children, slot);
                let empty = slot
                    .as_object()
                    .is_some_and(|m| m.values().all(Value::is_null));
                if empty && f.mode == Mode::OptionalComputed {
                    *slot = Value::Null;
                }
            }
            (Kind::List(children), Value::List(items)) => {
                for item in items {
                    leave_out_filled(children, item);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::field::field;
    use crate::framework::schema::attributes;

    const TABLE: &[Field] = &[
        field("kind", Kind::String, Mode::Required, &["kind"], "The kind.")
            .requires_replace("widget"),
        field(
            "label",
            Kind::String,
            Mode::Optional,
            &["label"],
            "A label.",
        ),
        field("size", Kind::Number, Mode::Optional, &["size"], "A size."),
        field("area", Kind::Number, Mode::Computed, &["area"], "The area.")
            .recomputed_when(&["size"]),
        field(
            "touched",
            Kind::String,
            Mode::Computed,
            &["t"],
            "Last change.",
        )
        .recomputed_on_any_change(),
    ];

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn replacement_is_declared_once_for_the_plan_and_the_description() {
        assert_eq!(replaced_on_change(TABLE), vec![AttributePath::attr("kind")]);
        let described = &attributes(TABLE, None)[0].description;
        assert_eq!(described, "The kind. Changing it forces a new widget.");
    }

    #[test]
    fn only_the_declared_inputs_make_an_attribute_recomputed() {
        let prior = object(&[
            ("kind", Value::from("a")),
            ("label", Value::from("x")),
            ("size", Value::int(1)),
            ("area", Value::int(1)),
            ("touched", Value::from("t0")),
        ]);
        let mut relabelled = prior.clone();
        *relabelled.get_mut("label").unwrap() = Value::from("y");
        let changes = changed(TABLE, &relabelled, &prior);
        mark_recomputed(TABLE, &mut relabelled, &changes);
        assert_eq!(relabelled.get("area"), &Value::int(1));
        assert!(relabelled.get("touched").is_unknown());

        let mut resized = prior.clone();
        *resized.get_mut("size").unwrap() = Value::int(2);
        let changes = changed(TABLE, &resized, &prior);
        mark_recomputed(TABLE, &mut resized, &changes);
        assert!(resized.get("area").is_unknown());

        let mut same = prior.clone();
        mark_recomputed(TABLE, &mut same, &changed(TABLE, &prior, &prior));
        assert_eq!(same, prior);
    }

    const STEP: &[Field] = &[
        field(
            "step_id",
            Kind::String,
            Mode::Computed,
            &["stepId"],
            "Server key.",
        ),
        field("verb", Kind::String, Mode::Required, &["verb"], "What."),
        field(
            "target",
            Kind::String,
            Mode::Required,
            &["target"],
            "On what.",
        ),
    ];
    const STEPS: &[Field] = &[field(
        "steps",
        Kind::List(STEP),
        Mode::Optional,
        &["steps"],
        "Steps.",
    )];

    fn step(id: Value, verb: &str, target: &str) -> Value {
        object(&[
            ("step_id", id),
            ("verb", Value::from(verb)),
            ("target", Value::from(target)),
        ])
    }

    #[test]
    fn keyed_list_elements_keep_the_key_of_the_element_with_the_same_content() {
        let prior = object(&[(
            "steps",
            Value::List(vec![
                step(Value::from("k1"), "run", "a"),
                step(Value::from("k2"), "run", "b"),
            ]),
        )]);
        // the first step removed: the remaining one keeps its own key, not the first's
        let config = object(&[("steps", Value::List(vec![step(Value::Null, "run", "b")]))]);
        let mut planned = object(&[("steps", Value::List(vec![step(Value::Unknown, "run", "b")]))]);
        fill(STEPS, &mut planned, &config, &prior);
        let steps = planned.get("steps").as_elements().unwrap();
        assert_eq!(steps[0].get("step_id"), &Value::from("k2"));
    }
}
