//! Denied releases (`[[deny]]`): how a deny is written and what its mistakes read like, and
//! what it does to the check, the accepted ranges, the fleet check and the handshake. Zed's
//! real case is the fixture: Zed's collaboration server refuses Zed 0.199.0 through 0.199.1,
//! Preview builds that still connected to it just to authenticate, and every Zed before
//! 0.198.4 (`crates/collab/src/rpc/connection_pool.rs`, `ZedVersion::can_collaborate`).
//! The planner's side is `cargo-compat/tests/deny_ranges.rs`.

use compat_runtime::handshake::{Endpoint, Frame, Refused, RefusedKind};
use compat_runtime::{Instance, Policy, RefusalKind, Version};

/// Zed and its collaboration server: any two releases talk, but collab refuses the Zed
/// releases it names. Shared with `cargo-compat/tests/deny_ranges.rs`.
const ZED: &str = include_str!("../cargo-compat/tests/fixtures/zed.toml");

fn zed() -> Policy {
    Policy::from_toml("compat.toml", ZED).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn error_of(text: &str) -> String {
    match Policy::from_toml("compat.toml", text) {
        Ok(_) => panic!("this policy should be refused:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn warnings_of(text: &str) -> Vec<String> {
    let policy = Policy::from_toml("compat.toml", text).unwrap_or_else(|e| panic!("{e}"));
    policy.warnings().iter().map(ToString::to_string).collect()
}

/// Two components any distance apart, and `denies` after them (from line 9).
fn with_denies(denies: &str) -> String {
    format!(
        "[components]\nserver = {{}}\nagent = {{}}\n\n[[rule]]\ncomponent = \"agent\"\n\
         peer = \"server\"\nskew = \"any\"\n{denies}"
    )
}

fn peer(p: &Policy, text: &str) -> compat_runtime::Peer {
    p.peer(text).unwrap_or_else(|e| panic!("{e}"))
}

// How a deny is written.

#[test]
fn a_deny_reads_as_a_range_one_release_or_every_component() {
    let p = zed();
    let [floor, preview] = p.denies() else {
        panic!("{:?}", p.denies())
    };
    assert_eq!(
        preview.describe(),
        "zed 0.199.0 through 0.199.1 are refused"
    );
    assert_eq!(preview.origin.to_string(), "compat.toml:24:1");
    assert_eq!(preview.through.origin.to_string(), "compat.toml:27:11");
    assert_eq!(floor.releases(), "0.0.0 through 0.198.3");
    let p = Policy::from_toml(
        "compat.toml",
        &with_denies("[[deny]]\nversion = \"1.2.3\"\nreason = \"pulled\"\n"),
    )
    .unwrap();
    let one = &p.denies()[0];
    assert!(one.is_one_release());
    assert_eq!(one.describe(), "1.2.3 of every component is refused");
    let agent = p.component("agent").unwrap();
    assert!(p.is_denied(agent, &Version::new(1, 2, 3)));
    assert!(!p.is_denied(agent, &Version::new(1, 2, 4)));
}

#[test]
fn a_deny_without_a_reason_is_refused_at_its_table() {
    let shown = error_of(&with_denies(
        "\n[[deny]]\ncomponent = \"agent\"\nversion = \"1.2.3\"\n",
    ));
    assert!(
        shown.starts_with("compat.toml:10:1: error: a deny does not say why: `reason` is missing"),
        "{shown}"
    );
    assert!(shown.contains("10 | [[deny]]\n   | ^^^^^^^^"), "{shown}");
    assert!(
        shown.contains(
            "help: add `reason = \"...\"`: every refusal of these releases, and the guide, show it"
        ),
        "{shown}"
    );
}

#[test]
fn a_deny_without_its_last_release_says_so_and_how_to_write_it() {
    let shown = error_of(&with_denies(
        "\n[[deny]]\nfrom = \"0.199.0\"\nreason = \"pulled\"\n",
    ));
    assert!(
        shown.starts_with(
            "compat.toml:10:1: error: a deny from 0.199.0 does not say its last release: `through` is missing"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("help: write `from` and `through` (the first and the last release refused, both included), or `version = \"...\"` for one release"),
        "{shown}"
    );
}

#[test]
fn a_deny_naming_one_release_and_a_range_is_refused_at_the_extra_key() {
    let shown = error_of(&with_denies(
        "\n[[deny]]\nversion = \"1.2.3\"\nthrough = \"1.2.5\"\nreason = \"pulled\"\n",
    ));
    assert!(
        shown.starts_with("compat.toml:12:11: error: a deny names its releases once: `version`, or `from` and `through`"),
        "{shown}"
    );
}

#[test]
fn until_in_a_deny_points_at_through_and_a_misspelt_key_at_the_key_meant() {
    // Rules end at `until` (excluded); a deny names its last release, `through` (included).
    let shown = error_of(&with_denies(
        "\n[[deny]]\nfrom = \"0.199.0\"\nuntil = \"0.199.2\"\nreason = \"pulled\"\n",
    ));
    assert!(
        shown.starts_with("compat.toml:12:1: error: unknown field `until`"),
        "{shown}"
    );
    assert!(
        shown
            .contains("help: a [[deny]] ends at `through`, the last release it refuses (included)"),
        "{shown}"
    );
    let shown = error_of(&with_denies(
        "\n[[deny]]\nversion = \"1.2.3\"\nreasn = \"pulled\"\n",
    ));
    assert!(shown.contains("help: did you mean `reason`?"), "{shown}");
}

#[test]
fn a_deny_written_as_one_table_asks_for_two_brackets() {
    let shown = error_of(&with_denies(
        "\n[deny]\nversion = \"1.2.3\"\nreason = \"pulled\"\n",
    ));
    assert!(
        shown.starts_with("compat.toml:10:1: error: invalid type: map, expected a sequence"),
        "{shown}"
    );
    assert!(
        shown.contains("help: write `[[deny]]`, with two brackets: each one is a table of its own"),
        "{shown}"
    );
}

#[test]
fn a_misspelt_component_in_a_deny_suggests_the_declared_one() {
    let shown = error_of(&with_denies(
        "\n[[deny]]\ncomponent = \"agnet\"\nversion = \"1.2.3\"\nreason = \"pulled\"\n",
    ));
    assert!(
        shown.starts_with(
            "compat.toml:11:13: error: unknown component `agnet` in deny: did you mean `agent`?"
        ),
        "{shown}"
    );
}

#[test]
fn a_deny_whose_last_release_comes_before_its_first_refuses_nothing_and_is_an_error() {
    let shown = error_of(&with_denies(
        "\n[[deny]]\nfrom = \"0.199.1\"\nthrough = \"0.199.0\"\nreason = \"pulled\"\n",
    ));
    assert!(
        shown.starts_with(
            "compat.toml:12:11: error: `through = \"0.199.0\"` is before `from = \"0.199.1\"`: the deny refuses no release"
        ),
        "{shown}"
    );
}

#[test]
fn two_denies_of_one_component_may_not_share_a_release_but_one_may_sit_inside_every_component_s() {
    let overlapping = "\n[[deny]]\ncomponent = \"agent\"\nfrom = \"1.2.163\"\nthrough = \"1.2.226\"\nreason = \"pulled\"\n\
         \n[[deny]]\ncomponent = \"agent\"\nfrom = \"1.2.200\"\nthrough = \"1.2.230\"\nreason = \"pulled again\"\n";
    let shown = error_of(&with_denies(overlapping));
    assert!(
        shown.starts_with(
            "compat.toml:16:1: error: deny of 1.2.200 through 1.2.230 overlaps the deny of 1.2.163 through 1.2.226 at compat.toml:10:1: both refuse releases of `agent`"
        ),
        "{shown}"
    );
    // A deny of every component around one of a component: the named one gives the reason.
    let nested = "\n[[deny]]\nfrom = \"1.2.163\"\nthrough = \"1.2.226\"\nreason = \"pulled\"\n\
         \n[[deny]]\ncomponent = \"agent\"\nversion = \"1.2.200\"\nreason = \"loses agents' state\"\n";
    let p = Policy::from_toml("compat.toml", &with_denies(nested)).unwrap();
    let agent = p.component("agent").unwrap();
    let server = p.component("server").unwrap();
    let at = Version::new(1, 2, 200);
    assert_eq!(p.denial(agent, &at).unwrap().reason, "loses agents' state");
    assert_eq!(p.denial(server, &at).unwrap().reason, "pulled");
}

#[test]
fn a_deny_below_the_floor_or_one_that_is_a_floor_warns() {
    let below =
        "\n[support]\nminimum = \"2.0.0\"\n\n[[deny]]\nversion = \"1.2.3\"\nreason = \"pulled\"\n";
    let warnings = warnings_of(&with_denies(below));
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "compat.toml:13:1: warning: deny of 1.2.3 has no effect: every release it refuses is below `minimum = \"2.0.0\"` (compat.toml:11:11)"
        )),
        "{warnings:?}"
    );
    let floor = "\n[[deny]]\nfrom = \"0.0.0\"\nthrough = \"0.198.3\"\nreason = \"connects automatically\"\n";
    let warnings = warnings_of(&with_denies(floor));
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "compat.toml:10:1: warning: deny of every component from 0.0.0 is a support floor"
        ) && w.contains("write `[support] minimum = \"0.198.4\"` instead")),
        "{warnings:?}"
    );
    // Zed's own floor names one component: no floor can, so no warning.
    assert!(
        zed()
            .warnings()
            .iter()
            .all(|w| !w.message.contains("floor"))
    );
}

