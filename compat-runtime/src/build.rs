//! The build-script API: one call in `build.rs` validates the policy, hands the derive the
//! windows for this crate's version, and compiles the policy into the crate.
//!
//! ```no_run
//! // build.rs: `fn main` holds this one line
//! compat_runtime::build::enforce();
//! ```
//!
//! and in `src/lib.rs`, to use the policy the build checked at run time:
//!
//! ```ignore
//! compat_runtime::include_policy!();
//! // now `policy()` returns the crate's `&'static Policy`, and `VERSION` its version.
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::policy::{Form, Located, Origin, Policy, PolicyParts, Rolling, Rule, Side, Upgrade};
use crate::skew::Skew;
use crate::version::{MajorZero, Version, WithReleases, parse_version};

/// The environment variables the derive reads, and their contract.
pub mod env {
    /// The crate version the windows were computed for.
    pub const VERSION: &str = "COMPAT_VERSION";
    /// The policy file as shown in messages (`compat.toml`).
    pub const POLICY: &str = "COMPAT_POLICY";
    /// Comma-separated component names.
    pub const COMPONENTS: &str = "COMPAT_COMPONENTS";
    /// `;`-separated `SENDER>RECEIVER|OLDEST|NEWER|ORIGIN|TEXT` entries (see
    /// [`windows_env`](super::windows_env)).
    pub const WINDOWS: &str = "COMPAT_WINDOWS";
    /// `,`-separated `module::path::Name@file:line` of every type of the library target
    /// (from `src/lib.rs`, following `mod` declarations) that derives `Compat`.
    pub const MESSAGES: &str = "COMPAT_MESSAGES";
}

/// What went wrong in the build script.
#[derive(Debug)]
pub struct BuildError {
    /// One line each, already located (`compat.toml:14:1: unknown field ...`).
    pub lines: Vec<String>,
}

impl core::fmt::Display for BuildError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.lines.join("\n"))
    }
}

impl std::error::Error for BuildError {}

/// Runs the checks from a build script and fails the build, with Cargo's error directive,
/// when the policy is missing or wrong. This is the one line a protocol crate's `build.rs`
/// needs.
pub fn enforce() {
    match try_enforce() {
        Ok(()) => {}
        Err(err) => {
            for line in &err.lines {
                for part in line.lines() {
                    println!("cargo::error={part}");
                }
            }
        }
    }
}

