//! A compile error of the derives, syn-free: `#[derive(ProstCompat)]` builds without syn
//! (compat-runtime's `prost` feature, so that a prost user compiles only the syn major
//! prost's own derive uses), and the serde derive shares [`Ctxt`](crate::ctxt::Ctxt) with it.
//!
//! It renders exactly as `syn::Error::to_compile_error` does, token for token and span for
//! span, so an error reads the same whichever derive, and whichever reading, found it.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use std::fmt::{self, Display};

/// One or more errors, each with a message and the span it points at.
pub(crate) struct Error {
    messages: Vec<Message>,
}

pub(crate) struct Message {
    /// Where the error starts (the path `::core::compile_error!` is spanned with).
    start: Span,
    /// Where it ends (the braces and the message).
    end: Span,
    text: String,
}

impl Error {
    /// An error at `span`.
    pub(crate) fn new(span: Span, message: impl Display) -> Self {
        Self::range(span, span, message)
    }

    /// An error from `start` to `end`.
    pub(crate) fn range(start: Span, end: Span, message: impl Display) -> Self {
        Error {
            messages: vec![Message {
                start,
                end,
                text: message.to_string(),
            }],
        }
    }

    /// An error spanning `tokens`, from the first token to the last (`syn::Error::new_spanned`).
    pub(crate) fn spanned(tokens: impl ToTokens, message: impl Display) -> Self {
        let mut trees = tokens.into_token_stream().into_iter();
        let start = trees
            .next()
            .map_or_else(Span::call_site, |tree| tree.span());
        let end = trees.last().map_or(start, |tree| tree.span());
        Self::range(start, end, message)
    }

    /// Appends `other`'s errors after these.
    pub(crate) fn combine(&mut self, other: Error) {
        self.messages.extend(other.messages);
    }

    /// `::core::compile_error! { "..." }` for each error, in order.
    pub(crate) fn to_compile_error(&self) -> TokenStream {
        let mut tokens = TokenStream::new();
        for message in &self.messages {
            message.to_compile_error(&mut tokens);
        }
        tokens
    }
}

impl Message {
    fn to_compile_error(&self, tokens: &mut TokenStream) {
        let punct = |ch, spacing| {
            let mut punct = Punct::new(ch, spacing);
            punct.set_span(self.start);
            TokenTree::Punct(punct)
        };
        let mut text = Literal::string(&self.text);
        text.set_span(self.end);
        let mut braces = Group::new(
            Delimiter::Brace,
            TokenStream::from(TokenTree::Literal(text)),
        );
        braces.set_span(self.end);
        tokens.extend([
            punct(':', Spacing::Joint),
            punct(':', Spacing::Alone),
            TokenTree::Ident(Ident::new("core", self.start)),
            punct(':', Spacing::Joint),
            punct(':', Spacing::Alone),
            TokenTree::Ident(Ident::new("compile_error", self.start)),
            punct('!', Spacing::Alone),
            TokenTree::Group(braces),
        ]);
    }
}

/// The first error's message.
impl Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.messages
            .first()
            .map_or(Ok(()), |first| formatter.write_str(&first.text))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<&str> = self.messages.iter().map(|m| m.text.as_str()).collect();
        formatter.debug_tuple("Error").field(&texts).finish()
    }
}

/// Each error on its own.
impl IntoIterator for Error {
    type Item = Error;
    type IntoIter = std::iter::Map<std::vec::IntoIter<Message>, fn(Message) -> Error>;

    fn into_iter(self) -> Self::IntoIter {
        self.messages.into_iter().map(|message| Error {
            messages: vec![message],
        })
    }
}

/// A syn error, with its spans as syn renders them: each of its messages is rendered and
/// the spans read back off the tokens (syn keeps them private), the path's for the start
/// and the braces' for the end.
#[cfg(feature = "serde")]
impl From<syn::Error> for Error {
    fn from(error: syn::Error) -> Self {
        let messages = error
            .into_iter()
            .map(|one| {
                let text = one.to_string();
                let mut trees = one.to_compile_error().into_iter();
                let start = trees
                    .next()
                    .map_or_else(Span::call_site, |tree| tree.span());
                let end = trees.last().map_or(start, |tree| tree.span());
                Message { start, end, text }
            })
            .collect();
        Error { messages }
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::Error;
    use proc_macro2::{Span, TokenStream};

    #[test]
    fn renders_as_syn_does() {
        let tokens: TokenStream = "pub struct Ping { node: String }".parse().unwrap();
        let ours = Error::spanned(&tokens, "a \"quoted\" message");
        let syns = syn::Error::new_spanned(&tokens, "a \"quoted\" message");
        assert_eq!(
            ours.to_compile_error().to_string(),
            syns.to_compile_error().to_string()
        );
        let mut ours = Error::new(Span::call_site(), "first");
        ours.combine(Error::new(Span::call_site(), "second"));
        let mut syns = syn::Error::new(Span::call_site(), "first");
        syns.combine(syn::Error::new(Span::call_site(), "second"));
        assert_eq!(
            ours.to_compile_error().to_string(),
            syns.to_compile_error().to_string()
        );
        let back = Error::from(syns);
        assert_eq!(
            back.into_iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            ["first", "second"]
        );
    }
}
