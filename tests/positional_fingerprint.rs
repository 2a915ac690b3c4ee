//! The fingerprint under a positional codec (issue 17): names never travel, so a rename of a
//! field or variant keeps it, while the codec, the fields' order and types and the variants'
//! indexes change it. Self-describing messages keep the fingerprint they always had.

use compat_runtime::fingerprint::{hex, of};
use compat_runtime::{Compat, Message};
use serde::{Deserialize, Serialize};

/// `Stat` and `Request` under `codec`, with the body of each given.
macro_rules! protocol {
    ($module:ident, $codec:literal, { $($stat:tt)* }, { $($request:tt)* }) => {
        #[allow(dead_code, reason = "the types are here for their tables, never built")]
        mod $module {
            use super::*;

            #[derive(Serialize, Deserialize, Compat)]
            #[compat(from = "server", to = "agent", codec = $codec)]
            #[since("0.1.0")]
            pub(crate) struct Stat { $($stat)* }

            #[derive(Serialize, Deserialize, Compat)]
            #[compat(from = "agent", to = "server", codec = $codec)]
            #[since("0.1.0")]
            pub(crate) enum Request { $($request)* }
        }
    };
}

protocol!(first, "bincode", { size: u64, mode: u32 }, { Open(String), Close(u64) });
protocol!(renamed, "bincode", { length: u64, permissions: u32 }, { OpenFile(String), CloseFile(u64) });
protocol!(as_borsh, "borsh", { size: u64, mode: u32 }, { Open(String), Close(u64) });
protocol!(reordered, "bincode", { mode: u32, size: u64 }, { Close(u64), Open(String) });
protocol!(retyped, "bincode", { size: u64, mode: Option<u32> }, { Open(String), Close(u32) });
protocol!(serde_first, "serde-positional", { size: u64, mode: u32 }, { Open(String), Close(u64) });
fn fingerprint(stat: &'static Message, request: &'static Message) -> u64 {
    of(&[stat, request])
}

#[test]
fn a_rename_keeps_a_positional_fingerprint() {
    assert_eq!(
        fingerprint(first::Stat::MESSAGE, first::Request::MESSAGE),
        fingerprint(renamed::Stat::MESSAGE, renamed::Request::MESSAGE),
        "under bincode names never travel"
    );
}

#[test]
fn the_codec_changes_a_positional_fingerprint() {
    let bincode = fingerprint(first::Stat::MESSAGE, first::Request::MESSAGE);
    assert_ne!(
        bincode,
        fingerprint(as_borsh::Stat::MESSAGE, as_borsh::Request::MESSAGE)
    );
    assert_ne!(
        bincode,
        fingerprint(serde_first::Stat::MESSAGE, serde_first::Request::MESSAGE)
    );
}

#[test]
fn order_and_types_change_a_positional_fingerprint() {
    let first = of(&[first::Stat::MESSAGE]);
    assert_ne!(first, of(&[reordered::Stat::MESSAGE]), "fields reordered");
    assert_ne!(first, of(&[retyped::Stat::MESSAGE]), "u32 to Option<u32>");
    let request = of(&[self::first::Request::MESSAGE]);
    assert_ne!(
        request,
        of(&[reordered::Request::MESSAGE]),
        "variants reordered"
    );
    assert_ne!(
        request,
        of(&[retyped::Request::MESSAGE]),
        "a variant's field retyped"
    );
}

#[test]
fn a_variant_index_changes_a_positional_fingerprint() {
    // The same variants travelling as 3 and 4 (explicit discriminants under borsh's
    // `use_discriminant`, as the derive records them) instead of their places.
    let table = *as_borsh::Request::MESSAGE;
    let by_discriminant = Message {
        indexes: &[3, 4],
        ..table
    };
    assert_ne!(of(&[&table]), of(&[&by_discriminant]));
}

mod described {
    use super::*;

    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.9")]
    #[serde(rename_all = "camelCase", tag = "type")]
    pub(crate) enum Request {
        Open {
            path: String,
            #[since("0.1.0")]
            #[serde(default)]
            read_only: bool,
        },
        Close(u64),
        #[compat(other)]
        #[serde(other)]
        Unknown,
    }
}

#[test]
fn a_self_describing_fingerprint_is_what_it_always_was() {
    // The value computed before positional codecs had a fingerprint of their own:
    // recorded locks hold such values, and must keep matching.
    assert_eq!(hex(of(&[described::Request::MESSAGE])), "7baba233d79f3531");
}
