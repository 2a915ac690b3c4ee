//! Parsing `#[since(...)]`, `#[compat(...)]` and the `#[serde(...)]` keys that matter
//! into typed attributes. Every mistake is recorded in the [`Ctxt`] and parsing goes on,
//! so one build shows every bad attribute of an item.

use crate::case::Case;
use crate::codec::Codec;
use crate::ctxt::Ctxt;
use crate::since;
use crate::suggest;
use crate::symbol::{
    ALIAS, AS, BETWEEN, BORSH, CODEC, COMPAT, CONTENT, DEFAULT, DENY_UNKNOWN_FIELDS, DEPRECATED,
    DESERIALIZE, DESERIALIZE_WITH, FALLBACK, FEATURE, FIELD_KEYS, FLATTEN, FROM, FROZEN, IGNORABLE,
    MAP_OF, NOTE, OPAQUE, OTHER, RENAME, RENAME_ALL, RENAME_ALL_FIELDS, ROUTES, SEQ_OF, SERDE,
    SERIALIZE, SINCE, SKIP, SKIP_DESERIALIZING, SKIP_SERIALIZING, SKIP_SERIALIZING_IF, Symbol, TAG,
    TO, TRANSPARENT, TYPE_KEYS, UNTAGGED, USE_DISCRIMINANT, VARIANT_KEYS, VIA, WARN, WIRE, WITH,
};
use proc_macro2::TokenTree;
use semver::Version;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Meta, Path, Token};

/// A version written in `#[since("X.Y.Z")]` or `deprecated = "X.Y.Z"`, with its literal
/// for error spans.
pub(crate) struct Since {
    pub(crate) version: Version,
    pub(crate) lit: LitStr,
    /// The `[[feature]]` that set this version (`#[compat(feature = "readlink")]` stands
    /// for its `since`, see `features.rs`), which errors name beside the item.
    pub(crate) feature: Option<String>,
}

impl Since {
    /// `` (feature `readlink`)`` when a feature set the version, else nothing: what an
    /// error writes after the item it names, as the send guard's `Unreadable` does.
    pub(crate) fn feature_note(since: Option<&Since>) -> String {
        since
            .and_then(|since| since.feature.as_deref())
            .map(|name| format!(" (feature `{name}`)"))
            .unwrap_or_default()
    }
}

/// A component named in `from`, `to`, `between` or `routes`.
#[derive(Clone)]
pub(crate) struct Component {
    pub(crate) name: String,
    pub(crate) lit: LitStr,
}

/// One direction a message travels in.
pub(crate) struct Route {
    pub(crate) from: String,
    pub(crate) to: String,
    /// The receiver as written (or the whole route, in `routes`); errors about the
    /// route point here.
    pub(crate) at: LitStr,
}

/// Where an attribute sits; decides which keys it takes.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    Type,
    Field,
    Variant,
}

impl Place {
    fn keys(self) -> &'static [Symbol] {
        match self {
            Self::Type => TYPE_KEYS,
            Self::Field => FIELD_KEYS,
            Self::Variant => VARIANT_KEYS,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Type => "a type",
            Self::Field => "a field",
            Self::Variant => "a variant",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Type => "types",
            Self::Field => "fields",
            Self::Variant => "variants",
        }
    }
}

/// Attributes of the struct or enum itself.
pub(crate) struct Container {
    pub(crate) since: Option<Since>,
    /// Whether a `#[since]` was written, valid or not: a bad one is reported once, not
    /// again as a missing one.
    pub(crate) since_written: bool,
    /// Whether `from`, `to`, `between` or `routes` was written, valid or not.
    pub(crate) direction_written: bool,
    /// Every component named, for the unknown-name check.
    pub(crate) components: Vec<Component>,
    /// The directions the message travels in; empty when none is declared.
    pub(crate) routes: Vec<Route>,
    /// Whether the routes are every combination of several names in `from`/`to` or
    /// `between`, rather than each written out: one of them may be a direction the
    /// message never takes.
    pub(crate) crossed: bool,
    /// `#[serde(default)]` on the container: every field can default.
    pub(crate) serde_default: bool,
    /// The `deny_unknown_fields` key of `#[serde(...)]`, for its span.
    pub(crate) deny_unknown_fields: Option<Path>,
    /// How serde writes the variants of an enum: `#[serde(tag = "...")]`,
    /// `#[serde(tag = "...", content = "...")]`, `#[serde(untagged)]` or none of them.
    pub(crate) tagging: Tagging,
    /// `#[serde(transparent)]`.
    pub(crate) transparent: bool,
    /// `#[serde(rename = "...")]` on the type.
    pub(crate) rename: Rename,
    /// `#[serde(rename_all = "...")]`.
    pub(crate) rename_all: RenameAll,
    /// `#[serde(rename_all_fields = "...")]` (enums).
    pub(crate) rename_all_fields: RenameAll,
    /// The `frozen` key of `#[compat(frozen)]`: an enum that will never gain a variant.
    pub(crate) frozen: Option<Path>,
    /// The `transparent` key of `#[compat(transparent)]`: a wrapper that writes the one value
    /// it holds, with a hand-written `Serialize`; not a message of its own.
    pub(crate) wrapper: Option<Path>,
    /// `#[compat(codec = "bincode")]`: how this type travels, over the policy's `[wire]
    /// codec`; with its literal.
    pub(crate) codec: Option<(LitStr, Codec)>,
    /// `#[borsh(use_discriminant = true)]`: borsh writes explicit discriminants as the
    /// variants' indexes.
    pub(crate) borsh_discriminants: bool,
    /// `#[compat(feature = "readlink")]`: the `[[feature]]` the type belongs to
    /// (`features.rs`).
    pub(crate) feature: Option<LitStr>,
    /// `#[compat(wire(as = "LabeledError", via = "..."))]` on a type whose `Serialize` is
    /// written by hand: what every value of it writes. Like a wrapper, it is no message of
    /// its own (`expand_wrapper.rs`), with the key for errors.
    pub(crate) described: Option<(Path, Wire)>,
}

