//! `cargo compat`: check peers against a policy, lint policies, plan upgrades, draw the
//! matrix, write the guide, record the wire lock. The work is done by the `cargo_compat`
//! library; this is its command line: the arguments (here) and one module per command
//! (`commands/`), which prints in one of the forms of `format.rs` and reports through the one
//! failure type (`failure.rs`). Dependencies point one way: `format` ← `failure` ←
//! `commands`.
//!
//! Exit codes are part of the interface: `0` compatible (or a clean policy, or a plan), `1`
//! refused (or a policy with errors, for `lint`, or no plan), `2` a usage or policy error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod failure;
mod format;

use commands::{check, doc, lint, lock, matrix, plan};
use failure::Failure;
use format::Format;

/// `cargo compat ...`, as cargo runs it: `cargo-compat compat ...`.
#[derive(Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum Cargo {
    Compat(Cli),
}

/// The command line, as it runs by itself (`cargo-compat check ...`,
/// `cargo run -p cargo-compat -- check ...`) and after cargo's `compat`.
#[derive(Parser)]
#[command(
    name = "cargo-compat",
    version,
    about = "Make a version compatibility promise enforceable."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// The two forms differ only in their first argument, which says which it is.
    fn try_parse_either(args: &[String]) -> Result<Cli, clap::Error> {
        if args.get(1).is_some_and(|a| a == "compat") {
            Cargo::try_parse_from(args).map(|Cargo::Compat(cli)| cli)
        } else {
            Cli::try_parse_from(args)
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// May these peers talk? `check --policy compat.toml agent@0.9.3 server@0.9.2`.
    ///
    /// With two peers, the verdict for the pair; with more, every refused pair of the fleet.
    /// Exit 0 compatible, 1 refused, 2 usage or policy error.
    Check(check::Args),
    /// The ordered steps from a fleet (or every component at one version) to a target
    /// release, each fleet in between checked against the policy.
    ///
    /// Exit 0 with a plan (or nothing to do), 1 when no plan exists (the reason names the
    /// rule that blocks or the release that is missing), 2 usage, policy or fleet error.
    Plan(plan::Args),
    /// Which versions of which components may talk: a table per pair of components.
    Matrix(matrix::Args),
    /// The compatibility and upgrade guide, generated from the policy, in Markdown.
    Doc(doc::Args),
    /// Record a release of a protocol crate in its wire lock (compat.lock).
    ///
    /// Runs the crate's `compat_wire_lock` test (from `compat_runtime::wire_lock!`) with
    /// COMPAT_RECORD=1. With --rev, records the release at that git revision instead,
    /// built in a temporary checkout, so releases still deployed from before the lock
    /// existed are protected too. Check the updated compat.lock in with the release.
    /// Exit 0 recorded, 1 the crate did not build or record, 2 usage error.
    Lock(lock::Args),
    /// Validate a policy and check it for contradictions. Exit 0 clean, 1 errors.
    Lint(lint::Args),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let command = match Cli::try_parse_either(&args) {
        Ok(cli) => cli.command,
        Err(err) => return argument_error(&err, Format::requested_json(&args)),
    };
    match command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Matrix(args) => matrix::run(&args),
        Command::Doc(args) => doc::run(&args),
        Command::Lock(args) => lock::run(&args),
        Command::Lint(args) => lint::run(&args),
    }
}

/// clap's own report (help and version exit 0), and for a script that asked for JSON the
/// first line of the error as a usage failure.
fn argument_error(err: &clap::Error, json: bool) -> ExitCode {
    if !err.use_stderr() {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let _ = err.print();
    if json {
        let rendered = err.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        failure::print_json(&Failure::usage(message).json());
    }
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::{Cargo, Cli, Command};

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
        Cargo::command().debug_assert();
    }

    #[test]
    fn the_cargo_form_and_the_direct_form_parse_alike() {
        for args in [
            ["cargo-compat", "compat", "lint", "--policy", "compat.toml"].as_slice(),
            &["cargo-compat", "lint", "--policy", "compat.toml"],
        ] {
            let args: Vec<String> = args.iter().map(ToString::to_string).collect();
            let cli = Cli::try_parse_either(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(matches!(cli.command, Command::Lint(_)), "{args:?}");
        }
    }
}
