//! `matrix`: which versions of which components may talk, as Markdown, JSON, SVG or a
//! self-contained HTML page.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_compat::fleet_file::Fleet;
use cargo_compat::matrix::{MAX_RELEASES, Matrix};
use cargo_compat::releases::Releases;

use super::{Coverage, Format, formats};
use crate::failure::{Failure, load, print_json};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy, and the releases to draw.
    #[command(flatten)]
    coverage: Coverage,
    /// A fleet file whose versions are drawn too.
    #[arg(long, value_name = "FILE")]
    fleet: Option<PathBuf>,
    /// Output: markdown, json, svg, or a self-contained html page.
    #[arg(long, default_value = "markdown", value_parser = formats(&["markdown", "json", "svg", "html"]))]
    format: Format,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    match draw(args) {
        Ok(matrix) => {
            match args.format {
                Format::Json => print_json(&matrix.json()),
                Format::Svg => print!("{}", matrix.svg()),
                Format::Html => print!("{}", matrix.html()),
                Format::Markdown | Format::Human => print!("{}", matrix.markdown()),
            }
            ExitCode::SUCCESS
        }
        Err(failure) => failure.report(args.format),
    }
}

fn draw(args: &Args) -> Result<Matrix, Failure> {
    let policy = load(args.coverage.policy.path())?;
    let given = args.coverage.releases.releases.as_deref();
    let mut list = args.coverage.releases(&policy)?.unwrap_or(Releases {
        versions: Vec::new(),
        source: String::new(),
    });
    match &args.fleet {
        None => super::note_one_release(given, &list, "the matrix compares"),
        Some(path) => {
            let fleet = Fleet::from_path(&policy, path).map_err(|e| Failure::fleet(&e))?;
            list = list.with(
                &policy,
                fleet.members.iter().map(|m| m.peer.version.clone()),
            );
        }
    }
    if list.versions.is_empty() {
        return Err(Failure::usage(
            "no releases to draw: pass --releases V,V,... (or --fleet FILE), or record releases in compat.lock",
        ));
    }
    if list.versions.len() > MAX_RELEASES {
        return Err(Failure::usage(format!(
            "{} releases: a matrix draws at most {MAX_RELEASES}; pass the ones to compare with --releases",
            list.versions.len(),
        )));
    }
    Ok(Matrix::new(&policy, &list.versions))
}