#[test]
fn a_deny_s_pre_release_tag_must_be_one_the_policy_ranks() {
    let text = format!(
        "[versioning]\nprerelease.order = [\"alpha\", \"rc\"]\n{}",
        with_denies("\n[[deny]]\nversion = \"1.0.0-beta.1\"\nreason = \"pulled\"\n")
    );
    let shown = error_of(&text);
    assert!(
        shown.contains("error: pre-release tag of `1.0.0-beta.1` is not in `prerelease.order`"),
        "{shown}"
    );
}

// What a deny does.

#[test]
fn collab_refuses_zed_0_199_0_through_0_199_1_naming_the_deny_and_its_reason() {
    let p = zed();
    let collab = peer(&p, "collab@0.200.0");
    for accepted in ["0.198.4", "0.198.9", "0.199.2", "0.200.0"] {
        let zed = peer(&p, &format!("zed@{accepted}"));
        assert!(p.check(&zed, &collab).is_ok(), "zed {accepted}");
    }
    for denied in ["0.199.0", "0.199.1"] {
        let zed = peer(&p, &format!("zed@{denied}"));
        // Whichever side asks.
        for refusal in [p.check(&zed, &collab), p.check(&collab, &zed)] {
            let refusal = refusal.unwrap_err();
            assert_eq!(refusal.kind(), RefusalKind::Denied);
            assert_eq!(refusal.subject().to_string(), format!("zed {denied}"));
        }
    }
    let refusal = p.check(&peer(&p, "zed@0.199.0"), &collab).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "zed 0.199.0 is a denied release (talking to collab 0.200.0): zed 0.199.0 through \
         0.199.1 are refused: Preview builds without the hotfix: they still connect to collab \
         just to authenticate (compat.toml:24:1); to fix, upgrade zed from 0.199.0 to 0.199.2 or \
         later (one step reaches 0.199.2 or later, below 0.201.0; `max-jump` allows steps of at \
         most one minor release), or downgrade zed from 0.199.0 to 0.198.4 or later, below \
         0.199.0"
    );
    // The floor Zed writes as a deny of its own releases before 0.198.4.
    let old = p.check(&peer(&p, "zed@0.198.3"), &collab).unwrap_err();
    assert_eq!(old.kind(), RefusalKind::Denied);
    assert_eq!(
        old.reason().origin.as_ref().unwrap().to_string(),
        "compat.toml:18:1"
    );
}

