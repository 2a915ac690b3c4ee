//! The wire lock's rules under a positional codec (`serde-positional`, `bincode`,
//! `borsh`), one function each: field order and variant index are the wire, and names never
//! travel. A recorded release inside the window breaks when a field is added or removed, a
//! field's type changes at its position (`T` to `Option<T>` included), fields are
//! reordered, or a variant is inserted mid-enum, moved or removed (the indexes after it
//! shift); renames are free, and a variant appended at the end with a `since` newer than
//! the release passes (the send guard keeps it from peers that predate it). Serde's
//! representation and case conventions write nothing here and are not compared.
//!
//! A child of `compare`, whose `Pair` and `Problems` it shares.

use super::{Pair, Problems};
use crate::codec::Codec;
use crate::lock::carried::wire_text;
use crate::lock::file::{LockedField, LockedMessage, LockedVariant};
use crate::version::parse_version;

/// Whether either release records the message under a positional codec.
pub(super) fn applies(was: &LockedMessage, now: &LockedMessage) -> bool {
    was.codec.is_some() || now.codec.is_some()
}

/// Compares one recorded message with this release's on one route, by position.
pub(super) fn compare(
    was: &LockedMessage,
    now: &LockedMessage,
    pair: &Pair<'_>,
    problems: &mut Problems,
) {
    if !codec_unchanged(was, now, pair, problems) {
        return;
    }
    let codec = now.codec.as_deref().unwrap_or("self-describing");
    let owner = Owner {
        pair,
        codec,
        name: format!("`{}`", now.name),
        message: &now.name,
        variant: false,
    };
    fields_keep_their_positions(&was.fields, &now.fields, &owner, problems);
    variants_keep_their_indexes(was, now, &owner, problems);
}

/// A struct, or one variant, whose fields are compared, and how problems name it.
struct Owner<'a> {
    pair: &'a Pair<'a>,
    /// `bincode`.
    codec: &'a str,
    /// `` `Stat` `` or `` variant `Response::Stat` ``.
    name: String,
    /// The message's name.
    message: &'a str,
    /// Whether the fields are a variant's: the fix is then a new variant of the same enum.
    variant: bool,
}

impl Owner<'_> {
    /// `bincode 2's native Encode/Decode`: where a message names the codec.
    fn codec_words(&self) -> String {
        Codec::parse(self.codec).map_or_else(|| self.codec.to_string(), Codec::described)
    }

    /// The fix for data that needs a new shape: a new variant appended at the end, or a new
    /// message.
    fn elsewhere(&self) -> String {
        if self.variant {
            format!(
                "carry the new data in a new variant appended at the end of `{}` with its #[since] (the send guard keeps it from peers that predate it), or in a new message",
                self.message
            )
        } else {
            format!(
                "carry the new data in a new message (or a new struct sent in a new variant appended at the end of the enum that carries {}), with its #[since]",
                self.name
            )
        }
    }
}

/// The codec is part of the wire: a peer inside the window decodes the bytes as the codec
/// its release was built with. Returns whether it held (the other rules need it to).
fn codec_unchanged(
    was: &LockedMessage,
    now: &LockedMessage,
    pair: &Pair<'_>,
    problems: &mut Problems,
) -> bool {
    let (recorded, current) = (
        was.codec.as_deref().unwrap_or("self-describing"),
        now.codec.as_deref().unwrap_or("self-describing"),
    );
    if recorded == current {
        return true;
    }
    problems.push(format!(
        "`{}` travelled as {recorded} in {}, but now travels as {current}, and {} ({}) still decodes it as {recorded}; keep the codec (`[wire] codec` in compat.toml, or the type's #[compat(codec = \"{recorded}\")]) until {} leaves the window, or send the new form in a new message",
        now.name,
        pair.old,
        pair.old_peer(),
        pair.route(),
        pair.old
    ));
    false
}

/// The fields of a struct (or of one variant) keep their number, order and types: a peer
/// reads the field at each position as the type it recorded there, and has no room for a
/// field it lacks. A rename at the same position with the same type is free.
fn fields_keep_their_positions(
    was: &[LockedField],
    now: &[LockedField],
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    if fields_not_reordered(was, now, owner, problems) {
        return;
    }
    fields_neither_added_nor_removed(was, now, owner, problems);
    for (position, (f, n)) in was.iter().zip(now).enumerate() {
        types_unchanged_at(position, f, n, owner, problems);
    }
}

