//! Apache Phoenix's client/server protocol (the metadata endpoint a client calls on the
//! region servers) as a compat protocol crate.
//!
//! `build.rs` runs `compat_runtime::build::enforce()`, so the messages are checked against
//! `compat.toml` (Phoenix's "Backward Compatibility" page) for this crate's version, 4.3.1:
//!
//! - the page lets a client two minors behind work with a server jar of a newer minor: a
//!   server at 4.3.1 still reads requests from 4.1.0 clients, so what a request gained in
//!   4.2 or 4.3 must default;
//! - a client at 4.3.1 talks to servers from 4.3.0 up to two minors newer, so what a
//!   response gained in 4.3.1 must default, and response enums need a catch-all;
//! - in a patch release either side may go first: a client may be a few patches
//!   newer than its server, so request enums need a catch-all too.

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

compat_runtime::include_policy!();

// ---- client to server -------------------------------------------------------------------

/// What a client asks of a region server's metadata endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "client", to = "server")]
#[since("4.0.0")]
#[serde(tag = "op", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MetaDataRequest {
    /// Fetch a table's metadata, if newer than the client's copy.
    GetTable(GetTableRequest),
    /// Create a table from its `CREATE TABLE` mutations.
    CreateTable {
        /// The serialized mutations for `SYSTEM.CATALOG`.
        table_metadata: Vec<Vec<u8>>,
    },
    /// Drop a table or view.
    DropTable {
        /// The table's schema.
        schema_name: String,
        /// The table's name.
        table_name: String,
        /// `TABLE` or `VIEW`.
        table_type: String,
        /// Drop the views on it too.
        #[since("4.1.0")]
        cascade: bool,
    },
    /// Update a table's statistics after `UPDATE STATISTICS`.
    #[since("4.2.0")]
    UpdateStatistics {
        /// The table's schema.
        schema_name: String,
        /// The table's name.
        table_name: String,
    },
    /// A request from a newer client (a later 4.3 patch) this server does not know.
    #[serde(other)]
    Unknown,
}

/// [`MetaDataRequest::GetTable`]: fetch a table's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "client", to = "server")]
#[since("4.0.0")]
pub struct GetTableRequest {
    /// The tenant, for multi-tenant tables; empty otherwise.
    pub tenant_id: String,
    /// The table's schema.
    pub schema_name: String,
    /// The table's name.
    pub table_name: String,
    /// The timestamp of the client's cached copy.
    pub table_timestamp: i64,
    /// The client's clock, for `CURRENT_SCN`.
    pub client_timestamp: i64,
    /// The client's release as `MAJOR * 10000 + MINOR * 100 + PATCH` (40300 for 4.3.0);
    /// servers use it to run system-table upgrades.
    #[since("4.1.0")]
    pub client_version: i32,
    /// Skip the server cache and always read `SYSTEM.CATALOG`; `false` from 4.1 clients.
    ///
    /// A 4.3.1 server still serves 4.1 clients (two minors behind). Without the
    /// default the build fails:
    ///
    /// ```text
    /// error: field `skip_add_to_cache` arrived in 4.2.0, but server 4.3.1 must still accept
    ///        client 4.1.0 (compat.toml:8:1, client may be up to two minor releases older
    ///        than server, and newer by patch releases of the same minor); make it
    ///        `Option<_>` or add `#[serde(default)]` (`#[compat(default)]` if `Deserialize`
    ///        is written by hand)
    /// ```
    #[since("4.2.0")]
    #[compat(default)]
    #[serde(default)]
    pub skip_add_to_cache: bool,
}

// ---- server to client -------------------------------------------------------------------

/// The outcome of a metadata call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "client")]
#[since("4.0.0")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MutationCode {
    /// The table exists and the client's copy is current.
    TableAlreadyExists,
    /// No such table.
    TableNotFound,
    /// The table changed since the client's copy: the response carries the new one.
    NewerTableFound,
    /// A concurrent change won.
    ConcurrentTableMutation,
    /// The table's parent view or table is gone.
    #[since("4.2.0")]
    ParentTableNotFound,
    /// Statistics are being collected; retry.
    #[since("4.3.0")]
    StatsCollectionInProgress,
    /// A code from a newer server: servers upgrade first, up to two minors ahead of their
    /// clients.
    #[serde(other)]
    Unknown,
}

/// What a region server answers a [`MetaDataRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "client")]
#[since("4.0.0")]
pub struct MetaDataResponse {
    /// The outcome.
    pub return_code: MutationCode,
    /// The server's timestamp for the change, or of the table found.
    pub mutation_time: i64,
    /// The table's metadata, serialized, when the client needs it.
    pub table: Option<Vec<u8>>,
    /// Index tables to drop along with a dropped table.
    #[since("4.2.0")]
    pub tables_to_delete: Vec<String>,
    /// The server's release, in the same form as [`GetTableRequest::client_version`].
    #[since("4.3.0")]
    pub server_version: i32,
    /// Guideposts collected for the table, serialized; for the client's query planner.
    #[since("4.3.1")]
    #[serde(default)]
    pub guideposts: Vec<u8>,
}

// ---- server to server -------------------------------------------------------------------

/// Region servers tell each other to drop a cached table during a rolling upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(between = ["server"])]
#[since("4.0.0")]
pub struct ClearTableFromCache {
    /// The tenant, for multi-tenant tables; empty otherwise.
    pub tenant_id: String,
    /// The table's schema.
    pub schema_name: String,
    /// The table's name.
    pub table_name: String,
    /// Only drop entries at or before this timestamp; `None` from servers before 4.3,
    /// which drop every entry. Servers roll across minors, so a 4.3.1 server still hears
    /// from 4.0 servers.
    #[since("4.3.0")]
    pub client_timestamp: Option<i64>,
}

// Every message of the crate: what the handshake announces and the wire lock records.
// A type deriving `Compat` that is missing here fails the build.
compat_runtime::messages![
    MetaDataRequest,
    GetTableRequest,
    MutationCode,
    MetaDataResponse,
    ClearTableFromCache,
];

// `cargo test` compares the messages with every release recorded in compat.lock;
// `cargo compat lock` records this one.
#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
