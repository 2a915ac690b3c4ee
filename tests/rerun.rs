//! Editing `compat.toml` reruns the checks: a scratch protocol crate is built with Cargo,
//! its policy is narrowed and widened, and the verdict of the compile follows, with
//! `src/lib.rs` untouched. Also: a malformed policy fails the build at its line and column,
//! a policy that no build script enforces fails the build with the line to add, and
//! `messages![...]` insists on every message the library's modules and features declare, and
//! the policy the build compiles into the crate holds its denied releases, and its protocol
//! version (read from the variable `version-from` names, whose change reruns the build) and
//! features.
//!
//! The scratch crates live in one directory under the system's temp dir, with their own
//! `[workspace]` tables and one shared target directory, so the dependencies compile once.
//! A failing test leaves the directory in place and names it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;

/// How many tests in this file use the scratch directory; the last to pass removes it.
const TESTS: usize = 7;
static PASSED: AtomicUsize = AtomicUsize::new(0);

/// The scratch root shared by this binary's tests: `<tmp>/compat-rerun-<pid>-<nanos>`.
fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let root =
            std::env::temp_dir().join(format!("compat-rerun-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&root).expect("create the scratch directory");
        // The workspace's lock file pins the same dependency versions the workspace built
        // with, which are in Cargo's cache: the scratch builds can then run offline.
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"),
            root.join("Cargo.lock.template"),
        )
        .expect("copy Cargo.lock");
        root
    })
}

fn passed() {
    if PASSED.fetch_add(1, Ordering::SeqCst) + 1 == TESTS {
        let _ = std::fs::remove_dir_all(root());
    }
}

/// SPIRE's rule, under a comment line: the builds' errors cite its lines from 1.
fn agent_one_minor_older() -> String {
    format!(
        "# SPIRE's rule: agents one minor older than the server, never newer.\n{}",
        common::AGENT_ONE_MINOR_OLDER
    )
}

/// `retries` arrived in 0.9.0 and cannot default: fine while the oldest agent a 0.9.3
/// server accepts is a 0.9 agent, an error once 0.8 agents are still accepted.
const LIB: &str = r#"//! A scratch protocol crate.

use compat_runtime::Compat;

/// The agent's first call.
#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct AttestRequest {
    /// The node's name.
    pub node: String,
    /// How often the agent tried.
    #[since("0.9.0")]
    pub retries: u32,
}
"#;

const BUILD_RS: &str = "fn main() {\n    compat_runtime::build::enforce();\n}\n";

