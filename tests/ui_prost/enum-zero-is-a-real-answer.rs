// Servers may be newer than agents, so agents receive values they do not know, which
// prost's accessor reads as the zero value: here a real answer.
use compat_runtime::ProstCompat;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration, ProstCompat)]
#[compat(proto = "spire.Health", routes = ["server > agent"])]
/// @since 0.8.0
#[repr(i32)]
pub enum Health {
    Ok = 0,
    Failing = 1,
}

fn main() {}
