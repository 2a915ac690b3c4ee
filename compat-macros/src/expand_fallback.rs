//! Writing the fallbacks into the send guard: for a peer that predates a variant with
//! `#[compat(fallback = "...")]`, `__degrade` makes the value in the form the peer reads
//! from a borrow, following chains (V3 to V2 to V1) until the peer knows the variant, and
//! `__strip` replaces the value with it before anything else (`__needs_strip` says so, see
//! `expand_guard.rs`). A newtype variant whose field is such a message (mirrord's
//! `ClientMessage::FileRequest(FileRequest)`) is degraded the same way, from the borrowed
//! field, so that `Session::prepare` copies nothing but what `via` makes. The rules
//! (`rules_fallback.rs`) have already checked that each fallback names an older sibling and
//! that `via` is what the two shapes call for; the compiler checks `via`'s type here, at the
//! `via` string, by coercing it to the signature [`Conversion`] names.

use crate::ast::{self, Input, Style, Variant};
use crate::rules_fallback::Conversion;
use crate::since::pack;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use semver::Version;

/// What the fallbacks add to an enum's guard: the `__degrade` method, and the enum's
/// `__strip` body (its call of `__g::fall_back` at the head of `strip`, the enum's own
/// strip, when a variant has a fallback; `strip` unchanged otherwise). `None` when no
/// variant has a fallback or holds a message that may have one.
pub(crate) struct Degrade {
    pub(crate) method: TokenStream,
    pub(crate) strip: Option<TokenStream>,
}

/// The enum's [`Degrade`], if any variant has a fallback or is a newtype of a message.
///
/// `__degrade(&self, peer)` makes the value in the form the peer reads from a borrow: the
/// first conversion reads the value itself, the rest of a chain the value made so far (a
/// step looks again only where the variant it made has a fallback of its own, or `via`
/// made the whole enum). It returns, with the value, the value's first variant and the one
/// it ended as (a peer got `StatFs` instead of `StatFsV3`, however many steps that took),
/// and whether the variant it ended as is readable whole by the peer: that variant, its
/// fields and the newest of the messages they may hold, no newer than the peer, so the
/// session need not guard it again. `__strip` notes it and replaces the value in place.
pub(crate) fn degrade(
    input: &Input<'_>,
    variants: &[Variant<'_>],
    message_since: Option<&Version>,
    strip: Option<TokenStream>,
) -> Option<Degrade> {
    let arms: Vec<TokenStream> = variants
        .iter()
        .enumerate()
        .filter_map(|(index, variant)| arm(variants, message_since, index, variant))
        .collect();
    let envelopes: Vec<TokenStream> = variants
        .iter()
        .filter_map(|variant| envelope(input, message_since, variant))
        .collect();
    if arms.is_empty() && envelopes.is_empty() {
        return None;
    }
    let envelopes = (!envelopes.is_empty()).then(|| {
        quote! {
            match self {
                #(#envelopes)*
                _ => {}
            }
        }
    });
    let chain = if arms.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        chain(&arms)
    };
    let method = quote! {
        #[inline]
        fn __degrade(
            &self,
            peer: u64,
        ) -> ::core::option::Option<(Self, ::compat_runtime::__g::Fell)> {
            #envelopes
            #chain
        }
    };
    let strip = if arms.is_empty() {
        strip
    } else {
        Some(quote! {
            if let ::core::option::Option::Some(to) = ::compat_runtime::__g::fall_back(&*self, peer) {
                *self = to;
            }
            #strip
        })
    };
    Some(Degrade { method, strip })
}

/// The walk down the chains: each arm is one step, `(value, from, into, readable, again)`.
/// Each fallback is older than its variant, so a chain ends within as many steps as there
/// are fallbacks; the bound keeps a `via` that returns its own variant from looping. One
/// fallback is one step: no loop for the compiler (or a lint) to look at.
fn chain(arms: &[TokenStream]) -> TokenStream {
    let head = match arms.len() {
        1 => quote!(let (to, from, into, readable, _) = step(self)?;),
        steps => quote! {
            let (mut to, from, mut into, mut readable, mut again) = step(self)?;
            for _ in 1..#steps {
                if !again {
                    break;
                }
                match step(&to) {
                    ::core::option::Option::Some((next, _, step_into, step_readable, step_again)) => {
                        to = next;
                        into = step_into;
                        readable = step_readable;
                        again = step_again;
                    }
                    ::core::option::Option::None => break,
                }
            }
        },
    };
    quote! {
        let step = |value: &Self| -> ::core::option::Option<(Self, usize, usize, bool, bool)> {
            ::core::option::Option::Some(match value {
                #(#arms)*
                #[allow(unreachable_patterns)]
                _ => return ::core::option::Option::None,
            })
        };
        #head
        ::core::option::Option::Some((to, ::compat_runtime::__g::Fell::new(Self::MESSAGE, from, into, readable)))
    }
}

