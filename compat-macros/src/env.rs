//! What the build script hands the macro, read from the environment at expansion time.
//!
//! `compat_runtime::build::enforce()` evaluates the policy once and passes the result on
//! with `cargo:rustc-env`; rustc exposes those variables to the macro:
//!
//! | variable | content |
//! |---|---|
//! | `COMPAT_VERSION` | the crate version the windows were computed for, e.g. `0.9.3` |
//! | `COMPAT_POLICY` | the policy's display path, e.g. `compat.toml` |
//! | `COMPAT_COMPONENTS` | the component names, comma-separated: `server,agent` |
//! | `COMPAT_WINDOWS` | the windows, see [`crate::env_window`] |
//! | `COMPAT_PROTOCOL` | under `[protocol]`, the protocol's name: `COMPAT_VERSION` and the windows then speak its versions |
//! | `COMPAT_FEATURES` | the named features, see [`crate::env_features`] |
//! | `COMPAT_WIRE_CHANGES` | `[versioning] wire-changes`: `minor`, `major` or `major,minor-is-major`, or `any` |
//! | `COMPAT_CODEC` | `[wire] codec` and its place: `bincode\|compat.toml:31:9`, or `self-describing` |
//!
//! Without `COMPAT_WINDOWS` there is no policy to check against: the tables are still
//! generated and the policy-independent checks still run (against `CARGO_PKG_VERSION`),
//! unless the crate has a policy that no build script enforces, which is an error.

#[cfg(feature = "serde")]
use crate::ast::Input;
use crate::codec::Codec;
use crate::env_window::{self, Window};
use semver::Version;
use std::cell::{Cell, RefCell};
use std::path::Path;
use std::rc::Rc;

/// Everything the checks need from outside the item.
pub(crate) struct Env {
    /// The version being built, if known.
    pub(crate) version: Option<Version>,
    /// The policy, when a build script handed one over.
    pub(crate) policy: Option<Policy>,
    /// Reasons the environment cannot be trusted; each becomes a compile error.
    pub(crate) problems: Vec<String>,
}

/// The policy as evaluated by the build script for [`Env::version`].
pub(crate) struct Policy {
    /// Display path: `compat.toml` or `Cargo.toml`.
    pub(crate) path: String,
    pub(crate) components: Vec<String>,
    pub(crate) windows: Vec<Window>,
    /// Which releases may change the wire (`COMPAT_WIRE_CHANGES`); `None`: any.
    pub(crate) wire: Option<WireLines>,
    /// The protocol's name under `[protocol]` (`COMPAT_PROTOCOL`): versions are its.
    pub(crate) protocol: Option<String>,
    /// The named features (`COMPAT_FEATURES`).
    pub(crate) features: Vec<crate::env_features::Feature>,
    /// `[wire] codec` (`COMPAT_CODEC`) and where the policy says it; `None`:
    /// self-describing.
    pub(crate) codec: Option<(Codec, String)>,
}

/// `[versioning] wire-changes`: only the first release of a minor (or major) line may
/// change what travels.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct WireLines {
    /// `"minor"` or `"major"`, as written.
    pub(crate) unit: &'static str,
    /// Under `"major"` with the pre-1.0 reading, `0.y.0` starts a line too.
    pub(crate) minor_is_major: bool,
}

impl WireLines {
    /// Reads `minor`, `major` or `major,minor-is-major`; `any` is `Some(None)`: any release
    /// may change the wire. `None` when malformed.
    fn read(value: &str) -> Option<Option<Self>> {
        if value == "any" {
            return Some(None);
        }
        Self::parse(value).map(Some)
    }

    /// Reads `minor`, `major` or `major,minor-is-major`.
    fn parse(value: &str) -> Option<Self> {
        let (unit, zero) = match value.split_once(',') {
            Some((unit, "minor-is-major")) => (unit, true),
            Some(_) => return None,
            None => (value, false),
        };
        let unit = match unit {
            "minor" => "minor",
            "major" => "major",
            _ => return None,
        };
        Some(WireLines {
            unit,
            minor_is_major: zero,
        })
    }

    /// The first release of `v`'s line.
    pub(crate) fn line(self, v: &Version) -> Version {
        match self.unit {
            "minor" => Version::new(v.major, v.minor, 0),
            _ if v.major == 0 && self.minor_is_major => Version::new(0, v.minor, 0),
            _ => Version::new(v.major, 0, 0),
        }
    }

