//! `#[derive(ProstCompat)]`, generate: the `impl Compat` (the [`Message`] table, fields by
//! Rust name with their numbers as wire names, and the send guard's walk by number) and
//! the `impl Proto` (the protobuf table the wire lock compares).
//!
//! [`Message`]: ../compat_runtime/message/struct.Message.html

use crate::prost_ast::{Body, Cardinality, Field, Item, Kind, TypeName, scalar_code};
use crate::since::pack;
use proc_macro2::TokenStream;
use quote::quote;
use semver::Version;

/// Both impls of one item that passed its checks, at the item's level with the runtime's
/// hidden module spelled out in every path. A `const _: () = { use ... as p; ... }` for
/// shorter paths is one more body per type for the compiler to type-check, borrow-check
/// and evaluate, which costs it more than the longer paths (the stub pair of
/// benches/compile_time.sh's prost family: 8.199 G -> 8.170 G); only the guard's fold,
/// whose method calls need the walk's trait in scope, keeps that block.
pub(crate) fn impls(item: &Item<'_>) -> TokenStream {
    let ident = item.ident;
    let within = within(item);
    let guard = match &item.body {
        Body::Message(fields) => message_guard(fields, &within),
        Body::Oneof(fields) => oneof_guard(fields, &within),
        Body::Enum(_) => within.constant(),
    };
    // Each stream interpolated costs the derive bridge calls, an empty one too.
    let guard = (!guard.is_empty()).then_some(guard);
    // The walk's trait, where the guard calls it (and only there: an unused import would
    // warn in the user's crate).
    let walks = match (&item.body, &within) {
        (Body::Message(fields) | Body::Oneof(fields), Within::Fold) => {
            fields.iter().any(|f| nested(f).is_some())
        }
        _ => false,
    };
    let Tables {
        call,
        entries,
        fields,
        values,
        kind,
    } = tables(item);
    let name = ident.to_string();
    let (own, _) = since(item);
    let newest = newest(item);
    let routes = routes(item);
    // The protobuf table. The routes are the `Message` table's: read, not written twice.
    // The kind and every empty list come from the runtime's table of the kind
    // (`..__p::AS_MESSAGE`): fewer fields for the compiler to check, and a constant operand
    // costs it no proof that it holds no interior mutability (see `__c::NO_FIELDS`).
    let full = item.proto.as_ref().unwrap_or(&name);
    let reserved = (!item.reserved.is_empty()).then(|| {
        let start = item.reserved.iter().map(|(a, _)| a);
        let end = item.reserved.iter().map(|(_, b)| b);
        quote!(reserved: &[#((#start, #end)),*],)
    });
    let reserved_names = (!item.reserved_names.is_empty()).then(|| {
        let names = &item.reserved_names;
        quote!(reserved_names: &[#(#names),*],)
    });
    // No routes (a oneof's: it travels as its message does) are the base's.
    let proto_routes = (!item.routes.is_empty())
        .then(|| quote!(routes: <Self as ::compat_runtime::__p::Compat>::MESSAGE.routes,));
    let call = proc_macro2::Ident::new(call, proc_macro2::Span::call_site());
    let kind = proc_macro2::Ident::new(kind, proc_macro2::Span::call_site());
    // One `quote!` for both impls and both tables: a table built as a stream of its own
    // and interpolated costs the derive bridge calls to evaluate and join it.
    let impls = quote! {
        #[automatically_derived]
        impl ::compat_runtime::__p::Compat for #ident {
            const MESSAGE: &'static ::compat_runtime::__p::Message = &::compat_runtime::__p::#call(#name, #own, #newest, #routes, #entries);
            #guard
        }
        #[automatically_derived]
        impl ::compat_runtime::__p::Proto for #ident {
            const PROTO: &'static ::compat_runtime::__p::ProtoMessage = &::compat_runtime::__p::ProtoMessage {
                name: #full,
                rust: #name,
                since: #own,
                #proto_routes
                #fields
                #values
                #reserved
                #reserved_names
                ..::compat_runtime::__p::#kind
            };
        }
    };
    if walks {
        // The walk's trait in scope for the fold's method calls, inside a block of its
        // own: an import at the item's level could clash with the user's names.
        quote! {
            const _: () = {
                use ::compat_runtime::__p::Walk as _;
                #impls
            };
        }
    } else {
        impls
    }
}

/// The impls of an item with errors: empty tables, so that code using them compiles and
/// the user sees only the real errors.
pub(crate) fn stubs(ident: &proc_macro2::Ident) -> TokenStream {
    let name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl ::compat_runtime::message::Compat for #ident {
            const MESSAGE: &'static ::compat_runtime::message::Message = &::compat_runtime::__c::message(
                #name, "", 0, &[], ::compat_runtime::message::Kind::Struct(::compat_runtime::message::Shape::Named), &[], &[],
            );
        }
        #[automatically_derived]
        impl ::compat_runtime::proto::Proto for #ident {
            const PROTO: &'static ::compat_runtime::proto::ProtoMessage = &::compat_runtime::proto::ProtoMessage {
                name: #name, rust: #name, since: "", kind: ::compat_runtime::proto::ProtoKind::Message,
                routes: &[], fields: &[], values: &[], reserved: &[], reserved_names: &[],
            };
        }
    }
}