/// The arm that degrades one variant for a peer that predates it: the value converted,
/// with the variant's index in the table and its fallback's, whether the peer reads the
/// result whole, and whether to look at the result again (its variant has a fallback of
/// its own, or `via` made the whole enum, whose variant the derive cannot see).
fn arm(
    variants: &[Variant<'_>],
    message_since: Option<&Version>,
    index: usize,
    variant: &Variant<'_>,
) -> Option<TokenStream> {
    let fallback = variant.attrs.fallback.as_ref()?;
    let to_name = fallback.to.value();
    let into = variants
        .iter()
        .position(|v| v.ident.to_string().trim_start_matches("r#") == to_name)?;
    let target = &variants[into];
    let vs = variant.arrival(message_since).map_or(0, pack);
    let (from, to) = (variant.ident, target.ident);
    let conversion = Conversion::of(variant, target);
    let body = match (&conversion, &fallback.via) {
        (Conversion::Unit, _) => quote!(Self::#to),
        (Conversion::Payload, Some((_, path))) => {
            let span = span_of(&fallback.to, path);
            let (a, b) = (variant.fields[0].ty, target.fields[0].ty);
            // The whole annotation at the `via` string, so that a type error says "expected
            // fn pointer `fn(&StatFsRequestV2) -> StatFsRequest`" there and nowhere else.
            let signature = respan(quote!(fn(&#a) -> #b), span);
            let via = quote_spanned!(span=> let via: #signature = #path;);
            quote!({ #via Self::#to { 0: via(payload) } })
        }
        (Conversion::Whole, Some((_, path))) => {
            let via =
                quote_spanned!(span_of(&fallback.to, path)=> let via: fn(&Self) -> Self = #path;);
            quote!({ #via via(value) })
        }
        // The rules report a missing `via`; no guard is written for an item with errors.
        (_, None) => return None,
    };
    let pattern = match conversion {
        Conversion::Payload => quote!(Self::#from { 0: payload }),
        _ => quote!(Self::#from { .. }),
    };
    let whole = matches!(conversion, Conversion::Whole);
    let readable = match readable_whole(target, message_since) {
        // What `via` made is the fallback only if it says so.
        Some(newest) if whole => quote!(matches!(to, Self::#to { .. }) && peer >= #newest),
        Some(newest) => quote!(peer >= #newest),
        None => quote!(false),
    };
    let again = whole || target.attrs.fallback.is_some();
    Some(quote! {
        #pattern if peer < #vs => {
            let to = #body;
            let readable = #readable;
            (to, #index, #into, readable, #again)
        }
    })
}

/// The arm of a newtype variant whose one field may hold a message with a fallback
/// (`ClientMessage::FileRequest(FileRequest)`): the field degraded from the borrow, in the
/// same variant. Not for a variant with a fallback of its own (its arm says what it
/// becomes), the catch-all, nor a field held through a `Box` or a reference, which the
/// session copies and strips instead.
fn envelope(
    input: &Input<'_>,
    message_since: Option<&Version>,
    variant: &Variant<'_>,
) -> Option<TokenStream> {
    let [field] = variant.fields.as_slice() else {
        return None;
    };
    let plain = std::ptr::eq(ast::walked_type(field.ty).0, field.ty);
    if !matches!(variant.style, Style::Tuple)
        || variant.attrs.fallback.is_some()
        || input.catch_all(variant).is_some()
        || !field.walked()
        || field.flatten.is_some()
        || !plain
    {
        return None;
    }
    let v_since = variant.arrival(message_since);
    let newest = [
        message_since.map_or(0, pack),
        v_since.map_or(0, pack),
        field.arrival(v_since).map_or(0, pack),
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    // One call per arm, the least for the compiler to check: every enum of newtype
    // variants pays for it on every build (benches/compile_time.sh).
    let ident = variant.ident;
    Some(quote! {
        Self::#ident { 0: inner } => return ::compat_runtime::__g::envelope(inner, peer, Self::#ident, #newest),
    })
}

/// The newest release a value of `variant` may hold, as an expression: the enum's, the
/// variant's and its fields' `#[since]`, and the newest of the messages its fields may
/// hold. `None` where the derive cannot tell (a flattened field, a field described by a
/// function): the session then guards the value.
fn readable_whole(variant: &Variant<'_>, message_since: Option<&Version>) -> Option<TokenStream> {
    let v_since = variant.arrival(message_since);
    let mut releases = vec![message_since.map_or(0, pack), v_since.map_or(0, pack)];
    let mut nested = Vec::new();
    for field in &variant.fields {
        if field.flatten.is_some() || field.attrs.described.is_some() {
            return None;
        }
        releases.push(field.arrival(v_since).map_or(0, pack));
        if field.walked() {
            let walked = ast::walked_type(field.ty).0;
            nested.push(quote! {
                <#walked as ::compat_runtime::message::Travels>::__walk_newest(
                    ::compat_runtime::guard::NESTING
                )
            });
        }
    }
    let own = releases.into_iter().max().unwrap_or(0);
    Some(nested.into_iter().fold(
        quote!(#own),
        |newest, walk| quote!(::compat_runtime::__g::max(#newest, #walk)),
    ))
}

/// Where a type error about `via` lands: the path as parsed from the `via` string (its
/// tokens carry the string's span), or else the `fallback` string.
fn span_of(to: &syn::LitStr, path: &syn::ExprPath) -> proc_macro2::Span {
    path.path
        .segments
        .first()
        .map_or_else(|| to.span(), |segment| segment.ident.span())
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