    /// The first release of the line after `v`'s.
    pub(crate) fn next(self, v: &Version) -> Version {
        let line = self.line(v);
        match self.unit {
            "minor" => Version::new(line.major, line.minor + 1, 0),
            _ if line.major == 0 && self.minor_is_major => Version::new(0, line.minor + 1, 0),
            _ => Version::new(line.major + 1, 0, 0),
        }
    }
}

impl Env {
    /// How `input` travels: its `#[compat(codec = "...")]`, or else the policy's `[wire]
    /// codec`, or else self-describing.
    #[cfg(feature = "serde")]
    pub(crate) fn codec(&self, input: &Input<'_>) -> Codec {
        input
            .attrs
            .codec
            .as_ref()
            .map_or_else(|| self.crate_codec(), |(_, codec)| *codec)
    }

    /// How the crate's messages travel: the policy's `[wire] codec`, or else
    /// self-describing.
    pub(crate) fn crate_codec(&self) -> Codec {
        self.policy_codec()
            .map_or(Codec::SelfDescribing, |(codec, _)| *codec)
    }

    /// The policy's `[wire] codec`, with its place.
    fn policy_codec(&self) -> Option<&(Codec, String)> {
        self.policy.as_ref()?.codec.as_ref()
    }

    /// Where the codec of `input` is said: `#[compat(codec = "bincode")]` on it, or the
    /// policy's `[wire] codec` (`compat.toml:31:9`).
    #[cfg(feature = "serde")]
    pub(crate) fn codec_origin(&self, input: &Input<'_>) -> String {
        match (&input.attrs.codec, self.policy_codec()) {
            (Some((_, codec)), _) => {
                let name = input.ident;
                format!("#[compat(codec = \"{}\")] on `{name}`", codec.as_str())
            }
            (None, Some((_, origin))) => format!("[wire] codec at {origin}"),
            (None, None) => "the default".to_owned(),
        }
    }
}

impl Policy {
    /// The window for messages from `sender` to `receiver`, if a rule relates them.
    pub(crate) fn window(&self, sender: &str, receiver: &str) -> Option<&Window> {
        self.windows
            .iter()
            .find(|window| window.sender == sender && window.receiver == receiver)
    }
}

const REBUILD: &str = "it is written by `compat_runtime::build::enforce()`; run `cargo clean -p` on this crate and rebuild, \
     and if it persists, report it";

impl Env {
    /// The environment of this expansion. Read once per distinct set of values: a crate
    /// expands the derive once per type (hundreds of times for prost-generated code), and
    /// a proc-macro server (rust-analyzer's) expands many crates in one process, so the
    /// cached reading is reused only while every variable it reads is the same.
    pub(crate) fn from_process() -> Rc<Self> {
        Self::cached(
            |name| std::env::var(name).ok(),
            || {
                std::env::var_os("CARGO_MANIFEST_DIR")
                    .as_deref()
                    .map(Path::new)
                    .and_then(unenforced_policy)
            },
        )
    }

    /// [`Env::from_process`] over any source of variables: `lookup` reads one, `policy_file`
    /// finds the crate's policy file (asked only when no build script set the windows).
    fn cached(
        lookup: impl Fn(&str) -> Option<String>,
        policy_file: impl FnOnce() -> Option<String>,
    ) -> Rc<Self> {
        /// Every variable [`Env::read`] looks up, in the order of the snapshot.
        const VARS: [&str; 9] = [
            "COMPAT_WINDOWS",
            "CARGO_PKG_VERSION",
            "COMPAT_VERSION",
            "COMPAT_POLICY",
            "COMPAT_COMPONENTS",
            "COMPAT_WIRE_CHANGES",
            "COMPAT_CODEC",
            "COMPAT_PROTOCOL",
            "COMPAT_FEATURES",
        ];
        type Snapshot = (Vec<Option<String>>, Option<String>);
        thread_local! {
            static LAST: RefCell<Option<(Snapshot, Rc<Env>)>> = const { RefCell::new(None) };
        }
        let values: Vec<Option<String>> = VARS.iter().map(|name| lookup(name)).collect();
        // The policy file is looked for (and part of the key) only where it matters, with
        // no build script's windows: it may appear between two expansions.
        let unenforced = if values[0].is_none() {
            policy_file()
        } else {
            None
        };
        let snapshot = (values, unenforced);
        if let Some(env) = LAST.with_borrow(|last| {
            last.as_ref()
                .filter(|(seen, _)| *seen == snapshot)
                .map(|(_, env)| Rc::clone(env))
        }) {
            return env;
        }
        // A variable missing from `VARS` is read from the process, and the reading is
        // then not kept: its value is not part of the key.
        let unlisted = Cell::new(false);
        let env = Rc::new(Self::read(
            |name| match VARS.iter().position(|var| *var == name) {
                Some(i) => snapshot.0[i].clone(),
                None => {
                    unlisted.set(true);
                    lookup(name)
                }
            },
            snapshot.1.clone(),
        ));
        if !unlisted.get() {
            LAST.set(Some((snapshot, Rc::clone(&env))));
        }
        env
    }

