//! [`Travels`]: what compat knows of every type a message carries in a field.
//!
//! A message's table describes its own fields; the types inside them must be described too,
//! or part of the wire goes unchecked. A type travels with a description when it is a message
//! (every [`Compat`] type), a value of the standard library that serde writes (numbers,
//! strings, paths, durations, addresses, ...), a standard container of such types (an
//! `Option`, a `Vec`, a map, a set, a tuple, an array, an `Rc`, an `Arc`, a `Cow`, a
//! `Result`), or a wrapper that declares itself wire-transparent (`#[compat(transparent)]`).
//! The derive requires it of every field type that may hold a message, and of every generic
//! parameter a field uses, so a type without a table is a compile error at the field, with
//! the fix; and the send guard walks every such value through it, generic parameters
//! included (`CallInfo<D>` with `D = PipelineDataHeader`).
//!
//! `Box<M>` travels as the message it holds (it has `M`'s table). A `Box` or a reference
//! around a field's type is looked through by the derive itself.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use super::Compat;
use crate::guard::NESTING;
use crate::unreadable::Unknown;
use core::borrow::Borrow;

/// A type that travels inside messages, with what the send guard needs to walk its values.
///
/// A message's table describes its own fields; the types inside them must be described
/// too, or part of the wire goes unchecked. A type travels with a description when it is a
/// message (every [`Compat`] type), a value of the standard library that serde writes, a
/// standard container of such types, or a wrapper that declares itself wire-transparent
/// (`#[compat(transparent)]`). The derive requires it of every field type that may hold a
/// message and of every generic parameter a field uses, and the send guard walks each value
/// through it.
///
/// ```
/// use compat_runtime::{Compat, Travels};
///
/// #[derive(Compat)]
/// #[since("0.1.0")]
/// pub struct Span { pub start: u64, pub end: u64 }
///
/// fn described<T: Travels + ?Sized>() {}
/// described::<Span>();
/// described::<Option<Vec<(String, Span)>>>();
/// described::<std::collections::BTreeMap<String, std::sync::Arc<Span>>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` travels in a message but has no compatibility table, so what it writes is unchecked",
    label = "`{Self}` has no table, here or inside the type written here",
    note = "derive `Compat` (with its `#[since]`) on the type that has no table; if its `Serialize` is written by hand, say what it writes, once on the type (with `#[derive(Compat)]`) or on the field: #[compat(wire = \"string\")], #[compat(wire(map_of = \"Value\"))], #[compat(wire(seq_of = \"Value\"))] or #[compat(wire(as = \"Type\"))]; a wrapper that writes the value it holds takes #[compat(transparent)]; or mark the field #[compat(opaque = \"why it needs no check\")]"
)]
pub trait Travels {
    /// Whether the type writes exactly the one value it wraps (`Arc<T>`, a
    /// `#[compat(transparent)]` wrapper): the tables then record the wrapped type, so
    /// wrapping a field is no change on the wire.
    #[doc(hidden)]
    const WRAPS: bool = false;

    /// The type's name as the tables record it, for the arguments of a generic message.
    #[doc(hidden)]
    const NAME: &'static str;

    /// What a type of one shape writes in place of itself, as the tables of the messages
    /// holding it record it: the wrapped type of a `#[compat(transparent)]` wrapper of one
    /// type (`Vec<Value>`), the shape a `#[compat(wire(...))]` type names
    /// (`LabeledError`); empty for any other type, which is recorded as written. Never read
    /// from a message's table, so messages holding each other need no cycle to know it.
    #[doc(hidden)]
    const WRITES: &'static str = "";

    /// The newest release among the messages a value of this type may hold, looking at most
    /// `depth` messages deep (see [`Guard::newest`](crate::Guard::newest)); 0 for none.
    #[doc(hidden)]
    #[inline]
    fn __walk_newest(depth: u32) -> u64 {
        let _ = depth;
        0
    }

    /// The first part of the value a peer at `peer` (packed) cannot read.
    #[doc(hidden)]
    #[inline]
    fn __walk_unreadable(&self, peer: u64) -> Option<Unknown> {
        let _ = peer;
        None
    }

    /// Whether the value holds ignorable parts newer than `peer` with values.
    #[doc(hidden)]
    #[inline]
    fn __walk_needs_strip(&self, peer: u64) -> bool {
        let _ = peer;
        false
    }

