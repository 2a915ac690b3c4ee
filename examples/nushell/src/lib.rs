//! nushell's plugin protocol at 0.114.1, as a compat protocol crate: a faithful slice of
//! `nu-plugin-protocol` and of the `nu-protocol` types it carries (our own code, written
//! from nushell's sources; a few large types are left out and marked so), each message,
//! field and variant annotated with the release that shipped it in its current form.
//!
//! `build.rs` checks it against `compat.toml`, which states nushell's own rule: an engine
//! and a plugin talk when the higher version matches a caret requirement of the lower, so
//! for 0.y releases only the releases of one 0.y line talk, and the protocol changes only
//! in minor releases (`wire-changes = "minor"`). Under that rule nushell's real history
//! builds clean, with nothing nushell would refuse to write:
//!
//! - its enums have no catch-all (only [`protocol::Feature`] does): a peer newer by a patch
//!   speaks the same protocol, so none is demanded;
//! - variants with data arrived long after their enums (`PluginCall::GetCompletion`,
//!   0.109.0), and fields without defaults after their structs (`PipelineMetadata::
//!   path_columns`, 0.111.0): every peer inside the window (0.114.0 and later) knows them;
//! - hand-written encodings say what they write: a `Record` is a map of values, a `Range`
//!   and a `CellPath` text since 0.114.0, a `ShellError` always a `LabeledError` (said once,
//!   on [`error::ShellError`] itself, with the function that makes the `LabeledError` the
//!   send guard walks), and a `SharedCow` the value it shares ([`value::SharedCow`],
//!   `#[compat(transparent)]`);
//! - calls and responses are generic over their pipeline data, and each concrete use
//!   (`PluginCall<PipelineDataHeader>`) is a table of its own, which the send guard walks
//!   into.
//!
//! `tests/` holds the cases (tests/cases.rs) and the handshake over tokio, compared with
//! nushell's own verdict on every pair of a set of releases (tests/handshake.rs).

pub mod error;
pub mod protocol;
pub mod value;

use std::path::PathBuf;

use protocol::{
    ByteStreamInfo, ByteStreamType, CallInfo, Casing, CustomValueOp, DataSource,
    DynamicCompletionCall, DynamicSuggestion, EngineCall, EngineCallResponse, EvaluatedCall,
    Feature, GetCompletionArgType, GetCompletionInfo, ListStreamInfo, Ordering, PipelineDataHeader,
    PipelineMetadata, PluginCall, PluginCallResponse, PluginCustomValue, PluginExample,
    PluginInput, PluginMetadata, PluginOption, PluginOutput, PluginSignature, Protocol,
    ProtocolInfo, SharedContent, SignalAction, Signature, StreamData, SuggestionKind,
};
use value::{Closure, Span, Spanned, Value};

compat_runtime::include_policy!();

// Every message, each generic one at each concrete use.
compat_runtime::messages![
    PluginInput,
    PluginOutput,
    ProtocolInfo,
    Protocol,
    Feature,
    PluginCall<PipelineDataHeader>,
    CallInfo<PipelineDataHeader>,
    EvaluatedCall,
    PipelineDataHeader,
    ListStreamInfo,
    ByteStreamInfo,
    ByteStreamType,
    PipelineMetadata,
    DataSource,
    CustomValueOp,
    Casing,
    PluginCustomValue,
    SharedContent,
    GetCompletionInfo,
    GetCompletionArgType,
    DynamicCompletionCall,
    StreamData,
    SignalAction,
    PluginOption,
    PluginCallResponse<PipelineDataHeader>,
    PluginMetadata,
    Ordering,
    PluginSignature,
    Signature,
    PluginExample,
    DynamicSuggestion,
    SuggestionKind,
    EngineCall<PipelineDataHeader>,
    EngineCallResponse<PipelineDataHeader>,
    error::LabeledError,
    error::ErrorLabel,
    Value,
    Span,
    Closure,
    Spanned<String>,
    Spanned<usize>,
    Spanned<PathBuf>,
    Spanned<PluginCustomValue>,
    Spanned<Closure>,
];

#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