#[test]
fn a_deny_covers_the_pre_releases_between_its_ends_by_the_policy_s_ordering() {
    let p = zed();
    let collab = peer(&p, "collab@0.200.0");
    let check = |v: &str| p.check(&peer(&p, &format!("zed@{v}")), &collab);
    assert_eq!(
        check("0.199.1-rc.1").unwrap_err().kind(),
        RefusalKind::Denied
    );
    assert!(check("0.199.0-rc.1").is_ok());
    assert!(check("0.199.2-rc.1").is_ok());
}

#[test]
fn a_denied_release_is_refused_by_every_peer_itself_included_whether_or_not_a_rule_relates_them() {
    let text = "[components]\nserver = {}\nagent = {}\nweb = {}\n\n[[rule]]\ncomponent = \"agent\"\n\
        peer = \"server\"\nskew = \"any\"\n\n[[rule]]\ncomponent = \"web\"\npeer = \"web\"\n\
        skew = \"any\"\n\n[[deny]]\ncomponent = \"agent\"\nversion = \"1.2.3\"\nreason = \"pulled\"\n";
    let p = Policy::from_toml("compat.toml", text).unwrap();
    let agent = peer(&p, "agent@1.2.3");
    // No rule relates agents and web: nothing constrains them, except the deny.
    let by_web = p.check(&agent, &peer(&p, "web@1.0.0")).unwrap_err();
    assert_eq!(by_web.kind(), RefusalKind::Denied);
    let itself = p.check(&agent, &agent).unwrap_err();
    assert_eq!(itself.headline(), "agent 1.2.3 is a denied release");
    assert!(
        p.check(&peer(&p, "agent@1.2.4"), &peer(&p, "web@1.0.0"))
            .is_ok()
    );
}

