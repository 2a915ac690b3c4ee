//! `#[derive(ProstCompat)]`, generate: the `impl Compat` (the [`Message`] table, fields by
//! Rust name with their numbers as wire names, and the send guard's walk by number) and
//! the `impl Proto` (the protobuf table the wire lock compares).
//!
//! [`Message`]: ../compat_runtime/message/struct.Message.html

use crate::prost_ast::{Body, Cardinality, Field, Item, Kind, Value};
use proc_macro2::TokenStream;
use quote::quote;
use semver::Version;

/// Both impls of one item that passed its checks.
pub(crate) fn impls(item: &Item<'_>) -> TokenStream {
    let ident = item.ident;
    let message = message_table(item);
    let proto = proto_table(item);
    let guard = match &item.body {
        Body::Message(fields) => message_guard(fields),
        Body::Oneof(fields) => oneof_guard(fields),
        Body::Enum(_) => TokenStream::new(),
    };
    quote! {
        #[automatically_derived]
        impl ::compat_runtime::message::Compat for #ident {
            const MESSAGE: &'static ::compat_runtime::message::Message = #message;
            #guard
        }
        #[automatically_derived]
        impl ::compat_runtime::proto::Proto for #ident {
            const PROTO: &'static ::compat_runtime::proto::ProtoMessage = #proto;
        }
    }
}

