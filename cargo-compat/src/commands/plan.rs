//! `plan`: the steps from a fleet to a target release.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_compat::fleet_file::Fleet;
use cargo_compat::plan::{PlanError, Request, plan};
use cargo_compat::plan_output;
use compat_runtime::version::parse_version;
use serde_json::json;

use crate::{Failure, load, print_json};

/// What the command line asked for.
pub(crate) struct Args {
    pub(crate) policy: Option<PathBuf>,
    pub(crate) from: Option<String>,
    pub(crate) fleet: Option<PathBuf>,
    pub(crate) to: String,
    pub(crate) releases: Option<String>,
    pub(crate) json: bool,
    pub(crate) markdown: bool,
}

/// Exit 2, with the error on stderr and, for JSON, `{"error", "kind"}` on stdout.
fn failed(args: &Args, failure: Failure) -> ExitCode {
    eprintln!("{}", failure.text);
    if args.json {
        let mut obj = json!({ "error": failure.message, "kind": failure.kind });
        if !failure.diagnostics.is_empty() {
            obj["diagnostics"] = json!(failure.diagnostics);
        }
        print_json(&obj);
    }
    ExitCode::from(2)
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let policy = match load(args.policy.as_deref()) {
        Ok(p) => p,
        Err(f) => return failed(args, f),
    };
    let version = |flag: &str, text: &str| {
        parse_version(text).map_err(|e| Failure::usage(format!("{flag} {text}: {e}")))
    };
    let target = match version("--to", &args.to) {
        Ok(v) => v,
        Err(f) => return failed(args, f),
    };
    let fleet = match (&args.fleet, &args.from) {
        (Some(path), _) => match Fleet::from_path(&policy, path) {
            Ok(f) => f,
            Err(e) => return failed(args, Failure::fleet(&e)),
        },
        (None, Some(from)) => match version("--from", from) {
            Ok(v) => Fleet::uniform(&policy, &v),
            Err(f) => return failed(args, f),
        },
        (None, None) => return failed(args, Failure::usage("give --from VERSION or --fleet FILE")),
    };
    let mut request = Request::to(target);
    match super::releases(args.releases.as_deref(), args.policy.as_deref(), &policy) {
        Ok(Some(r)) => request = request.through(r),
        Ok(None) => {}
        Err(f) => return failed(args, f),
    }
    match plan(&policy, &fleet, &request) {
        Ok(plan) => {
            if args.json {
                print_json(&plan_output::json(&plan));
            } else if args.markdown {
                print!("{}", plan_output::markdown(&plan));
            } else {
                print!("{}", plan_output::text(&plan));
            }
            ExitCode::SUCCESS
        }
        Err(PlanError::Usage(m)) => failed(args, Failure::usage(m)),
        Err(e @ PlanError::NoPlan { .. }) => {
            let PlanError::NoPlan { reason, origin } = &e else {
                unreachable!()
            };
            eprintln!("{e}");
            if args.json {
                print_json(&json!({
                    "error": e.to_string(),
                    "kind": "no plan",
                    "reason": reason,
                    "origin": origin.as_ref().map(ToString::to_string),
                    "steps": [],
                }));
            }
            ExitCode::from(1)
        }
        // A plan that failed its own replay is never shown: to a script, there is no plan.
        Err(e) => {
            eprintln!("error: {e}");
            if args.json {
                print_json(&json!({ "error": e.to_string(), "kind": "internal", "steps": [] }));
            }
            ExitCode::from(1)
        }
    }
}
