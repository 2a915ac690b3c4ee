// Generic messages: the impl carries the type's lifetimes, type and const parameters
// and its where clause.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

// Compat needs no serde derive; serde has no impls for `[u8; N]` with a generic `N`.
#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Batch<T: Clone, const N: usize>
where
    T: Debug,
{
    pub items: Vec<T>,
    #[since("0.9.0")]
    pub cursor: Option<[u8; N]>,
}

#[derive(Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Borrowed<'a, T: ?Sized> {
    pub name: &'a str,
    pub value: &'a T,
}

// Internally tagged, so that `Unknown` also receives variants with data from a newer server.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Reply<T> {
    Ok(T),
    #[since("0.9.0")]
    Retry {
        after: u64,
    },
    #[serde(other)]
    Unknown,
}

fn table<M: Compat>() -> &'static compat_runtime::Message {
    M::MESSAGE
}

fn main() {
    assert_eq!(table::<Batch<String, 4>>().name, "Batch");
    assert_eq!(table::<Batch<u8, 0>>().fields[1].since, "0.9.0");
    assert_eq!(table::<Borrowed<'static, str>>().fields.len(), 2);
    let reply = table::<Reply<Vec<u8>>>();
    assert_eq!(reply.variants.len(), 3);
    assert_eq!(reply.catch_all().unwrap().name, "Unknown");
}
