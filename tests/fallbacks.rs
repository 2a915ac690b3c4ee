//! Fallbacks on the send path (issue 17, part 4), over sessions made by the handshake of two
//! `Endpoint`s: a peer that predates a variant gets its fallback (mirrord's `StatFs` for
//! `StatFsV2`, `GetAddrInfoRequest` for `V2` with the IPv6 warning), a peer that knows it
//! gets the value itself, chains and nested messages degrade too, and the census counts each
//! value sent in an older form. The tracing event itself is tested beside its code
//! (`compat-runtime/src/fallback.rs`).
//!
//! The versions are mirrord's protocol versions read as `0.0.x` (this package builds at
//! 0.1.0, and a `#[since]` cannot name a later release): `StatFsV2` arrived in 0.0.18 as it
//! did in 1.18.0.

use std::borrow::Cow;

use compat_runtime::Compat;
use compat_runtime::census::Census;
use compat_runtime::guard::Part;

#[path = "common/fallback_protocol.rs"]
mod protocol;

use protocol::{ClientMessage, DnsRequest, FileRequest, StatFsRequest, StatFsRequestV2, layer_to};

fn statfs_v2() -> FileRequest {
    FileRequest::StatFsV2(StatFsRequestV2 { path: "/".into() })
}

#[test]
fn an_agent_older_than_statfs_v2_gets_statfs() {
    let session = layer_to("0.0.14");
    let value = statfs_v2();
    let sent = session.prepare(&value).unwrap();
    assert_eq!(
        sent,
        Cow::<FileRequest>::Owned(FileRequest::StatFs(StatFsRequest { path: "/".into() }))
    );
    // `guard` checks the value as it is, and that form is unreadable for this agent.
    let refused = session.guard(&statfs_v2()).unwrap_err();
    assert_eq!(refused.part(), Part::Variant("StatFsV2"));
}

#[test]
fn an_agent_that_knows_statfs_v2_gets_the_value_itself() {
    let value = statfs_v2();
    for agent in ["0.0.18", "0.1.0"] {
        let sent = layer_to(agent).prepare(&value).unwrap();
        assert!(
            matches!(sent, Cow::Borrowed(v) if std::ptr::eq(v, &value)),
            "agent {agent}"
        );
    }
}

#[test]
fn a_chain_is_followed_until_the_agent_knows_the_variant() {
    let v3 = FileRequest::ReadDirV3((7, 500));
    // 0.0.14 knows ReadDirBatch (0.0.9) but not ReadDirV3 (0.0.17): one step.
    assert_eq!(
        layer_to("0.0.14").prepare(&v3).unwrap().into_owned(),
        FileRequest::ReadDirBatch((7, 64))
    );
    // 0.0.5 knows neither: two steps, down to ReadDir.
    assert_eq!(
        layer_to("0.0.5").prepare(&v3).unwrap().into_owned(),
        FileRequest::ReadDir(7)
    );
    // 0.0.17 knows it.
    assert!(matches!(
        layer_to("0.0.17").prepare(&v3).unwrap(),
        Cow::Borrowed(_)
    ));
}

#[test]
fn a_unit_fallback_needs_no_conversion() {
    assert_eq!(
        layer_to("0.0.15")
            .prepare(&FileRequest::FlushOne { fd: 3 })
            .unwrap()
            .into_owned(),
        FileRequest::Flush
    );
}

#[test]
fn a_struct_variant_falls_back_through_a_conversion_of_the_whole_enum() {
    let v2 = DnsRequest::GetAddrInfoRequestV2 {
        node: "db.internal".into(),
        family: 10,
    };
    assert_eq!(
        layer_to("0.0.14").prepare(&v2).unwrap().into_owned(),
        DnsRequest::GetAddrInfoRequest {
            node: "db.internal".into()
        }
    );
    let table = DnsRequest::MESSAGE.variant("GetAddrInfoRequestV2").unwrap();
    assert_eq!(
        table.fallback.unwrap().warn,
        Some("IPv6 will not be resolved")
    );
}

