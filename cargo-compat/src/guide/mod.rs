//! The generated compatibility and upgrade guide: versioning, each component pair's window in
//! words, the upgrade and downgrade order, the largest jump, the support window, the denied
//! releases, and worked examples, all computed from the policy with the runtime's own check
//! and the planner.
//!
//! Worked examples use the releases that exist (`--releases`, or those in `compat.lock`):
//! windows are shown around the newest release, a rule that no longer applies there is shown
//! at the newest release where it does, and the upgrade example moves from the newest
//! release of the previous line to the newest release.
//!
//! The files, each using only those listed before it: `context` (the policy and releases
//! every section reads); `window` (the versions peers accept, and those none does, in words)
//! and `runbook` (a plan as runbook lines); `order` (the upgrade tables, and why their order
//! matters) and `examples` (worked plans); then one file per section, in page order: `in_short`,
//! `components`, `versioning`, `protocol`, `compatibility`, `support`, `denied`, `upgrading`,
//! `downgrading`. This file writes the page from them.

mod compatibility;
mod components;
mod context;
mod denied;
mod downgrading;
mod examples;
mod in_short;
mod order;
mod protocol;
mod runbook;
mod support;
mod upgrading;
mod versioning;
mod window;

use std::fmt::Write as _;

use compat_runtime::Policy;

use crate::english::list_and;
use crate::releases::Releases;
use context::Guide;

/// Writes the guide. `command` is how to regenerate it, shown at the top.
///
/// ```
/// use cargo_compat::{guide, releases::Releases};
/// use compat_runtime::Policy;
/// let policy = Policy::from_path("../examples/spire/compat.toml")?;
/// let releases = Releases::parse(&policy, "0.8.0,0.8.1,0.9.0,0.9.2,0.9.3")?;
/// let page = guide::write(&policy, &releases, "cargo compat doc");
/// assert!(page.contains("`agent` is supported at 0.8.0 through 0.9.2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write(policy: &Policy, releases: &Releases, command: &str) -> String {
    // A policy read from an absolute path is shown by its name, relative to where it
    // lives: the page says nothing of the machine it was written on.
    let shown = policy.shown_relative();
    let command = command.replace(policy.source(), shown.source());
    let policy = &shown;
    let g = Guide {
        policy,
        releases: &releases.versions,
    };
    let mut out = String::new();
    let names: Vec<&str> = policy
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let _ = writeln!(out, "# Compatibility and upgrades\n");
    let _ = writeln!(
        out,
        "<!-- Generated from {} by `{command}`. Do not edit: change the policy and regenerate. -->\n",
        policy.source()
    );
    let _ = writeln!(
        out,
        "This page is generated from the compatibility policy (`{}`), the same policy the \
         components enforce when they connect, so it cannot drift from what they do. It covers \
         {}, and the releases {}.",
        policy.source(),
        list_and(&names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>()),
        list_and(
            &releases
                .versions
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        ),
    );
    in_short::section(&g, &mut out);
    components::section(&g, &mut out);
    versioning::section(&g, &mut out);
    protocol::section(&g, &mut out);
    compatibility::section(&g, &mut out);
    support::section(&g, &mut out);
    denied::section(&g, &mut out);
    upgrading::section(&g, &mut out);
    downgrading::section(&g, &mut out);
    out
}
