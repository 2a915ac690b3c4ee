//! The rules a recorded release of prost messages is checked by, one function each, named
//! as buf names its WIRE rules where they are buf's (`FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED`
//! is [`field_deleted_only_with_number_reserved`]). Unlike buf, the baseline is every
//! recorded release a peer inside the window still runs, not one snapshot, and direction
//! counts: a value added to an enum breaks an old *receiver* only.

use super::proto::{LockedProto, LockedProtoField};
use crate::check::Peer;
use crate::policy::Policy;
use crate::proto::Scalar;
use crate::version::Version;

/// A recorded release and the release being built, under one policy.
pub(super) struct Meeting<'a> {
    pub(super) policy: &'a Policy,
    pub(super) old: &'a Version,
    pub(super) current: &'a Version,
}

impl Meeting<'_> {
    fn talk(&self, a: &str, va: &Version, b: &str, vb: &Version) -> bool {
        let peer = |name: &str, version: &Version| {
            self.policy.component(name).map(|component| Peer {
                component,
                version: version.clone(),
            })
        };
        match (peer(a, va), peer(b, vb)) {
            (Some(pa), Some(pb)) => self.policy.check(&pa, &pb).is_ok(),
            _ => false,
        }
    }

    /// The routes of `message` on which a peer at the old release meets one at this one:
    /// `(from, to, an old receiver meets a current sender)`.
    fn routes<'m>(&self, message: &'m LockedProto) -> Vec<(&'m str, &'m str, bool)> {
        message
            .routes
            .iter()
            .filter_map(|route| {
                let (from, to) = route.split_once('>')?;
                let (from, to) = (from.trim(), to.trim());
                let old_receiver = self.talk(from, self.current, to, self.old);
                let old_sender = self.talk(from, self.old, to, self.current);
                (old_receiver || old_sender).then_some((from, to, old_receiver))
            })
            .collect()
    }

    /// What `@since` is compared with for `release`: under `[protocol]`, the protocol
    /// version it carries (`@since` then speaks protocol versions), else the release.
    fn since_of(&self, release: &Version) -> Version {
        self.policy
            .protocol()
            .map_or_else(|| release.clone(), |p| p.spoken_by(release))
    }

    /// `2.4.0`, or under `[protocol]` `2.4.0 (agent-protocol 0.0.5)`: a release, with the
    /// protocol it carries when `@since` speaks that.
    fn release_words(&self, release: &Version) -> String {
        match self.policy.protocol() {
            Some(p) => format!("{release} ({} {})", p.name.value, p.spoken_by(release)),
            None => release.to_string(),
        }
    }

    /// Who of the old release is still inside the window for `message`, in words.
    fn who(&self, message: &LockedProto) -> String {
        let routes = self.routes(message);
        let (from, to, old_receiver) = routes
            .first()
            .copied()
            .unwrap_or(("a peer", "a peer", true));
        let (who, role) = if old_receiver {
            (to, "receives it from")
        } else {
            (from, "sends it to")
        };
        format!(
            "{who} {} (which {role} {} {} inside the window)",
            self.old,
            if old_receiver { from } else { to },
            self.current
        )
    }
}

/// Compares `was` (the recorded release) with `now`; returns whether any peer of the
/// recorded release is still inside the window (else nothing is checked).
pub(super) fn compare(
    meeting: &Meeting<'_>,
    was: &[LockedProto],
    now: &[LockedProto],
    problems: &mut Vec<String>,
) -> bool {
    let inside: Vec<&LockedProto> = was
        .iter()
        .filter(|m| !meeting.routes(m).is_empty())
        .collect();
    for old in &inside {
        let Some(new) = now.iter().find(|m| m.name == old.name) else {
            // buf's WIRE has no rule for a deleted message: the fields that held it say it.
            continue;
        };
        reserved_kept(meeting, old, new, problems);
        for field in &old.fields {
            match new.fields.iter().find(|f| f.number == field.number) {
                None => field_deleted_only_with_number_reserved(meeting, old, new, field, problems),
                Some(now_field) => {
                    field_type_wire_compatible(meeting, old, field, now_field, problems);
                    field_cardinality_wire_compatible(meeting, old, field, now_field, problems);
                    field_same_oneof(meeting, old, field, now_field, problems);
                    since_unchanged(
                        meeting,
                        old,
                        &field.name,
                        &field.since,
                        &now_field.since,
                        problems,
                    );
                }
            }
        }
        no_new_required_fields(meeting, old, new, problems);
        enum_values_deleted_only_with_number_reserved(meeting, old, new, problems);
        new_enum_values_arrive_after_old_receivers(meeting, old, new, problems);
    }
    !inside.is_empty()
}

