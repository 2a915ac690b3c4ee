//! The generated compatibility and upgrade guide: versioning, each component pair's window in
//! words, the upgrade and downgrade order, the largest jump, the support window, and worked
//! examples, all computed from the policy with the runtime's own check and the planner.
//!
//! Worked examples use the releases that exist (`--releases`, or those in `compat.lock`):
//! windows are shown around the newest release, a rule that no longer applies there is shown
//! at the newest release where it does, and the upgrade example moves from the newest
//! release of the previous line to the newest release.

use std::fmt::Write as _;

use compat_runtime::policy::{ComponentId, Form, Rule, Side, Upgrade};
use compat_runtime::skew::Skew;
use compat_runtime::version::{MajorZero, WithReleases};
use compat_runtime::{Peer, Policy, Version};

use crate::english::{list_and, plural, same_file, sentence};
use crate::fleet_file::{Fleet, Member};
use crate::plan::{Action, Plan, Request, Step, cluster_rule, plan};
use crate::releases::Releases;

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
    g.in_short(&mut out);
    g.components(&mut out);
    g.versioning(&mut out);
    g.compatibility(&mut out);
    g.support(&mut out);
    g.upgrading(&mut out);
    g.downgrading(&mut out);
    out
}

struct Guide<'a> {
    policy: &'a Policy,
    releases: &'a [Version],
}

fn v(major: u64, minor: u64, patch: u64) -> Version {
    Version::new(major, minor, patch)
}

