//! A layer and an agent of given mirrord releases over a real loopback socket, and a
//! tracing subscriber that keeps what compat reports.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::cell::RefCell;
use std::io::Write;
use std::sync::Once;
use std::time::Duration;

use compat_runtime::census::Census;
use mirrord_agent_protocol::agent::{Agent, ServeError};
use mirrord_agent_protocol::connection::Connection;
use mirrord_agent_protocol::endpoint;
use mirrord_agent_protocol::layer::Layer;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Every wait of these tests.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(5);

/// A layer at `layer` connected to an agent at `agent` (mirrord releases), the agent
/// serving on a task of its own.
pub(crate) async fn pair(
    layer: &str,
    agent: &str,
) -> (Layer<TcpStream>, JoinHandle<Result<(), ServeError>>) {
    pair_counted(layer, agent, &Census::new()).await
}

/// [`pair`], the agent counting the layer in `census`.
pub(crate) async fn pair_counted(
    layer: &str,
    agent: &str,
    census: &Census,
) -> (Layer<TcpStream>, JoinHandle<Result<(), ServeError>>) {
    let census = census.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let agent_end = endpoint("agent", agent).unwrap();
    let serving = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let connection = Connection::accept_counted(socket, &agent_end, TIMEOUT, &census)
            .await
            .unwrap();
        Agent::new(connection).serve().await
    });
    let socket = TcpStream::connect(address).await.unwrap();
    let connection = Connection::connect(socket, &endpoint("layer", layer).unwrap(), TIMEOUT)
        .await
        .unwrap();
    (Layer::new(connection), serving)
}

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
