//! A message carried inside another travels every route of its container: `Attachment` in a
//! field of `Post` goes wherever `Post` goes. `#[derive(Compat)]` checks a message's fields
//! and variants on the routes it declares, so a carried message must declare each route of
//! each container, or nothing checks it there.
//!
//! The derive of one type cannot read another's attributes, so the container's derive writes
//! a constant that asks, for each type a field may carry (directly, in an `Option`, a `Vec`,
//! a `Box`, a map, a tuple, flattened, or in a variant), [`uncovered`] with that type's table
//! ([`Probe`]) and the container's own routes ([`Leg`]s). An answer that is not empty is
//! the error, which the constant panics with, at the field's type: the compiler reports it
//! in the container's crate, naming the container, the route, what the policy requires on
//! it, what already breaks there, and the routes to declare.
//!
//! Nothing here runs after compiling; it is written for the compiler's const evaluator
//! (`const fn`, no allocation, no formatting).

use core::marker::PhantomData;

use super::{Compat, Field, Flatten, Kind, Message, Route};
use crate::packed::pack_release;

/// `Probe::<T>::HELD` is `Some(T::MESSAGE)` when `T` has a table, and `None` (from
/// [`NotAMessage`]) for any other type: an inherent constant whose bound holds is found
/// before the trait's. Only concrete types are probed (a type parameter reads `None`).
pub struct Probe<T: ?Sized>(PhantomData<T>);

/// The answer of [`Probe`] for a type without a table.
pub trait NotAMessage {
    /// Not a message.
    const HELD: Option<&'static Message> = None;
}

impl<T: ?Sized> NotAMessage for Probe<T> {}

impl<T: ?Sized + Compat> Probe<T> {
    /// The table of the message `T`.
    pub const HELD: Option<&'static Message> = Some(T::MESSAGE);
}

/// One route of a container, with what the container's policy requires on it (the words
/// are written by the derive, from the windows the build script handed over; empty
/// without a policy).
pub struct Leg {
    /// The sending component.
    pub from: &'static str,
    /// The receiving component.
    pub to: &'static str,
    /// What the policy requires: `server 0.9.3 must still accept agent 0.8.0
    /// (compat.toml:14:1, ...)`; empty without a policy.
    pub window: &'static str,
    /// The oldest sender a receiver must still accept, packed (0: any older one);
    /// `u64::MAX` without a policy (nothing is known to be required).
    pub oldest: u64,
    /// `server 0.9.3`: the receiver, at the release being built.
    pub reader: &'static str,
    /// `agent 0.8.0`, or `any older agent`.
    pub oldest_sender: &'static str,
    /// Whether a sender may be newer than its receiver.
    pub newer: bool,
}

/// The error text, built in a fixed buffer (the const evaluator cannot allocate).
pub struct Text {
    bytes: [u8; Text::CAPACITY],
    len: usize,
}

impl Text {
    const CAPACITY: usize = 2048;

    const fn new() -> Text {
        Text {
            bytes: [0; Text::CAPACITY],
            len: 0,
        }
    }

    /// Appends `text` whole, or nothing when it does not fit (so the buffer always holds
    /// whole UTF-8 strings).
    const fn push(&mut self, text: &str) {
        let bytes = text.as_bytes();
        if self.len + bytes.len() > Text::CAPACITY {
            return;
        }
        let mut i = 0;
        while i < bytes.len() {
            self.bytes[self.len + i] = bytes[i];
            i += 1;
        }
        self.len += bytes.len();
    }

    /// Appends each of `texts`, in order.
    const fn push_all(&mut self, texts: &[&str]) {
        let mut i = 0;
        while i < texts.len() {
            self.push(texts[i]);
            i += 1;
        }
    }

    /// `from > to`, quoted when `quoted`.
    const fn route(&mut self, from: &str, to: &str, quoted: bool) {
        if quoted {
            self.push("\"");
        }
        self.push(from);
        self.push(" > ");
        self.push(to);
        if quoted {
            self.push("\"");
        }
    }

