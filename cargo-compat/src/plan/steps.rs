//! What a plan is: the steps in order, what each does and to which instances, the summary
//! rows, and the plan that holds them.

use std::fmt;

use compat_runtime::Version;
use compat_runtime::policy::{ComponentId, Origin};

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Move instances to a newer release.
    Upgrade,
    /// Move instances to an older release.
    Downgrade,
    /// Stop instances (they no longer talk).
    Stop,
    /// Start stopped instances.
    Start,
    /// A managed component, deployed again by its manager at the manager's version.
    Redeploy,
    /// Check that the moved instances are healthy before the next component moves.
    Verify,
}

impl Action {
    /// `upgrade`, `downgrade`, `stop`, `start`, `redeploy`, `verify`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Upgrade => "upgrade",
            Action::Downgrade => "downgrade",
            Action::Stop => "stop",
            Action::Start => "start",
            Action::Redeploy => "redeploy",
            Action::Verify => "verify",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What it does.
    pub action: Action,
    /// The component it acts on, by name.
    pub component: String,
    /// The same component, as the policy numbers it.
    pub component_id: ComponentId,
    /// The version the instances leave (moves only).
    pub from: Option<Version>,
    /// The version the instances run after the step (or run while stopped, started,
    /// verified).
    pub version: Version,
    /// The instance it acts on, where the fleet names instances.
    pub instance: Option<String>,
    /// How many instances the step covers: 1 for a named instance.
    pub count: u64,
    /// For a counted step: the instances move one at a time (a rolling move).
    pub one_at_a_time: bool,
    /// The instances are stopped while they move.
    pub stopped: bool,
    /// For a redeploy: the manager that does it.
    pub via: Option<String>,
    /// Part of the step before it (a managed redeploy happens within its manager's move).
    pub joint: bool,
    /// Why, in words.
    pub reason: String,
    /// The rule or setting behind it, with its place in `compat.toml`.
    pub origin: Option<Origin>,
}

/// An upgrade or a downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Every instance moves up (or already runs the target).
    Up,
    /// Every instance moves down (or already runs the target).
    Down,
    /// Some move down, then others up.
    Both,
    /// Nothing moves.
    None,
}

/// One row of the summary table: a component, what it runs now, where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The component.
    pub component: String,
    /// Versions it runs now with their instance counts, oldest first.
    pub current: Vec<(Version, u64)>,
    /// The target.
    pub target: Version,
}

/// A release a plan may move through, and what names it: `--from`, `--to`, the fleet file,
/// `--releases` or the `compat.lock`, in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: Version,
    /// What names it, each once.
    pub sources: Vec<String>,
}

impl fmt::Display for Release {
    /// `0.9.3 (--to, examples/spire/compat.lock)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.version, self.sources.join(", "))
    }
}

/// The releases in words, oldest first: `0.8.1 (--from), 0.9.3 (--to, examples/spire/compat.lock)`.
pub fn releases_words(releases: &[Release]) -> String {
    releases
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first steps of a plan for a fleet that already breaks the policy: they repair it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// How many of the plan's first steps repair the fleet.
    pub steps: usize,
    /// The pairs the fleet broke before them, in words.
    pub broken: Vec<String>,
}

/// What a plan assumes of a fleet that `--from` names by its version alone.
pub const ONE_EACH: &str = "one instance per component";

/// The ordered steps from a fleet to a target release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The release every instance ends at.
    pub target: Version,
    /// Up, down, or nothing to do.
    pub direction: Direction,
    /// The releases each wave moves to, in order; the last is the target.
    pub waves: Vec<Version>,
    /// Per component: what runs now and the target.
    pub rows: Vec<Row>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Things the operator must know: where zero downtime is impossible, where a
    /// downgrade crosses a rule change.
    pub warnings: Vec<String>,
    /// The releases the plan could move through, oldest first, each with what names it.
    pub releases: Vec<Release>,
    /// For a fleet that already breaks the policy: the first steps repair it, moving
    /// instances toward the target (those in a refused pair first) and refusing no pair that
    /// talks.
    pub repair: Option<Repair>,
    /// What the plan assumes of the fleet ([`ONE_EACH`] when `--from` gave a version, not a
    /// fleet); `None` for a fleet as it runs.
    pub assumed: Option<&'static str>,
}

impl Plan {
    /// Whether the fleet already runs the target everywhere.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}
