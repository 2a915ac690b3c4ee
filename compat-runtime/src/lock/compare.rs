//! The rules a recorded release is checked by, one function each, named for what it
//! requires (as buf names its breaking rules). A release inside the window is compared route
//! by route (a message carried inside another on its container's routes too): the message is still there and still goes that way, its representation and
//! case convention are as recorded, every field a receiver of either release requires
//! reaches it under a name it reads, and a field keeps its type and history; an enum's
//! variants likewise. The release being built must be exactly as recorded.

use super::RECORD;
use super::carried;
use super::file::{LockedField, LockedMessage, LockedVariant, Named, Release};
use super::snapshot::wire_view;
use crate::check::Peer;
use crate::policy::Policy;
use crate::version::Version;

#[path = "positional.rs"]
mod positional;

/// Where a recorded release stands after its check.
pub(super) enum Standing {
    /// After the release being built: there is nothing to keep faith with.
    Later,
    /// The release being built, checked against its own record.
    Current,
    /// Compared: a peer of it is still inside the window.
    Compared,
    /// No peer of it is inside the window any more.
    Outside,
    /// Inside the window but recorded in an older format, so it cannot be compared (a
    /// problem says so).
    Unchecked,
}

/// Problems in the order found, each once.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<String>);

impl Problems {
    fn push(&mut self, problem: String) {
        if !self.0.contains(&problem) {
            self.0.push(problem);
        }
    }
}

/// A release recorded in format 1 kept Rust names only, so a wire change against it
/// cannot be checked: while it is inside the window (or is the release being built) it
/// must be recorded again.
pub(super) fn recorded_in_current_format(
    policy: &Policy,
    release: &Release,
    at: &Version,
    current: &Version,
    problems: &mut Problems,
) -> Standing {
    if at == current {
        problems.push(format!(
            "release {current} was recorded by an older compat (format {}), which kept Rust names only, not what travels (serde's renames, aliases and representation); it is the version being built: record it again with {RECORD}=1 cargo test compat_wire_lock (or `cargo compat lock`)",
            release.format
        ));
        Standing::Unchecked
    } else if reaches(policy, at, current, &release.messages) {
        problems.push(format!(
            "release {at} was recorded by an older compat (format {}), which kept Rust names only, not what travels (serde's renames, aliases and representation), so a wire change against it cannot be checked, and {at} is still inside the window; record it again from {at}'s own source with `cargo compat lock --rev <the tag of {at}>` (which builds that revision in a temporary checkout), or, if it never shipped, delete its entry",
            release.format
        ));
        Standing::Unchecked
    } else {
        Standing::Outside
    }
}

/// The release being built is recorded with the fingerprint its hello announces: peers
/// refuse a build that claims a release with another one.
pub(super) fn fingerprint_as_announced(
    release: &Release,
    current: &Version,
    announced: &str,
    problems: &mut Problems,
) {
    match &release.fingerprint {
        Some(recorded) if *recorded != announced => problems.push(format!(
            "release {current} is recorded with fingerprint {recorded}, but this build announces {announced} in its hello, so peers that know the recorded release would refuse it (`fingerprint mismatch`); a released shape is fixed: bump the crate version, or, if {current} is not out yet, record it again with {RECORD}=1"
        )),
        None => problems.push(format!(
            "release {current} is recorded without the fingerprint its hello announces, so peers cannot tell a build that claims it with other tables; record it again with {RECORD}=1 cargo test compat_wire_lock (or `cargo compat lock`)"
        )),
        Some(_) => {}
    }
}

/// A recorded release never changes on the wire once shipped; a Rust-only rename is no
/// change. Every route of the release being built is compared both ways.
pub(super) fn released_shape_unchanged(
    policy: &Policy,
    release: &Release,
    current: &Version,
    shapes: &[LockedMessage],
    problems: &mut Problems,
) {
    let changed = changed_on_the_wire(&release.messages, shapes);
    if changed.is_empty() {
        return;
    }
    let mut found = Problems::default();
    compare_release(
        policy,
        current,
        current,
        &release.messages,
        shapes,
        true,
        &mut found,
    );
    let fix = format!(
        "a released shape is fixed: bump the crate version, or, if {current} is not out yet, record it again with {RECORD}=1"
    );
    if found.0.is_empty() {
        problems.push(format!(
            "release {current} is recorded but its messages have changed on the wire since (changed: {}); {fix}",
            changed.join(", ")
        ));
    }
    for problem in found.0 {
        problems.push(format!(
            "release {current} is recorded but its messages have changed on the wire since: {problem}; {fix}"
        ));
    }
}

