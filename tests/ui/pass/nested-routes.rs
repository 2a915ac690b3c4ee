// A message carried inside others declares every route they take, so its own checks run on
// each: here `Attachment` goes from agent to server inside `Upload`, and back inside
// `Listing`. Types that are not messages, generic parameters and a message holding itself
// need nothing.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::marker::PhantomData;

#[derive(Serialize, Deserialize, Compat)]
#[compat(between = ["server", "agent"])]
#[since("0.8.0")]
pub struct Attachment {
    pub name: String,
    #[since("0.9.0")]
    pub checksum: Option<u64>,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Upload {
    pub attachments: Vec<Attachment>,
    pub by_name: HashMap<String, Box<Attachment>>,
    // A type without a table must say why it needs none (else: "`Id<Attachment>` travels in
    // a message but has no compatibility table").
    #[compat(opaque = "a typed id: a number and a marker, no `Attachment` travels in it")]
    pub id: Id<Attachment>,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(routes = ["server > agent"])]
#[since("0.8.0")]
pub struct Listing {
    pub newest: Option<Attachment>,
    pub tree: Tree,
}

/// Not a message: a typed id carries no `Attachment`.
#[derive(Serialize, Deserialize)]
pub struct Id<T>(u64, PhantomData<T>);

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Tree {
    pub children: Vec<Tree>,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub first: Option<Attachment>,
}

fn main() {
    assert!(Attachment::MESSAGE.sends("agent", "server"));
    assert!(Attachment::MESSAGE.sends("server", "agent"));
    assert_eq!(Page::<Upload>::MESSAGE.name, "Page");
}
