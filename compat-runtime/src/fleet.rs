//! Fleet checks: every violated pair among a set of running instances.

use std::collections::BTreeMap;

use crate::check::{Peer, Refusal, RefusalKind};
use crate::policy::Policy;

/// A running instance: a peer and, optionally, what the operator calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Host name, pod name, or anything that finds it.
    pub name: Option<String>,
    /// Its component and version.
    pub peer: Peer,
}

/// One refused pair of a fleet, with the instances on either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Why the pair may not talk.
    pub refusal: Refusal,
    /// The instances running the refusal's subject (names, or `component@version`).
    pub subjects: Vec<String>,
    /// The instances running the other side; none for a denied release, which is refused
    /// as its own.
    pub others: Vec<String>,
}

impl Policy {
    /// Checks every pair of a fleet and lists every violated one, once per distinct pair of
    /// component versions (a thousand agents at one version are one row), in a stable order.
    /// A group of instances at a denied release (`[[deny]]`) is one row of its own (its
    /// subject and other side are the group itself), and its pairs are checked as if it were
    /// not denied: the deny belongs to the instances, not to each pair they are in.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Instance, Policy};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
    ///     [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
    /// let fleet: Vec<Instance> = ["server@0.9.3", "server@0.9.2", "agent@0.9.3"]
    ///     .iter()
    ///     .map(|p| Instance { name: None, peer: policy.peer(p).unwrap() })
    ///     .collect();
    /// let violations = policy.check_fleet(&fleet);
    /// assert_eq!(violations.len(), 1); // the agent is newer than the older server
    /// # }
    /// ```
    pub fn check_fleet(&self, instances: &[Instance]) -> Vec<Violation> {
        let groups = self.groups(instances);
        let groups: Vec<&(Peer, Vec<String>)> = groups.values().collect();
        // The peers a moved group talks to: every other group not itself at a denied release
        // (those refuse everything, and move off too).
        let peers_of = |p: &Peer| -> Vec<&Peer> {
            groups
                .iter()
                .map(|g| &g.0)
                .filter(|q| *q != p && !self.is_denied(q.component, &q.version))
                .collect()
        };
        let mut out = Vec::new();
        for (i, (a, names_a)) in groups.iter().map(|g| (&g.0, &g.1)).enumerate() {
            if let Some(deny) = self.denial(a.component, &a.version) {
                let mut refusal = self.refuse_denied(a, a, deny, false);
                refusal.set_moves(self.moves_off(a, &peers_of(a)));
                out.push(Violation {
                    refusal,
                    subjects: names_a.clone(),
                    others: Vec::new(),
                });
            }
            for (b, names_b) in groups[i + 1..].iter().map(|g| (&g.0, &g.1)) {
                if let Err(mut refusal) = self.decide_with(a, b, true, false) {
                    let a_is_subject = self
                        .components()
                        .get(a.component.index())
                        .is_some_and(|c| refusal.subject().component == c.name)
                        && refusal.subject().version == a.version;
                    let (subject, other): (&Peer, &Peer) =
                        if a_is_subject { (a, b) } else { (b, a) };
                    // A pair's remedy must also suit every other instance the moved one
                    // talks to: recompute it against the whole fleet.
                    self.fleet_moves(&mut refusal, subject, other, &peers_of);
                    let (subjects, others) = if a_is_subject {
                        (names_a, names_b)
                    } else {
                        (names_b, names_a)
                    };
                    out.push(Violation {
                        refusal,
                        subjects: subjects.clone(),
                        others: others.clone(),
                    });
                }
            }
        }
        out
    }

    /// The instances grouped by component and version, each group with its labels.
    fn groups(&self, instances: &[Instance]) -> BTreeMap<(usize, String), (Peer, Vec<String>)> {
        let mut groups: BTreeMap<(usize, String), (Peer, Vec<String>)> = BTreeMap::new();
        for inst in instances {
            let key = (inst.peer.component.index(), inst.peer.version.to_string());
            let label = inst.name.clone().unwrap_or_else(|| {
                let component = self
                    .components()
                    .get(inst.peer.component.index())
                    .map_or("?", |c| c.name.as_str());
                format!("{component}@{}", inst.peer.version)
            });
            let entry = groups
                .entry(key)
                .or_insert_with(|| (inst.peer.clone(), Vec::new()));
            entry.1.push(label);
        }
        groups
    }

    /// The moves out of a pair's refusal that suit every peer of the moved side in the
    /// fleet (`peers_of`), instead of the other side alone.
    fn fleet_moves<'g>(
        &self,
        refusal: &mut Refusal,
        subject: &'g Peer,
        other: &'g Peer,
        peers_of: &impl Fn(&Peer) -> Vec<&'g Peer>,
    ) {
        let redeploys = refusal
            .moves()
            .iter()
            .any(|m| m.direction == crate::check::Direction::Redeploy);
        match refusal.kind() {
            _ if redeploys => {}
            RefusalKind::TooOld => refusal.set_moves(self.moves_apart(
                subject,
                other,
                &peers_of(subject),
                &peers_of(other),
            )),
            RefusalKind::TooNew => refusal.set_moves(self.moves_apart(
                other,
                subject,
                &peers_of(other),
                &peers_of(subject),
            )),
            RefusalKind::BelowFloor | RefusalKind::Unsupported | RefusalKind::PreRelease => {
                refusal.set_moves(self.moves_up(subject, &peers_of(subject), true));
            }
            _ => {}
        }
    }
}
