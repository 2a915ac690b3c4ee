//! A tracing subscriber that keeps what each thread's events wrote, installed once for the
//! whole test binary. Included by `#[path]` from tests/fallbacks.rs and from
//! examples/mirrord-agent-protocol/tests/common/mod.rs.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::cell::RefCell;
use std::io::Write;
use std::sync::Once;

thread_local! {
    // What the events of this thread wrote, while a `capture` lives.
    static LOGGED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What this thread's events wrote since [`capture`].
pub(crate) struct Logged;

impl Logged {
    /// Everything logged so far.
    pub(crate) fn text(&self) -> String {
        LOGGED.with(|l| String::from_utf8(l.borrow().clone()).unwrap())
    }
}

/// Ends a capture: the thread's buffer is emptied.
pub(crate) struct Capturing;

impl Drop for Capturing {
    fn drop(&mut self) {
        LOGGED.with(|l| l.borrow_mut().clear());
    }
}

/// Writes into the buffer of the thread the event happened on.
struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGGED.with(|l| l.borrow_mut().extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Logs every event of this thread into the returned buffer while the guard lives (the
/// tests run on tokio's current-thread runtime, so the agent's task logs here too).
///
/// One subscriber serves the whole binary, as the process's default, and each thread keeps
/// its own lines: with a scoped subscriber per test (`set_default`), tests running in
/// parallel race on tracing's per-callsite interest cache, and an event could go unseen.
pub(crate) fn capture() -> (Logged, Capturing) {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| ThreadWriter)
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other subscriber is installed in these tests");
    });
    LOGGED.with(|l| l.borrow_mut().clear());
    (Logged, Capturing)
}