/// [`enforce`], returning the error instead of reporting it to Cargo.
pub fn try_enforce() -> Result<(), BuildError> {
    let var = |name: &str| {
        std::env::var(name).map_err(|_| BuildError {
            lines: vec![format!(
                "{name} is not set: compat_runtime::build::enforce() must run from a build script"
            )],
        })
    };
    let dir = PathBuf::from(var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(var("OUT_DIR")?);
    let version_text = var("CARGO_PKG_VERSION")?;

    println!("cargo::rerun-if-changed=compat.toml");
    println!("cargo::rerun-if-changed=Cargo.toml");

    let found = Policy::discover(&dir).map_err(|e| BuildError {
        // Cargo prefixes each line with "error: crate@version:": hand it the located message
        // and the help, without our own label or the snippet.
        lines: e
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .flat_map(|d| {
                let first = d
                    .render_plain()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                core::iter::once(first).chain(d.help.iter().map(|h| format!("help: {h}")))
            })
            .collect(),
    })?;
    let Some(found) = found else {
        return Err(BuildError {
            lines: vec![format!(
                "no compat.toml in {} and no [package.metadata.compat] in its Cargo.toml; \
                 write the policy (see the compat.toml reference, docs/policy.md in the compat repository), or remove compat_runtime::build::enforce() from build.rs",
                dir.display()
            )],
        });
    };
    let version = parse_version(&version_text).map_err(|e| BuildError {
        lines: vec![format!("the crate's version in Cargo.toml: {e}")],
    })?;
    let shown = found
        .path
        .strip_prefix(&dir)
        .unwrap_or(&found.path)
        .display()
        .to_string();
    // Policy warnings are for `cargo compat lint`; repeating them on every build of every
    // protocol crate would bury the errors that matter.
    for (key, value) in windows_env(&found.policy, &version, &shown) {
        println!("cargo::rustc-env={key}={value}");
    }
    // The messages the crate declares, so `messages![...]` can insist on all of them.
    println!("cargo::rerun-if-changed=src");
    let found_messages: Vec<String> = scan_messages(&dir.join("src"))
        .into_iter()
        .map(|(name, place)| format!("{name}@{place}"))
        .collect();
    println!(
        "cargo::rustc-env={}={}",
        env::MESSAGES,
        found_messages.join(",")
    );
    write_policy_and_releases(
        &out_dir.join("compat_policy.rs"),
        &found.policy,
        &version,
        &dir,
    )
}

/// Every type of the library target that derives `Compat`, as `(path, place)`: the type's
/// module path from the crate root (`v1::Hello`, or `Hello` at the root) and its `file:line`
/// relative to the crate root (`src/v1.rs:3`), in module order.
///
/// `dir` is the crate's `src`. The scan starts at `src/lib.rs` and follows `mod x;` to
/// `x.rs` or `x/mod.rs` (or the file a `#[path = "..."]` names), so `src/main.rs`,
/// `src/bin/`, examples and files no module declares are never read. It reads tokens, not
/// text: comments (doc comments and their examples included) and string literals are
/// skipped, as are `#[cfg(test)]` items and modules (and `all(test, ...)`), files with
/// `#![cfg(test)]`, and the bodies of functions, impls and macro invocations, whose types
/// no `messages![...]` list can name. What it cannot see: types a macro generates, modules
/// behind other `cfg`s (scanned as if enabled) and `#[path]` inside an inline module of a
/// non-`mod.rs` file, which it resolves like one in a `mod.rs`.
pub fn scan_messages(dir: &Path) -> Vec<(String, String)> {
    let root = dir.parent().unwrap_or(dir);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // (file, its module path, the directory its `mod x;` declarations resolve against)
    let mut stack: Vec<(PathBuf, Vec<String>, PathBuf)> =
        vec![(dir.join("lib.rs"), Vec::new(), dir.to_path_buf())];
    while let Some((file, module, children)) = stack.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let scan = derives_in(&text);
        if scan.test_only {
            continue;
        }
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for found in scan.derives {
            let path: Vec<&str> = module
                .iter()
                .chain(&found.modules)
                .map(String::as_str)
                .chain([found.name.as_str()])
                .collect();
            out.push((path.join("::"), format!("{shown}:{}", found.line)));
        }
        // Pushed in reverse, so the declarations are visited in the order written.
        for decl in scan.mods.into_iter().rev() {
            let mut path = module.clone();
            path.extend(decl.modules.iter().cloned());
            path.push(decl.name.clone());
            let within = decl
                .modules
                .iter()
                .fold(children.clone(), |dir, inline| dir.join(inline));
            let target = match &decl.path {
                // `#[path]` outside inline modules is relative to the declaring file's
                // directory; the file it names owns its directory, like a `mod.rs`.
                Some(written) if decl.modules.is_empty() => {
                    Some(file.parent().unwrap_or(dir).join(written))
                }
                Some(written) => Some(within.join(written)),
                None => [
                    within.join(format!("{}.rs", decl.name)),
                    within.join(&decl.name).join("mod.rs"),
                ]
                .into_iter()
                .find(|candidate| candidate.is_file()),
            };
            let Some(target) = target else { continue };
            let owned = if decl.path.is_some() || target.ends_with("mod.rs") {
                target.parent().unwrap_or(dir).to_path_buf()
            } else {
                within.join(&decl.name)
            };
            stack.push((target, path, owned));
        }
    }
    out
}

/// What [`derives_in`] finds in one source file.
#[derive(Debug, Default, PartialEq, Eq)]
struct FileScan {
    /// `#![cfg(test)]`: the whole file is compiled for tests only.
    test_only: bool,
    /// Each `#[derive(..., Compat, ...)]` struct, enum or union.
    derives: Vec<Derive>,
    /// Each `mod x;` declaration, for the scan to follow.
    mods: Vec<ModDecl>,
}

/// A type that derives `Compat`: its name, the inline modules around it in its file, and
/// the line of its `struct`/`enum`/`union` keyword.
#[derive(Debug, PartialEq, Eq)]
struct Derive {
    modules: Vec<String>,
    name: String,
    line: usize,
}

/// `mod name;`, inside the inline modules `modules` of its file, with its `#[path]`.
#[derive(Debug, PartialEq, Eq)]
struct ModDecl {
    modules: Vec<String>,
    name: String,
    path: Option<String>,
}