/// The item's own `@since` (a oneof without one: 0.0.0, it travels as its message does).
fn since(item: &Item<'_>) -> (String, Version) {
    item.notes.since.as_ref().map_or_else(
        || ("0.0.0".to_owned(), Version::new(0, 0, 0)),
        |s| (s.text.clone(), s.version.clone()),
    )
}

fn field_since(field: &Field, own: &str) -> String {
    field
        .notes
        .since
        .as_ref()
        .map_or_else(|| own.to_owned(), |s| s.text.clone())
}

/// The newest release of the item and its parts, packed (0.0.0 where the docs name
/// none): the newest `@since` the rules read too.
fn newest(item: &Item<'_>) -> u64 {
    // Packed here, not by a call the compiler would evaluate for every table.
    crate::prost_rules::newest_since(item).map_or(0, |since| pack(&since.version))
}

fn routes(item: &Item<'_>) -> TokenStream {
    if item.routes.is_empty() {
        return quote!(::compat_runtime::__p::NO_ROUTES);
    }
    // One repetition in one `quote!`: a stream per route, interpolated, costs the derive
    // a bridge call each.
    let from = item.routes.iter().map(|(from, _)| from);
    let to = item.routes.iter().map(|(_, to)| to);
    quote!(&[#(::compat_runtime::__p::Route { from: #from, to: #to }),*])
}

/// The field's type as a `.proto` file would write it, for the `Message` table (which the
/// fingerprint reads).
fn type_text(field: &Field) -> String {
    let base = match &field.kind {
        Kind::Scalar(s) => s.clone(),
        Kind::Message(ty) | Kind::Enum(ty) => ty.text.clone(),
        Kind::Oneof(ty) => return format!("oneof {}", ty.text),
    };
    match field.cardinality {
        Cardinality::Implicit => base,
        Cardinality::Optional => format!("optional {base}"),
        Cardinality::Required => format!("required {base}"),
        Cardinality::Repeated => format!("repeated {base}"),
        Cardinality::Map(key) => format!("map<{key}, {base}>"),
    }
}

/// What the item's kind puts in its tables: the `Message` table's constructor (`__p::...`)
/// and its last argument, the protobuf table's `fields: ...,` or `values: ...,` entry, and
/// the base that table takes the rest from (`__p::...`).
struct Tables {
    call: &'static str,
    entries: TokenStream,
    fields: Option<TokenStream>,
    values: Option<TokenStream>,
    kind: &'static str,
}

fn tables(item: &Item<'_>) -> Tables {
    match &item.body {
        Body::Message(fields) => {
            let (own, _) = since(item);
            let (entries, fields) = message_fields(fields, &own);
            Tables {
                call: "struct_message",
                entries,
                fields: Some(fields),
                values: None,
                kind: "AS_MESSAGE",
            }
        }
        Body::Oneof(fields) => {
            let (own, _) = since(item);
            let (entries, fields) = oneof_members(fields, &own);
            Tables {
                call: "enum_message",
                entries,
                fields: Some(fields),
                values: None,
                kind: "AS_ONEOF",
            }
        }
        Body::Enum(values) => {
            let (own, _) = since(item);
            let names = values.iter().map(|v| v.ident.to_string());
            let numbers = values.iter().map(|v| v.number);
            let texts = values.iter().map(|v| v.number.to_string());
            let sinces = values.iter().map(|v| {
                v.notes
                    .since
                    .as_ref()
                    .map_or_else(|| own.clone(), |s| s.text.clone())
            });
            Tables {
                call: "enum_message",
                entries: quote!(&::compat_runtime::__p::values([#(#names),*], [#(#texts),*], [#(#sinces),*])),
                fields: None,
                values: Some(
                    quote!(values: &::compat_runtime::__p::proto_values(<Self as ::compat_runtime::__p::Compat>::MESSAGE.variants, [#(#numbers),*]),),
                ),
                kind: "AS_ENUM",
            }
        }
    }
}

/// A message's fields: in its `Message` table (the last argument of the call that writes
/// it), and in its protobuf table. The fields are a borrow the compiler promotes, which
/// costs it less than a nested `const` item of their own (a body to type-check, borrow-check
/// and evaluate; benches/compile_time.sh, the prost family).
fn message_fields(fields: &[Field], own: &str) -> (TokenStream, TokenStream) {
    let names = fields.iter().map(|f| &f.name);
    let types = fields.iter().map(type_text);
    let numbers = fields.iter().map(|f| f.number.to_string());
    // Only the fields newer than the message, or ignorable, name their release and flag.
    let newer = || {
        fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.notes.since.is_some() || f.notes.ignorable)
    };
    let index = newer().map(|(i, _)| i);
    let since = newer().map(|(_, f)| field_since(f, own));
    let ignorable = newer().map(|(_, f)| f.notes.ignorable);
    // The protobuf table reads each field's name, release and `ignorable` from the
    // `Message` table: each is written once.
    let wire = fields.iter().map(code);
    let deprecated = (0..fields.len()).filter(|&i| fields[i].notes.deprecated);
    let tables = type_tables(fields);
    (
        quote!(&::compat_runtime::__p::fields(#own, [#(#names),*], [#(#types),*], [#(#numbers),*], [#((#index, #since, #ignorable)),*])),
        quote!(fields: &::compat_runtime::__p::proto_fields_of(<Self as ::compat_runtime::__p::Compat>::MESSAGE.fields, [#(#wire),*], [#(#deprecated),*], [#(::compat_runtime::__p::table::<#tables>),*]),),
    )
}

/// A oneof's members: as variants of its `Message` table (the last argument of the call
/// that writes it), and as fields of its protobuf table.
fn oneof_members(fields: &[Field], own: &str) -> (TokenStream, TokenStream) {
    let names = fields.iter().map(|f| &f.name);
    let numbers = fields.iter().map(|f| f.number.to_string());
    let sinces = fields.iter().map(|f| field_since(f, own));
    let types = fields.iter().map(type_text);
    let codes = fields.iter().map(code);
    let ignorable = (0..fields.len()).filter(|&i| fields[i].notes.ignorable);
    let deprecated = (0..fields.len()).filter(|&i| fields[i].notes.deprecated);
    let tables = type_tables(fields);
    (
        quote!(&::compat_runtime::__p::members([#(#names),*], [#(#numbers),*], &::compat_runtime::__p::member_fields([#(#sinces),*], [#(#types),*]))),
        quote!(fields: &::compat_runtime::__p::proto_members(<Self as ::compat_runtime::__p::Compat>::MESSAGE.variants, [#(#codes),*], [#(#ignorable),*], [#(#deprecated),*], [#(::compat_runtime::__p::table::<#tables>),*]),),
    )
}

/// The field's number, type and cardinality in the protobuf table as one code, `number *
/// 1024 + type * 32 + cardinality` (`__p::decode!`), written without a suffix: the row's
/// type says `u64`. The number is its wire name's text too, but a shift costs the
/// compiler fewer steps to evaluate than parsing that text (benches/compile_time.sh, the
/// prost family).
fn code(f: &Field) -> proc_macro2::Literal {
    proc_macro2::Literal::u64_unsuffixed(
        (u64::from(f.number) << 10) | (u64::from(type_code(f)) * 32 + u64::from(cardinality(f))),
    )
}

/// The field's type in the protobuf table, as the runtime's rows code it
/// (`__p::proto_fields_of`): a scalar's index in `Scalar::ALL`; 15, 16, 17 a message, an
/// enum, a oneof, whose table is the next of the row list's tables.
fn type_code(f: &Field) -> u8 {
    match &f.kind {
        Kind::Scalar(s) => scalar_code(s),
        Kind::Message(_) => 15,
        Kind::Enum(_) => 16,
        Kind::Oneof(_) => 17,
    }
}

/// The types whose tables the rows name (`__p::table::<T>`), in row order, each with its
/// own span: a type without one is an error at the field's type.
fn type_tables(fields: &[Field]) -> impl Iterator<Item = &TypeName> {
    fields.iter().filter_map(|f| match &f.kind {
        Kind::Scalar(_) => None,
        Kind::Message(ty) | Kind::Oneof(ty) | Kind::Enum(ty) => Some(ty),
    })
}

/// The field's cardinality in the protobuf table, as the runtime's rows code it: 0
/// implicit, 1 optional, 2 required, 3 repeated, `4 + k` a map whose key is the scalar
/// coded `k`.
fn cardinality(f: &Field) -> u8 {
    match f.cardinality {
        Cardinality::Implicit => 0,
        Cardinality::Optional => 1,
        Cardinality::Required => 2,
        Cardinality::Repeated => 3,
        Cardinality::Map(key) => 4 + scalar_code(key),
    }
}

/// The Rust types prost-build maps protobuf's wrappers and `Empty` to: nothing to walk.
const WRAPPED: [&str; 10] = [
    "bool", "f32", "f64", "i32", "i64", "u32", "u64", "u8", "String", "()",
];

/// The type a field's guard walks into: a message's or oneof's (`true`), an enum's
/// (`false`); none for a scalar or a wrapper.
fn nested(field: &Field) -> Option<(TokenStream, bool)> {
    match &field.kind {
        Kind::Message(ty) if WRAPPED.contains(&ty.last.as_str()) => None,
        Kind::Message(ty) | Kind::Oneof(ty) => Some((ty.tokens.clone(), true)),
        Kind::Enum(ty) => Some((ty.tokens.clone(), false)),
        Kind::Scalar(_) => None,
    }
}

/// What the fast path's constant, the newest release of the type and of all it may hold,
/// is made of.
enum Within {
    /// The build helper's figure over the whole descriptor set (`#[compat(within = "...")]`,
    /// packed), when newer than the type's own: the trait's `__NEWEST_WITHIN`, which its
    /// default `__newest_within` reads at any depth. One constant for the compiler to
    /// check, where the fold is a method body of calls (the stub pair of
    /// benches/compile_time.sh's prost family: 8.856 G -> 8.452 G; a one-line
    /// `__newest_within` returning it instead: 8.468 G).
    Given(u64),
    /// The helper's figure is the type's own newest: the trait's defaults say it already.
    Own,
    /// No figure (the derive used without the helper): the fold, [`newest_within`].
    Fold,
}

impl Within {
    /// The constant that carries a figure newer than the type's own; nothing otherwise.
    fn constant(&self) -> TokenStream {
        match self {
            Within::Given(packed) => quote!(const __NEWEST_WITHIN: u64 = #packed;),
            Within::Own | Within::Fold => TokenStream::new(),
        }
    }
}

/// The item's `within`, against its own newest (which the rules have checked it is not
/// older than).
fn within(item: &Item<'_>) -> Within {
    let Some(within) = item
        .within
        .as_ref()
        .and_then(|w| crate::since::parse_release(&w.text).ok())
    else {
        return Within::Fold;
    };
    let packed = pack(&within);
    if packed > newest(item) {
        Within::Given(packed)
    } else {
        Within::Own
    }
}

/// `__newest_within` without the helper's figure: the item's own newest, folded with that
/// of each type its fields hold (once per type), one call inside the next. The walk stops
/// at depth 0 (the type may hold itself): [`Walk::newest`] answers `u64::MAX` there, "too
/// deep to tell". With the figure, its constant (or nothing: the trait's defaults).
fn newest_within(fields: &[Field], within: &Within) -> TokenStream {
    if !matches!(within, Within::Fold) {
        return within.constant();
    }
    let mut seen = std::collections::BTreeSet::new();
    let nested: Vec<TokenStream> = fields
        .iter()
        .filter_map(|f| nested(f).map(|(ty, _)| ty))
        .filter(|ty| seen.insert(ty.to_string()))
        .collect();
    if nested.is_empty() {
        return TokenStream::new();
    }
    let fold = nested.iter().fold(
        quote!(Self::MESSAGE.newest),
        |newest, ty| quote!(None::<::compat_runtime::__p::W<#ty>>.newest(depth, #newest)),
    );
    quote! {
        #[inline]
        fn __newest_within(depth: u32) -> u64 {
            #fold
        }
    }
}

/// Nothing newer than the type and nothing nested: the trait's defaults (the type's own
/// `@since`) are the whole guard, and the derive writes no methods.
fn nothing_to_walk(fields: &[Field]) -> bool {
    fields
        .iter()
        .all(|f| f.notes.since.is_none() && nested(f).is_none())
}

/// A message's guard: `__newest_within` (the fast path's constant), and the slow path as
/// one constant, `__WIRE`, naming the runtime's walk of the message's encoding (which
/// reads the names, releases and `@ignorable` of what it finds in the protobuf table).
/// `Wire::FIND` where nothing can need stripping (no `@ignorable` field, no message held
/// that may have one): `Session::prepare` then asks for no encoding to find nothing.
/// `Wire::<Self>` spelled out: no inference for the compiler (0.003 G of the pair). Three
/// one-line methods calling the walk instead of the constant: +0.34 G.
fn message_guard(fields: &[Field], within: &Within) -> TokenStream {
    if nothing_to_walk(fields) {
        return within.constant();
    }
    let newest = newest_within(fields, within);
    let strips = fields.iter().any(|f| {
        (f.notes.since.is_some() && f.notes.ignorable) || nested(f).is_some_and(|(_, m)| m)
    });
    let wire = if strips { quote!(STRIP) } else { quote!(FIND) };
    quote! {
        #newest
        const __WIRE: ::compat_runtime::__p::Slow<Self> = ::compat_runtime::__p::Wire::<Self>::#wire;
    }
}

/// A oneof's guard: `__newest_within`, for the fast path of the messages that hold it. The
/// slow path is its message's: the walk of the message's encoding checks the member sent
/// and what it holds. (A oneof is not a message prost encodes on its own.)
fn oneof_guard(fields: &[Field], within: &Within) -> TokenStream {
    if nothing_to_walk(fields) {
        return within.constant();
    }
    newest_within(fields, within)
}
