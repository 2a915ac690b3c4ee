//! `lock`: record a release of a protocol crate in its wire lock (`compat.lock`).
//!
//! The current release is recorded by running the crate's `compat_wire_lock` test (from
//! `compat_runtime::wire_lock!`, or `proto_wire_lock!` for prost messages) with
//! `COMPAT_RECORD=1`; an earlier one (`--rev`) by doing the same in a temporary checkout of
//! that revision, whose record (`[[release]]` and `[[proto_release]]` alike) is then adopted
//! into today's lock. The crate is found the way cargo's own subcommands find it: `-p` names a package of
//! the workspace, `--manifest-path` points at a manifest anywhere, and without either the
//! package is the one the current directory is in.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use compat_runtime::Policy;
use serde_json::Value;

use super::Format;
use crate::failure::Failure;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The package to record, NAME or NAME@VERSION (default: the one in the current
    /// directory).
    #[arg(short, long, value_name = "SPEC")]
    package: Option<String>,
    /// The crate's Cargo.toml (or its workspace's, with -p), from anywhere.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Record the release at this git revision (tag, branch or commit), e.g. v2.3.0.
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
}

/// A package as `cargo metadata` describes it.
struct Package {
    name: String,
    version: String,
    manifest: PathBuf,
    /// The workspace's target directory, where a checkout of an earlier revision builds
    /// too, so the dependencies compile once.
    target: PathBuf,
}

impl Package {
    fn dir(&self) -> &Path {
        self.manifest.parent().unwrap_or(Path::new("."))
    }
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let result =
        find(args.package.as_deref(), args.manifest_path.as_deref()).and_then(
            |package| match &args.rev {
                None => record(&package, None).map(|()| {
                    format!(
                        "recorded release {} of `{}` in {}",
                        package.version,
                        package.name,
                        package.dir().join(compat_runtime::lock::FILE).display()
                    )
                }),
                Some(rev) => backfill(&package, rev),
            },
        );
    match result {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(failure) => failure.report(Format::Human),
    }
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.env("CARGO_TERM_COLOR", "never");
    command
}