fn field_text(message: &LockedProto, field: &LockedProtoField) -> String {
    format!(
        "field {} `{}` of `{}`",
        field.number, field.name, message.name
    )
}

/// `FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED`: a deleted field's number stays reserved, so
/// that no later field takes it with another meaning while old peers still send it.
fn field_deleted_only_with_number_reserved(
    m: &Meeting<'_>,
    old: &LockedProto,
    new: &LockedProto,
    field: &LockedProtoField,
    problems: &mut Vec<String>,
) {
    if new.reserves(i64::from(field.number)) {
        return;
    }
    problems.push(format!(
        "{} was deleted but its number is not reserved, and {} still uses it (FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED); add `reserved {}; reserved \"{}\";` to message `{}`",
        field_text(old, field), m.who(old), field.number, field.name, short(&old.name)
    ));
}

/// `FIELD_WIRE_COMPATIBLE_TYPE`: a field's type changes only to one whose bytes a receiver
/// of either release decodes (`Scalar::wire_compatible`); a message or enum stays the same
/// type. A number reused by a field of another type fails here against every release that
/// still had the old field.
fn field_type_wire_compatible(
    m: &Meeting<'_>,
    old: &LockedProto,
    was: &LockedProtoField,
    now: &LockedProtoField,
    problems: &mut Vec<String>,
) {
    let compatible = match (Scalar::from_proto(&was.ty), Scalar::from_proto(&now.ty)) {
        (Some(a), Some(b)) => a.wire_compatible(b),
        _ => was.ty == now.ty && was.of == now.of,
    };
    if !compatible && was.of.is_some() && was.of == now.of {
        // As buf: a message or enum type is its full name. One with the same fields under
        // another name is another type (a well-known `Timestamp` is not a `Duration`), and
        // the lock cannot know the two are meant to be one.
        problems.push(format!(
            "{} changed type from {} `{}` to {} `{}` (FIELD_WIRE_COMPATIBLE_TYPE: protobuf types are identified by their full names, so another name is another type even with the same fields); {} knows it as `{}`: keep `{}` (rename the Rust type, not the protobuf one), or give the new field a new number and `reserved {};`",
            field_text(old, was), was.of.as_deref().unwrap_or_default(), was.ty,
            now.of.as_deref().unwrap_or_default(), now.ty, m.who(old), was.ty, was.ty, was.number
        ));
    } else if !compatible {
        problems.push(format!(
            "{} changed type from `{}` to `{}`, which {} decodes differently (FIELD_WIRE_COMPATIBLE_TYPE); keep `{}`, or give the new field a new number and `reserved {};`",
            field_text(old, was), was.ty, now.ty, m.who(old), was.ty, was.number
        ));
    }
}

/// buf's cardinality classes: singular (with or without presence), repeated (and map),
/// required.
fn cardinality_class(cardinality: &str) -> &str {
    match cardinality {
        "optional_implicit" | "optional_explicit" => "singular",
        "repeated" | "map" => "repeated",
        other => other,
    }
}

/// `FIELD_WIRE_COMPATIBLE_CARDINALITY`: singular stays singular (adding or dropping
/// `optional` is wire-compatible), repeated stays repeated; a map's key type is kept.
fn field_cardinality_wire_compatible(
    m: &Meeting<'_>,
    old: &LockedProto,
    was: &LockedProtoField,
    now: &LockedProtoField,
    problems: &mut Vec<String>,
) {
    let same_class = cardinality_class(&was.cardinality) == cardinality_class(&now.cardinality)
        && (was.cardinality == now.cardinality
            || (was.cardinality != "map" && now.cardinality != "map"));
    if !same_class || was.key != now.key {
        problems.push(format!(
            "{} changed cardinality from {} to {}, which {} reads differently (FIELD_WIRE_COMPATIBLE_CARDINALITY); keep it {}, or add a new field with a new number",
            field_text(old, was), was.cardinality, now.cardinality, m.who(old), was.cardinality
        ));
    }
}

/// `FIELD_SAME_ONEOF`: a field does not move into, out of or between oneofs.
fn field_same_oneof(
    m: &Meeting<'_>,
    old: &LockedProto,
    was: &LockedProtoField,
    now: &LockedProtoField,
    problems: &mut Vec<String>,
) {
    if was.oneof != now.oneof {
        let side = |o: &Option<String>| {
            o.as_ref()
                .map_or_else(|| "no oneof".to_owned(), |o| format!("oneof `{o}`"))
        };
        problems.push(format!(
            "{} moved from {} to {}, and {} would lose the other members' values (FIELD_SAME_ONEOF); keep its oneof, or add a new field with a new number",
            field_text(old, was), side(&was.oneof), side(&now.oneof), m.who(old)
        ));
    }
}

