//! `## Versioning`: how versions read, the pre-1.0 reading, unstable versions and
//! pre-releases.

use std::fmt::Write as _;

use compat_runtime::version::{MajorZero, WithReleases};

use super::context::Guide;
use crate::english::list_and;

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    let scheme = g.policy.scheme();
    out.push_str("\n## Versioning\n\n");
    let anatomy = g
        .releases
        .iter()
        .find(|r| {
            r.major > 0 && r.minor > 0 && r.patch > 0 && r.major != r.minor && r.minor != r.patch
        })
        .or(g.newest());
    out.push_str("Versions are `MAJOR.MINOR.PATCH`, following Semantic Versioning");
    match anatomy {
        Some(r) => {
            let _ = writeln!(
                out,
                ": `{r}` has major version `{}`, minor version `{}` and patch version `{}`.",
                r.major, r.minor, r.patch
            );
        }
        None => out.push_str(".\n"),
    }
    if scheme.major_zero == MajorZero::MinorIsMajor {
        let _ = writeln!(
            out,
            "\nBefore 1.0, a minor release acts as a major release and a patch release as a minor \
             one: `0.8.x` and `0.9.x` are different major lines (`major-zero = \"minor-is-major\"`{}). \
             Skews below still count minors and patches as written.",
            g.policy
                .parts()
                .scheme_origin
                .as_ref()
                .map_or(String::new(), |o| format!(", {o}"))
        );
    }
    if let Some(unstable) = g.policy.unstable() {
        let _ = writeln!(
            out,
            "\nVersions matching `{}` carry no compatibility guarantee: such a version talks \
             only to the identical version ({}).",
            unstable.value, unstable.origin
        );
    }
    if !scheme.prerelease_order.is_empty() {
        let tags: Vec<String> = scheme
            .prerelease_order
            .iter()
            .map(|t| format!("`-{t}`"))
            .collect();
        let _ = write!(
            out,
            "\nPre-releases rank {} < the release (`6.0.0-dev` < `6.0.0-alpha.1` < `6.0.0-rc.1` < `6.0.0` in this order).",
            tags.join(" < ")
        );
        match &scheme.with_releases {
            WithReleases::All => out.push_str(" Every pre-release may talk to releases.\n"),
            WithReleases::None => out.push_str(" No pre-release talks to a release.\n"),
            WithReleases::Tags(t) => {
                let _ = writeln!(
                    out,
                    " Only {} pre-releases may talk to releases; the others talk only to pre-releases.",
                    list_and(&t.iter().map(|x| format!("`-{x}`")).collect::<Vec<_>>())
                );
            }
        }
    }
}
