//! The commands that front the library: argument handling, output and exit codes only.

use std::path::{Path, PathBuf};

use cargo_compat::releases::Releases;
use compat_runtime::Policy;

use crate::Failure;

pub(crate) mod doc;
pub(crate) mod lock;
pub(crate) mod matrix;
pub(crate) mod plan;

/// The releases: `--releases`, else those in the `compat.lock` beside the policy (`None`
/// when there is no lock).
pub(crate) fn releases(
    list: Option<&str>,
    policy_path: Option<&Path>,
    policy: &Policy,
) -> Result<Option<Releases>, Failure> {
    if let Some(list) = list {
        return Releases::parse(policy, list)
            .map(Some)
            .map_err(|e| Failure::usage(e.to_string()));
    }
    let dir = match policy_path {
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::from("."),
    };
    Releases::from_lock(policy, &dir.join("compat.lock")).map_err(|e| Failure::usage(e.to_string()))
}

/// Tells a newcomer who forgot `--releases` why the output covers a single release: the
/// bundled examples' locks each record one.
pub(crate) fn note_one_release(given: Option<&str>, list: &Releases, what: &str) {
    if given.is_none() && list.versions.len() == 1 {
        eprintln!(
            "note: {} records one release ({}), so {what} only it; pass the releases to cover as --releases V,V,..., in any order",
            list.source, list.versions[0]
        );
    }
}