/// The impls of an item with errors: empty tables, so that code using them compiles and
/// the user sees only the real errors.
pub(crate) fn stubs(ident: &syn::Ident) -> TokenStream {
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

fn field_since(field: &Field<'_>, own: &str) -> String {
    field
        .notes
        .since
        .as_ref()
        .map_or_else(|| own.to_owned(), |s| s.text.clone())
}

/// The newest release of the item and its parts, packed.
fn newest(item: &Item<'_>) -> TokenStream {
    let (_, own) = since(item);
    let parts: Vec<Version> = match &item.body {
        Body::Message(fields) | Body::Oneof(fields) => fields
            .iter()
            .filter_map(|f| f.notes.since.as_ref().map(|s| s.version.clone()))
            .collect(),
        Body::Enum(values) => values
            .iter()
            .filter_map(|v| v.notes.since.as_ref().map(|s| s.version.clone()))
            .collect(),
    };
    let newest = parts
        .into_iter()
        .fold(own, |a, b| if b > a { b } else { a });
    let text = newest.to_string();
    quote!(::compat_runtime::guard::pack_release(#text))
}

fn routes(item: &Item<'_>) -> TokenStream {
    let routes = item
        .routes
        .iter()
        .map(|(from, to)| quote!(::compat_runtime::message::Route { from: #from, to: #to }));
    quote!(&[#(#routes),*])
}

/// The field's type as a `.proto` file would write it, for the `Message` table (which the
/// fingerprint reads).
fn type_text(field: &Field<'_>) -> String {
    let base = match &field.kind {
        Kind::Scalar(s) => s.clone(),
        Kind::Message(ty) => quote!(#ty).to_string().replace(' ', ""),
        Kind::Enum(path) => quote!(#path).to_string().replace(' ', ""),
        Kind::Oneof(ty) => return format!("oneof {}", quote!(#ty).to_string().replace(' ', "")),
    };
    match field.cardinality {
        Cardinality::Implicit => base,
        Cardinality::Optional => format!("optional {base}"),
        Cardinality::Required => format!("required {base}"),
        Cardinality::Repeated => format!("repeated {base}"),
        Cardinality::Map(key) => format!("map<{key}, {base}>"),
    }
}

fn message_table(item: &Item<'_>) -> TokenStream {
    let name = item.ident.to_string();
    let (own, _) = since(item);
    let newest = newest(item);
    let routes = routes(item);
    let m = quote!(::compat_runtime::message);
    match &item.body {
        Body::Message(fields) => {
            let fields = fields.iter().map(|f| {
                let (fname, fsince, ty, number) = (
                    &f.name,
                    field_since(f, &own),
                    type_text(f),
                    f.number.to_string(),
                );
                let ignorable = f.notes.ignorable;
                quote!((#fname, #fsince, #ty, #number, #ignorable))
            });
            quote!({
                const FIELDS: &[#m::Field] = &::compat_runtime::__p::fields([#(#fields),*]);
                &::compat_runtime::__c::message(#name, #own, #newest, #routes, #m::Kind::Struct(#m::Shape::Named), FIELDS, &[])
            })
        }
        Body::Oneof(fields) => {
            let variants = fields.iter().map(|f| {
                let (vname, vsince, ty, number) = (
                    &f.name,
                    field_since(f, &own),
                    type_text(f),
                    f.number.to_string(),
                );
                variant(
                    &vname.clone(),
                    &vsince,
                    &number,
                    &quote!(&[::compat_runtime::__c::field("0", #vsince, #ty, true)]),
                    quote!(#m::Shape::Tuple),
                )
            });
            quote!({
                const VARIANTS: &[#m::Variant] = &[#(#variants),*];
                &::compat_runtime::__c::message(#name, #own, #newest, #routes, #m::Kind::Enum, &[], VARIANTS)
            })
        }
        Body::Enum(values) => {
            let variants = values.iter().map(|v| {
                let vsince = v
                    .notes
                    .since
                    .as_ref()
                    .map_or_else(|| own.clone(), |s| s.text.clone());
                variant(
                    &v.ident.to_string(),
                    &vsince,
                    &v.number.to_string(),
                    &quote!(&[]),
                    quote!(#m::Shape::Unit),
                )
            });
            quote!({
                const VARIANTS: &[#m::Variant] = &[#(#variants),*];
                &::compat_runtime::__c::message(#name, #own, #newest, #routes, #m::Kind::Enum, &[], VARIANTS)
            })
        }
    }
}

fn variant(
    name: &str,
    since: &str,
    number: &str,
    fields: &TokenStream,
    shape: TokenStream,
) -> TokenStream {
    let m = quote!(::compat_runtime::message);
    quote!(#m::Variant {
        name: #name,
        wire: #m::WireName { serialize: #number, deserialize: #number, aliases: &[] },
        rename_all: ::compat_runtime::__c::NO_RULE,
        since: #since,
        catch_all: false,
        shape: #shape,
        fields: #fields,
        fallback: ::core::option::Option::None,
    })
}

fn proto_table(item: &Item<'_>) -> TokenStream {
    let p = quote!(::compat_runtime::proto);
    let rust = item.ident.to_string();
    let name = item.proto.clone().unwrap_or_else(|| rust.clone());
    let (own, _) = since(item);
    let routes = routes(item);
    let (kind, fields, values) = match &item.body {
        Body::Message(fields) => (
            quote!(Message),
            proto_fields(fields, &own),
            TokenStream::new(),
        ),
        Body::Oneof(fields) => (
            quote!(Oneof),
            proto_fields(fields, &own),
            TokenStream::new(),
        ),
        Body::Enum(values) => (quote!(Enum), TokenStream::new(), proto_values(values, &own)),
    };
    let reserved = item.reserved.iter().map(|(a, b)| quote!((#a, #b)));
    let reserved_names = &item.reserved_names;
    quote!(&#p::ProtoMessage {
        name: #name,
        rust: #rust,
        since: #own,
        kind: #p::ProtoKind::#kind,
        routes: #routes,
        fields: &::compat_runtime::__p::proto_fields([#fields]),
        values: &::compat_runtime::__p::values_of([#values]),
        reserved: &[#(#reserved),*],
        reserved_names: &[#(#reserved_names),*],
    })
}

fn proto_fields(fields: &[Field<'_>], own: &str) -> TokenStream {
    let p = quote!(::compat_runtime::proto);
    let fields = fields.iter().map(|f| {
        let (name, since, number) = (&f.name, field_since(f, own), f.number);
        let table = |ty: TokenStream| quote!(#p::TypeRef(::compat_runtime::__p::table::<#ty>));
        let ty = match &f.kind {
            Kind::Scalar(s) => {
                let variant = syn::Ident::new(&scalar_variant(s), proc_macro2::Span::call_site());
                quote!(#p::ProtoType::Scalar(#p::Scalar::#variant))
            }
            Kind::Message(ty) => { let t = table(quote!(#ty)); quote!(#p::ProtoType::Message(#t)) }
            Kind::Enum(path) => { let t = table(quote!(#path)); quote!(#p::ProtoType::Enum(#t)) }
            Kind::Oneof(ty) => { let t = table(quote!(#ty)); quote!(#p::ProtoType::Oneof(#t)) }
        };
        let cardinality = match f.cardinality {
            Cardinality::Implicit => quote!(Implicit),
            Cardinality::Optional => quote!(Optional),
            Cardinality::Required => quote!(Required),
            Cardinality::Repeated => quote!(Repeated),
            Cardinality::Map(key) => {
                let key = syn::Ident::new(&scalar_variant(key), proc_macro2::Span::call_site());
                quote!(Map(#p::Scalar::#key))
            }
        };
        let (ignorable, deprecated) = (f.notes.ignorable, f.notes.deprecated);
        quote!((#number, #name, #since, #ty, #p::Cardinality::#cardinality, #ignorable, #deprecated))
    });
    quote!(#(#fields),*)
}

fn proto_values(values: &[Value<'_>], own: &str) -> TokenStream {
    let values = values.iter().map(|v| {
        let (name, number) = (v.ident.to_string(), v.number);
        let since = v
            .notes
            .since
            .as_ref()
            .map_or_else(|| own.to_owned(), |s| s.text.clone());
        quote!((#name, #number, #since))
    });
    quote!(#(#values),*)
}

/// `uint32` → `Uint32`, `sfixed64` → `Sfixed64`.
fn scalar_variant(scalar: &str) -> String {
    let mut chars = scalar.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// What a field holds that the guard walks into: messages (and oneofs) and enum values.
fn nested_kind(field: &Field<'_>) -> Option<bool> {
    match field.kind {
        Kind::Message(_) | Kind::Oneof(_) => Some(true),
        Kind::Enum(_) => Some(false),
        Kind::Scalar(_) => None,
    }
}

/// The numbers an `enumeration` field holds, as an iterator over `value` (the field).
fn enum_numbers(cardinality: Cardinality, value: &TokenStream) -> TokenStream {
    match cardinality {
        Cardinality::Implicit | Cardinality::Required => quote!(::core::iter::once(*#value)),
        Cardinality::Optional | Cardinality::Repeated => quote!(#value.iter().copied()),
        Cardinality::Map(_) => quote!(#value.values().copied()),
    }
}

/// `__newest_within`: the item's own newest, folded with that of the messages and enums
/// its fields hold.
fn newest_within(fields: &[Field<'_>]) -> TokenStream {
    let folds: Vec<TokenStream> = fields
        .iter()
        .filter_map(|f| {
            let ty = f.ty;
            match &f.kind {
                Kind::Message(_) | Kind::Oneof(_) => Some(quote!((&__g::Ty::<#ty>::new()).nested_newest(depth - 1))),
                Kind::Enum(path) => Some(quote!(<#path as ::compat_runtime::message::Compat>::__newest_within(depth - 1))),
                Kind::Scalar(_) => None,
            }
        })
        .collect();
    if folds.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[inline]
        fn __newest_within(depth: u32) -> u64 {
            use ::compat_runtime::__g::{self, NestedNewest as _};
            if depth == 0 {
                return u64::MAX;
            }
            let newest = const { <Self as ::compat_runtime::message::Compat>::MESSAGE.newest };
            #(let newest = __g::max(newest, #folds);)*
            newest
        }
    }
}

/// Nothing newer than the type and nothing nested: the trait's defaults (the type's own
/// `@since`) are the whole guard, and the derive writes no methods.
fn nothing_to_walk(fields: &[Field<'_>]) -> bool {
    fields
        .iter()
        .all(|f| f.notes.since.is_none() && nested_kind(f).is_none())
}

fn message_guard(fields: &[Field<'_>]) -> TokenStream {
    if nothing_to_walk(fields) {
        return TokenStream::new();
    }
    let newest = newest_within(fields);
    let newer: Vec<(usize, &Field<'_>)> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.notes.since.is_some())
        .collect();
    let checks = newer.iter().filter(|(_, f)| !f.notes.ignorable).map(|(i, f)| {
        let (ident, since) = (ident(f), f.notes.since.as_ref().map(|s| s.text.clone()));
        quote!((#i, ::compat_runtime::guard::pack_release(#since), !__g::Val(&self.#ident).is_default()))
    });
    let nested = fields.iter().filter_map(|f| {
        let value = {
            let ident = ident(f);
            quote!(self.#ident)
        };
        match (&f.kind, nested_kind(f)?) {
            (Kind::Enum(path), false) => {
                let numbers = enum_numbers(f.cardinality, &quote!((&#value)));
                Some(
                    quote!(if peer < ::compat_runtime::__p::newest_value::<#path>() {
                        let found = ::compat_runtime::__p::values::<#path>(&mut #numbers, peer);
                        if found.is_some() { return found; }
                    }),
                )
            }
            _ => Some(quote!({
                let found = (&__g::Val(&#value)).nested_unreadable(peer);
                if found.is_some() { return found; }
            })),
        }
    });
    let ignorable: Vec<&Field<'_>> = newer
        .iter()
        .filter(|(_, f)| f.notes.ignorable)
        .map(|(_, f)| *f)
        .collect();
    let strip_checks = ignorable.iter().map(|f| {
        let (ident, since) = (ident(f), f.notes.since.as_ref().map(|s| s.text.clone()));
        quote!((::compat_runtime::guard::pack_release(#since), !__g::Val(&self.#ident).is_default()))
    });
    let resets = ignorable.iter().map(|f| {
        let (ident, since) = (ident(f), f.notes.since.as_ref().map(|s| s.text.clone()));
        quote!(if peer < ::compat_runtime::guard::pack_release(#since) { __g::reset(&mut self.#ident); })
    });
    let walks: Vec<syn::Ident> = fields
        .iter()
        .filter(|f| nested_kind(f) == Some(true))
        .map(ident)
        .collect();
    quote! {
        #newest
        #[inline]
        fn __unreadable(&self, peer: u64) -> ::compat_runtime::__g::Found {
            use ::compat_runtime::__g::{self, Nested as _};
            let since = const { ::compat_runtime::guard::pack_release(<Self as ::compat_runtime::message::Compat>::MESSAGE.since) };
            let found = __g::fields(<Self as ::compat_runtime::message::Compat>::MESSAGE, since, peer, &[#(#checks),*]);
            if found.is_some() { return found; }
            #(#nested)*
            None
        }
        #[inline]
        fn __needs_strip(&self, peer: u64) -> bool {
            use ::compat_runtime::__g::{self, Nested as _};
            __g::any(peer, &[#(#strip_checks),*]) #(|| (&__g::Val(&self.#walks)).nested_needs_strip(peer))*
        }
        #[inline]
        fn __strip(&mut self, peer: u64) {
            use ::compat_runtime::__g::{self, NestedMut as _};
            #(#resets)*
            #((&mut __g::ValMut(&mut self.#walks)).nested_strip(peer);)*
        }
    }
}

fn ident(field: &Field<'_>) -> syn::Ident {
    syn::parse_str(&field.name)
        .unwrap_or_else(|_| syn::Ident::new_raw(&field.name, proc_macro2::Span::call_site()))
}

fn oneof_guard(fields: &[Field<'_>]) -> TokenStream {
    if nothing_to_walk(fields) {
        return TokenStream::new();
    }
    let newest = newest_within(fields);
    let arms = fields.iter().enumerate().map(|(i, f)| {
        let variant = ident(f);
        let since = f.notes.since.as_ref().map_or_else(|| quote!(0), |s| { let t = &s.text; quote!(::compat_runtime::guard::pack_release(#t)) });
        let inner = match &f.kind {
            Kind::Enum(path) => quote!(if peer < ::compat_runtime::__p::newest_value::<#path>() {
                ::compat_runtime::__p::values::<#path>(&mut ::core::iter::once(*value), peer)
            } else {
                None
            }),
            Kind::Message(_) => quote!((&__g::Val(value)).nested_unreadable(peer)),
            _ => quote!({ let _ = value; None }),
        };
        quote!(Self::#variant(value) => {
            let found = __g::variant(<Self as ::compat_runtime::message::Compat>::MESSAGE, since, peer, #i, #since, &[]);
            if found.is_some() { return found; }
            #inner
        })
    });
    quote! {
        #newest
        #[inline]
        fn __unreadable(&self, peer: u64) -> ::compat_runtime::__g::Found {
            use ::compat_runtime::__g::{self, Nested as _};
            let since = const { ::compat_runtime::guard::pack_release(<Self as ::compat_runtime::message::Compat>::MESSAGE.since) };
            match self {
                #(#arms)*
            }
        }
    }
}
