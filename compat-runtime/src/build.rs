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

use crate::policy::{
    Component, Deny, Form, Located, Origin, Policy, PolicyParts, Rolling, Rule, Side, Support,
    Upgrade,
};
use crate::skew::Skew;
use crate::version::{MajorZero, Scheme, Version, WireChanges, WithReleases, parse_version};

#[path = "build_protocol.rs"]
mod protocol;

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
    /// Which releases may change the wire (`[versioning] wire-changes`): `minor`, `major`,
    /// or `major,minor-is-major` under the pre-1.0 reading; `any` when the policy does not
    /// say, or under `[protocol]` (whose versions wire lines do not describe).
    pub const WIRE_CHANGES: &str = "COMPAT_WIRE_CHANGES";
    /// How the crate's messages travel (`[wire] codec`): `CODEC|ORIGIN`, e.g.
    /// `bincode|compat.toml:31:9` (the origin percent-escaped like the windows'), or
    /// `self-describing` when the policy does not say. A type's `#[compat(codec = "...")]`
    /// overrides it.
    pub const CODEC: &str = "COMPAT_CODEC";
    /// The build's `CARGO_FEATURE_*` and `CARGO_CFG_*` variables, for `messages![...]`,
    /// which finds every type of the library target that derives `Compat` (see
    /// [`cfg_env`](super::cfg_env)).
    pub const CFG: &str = "COMPAT_CFG";
    /// The protocol's name, under `[protocol]` (percent-escaped like the windows'): then
    /// [`VERSION`] is the protocol version this crate speaks, and each window's `OLDEST` the
    /// protocol version its oldest release carries.
    pub const PROTOCOL: &str = "COMPAT_PROTOCOL";
    /// The named features (`[[feature]]`): `;`-separated `NAME|SINCE|UNTIL|ORIGIN` entries,
    /// `*` for a missing `since` (a capability only advertised) or `until`, the origin
    /// percent-escaped: `readlink|1.6.0|*|compat.toml:40:1`.
    pub const FEATURES: &str = "COMPAT_FEATURES";
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
                 write the policy (see the compat.toml reference: compat_runtime::docs::policy in the crate docs, docs/policy.md in the compat repository), or remove compat_runtime::build::enforce() from build.rs",
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
    protocol::check(&found.policy, &version)?;
    // Policy warnings are for `cargo compat lint`; repeating them on every build of every
    // protocol crate would bury the errors that matter.
    for (key, value) in windows_env(&found.policy, &version, &shown) {
        println!("cargo::rustc-env={key}={value}");
    }
    // `messages![...]` reads the crate's source itself (the crate is recompiled, and the
    // macro expanded again, whenever a module changes); it needs the configuration to
    // evaluate `#[cfg(...)]` as the compiler does.
    println!(
        "cargo::rustc-env={}={}",
        env::CFG,
        cfg_env(std::env::vars())
    );
    write_policy_and_releases(
        &out_dir.join("compat_policy.rs"),
        &found.policy,
        &version,
        &dir,
    )
}

/// The build's configuration as `messages![...]` reads it to evaluate `#[cfg(...)]`: every
/// `CARGO_FEATURE_*` and `CARGO_CFG_*` variable Cargo hands the build script, as
/// `NAME=VALUE` entries separated by `;`, percent-escaped like the windows, in name order.
///
/// ```
/// let cfg = compat_runtime::build::cfg_env([
///     ("CARGO_CFG_TARGET_OS".to_string(), "linux".to_string()),
///     ("PATH".to_string(), "/bin".to_string()),
///     ("CARGO_FEATURE_WIRE_V2".to_string(), "1".to_string()),
/// ]);
/// assert_eq!(cfg, "CARGO_CFG_TARGET_OS=linux;CARGO_FEATURE_WIRE_V2=1");
/// ```
pub fn cfg_env(vars: impl IntoIterator<Item = (String, String)>) -> String {
    let mut entries: Vec<String> = vars
        .into_iter()
        .filter(|(name, _)| name.starts_with("CARGO_FEATURE_") || name.starts_with("CARGO_CFG_"))
        .map(|(name, value)| format!("{}={}", escape(&name), escape(&value)))
        .collect();
    entries.sort();
    entries.join(";")
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
                protocol::oldest_text(policy, w.oldest_sender.as_ref()),
                u8::from(newer_wire(policy, &w)),
                escape(&origin.to_string()),
                escape(&protocol::window_text(policy, &w)),
            )
        })
        .collect();
    let components: Vec<&str> = policy
        .components()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut vars = vec![
        (
            env::VERSION.into(),
            protocol::spoken(policy, version).to_string(),
        ),
        (env::POLICY.into(), shown.into()),
        (env::COMPONENTS.into(), components.join(",")),
        (env::WINDOWS.into(), entries.join(";")),
    ];
    let scheme = policy.scheme();
    // Wire lines are lines of releases: under `[protocol]`, `#[since]` speaks protocol
    // versions, which they do not describe. Always set (`any` otherwise), so that a crate
    // without the key never reads a value left in the environment for another (a test that
    // sets it for its ui cases builds dependencies too).
    let wire_changes = if policy.protocol().is_none() {
        scheme.wire_changes
    } else {
        WireChanges::Any
    };
    let zero = wire_changes == WireChanges::Major && scheme.major_zero == MajorZero::MinorIsMajor;
    let value = format!(
        "{}{}",
        wire_changes.as_str(),
        if zero { ",minor-is-major" } else { "" }
    );
    vars.push((env::WIRE_CHANGES.into(), value));
    // Always set, so that a crate without `[wire]` never reads a value left in the
    // environment for another (a test that sets it for its ui cases builds dependencies too).
    let codec = match policy.codec() {
        Some(codec) => {
            let origin = Origin {
                file: shown.into(),
                ..codec.origin.clone()
            };
            format!("{}|{}", codec.value, escape(&origin.to_string()))
        }
        None => crate::codec::Codec::SelfDescribing.to_string(),
    };
    vars.push((env::CODEC.into(), codec));
    vars.extend(protocol::vars(policy, shown));
    vars
}

