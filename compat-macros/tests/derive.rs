//! The tables the derive writes, built without a policy (this crate has none), and
//! linted by `cargo clippy --all-targets`: the generated code must stay clean.
//! Versions stay at or below this crate's own version, which the derive checks against.

#![allow(
    dead_code,
    reason = "the types exist for their tables; no value is ever built"
)]

use compat_runtime::{Compat, Kind, Shape};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
struct Undirected {
    #[since("0.1.0")]
    added_without_default: u32,
}

#[derive(Serialize, Compat)]
#[compat(from = ["agent", "web"], to = "server")]
#[since("0.0.1")]
struct Fanned<'a, T, const N: usize>
where
    T: Clone,
{
    name: &'a str,
    #[since("0.0.2")]
    #[serde(skip)]
    items: [T; N],
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(between = ["server", "agent", "web"])]
#[since("0.0.1")]
enum Every {
    Unit,
    Tuple(#[since("0.0.2")] Option<u8>),
    #[since("0.0.3")]
    Named {
        #[compat(deprecated = "0.1.0")]
        r#ref: Option<String>,
    },
    #[serde(skip)]
    Local,
    #[serde(other)]
    Unknown,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(routes = ["agent > server", "server>web", "agent > server"])]
#[since("0.0.1")]
enum Passed {
    Ok,
}

/// No `#[serde(...)]` anywhere: `Deserialize` is taken to be hand-written, so
/// `#[compat(default)]` alone is the promise.
#[derive(Compat)]
#[since("0.0.1")]
struct HandDecoded {
    #[since("0.0.2")]
    #[compat(default)]
    flags: u8,
}

#[test]
fn routes_make_exactly_the_routes_written_once_each() {
    let routes: Vec<_> = Passed::MESSAGE
        .routes
        .iter()
        .map(|route| (route.from, route.to))
        .collect();
    assert_eq!(routes, [("agent", "server"), ("server", "web")]);
}

#[test]
fn compat_default_alone_counts_without_serde_attributes() {
    assert!(HandDecoded::MESSAGE.field("flags").unwrap().default);
}

#[test]
fn without_a_policy_new_fields_need_no_default() {
    let field = Undirected::MESSAGE.field("added_without_default").unwrap();
    assert_eq!(field.since, "0.1.0");
    assert!(!field.default);
    assert!(Undirected::MESSAGE.routes.is_empty());
}

#[test]
fn lists_in_from_and_to_make_one_route_per_pair() {
    let message = <Fanned<'static, u8, 2> as Compat>::MESSAGE;
    let routes: Vec<_> = message
        .routes
        .iter()
        .map(|route| (route.from, route.to))
        .collect();
    assert_eq!(routes, [("agent", "server"), ("web", "server")]);
    assert_eq!(message.fields.len(), 1, "skipped fields never travel");
}

#[test]
fn between_makes_every_ordered_pair_of_distinct_components() {
    let message = Every::MESSAGE;
    assert_eq!(message.routes.len(), 6);
    assert!(message.sends("web", "agent"));
    assert!(!message.sends("web", "web"));
}

#[test]
fn variants_carry_their_shape_since_and_fields() {
    let message = Every::MESSAGE;
    assert_eq!(message.kind, Kind::Enum);
    let names: Vec<_> = message
        .variants
        .iter()
        .map(|variant| variant.name)
        .collect();
    assert_eq!(
        names,
        ["Unit", "Tuple", "Named", "Unknown"],
        "skipped variants never travel"
    );
    let tuple = message.variant("Tuple").unwrap();
    assert_eq!(
        (tuple.shape, tuple.since, tuple.fields[0].since),
        (Shape::Tuple, "0.0.1", "0.0.2")
    );
    let named = message.variant("Named").unwrap();
    assert_eq!((named.shape, named.since), (Shape::Named, "0.0.3"));
    assert_eq!(named.fields[0].name, "ref");
    assert_eq!(
        named.fields[0].since, "0.0.3",
        "a field without #[since] shipped with its variant"
    );
    assert_eq!(named.fields[0].deprecated.unwrap().since, "0.1.0");
    assert_eq!(named.fields[0].deprecated.unwrap().note, None);
    assert!(message.variant("Unknown").unwrap().catch_all);
    assert_eq!(message.variant("Unit").unwrap().shape, Shape::Unit);
}

#[test]
fn tables_are_usable_in_constants() {
    const NAME: &str = Every::MESSAGE.name;
    assert_eq!(NAME, "Every");
}
