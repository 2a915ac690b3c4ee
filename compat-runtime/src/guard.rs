//! The send guard: refuse to send a value the peer cannot read, and drop what it may skip.
//!
//! Every [`Compat`] type is a [`Guard`]: a constant holding the newest release any part of
//! the message introduced (packed into one integer, see [`pack`]; the derive writes it into
//! the table), and a walk of one value for when the peer is older than that (the derive
//! writes it into the same `impl Compat`). A [`Session`](crate::Session)
//! holds the peer's version packed the same way, so for a message the peer fully knows the
//! guard costs one integer compare; only a peer older than the message's newest part pays
//! for a walk of the value, which looks at just the parts that peer does not know:
//!
//! - a variant newer than the peer is refused (the peer cannot decode it);
//! - a field newer than the peer is refused when it holds a non-default value (`Some(_)`
//!   for an `Option`, a value its `skip_serializing_if` predicate does not skip, anything
//!   but `Default::default()` otherwise) and is not `#[compat(ignorable)]`;
//! - an ignorable field newer than the peer is reset to its default by
//!   [`Session::prepare`](crate::Session::prepare) (or [`Session::strip`](crate::Session::strip)),
//!   so the peer gets what it would read if the field were missing.
//!
//! Fields that may hold messages are walked through their type's
//! [`Travels`](crate::message::Travels) impl: a message directly or boxed, in any standard
//! container, in a `#[compat(transparent)]` wrapper, or as a generic parameter (the derive
//! bounds each parameter a walked field uses by `Travels`, so `CallInfo<D>` walks the `D` of
//! each concrete use).

use crate::message::Compat;
pub use crate::packed::{pack, pack_peer, pack_release};
pub use crate::unreadable::{Part, Unknown, Unreadable};

/// A message type the send guard can check: every type with a table ([`Compat`]), whose
/// per-type code `#[derive(Compat)]` writes into its `Compat` impl.
pub trait Guard: Compat {
    /// The newest release any part of this type introduced (the message, its fields, its
    /// variants), packed with [`pack`]. Read from the table ([`Message::newest`]).
    ///
    /// [`Message::newest`]: crate::Message::newest
    const NEWEST: u64 = Self::MESSAGE.newest;

    /// The message's own `#[since]`, packed with [`pack`]: a peer older than that knows
    /// nothing of it. Read from the table.
    const SINCE: u64 = pack_release(Self::MESSAGE.since);

    /// [`Guard::NEWEST`], including the messages its fields hold. The derive writes it as a
    /// chain of constants that the compiler folds into one.
    #[inline]
    fn newest() -> u64 {
        Self::newest_within(NESTING)
    }

    /// [`Guard::newest`], looking at most `depth` messages deep. A message that holds
    /// itself (`children: Vec<Tree>`), directly or through others, reaches the end of the
    /// depth and answers `u64::MAX`: no peer then takes the fast path for it, and the walk
    /// of the value, which always ends, decides.
    #[doc(hidden)]
    #[inline]
    fn newest_within(depth: u32) -> u64 {
        Self::__newest_within(depth)
    }

    /// The slow path: the first part of this value that a peer at `peer` (packed) cannot
    /// read, if any. Ignorable fields are never such a part.
    /// The derive writes it only for a message with parts newer than itself or fields that
    /// may hold other messages; otherwise nothing in it can be unreadable but the message
    /// itself.
    #[inline]
    fn unreadable(&self, peer: u64) -> Option<Unknown> {
        self.__unreadable(peer)
    }

    /// Whether the value holds ignorable parts newer than `peer` with non-default values.
    #[inline]
    fn needs_strip(&self, peer: u64) -> bool {
        self.__needs_strip(peer)
    }

    /// Resets ignorable parts newer than `peer` to their defaults.
    #[inline]
    fn strip(&mut self, peer: u64) {
        self.__strip(peer);
    }
}

impl<M: Compat> Guard for M {}

/// How many messages deep [`Guard::newest`] looks into the messages a message holds.
pub const NESTING: u32 = 5;

