//! The send guard's walk of a prost message, for what `#[derive(ProstCompat)]` writes.
//!
//! The derive knows from prost's attributes how each field holds what it holds (`Option`,
//! `Vec`, a map's values, `Box`), so it calls one of these functions by name, with the
//! message or enum type spelled out: no method lookup through wrappers for the compiler
//! to do per field, and the names and releases of what a peer lacks come from the tables,
//! not from the generated code (benches/compile_time.sh, the prost family).

use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;

use super::table::ProtoMessage;
use super::well_known::Table;
use crate::guard::pack_release;
use crate::message::Message;
use crate::unreadable::{Part, Unknown};

/// What the walk finds: the first part a peer does not know.
pub type Found = Option<Unknown>;

/// The messages a field holds, as prost generates the field: the message itself (a oneof
/// member, a proto2 `required` field), boxed, in an `Option` (a singular field), a `Vec`
/// (`repeated`), or as a map's values. Each walk is written out per container, with no
/// closure and no iterator adapter: what the user's crate instantiates per message type is
/// a loop or a `match`, not a chain of `find_map`, `try_fold` and a closure per call
/// (benches/compile_time.sh, the prost family).
pub trait Holds<M> {
    /// The first part a peer at `peer` does not know in the messages held.
    fn find(&self, peer: u64) -> Found
    where
        M: Table;
    /// Whether a message held has an `@ignorable` part a peer at `peer` predates.
    fn needs(&self, peer: u64) -> bool
    where
        M: Table;
    /// Clears the `@ignorable` parts a peer at `peer` predates in each message held.
    fn clear(&mut self, peer: u64)
    where
        M: Table;
}

// At most one message: the message itself, boxed, or in an `Option`, seen as an `Option`
// of a reference to it.
macro_rules! holds_maybe {
    ($([$($gen:ident),*] $ty:ty, |$v:ident| $one:expr, |$w:ident| $one_mut:expr;)*) => {$(
        impl<M, $($gen),*> Holds<M> for $ty {
            #[inline]
            fn find(&self, peer: u64) -> Found
            where
                M: Table,
            {
                let $v = self;
                match $one {
                    Some(m) => M::__walk_find(m, peer),
                    None => None,
                }
            }
            #[inline]
            fn needs(&self, peer: u64) -> bool
            where
                M: Table,
            {
                let $v = self;
                match $one {
                    Some(m) => M::__walk_needs(m, peer),
                    None => false,
                }
            }
            #[inline]
            fn clear(&mut self, peer: u64)
            where
                M: Table,
            {
                let $w = self;
                if let Some(m) = $one_mut {
                    M::__walk_clear(m, peer);
                }
            }
        }
    )*};
}

holds_maybe! {
    [] M, |v| Some(v), |w| Some(w);
    [] Box<M>, |v| Some(&**v), |w| Some(&mut **w);
    [] Option<M>, |v| v, |w| w;
    [] Option<Box<M>>, |v| v.as_deref(), |w| w.as_deref_mut();
}

// Any number of messages, by the container's iterators over them.
macro_rules! holds_many {
    ($([$($gen:ident),*] $ty:ty, |$v:ident| $iter:expr, |$w:ident| $iter_mut:expr;)*) => {$(
        impl<M, $($gen),*> Holds<M> for $ty {
            #[inline]
            fn find(&self, peer: u64) -> Found
            where
                M: Table,
            {
                let $v = self;
                for m in $iter {
                    if let found @ Some(_) = M::__walk_find(m, peer) {
                        return found;
                    }
                }
                None
            }
            #[inline]
            fn needs(&self, peer: u64) -> bool
            where
                M: Table,
            {
                let $v = self;
                for m in $iter {
                    if M::__walk_needs(m, peer) {
                        return true;
                    }
                }
                false
            }
            #[inline]
            fn clear(&mut self, peer: u64)
            where
                M: Table,
            {
                let $w = self;
                for m in $iter_mut {
                    M::__walk_clear(m, peer);
                }
            }
        }
    )*};
}

holds_many! {
    [] Vec<M>, |v| v, |w| w;
    [K, S] HashMap<K, M, S>, |v| v.values(), |w| w.values_mut();
    [K] BTreeMap<K, M>, |v| v.values(), |w| w.values_mut();
}

