//! The build-script helper for prost-generated code (feature `proto-build`): from the
//! descriptor set a protobuf compiler made (protox, or prost-build's own), the attributes
//! to attach with prost-build's or tonic-prost-build's `type_attribute`, and the table of
//! RPC methods with their `@since`.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fds = prost_types::FileDescriptorSet::default();
//! use compat_runtime::proto::build::Annotations;
//!
//! // let fds = protox::compile(["proto/spire/node.proto"], ["proto"])?;
//! let annotations = Annotations::new(&fds)
//!     .service("spire.api.node.v1.Node", "agent", "server")
//!     .rust_module("spire.api.node.v1", "crate::node");
//! annotations.check()?; // every message and enum says `@since`, with its file and line
//! for (path, attribute) in annotations.type_attributes() {
//!     // builder = builder.type_attribute(path, attribute);
//! #   let _ = (path, attribute);
//! }
//! annotations.write(std::env::var("OUT_DIR")?)?; // compat_proto.rs: METHODS, PROTOS
//! # Ok(()) }
//! ```
//!
//! The routes come from the services: a method's request type, and every message and enum
//! it holds, travels from the client's component to the server's; its response back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto, FileDescriptorSet};

/// The package of protobuf's well-known types (`google/protobuf/timestamp.proto`, ...).
const WELL_KNOWN: &str = "google.protobuf";

/// What compat attaches to the code prost generates from one descriptor set.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// Every message, enum and oneof by full name (`spire.Node.AttestRequest`).
    types: BTreeMap<String, TypeInfo>,
    /// The packages compiled.
    packages: BTreeSet<String>,
    /// The methods of every service: `(service, method, input, output, since)`.
    methods: Vec<MethodInfo>,
    /// `(service, client, server)`.
    services: Vec<(String, String, String)>,
    /// Package to the Rust module its code is included in.
    modules: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
struct TypeInfo {
    kind: &'static str,
    references: Vec<String>,
    reserved: Vec<String>,
    reserved_names: Vec<String>,
    since: bool,
    /// Every `@since` of the type's docs as prost-build writes them: its own, its fields'
    /// (a message's oneofs' too), its members', its values'.
    releases: Vec<String>,
    map_entry: bool,
    /// Where it is declared: `proto/spire/node.proto:12:1`.
    place: String,
    package: String,
}

#[derive(Debug, Clone)]
struct MethodInfo {
    service: String,
    name: String,
    input: String,
    output: String,
    since: Option<String>,
}

impl Annotations {
    /// Reads the messages, enums, oneofs and services of `set` (compiled with its source
    /// info, which holds the comments: protox keeps it by default).
    pub fn new(set: &FileDescriptorSet) -> Self {
        let mut out = Annotations::default();
        for file in &set.file {
            out.read_file(file);
        }
        out
    }

    /// The service `name` (`package.Service`) is served by the component `server` and
    /// called by `client`.
    #[must_use]
    pub fn service(mut self, name: &str, client: &str, server: &str) -> Self {
        self.services.push((
            name.trim_start_matches('.').to_owned(),
            client.to_owned(),
            server.to_owned(),
        ));
        self
    }

    /// The generated code of `package` is included in the Rust module `module`
    /// (`crate::node`), so that `PROTOS` can name its types.
    #[must_use]
    pub fn rust_module(mut self, package: &str, module: &str) -> Self {
        self.modules.insert(package.to_owned(), module.to_owned());
        self
    }

    fn read_file(&mut self, file: &FileDescriptorProto) {
        let package = file.package().to_owned();
        if package == WELL_KNOWN {
            // protobuf's own types, which prost-build maps to prost-types and Rust's types
            // rather than generating them: compat has their tables, and they carry no
            // `@since` (protobuf fixed them long ago).
            return;
        }
        self.packages.insert(package.clone());
        let comments = Comments::of(file);
        for (i, message) in file.message_type.iter().enumerate() {
            self.read_message(&package, &package, message, &comments, vec![4, to_i32(i)]);
        }
        for (i, en) in file.enum_type.iter().enumerate() {
            self.read_enum(&package, &package, en, &comments, vec![5, to_i32(i)]);
        }
        for (si, service) in file.service.iter().enumerate() {
            for (mi, method) in service.method.iter().enumerate() {
                self.methods.push(MethodInfo {
                    service: join(&package, service.name()),
                    name: method.name().to_owned(),
                    input: method.input_type().trim_start_matches('.').to_owned(),
                    output: method.output_type().trim_start_matches('.').to_owned(),
                    since: comments.since(&[6, to_i32(si), 2, to_i32(mi)]),
                });
            }
        }
    }