impl Guide<'_> {
    fn name(&self, c: ComponentId) -> &str {
        self.policy.component_name(c)
    }

    fn id(&self, name: &str) -> Option<ComponentId> {
        self.policy.component(name)
    }

    fn newest(&self) -> Option<&Version> {
        self.releases.last()
    }

    /// The rules and settings in force at the newest release, one line each.
    fn in_short(&self, out: &mut String) {
        let Some(r) = self.newest() else { return };
        let policy = self.policy;
        out.push_str("\n## In short\n\n");
        let scheme = policy.scheme();
        for rule in policy.rules() {
            if rule.applies_at(scheme, r) {
                let _ = writeln!(out, "- {}.", sentence(&rule.describe()));
            }
        }
        if let Some(u) = policy.upgrade_at(r) {
            let up: Vec<String> = u.order.iter().map(|c| format!("`{}`", c.value)).collect();
            let down: Vec<String> = u
                .downgrade_order()
                .iter()
                .map(|c| format!("`{c}`"))
                .collect();
            if !up.is_empty() {
                let _ = writeln!(
                    out,
                    "- Upgrade {}; downgrade {}.",
                    up.join(", then "),
                    down.join(", then ")
                );
            }
            if let Some(j) = &u.max_jump {
                let _ = writeln!(out, "- One step moves at most {}.", j.value.describe());
            }
        }
        if let Some(w) = &policy.support().window {
            let _ = writeln!(
                out,
                "- Supported: versions at most {} behind the newest.",
                w.value.describe()
            );
        }
        if let Some(u) = policy.unstable() {
            let _ = writeln!(out, "- No guarantee for versions matching `{}`.", u.value);
        }
    }

    fn components(&self, out: &mut String) {
        out.push_str("\n## Components\n\n| component | what it is |\n|---|---|\n");
        for c in self.policy.components() {
            let _ = writeln!(
                out,
                "| `{}` | {} |",
                c.name,
                c.description.as_deref().unwrap_or("")
            );
        }
    }

    fn versioning(&self, out: &mut String) {
        let scheme = self.policy.scheme();
        out.push_str("\n## Versioning\n\n");
        let anatomy = self
            .releases
            .iter()
            .find(|r| {
                r.major > 0
                    && r.minor > 0
                    && r.patch > 0
                    && r.major != r.minor
                    && r.minor != r.patch
            })
            .or(self.newest());
        out.push_str("Versions are `MAJOR.MINOR.PATCH`, following Semantic Versioning");
        match anatomy {
            Some(r) => {
                let _ = writeln!(
                    out,
                    ": `{r}` has major version `{}`, minor version `{}` and patch version `{}`.",
                    r.major, r.minor, r.patch
                );
            }
            None => out.push_str(".\n"),
        }
        if scheme.major_zero == MajorZero::MinorIsMajor {
            let _ = writeln!(
                out,
                "\nBefore 1.0, a minor release acts as a major release and a patch release as a minor \
                 one: `0.8.x` and `0.9.x` are different major lines (`major-zero = \"minor-is-major\"`{}). \
                 Skews below still count minors and patches as written.",
                self.policy
                    .parts()
                    .scheme_origin
                    .as_ref()
                    .map_or(String::new(), |o| format!(", {o}"))
            );
        }
        if let Some(unstable) = self.policy.unstable() {
            let _ = writeln!(
                out,
                "\nVersions matching `{}` carry no compatibility guarantee: such a version talks \
                 only to the identical version ({}).",
                unstable.value, unstable.origin
            );
        }
        if !scheme.prerelease_order.is_empty() {
            let tags: Vec<String> = scheme
                .prerelease_order
                .iter()
                .map(|t| format!("`-{t}`"))
                .collect();
            let _ = write!(
                out,
                "\nPre-releases rank {} < the release (`6.0.0-dev` < `6.0.0-alpha.1` < `6.0.0-rc.1` < `6.0.0` in this order).",
                tags.join(" < ")
            );
            match &scheme.with_releases {
                WithReleases::All => out.push_str(" Every pre-release may talk to releases.\n"),
                WithReleases::None => out.push_str(" No pre-release talks to a release.\n"),
                WithReleases::Tags(t) => {
                    let _ = writeln!(
                        out,
                        " Only {} pre-releases may talk to releases; the others talk only to pre-releases.",
                        list_and(&t.iter().map(|x| format!("`-{x}`")).collect::<Vec<_>>())
                    );
                }
            }
        }
    }

    /// Candidate versions around `refs`, in order: what the worked examples scan.
    fn candidates(&self, refs: &[&Version]) -> (Vec<Version>, u64, u64) {
        let lo_major = refs
            .iter()
            .map(|r| r.major)
            .min()
            .unwrap_or(0)
            .saturating_sub(3);
        let hi_major = refs.iter().map(|r| r.major).max().unwrap_or(0) + 2;
        let top_minor = refs.iter().map(|r| r.minor).max().unwrap_or(0) + 2;
        let top_patch = refs.iter().map(|r| r.patch).max().unwrap_or(0) + 1;
        let mut out = Vec::new();
        for major in lo_major..=hi_major {
            for minor in 0..=top_minor {
                for patch in 0..=top_patch {
                    out.push(v(major, minor, patch));
                }
            }
        }
        (out, top_minor, top_patch)
    }

    /// The versions of `c` that every peer accepts, in words: "0.8.0 through 0.9.2",
    /// "1.1.5 or later, below 2.0.0", "exactly 1.1.5".
    fn supported(
        &self,
        c: ComponentId,
        peers: &[Peer],
        at_most: Option<&Version>,
        only: Option<&Rule>,
    ) -> String {
        let refs: Vec<&Version> = peers.iter().map(|p| &p.version).collect();
        let (cands, top_minor, top_patch) = self.candidates(&refs);
        let scheme = self.policy.scheme();
        let ok: Vec<bool> = cands
            .iter()
            .map(|x| {
                at_most.is_none_or(|m| scheme.compare(x, m).is_le())
                    // A rule that changes at a release: only the pairs it decides.
                    && only.is_none_or(|rule| {
                        peers.iter().all(|p| {
                            let newest = if scheme.compare(x, &p.version).is_gt() { x } else { &p.version };
                            self.policy
                                .rule_between(c, p.component, newest)
                                .is_some_and(|(q, _)| core::ptr::eq(q, rule))
                        })
                    })
                    && peers.iter().all(|p| {
                        self.policy
                            .check(
                                &Peer {
                                    component: c,
                                    version: x.clone(),
                                },
                                p,
                            )
                            .is_ok()
                    })
            })
            .collect();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (i, &yes) in ok.iter().enumerate() {
            if !yes {
                continue;
            }
            match spans.last_mut() {
                Some((_, end)) if *end + 1 == i => *end = i,
                _ => spans.push((i, i)),
            }
        }
        if spans.is_empty() {
            return "no version".into();
        }
        let words: Vec<String> = spans
            .iter()
            .map(|&(a, b)| {
                let (lo, hi) = (&cands[a], &cands[b]);
                if b + 1 == cands.len() {
                    format!("{lo} or later")
                } else if hi.patch == top_patch {
                    let next = if hi.minor == top_minor {
                        v(hi.major + 1, 0, 0)
                    } else {
                        v(hi.major, hi.minor + 1, 0)
                    };
                    format!("{lo} or later, below {next}")
                } else if a == b {
                    format!("exactly {lo}")
                } else {
                    format!("{lo} through {hi}")
                }
            })
            .collect();
        list_and(&words)
    }

    /// The two components a rule speaks of, wildcards read as the first components they
    /// cover.
    fn sides(&self, rule: &Rule) -> Option<(ComponentId, ComponentId)> {
        let all: Vec<ComponentId> = self
            .policy
            .components()
            .iter()
            .filter_map(|c| self.id(&c.name))
            .collect();
        let a = match &rule.component.value {
            Side::Named(n) => self.id(n)?,
            Side::Any => *all.first()?,
        };
        let b = match &rule.peer.value {
            Side::Named(n) => self.id(n)?,
            Side::Any => *all.iter().find(|c| **c != a).unwrap_or(&a),
        };
        Some((a, b))
    }

    /// The newest release at which `rule` decides between `a` and `b`.
    fn reference(&self, rule: &Rule, a: ComponentId, b: ComponentId) -> Option<&Version> {
        self.releases.iter().rev().find(|r| {
            self.policy
                .rule_between(a, b, r)
                .is_some_and(|(x, _)| core::ptr::eq(x, rule))
        })
    }

    fn compatibility(&self, out: &mut String) {
        out.push_str("\n## Compatibility\n");
        for rule in self.policy.rules() {
            let Some((a, b)) = self.sides(rule) else {
                continue;
            };
            let heading = match (&rule.component.value, &rule.peer.value) {
                (Side::Any, Side::Any) => "any two components".to_string(),
                (Side::Named(x), Side::Named(y)) if x == y => format!("`{x}` with `{x}`"),
                (x, y) => format!("`{x}` with `{y}`").replace("`*`", "any component"),
            };
            let range = match (&rule.from, &rule.until) {
                (Some(f), Some(u)) => format!(" (from {} until {})", f.value, u.value),
                (Some(f), None) => format!(" (from {} on)", f.value),
                (None, Some(u)) => format!(" (before {})", u.value),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "\n### {}{range}\n", sentence(&heading));
            // The heading already gives the range the rule covers.
            let words = rule.describe();
            let words = match words.rfind(" (") {
                Some(i)
                    if words[i..].starts_with(" (before ") || words[i..].starts_with(" (from ") =>
                {
                    words[..i].to_string()
                }
                _ => words,
            };
            let _ = writeln!(out, "{} ({}).", sentence(&words), rule.origin);
            if let Some(note) = &rule.note {
                let _ = writeln!(out, "\n> {}", sentence(note));
            }
            let Some(r) = self.reference(rule, a, b) else {
                continue;
            };
            let ranged = (rule.from.is_some() || rule.until.is_some()).then_some(rule);
            let mut examples: Vec<String> = Vec::new();
            if a == b {
                let range = self.supported(
                    a,
                    &[Peer {
                        component: a,
                        version: r.clone(),
                    }],
                    Some(r),
                    ranged,
                );
                // "0.8.0 through 0.9.3" also reads as whole minor lines: 0.8.x and 0.9.x.
                let lines = range
                    .split_once(" through ")
                    .and_then(|(lo, hi)| Some((Version::parse(lo).ok()?, Version::parse(hi).ok()?)))
                    .filter(|(lo, hi)| lo.patch == 0 && lo.major == hi.major && hi == r)
                    .map(|(lo, hi)| {
                        let l: Vec<String> = (lo.minor..=hi.minor)
                            .map(|m| format!("{}.{m}.x", lo.major))
                            .collect();
                        format!(" ({})", list_and(&l))
                    })
                    .unwrap_or_default();
                examples.push(format!(
                    "with the newest `{n}` at {r}, the other `{n}` instances are supported at {range}{lines}",
                    n = self.name(a)
                ));
            } else {
                // Seen from the peer, possibly mid-rollout when the peer forms a cluster.
                let mut peers = vec![Peer {
                    component: b,
                    version: r.clone(),
                }];
                let clustered = cluster_rule(self.policy, b, r).is_some();
                let previous = self
                    .releases
                    .iter()
                    .rev()
                    .find(|x| x.major == r.major && x.minor == r.minor && x.patch < r.patch);
                let during = match previous {
                    Some(p) if clustered => {
                        peers.push(Peer {
                            component: b,
                            version: p.clone(),
                        });
                        format!("`{}` instances at both {r} and {p}", self.name(b))
                    }
                    _ => format!("`{}` at {r}", self.name(b)),
                };
                let managed = rule.form.value == Form::Managed;
                if managed {
                    examples.push(format!(
                        "`{}` at {r} runs `{}` {r}, which it deploys itself; never set `{}` versions by hand",
                        self.name(b),
                        self.name(a),
                        self.name(a)
                    ));
                } else {
                    examples.push(format!(
                        "with {during}, `{}` is supported at {}",
                        self.name(a),
                        self.supported(a, &peers, None, ranged)
                    ));
                    examples.push(format!(
                        "with `{}` at {r}, `{}` is supported at {}",
                        self.name(a),
                        self.name(b),
                        self.supported(
                            b,
                            &[Peer {
                                component: a,
                                version: r.clone()
                            }],
                            None,
                            ranged
                        )
                    ));
                }
            }
            // Pairs of releases this rule decides, when it does not decide at the newest.
            if rule.from.is_some() || rule.until.is_some() {
                let (mut yes, mut no) = (None, None);
                for (i, x) in self.releases.iter().enumerate() {
                    for y in &self.releases[i + 1..] {
                        if !self
                            .policy
                            .rule_between(a, b, y)
                            .is_some_and(|(q, _)| core::ptr::eq(q, rule))
                        {
                            continue;
                        }
                        let pa = Peer {
                            component: a,
                            version: x.clone(),
                        };
                        let pb = Peer {
                            component: b,
                            version: y.clone(),
                        };
                        match self.policy.check(&pa, &pb) {
                            Ok(_) if yes.is_none() => yes = Some((x, y)),
                            Err(e) if no.is_none() => no = Some((x, y, e.kind())),
                            _ => {}
                        }
                    }
                }
                if let Some((x, y)) = yes {
                    examples.push(format!(
                        "`{}` {x} and `{}` {y} may talk",
                        self.name(a),
                        self.name(b)
                    ));
                }
                if let Some((x, y, kind)) = no {
                    examples.push(format!(
                        "`{}` {x} and `{}` {y} may not ({} is {kind})",
                        self.name(a),
                        self.name(b),
                        self.name(a)
                    ));
                }
            }
            out.push_str("\nFor example:\n\n");
            for e in examples {
                let _ = writeln!(out, "- {}.", sentence(&e));
            }
        }
    }

    fn support(&self, out: &mut String) {
        let support = self.policy.support();
        if support.window.is_none() && support.minimum.is_none() {
            return;
        }
        out.push_str("\n## Support\n\n");
        if let Some(w) = &support.window {
            let _ = write!(
                out,
                "Supported versions are at most {} behind the newest ({}).",
                w.value.describe(),
                w.origin
            );
            if let (Some(r), Skew::Major(n)) = (self.newest(), w.value) {
                let lines: Vec<String> = (0..=n)
                    .map(|k| {
                        format!(
                            "`v{}.*.*`{}",
                            r.major.saturating_sub(k),
                            if k == 0 { " (latest)" } else { "" }
                        )
                    })
                    .collect();
                let _ = write!(out, " With {r} the newest: {}.", lines.join(", "));
            }
            out.push('\n');
        }
        if let Some(m) = &support.minimum {
            let _ = writeln!(
                out,
                "\nNothing older than {} is supported ({}).",
                m.value, m.origin
            );
        }
    }

    /// The upgrade tables in file order, with the range each covers in words.
    fn tables(&self) -> Vec<(&Upgrade, String)> {
        self.policy
            .upgrades()
            .iter()
            .map(|u| {
                let range = match (&u.from, &u.until) {
                    // Settings for one release alone (the move into a major).
                    (Some(f), Some(t))
                        if f.value.pre.is_empty()
                            && t.value.pre.is_empty()
                            && (t.value.major, t.value.minor, t.value.patch)
                                == (f.value.major, f.value.minor, f.value.patch + 1) =>
                    {
                        format!("Moving to {}", f.value)
                    }
                    (Some(f), Some(t)) => {
                        format!("Moving to {} up to (not including) {}", f.value, t.value)
                    }
                    (Some(f), None) => format!("From {} on", f.value),
                    (None, Some(t)) => format!("Before {}", t.value),
                    (None, None) => String::new(),
                };
                (u, range)
            })
            .collect()
    }

    fn upgrading(&self, out: &mut String) {
        out.push_str("\n## Upgrading\n");
        let policy = self.policy;
        let tables = self.tables();
        let names = |u: &Upgrade| -> Vec<String> {
            u.order.iter().map(|c| format!("`{}`", c.value)).collect()
        };
        // One order for every range: said once, above the ranges.
        let one_order = tables.len() > 1
            && !tables[0].0.order.is_empty()
            && tables.iter().all(|(u, _)| names(u) == names(tables[0].0));
        if one_order {
            let _ = writeln!(
                out,
                "\n- Upgrade {}, in that order, for every release ({}).",
                list_and(&names(tables[0].0)),
                list_and(&same_file(tables.iter().map(|(u, _)| u.origin.to_string())))
            );
        }
        for (u, range) in tables {
            let lead = if range.is_empty() {
                String::new()
            } else {
                format!("\n### {range}\n")
            };
            out.push_str(&lead);
            out.push('\n');
            let order = names(u);
            if !order.is_empty() && !one_order {
                let _ = writeln!(
                    out,
                    "- Upgrade {}, in that order ({}).",
                    list_and(&order),
                    u.origin
                );
            }
            // Managed components move with their managers.
            for rule in policy
                .rules()
                .iter()
                .filter(|r| r.form.value == Form::Managed)
            {
                let _ = writeln!(
                    out,
                    "- `{}` is deployed by `{}` and moves with it: upgrading `{}` redeploys `{}` at its own version ({}).",
                    rule.component.value,
                    rule.peer.value,
                    rule.peer.value,
                    rule.component.value,
                    rule.origin
                );
            }
            match &u.max_jump {
                Some(j) => {
                    let _ = writeln!(
                        out,
                        "- One step moves an instance at most {} (`max-jump`, {}); further targets go through intermediate releases.",
                        j.value.describe(),
                        j.origin
                    );
                }
                None => {
                    out.push_str("- One step may move an instance any distance the rules allow.\n")
                }
            }
            let rolling: Vec<String> = policy
                .components()
                .iter()
                .filter(|c| u.rolls(&c.name))
                .map(|c| format!("`{}`", c.name))
                .collect();
            if rolling.is_empty() {
                out.push_str("- Instances of a component stop, move and start together (`rolling = false`).\n");
            } else {
                let _ = writeln!(
                    out,
                    "- {} instances upgrade one at a time (rolling).",
                    list_and(&rolling)
                );
            }
            let partial: Vec<String> = policy
                .components()
                .iter()
                .filter(|c| !u.rolls(&c.name) && !rolling.is_empty())
                .map(|c| format!("`{}`", c.name))
                .collect();
            if !partial.is_empty() {
                let _ = writeln!(out, "- {} instances move together.", list_and(&partial));
            }
            // Why the order matters (and where it does not), shown at the newest release for
            // the settings in force there.
            let current = self
                .newest()
                .and_then(|r| policy.upgrade_at(r))
                .is_some_and(|t| core::ptr::eq(t, u));
            if !current {
                continue;
            }
            let ids: Vec<ComponentId> = u.order.iter().filter_map(|c| self.id(&c.value)).collect();
            self.order_reasons(out, &ids, false);
            for c in policy.components() {
                let Some(id) = self.id(&c.name) else { continue };
                if let Some(rule) = self.newest().and_then(|r| cluster_rule(policy, id, r))
                    && u.rolls(&c.name)
                {
                    let _ = writeln!(
                        out,
                        "- `{n}` instances cover for each other while one restarts ({}): with more than one `{n}` instance an upgrade needs no downtime; a single `{n}` instance cannot restart without it.",
                        rule.origin,
                        n = c.name
                    );
                }
            }
        }
        if let Some((from, to)) = self.example_upgrade() {
            self.example(out, &from, &to, "Example: upgrading", &[]);
        }
        // Per upgrade table: a move that needs intermediate releases, where the releases show
        // one.
        for (u, _) in self.tables() {
            if u.max_jump.is_none() {
                continue;
            }
            let scheme = self.policy.scheme();
            let inside = |x: &Version| {
                u.from
                    .as_ref()
                    .is_none_or(|f| scheme.compare(x, &f.value).is_ge())
                    && u.until
                        .as_ref()
                        .is_none_or(|t| scheme.compare(x, &t.value).is_lt())
            };
            let found = self
                .releases
                .iter()
                .rev()
                .filter(|t| inside(t))
                .find_map(|to| {
                    self.releases
                        .iter()
                        .rev()
                        .filter(|f| scheme.compare(f, to).is_lt())
                        .find(|f| self.planned(f, to, &[]).is_ok_and(|p| p.waves.len() > 1))
                        .map(|f| (f.clone(), to.clone()))
                });
            if let Some((from, to)) = found {
                self.example(out, &from, &to, "Example: no release skipped,", &[]);
            }
        }
        // The next major release, which the releases do not hold yet.
        if let Some(r) = self.newest() {
            let next = self.policy.scheme().next_major(r);
            self.example(
                out,
                r,
                &next,
                "Example: the next major release,",
                std::slice::from_ref(&next),
            );
        }
    }

    /// Why `A` goes before `B`: moving `B` first would be refused; and where the order does
    /// not matter (a patch release). Downwards, `B` first means `B` one line lower.
    fn order_reasons(&self, out: &mut String, ids: &[ComponentId], down: bool) {
        let Some(r) = self.newest() else { return };
        let scheme = self.policy.scheme();
        let lower = |x: &Version| {
            self.releases
                .iter()
                .rev()
                .find(|y| scheme.major_line(y) != scheme.major_line(x) || y.minor != x.minor)
                .filter(|y| scheme.compare(y, x).is_lt())
                .cloned()
        };
        let pairs = ids
            .iter()
            .enumerate()
            .flat_map(|(i, a)| ids[i + 1..].iter().map(move |b| (*a, *b)));
        for (a, b) in pairs {
            let check = |bv: &Version| {
                self.policy.check(
                    &Peer {
                        component: b,
                        version: bv.clone(),
                    },
                    &Peer {
                        component: a,
                        version: r.clone(),
                    },
                )
            };
            let (line, patch) = if down {
                let Some(l) = lower(r) else { continue };
                (l, (r.patch > 0).then(|| v(r.major, r.minor, r.patch - 1)))
            } else {
                (
                    v(r.major, r.minor + 1, 0),
                    Some(v(r.major, r.minor, r.patch + 1)),
                )
            };
            let Err(refusal) = check(&line) else { continue };
            let o = refusal
                .reason()
                .origin
                .as_ref()
                .map_or(String::new(), |o| format!(", {o}"));
            let _ = write!(
                out,
                "- `{}` moves {} `{}`: `{}` {line} may not talk to `{}` {r} ({}{o}).",
                self.name(a),
                if down { "down before" } else { "before" },
                self.name(b),
                self.name(b),
                self.name(a),
                refusal.reason().text
            );
            if let Some(p) = patch
                && check(&p).is_ok()
            {
                let _ = write!(
                    out,
                    " For a patch release the order does not matter: `{}` {p} may talk to `{}` {r}, so either may go first.",
                    self.name(b),
                    self.name(a),
                );
            }
            out.push('\n');
        }
    }

    /// The fleet of a worked example: three unnamed instances of every component at `at`,
    /// and one of each manager (an operator that deploys agents runs once).
    fn example_fleet(&self, at: &Version) -> Fleet {
        let manages = |name: &str| {
            self.policy.rules().iter().any(|r| {
                r.form.value == Form::Managed && r.peer.value == Side::Named(name.to_string())
            })
        };
        Fleet {
            source: "example".into(),
            members: self
                .policy
                .components()
                .iter()
                .filter_map(|c| {
                    Some(Member {
                        name: None,
                        peer: Peer {
                            component: self.id(&c.name)?,
                            version: at.clone(),
                        },
                        count: if manages(&c.name) { 1 } else { 3 },
                        origin: compat_runtime::policy::Origin::code(),
                    })
                })
                .collect(),
        }
    }

    fn planned(&self, from: &Version, to: &Version, extra: &[Version]) -> Result<Plan, String> {
        let releases = Releases {
            versions: self.releases.to_vec(),
            source: "releases".into(),
        }
        .with(self.policy, extra.iter().cloned());
        plan(
            self.policy,
            &self.example_fleet(from),
            &Request::to(to.clone()).through(releases),
        )
        .map_err(|e| e.to_string())
    }

    /// From the newest release of the line before the newest release's, to the newest.
    fn example_upgrade(&self) -> Option<(Version, Version)> {
        let to = self.newest()?.clone();
        let scheme = self.policy.scheme();
        let jump = self
            .policy
            .upgrade_at(&to)
            .and_then(|u| u.max_jump.as_ref())
            .map(|j| j.value);
        let line = |x: &Version| match jump {
            Some(Skew::Major(_)) => (scheme.major_line(x), 0),
            _ => (scheme.major_line(x), x.minor),
        };
        let from = self
            .releases
            .iter()
            .rev()
            .find(|x| line(x) != line(&to) && self.planned(x, &to, &[]).is_ok())?;
        Some((from.clone(), to))
    }

    /// A worked plan, in the guide's words.
    fn example(
        &self,
        out: &mut String,
        from: &Version,
        to: &Version,
        title: &str,
        extra: &[Version],
    ) {
        let _ = writeln!(out, "\n### {title} from {from} to {to}\n");
        match self.planned(from, to, extra) {
            Ok(plan) => {
                let lines = runbook(&plan);
                // The stop lines say why each stops: the note only points at them.
                let (zero, others): (Vec<&String>, Vec<&String>) = plan
                    .warnings
                    .iter()
                    .partition(|w| w.starts_with("zero downtime is impossible: "));
                let stops: Vec<String> = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.starts_with("Stop "))
                    .map(|(n, _)| (n + 1).to_string())
                    .collect();
                match (zero.as_slice(), stops.as_slice()) {
                    ([], _) => {}
                    (_, []) => {
                        for w in &zero {
                            let _ = writeln!(out, "> **Note:** {}\n", sentence(w));
                        }
                    }
                    (_, where_) => {
                        let mut stopped: Vec<&Step> = Vec::new();
                        for s in plan.steps.iter().filter(|s| s.action == Action::Stop) {
                            if !stopped.iter().any(|x| x.component == s.component) {
                                stopped.push(s);
                            }
                        }
                        let n = where_.len() as u64;
                        let (steps, say) = (plural(n, "step", "steps"), plural(n, "says", "say"));
                        let _ = writeln!(
                            out,
                            "> **Note:** Zero downtime is impossible: {} stop ({steps} {} {say} why).\n",
                            subjects(&stopped),
                            list_and(where_)
                        );
                    }
                }
                for w in others {
                    let _ = writeln!(out, "> **Note:** {}\n", sentence(w));
                }
                if plan.waves.len() > 1 {
                    let waves: Vec<String> = plan.waves.iter().map(ToString::to_string).collect();
                    let _ = writeln!(out, "The move goes through {}.\n", waves.join(", then "));
                }
                for (i, line) in lines.iter().enumerate() {
                    let _ = writeln!(out, "{}. {line}", i + 1);
                }
            }
            Err(e) => {
                let _ = writeln!(out, "There is no such plan: {e}");
            }
        }
    }

    fn downgrading(&self, out: &mut String) {
        out.push_str("\n## Downgrading\n\n");
        let tables = self.tables();
        // One order for every range: said once.
        let orders: Vec<Vec<&str>> = tables.iter().map(|(u, _)| u.downgrade_order()).collect();
        if tables.len() > 1
            && !orders[0].is_empty()
            && orders.iter().all(|o| *o == orders[0])
            && tables.iter().all(|(u, _)| u.downgrade.is_none())
        {
            let names: Vec<String> = orders[0].iter().map(|c| format!("`{c}`")).collect();
            let origins = same_file(tables.iter().map(|(u, _)| u.origin.to_string()));
            let _ = writeln!(
                out,
                "- Downgrade {}, in that order, for every release (the reverse of the upgrade order, {}).",
                list_and(&names),
                list_and(&origins)
            );
            let ids: Vec<ComponentId> = orders[0].iter().filter_map(|c| self.id(c)).collect();
            self.order_reasons(out, &ids, true);
            if let Some((from, to)) = self.example_upgrade() {
                self.example(out, &to, &from, "Example: downgrading", &[]);
            }
            return;
        }
        for (u, range) in tables {
            let order = u.downgrade_order();
            let origin = u
                .downgrade
                .as_ref()
                .and_then(|d| d.first())
                .map(|d| d.origin.to_string());
            let names: Vec<String> = order.iter().map(|c| format!("`{c}`")).collect();
            if names.is_empty() {
                continue;
            }
            let lead = if range.is_empty() {
                String::new()
            } else {
                format!("{range}: ")
            };
            let _ = writeln!(
                out,
                "- {}owngrade {}, in that order ({}).",
                if lead.is_empty() {
                    "D".to_string()
                } else {
                    format!("{lead}d")
                },
                list_and(&names),
                origin.unwrap_or_else(|| format!("the reverse of the upgrade order, {}", u.origin))
            );
            let current = self
                .newest()
                .and_then(|r| self.policy.upgrade_at(r))
                .is_some_and(|t| core::ptr::eq(t, u));
            if current {
                let ids: Vec<ComponentId> = order.iter().filter_map(|c| self.id(c)).collect();
                self.order_reasons(out, &ids, true);
            }
        }
        if let Some((from, to)) = self.example_upgrade() {
            self.example(out, &to, &from, "Example: downgrading", &[]);
        }
    }
}

