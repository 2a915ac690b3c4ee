//! The plugin protocol itself (nu-plugin-protocol): what the engine sends a plugin
//! ([`PluginInput`]) and what a plugin sends back ([`PluginOutput`]), with the calls,
//! responses and stream headers inside.
//!
//! Calls and responses are generic over the pipeline data they carry: in memory the engine
//! holds live streams, on the wire each is a [`PipelineDataHeader`]. Each concrete use is a
//! table of its own (`PluginCall<PipelineDataHeader>`), and the send guard walks the `D`
//! inside `PluginInput::Call(.., PluginCall::Run(CallInfo { input }))`.

use std::collections::HashMap;
use std::path::PathBuf;

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

use crate::error::{LabeledError, ShellError};
use crate::value::{BlockId, Closure, DeclId, Record, SharedCow, Span, Spanned, Value};

/// A stream's number, unique per direction.
pub type StreamId = usize;
/// A plugin call's number.
pub type PluginCallId = usize;
/// An engine call's number.
pub type EngineCallId = usize;

/// The first message each way: which protocol, which release, which optional features.
/// Each end checks the other's `version` (nushell's rule: the higher matches a caret
/// requirement of the lower).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.91.0")]
pub struct ProtocolInfo {
    /// Always `"nu-plugin"`.
    pub protocol: Protocol,
    /// The release of nu-plugin the sender was built with.
    pub version: String,
    /// Optional features the sender supports.
    pub features: Vec<Feature>,
}

/// The one protocol there is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.91.0")]
pub enum Protocol {
    /// `"nu-plugin"`.
    #[serde(rename = "nu-plugin")]
    NuPlugin,
}

/// An optional feature. Features are how nushell adds to the protocol without breaking a
/// peer: this enum has the catch-all its other enums do without.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.91.0")]
#[serde(tag = "name")]
pub enum Feature {
    /// The plugin can run over a local socket instead of stdio.
    #[since("0.93.0")]
    LocalSocket,
    /// A feature this release does not know.
    #[serde(other, skip_serializing)]
    Unknown,
}

/// A command's invocation, with its input of type `D`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.60.0")]
pub struct CallInfo<D> {
    /// The command's name.
    pub name: String,
    /// The arguments, evaluated.
    pub call: EvaluatedCall,
    /// The pipeline input.
    pub input: D,
}

/// A call's arguments, evaluated by the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub struct EvaluatedCall {
    /// The command's own span.
    pub head: Span,
    /// Positional arguments.
    pub positional: Vec<Value>,
    /// Flags, each with its value if it took one.
    pub named: Vec<(Spanned<String>, Option<Value>)>,
}

/// The first part of any pipeline data on the wire: a whole value, or the start of a
/// stream whose items follow as `Data` messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.91.0")]
pub enum PipelineDataHeader {
    /// No input.
    Empty,
    /// One value, and its metadata since 0.97.0 (a newtype until then, which no peer of
    /// 0.114 talks to).
    Value(Value, #[since("0.97.0")] Option<PipelineMetadata>),
    /// A stream of values.
    ListStream(ListStreamInfo),
    /// A stream of bytes.
    #[since("0.94.0")]
    ByteStream(ByteStreamInfo),
}

/// The start of a list stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.91.0")]
pub struct ListStreamInfo {
    /// The stream.
    pub id: StreamId,
    /// Where it came from.
    #[since("0.94.0")]
    pub span: Span,
    /// What it carries.
    #[since("0.97.0")]
    pub metadata: Option<PipelineMetadata>,
}

/// The start of a byte stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.94.0")]
pub struct ByteStreamInfo {
    /// The stream.
    pub id: StreamId,
    /// Where it came from.
    pub span: Span,
    /// What its bytes are.
    #[serde(rename = "type")]
    pub type_: ByteStreamType,
    /// What it carries.
    #[since("0.97.0")]
    pub metadata: Option<PipelineMetadata>,
}

/// What a byte stream's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.94.0")]
pub enum ByteStreamType {
    /// Bytes.
    Binary,
    /// UTF-8 text.
    String,
    /// Either.
    Unknown,
}

/// What the data of a pipeline is, where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub struct PipelineMetadata {
    /// Where it came from.
    pub data_source: DataSource,
    /// Columns that hold paths.
    #[since("0.111.0")]
    pub path_columns: Vec<String>,
    /// Its MIME type.
    #[since("0.96.0")]
    pub content_type: Option<String>,
    /// Whatever else a command attached.
    #[since("0.108.0")]
    #[serde(default)]
    #[compat(wire(map_of = "Value"))]
    pub custom: Record,
}

