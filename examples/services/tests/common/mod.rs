//! What the tests of the services share: the tracing events, captured as text.

#![allow(dead_code, reason = "each test file uses part of this")]

use std::io::Write;
use std::sync::{Arc, Mutex};

/// A writer the test reads back.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Every event down to `debug` goes to the returned capture, until the guard drops.
    pub(crate) fn install() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .without_time()
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// Everything captured so far.
    pub(crate) fn log(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The lines of `log` that compat-runtime wrote.
pub(crate) fn ours(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| line.contains("compat_runtime"))
        .collect()
}
