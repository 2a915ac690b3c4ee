//! One component's move within a wave, once the instances its new version would refuse have
//! stopped: its instances roll one at a time where `rolling` says so and the policy allows
//! both versions side by side, else they stop, move and start together; what it manages is
//! redeployed as part of its move; the fleet is checked after every state.

use compat_runtime::policy::{ComponentId, Upgrade};
use compat_runtime::{Policy, Version};

use super::blocked::Blocked;
use super::cluster::cluster_rule;
use super::cohort::{Cohort, name, refused, running_peers};
use super::op::{Op, Why};
use super::warnings::{cannot_roll, single_instance};

/// One component's move to the wave's release.
pub(super) struct Mover<'a> {
    pub(super) policy: &'a Policy,
    /// The wave's release.
    pub(super) r: &'a Version,
    /// `upgrade` or `downgrade`.
    pub(super) verb: &'static str,
    /// The upgrade settings in force for the wave.
    pub(super) table: Option<&'a Upgrade>,
    /// Whether the wave may stop instances (and so move them together when they cannot roll).
    pub(super) allow_stops: bool,
    /// The component.
    pub(super) c: ComponentId,
    /// Its place in the order, with the setting that says so.
    pub(super) place: &'a Why,
    /// Its cohorts on the wrong side of the release.
    pub(super) movers: Vec<usize>,
    /// The cohorts it redeploys, with the rule of their manager.
    pub(super) managed: Vec<(usize, Why)>,
    /// Whether its instances roll one at a time (`rolling`).
    pub(super) rolls: bool,
    /// Why the order matters here (`; B first would be refused, ...`), or nothing.
    pub(super) order_note: String,
    /// Why the wave stops short of the target, or nothing.
    pub(super) step_note: &'a str,
}

/// One way of moving the component, tried on a copy of the fleet.
pub(super) struct Draft {
    pub(super) fleet: Vec<Cohort>,
    pub(super) ops: Vec<Op>,
}

/// The runtime's fleet check over `fleet`; a refusal is blocked, saying what was being done.
fn check(policy: &Policy, fleet: &[Cohort], what: &str) -> Result<(), Blocked> {
    match refused(policy, &running_peers(fleet)) {
        Some(refusal) => Err(Blocked::refusal(what.to_string(), &refusal)),
        None => Ok(()),
    }
}

