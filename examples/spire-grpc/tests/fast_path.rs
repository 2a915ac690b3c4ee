//! The send guard's fast path on the generated messages: the figure compat's build helper
//! attaches to each type (`within`, the newest release of all it may hold) equals what
//! the protobuf tables reach at run time, for every type of `node.proto`. The helper reads
//! `@since` from the comments prost-build copies into the docs the derive reads; a
//! difference would let the fast path pass what a peer cannot read.

use std::collections::BTreeSet;

use compat_runtime::Guard;
use compat_runtime::proto::{Proto, ProtoMessage, ProtoType};
use spire_grpc::PROTOS;
use spire_grpc::node::{
    AgentStatus, AttestRequest, AttestResponse, AttestationData, FetchJwtSvidRequest,
    FetchJwtSvidResponse, RenewSvidRequest, Selector, X509Svid, attest_response,
};

/// The names of the types the requests and responses reach, well-known types aside.
fn reached() -> BTreeSet<&'static str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&'static ProtoMessage> = PROTOS.to_vec();
    while let Some(table) = stack.pop() {
        if table.is_well_known() || !seen.insert(table.name) {
            continue;
        }
        for field in table.fields {
            if let ProtoType::Message(held) | ProtoType::Enum(held) | ProtoType::Oneof(held) =
                field.ty
            {
                stack.push(held.get());
            }
        }
    }
    seen
}

#[test]
fn the_helpers_figure_is_the_newest_release_the_tables_reach_for_every_type() {
    let mut checked = BTreeSet::new();
    macro_rules! same {
        ($($ty:ty),* $(,)?) => {$(
            let table = <$ty as Proto>::PROTO;
            assert_eq!(<$ty as Guard>::newest(), table.newest_held(), "{}", table.name);
            checked.insert(table.name);
        )*};
    }
    same!(
        AttestRequest,
        AttestationData,
        Selector,
        RenewSvidRequest,
        AttestResponse,
        attest_response::Bundle,
        X509Svid,
        AgentStatus,
        FetchJwtSvidRequest,
        FetchJwtSvidResponse,
    );
    assert_eq!(
        checked,
        reached(),
        "node.proto's types changed: list each in this test"
    );
}

#[test]
fn the_generated_code_carries_the_helpers_figure() {
    let code = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/spire.api.node.v1.rs")).unwrap();
    let code: String = code.split_whitespace().collect();
    // `AttestResponse` is 0.8.0 itself; its bundle's `url` is 0.9.0.
    assert!(
        code.contains(
            r#"proto="spire.api.node.v1.AttestResponse",routes=["server>agent"],within="0.9.0""#
        ),
        "{code}"
    );
}
