//! English for the messages, the plan's output and the guide: lists, capitals, counts and
//! places in a file. The planner and the guide both write sentences; what they share lives
//! here, so neither borrows from the other.

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn list_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `Upgrade to 0.9.3` from `upgrade to 0.9.3`: the first letter in capitals.
pub(crate) fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// `text` as the start of a sentence: the first letter in capitals, unless the first word is
/// a name with capitals inside it (`vN binaries ...`), which stays as written.
pub(crate) fn sentence(text: &str) -> String {
    if text
        .split_whitespace()
        .next()
        .is_some_and(|w| w.chars().skip(1).any(char::is_uppercase))
    {
        return text.to_string();
    }
    capital(text)
}

/// `one` for a count of 1, else `many`: `plural(n, "step", "steps")`.
pub(crate) fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Places in one file with the file once: `compat.toml:42:1`, `51:1`, `60:1`.
pub(crate) fn same_file(places: impl IntoIterator<Item = String>) -> Vec<String> {
    let file = |o: &str| o.rsplitn(3, ':').nth(2).map(str::to_string);
    let mut first: Option<String> = None;
    places
        .into_iter()
        .map(|o| match (&first, file(&o)) {
            (Some(g), Some(f)) if *g == f => o[f.len() + 1..].to_string(),
            (None, f) => {
                first = f;
                o
            }
            _ => o,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn lists_join_with_commas_and_a_final_and() {
        assert_eq!(list_and(&[]), "");
        assert_eq!(list_and(&strings(&["server"])), "server");
        assert_eq!(list_and(&strings(&["server", "agent"])), "server and agent");
        assert_eq!(
            list_and(&strings(&["auth", "proxy", "node"])),
            "auth, proxy and node"
        );
    }

    #[test]
    fn capital_upper_cases_the_first_letter_only() {
        assert_eq!(capital("upgrade to 0.9.3"), "Upgrade to 0.9.3");
        assert_eq!(capital("élan"), "Élan");
        assert_eq!(capital(""), "");
        assert_eq!(capital("vN binaries"), "VN binaries");
    }

    #[test]
    fn a_sentence_keeps_a_leading_name_as_written() {
        assert_eq!(
            sentence("vN binaries talk to vN-1"),
            "vN binaries talk to vN-1"
        );
        assert_eq!(sentence("agent may be older"), "Agent may be older");
        assert_eq!(sentence("`agent` may be older"), "`agent` may be older");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn plural_picks_by_count() {
        assert_eq!(plural(1, "step", "steps"), "step");
        assert_eq!(plural(0, "step", "steps"), "steps");
        assert_eq!(plural(3, "says", "say"), "say");
    }

    #[test]
    fn places_in_one_file_name_the_file_once() {
        let places = same_file(strings(&[
            "compat.toml:42:1",
            "compat.toml:51:1",
            "other.toml:3:1",
            "compat.toml:60:1",
        ]));
        assert_eq!(
            places,
            ["compat.toml:42:1", "51:1", "other.toml:3:1", "60:1"]
        );
        assert_eq!(same_file(strings(&["code"])), ["code"]);
    }
}