/// `rename = "x"` or `rename(serialize = "x", deserialize = "y")`: the names written
/// when sending and read when receiving, each with its literal.
#[derive(Default, Clone)]
pub(crate) struct Rename {
    pub(crate) serialize: Option<LitStr>,
    pub(crate) deserialize: Option<LitStr>,
}

/// `rename_all = "..."` (or its `serialize`/`deserialize` form): the convention each way.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RenameAll {
    pub(crate) serialize: Option<Case>,
    pub(crate) deserialize: Option<Case>,
}

impl RenameAll {
    pub(crate) fn is_set(self) -> bool {
        self.serialize.is_some() || self.deserialize.is_some()
    }
}

/// Whether serde writes a field when sending.
#[derive(Clone)]
pub(crate) enum SkipSerializing {
    Never,
    /// `skip_serializing_if = "path"`: the path as written, and its literal.
    If(LitStr),
    /// `skip_serializing`, with its key.
    Always(Path),
}

/// How serde writes an enum's variants, which decides what `#[serde(other)]` can catch.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Tagging {
    /// serde's default, `{"Drain":{...}}`: `#[serde(other)]` receives unknown unit
    /// variants (`"Drain"`) only.
    External,
    /// `#[serde(tag = "type")]`, `{"type":"Drain",...}`: `#[serde(other)]` receives every
    /// unknown variant, with or without data.
    Internal(String),
    /// `#[serde(tag = "t", content = "c")]`, `{"t":"Drain","c":{...}}`: `#[serde(other)]`
    /// receives unknown variants without content only.
    Adjacent(String, String),
    /// `#[serde(untagged)]`: no tag at all, and serde allows no `#[serde(other)]`.
    Untagged,
}

/// Attributes of a field.
pub(crate) struct Field {
    pub(crate) since: Option<Since>,
    /// The `default` key of `#[compat(default)]`, for its span.
    pub(crate) default: Option<Path>,
    /// `#[serde(default)]`, `#[serde(default = "...")]` or `#[serde(skip_deserializing)]`.
    pub(crate) serde_default: bool,
    /// The `with` or `deserialize_with` key of `#[serde(...)]`, for its span: the field is
    /// decoded by that function, which serde does not call for a missing field, so an
    /// `Option<_>` is no longer filled with `None`.
    pub(crate) serde_with: Option<Path>,
    /// `#[serde(skip)]` (or both `skip_serializing` and `skip_deserializing`): the field
    /// never travels through serde.
    pub(crate) skip: bool,
    /// `#[borsh(skip)]`: the field never travels under borsh.
    pub(crate) borsh_skip: bool,
    /// `#[serde(rename = "...")]`.
    pub(crate) rename: Rename,
    /// Each `#[serde(alias = "...")]`, in the order written.
    pub(crate) aliases: Vec<LitStr>,
    /// `skip_serializing_if` or `skip_serializing`.
    pub(crate) skip_serializing: SkipSerializing,
    /// The `flatten` key of `#[serde(flatten)]`.
    pub(crate) flatten: Option<Path>,
    pub(crate) ignorable: bool,
    pub(crate) deprecated: Option<Since>,
    /// `note = "..."` and the key, for the error when it comes without `deprecated`.
    pub(crate) note: Option<(Path, String)>,
    /// Whether its `#[compat(...)]` had a mistake; the policy checks then leave the field
    /// alone, since the key the user meant may be the fix.
    pub(crate) malformed: bool,
    /// `#[compat(wire = ...)]`: what a hand-written encoding writes in place of the type,
    /// and how the guard reaches it.
    pub(crate) described: Option<Wire>,
    /// `#[compat(opaque = "why")]`: the field goes unchecked, for the reason given.
    pub(crate) opaque: Option<LitStr>,
    /// `#[compat(feature = "readlink")]`: the `[[feature]]` the field belongs to.
    pub(crate) feature: Option<LitStr>,
}

/// What a field's hand-written encoding writes (`with`, `serialize_with`, `from`/`into` or
/// a hand-written `Serialize` on its type), written `#[compat(wire = "string")]`,
/// `#[compat(wire(map_of = "Value"))]`, `#[compat(wire(seq_of = "Value"))]` or
/// `#[compat(wire(as = "LabeledError"))]`: the tables, the lock and the fingerprint record
/// it instead of the Rust type, and the messages it names travel the field's routes.
pub(crate) enum Described {
    /// One of [`SCALAR_WIRES`]: nothing inside to check.
    Scalar(String),
    /// A map with string keys whose values are of this type.
    MapOf(syn::Type),
    /// A sequence of values of this type.
    SeqOf(syn::Type),
    /// The value written by this type (which has a table, or is another described type).
    As(syn::Type),
}

/// The shapes `#[compat(wire = "...")]` names: what serde's data model writes.
pub(crate) const SCALAR_WIRES: &[&str] = &["string", "integer", "float", "bool", "bytes", "unit"];

/// `#[compat(wire = ...)]` in full: the shape written, and `via = "path"`, the function
/// that makes the described value from the Rust one so the send guard can walk it.
pub(crate) struct Wire {
    pub(crate) shape: Described,
    /// `via = "path::to_fn"`: `fn(&Field) -> R`, where `R` borrows as the described type
    /// (`as`), or yields items that do (`seq_of`) or `(key, value)` pairs whose values do
    /// (`map_of`). Parsed from the string, its tokens spanned there, so a type error lands
    /// on it.
    pub(crate) via: Option<syn::ExprPath>,
}

impl Described {
    /// The type inside whose values travel, if any.
    pub(crate) fn carried(&self) -> Option<&syn::Type> {
        match self {
            Self::Scalar(_) => None,
            Self::MapOf(ty) | Self::SeqOf(ty) | Self::As(ty) => Some(ty),
        }
    }
}

