//! What a command prints: the one output-format enum, and the `--format` parser of each
//! command, which takes only the forms that command draws.

use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};

/// What a command prints. Each command takes the forms it can draw (see [`formats`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum Format {
    /// Sentences for a person (`check`, `plan`: also spelt `text`).
    #[value(alias = "text")]
    Human,
    /// One JSON object on stdout, errors included.
    Json,
    Markdown,
    Svg,
    /// A self-contained HTML page.
    Html,
}

impl Format {
    /// Whether the raw arguments ask for JSON. clap stops at the first bad argument, so a
    /// command line it cannot parse tells nothing of the format it asked for; read it here,
    /// so that even an argument error reaches a script as JSON.
    pub(crate) fn requested_json(args: &[String]) -> bool {
        args.iter().any(|a| a == "--format=json")
            || args
                .windows(2)
                .any(|w| w[0] == "--format" && w[1] == "json")
    }
}

/// The `--format` parser of a command that draws the forms named `names` (`human` or
/// `text` for [`Format::Human`]): other names are refused by clap, listing these.
pub(crate) fn formats(names: &'static [&'static str]) -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(names)
        .map(|name| Format::from_str(&name, false).expect("every listed name is a Format"))
}
