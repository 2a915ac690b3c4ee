//! The client's guard on RPC methods ([`CompatClientLayer::methods`]): a method is a
//! `since` item, and a server older than it would answer `UNIMPLEMENTED`, so the client
//! refuses the call first, naming the method, the release that brings it and what to
//! upgrade.
//!
//! The guard knows the server's version from the last answer the layer accepted (its
//! `compat-peer`): before that, nothing is refused, and the first call to a method the
//! server lacks is refused on its `UNIMPLEMENTED` answer instead, with the same error.
//! Behind a balancer over servers of several releases, the last answer decides: a call
//! may be refused that a newer server behind the same address would have taken (the
//! window says the client must work with the oldest of them anyway).
//!
//! [`CompatClientLayer::methods`]: super::CompatClientLayer::methods

use core::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::Session;
use crate::proto::Method;
use crate::version::Version;

/// The methods a client calls, each with its release parsed once, and the server the layer
/// last accepted.
#[derive(Debug)]
pub(crate) struct Methods {
    table: Vec<(Method, Version)>,
    server: RwLock<Option<Arc<Session>>>,
}

impl Methods {
    /// The guard of `table`; a method whose `since` is not a version is never refused.
    pub(crate) fn new(table: &'static [Method]) -> Self {
        Methods {
            table: table
                .iter()
                .filter_map(|m| Some((*m, Version::parse(m.since).ok()?)))
                .collect(),
            server: RwLock::new(None),
        }
    }

    /// The method at `path` (a request's URI path), if the table has it.
    pub(crate) fn find(&self, path: &str) -> Option<&(Method, Version)> {
        self.table.iter().find(|(m, _)| m.path == path)
    }

    /// The refusal of `method` on the server last accepted, when that server predates it.
    pub(crate) fn refuse(&self, method: &(Method, Version)) -> Option<UnknownMethod> {
        let server = self
            .server
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        UnknownMethod::of(method, server)
    }

    /// Remembers the server of an accepted answer (a write only when it changed).
    pub(crate) fn learn(&self, session: &Arc<Session>) {
        let same = self
            .server
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|known| Arc::ptr_eq(known, session));
        if !same {
            *self.server.write().unwrap_or_else(PoisonError::into_inner) =
                Some(Arc::clone(session));
        }
    }
}

/// A call the client refused to make: the server (as its last answer named it) predates
/// the RPC method, and would answer `UNIMPLEMENTED`.
///
/// Through tonic, the caller gets it as a `Status`: code `FAILED_PRECONDITION`, this
/// error's sentence as the message, and the metadata entries `compat-peer` (the server),
/// `compat-method` (the method's path) and `compat-since` (the release that brings it);
/// `compat_runtime::tonic::unknown_method` reads it back from the status.
pub struct UnknownMethod {
    method: Method,
    server: Arc<Session>,
    #[cfg(feature = "tonic")]
    status: tonic::Status,
}

impl UnknownMethod {
    /// The refusal of `method` on `server`, if `server` predates it.
    pub(crate) fn of(method: &(Method, Version), server: Arc<Session>) -> Option<Self> {
        if server.peer_version() >= &method.1 {
            return None;
        }
        let method = method.0;
        #[cfg(feature = "tonic")]
        let status = status(&method, &server);
        Some(UnknownMethod {
            method,
            server,
            #[cfg(feature = "tonic")]
            status,
        })
    }

    /// The method, with the release that brought it.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The server's component, as its last answer named it.
    pub fn server_component(&self) -> &str {
        self.server.peer_component()
    }

    /// The server's version, as its last answer named it.
    pub fn server_version(&self) -> &Version {
        self.server.peer_version()
    }
}

#[cfg(feature = "tonic")]
fn status(method: &Method, server: &Session) -> tonic::Status {
    use tonic::metadata::AsciiMetadataValue;
    let ascii = |text: &str| {
        AsciiMetadataValue::try_from(super::gate::header_value(text).as_bytes())
            .unwrap_or_else(|_| AsciiMetadataValue::from_static("?"))
    };
    let mut status = tonic::Status::failed_precondition(
        method.refusal(server.peer_component(), server.peer_version()),
    );
    let metadata = status.metadata_mut();
    metadata.insert(super::PEER_HEADER, ascii(&server.peer_hello().peer_text()));
    metadata.insert(super::METHOD_HEADER, ascii(method.path));
    metadata.insert(super::SINCE_HEADER, ascii(method.since));
    status
}

impl fmt::Debug for UnknownMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownMethod")
            .field("method", &self.method)
            .field("server", &self.server.peer_hello().peer_text())
            .finish()
    }
}

impl fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .method
                .refusal(self.server.peer_component(), self.server.peer_version()),
        )
    }
}

impl std::error::Error for UnknownMethod {
    /// Through tonic, the `Status` tonic hands the caller (it looks for one among the
    /// sources of a transport's error).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        #[cfg(feature = "tonic")]
        return Some(&self.status);
        #[cfg(not(feature = "tonic"))]
        None
    }
}

#[cfg(all(test, feature = "build"))]
mod tests {
    use super::*;
    use crate::{Endpoint, Policy};

    const METHODS: &[Method] = &[
        Method {
            path: "/spire.Node/Attest",
            since: "0.8.0",
        },
        Method {
            path: "/spire.Node/FetchJwtSvid",
            since: "0.9.0",
        },
        Method {
            path: "/spire.Node/Odd",
            since: "soon",
        },
    ];

    /// The agent's session with a server at `server`.
    fn server(server: &str) -> Arc<Session> {
        let policy: &'static Policy = Box::leak(Box::new(
            Policy::from_toml(
                "compat.toml",
                "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
                 peer = \"server\"\nnewer = \"1 minor\"\nolder = \"1 minor\"\n",
            )
            .unwrap(),
        ));
        let agent = Endpoint::new(policy, "agent", "0.9.3", &[]).unwrap();
        let server = Endpoint::new(policy, "server", server, &[]).unwrap();
        Arc::new(agent.accept(server.hello()).unwrap())
    }

    #[test]
    fn only_a_known_server_older_than_the_method_is_refused() {
        let methods = Methods::new(METHODS);
        let fetch = methods.find("/spire.Node/FetchJwtSvid").unwrap();
        assert!(methods.refuse(fetch).is_none(), "no server known yet");
        methods.learn(&server("0.8.5"));
        let refused = methods.refuse(fetch).unwrap();
        assert_eq!(
            refused.to_string(),
            "`/spire.Node/FetchJwtSvid` arrived in 0.9.0 and server 0.8.5 does not have it \
             (it would answer UNIMPLEMENTED); do not call it on this peer, or upgrade server \
             to 0.9.0 or later"
        );
        assert!(
            methods
                .refuse(methods.find("/spire.Node/Attest").unwrap())
                .is_none()
        );
        // A path the table does not list, and a `since` that is no version, are never refused.
        assert!(methods.find("/spire.Node/Other").is_none());
        assert!(methods.find("/spire.Node/Odd").is_none());
        // The server at the method's own release has it.
        methods.learn(&server("0.9.0"));
        assert!(methods.refuse(fetch).is_none());
    }
}
