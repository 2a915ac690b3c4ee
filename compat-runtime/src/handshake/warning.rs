//! Advance warning: the releases this end's component can reach in one upgrade step, and
//! the notice for an accepted peer that one of them would refuse, worded from where the
//! peer really is.
//!
//! A warning is only worth sending when it can come true: a release the operator cannot
//! reach in one step (the policy's `max-jump`) is never the next one, so it warns nobody.
//! A same-major policy with `max-jump = "1 minor"` therefore warns no peer about the next
//! major: no plan reaches it without first passing releases that warn in time.

use crate::check::{Direction, Move, Named, Peer, Refusal, RefusalKind};
use crate::policy::Policy;
use crate::version::{Version, parse_version};

use super::Release;
use super::hello::Hello;
use super::kind::RefusedKind;
use super::refused::Notice;

/// The releases of `me`'s component it can move to in one upgrade step, oldest first.
///
/// Candidates are the recorded releases newer than `me` and, past the newest of those (the
/// releases not made yet), the next minor and the next major (under the policy's reading
/// of `0.x`); a pre-release also reaches its own release. Each is kept only when the
/// `max-jump` of the upgrade settings for it admits the step from `me`, and the policy does
/// not deny it.
pub(crate) fn reachable(policy: &Policy, me: &Peer, releases: &[Release]) -> Vec<Peer> {
    let scheme = policy.scheme();
    let v = &me.version;
    let mut ahead: Vec<Version> = releases
        .iter()
        .filter_map(|r| parse_version(r.version).ok())
        .filter(|r| r.pre.is_empty() && scheme.compare(r, v).is_gt())
        .map(|r| Version::new(r.major, r.minor, r.patch))
        .collect();
    let newest = ahead
        .iter()
        .max_by(|a, b| scheme.compare(a, b))
        .unwrap_or(v)
        .clone();
    let own_release = (!v.pre.is_empty()).then(|| Version::new(v.major, v.minor, v.patch));
    let next_minor = Version::new(v.major, v.minor.saturating_add(1), 0);
    for next in own_release
        .into_iter()
        .chain([next_minor, scheme.next_major(v)])
    {
        if scheme.compare(&next, &newest).is_gt() {
            ahead.push(next);
        }
    }
    ahead.sort_by(|a, b| scheme.compare(a, b));
    ahead.dedup();
    // A denied release is never deployed, so it warns nobody.
    ahead.retain(|next| {
        !policy.is_denied(me.component, next)
            && policy
                .upgrade_at(next)
                .and_then(|u| u.max_jump.as_ref())
                .is_none_or(|jump| jump.value.admits(scheme, v, next))
    });
    ahead
        .into_iter()
        .map(|version| Peer {
            component: me.component,
            version,
        })
        .collect()
}

/// The notice for `peer`, accepted by `me`, from the first release in `ahead` that refuses
/// it; `None` when none does. `by` is `me`'s hello (spelled out only for a notice).
pub(crate) fn advance_warning(
    policy: &Policy,
    by: &Hello,
    me: &Peer,
    ahead: &[Peer],
    peer: &Peer,
) -> Option<Notice> {
    ahead.iter().find_map(|next| {
        let refusal = policy.check(next, peer).err()?;
        Some(notice(policy, by, me, next, peer, &refusal))
    })
}

fn notice(
    policy: &Policy,
    by: &Hello,
    me: &Peer,
    next: &Peer,
    peer: &Peer,
    refusal: &Refusal,
) -> Notice {
    let subject = format!("{}@{}", policy.component_name(peer.component), peer.version);
    Notice::new(
        by.peer_text(),
        subject,
        next.version.to_string(),
        RefusedKind::Policy(kind_of_peer(policy, next, refusal)),
    )
    .with_rule(
        refusal.reason().text.clone(),
        refusal.reason().origin.as_ref().map(ToString::to_string),
    )
    .with_remedy(remedy(policy, me, next, peer, refusal))
}