/// Under `[versioning] wire-changes`, the releases of one line read and write the same
/// messages: peers take a patch (under `"minor"`) to change nothing that travels, so no
/// catch-all or default covers it. A recorded release of the line being built is compared
/// whole, by what travels.
pub(super) fn wire_unchanged_within_a_line(
    policy: &Policy,
    release: &Release,
    at: &Version,
    current: &Version,
    shapes: &[LockedMessage],
    problems: &mut Problems,
) {
    let changed = changed_on_the_wire(&release.messages, shapes);
    if changed.is_empty() {
        return;
    }
    let scheme = policy.scheme();
    let unit = scheme.wire_changes.as_str();
    problems.push(format!(
        "release {current} changes what travels since {at} ({}), but {} says the wire changes only in {unit} releases ([versioning] wire-changes = \"{unit}\"), and both are of the line that began with {}, whose peers take each other to read the same messages; keep the change for {} (the next release that may change the wire)",
        changed.join(", "),
        policy.parts().source,
        scheme.wire_line(current),
        scheme.next_wire_line(current)
    ));
}

/// The messages whose wire shape differs between a record and this release, as
/// `` `Name` `` (or `` `Name` (removed) ``); empty when nothing that travels changed.
fn changed_on_the_wire(recorded: &[LockedMessage], shapes: &[LockedMessage]) -> Vec<String> {
    let was: Vec<LockedMessage> = recorded.iter().map(wire_view).collect();
    let now: Vec<LockedMessage> = shapes.iter().map(wire_view).collect();
    let mut changed: Vec<String> = now
        .iter()
        .filter(|m| !was.contains(m))
        .map(|m| format!("`{}`", m.name))
        .collect();
    changed.extend(
        was.iter()
            .filter(|m| !now.iter().any(|n| n.name == m.name))
            .map(|m| format!("`{}` (removed)", m.name)),
    );
    changed
}

/// Whether a peer of `a` at `va` and one of `b` at `vb` may talk under the policy.
fn talk(policy: &Policy, a: &str, va: &Version, b: &str, vb: &Version) -> bool {
    let (Some(ca), Some(cb)) = (policy.component(a), policy.component(b)) else {
        return false;
    };
    let pa = Peer {
        component: ca,
        version: va.clone(),
    };
    let pb = Peer {
        component: cb,
        version: vb.clone(),
    };
    policy.check(&pa, &pb).is_ok()
}

fn route_ends(route: &str) -> Option<(&str, &str)> {
    let (from, to) = route.split_once('>')?;
    Some((from.trim(), to.trim()))
}

/// Whether a peer at `old` still exchanges one of `locked` with this release.
fn reaches(policy: &Policy, old: &Version, current: &Version, locked: &[LockedMessage]) -> bool {
    locked.iter().flat_map(|m| &m.routes).any(|route| {
        route_ends(route).is_some_and(|(from, to)| {
            talk(policy, from, current, to, old) || talk(policy, from, old, to, current)
        })
    })
}

/// One route between a recorded release and this one, and which way peers meet on it.
struct Pair<'a> {
    old: &'a Version,
    /// What `#[since]` is compared with for `old`: under `[protocol]`, the protocol `old`
    /// carried (`#[since]` then speaks protocol versions), else `old` itself.
    old_since: &'a Version,
    current: &'a Version,
    from: &'a str,
    to: &'a str,
    /// The message that carries this one on the route, when it does not declare it:
    /// `` `Post` (field `attachments`) ``.
    carrier: Option<&'a str>,
    /// A sender at this release reaches a receiver at `old`.
    old_receiver: bool,
    /// A sender at `old` reaches a receiver at this release.
    old_sender: bool,
}

