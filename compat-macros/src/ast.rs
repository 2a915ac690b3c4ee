//! The input, parsed into a typed tree with its attributes read.

use crate::attr::{self, RenameAll};
use crate::carriers::{CARRIERS, SCALARS};
use crate::case::Case;
use crate::codec::Codec;
use crate::ctxt::Ctxt;
use crate::symbol::SERDE;
use proc_macro2::TokenStream;
use quote::ToTokens;
use semver::Version;
use syn::{DeriveInput, Ident, Type};

pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a syn::Generics,
    pub(crate) attrs: attr::Container,
    /// The type's name as serde writes and reads it.
    pub(crate) wire: Wire,
    pub(crate) data: Data<'a>,
    /// Whether a `#[serde(...)]` attribute sits anywhere on the item: on the type, a
    /// variant or a field (skipped ones included). A derive cannot see the other derives,
    /// so this is how it tells that serde decodes the item.
    pub(crate) serde: bool,
}

pub(crate) enum Data<'a> {
    Struct(Style, Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

/// How fields are written: `{ a: A }`, `(A)` or nothing.
#[derive(Copy, Clone)]
pub(crate) enum Style {
    Named,
    Tuple,
    Unit,
}

pub(crate) struct Variant<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) attrs: attr::Variant,
    /// The variant's name on the wire.
    pub(crate) wire: Wire,
    /// The convention of its fields: its own `rename_all`, or the enum's
    /// `rename_all_fields`.
    pub(crate) fields_rule: RenameAll,
    pub(crate) style: Style,
    pub(crate) fields: Vec<Field<'a>>,
    /// Its place among all the enum's variants, `#[serde(skip)]` ones included: the index
    /// serde writes it as.
    pub(crate) position: u32,
    /// Its discriminant as Rust counts it: an explicit `= N`, or one more than the variant
    /// before; the index borsh writes it as under `#[borsh(use_discriminant = true)]`
    /// (bincode 2's derive writes the place, whatever the discriminant).
    pub(crate) discriminant: u32,
    /// Whether the discriminant is written (`= N`), so that no insertion before the
    /// variant moves it.
    pub(crate) explicit: bool,
}

pub(crate) struct Field<'a> {
    /// The name on the wire as serde writes it by default: the identifier, or the index.
    pub(crate) name: String,
    /// The identifier, or the type of a tuple field: what errors about the field point at.
    pub(crate) at: TokenStream,
    pub(crate) named: bool,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: attr::Field,
    /// The field's name on the wire; for a flattened field, its Rust name.
    pub(crate) wire: Wire,
    /// What a `#[serde(flatten)]` field stands for.
    pub(crate) flatten: Option<Flattened<'a>>,
}

/// A name as serde writes it, reads it, and also reads it (aliases).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Wire {
    pub(crate) serialize: String,
    pub(crate) deserialize: String,
    pub(crate) aliases: Vec<String>,
}

