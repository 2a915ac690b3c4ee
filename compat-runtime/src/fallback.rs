//! Fallbacks on the send path: which variants one send degraded for its peer.
//!
//! A variant with `#[compat(fallback = "StatFs", via = "...")]` is degraded by the guard's
//! strip walk (the code the derive writes into `__strip`, which reaches nested messages
//! through [`Travels`](crate::Travels) and the wrappers, the same walk that resets ignorable
//! fields). That walk is shared with code this crate does not write (prost messages, hand-
//! written wrappers), so it carries no reporter: each degradation is noted here instead, on
//! the thread that runs it, while a [`Session`](crate::Session) listens ([`recording`]); the
//! session then reports what it gathered through `tracing` and the census. Outside a
//! recording (a bare [`Guard::strip`](crate::Guard::strip)) a note costs one thread-local
//! read. The list is bounded: past [`DISTINCT`] distinct variants in one send, the rest are
//! only counted. A value is reported only once the guard lets it go: a chain that ends in a
//! variant the peer predates too is refused, and nothing says it was sent in an older form.
//!
//! The common send needs no recording: a value that is itself a variant with a fallback
//! (or holds one as a newtype variant's field) is made by the derive's `__degrade` from the
//! borrow, which says what it degraded ([`Fell`]) and whether the result is readable whole
//! by the peer; [`Session::prepare`](crate::Session::prepare) then reports it directly
//! ([`reported`]). What a fallback costs beyond its conversion is kept below the conversion
//! itself (benches/fallback.rs, docs/performance.md): the notes of a recording are `Cell`s,
//! the first variant of a send in a slot of its own, the others a `RefCell` only a send with
//! two distinct degraded variants touches; the count is one atomic add, and the event's
//! first check tracing's global level.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::message::{Compat, Fallback, Fell, Message, Travels, Variant};
use crate::throttle::Throttle;

/// The most distinct degraded variants one send lists; further ones are counted in
/// [`Applied::more`].
pub(crate) const DISTINCT: usize = 4;

thread_local! {
    /// The notes of the recording running on this thread; empty and idle between
    /// recordings.
    static NOTES: Notes = const {
        Notes {
            state: Cell::new(State::Idle),
            first: Cell::new(None),
            crowded: Cell::new(false),
            others: RefCell::new(Others::EMPTY),
        }
    };
}

/// What a thread's [`NOTES`] are doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No recording: notes are dropped.
    Idle,
    /// A recording gathers notes.
    Recording,
    /// An event about a fallback is going out: a recording its subscriber starts (one that
    /// sends) gathers nothing, and an event it would raise is skipped, so a report never
    /// reports itself.
    #[cfg_attr(
        not(feature = "tracing"),
        allow(dead_code, reason = "set while an event goes out")
    )]
    Reporting,
}

/// The notes of one thread: the first variant degraded in a slot of its own, the others
/// (rare) in a list, all empty between recordings.
struct Notes {
    state: Cell<State>,
    first: Cell<Option<Degraded>>,
    /// Whether `others` holds anything, so that a send of one variant never borrows it.
    crowded: Cell<bool>,
    others: RefCell<Others>,
}

impl Notes {
    fn note(&self, message: &'static Message, from: &'static Variant, to: &'static Variant) {
        match self.first.get() {
            None => self.first.set(Some(Degraded {
                message,
                from,
                to,
                count: 1,
            })),
            Some(mut first) if first.is(from, to) => {
                first.count += 1;
                self.first.set(Some(first));
            }
            Some(_) => {
                // Never borrowed twice (a report reads them while recordings are muted),
                // but never a panic either.
                if let Ok(mut others) = self.others.try_borrow_mut() {
                    others.note(message, from, to);
                    self.crowded.set(true);
                }
            }
        }
    }

    /// Empties the slots.
    fn clear(&self) {
        self.first.set(None);
        if self.crowded.replace(false)
            && let Ok(mut others) = self.others.try_borrow_mut()
        {
            *others = Others::EMPTY;
        }
    }

