//! Advance warnings over real loopback sockets: an agent is warned only when a server
//! release the operator can reach in one step would refuse it, and the warning speaks of
//! where the agent really is.

mod common;

use common::{end, next, server, server_with};
use compat_runtime::handshake::RefusedKind;
use compat_runtime::{Endpoint, Notice, Policy, RefusalKind};
use spire_protocol::service::{self, Event};
use spire_protocol::{RELEASES, messages};

/// An attestation from `agent` to the server at `addr`: the notice the agent read in the
/// accept, and the one the server reports it sent.
async fn attest(
    addr: std::net::SocketAddr,
    agent: &Endpoint<'_>,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
) -> (Option<Notice>, Option<Notice>) {
    let (session, _) = service::attest(addr, agent, "node-1", service::TIMEOUT)
        .await
        .unwrap();
    let sent = match next(events).await {
        Event::Admitted { notice, .. } => notice,
        other => panic!("{other:?}"),
    };
    (session.notice_from_peer().cloned(), sent)
}

#[tokio::test]
async fn no_agent_is_warned_about_a_major_that_no_single_step_reaches() {
    // Agents and servers in one major, each move at most one minor: the next major is never
    // the next step, so nothing warns about it.
    let policy: &'static Policy = Box::leak(Box::new(
        Policy::from_toml(
            "compat.toml",
            "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
             peer = \"server\"\nskew = \"same major\"\n[upgrade]\norder = [\"server\", \"agent\"]\n\
             max-jump = \"1 minor\"\n",
        )
        .unwrap(),
    ));
    let (addr, mut events) = server_with(policy, "2.4.0", service::TIMEOUT).await;
    // At the server's own release, and one minor older.
    for version in ["2.4.0", "2.3.0"] {
        let agent = Endpoint::new(policy, "agent", version, messages())
            .unwrap()
            .with_releases(RELEASES);
        let (read, sent) = attest(addr, &agent, &mut events).await;
        assert_eq!((read, sent), (None, None), "agent {version} was warned");
    }
}

#[tokio::test]
async fn an_agent_one_minor_behind_is_told_the_server_release_that_refuses_it_and_its_move() {
    let (addr, mut events) = server().await;
    let (read, sent) = attest(addr, &end("agent", "0.8.4"), &mut events).await;
    let notice = read.expect("the agent reads a notice in the accept");
    assert_eq!(sent.as_ref(), Some(&notice));
    assert_eq!(notice.by(), "server@0.9.3");
    assert_eq!(notice.subject(), "agent@0.8.4");
    assert_eq!(notice.refused_from(), "0.10.0");
    assert_eq!(notice.kind(), RefusedKind::Policy(RefusalKind::TooOld));
    // The agent's own version, and the one move that helps: the agent's, made first.
    assert_eq!(
        notice.remedy(),
        Some("upgrade agent from 0.8.4 to 0.9.0 through 0.9.3 before upgrading server to 0.10.0")
    );
}

#[tokio::test]
async fn agents_that_the_next_server_release_still_admits_are_not_warned() {
    let (addr, mut events) = server().await;
    for version in ["0.9.3", "0.9.0"] {
        let (read, sent) = attest(addr, &end("agent", version), &mut events).await;
        assert_eq!((read, sent), (None, None), "agent {version} was warned");
    }
}