    /// The text written.
    pub const fn as_str(&self) -> &str {
        let (written, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(written) {
            Ok(text) => text,
            Err(_) => "",
        }
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn declares(routes: &[Route], leg: &Leg) -> bool {
    let mut i = 0;
    while i < routes.len() {
        if same(routes[i].from, leg.from) && same(routes[i].to, leg.to) {
            return true;
        }
        i += 1;
    }
    false
}

/// What breaks already on `leg` for the carried message `held`, in words, if anything: a
/// field that arrived after the oldest sender the receiver must accept and cannot default
/// (the receiver rejects the container: "missing field"), or an enum without a catch-all
/// where a sender may be newer ("unknown variant"). Only the first is told: the carried
/// message's own derive reports each one, once the route is declared.
const fn breaks(text: &mut Text, held: &Message, container: &str, leg: &Leg) {
    if let Some((field, variant, since)) = required_since(held, leg.oldest) {
        let tuple = !field.name.is_empty() && field.name.as_bytes()[0].is_ascii_digit();
        text.push(if tuple {
            "; already, tuple field `"
        } else {
            "; already, field `"
        });
        text.push_all(&[field.name, "` of "]);
        if let Some(variant) = variant {
            text.push_all(&["variant `", variant, "` of "]);
        }
        text.push_all(&[
            "`",
            held.name,
            "` arrived in ",
            since,
            " without a default, so ",
            leg.reader,
            " rejects `",
            container,
            "` from ",
            leg.oldest_sender,
            " (\"missing field `",
            field.wire.deserialize,
            "`\")",
        ]);
    } else if leg.newer && matches!(held.kind, Kind::Enum) && !has_catch_all(held) {
        text.push_all(&[
            "; already, `",
            held.name,
            "` has no catch-all variant, so ",
            leg.reader,
            " fails on `",
            container,
            "` when a newer ",
            leg.from,
            " sends a variant added after it (\"unknown variant\")",
        ]);
    }
}

const fn has_catch_all(held: &Message) -> bool {
    let mut i = 0;
    while i < held.variants.len() {
        if held.variants[i].catch_all {
            return true;
        }
        i += 1;
    }
    false
}

/// The first field of `held` (with its variant, for an enum) that arrived after both its
/// container (struct or variant) and the oldest sender (`oldest`, packed) and that a
/// receiver cannot fill in.
const fn required_since(
    held: &Message,
    oldest: u64,
) -> Option<(&'static Field, Option<&'static str>, &'static str)> {
    if let Some(field) = required_field(held.fields, held.since, oldest) {
        return Some((field, None, field.since));
    }
    let mut i = 0;
    while i < held.variants.len() {
        let variant = &held.variants[i];
        if let Some(field) = required_field(variant.fields, variant.since, oldest) {
            return Some((field, Some(variant.name), field.since));
        }
        i += 1;
    }
    None
}

const fn required_field(
    fields: &'static [Field],
    container: &str,
    oldest: u64,
) -> Option<&'static Field> {
    let container = pack_release(container);
    let mut i = 0;
    while i < fields.len() {
        let field = &fields[i];
        let since = pack_release(field.since);
        if since > container
            && since > oldest
            && !field.default
            && matches!(field.flatten, Flatten::No)
        {
            return Some(field);
        }
        i += 1;
    }
    None
}

/// The error for the message `held` carried inside `container` (at `place`, `` field
/// `attachments` ``), which travels every one of `legs`: `None` when `held` is not a
/// message, declares no route at all (it makes no claim, or its own derive failed), or
/// declares every leg. (The buffer is made only for an error: the compiler evaluates this
/// for every carried place of every message.)
pub const fn uncovered(
    held: Option<&'static Message>,
    container: &str,
    place: &str,
    legs: &[Leg],
) -> Option<Text> {
    let Some(held) = held else {
        return None;
    };
    if held.routes.is_empty() {
        return None;
    }
    let mut missing = 0;
    let mut i = 0;
    while i < legs.len() {
        if !declares(held.routes, &legs[i]) {
            missing += 1;
        }
        i += 1;
    }
    if missing == 0 {
        return None;
    }
    let mut text = Text::new();
    text.push_all(&["`", held.name, "` travels "]);
    missing_routes(&mut text, held, legs);
    text.push_all(&[
        " inside `",
        container,
        "` (",
        place,
        "), but declares only ",
    ]);
    routes(&mut text, held.routes, false);
    text.push(", so none of its checks run on ");
    text.push(if missing == 1 {
        "that route"
    } else {
        "those routes"
    });
    windows(&mut text, held, container, legs);
    text.push_all(&[
        "; declare every route `",
        held.name,
        "` travels: #[compat(routes = [",
    ]);
    routes(&mut text, held.routes, true);
    let mut i = 0;
    while i < legs.len() {
        if !declares(held.routes, &legs[i]) {
            text.push(", ");
            text.route(legs[i].from, legs[i].to, true);
        }
        i += 1;
    }
    text.push_all(&["])] on `", held.name, "`"]);
    Some(text)
}

/// `server > agent, agent > server`, each quoted when `quoted`.
const fn routes(text: &mut Text, routes: &[Route], quoted: bool) {
    let mut i = 0;
    while i < routes.len() {
        if i > 0 {
            text.push(", ");
        }
        text.route(routes[i].from, routes[i].to, quoted);
        i += 1;
    }
}

/// `agent > server and web > server`: the legs `held` does not declare.
const fn missing_routes(text: &mut Text, held: &Message, legs: &[Leg]) {
    let mut written = 0;
    let mut i = 0;
    while i < legs.len() {
        if !declares(held.routes, &legs[i]) {
            if written > 0 {
                text.push(" and ");
            }
            text.route(legs[i].from, legs[i].to, false);
            written += 1;
        }
        i += 1;
    }
}

/// `, where server 0.9.3 must still accept agent 0.8.0 (...); already, ...`: what the
/// policy requires on each missing leg, then the first thing that breaks on one of them.
const fn windows(text: &mut Text, held: &Message, container: &str, legs: &[Leg]) {
    let mut written = 0;
    let mut i = 0;
    while i < legs.len() {
        let leg = &legs[i];
        i += 1;
        if declares(held.routes, leg) || leg.window.is_empty() {
            continue;
        }
        text.push(if written == 0 { ", where " } else { ", and " });
        text.push(leg.window);
        written += 1;
    }
    let mut i = 0;
    while i < legs.len() {
        let leg = &legs[i];
        i += 1;
        if declares(held.routes, leg) {
            continue;
        }
        let before = text.len;
        breaks(text, held, container, leg);
        if text.len > before {
            return;
        }
    }
}
