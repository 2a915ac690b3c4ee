// `feature` written as a flag: it takes the feature's name.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[compat(feature)]
    ReadLink(String),
}

fn main() {}
