//! Writing the fallbacks into the send guard: for a peer that predates a variant with
//! `#[compat(fallback = "...")]`, `__strip` replaces the value with its fallback before
//! anything else (and `__needs_strip` says so, see `expand_guard.rs`), following chains
//! (V3 to V2 to V1) until the peer knows the variant. The rules (`rules_fallback.rs`) have
//! already checked that each fallback names an older sibling and that `via` is what the two
//! shapes call for; the compiler checks `via`'s type here, at the `via` string, by coercing
//! it to the signature [`Conversion`] names.

use crate::ast::Variant;
use crate::expand_guard::pack;
use crate::rules_fallback::Conversion;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use semver::Version;

/// What the fallbacks add to an enum's guard: the `__fall_back` method, and its call at the
/// head of `__strip` (`strip`, the enum's own strip, if any). `None` when no variant has a
/// fallback.
pub(crate) struct Degrade {
    pub(crate) method: TokenStream,
    pub(crate) strip: TokenStream,
}

/// The enum's [`Degrade`], if any variant has a fallback.
///
/// `__fall_back(&self, peer)` makes the value in the form the peer reads from a borrow: the
/// first conversion reads the value itself (so `Session::prepare` copies nothing but what
/// `via` makes), the rest of a chain the value made so far. The value's first variant and
/// the one it ends as are noted once: a peer got `StatFs` instead of `StatFsV3`, however
/// many steps that took. `__strip` replaces the value with it in place.
pub(crate) fn degrade(
    variants: &[Variant<'_>],
    message_since: Option<&Version>,
    strip: Option<TokenStream>,
) -> Option<Degrade> {
    let arms: Vec<TokenStream> = variants
        .iter()
        .enumerate()
        .filter_map(|(index, variant)| arm(variants, message_since, index, variant))
        .collect();
    if arms.is_empty() {
        return None;
    }
    // Each fallback is older than its variant, so a chain ends within as many steps as there
    // are fallbacks; the bound keeps a `via` that returns its own variant from looping.
    // One fallback is one step: no loop for the compiler (or a lint) to look at.
    let head = match arms.len() {
        1 => quote!(let (to, from, into) = step(self)?;),
        steps => quote! {
            let (mut to, from, mut into) = step(self)?;
            for _ in 1..#steps {
                match step(&to) {
                    ::core::option::Option::Some((next, _, step_into)) => {
                        to = next;
                        into = step_into;
                    }
                    ::core::option::Option::None => break,
                }
            }
        },
    };
    let method = quote! {
        #[inline]
        fn __fall_back(&self, peer: u64) -> ::core::option::Option<Self> {
            let step = |value: &Self| -> ::core::option::Option<(Self, usize, usize)> {
                ::core::option::Option::Some(match value {
                    #(#arms)*
                    #[allow(unreachable_patterns)]
                    _ => return ::core::option::Option::None,
                })
            };
            #head
            ::compat_runtime::__g::fell_back(Self::MESSAGE, from, into);
            ::core::option::Option::Some(to)
        }
    };
    let strip = quote! {
        if let ::core::option::Option::Some(to) =
            ::compat_runtime::message::Compat::__fall_back(&*self, peer)
        {
            *self = to;
        }
        #strip
    };
    Some(Degrade { method, strip })
}

/// The arm that degrades one variant for a peer that predates it: the value converted,
/// with the variant's index in the table and its fallback's.
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
    let body = match (Conversion::of(variant, target), &fallback.via) {
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
    let pattern = match Conversion::of(variant, target) {
        Conversion::Payload => quote!(Self::#from { 0: payload }),
        _ => quote!(Self::#from { .. }),
    };
    Some(quote! {
        #pattern if peer < #vs => (#body, #index, #into),
    })
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
