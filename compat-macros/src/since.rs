//! Reading the versions written in `#[since("X.Y.Z")]` and `deprecated = "X.Y.Z"`.
//!
//! Both name a release that has shipped, so they must be plain `MAJOR.MINOR.PATCH`
//! releases: no pre-release, no build metadata, no leading `v`. The errors spell out the
//! corrected version, because the usual mistakes (`1.2`, `v1.2.0`) have one obvious fix.

use semver::Version;

/// Packs a release as `compat_runtime::guard::pack` does: the guard's one-compare form,
/// which both derives write into their tables.
pub(crate) fn pack(v: &Version) -> u64 {
    let cap = |v: u64, bits: u32| v.min((1 << bits) - 1);
    (cap(v.major, 24) << 40) | (cap(v.minor, 20) << 20) | cap(v.patch, 20)
}

/// Parses a release version, or says what is wrong with it and what to write instead.
pub(crate) fn parse_release(text: &str) -> Result<Version, String> {
    if text.trim() != text || text.contains(' ') {
        return Err(format!(
            "`{text}` contains spaces: write the version alone, e.g. `{}`",
            text.replace(' ', "")
        ));
    }
    if let Some(rest) = text.strip_prefix(['v', 'V'])
        && parse_release(rest).is_ok()
    {
        return Err(format!(
            "`{text}` has a leading `{}`: write `{rest}`",
            &text[..1]
        ));
    }
    match Version::parse(text) {
        Ok(version) if !version.pre.is_empty() => Err(format!(
            "`{text}` is a pre-release, but `since` names the release that first shipped it: \
             write `{}`",
            release_of(&version)
        )),
        Ok(version) if !version.build.is_empty() => Err(format!(
            "`{text}` carries build metadata, which versions ignore: write `{}`",
            release_of(&version)
        )),
        Ok(version) => Ok(version),
        Err(error) => Err(missing_parts(text).unwrap_or_else(|| {
            format!("`{text}` is not a version ({error}): write MAJOR.MINOR.PATCH, e.g. `0.9.0`")
        })),
    }
}

/// The release a version belongs to: `1.0.0` for `1.0.0-rc.1` and for `1.0.0+build`.
pub(crate) fn release_of(version: &Version) -> Version {
    Version::new(version.major, version.minor, version.patch)
}

/// `1.2` and `1`: numbers that only lack their tail.
fn missing_parts(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('.').collect();
    let numeric = parts
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()));
    match parts.len() {
        2 if numeric => Some(format!(
            "`{text}` is missing the patch number: write `{text}.0`"
        )),
        1 if numeric => Some(format!(
            "`{text}` is missing the minor and patch numbers: write `{text}.0.0`"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_release;

    #[test]
    fn a_release_parses() {
        assert_eq!(parse_release("0.9.3").unwrap().to_string(), "0.9.3");
    }

    #[test]
    fn a_missing_patch_is_spelled_out() {
        assert_eq!(
            parse_release("1.2").unwrap_err(),
            "`1.2` is missing the patch number: write `1.2.0`"
        );
        assert_eq!(
            parse_release("1").unwrap_err(),
            "`1` is missing the minor and patch numbers: write `1.0.0`"
        );
    }

    #[test]
    fn a_leading_v_is_refused_with_the_fix() {
        assert_eq!(
            parse_release("v0.8.0").unwrap_err(),
            "`v0.8.0` has a leading `v`: write `0.8.0`"
        );
    }

    #[test]
    fn a_pre_release_is_refused() {
        assert!(
            parse_release("1.0.0-rc.1")
                .unwrap_err()
                .contains("write `1.0.0`")
        );
        assert!(
            parse_release("1.0.0+linux")
                .unwrap_err()
                .contains("write `1.0.0`")
        );
    }

    #[test]
    fn garbage_says_what_a_version_looks_like() {
        assert!(
            parse_release("latest")
                .unwrap_err()
                .contains("MAJOR.MINOR.PATCH")
        );
        assert!(parse_release("0.9. 0").unwrap_err().contains("spaces"));
    }
}
