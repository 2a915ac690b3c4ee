//! Collects every error of one derive, so the user sees all of them at once.

use crate::error::Error;
use quote::ToTokens;
use std::cell::RefCell;
use std::fmt::Display;

/// Errors found while parsing and checking one item; serde's `Ctxt`.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: RefCell<Vec<Error>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An error spanning `tokens` (first to last token).
    pub(crate) fn error_spanned_by<T: ToTokens>(&self, tokens: T, message: impl Display) {
        self.errors
            .borrow_mut()
            .push(Error::spanned(tokens, message));
    }

    pub(crate) fn error_at(&self, span: proc_macro2::Span, message: impl Display) {
        self.errors.borrow_mut().push(Error::new(span, message));
    }

    /// An error made elsewhere: the derives' own, or syn's (which converts).
    pub(crate) fn error(&self, error: impl Into<Error>) {
        self.errors.borrow_mut().push(error.into());
    }

    /// Appends the errors `other` collected, after those so far.
    #[cfg(feature = "serde")]
    pub(crate) fn append(&self, other: Ctxt) {
        self.errors.borrow_mut().extend(other.errors.into_inner());
    }

    /// How many errors so far.
    #[cfg(feature = "serde")]
    pub(crate) fn len(&self) -> usize {
        self.errors.borrow().len()
    }

    /// All errors as one, or `None` when there were none.
    pub(crate) fn finish(self) -> Option<Error> {
        let mut errors = self.errors.into_inner().into_iter();
        let mut combined = errors.next()?;
        for error in errors {
            combined.combine(error);
        }
        Some(combined)
    }
}
