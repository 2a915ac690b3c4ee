//! Policy fixtures the workspace's tests share.

#![allow(
    dead_code,
    reason = "each test binary includes this module and uses only part of it"
)]

/// SPIRE's rule between two components: an agent may be one minor release older than the
/// server and never newer. Tests edit it (`.replace(...)`) to make the mistake they test;
/// line numbers in their assertions count from its first line.
pub(crate) const AGENT_ONE_MINOR_OLDER: &str = r#"[components]
server = {}
agent = {}

[[rule]]
component = "agent"
peer = "server"
newer = "none"
older = "1 minor"
"#;