/// The types of `text` that derive `Compat` and the modules it declares, read from its
/// tokens at module level (see [`scan_messages`]).
fn derives_in(text: &str) -> FileScan {
    let tokens = lex(text);
    let close = matching(&tokens);
    let mut scan = FileScan::default();
    // The inline modules we are in: name and the index of the closing brace.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut attrs: Vec<&[Token]> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].kind {
            Kind::Punct('#') => {
                let inner = tokens
                    .get(i + 1)
                    .is_some_and(|t| t.kind == Kind::Punct('!'));
                let open = if inner { i + 2 } else { i + 1 };
                let end = match (tokens.get(open), close.get(open)) {
                    (Some(bracket), Some(Some(end))) if bracket.kind == Kind::Punct('[') => *end,
                    _ => {
                        i += 1;
                        continue;
                    }
                };
                let body = &tokens[open + 1..end];
                if !inner {
                    attrs.push(body);
                } else if test_only(body) {
                    // `#![cfg(test)]`: the rest of the file, or of the inline module.
                    match inline.pop() {
                        Some((_, end)) => {
                            i = end + 1;
                            attrs.clear();
                            continue;
                        }
                        None => {
                            scan.test_only = true;
                            return scan;
                        }
                    }
                }
                i = end + 1;
            }
            Kind::Ident(word) if word == "mod" => {
                let test = attrs.iter().any(|attr| test_only(attr));
                let path = attrs.iter().find_map(|attr| path_attr(attr));
                attrs.clear();
                let (Some(Kind::Ident(name)), Some(next)) = (
                    tokens.get(i + 1).map(|t| &t.kind),
                    tokens.get(i + 2).map(|t| &t.kind),
                ) else {
                    i += 1;
                    continue;
                };
                match next {
                    Kind::Punct(';') => {
                        if !test {
                            scan.mods.push(ModDecl {
                                modules: inline.iter().map(|(name, _)| name.clone()).collect(),
                                name: name.clone(),
                                path,
                            });
                        }
                        i += 3;
                    }
                    Kind::Punct('{') => match close[i + 2] {
                        Some(end) if test => i = end + 1,
                        Some(end) => {
                            inline.push((name.clone(), end));
                            i += 3;
                        }
                        None => i += 3,
                    },
                    _ => i += 2,
                }
            }
            Kind::Ident(word) if matches!(word.as_str(), "struct" | "enum" | "union") => {
                if let Some(Kind::Ident(name)) = tokens.get(i + 1).map(|t| &t.kind)
                    && attrs.iter().any(|attr| derives_compat(attr))
                    && !attrs.iter().any(|attr| test_only(attr))
                {
                    scan.derives.push(Derive {
                        modules: inline.iter().map(|(name, _)| name.clone()).collect(),
                        name: name.clone(),
                        line: tokens[i].line,
                    });
                }
                attrs.clear();
                i += 1;
            }
            // A body, a parameter list or a macro invocation: nothing in it is a module
            // level item that `messages![...]` can name.
            Kind::Punct('{' | '(' | '[') => {
                let skipped_block = tokens[i].kind == Kind::Punct('{');
                i = close[i].map_or(tokens.len(), |end| end + 1);
                if skipped_block {
                    attrs.clear();
                }
            }
            Kind::Punct('}') => {
                if inline.last().is_some_and(|(_, end)| *end == i) {
                    inline.pop();
                }
                attrs.clear();
                i += 1;
            }
            Kind::Punct(';') => {
                attrs.clear();
                i += 1;
            }
            _ => i += 1,
        }
    }
    scan
}

/// A token of Rust source, as far as the scan needs one.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// An identifier or keyword (`r#` stripped).
    Ident(String),
    Punct(char),
    /// A string literal's contents (escapes of `\\` and `\"` undone).
    Str(String),
    /// A number, character or byte literal.
    Literal,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    line: usize,
}

/// The tokens of `text`, without comments and whitespace; lifetimes lex as `'` and a name.
fn lex(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let at = |index: usize| chars.get(index).copied().unwrap_or('\0');
    let ident_start = |c: char| c.is_alphabetic() || c == '_';
    let ident_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        let mut push = |kind: Kind| {
            tokens.push(Token {
                kind,
                line: start_line,
            })
        };
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if let Some((hashes, quote)) = raw_string_start(&chars, i) {
            // r"..", r#".."#, br"..", cr#".."#: no escapes; ends at `"` and the hashes.
            let mut j = quote + 1;
            let mut value = String::new();
            while j < chars.len() && !(chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#')) {
                if chars[j] == '\n' {
                    line += 1;
                }
                value.push(chars[j]);
                j += 1;
            }
            push(Kind::Str(value));
            i = j + 1 + hashes;
        } else if c == '"' || ((c == 'b' || c == 'c') && at(i + 1) == '"') {
            let mut j = if c == '"' { i + 1 } else { i + 2 };
            let mut value = String::new();
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' && j + 1 < chars.len() {
                    j += 1;
                }
                if chars[j] == '\n' {
                    line += 1;
                }
                value.push(chars[j]);
                j += 1;
            }
            push(Kind::Str(value));
            i = j + 1;
        } else if c == '\'' || (c == 'b' && at(i + 1) == '\'') {
            let quote = if c == '\'' { i } else { i + 1 };
            if at(quote + 1) == '\\' {
                // '\n', '\'', '\u{1F600}'
                let mut j = quote + 3;
                while j < chars.len() && chars[j] != '\'' && chars[j] != '\n' {
                    j += 1;
                }
                push(Kind::Literal);
                i = j + 1;
            } else if at(quote + 2) == '\'' {
                push(Kind::Literal);
                i = quote + 3;
            } else {
                // A lifetime or label: `'` here, its name next.
                push(Kind::Punct('\''));
                i = quote + 1;
            }
        } else if c == 'r' && at(i + 1) == '#' && ident_start(at(i + 2)) {
            let mut j = i + 2;
            while ident_char(at(j)) {
                j += 1;
            }
            push(Kind::Ident(chars[i + 2..j].iter().collect()));
            i = j;
        } else if ident_start(c) {
            let mut j = i;
            while ident_char(at(j)) {
                j += 1;
            }
            push(Kind::Ident(chars[i..j].iter().collect()));
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while ident_char(at(j)) || (at(j) == '.' && at(j + 1).is_ascii_digit()) {
                j += 1;
            }
            push(Kind::Literal);
            i = j;
        } else {
            push(Kind::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// At `r"`, `r#"`, `br"`, `cr##"`...: the number of `#` and the index of the `"`.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let r = match chars.get(i)? {
        'r' => i,
        'b' | 'c' if chars.get(i + 1) == Some(&'r') => i + 1,
        _ => return None,
    };
    let hashes = chars[r + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(r + 1 + hashes) == Some(&'"')).then_some((hashes, r + 1 + hashes))
}

