#![allow(
    missing_docs,
    reason = "prost-build writes no docs on fields without comments; these mirror its output"
)]

//! `#[derive(ProstCompat)]` on prost types written as prost-build writes them: the tables by
//! field number, and the send guard by field number (issue 18, parts 1 and 4).

use compat_runtime::proto::{Cardinality, Proto, ProtoKind, ProtoType, Scalar};
use compat_runtime::{Compat, Endpoint, Guard, Policy, ProstCompat, Session};

/// An agent's request, as prost-build generates it from a `.proto` file whose comments
/// carry `@since` (the build-script helper adds the derive and the `#[compat]` line).
#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.AttestRequest", from = "agent", to = "server", reserved = ["3", "9 to 11"], reserved_names = ["old"])]
/// @since 0.0.8
pub struct AttestRequest {
    #[prost(string, tag = "1")]
    pub node: ::prost::alloc::string::String,
    /// @since 0.0.9
    #[prost(uint32, optional, tag = "2")]
    pub retries: ::core::option::Option<u32>,
    /// @since 0.0.9 @ignorable
    #[prost(string, repeated, tag = "4")]
    pub hints: ::prost::alloc::vec::Vec<::prost::alloc::string::String>,
    #[prost(message, optional, tag = "5")]
    pub selector: ::core::option::Option<Selector>,
    #[prost(map = "string, message", tag = "6")]
    pub labels: ::std::collections::HashMap<::prost::alloc::string::String, Selector>,
    #[prost(enumeration = "Status", tag = "7")]
    pub status: i32,
    #[prost(oneof = "attest_request::Params", tags = "12, 13")]
    pub params: ::core::option::Option<attest_request::Params>,
}

/// Nested types live in a module named after their message, as prost-build writes them.
pub mod attest_request {
    use compat_runtime::ProstCompat;

    #[derive(Clone, PartialEq, ::prost::Oneof, ProstCompat)]
    #[compat(proto = "spire.AttestRequest.params")]
    pub enum Params {
        #[prost(string, tag = "12")]
        Token(::prost::alloc::string::String),
        /// @since 0.0.9
        #[prost(message, tag = "13")]
        Cert(super::Selector),
    }
}

#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.Selector", from = "agent", to = "server")]
/// @since 0.0.8
pub struct Selector {
    #[prost(string, tag = "1")]
    pub kind: ::prost::alloc::string::String,
    /// @since 0.0.9
    #[prost(bool, optional, tag = "2")]
    pub negated: ::core::option::Option<bool>,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration, ProstCompat,
)]
#[compat(proto = "spire.Status", from = "agent", to = "server")]
/// @since 0.0.8
#[repr(i32)]
pub enum Status {
    Unspecified = 0,
    Ok = 1,
    /// @since 0.0.9
    Draining = 2,
}

#[test]
fn the_table_is_keyed_by_field_number() {
    let table = AttestRequest::PROTO;
    assert_eq!(
        (table.name, table.rust, table.since),
        ("spire.AttestRequest", "AttestRequest", "0.0.8")
    );
    assert_eq!(table.kind, ProtoKind::Message);
    let node = table.field(1).unwrap();
    assert_eq!(
        (node.name, node.ty, node.cardinality),
        (
            "node",
            ProtoType::Scalar(Scalar::String),
            Cardinality::Implicit
        )
    );
    assert_eq!(table.field(2).unwrap().cardinality, Cardinality::Optional);
    assert!(table.field(4).unwrap().ignorable);
    assert_eq!(table.field(4).unwrap().cardinality, Cardinality::Repeated);
    assert_eq!(table.field(5).unwrap().ty.name(), "spire.Selector");
    assert_eq!(
        table.field(6).unwrap().cardinality,
        Cardinality::Map(Scalar::String)
    );
    assert_eq!(table.field(7).unwrap().ty.name(), "spire.Status");
    // A oneof's members are the message's fields, by number.
    assert_eq!(table.field(13).unwrap().name, "Cert");
    assert_eq!(table.field(13).unwrap().since, "0.0.9");
    assert!(table.reserves(3) && table.reserves(10) && !table.reserves(12));
    assert_eq!(table.reserved_names, ["old"]);
    assert_eq!(Status::PROTO.value(2).unwrap().since, "0.0.9");
    assert!(AttestRequest::MESSAGE.sends("agent", "server"));
    assert_eq!(
        AttestRequest::MESSAGE
            .field("retries")
            .unwrap()
            .wire
            .serialize,
        "2"
    );
}

#[test]
fn the_fast_path_covers_what_the_message_holds() {
    // The message's own fields, the enum's values and the oneof's members all count.
    assert_eq!(
        AttestRequest::newest(),
        compat_runtime::guard::pack(0, 0, 9)
    );
    assert_eq!(Status::MESSAGE.newest, compat_runtime::guard::pack(0, 0, 9));
}