impl Wire {
    /// Every name a receiver reads as this one.
    pub(crate) fn accepted(&self) -> impl Iterator<Item = &str> {
        core::iter::once(self.deserialize.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// A name with `rename`, `alias` and a `rename_all` rule applied, as serde does: an
    /// explicit rename wins over the rule, each way; aliases are taken as written, each
    /// once, without one that repeats the name read.
    fn of(
        name: &str,
        rename: &attr::Rename,
        aliases: &[syn::LitStr],
        rule: RenameAll,
        convert: fn(Case, &str) -> String,
    ) -> Self {
        let side = |explicit: &Option<syn::LitStr>, case: Option<Case>| match (explicit, case) {
            (Some(lit), _) => lit.value(),
            (None, Some(case)) => convert(case, name),
            (None, None) => name.to_owned(),
        };
        let deserialize = side(&rename.deserialize, rule.deserialize);
        // An alias that repeats the name read, or another alias, reads nothing more.
        let mut read: Vec<String> = Vec::new();
        for alias in aliases.iter().map(syn::LitStr::value) {
            if alias != deserialize && !read.contains(&alias) {
                read.push(alias);
            }
        }
        Wire {
            serialize: side(&rename.serialize, rule.serialize),
            deserialize,
            aliases: read,
        }
    }

    fn plain(name: &str) -> Self {
        Wire {
            serialize: name.to_owned(),
            deserialize: name.to_owned(),
            aliases: Vec::new(),
        }
    }
}

/// What a `#[serde(flatten)]` field contributes to its container's map.
pub(crate) enum Flattened<'a> {
    /// Another message's fields, through that type's own table; the type with any
    /// `Option` around it removed.
    Message(&'a Type),
    /// A map that takes every field nothing else does.
    Map,
}

impl<'a> Input<'a> {
    /// [`from_syn_under`](Self::from_syn_under) a self-describing policy: the item as serde
    /// writes it.
    #[cfg(test)]
    pub(crate) fn from_syn(cx: &Ctxt, node: &'a DeriveInput) -> Option<Self> {
        Self::from_syn_under(cx, node, Codec::SelfDescribing)
    }

    /// `None` for a union; the error is recorded. `policy_codec` is how the crate's
    /// messages travel (`[wire] codec`); the item's own `#[compat(codec = "...")]` wins
    /// over it. Together they decide what a skip leaves out ([`Skip::travels`]): serde's
    /// `#[serde(skip)]` through serde, borsh's `#[borsh(skip)]` on a field under borsh,
    /// nothing under bincode 2's derive, which has no skip.
    pub(crate) fn from_syn_under(
        cx: &Ctxt,
        node: &'a DeriveInput,
        policy_codec: Codec,
    ) -> Option<Self> {
        // Read first, for the conventions the fields' names follow; reported after the
        // fields' errors, in the order the item reads from the inside out.
        let container = Ctxt::new();
        let attrs = attr::Container::from_ast(&container, &node.attrs);
        let codec = attrs
            .codec
            .as_ref()
            .map_or(policy_codec, |(_, codec)| *codec);
        let data = match &node.data {
            syn::Data::Struct(data) => Data::Struct(
                Style::of(&data.fields),
                fields(cx, &data.fields, attrs.rename_all, codec),
            ),
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter()
                    .zip(discriminants(&data.variants))
                    .enumerate()
                    .map(|(position, (variant, discriminant))| {
                        let variant_attrs = attr::Variant::from_ast(cx, &variant.attrs);
                        let fields_rule = if variant_attrs.rename_all.is_set() {
                            variant_attrs.rename_all
                        } else {
                            attrs.rename_all_fields
                        };
                        Variant {
                            ident: &variant.ident,
                            wire: Wire::of(
                                &unraw(&variant.ident),
                                &variant_attrs.rename,
                                &variant_attrs.aliases,
                                attrs.rename_all,
                                Case::variant,
                            ),
                            fields_rule,
                            attrs: variant_attrs,
                            style: Style::of(&variant.fields),
                            fields: fields(cx, &variant.fields, fields_rule, codec),
                            position: u32::try_from(position).unwrap_or(u32::MAX),
                            discriminant,
                            explicit: variant.discriminant.is_some(),
                        }
                    })
                    .filter(|variant| Skip::travels(codec, variant.attrs.skip, false))
                    .collect(),
            ),
            syn::Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "Compat cannot be derived for a union: a union has no wire format peers agree on; use a struct or an enum",
                );
                return None;
            }
        };
        cx.append(container);
        Some(Input {
            ident: &node.ident,
            generics: &node.generics,
            wire: Wire::of(
                &unraw(&node.ident),
                &attrs.rename,
                &[],
                RenameAll::default(),
                Case::variant,
            ),
            attrs,
            data,
            serde: uses_serde(node),
        })
    }
}

/// Each variant's discriminant as Rust counts it: an explicit integer `= N`, or one more
/// than the variant before (from 0). A discriminant that is not an integer literal (a
/// constant, a negative number) counts as the next one; the wire lock still shows the index
/// recorded.
fn discriminants<'a>(
    variants: impl IntoIterator<Item = &'a syn::Variant>,
) -> impl Iterator<Item = u32> {
    let mut next: u32 = 0;
    variants.into_iter().map(move |variant| {
        let explicit = match variant.discriminant.as_ref().map(|(_, value)| value) {
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(int),
                ..
            })) => int.base10_parse::<u32>().ok(),
            _ => None,
        };
        let value = explicit.unwrap_or(next);
        next = value.saturating_add(1);
        value
    })
}