/// The refusal's kind as it describes the peer. A refusal is about one side (its subject);
/// when that side is this end's next release ("server 1.0.0 is too new for agent 0.9.3"),
/// the peer stands on the other side of the same limit: too old for it, not too new.
fn kind_of_peer(policy: &Policy, next: &Peer, refusal: &Refusal) -> RefusalKind {
    let kind = refusal.kind();
    if !is(policy, refusal.subject(), next) {
        return kind;
    }
    match kind {
        RefusalKind::TooOld => RefusalKind::TooNew,
        RefusalKind::TooNew => RefusalKind::TooOld,
        other => other,
    }
}

/// What the peer can do, in words: move now to a release both this end and `next` accept
/// ("… before upgrading server to 0.10.0"); failing that, move when this end moves (no
/// release of the peer talks to both); failing that, keep this end below `next`. Never a
/// move of this end from a version it does not run.
fn remedy(policy: &Policy, me: &Peer, next: &Peer, peer: &Peer, refusal: &Refusal) -> String {
    let mine = policy.component_name(me.component);
    if let Some(step) = move_within(policy, peer, &[me, next]) {
        return format!("{step} before upgrading {mine} to {}", next.version);
    }
    let theirs = policy.component_name(peer.component);
    let both = format!(
        "no release of {theirs} talks to both {mine} {} and {}",
        me.version, next.version
    );
    let with_next = refusal
        .moves()
        .iter()
        .find(|m| is(policy, &m.who, peer))
        .cloned()
        .or_else(|| move_within(policy, peer, &[next]));
    match with_next {
        Some(step) => format!("{step} when {mine} moves to {}: {both}", next.version),
        None => format!(
            "keep {mine} below {} while {theirs} {} runs: {both}",
            next.version, peer.version
        ),
    }
}

/// The nearest move of `peer` (up first, then down) into releases every one of `others`
/// accepts.
fn move_within(policy: &Policy, peer: &Peer, others: &[&Peer]) -> Option<Move> {
    [Direction::Upgrade, Direction::Downgrade]
        .into_iter()
        .find_map(|direction| {
            let (to, steps) = policy.move_range(peer, others, direction)?;
            Some(Move {
                direction,
                who: Named {
                    component: policy.component_name(peer.component).to_string(),
                    version: peer.version.clone(),
                },
                to,
                via: None,
                steps,
            })
        })
}

/// Whether `named` is `peer`.
fn is(policy: &Policy, named: &Named, peer: &Peer) -> bool {
    named.component == policy.component_name(peer.component) && named.version == peer.version
}

#[cfg(all(test, feature = "build"))]
mod tests {
    use super::super::{Endpoint, Release};
    use crate::policy::Policy;

    /// Clients and servers in one major, an instance moving at most one minor at a time.
    const SAME_MAJOR: &str = "[components]\nserver = {}\nclient = {}\n\
        [[rule]]\ncomponent = \"client\"\npeer = \"server\"\nskew = \"same major\"\n\
        [upgrade]\norder = [\"server\", \"client\"]\nmax-jump = \"1 minor\"\n";

    fn policy(text: &str) -> Policy {
        Policy::from_toml("compat.toml", text).unwrap()
    }

    /// The notice `me` sends `peer` (both `component@version`), in words.
    fn notice(
        policy: &Policy,
        releases: &'static [Release],
        me: &str,
        peer: &str,
    ) -> Option<String> {
        let end = |text: &str| {
            let (component, version) = text.split_once('@').unwrap();
            Endpoint::new(policy, component, version, &[]).unwrap()
        };
        let session = end(me)
            .with_releases(releases)
            .accept(end(peer).hello())
            .unwrap();
        session.notice_about_peer().map(ToString::to_string)
    }

    fn ahead(policy: &Policy, me: &str, releases: &[Release]) -> Vec<String> {
        let me = policy.peer(me).unwrap();
        super::reachable(policy, &me, releases)
            .into_iter()
            .map(|p| p.version.to_string())
            .collect()
    }

    #[test]
    fn a_major_no_single_step_reaches_warns_nobody() {
        let policy = policy(SAME_MAJOR);
        assert_eq!(ahead(&policy, "server@2.4.0", &[]), ["2.5.0"]);
        for peer in ["client@2.4.0", "client@2.3.0", "client@2.0.0"] {
            assert_eq!(notice(&policy, &[], "server@2.4.0", peer), None, "{peer}");
        }
    }

