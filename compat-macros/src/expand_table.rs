//! Writing the message's `'static` table (`Compat::MESSAGE`): its names on the wire, its
//! representation, its fields and variants with the release each arrived in, and `newest`
//! for the send guard; or, for an item that failed to check, a stub.

use crate::ast::carried_types;
use crate::ast::{Data, Field, Flattened, Input, Style, Variant, Wire};
use crate::attr::{Described, RenameAll, SkipSerializing, Tagging};
use crate::case::Case;
use crate::codec::Codec;
use crate::expand_carried::{generic_names, mentions};
use crate::expand_guard;
use crate::type_text::type_text;
use crate::wire_type::{user_wrapper, wire_type};
use proc_macro2::TokenStream;
use quote::quote;
use semver::Version;
use syn::DeriveInput;

/// An expression whose value is `&'static Message`: one constant expression, whose nested
/// borrows Rust promotes to `'static`.
pub(crate) fn table(input: &Input<'_>, params: &[&syn::Ident], codec: Codec) -> TokenStream {
    let expression = message(input, params, codec);
    if !any_recorded(input, &generic_names(input)) {
        return expression;
    }
    // A block's value is extended to `'static` as the expression's own is.
    let in_scope: TokenStream = WRITES_IN_SCOPE.parse().expect("a `use` item");
    quote!({ #in_scope #expression })
}

/// [`table`]'s expression itself.
fn message(input: &Input<'_>, params: &[&syn::Ident], codec: Codec) -> TokenStream {
    let name = unraw(input.ident);
    let message_since = input.since();
    let since = message_since.map(ToString::to_string).unwrap_or_default();
    let routes = input.attrs.routes.iter().map(|route| {
        let (from, to) = (&route.from, &route.to);
        quote!(::compat_runtime::__c::Route { from: #from, to: #to })
    });
    let newest = expand_guard::newest(input);
    let renamed_wire = renamed(&name, &input.wire);
    let travels_as_written = renamed_wire.is_none();
    let wire = renamed_wire.unwrap_or_else(|| quote!(::compat_runtime::__c::same(#name)));
    let representation = representation(&input.attrs.tagging, input.attrs.transparent);
    let rename_all = convention(input.attrs.rename_all);
    let rename_all_fields = convention(input.attrs.rename_all_fields);
    let frozen = input.attrs.frozen.is_some();
    // What each type parameter a walked field uses stands for, in each concrete use.
    let arguments = params.iter().map(|param| {
        let text = param.to_string();
        quote!(::compat_runtime::__c::Argument {
            param: #text,
            name: <#param as ::compat_runtime::message::Travels>::NAME,
        })
    });
    let (kind, fields, variant_entries) = contents(input, message_since);
    let featured = featured(input);
    // Paths go through `::compat_runtime::__c`, the shortest that needs no `use` (an item
    // of its own): the compiler re-reads these tokens on every build, so their volume is
    // what users feel (benches/compile_time.sh). The whole table is one constant
    // expression: every nested `&[...]` and `&__c::fields(..)` is promoted to `'static`, so
    // each message costs the compiler a single body to check and evaluate.
    let common = travels_as_written
        && !input.attrs.transparent
        && input.attrs.tagging == Tagging::External
        && !input.attrs.rename_all.is_set()
        && !input.attrs.rename_all_fields.is_set()
        && input.attrs.frozen.is_none()
        && params.is_empty();
    let (codec_name, indexes) = coded(input, codec);
    if common {
        let args =
            quote!(#name, #since, #newest, &[#(#routes),*], #kind, #fields, #variant_entries);
        return common_table(codec, &codec_name, &indexes, &featured, &args);
    }
    quote!(
        &::compat_runtime::__c::Message {
            name: #name,
            wire: #wire,
            representation: #representation,
            rename_all: #rename_all,
            rename_all_fields: #rename_all_fields,
            since: #since,
            newest: #newest,
            routes: &[#(#routes),*],
            kind: #kind,
            fields: #fields,
            variants: #variant_entries,
            arguments: &[#(#arguments),*],
            frozen: #frozen,
            codec: ::compat_runtime::__c::Codec::#codec_name,
            indexes: &[#(#indexes),*],
            features: &[#(#featured),*],
        }
    )
}

/// The usual message's table: its name travels as written, externally tagged, no case
/// convention. One call (`args` are `__c::message`'s) instead of a literal of ten fields;
/// under a positional codec one call too (`__c::positional`), unless variants travel as
/// indexes other than their positions or parts are tied to features: then a call around.
fn common_table(
    codec: Codec,
    codec_name: &syn::Ident,
    indexes: &[u32],
    featured: &[TokenStream],
    args: &TokenStream,
) -> TokenStream {
    let positional = match codec {
        Codec::SelfDescribing => None,
        Codec::SerdePositional => Some(quote!(SERDE_POSITIONAL)),
        Codec::Bincode => Some(quote!(BINCODE)),
        Codec::Borsh => Some(quote!(BORSH)),
    };
    if let Some(codec) = positional.filter(|_| indexes.is_empty() && featured.is_empty()) {
        return quote!(&::compat_runtime::__c::positional(::compat_runtime::__c::#codec, #args));
    }
    let message = quote!(::compat_runtime::__c::message(#args));
    let message = if featured.is_empty() {
        message
    } else {
        quote!(::compat_runtime::__c::featured(&[#(#featured),*], #message))
    };
    if codec == Codec::SelfDescribing {
        return quote!(&#message);
    }
    quote!(&::compat_runtime::__c::coded(::compat_runtime::__c::Codec::#codec_name, &[#(#indexes),*], #message))
}

/// The kind, the fields of a struct and the variants of an enum, as table entries.
fn contents(
    input: &Input<'_>,
    message_since: Option<&semver::Version>,
) -> (TokenStream, TokenStream, TokenStream) {
    let generics = generic_names(input);
    match &input.data {
        Data::Struct(style, fields) => {
            // Constants rather than `Kind::Struct(Shape::Named)` and `&[]`: cheaper for the
            // compiler (see `compat_runtime::message::__private::STRUCT_NAMED`).
            let kind = match style {
                Style::Named => quote!(::compat_runtime::__c::STRUCT_NAMED),
                Style::Tuple => quote!(::compat_runtime::__c::STRUCT_TUPLE),
                Style::Unit => quote!(::compat_runtime::__c::STRUCT_UNIT),
            };
            let fields = field_list(fields.iter().map(|field| {
                field_entry(field, message_since, input.attrs.serde_default, &generics)
            }));
            (kind, fields, quote!(::compat_runtime::__c::NO_VARIANTS))
        }
        Data::Enum(variants) => (
            quote!(::compat_runtime::__c::ENUM),
            quote!(::compat_runtime::__c::NO_FIELDS),
            variant_list(
                variants
                    .iter()
                    .map(|variant| variant_entry(input, variant, message_since, &generics)),
            ),
        ),
    }
}

/// The parts tied to a named feature (`#[compat(feature = "...")]`), as `Featured` entries
/// of the table.
fn featured(input: &Input<'_>) -> Vec<TokenStream> {
    let entry = |variant: Option<String>, field: Option<&str>, feature: &syn::LitStr| {
        let some = |name: Option<&str>| match name {
            Some(name) => quote!(::core::option::Option::Some(#name)),
            None => quote!(::core::option::Option::None),
        };
        let (variant, field, feature) = (some(variant.as_deref()), some(field), feature.value());
        quote!(::compat_runtime::__c::Featured { variant: #variant, field: #field, feature: #feature })
    };
    let mut out: Vec<TokenStream> = input
        .attrs
        .feature
        .iter()
        .map(|lit| entry(None, None, lit))
        .collect();
    match &input.data {
        Data::Struct(_, fields) => out.extend(
            fields
                .iter()
                .filter_map(|f| Some(entry(None, Some(&f.name), f.attrs.feature.as_ref()?))),
        ),
        Data::Enum(variants) => {
            for variant in variants {
                let name = unraw(variant.ident);
                if let Some(lit) = &variant.attrs.feature {
                    out.push(entry(Some(name.clone()), None, lit));
                }
                out.extend(variant.fields.iter().filter_map(|f| {
                    Some(entry(
                        Some(name.clone()),
                        Some(&f.name),
                        f.attrs.feature.as_ref()?,
                    ))
                }));
            }
        }
    }
    out
}

/// The codec's name in `compat_runtime::Codec`, and the index each variant travels as under
/// it when one differs from its position in the table (else none: `Message::indexes`).
fn coded(input: &Input<'_>, codec: Codec) -> (syn::Ident, Vec<u32>) {
    // The variant of `compat_runtime::Codec` (one file with this crate's `Codec`).
    let name = syn::Ident::new(&format!("{codec:?}"), proc_macro2::Span::call_site());
    let Data::Enum(variants) = &input.data else {
        return (name, Vec::new());
    };
    let indexes: Vec<u32> = variants
        .iter()
        .map(|variant| input.wire_index(variant, codec))
        .collect();
    let by_position = indexes
        .iter()
        .enumerate()
        .all(|(position, index)| u32::try_from(position).is_ok_and(|p| p == *index));
    (name, if by_position { Vec::new() } else { indexes })
}

/// How the message is represented on the wire (`Message::representation`).
fn representation(tagging: &Tagging, transparent: bool) -> TokenStream {
    match (tagging, transparent) {
        (_, true) => quote!(::compat_runtime::__c::Representation::Transparent),
        (Tagging::External, false) => quote!(::compat_runtime::__c::Representation::External),
        (Tagging::Internal(tag), false) => {
            quote!(::compat_runtime::__c::Representation::Internal { tag: #tag })
        }
        (Tagging::Adjacent(tag, content), false) => {
            quote!(::compat_runtime::__c::Representation::Adjacent { tag: #tag, content: #content })
        }
        (Tagging::Untagged, false) => quote!(::compat_runtime::__c::Representation::Untagged),
    }
}

/// A `&'static [Variant]` expression: `&::compat_runtime::__c::variants([tuples])` when
/// every variant is in the common case, else a slice of `Variant` expressions.
fn variant_list(entries: impl Iterator<Item = Entry>) -> TokenStream {
    entry_list(
        entries,
        &quote!(::compat_runtime::__c::variants),
        &quote!(::compat_runtime::__c::variant),
        &quote!(::compat_runtime::__c::NO_VARIANTS),
    )
}

/// A variant's entry in its enum's table; its fields arrived with it unless they say
/// otherwise, and it with the message. In the common case (its name travels as written, no
/// case convention for its fields, no fallback) a tuple `(name, since, catch_all, shape,
/// fields)`, which the compiler checks faster than a literal (as a field's, see [`Entry`]).
fn variant_entry(
    input: &Input<'_>,
    variant: &Variant<'_>,
    message_since: Option<&Version>,
    generics: &[String],
) -> Entry {
    let name = unraw(variant.ident);
    let variant_since = variant.arrival(message_since);
    let fields = field_list(
        variant
            .fields
            .iter()
            .map(|field| field_entry(field, variant_since, false, generics)),
    );
    let since = variant_since.map(ToString::to_string).unwrap_or_default();
    let catch_all = input.catch_all(variant).is_some();
    let shape = shape(variant.style);
    let renamed_wire = renamed(&name, &variant.wire);
    if renamed_wire.is_none() && !variant.fields_rule.is_set() && variant.attrs.fallback.is_none() {
        return Entry::Plain(quote!((#name, #since, #catch_all, #shape, #fields)));
    }
    let wire = renamed_wire.unwrap_or_else(|| quote!(::compat_runtime::__c::same(#name)));
    let rename_all = convention(variant.fields_rule);
    let fallback = match &variant.attrs.fallback {
        Some(fallback) => {
            let to = fallback.to.value();
            let warn = match &fallback.warn {
                Some(warn) => quote!(::core::option::Option::Some(#warn)),
                None => quote!(::core::option::Option::None),
            };
            quote!(::core::option::Option::Some(::compat_runtime::__c::Fallback { to: #to, warn: #warn }))
        }
        None => quote!(::core::option::Option::None),
    };
    Entry::Full(quote!(::compat_runtime::__c::Variant {
        name: #name,
        wire: #wire,
        rename_all: #rename_all,
        since: #since,
        catch_all: #catch_all,
        shape: #shape,
        fields: #fields,
        fallback: #fallback,
    }))
}

/// A field's (or variant's) entry in its table.
enum Entry {
    /// The common case, `(name, since, type, default)`: a tuple, which the compiler checks
    /// far faster than a call or a struct literal (no type to prove free of interior
    /// mutability per entry, no call to evaluate).
    Plain(TokenStream),
    /// A `::compat_runtime::__c::Field` expression, for a field with anything else to say.
    Full(TokenStream),
}

impl Entry {
    fn tokens(&self) -> &TokenStream {
        match self {
            Entry::Plain(tokens) | Entry::Full(tokens) => tokens,
        }
    }
}

/// A `&'static [Field]` expression: `&::compat_runtime::__c::fields([tuples])` when every field is plain,
/// else a slice of `Field` expressions.
fn field_list(entries: impl Iterator<Item = Entry>) -> TokenStream {
    entry_list(
        entries,
        &quote!(::compat_runtime::__c::fields),
        &quote!(::compat_runtime::__c::field),
        &quote!(::compat_runtime::__c::NO_FIELDS),
    )
}

/// `&all([tuples])` when every entry is plain, else `&[...]` with `one(tuple)` for each
/// plain entry among the full ones; `empty` (a constant) when there is none.
fn entry_list(
    entries: impl Iterator<Item = Entry>,
    all: &TokenStream,
    one: &TokenStream,
    empty: &TokenStream,
) -> TokenStream {
    let entries: Vec<Entry> = entries.collect();
    if entries.is_empty() {
        return empty.clone();
    }
    if entries.iter().all(|entry| matches!(entry, Entry::Plain(_))) {
        let tuples = entries.iter().map(Entry::tokens);
        return quote!(&#all([#(#tuples),*]));
    }
    let full = entries.iter().map(|entry| match entry {
        Entry::Plain(tuple) => quote!(#one #tuple),
        Entry::Full(full) => full.clone(),
    });
    quote!(&[#(#full),*])
}

/// `generics`: the item's generic parameters and `Self` (see [`recorded`]).
fn field_entry(
    field: &Field<'_>,
    container: Option<&Version>,
    container_default: bool,
    generics: &[String],
) -> Entry {
    let name = &field.name;
    let since = field
        .arrival(container)
        .map(ToString::to_string)
        .unwrap_or_default();
    let default = field.can_default(container_default);
    let ignorable = field.attrs.ignorable;
    let ty = travels_as(field, generics);
    let deprecated = field.attrs.deprecated.as_ref().map(|deprecated| {
        let deprecated_since = deprecated.version.to_string();
        let note = match &field.attrs.note {
            Some((_, note)) => quote!(::core::option::Option::Some(#note)),
            None => quote!(::core::option::Option::None),
        };
        quote!(::core::option::Option::Some(::compat_runtime::__c::Deprecation {
            since: #deprecated_since,
            note: #note,
        }))
    });
    let mut extra = Vec::new();
    if let Some(wire) = renamed(name, &field.wire) {
        extra.push(quote!(wire: #wire));
    }
    if ignorable {
        extra.push(quote!(ignorable: true));
    }
    if let Some(deprecated) = deprecated {
        extra.push(quote!(deprecated: #deprecated));
    }
    match &field.attrs.skip_serializing {
        SkipSerializing::Never => {}
        SkipSerializing::If(path) => {
            extra.push(quote!(skip_serializing: ::compat_runtime::__c::SkipSerializing::If(#path)));
        }
        SkipSerializing::Always(_) => {
            extra.push(quote!(skip_serializing: ::compat_runtime::__c::SkipSerializing::Always));
        }
    }
    match &field.flatten {
        None => {}
        Some(Flattened::Map) => extra.push(quote!(flatten: ::compat_runtime::__c::Flatten::Map)),
        // Spanned at the type, so that a type without a table is reported there.
        Some(Flattened::Message(ty)) => {
            extra.push(quote::quote_spanned!(syn::spanned::Spanned::span(ty)=>
                flatten: ::compat_runtime::__c::Flatten::Message(<#ty as ::compat_runtime::message::Compat>::MESSAGE)
            ))
        }
    }
    let plain = quote!((#name, #since, #ty, #default));
    let wire = &field.wire;
    let only_renamed = extra.len() == 1
        && wire.serialize != *name
        && wire.serialize == wire.deserialize
        && wire.aliases.is_empty();
    if extra.is_empty() {
        Entry::Plain(plain)
    } else if only_renamed {
        // Only renamed, the same both ways (`#[serde(rename = "span")]`): one call.
        let renamed = &wire.serialize;
        Entry::Full(quote!(::compat_runtime::__c::renamed(#name, #renamed, #since, #ty, #default)))
    } else {
        Entry::Full(
            quote!(::compat_runtime::__c::Field { #(#extra,)* ..::compat_runtime::__c::field #plain }),
        )
    }
}

/// The field's type as the table records it, which is what travels: its description
/// (`#[compat(wire = ...)]`), or its Rust type as serde writes it ([`wire_type`]). A type of
/// the user's in it may be a `#[compat(transparent)]` wrapper or a type described with
/// `#[compat(wire(...))]`, which only its `Travels` impl says: the expression asks it, at
/// compile time (a generic one through [`user_wrapper`], another through [`recorded`]).
fn travels_as(field: &Field<'_>, generics: &[String]) -> TokenStream {
    if let Some(described) = &field.attrs.described {
        let text = described_text(&described.shape);
        return quote!(#text);
    }
    let wire = wire_type(field.ty);
    let text = type_text(&wire);
    if !field.walked() {
        return quote!(#text);
    }
    if let Some((wrapper, inner)) = user_wrapper(&wire) {
        let inner = type_text(&inner);
        return quote!(::compat_runtime::__c::travels(
            <#wrapper as ::compat_runtime::message::Travels>::WRAPS,
            #inner,
            #text
        ));
    }
    recorded(&wire, &text, generics).unwrap_or_else(|| quote!(#text))
}

/// The text a description records: `string`, `map<String, Value>`, `seq<LabeledError>`,
/// `LabeledError`.
pub(crate) fn described_text(shape: &Described) -> String {
    match shape {
        Described::Scalar(shape) => shape.clone(),
        Described::MapOf(ty) => format!("map<String, {}>", type_text(&wire_type(ty))),
        Described::SeqOf(ty) => format!("seq<{}>", type_text(&wire_type(ty))),
        Described::As(ty) => type_text(&wire_type(ty)),
    }
}

/// The text of `wire` (written `text`) when the one type of the user's in it that may hold
/// a message is not generic (`Payload`, `Option<Payload>`): that type may be a
/// `#[compat(transparent)]` wrapper or a type described with `#[compat(wire(...))]`, which
/// records what it writes in its place. `None` when there is no such type, or several, or
/// it names one of `generics` (the item's parameters, whose arguments the table lists).
///
/// The type alone is one call; inside a container, the text is spliced at compile time
/// into a constant array, whose length depends on what the type writes. Both ask
/// `__c::Writes`, which needs `__c::Unwritten` in scope ([`WRITES_IN_SCOPE`]).
pub(crate) fn recorded(wire: &syn::Type, text: &str, generics: &[String]) -> Option<TokenStream> {
    let user = recorded_type(wire, generics)?;
    let writes = quote!(<::compat_runtime::__c::Writes<#user>>::TEXT);
    let user_text = type_text(user);
    if user_text == text {
        return Some(quote!(::compat_runtime::__c::recorded(#writes, #text)));
    }
    let at = word_at(text, &user_text)?;
    let len = user_text.len();
    Some(quote!({
        const W: &str = #writes;
        const B: [u8; ::compat_runtime::__c::spliced_len(W, #text, #len)] =
            ::compat_runtime::__c::splice(W, #text, #at, #len);
        ::compat_runtime::__c::utf8(&B)
    }))
}

/// The type [`recorded`] asks about, if any.
fn recorded_type<'t>(wire: &'t syn::Type, generics: &[String]) -> Option<&'t syn::Type> {
    let [user] = carried_types(wire)[..] else {
        return None;
    };
    let syn::Type::Path(path) = user else {
        return None;
    };
    let last = path.path.segments.last()?;
    let plain = path.qself.is_none() && last.arguments.is_none();
    (plain && !mentions(quote!(#user), generics)).then_some(user)
}

/// Whether a field of `input` records its type through [`recorded`], whose expression needs
/// [`WRITES_IN_SCOPE`].
fn any_recorded(input: &Input<'_>, generics: &[String]) -> bool {
    let fields: Vec<&Field<'_>> = match &input.data {
        Data::Struct(_, fields) => fields.iter().collect(),
        Data::Enum(variants) => variants.iter().flat_map(|v| &v.fields).collect(),
    };
    // The wire type only for the fields walked: most are not, and it costs a copy.
    fields.into_iter().any(|field| {
        field.attrs.described.is_none() && field.walked() && {
            let wire = wire_type(field.ty);
            user_wrapper(&wire).is_none() && recorded_type(&wire, generics).is_some()
        }
    })
}

/// The `use` that lets [`recorded`]'s expressions fall back on `__c::Unwritten`.
pub(crate) const WRITES_IN_SCOPE: &str =
    "#[allow(unused_imports)] use ::compat_runtime::__c::Unwritten as _;";

/// The byte offset of the one place `word` (a type's text) stands in `text` as a whole
/// word; `None` when it stands in none or several.
fn word_at(text: &str, word: &str) -> Option<usize> {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
    let mut found = text.match_indices(word).filter(|&(at, _)| {
        !part(text[..at].chars().next_back()) && !part(text[at + word.len()..].chars().next())
    });
    let (at, _) = found.next()?;
    found.next().is_none().then_some(at)
}

/// The `WireName` of something called `name` in Rust; `None` when it travels as written,
/// which `::compat_runtime::__c::same` and `::compat_runtime::__c::field` already say.
fn renamed(name: &str, wire: &Wire) -> Option<TokenStream> {
    if wire.serialize == name && wire.deserialize == name && wire.aliases.is_empty() {
        return None;
    }
    let (serialize, deserialize, aliases) = (&wire.serialize, &wire.deserialize, &wire.aliases);
    Some(
        quote!(::compat_runtime::__c::WireName { serialize: #serialize, deserialize: #deserialize, aliases: &[#(#aliases),*] }),
    )
}

fn convention(rule: RenameAll) -> TokenStream {
    if !rule.is_set() {
        return quote!(::compat_runtime::__c::NO_RULE);
    }
    let case = |case: Option<Case>| match case {
        Some(case) => {
            let variant = syn::Ident::new(case.variant_name(), proc_macro2::Span::call_site());
            quote!(::core::option::Option::Some(::compat_runtime::__c::Case::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    let (serialize, deserialize) = (case(rule.serialize), case(rule.deserialize));
    quote!(::compat_runtime::__c::RenameAll { serialize: #serialize, deserialize: #deserialize })
}

fn shape(style: Style) -> TokenStream {
    match style {
        Style::Named => quote!(::compat_runtime::__c::Shape::Named),
        Style::Tuple => quote!(::compat_runtime::__c::Shape::Tuple),
        Style::Unit => quote!(::compat_runtime::__c::Shape::Unit),
    }
}

/// The table of an item that failed to check: its name and kind, nothing else.
pub(crate) fn stub(node: &DeriveInput) -> TokenStream {
    let name = unraw(&node.ident);
    let kind = match &node.data {
        syn::Data::Enum(_) => quote!(::compat_runtime::message::Kind::Enum),
        syn::Data::Struct(_) | syn::Data::Union(_) => {
            quote!(::compat_runtime::message::Kind::Struct(
                ::compat_runtime::message::Shape::Named
            ))
        }
    };
    quote!(&::compat_runtime::message::Message {
        name: #name,
        wire: ::compat_runtime::message::WireName { serialize: #name, deserialize: #name, aliases: &[] },
        representation: ::compat_runtime::message::Representation::External,
        rename_all: ::compat_runtime::message::RenameAll { serialize: ::core::option::Option::None, deserialize: ::core::option::Option::None },
        rename_all_fields: ::compat_runtime::message::RenameAll { serialize: ::core::option::Option::None, deserialize: ::core::option::Option::None },
        since: "0.0.0",
        newest: 0,
        routes: &[],
        kind: #kind,
        fields: &[],
        variants: &[],
        arguments: &[],
        frozen: false,
        codec: ::compat_runtime::message::Codec::SelfDescribing,
        indexes: &[],
        features: &[],
    })
}

fn unraw(ident: &syn::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}
