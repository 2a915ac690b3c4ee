//! The send guard's slow path for a prost message, on its encoding: written once here for
//! every message, not per type by `#[derive(ProstCompat)]`.
//!
//! Protobuf leaves out exactly what the guard treats as absent (a proto3 scalar or enum
//! without `optional` at zero or empty, `None`, an empty `repeated` field or map), so a field
//! present in the message's encoding is a field that holds a value. The walk encodes the
//! message with prost, reads its fields by number and finds each in the message's protobuf
//! table ([`ProtoMessage`]), a oneof's member through the oneof's table; it goes into the
//! messages held (length-delimited, by the field's [`TypeRef`]; a map's entries: key 1,
//! value 2) and reads the enum values held (a varint, or a packed run of them). What the
//! derive writes per message is one constant, `Compat::__WIRE`, naming the generic functions
//! at the end of this file; `Compat::__unreadable`, `__needs_strip` and `__strip` call them.
//!
//! The bytes are our own encoder's, but nothing here panics on malformed ones: a walk stops
//! where the bytes stop making sense, as if nothing followed.
//!
//! [`TypeRef`]: super::TypeRef

use super::table::{Cardinality, ProtoField, ProtoMessage, ProtoType, TypeRef};
use super::walk::Found;
#[cfg(feature = "prost")]
use super::walk::Wire;
use crate::guard::pack_release;
use crate::unreadable::{Part, Unknown};

/// How many messages deep the walk goes: prost's decoder refuses a message nested deeper
/// than this (its recursion limit), so nothing below it reaches a peer that reads it.
const DEPTH: u32 = 100;

/// A field's value as the encoding holds it.
#[derive(Clone, Copy)]
enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire types 1 and 5: nothing the walk reads.
    Fixed,
    /// Wire type 2: a message, a map's entry, a string or bytes, a packed run.
    Bytes(&'a [u8]),
}

/// The fields of an encoded message, in order: `(number, value, the field's bytes, key
/// included)`. Ends at the end of the bytes, or where they stop being an encoding.
struct Fields<'a> {
    rest: &'a [u8],
}

fn fields(bytes: &[u8]) -> Fields<'_> {
    Fields { rest: bytes }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u32, Value<'a>, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.rest;
        let field = self.field();
        if field.is_none() {
            // Malformed (or a group, which prost-generated code that derives `ProstCompat`
            // never writes): nothing after it is read.
            self.rest = &[];
        }
        let (number, value) = field?;
        Some((number, value, &start[..start.len() - self.rest.len()]))
    }
}

impl<'a> Fields<'a> {
    fn field(&mut self) -> Option<(u32, Value<'a>)> {
        let key = varint(&mut self.rest)?;
        let number = u32::try_from(key >> 3).ok()?;
        let value = match key & 7 {
            0 => Value::Varint(varint(&mut self.rest)?),
            1 => {
                self.rest = self.rest.get(8..)?;
                Value::Fixed
            }
            2 => {
                let len = usize::try_from(varint(&mut self.rest)?).ok()?;
                let (bytes, rest) = self.rest.split_at_checked(len)?;
                self.rest = rest;
                Value::Bytes(bytes)
            }
            5 => {
                self.rest = self.rest.get(4..)?;
                Value::Fixed
            }
            _ => return None,
        };
        Some((number, value))
    }
}