/// Attributes of an enum variant.
pub(crate) struct Variant {
    pub(crate) since: Option<Since>,
    /// The `other` key of `#[compat(other)]`: the variant receives unknown variants when
    /// `Deserialize` is written by hand (or the enum is untagged).
    pub(crate) compat_other: Option<Path>,
    /// The `other` key of `#[serde(other)]`: serde routes unknown variants here.
    pub(crate) serde_other: Option<Path>,
    /// `#[serde(skip)]`: the variant never travels.
    pub(crate) skip: bool,
    /// `#[serde(rename = "...")]`.
    pub(crate) rename: Rename,
    /// Each `#[serde(alias = "...")]`, in the order written.
    pub(crate) aliases: Vec<LitStr>,
    /// `#[serde(rename_all = "...")]` on the variant: the convention of its fields.
    pub(crate) rename_all: RenameAll,
    /// `#[compat(fallback = "...", via = "...", warn = "...")]`.
    pub(crate) fallback: Option<Fallback>,
    /// `#[compat(feature = "readlink")]`: the `[[feature]]` the variant belongs to.
    pub(crate) feature: Option<LitStr>,
}

/// `#[compat(fallback = "StatFs", via = "path::to::convert", warn = "...")]` on a variant:
/// the older sibling sent instead to a peer that predates it, how to convert, and what the
/// peer loses. Checked in `rules_fallback.rs`; applied by the guard (`expand_guard.rs`).
pub(crate) struct Fallback {
    /// The older sibling's name as written: errors about it point here.
    pub(crate) to: LitStr,
    /// `via = "path"`: the conversion's path, parsed from the string (its tokens carry the
    /// string's span, so a type error lands there), with the key.
    pub(crate) via: Option<(Path, syn::ExprPath)>,
    /// `warn = "..."`: what the peer loses.
    pub(crate) warn: Option<LitStr>,
}

impl Container {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let (directions, marks) = Directions::read(cx, attrs);
        let direction_written = directions.written();
        let serde = ContainerSerde::read(attrs);
        let Routes {
            components,
            routes,
            crossed,
        } = directions.routes(cx);
        Self {
            since: read_since(cx, attrs, Place::Type),
            since_written: attrs.iter().any(|attr| attr.path() == SINCE),
            direction_written,
            components,
            routes,
            crossed,
            serde_default: serde.default,
            deny_unknown_fields: serde.deny_unknown_fields,
            tagging: serde.tagging,
            transparent: serde.transparent,
            rename: serde.rename,
            rename_all: serde.rename_all,
            rename_all_fields: serde.rename_all_fields,
            frozen: marks.frozen,
            wrapper: marks.wrapper,
            codec: marks.codec,
            borsh_discriminants: borsh_discriminants(attrs),
            feature: marks.feature,
            described: marks.described,
        }
    }
}

/// The flags of `#[compat(...)]` on a type: `frozen`, `transparent`; and `codec`.
#[derive(Default)]
struct Marks {
    frozen: Option<Path>,
    wrapper: Option<Path>,
    codec: Option<(LitStr, Codec)>,
    feature: Option<LitStr>,
    described: Option<(Path, Wire)>,
}

/// `codec = "bincode"`: one of the codecs `compat.toml`'s `[wire] codec` names.
fn codec(meta: &ParseNestedMeta<'_>) -> syn::Result<(LitStr, Codec)> {
    let lit: LitStr = meta
        .value()
        .map_err(|_| {
            meta.error("`codec` takes how the type travels: #[compat(codec = \"bincode\")]")
        })?
        .parse()?;
    let written = lit.value();
    match Codec::parse(&written) {
        Some(known) => Ok((lit, known)),
        None => {
            let names = Codec::ALL.map(Codec::as_str);
            let hint = suggest::closest(&written, names.iter().copied())
                .map(|near| format!(" (did you mean \"{near}\"?)"))
                .unwrap_or_default();
            Err(syn::Error::new(
                lit.span(),
                format!(
                    "unknown codec `{written}`{hint}; write \"self-describing\", \"serde-positional\", \"bincode\" or \"borsh\""
                ),
            ))
        }
    }
}

/// Whether `#[borsh(use_discriminant = true)]` is written on the type.
fn borsh_discriminants(attrs: &[Attribute]) -> bool {
    let mut used = false;
    for attr in attrs.iter().filter(|attr| attr.path() == BORSH) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path == USE_DISCRIMINANT && meta.input.peek(Token![=]) {
                let value: syn::LitBool = meta.value()?.parse()?;
                used = value.value;
                return Ok(());
            }
            skip_value(&meta)
        });
    }
    used
}

/// Whether `#[borsh(skip)]` is written on a field.
fn borsh_skip(attrs: &[Attribute]) -> bool {
    let mut skip = false;
    for attr in attrs.iter().filter(|attr| attr.path() == BORSH) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path == SKIP {
                skip = true;
                return Ok(());
            }
            skip_value(&meta)
        });
    }
    skip
}

/// A list of components as written, with its key.
type Listed<T> = Option<(Path, Vec<T>)>;

/// The keys of `#[compat(...)]` on a type that say who exchanges the message, as written.
#[derive(Default)]
struct Directions {
    from: Listed<Component>,
    to: Listed<Component>,
    between: Listed<Component>,
    routes: Listed<(Component, Component)>,
}

/// The directions a message travels in, and the components they name.
struct Routes {
    components: Vec<Component>,
    routes: Vec<Route>,
    /// See [`Container::crossed`].
    crossed: bool,
}