const POLICY: &str = "[components]\nserver = {}\nagent = {}\n\
    [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"any minor\"\n";

/// A server's session with an agent at `agent`.
fn session_with(agent: &str) -> Session {
    let policy: &'static Policy =
        Box::leak(Box::new(Policy::from_toml("compat.toml", POLICY).unwrap()));
    let server = Endpoint::new(policy, "server", "0.0.9", &[]).unwrap();
    let agent = Endpoint::new(policy, "agent", agent, &[]).unwrap();
    server.accept(agent.hello()).unwrap()
}

fn request() -> AttestRequest {
    AttestRequest {
        node: "n1".into(),
        status: Status::Ok as i32,
        ..AttestRequest::default()
    }
}

#[test]
fn a_peer_that_knows_everything_passes() {
    let mut value = request();
    value.retries = Some(3);
    value.status = Status::Draining as i32;
    assert!(session_with("0.0.9").guard(&value).is_ok());
}

#[test]
fn a_field_the_peer_predates_is_refused_by_name_and_release() {
    let old = session_with("0.0.8");
    assert!(
        old.guard(&request()).is_ok(),
        "left at its default, it is never sent"
    );
    let mut value = request();
    value.retries = Some(3);
    let refused = old.guard(&value).unwrap_err().to_string();
    assert!(
        refused.contains("field `retries` arrived in 0.0.9"),
        "{refused}"
    );
}

#[test]
fn an_enum_value_the_peer_predates_is_refused() {
    let mut value = request();
    value.status = Status::Draining as i32;
    let refused = session_with("0.0.8").guard(&value).unwrap_err();
    assert_eq!(refused.message(), "Status");
    assert_eq!(
        refused.part(),
        compat_runtime::guard::Part::Variant("Draining")
    );
}

#[test]
fn a_oneof_member_and_a_nested_field_the_peer_predates_are_refused() {
    let old = session_with("0.0.8");
    let mut value = request();
    value.params = Some(attest_request::Params::Cert(Selector::default()));
    assert_eq!(
        old.guard(&value).unwrap_err().part(),
        compat_runtime::guard::Part::Variant("Cert")
    );
    let mut value = request();
    value.labels.insert(
        "a".into(),
        Selector {
            kind: "k".into(),
            negated: Some(true),
        },
    );
    assert_eq!(
        old.guard(&value).unwrap_err().part(),
        compat_runtime::guard::Part::Field("negated")
    );
}

#[test]
fn an_ignorable_field_is_cleared_for_an_older_peer() {
    let mut value = request();
    value.hints = vec!["x".into()];
    let old = session_with("0.0.8");
    let sent = old.prepare(&value).unwrap();
    assert!(sent.hints.is_empty());
    let new = session_with("0.0.9");
    assert_eq!(new.prepare(&value).unwrap().hints, ["x"]);
}

/// A message with an ignorable field, held by [`Batch`] in each way prost holds messages.
#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.Entry", from = "agent", to = "server")]
/// @since 0.0.8
pub struct Entry {
    #[prost(string, tag = "1")]
    pub id: ::prost::alloc::string::String,
    /// @since 0.0.9 @ignorable
    #[prost(string, tag = "2")]
    pub note: ::prost::alloc::string::String,
}

/// Messages and enum values in every container prost-build generates for them.
#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.Batch", from = "agent", to = "server")]
/// @since 0.0.8
pub struct Batch {
    #[prost(message, repeated, tag = "1")]
    pub list: ::prost::alloc::vec::Vec<Entry>,
    #[prost(map = "string, message", tag = "2")]
    pub by_id: ::std::collections::HashMap<::prost::alloc::string::String, Entry>,
    #[prost(btree_map = "uint32, message", tag = "3")]
    pub ordered: ::prost::alloc::collections::BTreeMap<u32, Entry>,
    #[prost(message, optional, boxed, tag = "4")]
    pub boxed: ::core::option::Option<::prost::alloc::boxed::Box<Entry>>,
    #[prost(enumeration = "Status", repeated, tag = "5")]
    pub statuses: ::prost::alloc::vec::Vec<i32>,
    #[prost(map = "string, enumeration(Status)", tag = "6")]
    pub status_by_id: ::std::collections::HashMap<::prost::alloc::string::String, i32>,
    #[prost(enumeration = "Status", optional, tag = "7")]
    pub last: ::core::option::Option<i32>,
    #[prost(oneof = "batch::Pick", tags = "8, 9")]
    pub pick: ::core::option::Option<batch::Pick>,
}

/// [`Batch`]'s oneof: a member holding a message, and one holding a string.
pub mod batch {
    use compat_runtime::ProstCompat;

    #[derive(Clone, PartialEq, ::prost::Oneof, ProstCompat)]
    #[compat(proto = "spire.Batch.pick")]
    pub enum Pick {
        #[prost(message, tag = "8")]
        One(super::Entry),
        #[prost(string, tag = "9")]
        Name(::prost::alloc::string::String),
    }
}

