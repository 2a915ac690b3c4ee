//! What the command-line tests share: the workspace root they run in, a run of the
//! `cargo-compat` binary with its exit code and output, and fresh scratch directories.

#![allow(
    dead_code,
    reason = "each test binary includes this module and uses only part of it"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The bundled example systems, one policy each under `examples/<system>/compat.toml`.
pub(crate) const SYSTEMS: [&str; 5] = ["spire", "mirrord", "gullveig", "teleport", "phoenix"];

/// The workspace root, where `examples/` lives; commands run there so paths read as written.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cargo-compat sits in the workspace")
        .to_path_buf()
}

/// `examples/<system>/compat.toml`, relative to the root.
pub(crate) fn policy(system: &str) -> String {
    format!("examples/{system}/compat.toml")
}

/// What one run of the binary did.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// `cargo-compat ARGS`, run in `dir`.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-compat"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// `cargo-compat ARGS`, run at the workspace root.
pub(crate) fn run(args: &[&str]) -> Run {
    run_in(&root(), args)
}

/// A fresh, empty directory under the system's temp dir, named for this test binary's
/// process and `what`, unique per call.
pub(crate) fn scratch_dir(what: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "compat-{what}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}