impl Pair<'_> {
    /// `server 1.1.5` for a break an old receiver suffers, else the old sender.
    fn old_peer(&self) -> String {
        let who = if self.old_receiver {
            self.to
        } else {
            self.from
        };
        format!("{who} {}", self.old)
    }

    fn route(&self) -> String {
        format!(
            "route {} > {}{}, inside the window",
            self.from,
            self.to,
            self.carried()
        )
    }

    /// `, carried in `Post` (field `attachments`)` on a route the message travels only
    /// inside another; empty on a route it declares.
    fn carried(&self) -> String {
        self.carrier
            .map(|carrier| format!(", carried in {carrier}"))
            .unwrap_or_default()
    }
}

/// Compares one recorded release with the current shapes; returns whether any peer of that
/// release is still inside the window. Each recorded message is compared on every route it
/// travels in that release, its containers' included ([`carried::travels`]). With `same`,
/// the release is the one being built: every route is compared both ways.
pub(super) fn compare_release(
    policy: &Policy,
    old: &Version,
    current: &Version,
    locked: &[LockedMessage],
    shapes: &[LockedMessage],
    same: bool,
    problems: &mut Problems,
) -> bool {
    let mut inside = false;
    let now = Now {
        shapes,
        travels: carried::travels(shapes),
    };
    let old_since = policy
        .protocol()
        .map_or_else(|| old.clone(), |p| p.spoken_by(old));
    for (was, travels) in locked.iter().zip(carried::travels(locked)) {
        for travel in &travels {
            let Some((from, to)) = route_ends(&travel.route) else {
                continue;
            };
            // Current senders reach old receivers; old senders reach current receivers.
            let old_receiver = same || talk(policy, from, current, to, old);
            let old_sender = same || talk(policy, from, old, to, current);
            if !(old_receiver || old_sender) {
                continue;
            }
            inside = true;
            let pair = Pair {
                old,
                old_since: &old_since,
                current,
                from,
                to,
                carrier: travel.carrier.as_deref(),
                old_receiver,
                old_sender,
            };
            compare_message(was, &now, &pair, problems);
        }
    }
    inside
}

/// The messages of the release being built, with the routes each travels.
struct Now<'a> {
    shapes: &'a [LockedMessage],
    travels: Vec<Vec<carried::Travel>>,
}

/// Compares one recorded message with this release's on one route, rule by rule. A message
/// that is gone, no longer goes that way, or is laid out or named otherwise breaks that
/// rule alone: its fields are not compared with a form the peer cannot read at all. On a
/// route it travelled only inside another message, a message that no longer goes there
/// breaks nothing of its own: its container's fields say what changed.
fn compare_message(was: &LockedMessage, now: &Now<'_>, pair: &Pair<'_>, problems: &mut Problems) {
    // Matched by the name it travels under, or else by its Rust name.
    let index = now
        .shapes
        .iter()
        .position(|m| m.sent() == was.sent())
        .or_else(|| now.shapes.iter().position(|m| m.name == was.name));
    let Some(index) = index else {
        if pair.carrier.is_none() {
            problems.push(message_removed(was, pair));
        }
        return;
    };
    let (shape, travels) = (&now.shapes[index], &now.travels[index]);
    if !travels
        .iter()
        .any(|travel| route_ends(&travel.route) == Some((pair.from, pair.to)))
    {
        if pair.carrier.is_none() {
            problems.push(route_dropped(was, pair));
        }
        return;
    }
    // Under a positional codec names never travel: fields by position, variants by index.
    if positional::applies(was, shape) {
        positional::compare(was, shape, pair, problems);
        return;
    }
    let broken =
        representation_changed(was, shape, pair).or_else(|| convention_changed(was, shape, pair));
    if let Some(problem) = broken {
        problems.push(problem);
        return;
    }
    let names_travel = shape.representation.as_deref() != Some("transparent");
    let whose = |f: &LockedField| format!("field {} of `{}`", named(f), shape.name);
    compare_fields(
        &was.fields,
        &shape.fields,
        pair,
        names_travel,
        &whose,
        problems,
    );
    compare_variants(was, shape, pair, problems);
}

