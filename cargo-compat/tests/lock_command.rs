//! `cargo compat lock` as a project adopting compat uses it: a protocol crate outside this
//! workspace, in a git repository made by the test, is locked from this workspace's root
//! (`--manifest-path`) and from its own directory; a release from before the lock existed
//! is recorded from the repository's history (`--rev`), and from then on a wire change
//! that breaks it fails the crate's tests. Mistakes get errors that say what went wrong.
//!
//! The scratch repository lives under the system's temp dir with its own target directory
//! (the dependencies compile once for all its builds); a failing test leaves it in place
//! and names it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

mod common;

/// The workspace root, where a user of this repository runs `cargo run -p cargo-compat`.
use common::root as workspace_root;

const POLICY: &str = r#"# Clients may be any minor older than the server, never newer; one major.
[components]
server = {}
client = {}

[[rule]]
component = "client"
peer = "server"
newer = "none"
older = "any minor"
"#;

const BUILD_RS: &str = "fn main() {\n    compat_runtime::build::enforce();\n}\n";

/// The protocol as released at 2.3.0, before the project adopted compat: plain serde.
const PLAIN: &str = r#"//! The chat protocol.

use serde::{Deserialize, Serialize};

/// A post, client to server.
#[derive(Serialize, Deserialize)]
pub struct Post {
    /// What the post says.
    pub body: String,
}
"#;

/// The same protocol, annotated: what the project committed when it adopted compat.
const ANNOTATED: &str = r#"//! The chat protocol.

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

compat_runtime::include_policy!();

/// A post, client to server.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "client", to = "server")]
#[since("2.2.0")]
pub struct Post {
    /// What the post says.
    pub body: String,
}

compat_runtime::messages![Post];

#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
"#;

/// The protocol as prost messages, at 2.3.0: a project on protobuf that adopted compat
/// before this release.
const PROST: &str = r#"//! The chat protocol, as prost messages.

compat_runtime::include_policy!();

/// A post, client to server.
/// @since 2.2.0
#[derive(Clone, PartialEq, ::prost::Message, compat_runtime::ProstCompat)]
#[compat(proto = "chat.Post", routes = ["client > server"])]
pub struct Post {
    /// What the post says.
    #[prost(string, tag = "1")]
    pub body: String,
}

#[cfg(test)]
compat_runtime::proto_wire_lock!(policy(), VERSION, &[<Post as compat_runtime::proto::Proto>::PROTO]);
"#;

/// The dependencies of [`PROST`] (and compat-runtime's feature `prost`, for `ProstCompat`).
const PROST_DEPENDENCIES: (&str, &str) = (
    "prost",
    "prost = { version = \"0.14\", default-features = false, features = [\"std\", \"derive\"] }\n",
);

struct Repo {
    root: PathBuf,
}

impl Repo {
    /// A git repository holding the crate `chat-protocol` (in `protocol/`), with its first
    /// commit: release 2.3.0 as plain serde, tagged `v2.3.0`.
    fn new() -> Repo {
        Repo::with(("macros", ""), PLAIN)
    }