#[test]
fn accepted_ranges_leave_denied_releases_out() {
    let p = zed();
    let (zed, collab) = (p.component("zed").unwrap(), p.component("collab").unwrap());
    let accepted = p.accepted(collab, &Version::new(0, 200, 0), zed);
    assert_eq!(
        accepted.to_string(),
        "0.198.4 or later, below 0.199.0, and 0.199.2 or later"
    );
    assert!(!accepted.contains(&Version::new(0, 199, 1)));
    assert!(accepted.contains(&Version::new(0, 199, 2)));
    // A denied release accepts nothing either, and nobody accepts it, even with no peer.
    assert!(p.accepted(zed, &Version::new(0, 199, 0), collab).is_empty());
    assert_eq!(
        p.accepted_by(zed, &[]).to_string(),
        "0.198.4 or later, below 0.199.0, and 0.199.2 or later"
    );
}

#[test]
fn the_fleet_check_reports_a_denied_group_once_on_its_own_and_moves_it_off() {
    let p = zed();
    let fleet: Vec<Instance> = [
        ("collab-1", "collab@0.199.2"),
        ("laptop-1", "zed@0.199.1"),
        ("laptop-2", "zed@0.199.1"),
        ("laptop-3", "zed@0.199.2"),
    ]
    .iter()
    .map(|(name, at)| Instance {
        name: Some((*name).to_string()),
        peer: peer(&p, at),
    })
    .collect();
    let violations = p.check_fleet(&fleet);
    assert_eq!(violations.len(), 1, "{violations:?}");
    let v = &violations[0];
    assert_eq!(v.refusal.kind(), RefusalKind::Denied);
    assert_eq!(v.subjects, ["laptop-1", "laptop-2"]);
    assert!(v.others.is_empty());
    assert_eq!(v.refusal.headline(), "zed 0.199.1 is a denied release");
    assert_eq!(
        v.refusal.remedy(),
        "upgrade zed from 0.199.1 to 0.199.2 or later (one step reaches 0.199.2 or later, below \
         0.201.0; `max-jump` allows steps of at most one minor release), or downgrade zed from \
         0.199.1 to 0.198.4 or later, below 0.199.0"
    );
    // A fleet all at one denied release is refused too, though it holds no pair.
    let alone = [Instance {
        name: None,
        peer: peer(&p, "zed@0.199.0"),
    }];
    assert_eq!(p.check_fleet(&alone).len(), 1);
}

// The handshake.

#[test]
fn collab_refuses_a_denied_zed_in_the_handshake_with_kind_code_8() {
    let p = zed();
    let collab = Endpoint::new(&p, "collab", "0.200.0", &[]).unwrap();
    let editor = Endpoint::new(&p, "zed", "0.199.1", &[]).unwrap();
    let (frame, verdict) = collab.reply(editor.hello());
    let refused = verdict.unwrap_err();
    let bytes = frame.to_bytes();
    // The kind field: tag 0x41, one byte of length, the code.
    assert!(
        bytes.windows(4).any(|w| w == [0x41, 0x00, 0x01, 8]),
        "{bytes:?}"
    );
    let Some((Frame::Refusal(received), _)) = Frame::decode(&bytes).unwrap() else {
        panic!("{frame:?}")
    };
    assert_eq!(received, refused);
    assert_eq!(received.kind(), RefusedKind::Policy(RefusalKind::Denied));
    assert_eq!(received.kind().code(), 8);
    assert_eq!(received.by(), "collab@0.200.0");
    assert_eq!(received.subject(), "zed@0.199.1");
    assert_eq!(
        received.reason(),
        "zed 0.199.1 is a denied release (talking to collab 0.200.0)"
    );
    assert_eq!(
        received.rule(),
        Some(
            "zed 0.199.0 through 0.199.1 are refused: Preview builds without the hotfix: they \
             still connect to collab just to authenticate"
        )
    );
    assert_eq!(received.origin(), Some("compat.toml:24:1"));
    assert!(
        received
            .remedy()
            .is_some_and(|r| r.starts_with("upgrade zed from 0.199.1 to 0.199.2 or later")),
        "{received}"
    );
    // The editor's own policy says the same when it is the end that judges.
    let refused = editor.accept(collab.hello()).unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::Denied));
    assert_eq!(refused.subject(), "zed@0.199.1");
    // A fixed release connects.
    let fixed = Endpoint::new(&p, "zed", "0.199.2", &[]).unwrap();
    assert!(collab.accept(fixed.hello()).is_ok());
}