/// `cargo metadata --no-deps` of the workspace of `manifest` (or of the current directory).
fn metadata(manifest: Option<&Path>) -> Result<Value, Failure> {
    let mut command = cargo();
    command.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(m) = manifest {
        command.arg("--manifest-path").arg(m);
    }
    let out = command
        .output()
        .map_err(|e| Failure::usage(format!("cannot run cargo: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(stderr.trim());
        let place = manifest.map_or_else(
            || "the current directory".to_string(),
            |m| m.display().to_string(),
        );
        return Err(Failure::usage(format!(
            "cannot read the crate at {place}: {why}"
        )));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| Failure::usage(format!("cannot read `cargo metadata`'s output: {e}")))
}

/// The package to record: by `-p` in the workspace, by `--manifest-path`, or the one the
/// current directory is in.
fn find(spec: Option<&str>, manifest: Option<&Path>) -> Result<Package, Failure> {
    let meta = metadata(manifest)?;
    let target = PathBuf::from(meta["target_directory"].as_str().unwrap_or("target"));
    let root = meta["workspace_root"].as_str().unwrap_or(".").to_string();
    let packages: Vec<Package> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Package {
            name: p["name"].as_str().unwrap_or_default().to_string(),
            version: p["version"].as_str().unwrap_or_default().to_string(),
            manifest: PathBuf::from(p["manifest_path"].as_str().unwrap_or_default()),
            target: target.clone(),
        })
        .collect();
    let names = packages
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let chosen = if let Some(spec) = spec {
        let (name, version) = spec.split_once('@').unwrap_or((spec, ""));
        packages
            .into_iter()
            .find(|p| p.name == name && (version.is_empty() || p.version == version))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "no package `{spec}` in the workspace at {root} (its packages: {names}); for a crate outside this workspace, pass its manifest: --manifest-path path/to/Cargo.toml"
                ))
            })?
    } else {
        let here = match manifest {
            Some(m) => canonical(m.parent().unwrap_or(Path::new("."))),
            None => canonical(Path::new(".")),
        };
        packages
            .into_iter()
            .filter(|p| here.starts_with(canonical(p.dir())))
            .max_by_key(|p| p.dir().components().count())
            .ok_or_else(|| {
                let place = manifest.map_or_else(
                    || "the current directory".to_string(),
                    |m| m.display().to_string(),
                );
                Failure::usage(format!(
                    "{place} is in the workspace at {root} but in none of its packages; name the crate with -p (packages: {names}), or pass --manifest-path path/to/Cargo.toml"
                ))
            })?
    };
    Ok(chosen)
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Runs the package's `compat_wire_lock` test with `COMPAT_RECORD=1`, building in `target`
/// when given; says what went wrong when it did not record.
fn record(package: &Package, target: Option<&Path>) -> Result<(), Failure> {
    let mut command = cargo();
    command
        .arg("test")
        .arg("--manifest-path")
        .arg(&package.manifest)
        .args(["--package", &package.name, "compat_wire_lock"])
        .env(compat_runtime::lock::RECORD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let out = command
        .output()
        .map_err(|e| Failure::usage(format!("cannot run cargo: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ran = stdout.contains("test result:");
    let passed: usize = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    let name = &package.name;
    match (out.status.success(), ran) {
        (true, _) if passed > 0 => Ok(()),
        (true, _) => Err(failed(format!(
            "`{name}` has no `compat_wire_lock` test to record with; add\n\n    #[cfg(test)]\n    compat_runtime::wire_lock!(policy(), VERSION, messages());\n\nto its src/lib.rs (beside `compat_runtime::include_policy!()` and `compat_runtime::messages![...]`), or, for prost messages, `compat_runtime::proto_wire_lock!(policy(), VERSION, PROTOS);`, with compat-runtime's `lock` feature in its [dev-dependencies]"
        ))),
        (false, true) => {
            eprint!("{stdout}");
            Err(failed(format!(
                "the wire lock test of `{name}` failed (its output is above), so nothing was recorded"
            )))
        }
        (false, false) => Err(failed(format!(
            "`{name}` did not build (cargo's errors are above); fix the build, then record again"
        ))),
    }
}

/// A directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Records the release at `rev`: the package's directory at that revision, checked out
/// into a temporary directory, records itself there; its record is adopted into today's
/// lock.
fn backfill(package: &Package, rev: &str) -> Result<String, Failure> {
    let dir = canonical(package.dir());
    let revision = Revision::find(&dir, rev)?;
    let (scratch, manifest) = revision.check_out(&dir)?;
    let then = find(None, Some(&manifest))?;
    eprintln!(
        "note: recording `{}` {} as it was at {rev} ({}), built in {}",
        then.name,
        then.version,
        revision.short(),
        scratch.0.display()
    );
    record(&then, Some(&package.target))?;
    let policy = match Policy::discover(&dir) {
        Ok(Some(found)) => found.policy,
        Ok(None) => {
            return Err(Failure::usage(format!(
                "{} has no compat.toml (nor [package.metadata.compat]) to order its releases by",
                dir.display()
            )));
        }
        Err(e) => return Err(Failure::usage(e.to_string())),
    };
    let from = then.dir().join(compat_runtime::lock::FILE);
    let report = compat_runtime::lock::adopt(&dir, &policy, &from, &then.version)
        .map_err(|e| failed(e.to_string()))?;
    Ok(format!(
        "recorded release {} of `{}` from {rev} ({}) in {}",
        then.version,
        then.name,
        revision.short(),
        report.path.display()
    ))
}

/// A revision of the repository a crate lives in.
struct Revision<'a> {
    /// As the user named it.
    rev: &'a str,
    /// The repository's top directory.
    top: PathBuf,
    /// The full commit hash.
    commit: String,
}

impl<'a> Revision<'a> {
    /// `rev` in the repository of `dir`, or an error that says which of the two is missing.
    fn find(dir: &Path, rev: &'a str) -> Result<Self, Failure> {
        let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            Failure::usage(format!(
                "{} is not in a git repository: --rev records a release from the repository's history",
                dir.display()
            ))
        })?;
        let top = canonical(Path::new(&top));
        let commit = git(&top, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
            .map_err(|_| {
                Failure::usage(format!(
                    "no revision `{rev}` in the repository at {}: name a tag, branch or commit (`git tag` lists the tags)",
                    top.display()
                ))
            })?;
        Ok(Revision { rev, top, commit })
    }

    fn short(&self) -> &str {
        &self.commit[..self.commit.len().min(12)]
    }

    /// The whole tree at this revision, unpacked into a temporary directory (removed when
    /// the returned [`Scratch`] drops), and the manifest of `dir` in it.
    fn check_out(&self, dir: &Path) -> Result<(Scratch, PathBuf), Failure> {
        let rev = self.rev;
        let scratch = Scratch(std::env::temp_dir().join(format!(
            "cargo-compat-lock-{}-{}",
            std::process::id(),
            self.short()
        )));
        let tree = scratch.0.join("tree");
        std::fs::create_dir_all(&tree)
            .map_err(|e| failed(format!("cannot create {}: {e}", tree.display())))?;
        let archive = scratch.0.join("rev.tar");
        let archive_arg = archive.to_string_lossy();
        git(
            &self.top,
            &["archive", "--format=tar", "-o", &archive_arg, &self.commit],
        )
        .map_err(|e| failed(format!("cannot check out {rev}: {e}")))?;
        let untar = Command::new("tar")
            .arg("-xf")
            .arg(&archive)
            .arg("-C")
            .arg(&tree)
            .status();
        if !untar.is_ok_and(|s| s.success()) {
            return Err(failed(format!(
                "cannot unpack {rev} into {} (is `tar` installed?)",
                tree.display()
            )));
        }
        let relative = dir.strip_prefix(&self.top).unwrap_or(Path::new(""));
        let manifest = tree.join(relative).join("Cargo.toml");
        if !manifest.exists() {
            return Err(Failure::usage(format!(
                "at {rev} there is no {}: the crate did not exist there yet, or lived elsewhere",
                relative.join("Cargo.toml").display()
            )));
        }
        Ok((scratch, manifest))
    }
}

/// The crate could not record (exit 1): `message` on stderr.
fn failed(message: String) -> Failure {
    Failure::refused("failed", message.clone(), format!("error: {message}"))
}