    fn read_message(
        &mut self,
        package: &str,
        scope: &str,
        message: &DescriptorProto,
        comments: &Comments<'_>,
        path: Vec<i32>,
    ) {
        let name = join(scope, message.name());
        let references: Vec<String> = message.field.iter().filter_map(type_name).collect();
        let mut releases: Vec<String> = comments.releases(&path);
        for i in 0..message.field.len() {
            releases.extend(comments.releases(&[path.as_slice(), &[2, to_i32(i)]].concat()));
        }
        let range = |start: i32, end: i32| match (end - start, end >= 536_870_912) {
            (1, _) => start.to_string(),
            (_, true) => format!("{start} to max"),
            _ => format!("{start} to {}", end - 1),
        };
        self.types.insert(
            name.clone(),
            TypeInfo {
                kind: "message",
                references,
                reserved: message
                    .reserved_range
                    .iter()
                    .map(|r| range(r.start(), r.end()))
                    .collect(),
                reserved_names: message.reserved_name.clone(),
                since: comments.since(&path).is_some(),
                releases,
                map_entry: message.options.as_ref().is_some_and(|o| o.map_entry()),
                place: comments.place(&path),
                package: package.to_owned(),
            },
        );
        self.read_oneofs(package, &name, message, comments, &path);
        for (i, nested) in message.nested_type.iter().enumerate() {
            self.read_message(
                package,
                &name,
                nested,
                comments,
                [path.as_slice(), &[3, to_i32(i)]].concat(),
            );
        }
        for (i, en) in message.enum_type.iter().enumerate() {
            self.read_enum(
                package,
                &name,
                en,
                comments,
                [path.as_slice(), &[4, to_i32(i)]].concat(),
            );
        }
    }

    /// The oneofs of the message `name` (proto3's `optional` fields aside, which prost
    /// writes as plain fields): each a type of its own, which the message holds.
    fn read_oneofs(
        &mut self,
        package: &str,
        name: &str,
        message: &DescriptorProto,
        comments: &Comments<'_>,
        path: &[i32],
    ) {
        for (i, oneof) in message.oneof_decl.iter().enumerate() {
            let members: Vec<usize> = (0..message.field.len())
                .filter(|&j| message.field[j].oneof_index == Some(to_i32(i)))
                .collect();
            if members.iter().all(|&j| message.field[j].proto3_optional()) {
                continue;
            }
            // prost-build writes the oneof's comment on the enum and on its message's
            // field; the members are the enum's variants.
            let decl = comments.releases(&[path, &[8, to_i32(i)]].concat());
            let mut releases = decl.clone();
            for &j in &members {
                releases.extend(comments.releases(&[path, &[2, to_i32(j)]].concat()));
            }
            let info = TypeInfo {
                kind: "oneof",
                references: members
                    .iter()
                    .filter_map(|&j| type_name(&message.field[j]))
                    .collect(),
                since: true,
                releases,
                package: package.to_owned(),
                ..TypeInfo::default()
            };
            let oneof = join(name, oneof.name());
            self.types.insert(oneof.clone(), info);
            if let Some(info) = self.types.get_mut(name) {
                info.releases.extend(decl);
                info.references.push(oneof);
            }
        }
    }