/// What the code `#[derive(Compat)]` generates for [`Guard`] refers to; not a public API.
///
/// The probes pick an implementation by autoref: a method on `Ty<T>`, `Val<T>` or
/// `ValMut<T>` (when `T` is a message, or a container of one) is found before the fallback
/// on `&Ty<T>`, `&Val<T>` or `&mut ValMut<T>`.
#[doc(hidden)]
pub mod __private {
    use std::collections::{BTreeMap, HashMap, VecDeque};
    use std::marker::PhantomData;

    pub use super::{Guard, Part, Unknown};
    pub use crate::fallback::{envelope, fall_back, fell_back};
    pub use crate::message::Compat;
    pub use crate::message::Fell;
    use crate::message::{Field, Message};

    /// What `Guard::unreadable` returns, in fewer tokens for the derive to write.
    pub type Found = Option<Unknown>;

    /// One check of the slow path: the field at this index of the table, the release that
    /// introduced it (packed), and whether the value holds something there (not its
    /// default, and not left out by `skip_serializing_if`).
    pub type Check = (usize, u64, bool);

    /// The slow path of a struct: the message itself (`since`, packed), then each check,
    /// against the fields of `message`'s table, which name what the peer does not know.
    /// The derive writes only the checks; the names and releases come from the table, so
    /// that a message costs the compiler one call per newer field.
    #[inline(never)]
    pub fn fields(
        message: &'static Message,
        since: u64,
        peer: u64,
        checks: &[Check],
    ) -> Option<Unknown> {
        if peer < since {
            return Some(Unknown {
                message: message.name,
                part: Part::Message,
                since: message.since,
            });
        }
        first(message, message.fields, peer, checks)
    }

    /// The slow path of an enum's variant (index `variant` of the table): the message, the
    /// variant itself (`variant_since` is 0 when the variant is as old as the message or is
    /// its catch-all), then the checks against the variant's fields.
    #[inline(never)]
    pub fn variant(
        message: &'static Message,
        since: u64,
        peer: u64,
        variant: usize,
        variant_since: u64,
        checks: &[Check],
    ) -> Option<Unknown> {
        if peer < since {
            return fields(message, since, peer, &[]);
        }
        let entry = message.variants.get(variant)?;
        if peer < variant_since {
            return Some(Unknown {
                message: message.name,
                part: Part::Variant(entry.name),
                since: entry.since,
            });
        }
        first(message, entry.fields, peer, checks)
    }

    fn first(
        message: &'static Message,
        table: &'static [Field],
        peer: u64,
        checks: &[Check],
    ) -> Option<Unknown> {
        let &(index, _, _) = checks
            .iter()
            .find(|&&(_, since, present)| present && peer < since)?;
        let field = table.get(index)?;
        Some(Unknown {
            message: message.name,
            part: Part::Field(field.name),
            since: field.since,
        })
    }

    /// Whether an ignorable part needs stripping: a check that holds a value the peer does
    /// not know.
    #[inline]
    pub fn any(peer: u64, checks: &[(u64, bool)]) -> bool {
        checks
            .iter()
            .any(|&(since, present)| present && peer < since)
    }

    #[inline]
    pub const fn max(a: u64, b: u64) -> u64 {
        if a > b { a } else { b }
    }

    /// A field type, for [`NestedNewest::nested_newest`].
    pub struct Ty<T: ?Sized>(PhantomData<fn() -> *const T>);

    impl<T: ?Sized> Ty<T> {
        #[inline]
        pub const fn new() -> Self {
            Ty(PhantomData)
        }
    }

    impl<T: ?Sized> Default for Ty<T> {
        fn default() -> Self {
            Ty::new()
        }
    }

