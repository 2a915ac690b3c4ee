//! A finding about a policy: what is wrong, where in the file, and what to do; rendered with
//! the source line and a caret under the offending text, as rustc renders its own.

use core::fmt;

use super::Origin;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// Allowed, but probably not what was meant.
    Warning,
}

/// One finding about a policy, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where, when known.
    pub origin: Option<Origin>,
    /// What is wrong, lowercase, one sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The source line and the width to underline, when the file was at hand.
    pub snippet: Option<(String, usize)>,
}

impl Diagnostic {
    pub(crate) fn error(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            origin,
            message: shorten_quoted(message.into()),
            help: None,
            snippet: None,
        }
    }

    pub(crate) fn warning(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(origin, message)
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic makes the policy unusable.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic without its `error: ` or `warning: ` label, for tools that add their
    /// own (Cargo's `cargo::error=` and `cargo::warning=` directives):
    /// `compat.toml:9:9: invalid skew ...`, then the snippet and the help, as in `Display`.
    /// The same text as `format!("{diagnostic:#}")`.
    pub fn render_plain(&self) -> String {
        format!("{self:#}")
    }
}

/// The most characters of a source line a snippet shows.
const SNIPPET_WIDTH: usize = 100;
/// How many characters before the column a shortened snippet keeps.
const SNIPPET_LEAD: usize = 40;

/// The part of `line` a snippet shows, at most [`SNIPPET_WIDTH`] characters around the
/// 1-based `column`, with `…` where it was cut; and where the caret starts in it (0-based, in
/// characters) and how many carets fit.
fn snippet_window(line: &str, column: u32, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let at = (column.saturating_sub(1) as usize).min(chars.len());
    if chars.len() <= SNIPPET_WIDTH {
        return (line.to_string(), at, width.max(1));
    }
    let mut start = at.saturating_sub(SNIPPET_LEAD);
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    start = start.min(end.saturating_sub(SNIPPET_WIDTH));
    let mut shown = String::new();
    let mut caret = at - start;
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret, width.min(end.saturating_sub(at)).max(1))
}

/// The longest quoted text (between backticks) a message repeats in full.
const MAX_QUOTED: usize = 60;

/// Shortens each backticked span longer than [`MAX_QUOTED`] to its start and its length, so
/// a 100 kB key or value is named, not echoed: `` `xxxx… (100000 bytes)` ``.
fn shorten_quoted(message: String) -> String {
    if message.len() <= MAX_QUOTED {
        return message;
    }
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len() < 3
        || parts
            .iter()
            .skip(1)
            .step_by(2)
            .all(|q| q.len() <= MAX_QUOTED)
    {
        return message;
    }
    let mut out = String::with_capacity(MAX_QUOTED * parts.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts lie between backticks (an unpaired last backtick leaves its tail as is).
        if i % 2 == 1 && i + 1 < parts.len() && part.len() > MAX_QUOTED {
            let head: String = part.chars().take(40).collect();
            out.push_str(&format!("{head}… ({} bytes)", part.len()));
        } else {
            out.push_str(part);
        }
    }
    out
}

impl fmt::Display for Diagnostic {
    /// `compat.toml:9:9: error: invalid skew ...`, with the source line, a caret under the
    /// offending text, and the help. The alternate form (`{:#}`) leaves out the `error: ` or
    /// `warning: ` label ([`Diagnostic::render_plain`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        };
        let label = if f.alternate() { "" } else { label };
        match &self.origin {
            Some(origin) => write!(f, "{origin}: {label}{}", self.message)?,
            None => write!(f, "{label}{}", self.message)?,
        }
        if let (Some(origin), Some((line, width))) = (&self.origin, &self.snippet) {
            let number = origin.line.to_string();
            let pad = " ".repeat(number.len());
            let (shown, caret, width) = snippet_window(line, origin.column, *width);
            let indent = " ".repeat(caret);
            write!(
                f,
                "\n{pad} |\n{number} | {shown}\n{pad} | {indent}{}",
                "^".repeat(width)
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}