/// A message a peer inside the window still exchanges is not removed.
fn message_removed(was: &LockedMessage, pair: &Pair<'_>) -> String {
    let (old, from, to) = (pair.old, pair.from, pair.to);
    format!(
        "message `{}` was removed, but {to} {old} still exchanges it with {from} (route {from} > {to}, inside the window); keep it until {old} leaves the window",
        was.name
    )
}

/// A message keeps every route a peer inside the window still expects it on.
fn route_dropped(was: &LockedMessage, pair: &Pair<'_>) -> String {
    let (old, from, to) = (pair.old, pair.from, pair.to);
    format!(
        "message `{}` no longer goes {from} > {to}, but {} (inside the window) still expects it; keep the route until {old} leaves the window",
        was.name,
        pair.old_peer()
    )
}

/// `` `s` (`source` in Rust) ``, or `` `source` `` where the two agree.
fn named(f: &LockedField) -> String {
    let rust = match &f.via {
        Some(via) => format!("{via}.{}", f.name),
        None => f.name.clone(),
    };
    if f.sent() == rust {
        format!("`{rust}`")
    } else {
        format!("`{}` (`{rust}` in Rust)", f.sent())
    }
}

/// `` `s` ``, `` `s` or `src` ``: every name a receiver reads.
fn read_names<N: Named>(item: &N) -> String {
    let mut names: Vec<String> = vec![format!("`{}`", item.read())];
    names.extend(item.aliases().iter().map(|a| format!("`{a}`")));
    names.join(" or ")
}

/// The serde attribute that gives a message its representation.
fn representation_text(m: &LockedMessage) -> String {
    match m.representation.as_deref().unwrap_or("external") {
        "internal" => format!("#[serde(tag = \"{}\")]", m.tag.as_deref().unwrap_or("")),
        "adjacent" => format!(
            "#[serde(tag = \"{}\", content = \"{}\")]",
            m.tag.as_deref().unwrap_or(""),
            m.content.as_deref().unwrap_or("")
        ),
        "untagged" => "#[serde(untagged)]".to_string(),
        "transparent" => "#[serde(transparent)]".to_string(),
        _ if m.kind == "enum" => "serde's default external tagging".to_string(),
        _ => "serde's default layout".to_string(),
    }
}

/// A changed tag, content key, untagging or transparency breaks every peer that still
/// has the old form: it reads none of the new messages.
fn representation_changed(
    was: &LockedMessage,
    now: &LockedMessage,
    pair: &Pair<'_>,
) -> Option<String> {
    let key = |m: &LockedMessage| (m.representation.clone(), m.tag.clone(), m.content.clone());
    if key(was) == key(now) {
        return None;
    }
    let (before, after) = (representation_text(was), representation_text(now));
    Some(format!(
        "`{}` is now written with {after} instead of {before}, but {} still exchanges it with this release ({}) and reads or writes only the old form; restore {before}: a representation cannot change while a peer inside the window has the old one (send a new message instead)",
        now.name,
        pair.old_peer(),
        pair.route()
    ))
}

/// A changed `rename_all`/`rename_all_fields` under which a peer on this route no longer
/// reads a name the other end writes. The verdict rests on the wire names alone: a
/// convention that writes every name as before (`snake_case` on names that already were,
/// `camelCase` on one-word names) changes nothing that travels, and neither does one whose
/// new names the old peer still reads; the conventions only name the cause.
fn convention_changed(was: &LockedMessage, now: &LockedMessage, pair: &Pair<'_>) -> Option<String> {
    let variants = || {
        was.variants
            .iter()
            .filter_map(|v| Some((v, now.variants.iter().find(|n| n.name == v.name)?)))
    };
    let checks = if was.kind == "enum" {
        vec![
            (
                "rename_all",
                &was.rename_all,
                &now.rename_all,
                variants()
                    .filter_map(|(v, n)| unread_rename(v, n, pair))
                    .collect(),
            ),
            (
                "rename_all_fields",
                &was.rename_all_fields,
                &now.rename_all_fields,
                variants()
                    .flat_map(|(v, n)| unread_field_renames(&v.fields, &n.fields, pair))
                    .collect(),
            ),
        ]
    } else {
        vec![(
            "rename_all",
            &was.rename_all,
            &now.rename_all,
            unread_field_renames(&was.fields, &now.fields, pair),
        )]
    };
    for (key, before, after, renamed) in checks {
        if before == after || renamed.is_empty() {
            continue;
        }
        let shown = if renamed.len() > 3 {
            format!("{}, ...", renamed[..3].join(", "))
        } else {
            renamed.join(", ")
        };
        let (before, after) = (convention_attr(key, before), convention_attr(key, after));
        return Some(format!(
            "`{}` is now written with {after} instead of {before} ({shown}), but {} still exchanges it with this release ({}) and knows only the old names; restore {before}: the case convention of a released message cannot change while a peer inside the window has the old one",
            now.name,
            pair.old_peer(),
            pair.route()
        ));
    }
    None
}