/// The numbers an `enumeration` field holds: an `i32`, in an `Option`, a `Vec`, or as a
/// map's values. Not generic over the enum: the loops are compiled once, here, not in
/// each user's crate.
pub trait Numbers {
    /// The first of the numbers held that is a value of `table` (an enum's) a peer at
    /// `peer` predates. Numbers the enum does not list (an open enum keeps them) are
    /// passed on as they came.
    fn unknown(&self, table: &'static ProtoMessage, peer: u64) -> Found;
}

impl Numbers for i32 {
    #[inline]
    fn unknown(&self, table: &'static ProtoMessage, peer: u64) -> Found {
        unknown_value(table, *self, peer)
    }
}

impl Numbers for Option<i32> {
    #[inline]
    fn unknown(&self, table: &'static ProtoMessage, peer: u64) -> Found {
        self.and_then(|number| unknown_value(table, number, peer))
    }
}

impl Numbers for Vec<i32> {
    fn unknown(&self, table: &'static ProtoMessage, peer: u64) -> Found {
        self.iter()
            .find_map(|&number| unknown_value(table, number, peer))
    }
}

impl<K, S> Numbers for HashMap<K, i32, S> {
    fn unknown(&self, table: &'static ProtoMessage, peer: u64) -> Found {
        for &number in self.values() {
            if let found @ Some(_) = unknown_value(table, number, peer) {
                return found;
            }
        }
        None
    }
}

impl<K> Numbers for BTreeMap<K, i32> {
    fn unknown(&self, table: &'static ProtoMessage, peer: u64) -> Found {
        for &number in self.values() {
            if let found @ Some(_) = unknown_value(table, number, peer) {
                return found;
            }
        }
        None
    }
}

/// The first part of a message that a peer at `peer` does not know: the message itself,
/// then the fields at `checks` (`(index in the table, holds a value)`) it predates.
#[inline(never)]
pub fn fields(message: &'static Message, peer: u64, checks: &[(usize, bool)]) -> Found {
    // The peer knows every part of this message (`newest` is packed at compile time): no
    // release text to read. The walk of what it holds goes on in the caller.
    if peer >= message.newest {
        return None;
    }
    if peer < pack_release(message.since) {
        return Some(Unknown {
            message: message.name,
            part: Part::Message,
            since: message.since,
        });
    }
    checks.iter().find_map(|&(index, present)| {
        let field = message.fields.get(index)?;
        (present && peer < pack_release(field.since)).then_some(Unknown {
            message: message.name,
            part: Part::Field(field.name),
            since: field.since,
        })
    })
}

/// Whether an `@ignorable` field at `checks` (`(index in the table, holds a value)`) holds
/// a value that a peer at `peer` predates.
#[inline(never)]
pub fn any(message: &'static Message, peer: u64, checks: &[(usize, bool)]) -> bool {
    peer < message.newest
        && checks
            .iter()
            .any(|&(index, present)| present && older(message, peer, index))
}

/// Whether a peer at `peer` predates the field at `index` of the table.
#[inline]
fn older(message: &'static Message, peer: u64, index: usize) -> bool {
    peer < message.newest
        && message
            .fields
            .get(index)
            .is_some_and(|field| peer < pack_release(field.since))
}

/// Resets `field` (the `@ignorable` field at `index` of the table) to its default when a
/// peer at `peer` predates it. The test, the assignment and the old value's drop are
/// generic code here, compiled where used, not a branch and a drop in each derived
/// `__strip` for the user's crate to check.
#[inline]
pub fn reset<T: Default>(message: &'static Message, peer: u64, index: usize, field: &mut T) {
    if older(message, peer, index) {
        *field = T::default();
    }
}

/// The first part of a oneof's member (index `member` of the table) that a peer at `peer`
/// does not know: the oneof's message, the member, then `inner` (what the member holds).
/// A member is never older than its oneof (the derive refuses such a `@since`), so a peer
/// that knows the member knows the oneof: its release is read only for a peer that
/// predates the member.
#[inline(never)]
pub fn member(message: &'static Message, peer: u64, member: usize, inner: Found) -> Found {
    if peer >= message.newest {
        return inner;
    }
    match message.variants.get(member) {
        Some(entry) if peer < pack_release(entry.since) => {
            if peer < pack_release(message.since) {
                return fields(message, peer, &[]);
            }
            Some(Unknown {
                message: message.name,
                part: Part::Variant(entry.name),
                since: entry.since,
            })
        }
        _ => inner,
    }
}

/// A field's message or enum type, for [`Walk`]: `None::<p::W<M>>.find(&field, peer, None)`.
/// Never made: the receiver is `None` of it, a constant value of the type, with no call
/// to make and no path among impls to look up for the compiler, per use (where
/// `W::<M>::new()` was both; benches/compile_time.sh, the prost family).
pub struct W<M>(PhantomData<fn() -> M>);

/// The walk of what a field holds, through its type's table: a type that derives
/// `ProstCompat` is walked, a well-known type has nothing to walk. A type with neither
/// falls back to the impl on `&Option<W<M>>` (the method call's autoref), which walks
/// nothing: the protobuf table's `__p::table::<M>` is where such a type is refused, with
/// one error that names the fix. The methods take `self`: the receiver is a constant
/// `None`, and its autoref (a promoted constant) is made only in that fallback.
pub trait Walk<M>: Sized {
    /// The newer of `newest` and the newest release of `M` and what it holds, for a type
    /// at `depth` that holds `M`; `u64::MAX` (too deep to tell: the slow path) at depth 0,
    /// where the type may hold itself. A fold, one call per type held, rather than an
    /// array and a generic function for the derive's code to build.
    fn newest(self, depth: u32, newest: u64) -> u64;
    /// `found`, else the first part a peer at `peer` does not know in the messages `value`
    /// holds. The walks of a message's fields are one expression, each call taking the
    /// previous one's answer: no `if let` and `return` per field in the derived code.
    fn find<C: Holds<M> + ?Sized>(self, value: &C, peer: u64, found: Found) -> Found;
    /// `needs`, or whether a message `value` holds has an `@ignorable` part to clear for
    /// `peer` (folded as [`Walk::find`] is).
    fn needs<C: Holds<M> + ?Sized>(self, value: &C, peer: u64, needs: bool) -> bool;
    /// Clears the `@ignorable` parts a peer at `peer` predates in what `value` holds.
    fn clear<C: Holds<M> + ?Sized>(self, value: &mut C, peer: u64);
    /// `found`, else the first of the enum values `value` holds that a peer at `peer` does
    /// not know, as a variant of the enum `M`. Numbers the enum does not list (an open enum
    /// keeps them) are passed on as they came.
    fn values<C: Numbers + ?Sized>(self, value: &C, peer: u64, found: Found) -> Found;
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
    #[inline]
    fn find<C: Holds<M> + ?Sized>(self, value: &C, peer: u64, found: Found) -> Found {
        if found.is_some() {
            return found;
        }
        value.find(peer)
    }
    #[inline]
    fn needs<C: Holds<M> + ?Sized>(self, value: &C, peer: u64, needs: bool) -> bool {
        needs || value.needs(peer)
    }
    #[inline]
    fn clear<C: Holds<M> + ?Sized>(self, value: &mut C, peer: u64) {
        value.clear(peer);
    }
    #[inline]
    fn values<C: Numbers + ?Sized>(self, value: &C, peer: u64, found: Found) -> Found {
        if found.is_some() || M::__walk_newest(1) <= peer {
            return found;
        }
        value.unknown(M::TABLE, peer)
    }
}

impl<M> Walk<M> for &Option<W<M>> {
    #[inline]
    fn newest(self, _: u32, newest: u64) -> u64 {
        newest
    }
    #[inline]
    fn find<C: Holds<M> + ?Sized>(self, _: &C, _: u64, found: Found) -> Found {
        found
    }
    #[inline]
    fn needs<C: Holds<M> + ?Sized>(self, _: &C, _: u64, needs: bool) -> bool {
        needs
    }
    #[inline]
    fn clear<C: Holds<M> + ?Sized>(self, _: &mut C, _: u64) {}
    #[inline]
    fn values<C: Numbers + ?Sized>(self, _: &C, _: u64, found: Found) -> Found {
        found
    }
}

#[inline(never)]
fn unknown_value(table: &'static ProtoMessage, number: i32, peer: u64) -> Found {
    let value = table.value(number)?;
    (peer < pack_release(value.since)).then_some(Unknown {
        message: table.rust,
        part: Part::Variant(value.name),
        since: value.since,
    })
}