    /// Puts back the notes a recording took aside ([`Outer`]), or leaves the thread idle.
    fn restore(&self, outer: Option<Outer>) {
        // What the recording left (nothing, unless it panicked).
        self.clear();
        match outer {
            Some(outer) => {
                self.state.set(State::Recording);
                self.first.set(outer.first);
                if let Some(others) = outer.others
                    && let Ok(mut mine) = self.others.try_borrow_mut()
                {
                    *mine = others;
                    self.crowded.set(true);
                }
            }
            None => self.state.set(State::Idle),
        }
    }
}

/// The notes of a recording interrupted by one inside it, kept aside until it resumes.
struct Outer {
    first: Option<Degraded>,
    others: Option<Others>,
}

/// One variant a send degraded, what it became, and how many times (a `Vec` of requests
/// may hold many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Degraded {
    /// The enum.
    pub(crate) message: &'static Message,
    /// The variant the value was.
    pub(crate) from: &'static Variant,
    /// The variant it was sent as: `from`'s fallback, or the end of its chain.
    pub(crate) to: &'static Variant,
    pub(crate) count: u64,
}

impl Degraded {
    /// Whether this notes `from` sent as `to`.
    fn is(&self, from: &'static Variant, to: &'static Variant) -> bool {
        core::ptr::eq(self.from, from) && core::ptr::eq(self.to, to)
    }
}

#[cfg_attr(
    not(feature = "tracing"),
    allow(dead_code, reason = "read by the events")
)]
impl Degraded {
    /// The fallbacks followed from `from` to `to`, in order (one, unless a chain).
    pub(crate) fn steps(&self) -> impl Iterator<Item = Fallback> + '_ {
        let mut at = Some(self.from);
        core::iter::from_fn(move || {
            let variant = at.take()?;
            if core::ptr::eq(variant, self.to) {
                return None;
            }
            let fallback = variant.fallback?;
            at = self.message.variant(fallback.to);
            Some(fallback)
        })
        .take(self.message.variants.len())
    }

    /// What the peer loses, as the fallbacks followed say it (`warn = "..."`), joined.
    pub(crate) fn warning(&self) -> Option<String> {
        let warnings: Vec<&str> = self.steps().filter_map(|f| f.warn).collect();
        (!warnings.is_empty()).then(|| warnings.join("; "))
    }
}

/// The variants one send degraded after its first: at most [`DISTINCT`] - 1 listed, the
/// rest counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Others {
    listed: [Option<Degraded>; DISTINCT - 1],
    more: u64,
}

impl Others {
    const EMPTY: Others = Others {
        listed: [None; DISTINCT - 1],
        more: 0,
    };

    fn note(&mut self, message: &'static Message, from: &'static Variant, to: &'static Variant) {
        if let Some(seen) = self.listed.iter_mut().flatten().find(|d| d.is(from, to)) {
            seen.count += 1;
        } else if let Some(free) = self.listed.iter_mut().find(|d| d.is_none()) {
            *free = Some(Degraded {
                message,
                from,
                to,
                count: 1,
            });
        } else {
            self.more += 1;
        }
    }
}

/// What one recording gathered, read where it was gathered (nothing moves but the first
/// variant's note, and a send that degrades allocates nothing for it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applied<'a> {
    first: Degraded,
    others: Option<&'a Others>,
}

impl Applied<'_> {
    /// The variants degraded, in the order first seen.
    pub(crate) fn degraded(&self) -> impl Iterator<Item = &Degraded> {
        let others = self
            .others
            .into_iter()
            .flat_map(|o| o.listed.iter().flatten());
        core::iter::once(&self.first).chain(others)
    }

    /// Degradations of variants past the first [`DISTINCT`], counted only.
    pub(crate) fn more(&self) -> u64 {
        self.others.map_or(0, |o| o.more)
    }

    /// Every degradation, counted.
    pub(crate) fn total(&self) -> u64 {
        match self.others {
            None => self.first.count,
            Some(_) => self.degraded().map(|d| d.count).sum::<u64>() + self.more(),
        }
    }
}