#[test]
fn a_fallback_nested_in_another_message_is_applied_too() {
    let session = layer_to("0.0.14");
    let nested = ClientMessage::FileRequest(statfs_v2());
    assert_eq!(
        session.prepare(&nested).unwrap().into_owned(),
        ClientMessage::FileRequest(FileRequest::StatFs(StatFsRequest { path: "/".into() }))
    );
    let batch = ClientMessage::Batch(vec![
        FileRequest::ReadDir(1),
        statfs_v2(),
        FileRequest::ReadDirV3((2, 10)),
    ]);
    assert_eq!(
        session.prepare(&batch).unwrap().into_owned(),
        ClientMessage::Batch(vec![
            FileRequest::ReadDir(1),
            FileRequest::StatFs(StatFsRequest { path: "/".into() }),
            FileRequest::ReadDirBatch((2, 10)),
        ])
    );
    // A value with nothing to degrade is not copied.
    let plain = ClientMessage::FileRequest(FileRequest::ReadDir(1));
    assert!(matches!(session.prepare(&plain).unwrap(), Cow::Borrowed(_)));
}

#[test]
fn what_has_no_fallback_is_still_refused() {
    let err = layer_to("0.0.14")
        .prepare(&ClientMessage::Ping)
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "cannot send `ClientMessage` to agent 0.0.14: variant `Ping` arrived in 0.0.20"
        ),
        "{err}"
    );
}

#[test]
fn strip_degrades_in_place() {
    let session = layer_to("0.0.14");
    let mut value = ClientMessage::GetAddrInfo(DnsRequest::GetAddrInfoRequestV2 {
        node: "db".into(),
        family: 4,
    });
    session.strip(&mut value);
    assert_eq!(
        value,
        ClientMessage::GetAddrInfo(DnsRequest::GetAddrInfoRequest { node: "db".into() })
    );
    assert!(session.guard(&value).is_ok());
}

#[test]
fn the_census_counts_each_value_sent_in_an_older_form_once() {
    let census = Census::new();
    let session = layer_to("0.0.14");
    assert!(census.count_fallbacks_of(&session));
    // Counted once, in one census.
    assert!(!Census::new().count_fallbacks_of(&session));
    session.prepare(&statfs_v2()).unwrap();
    // A chain of two steps is one value sent in an older form.
    session.prepare(&FileRequest::ReadDirV3((1, 1))).unwrap();
    session
        .prepare(&ClientMessage::Batch(vec![statfs_v2(), statfs_v2()]))
        .unwrap();
    // Nothing degraded: nothing counted.
    session.prepare(&FileRequest::ReadDir(1)).unwrap();
    let snapshot = census.snapshot();
    assert_eq!(snapshot.get("agent@0.0.14").unwrap().fallbacks, 4);
    assert_eq!(
        snapshot.to_string(),
        "peer          accepted  near edge  refused  fallbacks\n\
         agent@0.0.14         0          0        0          4\n"
    );
    // A clone of the session counts in the same row.
    session.clone().prepare(&statfs_v2()).unwrap();
    assert_eq!(census.snapshot().total().fallbacks, 5);
}

#[test]
fn a_chain_that_ends_in_a_variant_the_agent_predates_is_refused_there() {
    assert_eq!(
        layer_to("0.0.16")
            .prepare(&FileRequest::XstatV2(3))
            .unwrap()
            .into_owned(),
        FileRequest::Xstat(3)
    );
    let err = layer_to("0.0.14")
        .prepare(&FileRequest::XstatV2(3))
        .unwrap_err();
    assert_eq!(err.part(), Part::Variant("Xstat"));
    assert!(
        err.to_string().starts_with(
            "cannot send `FileRequest` to agent 0.0.14: variant `Xstat` arrived in 0.0.16"
        ),
        "{err}"
    );
}