/// Reads a varint off the front of `bytes`.
fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Writes a length-delimited field: its key, the length, the bytes.
fn put_bytes(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    put_varint(out, (u64::from(number) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Where a field number lands in a message's table: the message's field, and for a
/// member of one of its oneofs, the oneof's table and the member.
struct Place {
    field: &'static ProtoField,
    member: Option<(&'static ProtoMessage, &'static ProtoField)>,
}

impl Place {
    fn of(table: &'static ProtoMessage, number: u32) -> Option<Place> {
        table.fields.iter().find_map(|field| match field.ty {
            ProtoType::Oneof(oneof) => {
                let oneof = oneof.get();
                let member = oneof.fields.iter().find(|m| m.number == number)?;
                Some(Place {
                    field,
                    member: Some((oneof, member)),
                })
            }
            _ => (field.number == number).then_some(Place {
                field,
                member: None,
            }),
        })
    }

    /// What the value on the wire is: the member's type and cardinality, else the field's.
    fn held(&self) -> (ProtoType, Cardinality) {
        let field = self.member.map_or(self.field, |(_, member)| member);
        (field.ty, field.cardinality)
    }

    /// An `@ignorable` field (a oneof's, for a member) the peer predates: dropped for it.
    fn dropped(&self, peer: u64) -> bool {
        self.field.ignorable && older(self.field.since, peer)
    }
}

fn older(since: &str, peer: u64) -> bool {
    peer < pack_release(since)
}

/// The message (or oneof, or enum) itself, unknown to the peer.
fn whole(table: &'static ProtoMessage) -> Unknown {
    Unknown {
        message: table.rust,
        part: Part::Message,
        since: table.since,
    }
}

/// The table of a message held, unless it is a well-known type (nothing to walk: protobuf
/// fixed them long ago) or the walk is `depth` deep already.
fn walked(table: TypeRef, depth: u32) -> Option<&'static ProtoMessage> {
    let table = table.get();
    (depth > 0 && !table.is_well_known()).then_some(table)
}

/// The first part of the encoded message `bytes` (of the type of `table`) that a peer at
/// `peer` does not know: the message itself; then, in the order of the encoding (prost's:
/// by field number), a field it predates that holds a value and is not `@ignorable`; then
/// what each field holds, in the same order: a oneof's member the peer predates (the oneof
/// itself, if it predates that), the messages held, the enum values held.
fn find(table: &'static ProtoMessage, bytes: &[u8], peer: u64, depth: u32) -> Found {
    if older(table.since, peer) {
        return Some(whole(table));
    }
    // The message's own fields first, as the derive's walk of the fields did.
    for (number, _, _) in fields(bytes) {
        let Some(place) = Place::of(table, number) else {
            continue;
        };
        let field = place.field;
        if !field.ignorable && older(field.since, peer) {
            return Some(Unknown {
                message: table.rust,
                part: Part::Field(field.name),
                since: field.since,
            });
        }
    }
    for (number, value, _) in fields(bytes) {
        let Some(place) = Place::of(table, number) else {
            continue;
        };
        if let Some((oneof, member)) = place.member
            && older(member.since, peer)
        {
            // A member is never older than its oneof (the derive refuses such a `@since`).
            return Some(if older(oneof.since, peer) {
                whole(oneof)
            } else {
                Unknown {
                    message: oneof.rust,
                    part: Part::Variant(member.name),
                    since: member.since,
                }
            });
        }
        let (ty, cardinality) = place.held();
        if let found @ Some(_) = held(ty, cardinality, value, peer, depth) {
            return found;
        }
    }
    None
}

/// The first part a peer at `peer` does not know in what one field's value holds.
fn held(ty: ProtoType, cardinality: Cardinality, value: Value<'_>, peer: u64, depth: u32) -> Found {
    match (ty, value) {
        (ProtoType::Message(_) | ProtoType::Enum(_), Value::Bytes(entry))
            if matches!(cardinality, Cardinality::Map(_)) =>
        {
            match entry_value(entry) {
                Some(value) => held(ty, Cardinality::Optional, value, peer, depth),
                // prost leaves out a default value: the entry still holds one.
                None => default_value(ty, peer),
            }
        }
        (ProtoType::Message(table), Value::Bytes(bytes)) => {
            walked(table, depth).and_then(|table| find(table, bytes, peer, depth - 1))
        }
        (ProtoType::Enum(table), Value::Varint(number)) => {
            // An `int32` on the wire: its low 32 bits (a negative one is sign-extended).
            enum_value(table.get(), number as i32, peer)
        }
        (ProtoType::Enum(table), Value::Bytes(mut packed)) => {
            let table = table.get();
            while !packed.is_empty() {
                if let found @ Some(_) = enum_value(table, varint(&mut packed)? as i32, peer) {
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

/// The value of a map's entry (field 2; the last one, as a decoder reads it).
fn entry_value(entry: &[u8]) -> Option<Value<'_>> {
    fields(entry)
        .filter(|&(number, _, _)| number == 2)
        .last()
        .map(|(_, value, _)| value)
}

/// The default value of a map's entry that the encoding left out: an empty message (unknown
/// to the peer only as a whole), or the enum's value 0.
fn default_value(ty: ProtoType, peer: u64) -> Found {
    match ty {
        ProtoType::Message(table) => {
            let table = table.get();
            (!table.is_well_known() && older(table.since, peer)).then(|| whole(table))
        }
        ProtoType::Enum(table) => enum_value(table.get(), 0, peer),
        _ => None,
    }
}

/// The value `number` of an enum, when the peer predates it. Numbers the enum does not list
/// (an open enum keeps them) are passed on as they came.
fn enum_value(table: &'static ProtoMessage, number: i32, peer: u64) -> Found {
    let value = table.value(number)?;
    older(value.since, peer).then_some(Unknown {
        message: table.rust,
        part: Part::Variant(value.name),
        since: value.since,
    })
}

/// The message a field's value holds, for the walks that strip: its table and its bytes
/// (a map entry's value), unless it holds none, or a well-known type.
fn message<'a>(
    place: &Place,
    value: Value<'a>,
    depth: u32,
) -> Option<(&'static ProtoMessage, &'a [u8])> {
    let (ProtoType::Message(table), Value::Bytes(bytes)) = (place.held().0, value) else {
        return None;
    };
    let bytes = match place.held().1 {
        Cardinality::Map(_) => match entry_value(bytes)? {
            Value::Bytes(bytes) => bytes,
            _ => return None,
        },
        _ => bytes,
    };
    Some((walked(table, depth)?, bytes))
}

/// Whether the encoded message `bytes` holds, at any depth, an `@ignorable` field that a
/// peer at `peer` predates.
fn needs(table: &'static ProtoMessage, bytes: &[u8], peer: u64, depth: u32) -> bool {
    fields(bytes).any(|(number, value, _)| {
        Place::of(table, number).is_some_and(|place| {
            place.dropped(peer)
                || message(&place, value, depth)
                    .is_some_and(|(table, bytes)| needs(table, bytes, peer, depth - 1))
        })
    })
}

/// Writes the encoded message `bytes` to `out` without the `@ignorable` fields a peer at
/// `peer` predates, at any depth (the messages that held one with their new lengths).
/// Whether anything was left out.
fn strip(
    table: &'static ProtoMessage,
    bytes: &[u8],
    peer: u64,
    depth: u32,
    out: &mut Vec<u8>,
) -> bool {
    let mut stripped = false;
    for (number, value, field) in fields(bytes) {
        let Some(place) = Place::of(table, number) else {
            out.extend_from_slice(field);
            continue;
        };
        if place.dropped(peer) {
            stripped = true;
            continue;
        }
        let mut inner = Vec::new();
        let changed = match (message(&place, value, depth), value) {
            (Some((table, bytes)), Value::Bytes(entry))
                if matches!(place.held().1, Cardinality::Map(_)) =>
            {
                let mut value = Vec::new();
                let changed = strip(table, bytes, peer, depth - 1, &mut value);
                if changed {
                    // The entry again with its value stripped: the key as it was.
                    for (number, _, field) in fields(entry) {
                        if number == 2 {
                            put_bytes(&mut inner, 2, &value);
                        } else {
                            inner.extend_from_slice(field);
                        }
                    }
                }
                changed
            }
            (Some((table, bytes)), _) => strip(table, bytes, peer, depth - 1, &mut inner),
            (None, _) => false,
        };
        if changed {
            put_bytes(out, number, &inner);
            stripped = true;
        } else {
            out.extend_from_slice(field);
        }
    }
    stripped
}

/// The functions [`Wire`] holds, generic over the message: each encodes the value and
/// hands the bytes to the walk above, which is compiled once, here.
#[cfg(feature = "prost")]
mod by_type {
    use super::{DEPTH, Found, Wire, find, needs, strip};
    use crate::proto::Proto;

    impl<T: prost::Message + Default + Proto> Wire<T> {
        /// The walk of a message that may have something to strip (an `@ignorable` field,
        /// or a message held that may have one).
        pub const STRIP: Option<Self> = Some(Wire {
            unreadable: unreadable::<T>,
            needs_strip: needs_strip::<T>,
            strip: strip_value::<T>,
        });

        /// The walk of a message with nothing to strip: no encoding to ask.
        pub const FIND: Option<Self> = Some(Wire {
            unreadable: unreadable::<T>,
            needs_strip: |_, _| false,
            strip: |_, _| {},
        });
    }

    /// [`find`] on the value's encoding.
    fn unreadable<T: prost::Message + Proto>(value: &T, peer: u64) -> Found {
        find(T::PROTO, &value.encode_to_vec(), peer, DEPTH)
    }

    /// [`needs`] on the value's encoding.
    fn needs_strip<T: prost::Message + Proto>(value: &T, peer: u64) -> bool {
        needs(T::PROTO, &value.encode_to_vec(), peer, DEPTH)
    }

    /// [`strip`] on the value's encoding, decoded back into the value when it left
    /// something out.
    fn strip_value<T: prost::Message + Default + Proto>(value: &mut T, peer: u64) {
        let bytes = value.encode_to_vec();
        let mut out = Vec::with_capacity(bytes.len());
        if strip(T::PROTO, &bytes, peer, DEPTH, &mut out)
            && let Ok(stripped) = T::decode(out.as_slice())
        {
            *value = stripped;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;
    use prost::Message as _;

    use super::*;
    use crate::guard::pack;
    use crate::proto::{ProtoKind, ProtoValue, Scalar};

    const OLD: &str = "0.1.0";
    const NEW: &str = "0.2.0";

    /// A peer at 0.1.0: it predates every part marked `NEW`.
    fn old() -> u64 {
        pack(0, 1, 0)
    }

    fn new() -> u64 {
        pack(0, 2, 0)
    }

    #[derive(Clone, PartialEq, prost::Message)]
    struct Entry {
        #[prost(string, tag = "1")]
        id: String,
        /// `NEW`, `@ignorable`.
        #[prost(string, tag = "2")]
        note: String,
        /// `NEW`.
        #[prost(uint32, optional, tag = "3")]
        retries: Option<u32>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    enum Status {
        Unspecified = 0,
        Ok = 1,
        /// `NEW`.
        Draining = 2,
    }

    #[derive(Clone, PartialEq, prost::Oneof)]
    enum Pick {
        #[prost(message, tag = "9")]
        One(Entry),
        /// `NEW`.
        #[prost(string, tag = "10")]
        Name(String),
    }

    /// A well-known type (by its table's name) whose one field is newer than the peer:
    /// never walked.
    #[derive(Clone, PartialEq, prost::Message)]
    struct Known {
        #[prost(uint32, tag = "1")]
        value: u32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    struct Batch {
        #[prost(message, repeated, tag = "1")]
        list: Vec<Entry>,
        #[prost(map = "string, message", tag = "2")]
        by_id: HashMap<String, Entry>,
        #[prost(message, optional, boxed, tag = "3")]
        boxed: Option<Box<Entry>>,
        #[prost(enumeration = "Status", repeated, tag = "4")]
        statuses: Vec<i32>,
        #[prost(map = "string, enumeration(Status)", tag = "5")]
        status_by_id: HashMap<String, i32>,
        #[prost(enumeration = "Status", tag = "6")]
        status: i32,
        /// `NEW`, `@ignorable`.
        #[prost(string, tag = "7")]
        hint: String,
        /// `NEW`.
        #[prost(uint64, tag = "8")]
        count: u64,
        #[prost(oneof = "Pick", tags = "9, 10")]
        pick: Option<Pick>,
        #[prost(message, optional, tag = "11")]
        known: Option<Known>,
    }

    const fn field(
        number: u32,
        name: &'static str,
        since: &'static str,
        ty: ProtoType,
        cardinality: Cardinality,
        ignorable: bool,
    ) -> ProtoField {
        ProtoField {
            number,
            name,
            since,
            ty,
            cardinality,
            ignorable,
            deprecated: false,
        }
    }

    const fn table(
        name: &'static str,
        since: &'static str,
        kind: ProtoKind,
        fields: &'static [ProtoField],
        values: &'static [ProtoValue],
    ) -> ProtoMessage {
        ProtoMessage {
            name,
            rust: name,
            since,
            kind,
            routes: &[],
            fields,
            values,
            reserved: &[],
            reserved_names: &[],
        }
    }

    use Cardinality::{Implicit, Map, Optional, Repeated};
    use ProtoType::{Enum, Message, Oneof};

    const STRING: ProtoType = ProtoType::Scalar(Scalar::String);

    fn entry() -> &'static ProtoMessage {
        const T: ProtoMessage = table(
            "Entry",
            OLD,
            ProtoKind::Message,
            &[
                field(1, "id", OLD, STRING, Implicit, false),
                field(2, "note", NEW, STRING, Implicit, true),
                field(
                    3,
                    "retries",
                    NEW,
                    ProtoType::Scalar(Scalar::Uint32),
                    Optional,
                    false,
                ),
            ],
            &[],
        );
        &T
    }

    fn status() -> &'static ProtoMessage {
        const T: ProtoMessage = table(
            "Status",
            OLD,
            ProtoKind::Enum,
            &[],
            &[
                ProtoValue {
                    name: "Unspecified",
                    number: 0,
                    since: OLD,
                },
                ProtoValue {
                    name: "Ok",
                    number: 1,
                    since: OLD,
                },
                ProtoValue {
                    name: "Draining",
                    number: 2,
                    since: NEW,
                },
            ],
        );
        &T
    }

    const PICK_FIELDS: &[ProtoField] = &[
        field(9, "One", OLD, Message(TypeRef(entry)), Optional, false),
        field(10, "Name", NEW, STRING, Optional, false),
    ];

    fn pick() -> &'static ProtoMessage {
        const T: ProtoMessage = table("Pick", "0.0.0", ProtoKind::Oneof, PICK_FIELDS, &[]);
        &T
    }

    /// [`pick`], as if the oneof itself arrived in `NEW`.
    fn new_pick() -> &'static ProtoMessage {
        const T: ProtoMessage = table("Pick", NEW, ProtoKind::Oneof, PICK_FIELDS, &[]);
        &T
    }

    fn known() -> &'static ProtoMessage {
        const T: ProtoMessage = table(
            "google.protobuf.Known",
            OLD,
            ProtoKind::Message,
            &[field(
                1,
                "value",
                NEW,
                ProtoType::Scalar(Scalar::Uint32),
                Implicit,
                false,
            )],
            &[],
        );
        &T
    }

    /// `Batch`'s fields, its oneof's table given.
    macro_rules! batch_fields {
        ($pick:expr) => {
            &[
                field(1, "list", OLD, Message(TypeRef(entry)), Repeated, false),
                field(
                    2,
                    "by_id",
                    OLD,
                    Message(TypeRef(entry)),
                    Map(Scalar::String),
                    false,
                ),
                field(3, "boxed", OLD, Message(TypeRef(entry)), Optional, false),
                field(4, "statuses", OLD, Enum(TypeRef(status)), Repeated, false),
                field(
                    5,
                    "status_by_id",
                    OLD,
                    Enum(TypeRef(status)),
                    Map(Scalar::String),
                    false,
                ),
                field(6, "status", OLD, Enum(TypeRef(status)), Implicit, false),
                field(7, "hint", NEW, STRING, Implicit, true),
                field(
                    8,
                    "count",
                    NEW,
                    ProtoType::Scalar(Scalar::Uint64),
                    Implicit,
                    false,
                ),
                field(0, "pick", OLD, Oneof(TypeRef($pick)), Optional, false),
                field(11, "known", OLD, Message(TypeRef(known)), Optional, false),
            ]
        };
    }

    fn batch() -> &'static ProtoMessage {
        const T: ProtoMessage = table("Batch", OLD, ProtoKind::Message, batch_fields!(pick), &[]);
        &T
    }

    fn entry_of(id: &str, note: &str) -> Entry {
        Entry {
            id: id.into(),
            note: note.into(),
            retries: None,
        }
    }

    fn find_in(value: &Batch, peer: u64) -> Found {
        find(batch(), &value.encode_to_vec(), peer, DEPTH)
    }

    fn part(value: &Batch) -> Option<(&'static str, Part, &'static str)> {
        find_in(value, old()).map(|u| (u.message, u.part, u.since))
    }

    /// What a peer at 0.1.0 gets: `value` stripped, decoded again.
    fn stripped(value: &Batch) -> Batch {
        let bytes = value.encode_to_vec();
        let mut out = Vec::new();
        if strip(batch(), &bytes, old(), DEPTH, &mut out) {
            Batch::decode(out.as_slice()).unwrap()
        } else {
            assert_eq!(out, bytes, "nothing left out: the same bytes");
            value.clone()
        }
    }

    #[test]
    fn a_default_message_holds_nothing_to_refuse_or_strip() {
        let value = Batch::default();
        assert_eq!(find_in(&value, old()), None);
        assert!(!needs(batch(), &value.encode_to_vec(), old(), DEPTH));
        assert_eq!(stripped(&value), value);
    }

    #[test]
    fn a_field_the_peer_predates_is_refused_only_when_it_holds_a_value() {
        let value = Batch {
            count: 3,
            ..Batch::default()
        };
        assert_eq!(part(&value), Some(("Batch", Part::Field("count"), NEW)));
        assert_eq!(find_in(&value, new()), None);
        // Ignorable: never refused.
        let value = Batch {
            hint: "h".into(),
            ..Batch::default()
        };
        assert_eq!(part(&value), None);
    }

    #[test]
    fn a_message_the_peer_predates_is_refused_whole() {
        let value = Batch {
            boxed: Some(Box::default()),
            ..Batch::default()
        };
        assert_eq!(
            find_in(&value, pack(0, 0, 9)).map(|u| (u.message, u.part)),
            Some(("Batch", Part::Message))
        );
    }

    #[test]
    fn the_messages_held_are_walked_in_every_container() {
        let newer = Entry {
            retries: Some(1),
            ..entry_of("e", "")
        };
        let field = Some(("Entry", Part::Field("retries"), NEW));
        for value in [
            Batch {
                list: vec![entry_of("a", ""), newer.clone()],
                ..Batch::default()
            },
            Batch {
                by_id: [("k".to_owned(), newer.clone())].into(),
                ..Batch::default()
            },
            Batch {
                boxed: Some(Box::new(newer.clone())),
                ..Batch::default()
            },
            Batch {
                pick: Some(Pick::One(newer.clone())),
                ..Batch::default()
            },
        ] {
            assert_eq!(part(&value), field);
            assert_eq!(find_in(&value, new()), None);
            // Not deeper than the walk goes.
            assert_eq!(find(batch(), &value.encode_to_vec(), old(), 0), None);
        }
        // The message's own fields come before what its fields hold.
        let value = Batch {
            list: vec![newer],
            count: 1,
            ..Batch::default()
        };
        assert_eq!(part(&value), Some(("Batch", Part::Field("count"), NEW)));
    }

    #[test]
    fn an_enum_value_the_peer_predates_is_refused_wherever_it_is_held() {
        let draining = Status::Draining as i32;
        let variant = Some(("Status", Part::Variant("Draining"), NEW));
        for value in [
            Batch {
                statuses: vec![Status::Ok as i32, draining],
                ..Batch::default()
            },
            Batch {
                status_by_id: [("k".to_owned(), draining)].into(),
                ..Batch::default()
            },
            Batch {
                status: draining,
                ..Batch::default()
            },
        ] {
            assert_eq!(part(&value), variant);
            assert_eq!(find_in(&value, new()), None);
        }
        // Numbers the enum does not list pass as they came, a negative one included.
        for number in [42, -1] {
            let value = Batch {
                statuses: vec![number],
                status: number,
                status_by_id: [("k".to_owned(), number)].into(),
                ..Batch::default()
            };
            assert_eq!(part(&value), None);
        }
        // A map's value left out of its entry (the default) is value 0, which every peer
        // knows.
        let value = Batch {
            status_by_id: [("k".to_owned(), 0)].into(),
            ..Batch::default()
        };
        assert_eq!(part(&value), None);
    }

    #[test]
    fn a_oneof_member_the_peer_predates_is_refused_as_a_variant_of_the_oneof() {
        let value = Batch {
            pick: Some(Pick::Name(String::new())),
            ..Batch::default()
        };
        assert_eq!(part(&value), Some(("Pick", Part::Variant("Name"), NEW)));
        // A oneof the peer predates is refused whole.
        const T: ProtoMessage = table(
            "Batch",
            OLD,
            ProtoKind::Message,
            batch_fields!(new_pick),
            &[],
        );
        let found = find(&T, &value.encode_to_vec(), old(), DEPTH).unwrap();
        assert_eq!((found.message, found.part), ("Pick", Part::Message));
    }

    #[test]
    fn a_well_known_type_is_not_walked() {
        let value = Batch {
            known: Some(Known { value: 5 }),
            ..Batch::default()
        };
        assert_eq!(part(&value), None);
    }

    #[test]
    fn the_ignorable_fields_the_peer_predates_are_stripped_at_every_depth() {
        let full = Batch {
            list: vec![entry_of("a", ""), entry_of("b", "n1")],
            by_id: [("k".to_owned(), entry_of("c", "n2"))].into(),
            boxed: Some(Box::new(entry_of("d", "n3"))),
            hint: "h".into(),
            pick: Some(Pick::One(entry_of("e", "n4"))),
            status: Status::Ok as i32,
            ..Batch::default()
        };
        assert!(needs(batch(), &full.encode_to_vec(), old(), DEPTH));
        assert!(!needs(batch(), &full.encode_to_vec(), new(), DEPTH));
        let expected = Batch {
            list: vec![entry_of("a", ""), entry_of("b", "")],
            by_id: [("k".to_owned(), entry_of("c", ""))].into(),
            boxed: Some(Box::new(entry_of("d", ""))),
            hint: String::new(),
            pick: Some(Pick::One(entry_of("e", ""))),
            ..full.clone()
        };
        assert_eq!(stripped(&full), expected);
        assert!(!needs(batch(), &expected.encode_to_vec(), old(), DEPTH));
        // Each container alone, the others empty.
        for (value, expected) in [
            (
                Batch {
                    by_id: [("k".to_owned(), entry_of("c", "n2"))].into(),
                    ..Batch::default()
                },
                Batch {
                    by_id: [("k".to_owned(), entry_of("c", ""))].into(),
                    ..Batch::default()
                },
            ),
            (
                Batch {
                    pick: Some(Pick::One(entry_of("", "n4"))),
                    ..Batch::default()
                },
                Batch {
                    pick: Some(Pick::One(entry_of("", ""))),
                    ..Batch::default()
                },
            ),
        ] {
            assert!(needs(batch(), &value.encode_to_vec(), old(), DEPTH));
            assert_eq!(stripped(&value), expected);
        }
    }

    fn entries() -> impl Strategy<Value = Entry> {
        ("[a-c]{0,2}", "[a-c]{0,2}").prop_map(|(id, note)| entry_of(&id, &note))
    }

    fn batches() -> impl Strategy<Value = Batch> {
        (
            proptest::collection::vec(entries(), 0..3),
            proptest::collection::hash_map("[a-c]{0,2}", entries(), 0..3),
            proptest::option::of(entries()),
            "[a-c]{0,2}",
            proptest::option::of(entries()),
            proptest::collection::vec(0..2i32, 0..3),
        )
            .prop_map(|(list, by_id, boxed, hint, one, statuses)| Batch {
                list,
                by_id,
                boxed: boxed.map(Box::new),
                hint,
                pick: one.map(Pick::One),
                statuses,
                ..Batch::default()
            })
    }

    /// `value` with every note and the hint cleared, by hand.
    fn cleared(value: &Batch) -> Batch {
        let mut value = value.clone();
        value.hint.clear();
        let entries = value
            .list
            .iter_mut()
            .chain(value.by_id.values_mut())
            .chain(value.boxed.as_deref_mut())
            .chain(match &mut value.pick {
                Some(Pick::One(entry)) => Some(entry),
                _ => None,
            });
        for entry in entries {
            entry.note.clear();
        }
        value
    }

    proptest! {
        /// Whatever a message holds of what the peer may skip, stripping leaves exactly the
        /// value with those fields cleared, and `needs` says whether there were any; the
        /// guard refuses none of it.
        #[test]
        fn strip_clears_exactly_the_ignorable_fields(value in batches()) {
            let expected = cleared(&value);
            prop_assert_eq!(needs(batch(), &value.encode_to_vec(), old(), DEPTH), expected != value);
            prop_assert_eq!(stripped(&value), expected);
            prop_assert_eq!(find_in(&value, old()), None);
        }

        /// Bytes that are no encoding at all: the walks end, without a panic.
        #[test]
        fn malformed_bytes_are_walked_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = find(batch(), &bytes, old(), DEPTH);
            let _ = needs(batch(), &bytes, old(), DEPTH);
            let _ = strip(batch(), &bytes, old(), DEPTH, &mut Vec::new());
        }
    }
}
