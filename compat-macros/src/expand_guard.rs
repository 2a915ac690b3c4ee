//! Writing the send guard's per-value slow path, into the message's `impl Compat` (the
//! `__unreadable`, `__needs_strip`, `__strip` and `__newest_within` methods, which
//! `compat_runtime::Guard`, implemented for every `Compat` type, calls).
//!
//! The guard's constant, `Guard::NEWEST`, is the newest `#[since]` of the message, its
//! fields and its variants, packed into one integer the way `compat_runtime::guard::pack`
//! does, so a session checks a message its peer fully knows with one compare; it is written
//! into the table (`Message::newest`, see [`newest`]) rather than as a constant of its own,
//! one item less per message for the compiler. The slow path looks only at the parts that
//! arrived after the message itself: a newer variant is unreadable (unless it is the
//! catch-all), a newer field is unreadable when it holds a non-default value and is not
//! `#[compat(ignorable)]`. "Default" is `None` for an `Option`, what the field's
//! `#[serde(skip_serializing_if = "...")]` predicate skips, and otherwise
//! `Default::default()` where the type has it and `PartialEq` (anything else counts as a
//! value). Fields holding other messages are walked through `compat_runtime::guard`'s
//! probes.

use crate::ast::{self, Data, Input};
use crate::attr::{Described, SkipSerializing};
use crate::since::pack;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use semver::Version;
use syn::DeriveInput;
use syn::spanned::Spanned;

/// The newest `#[since]` of the message, its fields, its variants and theirs, packed: the
/// table's `newest`, which `Guard::NEWEST` reads.
pub(crate) fn newest(input: &Input<'_>) -> u64 {
    let of_fields = |fields: &[ast::Field<'_>], container: Option<&Version>| {
        fields
            .iter()
            .map(|field| field.arrival(container).map_or(0, pack))
            .max()
            .unwrap_or(0)
    };
    let message_since = input.since();
    let own = message_since.map_or(0, pack);
    match &input.data {
        Data::Struct(_, fields) => own.max(of_fields(fields, message_since)),
        Data::Enum(variants) => variants.iter().fold(own, |newest, variant| {
            let variant_since = variant.arrival(message_since);
            newest
                .max(variant_since.map_or(0, pack))
                .max(of_fields(&variant.fields, variant_since))
        }),
    }
}

/// The guard's methods for the message's `impl Compat` (empty when the trait's defaults
/// serve: nothing newer than the message, nothing nested, nothing to strip).
///
/// The slow path is written as data where it can be: one `(index, since, present)` check
/// per field newer than its container, handed to `__g::fields` or `__g::variant`, which
/// take the names and releases from the message's table. Only fields that may hold other
/// messages, and ignorable ones, get code of their own. What the compiler checks per
/// message is what users pay on every build (benches/compile_time.sh).
pub(crate) fn guard_items(node: &DeriveInput, input: &Input<'_>) -> TokenStream {
    let message_since = input.since();
    let mut types: Vec<TokenStream> = Vec::new();
    let bodies = match (&input.data, &node.data) {
        (Data::Struct(_, fields), syn::Data::Struct(data)) => {
            struct_bodies(fields, &data.fields, message_since, &mut types)
        }
        (Data::Enum(variants), syn::Data::Enum(data)) => {
            enum_bodies(input, variants, data, message_since, &mut types)
        }
        _ => return TokenStream::new(),
    };
    methods(&bodies, &types)
}

/// The bodies of the three slow-path methods; `None` where the trait's default serves. And
/// an enum's `__degrade` method, when a variant has a fallback or holds a message that may
/// have one (`expand_fallback.rs`).
struct Bodies {
    unreadable: Option<TokenStream>,
    needs_strip: Option<TokenStream>,
    strip: Option<TokenStream>,
    fall_back: Option<TokenStream>,
}

