//! `lint`: validate a policy and check it for contradictions. Exit 0 clean (warnings on
//! stderr), 1 with errors (each located, with its snippet and help), 2 no policy.

use std::fmt::Write as _;
use std::process::ExitCode;

use compat_runtime::Policy;

use super::{Format, PolicyArg, count};
use crate::failure::{Failure, NO_POLICY};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    policy: PolicyArg,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let path = args.policy.path();
    let shown = path.map_or_else(|| "compat.toml".to_string(), |p| p.display().to_string());
    let policy = match path {
        Some(p) if !p.exists() => {
            return Failure::usage(format!("{shown}: no such file")).report(Format::Human);
        }
        Some(p) => Policy::from_path(p),
        None => match Policy::discover(".") {
            Ok(Some(found)) => Ok(found.policy),
            Ok(None) => return Failure::usage(NO_POLICY).report(Format::Human),
            Err(e) => Err(e),
        },
    };
    match policy {
        Ok(policy) => {
            for w in policy.warnings() {
                eprintln!("{w}\n");
            }
            println!(
                "ok: {shown}: {}, {}, {}{}{}{}",
                count(policy.components().len(), "component", "components"),
                count(policy.rules().len(), "rule", "rules"),
                count(policy.upgrades().len(), "upgrade table", "upgrade tables"),
                match policy.denies().len() {
                    0 => String::new(),
                    n => format!(", {}", count(n, "deny", "denies")),
                },
                speech(&policy),
                match policy.warnings().len() {
                    0 => String::new(),
                    n => format!(", {}", count(n, "warning", "warnings")),
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let errors = e.diagnostics.iter().filter(|d| d.is_error()).count();
            for d in &e.diagnostics {
                eprintln!("{d}\n");
            }
            eprintln!("{shown}: {}", count(errors, "error", "errors"));
            ExitCode::from(1)
        }
    }
}

/// `, mirrord-protocol 1.29.0 (3 releases listed), 9 features`: what `[protocol]` and
/// `[[feature]]` say, when the policy has them.
fn speech(policy: &Policy) -> String {
    let mut out = String::new();
    if let Some(p) = policy.protocol() {
        let _ = write!(
            out,
            ", {} {} ({} listed)",
            p.name.value,
            p.version.value,
            count(p.releases.len(), "release", "releases")
        );
    }
    match policy.features().len() {
        0 => {}
        n => {
            let _ = write!(out, ", {}", count(n, "feature", "features"));
        }
    }
    out
}