fn entry(note: &str) -> Entry {
    Entry {
        id: "e".into(),
        note: note.into(),
    }
}

#[test]
fn the_walk_reaches_every_container_prost_generates_a_oneof_included() {
    let old = session_with("0.0.8");
    let new = session_with("0.0.9");
    let full = Batch {
        list: vec![entry(""), entry("a")],
        by_id: [("k".to_owned(), entry("b"))].into(),
        ordered: [(1, entry("c"))].into(),
        boxed: Some(Box::new(entry("d"))),
        pick: Some(batch::Pick::One(entry("f"))),
        ..Batch::default()
    };
    // The notes are ignorable: the guard lets them through, `prepare` clears every one
    // of them for the older agent and none for the newer.
    assert!(old.guard(&full).is_ok());
    let sent = old.prepare(&full).unwrap();
    assert!(sent.list.iter().all(|e| e.note.is_empty()));
    assert!(sent.by_id.values().all(|e| e.note.is_empty()));
    assert!(sent.ordered.values().all(|e| e.note.is_empty()));
    assert!(sent.boxed.as_ref().unwrap().note.is_empty());
    assert_eq!(sent.pick, Some(batch::Pick::One(entry(""))));
    assert_eq!(sent.list.len(), 2);
    assert_eq!(*new.prepare(&full).unwrap(), full);
    let named = Batch {
        pick: Some(batch::Pick::Name("n".into())),
        ..Batch::default()
    };
    assert_eq!(*old.prepare(&named).unwrap(), named);

    // An enum value the agent predates, wherever it is held, is refused by name.
    let draining = Status::Draining as i32;
    for batch in [
        Batch {
            statuses: vec![Status::Ok as i32, draining],
            ..Batch::default()
        },
        Batch {
            status_by_id: [("k".to_owned(), draining)].into(),
            ..Batch::default()
        },
        Batch {
            last: Some(draining),
            ..Batch::default()
        },
    ] {
        assert_eq!(
            old.guard(&batch).unwrap_err().part(),
            compat_runtime::guard::Part::Variant("Draining")
        );
        assert!(new.guard(&batch).is_ok());
    }
    // A number the enum does not list is passed on as it came (an open enum keeps it).
    let unknown = Batch {
        statuses: vec![42],
        ..Batch::default()
    };
    assert!(old.guard(&unknown).is_ok());
}

/// A message that holds itself, with the figure compat's build helper attaches to each
/// type: `within`, the newest release of all the type may hold, however deep.
#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.Tree", from = "agent", to = "server", within = "0.0.9")]
/// @since 0.0.8
pub struct Tree {
    #[prost(message, repeated, tag = "1")]
    pub children: ::prost::alloc::vec::Vec<Tree>,
    #[prost(message, optional, tag = "2")]
    pub selector: ::core::option::Option<Selector>,
}

/// [`Tree`] derived without the helper's figure: the derive folds the types its fields
/// hold, which cannot tell how new a type that holds itself gets.
#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.HandTree", from = "agent", to = "server")]
/// @since 0.0.8
pub struct HandTree {
    #[prost(message, repeated, tag = "1")]
    pub children: ::prost::alloc::vec::Vec<HandTree>,
    #[prost(message, optional, tag = "2")]
    pub selector: ::core::option::Option<Selector>,
}

#[test]
fn the_helpers_figure_is_exact_for_a_message_that_holds_itself() {
    assert_eq!(Tree::newest(), compat_runtime::guard::pack(0, 0, 9));
    // Without it, too deep to tell: every peer takes the slow path.
    assert_eq!(HandTree::newest(), u64::MAX);

    let old = session_with("0.0.8");
    let new = session_with("0.0.9");
    let plain = Tree {
        children: vec![Tree::default()],
        selector: None,
    };
    assert!(old.guard(&plain).is_ok());
    let negated = Tree {
        children: vec![Tree {
            selector: Some(Selector {
                kind: "k".into(),
                negated: Some(true),
            }),
            ..Tree::default()
        }],
        selector: None,
    };
    assert!(old.guard(&negated).is_err());
    assert!(new.guard(&negated).is_ok());
}

#[test]
fn the_fast_path_answers_the_newest_release_the_tables_reach() {
    macro_rules! same {
        ($($ty:ty),* $(,)?) => {$(
            assert_eq!(
                <$ty as Guard>::newest(),
                <$ty as Proto>::PROTO.newest_held(),
                "{}",
                stringify!($ty)
            );
        )*};
    }
    // The helper's figure, and the fold of a type that does not hold itself.
    same!(
        AttestRequest,
        attest_request::Params,
        Selector,
        Status,
        Entry,
        Batch,
        batch::Pick,
        Tree
    );
    assert_eq!(
        HandTree::PROTO.newest_held(),
        compat_runtime::guard::pack(0, 0, 9)
    );
}
