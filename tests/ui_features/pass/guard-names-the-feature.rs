// The send guard under [protocol]: a variant tied to a feature, sent to a peer whose protocol
// predates it, is refused naming the feature, the protocol, the release that first carries
// it and the peer's protocol; the session settles on the lower protocol.
use compat_runtime::handshake::Endpoint;
use compat_runtime::{Compat, Message, Policy, Version};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[compat(feature = "readlink")]
    ReadLink(String),
}

static MESSAGES: &[&Message] = &[FileRequest::MESSAGE];

fn main() {
    // The ui policy, with layers allowed to run ahead of agents.
    let text = include_str!("../compat.toml").replace("newer = \"none\"", "newer = \"any\"");
    let policy = Policy::from_toml("compat.toml", &text).unwrap();
    let layer = Endpoint::new(&policy, "layer", "3.105.0", MESSAGES).unwrap();
    let agent = Endpoint::new(&policy, "agent", "3.30.0", MESSAGES).unwrap();
    let session = layer.admit(agent.hello(), None).unwrap();
    assert_eq!(session.protocol(), Some(&Version::new(1, 5, 0)));
    assert!(session.guard(&FileRequest::Open("/etc".into())).is_ok());
    let err = session
        .guard(&FileRequest::ReadLink("/etc/x".into()))
        .unwrap_err();
    assert_eq!(err.feature(), Some("readlink"));
    assert_eq!(
        err.to_string(),
        "cannot send `FileRequest` to agent 3.30.0: variant `ReadLink` (feature `readlink`) \
         arrived in mirrord-protocol 1.6.0, first carried by 3.41.0, and agent 3.30.0, speaking \
         1.5.0, cannot decode it; send a variant this peer knows, or upgrade agent to 3.41.0 or \
         later"
    );
    assert!(!session.supports("readlink"));
    // A peer at 1.6.0 reads it.
    let agent = Endpoint::new(&policy, "agent", "3.41.0", MESSAGES).unwrap();
    let session = layer.admit(agent.hello(), None).unwrap();
    assert!(session.guard(&FileRequest::ReadLink("/etc/x".into())).is_ok());
    assert!(session.supports("readlink"));
}