    /// Reads the variables through `lookup`; `unenforced` is the policy file found in the
    /// crate's directory, consulted only when no build script handed a policy over.
    pub(crate) fn read(
        lookup: impl Fn(&str) -> Option<String>,
        unenforced: Option<String>,
    ) -> Self {
        let mut problems = Vec::new();
        let Some(windows) = lookup("COMPAT_WINDOWS") else {
            if let Some(file) = unenforced {
                problems.push(format!(
                    "this crate has a {file} but no build script runs compat, so its promises are not checked; \
                     add `compat_runtime::build::enforce();` to `fn main` in build.rs, and under \
                     [build-dependencies] `compat-runtime = {{ ..., features = [\"build\"] }}`, from the \
                     same source as under [dependencies] (`workspace = true`, `path = ...` or `version = ...`)"
                ));
            }
            let version = lookup("CARGO_PKG_VERSION").and_then(|text| Version::parse(&text).ok());
            return Self {
                version,
                policy: None,
                problems,
            };
        };
        let mut required = |name: &str| {
            lookup(name).or_else(|| {
                problems.push(format!(
                    "COMPAT_WINDOWS is set but {name} is not; {REBUILD}"
                ));
                None
            })
        };
        let version = required("COMPAT_VERSION");
        let path = required("COMPAT_POLICY").unwrap_or_else(|| "compat.toml".to_owned());
        let components = required("COMPAT_COMPONENTS").unwrap_or_default();
        let version = version.and_then(|text| match Version::parse(&text) {
            Ok(version) => Some(version),
            Err(error) => {
                problems.push(format!(
                    "COMPAT_VERSION `{text}` is malformed ({error}); {REBUILD}"
                ));
                None
            }
        });
        let windows = env_window::decode(&windows).unwrap_or_else(|why| {
            problems.push(format!("COMPAT_WINDOWS is malformed: {why}; {REBUILD}"));
            Vec::new()
        });
        let components = read_components(&components, &windows, &mut problems);
        let wire = lookup("COMPAT_WIRE_CHANGES").and_then(|value| {
            WireLines::read(&value).unwrap_or_else(|| {
                problems.push(format!(
                    "COMPAT_WIRE_CHANGES `{value}` is malformed; {REBUILD}"
                ));
                None
            })
        });
        let codec = lookup("COMPAT_CODEC").and_then(|value| {
            read_codec(&value).unwrap_or_else(|| {
                problems.push(format!("COMPAT_CODEC `{value}` is malformed; {REBUILD}"));
                None
            })
        });
        let (protocol, features) = crate::env_features::read(&lookup, &mut problems, REBUILD);
        Self {
            version,
            policy: Some(Policy {
                path,
                components,
                windows,
                wire,
                protocol,
                features,
                codec,
            }),
            problems,
        }
    }
}

/// `COMPAT_COMPONENTS`, each name the windows use checked against it.
fn read_components(text: &str, windows: &[Window], problems: &mut Vec<String>) -> Vec<String> {
    let components: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    for window in windows {
        for name in [&window.sender, &window.receiver] {
            if !components.contains(name) {
                problems.push(format!(
                    "COMPAT_WINDOWS is malformed: it names `{name}`, which COMPAT_COMPONENTS does not list; {REBUILD}"
                ));
            }
        }
    }
    components
}

/// `bincode|compat.toml:31:9`: the codec and where the policy names it; `self-describing`
/// alone when the policy does not say (`Some(None)`). `None` when malformed.
fn read_codec(value: &str) -> Option<Option<(Codec, String)>> {
    if value == Codec::SelfDescribing.as_str() {
        return Some(None);
    }
    let (codec, origin) = value.split_once('|')?;
    let origin = crate::env_escape::unescape(origin).ok()?;
    Some(Some((Codec::parse(codec)?, origin)))
}