/// For each opening `(`, `[` or `{`, the index of the token that closes it.
fn matching(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut close = vec![None; tokens.len()];
    let mut open: Vec<usize> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Punct('(' | '[' | '{') => open.push(index),
            Kind::Punct(')' | ']' | '}') => {
                if let Some(start) = open.pop() {
                    close[start] = Some(index);
                }
            }
            _ => {}
        }
    }
    close
}

/// `cfg(test)`, or `cfg(all(..., test, ...))`: the item exists only in test builds.
fn test_only(attr: &[Token]) -> bool {
    let kinds: Vec<&Kind> = attr.iter().map(|token| &token.kind).collect();
    let test = Kind::Ident("test".to_owned());
    match kinds.as_slice() {
        [
            Kind::Ident(cfg),
            Kind::Punct('('),
            predicate @ ..,
            Kind::Punct(')'),
        ] if cfg == "cfg" => match predicate {
            [only] => **only == test,
            [
                Kind::Ident(all),
                Kind::Punct('('),
                items @ ..,
                Kind::Punct(')'),
            ] if all == "all" => items
                .split(|kind| **kind == Kind::Punct(','))
                .any(|item| item.len() == 1 && *item[0] == test),
            _ => false,
        },
        _ => false,
    }
}

/// `path = "..."`.
fn path_attr(attr: &[Token]) -> Option<String> {
    match attr
        .iter()
        .map(|token| &token.kind)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [Kind::Ident(path), Kind::Punct('='), Kind::Str(value)] if path == "path" => {
            Some(value.clone())
        }
        _ => None,
    }
}

/// Whether the attribute holds a `derive(...)` (also inside `cfg_attr`) listing `Compat`,
/// by its last path segment: `Compat`, `compat_runtime::Compat`.
fn derives_compat(attr: &[Token]) -> bool {
    attr.windows(2).enumerate().any(|(index, pair)| {
        pair[0].kind == Kind::Ident("derive".to_owned()) && pair[1].kind == Kind::Punct('(') && {
            let mut depth = 0;
            let mut last: Option<&str> = None;
            let mut found = false;
            for token in &attr[index + 2..] {
                match &token.kind {
                    Kind::Punct('(' | '[' | '{' | '<') => depth += 1,
                    Kind::Punct(')' | ']' | '}' | '>') if depth == 0 => break,
                    Kind::Punct(')' | ']' | '}' | '>') => depth -= 1,
                    Kind::Punct(',') if depth == 0 => {
                        found |= last == Some("Compat");
                        last = None;
                    }
                    Kind::Ident(name) if depth == 0 => last = Some(name),
                    _ => {}
                }
            }
            found || last == Some("Compat")
        }
    })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            ';' => out.push_str("%3B"),
            '|' => out.push_str("%7C"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c => out.push(c),
        }
    }
    out
}

/// The environment the derive reads, for a crate at `version` whose policy file is shown as
/// `shown`: every ordered pair of components a rule relates, with the oldest sender a
/// receiver at `version` must accept and whether senders may be newer.
///
/// ```
/// use compat_runtime::{Policy, Version};
/// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
///     [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
/// let env = compat_runtime::build::windows_env(&policy, &Version::new(0, 9, 3), "compat.toml");
/// let windows = &env.iter().find(|(k, _)| k == "COMPAT_WINDOWS").unwrap().1;
/// // A server at 0.9.3 must still read agents from 0.8.0, and no agent is newer than it.
/// assert!(windows.contains("agent>server|0.8.0|0|compat.toml:4:1|agent may be up to one minor"));
/// // An agent at 0.9.3 hears only from servers at 0.9.3 or newer.
/// assert!(windows.starts_with("server>agent|0.9.3|1|compat.toml:4:1|"), "{windows}");
/// ```
pub fn windows_env(policy: &Policy, version: &Version, shown: &str) -> Vec<(String, String)> {
    let entries: Vec<String> = policy
        .windows(version)
        .into_iter()
        .map(|w| {
            let origin = Origin {
                file: shown.into(),
                ..w.origin.clone()
            };
            format!(
                "{}>{}|{}|{}|{}|{}",
                policy.component_name(w.sender),
                policy.component_name(w.receiver),
                w.oldest_sender
                    .map_or_else(|| "*".to_string(), |v| v.to_string()),
                u8::from(w.newer_senders),
                escape(&origin.to_string()),
                escape(&w.text),
            )
        })
        .collect();
    let components: Vec<&str> = policy
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    vec![
        (env::VERSION.into(), version.to_string()),
        (env::POLICY.into(), shown.into()),
        (env::COMPONENTS.into(), components.join(",")),
        (env::WINDOWS.into(), entries.join(";")),
    ]
}

