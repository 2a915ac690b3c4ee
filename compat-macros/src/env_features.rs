//! Decoding `COMPAT_FEATURES`, the named features of the policy (`[[feature]]`).
//!
//! # Format
//!
//! One entry per feature, separated by `;`:
//!
//! ```text
//! NAME|SINCE|UNTIL|ORIGIN
//! ```
//!
//! - `NAME`: the feature's name (letters, digits, `-`, `_`, `.`);
//! - `SINCE`: the first version that has it (a protocol version under `[protocol]`, else a
//!   release), or `*` for a capability only advertised, which no version implies;
//! - `UNTIL`: the version that removed it, or `*`;
//! - `ORIGIN`: where the `[[feature]]` table starts, percent-escaped as in `COMPAT_WINDOWS`.
//!
//! ```text
//! readlink|1.6.0|*|compat.toml:40:1;steal-filtered-upgrades|*|*|compat.toml:45:1
//! ```

use crate::env_escape::unescape;
use semver::Version;

/// One entry of `COMPAT_FEATURES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Feature {
    pub(crate) name: String,
    /// `None` for a capability only advertised.
    pub(crate) since: Option<Version>,
    pub(crate) until: Option<Version>,
    /// Where the `[[feature]]` table is: `compat.toml:40:1`.
    pub(crate) origin: String,
}

/// `COMPAT_PROTOCOL` (the protocol's name, under `[protocol]`) and `COMPAT_FEATURES`; a
/// malformed one is a problem, which ends with `rebuild`.
pub(crate) fn read(
    lookup: &impl Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
    rebuild: &str,
) -> (Option<String>, Vec<Feature>) {
    let protocol = lookup("COMPAT_PROTOCOL").map(|name| {
        unescape(&name).unwrap_or_else(|why| {
            problems.push(format!("COMPAT_PROTOCOL is malformed: {why}; {rebuild}"));
            name
        })
    });
    let features = lookup("COMPAT_FEATURES").map_or_else(Vec::new, |value| {
        decode(&value).unwrap_or_else(|why| {
            problems.push(format!("COMPAT_FEATURES is malformed: {why}; {rebuild}"));
            Vec::new()
        })
    });
    (protocol, features)
}

/// Decodes a `COMPAT_FEATURES` value; the error says which entry is malformed and how.
pub(crate) fn decode(value: &str) -> Result<Vec<Feature>, String> {
    value
        .split(';')
        .filter(|entry| !entry.is_empty())
        .enumerate()
        .map(|(index, entry)| {
            decode_entry(entry).map_err(|why| format!("entry {} `{entry}`: {why}", index + 1))
        })
        .collect()
}

fn decode_entry(entry: &str) -> Result<Feature, String> {
    let parts: Vec<&str> = entry.split('|').collect();
    let [name, since, until, origin] = parts[..] else {
        return Err(format!(
            "expected 4 `|`-separated parts, found {}",
            parts.len()
        ));
    };
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let version = |what: &str, text: &str| match text {
        "*" => Ok(None),
        text => Version::parse(text)
            .map(Some)
            .map_err(|error| format!("{what} `{text}` is neither `*` nor a version: {error}")),
    };
    Ok(Feature {
        name: name.to_owned(),
        since: version("SINCE", since)?,
        until: version("UNTIL", until)?,
        origin: unescape(origin)?,
    })
}

#[cfg(test)]
mod tests {
    use super::decode;
    use semver::Version;

    #[test]
    fn the_documented_example_decodes() {
        let features = decode(
            "readlink|1.6.0|*|compat.toml:40:1;steal-filtered-upgrades|*|*|compat.toml:45:1",
        )
        .unwrap();
        assert_eq!(features[0].name, "readlink");
        assert_eq!(features[0].since, Some(Version::new(1, 6, 0)));
        assert_eq!(features[0].until, None);
        assert_eq!(features[1].since, None);
        assert_eq!(features[1].origin, "compat.toml:45:1");
    }

    #[test]
    fn malformed_entries_say_what_is_wrong() {
        for (value, expected) in [
            ("a|1.0.0|*", "expected 4 `|`-separated parts, found 3"),
            ("|1.0.0|*|o", "the name is empty"),
            ("a|1.0|*|o", "SINCE `1.0` is neither `*` nor a version"),
            ("a|*|x|o", "UNTIL `x` is neither"),
        ] {
            let error = decode(value).unwrap_err();
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}