/// `the `server` instances`, or `` `operator` `` for the one instance of a manager.
fn subject(s: &Step) -> String {
    if s.count == 1 {
        format!("`{}`", s.component)
    } else {
        format!("the `{}` instances", s.component)
    }
}

/// Several subjects in one: `the `tsh` and `tctl` instances`.
fn subjects(steps: &[&Step]) -> String {
    if steps.iter().all(|s| s.count > 1) {
        let names: Vec<String> = steps.iter().map(|s| format!("`{}`", s.component)).collect();
        format!("the {} instances", list_and(&names))
    } else {
        list_and(&steps.iter().map(|s| subject(s)).collect::<Vec<_>>())
    }
}

/// `Check that every `server` instance at 0.9.3 is healthy before the `agent` instances move.`
fn verify_words(s: &Step) -> String {
    format!(
        "Check that every `{}` instance at {} is healthy before the `{}` instances move.",
        s.component,
        s.version,
        s.reason
            .rsplit_once(" before ")
            .map_or("next", |(_, next)| next.trim_end_matches(" moves"))
    )
}

/// How a move goes: `, one at a time`, ` together`, or nothing for a single instance.
fn pace(s: &Step) -> &'static str {
    match (s.one_at_a_time, s.count) {
        (true, _) => ", one at a time",
        (false, 1) => "",
        (false, _) => " together",
    }
}

