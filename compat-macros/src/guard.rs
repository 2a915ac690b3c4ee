//! Writing the `impl Guard`: the send guard's constant and its per-value slow path.
//!
//! The constant is the newest `#[since]` of the message, its fields and its variants,
//! packed into one integer the way `compat_runtime::guard::pack` does, so a session checks a
//! message its peer fully knows with one compare. The slow path looks only at the parts that
//! arrived after the message itself: a newer variant is unreadable (unless it is the
//! catch-all), a newer field is unreadable when it holds a non-default value and is not
//! `#[compat(ignorable)]`. "Default" is `None` for an `Option`, what the field's
//! `#[serde(skip_serializing_if = "...")]` predicate skips, and otherwise
//! `Default::default()` where the type has it and `PartialEq` (anything else counts as a
//! value). Fields holding other messages are walked through `compat_runtime::guard`'s
//! probes.

use crate::ast::{self, Data, Input};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use semver::Version;
use syn::DeriveInput;

/// Packs a release as `compat_runtime::guard::pack` does.
fn pack(v: &Version) -> u64 {
    let cap = |v: u64, bits: u32| v.min((1 << bits) - 1);
    (cap(v.major, 24) << 40) | (cap(v.minor, 20) << 20) | cap(v.patch, 20)
}

/// One field, with what the guard needs of it.
struct GuardField<'a> {
    name: &'a str,
    /// `self.<member>` for a struct; the binding for a variant.
    member: TokenStream,
    ty: &'a syn::Type,
    since: Option<&'a Version>,
    ignorable: bool,
    /// How to tell that `__v` (a reference to the value) is the field's default.
    is_default: TokenStream,
    /// How to reset `__v` (a mutable reference) for an ignorable field.
    reset: TokenStream,
}