/// Whether a sender may be newer than its receiver (at the window's version) on the wire,
/// not only in its release: with `wire-changes`, a sender newer only by releases of the
/// receiver's own wire line (a patch, under `"minor"`) reads and writes the same messages,
/// so the receiver needs no catch-all and no tolerance for fields it does not know. The
/// first release of the next line decides, by the peer check itself.
fn newer_wire(policy: &Policy, w: &crate::Window) -> bool {
    let scheme = policy.scheme();
    if !w.newer_senders || scheme.wire_changes == WireChanges::Any {
        return w.newer_senders;
    }
    let sender = crate::Peer {
        component: w.sender,
        version: scheme.next_wire_line(&w.version),
    };
    let receiver = crate::Peer {
        component: w.receiver,
        version: w.version.clone(),
    };
    policy.check(&sender, &receiver).is_ok()
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
    let lock = dir.join("compat.lock");
    if lock.exists() {
        println!("cargo::rerun-if-changed=compat.lock");
    } else {
        // Cargo reruns a build script that watches a missing file on every build. Without a
        // lock, watch the variable that records one instead: the build after recording runs
        // without it, so it reruns once and reads the new lock.
        // (`lock::RECORD`, which this feature cannot name.)
        println!("cargo::rerun-if-env-changed=COMPAT_RECORD");
    }
    let releases = recorded_fingerprints(&lock)?;
    let mut code = policy_code(policy, version);
    code.push_str(&releases_code(&releases));
    if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
        return Ok(());
    }
    std::fs::write(path, code).map_err(|e| BuildError {
        lines: vec![format!("cannot write {}: {e}", path.display())],
    })
}