/// The policy file of a crate whose build script did not run compat: `compat.toml`, or
/// `Cargo.toml` when it has a `[package.metadata.compat]` table in any TOML spelling.
pub(crate) fn unenforced_policy(manifest_dir: &Path) -> Option<String> {
    if manifest_dir.join("compat.toml").is_file() {
        return Some("compat.toml".to_owned());
    }
    let manifest = std::fs::read_to_string(manifest_dir.join("Cargo.toml")).ok()?;
    has_compat_metadata(&manifest).then(|| "Cargo.toml with [package.metadata.compat]".to_owned())
}

/// Whether a manifest defines `package.metadata.compat`, by a line scan (the macro has no
/// TOML parser): a `[package.metadata.compat...]` or `[[package.metadata.compat...]]`
/// header, a dotted key that reaches it from the table it sits in (`compat.components.x =`
/// under `[package.metadata]`, `metadata.compat = {...}` under `[package]`), or a `compat`
/// key inside an inline table that reaches it (`metadata = { compat = {...} }`). Keys may be
/// quoted and spaced. Lines inside multi-line strings are not told apart.
fn has_compat_metadata(manifest: &str) -> bool {
    const TARGET: [&str; 3] = ["package", "metadata", "compat"];
    let mut table: Vec<String> = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.strip_prefix('[').unwrap_or(header);
            let Some(end) = header.find(']') else {
                continue;
            };
            table = key_path(&header[..end]);
            if table.iter().map(String::as_str).take(3).eq(TARGET) {
                return true;
            }
            continue;
        }
        let Some((key, value)) = split_key(line) else {
            continue;
        };
        let mut path = table.clone();
        path.extend(key_path(key));
        let depth = path.len().min(TARGET.len());
        if path
            .iter()
            .map(String::as_str)
            .take(depth)
            .ne(TARGET.into_iter().take(depth))
        {
            continue;
        }
        if path.len() >= TARGET.len() {
            return true;
        }
        // `package = { metadata = { compat = ... } }` and the like: look inside the value.
        let rest = &TARGET[path.len()..];
        if mentions_key_path(value, rest) {
            return true;
        }
    }
    false
}

/// `key = value` outside quotes: the key and the value, or `None` for anything else.
fn split_key(line: &str) -> Option<(&str, &str)> {
    if line.starts_with('#') {
        return None;
    }
    let mut quote = None;
    for (index, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '=') => return Some((&line[..index], &line[index + 1..])),
            (None, '#') => return None,
            _ => {}
        }
    }
    None
}

/// `metadata . "compat"` as `["metadata", "compat"]`.
fn key_path(key: &str) -> Vec<String> {
    key.split('.')
        .map(|segment| {
            segment
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_owned()
        })
        .collect()
}