/// Writes the Rust code that rebuilds `policy` at run time, for `include_policy!`.
pub fn write_policy(path: &Path, policy: &Policy, version: &Version) -> Result<(), BuildError> {
    let code = policy_code(policy, version);
    // Leave the file alone when unchanged, so nothing downstream rebuilds for nothing.
    if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
        return Ok(());
    }
    std::fs::write(path, code).map_err(|e| BuildError {
        lines: vec![format!("cannot write {}: {e}", path.display())],
    })
}

/// [`write_policy`], followed by `RELEASES`: the fingerprint of every release recorded in
/// the crate's wire lock (`dir/compat.lock`), for the handshake.
pub fn write_policy_and_releases(
    path: &Path,
    policy: &Policy,
    version: &Version,
    dir: &Path,
) -> Result<(), BuildError> {
    println!("cargo::rerun-if-changed={}", crate::lock::FILE);
    let releases = crate::lock::fingerprints(dir).map_err(|e| BuildError {
        lines: e
            .problems
            .iter()
            .map(|p| format!("{}: {p}", e.path.display()))
            .collect(),
    })?;
    let mut code = policy_code(policy, version);
    code.push_str(&releases_code(&releases));
    if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
        return Ok(());
    }
    std::fs::write(path, code).map_err(|e| BuildError {
        lines: vec![format!("cannot write {}: {e}", path.display())],
    })
}

/// The Rust source of `RELEASES`, the recorded releases' fingerprints.
pub fn releases_code(releases: &[(String, u64)]) -> String {
    let mut out = String::from(
        "/// The releases recorded in the crate's wire lock (`compat.lock`) with the fingerprints of their\n\
         /// message tables: the handshake refuses a peer that claims one of them with other tables.\n\
         pub const RELEASES: &[::compat_runtime::handshake::Release] = &[\n",
    );
    for (version, fingerprint) in releases {
        let _ = writeln!(
            out,
            "::compat_runtime::handshake::Release {{ version: {version:?}, fingerprint: 0x{fingerprint:016x} }},"
        );
    }
    out.push_str("];\n");
    out
}

struct Gen {
    out: String,
}

