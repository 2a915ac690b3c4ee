//! `doc`: the generated compatibility and upgrade guide.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_compat::guide;

use crate::{Failure, Format, fail, load};

pub(crate) fn run(policy_path: Option<PathBuf>, releases: Option<&str>) -> ExitCode {
    let policy = match load(policy_path.as_deref()) {
        Ok(p) => p,
        Err(f) => return fail(Format::Human, f),
    };
    let list = match super::releases(releases, policy_path.as_deref(), &policy) {
        Ok(Some(r)) if !r.versions.is_empty() => r,
        Ok(_) => {
            return fail(
                Format::Human,
                Failure::usage(
                    "no releases for the worked examples: pass --releases V,V,... or record releases in compat.lock",
                ),
            );
        }
        Err(f) => return fail(Format::Human, f),
    };
    super::note_one_release(releases, &list, "the guide's worked examples use");
    let mut command = String::from("cargo compat doc");
    if let Some(p) = &policy_path {
        command.push_str(&format!(" --policy {}", p.display()));
    }
    if let Some(r) = releases {
        command.push_str(&format!(" --releases {r}"));
    }
    print!("{}", guide::write(&policy, &list, &command));
    ExitCode::SUCCESS
}