/// Fields present in both releases (by Rust name) sit at the same positions. Returns
/// whether they were reordered (then nothing else about them is worth comparing).
fn fields_not_reordered(
    was: &[LockedField],
    now: &[LockedField],
    owner: &Owner<'_>,
    problems: &mut Problems,
) -> bool {
    let kept: Vec<&str> = was
        .iter()
        .filter(|f| now.iter().any(|n| n.name == f.name))
        .map(|f| f.name.as_str())
        .collect();
    let order_now: Vec<&str> = now
        .iter()
        .filter(|n| kept.contains(&n.name.as_str()))
        .map(|n| n.name.as_str())
        .collect();
    if kept == order_now {
        return false;
    }
    let pair = owner.pair;
    let moved: Vec<String> = now
        .iter()
        .enumerate()
        .filter_map(|(position, n)| {
            let before = was.iter().position(|f| f.name == n.name)?;
            (before != position).then(|| format!("`{}` from {before} to {position}", n.name))
        })
        .collect();
    problems.push(format!(
        "the fields of {} were reordered since {} ({}), but under {} a field travels at its position, so {} ({}) reads each moved field's bytes as the field recorded there; restore the recorded order ({})",
        owner.name,
        pair.old,
        moved.join(", "),
        owner.codec_words(),
        pair.old_peer(),
        pair.route(),
        kept.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
    ));
    true
}

/// No field is added or removed: a peer without the field reads the bytes after it into the
/// wrong fields, and one with it reads past the end of the message. No default helps.
fn fields_neither_added_nor_removed(
    was: &[LockedField],
    now: &[LockedField],
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    if was.len() == now.len() {
        return;
    }
    let pair = owner.pair;
    let (old, peer, route, codec) = (pair.old, pair.old_peer(), pair.route(), owner.codec_words());
    let named = |fields: &[LockedField], others: &[LockedField]| -> Vec<String> {
        fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !others.iter().any(|o| o.name == f.name))
            .map(|(position, f)| format!("`{}` (position {position}, `{}`)", f.name, f.ty))
            .collect()
    };
    if now.len() > was.len() {
        let added = named(now, was);
        problems.push(format!(
            "{} gained {} since {old} ({} fields then, {} now): under {codec} names never travel and a struct has no room for a field a peer lacks, so {peer} ({route}) reads the bytes after it into the wrong fields, whatever its default (`Option<_>` and `#[serde(default)]` change the bytes, they do not make a field optional); remove it and {}",
            owner.name,
            if added.is_empty() { "fields".to_string() } else { format!("field {}", added.join(", ")) },
            was.len(),
            now.len(),
            owner.elsewhere()
        ));
    } else {
        let removed = named(was, now);
        problems.push(format!(
            "{} lost {} since {old} ({} fields then, {} now): under {codec} a peer reads every recorded field in order, so {peer} ({route}) reads past the end or into the wrong fields; keep the field (its value may go unused) until {old} leaves the window",
            owner.name,
            if removed.is_empty() { "fields".to_string() } else { format!("field {}", removed.join(", ")) },
            was.len(),
            now.len(),
        ));
    }
}

/// The field at each position keeps its encoded type (`T` and `Option<T>` differ: the
/// option writes a tag before the value) and its recorded history.
fn types_unchanged_at(
    position: usize,
    f: &LockedField,
    n: &LockedField,
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    let pair = owner.pair;
    let (was_ty, now_ty) = (wire_text(&f.ty), wire_text(&n.ty));
    if was_ty != now_ty {
        let option = if now_ty == format!("Option<{was_ty}>")
            || was_ty == format!("Option<{now_ty}>")
        {
            " (an `Option` writes a tag byte before its value, so `T` and `Option<T>` are different bytes)"
        } else {
            ""
        };
        problems.push(format!(
            "field `{}` (position {position}) of {} changed type from `{}` to `{}` since {}, but under {} a field travels as its type's bytes at its position{option}, so {} ({}) misreads it and everything after it; restore `{}` and {}",
            n.name,
            owner.name,
            f.ty,
            n.ty,
            pair.old,
            owner.codec_words(),
            pair.old_peer(),
            pair.route(),
            f.ty,
            owner.elsewhere()
        ));
    } else if n.since != f.since && n.name == f.name {
        problems.push(format!(
            "field `{}` of {} now says #[since(\"{}\")] but release {} recorded it as arriving in {}; released history does not change: restore #[since(\"{}\")]",
            n.name, owner.name, n.since, pair.old, f.since, f.since
        ));
    }
}

