// A capability no version implies gives no first version: the item must state its own.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum StealRequest {
    Port(u16),
    #[compat(feature = "steal-filtered-upgrades")]
    FilteredUpgrade(u16),
}

fn main() {}