/// Whether `#[serde(...)]` is written on the item, one of its variants or any field.
fn uses_serde(node: &DeriveInput) -> bool {
    let serde = |attrs: &[syn::Attribute]| attrs.iter().any(|attr| attr.path() == SERDE);
    let fields = |fields: &syn::Fields| fields.iter().any(|field| serde(&field.attrs));
    serde(&node.attrs)
        || match &node.data {
            syn::Data::Struct(data) => fields(&data.fields),
            syn::Data::Enum(data) => data
                .variants
                .iter()
                .any(|variant| serde(&variant.attrs) || fields(&variant.fields)),
            syn::Data::Union(_) => false,
        }
}

impl Style {
    fn of(fields: &syn::Fields) -> Self {
        match fields {
            syn::Fields::Named(_) => Self::Named,
            syn::Fields::Unnamed(_) => Self::Tuple,
            syn::Fields::Unit => Self::Unit,
        }
    }
}

/// What each codec's own derive leaves out of the bytes.
pub(crate) struct Skip;

impl Skip {
    /// Whether an item marked `#[serde(skip)]` (`serde`) or `#[borsh(skip)]` (`borsh`, on
    /// a field) still travels under `codec`. serde's attributes bind serde alone: bincode
    /// 2's derive writes every field and variant (bincode_derive 2.0.1 has no skip), and
    /// borsh's writes every variant and every field but those under `#[borsh(skip)]`
    /// (filled from `Default` when read).
    pub(crate) fn travels(codec: Codec, serde: bool, borsh: bool) -> bool {
        match codec {
            Codec::SelfDescribing | Codec::SerdePositional => !serde,
            Codec::Bincode => true,
            Codec::Borsh => !borsh,
        }
    }
}

fn fields<'a>(cx: &Ctxt, fields: &'a syn::Fields, rule: RenameAll, codec: Codec) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let attrs = attr::Field::from_ast(cx, &field.attrs);
            let flatten = attrs.flatten.as_ref().map(|_| flattened(&field.ty));
            match &field.ident {
                Some(ident) => {
                    let name = unraw(ident);
                    let wire = if flatten.is_some() {
                        Wire::plain(&name)
                    } else {
                        Wire::of(&name, &attrs.rename, &attrs.aliases, rule, Case::field)
                    };
                    Field {
                        name,
                        at: ident.to_token_stream(),
                        named: true,
                        ty: &field.ty,
                        attrs,
                        wire,
                        flatten,
                    }
                }
                // A tuple travels as a sequence: its fields have positions, not names.
                None => Field {
                    name: index.to_string(),
                    at: field.ty.to_token_stream(),
                    named: false,
                    ty: &field.ty,
                    attrs,
                    wire: Wire::plain(&index.to_string()),
                    flatten,
                },
            }
        })
        .filter(|field| Skip::travels(codec, field.attrs.skip, field.attrs.borsh_skip))
        .collect()
}

fn unraw(ident: &Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}

/// A flattened map takes every key; anything else is taken to be a message with a table
/// (the compiler says so, at the field's type, if it has none).
fn flattened(ty: &Type) -> Flattened<'_> {
    const MAPS: &[&str] = &["HashMap", "BTreeMap", "IndexMap", "Map", "Value"];
    let inner = option_inner(ty).unwrap_or(ty);
    match type_path(inner).and_then(|path| path.segments.last()) {
        Some(last) if MAPS.iter().any(|map| last.ident == map) => Flattened::Map,
        _ => Flattened::Message(inner),
    }
}

/// `T` of an `Option<T>` that [`is_option`] accepts.
fn option_inner(ty: &Type) -> Option<&Type> {
    if !is_option(ty) {
        return None;
    }
    let last = type_path(ty)?.segments.last()?;
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    arguments.args.iter().find_map(|argument| match argument {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    })
}