/// Every recorded variant keeps its index: a variant inserted mid-enum or removed shifts
/// the ones after it (under serde-positional, bincode's derive, and borsh's without
/// `use_discriminant`), and a peer inside the window decodes them as others. A new
/// variant takes an index the recorded release never used, with a `since` after it; the
/// fields of a variant both releases have are compared by position.
fn variants_keep_their_indexes(
    was: &LockedMessage,
    now: &LockedMessage,
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    let (was_at, now_at) = (indexed(was), indexed(now));
    let known = |name: &str| was_at.iter().any(|(_, v)| v.name == name);
    let mut moved: Vec<(&str, u32, u32)> = Vec::new();
    for &(at, v) in &was_at {
        let same_name = now_at.iter().find(|(_, n)| n.name == v.name);
        let same_index = now_at.iter().find(|(i, _)| *i == at);
        let kept = match (same_name, same_index) {
            (Some(&(to, _)), _) if to != at => {
                moved.push((&v.name, at, to));
                continue;
            }
            (Some(&(_, n)), _) => n,
            // Another name at its index: a rename, unless that variant moved there.
            (None, Some(&(_, n))) if !known(&n.name) => n,
            (None, _) => {
                variant_removed(now, v, at, owner, problems);
                continue;
            }
        };
        let fields = Owner {
            name: format!("variant `{}::{}`", now.name, kept.name),
            variant: true,
            ..*owner
        };
        fields_keep_their_positions(&v.fields, &kept.fields, &fields, problems);
    }
    if !moved.is_empty() {
        let inserted: Vec<&str> = now_at
            .iter()
            .filter(|(i, n)| !known(&n.name) && was_at.iter().any(|(w, _)| w == i))
            .map(|(_, n)| n.name.as_str())
            .collect();
        variants_moved(now, &moved, &inserted, owner, problems);
    }
    for &(at, n) in &now_at {
        if !known(&n.name) && !was_at.iter().any(|(i, _)| *i == at) {
            new_variants_arrive_after_the_release(now, n, at, owner, problems);
        }
    }
}

/// The variants of `m` with the index each travels as.
fn indexed(m: &LockedMessage) -> Vec<(u32, &LockedVariant)> {
    m.variants
        .iter()
        .enumerate()
        .map(|(position, v)| {
            let place = u32::try_from(position).unwrap_or(u32::MAX);
            (v.index.unwrap_or(place), v)
        })
        .collect()
}

/// Recorded variants now travel as other indexes (`(name, from, to)`): `inserted` (new
/// variants at recorded indexes) went in before them, or the variants were reordered.
fn variants_moved(
    now: &LockedMessage,
    moved: &[(&str, u32, u32)],
    inserted: &[&str],
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    let pair = owner.pair;
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let moves: Vec<String> = moved
        .iter()
        .map(|(name, from, to)| format!("`{name}` from index {from} to {to}"))
        .collect();
    let (cause, fix) = if inserted.is_empty() {
        (String::new(), "restore the recorded order".to_string())
    } else {
        (
            format!(" ({} inserted before them)", list(inserted)),
            format!("move {} to the end of `{}`", list(inserted), now.name),
        )
    };
    problems.push(format!(
        "the variants of `{}` moved since {}: {}{cause}; under {} a variant travels as its index, so {} ({}) decodes each moved variant as another; {fix}",
        now.name,
        pair.old,
        moves.join(", "),
        owner.codec_words(),
        pair.old_peer(),
        pair.route(),
    ));
}

/// A recorded variant is gone, and its index with it.
fn variant_removed(
    now: &LockedMessage,
    v: &LockedVariant,
    at: u32,
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    let pair = owner.pair;
    problems.push(format!(
        "variant `{}::{}` (index {at}) was removed since {}, but {} ({}) still knows it by its index, and under {} no other variant may take an index a peer reads as another; keep it (unused) until {} leaves the window",
        now.name,
        v.name,
        pair.old,
        pair.old_peer(),
        pair.route(),
        owner.codec_words(),
        pair.old
    ));
}

/// A variant at an index the recorded release never used is new: it must say it arrived
/// after that release, so that the send guard keeps it from its peers (an unknown index is
/// a fatal decode error: no catch-all exists). A frozen enum gains none.
fn new_variants_arrive_after_the_release(
    now: &LockedMessage,
    n: &LockedVariant,
    at: u32,
    owner: &Owner<'_>,
    problems: &mut Problems,
) {
    let pair = owner.pair;
    if now.frozen {
        problems.push(format!(
            "variant `{}::{}` was added since {}, but `{}` is frozen (#[compat(frozen)]: it never gains a variant, and peers rely on that); send it in a new enum instead",
            now.name, n.name, pair.old, now.name
        ));
        return;
    }
    let after = parse_version(&n.since).is_ok_and(|since| since > *pair.old_since);
    if !after {
        problems.push(format!(
            "variant `{}::{}` (index {at}) is new since {}, but says #[since(\"{}\")], so the send guard would send it to {} ({}), which fails on an index it does not know (no catch-all exists under {}); give it the #[since] of the release that first ships it",
            now.name,
            n.name,
            pair.old,
            n.since,
            pair.old_peer(),
            pair.route(),
            owner.codec_words()
        ));
    }
}
