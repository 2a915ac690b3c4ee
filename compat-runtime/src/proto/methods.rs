//! RPC methods as `since` items: an old server answers a method it does not have with
//! `UNIMPLEMENTED`, so a client refuses first, naming the release that brought it.
//!
//! The build-script helper writes the table of every method of the services it was told
//! about (`METHODS`, from `compat_runtime::proto::build`); compat's client layer refuses
//! with it (`CompatClientLayer::methods(METHODS)`, features `tower` and `tonic`: a
//! `FAILED_PRECONDITION` status before anything is sent), and [`Method::unknown_to`] asks
//! it for one call where a client checks by hand.
//!
//! ```
//! use compat_runtime::proto::Method;
//! use compat_runtime::Version;
//!
//! const METHODS: &[Method] = &[
//!     Method { path: "/spire.Node/Attest", since: "0.8.0" },
//!     Method { path: "/spire.Node/FetchJwtSvid", since: "0.9.0" },
//! ];
//! let server = Version::new(0, 8, 4);
//! assert!(Method::unknown_to(METHODS, "/spire.Node/Attest", &server).is_none());
//! let refused = Method::unknown_to(METHODS, "/spire.Node/FetchJwtSvid", &server).unwrap();
//! assert_eq!(refused.since, "0.9.0");
//! ```

use crate::version::Version;

/// One RPC method of a service and the release that brought it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method {
    /// The gRPC path: `/package.Service/Method`.
    pub path: &'static str,
    /// The release that introduced it (`@since` in its comment, else its service's first
    /// message's).
    pub since: &'static str,
}

impl Method {
    /// The method at `path` if a server at `server` predates it.
    pub fn unknown_to(methods: &[Method], path: &str, server: &Version) -> Option<Method> {
        let method = methods.iter().find(|m| m.path == path)?;
        let since = Version::parse(method.since).ok()?;
        (server < &since).then_some(*method)
    }

    /// Why a client refuses to call this method on a server at `server`: the sentence a
    /// `Status` carries.
    pub fn refusal(&self, component: &str, server: &Version) -> String {
        format!(
            "`{}` arrived in {} and {component} {server} does not have it (it would answer UNIMPLEMENTED); \
             do not call it on this peer, or upgrade {component} to {} or later",
            self.path, self.since, self.since
        )
    }
}