/// Where pipeline data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub enum DataSource {
    /// The HTML themes.
    #[since("0.72.0")]
    HtmlThemes,
    /// A file.
    #[since("0.89.0")]
    FilePath(PathBuf),
    /// Nowhere in particular.
    #[since("0.96.0")]
    None,
}

/// A call the engine makes of a plugin, with pipeline data of type `D`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.60.0")]
pub enum PluginCall<D> {
    /// The plugin's metadata.
    #[since("0.95.0")]
    Metadata,
    /// The plugin's commands.
    Signature,
    /// Run a command.
    #[since("0.91.0")]
    Run(CallInfo<D>),
    /// Complete an argument: arrived in 0.109.0, long after its enum, and carries data,
    /// which a peer that predates it could not decode; but no plugin before 0.114.0 talks
    /// to this release, so nothing older than the window is demanded of it.
    #[since("0.109.0")]
    GetCompletion(GetCompletionInfo),
    /// Operate on a custom value the plugin made.
    #[since("0.91.0")]
    CustomValueOp(Spanned<PluginCustomValue>, CustomValueOp),
}

/// What to do with a plugin's custom value. (`Operation`, which carries nushell's
/// operator enums, is left out of this slice.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.91.0")]
pub enum CustomValueOp {
    /// Turn it into a plain value.
    ToBaseValue,
    /// Follow an integer path member; a struct variant since 0.108.0.
    #[since("0.92.0")]
    FollowPathInt {
        /// The index.
        #[since("0.108.0")]
        index: Spanned<usize>,
        /// Whether a missing index is no error.
        #[since("0.108.0")]
        optional: bool,
    },
    /// Follow a column path member; a struct variant since 0.108.0.
    #[since("0.92.0")]
    FollowPathString {
        /// The column.
        #[since("0.108.0")]
        column_name: Spanned<String>,
        /// Whether a missing column is no error.
        #[since("0.108.0")]
        optional: bool,
        /// How to compare column names.
        #[since("0.108.0")]
        casing: Casing,
    },
    /// Compare with another value.
    #[since("0.92.0")]
    PartialCmp(Value),
    /// Save it to a file.
    #[since("0.108.0")]
    Save {
        /// The file.
        path: Spanned<PathBuf>,
        /// The `save` call's span.
        save_call_span: Span,
    },
    /// The engine dropped its last copy.
    #[since("0.92.0")]
    Dropped,
}

/// Whether names compare with their case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.105.0")]
pub enum Casing {
    /// `Name` is not `name`.
    Sensitive,
    /// `Name` is `name`.
    Insensitive,
}

/// A custom value a plugin made, as the engine keeps it for the plugin: shared, written as
/// its content alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.66.0")]
pub struct PluginCustomValue(pub SharedCow<SharedContent>);

/// What a [`PluginCustomValue`] holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.66.0")]
pub struct SharedContent {
    /// The type's name.
    pub name: String,
    /// The plugin's own bytes.
    pub data: Vec<u8>,
    /// Whether the plugin wants to hear when the engine drops it.
    #[since("0.92.0")]
    #[serde(default, skip_serializing_if = "is_false")]
    pub notify_on_drop: bool,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_false(flag: &bool) -> bool {
    !*flag
}

/// What to complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.109.0")]
pub struct GetCompletionInfo {
    /// The command.
    pub name: String,
    /// Which argument.
    pub arg_type: GetCompletionArgType,
    /// The call so far.
    pub call: DynamicCompletionCall,
}

/// A flag or a positional argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.109.0")]
pub enum GetCompletionArgType {
    /// A flag, by name.
    Flag(String),
    /// A positional argument, by index.
    Positional(usize),
}

/// The call being completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.109.0")]
pub struct DynamicCompletionCall {
    /// The parsed call.
    #[compat(
        opaque = "the engine's parse tree of the call (nu-protocol's ast::Call), left out of this slice"
    )]
    pub call: AstCall,
    /// Whether the buffer has a placeholder.
    pub strip: bool,
    /// The cursor.
    pub pos: usize,
}

/// nu-protocol's `ast::Call`, as serde writes it; not part of this slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AstCall(pub serde_json::Value);

