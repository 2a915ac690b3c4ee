//! One wave of a plan: every instance on the wrong side of one release moves to it,
//! component by component in order. Before a component moves, the running instances its new
//! version would refuse stop (refused outright when the wave may stop nothing and no lockstep
//! rule forces it); after it moves, a health check precedes the next component; at the end,
//! whatever is still stopped starts again.

use compat_runtime::policy::{ComponentId, Form, Upgrade};
use compat_runtime::{Peer, Policy, Refusal, Version};

use super::blocked::{Blocked, brief};
use super::cohort::{Cohort, name, refused, running_peers, who};
use super::op::{Op, Why};
use super::order::{Way, manager_of, order, root_manager};
use super::roll::Mover;
use super::warnings::stop_warning;

/// A wave to one release, and the settings it moves under.
pub(super) struct WaveTo<'a> {
    pub(super) policy: &'a Policy,
    pub(super) way: Way,
    /// The release every instance on the wrong side moves to.
    pub(super) r: &'a Version,
    /// The upgrade settings in force for it.
    pub(super) table: Option<&'a Upgrade>,
    /// Whether instances of other components may stop while a component moves (beyond
    /// those a lockstep rule forces).
    pub(super) allow_stops: bool,
    /// Whether the fleet's counts are known (a fleet file), so that a single instance warns
    /// of downtime; not for a fleet assumed from `--from`.
    pub(super) counted: bool,
    /// Why the wave stops short of the target, or nothing: said in every move's reason.
    pub(super) step_note: String,
}

/// A wave taken: the fleet after it, its operations, its warnings.
#[derive(Debug, Clone)]
pub(super) struct Wave {
    pub(super) fleet: Vec<Cohort>,
    pub(super) ops: Vec<Op>,
    pub(super) warnings: Vec<String>,
}

