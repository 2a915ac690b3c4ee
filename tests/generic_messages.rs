//! Generic messages (issue 19, part 3): the tables, the wire lock and the send guard follow
//! what each concrete use carries. nushell sends all of its pipeline data as the `D` of
//! `PluginInput::Call(.., PluginCall::Run(CallInfo { input }))`; a header variant newer than
//! the plugin is refused there as it is sent alone, and the lock records `CallInfo` as
//! `CallInfo<PipelineDataHeader>` with `input` of that type, not `D`.

use std::path::PathBuf;

use compat_runtime::guard::{Guard, Part, pack};
use compat_runtime::lock::verify_with;
use compat_runtime::{Compat, Policy};
use serde::{Deserialize, Serialize};

/// The first part of each pipeline's data; `ByteStream` arrived after the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.0.1")]
pub(crate) enum PipelineDataHeader {
    Empty,
    Value(u64),
    #[since("0.1.0")]
    ByteStream(u64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.0.1")]
pub(crate) struct CallInfo<D> {
    pub(crate) name: String,
    pub(crate) input: D,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.0.1")]
pub(crate) enum PluginCall<D> {
    Signature,
    Run(CallInfo<D>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.0.1")]
pub(crate) enum PluginInput {
    Call(usize, PluginCall<PipelineDataHeader>),
    Goodbye,
}

fn run(input: PipelineDataHeader) -> PluginInput {
    PluginInput::Call(
        1,
        PluginCall::Run(CallInfo {
            name: "inc".into(),
            input,
        }),
    )
}

#[test]
fn the_guard_refuses_a_variant_the_peer_predates_inside_a_generic_parameter() {
    let old_plugin = pack(0, 0, 1);
    let alone = PipelineDataHeader::ByteStream(7);
    let inside = run(alone.clone());
    let refused = |found: Option<compat_runtime::guard::Unknown>| {
        let found = found.expect("refused");
        (found.message, found.part, found.since)
    };
    let expected = ("PipelineDataHeader", Part::Variant("ByteStream"), "0.1.0");
    assert_eq!(refused(alone.unreadable(old_plugin)), expected);
    assert_eq!(refused(inside.unreadable(old_plugin)), expected);
    // The newest part a `PluginInput` may hold is the header's, through `D`.
    assert_eq!(PluginInput::newest(), pack(0, 1, 0));
    assert!(inside.unreadable(pack(0, 1, 0)).is_none());
    assert!(
        run(PipelineDataHeader::Value(1))
            .unreadable(old_plugin)
            .is_none()
    );
}

#[test]
fn a_generic_message_is_recorded_as_each_concrete_use() {
    let table = <CallInfo<PipelineDataHeader> as Compat>::MESSAGE;
    assert_eq!(table.name, "CallInfo");
    assert_eq!(table.concrete_name(), "CallInfo<PipelineDataHeader>");
    let run = <PluginCall<PipelineDataHeader> as Compat>::MESSAGE
        .variant("Run")
        .unwrap();
    let call = <PluginCall<PipelineDataHeader> as Compat>::MESSAGE;
    assert_eq!(
        call.concrete(run.fields[0].ty),
        "CallInfo<PipelineDataHeader>"
    );

    let messages = [
        PluginInput::MESSAGE,
        <PluginCall<PipelineDataHeader> as Compat>::MESSAGE,
        <CallInfo<PipelineDataHeader> as Compat>::MESSAGE,
        PipelineDataHeader::MESSAGE,
    ];
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generic-messages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let policy = Policy::from_toml(
        "compat.toml",
        "[components]\nengine = {}\nplugin = {}\n[[rule]]\ncomponent = \"plugin\"\n\
         peer = \"engine\"\nskew = \"1 minor\"\n",
    )
    .unwrap();
    verify_with(&dir, &policy, "0.1.0", &messages, true).unwrap();
    let lock = std::fs::read_to_string(dir.join("compat.lock")).unwrap();
    assert!(
        lock.contains("name = \"CallInfo<PipelineDataHeader>\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"input\"\nsince = \"0.0.1\"\nty = \"PipelineDataHeader\""),
        "{lock}"
    );
    assert!(!lock.contains("ty = \"D\""), "{lock}");
    // Another argument is another use, with another fingerprint.
    assert_ne!(
        compat_runtime::fingerprint::of(&[<CallInfo<PipelineDataHeader> as Compat>::MESSAGE]),
        compat_runtime::fingerprint::of(&[<CallInfo<u64> as Compat>::MESSAGE])
    );
}