impl Directions {
    /// The directions, and the flags written next to them (one pass over the keys, so each
    /// unknown or repeated key is reported once).
    fn read(cx: &Ctxt, attrs: &[Attribute]) -> (Self, Marks) {
        let mut directions = Self::default();
        let mut marks = Marks::default();
        read_compat(cx, attrs, Place::Type, |key, meta| {
            let slot = match key {
                // #[compat(frozen)]: the enum never gains a variant
                FROZEN => {
                    flag(cx, meta)?;
                    marks.frozen = Some(meta.path.clone());
                    return Ok(());
                }
                // #[compat(feature = "readlink")]: the type belongs to a named feature
                FEATURE => {
                    marks.feature = Some(feature(meta)?);
                    return Ok(());
                }
                // #[compat(codec = "bincode")]: how this type travels
                CODEC => {
                    marks.codec = Some(codec(meta)?);
                    return Ok(());
                }
                // #[compat(wire(as = "LabeledError", via = "ShellError::to_labeled"))]:
                // what a hand-written `Serialize` writes for every value of the type
                WIRE => {
                    marks.described = Some((meta.path.clone(), wire(cx, meta)?));
                    return Ok(());
                }
                // #[compat(transparent)]: a wrapper that writes the value it holds
                TRANSPARENT => {
                    flag(cx, meta)?;
                    marks.wrapper = Some(meta.path.clone());
                    return Ok(());
                }
                // #[compat(from = "agent")] or #[compat(from = ["agent", "web"])]
                FROM => &mut directions.from,
                // #[compat(to = "server")] or #[compat(to = ["server", "proxy"])]
                TO => &mut directions.to,
                // #[compat(between = ["server", "agent"])]: both ways; one name for a
                // component that talks to itself
                BETWEEN => &mut directions.between,
                // #[compat(routes = ["agent > server", "server > web"])]: exactly these
                // directions
                ROUTES => {
                    directions.routes = Some((meta.path.clone(), route_list(cx, meta)?));
                    return Ok(());
                }
                _ => unreachable!("keys are filtered by Place::Type"),
            };
            *slot = Some((meta.path.clone(), components(meta)?));
            Ok(())
        });
        (directions, marks)
    }

    /// Whether any of the keys was written, valid or not.
    fn written(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.between.is_some() || self.routes.is_some()
    }

    /// The routes the keys make; keys that do not go together are reported, and make none.
    fn routes(self, cx: &Ctxt) -> Routes {
        let mut components = Vec::new();
        let mut routes = Vec::new();
        let mut crossed = false;
        match (self.from, self.to, self.between, self.routes) {
            (from, to, between, Some((key, _)))
                if from.is_some() || to.is_some() || between.is_some() =>
            {
                cx.error_spanned_by(
                    key,
                    "use either `routes` or `from`/`to`/`between`, not both: `routes` already names \
                     every direction the message travels in; move the others into it as \"sender > receiver\"",
                );
            }
            (None, None, None, Some((_, pairs))) => {
                for (sender, receiver) in pairs {
                    push_route(&mut routes, &sender, &receiver);
                    let same = sender.name == receiver.name;
                    components.push(sender);
                    if !same {
                        components.push(receiver);
                    }
                }
            }
            (from, to, Some((key, _)), None) if from.is_some() || to.is_some() => cx.error_spanned_by(
                key,
                "use either `between` or `from` and `to`, not both: `between` already means both ways",
            ),
            (None, None, Some((_, names)), None) => {
                for sender in &names {
                    for receiver in &names {
                        if sender.name != receiver.name || names.len() == 1 {
                            push_route(&mut routes, sender, receiver);
                        }
                    }
                }
                crossed = routes.len() > 1;
                components = names;
            }
            (Some((_, senders)), Some((_, receivers)), None, None) => {
                for sender in &senders {
                    for receiver in &receivers {
                        push_route(&mut routes, sender, receiver);
                    }
                }
                crossed = routes.len() > 1;
                components = senders.into_iter().chain(receivers).collect();
            }
            (Some((key, _)), None, None, None) => cx.error_spanned_by(
                key,
                "`from` needs `to`: say which component receives it, e.g. #[compat(from = \"agent\", to = \"server\")]",
            ),
            (None, Some((key, _)), None, None) => cx.error_spanned_by(
                key,
                "`to` needs `from`: say which component sends it, e.g. #[compat(from = \"agent\", to = \"server\")]",
            ),
            _ => {}
        }
        Routes {
            components,
            routes,
            crossed,
        }
    }
}

/// What `#[serde(...)]` on the struct or enum says about the wire; each field as in
/// [`Container`].
struct ContainerSerde {
    default: bool,
    deny_unknown_fields: Option<Path>,
    tagging: Tagging,
    transparent: bool,
    rename: Rename,
    rename_all: RenameAll,
    rename_all_fields: RenameAll,
}

impl ContainerSerde {
    fn read(attrs: &[Attribute]) -> Self {
        let mut default = false;
        let mut deny_unknown_fields = None;
        let mut tag: Option<LitStr> = None;
        let mut content = None;
        let mut untagged = false;
        let mut transparent = false;
        let mut rename = Rename::default();
        let mut rename_all = RenameAll::default();
        let mut rename_all_fields = RenameAll::default();
        read_serde(attrs, |meta| {
            if meta.path == RENAME {
                // #[serde(rename = "name")], #[serde(rename(serialize = "a", deserialize = "b"))]
                rename = renames(meta);
            } else if meta.path == RENAME_ALL {
                // #[serde(rename_all = "camelCase")], or with serialize/deserialize
                rename_all = conventions(meta);
            } else if meta.path == RENAME_ALL_FIELDS {
                // #[serde(rename_all_fields = "camelCase")], or with serialize/deserialize
                rename_all_fields = conventions(meta);
            } else if meta.path == TRANSPARENT {
                // #[serde(transparent)]
                transparent = true;
            } else if meta.path == DEFAULT {
                // #[serde(default)] or #[serde(default = "path")]
                default = true;
            } else if meta.path == DENY_UNKNOWN_FIELDS {
                // #[serde(deny_unknown_fields)]
                deny_unknown_fields = Some(meta.path.clone());
            } else if meta.path == TAG {
                // #[serde(tag = "type")]
                tag = lit_value(meta);
            } else if meta.path == CONTENT {
                // #[serde(tag = "t", content = "c")]
                content = string_value(meta);
            } else if meta.path == UNTAGGED {
                // #[serde(untagged)]
                untagged = true;
            }
        });
        let tagging = match (tag.map(|lit| lit.value()), content) {
            _ if untagged => Tagging::Untagged,
            (Some(tag), Some(content)) => Tagging::Adjacent(tag, content),
            (Some(tag), None) => Tagging::Internal(tag),
            (None, _) => Tagging::External,
        };
        Self {
            default,
            deny_unknown_fields,
            tagging,
            transparent,
            rename,
            rename_all,
            rename_all_fields,
        }
    }
}