    fn read_enum(
        &mut self,
        package: &str,
        scope: &str,
        en: &EnumDescriptorProto,
        comments: &Comments<'_>,
        path: Vec<i32>,
    ) {
        let range = |start: i32, end: i32| match (start == end, end == i32::MAX) {
            (true, _) => start.to_string(),
            (_, true) => format!("{start} to max"),
            _ => format!("{start} to {end}"),
        };
        let mut releases = comments.releases(&path);
        for i in 0..en.value.len() {
            releases.extend(comments.releases(&[path.as_slice(), &[2, to_i32(i)]].concat()));
        }
        self.types.insert(
            join(scope, en.name()),
            TypeInfo {
                kind: "enum",
                reserved: en
                    .reserved_range
                    .iter()
                    .map(|r| range(r.start(), r.end()))
                    .collect(),
                reserved_names: en.reserved_name.clone(),
                since: comments.since(&path).is_some(),
                releases,
                place: comments.place(&path),
                package: package.to_owned(),
                ..TypeInfo::default()
            },
        );
    }

    /// Every message and enum says `@since` in its comment: the error names each that
    /// does not, with its file, line and column.
    ///
    /// # Errors
    ///
    /// The list, one line each.
    pub fn check(&self) -> Result<(), String> {
        let missing: Vec<String> = self
            .types
            .iter()
            .filter(|(_, t)| !t.since && !t.map_entry && t.kind != "oneof")
            .map(|(name, t)| format!(
                "{}: {} `{name}` has no `@since`: add `// @since X.Y.Z` (the release that first shipped it) on the line above it",
                t.place, t.kind
            ))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing.join("\n"))
        }
    }

    /// The directions each type travels in, from the services.
    fn routes(&self) -> BTreeMap<&str, BTreeSet<String>> {
        let mut routes: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for (service, client, server) in &self.services {
            for method in self.methods.iter().filter(|m| &m.service == service) {
                for (root, route) in [
                    (&method.input, format!("{client} > {server}")),
                    (&method.output, format!("{server} > {client}")),
                ] {
                    let mut stack = vec![root.as_str()];
                    while let Some(name) = stack.pop() {
                        let Some((key, info)) = self.types.get_key_value(name) else {
                            continue;
                        };
                        if routes
                            .entry(key.as_str())
                            .or_default()
                            .insert(route.clone())
                        {
                            stack.extend(info.references.iter().map(String::as_str));
                        }
                    }
                }
            }
        }
        routes
    }

    /// The newest release of the type `name` and of everything it may hold (every
    /// message, oneof and enum its fields reach, however deep, itself included): the
    /// newest `@since` of their docs, as text (`"0.0.0"` for none; protobuf's well-known
    /// types count as that too). What the send guard's fast path compares a peer with.
    fn within(&self, name: &str) -> String {
        let mut newest: Option<(u64, &str)> = None;
        let mut seen = BTreeSet::from([name]);
        let mut stack = vec![name];
        while let Some(name) = stack.pop() {
            let Some(info) = self.types.get(name) else {
                continue;
            };
            for release in &info.releases {
                let packed = crate::packed::pack_release(release);
                if newest.is_none_or(|(n, _)| packed > n) {
                    newest = Some((packed, release));
                }
            }
            for held in &info.references {
                if seen.insert(held) {
                    stack.push(held);
                }
            }
        }
        newest.map_or_else(|| "0.0.0".to_owned(), |(_, text)| text.to_owned())
    }

    /// `(path, attribute)` pairs for `type_attribute`: the derive once per package (a
    /// path matches the types below it too, and each matcher applies once per type), then
    /// each type's `#[compat(...)]`, which names its type so that the nested types it
    /// also reaches leave it alone. It carries the type's routes, its reserved numbers and
    /// names, and `within`, the newest release of the type and all it may hold, over the
    /// whole descriptor set: the send guard's fast path, which the derive then need not
    /// fold from the types the fields hold.
    pub fn type_attributes(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .packages
            .iter()
            .map(|p| {
                (
                    format!(".{p}"),
                    "#[derive(::compat_runtime::ProstCompat)]".to_owned(),
                )
            })
            .collect();
        let routes = self.routes();
        for (name, info) in self.types.iter().filter(|(_, t)| !t.map_entry) {
            let mut attr = format!("#[compat(proto = {name:?}");
            if let Some(routes) = routes.get(name.as_str()).filter(|_| info.kind != "oneof") {
                let _ = write!(attr, ", routes = [{}]", quoted(routes.iter()));
            }
            if !info.reserved.is_empty() {
                let _ = write!(attr, ", reserved = [{}]", quoted(info.reserved.iter()));
            }
            if !info.reserved_names.is_empty() {
                let _ = write!(
                    attr,
                    ", reserved_names = [{}]",
                    quoted(info.reserved_names.iter())
                );
            }
            let _ = write!(attr, ", within = {:?}", self.within(name));
            attr.push_str(")]");
            out.push((format!(".{name}"), attr));
        }
        out
    }

    /// The Rust source of `METHODS` (every method of the services named, with its
    /// `@since`, else its request type's first release, else `0.0.0`) and `PROTOS` (the
    /// tables of the requests and responses in a package with a [`rust_module`](Self::rust_module),
    /// which the wire lock starts from).
    pub fn source(&self) -> String {
        let mut out = String::from(
            "/// Every RPC method, with the release that introduced it (compat's build helper).\npub const METHODS: &[::compat_runtime::proto::Method] = &[\n",
        );
        for method in self
            .methods
            .iter()
            .filter(|m| self.services.iter().any(|s| s.0 == m.service))
        {
            let since = method.since.as_deref().unwrap_or("0.0.0");
            let _ = writeln!(
                out,
                "    ::compat_runtime::proto::Method {{ path: \"/{}/{}\", since: {since:?} }},",
                method.service, method.name
            );
        }
        out.push_str("];\n\n/// The protobuf tables of every request and response (compat's build helper).\npub const PROTOS: &[&::compat_runtime::proto::ProtoMessage] = &[\n");
        let roots: BTreeSet<&str> = self
            .methods
            .iter()
            .flat_map(|m| [m.input.as_str(), m.output.as_str()])
            .collect();
        for root in roots {
            let Some(info) = self.types.get(root) else {
                continue;
            };
            let Some(module) = self.modules.get(&info.package) else {
                continue;
            };
            let rest = root
                .strip_prefix(&info.package)
                .unwrap_or(root)
                .trim_start_matches('.');
            if !rest.contains('.') {
                let _ = writeln!(
                    out,
                    "    <{module}::{} as ::compat_runtime::proto::Proto>::PROTO,",
                    upper_camel(rest)
                );
            }
        }
        out.push_str("];\n");
        out
    }

    /// Writes [`source`](Self::source) to `dir/compat_proto.rs`, for
    /// `include!(concat!(env!("OUT_DIR"), "/compat_proto.rs"))`.
    ///
    /// # Errors
    ///
    /// When the file cannot be written.
    pub fn write(&self, dir: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(dir.as_ref().join("compat_proto.rs"), self.source())
    }
}