/// A worked plan as runbook lines, as concise as the seed documents' procedures: three or
/// more components that move alike in one line (with their health checks), stops with the
/// same cause together and each rule once, a stopped move with its start, a managed
/// redeploy with its manager's move.
fn runbook(plan: &Plan) -> Vec<String> {
    let steps = &plan.steps;
    let verb = |s: &Step| sentence(s.action.as_str());
    let plain_move = |s: &Step| {
        matches!(s.action, Action::Upgrade | Action::Downgrade)
            && !s.stopped
            && s.instance.is_none()
    };
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let s = &steps[i];
        let next = |j: usize| steps.get(j);
        match s.action {
            // A component that stops to move (`rolling = false`): one line, as the seeds'
            // "restart the server".
            Action::Stop
                if next(i + 1).is_some_and(|n| {
                    n.stopped
                        && n.component == s.component
                        && matches!(n.action, Action::Upgrade | Action::Downgrade)
                }) && next(i + 2)
                    .is_some_and(|n| n.action == Action::Start && n.component == s.component)
                    && !s.reason.starts_with("stop before ") =>
            {
                let moved = &steps[i + 1];
                i += 2;
                while next(i)
                    .is_some_and(|n| n.action == Action::Start && n.component == s.component)
                {
                    i += 1;
                }
                let why = match (
                    s.reason.split_once(" stop, move and start together ("),
                    s.reason.split_once(" stop together: "),
                ) {
                    (Some((_, paren)), _) => format!(" ({paren}"),
                    (None, Some((_, why))) => format!(": {why}"),
                    (None, None) => format!(": {}", s.reason),
                };
                let them = plural(s.count, "it", "them");
                lines.push(format!(
                    "Stop {} (at {}), {} {them} to {} and start {them}, all together{why}.",
                    subject(s),
                    s.version,
                    moved.action,
                    moved.version
                ));
            }
            Action::Stop => {
                // Stops for the same move (or the same reason) go together.
                let cause = |x: &Step| {
                    x.reason
                        .split_once(": ")
                        .filter(|(head, _)| head.starts_with("stop before "))
                        .map_or(x.reason.clone(), |(head, _)| head.to_string())
                };
                let mut group = vec![s];
                while let Some(n) = next(i + group.len()) {
                    if n.action == Action::Stop && n.version == s.version && cause(n) == cause(s) {
                        group.push(n);
                    } else {
                        break;
                    }
                }
                i += group.len();
                let line = match cause(s).strip_prefix("stop ") {
                    Some(head) => {
                        // `a 1 may not talk to b 2: rule`, once per rule with every subject.
                        let mut rests: Vec<(Vec<String>, &str)> = Vec::new();
                        for g in &group {
                            let rest = g.reason.split_once(": ").map_or("", |(_, r)| r);
                            let (who, tail) =
                                rest.split_once(" may not talk to ").unwrap_or((rest, ""));
                            match rests.iter_mut().find(|(_, t)| *t == tail && !t.is_empty()) {
                                Some((whom, _)) => whom.push(who.to_string()),
                                None => rests.push((vec![who.to_string()], tail)),
                            }
                        }
                        let rests: Vec<String> = rests
                            .iter()
                            .map(|(whom, tail)| match *tail {
                                "" => list_and(whom),
                                t => format!("{} may not talk to {t}", list_and(whom)),
                            })
                            .collect();
                        format!(
                            "Stop {} (at {}) {head}: {}.",
                            subjects(&group),
                            s.version,
                            rests.join("; ")
                        )
                    }
                    None => format!(
                        "Stop {} (at {}): {}.",
                        subjects(&group),
                        s.version,
                        s.reason
                    ),
                };
                lines.push(line);
            }
            Action::Upgrade | Action::Downgrade if plain_move(s) => {
                // Components that move alike, each checked before the next, in one line.
                let alike = |n: &Step| {
                    plain_move(n)
                        && n.action == s.action
                        && n.from == s.from
                        && n.version == s.version
                        && n.one_at_a_time == s.one_at_a_time
                        && (n.count == 1) == (s.count == 1)
                };
                let redeploys =
                    |j: usize| next(j + 1).is_some_and(|n| n.action == Action::Redeploy);
                let mut group = vec![s];
                let mut j = i + 1;
                let mut last_verify = None;
                while !redeploys(j - 1) {
                    match (next(j), next(j + 1)) {
                        (Some(v), Some(n))
                            if v.action == Action::Verify && alike(n) && !redeploys(j + 1) =>
                        {
                            group.push(n);
                            j += 2;
                        }
                        (Some(v), _) if v.action == Action::Verify => {
                            last_verify = Some(v);
                            j += 1;
                            break;
                        }
                        _ => break,
                    }
                }
                // Two components read better as the seed documents write them: a line
                // each, with the health check between.
                if group.len() < 3 {
                    group.truncate(1);
                    last_verify = None;
                    j = i + 1;
                }
                i = j;
                let from = s.from.as_ref().map(ToString::to_string).unwrap_or_default();
                let mut line = if group.len() == 1 {
                    format!(
                        "{} {} from {from} to {}{}.",
                        verb(s),
                        subject(s),
                        s.version,
                        pace(s)
                    )
                } else {
                    let names: Vec<String> =
                        group.iter().map(|g| format!("`{}`", g.component)).collect();
                    let each = match (s.one_at_a_time, s.count) {
                        (true, _) => "the instances of each one at a time, ",
                        (false, 1) => "",
                        (false, _) => "the instances of each together, ",
                    };
                    format!(
                        "{} {}, in that order, from {from} to {}: {each}each checked healthy before the next moves.",
                        verb(s),
                        list_and(&names),
                        s.version
                    )
                };
                if let Some(v) = last_verify {
                    line.push(' ');
                    line.push_str(&verify_words(v));
                }
                lines.push(line);
            }
            Action::Upgrade | Action::Downgrade => {
                let from = s.from.as_ref().map(ToString::to_string).unwrap_or_default();
                let mut line = format!(
                    "{} {}{} from {from} to {}{}",
                    verb(s),
                    subject(s),
                    if s.stopped { " (stopped)" } else { "" },
                    s.version,
                    pace(s)
                );
                i += 1;
                // A stopped move and the start that follows it are one line.
                let mut started = false;
                while let Some(n) = next(i) {
                    if n.action == Action::Start && n.component == s.component {
                        started = true;
                        i += 1;
                    } else {
                        break;
                    }
                }
                line.push_str(if started { ", and start them." } else { "." });
                if s.count == 1 && started {
                    line = line.replace(", and start them.", ", and start it.");
                }
                lines.push(line);
            }
            Action::Redeploy => {
                let moves = if plan.direction == crate::plan::Direction::Down {
                    "downgrade"
                } else {
                    "upgrade"
                };
                let words = format!(
                    "`{}` redeploys {} at {} as part of its own {moves}.",
                    s.via.as_deref().unwrap_or("the manager"),
                    subject(s),
                    s.version
                );
                match lines.last_mut() {
                    Some(l) if s.joint => {
                        l.push(' ');
                        l.push_str(&words);
                    }
                    _ => lines.push(words),
                }
                i += 1;
            }
            Action::Start => {
                lines.push(format!("Start {} at {}.", subject(s), s.version));
                i += 1;
            }
            Action::Verify => {
                lines.push(verify_words(s));
                i += 1;
            }
        }
    }
    lines
}