impl Field {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut default = None;
        let mut ignorable = false;
        let mut deprecated = None;
        let mut note = None;
        let mut described = None;
        let mut opaque = None;
        let mut feature_name = None;
        let clean = read_compat(cx, attrs, Place::Field, |key, meta| {
            match key {
                // #[compat(feature = "readlink")]
                FEATURE => feature_name = Some(feature(meta)?),
                // #[compat(wire = "string")], #[compat(wire(map_of = "Value"))],
                // #[compat(wire(as = "LabeledError", via = "ShellError::to_labeled"))]
                WIRE => described = Some(wire(cx, meta)?),
                // #[compat(opaque = "why nothing in it needs a check")]
                OPAQUE => {
                    let lit: LitStr = meta.value().map_err(|_| {
                        meta.error("`opaque` takes the reason the field needs no check: #[compat(opaque = \"why\")]")
                    })?.parse()?;
                    if lit.value().trim().is_empty() {
                        return Err(syn::Error::new(
                            lit.span(),
                            "say why the field needs no check: #[compat(opaque = \"why\")]; an unchecked part of the wire should say so",
                        ));
                    }
                    opaque = Some(lit);
                }
                // #[compat(default)]
                DEFAULT => {
                    flag(cx, meta)?;
                    default = Some(meta.path.clone());
                }
                // #[compat(ignorable)]
                IGNORABLE => ignorable = flag(cx, meta)?,
                // #[compat(deprecated = "0.9.0")]
                DEPRECATED => {
                    if !meta.input.peek(Token![=]) {
                        return Err(meta.error(
                            "`deprecated` takes the release that deprecated the field: #[compat(deprecated = \"X.Y.Z\")]",
                        ));
                    }
                    let lit: LitStr = meta.value()?.parse()?;
                    deprecated = release(cx, lit);
                }
                // #[compat(deprecated = "0.9.0", note = "use `selectors`")]
                NOTE => {
                    let lit: LitStr = meta.value()?.parse()?;
                    note = Some((meta.path.clone(), lit.value()));
                }
                _ => unreachable!("keys are filtered by Place::Field"),
            }
            Ok(())
        });
        let serde = FieldSerde::read(attrs);
        Self {
            since: read_since(cx, attrs, Place::Field),
            default,
            serde_default: serde.default,
            serde_with: serde.with,
            skip: serde.skip,
            borsh_skip: borsh_skip(attrs),
            rename: serde.rename,
            aliases: serde.aliases,
            skip_serializing: serde.skip_serializing,
            flatten: serde.flatten,
            ignorable,
            deprecated,
            note,
            described,
            opaque,
            feature: feature_name,
            malformed: !clean,
        }
    }
}

/// What `#[serde(...)]` on a field says about the wire; each field as in [`Field`].
struct FieldSerde {
    default: bool,
    with: Option<Path>,
    skip: bool,
    rename: Rename,
    aliases: Vec<LitStr>,
    skip_serializing: SkipSerializing,
    flatten: Option<Path>,
}

impl FieldSerde {
    fn read(attrs: &[Attribute]) -> Self {
        let mut default = false;
        let mut with = None;
        let mut skip = false;
        let mut skip_deserializing = false;
        let mut rename = Rename::default();
        let mut aliases = Vec::new();
        let mut skip_serializing = SkipSerializing::Never;
        let mut flatten = None;
        read_serde(attrs, |meta| {
            if meta.path == RENAME {
                // #[serde(rename = "name")], #[serde(rename(serialize = "a", deserialize = "b"))]
                rename = renames(meta);
            } else if meta.path == ALIAS {
                // #[serde(alias = "name")]
                aliases.extend(lit_value(meta));
            } else if meta.path == SKIP_SERIALIZING_IF {
                // #[serde(skip_serializing_if = "Option::is_none")]
                if let Some(lit) = lit_value(meta)
                    && !matches!(skip_serializing, SkipSerializing::Always(_))
                {
                    skip_serializing = SkipSerializing::If(lit);
                }
            } else if meta.path == SKIP_SERIALIZING {
                // #[serde(skip_serializing)]
                skip_serializing = SkipSerializing::Always(meta.path.clone());
            } else if meta.path == FLATTEN {
                // #[serde(flatten)]
                flatten = Some(meta.path.clone());
            } else if meta.path == DEFAULT || meta.path == SKIP_DESERIALIZING {
                // #[serde(default)], #[serde(default = "path")], #[serde(skip_deserializing)]
                default = true;
                skip_deserializing |= meta.path == SKIP_DESERIALIZING;
            } else if meta.path == WITH || meta.path == DESERIALIZE_WITH {
                // #[serde(with = "module")], #[serde(deserialize_with = "path")]
                with.get_or_insert_with(|| meta.path.clone());
            } else if meta.path == SKIP {
                // #[serde(skip)]
                skip = true;
            }
        });
        // Neither written nor read: as good as `#[serde(skip)]`.
        skip |= skip_deserializing && matches!(skip_serializing, SkipSerializing::Always(_));
        Self {
            default,
            with,
            skip,
            rename,
            aliases,
            skip_serializing,
            flatten,
        }
    }
}