/// `generics` are the item's, with the bounds its `impl Compat` has (flattened type
/// parameters must have tables), since `Guard` extends `Compat`.
pub(crate) fn impl_guard(
    node: &DeriveInput,
    input: &Input<'_>,
    generics: &syn::Generics,
) -> TokenStream {
    let ident = &node.ident;
    let name = ident.to_string().trim_start_matches("r#").to_owned();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let message_since = input.attrs.since.as_ref().map(|s| &s.version);
    let ms = message_since.map_or(0, pack);
    let ms_text = message_since.map(ToString::to_string).unwrap_or_default();
    let mut newest = ms;

    let (unreadable, needs_strip, strip, types) = match &input.data {
        Data::Struct(_, fields) => {
            let syn::Data::Struct(data) = &node.data else {
                return stub(node);
            };
            let fields = guard_fields(fields, &data.fields, message_since, false);
            for f in &fields {
                newest = newest.max(f.since.map_or(0, pack));
            }
            let shared = |f: &GuardField<'_>| {
                let member = &f.member;
                quote!(&self.#member)
            };
            let read = per_field(&fields, shared, |f| field_check(f, &name, ms));
            let need = per_field(&fields, shared, |f| field_needs_strip(f, ms));
            let strip = per_field(
                &fields,
                |f| {
                    let member = &f.member;
                    quote!(&mut self.#member)
                },
                |f| field_strip(f, ms),
            );
            let types: Vec<&syn::Type> = fields
                .iter()
                .map(|f| f.ty)
                .filter(|ty| may_hold_message(ty))
                .collect();
            (
                quote!(#(#read)*),
                quote!(#(#need)*),
                quote!(#(#strip)*),
                types,
            )
        }
        Data::Enum(variants) => {
            let (mut any_read, mut any_need, mut any_strip) = (false, false, false);
            let syn::Data::Enum(data) = &node.data else {
                return stub(node);
            };
            let mut read_arms = Vec::new();
            let mut need_arms = Vec::new();
            let mut strip_arms = Vec::new();
            let mut types = Vec::new();
            for variant in variants {
                let Some(syn_variant) = data.variants.iter().find(|v| &v.ident == variant.ident)
                else {
                    continue;
                };
                let v_ident = variant.ident;
                let v_name = v_ident.to_string().trim_start_matches("r#").to_owned();
                let v_since = variant
                    .attrs
                    .since
                    .as_ref()
                    .map(|s| &s.version)
                    .or(message_since);
                let vs = v_since.map_or(0, pack);
                newest = newest.max(vs);
                let fields = guard_fields(&variant.fields, &syn_variant.fields, v_since, true);
                for f in &fields {
                    newest = newest.max(f.since.map_or(0, pack));
                    if may_hold_message(f.ty) {
                        types.push(f.ty);
                    }
                }
                let bindings: Vec<TokenStream> = fields
                    .iter()
                    .zip(syn_members(&syn_variant.fields, &variant.fields))
                    .map(|(f, member)| {
                        let binding = &f.member;
                        quote!(#member: #binding)
                    })
                    .collect();
                let pattern = quote!(Self::#v_ident { #(#bindings,)* .. });
                let catch_all = input.catch_all(variant).is_some();
                let variant_check = if vs > ms && !catch_all {
                    let since = v_since.map(ToString::to_string).unwrap_or_default();
                    quote! {
                        if peer < #vs {
                            return ::core::option::Option::Some(__g::Unknown {
                                message: #name,
                                part: __g::Part::Variant(#v_name),
                                since: #since,
                            });
                        }
                    }
                } else {
                    quote!()
                };
                let binding = |f: &GuardField<'_>| f.member.clone();
                let read = per_field(&fields, binding, |f| field_check(f, &name, vs));
                any_read |= !read.is_empty() || !variant_check.is_empty();
                read_arms.push(quote!(#pattern => { #variant_check #(#read)* }));
                let need = per_field(&fields, binding, |f| field_needs_strip(f, vs));
                any_need |= !need.is_empty();
                need_arms.push(quote!(#pattern => { #(#need)* }));
                let strip = per_field(&fields, binding, |f| field_strip(f, vs));
                any_strip |= !strip.is_empty();
                strip_arms.push(quote!(#pattern => { #(#strip)* }));
            }
            let rest = quote! {
                #[allow(unreachable_patterns)]
                _ => {}
            };
            let arms = |any: bool, arms: &[TokenStream]| {
                if any {
                    quote!(match self { #(#arms)* #rest })
                } else {
                    quote!()
                }
            };
            (
                arms(any_read, &read_arms),
                arms(any_need, &need_arms),
                arms(any_strip, &strip_arms),
                types,
            )
        }
    };

    let message_check = if ms > 0 {
        quote! {
            if peer < #ms {
                return ::core::option::Option::Some(__g::Unknown {
                    message: #name,
                    part: __g::Part::Message,
                    since: #ms_text,
                });
            }
        }
    } else {
        quote!()
    };

    // Only what this message needs is written: the trait's defaults (nothing nested,
    // nothing unreadable, nothing to strip) serve the rest, which keeps the compiler's work
    // per message small.
    let newest_within = if types.is_empty() {
        quote!()
    } else {
        quote! {
            #[inline]
            fn newest_within(depth: u32) -> u64 {
                #[allow(unused_imports)]
                use ::compat_runtime::guard::__private::{self as __g, NestedNewest as _};
                if depth == 0 {
                    return u64::MAX;
                }
                let newest = <Self as ::compat_runtime::guard::Guard>::NEWEST;
                #(let newest = __g::max(newest, (&__g::Ty::<#types>::new()).nested_newest(depth - 1));)*
                newest
            }
        }
    };
    let unreadable_fn = if unreadable.is_empty() {
        quote!()
    } else {
        quote! {
            fn unreadable(&self, peer: u64) -> ::core::option::Option<::compat_runtime::guard::Unknown> {
                #[allow(unused_imports)]
                use ::compat_runtime::guard::__private::{self as __g, IsDefault as _, Nested as _};
                #message_check
                #unreadable
                ::core::option::Option::None
            }
        }
    };
    let needs_strip_fn = if needs_strip.is_empty() {
        quote!()
    } else {
        quote! {
            fn needs_strip(&self, peer: u64) -> bool {
                #[allow(unused_imports)]
                use ::compat_runtime::guard::__private::{self as __g, IsDefault as _, Nested as _};
                #needs_strip
                false
            }
        }
    };
    let strip_fn = if strip.is_empty() {
        quote!()
    } else {
        quote! {
            fn strip(&mut self, peer: u64) {
                #[allow(unused_imports)]
                use ::compat_runtime::guard::__private::{self as __g, NestedMut as _};
                #strip
            }
        }
    };

    quote! {
        #[automatically_derived]
        impl #impl_generics ::compat_runtime::guard::Guard for #ident #ty_generics #where_clause {
            const NEWEST: u64 = #newest;
            const SINCE: u64 = #ms;

            #newest_within
            #unreadable_fn
            #needs_strip_fn
            #strip_fn
        }
    }
}

/// `{ let __v = <access>; <code> }` for each field whose `code` is not empty.
fn per_field<'a>(
    fields: &[GuardField<'a>],
    access: impl Fn(&GuardField<'a>) -> TokenStream,
    code: impl Fn(&GuardField<'a>) -> TokenStream,
) -> Vec<TokenStream> {
    fields
        .iter()
        .filter_map(|f| {
            let code = code(f);
            let access = access(f);
            (!code.is_empty()).then(|| quote!({ let __v = #access; #code }))
        })
        .collect()
}

/// The unreadable check of one field, after `let __v = <reference to the value>;`.
fn field_check(f: &GuardField<'_>, message: &str, container: u64) -> TokenStream {
    let fs = f.since.map_or(0, pack);
    let own = if fs > container && !f.ignorable {
        let is_default = &f.is_default;
        let name = f.name;
        let since = f.since.map(ToString::to_string).unwrap_or_default();
        quote! {
            if peer < #fs && !(#is_default) {
                return ::core::option::Option::Some(__g::Unknown {
                    message: #message,
                    part: __g::Part::Field(#name),
                    since: #since,
                });
            }
        }
    } else {
        quote!()
    };
    if !may_hold_message(f.ty) {
        return own;
    }
    quote! {
        #own
        if let ::core::option::Option::Some(unknown) = (&__g::Val(__v)).nested_unreadable(peer) {
            return ::core::option::Option::Some(unknown);
        }
    }
}

fn field_needs_strip(f: &GuardField<'_>, container: u64) -> TokenStream {
    let fs = f.since.map_or(0, pack);
    let own = if fs > container && f.ignorable {
        let is_default = &f.is_default;
        quote! {
            if peer < #fs && !(#is_default) {
                return true;
            }
        }
    } else {
        quote!()
    };
    if !may_hold_message(f.ty) {
        return own;
    }
    quote! {
        #own
        if (&__g::Val(__v)).nested_needs_strip(peer) {
            return true;
        }
    }
}

fn field_strip(f: &GuardField<'_>, container: u64) -> TokenStream {
    let fs = f.since.map_or(0, pack);
    let nested = may_hold_message(f.ty);
    if fs > container && f.ignorable && !nested {
        let reset = &f.reset;
        quote! {
            if peer < #fs {
                #reset
            }
        }
    } else if !nested {
        quote!()
    } else if fs > container && f.ignorable {
        let reset = &f.reset;
        quote! {
            if peer < #fs {
                #reset
            } else {
                (&mut __g::ValMut(__v)).nested_strip(peer);
            }
        }
    } else {
        quote!((&mut __g::ValMut(__v)).nested_strip(peer);)
    }
}

/// Whether a value of `ty` may hold another message, so that the guard must walk into it.
/// The scalars of `std` (and `String`), and its containers of those, hold none: leaving out
/// their probes is most of what the guard costs the compiler (a message of ten plain fields
/// then gets no per-field code at all but for the fields newer than itself).
fn may_hold_message(ty: &syn::Type) -> bool {
    const SCALARS: &[&str] = &[
        "bool", "char", "str", "String", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
        "i32", "i64", "i128", "isize", "f32", "f64",
    ];
    const CONTAINERS: &[&str] = &[
        "Option", "Vec", "Box", "BTreeMap", "HashMap", "BTreeSet", "HashSet", "VecDeque",
    ];
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return true;
            };
            let name = last.ident.to_string();
            match &last.arguments {
                syn::PathArguments::None => !SCALARS.contains(&name.as_str()),
                syn::PathArguments::AngleBracketed(args) if CONTAINERS.contains(&name.as_str()) => {
                    args.args.iter().any(|arg| match arg {
                        syn::GenericArgument::Type(ty) => may_hold_message(ty),
                        _ => false,
                    })
                }
                _ => true,
            }
        }
        syn::Type::Reference(r) => may_hold_message(&r.elem),
        syn::Type::Array(a) => may_hold_message(&a.elem),
        syn::Type::Slice(s) => may_hold_message(&s.elem),
        syn::Type::Tuple(t) => t.elems.iter().any(may_hold_message),
        syn::Type::Paren(p) => may_hold_message(&p.elem),
        syn::Type::Group(g) => may_hold_message(&g.elem),
        _ => true,
    }
}

/// The fields the table lists, paired with their syn fields (for attributes and members).
fn guard_fields<'a>(
    fields: &'a [ast::Field<'a>],
    syn_fields: &'a syn::Fields,
    container: Option<&'a Version>,
    bind: bool,
) -> Vec<GuardField<'a>> {
    let members = syn_members(syn_fields, fields);
    fields
        .iter()
        .zip(members)
        .enumerate()
        .map(|(i, (field, member))| {
            let syn_field = syn_fields
                .iter()
                .enumerate()
                .find(|(index, f)| match &f.ident {
                    Some(ident) => ident.to_string().trim_start_matches("r#") == field.name,
                    None => index.to_string() == field.name,
                })
                .map(|(_, f)| f);
            let skip_if = syn_field.and_then(|f| skip_serializing_if(&f.attrs));
            let is_default = if ast::is_option(field.ty) {
                quote!(__v.is_none())
            } else if let Some(path) = &skip_if {
                quote!(#path(__v))
            } else {
                quote!((&__g::Val(__v)).is_default())
            };
            let reset = if ast::is_option(field.ty) {
                quote!(*__v = ::core::option::Option::None;)
            } else {
                quote!(__g::reset(__v);)
            };
            let member = if bind {
                let binding = quote::format_ident!("__f{}", i);
                binding.into_token_stream()
            } else {
                member
            };
            GuardField {
                name: &field.name,
                member,
                ty: field.ty,
                since: field.attrs.since.as_ref().map(|s| &s.version).or(container),
                ignorable: field.attrs.ignorable,
                is_default,
                reset,
            }
        })
        .collect()
}

/// `ident` or `0`, `1`, … for each listed field, as written after `self.` or in a pattern.
fn syn_members(syn_fields: &syn::Fields, fields: &[ast::Field<'_>]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|field| {
            let found = syn_fields
                .iter()
                .enumerate()
                .find_map(|(index, f)| match &f.ident {
                    Some(ident) if ident.to_string().trim_start_matches("r#") == field.name => {
                        Some(ident.to_token_stream())
                    }
                    None if index.to_string() == field.name => {
                        Some(syn::Index::from(index).into_token_stream())
                    }
                    _ => None,
                });
            found.unwrap_or_else(|| field.at.clone())
        })
        .collect()
}

/// `#[serde(skip_serializing_if = "path")]` on a field: the predicate serde uses to leave
/// the field out, which is what "default" means for it.
fn skip_serializing_if(attrs: &[syn::Attribute]) -> Option<syn::ExprPath> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // Errors in serde's own attributes are serde's to report.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip_serializing_if") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = lit.parse::<syn::ExprPath>().ok();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _ = meta.parse_nested_meta(|inner| {
                    if inner.input.peek(syn::Token![=]) {
                        let _: syn::Expr = inner.value()?.parse()?;
                    }
                    Ok(())
                });
            }
            Ok(())
        });
    }
    found
}

/// The impl of an item that failed to check: nothing to guard.
pub(crate) fn stub(node: &DeriveInput) -> TokenStream {
    let ident = &node.ident;
    let (impl_generics, ty_generics, where_clause) = node.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::compat_runtime::guard::Guard for #ident #ty_generics #where_clause {
            const NEWEST: u64 = 0;
            fn unreadable(&self, _: u64) -> ::core::option::Option<::compat_runtime::guard::Unknown> {
                ::core::option::Option::None
            }
            fn needs_strip(&self, _: u64) -> bool {
                false
            }
            fn strip(&mut self, _: u64) {}
        }
    }
}
