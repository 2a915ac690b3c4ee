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
pub(crate) const DISTINCT: usize = 8;

thread_local! {
    static APPLIED: RefCell<Option<Applied>> = const { RefCell::new(None) };
}

/// One variant a send degraded, and how many times (a `Vec` of requests may hold many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Degraded {
    /// The enum.
    pub(crate) message: &'static Message,
    /// The variant that was replaced, with its fallback.
    pub(crate) variant: &'static Variant,
    /// What it was replaced with.
    pub(crate) fallback: Fallback,
    pub(crate) count: u64,
}

/// What one recording gathered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    pub(crate) degraded: Vec<Degraded>,
    /// Degradations of variants past the first [`DISTINCT`].
    pub(crate) more: u64,
}

impl Applied {
    fn note(&mut self, message: &'static Message, variant: &'static Variant, fallback: Fallback) {
        if let Some(seen) = self
            .degraded
            .iter_mut()
            .find(|d| core::ptr::eq(d.variant, variant))
        {
            seen.count += 1;
        } else if self.degraded.len() < DISTINCT {
            self.degraded.push(Degraded {
                message,
                variant,
                fallback,
                count: 1,
            });
        } else {
            self.more += 1;
        }
    }

    /// Every degradation, counted.
    pub(crate) fn total(&self) -> u64 {
        self.degraded.iter().map(|d| d.count).sum::<u64>() + self.more
    }
}

/// Notes that the guard replaced variant `variant` (its index in `message`'s table) with
/// its fallback. Called by the code `#[derive(Compat)]` writes, through `__g::fell_back`.
#[inline(never)]
pub fn fell_back(message: &'static Message, variant: usize) {
    let Some(entry) = message.variants.get(variant) else {
        return;
    };
    let Some(fallback) = entry.fallback else {
        return;
    };
    APPLIED.with(|applied| {
        // A `via` that sends through a session of its own is recording already: its notes
        // go to its own recording, which holds the cell; this one is skipped, never a panic.
        if let Ok(mut applied) = applied.try_borrow_mut()
            && let Some(applied) = applied.as_mut()
        {
            applied.note(message, entry, fallback);
        }
    });
}

/// Runs `degrade` with the notes of this thread gathered, and returns them. Nests: a
/// recording inside `degrade` (a `via` that prepares another value) keeps its own notes,
/// and the outer one resumes after it, even if `degrade` panics.
pub(crate) fn recording(degrade: impl FnOnce()) -> Applied {
    struct Resume(Option<Applied>);
    impl Drop for Resume {
        fn drop(&mut self) {
            let outer = self.0.take();
            APPLIED.with(|applied| {
                if let Ok(mut applied) = applied.try_borrow_mut() {
                    *applied = outer;
                }
            });
        }
    }
    let outer = APPLIED.with(|applied| applied.replace(Some(Applied::default())));
    let resume = Resume(outer);
    degrade();
    let gathered = APPLIED.with(|applied| applied.borrow_mut().take());
    drop(resume);
    gathered.unwrap_or_default()
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
        for degraded in &applied.degraded {
            self.report(degraded, ends);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = ends;
    }

    /// One event per degraded variant, rate-limited per peer and variant: at `warn` when
    /// the fallback says what the peer loses (`warn = "..."`), else at `info`.
    #[cfg(feature = "tracing")]
    fn report(&self, degraded: &Degraded, ends: &Ends<'_>) {
        let level_on = if degraded.fallback.warn.is_some() {
            tracing::enabled!(tracing::Level::WARN)
        } else {
            tracing::enabled!(tracing::Level::INFO)
        };
        if !level_on {
            return;
        }
        let slot = degraded.variant.name.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        let Some(repeated) = self.throttles[slot % THROTTLES].admit() else {
            return;
        };
        let local = format!("{}@{}", ends.local.0, ends.local.1);
        let (component, peer_version) = ends.peer;
        let (message, variant, fallback) = (
            degraded.message.name,
            degraded.variant.name,
            degraded.fallback.to,
        );
        let count = degraded.count;
        let since = degraded.variant.since;
        match degraded.fallback.warn {
            Some(warning) => tracing::warn!(
                local = local.as_str(),
                component,
                peer_version,
                outcome = "fallback",
                message,
                variant,
                since,
                fallback,
                warning,
                count,
                repeated,
                "compat: `{message}::{variant}` fell back to `{fallback}` for {component} \
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
                "compat: `{message}::{variant}` fell back to `{fallback}` for {component} \
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

    static VARIANTS: [Variant; 2] = [
        Variant {
            name: "StatFs",
            wire: same("StatFs"),
            rename_all: NO_RULE,
            since: "1.0.0",
            catch_all: false,
            shape: Shape::Unit,
            fields: &[],
            fallback: None,
        },
        Variant {
            name: "StatFsV2",
            wire: same("StatFsV2"),
            rename_all: NO_RULE,
            since: "1.18.0",
            catch_all: false,
            shape: Shape::Unit,
            fields: &[],
            fallback: Some(Fallback {
                to: "StatFs",
                warn: None,
            }),
        },
    ];
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
        fell_back(&REQUEST, 1);
        let applied = recording(|| {
            fell_back(&REQUEST, 1);
            fell_back(&REQUEST, 1);
            // Not a variant with a fallback, or not a variant: nothing to note.
            fell_back(&REQUEST, 0);
            fell_back(&REQUEST, 7);
        });
        assert_eq!(applied.degraded.len(), 1);
        assert_eq!(applied.degraded[0].variant.name, "StatFsV2");
        assert_eq!(applied.degraded[0].fallback.to, "StatFs");
        assert_eq!(applied.total(), 2);
        assert_eq!(recording(|| {}), Applied::default());
    }

    #[test]
    fn a_recording_inside_another_keeps_its_own_notes_and_the_outer_one_resumes() {
        let mut inner = Applied::default();
        let outer = recording(|| {
            fell_back(&REQUEST, 1);
            inner = recording(|| fell_back(&REQUEST, 1));
            fell_back(&REQUEST, 1);
        });
        assert_eq!((outer.total(), inner.total()), (2, 1));
    }

    #[test]
    fn a_panic_inside_a_recording_leaves_no_recording_behind() {
        let panicked = std::panic::catch_unwind(|| recording(|| panic!("via failed"))).is_err();
        assert!(panicked);
        APPLIED.with(|applied| assert!(applied.borrow().is_none()));
    }
}
