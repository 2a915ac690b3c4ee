// Hand-written `#[compat(...)]` and `#[since(...)]` on prost types that the derive cannot
// read: each error lands on the token that is wrong.
use compat_runtime::ProstCompat;

#[derive(ProstCompat)]
#[compat(proto = 1, routes = ["agent > server"])]
/// @since 0.8.0
pub struct ProtoNotString {}

#[derive(ProstCompat)]
#[compat(routes = ["agent > server" "server > agent"])]
/// @since 0.8.0
pub struct MissingComma {}

#[derive(ProstCompat)]
#[compat(from = "agent", to = )]
/// @since 0.8.0
pub struct MissingValue {}

#[derive(ProstCompat)]
#[compat(routes = ["agent > server"], frozen)]
/// @since 0.8.0
pub struct UnknownKey {}

#[derive(ProstCompat)]
#[compat(routes = ["agent > server"], within = 3)]
/// @since 0.8.0
pub struct WithinNotString {}

#[derive(ProstCompat)]
#[compat(routes = ["agent > server"])]
pub struct SinceNotString {
    #[since(0.9)]
    #[prost(string, tag = "1")]
    pub node: String,
}

#[derive(ProstCompat)]
#[compat(routes = ["agent > server"])]
#[since("0.8.0", "0.9.0")]
pub struct SinceTwice {}

fn main() {}