    /// Resets the ignorable parts newer than `peer` to their defaults.
    #[doc(hidden)]
    #[inline]
    fn __walk_strip(&mut self, peer: u64) {
        let _ = peer;
    }

    /// The value in the older form a peer at `peer` reads, made from the borrow, when it is
    /// a message whose `__degrade` makes one (a variant with a fallback); `None` otherwise.
    #[doc(hidden)]
    #[inline]
    fn __walk_degrade(&self, peer: u64) -> Option<(Self, super::Fell)>
    where
        Self: Sized,
    {
        let _ = peer;
        None
    }
}

/// A message travels as its table describes it; the guard walks a value only for a peer
/// older than the newest part the type may hold.
impl<M: Compat + ?Sized> Travels for M {
    const NAME: &'static str = M::MESSAGE.name;

    #[inline]
    fn __walk_newest(depth: u32) -> u64 {
        M::__newest_within(depth)
    }

    #[inline]
    fn __walk_unreadable(&self, peer: u64) -> Option<Unknown> {
        if M::__newest_within(NESTING) <= peer {
            return None;
        }
        self.__unreadable(peer)
    }

    #[inline]
    fn __walk_needs_strip(&self, peer: u64) -> bool {
        M::__newest_within(NESTING) > peer && self.__needs_strip(peer)
    }

    #[inline]
    fn __walk_strip(&mut self, peer: u64) {
        if M::__newest_within(NESTING) > peer {
            self.__strip(peer);
        }
    }

    #[inline]
    fn __walk_degrade(&self, peer: u64) -> Option<(Self, super::Fell)>
    where
        Self: Sized,
    {
        if M::__newest_within(NESTING) <= peer {
            return None;
        }
        self.__degrade(peer)
    }
}

/// The send guard's walk of a field described with `#[compat(wire(as = "T", via = "f"))]`:
/// `make` (the field's `via`) makes the value that travels, which borrows as `T`, only when
/// `T` may hold a part newer than `peer`.
#[doc(hidden)]
#[inline]
pub fn walk_as<T: Travels + ?Sized, R: Borrow<T>>(
    peer: u64,
    make: impl FnOnce() -> R,
) -> Option<Unknown> {
    if T::__walk_newest(NESTING) <= peer {
        return None;
    }
    Borrow::<T>::borrow(&make()).__walk_unreadable(peer)
}

/// [`walk_as`] for `#[compat(wire(seq_of = "T", via = "f"))]`: `make` yields the elements.
#[doc(hidden)]
#[inline]
pub fn walk_seq_of<T: Travels + ?Sized, I: IntoIterator<Item: Borrow<T>>>(
    peer: u64,
    make: impl FnOnce() -> I,
) -> Option<Unknown> {
    if T::__walk_newest(NESTING) <= peer {
        return None;
    }
    make()
        .into_iter()
        .find_map(|element| Borrow::<T>::borrow(&element).__walk_unreadable(peer))
}

/// [`walk_as`] for `#[compat(wire(map_of = "T", via = "f"))]`: `make` yields the entries,
/// `(key, value)`; the keys travel as strings.
#[doc(hidden)]
#[inline]
pub fn walk_map_of<T: Travels + ?Sized, K, V: Borrow<T>, I>(
    peer: u64,
    make: impl FnOnce() -> I,
) -> Option<Unknown>
where
    I: IntoIterator<Item = (K, V)>,
{
    if T::__walk_newest(NESTING) <= peer {
        return None;
    }
    make()
        .into_iter()
        .find_map(|(_, value)| Borrow::<T>::borrow(&value).__walk_unreadable(peer))
}

/// `Writes::<T>::TEXT` is what `T` writes in place of itself ([`Travels::WRITES`]) when `T`
/// travels, and empty (from [`Unwritten`]) for any other type: a type without `Travels` is
/// reported once, by the send guard, not again by the table asking this. An inherent
/// constant whose bound holds is found before the trait's.
#[doc(hidden)]
pub struct Writes<T: ?Sized>(core::marker::PhantomData<T>);

impl<T: Travels + ?Sized> Writes<T> {
    /// What `T` writes in place of itself; empty for most types.
    pub const TEXT: &'static str = T::WRITES;
}

/// The answer of [`Writes`] for a type that does not travel.
#[doc(hidden)]
pub trait Unwritten {
    /// Nothing written in place of the type.
    const TEXT: &'static str = "";
}

