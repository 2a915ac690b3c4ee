//! `Policy::check` on parsed peers allocates nothing when it accepts: a counting global
//! allocator (this test binary's own) proves it for every seed policy.
//!
//! The count is per thread, so the test harness's other threads cannot disturb it.

// A global allocator is an `unsafe impl`; it only forwards to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use compat_runtime::{Peer, Policy};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while the thread shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter is a const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded from the caller, who upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above; `ptr` came from this allocator, that is from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations_in<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    let after = ALLOCATIONS.with(Cell::get);
    (out, after - before)
}

fn policy(system: &str) -> Policy {
    let path = format!(
        "{}/examples/{system}/compat.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    Policy::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts each pair is accepted, in both orders, without a single allocation.
#[track_caller]
fn assert_accepts_without_allocating(system: &str, pairs: &[(&str, &str)]) {
    let policy = policy(system);
    let parsed: Vec<(Peer, Peer)> = pairs
        .iter()
        .map(|(a, b)| (policy.peer(a).unwrap(), policy.peer(b).unwrap()))
        .collect();
    for ((a, b), (ta, tb)) in parsed.iter().zip(pairs) {
        for (x, y) in [(a, b), (b, a)] {
            let (verdict, allocations) = allocations_in(|| policy.check(x, y).is_ok());
            assert!(verdict, "{system}: {ta} and {tb} should be accepted");
            assert_eq!(
                allocations, 0,
                "{system}: accepting {ta} and {tb} allocated"
            );
        }
    }
}

#[test]
fn the_counter_sees_allocations() {
    let (v, allocations) = allocations_in(|| vec![1u8; 64]);
    assert_eq!(v.len(), 64);
    assert!(allocations >= 1);
    // And a refusal, which carries owned text, does allocate: the counter is not blind.
    let policy = policy("spire");
    let (agent, server) = (
        policy.peer("agent@0.9.3").unwrap(),
        policy.peer("server@0.9.2").unwrap(),
    );
    let (verdict, allocations) = allocations_in(|| policy.check(&agent, &server).is_err());
    assert!(verdict);
    assert!(allocations > 0);
}

#[test]
fn spire_accepts_without_allocating() {
    assert_accepts_without_allocating(
        "spire",
        &[
            ("agent@0.8.0", "server@0.9.2"),
            ("agent@0.9.2", "server@0.9.3"),
            ("server@0.8.1", "server@0.9.3"),
            ("agent@0.9.3", "agent@0.8.0"),
        ],
    );
}

#[test]
fn mirrord_accepts_without_allocating() {
    assert_accepts_without_allocating(
        "mirrord",
        &[
            ("license-server@3.9.0", "operator@3.1.0"),
            ("agent@3.4.1", "operator@3.4.1"),
            ("cli@3.0.0", "agent@3.7.2"),
        ],
    );
}

#[test]
fn gullveig_accepts_without_allocating() {
    assert_accepts_without_allocating(
        "gullveig",
        &[
            ("agent@1.1.5", "server@1.9.0"),
            ("web@1.1.5", "server@1.1.5"),
            ("agent@0.7.3", "server@0.7.3"),
            ("web@1.0.0", "agent@1.9.0"),
        ],
    );
}

#[test]
fn teleport_accepts_without_allocating() {
    assert_accepts_without_allocating(
        "teleport",
        &[
            ("auth@8.0.1", "node@7.1.2"),
            ("tsh@4.0.1", "tctl@4.0.3"),
            ("proxy@4.1.0", "auth@4.2.0"),
            ("auth@6.0.0-rc.3", "node@6.0.0"),
            ("auth@6.0.0-beta.1", "node@6.0.0-alpha.2"),
            ("node@6.0.0+build.7", "proxy@6.0.0"),
        ],
    );
}

#[test]
fn phoenix_accepts_without_allocating() {
    assert_accepts_without_allocating(
        "phoenix",
        &[
            ("client@4.1.0", "server@4.3.2"),
            ("client@4.2.1", "server@4.2.0"),
            ("client@4.3.0", "client@4.5.0"),
            ("server@4.2.0", "server@4.3.0"),
        ],
    );
}

mod guard {
    use compat_runtime::handshake::Endpoint;
    use compat_runtime::{Compat, Message, Policy};

    #[derive(Clone, Compat)]
    #[compat(from = "server", to = "agent")]
    #[since("0.0.1")]
    pub(crate) struct Update {
        pub(crate) svids: Vec<String>,
        #[since("0.1.0")]
        pub(crate) revision: Option<u64>,
    }

    static MESSAGES: &[&Message] = &[Update::MESSAGE];

    #[test]
    fn the_send_guard_allocates_nothing_on_its_fast_path() {
        let policy = Policy::from_toml(
            "compat.toml",
            "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
             peer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n",
        )
        .unwrap();
        let server = Endpoint::new(&policy, "server", "0.1.0", MESSAGES).unwrap();
        let agent = Endpoint::new(&policy, "agent", "0.1.0", MESSAGES).unwrap();
        let session = server.accept(agent.hello()).unwrap();
        let value = Update {
            svids: vec!["spiffe://example.org/a".into()],
            revision: Some(3),
        };
        let (ok, n) = super::allocations_in(|| session.guard(&value).is_ok());
        assert!(ok);
        assert_eq!(n, 0, "the guard allocated on its fast path");
        let (borrowed, n) = super::allocations_in(|| {
            matches!(session.prepare(&value), Ok(std::borrow::Cow::Borrowed(_)))
        });
        assert!(borrowed);
        assert_eq!(n, 0, "prepare allocated for a peer that knows the message");
        assert_eq!(value.svids.len() + usize::from(value.revision.is_some()), 2);
    }
}

#[allow(
    dead_code,
    reason = "the variants are the shapes the guard walks; the test builds only some of them"
)]
mod fallback {
    use compat_runtime::handshake::Endpoint;
    use compat_runtime::{Compat, Message, Policy};