/// Notes that the guard sent a value of variant `from` (its index in `message`'s table) as
/// variant `to`, following `from`'s fallback (and theirs, for a chain). Called by the code
/// `#[derive(Compat)]` writes, through `__g::fell_back`.
#[inline(never)]
pub fn fell_back(message: &'static Message, from: usize, to: usize) {
    let (Some(from), Some(to)) = (message.variants.get(from), message.variants.get(to)) else {
        return;
    };
    if from.fallback.is_none() {
        return;
    }
    NOTES.with(|notes| {
        if notes.state.get() == State::Recording {
            notes.note(message, from, to);
        }
    });
}

impl Fell {
    /// Notes it in the recording running on this thread, as [`fell_back`] does.
    #[inline]
    pub fn note(self) {
        fell_back(self.message, self.from, self.into);
    }

    fn degraded(self) -> Option<Degraded> {
        let message = self.message;
        let (Some(from), Some(to)) = (
            message.variants.get(self.from),
            message.variants.get(self.into),
        ) else {
            return None;
        };
        from.fallback?;
        Some(Degraded {
            message,
            from,
            to,
            count: 1,
        })
    }
}

/// `value` in the form a peer at `peer` reads, when it is a variant with a fallback the peer
/// predates (or holds one as its one field), noted in the recording running on this thread.
/// Called by the `__strip` the derive writes, through `__g::fall_back`, which applies it in
/// place.
#[inline]
pub fn fall_back<M: Compat>(value: &M, peer: u64) -> Option<M> {
    let (to, fell) = value.__degrade(peer)?;
    fell.note();
    Some(to)
}

/// The arm of `__degrade` for a newtype variant whose one field may hold a message with a
/// fallback (`ClientMessage::FileRequest(FileRequest)`): the field degraded from the borrow,
/// put back in its variant (`variant`, the variant's constructor), readable by the peer
/// only if the peer also reads that variant (`newest`: the enum's, the variant's and the
/// field's `#[since]`, packed). Called by the code `#[derive(Compat)]` writes, through
/// `__g::envelope`.
#[inline]
pub fn envelope<T: Travels, S>(
    field: &T,
    peer: u64,
    variant: fn(T) -> S,
    newest: u64,
) -> Option<(S, Fell)> {
    let (value, fell) = field.__walk_degrade(peer)?;
    Some((variant(value), fell.within(peer >= newest)))
}

