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

/// `strip` (the enum's own strip, if any), with the fallbacks applied first; `strip` itself
/// when no variant has a fallback.
pub(crate) fn degrade_first(
    variants: &[Variant<'_>],
    message_since: Option<&Version>,
    strip: Option<TokenStream>,
) -> Option<TokenStream> {
    let arms: Vec<TokenStream> = variants
        .iter()
        .enumerate()
        .filter_map(|(index, variant)| arm(variants, message_since, index, variant))
        .collect();
    if arms.is_empty() {
        return strip;
    }
    // Each fallback is older than its variant, so a chain ends within as many steps as there
    // are fallbacks; the bound keeps a `via` that returns its own variant from looping.
    // The value's first variant and the one it ends as are noted once, after the chain: a
    // peer got `StatFs` instead of `StatFsV3`, however many steps that took.
    let steps = arms.len();
    Some(quote! {
        let mut fell = (usize::MAX, 0);
        for _ in 0..#steps {
            let (to, from, into): (Self, usize, usize) = match &*self {
                #(#arms)*
                #[allow(unreachable_patterns)]
                _ => break,
            };
            *self = to;
            if fell.0 == usize::MAX {
                fell.0 = from;
            }
            fell.1 = into;
        }
        if fell.0 != usize::MAX {
            ::compat_runtime::__g::fell_back(Self::MESSAGE, fell.0, fell.1);
        }
        #strip
    })
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
            quote!({ #via via(self) })
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