fn quoted<'a>(items: impl Iterator<Item = &'a String>) -> String {
    items
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The full name of the message or enum a field holds, if any.
fn type_name(field: &prost_types::FieldDescriptorProto) -> Option<String> {
    field
        .type_name
        .as_deref()
        .map(|t| t.trim_start_matches('.').to_owned())
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_owned()
    } else {
        format!("{scope}.{name}")
    }
}

fn to_i32(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// A top-level message's Rust name as prost writes it (`attest_request` → `AttestRequest`;
/// names in protobuf's `PascalCase` style come out unchanged).
fn upper_camel(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect()
}

/// The comments of one file, by descriptor path.
struct Comments<'a> {
    file: &'a FileDescriptorProto,
}

impl<'a> Comments<'a> {
    fn of(file: &'a FileDescriptorProto) -> Self {
        Comments { file }
    }

    fn location(&self, path: &[i32]) -> Option<&'a prost_types::source_code_info::Location> {
        self.file
            .source_code_info
            .as_ref()?
            .location
            .iter()
            .find(|l| l.path == path)
    }

    /// Every release an `@since` in the element's doc comment names, read as the derive
    /// reads the docs prost-build writes (the leading comment's lines, then the trailing
    /// one's, each line on its own; `@since` and the word after it, trimmed of `,` and
    /// `;`). The derive refuses a second one.
    fn releases(&self, path: &[i32]) -> Vec<String> {
        let Some(location) = self.location(path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let comments = [&location.leading_comments, &location.trailing_comments];
        for line in comments.into_iter().flatten().flat_map(|c| c.lines()) {
            let mut words = line.split_whitespace();
            while let Some(word) = words.next() {
                if word.trim_end_matches(['.', ',', ';']) == "@since"
                    && let Some(release) = words.next()
                {
                    out.push(release.trim_end_matches([',', ';']).to_owned());
                }
            }
        }
        out
    }

    /// The release the element's `@since` names, found where the derive finds it: in the
    /// leading comment or the trailing one (prost-build copies both into the docs), so that
    /// `check` and the derive never disagree on whether a type has one.
    fn since(&self, path: &[i32]) -> Option<String> {
        self.releases(path).into_iter().next()
    }

    fn place(&self, path: &[i32]) -> String {
        let span = self
            .location(path)
            .map(|l| l.span.clone())
            .unwrap_or_default();
        let (line, column) = (
            span.first().map_or(0, |l| l + 1),
            span.get(1).map_or(0, |c| c + 1),
        );
        format!("{}:{line}:{column}", self.file.name())
    }
}

