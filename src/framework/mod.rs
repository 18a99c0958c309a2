//! The attribute framework shared by every resource, data source and list resource of the
//! provider: each declares its attributes once, as a table of `Field`s, and the schema, the
//! value <-> API JSON conversion, plan-time validation, plan modifiers and the generated docs
//! derive from that table.
//!
//! It lives in the provider crate, not in `tfplugin-rs`, because a declaration carries the
//! attribute's path in the Qualys API's JSON and how its value is encoded there (base64
//! scripts, weekday flags, epoch milliseconds, Qualys IDs): the protocol crate knows nothing
//! of the API and must stay that way. The framework knows nothing of any one resource.
//!
//! - `field`: the declarations (`Field`, `Kind`, `Check`, defaults, fill-ins, replacement,
//!   recomputation) and the compile-time check of a table;
//! - `handle`: `Attr`, a typed handle to a declared attribute, checked when compiled;
//! - `schema`: schema attributes and blocks;
//! - `json`: Terraform values <-> API JSON (create body, update overlay, read, state after
//!   apply, semantic equality);
//! - `validate`: the declared checks at plan time;
//! - `plan`: plan modifiers, and what generated configurations leave out.
//!
//! The docs are rendered from the derived schema by the provider's `docs` module.

pub(crate) mod field;
pub(crate) mod handle;
pub(crate) mod json;
pub(crate) mod plan;
pub(crate) mod schema;
pub(crate) mod validate;

#[cfg(test)]
mod attribute_names_tests;

pub(crate) use field::{field, Field, Kind};
pub(crate) use handle::Attr;