impl Input<'_> {
    /// Every field: a struct's, or every variant's in turn.
    pub(crate) fn fields(&self) -> Vec<&Field<'_>> {
        match &self.data {
            Data::Struct(_, fields) => fields.iter().collect(),
            Data::Enum(variants) => variants
                .iter()
                .flat_map(|variant| &variant.fields)
                .collect(),
        }
    }

    /// The release the message first shipped in, when its `#[since]` is valid.
    pub(crate) fn since(&self) -> Option<&Version> {
        self.attrs.since.as_ref().map(|since| &since.version)
    }

    /// Whether the variants travel as their discriminants under `codec` (borsh under
    /// `#[borsh(use_discriminant = true)]`), not their places. bincode 2's derive (2.0.1)
    /// writes each variant's place whatever its discriminant.
    pub(crate) fn by_discriminant(&self, codec: Codec) -> bool {
        codec == Codec::Borsh && self.attrs.borsh_discriminants
    }

    /// The index `variant` travels as under `codec`: serde counts every variant in
    /// declaration order (skipped ones too), and so does bincode 2's derive; borsh writes
    /// Rust's discriminant under `#[borsh(use_discriminant = true)]`.
    pub(crate) fn wire_index(&self, variant: &Variant<'_>, codec: Codec) -> u32 {
        if self.by_discriminant(codec) {
            variant.discriminant
        } else {
            variant.position
        }
    }

    /// The marker of the variant that receives the variants this release does not know,
    /// if `variant` is that catch-all: where serde decodes an enum, the variant serde
    /// routes unknown variants to (`#[serde(other)]`; in an untagged enum, which takes no
    /// `#[serde(other)]`, the `#[compat(other)]` variant serde tries last); otherwise the
    /// `#[compat(other)]` variant of a hand-written `Deserialize`.
    pub(crate) fn catch_all<'v>(&self, variant: &'v Variant<'_>) -> Option<&'v syn::Path> {
        if self.serde && self.attrs.tagging != attr::Tagging::Untagged {
            variant.attrs.serde_other.as_ref()
        } else {
            variant
                .attrs
                .compat_other
                .as_ref()
                .or(variant.attrs.serde_other.as_ref())
        }
    }
}

impl Variant<'_> {
    /// `` variant `Drain` ``; `` variant `ReadLink` (feature `readlink`)`` when a named
    /// feature set its `since`.
    pub(crate) fn describe(&self) -> String {
        let feature = attr::Since::feature_note(self.attrs.since.as_ref());
        format!("variant `{}`{feature}", self.ident)
    }

    /// The release the variant arrived in: its own `#[since]`, or else its enum's
    /// (`message`).
    pub(crate) fn arrival<'v>(&'v self, message: Option<&'v Version>) -> Option<&'v Version> {
        self.attrs
            .since
            .as_ref()
            .map(|since| &since.version)
            .or(message)
    }
}

