//! `doc`: the generated compatibility and upgrade guide.

use std::process::ExitCode;

use cargo_compat::guide;

use super::{Coverage, Format};
use crate::failure::{Failure, load};

/// The policy, and the releases the worked examples use.
pub(crate) type Args = Coverage;

pub(crate) fn run(args: &Args) -> ExitCode {
    match write(args) {
        Ok(page) => {
            print!("{page}");
            ExitCode::SUCCESS
        }
        Err(failure) => failure.report(Format::Human),
    }
}

fn write(args: &Args) -> Result<String, Failure> {
    let policy = load(args.policy.path())?;
    let releases = args.releases.releases.as_deref();
    let list = match args.releases(&policy)? {
        Some(r) if !r.versions.is_empty() => r,
        _ => {
            return Err(Failure::usage(
                "no releases for the worked examples: pass --releases V,V,... or record releases in compat.lock",
            ));
        }
    };
    super::note_one_release(releases, &list, "the guide's worked examples use");
    let mut command = String::from("cargo compat doc");
    if let Some(p) = args.policy.path() {
        command.push_str(&format!(" --policy {}", p.display()));
    }
    if let Some(r) = releases {
        command.push_str(&format!(" --releases {r}"));
    }
    Ok(guide::write(&policy, &list, &command))
}
