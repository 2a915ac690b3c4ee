//! The routes a recorded message travels: those it declares, and those of every message
//! that carries it in a field (directly, or in an `Option`, a `Vec`, a `Box`, a map, a
//! tuple; in a struct or in a variant), since it goes wherever its container goes. The
//! derive makes a carried message declare its containers' routes, but a release recorded
//! before it did, or by hand, may not: the lock finds the carriers itself, from the field
//! types it records, and compares a carried message on every route, saying which container
//! brings it. Flattened messages need none of this: their fields are recorded in their
//! container's place.
//!
//! A field's type is matched by its last path segment with the Rust names of the release's
//! messages, through the standard containers of [`CARRIERS`] only (`Id<Attachment>` is a
//! type of its own); a type alias hides what it stands for.

use super::carriers::{CARRIERS, SCALARS};
use super::file::{LockedField, LockedMessage};

/// One route a message travels, and the container that brings it there, if it does not
/// declare the route itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Travel {
    /// `server > agent`, as the lock writes routes.
    pub(super) route: String,
    /// `` `Post` (field `attachments`) ``.
    pub(super) carrier: Option<String>,
}

/// For each message of `messages` (in order), every route it travels: its own first, then
/// each one a carrier brings (transitively: a message in a message in `Post` travels
/// `Post`'s routes), each once.
pub(super) fn travels(messages: &[LockedMessage]) -> Vec<Vec<Travel>> {
    let mut travels: Vec<Vec<Travel>> = messages
        .iter()
        .map(|m| {
            m.routes
                .iter()
                .map(|route| Travel {
                    route: route.clone(),
                    carrier: None,
                })
                .collect()
        })
        .collect();
    let carried = carried_by(messages);
    // Each pass brings routes one container further; a route never leaves, so this ends.
    loop {
        let mut changed = false;
        for (container, held, carrier) in &carried {
            let brought: Vec<String> = travels[*container]
                .iter()
                .map(|travel| travel.route.clone())
                .collect();
            for route in brought {
                if travels[*held].iter().all(|travel| travel.route != route) {
                    travels[*held].push(Travel {
                        route,
                        carrier: Some(carrier.clone()),
                    });
                    changed = true;
                }
            }
        }
        if !changed {
            return travels;
        }
    }
}

/// `(container, carried, how)`: message `carried` travels in a field of `container`, which
/// `how` names (`` `Post` (field `attachments`) ``), by index into `messages`.
fn carried_by(messages: &[LockedMessage]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (container, m) in messages.iter().enumerate() {
        let fields = m.fields.iter().map(|f| (f, None)).chain(
            m.variants
                .iter()
                .flat_map(|v| v.fields.iter().map(move |f| (f, Some(v.name.as_str())))),
        );
        for (field, variant) in fields {
            for name in carried_names(&field.ty) {
                for (held, _) in messages
                    .iter()
                    .enumerate()
                    .filter(|(held, carried)| *held != container && base(&carried.name) == name)
                {
                    out.push((container, held, carrier(m, field, variant)));
                }
            }
        }
    }
    out
}

/// A recorded message's name without the arguments of a generic one: `CallInfo` for
/// `CallInfo<PipelineDataHeader>`, which a field's type names by its last segment.
fn base(name: &str) -> &str {
    name.split('<').next().unwrap_or(name)
}

/// `` `Post` (field `attachments`) ``, `` `Event` (field `0` of variant `Upload`) ``.
fn carrier(m: &LockedMessage, field: &LockedField, variant: Option<&str>) -> String {
    let name = match &field.via {
        Some(via) => format!("{via}.{}", field.name),
        None => field.name.clone(),
    };
    match variant {
        Some(variant) => format!("`{}` (field `{name}` of variant `{variant}`)", m.name),
        None => format!("`{}` (field `{name}`)", m.name),
    }
}

/// The names of the types a field of type `ty` (as the lock records it, `Vec<Attachment>`)
/// may carry messages as: the last segment of each path reached through [`CARRIERS`],
/// tuples, arrays, slices and references, but for the scalars.
pub(super) fn carried_names(ty: &str) -> Vec<&str> {
    let tokens = tokens(ty);
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
    };
    let mut out = Vec::new();
    parser.ty(Some(&mut out));
    out
}