impl Field<'_> {
    /// The release the field arrived in: its own `#[since]`, or else its struct's or
    /// variant's (`container`).
    pub(crate) fn arrival<'v>(&'v self, container: Option<&'v Version>) -> Option<&'v Version> {
        self.attrs
            .since
            .as_ref()
            .map(|since| &since.version)
            .or(container)
    }

    /// Whether a receiver can fill the field in when a sender left it out.
    pub(crate) fn can_default(&self, container_default: bool) -> bool {
        self.attrs.default.is_some() || self.serde_can_default(container_default)
    }

    /// Whether serde's derived `Deserialize` fills the field in when it is missing:
    /// `#[serde(default)]` (on the field or its struct) and `#[serde(skip_deserializing)]`,
    /// and for a named field an `Option<_>` that no `with`/`deserialize_with` decodes. serde
    /// fills a missing trailing element of a tuple from `#[serde(default)]`, never from
    /// `Option` alone ("invalid length 1").
    pub(crate) fn serde_can_default(&self, container_default: bool) -> bool {
        self.attrs.serde_default || container_default || self.option_defaults()
    }

    /// A named `Option<_>` field that serde fills with `None` when it is missing.
    pub(crate) fn option_defaults(&self) -> bool {
        self.named && self.attrs.serde_with.is_none() && is_option(self.ty)
    }

    /// A named field that a sender may leave out (`skip_serializing_if`,
    /// `skip_serializing`) and that serde cannot fill in.
    pub(crate) fn left_out_without_default(&self, container_default: bool) -> bool {
        self.named
            && self.flatten.is_none()
            && !matches!(self.attrs.skip_serializing, attr::SkipSerializing::Never)
            && !self.serde_can_default(container_default)
            && !self.attrs.malformed
    }

    /// The types whose messages the field's values carry: those of its description
    /// (`#[compat(wire(map_of = "Value"))]` carries `Value`), none for an opaque field, else
    /// those of its type ([`carried_types`]).
    pub(crate) fn carried(&self) -> Vec<&Type> {
        if self.attrs.opaque.is_some() {
            return Vec::new();
        }
        match &self.attrs.described {
            Some(described) => described
                .shape
                .carried()
                .map(carried_types)
                .unwrap_or_default(),
            None => carried_types(self.ty),
        }
    }

    /// Whether the send guard walks the field's value: it is sent, its type is the Rust
    /// type that travels (no description, not opaque), and it may hold a message.
    pub(crate) fn walked(&self) -> bool {
        self.attrs.described.is_none()
            && self.attrs.opaque.is_none()
            && !matches!(
                self.attrs.skip_serializing,
                attr::SkipSerializing::Always(_)
            )
            && !carried_types(self.ty).is_empty()
    }

    /// A described field the send guard walks through its `via` function: the description
    /// (whose shape names a type) and the function. `None` for any other field: without
    /// `via`, the guard cannot reach the described value from the field's.
    pub(crate) fn described_walk(&self) -> Option<(&attr::Described, &syn::Type, &syn::ExprPath)> {
        let wire = self.attrs.described.as_ref()?;
        let sent = !matches!(
            self.attrs.skip_serializing,
            attr::SkipSerializing::Always(_)
        );
        let carried = wire.shape.carried()?;
        (sent && self.attrs.opaque.is_none())
            .then_some(())
            .and(wire.via.as_ref())
            .map(|via| (&wire.shape, carried, via))
    }

    /// `field `retries``, `tuple field `1``; `` field `block_size` (feature `statfs-v2`)``
    /// when a named feature set its `since`.
    pub(crate) fn describe(&self) -> String {
        let feature = attr::Since::feature_note(self.attrs.since.as_ref());
        if self.named {
            format!("field `{}`{feature}", self.name)
        } else {
            format!("tuple field `{}`{feature}", self.name)
        }
    }
}

/// `Option<_>`, `std::option::Option<_>` or `core::option::Option<_>` (with or without a
/// leading `::`): serde fills a missing named `Option` field with `None`. Any other path
/// ending in `Option` may be another type, and a derive cannot see through type aliases.
pub(crate) fn is_option(ty: &Type) -> bool {
    let Some(path) = type_path(ty) else {
        return false;
    };
    let segments: Vec<String> = path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let canonical = match segments.as_slice() {
        [option] => path.leading_colon.is_none() && option == "Option",
        [krate, module, option] => {
            (krate == "std" || krate == "core") && module == "option" && option == "Option"
        }
        _ => false,
    };
    canonical
        && path
            .segments
            .iter()
            .rev()
            .skip(1)
            .all(|segment| segment.arguments.is_none())
        && path.segments.last().is_some_and(|segment| {
            matches!(segment.arguments, syn::PathArguments::AngleBracketed(_))
        })
}