/// The fingerprint of each release recorded in the wire lock at `path`, in file order (none
/// without a lock). Only `version` and `fingerprint` are read, so build scripts need no wire
/// lock code; a release recorded before locks kept fingerprints is left out, and its peers
/// are checked by version alone.
pub fn recorded_fingerprints(path: &Path) -> Result<Vec<(String, u64)>, BuildError> {
    crate::de_table::table! {
        struct Lock {
            release: Vec<Recorded> = "release" default,
        }
    }
    crate::de_table::table! {
        struct Recorded {
            version: String = "version" required,
            fingerprint: Option<String> = "fingerprint" optional,
        }
    }
    let failed = |problem: String| BuildError {
        lines: vec![format!("{}: {problem}", path.display())],
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(failed(format!("cannot read it: {e}"))),
    };
    let lock: Lock = toml::from_str(&text).map_err(|e| {
        failed(format!(
            "cannot read it: {}; it is generated: restore it from version control, or record anew with COMPAT_RECORD=1 cargo test compat_wire_lock",
            e.message()
        ))
    })?;
    lock.release
        .into_iter()
        .filter_map(|r| Some((r.version, r.fingerprint?)))
        .map(|(version, hex)| match u64::from_str_radix(&hex, 16) {
            Ok(fingerprint) if hex.len() == 16 => Ok((version, fingerprint)),
            _ => Err(failed(format!(
                "release {version}: fingerprint `{hex}` is not 16 hex digits; it is generated: record the release again with COMPAT_RECORD=1"
            ))),
        })
        .collect()
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

/// Writes the Rust expressions that rebuild a policy's parts, by absolute paths.
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
    fn string(&mut self, s: &str) {
        let _ = write!(self.out, "::std::string::String::from({s:?})");
    }
    /// `None`, or `Some(..)` around what `some` writes for the value.
    fn option<T>(&mut self, value: &Option<T>, some: impl FnOnce(&mut Self, &T)) {
        match value {
            None => self.out.push_str("::core::option::Option::None"),
            Some(v) => {
                self.out.push_str("::core::option::Option::Some(");
                some(self, v);
                self.out.push(')');
            }
        }
    }
    /// `Located::new(.., origin)` around what `value` writes for the value.
    fn located<T>(&mut self, l: &Located<T>, value: impl FnOnce(&mut Self, &T)) {
        self.out.push_str("__c::Located::new(");
        value(self, &l.value);
        self.out.push_str(", ");
        self.origin(&l.origin);
        self.out.push(')');
    }
    fn opt_version(&mut self, v: &Option<Located<Version>>) {
        self.option(v, |g, l| g.located(l, Gen::version));
    }
    fn opt_skew(&mut self, s: &Option<Located<Skew>>) {
        self.option(s, |g, l| g.located(l, |g, s| g.skew(*s)));
    }
    fn names(&mut self, list: &[Located<String>]) {
        self.out.push_str("::std::vec![");
        for n in list {
            self.located(n, |g, n| g.string(n));
            self.out.push_str(", ");
        }
        self.out.push(']');
    }
    fn side(&mut self, s: &Located<Side>) {
        self.located(s, |g, side| match side {
            Side::Any => g.out.push_str("__c::Side::Any"),
            Side::Named(n) => {
                g.out.push_str("__c::Side::Named(");
                g.string(n);
                g.out.push(')');
            }
        });
    }
    fn form(&mut self, form: &Form) {
        match *form {
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
    }
    fn rule(&mut self, r: &Rule) {
        self.out.push_str("__c::Rule { component: ");
        self.side(&r.component);
        self.out.push_str(", peer: ");
        self.side(&r.peer);
        self.out.push_str(", form: ");
        self.located(&r.form, Gen::form);
        self.out.push_str(", from: ");
        self.opt_version(&r.from);
        self.out.push_str(", until: ");
        self.opt_version(&r.until);
        self.out.push_str(", note: ");
        self.option(&r.note, |g, note| g.string(note));
        self.out.push_str(", origin: ");
        self.origin(&r.origin);
        self.out.push_str(" },\n");
    }
    fn upgrade(&mut self, u: &Upgrade) {
        self.out.push_str("__c::Upgrade { order: ");
        self.names(&u.order);
        self.out.push_str(", downgrade: ");
        self.option(&u.downgrade, |g, d| g.names(d));
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
    fn scheme(&mut self, scheme: &Scheme) {
        self.out.push_str("__c::Scheme { major_zero: ");
        self.out.push_str(match scheme.major_zero {
            MajorZero::Semver => "__c::MajorZero::Semver",
            MajorZero::MinorIsMajor => "__c::MajorZero::MinorIsMajor",
        });
        self.out.push_str(", prerelease_order: ::std::vec![");
        for t in &scheme.prerelease_order {
            self.string(t);
            self.out.push_str(", ");
        }
        self.out.push_str("], with_releases: ");
        match &scheme.with_releases {
            WithReleases::All => self.out.push_str("__c::WithReleases::All"),
            WithReleases::None => self.out.push_str("__c::WithReleases::None"),
            WithReleases::Tags(tags) => {
                self.out.push_str("__c::WithReleases::Tags(::std::vec![");
                for t in tags {
                    self.string(t);
                    self.out.push_str(", ");
                }
                self.out.push_str("])");
            }
        }
        self.out.push_str(match scheme.wire_changes {
            WireChanges::Any => ", wire_changes: __c::WireChanges::Any }",
            WireChanges::Minor => ", wire_changes: __c::WireChanges::Minor }",
            WireChanges::Major => ", wire_changes: __c::WireChanges::Major }",
        });
    }
    fn component(&mut self, c: &Component) {
        self.out.push_str("__c::Component { name: ");
        self.string(&c.name);
        self.out.push_str(", description: ");
        self.option(&c.description, |g, d| g.string(d));
        self.out.push_str(", origin: ");
        self.origin(&c.origin);
        self.out.push_str(" },\n");
    }
    fn deny(&mut self, d: &Deny) {
        self.out.push_str("__c::Deny { component: ");
        self.side(&d.component);
        self.out.push_str(", from: ");
        self.located(&d.from, Gen::version);
        self.out.push_str(", through: ");
        self.located(&d.through, Gen::version);
        self.out.push_str(", reason: ");
        self.string(&d.reason);
        self.out.push_str(", origin: ");
        self.origin(&d.origin);
        self.out.push_str(" },\n");
    }
    fn support(&mut self, s: &Support) {
        self.out.push_str("__c::Support { window: ");
        self.opt_skew(&s.window);
        self.out.push_str(", minimum: ");
        self.opt_version(&s.minimum);
        self.out.push_str(" }");
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
    g.out.push_str("scheme: ");
    g.scheme(&parts.scheme);
    g.out.push_str(",\nscheme_origin: ");
    g.option(&parts.scheme_origin, Gen::origin);
    g.out.push_str(",\nunstable: ");
    g.option(&parts.unstable, |g, u| {
        g.located(u, |g, req| {
            let _ = write!(g.out, "__c::version_req({:?})", req.to_string());
        });
    });
    g.out.push_str(",\ncomponents: ::std::vec![\n");
    for c in &parts.components {
        g.component(c);
    }
    g.out.push_str("],\nrules: ::std::vec![\n");
    for r in &parts.rules {
        g.rule(r);
    }
    g.out.push_str("],\nupgrades: ::std::vec![\n");
    for u in &parts.upgrades {
        g.upgrade(u);
    }
    g.out.push_str("],\nsupport: ");
    g.support(&parts.support);
    g.out.push_str(",\ndenies: ::std::vec![\n");
    for d in &parts.denies {
        g.deny(d);
    }
    g.out.push_str("],\ncodec: ");
    g.option(&parts.codec, |g, c| {
        g.located(c, |g, codec| {
            let _ = write!(g.out, "__c::Codec::{codec:?}");
        });
    });
    g.out.push_str(",\n");
    g.protocol_and_features(parts.protocol.as_ref(), &parts.features);
    g.out.push_str("}))\n}\n");
    g.out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// nushell's plugin protocol: engine and plugin compatible under a caret requirement of
    /// the lower version (for 0.x, the same 0.y line).
    const CARET: &str = "[versioning]\nmajor-zero = \"minor-is-major\"\nwire-changes = \"minor\"\n\
        [components]\nengine = {}\nplugin = {}\n\
        [[rule]]\ncomponent = \"plugin\"\npeer = \"engine\"\nskew = \"same major\"\n";

    fn env_of(text: &str, version: Version) -> Vec<(String, String)> {
        let policy = Policy::from_toml("compat.toml", text).unwrap();
        windows_env(&policy, &version, "compat.toml")
    }

    #[test]
    fn a_peer_newer_only_inside_the_wire_line_is_no_newer_on_the_wire() {
        let env = env_of(CARET, Version::new(0, 114, 1));
        let get = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let windows = get(env::WINDOWS).unwrap();
        assert!(windows.contains("engine>plugin|0.114.0|0|"), "{windows}");
        assert!(windows.contains("plugin>engine|0.114.0|0|"), "{windows}");
        assert_eq!(get(env::WIRE_CHANGES).as_deref(), Some("minor"));
        // Without the key, a patch may change the wire: a newer plugin is newer on it.
        let any = env_of(
            &CARET.replace("wire-changes = \"minor\"\n", ""),
            Version::new(0, 114, 1),
        );
        let windows = &any.iter().find(|(k, _)| k == env::WINDOWS).unwrap().1;
        assert!(windows.contains("engine>plugin|0.114.0|1|"), "{windows}");
        // Set all the same, so that a value left in the environment never leaks in.
        let set = any.iter().find(|(k, _)| k == env::WIRE_CHANGES);
        assert_eq!(set.map(|(_, v)| v.as_str()), Some("any"));
        // A rule that lets a peer be a minor ahead reaches the next line.
        let minor = env_of(
            &CARET
                .replace("skew = \"same major\"", "skew = \"1 minor\"")
                .replace("major-zero = \"minor-is-major\"\n", ""),
            Version::new(0, 114, 1),
        );
        let windows = &minor.iter().find(|(k, _)| k == env::WINDOWS).unwrap().1;
        assert!(windows.contains("engine>plugin|0.113.0|1|"), "{windows}");
        let bad = Policy::from_toml(
            "compat.toml",
            &CARET.replace("\"minor\"\n[components]", "\"patch\"\n[components]"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            bad.contains("unknown `wire-changes` value `patch`"),
            "{bad}"
        );
    }

    #[test]
    fn escaping_keeps_separators_out_of_fields() {
        assert_eq!(escape("a;b|c%d\ne"), "a%3Bb%7Cc%25d%0Ae");
    }
}