/// Hands the one value `fell` describes to `report`, as a recording that noted only it
/// would: for a value made whole by `__degrade` and proved readable, no recording is
/// needed, and the thread's notes are not touched.
pub(crate) fn reported(fell: Fell, report: impl FnOnce(&Applied<'_>)) {
    if let Some(first) = fell.degraded() {
        report(&Applied {
            first,
            others: None,
        });
    }
}

/// Runs `emit` (an event going out) with this thread's recordings muted, unless they are
/// already: then `emit` is an event a subscriber's own send raised, and is skipped.
#[cfg(feature = "tracing")]
fn emitting(emit: impl FnOnce()) {
    /// Puts the thread's state back after the event, even if the subscriber panics.
    struct Resume(State);
    impl Drop for Resume {
        fn drop(&mut self) {
            NOTES.with(|notes| notes.state.set(self.0));
        }
    }
    let was = NOTES.with(|notes| notes.state.replace(State::Reporting));
    if was == State::Reporting {
        return;
    }
    let _resume = Resume(was);
    emit();
}

/// Runs `degrade` with the notes of this thread gathered, hands them to `report` with what
/// `degrade` returned (unless there are none: `report` then decides whether what was
/// degraded is sent, a value the guard refused being no fallback), and returns what
/// `degrade` returned. Nests: a recording inside `degrade` (a `via` that prepares another
/// value) keeps its own notes, and the outer one resumes after it, even if `degrade`
/// panics. A recording that an event of `report` starts (a `tracing` subscriber that
/// sends) gathers nothing.
pub(crate) fn recording<R>(
    degrade: impl FnOnce() -> R,
    report: impl FnOnce(&R, &Applied<'_>),
) -> R {
    /// Ends the recording, normally or while unwinding: the notes go back to the recording
    /// this one interrupted, if any, or the thread to idle. `None` inside a report: nothing
    /// was started, nothing is ended.
    struct End(Option<Option<Outer>>);
    impl Drop for End {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                NOTES.with(|notes| notes.restore(outer));
            }
        }
    }
    let start = NOTES.with(|notes| match notes.state.replace(State::Recording) {
        State::Idle => Some(None),
        State::Recording => Some(Some(Outer {
            first: notes.first.take(),
            others: notes
                .crowded
                .replace(false)
                .then(|| notes.others.try_borrow_mut().ok())
                .flatten()
                .map(|mut others| core::mem::take(&mut *others)),
        })),
        State::Reporting => {
            notes.state.set(State::Reporting);
            None
        }
    });
    let end = End(start);
    let out = degrade();
    if end.0.is_some() {
        NOTES.with(|notes| {
            let Some(first) = notes.first.take() else {
                return;
            };
            let others = notes
                .crowded
                .get()
                .then(|| notes.others.try_borrow().ok())
                .flatten();
            report(
                &out,
                &Applied {
                    first,
                    others: others.as_deref(),
                },
            );
        });
    }
    drop(end);
    out
}

/// The values sent to one peer in an older form: how many, and the rate limits of the
/// events about them. A census row holds one for each peer, shared by the sessions with it
/// ([`Census::count_fallbacks_of`](crate::census::Census::count_fallbacks_of)); a session
/// not counted in a census makes its own on its first fallback.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    count: AtomicU64,
    /// One rate limit per variant, by a hash of its name (two variants may share one), so
    /// that a busy fallback does not hide another's warning.
    #[cfg_attr(
        not(feature = "tracing"),
        allow(dead_code, reason = "read by the events")
    )]
    throttles: [Throttle; THROTTLES],
}

/// How many rate limits a [`Sent`] keeps.
const THROTTLES: usize = 8;

/// Who sent to whom, for the events: `component@version` of this end, and the peer.
#[cfg_attr(
    not(feature = "tracing"),
    allow(dead_code, reason = "read by the events")
)]
#[derive(Clone)]
pub(crate) struct Ends<'a> {
    pub(crate) local: (&'a str, &'a str),
    pub(crate) peer: (&'a str, &'a str),
}

impl Sent {
    /// The values counted so far.
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Counts what one send degraded and, with feature `tracing`, reports each variant.
    /// `ends` is asked only for an event that goes out.
    #[inline]
    pub(crate) fn record<'e>(&self, applied: &Applied<'_>, ends: impl Fn() -> Ends<'e>) {
        self.count.fetch_add(applied.total(), Ordering::Relaxed);
        // No subscriber at `warn` or below anywhere (tracing's global maximum, one atomic
        // load): no event, and nothing else looked at.
        #[cfg(feature = "tracing")]
        if tracing::level_enabled!(tracing::Level::WARN) {
            self.report_all(applied, &ends);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = ends;
    }