/// Whether the inline table `value` holds the key path `path`: `{ compat = { ... } }` for
/// `["compat"]`, `{ metadata.compat = 1 }` or `{ metadata = { compat = 1 } }` for
/// `["metadata", "compat"]`, but not `{ docs = { compat = 1 } }`.
fn mentions_key_path(value: &str, path: &[&str]) -> bool {
    // The key path of the inline table being read, and where each open one began.
    let mut current: Vec<String> = Vec::new();
    let mut opened: Vec<usize> = Vec::new();
    let mut key = String::new();
    let mut assigned: Option<Vec<String>> = None;
    let mut quote = None;
    for c in value.chars() {
        if let Some(open) = quote {
            if c == open {
                quote = None;
            }
            key.push(c);
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                key.push(c);
            }
            '=' => {
                let mut full = current.clone();
                full.extend(key_path(&key));
                if full.len() >= path.len() && full.iter().zip(path).all(|(a, b)| a == b) {
                    return true;
                }
                assigned = Some(key_path(&key));
                key.clear();
            }
            '{' => {
                opened.push(current.len());
                current.extend(assigned.take().unwrap_or_default());
                key.clear();
            }
            '}' => {
                current.truncate(opened.pop().unwrap_or(0));
                key.clear();
                assigned = None;
            }
            ',' | '[' | ']' => {
                key.clear();
                assigned = None;
            }
            c => key.push(c),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{Env, has_compat_metadata, unenforced_policy};
    use std::collections::BTreeMap;

    fn env(vars: &[(&str, &str)], unenforced: Option<&str>) -> Env {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Env::read(
            |name| vars.get(name).cloned(),
            unenforced.map(str::to_owned),
        )
    }

    #[test]
    fn the_cached_reading_is_kept_only_while_every_variable_it_read_is_the_same() {
        use std::cell::{Cell, RefCell};
        use std::rc::Rc;
        let vars = RefCell::new(BTreeMap::from([("CARGO_PKG_VERSION", "0.4.1".to_owned())]));
        let looked_for_file = Cell::new(0);
        let read = || {
            Env::cached(
                |name| vars.borrow().get(name).cloned(),
                || {
                    looked_for_file.set(looked_for_file.get() + 1);
                    None
                },
            )
        };
        let first = read();
        assert!(
            Rc::ptr_eq(&first, &read()),
            "the same values: the same reading"
        );
        // A new version between two expansions (a proc-macro server's next crate).
        vars.borrow_mut()
            .insert("CARGO_PKG_VERSION", "0.5.0".to_owned());
        let second = read();
        assert_eq!(second.version.as_ref().unwrap().to_string(), "0.5.0");
        assert!(!Rc::ptr_eq(&first, &second));
        // The policy file is looked for on each expansion without windows (it may appear
        // between two), and not once the build script's windows are there.
        assert_eq!(looked_for_file.get(), 3);
        vars.borrow_mut().insert("COMPAT_WINDOWS", String::new());
        let with_windows = read();
        assert_eq!(looked_for_file.get(), 3);
        assert!(!Rc::ptr_eq(&second, &with_windows));
        assert!(
            with_windows.problems[0].contains("COMPAT_WINDOWS is set but COMPAT_VERSION is not")
        );
        assert!(Rc::ptr_eq(&with_windows, &read()));
    }

    #[test]
    fn without_a_policy_the_package_version_is_used() {
        let env = env(&[("CARGO_PKG_VERSION", "0.4.1")], None);
        assert_eq!(env.version.unwrap().to_string(), "0.4.1");
        assert!(env.policy.is_none());
        assert!(env.problems.is_empty());
    }

    #[test]
    fn a_policy_without_a_build_script_is_an_error() {
        let env = env(&[("CARGO_PKG_VERSION", "0.4.1")], Some("compat.toml"));
        assert!(
            env.problems[0]
                .starts_with("this crate has a compat.toml but no build script runs compat")
        );
        assert!(
            env.problems[0]
                .contains("add `compat_runtime::build::enforce();` to `fn main` in build.rs")
        );
        assert!(
            env.problems[0].contains(
                "under [build-dependencies] `compat-runtime = { ..., features = [\"build\"] }`, from the \
                 same source as under [dependencies]"
            ),
            "{}",
            env.problems[0]
        );
        assert!(
            !env.problems[0].contains("version = \"0."),
            "{}",
            env.problems[0]
        );
    }

    #[test]
    fn compat_metadata_is_found_in_every_toml_spelling() {
        for manifest in [
            "[package]\nname = \"x\"\n[package.metadata.compat]\n",
            "[package.metadata.compat.components]\nserver = {}\n",
            "[[package.metadata.compat.rule]]\ncomponent = \"agent\"\n",
            "[ package . metadata . \"compat\" ]\n",
            "[package.metadata]\ncompat.components.server = {}\n",
            "[package.metadata]\ncompat = { components = { server = {} } }\n",
            "[package.metadata]\n\"compat\" . components = {}\n",
            "[package]\nname = \"x\"\nmetadata.compat.components.server = {}\n",
            "[package]\nmetadata = { compat = { components = {} } }\n",
            "[package]\nmetadata = { docs = { rs = 1 }, compat = {} }\n",
            "package.metadata.compat.components.server = {}\n[dependencies]\n",
            "package = { name = \"x\", metadata = { compat = {} } }\n",
        ] {
            assert!(has_compat_metadata(manifest), "{manifest}");
        }
        for manifest in [
            "[package]\nname = \"compat\"\n",
            "[package]\nname = \"x\"\ndescription = \"compat = { components }\"\n",
            "[package.metadata.docs.rs]\ncompat = true\n",
            "[package.metadata]\ncompatibility = {}\n",
            "[package.metadata]\n# compat.components.server = {}\n",
            "[dependencies]\ncompat = { path = \"../compat\" }\ncompat-runtime = \"0.1\"\n",
            "[package]\nmetadata = { docs = { compat = 1 } }\n",
            "[workspace.metadata.compat]\n",
            "[package.metadata.compatible]\n",
        ] {
            assert!(!has_compat_metadata(manifest), "{manifest}");
        }
    }

    #[test]
    fn a_full_environment_reads() {
        let env = env(
            &[
                ("COMPAT_VERSION", "0.9.3"),
                ("COMPAT_POLICY", "compat.toml"),
                ("COMPAT_COMPONENTS", "server, agent"),
                ("COMPAT_WINDOWS", "agent>server|0.8.0|0|compat.toml:14:1|t"),
            ],
            Some("compat.toml"),
        );
        assert!(env.problems.is_empty(), "{:?}", env.problems);
        let policy = env.policy.unwrap();
        assert_eq!(policy.components, ["server", "agent"]);
        assert!(policy.window("agent", "server").is_some());
        assert!(policy.window("server", "agent").is_none());
    }

    #[test]
    fn a_malformed_environment_asks_for_a_rebuild() {
        let env = env(
            &[
                ("COMPAT_VERSION", "nine"),
                ("COMPAT_COMPONENTS", "server"),
                ("COMPAT_WINDOWS", "agent>server|0.8.0|0|o"),
            ],
            None,
        );
        assert_eq!(env.problems.len(), 3, "{:?}", env.problems);
        assert!(
            env.problems
                .iter()
                .all(|problem| problem.contains("rebuild"))
        );
    }

    /// A policy without windows: what the build script hands over, and nothing more.
    const BARE: [(&str, &str); 4] = [
        ("COMPAT_VERSION", "0.9.3"),
        ("COMPAT_POLICY", "compat.toml"),
        ("COMPAT_COMPONENTS", "server,agent"),
        ("COMPAT_WINDOWS", ""),
    ];

    /// [`BARE`] with `name` set to `value`, read; its problems must all be about `name`.
    fn bare_with(name: &str, value: &str) -> Env {
        let mut vars = BARE.to_vec();
        vars.push((name, value));
        let read = env(&vars, None);
        for problem in &read.problems {
            assert!(problem.starts_with(name), "{value}: {problem}");
        }
        read
    }

    #[test]
    fn the_codec_is_read_with_its_place_and_a_malformed_one_asks_for_a_rebuild() {
        let base = BARE;
        let with = |codec: &str| bare_with("COMPAT_CODEC", codec);
        let read = with("bincode|compat.toml%3A31%3A9");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let codec = read.policy.unwrap().codec.unwrap();
        let expected = (crate::codec::Codec::Bincode, "compat.toml:31:9".to_owned());
        assert_eq!(codec, expected);
        for bad in ["bincod|compat.toml:1:1", "bincode"] {
            assert_eq!(with(bad).problems.len(), 1, "{bad}");
        }
        assert!(env(&base, None).policy.unwrap().codec.is_none());
        assert!(with("self-describing").policy.unwrap().codec.is_none());
    }

    #[test]
    fn wire_changes_any_is_read_as_any_release_and_a_malformed_one_asks_for_a_rebuild() {
        let with = |value: &str| bare_with("COMPAT_WIRE_CHANGES", value);
        // What the build script sets when the policy says nothing, so that a value left in
        // the environment for another crate never reaches this one.
        let any = with("any");
        assert!(any.problems.is_empty(), "{:?}", any.problems);
        assert!(any.policy.unwrap().wire.is_none());
        let minor = with("major,minor-is-major").policy.unwrap().wire.unwrap();
        assert_eq!((minor.unit, minor.minor_is_major), ("major", true));
        for bad in ["patch", "any,minor-is-major", ""] {
            assert_eq!(with(bad).problems.len(), 1, "{bad}");
        }
    }

    #[test]
    fn policy_files_are_found_in_the_manifest_dir() {
        let dir = std::env::temp_dir().join(format!("compat-macros-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        assert_eq!(unenforced_policy(&dir), None);
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\n[package.metadata.compat.components]\n",
        )
        .unwrap();
        assert_eq!(
            unenforced_policy(&dir).unwrap(),
            "Cargo.toml with [package.metadata.compat]"
        );
        std::fs::write(dir.join("compat.toml"), "").unwrap();
        assert_eq!(unenforced_policy(&dir).unwrap(), "compat.toml");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
