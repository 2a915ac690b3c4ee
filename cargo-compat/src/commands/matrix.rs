//! `matrix`: which versions of which components may talk.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_compat::fleet_file::Fleet;
use cargo_compat::matrix::Matrix;

use crate::{Failure, fail, load, print_json};

/// How to draw the matrix.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MatrixFormat {
    Markdown,
    Json,
    Svg,
    Html,
}

pub(crate) fn run(
    policy_path: Option<PathBuf>,
    releases: Option<&str>,
    fleet: Option<PathBuf>,
    format: MatrixFormat,
) -> ExitCode {
    let json = if format == MatrixFormat::Json {
        crate::Format::Json
    } else {
        crate::Format::Human
    };
    let policy = match load(policy_path.as_deref()) {
        Ok(p) => p,
        Err(f) => return fail(json, f),
    };
    let mut list = match super::releases(releases, policy_path.as_deref(), &policy) {
        Ok(Some(r)) => r,
        Ok(None) => cargo_compat::releases::Releases {
            versions: Vec::new(),
            source: String::new(),
        },
        Err(f) => return fail(json, f),
    };
    if fleet.is_none() {
        super::note_one_release(releases, &list, "the matrix compares");
    }
    if let Some(path) = fleet {
        match Fleet::from_path(&policy, &path) {
            Ok(f) => list = list.with(&policy, f.members.iter().map(|m| m.peer.version.clone())),
            Err(e) => return fail(json, Failure::fleet(&e)),
        }
    }
    if list.versions.is_empty() {
        return fail(
            json,
            Failure::usage(
                "no releases to draw: pass --releases V,V,... (or --fleet FILE), or record releases in compat.lock",
            ),
        );
    }
    if list.versions.len() > cargo_compat::matrix::MAX_RELEASES {
        return fail(
            json,
            Failure::usage(format!(
                "{} releases: a matrix draws at most {}; pass the ones to compare with --releases",
                list.versions.len(),
                cargo_compat::matrix::MAX_RELEASES
            )),
        );
    }
    let matrix = Matrix::new(&policy, &list.versions);
    match format {
        MatrixFormat::Markdown => print!("{}", matrix.markdown()),
        MatrixFormat::Json => print_json(&matrix.json()),
        MatrixFormat::Svg => print!("{}", matrix.svg()),
        MatrixFormat::Html => print!("{}", matrix.html()),
    }
    ExitCode::SUCCESS
}