#[cfg(test)]
mod tests {
    use prost_types::source_code_info::Location;
    use prost_types::{FieldDescriptorProto, SourceCodeInfo, field_descriptor_proto};

    use super::*;

    /// `chat.proto`, whose `Post` holds a `google.protobuf.Timestamp`, and the well-known
    /// type's own file, as a compiler puts both in the descriptor set.
    fn set() -> FileDescriptorSet {
        let timestamp = FileDescriptorProto {
            name: Some("google/protobuf/timestamp.proto".into()),
            package: Some("google.protobuf".into()),
            message_type: vec![DescriptorProto {
                name: Some("Timestamp".into()),
                ..DescriptorProto::default()
            }],
            ..FileDescriptorProto::default()
        };
        let chat = FileDescriptorProto {
            name: Some("chat.proto".into()),
            package: Some("chat".into()),
            dependency: vec!["google/protobuf/timestamp.proto".into()],
            message_type: vec![DescriptorProto {
                name: Some("Post".into()),
                field: vec![FieldDescriptorProto {
                    name: Some("at".into()),
                    number: Some(1),
                    r#type: Some(field_descriptor_proto::Type::Message as i32),
                    type_name: Some(".google.protobuf.Timestamp".into()),
                    ..FieldDescriptorProto::default()
                }],
                ..DescriptorProto::default()
            }],
            source_code_info: Some(SourceCodeInfo {
                location: vec![Location {
                    path: vec![4, 0],
                    span: vec![2, 0, 5, 1],
                    leading_comments: Some(" @since 1.0.0\n".into()),
                    ..Location::default()
                }],
            }),
            ..FileDescriptorProto::default()
        };
        FileDescriptorSet {
            file: vec![timestamp, chat],
        }
    }

    #[test]
    fn well_known_types_need_no_since_and_get_no_attributes() {
        let annotations = Annotations::new(&set());
        assert_eq!(annotations.check(), Ok(()));
        let attributes = annotations.type_attributes();
        assert!(
            attributes
                .iter()
                .all(|(path, _)| !path.starts_with(".google")),
            "{attributes:?}"
        );
        assert!(attributes.iter().any(|(path, _)| path == ".chat.Post"));
    }

    fn field(name: &str, number: i32, type_name: Option<&str>) -> FieldDescriptorProto {
        FieldDescriptorProto {
            name: Some(name.into()),
            number: Some(number),
            type_name: type_name.map(Into::into),
            ..FieldDescriptorProto::default()
        }
    }

    fn comment(path: &[i32], leading: Option<&str>, trailing: Option<&str>) -> Location {
        Location {
            path: path.to_vec(),
            span: vec![0, 0, 1],
            leading_comments: leading.map(Into::into),
            trailing_comments: trailing.map(Into::into),
            ..Location::default()
        }
    }