/// compat's own: a part's `@since` names the release that shipped it and never changes;
/// the send guard and the window read it.
fn since_unchanged(
    m: &Meeting<'_>,
    old: &LockedProto,
    name: &str,
    was: &str,
    now: &str,
    problems: &mut Vec<String>,
) {
    if was != now {
        problems.push(format!(
            "`{name}` of `{}` was recorded with `@since {was}` in release {}, but now says `@since {now}`; the release that shipped it does not change: restore `@since {was}`",
            old.name, m.old
        ));
    }
}

/// `MESSAGE_SAME_REQUIRED_FIELDS` (proto2): a required field added later fails every
/// message an old sender writes.
fn no_new_required_fields(
    m: &Meeting<'_>,
    old: &LockedProto,
    new: &LockedProto,
    problems: &mut Vec<String>,
) {
    for field in &new.fields {
        if field.cardinality == "required" && !old.fields.iter().any(|f| f.number == field.number) {
            problems.push(format!(
                "{} is required but {} never sends it (MESSAGE_SAME_REQUIRED_FIELDS); declare it `optional`",
                field_text(new, field), m.who(old)
            ));
        }
    }
}

/// `RESERVED_MESSAGE_NO_DELETE`, `RESERVED_ENUM_NO_DELETE`: a reserved number or name stays
/// reserved (or is still in use by the release it was reserved for).
fn reserved_kept(
    m: &Meeting<'_>,
    old: &LockedProto,
    new: &LockedProto,
    problems: &mut Vec<String>,
) {
    let rule = if old.kind == "enum" {
        "RESERVED_ENUM_NO_DELETE"
    } else {
        "RESERVED_MESSAGE_NO_DELETE"
    };
    for range in &old.reserved {
        if !new.reserved.contains(range) {
            problems.push(format!(
                "`{}` no longer reserves {range}, reserved in release {} for a deleted field or value that older peers may still send ({rule}); restore `reserved {range};`",
                old.name, m.old
            ));
        }
    }
    for name in &old.reserved_names {
        if !new.reserved_names.contains(name) {
            problems.push(format!("`{}` no longer reserves the name \"{name}\" ({rule}); restore `reserved \"{name}\";`", old.name));
        }
    }
}

/// `ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED`.
fn enum_values_deleted_only_with_number_reserved(
    m: &Meeting<'_>,
    old: &LockedProto,
    new: &LockedProto,
    problems: &mut Vec<String>,
) {
    for value in &old.values {
        if new.values.iter().any(|v| v.number == value.number)
            || new.reserves(i64::from(value.number))
        {
            continue;
        }
        problems.push(format!(
            "value {} `{}` of enum `{}` was deleted but its number is not reserved, and {} still uses it (ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED); add `reserved {};` to enum `{}`",
            value.number, value.name, old.name, m.who(old), value.number, short(&old.name)
        ));
    }
}

/// compat's own, by direction (buf asks for it: a value added to an enum that old
/// receivers read): where this release sends the enum to a receiver at the old release, a
/// value that receiver does not know must carry a `@since` after it, so that the send
/// guard refuses it to that receiver; for senders a new value is no break.
fn new_enum_values_arrive_after_old_receivers(
    m: &Meeting<'_>,
    old: &LockedProto,
    new: &LockedProto,
    problems: &mut Vec<String>,
) {
    let receivers: Vec<(&str, &str, bool)> = m.routes(old).into_iter().filter(|r| r.2).collect();
    let Some(&(from, to, _)) = receivers.first() else {
        return;
    };
    for value in &new.values {
        if old.values.iter().any(|v| v.number == value.number) {
            continue;
        }
        let guarded = crate::version::parse_version(&value.since)
            .is_ok_and(|since| since > m.since_of(m.old));
        if !guarded {
            problems.push(format!(
                "value {} `{}` of enum `{}` is not in release {}, but says `@since {}`, so {from} {} sends it to {to} {}, inside the window, which cannot tell it from an unknown number and whose send guard lets it through; write `@since {}` on it so the guard refuses it to {to} before {}",
                value.number,
                value.name,
                new.name,
                m.release_words(m.old),
                value.since,
                m.current,
                m.old,
                m.since_of(m.current),
                m.release_words(m.current)
            ));
        }
    }
}

/// `spire.api.node.v1.AttestRequest` → `AttestRequest`.
fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
