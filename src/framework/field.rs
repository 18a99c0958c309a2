//! Attribute declarations: what one attribute is (name, kind, mode, API path, description)
//! and what the framework derives from it (checks, defaults, fill-ins, replacement,
//! recomputation). A resource or data source lists its attributes once as a `&[Field]`
//! table built with `field(...)` and the builder methods below.

use qualys_pm::model::ID_SHAPE;
use tfplugin::Mode;

/// How a Terraform value is carried in the API JSON.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    String,
    Number,
    Bool,
    /// set(string) <-> JSON array of strings (`[]` and `null` are equal).
    StringSet,
    /// list(string) <-> one comma-separated JSON string (`"a@x.com,b@x.com"`).
    CommaList,
    /// Plain text in Terraform, base64 on the wire. With `storage_refs`, a server storage
    /// reference (`<uuid>/<uuid>/Script`, `default/...`) passes through unchanged.
    Base64 {
        storage_refs: bool,
    },
    /// set of weekday names (`WEEKDAYS`) <-> `"0,0,1,0,0,0,0"` (index 0 = Sunday).
    WeekDays,
    /// `yyyy-M-d hh:mm:ss AM/PM`, compared as a time (padding ignored).
    DateTime,
    /// RFC 3339 text from epoch milliseconds (read-only facts).
    EpochMs,
    /// The desired `Enabled`/`Disabled` state; the server may report other values (`Prepared`).
    DesiredStatus,
    /// A nested object (single nested attribute).
    Object(&'static [Field]),
    /// A nested object whose presence is also signalled by a boolean JSON field `flag`
    /// (`enableReattemptFailedPatches` + `reattemptFailedPatches`).
    FlaggedObject {
        flag: &'static str,
        fields: &'static [Field],
    },
    /// A list of nested objects.
    List(&'static [Field]),
}

/// The weekday names of `Kind::WeekDays`, in the API's flag order (index 0 = Sunday).
pub(crate) const WEEKDAYS: &[&str] = &[
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A plan-time default for an attribute left null in the configuration.
#[derive(Clone, Copy, Debug)]
pub enum DefaultValue {
    Str(&'static str),
}

/// What the API fills in for an attribute a job is written without (documented in
/// `qualys-pm-api.md`). Generated configurations leave such values out; an
/// optional+computed attribute left out plans as its prior value, so that changes nothing.
#[derive(Clone, Copy, Debug)]
pub enum Filled {
    Str(&'static str),
    Int(i64),
    Bool(bool),
}

/// A value check on one attribute.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    None,
    OneOf(&'static [&'static str]),
    IntOneOf(&'static [i64]),
    /// Inclusive integer range.
    Range(i64, i64),
    NotEmpty,
    /// A Qualys ID (the string, or each element of a set): 8-4-4-4-12 hexadecimal, compared
    /// case-insensitively.
    QualysId,
}

/// When the server recomputes a computed-only attribute on an update (its value plans as
/// unknown then; otherwise it keeps its prior value).
#[derive(Clone, Copy, Debug)]
pub enum Recompute {
    Never,
    /// On any change of a configurable attribute of the same object.
    OnAnyChange,
    /// When one of these attributes of the same object changes.
    When(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Terraform attribute name.
    pub name: &'static str,
    pub kind: Kind,
    pub mode: Mode,
    /// JSON path, relative to the JSON object the parent maps to.
    pub api: &'static [&'static str],
    pub default: Option<DefaultValue>,
    pub check: Check,
    /// For numbers: the value the server reports for "not set", equal to null.
    pub zero_number: Option<i64>,
    /// What the API fills in when the attribute is omitted (optional+computed only).
    pub filled: Option<Filled>,
    /// A change replaces the object: `Some(noun)` names what is replaced in the description
    /// ("Changing it forces a new job."); the plan lists the attribute in `requires_replace`.
    pub replaces: Option<&'static str>,
    pub recompute: Recompute,
    /// Markdown, from the API documentation.
    pub description: &'static str,
}

pub(crate) const fn field(
    name: &'static str,
    kind: Kind,
    mode: Mode,
    api: &'static [&'static str],
    description: &'static str,
) -> Field {
    Field {
        name,
        kind,
        mode,
        api,
        default: None,
        check: Check::None,
        zero_number: None,
        filled: None,
        replaces: None,
        recompute: Recompute::Never,
        description,
    }
}

impl Field {
    pub const fn one_of(self, values: &'static [&'static str]) -> Field {
        Field {
            check: Check::OneOf(values),
            ..self
        }
    }
    pub const fn int_one_of(self, values: &'static [i64]) -> Field {
        Field {
            check: Check::IntOneOf(values),
            ..self
        }
    }
    pub const fn range(self, lo: i64, hi: i64) -> Field {
        Field {
            check: Check::Range(lo, hi),
            ..self
        }
    }
    pub const fn not_empty(self) -> Field {
        Field {
            check: Check::NotEmpty,
            ..self
        }
    }
    /// The value is a Qualys ID (a set: each element is one). Checked at plan, named in the
    /// docs, and equal to the same ID in another case.
    pub const fn qualys_id(self) -> Field {
        Field {
            check: Check::QualysId,
            ..self
        }
    }
    pub const fn default_str(self, v: &'static str) -> Field {
        Field {
            default: Some(DefaultValue::Str(v)),
            ..self
        }
    }
    pub const fn filled(self, value: Filled) -> Field {
        Field {
            filled: Some(value),
            ..self
        }
    }
    pub const fn zero(self, n: i64) -> Field {
        Field {
            zero_number: Some(n),
            ..self
        }
    }
    /// Changing the attribute destroys the `noun` and creates a new one.
    pub const fn requires_replace(self, noun: &'static str) -> Field {
        Field {
            replaces: Some(noun),
            ..self
        }
    }
    /// A computed attribute the server recomputes on any change of its object.
    pub const fn recomputed_on_any_change(self) -> Field {
        Field {
            recompute: Recompute::OnAnyChange,
            ..self
        }
    }
    /// A computed attribute the server recomputes when one of `inputs` (siblings) changes.
    pub const fn recomputed_when(self, inputs: &'static [&'static str]) -> Field {
        Field {
            recompute: Recompute::When(inputs),
            ..self
        }
    }

    pub fn is_computed_only(&self) -> bool {
        self.mode == Mode::Computed
    }
    pub fn is_computed(&self) -> bool {
        matches!(self.mode, Mode::Computed | Mode::OptionalComputed)
    }
    /// The description as the schema and docs show it: the declared text, plus what the
    /// declaration implies (replacement on change, the shape of an ID).
    pub fn full_description(&self) -> String {
        let mut text = self.description.to_owned();
        if let Some(noun) = self.replaces {
            text.push_str(&format!(" Changing it forces a new {noun}."));
        }
        if let Check::QualysId = self.check {
            text.push_str(&format!(" A Qualys ID is {ID_SHAPE}, in either case."));
        }
        text
    }
    /// The nested declarations of an object or list attribute.
    pub const fn children(&self) -> Option<&'static [Field]> {
        match self.kind {
            Kind::Object(f) | Kind::List(f) | Kind::FlaggedObject { fields: f, .. } => Some(f),
            _ => None,
        }
    }
}