#[path = "common/thread_log.rs"]
mod thread_log;

/// What `send` raised through `tracing` and counted in a fresh census, for an agent at
/// `agent`.
fn watched(agent: &str, send: impl FnOnce(&compat_runtime::Session)) -> (Vec<String>, u64) {
    let census = Census::new();
    let session = layer_to(agent);
    assert!(census.count_fallbacks_of(&session));
    let (logged, _capturing) = thread_log::capture();
    send(&session);
    let events = logged.text().lines().map(str::to_owned).collect();
    let row = format!("agent@{agent}");
    (events, census.snapshot().get(&row).unwrap().fallbacks)
}

#[test]
fn a_value_refused_at_the_end_of_its_chain_is_reported_as_a_refusal_only() {
    // `XstatV2` falls back to `Xstat` (0.0.16), which an agent at 0.0.14 predates too: the
    // value is refused, so no "sent `Xstat` instead" event and no fallback counted.
    let (events, fallbacks) = watched("0.0.14", |session| {
        let err = session.prepare(&FileRequest::XstatV2(3)).unwrap_err();
        assert_eq!(err.part(), Part::Variant("Xstat"));
        let nested = ClientMessage::FileRequest(FileRequest::XstatV2(3));
        assert_eq!(
            session.prepare(&nested).unwrap_err().part(),
            Part::Variant("Xstat")
        );
        // One value of a batch refused: the batch is not sent, not even its `StatFs`.
        let batch = ClientMessage::Batch(vec![statfs_v2(), FileRequest::XstatV2(3)]);
        assert!(session.prepare(&batch).is_err());
        // `strip` degrades in place all the same, and reports nothing the guard then
        // refuses.
        let mut value = FileRequest::XstatV2(3);
        session.strip(&mut value);
        assert_eq!(value, FileRequest::Xstat(3));
        assert!(session.guard(&value).is_err());
    });
    assert_eq!(events, Vec::<String>::new());
    assert_eq!(fallbacks, 0);
}

#[test]
fn a_fallback_sent_is_one_event_and_one_count_through_prepare_or_strip() {
    let (events, fallbacks) = watched("0.0.16", |session| {
        assert_eq!(
            session
                .prepare(&FileRequest::XstatV2(3))
                .unwrap()
                .into_owned(),
            FileRequest::Xstat(3)
        );
    });
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0].contains(
            "compat: sent `FileRequest::Xstat` instead of `XstatV2` to agent 0.0.16, which \
             predates it (0.0.18)"
        ),
        "{}",
        events[0]
    );
    assert_eq!(fallbacks, 1);
    // Nested, with a warning, and through `strip`: each value sent in an older form is
    // reported and counted.
    let (events, fallbacks) = watched("0.0.14", |session| {
        let nested = ClientMessage::FileRequest(FileRequest::ReadDirV3((7, 500)));
        assert_eq!(
            session.prepare(&nested).unwrap().into_owned(),
            ClientMessage::FileRequest(FileRequest::ReadDirBatch((7, 64)))
        );
        let mut value = ClientMessage::GetAddrInfo(DnsRequest::GetAddrInfoRequestV2 {
            node: "db".into(),
            family: 10,
        });
        session.strip(&mut value);
        assert!(session.guard(&value).is_ok());
    });
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0].contains("WARN")
            && events[0].contains(
                "sent `FileRequest::ReadDirBatch` instead of `ReadDirV3` to agent 0.0.14, \
                 which predates it (0.0.17): at most 64 entries"
            ),
        "{}",
        events[0]
    );
    assert!(
        events[1].contains(
            "sent `DnsRequest::GetAddrInfoRequest` instead of `GetAddrInfoRequestV2` to agent \
             0.0.14, which predates it (0.0.15): IPv6 will not be resolved"
        ),
        "{}",
        events[1]
    );
    assert_eq!(fallbacks, 2);
}