    /// A git repository holding the crate `chat-protocol` (in `protocol/`) with `lib`,
    /// compat-runtime with `feature` (and `lock` for the tests), serde and `dependencies`,
    /// committed as release 2.3.0 and tagged `v2.3.0`.
    fn with((feature, dependencies): (&str, &str), lib: &str) -> Repo {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let root = std::env::temp_dir().join(format!("compat-lock-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(root.join("repo/protocol/src")).unwrap();
        let repo = Repo { root };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        let runtime = workspace_root().join("compat-runtime");
        let runtime = runtime.display();
        repo.write(
            "Cargo.toml",
            &format!(
                r#"[package]
name = "chat-protocol"
version = "2.3.0"
edition = "2024"
publish = false

[dependencies]
compat-runtime = {{ path = "{runtime}", default-features = false, features = ["{feature}"] }}
serde = {{ version = "1", features = ["derive"] }}
{dependencies}
[dev-dependencies]
compat-runtime = {{ path = "{runtime}", default-features = false, features = ["{feature}", "lock"] }}

[build-dependencies]
compat-runtime = {{ path = "{runtime}", default-features = false, features = ["build"] }}

# Not part of the compat workspace.
[workspace]
"#
            ),
        );
        // The workspace's lock file pins the versions the workspace built with, which are
        // in Cargo's cache: the scratch builds then run offline.
        std::fs::copy(
            workspace_root().join("Cargo.lock"),
            repo.dir().join("Cargo.lock"),
        )
        .unwrap();
        repo.write("compat.toml", POLICY);
        repo.write("src/lib.rs", lib);
        repo.commit("chat-protocol 2.3.0");
        repo.git(&["tag", "v2.3.0"]);
        repo
    }

    /// The crate's directory.
    fn dir(&self) -> PathBuf {
        self.root.join("repo/protocol")
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.dir().join(file), text).unwrap();
    }

    fn lock_file(&self) -> String {
        std::fs::read_to_string(self.dir().join("compat.lock")).unwrap_or_default()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@localhost"])
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .current_dir(self.root.join("repo"))
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Commits everything; returns the commit.
    fn commit(&self, message: &str) -> String {
        // Cargo trims the copied lock file to the crate's dependencies and writes the
        // crate's version into it on first use: let it, so builds leave the tree clean.
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = self
            .command(Path::new(&cargo), &self.dir())
            .args(["metadata", "--format-version", "1"])
            .output()
            .expect("run cargo");
        assert!(out.status.success(), "{}", text(&out.stderr));
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// A command whose environment is the user's, not this test's: what the outer cargo
    /// set for the test binary is removed, the scratch target directory is set, and cargo
    /// runs offline (the workspace's build fetched every dependency).
    fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", self.root.join("target"))
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never");
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            let set_for_the_test = ["COMPAT_", "CARGO_PKG_", "CARGO_CRATE_", "CARGO_BIN_"]
                .iter()
                .any(|p| key.starts_with(p))
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_PRIMARY_PACKAGE",
                ]
                .contains(&&*key);
            if set_for_the_test {
                command.env_remove(&*key);
            }
        }
        command
    }

    /// `cargo compat lock ARGS`, run in `dir`.
    fn lock(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(Path::new(env!("CARGO_BIN_EXE_cargo-compat")), dir)
            .arg("lock")
            .args(args)
            .output()
            .expect("run cargo-compat")
    }

