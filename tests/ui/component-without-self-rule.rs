// compat.toml says nothing about agents talking to agents.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(between = ["agent"])]
#[since("0.8.0")]
pub struct PeerHello;

fn main() {}
