//! The snapshot: the message tables `#[derive(Compat)]` wrote, as the lock records them
//! (what travels: wire names, flattened fields in their field's place), and a recorded
//! message as a peer sees it.

use super::file::{LockedField, LockedMessage, LockedVariant, Named};
use crate::message::{
    Case, Field, Flatten, Kind, Message, RenameAll, Representation, SkipSerializing, Variant,
    WireName,
};
use crate::version::parse_version;

/// `(wire, wire_deserialize)` of a name: each only where it differs from what it would
/// otherwise be.
fn wire_names(rust: &str, wire: &WireName) -> (Option<String>, Option<String>) {
    let sent = (wire.serialize != rust).then(|| wire.serialize.to_string());
    let read = (wire.deserialize != wire.serialize).then(|| wire.deserialize.to_string());
    (sent, read)
}

fn convention(rule: &RenameAll) -> Option<String> {
    match (rule.serialize, rule.deserialize) {
        (None, None) => None,
        (s, d) if s == d => s.map(|case| case.as_str().to_string()),
        (s, d) => Some(format!(
            "{}/{}",
            s.map_or("none", Case::as_str),
            d.map_or("none", Case::as_str)
        )),
    }
}

fn later<'a>(a: &'a str, b: &'a str) -> &'a str {
    match (parse_version(a), parse_version(b)) {
        (Ok(va), Ok(vb)) if vb > va => b,
        _ => a,
    }
}

/// The fields as they travel: a flattened message's fields in its field's place, arriving
/// no earlier than that field and defaulting when it does (`Option<Flattened>`); types with
/// the arguments of the generic message `m` in place of its parameters.
fn lock_fields(m: &Message, fields: &[Field]) -> Vec<LockedField> {
    let mut out = Vec::new();
    let outer = Outer {
        message: m,
        via: None,
        since: None,
        default: false,
    };
    flatten_into(fields, &outer, &mut out, 0);
    out
}

/// What the fields being recorded inherit: the message whose table they are in (for its
/// arguments), and, for a flattened message's, the field they come through, its arrival
/// and whether it defaults.
struct Outer<'a> {
    message: &'a Message,
    via: Option<&'a str>,
    since: Option<&'a str>,
    default: bool,
}

fn flatten_into(fields: &[Field], outer: &Outer<'_>, out: &mut Vec<LockedField>, depth: usize) {
    let (via, since, default) = (outer.via, outer.since, outer.default);
    for f in fields {
        let arrived = since.map_or(f.since, |outer| later(f.since, outer));
        let through = |name: &str| via.map_or(name.to_string(), |via| format!("{via}.{name}"));
        if let Flatten::Message(inner) = f.flatten {
            // Tables are `'static` constants, so a cycle cannot be written; the bound only
            // keeps a hand-built table from recursing for ever.
            if depth < 16 {
                let through = through(f.name);
                let inner_outer = Outer {
                    message: inner,
                    via: Some(&through),
                    since: Some(arrived),
                    default: default || f.default,
                };
                flatten_into(inner.fields, &inner_outer, out, depth + 1);
            }
            continue;
        }
        let (wire, wire_deserialize) = wire_names(f.name, &f.wire);
        out.push(LockedField {
            name: f.name.to_string(),
            wire,
            wire_deserialize,
            aliases: f.wire.aliases.iter().map(|a| a.to_string()).collect(),
            since: arrived.to_string(),
            ty: outer.message.concrete(f.ty),
            default: default || f.default,
            skip_serializing: match f.skip_serializing {
                SkipSerializing::Never => None,
                SkipSerializing::If(path) => Some(path.to_string()),
                SkipSerializing::Always => Some("always".to_string()),
            },
            via: via.map(str::to_string),
            map: f.flatten == Flatten::Map,
        });
    }
}