impl Gen {
    fn origin(&mut self, o: &Origin) {
        let _ = write!(
            self.out,
            "__c::origin({:?}, {}, {})",
            &*o.file, o.line, o.column
        );
    }
    fn version(&mut self, v: &Version) {
        let _ = write!(self.out, "__c::version({:?})", v.to_string());
    }
    fn skew(&mut self, s: Skew) {
        let _ = write!(self.out, "__c::skew({:?})", s.to_string());
    }
    fn opt_version(&mut self, v: &Option<Located<Version>>) {
        match v {
            None => self.out.push_str("::core::option::Option::None"),
            Some(l) => {
                self.out
                    .push_str("::core::option::Option::Some(__c::Located::new(");
                self.version(&l.value);
                self.out.push_str(", ");
                self.origin(&l.origin);
                self.out.push_str("))");
            }
        }
    }
    fn opt_skew(&mut self, s: &Option<Located<Skew>>) {
        match s {
            None => self.out.push_str("::core::option::Option::None"),
            Some(l) => {
                self.out
                    .push_str("::core::option::Option::Some(__c::Located::new(");
                self.skew(l.value);
                self.out.push_str(", ");
                self.origin(&l.origin);
                self.out.push_str("))");
            }
        }
    }
    fn names(&mut self, list: &[Located<String>]) {
        self.out.push_str("::std::vec![");
        for n in list {
            let _ = write!(
                self.out,
                "__c::Located::new(::std::string::String::from({:?}), ",
                n.value
            );
            self.origin(&n.origin);
            self.out.push_str("), ");
        }
        self.out.push(']');
    }
    fn opt_string(&mut self, s: &Option<String>) {
        match s {
            None => self.out.push_str("::core::option::Option::None"),
            Some(s) => {
                let _ = write!(
                    self.out,
                    "::core::option::Option::Some(::std::string::String::from({s:?}))"
                );
            }
        }
    }
    fn side(&mut self, s: &Located<Side>) {
        self.out.push_str("__c::Located::new(");
        match &s.value {
            Side::Any => self.out.push_str("__c::Side::Any"),
            Side::Named(n) => {
                let _ = write!(
                    self.out,
                    "__c::Side::Named(::std::string::String::from({n:?}))"
                );
            }
        }
        self.out.push_str(", ");
        self.origin(&s.origin);
        self.out.push(')');
    }
    fn rule(&mut self, r: &Rule) {
        self.out.push_str("__c::Rule { component: ");
        self.side(&r.component);
        self.out.push_str(", peer: ");
        self.side(&r.peer);
        self.out.push_str(", form: __c::Located::new(");
        match r.form.value {
            Form::Exact => self.out.push_str("__c::Form::Exact"),
            Form::Managed => self.out.push_str("__c::Form::Managed"),
            Form::Skew { newer, older } => {
                self.out.push_str("__c::Form::Skew { newer: ");
                self.skew(newer);
                self.out.push_str(", older: ");
                self.skew(older);
                self.out.push_str(" }");
            }
        }
        self.out.push_str(", ");
        self.origin(&r.form.origin);
        self.out.push_str("), from: ");
        self.opt_version(&r.from);
        self.out.push_str(", until: ");
        self.opt_version(&r.until);
        self.out.push_str(", note: ");
        self.opt_string(&r.note);
        self.out.push_str(", origin: ");
        self.origin(&r.origin);
        self.out.push_str(" },\n");
    }
    fn upgrade(&mut self, u: &Upgrade) {
        self.out.push_str("__c::Upgrade { order: ");
        self.names(&u.order);
        self.out.push_str(", downgrade: ");
        match &u.downgrade {
            None => self.out.push_str("::core::option::Option::None"),
            Some(d) => {
                self.out.push_str("::core::option::Option::Some(");
                self.names(d);
                self.out.push(')');
            }
        }
        self.out.push_str(", max_jump: ");
        self.opt_skew(&u.max_jump);
        self.out.push_str(", rolling: ");
        match &u.rolling {
            Rolling::All => self.out.push_str("__c::Rolling::All"),
            Rolling::None => self.out.push_str("__c::Rolling::None"),
            Rolling::Only(list) => {
                self.out.push_str("__c::Rolling::Only(");
                self.names(list);
                self.out.push(')');
            }
        }
        self.out.push_str(", from: ");
        self.opt_version(&u.from);
        self.out.push_str(", until: ");
        self.opt_version(&u.until);
        self.out.push_str(", origin: ");
        self.origin(&u.origin);
        self.out.push_str(" },\n");
    }
}

