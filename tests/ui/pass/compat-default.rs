// `#[compat(default)]` with serde: paired with `#[serde(default)]` on the field (or the
// struct), a message from an older sender without the field decodes. Without any
// `#[serde(...)]` attribute, `Deserialize` is taken to be hand-written and to fill the
// field in itself.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct AttestRequest {
    pub node: String,
    #[since("0.9.0")]
    #[compat(default)]
    #[serde(default)]
    pub retries: u32,
}

#[derive(Debug, Default, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(default)]
pub struct Limits {
    pub cpu: u32,
    #[since("0.9.0")]
    #[compat(default)]
    pub memory: u64,
}

/// Decoded by hand, so `#[compat(default)]` alone is the promise.
#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Frame {
    pub len: u32,
    #[since("0.9.0")]
    #[compat(default)]
    pub flags: u8,
}

impl Frame {
    pub fn decode(bytes: &[u8]) -> Frame {
        Frame {
            len: u32::from(bytes[0]),
            flags: bytes.get(1).copied().unwrap_or_default(),
        }
    }
}

fn main() {
    // What a 0.8.0 agent sends.
    let request: AttestRequest = serde_json::from_str(r#"{"node":"n"}"#).unwrap();
    assert_eq!((request.node.as_str(), request.retries), ("n", 0));
    let limits: Limits = serde_json::from_str(r#"{"cpu":2}"#).unwrap();
    assert_eq!((limits.cpu, limits.memory), (2, 0));
    let frame = Frame::decode(&[7]);
    assert_eq!((frame.len, frame.flags), (7, 0));
    assert!(AttestRequest::MESSAGE.field("retries").unwrap().default);
    assert!(Frame::MESSAGE.field("flags").unwrap().default);
}