    /// `tree.proto`: a `Node` that holds itself, a `Leaf` (through a oneof), an enum, and
    /// a well-known type; each newer part is in a different place of the comments.
    fn tree() -> FileDescriptorSet {
        let mut member = field("leaf", 4, Some(".t.Leaf"));
        member.oneof_index = Some(0);
        let node = DescriptorProto {
            name: Some("Node".into()),
            field: vec![
                field("children", 1, Some(".t.Node")),
                field("state", 2, Some(".t.State")),
                field("at", 3, Some(".google.protobuf.Timestamp")),
                member,
            ],
            oneof_decl: vec![prost_types::OneofDescriptorProto {
                name: Some("pick".into()),
                ..Default::default()
            }],
            ..DescriptorProto::default()
        };
        let leaf = DescriptorProto {
            name: Some("Leaf".into()),
            field: vec![field("x", 1, None)],
            ..DescriptorProto::default()
        };
        let state = EnumDescriptorProto {
            name: Some("State".into()),
            value: vec![
                prost_types::EnumValueDescriptorProto {
                    name: Some("STATE_UNSPECIFIED".into()),
                    number: Some(0),
                    ..Default::default()
                },
                prost_types::EnumValueDescriptorProto {
                    name: Some("STATE_DRAINING".into()),
                    number: Some(1),
                    ..Default::default()
                },
            ],
            ..EnumDescriptorProto::default()
        };
        let mut set = set();
        set.file[1] = FileDescriptorProto {
            name: Some("tree.proto".into()),
            package: Some("t".into()),
            dependency: vec!["google/protobuf/timestamp.proto".into()],
            message_type: vec![node, leaf],
            enum_type: vec![state],
            source_code_info: Some(SourceCodeInfo {
                location: vec![
                    comment(&[4, 0], Some(" @since 1.0.0\n"), None),
                    comment(&[4, 1], Some(" A leaf.\n @since 1.0.0\n"), None),
                    // A trailing comment: prost-build copies it into the docs too.
                    comment(&[4, 1, 2, 0], None, Some(" @since 1.1.0\n")),
                    comment(&[5, 0], Some(" @since 1.0.0\n"), None),
                    comment(&[5, 0, 2, 1], Some(" Drained.\n @since 1.2.0\n"), None),
                ],
            }),
            ..FileDescriptorProto::default()
        };
        set
    }

    #[test]
    fn a_since_in_a_trailing_comment_counts_as_the_derive_reads_it() {
        let mut tree = tree();
        fn locations(tree: &mut FileDescriptorSet) -> &mut Vec<Location> {
            &mut tree.file[1].source_code_info.as_mut().unwrap().location
        }
        // `message Leaf { ... } // @since 1.0.0`: no leading comment at all.
        locations(&mut tree)[1] = comment(&[4, 1], None, Some(" @since 1.0.0\n"));
        assert_eq!(Annotations::new(&tree).check(), Ok(()));
        // Without it, the error names the type and says what to add.
        locations(&mut tree).remove(1);
        let error = Annotations::new(&tree).check().unwrap_err();
        assert_eq!(
            error,
            "tree.proto:0:0: message `t.Leaf` has no `@since`: add `// @since X.Y.Z` (the \
             release that first shipped it) on the line above it"
        );
    }

    fn within(set: &FileDescriptorSet, path: &str) -> String {
        let attributes = Annotations::new(set).type_attributes();
        let (_, attribute) = attributes.iter().find(|(p, _)| p == path).unwrap();
        let (_, rest) = attribute.split_once("within = ").unwrap();
        rest.trim_end_matches(")]").to_owned()
    }

    #[test]
    fn within_is_the_newest_release_of_all_a_type_may_hold() {
        let tree = tree();
        // A value of the enum, through a message that holds itself: exact, not "too deep".
        assert_eq!(within(&tree, ".t.Node"), r#""1.2.0""#);
        // The oneof holds the leaf, whose field says so in a trailing comment.
        assert_eq!(within(&tree, ".t.Node.pick"), r#""1.1.0""#);
        assert_eq!(within(&tree, ".t.Leaf"), r#""1.1.0""#);
        assert_eq!(within(&tree, ".t.State"), r#""1.2.0""#);
        // A well-known type adds nothing.
        assert_eq!(within(&set(), ".chat.Post"), r#""1.0.0""#);
    }
}
