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
//! only counted.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::message::{Fallback, Message, Variant};
use crate::throttle::Throttle;

/// The most distinct degraded variants one send lists; further ones are counted in
/// [`Applied::more`].
pub(crate) const DISTINCT: usize = 4;

thread_local! {
    /// The notes of the recording running on this thread; empty and inactive between
    /// recordings, so that starting one moves nothing (measured: moving the notes in and out
    /// was most of the cost of a fallback, benches/fallback.rs).
    static APPLIED: RefCell<Applied> = const { RefCell::new(Applied::EMPTY) };
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

/// What one recording gathered, in place (a send that degrades allocates nothing for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    /// Whether a recording is gathering notes here (the thread's cell only).
    active: bool,
    listed: [Option<Degraded>; DISTINCT],
    /// Degradations of variants past the first [`DISTINCT`].
    pub(crate) more: u64,
}

impl Default for Applied {
    fn default() -> Self {
        Applied::EMPTY
    }
}

impl Applied {
    const EMPTY: Applied = Applied {
        active: false,
        listed: [None; DISTINCT],
        more: 0,
    };

    fn note(&mut self, message: &'static Message, from: &'static Variant, to: &'static Variant) {
        let same = |d: &Degraded| core::ptr::eq(d.from, from) && core::ptr::eq(d.to, to);
        if let Some(seen) = self.listed.iter_mut().flatten().find(|d| same(d)) {
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

    /// Empty and inactive, as between recordings.
    fn clear(&mut self) {
        self.active = false;
        self.listed = [None; DISTINCT];
        self.more = 0;
    }

    /// The variants degraded, in the order first seen.
    pub(crate) fn degraded(&self) -> impl Iterator<Item = &Degraded> {
        self.listed.iter().flatten()
    }

    /// Every degradation, counted.
    pub(crate) fn total(&self) -> u64 {
        self.degraded().map(|d| d.count).sum::<u64>() + self.more
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
    APPLIED.with(|applied| {
        // A `via` that sends through a session of its own is recording already: its notes
        // go to its own recording, which holds the cell; this one is skipped, never a panic.
        if let Ok(mut applied) = applied.try_borrow_mut()
            && applied.active
        {
            applied.note(message, from, to);
        }
    });
}

/// Runs `degrade` with the notes of this thread gathered, hands them to `report` (unless
/// there are none), and returns what `degrade` returned. The notes are read where they
/// were gathered, never moved: most of a fallback's cost was moving them
/// (benches/fallback.rs). Nests: a recording inside `degrade` (a `via` that prepares
/// another value) keeps its own notes, and the outer one resumes after it, even if
/// `degrade` panics. `report` runs with the notes borrowed: a recording it starts itself
/// (a `tracing` subscriber that sends) gathers nothing.
pub(crate) fn recording<R>(degrade: impl FnOnce() -> R, report: impl FnOnce(&Applied)) -> R {
    /// Ends the recording, normally or while unwinding: the cell goes back to the recording
    /// this one interrupted, if any, or to empty and inactive.
    struct End(Option<Applied>);
    impl Drop for End {
        fn drop(&mut self) {
            let outer = self.0.take();
            APPLIED.with(|applied| {
                if let Ok(mut applied) = applied.try_borrow_mut() {
                    match outer {
                        Some(outer) => *applied = outer,
                        None => applied.clear(),
                    }
                }
            });
        }
    }
    let outer = APPLIED.with(|applied| {
        let mut applied = applied.try_borrow_mut().ok()?;
        if applied.active {
            let fresh = Applied {
                active: true,
                ..Applied::EMPTY
            };
            return Some(core::mem::replace(&mut *applied, fresh));
        }
        applied.active = true;
        None
    });
    let end = End(outer);
    let out = degrade();
    APPLIED.with(|applied| {
        if let Ok(applied) = applied.try_borrow()
            && (applied.listed[0].is_some() || applied.more > 0)
        {
            report(&applied);
        }
    });
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
    pub(crate) fn record(&self, applied: &Applied, ends: &Ends<'_>) {
        self.count.fetch_add(applied.total(), Ordering::Relaxed);
        #[cfg(feature = "tracing")]
        for degraded in applied.degraded() {
            self.report(degraded, ends);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = ends;
    }

    /// One event per degraded variant, rate-limited per peer and variant: at `warn` when a
    /// fallback followed says what the peer loses (`warn = "..."`), else at `info`.
    #[cfg(feature = "tracing")]
    fn report(&self, degraded: &Degraded, ends: &Ends<'_>) {
        // Nothing listens at `warn` (the usual case without a subscriber): done, before
        // walking the chain for its warnings.
        if !tracing::enabled!(tracing::Level::WARN) {
            return;
        }
        let warned = degraded.steps().any(|f| f.warn.is_some());
        if !warned && !tracing::enabled!(tracing::Level::INFO) {
            return;
        }
        let slot = degraded.from.name.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        let Some(repeated) = self.throttles[slot % THROTTLES].admit() else {
            return;
        };
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
                message,
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
                message,
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
    /// What `degrade` noted, as a recording hands it to its report.
    fn recorded<R>(degrade: impl FnOnce() -> R) -> (R, Applied) {
        let mut notes = Applied::default();
        let out = recording(degrade, |applied| notes = applied.clone());
        notes.active = false;
        (out, notes)
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
        assert_eq!(recorded(|| {}).1, Applied::default());
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
        let mut many = Applied::default();
        for _ in 0..DISTINCT + 4 {
            // Distinct by identity: leaked copies of one variant.
            let from: &'static Variant = Box::leak(Box::new(VARIANTS[1]));
            many.note(&REQUEST, from, &VARIANTS[0]);
        }
        assert_eq!((many.degraded().count(), many.more), (DISTINCT, 4));
        assert_eq!(many.total(), (DISTINCT + 4) as u64);
    }

    #[test]
    fn a_recording_inside_another_keeps_its_own_notes_and_the_outer_one_resumes() {
        let mut inner = Applied::default();
        let ((), outer) = recorded(|| {
            fell_back(&REQUEST, 1, 0);
            inner = recorded(|| fell_back(&REQUEST, 1, 0)).1;
            fell_back(&REQUEST, 1, 0);
        });
        assert_eq!((outer.total(), inner.total()), (2, 1));
    }

    #[test]
    fn a_panic_inside_a_recording_leaves_no_recording_behind() {
        let panicked = std::panic::catch_unwind(|| recorded(|| panic!("via failed"))).is_err();
        assert!(panicked);
        APPLIED.with(|applied| assert_eq!(*applied.borrow(), Applied::EMPTY));
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
            let ((), chain) = recorded(|| {
                fell_back(&REQUEST, 2, 0);
                fell_back(&REQUEST, 2, 0);
            });
            sent.record(&chain, &ends);
            // The same variant again within the interval: counted, not reported.
            sent.record(&chain, &ends);
        });
        let lines = lines.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        for field in [
            "WARN",
            "local=\"layer@1.19.0\"",
            "component=\"agent\"",
            "peer_version=\"1.14.0\"",
            "outcome=\"fallback\"",
            "message=\"FileRequest\"",
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
        use super::{Fallback, fell_back, unit};
        use crate::census::Census;
        use crate::handshake::Endpoint;
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
                if let Some(to) = self.__fall_back(peer) {
                    *self = to;
                }
            }

            fn __fall_back(&self, peer: u64) -> Option<Self> {
                (*self == FileRequest::StatFsV2 && peer < V2).then(|| {
                    fell_back(&TABLE, 1, 0);
                    FileRequest::StatFs
                })
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