/// Whether the derive cannot tell if `ty` is an `Option`: a path ending in `Option` that
/// [`is_option`] does not accept (`my::Option<T>`), or a generic type that is none of the
/// standard containers (`Maybe<T>`, perhaps `type Maybe<T> = Option<T>`).
pub(crate) fn may_be_an_option(ty: &Type) -> bool {
    // The standard generic types that are not containers of messages.
    const OTHER_STANDARD: &[&str] = &[
        "Cell",
        "RefCell",
        "Mutex",
        "RwLock",
        "Result",
        "PhantomData",
        "Reverse",
        "Wrapping",
        "Saturating",
        "NonZero",
    ];
    if is_option(ty) {
        return false;
    }
    let Some(last) = type_path(ty).and_then(|path| path.segments.last()) else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return false;
    };
    let types = arguments
        .args
        .iter()
        .filter(|argument| matches!(argument, syn::GenericArgument::Type(_)))
        .count();
    let name = last.ident.to_string();
    let standard = CARRIERS.iter().chain(OTHER_STANDARD);
    name == "Option" || (types == 1 && !standard.into_iter().any(|known| name == *known))
}

/// The types a value of `ty` may carry messages as: `ty` itself, or, through the standard
/// containers ([`CARRIERS`]), tuples, arrays, slices and references, the types they hold.
/// The scalars of `std` and `String` carry none. A type is taken as it is written: a
/// derive cannot see through a type alias, nor into a generic type of another crate.
pub(crate) fn carried_types(ty: &Type) -> Vec<&Type> {
    let mut out = Vec::new();
    carried_into(ty, &mut out);
    out
}

fn carried_into<'a>(ty: &'a Type, out: &mut Vec<&'a Type>) {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return out.push(ty);
            };
            // The name once, as text: comparing an `Ident` with each `&str` makes a string of
            // it each time, through the compiler (most of what this function cost).
            let name = last.ident.to_string();
            match &last.arguments {
                syn::PathArguments::None if SCALARS.contains(&name.as_str()) => {}
                syn::PathArguments::AngleBracketed(arguments)
                    if CARRIERS.contains(&name.as_str()) =>
                {
                    for argument in &arguments.args {
                        if let syn::GenericArgument::Type(ty) = argument {
                            carried_into(ty, out);
                        }
                    }
                }
                _ => out.push(ty),
            }
        }
        Type::Reference(reference) => carried_into(&reference.elem, out),
        Type::Array(array) => carried_into(&array.elem, out),
        Type::Slice(slice) => carried_into(&slice.elem, out),
        Type::Paren(paren) => carried_into(&paren.elem, out),
        Type::Group(group) => carried_into(&group.elem, out),
        Type::Tuple(tuple) => {
            for elem in &tuple.elems {
                carried_into(elem, out);
            }
        }
        _ => out.push(ty),
    }
}

/// The type the send guard walks for a field of type `ty`: `ty` without the `&`, `&mut`
/// and `Box` around it (a field's value derefs to it), and whether the guard can reset
/// parts of it in place (no shared reference on the way).
pub(crate) fn walked_type(ty: &Type) -> (&Type, bool) {
    match ty {
        Type::Reference(reference) => {
            let (inner, mutable) = walked_type(&reference.elem);
            (inner, mutable && reference.mutability.is_some())
        }
        Type::Paren(paren) => walked_type(&paren.elem),
        Type::Group(group) => walked_type(&group.elem),
        Type::Path(path) if path.qself.is_none() => match path.path.segments.last() {
            Some(last) if last.ident == "Box" => match &last.arguments {
                syn::PathArguments::AngleBracketed(arguments) => match arguments.args.first() {
                    Some(syn::GenericArgument::Type(inner)) => walked_type(inner),
                    _ => (ty, true),
                },
                _ => (ty, true),
            },
            _ => (ty, true),
        },
        _ => (ty, true),
    }
}