    #[test]
    fn recorded_releases_ahead_are_the_next_steps_and_unmade_ones_follow_them() {
        let policy = policy(SAME_MAJOR);
        let releases = [
            Release {
                version: "2.3.0",
                fingerprint: 1,
            },
            Release {
                version: "2.4.1",
                fingerprint: 2,
            },
            Release {
                version: "2.5.0",
                fingerprint: 3,
            },
            Release {
                version: "2.6.0-rc.1",
                fingerprint: 4,
            },
        ];
        // 2.5.0 is known, so the next minor is not guessed; 2.6.0 is two minors away.
        assert_eq!(
            ahead(&policy, "server@2.4.0", &releases),
            ["2.4.1", "2.5.0"]
        );
        // Past the newest known release, the unmade next minor and major, within the jump.
        assert_eq!(ahead(&policy, "server@2.5.0", &releases), ["2.6.0"]);
        // A pre-release reaches its own release first.
        assert_eq!(ahead(&policy, "server@2.6.0-rc.1", &[]), ["2.6.0", "2.7.0"]);
    }

    #[test]
    fn a_recorded_release_that_refuses_is_the_one_named() {
        // From 2.4.1 on, clients may lag one minor only.
        let policy = policy(
            "[components]\nserver = {}\nclient = {}\n\
             [[rule]]\ncomponent = \"client\"\npeer = \"server\"\nskew = \"same major\"\nuntil = \"2.4.1\"\n\
             [[rule]]\ncomponent = \"client\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\nfrom = \"2.4.1\"\n",
        );
        static RELEASES: &[Release] = &[Release {
            version: "2.4.1",
            fingerprint: 0,
        }];
        assert_eq!(
            notice(&policy, RELEASES, "server@2.4.0", "client@2.2.0").unwrap(),
            "client 2.2.0 will be refused by server from 2.4.1 on (too old: client may be up to \
             one minor release older than server, never newer (from 2.4.1 on), compat.toml:9:1); \
             upgrade client from 2.2.0 to 2.3.0 through 2.4.0 before upgrading server to 2.4.1"
        );
        // Not knowing 2.4.1, the server warns about the next minor.
        assert!(
            notice(&policy, &[], "server@2.4.0", "client@2.2.0")
                .unwrap()
                .starts_with("client 2.2.0 will be refused by server from 2.5.0 on (too old")
        );
    }

    #[test]
    fn a_peer_that_must_move_with_this_end_is_told_so_and_this_end_is_never_moved_back() {
        // Without a max-jump, the next major is one step away.
        let policy = policy(&SAME_MAJOR.replace("max-jump = \"1 minor\"\n", ""));
        assert_eq!(
            notice(&policy, &[], "server@2.4.0", "client@2.4.0").unwrap(),
            "client 2.4.0 will be refused by server from 3.0.0 on (too old: client and server must \
             be in the same major, compat.toml:4:1); upgrade client from 2.4.0 to 3.0.0 or later, \
             below 4.0.0 when server moves to 3.0.0: no release of client talks to both server \
             2.4.0 and 3.0.0"
        );
    }

    #[test]
    fn the_kind_describes_the_peer_even_when_the_rule_is_written_from_this_ends_side() {
        // The rule limits how far the server may be ahead: server 0.10.0 would be too new for
        // agent 0.8.4, which is to say the agent would be too old for it.
        let policy = policy(
            "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"server\"\n\
             peer = \"agent\"\nnewer = \"1 minor\"\nolder = \"none\"\n",
        );
        assert_eq!(
            notice(&policy, &[], "server@0.9.3", "agent@0.8.4").unwrap(),
            "agent 0.8.4 will be refused by server from 0.10.0 on (too old: server may never be \
             older than agent, and up to one minor release newer, compat.toml:4:1); upgrade agent \
             from 0.8.4 to 0.9.0 through 0.9.3 before upgrading server to 0.10.0"
        );
    }
}