/// The renamed fields (by Rust name, through the same flattened field) that one end of
/// `pair` no longer reads, as [`unread_rename`] says them.
fn unread_field_renames(was: &[LockedField], now: &[LockedField], pair: &Pair<'_>) -> Vec<String> {
    was.iter()
        .filter_map(|f| {
            let n = now.iter().find(|n| n.name == f.name && n.via == f.via)?;
            unread_rename(f, n, pair)
        })
        .collect()
}

/// `` `node_name` is now `nodeName` `` when a peer on `pair` no longer reads the name the
/// other end writes for the same member (`was` recorded, `now` built): an old receiver the
/// name now sent, or this release the name an old sender writes.
fn unread_rename<N: Named>(was: &N, now: &N, pair: &Pair<'_>) -> Option<String> {
    let old_reads_new = !pair.old_receiver || was.accepts(now.sent());
    let new_reads_old = !pair.old_sender || now.accepts(was.sent());
    if old_reads_new && new_reads_old {
        return None;
    }
    Some(if was.sent() == now.sent() {
        format!("`{}` is now read only as `{}`", was.read(), now.read())
    } else {
        format!("`{}` is now `{}`", was.sent(), now.sent())
    })
}

/// `#[serde(rename_all = "camelCase")]` for a recorded convention (`serialize/deserialize`
/// where they differ), or the absence of one.
fn convention_attr(key: &str, recorded: &Option<String>) -> String {
    match recorded.as_deref().map(|c| c.split_once('/')) {
        None => format!("no {key} (the Rust names)"),
        Some(None) => format!(
            "#[serde({key} = \"{}\")]",
            recorded.as_deref().unwrap_or_default()
        ),
        Some(Some((serialize, deserialize))) => {
            let sides: Vec<String> = [("serialize", serialize), ("deserialize", deserialize)]
                .into_iter()
                .filter(|(_, case)| *case != "none")
                .map(|(side, case)| format!("{side} = \"{case}\""))
                .collect();
            format!("#[serde({key}({}))]", sides.join(", "))
        }
    }
}

/// How a sender may leave a field out, as the attribute that says so.
fn skipping(skip: &str) -> String {
    if skip == "always" {
        "#[serde(skip_serializing)]: it is never sent".to_string()
    } else {
        format!("#[serde(skip_serializing_if = \"{skip}\")]")
    }
}

/// Compares the fields of one message (or variant) in both releases, each way peers meet.
fn compare_fields(
    was: &[LockedField],
    now: &[LockedField],
    pair: &Pair<'_>,
    names_travel: bool,
    whose: &dyn Fn(&LockedField) -> String,
    problems: &mut Problems,
) {
    let fields = Fields {
        was,
        now,
        pair,
        names_travel,
        whose,
    };
    if pair.old_receiver {
        fields.old_receivers_get_what_they_require(problems);
    }
    if pair.old_sender {
        fields.old_senders_send_what_is_required(problems);
    }
    fields.types_and_history_unchanged(problems);
}

/// The fields of one message (or variant) in a recorded release and in this one.
struct Fields<'a> {
    was: &'a [LockedField],
    now: &'a [LockedField],
    pair: &'a Pair<'a>,
    /// Whether field names travel: not in a transparent struct.
    names_travel: bool,
    /// How a problem names a field: `` field `ttl` of `SvidUpdate` ``.
    whose: &'a dyn Fn(&LockedField) -> String,
}