    fn first(v2: &(u64, u64)) -> u64 {
        v2.0
    }

    #[derive(Clone, Compat)]
    #[compat(from = "layer", to = "agent")]
    #[since("0.0.1")]
    pub(crate) enum Request {
        ReadDir(u64),
        #[since("0.0.9")]
        #[compat(fallback = "ReadDir", via = "first")]
        ReadDirBatch((u64, u64)),
        #[compat(other)]
        Unknown,
    }

    #[derive(Clone, Compat)]
    #[compat(from = "layer", to = "agent")]
    #[since("0.0.1")]
    pub(crate) enum Outer {
        Request(Request),
        Many(Vec<Request>),
        #[compat(other)]
        Unknown,
    }

    static MESSAGES: &[&Message] = &[Outer::MESSAGE, Request::MESSAGE];

    /// A variant with a fallback costs a peer that knows it what any message costs: one
    /// compare, no copy, no allocation, nested or not.
    #[test]
    fn a_fallback_costs_nothing_for_a_peer_that_knows_the_variant() {
        let policy = Policy::from_toml(
            "compat.toml",
            "[components]\nlayer = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
             peer = \"layer\"\nnewer = \"none\"\nolder = \"any\"\n",
        )
        .unwrap();
        let layer = Endpoint::new(&policy, "layer", "0.1.0", MESSAGES).unwrap();
        let agent = Endpoint::new(&policy, "agent", "0.0.9", MESSAGES).unwrap();
        let session = layer.accept(agent.hello()).unwrap();
        let value = Outer::Many(vec![Request::ReadDirBatch((1, 8)), Request::ReadDir(2)]);
        let (borrowed, n) = super::allocations_in(|| {
            matches!(session.prepare(&value), Ok(std::borrow::Cow::Borrowed(_)))
        });
        assert!(borrowed);
        assert_eq!(n, 0, "prepare allocated for a peer that knows the variant");
        let (ok, n) = super::allocations_in(|| session.guard(&value).is_ok());
        assert!(ok);
        assert_eq!(
            n, 0,
            "the guard allocated for a peer that knows the variant"
        );
        // An older agent walks the value; one with nothing to degrade is still not copied.
        let old = Endpoint::new(&policy, "agent", "0.0.5", MESSAGES).unwrap();
        let session = layer.accept(old.hello()).unwrap();
        let plain = Outer::Many(vec![Request::ReadDir(2)]);
        let (borrowed, n) = super::allocations_in(|| {
            matches!(session.prepare(&plain), Ok(std::borrow::Cow::Borrowed(_)))
        });
        assert!(borrowed);
        assert_eq!(
            n, 0,
            "prepare allocated for a value with nothing to degrade"
        );
    }
}