    /// The events of [`Sent::record`], out of its way.
    #[cfg(feature = "tracing")]
    #[cold]
    #[inline(never)]
    fn report_all<'e>(&self, applied: &Applied<'_>, ends: &impl Fn() -> Ends<'e>) {
        for degraded in applied.degraded() {
            self.report(degraded, ends);
        }
    }

    /// One event per degraded variant, rate-limited per peer and variant: at `warn` when a
    /// fallback followed says what the peer loses (`warn = "..."`), else at `info`.
    #[cfg(feature = "tracing")]
    fn report<'e>(&self, degraded: &Degraded, ends: &impl Fn() -> Ends<'e>) {
        // Nothing listens at `warn` (the usual case without a subscriber): done, before
        // walking the chain for its warnings.
        if !tracing::enabled!(tracing::Level::WARN) {
            return;
        }
        let warned = degraded.steps().any(|f| f.warn.is_some());
        if !warned && !tracing::enabled!(tracing::Level::INFO) {
            return;
        }
        emitting(|| self.emit(degraded, ends));
    }

    /// The event about `degraded`, once per interval of its rate limit.
    #[cfg(feature = "tracing")]
    fn emit<'e>(&self, degraded: &Degraded, ends: &impl Fn() -> Ends<'e>) {
        let slot = degraded.from.name.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        let Some(repeated) = self.throttles[slot % THROTTLES].admit() else {
            return;
        };
        let ends = ends();
        let local = format!("{}@{}", ends.local.0, ends.local.1);
        let (component, peer_version) = ends.peer;
        let (message, variant, fallback, since) = (
            degraded.message.name,
            degraded.from.name,
            degraded.to.name,
            degraded.from.since,
        );
        let count = degraded.count;
        match degraded.warning() {
            Some(warning) => tracing::warn!(
                local = local.as_str(),
                component,
                peer_version,
                outcome = "fallback",
                message_type = message,
                variant,
                since,
                fallback,
                warning = warning.as_str(),
                count,
                repeated,
                "compat: sent `{message}::{fallback}` instead of `{variant}` to {component} \
                 {peer_version}, which predates it ({since}): {warning}"
            ),
            None => tracing::info!(
                local = local.as_str(),
                component,
                peer_version,
                outcome = "fallback",
                message_type = message,
                variant,
                since,
                fallback,
                count,
                repeated,
                "compat: sent `{message}::{fallback}` instead of `{variant}` to {component} \
                 {peer_version}, which predates it ({since})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::__private::{NO_RULE, same};
    use crate::message::{Kind, Shape};

    const fn unit(name: &'static str, since: &'static str, fallback: Option<Fallback>) -> Variant {
        Variant {
            name,
            wire: same(name),
            rename_all: NO_RULE,
            since,
            catch_all: false,
            shape: Shape::Unit,
            fields: &[],
            fallback,
        }
    }

    static VARIANTS: [Variant; 3] = [
        unit("ReadDir", "1.0.0", None),
        unit(
            "ReadDirBatch",
            "1.9.0",
            Some(Fallback {
                to: "ReadDir",
                warn: Some("one entry per request"),
            }),
        ),
        unit(
            "ReadDirV3",
            "1.17.0",
            Some(Fallback {
                to: "ReadDirBatch",
                warn: Some("no file types"),
            }),
        ),
    ];
    /// What a recording handed its report, copied out.
    #[derive(Debug, Default, PartialEq)]
    struct Noted {
        degraded: Vec<Degraded>,
        more: u64,
    }

    impl Noted {
        fn degraded(&self) -> impl Iterator<Item = &Degraded> {
            self.degraded.iter()
        }

        fn total(&self) -> u64 {
            self.degraded.iter().map(|d| d.count).sum::<u64>() + self.more
        }
    }

    /// What `degrade` noted, as a recording hands it to its report.
    fn recorded<R>(degrade: impl FnOnce() -> R) -> (R, Noted) {
        let mut noted = Noted::default();
        let out = recording(degrade, |_, applied| {
            assert_eq!(noted, Noted::default(), "one report per recording");
            noted = Noted {
                degraded: applied.degraded().copied().collect(),
                more: applied.more(),
            };
        });
        (out, noted)
    }

    static REQUEST: Message = crate::message::__private::message(
        "FileRequest",
        "1.0.0",
        0,
        &[],
        Kind::Enum,
        &[],
        &VARIANTS,
    );

    #[test]
    fn notes_outside_a_recording_are_dropped_and_inside_one_are_counted() {
        fell_back(&REQUEST, 1, 0);
        let ((), applied) = recorded(|| {
            fell_back(&REQUEST, 1, 0);
            fell_back(&REQUEST, 1, 0);
            // Not a variant with a fallback, or not a variant: nothing to note.
            fell_back(&REQUEST, 0, 0);
            fell_back(&REQUEST, 7, 0);
        });
        let degraded: Vec<&Degraded> = applied.degraded().collect();
        assert_eq!(degraded.len(), 1);
        assert_eq!(degraded[0].from.name, "ReadDirBatch");
        assert_eq!(degraded[0].to.name, "ReadDir");
        assert_eq!(applied.total(), 2);
        assert_eq!(recorded(|| {}).1, Noted::default());
    }

    #[test]
    fn a_chain_says_every_warning_on_the_way_in_order() {
        let ((), applied) = recorded(|| fell_back(&REQUEST, 2, 0));
        let degraded = *applied.degraded().next().unwrap();
        assert_eq!(
            (degraded.from.name, degraded.to.name),
            ("ReadDirV3", "ReadDir")
        );
        assert_eq!(
            degraded.warning().as_deref(),
            Some("no file types; one entry per request")
        );
        let ((), applied) = recorded(|| fell_back(&REQUEST, 2, 1));
        let degraded = applied.degraded().next().unwrap();
        assert_eq!(degraded.warning().as_deref(), Some("no file types"));
    }

    #[test]
    fn a_send_lists_a_bounded_number_of_variants_and_counts_the_rest() {
        let ((), applied) = recorded(|| {
            for _ in 0..3 {
                fell_back(&REQUEST, 2, 0);
            }
            fell_back(&REQUEST, 2, 1);
            fell_back(&REQUEST, 1, 0);
        });
        assert_eq!(applied.degraded().count(), 3);
        assert_eq!(applied.degraded().next().unwrap().count, 3);
        assert_eq!(applied.total(), 5);
        let ((), many) = recorded(|| {
            NOTES.with(|notes| {
                for _ in 0..DISTINCT + 4 {
                    // Distinct by identity: leaked copies of one variant.
                    let from: &'static Variant = Box::leak(Box::new(VARIANTS[1]));
                    notes.note(&REQUEST, from, &VARIANTS[0]);
                }
            });
        });
        assert_eq!((many.degraded().count(), many.more), (DISTINCT, 4));
        assert_eq!(many.total(), (DISTINCT + 4) as u64);
    }

    #[test]
    fn a_recording_inside_another_keeps_its_own_notes_and_the_outer_one_resumes() {
        let mut inner = Noted::default();
        let ((), outer) = recorded(|| {
            fell_back(&REQUEST, 1, 0);
            inner = recorded(|| fell_back(&REQUEST, 1, 0)).1;
            fell_back(&REQUEST, 1, 0);
        });
        assert_eq!((outer.total(), inner.total()), (2, 1));
    }

    #[cfg(feature = "tracing")]
    #[test]
    fn a_recording_an_event_starts_gathers_nothing_and_the_thread_is_idle_after() {
        let reports = Cell::new(0);
        recording(
            || fell_back(&REQUEST, 1, 0),
            |(), applied| {
                assert_eq!(applied.total(), 1);
                reports.set(reports.get() + 1);
                // The event going out, to a subscriber that sends: its fallback is neither
                // noted nor reported, and an event of its own is skipped.
                emitting(|| {
                    recording(|| fell_back(&REQUEST, 1, 0), |_, _| reports.set(100));
                    emitting(|| reports.set(200));
                });
            },
        );
        assert_eq!(reports.get(), 1);
        assert_eq!(recorded(|| fell_back(&REQUEST, 2, 0)).1.total(), 1);
        NOTES.with(|notes| assert_eq!(notes.state.get(), State::Idle));
    }

    #[test]
    fn a_panic_inside_a_recording_leaves_no_recording_behind() {
        let panicked = std::panic::catch_unwind(|| recorded(|| panic!("via failed"))).is_err();
        assert!(panicked);
        NOTES.with(|notes| {
            assert_eq!(notes.state.get(), State::Idle);
            assert_eq!((notes.first.get(), notes.crowded.get()), (None, false));
        });
    }

    /// A subscriber that writes each event as `LEVEL field=value ...` lines.
    #[cfg(feature = "tracing")]
    mod capture {
        use std::fmt::Write;
        use std::sync::{Arc, Mutex};
        use tracing::field::{Field, Visit};
        use tracing::span::{Attributes, Id, Record};
        use tracing::{Event, Metadata, subscriber::Interest};

        #[derive(Clone, Default)]
        pub(super) struct Lines(pub(super) Arc<Mutex<Vec<String>>>);

        struct Line<'a>(&'a mut String);

        impl Visit for Line<'_> {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                let _ = write!(self.0, " {}={value:?}", field.name());
            }
        }

        impl tracing::Subscriber for Lines {
            fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
                Interest::sometimes()
            }
            fn enabled(&self, _: &Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &Attributes<'_>) -> Id {
                Id::from_u64(1)
            }
            fn record(&self, _: &Id, _: &Record<'_>) {}
            fn record_follows_from(&self, _: &Id, _: &Id) {}
            fn event(&self, event: &Event<'_>) {
                let mut line = event.metadata().level().to_string();
                event.record(&mut Line(&mut line));
                self.0.lock().unwrap().push(line);
            }
            fn enter(&self, _: &Id) {}
            fn exit(&self, _: &Id) {}
        }
    }

    #[cfg(feature = "tracing")]
    #[test]
    fn each_degraded_variant_is_one_event_with_its_warning_once_per_interval() {
        let lines = capture::Lines::default();
        let sent = Sent::default();
        let ends = Ends {
            local: ("layer", "1.19.0"),
            peer: ("agent", "1.14.0"),
        };
        tracing::subscriber::with_default(lines.clone(), || {
            let chain = || {
                fell_back(&REQUEST, 2, 0);
                fell_back(&REQUEST, 2, 0);
            };
            recording(chain, |(), chain| {
                sent.record(chain, || ends.clone());
                // The same variant again within the interval: counted, not reported.
                sent.record(chain, || ends.clone());
            });
        });
        let lines = lines.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        for field in [
            "WARN",
            "local=\"layer@1.19.0\"",
            "component=\"agent\"",
            "peer_version=\"1.14.0\"",
            "outcome=\"fallback\"",
            "message_type=\"FileRequest\"",
            "variant=\"ReadDirV3\"",
            "since=\"1.17.0\"",
            "fallback=\"ReadDir\"",
            "warning=\"no file types; one entry per request\"",
            "count=2",
            "repeated=0",
            "compat: sent `FileRequest::ReadDir` instead of `ReadDirV3` to agent 1.14.0, which \
             predates it (1.17.0): no file types; one entry per request",
        ] {
            assert!(lines[0].contains(field), "{field} in {}", lines[0]);
        }
        assert_eq!(sent.count(), 4);
    }

    /// A session over a handshake of two endpoints reports what `prepare` degraded: one
    /// event per send (rate-limited), with the variant, the fallback, the peer and the
    /// warning; the census counts every value. The message's guard is written by hand as
    /// the derive writes it (the derive's own output is tested in tests/fallbacks.rs).
    #[cfg(all(feature = "tracing", feature = "build"))]
    mod session {
        use super::capture::Lines;
        use super::{Fallback, unit};
        use crate::census::Census;
        use crate::handshake::Endpoint;
        use crate::message::Fell;
        use crate::message::{Compat, Kind, Message, Route, Variant};
        use crate::packed::pack_release;
        use crate::unreadable::{Part, Unknown};
        use std::borrow::Cow;

        const V2: u64 = pack_release("1.18.0");
        static VARIANTS: [Variant; 2] = [
            unit("StatFs", "1.0.0", None),
            unit(
                "StatFsV2",
                "1.18.0",
                Some(Fallback {
                    to: "StatFs",
                    warn: Some("the block size is lost"),
                }),
            ),
        ];
        static ROUTES: [Route; 1] = [Route {
            from: "layer",
            to: "agent",
        }];
        static TABLE: Message = crate::message::__private::message(
            "FileRequest",
            "1.0.0",
            V2,
            &ROUTES,
            Kind::Enum,
            &[],
            &VARIANTS,
        );

        #[derive(Clone, Debug, PartialEq)]
        enum FileRequest {
            StatFs,
            StatFsV2,
        }

        impl Compat for FileRequest {
            const MESSAGE: &'static Message = &TABLE;

            fn __unreadable(&self, peer: u64) -> Option<Unknown> {
                (*self == FileRequest::StatFsV2 && peer < V2).then_some(Unknown {
                    message: "FileRequest",
                    part: Part::Variant("StatFsV2"),
                    since: "1.18.0",
                })
            }

            fn __needs_strip(&self, peer: u64) -> bool {
                *self == FileRequest::StatFsV2 && peer < V2
            }

            fn __strip(&mut self, peer: u64) {
                if let Some(to) = super::super::fall_back(self, peer) {
                    *self = to;
                }
            }

            fn __degrade(&self, peer: u64) -> Option<(Self, Fell)> {
                // `StatFs` is as old as the enum: the peer reads it.
                (*self == FileRequest::StatFsV2 && peer < V2)
                    .then(|| (FileRequest::StatFs, Fell::new(&TABLE, 1, 0, true)))
            }
        }

        #[test]
        fn prepare_reports_each_fallback_it_sends_and_the_census_counts_it() {
            let policy = crate::Policy::from_toml(
                "compat.toml",
                "[components]\nlayer = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
                 peer = \"layer\"\nnewer = \"none\"\nolder = \"5 minor\"\n",
            )
            .unwrap();
            static MESSAGES: &[&Message] = &[&TABLE];
            let layer = Endpoint::new(&policy, "layer", "1.19.0", MESSAGES).unwrap();
            let agent = Endpoint::new(&policy, "agent", "1.14.0", MESSAGES).unwrap();
            let session = layer.accept(agent.hello()).unwrap();
            let census = Census::new();
            assert!(census.count_fallbacks_of(&session));
            let lines = Lines::default();
            tracing::subscriber::with_default(lines.clone(), || {
                for _ in 0..3 {
                    let sent = session.prepare(&FileRequest::StatFsV2).unwrap();
                    assert_eq!(sent, Cow::<FileRequest>::Owned(FileRequest::StatFs));
                }
                // What needs no fallback is neither reported nor counted.
                let sent = session.prepare(&FileRequest::StatFs).unwrap();
                assert!(matches!(sent, Cow::Borrowed(_)));
            });
            let lines = lines.0.lock().unwrap().clone();
            assert_eq!(lines.len(), 1, "{lines:?}");
            for field in [
                "WARN",
                "local=\"layer@1.19.0\"",
                "component=\"agent\"",
                "peer_version=\"1.14.0\"",
                "outcome=\"fallback\"",
                "variant=\"StatFsV2\"",
                "fallback=\"StatFs\"",
                "warning=\"the block size is lost\"",
                "compat: sent `FileRequest::StatFs` instead of `StatFsV2` to agent 1.14.0, \
                 which predates it (1.18.0): the block size is lost",
            ] {
                assert!(lines[0].contains(field), "{field} in {}", lines[0]);
            }
            assert_eq!(census.snapshot().get("agent@1.14.0").unwrap().fallbacks, 3);
        }
    }
}
