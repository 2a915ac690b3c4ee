//! A SPIRE server and agents at a mix of versions, over loopback TCP: who gets in and why,
//! and what each refused agent is told.
//!
//! `cargo run -p spire-protocol --bin service-demo` runs the default mix; name agents to run
//! others instead: `cargo run -p spire-protocol --bin service-demo -- agent@0.9.1 agent@0.7.0`.

use std::time::Duration;

use compat_runtime::Endpoint;
use compat_runtime::Policy;
use compat_runtime::policy::{Located, Origin};
use spire_protocol::service::{self, Event};
use spire_protocol::{RELEASES, ServerMessage, VERSION, messages, policy};

/// An agent of the demo: its component and version, and whether it is a modified build that
/// claims the version without its tables.
struct Agent {
    peer: String,
    patched: bool,
}

fn default_agents() -> Vec<Agent> {
    let plain = |peer: &str| Agent {
        peer: peer.into(),
        patched: false,
    };
    vec![
        plain(&format!("agent@{VERSION}")),
        plain("agent@0.9.2"),
        plain("agent@0.8.4"),
        plain("agent@0.9.4"),
        plain("agent@0.7.9"),
        Agent {
            peer: format!("agent@{VERSION}"),
            patched: true,
        },
        plain("web@0.9.3"),
    ]
}

#[tokio::main(flavor = "current_thread")]
#[expect(
    clippy::too_many_lines,
    reason = "the demo's story, told in the order it happens"
)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let agents: Vec<Agent> = match std::env::args().skip(1).collect::<Vec<_>>() {
        args if args.is_empty() => default_agents(),
        args => args
            .into_iter()
            .map(|peer| Agent {
                peer,
                patched: false,
            })
            .collect(),
    };
    let policy = policy();
    let server = Endpoint::new(policy, "server", VERSION, messages())?.with_releases(RELEASES);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(service::serve(listener, server, events, service::TIMEOUT));
    println!(
        "server {VERSION} listening on {addr} (policy {})",
        policy.source()
    );

    for agent in agents {
        let Some((component, version)) = agent.peer.split_once('@') else {
            return Err(format!("`{}` is not COMPONENT@VERSION", agent.peer).into());
        };
        // An endpoint needs a component of the policy; an unknown one is made up from the
        // agent's, so the server is the one to refuse it.
        let known = if policy.component(component).is_some() {
            component
        } else {
            "agent"
        };
        let mut endpoint =
            Endpoint::new(policy, known, version, messages())?.with_releases(RELEASES);
        if known != component {
            endpoint = endpoint.with_component(component);
        }
        if agent.patched {
            let other_tables = endpoint.hello().fingerprint() ^ 0xff;
            endpoint = endpoint.with_fingerprint(other_tables);
        }
        let label = if agent.patched {
            format!("{component} {version} (patched build)")
        } else {
            format!("{component} {version}")
        };
        println!("\n{label}:");
        match service::attest(addr, &endpoint, "node-1", service::TIMEOUT).await {
            Ok((session, reply)) => {
                println!("  agent: in, talking to server {}", session.peer_version());
                if let Some(notice) = session.notice_from_peer() {
                    println!("  agent: the server warns: {notice}");
                }
                if let ServerMessage::Update(update) = reply {
                    println!(
                        "  agent: got {} svid(s), entries revision {}",
                        update.svids.len(),
                        update.entries_revision
                    );
                }
            }
            Err(e) => println!("  agent: {e}"),
        }
        match tokio::time::timeout(Duration::from_secs(5), seen.recv()).await {
            Ok(Some(Event::Admitted {
                peer,
                rule,
                notice,
                guarded,
            })) => {
                let rule = rule.unwrap_or_else(|| "no rule relates the two".into());
                println!("  server: admitted {peer}: {rule}");
                if let Some(notice) = notice {
                    println!("  server: warned it: {notice}");
                }
                if let Some(guarded) = guarded {
                    println!("  server: send guard: {guarded}; sent the update without it");
                }
            }
            Ok(Some(Event::Refused(refused))) => println!("  server: {refused}"),
            Ok(Some(Event::RefusedByPeer(refused))) => println!("  server: was {refused}"),
            Ok(Some(Event::Failed(e))) => println!("  server: {e}"),
            Ok(None) | Err(_) => println!("  server: (no report)"),
        }
    }
    stricter_peer(policy).await
}

/// Each end checks with its own policy: a 0.9.3 server whose policy raised the floor to
/// 0.9.0 joins a cluster member still at 0.8.9, which admits it; the newer one refuses, and
/// the old one hears why.
async fn stricter_peer(policy: &'static Policy) -> Result<(), Box<dyn std::error::Error>> {
    let mut parts = policy.parts().clone();
    parts.support.minimum = Some(Located::new(
        compat_runtime::Version::new(0, 9, 0),
        Origin::new("compat.toml of a later release", 0, 0),
    ));
    let later: &'static Policy = Box::leak(Box::new(Policy::new(parts)?));
    let old = Endpoint::new(policy, "server", "0.8.9", messages())?.with_releases(RELEASES);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(service::serve(listener, old, events, service::TIMEOUT));
    println!("\nserver 0.9.3 (its policy: nothing older than 0.9.0) joins server 0.8.9:");
    let new = Endpoint::new(later, "server", VERSION, messages())?;
    let mut socket = tokio::net::TcpStream::connect(addr).await?;
    match compat_runtime::tokio::connect(&mut socket, &new, service::TIMEOUT).await {
        Ok(session) => println!(
            "  new server: in, talking to server {}",
            session.peer_version()
        ),
        Err(e) => println!("  new server: {e}"),
    }
    match tokio::time::timeout(Duration::from_secs(5), seen.recv()).await {
        Ok(Some(Event::RefusedByPeer(refused))) => println!("  old server: was {refused}"),
        Ok(Some(other)) => println!("  old server: {other:?}"),
        Ok(None) | Err(_) => println!("  old server: (no report)"),
    }
    Ok(())
}
