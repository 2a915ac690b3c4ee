//! The commands that front the library, one module each with its arguments, its run and
//! its rendering; and what they share: the `--policy` and `--releases` arguments and the
//! releases a command covers.

use std::path::{Path, PathBuf};

use cargo_compat::releases::Releases;
use compat_runtime::Policy;

use crate::failure::Failure;
pub(crate) use crate::format::{Format, formats};

pub(crate) mod check;
pub(crate) mod doc;
pub(crate) mod lint;
pub(crate) mod lock;
pub(crate) mod matrix;
pub(crate) mod plan;

/// `--policy`, as every command that reads a policy takes it.
#[derive(clap::Args)]
pub(crate) struct PolicyArg {
    /// The policy: a compat.toml, or a Cargo.toml with [package.metadata.compat].
    /// Default: the policy of the crate in the current directory.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
}

impl PolicyArg {
    pub(crate) fn path(&self) -> Option<&Path> {
        self.policy.as_deref()
    }
}

/// `--releases`, as the commands that cover several releases take it.
#[derive(clap::Args)]
pub(crate) struct ReleasesArg {
    /// The releases that exist, comma-separated, in any order. Default: those recorded in
    /// the compat.lock beside the policy.
    #[arg(long, value_name = "V,V,...")]
    pub(crate) releases: Option<String>,
}

/// `--policy` and `--releases`: the policy and the releases a command covers.
#[derive(clap::Args)]
pub(crate) struct Coverage {
    #[command(flatten)]
    pub(crate) policy: PolicyArg,
    #[command(flatten)]
    pub(crate) releases: ReleasesArg,
}

impl Coverage {
    /// The releases: `--releases`, else those in the `compat.lock` beside the policy
    /// (`None` when there is no lock).
    pub(crate) fn releases(&self, policy: &Policy) -> Result<Option<Releases>, Failure> {
        releases(
            self.releases.releases.as_deref(),
            self.policy.path(),
            policy,
        )
    }
}

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

/// `1 pair`, `3 pairs`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
