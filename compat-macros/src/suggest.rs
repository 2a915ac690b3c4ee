//! "Did you mean" hints for misspelt keys and component names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (distance(word, candidate), candidate))
        .filter(|&(distance, candidate)| distance <= 2.min(candidate.len() / 2).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// The Damerau–Levenshtein (optimal string alignment) distance: a swap of two adjacent
/// letters counts once, as in `defualt`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut table = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in table.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in table[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[i - 1][j] + 1)
                .min(table[i][j - 1] + 1)
                .min(table[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[i - 2][j - 2] + 1);
            }
            table[i][j] = best;
        }
    }
    table[a.len()][b.len()]
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
}
