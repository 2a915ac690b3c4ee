//! What the planner is asked (the target and the releases to move through) and why it may
//! answer with no plan.

use std::fmt;

use compat_runtime::Version;
use compat_runtime::policy::Origin;

use crate::releases::Releases;

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The request itself is wrong (exit 2).
    Usage(String),
    /// No plan exists under the policy (exit 1): the rule that blocks or the release that is
    /// missing.
    NoPlan {
        /// The reason, in words.
        reason: String,
        /// The rule or setting that blocks, with its place.
        origin: Option<Origin>,
    },
    /// The planner produced a plan that its replay refused: a bug, never shown as a plan.
    Unverified(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Usage(m) => f.write_str(m),
            PlanError::NoPlan { reason, .. } => write!(f, "no plan: {reason}"),
            PlanError::Unverified(m) => write!(
                f,
                "internal error: the plan failed its own replay ({m}); please report this"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// What to plan: the target, and the releases that exist.
#[derive(Debug, Clone)]
pub struct Request {
    /// The release every instance should end at.
    pub target: Version,
    /// The releases instances may move through besides the fleet's versions and the target
    /// (which are releases by definition); `None`: no others.
    pub releases: Option<Releases>,
    /// The fleet is assumed, not known: `--from` named a version, and the fleet holds one
    /// instance of each component at it. The plan says so instead of warning about downtime
    /// that one instance would mean.
    pub assumed: bool,
}

impl Request {
    /// A request for `target`, with no release list.
    pub fn to(target: Version) -> Self {
        Request {
            target,
            releases: None,
            assumed: false,
        }
    }

    /// The same request, for a fleet assumed from one version (`--from`): one instance of
    /// each component.
    pub fn assuming_one_instance_each(mut self) -> Self {
        self.assumed = true;
        self
    }

    /// The same request, moving only through these releases.
    pub fn through(mut self, releases: Releases) -> Self {
        self.releases = Some(releases);
        self
    }
}
