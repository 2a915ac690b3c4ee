//! A layer and an agent of given mirrord releases over a real loopback socket, and a
//! tracing subscriber that keeps what compat reports.

#![allow(dead_code, reason = "each test binary uses part of it")]

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

// The tracing subscriber that keeps each thread's lines, shared with the root package's
// tests/fallbacks.rs.
#[path = "../../../../tests/common/thread_log.rs"]
mod thread_log;

pub(crate) use thread_log::capture;