impl<T: ?Sized> Unwritten for Writes<T> {}

/// The type a field travels as, where the one type of the user's in it that is not generic
/// may be a `#[compat(transparent)]` wrapper or a type described with
/// `#[compat(wire(...))]` (`writes`, its [`Writes`]): what it writes, or else the text as
/// written. A message's table is never read here: messages that hold each other would need
/// each other's tables to make their own.
#[doc(hidden)]
pub const fn recorded(writes: &'static str, written: &'static str) -> &'static str {
    if writes.is_empty() { written } else { writes }
}

/// The length of `written` (a field's type holding, at some byte, a type `len` bytes long
/// that writes `writes` in its place) once [`splice`] has put `writes` there.
#[doc(hidden)]
pub const fn spliced_len(writes: &str, written: &str, len: usize) -> usize {
    if writes.is_empty() {
        written.len()
    } else {
        written.len() - len + writes.len()
    }
}

/// `written` with the `len` bytes at `at` (a type's text) replaced by `writes`, what the
/// type writes in its place, if anything: [`recorded`] for a type nested in a container
/// (`Option<MyWrapper>`), as bytes. `N` is [`spliced_len`].
#[doc(hidden)]
pub const fn splice<const N: usize>(writes: &str, written: &str, at: usize, len: usize) -> [u8; N] {
    let mut out = [0u8; N];
    let (written, name) = (written.as_bytes(), writes.as_bytes());
    let mut i = 0;
    while i < N {
        out[i] = if name.is_empty() || i < at {
            written[i]
        } else if i < at + name.len() {
            name[i - at]
        } else {
            written[i - name.len() + len]
        };
        i += 1;
    }
    out
}

/// The text [`splice`] wrote.
#[doc(hidden)]
pub const fn utf8(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("a spliced type is not UTF-8"),
    }
}

/// Values that hold no message: nothing to walk.
macro_rules! leaves {
    ($($ty:ty => $name:literal),* $(,)?) => {$(
        impl Travels for $ty {
            const NAME: &'static str = $name;
        }
    )*};
}

leaves! {
    bool => "bool", char => "char", () => "()",
    u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64", u128 => "u128", usize => "usize",
    i8 => "i8", i16 => "i16", i32 => "i32", i64 => "i64", i128 => "i128", isize => "isize",
    f32 => "f32", f64 => "f64",
    String => "String", str => "String",
    std::path::PathBuf => "PathBuf", std::path::Path => "PathBuf",
    std::ffi::OsString => "OsString", std::ffi::OsStr => "OsString",
    std::ffi::CString => "CString", std::ffi::CStr => "CString",
    std::time::Duration => "Duration", std::time::SystemTime => "SystemTime",
    std::net::IpAddr => "IpAddr", std::net::Ipv4Addr => "Ipv4Addr",
    std::net::Ipv6Addr => "Ipv6Addr", std::net::SocketAddr => "SocketAddr",
    std::net::SocketAddrV4 => "SocketAddrV4", std::net::SocketAddrV6 => "SocketAddrV6",
    core::num::NonZeroU8 => "NonZeroU8", core::num::NonZeroU16 => "NonZeroU16",
    core::num::NonZeroU32 => "NonZeroU32", core::num::NonZeroU64 => "NonZeroU64",
    core::num::NonZeroU128 => "NonZeroU128", core::num::NonZeroUsize => "NonZeroUsize",
    core::num::NonZeroI8 => "NonZeroI8", core::num::NonZeroI16 => "NonZeroI16",
    core::num::NonZeroI32 => "NonZeroI32", core::num::NonZeroI64 => "NonZeroI64",
    core::num::NonZeroI128 => "NonZeroI128", core::num::NonZeroIsize => "NonZeroIsize",
}

/// `PhantomData` writes nothing of `T`.
impl<T: ?Sized> Travels for core::marker::PhantomData<T> {
    const NAME: &'static str = "PhantomData";
}