impl Variant {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut compat_other = None;
        let mut fallback = FallbackKeys::default();
        let mut feature_name = None;
        read_compat(cx, attrs, Place::Variant, |key, meta| {
            match key {
                // #[compat(feature = "readlink")]
                FEATURE => feature_name = Some(feature(meta)?),
                // #[compat(other)]
                OTHER => {
                    flag(cx, meta)?;
                    compat_other = Some(meta.path.clone());
                }
                // #[compat(fallback = "StatFs")], with `via` and `warn` beside it
                FALLBACK | VIA | WARN => fallback.read(cx, key, meta)?,
                _ => unreachable!("keys are filtered by Place::Variant"),
            }
            Ok(())
        });
        let mut serde_other = None;
        let mut skip = false;
        let mut rename = Rename::default();
        let mut aliases = Vec::new();
        let mut rename_all = RenameAll::default();
        read_serde(attrs, |meta| {
            if meta.path == RENAME {
                // #[serde(rename = "name")], #[serde(rename(serialize = "a", deserialize = "b"))]
                rename = renames(meta);
            } else if meta.path == ALIAS {
                // #[serde(alias = "name")]
                aliases.extend(lit_value(meta));
            } else if meta.path == RENAME_ALL {
                // #[serde(rename_all = "camelCase")] on a variant: its fields
                rename_all = conventions(meta);
            } else if meta.path == OTHER {
                // #[serde(other)]
                serde_other.get_or_insert_with(|| meta.path.clone());
            } else if meta.path == SKIP {
                // #[serde(skip)]
                skip = true;
            }
        });
        Self {
            since: read_since(cx, attrs, Place::Variant),
            compat_other,
            serde_other,
            skip,
            rename,
            aliases,
            rename_all,
            fallback: fallback.finish(cx),
            feature: feature_name,
        }
    }
}

/// The keys of a fallback as written, before they are known to come together.
#[derive(Default)]
struct FallbackKeys {
    to: Option<LitStr>,
    via: Option<(Path, syn::ExprPath)>,
    warn: Option<(Path, LitStr)>,
}

impl FallbackKeys {
    fn read(&mut self, cx: &Ctxt, key: Symbol, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let lit: LitStr = meta.value()?.parse()?;
        match key {
            // #[compat(fallback = "StatFs")]: the older sibling sent instead
            FALLBACK => self.to = Some(lit),
            // #[compat(via = "path::to::convert")]: `fn(&NewPayload) -> OldPayload`
            VIA => match lit.parse::<syn::ExprPath>() {
                Ok(path) => self.via = Some((meta.path.clone(), path)),
                Err(_) => cx.error_spanned_by(
                    &lit,
                    format!(
                        "`via` names the function that converts this variant into its fallback, as a path: \
                         via = \"convert_statfs\" or via = \"module::convert\", not `{}`",
                        lit.value()
                    ),
                ),
            },
            // #[compat(warn = "IPv6 will not be resolved")]: what the peer loses
            _ => {
                if lit.value().trim().is_empty() {
                    cx.error_spanned_by(
                        &lit,
                        "`warn` says what a peer loses with the fallback, for the log: write it, or remove `warn`",
                    );
                }
                self.warn = Some((meta.path.clone(), lit));
            }
        }
        Ok(())
    }

    /// The fallback, or `None` (with an error at `via` or `warn` written without it).
    fn finish(self, cx: &Ctxt) -> Option<Fallback> {
        let Some(to) = self.to else {
            for key in self
                .via
                .map(|(key, _)| key)
                .into_iter()
                .chain(self.warn.map(|(key, _)| key))
            {
                let word = key.get_ident().map(ToString::to_string).unwrap_or_default();
                cx.error_spanned_by(
                    &key,
                    format!(
                        "`{word}` belongs to a fallback, and this variant names none: add \
                         `fallback = \"OlderVariant\"` (the sibling sent instead to a peer that predates \
                         this variant), or remove `{word}`"
                    ),
                );
            }
            return None;
        };
        Some(Fallback {
            to,
            via: self.via,
            warn: self.warn.map(|(_, lit)| lit),
        })
    }
}

fn push_route(routes: &mut Vec<Route>, sender: &Component, receiver: &Component) {
    if !routes
        .iter()
        .any(|route| route.from == sender.name && route.to == receiver.name)
    {
        routes.push(Route {
            from: sender.name.clone(),
            to: receiver.name.clone(),
            at: receiver.lit.clone(),
        });
    }
}

/// `feature = "readlink"`: a name, checked against the policy's `[[feature]]` tables by
/// `features.rs`.
fn feature(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    let lit: LitStr = meta
        .value()
        .map_err(|_| meta.error("`feature` takes the name of a [[feature]] in compat.toml: #[compat(feature = \"readlink\")]"))?
        .parse()?;
    Ok(lit)
}

/// `#[since("0.8.0")]`: at most one per item.
fn read_since(cx: &Ctxt, attrs: &[Attribute], place: Place) -> Option<Since> {
    let mut found: Option<Since> = None;
    let mut seen = false;
    for attr in attrs.iter().filter(|attr| attr.path() == SINCE) {
        if seen {
            cx.error_spanned_by(
                attr,
                format!(
                    "duplicate #[since]: {} has one first release; keep the earliest",
                    place.noun()
                ),
            );
            continue;
        }
        seen = true;
        let lit = match &attr.meta {
            Meta::List(list) => {
                match attr.parse_args::<LitStr>() {
                    Ok(lit) => lit,
                    Err(_) if list.tokens.is_empty() => {
                        cx.error_spanned_by(attr, "#[since] needs the release that first shipped this: #[since(\"X.Y.Z\")]");
                        continue;
                    }
                    Err(_) => {
                        let written = list.tokens.to_string().replace(' ', "");
                        cx.error_spanned_by(
                            &list.tokens,
                            format!("write the version as one string: #[since(\"{written}\")]"),
                        );
                        continue;
                    }
                }
            }
            Meta::Path(_) => {
                cx.error_spanned_by(
                    attr,
                    "#[since] needs the release that first shipped this: #[since(\"X.Y.Z\")]",
                );
                continue;
            }
            Meta::NameValue(name_value) => {
                let written = match &name_value.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }) => lit.value(),
                    _ => "X.Y.Z".to_owned(),
                };
                cx.error_spanned_by(
                    attr,
                    format!("write the version in parentheses: #[since(\"{written}\")]"),
                );
                continue;
            }
        };
        found = release(cx, lit);
    }
    found
}