#[test]
fn an_end_that_does_not_know_code_8_still_reads_a_denied_refusal_in_full() {
    let p = zed();
    let collab = Endpoint::new(&p, "collab", "0.200.0", &[]).unwrap();
    let editor = Endpoint::new(&p, "zed", "0.199.0", &[]).unwrap();
    let (frame, _) = collab.reply(editor.hello());
    let mut bytes = frame.to_bytes();
    // What a release before code 8 sees: a code it does not know. Stand in for it with one
    // this release does not know either.
    let at = bytes
        .windows(4)
        .position(|w| w == [0x41, 0x00, 0x01, 8])
        .unwrap();
    bytes[at + 3] = 200;
    let Some((Frame::Refusal(read), _)) = Frame::decode(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(read.kind(), RefusedKind::Other(200));
    assert_eq!(read.kind().as_str(), "other");
    // The kind text travels beside the code, and every other part is intact.
    assert!(bytes.windows(6).any(|w| w == b"denied"));
    assert_eq!(
        read.to_string(),
        Refused::from_refusal(
            "collab@0.200.0",
            &p.check(&editor.me().clone(), &collab.me().clone())
                .unwrap_err()
        )
        .to_string()
    );
    assert_eq!(
        RefusedKind::from_code(8),
        RefusedKind::Policy(RefusalKind::Denied)
    );
}

#[test]
fn a_server_never_warns_of_a_release_it_is_denied() {
    // Server 2.5.0, one minor up, would refuse agent 2.3.0: the notice names it, unless the
    // policy denies 2.5.0 to servers (no operator deploys it); then the next that refuses.
    let text = "[components]\nserver = {}\nagent = {}\n\n[[rule]]\ncomponent = \"agent\"\n\
        peer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n";
    let deny = "\n[[deny]]\ncomponent = \"server\"\nversion = \"2.5.0\"\nreason = \"pulled\"\n";
    let refused_from = |text: &str| {
        let p = Policy::from_toml("compat.toml", text).unwrap();
        let server = Endpoint::new(&p, "server", "2.4.0", &[]).unwrap();
        let agent = Endpoint::new(&p, "agent", "2.3.0", &[]).unwrap();
        let session = server.accept(agent.hello()).unwrap();
        session
            .notice_about_peer()
            .map(|n| n.refused_from().to_string())
    };
    assert_eq!(refused_from(text).as_deref(), Some("2.5.0"));
    assert_eq!(
        refused_from(&format!("{text}{deny}")).as_deref(),
        Some("3.0.0")
    );
}

// The build script.

#[test]
fn the_build_script_compiles_each_deny_into_the_crate() {
    let code = compat_runtime::build::policy_code(&zed(), &Version::new(0, 200, 0));
    let preview = "__c::Deny { component: __c::Located::new(__c::Side::Named(\
        ::std::string::String::from(\"zed\")), __c::origin(\"compat.toml\", 25, 13)), \
        from: __c::Located::new(__c::version(\"0.199.0\"), __c::origin(\"compat.toml\", 26, 8)), \
        through: __c::Located::new(__c::version(\"0.199.1\"), __c::origin(\"compat.toml\", 27, 11)), \
        reason: ::std::string::String::from(\"Preview builds without the hotfix: they still \
        connect to collab just to authenticate\"), origin: __c::origin(\"compat.toml\", 24, 1) },";
    assert!(code.contains(preview), "{code}");
    assert_eq!(code.matches("__c::Deny {").count(), 2);
    // A deny of every component keeps its table's place for `component`.
    let p = Policy::from_toml(
        "compat.toml",
        &with_denies("[[deny]]\nversion = \"1.2.3\"\nreason = \"pulled\"\n"),
    )
    .unwrap();
    let code = compat_runtime::build::policy_code(&p, &Version::new(1, 2, 4));
    assert!(
        code.contains("__c::Deny { component: __c::Located::new(__c::Side::Any, __c::origin(\"compat.toml\", 9, 1)), from: __c::Located::new(__c::version(\"1.2.3\")"),
        "{code}"
    );
}
