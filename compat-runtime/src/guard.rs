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
//! Fields whose type is itself a message (directly or boxed, or in an `Option`, `Vec`,
//! `VecDeque`, or as the values of a `BTreeMap` or `HashMap`) are walked too; messages
//! behind generic parameters or other containers are not.

use core::fmt;

use crate::message::Compat;
use crate::version::Version;

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

/// Packs a release into one integer that orders like the release: 24 bits of major, 20 of
/// minor, 20 of patch (larger numbers saturate).
///
/// ```
/// use compat_runtime::guard::pack;
/// assert!(pack(0, 9, 3) < pack(0, 10, 0));
/// assert!(pack(1, 0, 0) > pack(0, 999, 999));
/// ```
#[inline]
pub const fn pack(major: u64, minor: u64, patch: u64) -> u64 {
    const fn cap(v: u64, bits: u32) -> u64 {
        let max = (1 << bits) - 1;
        if v > max { max } else { v }
    }
    (cap(major, 24) << 40) | (cap(minor, 20) << 20) | cap(patch, 20)
}

/// A release as the tables write it (`"0.9.3"`; what follows `-` or `+` is ignored, and so
/// is anything malformed after the last number), packed with [`pack`]; `""` packs to 0.
///
/// ```
/// use compat_runtime::guard::{pack, pack_release};
/// assert_eq!(pack_release("0.9.3"), pack(0, 9, 3));
/// assert_eq!(pack_release("1.2.0-rc.1"), pack(1, 2, 0));
/// assert_eq!(pack_release(""), 0);
/// ```
pub const fn pack_release(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut parts = [0u64; 3];
    let (mut part, mut i) = (0, 0);
    while i < bytes.len() && part < 3 {
        match bytes[i] {
            b'0'..=b'9' => {
                parts[part] = parts[part]
                    .saturating_mul(10)
                    .saturating_add((bytes[i] - b'0') as u64);
            }
            b'.' => part += 1,
            _ => break,
        }
        i += 1;
    }
    pack(parts[0], parts[1], parts[2])
}

/// A peer's version packed for comparing with [`Guard::NEWEST`]. A pre-release of `x.y.z`
/// counts as just below `x.y.z`: it is not assumed to know what `x.y.z` introduced.
///
/// ```
/// use compat_runtime::guard::{pack, pack_peer};
/// use compat_runtime::Version;
/// assert_eq!(pack_peer(&Version::new(0, 9, 3)), pack(0, 9, 3));
/// assert!(pack_peer(&Version::parse("0.9.0-rc.1").unwrap()) < pack(0, 9, 0));
/// ```
pub fn pack_peer(v: &Version) -> u64 {
    let packed = pack(v.major, v.minor, v.patch);
    if v.pre.is_empty() {
        packed
    } else {
        packed.saturating_sub(1)
    }
}

/// Which part of a message a peer does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The whole message.
    Message,
    /// A field, by name.
    Field(&'static str),
    /// A variant, by name.
    Variant(&'static str),
}

/// What the slow path found: a part of a message that arrived after the peer's release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unknown {
    /// The message the part belongs to (the innermost one, for nested messages).
    pub message: &'static str,
    /// The part.
    pub part: Part,
    /// The release that introduced it.
    pub since: &'static str,
}

/// A value the peer cannot read: which message, which field or variant, the release that
/// introduced it, the peer, and what to do. Returned by [`Session::guard`](crate::Session::guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(Box<UnreadableParts>);

// Boxed, so `Result<(), Unreadable>` is one pointer wide on the guard's fast path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnreadableParts {
    sent: &'static str,
    unknown: Unknown,
    peer: String,
    peer_version: Version,
}

impl Unreadable {
    pub(crate) fn new(
        sent: &'static str,
        unknown: Unknown,
        peer: &str,
        peer_version: &Version,
    ) -> Self {
        Unreadable(Box::new(UnreadableParts {
            sent,
            unknown,
            peer: peer.to_owned(),
            peer_version: peer_version.clone(),
        }))
    }

    /// The message being sent.
    pub fn sent(&self) -> &'static str {
        self.0.sent
    }

    /// The message the unknown part belongs to (the sent one, or a message inside it).
    pub fn message(&self) -> &'static str {
        self.0.unknown.message
    }

    /// The part the peer does not know.
    pub fn part(&self) -> Part {
        self.0.unknown.part
    }

    /// The release that introduced it.
    pub fn since(&self) -> &'static str {
        self.0.unknown.since
    }

    /// The peer's component.
    pub fn peer(&self) -> &str {
        &self.0.peer
    }

    /// The peer's version.
    pub fn peer_version(&self) -> &Version {
        &self.0.peer_version
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (peer, v, since) = (&self.0.peer, &self.0.peer_version, self.0.unknown.since);
        write!(f, "cannot send `{}` to {peer} {v}: ", self.0.sent)?;
        let of = if self.0.unknown.message == self.0.sent {
            String::new()
        } else {
            format!(" of `{}`", self.0.unknown.message)
        };
        match self.0.unknown.part {
            Part::Message => write!(
                f,
                "message `{}` arrived in {since} and {peer} {v} does not know it; \
                 do not send it to this peer, or upgrade {peer} to {since} or later",
                self.0.unknown.message
            ),
            Part::Field(name) => write!(
                f,
                "field `{name}`{of} arrived in {since} and {peer} {v} does not know it, so its \
                 value would be lost; leave it at its default for this peer, mark it \
                 `#[compat(ignorable)]` if it may be dropped, or upgrade {peer} to {since} or later"
            ),
            Part::Variant(name) => write!(
                f,
                "variant `{name}`{of} arrived in {since} and {peer} {v} cannot decode it; \
                 send a variant this peer knows, or upgrade {peer} to {since} or later"
            ),
        }
    }
}

impl std::error::Error for Unreadable {}

/// What the code `#[derive(Compat)]` generates for [`Guard`] refers to; not a public API.
///
/// The probes pick an implementation by autoref: a method on `Probe<T>` (when `T` is a
/// message, or a container of one) is found before the fallback on `&Probe<T>`.
#[doc(hidden)]
pub mod __private {
    use std::collections::{BTreeMap, HashMap, VecDeque};
    use std::marker::PhantomData;

    pub use super::{Guard, Part, Unknown};
    pub use crate::message::Compat;
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

    /// EXPERIMENT
    #[inline]
    pub fn some<T>(value: &Option<T>) -> bool {
        value.is_some()
    }

    /// EXPERIMENT
    #[inline]
    pub fn set<T: Default + PartialEq>(value: &T) -> bool {
        *value != T::default()
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