/// A message's table, as the lock records it.
pub(super) fn lock_message(m: &Message) -> LockedMessage {
    let (wire, wire_deserialize) = wire_names(m.name, &m.wire);
    let (representation, tag, content) = match m.representation {
        Representation::External => ("external", None, None),
        Representation::Internal { tag } => ("internal", Some(tag), None),
        Representation::Adjacent { tag, content } => ("adjacent", Some(tag), Some(content)),
        Representation::Untagged => ("untagged", None, None),
        Representation::Transparent => ("transparent", None, None),
    };
    LockedMessage {
        name: m.concrete_name(),
        wire,
        wire_deserialize,
        since: m.since.to_string(),
        kind: match m.kind {
            Kind::Enum => "enum".into(),
            Kind::Struct(_) => "struct".into(),
        },
        representation: Some(representation.to_string()),
        tag: tag.map(str::to_string),
        content: content.map(str::to_string),
        rename_all: convention(&m.rename_all),
        rename_all_fields: convention(&m.rename_all_fields),
        routes: m
            .routes
            .iter()
            .map(|r| format!("{} > {}", r.from, r.to))
            .collect(),
        fields: lock_fields(m, m.fields),
        variants: m
            .variants
            .iter()
            .enumerate()
            .map(|(position, v)| lock_variant(m, position, v))
            .collect(),
        frozen: m.frozen,
        codec: m
            .codec
            .is_positional()
            .then(|| m.codec.as_str().to_string()),
    }
}

/// Variant `v`, at `position` in `m`'s table; under a positional codec, with the index it
/// travels as.
fn lock_variant(m: &Message, position: usize, v: &Variant) -> LockedVariant {
    let (wire, wire_deserialize) = wire_names(v.name, &v.wire);
    LockedVariant {
        name: v.name.to_string(),
        wire,
        wire_deserialize,
        aliases: v.wire.aliases.iter().map(|a| a.to_string()).collect(),
        since: v.since.to_string(),
        catch_all: v.catch_all,
        rename_all: convention(&v.rename_all),
        fields: lock_fields(m, v.fields),
        index: m.codec.is_positional().then(|| m.variant_index(position)),
    }
}

/// The message as a peer sees it: what travels, and nothing that only produced it. Rust
/// names are replaced by wire names, so a rename in Rust alone compares equal; the case
/// conventions (`rename_all`, `rename_all_fields`, a variant's `rename_all`) are left out,
/// since their effect is already in every wire name, so a convention that maps each name to
/// itself compares equal too; aliases are a set, without the name they repeat.
pub(super) fn wire_view(m: &LockedMessage) -> LockedMessage {
    if m.codec.is_some() {
        return positional_view(m);
    }
    fn aliases<N: Named>(item: &N) -> Vec<String> {
        let mut aliases: Vec<String> = item
            .aliases()
            .iter()
            .filter(|alias| *alias != item.read())
            .cloned()
            .collect();
        aliases.sort();
        aliases.dedup();
        aliases
    }
    fn field(f: &LockedField) -> LockedField {
        LockedField {
            name: f.sent().to_string(),
            wire: None,
            aliases: aliases(f),
            via: None,
            ty: super::carried::wire_text(&f.ty),
            ..f.clone()
        }
    }
    LockedMessage {
        name: m.sent().to_string(),
        wire: None,
        rename_all: None,
        rename_all_fields: None,
        // A promise about releases to come, not what travels.
        frozen: false,
        fields: m.fields.iter().map(field).collect(),
        variants: m
            .variants
            .iter()
            .map(|v| LockedVariant {
                name: v.sent().to_string(),
                wire: None,
                aliases: aliases(v),
                rename_all: None,
                fields: v.fields.iter().map(field).collect(),
                ..v.clone()
            })
            .collect(),
        ..m.clone()
    }
}

/// The message as a peer sees it under a positional codec: names never travel, so fields
/// are named by their position and variants by their index, and serde's naming and
/// representation are left out (a positional format writes neither).
fn positional_view(m: &LockedMessage) -> LockedMessage {
    fn fields(fields: &[LockedField]) -> Vec<LockedField> {
        fields
            .iter()
            .enumerate()
            .map(|(position, f)| LockedField {
                name: position.to_string(),
                wire: None,
                wire_deserialize: None,
                aliases: Vec::new(),
                via: None,
                skip_serializing: None,
                ty: super::carried::wire_text(&f.ty),
                ..f.clone()
            })
            .collect()
    }
    LockedMessage {
        wire: None,
        wire_deserialize: None,
        representation: None,
        tag: None,
        content: None,
        rename_all: None,
        rename_all_fields: None,
        frozen: false,
        fields: fields(&m.fields),
        variants: m
            .variants
            .iter()
            .map(|v| LockedVariant {
                name: v
                    .index
                    .map_or_else(|| v.name.clone(), |index| index.to_string()),
                wire: None,
                wire_deserialize: None,
                aliases: Vec::new(),
                rename_all: None,
                catch_all: false,
                fields: fields(&v.fields),
                ..v.clone()
            })
            .collect(),
        ..m.clone()
    }
}