    /// `cargo test` in the crate.
    fn test(&self) -> Output {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        self.command(Path::new(&cargo), &self.dir())
            .args(["test", "--quiet"])
            .output()
            .expect("run cargo")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that `lock` records 2.3.0 and 2.4.0 under `table` (`[[release]]` or
/// `[[proto_release]]`), in that order, and 2.3.0 as it was: `body`, and no `topic`, which
/// arrived in 2.4.0.
#[track_caller]
fn recorded_as_it_was(lock: &str, table: &str) {
    let (at_230, at_240) = (
        lock.find(&format!("{table}\nversion = \"2.3.0\"")),
        lock.find(&format!("{table}\nversion = \"2.4.0\"")),
    );
    let (Some(at_230), Some(at_240)) = (at_230, at_240) else {
        panic!("both releases under {table}:\n{lock}");
    };
    assert!(at_230 < at_240, "in order:\n{lock}");
    let release_230 = &lock[at_230..at_240];
    assert!(
        release_230.contains("name = \"body\"") && !release_230.contains("topic"),
        "2.3.0 as it was:\n{release_230}"
    );
}

/// Asserts `out` exited with `code`, printing what it said otherwise.
#[track_caller]
fn exits(out: &Output, code: i32, what: &str, repo: &Repo) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what} (scratch repository in {}):\nstdout:\n{}\nstderr:\n{}",
        repo.root.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one story: each step acts on the repository and lock the step before left"
)]
fn a_crate_outside_the_workspace_is_locked_from_anywhere_and_old_releases_from_history() {
    let repo = Repo::new();
    // The project adopts compat, then ships 2.4.0 with a field clients may omit.
    repo.write("build.rs", BUILD_RS);
    repo.write("src/lib.rs", ANNOTATED);
    let adoption = repo.commit("adopt compat");
    let cargo_toml = std::fs::read_to_string(repo.dir().join("Cargo.toml")).unwrap();
    repo.write(
        "Cargo.toml",
        &cargo_toml.replace("version = \"2.3.0\"", "version = \"2.4.0\""),
    );
    repo.write(
        "src/lib.rs",
        &ANNOTATED.replace(
            "    pub body: String,\n",
            "    pub body: String,\n    /// The topic, if any.\n    #[since(\"2.4.0\")]\n    pub topic: Option<String>,\n",
        ),
    );
    repo.commit("chat-protocol 2.4.0");
    let manifest = repo.dir().join("Cargo.toml");
    let manifest = manifest.to_str().unwrap();

    // The first `cargo test` asks for a release to be recorded.
    let out = repo.test();
    exits(&out, 101, "cargo test without a lock", &repo);
    assert!(
        text(&out.stdout).contains("there is no compat.lock yet; record this release with"),
        "{}",
        text(&out.stdout)
    );

    // `-p` names packages of the workspace cargo-compat runs in; the error says how to
    // reach a crate outside it.
    let out = repo.lock(&workspace_root(), &["-p", "chat-protocol"]);
    exits(&out, 2, "-p of a crate outside the workspace", &repo);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: no package `chat-protocol` in the workspace at")
            && stderr.contains("pass its manifest: --manifest-path path/to/Cargo.toml")
            && !stderr.contains("wire_lock!"),
        "{stderr}"
    );

    // From this workspace's root, by manifest; then from the crate's own directory.
    let out = repo.lock(&workspace_root(), &["--manifest-path", manifest]);
    exits(&out, 0, "lock --manifest-path", &repo);
    assert!(
        text(&out.stdout).starts_with("recorded release 2.4.0 of `chat-protocol` in "),
        "{}",
        text(&out.stdout)
    );
    assert!(repo.lock_file().contains("version = \"2.4.0\""));
    let out = repo.lock(&repo.dir(), &[]);
    exits(&out, 0, "lock from the crate's directory", &repo);
    let out = repo.lock(&repo.dir(), &["-p", "chat-protocol"]);
    exits(&out, 0, "lock -p from the crate's directory", &repo);
    assert!(!repo.lock_file().contains("version = \"2.3.0\""));

    // A revision that does not exist.
    let out = repo.lock(
        &workspace_root(),
        &["--manifest-path", manifest, "--rev", "v9.9.9"],
    );
    exits(&out, 2, "--rev of no revision", &repo);
    assert!(
        text(&out.stderr).contains("error: no revision `v9.9.9` in the repository at"),
        "{}",
        text(&out.stderr)
    );

    // v2.3.0 predates the annotations: it has nothing to record with.
    let out = repo.lock(
        &workspace_root(),
        &["--manifest-path", manifest, "--rev", "v2.3.0"],
    );
    exits(&out, 1, "--rev of a release without compat", &repo);
    assert!(
        text(&out.stderr).contains("`chat-protocol` has no `compat_wire_lock` test to record with"),
        "{}",
        text(&out.stderr)
    );

    // Backfilling 2.3.0, as the docs say: a branch from its tag with the adoption commit.
    repo.git(&["checkout", "--quiet", "-b", "compat-2.3.0", "v2.3.0"]);
    repo.git(&["cherry-pick", &adoption]);
    repo.git(&["checkout", "--quiet", "main"]);
    let out = repo.lock(
        &workspace_root(),
        &["--manifest-path", manifest, "--rev", "compat-2.3.0"],
    );
    exits(&out, 0, "--rev of the backfill branch", &repo);
    assert!(
        text(&out.stdout)
            .starts_with("recorded release 2.3.0 of `chat-protocol` from compat-2.3.0 ("),
        "{}",
        text(&out.stdout)
    );
    // The 2.3.0 record is 2.3.0's shape: no `topic`, which arrived in 2.4.0.
    recorded_as_it_was(&repo.lock_file(), "[[release]]");
    // The checkout was temporary: the working tree is as it was, with the new lock.
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "?? protocol/compat.lock"
    );
    let out = repo.test();
    exits(&out, 0, "cargo test with both releases recorded", &repo);

    // From now on, breaking 2.3.0's clients on the wire fails the tests, naming 2.3.0.
    repo.write(
        "Cargo.toml",
        &cargo_toml.replace("version = \"2.3.0\"", "version = \"2.5.0\""),
    );
    repo.write(
        "src/lib.rs",
        &ANNOTATED.replace(
            "    pub body: String,\n",
            "    #[serde(rename = \"text\")]\n    pub body: String,\n",
        ),
    );
    let out = repo.test();
    exits(&out, 101, "a wire rename against recorded releases", &repo);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2.3.0") && stdout.contains("`body`"),
        "{stdout}"
    );

    let _ = std::fs::remove_dir_all(&repo.root);
}