    /// A field's value, for the nested walk and the default test.
    pub struct Val<'a, T: ?Sized>(pub &'a T);

    /// A field's value, for the nested strip.
    pub struct ValMut<'a, T: ?Sized>(pub &'a mut T);

    /// The newest release of the messages a field type holds.
    pub trait NestedNewest {
        fn nested_newest(&self, depth: u32) -> u64;
    }
    /// The nested walk of a field's value.
    pub trait Nested {
        fn nested_unreadable(&self, peer: u64) -> Option<Unknown>;
        fn nested_needs_strip(&self, peer: u64) -> bool;
    }
    /// The nested strip of a field's value.
    pub trait NestedMut {
        fn nested_strip(&mut self, peer: u64);
    }

    // The fallbacks: not a message, not comparable with a default.
    impl<T: ?Sized> NestedNewest for &Ty<T> {
        #[inline]
        fn nested_newest(&self, _: u32) -> u64 {
            0
        }
    }
    impl<T: ?Sized> Nested for &Val<'_, T> {
        #[inline]
        fn nested_unreadable(&self, _: u64) -> Option<Unknown> {
            None
        }
        #[inline]
        fn nested_needs_strip(&self, _: u64) -> bool {
            false
        }
    }
    impl<T: ?Sized> NestedMut for &mut ValMut<'_, T> {
        #[inline]
        fn nested_strip(&mut self, _: u64) {}
    }

    // Whether a field's value is its type's default: `Val(&field).is_default()`. Inherent
    // methods, so that the derive's code needs no trait in scope: where `T` has no
    // `Default` or `PartialEq`, the call derefs to `NoDefault`'s, which says no.
    impl<T: Default + PartialEq> Val<'_, T> {
        #[inline]
        pub fn is_default(&self) -> bool {
            *self.0 == T::default()
        }
    }

    impl<T: ?Sized> core::ops::Deref for Val<'_, T> {
        type Target = NoDefault;
        #[inline]
        fn deref(&self) -> &NoDefault {
            &NoDefault
        }
    }

    /// The default test of a type without `Default` or `PartialEq`: every value counts.
    pub struct NoDefault;

    impl NoDefault {
        #[inline]
        pub fn is_default(&self) -> bool {
            false
        }
    }

    /// Resets an ignorable field that the peer does not know.
    #[inline]
    pub fn reset<T: Default>(value: &mut T) {
        *value = T::default();
    }

    // A message held directly, in an `Option`, a `Vec`, a `VecDeque` or as `BTreeMap` or
    // `HashMap` values; a `Box<M>` is a message itself (see the `Guard` impl above).
    macro_rules! containers {
        ($([$($gen:ident),*] $ty:ty, |$v:ident| $iter:expr, |$w:ident| $iter_mut:expr;)*) => {$(
            impl<M: Guard, $($gen),*> NestedNewest for Ty<$ty> {
                #[inline]
                fn nested_newest(&self, depth: u32) -> u64 {
                    M::newest_within(depth)
                }
            }
            impl<M: Guard, $($gen),*> Nested for Val<'_, $ty> {
                #[inline]
                fn nested_unreadable(&self, peer: u64) -> Option<Unknown> {
                    if M::newest() <= peer {
                        return None;
                    }
                    let $v = self.0;
                    $iter.find_map(|m: &M| m.unreadable(peer))
                }
                #[inline]
                fn nested_needs_strip(&self, peer: u64) -> bool {
                    if M::newest() <= peer {
                        return false;
                    }
                    let $v = self.0;
                    $iter.any(|m: &M| m.needs_strip(peer))
                }
            }
            impl<M: Guard, $($gen),*> NestedMut for ValMut<'_, $ty> {
                #[inline]
                fn nested_strip(&mut self, peer: u64) {
                    if M::newest() <= peer {
                        return;
                    }
                    let $w = &mut *self.0;
                    $iter_mut.for_each(|m: &mut M| m.strip(peer));
                }
            }
        )*};
    }

    containers! {
        [] M, |v| core::iter::once(v), |w| core::iter::once(w);
        [] Option<M>, |v| v.iter(), |w| w.iter_mut();
        [] Vec<M>, |v| v.iter(), |w| w.iter_mut();
        [K] BTreeMap<K, M>, |v| v.values(), |w| w.values_mut();
        [K, S] HashMap<K, M, S>, |v| v.values(), |w| w.values_mut();
        [] VecDeque<M>, |v| v.iter(), |w| w.iter_mut();
    }
}