/// Containers of one element type: `$iter` reaches every element of `$v` to read it, and
/// `$iter_mut` to reset it (empty where the container cannot hand out its elements
/// mutably: a set's, a shared pointer's). `$wraps`: whether the container writes exactly
/// the one value it holds.
macro_rules! containers {
    ($([$($gen:tt)*] $ty:ty => $name:literal, $wraps:literal, |$v:ident| $iter:expr, $iter_mut:expr;)*) => {$(
        // A container without a table is reported as the element that has none.
        #[diagnostic::do_not_recommend]
        impl<$($gen)*> Travels for $ty {
            const WRAPS: bool = $wraps;
            const NAME: &'static str = $name;

            #[inline]
            fn __walk_newest(depth: u32) -> u64 {
                T::__walk_newest(depth)
            }

            #[inline]
            fn __walk_unreadable(&self, peer: u64) -> Option<Unknown> {
                if T::__walk_newest(NESTING) <= peer {
                    return None;
                }
                let $v = self;
                $iter.find_map(|value: &T| value.__walk_unreadable(peer))
            }

            #[inline]
            fn __walk_needs_strip(&self, peer: u64) -> bool {
                if T::__walk_newest(NESTING) <= peer {
                    return false;
                }
                let $v = self;
                $iter.any(|value: &T| value.__walk_needs_strip(peer))
            }

            #[inline]
            fn __walk_strip(&mut self, peer: u64) {
                if T::__walk_newest(NESTING) <= peer {
                    return;
                }
                #[allow(unused_variables, reason = "read-only containers reset nothing")]
                let $v = self;
                $iter_mut.for_each(|value: &mut T| value.__walk_strip(peer));
            }
        }
    )*};
}

/// Nothing to reset in place.
fn none<'a, T: ?Sized + 'a>() -> core::iter::Empty<&'a mut T> {
    core::iter::empty()
}

