//! "Did you mean": the closest known name to a mistyped one.
//!
//! A name matches a candidate when the two differ only in case (`AGENT` and `agent`), when
//! they are at most two edits apart (`sever`, `serv`, `servers` and `server`) and the edits
//! change less than half of the longer name (so `ab` never suggests `cd`), or when the name
//! is the start of exactly one candidate (`license` and `license-server`).

/// The longest name compared; longer names are never typos of a component.
const MAX_LEN: usize = 64;

/// The candidate `name` most likely stands for, if one is close enough. Among equally close
/// candidates, the first wins. An exact match is not a suggestion: it returns `None`.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.is_empty() || name.len() > MAX_LEN {
        return None;
    }
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    let mut prefixed: Vec<&'a str> = Vec::new();
    for candidate in candidates {
        if candidate == name || candidate.len() > MAX_LEN {
            continue;
        }
        let folded = candidate.to_lowercase();
        let distance = if folded == lower {
            0
        } else {
            levenshtein(&lower, &folded)
        };
        let longer = lower.chars().count().max(folded.chars().count());
        if distance <= 2 && distance * 2 < longer && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
        if lower.chars().count() >= 3 && folded.starts_with(&lower) {
            prefixed.push(candidate);
        }
    }
    match (best, prefixed.as_slice()) {
        (Some((_, c)), _) => Some(c),
        (None, [only]) => Some(only),
        _ => None,
    }
}

/// The number of single-character insertions, deletions and substitutions between `a` and
/// `b`.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{levenshtein, suggest};

    const SPIRE: [&str; 2] = ["server", "agent"];
    const MIRRORD: [&str; 4] = ["license-server", "operator", "agent", "cli"];

    #[test]
    fn typos_case_and_prefixes_are_suggested() {
        assert_eq!(suggest("serv", SPIRE), Some("server"));
        assert_eq!(suggest("sever", SPIRE), Some("server"));
        assert_eq!(suggest("servers", SPIRE), Some("server"));
        assert_eq!(suggest("AGENT", SPIRE), Some("agent"));
        assert_eq!(suggest("Agent", SPIRE), Some("agent"));
        assert_eq!(suggest("agnet", SPIRE), Some("agent"));
        assert_eq!(suggest("license", MIRRORD), Some("license-server"));
        assert_eq!(suggest("operater", MIRRORD), Some("operator"));
        assert_eq!(suggest("cl", MIRRORD), Some("cli"));
    }

    #[test]
    fn unrelated_exact_and_huge_names_are_not() {
        assert_eq!(suggest("ghost", SPIRE), None);
        assert_eq!(suggest("server", SPIRE), None);
        assert_eq!(suggest("", SPIRE), None);
        assert_eq!(suggest("ab", ["cd"]), None);
        assert_eq!(suggest("web", ["cli"]), None);
        assert_eq!(suggest(&"s".repeat(10_000), SPIRE), None);
        // A prefix of two candidates is ambiguous.
        assert_eq!(
            suggest("licen", ["license-server", "license-manager"]),
            None
        );
    }

    #[test]
    fn the_closest_wins_and_ties_go_to_the_first() {
        assert_eq!(suggest("nodes", ["nodexyz", "node"]), Some("node"));
        assert_eq!(suggest("ab1", ["ab2", "ab3"]), Some("ab2"));
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("é", "e"), 1);
    }
}
