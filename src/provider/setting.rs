//! One provider setting, declared once: its schema attribute (the environment fallback
//! sentence of its description included), its static check (`validate`) and its
//! resolution (`configure`): the block's value, else the environment variable's, else the
//! default, parsed, with every problem reported at the attribute.
//!
//! The settings themselves, and how they combine into a client configuration, are
//! `config.rs`'s.

use tfplugin::{Attribute, AttributePath, Diagnostics, Mode, Type, Value};

/// A provider block attribute with its environment fallback, default and parser.
pub(super) struct Setting<T: 'static> {
    pub(super) name: &'static str,
    /// `Type::String` or `Type::Number`: the environment's text is read as this type.
    pub(super) ty: Type,
    pub(super) sensitive: bool,
    pub(super) env: Option<&'static str>,
    /// Markdown; the environment fallback sentence is appended from `env`.
    pub(super) description: &'static str,
    /// The value when neither the block nor the environment sets it.
    pub(super) default: Option<T>,
    /// The block's value, or the environment's text as a value of `ty`.
    pub(super) parse: fn(&Value) -> Result<T, Problem>,
}

/// Why a value is not usable: `word` starts the summary ("Invalid", "Empty", ...), which
/// names the attribute or the environment variable; `detail` never quotes a secret.
pub(super) struct Problem {
    pub(super) word: &'static str,
    pub(super) detail: String,
}

impl Problem {
    pub(super) fn invalid(detail: impl Into<String>) -> Problem {
        Problem {
            word: "Invalid",
            detail: detail.into(),
        }
    }
}

/// Where a resolved value came from: a problem found later (a CA file that cannot be
/// read) is reported against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Block,
    Env(&'static str),
    Default,
}

/// A setting once resolved.
pub(super) enum Resolved<T> {
    Known(T, Origin),
    /// Set nowhere, and without a default.
    Absent,
    /// Not known until apply (a provider block fed by resources not yet created).
    Unknown,
    /// Not usable; reported (by `validate` for the block's value, else by `resolve`).
    Invalid,
}

impl<T> Resolved<T> {
    pub(super) fn known(self) -> Option<T> {
        match self {
            Resolved::Known(value, _) => Some(value),
            _ => None,
        }
    }

    /// An optional setting: `Some(None)` when absent, `None` when unknown or invalid.
    pub(super) fn optional(self) -> Option<Option<T>> {
        match self {
            Resolved::Known(value, _) => Some(Some(value)),
            Resolved::Absent => Some(None),
            Resolved::Unknown | Resolved::Invalid => None,
        }
    }

    pub(super) fn map<U>(self, f: impl FnOnce(T) -> U) -> Resolved<U> {
        match self {
            Resolved::Known(value, origin) => Resolved::Known(f(value), origin),
            Resolved::Absent => Resolved::Absent,
            Resolved::Unknown => Resolved::Unknown,
            Resolved::Invalid => Resolved::Invalid,
        }
    }
}

/// The environment as the resolver reads it: a variable's value, `None` when unset or empty.
pub(super) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What every setting offers whatever its value's type: the provider schema and `validate`
/// go through a list of these.
pub(super) trait Declared: Sync {
    fn name(&self) -> &'static str;
    fn attribute(&self) -> Attribute;
    /// Reports a problem of the block's own value (the environment is not `validate`'s).
    fn check(&self, config: &Value, diags: &mut Diagnostics);
}

impl<T: Clone + Sync> Declared for Setting<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn attribute(&self) -> Attribute {
        let description = match self.env {
            Some(var) => format!(
                "{} Falls back to the `{var}` environment variable.",
                self.description
            ),
            None => self.description.to_owned(),
        };
        let attribute = Attribute::new(self.name, self.ty.clone(), Mode::Optional, description);
        if self.sensitive {
            attribute.sensitive()
        } else {
            attribute
        }
    }

    fn check(&self, config: &Value, diags: &mut Diagnostics) {
        let value = config.get(self.name);
        if value.is_known_value() {
            if let Err(problem) = (self.parse)(value) {
                self.report(Origin::Block, problem, diags);
            }
        }
    }
}

impl<T: Clone> Setting<T> {
    /// The block's value, else the environment's, else the default. A problem of the
    /// block's value is `validate`'s to report; one of the environment's is reported here.
    pub(super) fn resolve(
        &self,
        config: &Value,
        env: Env<'_>,
        diags: &mut Diagnostics,
    ) -> Resolved<T> {
        let value = config.get(self.name);
        if value.is_unknown() {
            return Resolved::Unknown;
        }
        if !value.is_null() {
            return match (self.parse)(value) {
                Ok(parsed) => Resolved::Known(parsed, Origin::Block),
                Err(_) => Resolved::Invalid,
            };
        }
        match self.env.and_then(|var| Some((var, env(var)?))) {
            Some((var, text)) => match (self.parse)(&self.env_value(&text)) {
                Ok(parsed) => Resolved::Known(parsed, Origin::Env(var)),
                Err(problem) => {
                    self.report(Origin::Env(var), problem, diags);
                    Resolved::Invalid
                }
            },
            None => match &self.default {
                Some(default) => Resolved::Known(default.clone(), Origin::Default),
                None => Resolved::Absent,
            },
        }
    }

    /// An environment variable's text as a value of the attribute's type: a number that
    /// does not parse stays text, which the parser refuses as it refuses such a value.
    fn env_value(&self, text: &str) -> Value {
        match self.ty {
            Type::Number => text
                .trim()
                .parse()
                .map_or_else(|_| Value::string(text), Value::int),
            _ => Value::string(text),
        }
    }

    /// Reports `problem` at the attribute, naming where the value came from.
    pub(super) fn report(&self, origin: Origin, problem: Problem, diags: &mut Diagnostics) {
        let at = AttributePath::attr(self.name);
        match origin {
            Origin::Env(var) => diags.error_at(
                at,
                format!("{} {var}", problem.word),
                format!(
                    "The {var} environment variable is not usable: {}",
                    problem.detail
                ),
            ),
            Origin::Block | Origin::Default => diags.error_at(
                at,
                format!("{} {}", problem.word, self.name),
                problem.detail,
            ),
        }
    }
}
