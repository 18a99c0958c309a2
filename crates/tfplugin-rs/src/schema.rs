//! Schemas as the provider declares them; `server` converts them to tfplugin6 messages.

use std::collections::BTreeMap;

use super::types::Type;

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Markdown.
    pub description: String,
    pub deprecated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Clone, Debug)]
pub enum AttributeType {
    /// A plain attribute of the given cty type.
    Plain(Type),
    /// A nested attribute (protocol 6 `nested_type`): object(s) of further attributes.
    Nested {
        nesting: Nesting,
        attributes: Vec<Attribute>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    /// Optional, and the provider fills it in when the configuration leaves it null.
    OptionalComputed,
    Computed,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    pub mode: Mode,
    /// Markdown.
    pub description: String,
    pub sensitive: bool,
    pub deprecated: bool,
}

impl Attribute {
    pub fn new(
        name: impl Into<String>,
        ty: Type,
        mode: Mode,
        description: impl Into<String>,
    ) -> Self {
        Attribute {
            name: name.into(),
            ty: AttributeType::Plain(ty),
            mode,
            description: description.into(),
            sensitive: false,
            deprecated: false,
        }
    }

    pub fn nested(
        name: impl Into<String>,
        nesting: Nesting,
        attributes: Vec<Attribute>,
        mode: Mode,
        description: impl Into<String>,
    ) -> Self {
        Attribute {
            name: name.into(),
            ty: AttributeType::Nested {
                nesting,
                attributes,
            },
            mode,
            description: description.into(),
            sensitive: false,
            deprecated: false,
        }
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// The cty type of this attribute's value.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Plain(t) => t.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let obj = object_type(attributes);
                match nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

fn object_type(attributes: &[Attribute]) -> Type {
    Type::Object(
        attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect::<BTreeMap<_, _>>(),
    )
}

impl Block {
    /// The object type of values conforming to this block.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.blocks {
            let obj = b.block.value_type();
            let t = match b.nesting {
                Nesting::Single => obj,
                Nesting::List => Type::list(obj),
                Nesting::Set => Type::set(obj),
                Nesting::Map => Type::map(obj),
            };
            attrs.insert(b.type_name.clone(), t);
        }
        Type::Object(attrs)
    }
}

impl Schema {
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

/// A managed resource's identity (protocol 6.9): the attributes of its state that name the
/// remote object, which Terraform 1.12+ stores beside the state and accepts in
/// `import { identity = {...} }`. Declared by the resource; the server derives every
/// identity it sends from the state (never from the identity Terraform sent, which older
/// versions never send).
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// Kept at 0 unless the identity's shape changes: any other version makes Terraform
    /// upgrade every identity stored at 0 (`UpgradeResourceIdentity`).
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

/// One identity attribute: a top-level state attribute of the same name. Primitive or list
/// types only (Terraform refuses maps, sets and objects in identities).
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// Required in an import block; otherwise optional there.
    pub required_for_import: bool,
    /// Markdown.
    pub description: String,
}

impl IdentitySchema {
    pub(crate) fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }

    /// The identity of the object `state` describes: its identity attributes, or `None`
    /// when the state is null or a required one is null or not known yet (an identity with
    /// a null attribute, once stored, breaks later comparisons).
    pub(crate) fn identity_of(&self, state: &super::value::Value) -> Option<super::value::Value> {
        use super::value::Value;
        if !state.is_known_value() {
            return None;
        }
        let mut attrs = BTreeMap::new();
        for a in &self.attributes {
            let v = state.get(&a.name);
            if !v.is_wholly_known() || (a.required_for_import && v.is_null()) {
                return None;
            }
            attrs.insert(a.name.clone(), v.clone());
        }
        Some(Value::Object(attrs))
    }
}

impl Schema {
    /// The configuration that describes `state`, as Terraform core derives it when a
    /// provider does not (`GenerateResourceConfig`'s default): computed-only attributes
    /// null at every depth, optional strings equal to `""` null, everything else kept.
    pub fn config_from_state(&self, state: &super::value::Value) -> super::value::Value {
        config_of_attributes(&self.block.attributes, state)
    }
}

fn config_of_attributes(
    attributes: &[Attribute],
    obj: &super::value::Value,
) -> super::value::Value {
    use super::value::Value;
    let Value::Object(values) = obj else {
        return obj.clone();
    };
    let mut out = values.clone();
    for a in attributes {
        let Some(slot) = out.get_mut(&a.name) else {
            continue;
        };
        if a.mode == Mode::Computed || (a.mode != Mode::Required && slot.as_str() == Some("")) {
            *slot = Value::Null;
            continue;
        }
        if let AttributeType::Nested { attributes, .. } = &a.ty {
            let nested = |v: &Value| config_of_attributes(attributes, v);
            *slot = match &*slot {
                Value::List(items) => Value::List(items.iter().map(nested).collect()),
                Value::Set(items) => Value::Set(items.iter().map(nested).collect()),
                Value::Map(m) => {
                    Value::Map(m.iter().map(|(k, v)| (k.clone(), nested(v))).collect())
                }
                other => nested(other),
            };
        }
    }
    Value::Object(out)
}