/// A release version from a string literal; an unparsable one is reported at the literal.
fn release(cx: &Ctxt, lit: LitStr) -> Option<Since> {
    match since::parse_release(&lit.value()) {
        Ok(version) => Some(Since {
            version,
            lit,
            feature: None,
        }),
        Err(why) => {
            cx.error_spanned_by(&lit, why);
            None
        }
    }
}

/// Runs `key` for every known key of every `#[compat(...)]`, reporting unknown and
/// duplicate keys itself; returns whether every attribute was well-formed.
fn read_compat(
    cx: &Ctxt,
    attrs: &[Attribute],
    place: Place,
    mut key: impl FnMut(Symbol, &ParseNestedMeta<'_>) -> syn::Result<()>,
) -> bool {
    let before = cx.len();
    let mut seen: Vec<Symbol> = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path() == COMPAT) {
        let result = attr.parse_nested_meta(|meta| {
            let Some(&symbol) = place.keys().iter().find(|symbol| meta.path == **symbol) else {
                unknown_key(cx, &meta.path, place);
                return skip_value(&meta);
            };
            if seen.contains(&symbol) {
                cx.error_spanned_by(
                    &meta.path,
                    format!("duplicate key `{symbol}` in #[compat(...)]"),
                );
                return skip_value(&meta);
            }
            seen.push(symbol);
            key(symbol, &meta)
        });
        if let Err(error) = result {
            cx.error(error);
        }
    }
    cx.len() == before
}

