//! The send guard of a prost message, for what `#[derive(ProstCompat)]` writes: the fast
//! path's constant, folded per type from the types its fields hold ([`Walk::newest`])
//! where the build helper did not compute it whole (`#[compat(within = "...")]`, which the
//! derive writes as `Compat::__NEWEST_WITHIN`), and the slow path as one constant per type,
//! [`Wire`], whose functions walk the message's encoding (`proto/wire.rs`, feature
//! `prost`) instead of code the derive writes per field.

use std::marker::PhantomData;

use super::well_known::Table;
use crate::unreadable::Unknown;

/// What the walk finds: the first part a peer does not know.
pub(crate) type Found = Option<Unknown>;

/// The slow path of the send guard for a prost message `T`, as functions of its value:
/// what `Compat::__WIRE` holds (`None` for every other type), made by `Wire::STRIP` or
/// `Wire::FIND` (feature `prost`). The defaults of `Compat::__unreadable`,
/// `__needs_strip` and `__strip` call them: the derive writes one constant per message,
/// not three methods walking its fields. Not a public API.
pub struct Wire<T: ?Sized> {
    /// The first part of the value a peer at the given release (packed) cannot read.
    pub unreadable: fn(&T, u64) -> Found,
    /// Whether the value holds an `@ignorable` field the peer predates.
    pub needs_strip: fn(&T, u64) -> bool,
    /// Drops the `@ignorable` fields the peer predates.
    pub strip: fn(&mut T, u64),
}

impl<T: ?Sized> Clone for Wire<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Wire<T> {}

/// A field's message or enum type, for [`Walk`]: `None::<p::W<M>>.newest(depth, newest)`.
/// Never made: the receiver is `None` of it, a constant value of the type, with no call
/// to make and no path among impls to look up for the compiler, per use (where
/// `W::<M>::new()` was both; benches/compile_time.sh, the prost family).
pub struct W<M>(PhantomData<fn() -> M>);

/// The fast path's fold over what a field holds, through its type's table: a type that
/// derives `ProstCompat` answers its own, a well-known type none. A type with neither
/// falls back to the impl on `&Option<W<M>>` (the method call's autoref), which adds
/// nothing: the protobuf table's `__p::table::<M>` is where such a type is refused, with
/// one error that names the fix. The method takes `self`: the receiver is a constant
/// `None`, and its autoref (a promoted constant) is made only in that fallback.
pub trait Walk<M>: Sized {
    /// The newer of `newest` and the newest release of `M` and what it holds, for a type
    /// at `depth` that holds `M`; `u64::MAX` (too deep to tell: the slow path) at depth 0,
    /// where the type may hold itself. A fold, one call per type held, rather than an
    /// array and a generic function for the derive's code to build.
    fn newest(self, depth: u32, newest: u64) -> u64;
}

impl<M: Table> Walk<M> for Option<W<M>> {
    #[inline]
    fn newest(self, depth: u32, newest: u64) -> u64 {
        if depth == 0 {
            return u64::MAX;
        }
        let held = M::__walk_newest(depth - 1);
        if held > newest { held } else { newest }
    }
}

impl<M> Walk<M> for &Option<W<M>> {
    #[inline]
    fn newest(self, _: u32, newest: u64) -> u64 {
        newest
    }
}