/// A recorded field type as it travels, the way the derive now records it: `Box`, `Rc`,
/// `Arc`, `Cow` and references looked through, `str` as `String`, `[T]` as `Vec<T>`, no
/// lifetimes. A release recorded before the tables said what travels wrote `Box<Tree>`; it
/// compares equal to today's `Tree`.
pub(super) fn wire_text(ty: &str) -> String {
    let tokens = tokens(ty);
    let mut at = 0;
    let mut out = String::new();
    normalized(&tokens, &mut at, &mut out);
    // Anything the walk did not reach (a syntax it does not read) stays as written.
    for token in &tokens[at.min(tokens.len())..] {
        out.push_str(token);
    }
    out
}

/// One type of `tokens` from `at`, written normalized to `out` (see [`wire_text`]).
fn normalized(tokens: &[&str], at: &mut usize, out: &mut String) {
    let Some(&first) = tokens.get(*at) else {
        return;
    };
    match first {
        "&" => {
            *at += 1;
            if tokens.get(*at).is_some_and(|t| t.starts_with('\'')) {
                *at += 1;
            }
            if tokens.get(*at) == Some(&"mut") {
                *at += 1;
            }
            normalized(tokens, at, out);
        }
        "(" => {
            *at += 1;
            out.push('(');
            let mut first = true;
            while tokens.get(*at).is_some_and(|t| *t != ")") {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                normalized(tokens, at, out);
                if tokens.get(*at) == Some(&",") {
                    *at += 1;
                }
            }
            *at += 1;
            out.push(')');
        }
        "[" => {
            *at += 1;
            let mut elem = String::new();
            normalized(tokens, at, &mut elem);
            if tokens.get(*at) == Some(&"]") {
                *at += 1;
                out.push_str(&format!("Vec<{elem}>"));
                return;
            }
            out.push('[');
            out.push_str(&elem);
            while let Some(&token) = tokens.get(*at) {
                *at += 1;
                if token == "]" {
                    break;
                }
                out.push_str(if token == ";" { "; " } else { token });
            }
            out.push(']');
        }
        _ => normalized_path(tokens, at, out),
    }
}

/// A path with its generic arguments, normalized.
fn normalized_path(tokens: &[&str], at: &mut usize, out: &mut String) {
    let mut path = String::new();
    let mut last = "";
    if tokens.get(*at) == Some(&"::") {
        path.push_str("::");
        *at += 1;
    }
    while let Some(&word) = tokens.get(*at) {
        if !word.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            break;
        }
        path.push_str(word);
        last = word;
        *at += 1;
        if tokens.get(*at) == Some(&"::") {
            path.push_str("::");
            *at += 1;
        } else {
            break;
        }
    }
    if path.is_empty() {
        // A token this walk does not read: keep it, and go on after it.
        out.push_str(tokens.get(*at).copied().unwrap_or_default());
        *at += 1;
        return;
    }
    let mut arguments: Vec<String> = Vec::new();
    if tokens.get(*at) == Some(&"<") {
        *at += 1;
        while tokens.get(*at).is_some_and(|t| *t != ">") {
            if tokens.get(*at).is_some_and(|t| t.starts_with('\'')) {
                *at += 1;
            } else {
                let mut argument = String::new();
                normalized(tokens, at, &mut argument);
                arguments.push(argument);
            }
            if tokens.get(*at) == Some(&",") {
                *at += 1;
            }
        }
        *at += 1;
    }
    if ["Box", "Rc", "Arc", "Cow"].contains(&last) && !arguments.is_empty() {
        out.push_str(&arguments[0]);
    } else if path == "str" {
        out.push_str("String");
    } else if arguments.is_empty() {
        out.push_str(&path);
    } else {
        out.push_str(&format!("{path}<{}>", arguments.join(", ")));
    }
}