fn unknown_key(cx: &Ctxt, path: &Path, place: Place) {
    let word = path.get_ident().map_or_else(
        || quote::quote!(#path).to_string().replace(' ', ""),
        ToString::to_string,
    );
    let expected = place
        .keys()
        .iter()
        .map(|symbol| format!("`{symbol}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let elsewhere = [Place::Type, Place::Field, Place::Variant]
        .into_iter()
        .find(|other| *other != place && other.keys().iter().any(|symbol| path == symbol));
    let message = if let Some(other) = elsewhere {
        format!(
            "`{word}` goes on {}, not on {}; on {}, #[compat(...)] takes: {expected}",
            other.plural(),
            place.plural(),
            place.plural()
        )
    } else {
        let hint = suggest::closest(&word, place.keys().iter().map(|symbol| symbol.0))
            .map(|near| format!(" (did you mean `{near}`?)"))
            .unwrap_or_default();
        format!(
            "unknown key `{word}` in #[compat(...)] on {}{hint}; expected one of: {expected}",
            place.noun()
        )
    };
    cx.error_spanned_by(path, message);
}

/// Reads the keys of `#[serde(...)]` that matter to a peer, ignoring the rest; serde
/// reports its own mistakes.
fn read_serde(attrs: &[Attribute], mut key: impl FnMut(&ParseNestedMeta<'_>)) {
    for attr in attrs.iter().filter(|attr| attr.path() == SERDE) {
        let _ = attr.parse_nested_meta(|meta| {
            key(&meta);
            skip_value(&meta)
        });
    }
}

/// The string of `key = "..."`, if that is what follows the key; anything else is left for
/// serde to report.
fn string_value(meta: &ParseNestedMeta<'_>) -> Option<String> {
    lit_value(meta).map(|lit| lit.value())
}

/// The literal of `key = "..."`, if that is what follows the key.
fn lit_value(meta: &ParseNestedMeta<'_>) -> Option<LitStr> {
    if !meta.input.peek(Token![=]) {
        return None;
    }
    meta.value().ok()?.parse().ok()
}

/// `key = "x"` (both ways) or `key(serialize = "x", deserialize = "y")` (either or both);
/// malformed input is left for serde to report.
fn ser_de(meta: &ParseNestedMeta<'_>) -> (Option<LitStr>, Option<LitStr>) {
    if meta.input.peek(Token![=]) {
        let lit = lit_value(meta);
        return (lit.clone(), lit);
    }
    let (mut serialize, mut deserialize) = (None, None);
    if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|inner| {
            if inner.path == SERIALIZE {
                serialize = lit_value(&inner);
            } else if inner.path == DESERIALIZE {
                deserialize = lit_value(&inner);
            }
            skip_value(&inner)
        });
    }
    (serialize, deserialize)
}

/// `rename = ...` on a type, field or variant.
fn renames(meta: &ParseNestedMeta<'_>) -> Rename {
    let (serialize, deserialize) = ser_de(meta);
    Rename {
        serialize,
        deserialize,
    }
}

/// `rename_all = ...` or `rename_all_fields = ...`; a convention serde does not know is
/// serde's to report.
fn conventions(meta: &ParseNestedMeta<'_>) -> RenameAll {
    let (serialize, deserialize) = ser_de(meta);
    let case = |lit: Option<LitStr>| lit.and_then(|lit| Case::from_serde(&lit.value()));
    RenameAll {
        serialize: case(serialize),
        deserialize: case(deserialize),
    }
}

/// `wire = "string"` or `wire(map_of = "T")`, `wire(seq_of = "T")`, `wire(as = "T")`, each
/// of the last three with an optional `via = "path"`.
fn wire(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Wire> {
    const EXPECTED: &str = "#[compat(wire = \"string\")] (or \"integer\", \"float\", \"bool\", \"bytes\", \"unit\"), \
         #[compat(wire(map_of = \"Type\"))], #[compat(wire(seq_of = \"Type\"))] or #[compat(wire(as = \"Type\"))]";
    if meta.input.peek(Token![=]) {
        let lit: LitStr = meta.value()?.parse()?;
        let shape = lit.value();
        if SCALAR_WIRES.contains(&shape.as_str()) {
            return Ok(Wire {
                shape: Described::Scalar(shape),
                via: None,
            });
        }
        let hint = suggest::closest(&shape, SCALAR_WIRES.iter().copied())
            .map(|near| format!(" (did you mean \"{near}\"?)"))
            .unwrap_or_default();
        return Err(syn::Error::new(
            lit.span(),
            format!("`{shape}` is not a shape serde writes{hint}; write {EXPECTED}"),
        ));
    }
    let mut found: Option<Described> = None;
    let mut via: Option<(Path, syn::ExprPath)> = None;
    let parsed = meta.parse_nested_meta(|inner| {
        let make: fn(syn::Type) -> Described = if inner.path == MAP_OF {
            // wire(map_of = "Value")
            Described::MapOf
        } else if inner.path == SEQ_OF {
            // wire(seq_of = "Value")
            Described::SeqOf
        } else if inner.path == AS {
            // wire(as = "LabeledError")
            Described::As
        } else if inner.path == VIA {
            // wire(as = "LabeledError", via = "ShellError::to_labeled")
            let lit: LitStr = inner.value()?.parse()?;
            let path = lit.parse::<syn::ExprPath>().map_err(|_| {
                syn::Error::new(
                    lit.span(),
                    format!(
                        "`via` takes the path of a function, not `{}`: via = \"ShellError::to_labeled\"",
                        lit.value()
                    ),
                )
            })?;
            via = Some((inner.path.clone(), path));
            return Ok(());
        } else {
            return Err(inner.error(format!(
                "expected one of {EXPECTED}, with `via = \"path::to_fn\"` beside the type"
            )));
        };
        let lit: LitStr = inner.value()?.parse()?;
        let ty: syn::Type = lit.parse()?;
        if found.is_some() {
            cx.error_spanned_by(&lit, "`wire(...)` names one shape");
        }
        found = Some(make(ty));
        Ok(())
    });
    parsed?;
    let shape = found.ok_or_else(|| meta.error(format!("`wire` needs a shape: {EXPECTED}")))?;
    Ok(Wire {
        shape,
        via: via.map(|(_, path)| path),
    })
}

/// Steps over `= value` or `(...)` after a key.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        meta.input.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// A key that takes no value. Given one anyway, the key still counts, so the mistake is
/// reported once rather than again as the key's absence.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        let path = &meta.path;
        let word = quote::quote!(#path).to_string();
        cx.error(meta.error(format!("`{word}` takes no value: write #[compat({word})]")));
        skip_value(meta)?;
    }
    Ok(true)
}

/// `"agent"` or `["agent", "web"]`: one string or a non-empty list of them.
fn strings(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Vec<LitStr>> {
    let input = meta.value()?;
    let lits: Vec<LitStr> = if input.peek(syn::token::Bracket) {
        let content;
        syn::bracketed!(content in input);
        content
            .parse_terminated(<LitStr as syn::parse::Parse>::parse, Token![,])?
            .into_iter()
            .collect()
    } else {
        vec![input.parse()?]
    };
    if lits.is_empty() {
        let path = &meta.path;
        let key = quote::quote!(#path).to_string();
        return Err(meta.error(format!(
            "`{key}` needs at least one entry, e.g. {key} = [{example}]"
        )));
    }
    Ok(lits)
}

/// The components of `from`, `to` or `between`.
fn components(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<Component>> {
    strings(meta, "\"server\"")?
        .into_iter()
        .map(|lit| {
            let name = lit.value();
            if is_component_name(&name) {
                Ok(Component { name, lit })
            } else {
                Err(syn::Error::new(
                    lit.span(),
                    "a component name is a word such as \"agent\", without spaces",
                ))
            }
        })
        .collect()
}

fn is_component_name(name: &str) -> bool {
    !name.trim().is_empty() && name.trim() == name && !name.contains('>')
}

/// The routes of `routes = ["agent > server", "server > web"]`. A malformed route is
/// reported at its string and left out; the others are still checked.
fn route_list(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<(Component, Component)>> {
    let mut routes = Vec::new();
    for lit in strings(meta, "\"agent > server\"")? {
        match route(&lit.value()) {
            Some((sender, receiver)) => routes.push((
                Component {
                    name: sender.to_owned(),
                    lit: lit.clone(),
                },
                Component {
                    name: receiver.to_owned(),
                    lit,
                },
            )),
            None => {
                let written = lit.value();
                let hint = ["->", "=>", "\u{2192}", ">>"]
                    .into_iter()
                    .find_map(|arrow| {
                        let fixed = written.replacen(arrow, ">", 1);
                        let (sender, receiver) = route(&fixed)?;
                        Some(format!(" (did you mean \"{sender} > {receiver}\"?)"))
                    })
                    .unwrap_or_default();
                cx.error_spanned_by(
                    &lit,
                    format!(
                        "`{written}` is not a route{hint}: write each route as \"sender > receiver\" \
                         with one `>` between two component names, e.g. routes = [\"agent > server\", \"server > web\"]"
                    ),
                );
            }
        }
    }
    Ok(routes)
}

/// `"agent > server"` as `("agent", "server")`; spaces around `>` are optional. The rest
/// of an arrow such as `->` is not taken for part of a name.
fn route(text: &str) -> Option<(&str, &str)> {
    let (sender, receiver) = text.split_once('>')?;
    let (sender, receiver) = (sender.trim(), receiver.trim());
    let whole = |name: &str| is_component_name(name) && !name.ends_with(['-', '=']);
    (whole(sender) && whole(receiver)).then_some((sender, receiver))
}
