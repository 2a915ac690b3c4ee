//! Decoding `COMPAT_WINDOWS`, the windows the build script computed from the policy.
//!
//! # Format
//!
//! `compat_runtime::build` evaluates the policy for the crate version being built
//! (`COMPAT_VERSION`) and prints `cargo:rustc-env=COMPAT_WINDOWS=...`. The value lists one
//! entry per ordered pair of components that a rule relates (a component with itself
//! included), separated by `;`:
//!
//! ```text
//! SENDER>RECEIVER|OLDEST|NEWER|ORIGIN|TEXT
//! ```
//!
//! - `SENDER>RECEIVER`: the direction, as component names from `COMPAT_COMPONENTS`;
//! - `OLDEST`: the oldest `SENDER` version a `RECEIVER` at `COMPAT_VERSION` must still
//!   accept, or `*` when there is no limit;
//! - `NEWER`: `1` when a sender may be newer than its receiver, else `0`;
//! - `ORIGIN`: where the rule is written, e.g. `compat.toml:14:1`;
//! - `TEXT`: the rule in words, e.g. `agent may be one minor older than server, never newer`.
//!
//! `ORIGIN` and `TEXT` are percent-escaped: `%` is `%25`, `;` is `%3B`, `|` is `%7C` and a
//! newline is `%0A` (any other `%XX` also decodes). A pair absent from the list is related
//! by no rule. An empty value means no pair is related.
//!
//! ```text
//! agent>server|0.8.0|0|compat.toml:14:1|agent may be one minor older than server, never newer;server>agent|*|1|compat.toml:14:1|agent may be one minor older than server, never newer
//! ```

use crate::env_escape::unescape;
use semver::Version;

/// What a receiver must accept from one sender; one entry of `COMPAT_WINDOWS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) sender: String,
    pub(crate) receiver: String,
    /// The oldest sender version the receiver must accept; `None` for no limit.
    pub(crate) oldest: Option<Version>,
    /// Whether a sender may be newer than its receiver.
    pub(crate) newer: bool,
    /// Where the rule is written: `compat.toml:14:1`.
    pub(crate) origin: String,
    /// The rule in words.
    pub(crate) text: String,
}

/// Decodes a `COMPAT_WINDOWS` value; the error says which entry is malformed and how.
pub(crate) fn decode(value: &str) -> Result<Vec<Window>, String> {
    let mut windows: Vec<Window> = Vec::new();
    for (index, entry) in value.split(';').enumerate() {
        if entry.is_empty() {
            continue;
        }
        let window =
            decode_entry(entry).map_err(|why| format!("entry {} `{entry}`: {why}", index + 1))?;
        if windows
            .iter()
            .any(|seen| seen.sender == window.sender && seen.receiver == window.receiver)
        {
            return Err(format!(
                "entry {} `{entry}`: the pair {}>{} appears twice",
                index + 1,
                window.sender,
                window.receiver
            ));
        }
        windows.push(window);
    }
    Ok(windows)
}

fn decode_entry(entry: &str) -> Result<Window, String> {
    let parts: Vec<&str> = entry.split('|').collect();
    let [pair, oldest, newer, origin, text] = parts[..] else {
        return Err(format!(
            "expected 5 `|`-separated parts, found {}",
            parts.len()
        ));
    };
    let (sender, receiver) = pair
        .split_once('>')
        .filter(|(sender, receiver)| !sender.is_empty() && !receiver.is_empty())
        .ok_or_else(|| format!("expected SENDER>RECEIVER, found `{pair}`"))?;
    let oldest = match oldest {
        "*" => None,
        version => Some(Version::parse(version).map_err(|error| {
            format!("OLDEST `{version}` is neither `*` nor a version: {error}")
        })?),
    };
    let newer = match newer {
        "0" => false,
        "1" => true,
        other => return Err(format!("NEWER must be `0` or `1`, found `{other}`")),
    };
    Ok(Window {
        sender: sender.to_owned(),
        receiver: receiver.to_owned(),
        oldest,
        newer,
        origin: unescape(origin)?,
        text: unescape(text)?,
    })
}

#[cfg(test)]
mod tests {
    use super::{Window, decode};
    use semver::Version;

    const EXAMPLE: &str = "agent>server|0.8.0|0|compat.toml:14:1|agent may be one minor older than server, never newer;\
        server>agent|*|1|compat.toml:14:1|agent may be one minor older than server, never newer";

    #[test]
    fn the_documented_example_decodes() {
        let windows = decode(EXAMPLE).unwrap();
        assert_eq!(
            windows[0],
            Window {
                sender: "agent".into(),
                receiver: "server".into(),
                oldest: Some(Version::new(0, 8, 0)),
                newer: false,
                origin: "compat.toml:14:1".into(),
                text: "agent may be one minor older than server, never newer".into(),
            }
        );
        assert_eq!(windows[1].oldest, None);
        assert!(windows[1].newer);
    }

    #[test]
    fn an_empty_value_relates_nothing() {
        assert_eq!(decode("").unwrap(), Vec::new());
    }

    #[test]
    fn escapes_decode() {
        let windows = decode("a>b|*|0|Cargo.toml:3:1|x %25 %3B %7C%0Ay %41").unwrap();
        assert_eq!(windows[0].text, "x % ; |\ny A");
    }

    #[test]
    fn malformed_entries_say_what_is_wrong() {
        let cases = [
            ("a>b|*|0|o", "expected 5 `|`-separated parts, found 4"),
            ("ab|*|0|o|t", "expected SENDER>RECEIVER, found `ab`"),
            (">b|*|0|o|t", "expected SENDER>RECEIVER"),
            ("a>b|0.8|0|o|t", "OLDEST `0.8` is neither `*` nor a version"),
            ("a>b|*|yes|o|t", "NEWER must be `0` or `1`, found `yes`"),
            ("a>b|*|0|o|100%", "`%` must start an escape"),
            ("a>b|*|0|o|%zz", "`%` must start an escape"),
            ("a>b|*|0|o|%FF", "does not decode to UTF-8"),
            ("a>b|*|0|o|t;a>b|*|1|o|t", "the pair a>b appears twice"),
        ];
        for (value, expected) in cases {
            let error = decode(value).unwrap_err();
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}