impl Fields<'_> {
    /// The same field in Rust.
    fn same_rust(f: &LockedField, n: &LockedField) -> bool {
        n.name == f.name && n.via == f.via
    }

    /// Whether `reader` decodes the field `sent` (of the other release): by the names on the
    /// wire, unless names do not travel (a transparent struct).
    fn read_as(&self, reader: &LockedField, sent: &LockedField) -> bool {
        if self.names_travel {
            reader.accepts(sent.sent())
        } else {
            Self::same_rust(reader, sent)
        }
    }

    /// Every field an old receiver requires is still sent, under a name it reads, and is
    /// never left out.
    fn old_receivers_get_what_they_require(&self, problems: &mut Problems) {
        let (pair, whose) = (self.pair, self.whose);
        let (old, from, to) = (pair.old, pair.from, pair.to);
        for f in self.was.iter().filter(|f| !f.default && !f.map) {
            match self.now.iter().find(|n| self.read_as(f, n)) {
                None => match self.now.iter().find(|n| Self::same_rust(f, n)) {
                    Some(n) => problems.push(format!(
                        "{} is now sent as `{}`, but {to} {old} requires it and reads it only as {} ({}); restore #[serde(rename = \"{}\")], or, to move to `{}`, first give receivers #[serde(alias = \"{}\")] and rename once no peer inside the window lacks the alias",
                        whose(n),
                        n.sent(),
                        read_names(f),
                        pair.route(),
                        f.sent(),
                        n.sent(),
                        n.sent()
                    )),
                    None => problems.push(format!(
                        "{} was removed, but {to} {old} requires it and is still inside the window for {from}{}; keep sending it (mark it `#[compat(deprecated = \"...\")]`) until {old} leaves the window",
                        whose(f),
                        pair.carried()
                    )),
                },
                Some(n) => {
                    if let Some(skip) = &n.skip_serializing
                        && f.skip_serializing.as_ref() != Some(skip)
                    {
                        problems.push(format!(
                            "{} may now be left out by {from} ({}), but {to} {old} requires it ({}) and rejects a message without it (\"missing field `{}`\"); keep sending it until {old} leaves the window",
                            whose(n),
                            skipping(skip),
                            pair.route(),
                            f.read()
                        ));
                    }
                }
            }
        }
    }

    /// Every field this release requires is sent by old senders, under a name it reads,
    /// and never left out by them.
    fn old_senders_send_what_is_required(&self, problems: &mut Problems) {
        let (pair, whose) = (self.pair, self.whose);
        let (old, from) = (pair.old, pair.from);
        for n in self.now.iter().filter(|n| !n.default && !n.map) {
            match self.was.iter().find(|f| self.read_as(n, f)) {
                None => match self.was.iter().find(|f| Self::same_rust(f, n)) {
                    Some(f) => problems.push(format!(
                        "{} is now read only as {}, but {from} {old} ({}) sends it as `{}`; add #[serde(alias = \"{}\")] to it",
                        whose(n),
                        read_names(n),
                        pair.route(),
                        f.sent(),
                        f.sent()
                    )),
                    None => problems.push(format!(
                        "{} is required, but {from} {old} (inside the window{}) never sends it: release {old} had no such field; make it `Option<_>` or `#[serde(default)]`, and check its #[since]",
                        whose(n),
                        pair.carried()
                    )),
                },
                Some(f) => {
                    if let Some(skip) = &f.skip_serializing
                        && n.skip_serializing.as_ref() != Some(skip)
                    {
                        problems.push(format!(
                            "{} is required, but {from} {old} ({}) may leave it out ({}); make it `Option<_>` or `#[serde(default)]`",
                            whose(n),
                            pair.route(),
                            skipping(skip)
                        ));
                    }
                }
            }
        }
    }

    /// What both ends take for the same field agrees on its type and its history.
    fn types_and_history_unchanged(&self, problems: &mut Problems) {
        let (pair, whose) = (self.pair, self.whose);
        for f in self.was {
            let Some(n) = self
                .now
                .iter()
                .find(|n| self.read_as(f, n) || self.read_as(n, f))
                .or_else(|| self.now.iter().find(|n| Self::same_rust(f, n)))
            else {
                continue;
            };
            if carried::wire_text(&n.ty) != carried::wire_text(&f.ty) {
                problems.push(format!(
                    "{} changed type from `{}` to `{}`, but {} still talks to this release (inside the window) with the old type; add a new field instead",
                    whose(n),
                    f.ty,
                    n.ty,
                    pair.old_peer()
                ));
            }
            if n.since != f.since {
                problems.push(format!(
                    "{} now says #[since(\"{}\")] but release {} recorded it as arriving in {}; released history does not change: restore #[since(\"{}\")]",
                    whose(n),
                    n.since,
                    pair.old,
                    f.since,
                    f.since
                ));
            }
        }
    }
}