/// A type's text in tokens: words (identifiers and numbers), lifetimes, `::` and single
/// characters.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        } else if c == '\'' || c.is_alphanumeric() || c == '_' {
            let tail = &rest[c.len_utf8()..];
            c.len_utf8()
                + tail
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '#'))
                    .unwrap_or(tail.len())
        } else if rest.starts_with("::") {
            2
        } else {
            c.len_utf8()
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
    out
}

/// A recursive descent over [`tokens`], just deep enough to find the carried names.
struct Parser<'t, 'a> {
    tokens: &'t [&'a str],
    at: usize,
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.at).copied()
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.peek() == Some(token);
        if found {
            self.at += 1;
        }
        found
    }

    /// One type; the names it carries go to `out`, when given.
    fn ty(&mut self, mut out: Option<&mut Vec<&'a str>>) {
        match self.peek() {
            Some("&") => {
                self.at += 1;
                if self.peek().is_some_and(|t| t.starts_with('\'')) {
                    self.at += 1;
                }
                self.eat("mut");
                self.ty(out);
            }
            Some("(") => {
                self.at += 1;
                while !self.eat(")") && self.peek().is_some() {
                    self.ty(out.as_deref_mut());
                    self.skip_to(&[",", ")"]);
                    self.eat(",");
                }
            }
            Some("[") => {
                self.at += 1;
                self.ty(out);
                self.skip_to(&["]"]);
                self.eat("]");
            }
            Some(_) => self.path(out),
            None => {}
        }
    }

    /// A path with its generic arguments: a carrier's arguments are carried, any other
    /// path is carried itself (but a scalar).
    fn path(&mut self, out: Option<&mut Vec<&'a str>>) {
        self.eat("::");
        let mut last = None;
        while let Some(word) = self
            .peek()
            .filter(|t| t.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        {
            self.at += 1;
            last = Some(word.trim_start_matches("r#"));
            if !self.eat("::") {
                break;
            }
        }
        let Some(last) = last else {
            // Something this parser does not read (`dyn`, `fn`, a macro): step over it.
            self.at += 1;
            return;
        };
        let carrier = CARRIERS.contains(&last);
        let generic = self.eat("<");
        if let Some(out) = out {
            if generic && carrier {
                self.arguments(Some(out));
                return;
            }
            if generic || !SCALARS.contains(&last) {
                out.push(last);
            }
        }
        if generic {
            self.arguments(None);
        }
    }

    /// The generic arguments after `<`, through the closing `>`.
    fn arguments(&mut self, mut out: Option<&mut Vec<&'a str>>) {
        while !self.eat(">") && self.peek().is_some() {
            if self.peek().is_some_and(|t| t.starts_with('\'')) {
                self.at += 1;
            } else {
                self.ty(out.as_deref_mut());
            }
            self.skip_to(&[",", ">"]);
            self.eat(",");
        }
    }

    /// Steps over tokens (and nested brackets) up to one of `stops`, at this depth.
    fn skip_to(&mut self, stops: &[&str]) {
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            if depth == 0 && stops.contains(&token) {
                return;
            }
            match token {
                "<" | "(" | "[" => depth += 1,
                ">" | ")" | "]" => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::carried_names;
    use crate::lock::carriers::CARRIED;

    #[test]
    fn a_recorded_type_reads_as_it_travels() {
        for (recorded, travels) in [
            ("Box<Tree>", "Tree"),
            ("Option<Box<Tree>>", "Option<Tree>"),
            ("std::sync::Arc<Vec<Value>>", "Vec<Value>"),
            ("Cow<'a, str>", "String"),
            ("&'a [Attachment]", "Vec<Attachment>"),
            ("Note<'a>", "Note"),
            ("(u8, Box<str>)", "(u8, String)"),
            ("[u8; 4]", "[u8; 4]"),
            ("HashMap<String, Vec<u8>>", "HashMap<String, Vec<u8>>"),
            ("map<String, Value>", "map<String, Value>"),
        ] {
            assert_eq!(super::wire_text(recorded), travels, "{recorded}");
        }
    }

    #[test]
    fn carried_names_go_through_the_standard_containers_only() {
        for (ty, names) in CARRIED {
            assert_eq!(&carried_names(ty), names, "{ty}");
        }
    }
}