/// What the engine sends a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.91.0")]
pub enum PluginInput {
    /// The first message.
    Hello(ProtocolInfo),
    /// A call; its number is new.
    Call(PluginCallId, PluginCall<PipelineDataHeader>),
    /// No more calls: exit when the running ones are done.
    Goodbye,
    /// The answer to one of the plugin's engine calls.
    #[since("0.92.0")]
    EngineCallResponse(EngineCallId, EngineCallResponse<PipelineDataHeader>),
    /// A stream's next item.
    #[since("0.93.0")]
    Data(StreamId, StreamData),
    /// A stream's end.
    #[since("0.93.0")]
    End(StreamId),
    /// The reader dropped a stream.
    #[since("0.93.0")]
    Drop(StreamId),
    /// An item was read.
    #[since("0.93.0")]
    Ack(StreamId),
    /// A signal to relay.
    #[since("0.97.0")]
    Signal(SignalAction),
}

/// One item of a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.91.0")]
pub enum StreamData {
    /// A list stream's value.
    List(Value),
    /// A byte stream's bytes, or its error.
    Raw(Result<Vec<u8>, LabeledError>),
}

/// A signal the engine relays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.97.0")]
pub enum SignalAction {
    /// Ctrl-C.
    Interrupt,
    /// Start over.
    Reset,
}

/// What a plugin sends the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.91.0")]
pub enum PluginOutput {
    /// The first message.
    Hello(ProtocolInfo),
    /// Set an option.
    #[since("0.92.0")]
    Option(PluginOption),
    /// The answer to a call.
    CallResponse(PluginCallId, PluginCallResponse<PipelineDataHeader>),
    /// A call back to the engine, in the context of a plugin call.
    #[since("0.92.0")]
    EngineCall {
        /// The plugin call it runs under.
        context: PluginCallId,
        /// Its own number.
        id: EngineCallId,
        /// The call.
        call: EngineCall<PipelineDataHeader>,
    },
    /// A stream's next item.
    #[since("0.93.0")]
    Data(StreamId, StreamData),
    /// A stream's end.
    #[since("0.93.0")]
    End(StreamId),
    /// The reader dropped a stream.
    #[since("0.93.0")]
    Drop(StreamId),
    /// An item was read.
    #[since("0.93.0")]
    Ack(StreamId),
}

/// An option a plugin sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.92.0")]
pub enum PluginOption {
    /// Whether the engine may stop the plugin when idle.
    GcDisabled(bool),
}

/// A plugin's answer to a call, with pipeline data of type `D`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.91.0")]
pub enum PluginCallResponse<D> {
    /// Done, nothing to return.
    #[since("0.108.0")]
    Ok,
    /// The call failed.
    Error(ShellError),
    /// The plugin's metadata.
    #[since("0.95.0")]
    Metadata(PluginMetadata),
    /// The plugin's commands.
    Signature(Vec<PluginSignature>),
    /// A comparison's result.
    #[since("0.92.0")]
    Ordering(Option<Ordering>),
    /// Completions.
    #[since("0.109.0")]
    CompletionItems(Option<Vec<DynamicSuggestion>>),
    /// The command's output.
    PipelineData(D),
}

/// A plugin's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.95.0")]
pub struct PluginMetadata {
    /// Its release.
    pub version: Option<String>,
}

/// The result of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.92.0")]
pub enum Ordering {
    /// Less.
    Less,
    /// Equal.
    Equal,
    /// Greater.
    Greater,
}

/// A command a plugin offers, with examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.76.0")]
pub struct PluginSignature {
    /// The command.
    pub sig: Signature,
    /// How to use it.
    pub examples: Vec<PluginExample>,
}

/// A command's signature (a few of its fields, in this slice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.60.0")]
pub struct Signature {
    /// Its name.
    pub name: String,
    /// What it does (`usage` until 0.98.0).
    #[since("0.98.0")]
    pub description: String,
    /// More about it (`extra_usage` until 0.98.0).
    #[since("0.98.0")]
    pub extra_description: String,
    /// Words to find it by.
    #[since("0.61.0")]
    pub search_terms: Vec<String>,
}

/// An example of a plugin's command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.76.0")]
pub struct PluginExample {
    /// The example.
    pub example: String,
    /// What it shows.
    pub description: String,
    /// What it returns.
    pub result: Option<Value>,
}

