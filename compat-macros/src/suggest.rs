//! "Did you mean": the known name a misspelt key or component most likely stands for.
//!
//! One file serves both crates, so that a typo gets the same answer from the derive as from
//! the policy linter, `check` and the handshake: compat-runtime's `src/suggest.rs` is a
//! symlink to this one (which `cargo package` packs as a copy). The rule:
//!
//! - names are compared in lowercase (`AGENT` and `Agent` stand for `agent`); a candidate
//!   identical to the name is no suggestion, and names longer than 64 characters are never
//!   compared;
//! - a candidate matches when the optimal string alignment distance between the two
//!   ([`strsim::osa_distance`]: insertions, deletions, substitutions and swaps of two
//!   adjacent characters, one edit each) is at most 2 and less than half the length of the
//!   longer, in characters: `2 * distance < longer` (`defualt` and `default`, `sever` and
//!   `server`, never `ab` and `cd`);
//! - the closest match wins; of equally close ones, the first candidate;
//! - failing a match, a name of 3 characters or more that starts exactly one candidate
//!   suggests it (`license` and `license-server`).

/// The most edits a typo may take.
const MAX_EDITS: usize = 2;
/// The shortest name that may stand for the one candidate it starts.
const MIN_PREFIX: usize = 3;
/// The longest name compared.
const MAX_LEN: usize = 64;

/// The candidate `word` most likely stands for, if one is close enough (see the module's
/// rule).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.is_empty() || word.chars().count() > MAX_LEN {
        return None;
    }
    let lower = word.to_lowercase();
    let length = lower.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    let mut started: Vec<&'a str> = Vec::new();
    for candidate in candidates {
        if candidate == word || candidate.chars().count() > MAX_LEN {
            continue;
        }
        let folded = candidate.to_lowercase();
        let candidate_length = folded.chars().count();
        let edits = strsim::osa_distance(&lower, &folded);
        let longer = length.max(candidate_length);
        if edits <= MAX_EDITS && 2 * edits < longer && best.is_none_or(|(fewest, _)| edits < fewest)
        {
            best = Some((edits, candidate));
        }
        if length >= MIN_PREFIX && folded.starts_with(&lower) {
            started.push(candidate);
        }
    }
    match (best, started.as_slice()) {
        (Some((_, candidate)), _) => Some(candidate),
        (None, [only]) => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_find_their_word() {
        assert_eq!(
            closest("defualt", ["default", "ignorable"]),
            Some("default")
        );
        assert_eq!(closest("agnet", ["server", "agent"]), Some("agent"));
        assert_eq!(
            closest("ignorabel", ["default", "ignorable"]),
            Some("ignorable")
        );
    }

    #[test]
    fn unrelated_words_find_nothing() {
        assert_eq!(closest("rename", ["default", "ignorable"]), None);
        assert_eq!(closest("db", ["web", "agent"]), None);
    }

    /// The cases compat-runtime's suggestions answer, answered the same here.
    #[test]
    fn case_prefixes_and_ties_follow_the_shared_rule() {
        const SPIRE: [&str; 2] = ["server", "agent"];
        const MIRRORD: [&str; 4] = ["license-server", "operator", "agent", "cli"];
        for (word, meant) in [
            ("serv", "server"),
            ("sever", "server"),
            ("servre", "server"),
            ("servers", "server"),
            ("AGENT", "agent"),
            ("Agent", "agent"),
        ] {
            assert_eq!(closest(word, SPIRE), Some(meant), "{word}");
        }
        assert_eq!(closest("license", MIRRORD), Some("license-server"));
        assert_eq!(closest("operater", MIRRORD), Some("operator"));
        assert_eq!(closest("cl", MIRRORD), Some("cli"));
        assert_eq!(closest("nodes", ["nodexyz", "node"]), Some("node"));
        assert_eq!(closest("ab1", ["ab2", "ab3"]), Some("ab2"));
        for (word, candidates) in [
            ("ghost", &SPIRE[..]),
            ("server", &SPIRE[..]),
            ("", &SPIRE[..]),
            ("ab", &["cd"][..]),
            ("web", &["cli"][..]),
            ("licen", &["license-server", "license-manager"][..]),
        ] {
            assert_eq!(closest(word, candidates.iter().copied()), None, "{word}");
        }
        assert_eq!(closest(&"s".repeat(10_000), SPIRE), None);
    }
}