/// Compares the variants of an enum in both releases, and the fields of each variant both
/// have.
fn compare_variants(
    was: &LockedMessage,
    now: &LockedMessage,
    pair: &Pair<'_>,
    problems: &mut Problems,
) {
    let variants = Variants {
        was,
        now,
        pair,
        // An untagged enum writes no variant names: variants are matched by their Rust
        // names.
        names_travel: now.representation.as_deref() != Some("untagged"),
    };
    variants.recorded_variants_still_read(problems);
    if now.frozen {
        variants.frozen_enum_gains_nothing(problems);
    }
    if pair.old_receiver && variants.names_travel {
        if !was.variants.iter().any(|v| v.catch_all) {
            variants.sent_variants_known_to_old_receivers(problems);
        } else if let Some(catch_all) = unit_catch_all(was) {
            variants.sent_variants_fit_the_old_catch_all(catch_all, problems);
        }
    }
}

/// The catch-all of `m` when it cannot receive a variant that carries data: serde's
/// `#[serde(other)]` is a unit variant, and in an externally tagged enum (serde's default)
/// it receives `"Pause"` but fails on `{"Drain":{...}}` ("invalid type: map, expected
/// unit"); in an adjacently tagged one it fails on content. An internally tagged enum keeps
/// the data beside the tag, and an untagged one's catch-all takes whatever it is given.
fn unit_catch_all(m: &LockedMessage) -> Option<&LockedVariant> {
    let catch_all = m.variants.iter().find(|v| v.catch_all)?;
    let tagged_apart = matches!(
        m.representation.as_deref(),
        None | Some("external" | "adjacent")
    );
    (tagged_apart && catch_all.fields.is_empty()).then_some(catch_all)
}

/// `an externally tagged enum`, `an adjacently tagged enum`: where a unit catch-all takes
/// no data.
fn tagging_words(m: &LockedMessage) -> &'static str {
    if m.representation.as_deref() == Some("adjacent") {
        "an adjacently tagged enum"
    } else {
        "an externally tagged enum"
    }
}

/// An enum in a recorded release and in this one.
struct Variants<'a> {
    was: &'a LockedMessage,
    now: &'a LockedMessage,
    pair: &'a Pair<'a>,
    /// Whether variant names travel: not in an untagged enum.
    names_travel: bool,
}