impl Mover<'_> {
    fn name(&self) -> &str {
        name(self.policy, self.c)
    }

    /// A move's reason: the component's place in the order, then `extra`, why the order
    /// matters and why the wave stops short.
    fn why(&self, extra: &str) -> Why {
        Why {
            text: format!(
                "{}{extra}{}{}",
                self.place.text, self.order_note, self.step_note
            ),
            origin: self.place.origin.clone(),
        }
    }

    /// The warning for a single rolling instance of a component whose instances cover for
    /// each other: while it restarts, its peers cannot reach it.
    pub(super) fn single_instance(&self, fleet: &[Cohort]) -> Option<String> {
        let rule = cluster_rule(self.policy, self.c, self.r)?;
        let moving: u64 = self.movers.iter().map(|&i| fleet[i].size()).sum();
        let all: u64 = fleet
            .iter()
            .filter(|k| k.component == self.c)
            .map(Cohort::size)
            .sum();
        (moving == 1 && all == 1 && self.rolls).then(|| single_instance(self.policy, self.c, rule))
    }

    /// The move: rolling where the component rolls; everything at once where it does not,
    /// or where rolling is refused and the wave may stop instances (with a warning).
    pub(super) fn take(
        &self,
        fleet: &[Cohort],
        warnings: &mut Vec<String>,
    ) -> Result<Draft, Blocked> {
        if !self.rolls {
            return self.attempt(fleet, true);
        }
        match self.attempt(fleet, false) {
            Ok(done) => Ok(done),
            Err(blocked) => {
                let done = self.attempt(fleet, true)?;
                if !self.allow_stops {
                    return Err(blocked);
                }
                warnings.push(cannot_roll(self.policy, self.c, self.r, &blocked));
                Ok(done)
            }
        }
    }

    /// One try on a copy of the fleet: instance by instance, or (`all_at_once`) with the
    /// running instances stopped together first.
    fn attempt(&self, fleet: &[Cohort], all_at_once: bool) -> Result<Draft, Blocked> {
        let mut d = Draft {
            fleet: fleet.to_vec(),
            ops: Vec::new(),
        };
        if all_at_once {
            self.stop_together(&mut d);
        }
        let n = self.movers.len();
        for (k, &i) in self.movers.iter().enumerate() {
            self.move_cohort(&mut d, i, k + 1 == n)?;
        }
        self.start_stopped(&mut d)?;
        if !self.all_redeployed(&d) {
            self.redeploy(&mut d, self.movers.is_empty());
            check(
                self.policy,
                &d.fleet,
                &format!("redeploying what {} manages", self.name()),
            )?;
        }
        Ok(d)
    }

    /// Stops the component's running instances together, unless only one instance runs.
    fn stop_together(&self, d: &mut Draft) {
        let running: Vec<usize> = self
            .movers
            .iter()
            .copied()
            .filter(|&i| d.fleet[i].running)
            .collect();
        let single = running.len() == 1 && d.fleet[running[0]].size() == 1;
        if single || running.is_empty() {
            return;
        }
        for &i in &running {
            let why = self.together_why(&d.fleet[i]);
            d.ops.push(Op::Stop(i, why));
            d.fleet[i].running = false;
        }
    }

    /// Why instances stop together: the policy says so (`rolling = false`), or a rule
    /// refuses the two versions side by side.
    fn together_why(&self, k: &Cohort) -> Why {
        match self.table.filter(|_| !self.rolls) {
            Some(t) => Why {
                text: format!(
                    "{} instances stop, move and start together (`rolling`, {})",
                    self.name(),
                    t.origin
                ),
                origin: Some(t.origin.clone()),
            },
            None => Why {
                text: format!(
                    "{} instances stop together: they cannot run {} and {} side by side",
                    self.name(),
                    k.version,
                    self.r
                ),
                origin: self.place.origin.clone(),
            },
        }
    }

    /// Moves cohort `i` to the release: a stopped one as it is; a running one rolling
    /// (checked mid-roll) where it has several instances, then checked, with what the
    /// component manages redeployed after its `last` cohort.
    fn move_cohort(&self, d: &mut Draft, i: usize, last: bool) -> Result<(), Blocked> {
        let r = self.r;
        let from = d.fleet[i].version.clone();
        if !d.fleet[i].running {
            d.ops.push(Op::Move {
                cohort: i,
                from,
                to: r.clone(),
                one_at_a_time: false,
                stopped: true,
                why: self.why(" (while stopped)"),
            });
            d.fleet[i].version = r.clone();
            return Ok(());
        }
        let two_sides = d.fleet[i].size() > 1;
        if two_sides {
            self.check_roll(&d.fleet, &from)?;
        }
        let roll_note = match self.table {
            Some(t) if two_sides && self.rolls => {
                format!(", one at a time (`rolling`, {})", t.origin)
            }
            _ => String::new(),
        };
        d.ops.push(Op::Move {
            cohort: i,
            from,
            to: r.clone(),
            one_at_a_time: two_sides,
            stopped: false,
            why: self.why(&roll_note),
        });
        d.fleet[i].version = r.clone();
        if last {
            self.redeploy(d, true);
        }
        check(
            self.policy,
            &d.fleet,
            &format!("{} {} to {r}", self.name(), self.verb),
        )
    }

    /// Whether the component may run `from` and the release side by side, as it does while
    /// its instances roll.
    fn check_roll(&self, fleet: &[Cohort], from: &Version) -> Result<(), Blocked> {
        let mut mid = fleet.to_vec();
        mid.push(Cohort {
            component: self.c,
            version: self.r.clone(),
            running: true,
            names: Vec::new(),
            anonymous: 1,
        });
        check(
            self.policy,
            &mid,
            &format!(
                "{} cannot roll from {from} to {} one instance at a time",
                self.name(),
                self.r
            ),
        )
    }

    /// Starts the component's instances that are stopped and now at the release, together
    /// (they run one version, so the steps write them as one start), with what it manages
    /// redeployed; then checks the fleet.
    fn start_stopped(&self, d: &mut Draft) -> Result<(), Blocked> {
        let r = self.r;
        let stopped: Vec<usize> = (0..d.fleet.len())
            .filter(|&i| {
                d.fleet[i].component == self.c && !d.fleet[i].running && d.fleet[i].version == *r
            })
            .collect();
        if stopped.is_empty() {
            return Ok(());
        }
        for &i in &stopped {
            d.ops.push(Op::Start(
                i,
                Why {
                    text: format!(
                        "{} runs {r} now and may talk to every running instance",
                        self.name()
                    ),
                    origin: self.place.origin.clone(),
                },
            ));
            d.fleet[i].running = true;
        }
        if !self.all_redeployed(d) {
            self.redeploy(d, true);
        }
        check(
            self.policy,
            &d.fleet,
            &format!("starting {} at {r}", self.name()),
        )
    }

    fn all_redeployed(&self, d: &Draft) -> bool {
        self.managed
            .iter()
            .all(|(m, _)| d.fleet[*m].version == *self.r)
    }

    /// The component's manager redeploys what it manages at the release (`joint`: as part
    /// of its own move); the redeployed instances run.
    fn redeploy(&self, d: &mut Draft, joint: bool) {
        let r = self.r;
        for (i, why) in &self.managed {
            d.ops.push(Op::Redeploy {
                cohort: *i,
                from: d.fleet[*i].version.clone(),
                to: r.clone(),
                via: self.c,
                joint,
                stopped: !d.fleet[*i].running,
                why: Why {
                    text: format!(
                        "{} ({}): {} redeploys it at {r}{}; never move it by hand",
                        why.text,
                        why.origin
                            .as_ref()
                            .map_or(String::new(), ToString::to_string),
                        self.name(),
                        if joint {
                            " as part of its own move"
                        } else {
                            ""
                        }
                    ),
                    origin: why.origin.clone(),
                },
            });
            d.fleet[*i].version = r.clone();
            d.fleet[*i].running = true;
        }
    }
}