fn type_path(ty: &Type) -> Option<&syn::Path> {
    match ty {
        Type::Group(group) => type_path(&group.elem),
        Type::Paren(paren) => type_path(&paren.elem),
        Type::Path(path) if path.qself.is_none() => Some(&path.path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Codec, Ctxt, Data, Input, carried_types, is_option, may_be_an_option};

    #[test]
    fn a_field_carries_the_types_inside_the_standard_containers() {
        for (ty, carried) in crate::carriers::CARRIED {
            let ty: syn::Type = syn::parse_str(ty).unwrap();
            let found: Vec<String> = carried_types(&ty)
                .into_iter()
                .map(
                    |ty| match super::type_path(ty).and_then(|path| path.segments.last()) {
                        Some(last) => super::unraw(&last.ident),
                        None => quote::quote!(#ty).to_string(),
                    },
                )
                .collect();
            assert_eq!(&found, carried, "{}", quote::quote!(#ty));
        }
    }

    #[test]
    fn only_the_standard_option_paths_are_options() {
        for ty in [
            "Option<u32>",
            "std::option::Option<u32>",
            "::std::option::Option<u32>",
            "core::option::Option<Vec<u8>>",
            "::core::option::Option<u32>",
            "(Option<u32>)",
        ] {
            let ty: syn::Type = syn::parse_str(ty).unwrap();
            assert!(is_option(&ty), "{}", quote::quote!(#ty));
            assert!(!may_be_an_option(&ty));
        }
        for ty in [
            "my::Option<u32>",
            "::Option<u32>",
            "std::Option<u32>",
            "alloc::option::Option<u32>",
            "std::option::Option",
            "Option",
            "Maybe<u32>",
        ] {
            let ty: syn::Type = syn::parse_str(ty).unwrap();
            assert!(!is_option(&ty), "{}", quote::quote!(#ty));
        }
    }

    #[test]
    fn lookalikes_and_aliases_may_be_options_but_containers_are_not() {
        for ty in ["my::Option<u32>", "Maybe<u32>", "Opt<'static, str>"] {
            let ty: syn::Type = syn::parse_str(ty).unwrap();
            assert!(may_be_an_option(&ty), "{}", quote::quote!(#ty));
        }
        for ty in [
            "u32",
            "Vec<u8>",
            "std::collections::BTreeMap<String, u8>",
            "Box<str>",
            "HashMap<String, u8>",
            "[u8; 4]",
        ] {
            let ty: syn::Type = syn::parse_str(ty).unwrap();
            assert!(!may_be_an_option(&ty), "{}", quote::quote!(#ty));
        }
    }

    /// The Rust names of the fields of a struct, and of the variants of an enum, that
    /// `source` puts in its table under `codec`.
    fn travelling(source: &str, codec: Codec) -> Vec<String> {
        let node: syn::DeriveInput = syn::parse_str(source).unwrap();
        let cx = Ctxt::new();
        let input = Input::from_syn_under(&cx, &node, codec).unwrap();
        assert!(cx.finish().is_none());
        match &input.data {
            Data::Struct(_, fields) => fields.iter().map(|f| f.name.clone()).collect(),
            Data::Enum(variants) => variants.iter().map(|v| v.ident.to_string()).collect(),
        }
    }

    #[test]
    fn each_codec_skips_what_its_own_derive_skips() {
        let skipped =
            "struct Stat { size: u64, #[serde(skip)] cached: u64, #[borsh(skip)] local: u32 }";
        let all = ["size", "cached", "local"];
        assert_eq!(
            travelling(skipped, Codec::SelfDescribing),
            ["size", "local"]
        );
        assert_eq!(
            travelling(skipped, Codec::SerdePositional),
            ["size", "local"]
        );
        // bincode 2's derive has no skip; borsh's reads #[borsh(skip)] alone.
        assert_eq!(travelling(skipped, Codec::Bincode), all);
        assert_eq!(travelling(skipped, Codec::Borsh), ["size", "cached"]);
        let variants =
            "enum Command { Stop, #[serde(skip)] Internal, Drain(#[serde(skip)] u8, u16) }";
        assert_eq!(
            travelling(variants, Codec::SerdePositional),
            ["Stop", "Drain"]
        );
        assert_eq!(
            travelling(variants, Codec::Bincode),
            ["Stop", "Internal", "Drain"]
        );
        assert_eq!(
            travelling(variants, Codec::Borsh),
            ["Stop", "Internal", "Drain"]
        );
        // The item's own codec wins over the policy's.
        let own = format!("#[compat(codec = \"bincode\")] {skipped}");
        assert_eq!(travelling(&own, Codec::SelfDescribing), all);
    }
}