/// The Rust source of a function returning `policy`, as `include_policy!` expects it.
pub fn policy_code(policy: &Policy, version: &Version) -> String {
    let parts: &PolicyParts = policy.parts();
    let mut g = Gen { out: String::new() };
    g.out.push_str(
        "// Generated by compat_runtime::build::enforce() from the crate's policy. Do not edit.\n",
    );
    let _ = writeln!(
        g.out,
        "/// The version of this crate, which the build checked the policy against.\npub const VERSION: &str = {:?};",
        version.to_string()
    );
    g.out.push_str(
        "/// The compatibility policy this crate was built and checked against.\n\
         pub fn policy() -> &'static ::compat_runtime::Policy {\n\
         use ::compat_runtime::__private as __c;\n\
         static POLICY: ::std::sync::OnceLock<::compat_runtime::Policy> = ::std::sync::OnceLock::new();\n\
         POLICY.get_or_init(|| __c::policy(__c::PolicyParts {\n",
    );
    let _ = writeln!(
        g.out,
        "source: ::std::string::String::from({:?}),",
        parts.source
    );
    g.out.push_str("scheme: __c::Scheme { major_zero: ");
    g.out.push_str(match parts.scheme.major_zero {
        MajorZero::Semver => "__c::MajorZero::Semver",
        MajorZero::MinorIsMajor => "__c::MajorZero::MinorIsMajor",
    });
    g.out.push_str(", prerelease_order: ::std::vec![");
    for t in &parts.scheme.prerelease_order {
        let _ = write!(g.out, "::std::string::String::from({t:?}), ");
    }
    g.out.push_str("], with_releases: ");
    match &parts.scheme.with_releases {
        WithReleases::All => g.out.push_str("__c::WithReleases::All"),
        WithReleases::None => g.out.push_str("__c::WithReleases::None"),
        WithReleases::Tags(tags) => {
            g.out.push_str("__c::WithReleases::Tags(::std::vec![");
            for t in tags {
                let _ = write!(g.out, "::std::string::String::from({t:?}), ");
            }
            g.out.push_str("])");
        }
    }
    g.out.push_str(" },\nscheme_origin: ");
    match &parts.scheme_origin {
        None => g.out.push_str("::core::option::Option::None"),
        Some(o) => {
            g.out.push_str("::core::option::Option::Some(");
            g.origin(o);
            g.out.push(')');
        }
    }
    g.out.push_str(",\nunstable: ");
    match &parts.unstable {
        None => g.out.push_str("::core::option::Option::None"),
        Some(u) => {
            let _ = write!(
                g.out,
                "::core::option::Option::Some(__c::Located::new(__c::version_req({:?}), ",
                u.value.to_string()
            );
            g.origin(&u.origin);
            g.out.push_str("))");
        }
    }
    g.out.push_str(",\ncomponents: ::std::vec![\n");
    for c in &parts.components {
        let _ = write!(
            g.out,
            "__c::Component {{ name: ::std::string::String::from({:?}), description: ",
            c.name
        );
        g.opt_string(&c.description);
        g.out.push_str(", origin: ");
        g.origin(&c.origin);
        g.out.push_str(" },\n");
    }
    g.out.push_str("],\nrules: ::std::vec![\n");
    for r in &parts.rules {
        g.rule(r);
    }
    g.out.push_str("],\nupgrades: ::std::vec![\n");
    for u in &parts.upgrades {
        g.upgrade(u);
    }
    g.out.push_str("],\nsupport: __c::Support { window: ");
    g.opt_skew(&parts.support.window);
    g.out.push_str(", minimum: ");
    g.opt_version(&parts.support.minimum);
    g.out.push_str(" },\n}))\n}\n");
    g.out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(path, line)` of each derive `derives_in` finds.
    fn derives(text: &str) -> Vec<(String, usize)> {
        derives_in(text)
            .derives
            .into_iter()
            .map(|found| {
                let mut path = found.modules;
                path.push(found.name);
                (path.join("::"), found.line)
            })
            .collect()
    }

    #[test]
    fn the_scan_finds_every_type_deriving_compat() {
        let text = "use x;\n#[derive(Debug, compat_runtime::Compat)]\n#[since(\"1.0.0\")]\npub struct Hello {\n}\n\
                    #[derive(Serialize)]\nstruct Plain;\n#[derive(Compat, Clone)]\npub(crate) enum Cmd { A }\n\
                    #[cfg_attr(feature = \"wire\", derive(Compat))]\nunion Raw { a: u8 }\n\
                    #[derive(Compat)]\npub struct Tuple<'a, T>(&'a T) where T: Clone;\n";
        assert_eq!(
            derives(text),
            [
                ("Hello".to_string(), 4),
                ("Cmd".to_string(), 9),
                ("Raw".to_string(), 11),
                ("Tuple".to_string(), 13),
            ]
        );
    }

    #[test]
    fn the_scan_skips_comments_and_string_literals() {
        let text = r####"//! ```
//! #[derive(Compat)]
//! struct CrateDoc;
//! ```
/// ```
/// #[derive(Compat)]
/// struct ItemDoc;
/// ```
// #[derive(Compat)] struct LineComment;
/* #[derive(Compat)] struct Block; /* nested */ #[derive(Compat)] struct StillBlock; */
/** #[derive(Compat)] struct BlockDoc; */
const A: &str = "#[derive(Compat)] struct InString; \" #[derive(Compat)] struct Escaped;";
const B: &str = r#"#[derive(Compat)] struct Raw; " still raw"#;
const C: &[u8] = br##"#[derive(Compat)] struct RawBytes;"##;
const D: &[u8] = b"#[derive(Compat)] struct Bytes;";
const Q: char = '"';
const E: char = '\'';
const F: u8 = b'"';
#[derive(Compat)]
pub struct Real<'a> { name: &'a str }
"####;
        assert_eq!(derives(text), [("Real".to_string(), 20)]);
    }

    #[test]
    fn the_scan_skips_test_only_code() {
        let text = "#[cfg(test)]\nmod tests {\n    #[derive(Compat)]\n    struct InTests;\n    mod deeper { \
                    #[derive(Compat)] struct Deeper; }\n}\n\
                    #[cfg(all(test, feature = \"x\"))]\nmod both { #[derive(Compat)] struct Both; }\n\
                    #[cfg(test)]\n#[derive(Compat)]\nstruct TestItem;\n\
                    mod inner_attr { #![cfg(test)] #[derive(Compat)] struct Inner; }\n\
                    #[cfg(not(test))]\nmod live { #[derive(Compat)] pub struct Live; }\n\
                    #[cfg(any(test, feature = \"y\"))]\nmod maybe { #[derive(Compat)] pub struct Maybe; }\n\
                    #[derive(Compat)]\npub struct After;\n";
        assert_eq!(
            derives(text),
            [
                ("live::Live".to_string(), 14),
                ("maybe::Maybe".to_string(), 16),
                ("After".to_string(), 18),
            ]
        );
        assert!(derives_in("#![cfg(test)]\n#[derive(Compat)] struct A;").test_only);
        assert!(!derives_in("#![allow(dead_code)]\n#[derive(Compat)] struct A;").test_only);
    }

    #[test]
    fn the_scan_skips_bodies_and_macro_invocations() {
        let text = "fn f() {\n    #[derive(Compat)]\n    struct Local;\n}\n\
                    impl X { fn g() { #[derive(Compat)] struct InImpl; } }\n\
                    generate! { #[derive(Compat)] struct Generated; }\n\
                    generate!(#[derive(Compat)] struct InParens;);\n\
                    const _: () = { #[derive(Compat)] struct InConst; };\n\
                    #[derive(Compat)]\nenum Top { A { x: u8 } }\n";
        assert_eq!(derives(text), [("Top".to_string(), 10)]);
    }

    #[test]
    fn the_scan_names_types_by_their_inline_modules() {
        let text = "pub mod v1 {\n    #[derive(Compat)]\n    pub struct Hello;\n}\n\
                    pub mod v2 {\n    pub mod r#wire {\n        #[derive(Compat)]\n        pub struct Hello;\n    }\n}\n";
        assert_eq!(
            derives(text),
            [
                ("v1::Hello".to_string(), 3),
                ("v2::wire::Hello".to_string(), 8)
            ]
        );
    }

    #[test]
    fn the_scan_lists_module_declarations_to_follow() {
        let scan = derives_in(
            "mod a;\npub(crate) mod b;\n#[path = \"gen/c.rs\"]\nmod c;\n#[cfg(test)]\nmod tests;\n\
             mod d { mod e; }\n// mod commented;\nfn f() { mod local; }\n",
        );
        let mods: Vec<(Vec<String>, String, Option<String>)> = scan
            .mods
            .into_iter()
            .map(|decl| (decl.modules, decl.name, decl.path))
            .collect();
        assert_eq!(
            mods,
            [
                (vec![], "a".to_string(), None),
                (vec![], "b".to_string(), None),
                (vec![], "c".to_string(), Some("gen/c.rs".to_string())),
                (vec!["d".to_string()], "e".to_string(), None),
            ]
        );
    }

    #[test]
    fn the_scan_reads_only_the_library_target() {
        let dir = std::env::temp_dir().join(format!("compat-build-scan-{}", std::process::id()));
        let src = dir.join("src");
        let files = [
            (
                "lib.rs",
                "//! #[derive(Compat)] struct Doc;\nmod v1;\npub mod v2;\n#[path = \"generated/v3.rs\"]\nmod v3;\n\
                 mod nested;\nmod d { mod e; }\n#[cfg(test)]\nmod tests;\nmod only_tests;\n\
                 #[derive(Compat)]\npub struct Root;\n",
            ),
            ("v1.rs", "#[derive(Compat)]\npub struct Hello;\n"),
            (
                "v2/mod.rs",
                "mod inner;\n#[derive(Compat)]\npub struct Hello;\n",
            ),
            ("v2/inner.rs", "#[derive(Compat)]\npub struct Deep;\n"),
            (
                "generated/v3.rs",
                "mod sub;\n#[derive(Compat)]\npub struct Hello;\n",
            ),
            ("generated/sub.rs", "#[derive(Compat)]\npub struct Sub;\n"),
            ("nested.rs", "mod child;\n"),
            (
                "nested/child.rs",
                "\n\n#[derive(Compat)]\npub struct Child;\n",
            ),
            ("d/e.rs", "#[derive(Compat)]\npub struct E;\n"),
            ("tests.rs", "#[derive(Compat)]\npub struct InTests;\n"),
            (
                "only_tests.rs",
                "#![cfg(test)]\n#[derive(Compat)]\npub struct OnlyTests;\n",
            ),
            ("main.rs", "#[derive(Compat)]\npub struct InMain;\n"),
            ("bin/tool.rs", "#[derive(Compat)]\npub struct InBin;\n"),
            ("orphan.rs", "#[derive(Compat)]\npub struct Orphan;\n"),
        ];
        for (path, text) in files {
            let path = src.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let found = scan_messages(&src);
        std::fs::remove_dir_all(&dir).unwrap();
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|(name, place)| (name.as_str(), place.as_str()))
            .collect();
        let sep = std::path::MAIN_SEPARATOR;
        let place = |file: &str, line: usize| {
            format!("src{sep}{}:{line}", file.replace('/', &sep.to_string()))
        };
        assert_eq!(
            found,
            [
                ("Root", place("lib.rs", 12).as_str()),
                ("v1::Hello", place("v1.rs", 2).as_str()),
                ("v2::Hello", place("v2/mod.rs", 3).as_str()),
                ("v2::inner::Deep", place("v2/inner.rs", 2).as_str()),
                ("v3::Hello", place("generated/v3.rs", 3).as_str()),
                ("v3::sub::Sub", place("generated/sub.rs", 2).as_str()),
                ("nested::child::Child", place("nested/child.rs", 4).as_str()),
                ("d::e::E", place("d/e.rs", 2).as_str()),
            ]
        );
        assert!(scan_messages(&dir.join("missing")).is_empty());
    }

    #[test]
    fn escaping_keeps_separators_out_of_fields() {
        assert_eq!(escape("a;b|c%d\ne"), "a%3Bb%7Cc%25d%0Ae");
    }
}