/// A struct's bodies: its fields are `self.<member>`.
fn struct_bodies<'a>(
    fields: &'a [ast::Field<'a>],
    syn_fields: &syn::Fields,
    message_since: Option<&Version>,
    types: &mut Vec<TokenStream>,
) -> Bodies {
    let ms = message_since.map_or(0, pack);
    let member = |i: usize| syn_member(syn_fields, &fields[i]);
    let parts = Parts::of(
        fields,
        &|i, _| {
            let m = member(i);
            quote!(&self.#m)
        },
        &|i, _| {
            let m = member(i);
            quote!(&mut self.#m)
        },
        message_since,
        ms,
        types,
    );
    let checks = &parts.checks;
    let nested = &parts.nested_reads;
    let unreadable = (!checks.is_empty() || !nested.is_empty()).then(|| {
        let call = quote!(::compat_runtime::__g::fields(Self::MESSAGE, #ms, peer, &[#(#checks),*]));
        then_walk(Some(&call), nested)
    });
    Bodies {
        unreadable,
        needs_strip: parts.needs_strip(),
        strip: parts.strip(),
        fall_back: None,
    }
}

/// An enum's bodies: a `match self` each, with an arm per variant that needs one and a
/// wildcard arm that does what the trait's default does.
fn enum_bodies<'a>(
    input: &Input<'_>,
    variants: &'a [ast::Variant<'a>],
    data: &syn::DataEnum,
    message_since: Option<&Version>,
    types: &mut Vec<TokenStream>,
) -> Bodies {
    let ms = message_since.map_or(0, pack);
    let mut read_arms = Vec::new();
    let mut need_arms = Vec::new();
    let mut strip_arms = Vec::new();
    for (index, variant) in variants.iter().enumerate() {
        let Some(syn_variant) = data.variants.iter().find(|v| &v.ident == variant.ident) else {
            continue;
        };
        let arms = variant_arms(input, index, variant, syn_variant, message_since, types);
        read_arms.extend(arms.unreadable);
        need_arms.extend(arms.needs_strip);
        strip_arms.extend(arms.strip);
    }
    let arms = |arms: Vec<Arm>, rest: TokenStream| {
        (!arms.is_empty()).then(|| {
            let arms = merged(arms);
            quote!(match self {
                #(#arms)*
                #[allow(unreachable_patterns)]
                _ => #rest
            })
        })
    };
    let strip = arms(strip_arms, quote!({}));
    let degrade = crate::expand_fallback::degrade(input, variants, message_since, strip.clone());
    // A peer older than the enum itself knows none of it: told once, before the arms,
    // which then look only at what arrived after the enum.
    let older = (ms > 0).then(|| {
        quote! {
            if peer < #ms {
                return ::compat_runtime::__g::fields(Self::MESSAGE, #ms, peer, &[]);
            }
        }
    });
    Bodies {
        unreadable: arms(read_arms, quote!(::core::option::Option::None,))
            .map(|body| quote!(#older #body)),
        needs_strip: arms(need_arms, quote!(false,)),
        strip: degrade.as_ref().map_or(strip, |d| d.strip.clone()),
        fall_back: degrade.map(|d| d.method),
    }
}

/// One arm of a `match self`: its pattern and body, and what decides whether another
/// variant's arm can share it (`Self::A { .. } | Self::B { .. } => ...`): the body and the
/// types of the fields the pattern binds, by position.
struct Arm {
    pattern: TokenStream,
    alike: String,
    body: TokenStream,
}

/// One variant's arms, in `__unreadable`, `__needs_strip` and `__strip` (each `None` when
/// the variant needs none).
struct VariantArms {
    unreadable: Option<Arm>,
    needs_strip: Option<Arm>,
    strip: Option<Arm>,
}

/// One variant's arm in each of the three methods. A variant newer than the message is
/// unreadable as a whole, unless it is the catch-all.
fn variant_arms<'a>(
    input: &Input<'_>,
    index: usize,
    variant: &'a ast::Variant<'a>,
    syn_variant: &syn::Variant,
    message_since: Option<&Version>,
    types: &mut Vec<TokenStream>,
) -> VariantArms {
    let ms = message_since.map_or(0, pack);
    let v_since = variant.arrival(message_since);
    let vs = v_since.map_or(0, pack);
    let by_position = |_: usize, at: usize| binding_of(at);
    let parts = Parts::of(
        &variant.fields,
        &by_position,
        &by_position,
        v_since,
        vs,
        types,
    );
    let v_ident = variant.ident;
    // Bind only the fields some code looks at, named by their position among them.
    let bound = parts.bound.iter().enumerate().map(|(at, &i)| {
        let member = syn_member(&syn_variant.fields, &variant.fields[i]);
        let binding = binding_of(at);
        quote!(#member: #binding)
    });
    let pattern = quote!(Self::#v_ident { #(#bound,)* .. });
    let bound_types: String = parts
        .bound
        .iter()
        .map(|&i| variant.fields[i].ty.to_token_stream().to_string() + ";")
        .collect();
    let arm = |body: TokenStream| Arm {
        pattern: pattern.clone(),
        alike: format!("{bound_types}=>{body}"),
        body,
    };
    let newer = if vs > ms && input.catch_all(variant).is_none() {
        vs
    } else {
        0
    };
    let checks = &parts.checks;
    let nested = &parts.nested_reads;
    // The enum's own release is checked before the arms ([`enum_bodies`]): a variant as old
    // as the enum, without newer fields, needs no call, only its walks.
    let call = (newer > 0 || !checks.is_empty()).then(|| {
        quote!(::compat_runtime::__g::variant(
            Self::MESSAGE, #ms, peer, #index, #newer, &[#(#checks),*]
        ))
    });
    let unreadable =
        (call.is_some() || !nested.is_empty()).then(|| arm(then_walk(call.as_ref(), nested)));
    // A variant with a fallback needs "stripping" (degrading) for a peer that predates it.
    let fallback = variant.attrs.fallback.is_some().then_some(vs);
    let needs_strip = match (fallback, parts.needs_strip()) {
        (Some(vs), Some(need)) => Some(arm(quote!(peer < #vs || #need))),
        (Some(vs), None) => {
            let body = quote!(peer < #vs);
            Some(Arm {
                pattern: quote!(Self::#v_ident { .. }),
                alike: format!("=>{body}"),
                body,
            })
        }
        (None, need) => need.map(arm),
    };
    VariantArms {
        unreadable,
        needs_strip,
        strip: parts.strip().map(arm),
    }
}

/// The arms of a `match self`, those alike as one arm with an or-pattern: `Value`'s
/// variants that only walk their `Span` are one arm, which the compiler checks once
/// (benches/compile_time.sh).
fn merged(arms: Vec<Arm>) -> Vec<TokenStream> {
    let mut groups: Vec<(String, TokenStream, Vec<TokenStream>)> = Vec::new();
    for arm in arms {
        match groups.iter_mut().find(|(alike, ..)| *alike == arm.alike) {
            Some((_, _, patterns)) => patterns.push(arm.pattern),
            None => groups.push((arm.alike, arm.body, vec![arm.pattern])),
        }
    }
    groups
        .into_iter()
        .map(|(_, body, patterns)| quote!(#(#patterns)|* => { #body }))
        .collect()
}

/// The read of a struct or variant whose fields may hold other messages: the checks'
/// `call` first (if any), then the walk into each such field, the last one's answer being
/// the read's.
fn then_walk(call: Option<&TokenStream>, nested: &[TokenStream]) -> TokenStream {
    let Some((last, first)) = nested.split_last() else {
        return call.cloned().unwrap_or_default();
    };
    let early = call.into_iter().chain(first).map(|read| {
        quote! {
            if let ::core::option::Option::Some(u) = #read {
                return ::core::option::Option::Some(u);
            }
        }
    });
    quote!(#(#early)* #last)
}

/// The methods themselves, around their bodies, and `__newest_within` when fields may hold
/// other messages. Only what this message needs is written: the trait's defaults (nothing
/// nested, nothing unreadable but the message itself, nothing to strip) serve the rest.
fn methods(bodies: &Bodies, types: &[TokenStream]) -> TokenStream {
    let newest_within = (!types.is_empty()).then(|| {
        quote! {
            #[inline]
            fn __newest_within(depth: u32) -> u64 {
                if depth == 0 {
                    return u64::MAX;
                }
                let newest = <Self as ::compat_runtime::guard::Guard>::NEWEST;
                #(let newest = ::compat_runtime::__g::max(newest, #types(depth - 1));)*
                newest
            }
        }
    });
    let unreadable = bodies.unreadable.as_ref().map(|body| {
        method(
            quote!(fn __unreadable(&self, peer: u64) -> ::compat_runtime::__g::Found),
            body,
        )
    });
    let needs_strip = bodies
        .needs_strip
        .as_ref()
        .map(|body| method(quote!(fn __needs_strip(&self, peer: u64) -> bool), body));
    let strip = bodies
        .strip
        .as_ref()
        .map(|body| method(quote!(fn __strip(&mut self, peer: u64)), body));
    let fall_back = &bodies.fall_back;
    quote! {
        #newest_within
        #unreadable
        #needs_strip
        #strip
        #fall_back
    }
}

/// One slow-path method: `signature` and `body`. Paths are written in full, so no `use`
/// is needed: a `use` is an item of its own, which the compiler pays for per message.
fn method(signature: TokenStream, body: &TokenStream) -> TokenStream {
    quote! {
        // Inline: compiled where a session guards the message, not in every
        // protocol crate that declares it (benches/compile_time.sh, clean build).
        #[inline]
        #signature {
            #body
        }
    }
}

/// How the guard walks a field's value: through the `Travels` impl of the type walked
/// (`<T as Travels>` and its `__walk_*` methods), or, for a flattened message, through the
/// `Compat` its table already needs, so that a type without one is reported once. Spanned
/// at the field's type, where the error of a type without a table lands.
struct Walk {
    travels: TokenStream,
    /// The methods that fold in the newest release, find what is unreadable, tell whether
    /// something needs stripping, and strip it.
    names: [syn::Ident; 4],
}

impl Walk {
    fn of(field: &ast::Field<'_>, walked: &syn::Type) -> Self {
        let span = field.ty.span();
        let flattened = matches!(field.flatten, Some(ast::Flattened::Message(flat)) if std::ptr::eq(flat, walked));
        let (travels, names) = if flattened {
            (
                quote_spanned!(span=> <#walked as ::compat_runtime::message::Compat>),
                [
                    "__newest_within",
                    "__unreadable",
                    "__needs_strip",
                    "__strip",
                ],
            )
        } else {
            (
                quote_spanned!(span=> <#walked as ::compat_runtime::message::Travels>),
                [
                    "__walk_newest",
                    "__walk_unreadable",
                    "__walk_needs_strip",
                    "__walk_strip",
                ],
            )
        };
        Walk {
            travels,
            names: names.map(|name| format_ident!("{name}")),
        }
    }
}

/// What the guard writes for the fields of a struct or of one variant.
struct Parts {
    /// `(index, since, present)` for each newer field that is not ignorable.
    checks: Vec<TokenStream>,
    /// `(since, present)` for each newer ignorable field: it needs stripping.
    strip_checks: Vec<TokenStream>,
    /// The nested walk, per field that may hold other messages.
    nested_reads: Vec<TokenStream>,
    /// The nested strip test, per field that may hold other messages.
    nested_needs: Vec<TokenStream>,
    /// The strip, per field that has one (ignorable and newer, or holding messages).
    strips: Vec<TokenStream>,
    /// Every field index some code looks at, in order.
    bound: Vec<usize>,
}

impl Parts {
    /// `refer(i, at)` is a reference to field `i`, the `at`-th field some code looks at
    /// (`&self.<member>` in a struct, the binding in a variant's arm, named by `at` so that
    /// arms alike are written alike), `mutable(i, at)` a mutable one; `container` is the
    /// struct's or variant's own release. Both are called only for the fields some code
    /// looks at.
    fn of<'a>(
        fields: &'a [ast::Field<'a>],
        refer: &dyn Fn(usize, usize) -> TokenStream,
        mutable: &dyn Fn(usize, usize) -> TokenStream,
        container_since: Option<&Version>,
        container: u64,
        types: &mut Vec<TokenStream>,
    ) -> Parts {
        let mut parts = Parts {
            checks: Vec::new(),
            strip_checks: Vec::new(),
            nested_reads: Vec::new(),
            nested_needs: Vec::new(),
            strips: Vec::new(),
            bound: Vec::new(),
        };
        for (i, field) in fields.iter().enumerate() {
            let fs = field.arrival(container_since).map_or(0, pack);
            let nested = field.walked();
            let described = field.described_walk();
            // A field serde never writes cannot reach the peer: nothing to check.
            let sent = !matches!(field.attrs.skip_serializing, SkipSerializing::Always(_));
            let newer = fs > container && sent;
            if !nested && !newer && described.is_none() {
                continue;
            }
            let at = parts.bound.len();
            let r = &refer(i, at);
            if let Some((shape, ty, via)) = described {
                // The described value is made anew by `via` for each look: read, never
                // stripped in place.
                let travels =
                    quote_spanned!(ty.span()=> <#ty as ::compat_runtime::message::Travels>);
                remember(types, quote!(#travels::__walk_newest));
                parts.nested_reads.push(via_read(shape, ty, via, r));
            }
            // The field's value derefs to the type walked (through `&` and `Box`); its
            // `Travels` impl walks it, and the error of a type without one lands on the
            // field's type.
            let (walked, resettable) = ast::walked_type(field.ty);
            // Only a field that may hold messages is walked: its walk is made for it alone
            // (most fields looked at here are only newer).
            let walk = nested.then(|| Walk::of(field, walked));
            let strip_walk = |walk: &Walk| {
                if !resettable {
                    return TokenStream::new();
                }
                let (m, travels, strip) = (mutable(i, at), &walk.travels, &walk.names[3]);
                quote!(#travels::#strip(#m, peer);)
            };
            if let Some(Walk {
                travels,
                names: [newest, unreadable, needs_strip, _],
            }) = &walk
            {
                remember(types, quote!(#travels::#newest));
                parts
                    .nested_reads
                    .push(quote!(#travels::#unreadable(#r, peer)));
                parts
                    .nested_needs
                    .push(quote!(#travels::#needs_strip(#r, peer)));
            }
            if newer && field.attrs.ignorable {
                let present = present(field, r);
                parts.strip_checks.push(quote!((#fs, #present)));
                let m = mutable(i, at);
                let reset = if ast::is_option(field.ty) {
                    quote!(*#m = ::core::option::Option::None;)
                } else {
                    quote!(::compat_runtime::__g::reset(#m);)
                };
                parts.strips.push(match &walk {
                    Some(walk) => {
                        let walk = strip_walk(walk);
                        quote!(if peer < #fs { #reset } else { #walk })
                    }
                    None => quote!(if peer < #fs { #reset }),
                });
            } else {
                if newer {
                    let present = present(field, r);
                    parts.checks.push(quote!((#i, #fs, #present)));
                }
                if let Some(walk) = &walk {
                    parts.strips.push(strip_walk(walk));
                }
            }
            parts.bound.push(i);
        }
        parts
    }

    fn needs_strip(&self) -> Option<TokenStream> {
        if self.strip_checks.is_empty() && self.nested_needs.is_empty() {
            return None;
        }
        let checks = &self.strip_checks;
        let any =
            (!checks.is_empty()).then(|| quote!(::compat_runtime::__g::any(peer, &[#(#checks),*])));
        let reads = any.iter().chain(&self.nested_needs);
        Some(quote!(#(#reads)||*))
    }

    fn strip(&self) -> Option<TokenStream> {
        if self.strips.is_empty() {
            return None;
        }
        let strips = &self.strips;
        Some(quote!(#(#strips)*))
    }
}

/// Adds a type's fold of its newest release to `types`, once: `max` gives the same for a
/// type met twice.
fn remember(types: &mut Vec<TokenStream>, newest: TokenStream) {
    let text = newest.to_string();
    if !types.iter().any(|known| known.to_string() == text) {
        types.push(newest);
    }
}

/// The read of a value described with `via` (a field, or `self` for a described type): the
/// function makes, from `r`, the value that travels, only for a peer older than what the
/// described type may hold, and the guard walks that. Spanned at the function's path,
/// where a function of the wrong type is reported.
pub(crate) fn via_read(
    shape: &Described,
    ty: &syn::Type,
    via: &syn::ExprPath,
    r: &TokenStream,
) -> TokenStream {
    let walk = match shape {
        Described::As(_) => quote!(walk_as::<#ty, _>),
        Described::SeqOf(_) => quote!(walk_seq_of::<#ty, _>),
        Described::MapOf(_) => quote!(walk_map_of::<#ty, _, _, _>),
        Described::Scalar(_) => unreachable!("a scalar names no type to walk"),
    };
    quote_spanned!(via.span()=> ::compat_runtime::__c::#walk(peer, || #via(#r)))
}

fn binding_of(i: usize) -> TokenStream {
    quote::format_ident!("__f{}", i).into_token_stream()
}

/// The field as written after `self.` or in a pattern: its identifier, or its index.
fn syn_member(syn_fields: &syn::Fields, field: &ast::Field<'_>) -> TokenStream {
    if field.named {
        // `at` is the identifier as written (raw or not).
        return field.at.clone();
    }
    match field.name.parse::<usize>() {
        Ok(index) if index < syn_fields.len() => syn::Index::from(index).into_token_stream(),
        _ => field.at.clone(),
    }
}

/// `&self.field` as the method receiver `self.field` (the call borrows it again); a
/// variant's binding, already a reference, as it is. Fewer tokens for the compiler.
fn receiver(r: &TokenStream) -> TokenStream {
    let mut trees = r.clone().into_iter().peekable();
    match trees.peek() {
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '&' => {
            trees.next();
            trees.collect()
        }
        _ => r.clone(),
    }
}

/// Whether the value holds something in `field`: not `None` for an `Option`, not what its
/// `skip_serializing_if` predicate leaves out, and otherwise not `Default::default()` where
/// the type has it and `PartialEq` (anything else counts as a value).
fn present(field: &ast::Field<'_>, r: &TokenStream) -> TokenStream {
    let sent = match &field.attrs.skip_serializing {
        SkipSerializing::If(lit) => lit.parse::<syn::ExprPath>().ok(),
        _ => None,
    };
    match (sent, ast::is_option(field.ty)) {
        (Some(path), true) => quote!(((#r).is_some() && !#path(#r))),
        (Some(path), false) => quote!(!#path(#r)),
        (None, true) => {
            let place = receiver(r);
            quote!(#place.is_some())
        }
        (None, false) => quote!(!::compat_runtime::__g::Val(#r).is_default()),
    }
}

#[cfg(test)]
mod tests {
    use crate::env::Env;

    #[test]
    fn variants_whose_arms_are_alike_share_one() {
        let node = syn::parse_str(
            r#"
            #[since("0.8.0")]
            enum Value {
                Int { val: i64, span: Span },
                Text { val: String, #[serde(rename = "span")] internal_span: Span },
                Boxed(Box<Span>),
                Pair(Span, Span),
                #[since("0.9.0")]
                Later { span: Span },
            }
            "#,
        )
        .unwrap();
        let output = crate::expand::derive(&node, &Env::read(|_| None, None)).to_string();
        // `Int` and `Text` walk one `Span` each: one arm, whose bindings are named by
        // position; `Boxed` binds another type, `Pair` two, `Later` is checked on its own.
        assert!(
            output.contains(
                "Self :: Int { span : __f0 , .. } | Self :: Text { internal_span : __f0 , .. } =>"
            ),
            "{output}"
        );
        let reads = output.matches("__walk_unreadable").count();
        assert_eq!(reads, 5, "{output}");
    }
}