/// Finds a declaration by name in a field list.
pub fn find<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name == name)
}

/// `find`, usable in constants: a table and its handles are checked when compiled.
pub(crate) const fn find_const(fields: &'static [Field], name: &str) -> Option<&'static Field> {
    let mut i = 0;
    while i < fields.len() {
        if same_text(fields[i].name, name) {
            return Some(&fields[i]);
        }
        i += 1;
    }
    None
}

const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Fails the build (used as `const _: () = assert_well_formed(TABLE);`) when a table, at any
/// depth, names an undeclared attribute in `recomputed_when`, or declares a name twice.
pub(crate) const fn assert_well_formed(fields: &'static [Field]) {
    let mut i = 0;
    while i < fields.len() {
        let f = &fields[i];
        let mut j = i + 1;
        while j < fields.len() {
            assert!(
                !same_text(f.name, fields[j].name),
                "an attribute is declared twice at one level"
            );
            j += 1;
        }
        if let Recompute::When(inputs) = f.recompute {
            let mut k = 0;
            while k < inputs.len() {
                assert!(
                    find_const(fields, inputs[k]).is_some(),
                    "recomputed_when names an attribute its object does not declare"
                );
                k += 1;
            }
        }
        if let Kind::Object(c) | Kind::List(c) | Kind::FlaggedObject { fields: c, .. } = f.kind {
            assert_well_formed(c);
        }
        i += 1;
    }
}
