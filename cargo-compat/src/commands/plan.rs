//! `plan`: the steps from a fleet to a target release, as text, Markdown or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_compat::fleet_file::Fleet;
use cargo_compat::plan::output;
use cargo_compat::plan::{Plan, PlanError, Request, plan};
use compat_runtime::version::parse_version;
use serde_json::json;

use super::{Format, PolicyArg, formats};
use crate::failure::{Failure, load, print_json};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("start").required(true).args(["from", "fleet"])))]
pub(crate) struct Args {
    #[command(flatten)]
    policy: PolicyArg,
    /// Every component runs this version now (a release, like --to). The plan assumes one
    /// instance of each; --fleet gives the instances as they run.
    #[arg(long, value_name = "VERSION", conflicts_with = "fleet")]
    from: Option<String>,
    /// The fleet as it runs now: a fleet.toml (see docs/fleet.md).
    #[arg(long, value_name = "FILE")]
    fleet: Option<PathBuf>,
    /// The release every instance should end at.
    #[arg(long, value_name = "VERSION")]
    to: String,
    /// The releases between the fleet and the target, comma-separated, for a move that
    /// needs intermediate releases (`max-jump`). Default: those recorded in the compat.lock
    /// beside the policy. The fleet's versions and --to are releases without it.
    #[arg(long, value_name = "V,V,...")]
    releases: Option<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(&["text", "json", "markdown"]))]
    format: Format,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    match make(args) {
        Ok(plan) => {
            match args.format {
                Format::Json => print_json(&output::json(&plan)),
                Format::Markdown => print!("{}", output::markdown(&plan)),
                _ => print!("{}", output::text(&plan)),
            }
            ExitCode::SUCCESS
        }
        Err(failure) => failure.report(args.format),
    }
}

fn make(args: &Args) -> Result<Plan, Failure> {
    let policy = load(args.policy.path())?;
    let version = |flag: &str, text: &str| {
        parse_version(text).map_err(|e| Failure::usage(format!("{flag} {text}: {e}")))
    };
    let target = version("--to", &args.to)?;
    let mut request = Request::to(target);
    let fleet = match (&args.fleet, &args.from) {
        (Some(path), _) => Fleet::from_path(&policy, path).map_err(|e| Failure::fleet(&e))?,
        (None, Some(from)) => {
            request = request.assuming_one_instance_each();
            Fleet::uniform(&policy, &version("--from", from)?)
        }
        (None, None) => return Err(Failure::usage("give --from VERSION or --fleet FILE")),
    };
    if let Some(releases) = super::releases(args.releases.as_deref(), args.policy.path(), &policy)?
    {
        request = request.through(releases);
    }
    plan(&policy, &fleet, &request).map_err(|e| {
        let text = e.to_string();
        match e {
            PlanError::Usage(m) => Failure::usage(m),
            PlanError::NoPlan { reason, origin } => Failure::refused("no plan", text.clone(), text)
                .with("reason", json!(reason))
                .with("origin", json!(origin.as_ref().map(ToString::to_string)))
                .with("steps", json!([])),
            // A plan that failed its own replay is never shown: to a script, there is no plan.
            PlanError::Unverified(_) => {
                Failure::refused("internal", text.clone(), format!("error: {text}"))
                    .with("steps", json!([]))
            }
        }
    })
}