#[test]
fn a_directory_in_no_package_is_told_to_name_one() {
    let dir = std::env::temp_dir().join(format!("compat-lock-nowhere-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = []\nresolver = \"3\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-compat"))
        .arg("lock")
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is in the workspace at")
            && stderr.contains("but in none of its packages; name the crate with -p"),
        "{stderr}"
    );
}

/// A crate whose messages are prost's: `--rev` records an earlier release's
/// `[[proto_release]]` too (before, it adopted the serde record only, and found none), and
/// the lock says nothing of serde releases it does not have (no `release = []`).
#[test]
fn a_crate_with_prost_messages_records_an_old_release_from_history() {
    let repo = Repo::with(PROST_DEPENDENCIES, PROST);
    repo.write("build.rs", BUILD_RS);
    repo.commit("build script");
    repo.git(&["tag", "--force", "v2.3.0"]);
    // 2.4.0 adds a topic, which senders from 2.3.0 never set: it has presence.
    let cargo_toml = std::fs::read_to_string(repo.dir().join("Cargo.toml")).unwrap();
    repo.write(
        "Cargo.toml",
        &cargo_toml.replace("version = \"2.3.0\"", "version = \"2.4.0\""),
    );
    let topic = "    pub body: String,\n    /// @since 2.4.0\n    #[prost(string, optional, tag = \"2\")]\n    pub topic: Option<String>,\n";
    repo.write(
        "src/lib.rs",
        &PROST.replace("    pub body: String,\n", topic),
    );
    repo.commit("chat-protocol 2.4.0");
    let manifest = repo.dir().join("Cargo.toml");
    let manifest = manifest.to_str().unwrap();

    let out = repo.lock(&workspace_root(), &["--manifest-path", manifest]);
    exits(&out, 0, "lock --manifest-path", &repo);
    let out = repo.lock(
        &workspace_root(),
        &["--manifest-path", manifest, "--rev", "v2.3.0"],
    );
    exits(&out, 0, "--rev of a release with prost messages", &repo);
    assert!(
        text(&out.stdout).starts_with("recorded release 2.3.0 of `chat-protocol` from v2.3.0 ("),
        "{}",
        text(&out.stdout)
    );
    let lock = repo.lock_file();
    assert!(!lock.contains("release = []"), "{lock}");
    recorded_as_it_was(&lock, "[[proto_release]]");
    let out = repo.test();
    exits(&out, 0, "cargo test with both releases recorded", &repo);

    // 2.5.0 deletes `body` without reserving its number: 2.3.0's clients still send it.
    repo.write(
        "Cargo.toml",
        &cargo_toml.replace("version = \"2.3.0\"", "version = \"2.5.0\""),
    );
    repo.write(
        "src/lib.rs",
        &PROST.replace(
            "    /// What the post says.\n    #[prost(string, tag = \"1\")]\n    pub body: String,\n",
            &topic.replace("    pub body: String,\n", ""),
        ),
    );
    let out = repo.test();
    exits(
        &out,
        101,
        "a deleted field against recorded releases",
        &repo,
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED") && stdout.contains("2.3.0"),
        "{stdout}"
    );

    let _ = std::fs::remove_dir_all(&repo.root);
}