containers! {
    [T: Travels] Option<T> => "Option<_>", false, |v| v.iter(), v.iter_mut();
    [T: Travels] Vec<T> => "Vec<_>", false, |v| v.iter(), v.iter_mut();
    [T: Travels] VecDeque<T> => "VecDeque<_>", false, |v| v.iter(), v.iter_mut();
    [T: Travels] LinkedList<T> => "LinkedList<_>", false, |v| v.iter(), v.iter_mut();
    [T: Travels] [T] => "Vec<_>", false, |v| v.iter(), v.iter_mut();
    [T: Travels, const N: usize] [T; N] => "[_; N]", false, |v| v.iter(), v.iter_mut();
    [T: Travels] core::cmp::Reverse<T> => "Reverse<_>", false, |v| core::iter::once(&v.0), core::iter::once(&mut v.0);
    [T: Travels] BTreeSet<T> => "BTreeSet<_>", false, |v| v.iter(), none::<T>();
    [T: Travels, S] HashSet<T, S> => "HashSet<_>", false, |v| v.iter(), none::<T>();
    [T: Travels] BinaryHeap<T> => "BinaryHeap<_>", false, |v| v.iter(), none::<T>();
    [T: Travels + ?Sized] Rc<T> => "Rc<_>", true, |v| core::iter::once(&**v), none::<T>();
    [T: Travels + ?Sized] Arc<T> => "Arc<_>", true, |v| core::iter::once(&**v), none::<T>();
    ['a, T: Travels + ToOwned + ?Sized] Cow<'a, T> => "Cow<_>", true, |v| core::iter::once(&**v), none::<T>();
}

/// Maps: keys are read, values read and reset.
macro_rules! maps {
    ($([$($gen:tt)*] $ty:ty => $name:literal;)*) => {$(
        #[diagnostic::do_not_recommend]
        impl<$($gen)*> Travels for $ty {
            const NAME: &'static str = $name;

            #[inline]
            fn __walk_newest(depth: u32) -> u64 {
                let (k, v) = (K::__walk_newest(depth), V::__walk_newest(depth));
                if k > v { k } else { v }
            }

            #[inline]
            fn __walk_unreadable(&self, peer: u64) -> Option<Unknown> {
                if Self::__walk_newest(NESTING) <= peer {
                    return None;
                }
                self.iter().find_map(|(key, value)| {
                    key.__walk_unreadable(peer).or_else(|| value.__walk_unreadable(peer))
                })
            }

            #[inline]
            fn __walk_needs_strip(&self, peer: u64) -> bool {
                Self::__walk_newest(NESTING) > peer
                    && self.iter().any(|(key, value)| {
                        key.__walk_needs_strip(peer) || value.__walk_needs_strip(peer)
                    })
            }

            #[inline]
            fn __walk_strip(&mut self, peer: u64) {
                if Self::__walk_newest(NESTING) > peer {
                    self.values_mut().for_each(|value| value.__walk_strip(peer));
                }
            }
        }
    )*};
}

maps! {
    [K: Travels, V: Travels] BTreeMap<K, V> => "BTreeMap<_, _>";
    [K: Travels, V: Travels, S] HashMap<K, V, S> => "HashMap<_, _>";
}

/// serde writes a `Result` as an enum of `Ok` and `Err`: either side is walked.
#[diagnostic::do_not_recommend]
impl<T: Travels, E: Travels> Travels for Result<T, E> {
    const NAME: &'static str = "Result<_, _>";

    #[inline]
    fn __walk_newest(depth: u32) -> u64 {
        T::__walk_newest(depth).max(E::__walk_newest(depth))
    }

    #[inline]
    fn __walk_unreadable(&self, peer: u64) -> Option<Unknown> {
        match self {
            Ok(value) => value.__walk_unreadable(peer),
            Err(error) => error.__walk_unreadable(peer),
        }
    }

    #[inline]
    fn __walk_needs_strip(&self, peer: u64) -> bool {
        match self {
            Ok(value) => value.__walk_needs_strip(peer),
            Err(error) => error.__walk_needs_strip(peer),
        }
    }

    #[inline]
    fn __walk_strip(&mut self, peer: u64) {
        match self {
            Ok(value) => value.__walk_strip(peer),
            Err(error) => error.__walk_strip(peer),
        }
    }
}

/// Tuples: each element in turn.
macro_rules! tuples {
    ($(($($t:ident . $i:tt),+);)*) => {$(
        #[diagnostic::do_not_recommend]
        impl<$($t: Travels),+> Travels for ($($t,)+) {
            const NAME: &'static str = "(..)";

            #[inline]
            fn __walk_newest(depth: u32) -> u64 {
                let mut newest = 0;
                $(
                    let n = $t::__walk_newest(depth);
                    if n > newest { newest = n; }
                )+
                newest
            }

            #[inline]
            fn __walk_unreadable(&self, peer: u64) -> Option<Unknown> {
                $(
                    if let Some(found) = self.$i.__walk_unreadable(peer) {
                        return Some(found);
                    }
                )+
                None
            }

            #[inline]
            fn __walk_needs_strip(&self, peer: u64) -> bool {
                false $(|| self.$i.__walk_needs_strip(peer))+
            }

            #[inline]
            fn __walk_strip(&mut self, peer: u64) {
                $(self.$i.__walk_strip(peer);)+
            }
        }
    )*};
}

tuples! {
    (A.0);
    (A.0, B.1);
    (A.0, B.1, C.2);
    (A.0, B.1, C.2, D.3);
    (A.0, B.1, C.2, D.3, E.4);
    (A.0, B.1, C.2, D.3, E.4, F.5);
    (A.0, B.1, C.2, D.3, E.4, F.5, G.6);
    (A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7);
}

/// JSON's own value holds no message.
#[cfg(feature = "json")]
impl Travels for serde_json::Value {
    const NAME: &'static str = "Value";
}

/// JSON's own map holds no message.
#[cfg(feature = "json")]
impl Travels for serde_json::Map<String, serde_json::Value> {
    const NAME: &'static str = "Map";
}

#[cfg(test)]
mod tests {
    use super::Travels;
    use crate::message::__private::message;
    use crate::message::{Compat, Kind, Message, Shape};

    struct Plain;

    impl Compat for Plain {
        const MESSAGE: &'static Message = &message(
            "Plain",
            "0.1.0",
            crate::guard::pack(0, 3, 0),
            &[],
            Kind::Struct(Shape::Unit),
            &[],
            &[],
        );
    }

    #[test]
    fn containers_fold_in_what_their_elements_may_hold() {
        let newest = crate::guard::pack(0, 3, 0);
        assert_eq!(<Vec<Plain>>::__walk_newest(5), newest);
        assert_eq!(<Option<(u8, Plain)>>::__walk_newest(5), newest);
        assert_eq!(
            <std::collections::BTreeMap<String, std::sync::Arc<Plain>>>::__walk_newest(5),
            newest
        );
        assert_eq!(<Vec<String>>::__walk_newest(5), 0);
        assert_eq!(<Plain as Travels>::NAME, "Plain");
        const { assert!(<std::sync::Arc<u8>>::WRAPS && !<Vec<u8>>::WRAPS) };
    }
}