impl WaveTo<'_> {
    /// Takes the wave from `start`, or says why it cannot be taken.
    pub(super) fn take(&self, start: &[Cohort]) -> Result<Wave, Blocked> {
        let order = order(self.policy, self.table, self.way, self.r);
        let mut wave = Wave {
            fleet: start.to_vec(),
            ops: Vec::new(),
            warnings: Vec::new(),
        };
        self.check_managers(&wave.fleet)?;
        for (pos, (c, place)) in order.iter().enumerate() {
            if self.has_work(&wave.fleet, *c) {
                self.move_component(&mut wave, *c, place, &order[pos + 1..])?;
            }
        }
        self.start_the_rest(&mut wave)?;
        Ok(wave)
    }

    fn wrong_side(&self, v: &Version) -> bool {
        self.way.wrong_side(self.policy.scheme(), v, self.r)
    }

    /// Whether `c` has anything to move: an instance on the wrong side, or one it manages
    /// (itself or through a manager it deploys) not yet at the release.
    fn has_work(&self, fleet: &[Cohort], c: ComponentId) -> bool {
        fleet.iter().any(|k| {
            (k.component == c && self.wrong_side(&k.version))
                || (k.version != *self.r
                    && root_manager(self.policy, k.component, self.r).is_some_and(|(m, _)| m == c))
        })
    }

    /// A managed component moves only when its manager redeploys it: blocked when the fleet
    /// runs no manager for one that must move.
    fn check_managers(&self, fleet: &[Cohort]) -> Result<(), Blocked> {
        for k in fleet
            .iter()
            .filter(|k| k.version != *self.r && k.size() > 0)
        {
            if let Some((m, why)) = manager_of(self.policy, k.component, self.r)
                && !fleet.iter().any(|x| x.component == m && x.size() > 0)
            {
                return Err(Blocked::no_manager(self.policy, k.component, m, &why));
            }
        }
        Ok(())
    }

    /// Moves `c` (at `place` in the order, `later` the components after it): stops what it
    /// would refuse, moves it, then checks it healthy before the next component with work.
    fn move_component(
        &self,
        wave: &mut Wave,
        c: ComponentId,
        place: &Why,
        later: &[(ComponentId, Why)],
    ) -> Result<(), Blocked> {
        let policy = self.policy;
        let fleet = &wave.fleet;
        let movers: Vec<usize> = (0..fleet.len())
            .filter(|&i| fleet[i].component == c && self.wrong_side(&fleet[i].version))
            .collect();
        let managed = self.managed_by(fleet, c);
        if !fleet.iter().any(|k| k.component == c && k.size() > 0) {
            let (i, why) = &managed[0];
            return Err(Blocked::no_manager(policy, fleet[*i].component, c, why));
        }
        self.stop_refused(wave, c, &managed)?;
        let order_note = self.order_note(&wave.fleet, c, &movers, later);
        let mover = Mover {
            policy,
            r: self.r,
            verb: self.way.verb(),
            table: self.table,
            allow_stops: self.allow_stops,
            c,
            place,
            movers,
            managed,
            rolls: self.table.is_none_or(|t| t.rolls(name(policy, c))),
            order_note,
            step_note: &self.step_note,
        };
        if let Some(w) = mover.single_instance(&wave.fleet).filter(|_| self.counted) {
            wave.warnings.push(w);
        }
        let done = mover.take(&wave.fleet, &mut wave.warnings)?;
        wave.fleet = done.fleet;
        wave.ops.extend(done.ops);
        // Before the next component moves, the moved ones must be healthy.
        if let Some((next, _)) = later
            .iter()
            .find(|(next, _)| self.has_work(&wave.fleet, *next))
        {
            wave.ops.push(Op::Verify(
                c,
                self.r.clone(),
                Why {
                    text: format!(
                        "check that every {} at {} is healthy before {} moves",
                        name(policy, c),
                        self.r,
                        name(policy, *next)
                    ),
                    origin: place.origin.clone(),
                },
            ));
        }
        Ok(())
    }

    /// The cohorts `c` redeploys (itself or through a manager it deploys) that are not yet at
    /// the release, each with the rule of its direct manager.
    fn managed_by(&self, fleet: &[Cohort], c: ComponentId) -> Vec<(usize, Why)> {
        (0..fleet.len())
            .filter_map(|i| {
                let (m, why) = root_manager(self.policy, fleet[i].component, self.r)?;
                (m == c && fleet[i].version != *self.r && fleet[i].size() > 0).then_some((i, why))
            })
            .collect()
    }

    /// Stops the running instances of other components that `c`, or what it redeploys,
    /// would refuse at the release, with one warning for all of them. Blocked when the wave
    /// may stop nothing and no lockstep rule (`exact`) forces the stop.
    fn stop_refused(
        &self,
        wave: &mut Wave,
        c: ComponentId,
        managed: &[(usize, Why)],
    ) -> Result<(), Blocked> {
        let (policy, r) = (self.policy, self.r);
        let arriving: Vec<Peer> = std::iter::once(c)
            .chain(managed.iter().map(|(i, _)| wave.fleet[*i].component))
            .map(|component| Peer {
                component,
                version: r.clone(),
            })
            .collect();
        let mut stopping: Vec<(String, Refusal)> = Vec::new();
        for (i, k) in wave.fleet.iter_mut().enumerate() {
            if !k.running
                || k.size() == 0
                || k.component == c
                || managed.iter().any(|(m, _)| *m == i)
            {
                continue;
            }
            let peer = Peer {
                component: k.component,
                version: k.version.clone(),
            };
            let Some(refusal) = arriving.iter().find_map(|a| policy.check(&peer, a).err()) else {
                continue;
            };
            let lockstep = policy
                .rule_between(k.component, c, r)
                .is_some_and(|(rule, _)| rule.form.value == Form::Exact);
            if !self.allow_stops && !lockstep {
                return Err(Blocked::refusal(
                    format!(
                        "{} {} to {r} would need {} stopped",
                        name(policy, c),
                        self.way.verb(),
                        who(policy, k)
                    ),
                    &refusal,
                ));
            }
            if !lockstep {
                stopping.push((who(policy, k), refusal.clone()));
            }
            wave.ops.push(Op::Stop(
                i,
                Why {
                    text: format!(
                        "stop before {} moves to {r}: {}",
                        name(policy, c),
                        brief(&refusal)
                    ),
                    origin: refusal.reason().origin.clone(),
                },
            ));
            k.running = false;
        }
        if let Some(w) = stop_warning(name(policy, c), r, &stopping) {
            wave.warnings.push(w);
        }
        Ok(())
    }

    /// Why the order matters here: the first later component that, moved first, would be
    /// refused by `c`'s instances still on the wrong side (`; B first would be refused, ...`).
    fn order_note(
        &self,
        fleet: &[Cohort],
        c: ComponentId,
        movers: &[usize],
        later: &[(ComponentId, Why)],
    ) -> String {
        later
            .iter()
            .find_map(|(d, _)| {
                let ahead = Peer {
                    component: *d,
                    version: self.r.clone(),
                };
                movers
                    .iter()
                    .find_map(|&i| {
                        let behind = Peer {
                            component: c,
                            version: fleet[i].version.clone(),
                        };
                        self.policy.check(&ahead, &behind).err()
                    })
                    .map(|refusal| {
                        format!(
                            "; {} first would be refused, {}",
                            name(self.policy, *d),
                            brief(&refusal)
                        )
                    })
            })
            .unwrap_or_default()
    }

    /// Starts again whatever is still stopped once every component has moved, each start
    /// checked.
    fn start_the_rest(&self, wave: &mut Wave) -> Result<(), Blocked> {
        let policy = self.policy;
        let st = &mut wave.fleet;
        for i in 0..st.len() {
            if st[i].running || st[i].size() == 0 {
                continue;
            }
            wave.ops.push(Op::Start(
                i,
                Why {
                    text: format!(
                        "every component has moved; {} {} may talk again",
                        name(policy, st[i].component),
                        st[i].version
                    ),
                    origin: None,
                },
            ));
            st[i].running = true;
            if let Some(refusal) = refused(policy, &running_peers(st)) {
                return Err(Blocked::refusal(
                    format!("{} cannot start again", who(policy, &st[i])),
                    &refusal,
                ));
            }
        }
        Ok(())
    }
}
