//! Groups of instances: the planner moves a component at a version as one group, so its cost
//! does not grow with the fleet; only writing the steps does.

use compat_runtime::policy::ComponentId;
use compat_runtime::{Instance, Peer, Policy, Refusal, Version};

use crate::fleet_file::Fleet;

/// A group of instances that moves together: a component at a version, running or
/// stopped, its named instances and how many unnamed ones.
#[derive(Debug, Clone)]
pub(super) struct Cohort {
    pub(super) component: ComponentId,
    pub(super) version: Version,
    pub(super) running: bool,
    pub(super) names: Vec<String>,
    pub(super) anonymous: u64,
}

impl Cohort {
    pub(super) fn size(&self) -> u64 {
        self.names.len() as u64 + self.anonymous
    }
}

/// The fleet as cohorts: one per component version, in the order the fleet first lists it.
pub(super) fn group(fleet: &Fleet) -> Vec<Cohort> {
    let mut cohorts: Vec<Cohort> = Vec::new();
    for m in &fleet.members {
        let k = match cohorts
            .iter()
            .position(|c| c.component == m.peer.component && c.version == m.peer.version)
        {
            Some(k) => k,
            None => {
                cohorts.push(Cohort {
                    component: m.peer.component,
                    version: m.peer.version.clone(),
                    running: true,
                    names: Vec::new(),
                    anonymous: 0,
                });
                cohorts.len() - 1
            }
        };
        match &m.name {
            Some(n) => cohorts[k].names.push(n.clone()),
            None => cohorts[k].anonymous += m.count,
        }
    }
    cohorts
}

pub(super) fn name(policy: &Policy, c: ComponentId) -> &str {
    policy.component_name(c)
}

pub(super) fn id(policy: &Policy, index: usize) -> ComponentId {
    policy
        .component(&policy.components()[index].name)
        .expect("a component of this policy")
}

/// The running component versions, once each.
pub(super) fn running_peers(cohorts: &[Cohort]) -> Vec<Peer> {
    let mut out: Vec<Peer> = Vec::new();
    for c in cohorts.iter().filter(|c| c.running && c.size() > 0) {
        let p = Peer {
            component: c.component,
            version: c.version.clone(),
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The runtime's fleet check over a set of running versions: the first refusal, if any.
pub(super) fn refused(policy: &Policy, peers: &[Peer]) -> Option<Refusal> {
    let instances: Vec<Instance> = peers
        .iter()
        .map(|p| Instance {
            name: None,
            peer: p.clone(),
        })
        .collect();
    policy
        .check_fleet(&instances)
        .into_iter()
        .next()
        .map(|v| v.refusal)
}

/// `server-a`, `3 server instances`: who a group is, for messages.
pub(super) fn who(policy: &Policy, c: &Cohort) -> String {
    match (c.names.as_slice(), c.anonymous) {
        ([one], 0) => one.clone(),
        (_, n) if n == c.size() && n == 1 => format!("the {} instance", name(policy, c.component)),
        _ => format!("{} {} instances", c.size(), name(policy, c.component)),
    }
}