/// A completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.109.0")]
pub struct DynamicSuggestion {
    /// The text to insert.
    pub value: String,
    /// The text to show instead.
    #[since("0.111.0")]
    pub display_override: Option<String>,
    /// What it is.
    pub description: Option<String>,
    /// More to show.
    pub extra: Option<Vec<String>>,
    /// Whether a space follows it.
    pub append_whitespace: bool,
    /// Which characters matched.
    pub match_indices: Option<Vec<usize>>,
    /// What it replaces.
    pub span: Option<Span>,
    /// What kind of thing it is.
    pub kind: Option<SuggestionKind>,
}

/// What kind of thing a completion is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.109.0")]
pub enum SuggestionKind {
    /// A command, with its kind and declaration.
    Command(
        #[compat(opaque = "nu-protocol's CommandType, left out of this slice")] CommandType,
        Option<DeclId>,
    ),
    /// A value, with its type.
    Value(#[compat(opaque = "nu-protocol's Type, left out of this slice")] Type),
    /// A cell path.
    CellPath,
    /// A directory.
    Directory,
    /// A file.
    File,
    /// A flag.
    Flag,
    /// A module.
    Module,
    /// An operator.
    Operator,
    /// A variable.
    Variable,
}

/// nu-protocol's `CommandType`, as serde writes it; not part of this slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandType(pub serde_json::Value);

/// nu-protocol's `Type`, as serde writes it; not part of this slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Type(pub serde_json::Value);

/// A call a plugin makes of the engine, with pipeline data of type `D`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "plugin", to = "engine")]
#[since("0.92.0")]
pub enum EngineCall<D> {
    /// The engine's configuration.
    GetConfig,
    /// The plugin's own configuration.
    GetPluginConfig,
    /// An environment variable.
    GetEnvVar(String),
    /// Every environment variable.
    GetEnvVars,
    /// The working directory.
    GetCurrentDir,
    /// Set an environment variable in the caller's scope.
    AddEnvVar(String, Value),
    /// The current command's help.
    GetHelp,
    /// Take the terminal.
    #[since("0.93.0")]
    EnterForeground,
    /// Give the terminal back.
    #[since("0.93.0")]
    LeaveForeground,
    /// The source a span covers.
    #[since("0.93.0")]
    GetSpanContents(Span),
    /// Run a closure.
    EvalClosure {
        /// The closure.
        closure: Spanned<Closure>,
        /// Its arguments.
        positional: Vec<Value>,
        /// Its input.
        input: D,
        /// Whether to capture stdout of external commands.
        redirect_stdout: bool,
        /// Whether to capture stderr of external commands.
        redirect_stderr: bool,
    },
    /// Find a declaration by name.
    #[since("0.96.0")]
    FindDecl(String),
    /// A block's compiled IR.
    #[since("0.110.0")]
    GetBlockIR(BlockId),
    /// Call a declaration.
    #[since("0.96.0")]
    CallDecl {
        /// The declaration.
        decl_id: DeclId,
        /// The arguments.
        call: EvaluatedCall,
        /// Its input.
        input: D,
        /// Whether to capture stdout of external commands.
        redirect_stdout: bool,
        /// Whether to capture stderr of external commands.
        redirect_stderr: bool,
    },
}

/// The engine's answer to an engine call, with pipeline data of type `D`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "engine", to = "plugin")]
#[since("0.92.0")]
pub enum EngineCallResponse<D> {
    /// The call failed.
    Error(ShellError),
    /// Data.
    PipelineData(D),
    /// The engine's configuration.
    Config(
        #[compat(
            opaque = "the engine's whole configuration (nu-protocol's Config, hundreds of settings), left out of this slice"
        )]
        SharedCow<Config>,
    ),
    /// Variables, by name.
    ValueMap(HashMap<String, Value>),
    /// A declaration's id.
    #[since("0.96.0")]
    Identifier(DeclId),
    /// A block's compiled IR.
    #[since("0.110.0")]
    IrBlock(
        #[compat(
            opaque = "the engine's compiled IR (nu-protocol's IrBlock), left out of this slice"
        )]
        Box<IrBlock>,
    ),
}

/// nu-protocol's `Config`, as serde writes it; not part of this slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Config(pub serde_json::Value);

/// nu-protocol's `IrBlock`, as serde writes it; not part of this slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IrBlock(pub serde_json::Value);