/// A scratch crate `name` at version 0.9.3 depending on this repository's compat-runtime.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str, policy: &str, build_rs: bool) -> Scratch {
        let dir = root().join(name);
        std::fs::create_dir_all(dir.join("src")).expect("create the scratch crate");
        let runtime = concat!(env!("CARGO_MANIFEST_DIR"), "/compat-runtime");
        let manifest = format!(
            r#"[package]
name = "{name}"
version = "0.9.3"
edition = "2024"
publish = false

[dependencies]
compat-runtime = {{ path = {runtime:?}, default-features = false, features = ["macros"] }}

[build-dependencies]
compat-runtime = {{ path = {runtime:?}, default-features = false, features = ["build"] }}

# Not part of the compat workspace.
[workspace]
"#
        );
        let scratch = Scratch { dir };
        scratch.write("Cargo.toml", &manifest);
        std::fs::copy(
            root().join("Cargo.lock.template"),
            scratch.dir.join("Cargo.lock"),
        )
        .expect("copy Cargo.lock");
        scratch.write("src/lib.rs", LIB);
        scratch.write("compat.toml", policy);
        if build_rs {
            scratch.write("build.rs", BUILD_RS);
        }
        scratch
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.dir.join(file), text).unwrap_or_else(|e| panic!("write {file}: {e}"));
    }

    /// Rewrites the policy. Waits a moment first so the file's modification time is
    /// clearly after the previous build's, even on file systems with coarse timestamps.
    fn edit_policy(&self, policy: &str) {
        std::thread::sleep(Duration::from_millis(1100));
        self.write("compat.toml", policy);
    }

    /// `cargo build`, offline when the cache allows, online otherwise.
    fn build(&self) -> Output {
        self.build_with(&[])
    }

    /// `cargo build` with `args`.
    fn build_with(&self, args: &[&str]) -> Output {
        self.build_env(args, &[])
    }

    /// `cargo build` with `args` and the variables `vars` set.
    fn build_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.offline_first("build", args, vars)
    }

    /// `cargo run`: the crate's binary.
    fn run(&self) -> Output {
        self.offline_first("run", &[], &[])
    }

    /// `cargo COMMAND`, offline when the cache allows, online otherwise.
    fn offline_first(&self, command: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let offline = self.cargo(command, true, args, vars);
        let stderr = String::from_utf8_lossy(&offline.stderr);
        let needs_network = !offline.status.success()
            && (stderr.contains("--offline") || stderr.contains("offline mode"));
        if needs_network {
            self.cargo(command, false, args, vars)
        } else {
            offline
        }
    }

    fn cargo(
        &self,
        subcommand: &str,
        offline: bool,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Output {
        // One Cargo at a time: the tests share the target directory anyway.
        static CARGO: Mutex<()> = Mutex::new(());
        let _one = CARGO.lock().unwrap_or_else(|e| e.into_inner());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .arg(subcommand)
            // `-v` asks what cargo did, unit by unit; otherwise quiet.
            .args(if args.contains(&"-v") {
                &[][..]
            } else {
                &["--quiet"][..]
            })
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", root().join("target"))
            .env("CARGO_TERM_COLOR", "never");
        if offline {
            command.arg("--offline");
        }
        // What the outer Cargo set for this test binary must not leak into the scratch
        // build (CARGO_HOME and the toolchain settings pass through).
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("COMPAT_")
                || key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_CRATE_")
                || key.starts_with("CARGO_BIN_")
                || key == "CARGO_MANIFEST_DIR"
                || key == "CARGO_MANIFEST_PATH"
                || key == "CARGO_PRIMARY_PACKAGE"
            {
                command.env_remove(&*key);
            }
        }
        command.envs(vars.iter().copied());
        command.output().expect("run cargo")
    }

    #[track_caller]
    fn assert_builds(&self, what: &str) {
        let out = self.build();
        assert!(
            out.status.success(),
            "{what}: expected the build to pass (scratch crate in {}):\n{}",
            self.dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Asserts the build fails, and returns its stderr.
    #[track_caller]
    fn assert_fails(&self, what: &str) -> String {
        self.assert_fails_with(what, &[])
    }

    /// Asserts `cargo build ARGS` fails, and returns its stderr.
    #[track_caller]
    fn assert_fails_with(&self, what: &str, args: &[&str]) -> String {
        let out = self.build_with(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "{what}: expected the build to fail (scratch crate in {}):\n{stderr}",
            self.dir.display()
        );
        stderr
    }
}

#[test]
fn editing_compat_toml_reruns_the_checks() {
    let crate_ = Scratch::new("rerun-window", &agent_one_minor_older(), true);

    // (a) A server at 0.9.3 must still accept 0.8 agents, which never send `retries`.
    let stderr = crate_.assert_fails("agents one minor older");
    for needle in [
        "field `retries` arrived in 0.9.0",
        "server 0.9.3 must still accept agent 0.8.0",
        "(compat.toml:6:1,",
        "make it `Option<_>` or add `#[serde(default)]`",
        "src/lib.rs:14:9",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }

    // (b) Narrow the window to one patch: the oldest agent is 0.9.2, which sends
    // `retries`. Only compat.toml changes.
    crate_.edit_policy(&agent_one_minor_older().replace("\"1 minor\"", "\"1 patch\""));
    crate_.assert_builds("agents one patch older");

    // (c) Widen it again: the same error is back.
    crate_.edit_policy(&agent_one_minor_older());
    let stderr = crate_.assert_fails("agents one minor older, again");
    assert!(
        stderr.contains("field `retries` arrived in 0.9.0") && stderr.contains("compat.toml:6:1"),
        "{stderr}"
    );
    passed();
}

#[test]
fn a_malformed_policy_fails_the_build_at_its_line_and_column() {
    // `olde` for `older`, on line 10.
    let policy = agent_one_minor_older().replace("older = ", "olde = ");
    let crate_ = Scratch::new("rerun-bad-policy", &policy, true);
    let stderr = crate_.assert_fails("an unknown key");
    assert!(
        stderr.contains("compat.toml:10:1"),
        "no compat.toml:10:1 in:\n{stderr}"
    );
    assert!(
        stderr.contains("`olde`"),
        "the key is not named in:\n{stderr}"
    );
    passed();
}

#[test]
fn a_policy_without_a_build_script_asks_for_one() {
    let crate_ = Scratch::new("rerun-no-build-script", &agent_one_minor_older(), false);
    let stderr = crate_.assert_fails("a compat.toml and no build.rs");
    for needle in [
        "this crate has a compat.toml but no build script runs compat",
        "add `compat_runtime::build::enforce();` to `fn main` in build.rs",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    passed();
}

#[test]
fn messages_insists_on_every_message_the_modules_and_features_declare() {
    let policy = agent_one_minor_older().replace("\"1 minor\"", "\"1 patch\"");
    let crate_ = Scratch::new("rerun-messages", &policy, true);
    let manifest = std::fs::read_to_string(crate_.dir.join("Cargo.toml")).unwrap();
    crate_.write("Cargo.toml", &format!("{manifest}\n[features]\nv2 = []\n"));
    let lib = format!(
        "{LIB}\n#[cfg(feature = \"v2\")]\npub mod v2;\n\ncompat_runtime::messages![AttestRequest];\n"
    );
    crate_.write("src/lib.rs", &lib);
    crate_.write(
        "src/v2.rs",
        "//! Messages of the v2 protocol.\n\n/// Hello.\n#[derive(compat_runtime::Compat)]\n\
         #[compat(from = \"agent\", to = \"server\")]\n#[since(\"0.9.3\")]\npub struct Hello;\n",
    );
    // (a) Without the feature, `v2` is not compiled and `Hello` need not be listed.
    crate_.assert_builds("v2 off");

    // (b) A new module with a message: the list must name it.
    let ping = "//! Pings.\n\n/// A ping.\n#[derive(compat_runtime::Compat)]\n\
                #[compat(from = \"agent\", to = \"server\")]\n#[since(\"0.9.3\")]\npub struct Ping;\n";
    crate_.write("src/ping.rs", ping);
    crate_.write("src/lib.rs", &format!("{lib}\npub mod ping;\n"));
    let stderr = crate_.assert_fails("a new module");
    assert!(
        stderr.contains(
            "`ping::Ping` derives Compat (src/ping.rs:7) but is missing from `messages![...]`"
        ),
        "{stderr}"
    );
    crate_.write(
        "src/lib.rs",
        &format!(
            "{}\npub mod ping;\n",
            lib.replace("[AttestRequest]", "[AttestRequest, ping::Ping]")
        ),
    );
    crate_.assert_builds("ping listed");
    // The scan is kept for the next build, next to the build script's output.
    let builds = root().join("target/debug/build");
    let kept = std::fs::read_dir(&builds)
        .expect("the build scripts' directory")
        .flatten()
        .any(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("rerun-messages-")
                && entry.path().join("out/compat-messages.scan").is_file()
        });
    assert!(kept, "no compat-messages.scan under {}", builds.display());

    // (b2) Only a module file changes: what the last build's scan found is not reused.
    crate_.write(
        "src/ping.rs",
        &format!(
            "{ping}\n/// A pong.\n#[derive(compat_runtime::Compat)]\n\
             #[compat(from = \"agent\", to = \"server\")]\n#[since(\"0.9.3\")]\npub struct Pong;\n"
        ),
    );
    let stderr = crate_.assert_fails("a new message in a module file");
    assert!(
        stderr.contains(
            "`ping::Pong` derives Compat (src/ping.rs:13) but is missing from `messages![...]`"
        ),
        "{stderr}"
    );
    crate_.write("src/ping.rs", ping);
    crate_.assert_builds("pong gone");

    // (c) With the feature, `v2::Hello` exists, and so must be listed.
    let stderr = crate_.assert_fails_with("v2 on", &["--features", "v2"]);
    assert!(
        stderr.contains("`v2::Hello` derives Compat (src/v2.rs:7) but is missing"),
        "{stderr}"
    );
    passed();
}

#[test]
fn an_unchanged_crate_without_a_lock_is_not_rebuilt() {
    let policy = agent_one_minor_older().replace("\"1 minor\"", "\"1 patch\"");
    let crate_ = Scratch::new("rerun-fresh", &policy, true);
    crate_.assert_builds("the first build");
    // `-v` says, per unit, whether cargo ran it again or found it fresh.
    let out = crate_.build_with(&["-v"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success()
            && stderr.contains("Fresh rerun-fresh")
            && !stderr.contains("build-script-build`"),
        "a second build of an unchanged crate without compat.lock did work:\n{stderr}"
    );
    // Recording sets COMPAT_RECORD: the build script runs again then (and once more after,
    // when the lock it wrote is read).
    let out = crate_.build_env(&["-v"], &[("COMPAT_RECORD", "1")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("build-script-build`"),
        "recording did not rerun the build script:\n{stderr}"
    );
    passed();
}

#[test]
fn the_policy_compiled_into_the_crate_holds_its_denied_releases() {
    let policy = format!(
        "{}\n[[deny]]\ncomponent = \"agent\"\nfrom = \"0.9.1\"\nthrough = \"0.9.2\"\nreason = \"drops retries\"\n",
        agent_one_minor_older().replace("\"1 minor\"", "\"1 patch\"")
    );
    let crate_ = Scratch::new("rerun-deny", &policy, true);
    crate_.write(
        "src/lib.rs",
        &format!("{LIB}\ncompat_runtime::include_policy!();\n"),
    );
    crate_.write(
        "src/main.rs",
        "fn main() {\n    let policy = rerun_deny::policy();\n    for deny in policy.denies() {\n        \
         println!(\"{} ({})\", deny.describe(), deny.origin);\n    }\n    \
         let agent = policy.peer(\"agent@0.9.2\").unwrap();\n    \
         let server = policy.peer(\"server@0.9.3\").unwrap();\n    \
         println!(\"{}\", policy.check(&agent, &server).unwrap_err().headline());\n}\n",
    );
    let out = crate_.run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the crate with a deny did not build and run (scratch crate in {}):\n{}",
        crate_.dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "agent 0.9.1 through 0.9.2 are refused (compat.toml:12:1)\n\
         agent 0.9.2 is a denied release (talking to server 0.9.3)\n"
    );
    passed();
}

#[test]
fn the_policy_compiled_into_the_crate_holds_its_protocol_read_from_the_environment() {
    // `#[since]` speaks the protocol: every agent in the window speaks 0.9.0 (`assumed`), so
    // `retries` (0.9.0) needs no default, and the feature arrives with it.
    let policy = format!(
        "{}\n[protocol]\nname = \"scratch-protocol\"\nversion-from = \"env:SCRATCH_PROTOCOL\"\nassumed = \"0.9.0\"\n\
         [[feature]]\nname = \"retries\"\nsince = \"0.9.0\"\n",
        agent_one_minor_older()
    );
    let crate_ = Scratch::new("rerun-protocol", &policy, true);
    crate_.write(
        "src/lib.rs",
        &format!("{LIB}\ncompat_runtime::include_policy!();\n"),
    );
    crate_.write(
        "src/main.rs",
        "fn main() {\n    let policy = rerun_protocol::policy();\n    \
         let p = policy.protocol().unwrap();\n    \
         let server = compat_runtime::Endpoint::new(policy, \"server\", rerun_protocol::VERSION, &[]).unwrap();\n    \
         println!(\"{} {} {:?} {}\", p.name.value, p.version.value, server.hello().protocol(), policy.features()[0].name.value);\n}\n",
    );
    let run = |protocol: &str| {
        let out = crate_.offline_first("run", &[], &[("SCRATCH_PROTOCOL", protocol)]);
        assert!(
            out.status.success(),
            "the crate with [protocol] did not build and run (scratch crate in {}):\n{}",
            crate_.dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        run("0.9.0"),
        "scratch-protocol 0.9.0 Some(\"0.9.0\") retries\n"
    );
    // The build script watches the variable: a new value is a new compiled policy.
    assert_eq!(
        run("0.9.5"),
        "scratch-protocol 0.9.5 Some(\"0.9.5\") retries\n"
    );
    passed();
}
