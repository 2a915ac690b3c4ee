//! serde's case conventions for `rename_all` and `rename_all_fields`, applied exactly as
//! serde applies them: a field name is taken to be `snake_case` and a variant name
//! `PascalCase`, and each convention rewrites from there (so `rename_all = "snake_case"`
//! leaves a field alone but splits a variant at each capital).

/// One of the eight conventions serde accepts.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Case {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

const ALL: [(&str, Case); 8] = [
    ("lowercase", Case::Lower),
    ("UPPERCASE", Case::Upper),
    ("PascalCase", Case::Pascal),
    ("camelCase", Case::Camel),
    ("snake_case", Case::Snake),
    ("SCREAMING_SNAKE_CASE", Case::ScreamingSnake),
    ("kebab-case", Case::Kebab),
    ("SCREAMING-KEBAB-CASE", Case::ScreamingKebab),
];

impl Case {
    /// The convention serde spells `text`; `None` for anything else, which serde reports.
    pub(crate) fn from_serde(text: &str) -> Option<Self> {
        ALL.iter()
            .find(|(name, _)| *name == text)
            .map(|(_, case)| *case)
    }

    /// The name of the matching `compat_runtime::message::Case` variant.
    pub(crate) fn variant_name(self) -> &'static str {
        match self {
            Self::Lower => "Lower",
            Self::Upper => "Upper",
            Self::Pascal => "Pascal",
            Self::Camel => "Camel",
            Self::Snake => "Snake",
            Self::ScreamingSnake => "ScreamingSnake",
            Self::Kebab => "Kebab",
            Self::ScreamingKebab => "ScreamingKebab",
        }
    }

    /// A field name (`snake_case` in Rust) under this convention.
    pub(crate) fn field(self, name: &str) -> String {
        match self {
            Self::Lower | Self::Snake => name.to_owned(),
            Self::Upper | Self::ScreamingSnake => name.to_ascii_uppercase(),
            Self::Pascal => words_capitalised(name),
            Self::Camel => lower_first(&words_capitalised(name)),
            Self::Kebab => name.replace('_', "-"),
            Self::ScreamingKebab => name.to_ascii_uppercase().replace('_', "-"),
        }
    }

    /// A variant name (`PascalCase` in Rust) under this convention.
    pub(crate) fn variant(self, name: &str) -> String {
        match self {
            Self::Pascal => name.to_owned(),
            Self::Lower => name.to_ascii_lowercase(),
            Self::Upper => name.to_ascii_uppercase(),
            Self::Camel => lower_first(name),
            Self::Snake => split_at_capitals(name, '_'),
            Self::ScreamingSnake => split_at_capitals(name, '_').to_ascii_uppercase(),
            Self::Kebab => split_at_capitals(name, '-'),
            Self::ScreamingKebab => split_at_capitals(name, '-').to_ascii_uppercase(),
        }
    }
}

/// `very_tasty` as `VeryTasty`: each character after an underscore (and the first) in
/// upper case, underscores dropped.
fn words_capitalised(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut capital = true;
    for ch in name.chars() {
        if ch == '_' {
            capital = true;
        } else if capital {
            out.push(ch.to_ascii_uppercase());
            capital = false;
        } else {
            out.push(ch);
        }
    }
    out
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `VeryTasty` as `very_tasty`: a separator before every upper-case character but the
/// first, everything in lower case.
fn split_at_capitals(name: &str, separator: char) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (index, ch) in name.char_indices() {
        if index > 0 && ch.is_uppercase() {
            out.push(separator);
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Case;

    /// serde's own table of conversions (serde_derive's `case.rs` tests), so that a name
    /// here is the name serde writes.
    #[test]
    fn variants_convert_as_serde_converts_them() {
        let rows: [[&str; 8]; 4] = [
            [
                "Outcome", "outcome", "OUTCOME", "outcome", "outcome", "OUTCOME", "outcome",
                "OUTCOME",
            ],
            [
                "VeryTasty",
                "verytasty",
                "VERYTASTY",
                "veryTasty",
                "very_tasty",
                "VERY_TASTY",
                "very-tasty",
                "VERY-TASTY",
            ],
            ["A", "a", "A", "a", "a", "A", "a", "A"],
            ["Z42", "z42", "Z42", "z42", "z42", "Z42", "z42", "Z42"],
        ];
        for [
            original,
            lower,
            upper,
            camel,
            snake,
            screaming,
            kebab,
            screaming_kebab,
        ] in rows
        {
            assert_eq!(Case::Pascal.variant(original), original);
            assert_eq!(Case::Lower.variant(original), lower);
            assert_eq!(Case::Upper.variant(original), upper);
            assert_eq!(Case::Camel.variant(original), camel);
            assert_eq!(Case::Snake.variant(original), snake);
            assert_eq!(Case::ScreamingSnake.variant(original), screaming);
            assert_eq!(Case::Kebab.variant(original), kebab);
            assert_eq!(Case::ScreamingKebab.variant(original), screaming_kebab);
        }
    }

    #[test]
    fn fields_convert_as_serde_converts_them() {
        let rows: [[&str; 7]; 4] = [
            [
                "outcome", "OUTCOME", "Outcome", "outcome", "OUTCOME", "outcome", "OUTCOME",
            ],
            [
                "very_tasty",
                "VERY_TASTY",
                "VeryTasty",
                "veryTasty",
                "VERY_TASTY",
                "very-tasty",
                "VERY-TASTY",
            ],
            ["a", "A", "A", "a", "A", "a", "A"],
            ["z42", "Z42", "Z42", "z42", "Z42", "z42", "Z42"],
        ];
        for [
            original,
            upper,
            pascal,
            camel,
            screaming,
            kebab,
            screaming_kebab,
        ] in rows
        {
            assert_eq!(Case::Lower.field(original), original);
            assert_eq!(Case::Snake.field(original), original);
            assert_eq!(Case::Upper.field(original), upper);
            assert_eq!(Case::Pascal.field(original), pascal);
            assert_eq!(Case::Camel.field(original), camel);
            assert_eq!(Case::ScreamingSnake.field(original), screaming);
            assert_eq!(Case::Kebab.field(original), kebab);
            assert_eq!(Case::ScreamingKebab.field(original), screaming_kebab);
        }
    }

    #[test]
    fn only_serdes_spellings_are_conventions() {
        assert_eq!(
            Case::from_serde("SCREAMING-KEBAB-CASE"),
            Some(Case::ScreamingKebab)
        );
        assert_eq!(Case::from_serde("camelcase"), None);
        assert_eq!(Case::from_serde("snake-case"), None);
    }
}