impl Variants<'_> {
    /// Whether `reader` decodes the variant `sent` (of the other release).
    fn reads(&self, reader: &LockedVariant, sent: &LockedVariant) -> bool {
        if self.names_travel {
            reader.accepts(sent.sent())
        } else {
            reader.name == sent.name
        }
    }

    /// Every recorded variant an old sender may send is still read here (by name or by a
    /// catch-all); the fields of a variant both releases have are compared.
    fn recorded_variants_still_read(&self, problems: &mut Problems) {
        let (was, now, pair) = (self.was, self.now, self.pair);
        let (old, current, from, to) = (pair.old, pair.current, pair.from, pair.to);
        let catch_all_now = now.variants.iter().any(|n| n.catch_all);
        for v in &was.variants {
            let matched = now.variants.iter().find(|n| self.reads(n, v));
            match matched {
                None if pair.old_sender && !catch_all_now => {
                    match now.variants.iter().find(|n| n.name == v.name) {
                        Some(n) => problems.push(format!(
                            "variant `{}::{}` is now read only as {}, but {from} {old} ({}) sends it as `{}`; add #[serde(alias = \"{}\")] to it",
                            now.name,
                            n.name,
                            read_names(n),
                            pair.route(),
                            v.sent(),
                            v.sent()
                        )),
                        None => problems.push(format!(
                            "variant `{}::{}` was removed, but {from} {old} may still send it to {to} {current} (inside the window), which has no catch-all to receive it; keep the variant until {old} leaves the window",
                            was.name, v.name
                        )),
                    }
                }
                None if pair.old_sender && !v.fields.is_empty() => {
                    if let Some(catch_all) = unit_catch_all(now) {
                        problems.push(format!(
                            "variant `{}::{}` was removed, but {from} {old} may still send it with its data to {to} {current} (inside the window), whose catch-all `{}` is a unit variant: in {} it receives only unknown variants without data, and serde fails on `{}` (\"invalid type: map, expected unit\"); keep the variant until {old} leaves the window",
                            was.name,
                            v.name,
                            catch_all.name,
                            tagging_words(now),
                            v.sent()
                        ));
                    }
                }
                None => {}
                Some(n) => {
                    let whose = |f: &LockedField| {
                        format!("field {} of `{}::{}`", named(f), now.name, n.name)
                    };
                    compare_fields(&v.fields, &n.fields, pair, true, &whose, problems);
                }
            }
        }
    }

    /// A frozen enum (`#[compat(frozen)]`) has no variant its recorded releases lacked,
    /// catch-all or not: the promise is that it never gains one.
    fn frozen_enum_gains_nothing(&self, problems: &mut Problems) {
        let (was, now, pair) = (self.was, self.now, self.pair);
        for n in &now.variants {
            if was.variants.iter().any(|v| self.reads(v, n)) {
                continue;
            }
            problems.push(format!(
                "variant `{}::{}` was added since {}, but `{}` is frozen (#[compat(frozen)]: it never gains a variant, and peers rely on that); send it in a new enum with a catch-all instead, as mirrord replaced `OperatorFeatures`",
                now.name, n.name, pair.old, now.name
            ));
        }
    }

    /// Every variant this release sends that an old receiver does not know carries no data,
    /// when that receiver's catch-all is a unit variant that takes none ([`unit_catch_all`]).
    fn sent_variants_fit_the_old_catch_all(
        &self,
        catch_all: &LockedVariant,
        problems: &mut Problems,
    ) {
        let (was, now, pair) = (self.was, self.now, self.pair);
        let (old, current, from, to) = (pair.old, pair.current, pair.from, pair.to);
        for n in now
            .variants
            .iter()
            .filter(|n| !n.catch_all && !n.fields.is_empty())
        {
            if was.variants.iter().any(|v| self.reads(v, n)) {
                continue;
            }
            problems.push(format!(
                "variant `{}::{}` carries data and is new since {old}, but {to} {old} may still receive it from {from} {current} ({}), and its catch-all `{}` is a unit variant: in {} it receives only unknown variants without data, so serde fails on `{}` (\"invalid type: map, expected unit\"); make it a unit variant, or do not send it to {to} releases before it arrived",
                now.name,
                n.name,
                pair.route(),
                catch_all.name,
                tagging_words(was),
                n.sent()
            ));
        }
    }

    /// Every variant this release sends is one an old receiver without a catch-all reads.
    fn sent_variants_known_to_old_receivers(&self, problems: &mut Problems) {
        let (was, now, pair) = (self.was, self.now, self.pair);
        let (old, current, from, to) = (pair.old, pair.current, pair.from, pair.to);
        for n in now.variants.iter().filter(|n| !n.catch_all) {
            if was.variants.iter().any(|v| self.reads(v, n)) {
                continue;
            }
            match was.variants.iter().find(|v| v.name == n.name) {
                Some(v) => problems.push(format!(
                    "variant `{}::{}` is now sent as `{}`, but {to} {old} reads it only as {} and has no catch-all ({}); restore #[serde(rename = \"{}\")]",
                    now.name,
                    n.name,
                    n.sent(),
                    read_names(v),
                    pair.route(),
                    v.sent()
                )),
                None => problems.push(format!(
                    "variant `{}::{}` is new since {old}, but {to} {old} may still receive it from {from} {current} ({}) and has no catch-all to receive it; do not send it to {to} releases before it arrived",
                    now.name,
                    n.name,
                    pair.route()
                )),
            }
        }
    }
}
