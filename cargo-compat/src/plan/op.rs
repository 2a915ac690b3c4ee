//! The planner's operations on groups of instances, each with its reason; writing them out
//! as steps is `expand`'s job.

use compat_runtime::Version;
use compat_runtime::policy::{ComponentId, Origin};

/// A reason and its place.
#[derive(Debug, Clone)]
pub(super) struct Why {
    pub(super) text: String,
    pub(super) origin: Option<Origin>,
}

/// One group-level operation.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Stop(usize, Why),
    Start(usize, Why),
    Move {
        cohort: usize,
        from: Version,
        to: Version,
        one_at_a_time: bool,
        stopped: bool,
        why: Why,
    },
    Redeploy {
        cohort: usize,
        from: Version,
        to: Version,
        via: ComponentId,
        joint: bool,
        /// The instances were stopped: the manager deploys them afresh, running.
        stopped: bool,
        why: Why,
    },
    Verify(ComponentId, Version, Why),
}
