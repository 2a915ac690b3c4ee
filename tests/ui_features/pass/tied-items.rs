// Items tied to features take the feature's `since` (a mirrord-protocol version), and the
// table records the feature.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[compat(feature = "readlink")]
    ReadLink(String),
    // A #[since] that agrees with the feature is allowed.
    #[since("1.6.0")]
    #[compat(feature = "readlink")]
    ReadLinkAt(u64, String),
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct StatFsRequest {
    pub path: String,
    // Inside the window (1.14.0 is the oldest layer's), so it must default: an Option does.
    #[compat(feature = "statfs-v2")]
    pub block_size: Option<u64>,
}

// A whole message tied to a feature: its `since` is the feature's.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent", feature = "readlink")]
pub struct ReadLinkRequest {
    pub path: String,
}

// An advertised capability with the item's own #[since].
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum StealRequest {
    Port(u16),
    #[since("1.5.0")]
    #[compat(feature = "steal-filtered-upgrades")]
    FilteredUpgrade(u16),
}

fn main() {
    let files = FileRequest::MESSAGE;
    assert_eq!(files.variant("ReadLink").unwrap().since, "1.6.0");
    assert_eq!(files.feature_of_variant("ReadLink"), Some("readlink"));
    assert_eq!(files.feature_of_variant("Open"), None);
    assert_eq!(
        StatFsRequest::MESSAGE.field("block_size").unwrap().since,
        "1.18.0"
    );
    assert_eq!(
        StatFsRequest::MESSAGE.feature_of_field("block_size"),
        Some("statfs-v2")
    );
    assert_eq!(ReadLinkRequest::MESSAGE.since, "1.6.0");
    assert_eq!(ReadLinkRequest::MESSAGE.feature(), Some("readlink"));
    assert_eq!(
        StealRequest::MESSAGE.feature_of_variant("FilteredUpgrade"),
        Some("steal-filtered-upgrades")
    );
}
