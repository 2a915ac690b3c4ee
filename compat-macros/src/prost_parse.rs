//! `#[derive(ProstCompat)]`, the reading below the tree: attribute arguments (`key`,
//! `key = "value"`, `key(...)`), literals and paths, read off proc-macro2's token trees
//! with syn's rules and syn's error messages, so that the derive compiles without syn (see
//! the crate's docs) and its errors read as they did when syn read these forms.

use crate::error::Error;
use proc_macro2::{Delimiter, Ident, Literal, Spacing, Span, TokenStream, TokenTree};

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// A position in a list of token trees, with the span an error at its end points at (the
/// closing delimiter of the group it reads, as syn's `ParseBuffer` scope).
pub(crate) struct Cursor<'a> {
    trees: &'a [TokenTree],
    pos: usize,
    scope: Span,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(trees: &'a [TokenTree], scope: Span) -> Self {
        Cursor {
            trees,
            pos: 0,
            scope,
        }
    }

    pub(crate) fn peek(&self) -> Option<&'a TokenTree> {
        self.trees.get(self.pos)
    }

    fn peek_nth(&self, n: usize) -> Option<&'a TokenTree> {
        self.trees.get(self.pos + n)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.trees.len()
    }

    pub(crate) fn next(&mut self) -> Option<&'a TokenTree> {
        let tree = self.trees.get(self.pos)?;
        self.pos += 1;
        Some(tree)
    }

    /// An error at the next token (a group's opening delimiter), or at the scope with
    /// "unexpected end of input" when there is none: syn's `ParseBuffer::error`.
    pub(crate) fn error(&self, message: &str) -> Error {
        match self.peek() {
            Some(TokenTree::Group(group)) => Error::new(group.span_open(), message),
            Some(tree) => Error::new(tree.span(), message),
            None => Error::new(self.scope, format!("unexpected end of input, {message}")),
        }
    }

    /// The span of the token before the next one.
    pub(crate) fn prev_span(&self) -> Span {
        self.pos
            .checked_sub(1)
            .and_then(|prev| self.trees.get(prev))
            .map_or(self.scope, TokenTree::span)
    }

    pub(crate) fn peek_punct(&self, ch: char) -> bool {
        matches!(self.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ch)
    }

    /// `::`, as syn peeks it: a joint `:` and another.
    fn peek_path_sep(&self, at: usize) -> bool {
        matches!(
            (self.peek_nth(at), self.peek_nth(at + 1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
        )
    }

    pub(crate) fn peek_group(&self, delimiter: Delimiter) -> bool {
        matches!(self.peek(), Some(TokenTree::Group(g)) if g.delimiter() == delimiter)
    }

    /// The punctuation `ch`, or syn's "expected `ch`" (at the next token or the scope,
    /// never "unexpected end of input", as syn words a missing punctuation).
    pub(crate) fn punct(&mut self, ch: char) -> Result<()> {
        if self.peek_punct(ch) {
            self.pos += 1;
            return Ok(());
        }
        let span = self.peek().map_or(self.scope, TokenTree::span);
        Err(Error::new(span, format!("expected `{ch}`")))
    }

    /// A literal as syn's `Lit` reads one (a literal token, `true` or `false`, or a negative
    /// number): `Some` with a string literal's value, `None` for any other.
    pub(crate) fn lit(&mut self) -> Result<Option<String>> {
        match (self.peek(), self.peek_nth(1)) {
            (Some(TokenTree::Literal(lit)), _) => {
                self.pos += 1;
                Ok(string_value(lit))
            }
            (Some(TokenTree::Ident(word)), _) if word == "true" || word == "false" => {
                self.pos += 1;
                Ok(None)
            }
            (Some(TokenTree::Punct(minus)), Some(TokenTree::Literal(lit)))
                if minus.as_char() == '-' && is_number(lit) =>
            {
                self.pos += 2;
                Ok(None)
            }
            _ => Err(self.error("expected literal")),
        }
    }

    /// A string literal's value, or syn's "expected string literal".
    pub(crate) fn lit_str(&mut self) -> Result<(String, Span)> {
        if let Some(TokenTree::Literal(lit)) = self.peek()
            && let Some(value) = string_value(lit)
        {
            self.pos += 1;
            return Ok((value, lit.span()));
        }
        Err(self.error("expected string literal"))
    }

    /// Nothing left, or syn's "unexpected token" (`delimiter`: the group being read).
    pub(crate) fn end(&self, delimiter: Delimiter) -> Result<()> {
        let Some(tree) = self.peek() else {
            return Ok(());
        };
        let message = match delimiter {
            Delimiter::Parenthesis => "unexpected token, expected `)`",
            Delimiter::Brace => "unexpected token, expected `}`",
            Delimiter::Bracket => "unexpected token, expected `]`",
            Delimiter::None => "unexpected token",
        };
        Err(Error::new(tree.span(), message))
    }
}

/// `tokens` with the invisible groups a macro's fragments make (`$routes:expr` in
/// `#[compat(routes = $routes)]`) opened, as syn's cursor reads through them.
pub(crate) fn flat(tokens: TokenStream) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for tree in tokens {
        match tree {
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                out.extend(flat(group.stream()));
            }
            tree => out.push(tree),
        }
    }
    out
}

/// The key of one entry of an attribute's list (syn's `ParseNestedMeta::path`).
pub(crate) struct Key {
    /// The key when it is one word (syn's `Path::get_ident`).
    pub(crate) ident: Option<Ident>,
    /// Its first word's span, where syn's `ParseNestedMeta::error` starts.
    first: Span,
}

impl Key {
    /// The word, or `""` for a path.
    pub(crate) fn name(&self) -> String {
        self.ident
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// An error from the key to the last token read: syn's `ParseNestedMeta::error`.
    pub(crate) fn error(&self, input: &Cursor<'_>, message: impl std::fmt::Display) -> Error {
        Error::range(self.first, input.prev_span(), message)
    }
}

/// The entries of `key, key = value, key(...)`, each handed to `entry` to read its value:
/// syn's `parse_nested_meta`, with its errors.
pub(crate) fn nested_meta(
    input: &mut Cursor<'_>,
    mut entry: impl FnMut(Key, &mut Cursor<'_>) -> Result<()>,
) -> Result<()> {
    if input.is_empty() {
        return Ok(());
    }
    loop {
        let key = meta_path(input)?;
        entry(key, input)?;
        if input.is_empty() {
            return Ok(());
        }
        input.punct(',')?;
        if input.is_empty() {
            return Ok(());
        }
    }
}

/// A key: a path whose words may be keywords.
fn meta_path(input: &mut Cursor<'_>) -> Result<Key> {
    let leading_colon = input.peek_path_sep(0);
    if leading_colon {
        input.pos += 2;
    }
    let first = match input.peek() {
        Some(TokenTree::Ident(ident)) => {
            input.pos += 1;
            ident.clone()
        }
        None => return Err(input.error("expected nested attribute")),
        Some(TokenTree::Literal(_)) => {
            return Err(input.error("unexpected literal in nested attribute, expected ident"));
        }
        Some(_) => {
            return Err(input.error("unexpected token in nested attribute, expected ident"));
        }
    };
    let mut one_word = !leading_colon;
    while input.peek_path_sep(0) {
        input.pos += 2;
        match input.peek() {
            Some(TokenTree::Ident(_)) => input.pos += 1,
            _ => return Err(input.error("expected ident")),
        }
        one_word = false;
    }
    Ok(Key {
        first: first.span(),
        ident: one_word.then_some(first),
    })
}

/// The arguments of an attribute `#[word(...)]` (`inner`: the tokens inside the brackets,
/// `word` first), or syn's error for `#[word]` and `#[word = ...]`: syn's
/// `Attribute::parse_args_with`, for a one-word path.
pub(crate) fn attr_args(inner: &[TokenTree]) -> Result<(Vec<TokenTree>, Span, Delimiter)> {
    match inner {
        [TokenTree::Ident(_), TokenTree::Group(list), rest @ ..]
            if list.delimiter() != Delimiter::None =>
        {
            // What follows the list is not an attribute syn reads.
            if let Some(extra) = rest.first() {
                return Err(Error::new(extra.span(), "unexpected token, expected `]`"));
            }
            Ok((flat(list.stream()), list.span_close(), list.delimiter()))
        }
        [TokenTree::Ident(word)] => Err(Error::new(
            word.span(),
            format!("expected attribute arguments in parentheses: #[{word}(...)]"),
        )),
        [TokenTree::Ident(word), TokenTree::Punct(eq), ..] if eq.as_char() == '=' => Err(
            Error::new(eq.span(), format!("expected parentheses: #[{word}(...)]")),
        ),
        [_, tree, ..] => Err(Error::new(tree.span(), "unexpected token, expected `]`")),
        _ => Err(Error::new(Span::call_site(), "expected an attribute")),
    }
}

/// `"a"` or `["a", "b"]` (a trailing comma allowed), as syn reads a string or a bracketed,
/// comma-separated list of them.
pub(crate) fn strings(input: &mut Cursor<'_>) -> Result<Vec<String>> {
    if let Some(TokenTree::Group(list)) = input.peek()
        && list.delimiter() == Delimiter::Bracket
    {
        input.pos += 1;
        let trees = flat(list.stream());
        let mut content = Cursor::new(&trees, list.span_close());
        let mut strings = Vec::new();
        while !content.is_empty() {
            strings.push(content.lit_str()?.0);
            if content.is_empty() {
                break;
            }
            content.punct(',')?;
        }
        Ok(strings)
    } else {
        Ok(vec![input.lit_str()?.0])
    }
}

/// A path as `syn::parse_str::<syn::Path>` reads `text` (a string's value, so every span is
/// the call site's), as its tokens.
pub(crate) fn path_of(text: &str) -> Result<TokenStream> {
    let tokens: TokenStream = text
        .parse()
        .map_err(|error: proc_macro2::LexError| Error::new(error.span(), error))?;
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut input = Cursor::new(&trees, Span::call_site());
    if input.peek_path_sep(0) {
        input.pos += 2;
    }
    path_segment(&mut input)?;
    while input.peek_path_sep(0)
        && !matches!(input.peek_nth(2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
    {
        input.pos += 2;
        path_segment(&mut input)?;
    }
    input.end(Delimiter::None)?;
    Ok(tokens)
}

/// One segment of a path: `super`, `self`, `crate`, `Self`, or a name with generic
/// arguments in angle brackets (kept as they are written).
fn path_segment(input: &mut Cursor<'_>) -> Result<()> {
    let word = match input.peek() {
        Some(TokenTree::Ident(word)) => word.to_string(),
        _ => return Err(input.error("expected identifier")),
    };
    if matches!(word.as_str(), "super" | "self" | "crate" | "try") {
        input.pos += 1;
        return Ok(());
    }
    if word != "Self" && !accept_as_ident(&word) {
        return Err(input.error(&format!("expected identifier, found keyword `{word}`")));
    }
    input.pos += 1;
    let turbofish = input.peek_path_sep(0)
        && matches!(input.peek_nth(2), Some(TokenTree::Punct(p)) if p.as_char() == '<');
    if turbofish {
        input.pos += 2;
    }
    let angle = match input.peek() {
        Some(TokenTree::Punct(p)) if p.as_char() == '<' => {
            // `<=` and `<<=` end the path instead.
            let joint_eq = p.spacing() == Spacing::Joint
                && matches!(input.peek_nth(1), Some(TokenTree::Punct(q)) if q.as_char() == '=' || q.as_char() == '<');
            turbofish || !joint_eq
        }
        _ => false,
    };
    if angle {
        input.pos += 1;
        generic_args(input)?;
    }
    Ok(())
}

/// What syn expects where a generic argument starts.
const GENERIC_ARGUMENT: &str = "expected one of: `for`, parentheses, `unsafe`, `fn`, `extern`, identifier, `::`, `<`, `dyn`, square brackets, `*`, `&`, `!`, `impl`, `_`, lifetime";

/// Generic arguments after their `<`, past the `>` that closes them: each argument's
/// tokens up to a `,` or that `>` (outside nested `<...>`; the `>` of `->` closes nothing),
/// with syn's errors for a missing argument or separator. The arguments themselves are
/// left as written (the compiler reads them where the path is used).
fn generic_args(input: &mut Cursor<'_>) -> Result<()> {
    loop {
        if input.peek_punct('>') {
            input.pos += 1;
            return Ok(());
        }
        let (mut depth, mut arrow, mut empty) = (0usize, false, true);
        while let Some(tree) = input.peek() {
            if let TokenTree::Punct(punct) = tree {
                match punct.as_char() {
                    ',' | '>' if depth == 0 && !arrow => break,
                    '<' => depth += 1,
                    '>' if !arrow => depth -= 1,
                    _ => {}
                }
                arrow = punct.as_char() == '-' && punct.spacing() == Spacing::Joint;
            } else {
                arrow = false;
            }
            input.pos += 1;
            empty = false;
        }
        if empty {
            return Err(input.error(GENERIC_ARGUMENT));
        }
        if input.peek_punct('>') {
            input.pos += 1;
            return Ok(());
        }
        input.punct(',')?;
    }
}

/// Whether syn takes `word` as an identifier rather than a keyword.
fn accept_as_ident(word: &str) -> bool {
    !matches!(
        word,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// A string literal's value (`"..."` with its escapes undone, or raw `r#"..."#`, with any
/// suffix), None for any other literal: syn's `LitStr::value`.
pub(crate) fn string_value(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let close = format!("\"{}", "#".repeat(hashes));
        let end = body.rfind(&close)?;
        return Some(body[..end].to_owned());
    }
    let body = text.strip_prefix('"')?;
    let end = body.rfind('"')?;
    unescape(&body[..end])
}

/// The value of a cooked string literal's body.
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '\\' => out.push('\\'),
                '0' => out.push('\0'),
                '\'' => out.push('\''),
                '"' => out.push('"'),
                'x' => {
                    let hex: String = chars.by_ref().take(2).collect();
                    let byte = u8::from_str_radix(&hex, 16).ok().filter(u8::is_ascii)?;
                    out.push(char::from(byte));
                }
                'u' => {
                    if chars.next()? != '{' {
                        return None;
                    }
                    let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    let code = u32::from_str_radix(&hex.replace('_', ""), 16).ok()?;
                    out.push(char::from_u32(code)?);
                }
                // A line continuation: the line break and the next line's leading
                // whitespace are dropped.
                '\n' | '\r' => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                _ => return None,
            },
            // A CRLF inside the string is a line feed.
            '\r' if chars.peek() == Some(&'\n') => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Whether a literal is a number (integer or float), as syn's negative literals need.
fn is_number(lit: &Literal) -> bool {
    lit.to_string().starts_with(|c: char| c.is_ascii_digit())
}

/// An integer literal's value as an `i32` (`0x10`, `1_000`, `7i32`), None for any other
/// literal or a value out of range: syn's `LitInt::base10_parse::<i32>`.
pub(crate) fn int_value(lit: &Literal) -> Option<i32> {
    let text = lit.to_string();
    let (radix, digits) = match text.get(..2) {
        Some("0x") => (16, &text[2..]),
        Some("0o") => (8, &text[2..]),
        Some("0b") => (2, &text[2..]),
        _ => (10, text.as_str()),
    };
    if !digits.starts_with(|c: char| c.is_ascii_digit() || (radix == 16 && c.is_ascii_hexdigit())) {
        return None;
    }
    let end = digits
        .find(|c: char| !(c.is_digit(radix) || c == '_'))
        .unwrap_or(digits.len());
    let suffix = &digits[end..];
    // A float (`1.0`, `1e3`) is no integer; `1f32` is one, with a suffix.
    if suffix.starts_with(['.', 'e', 'E']) && radix == 10 || suffix.starts_with('.') {
        return None;
    }
    let mut value: i64 = 0;
    for digit in digits[..end].chars().filter_map(|c| c.to_digit(radix)) {
        value = value
            .checked_mul(i64::from(radix))?
            .checked_add(i64::from(digit))?;
    }
    i32::try_from(value).ok()
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::{int_value, path_of, string_value};
    use proc_macro2::{Literal, TokenStream, TokenTree};

    fn literal(text: &str) -> Literal {
        match text.parse::<TokenStream>().unwrap().into_iter().next() {
            Some(TokenTree::Literal(lit)) => lit,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn literals_read_as_syn_reads_them() {
        for text in [
            r#""plain""#,
            r#""a \"quoted\" word\n\t\\ \x41 \u{1F600} \u{00_e9}""#,
            r##"r#"raw "inside""#"##,
            r#"r"raw""#,
            r#""suffixed"x"#,
            "\"line \\\n     continued\"",
            "'c'",
            "7",
        ] {
            let ours = string_value(&literal(text));
            let syns = match syn::Lit::new(literal(text)) {
                syn::Lit::Str(s) => Some(s.value()),
                _ => None,
            };
            assert_eq!(ours, syns, "{text}");
        }
        for text in [
            "0",
            "7",
            "1_000",
            "0x10",
            "0o17",
            "0b101",
            "7i32",
            "2147483647",
            "2147483648",
            "1.0",
            "1e3",
            "1f32",
            "0x1f",
            "\"1\"",
        ] {
            let syns = match syn::Lit::new(literal(text)) {
                syn::Lit::Int(int) => int.base10_parse::<i32>().ok(),
                _ => None,
            };
            assert_eq!(int_value(&literal(text)), syns, "{text}");
        }
    }

    #[test]
    fn paths_read_as_syn_reads_them() {
        for text in [
            "Status",
            "super::pkg::Status",
            "::pkg::Status",
            "crate::a::B",
            "a::B<C, D>",
            "a::",
            "a b",
            "fn",
            "a::<B>",
            "Option<",
            "Option<A",
            "Option<A,",
            "Option<,>",
            "a::b<A>::c",
            "a::b::<A, B<C>>",
            "Option<A,,>",
            "1",
            "",
            "a::(b)",
        ] {
            let ours = path_of(text).map(|tokens| tokens.to_string());
            let syns = syn::parse_str::<syn::Path>(text).map(|path| {
                let tokens: TokenStream = text.parse().unwrap();
                let _ = path;
                tokens.to_string()
            });
            match (ours, syns) {
                (Ok(ours), Ok(syns)) => assert_eq!(ours, syns, "{text}"),
                (Err(ours), Err(syns)) => assert_eq!(ours.to_string(), syns.to_string(), "{text}"),
                (ours, syns) => panic!(
                    "{text}: ours {ours:?}, syn's {:?}",
                    syns.map_err(|e| e.to_string())
                ),
            }
        }
    }

    /// An attribute's inner tokens (`word(...)`) and the syn attribute they make.
    fn attribute(source: &str) -> (Vec<TokenTree>, syn::Attribute) {
        let tokens: TokenStream = source.parse().unwrap();
        let Some(TokenTree::Group(brackets)) = tokens.clone().into_iter().nth(1) else {
            panic!("{source}");
        };
        let attr = syn::parse::Parser::parse2(syn::Attribute::parse_outer, tokens).unwrap();
        (
            brackets.stream().into_iter().collect(),
            attr.into_iter().next().unwrap(),
        )
    }

    /// The keys and string values of prost's attribute as the derive read them through
    /// syn (before it read them itself), or syn's error.
    fn through_syn(attr: &syn::Attribute) -> Result<Vec<(String, Option<String>)>, String> {
        let mut keys = Vec::new();
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) {
                match meta.value()?.parse::<syn::Lit>()? {
                    syn::Lit::Str(s) => Some(s.value()),
                    _ => None,
                }
            } else {
                if meta.input.peek(syn::token::Paren) {
                    let _list;
                    syn::parenthesized!(_list in meta.input);
                }
                None
            };
            keys.push((key, value));
            Ok(())
        })
        .map(|()| keys)
        .map_err(|error| error.to_string())
    }

    fn read_here(inner: &[TokenTree]) -> Result<Vec<(String, Option<String>)>, String> {
        let mut keys = Vec::new();
        let (trees, scope, _) = super::attr_args(inner).map_err(|e| e.to_string())?;
        let mut input = super::Cursor::new(&trees, scope);
        super::nested_meta(&mut input, |key, input| {
            let value = if input.peek_punct('=') {
                input.punct('=')?;
                input.lit()?
            } else {
                if input.peek_group(proc_macro2::Delimiter::Parenthesis) {
                    input.next();
                }
                None
            };
            keys.push((key.name(), value));
            Ok(())
        })
        .map(|()| keys)
        .map_err(|error| error.to_string())
    }

    #[test]
    fn attribute_arguments_read_as_syn_reads_them() {
        for source in [
            r#"#[prost(string, tag = "1")]"#,
            r#"#[prost(string, optional, tag = r"2",)]"#,
            r#"#[prost(bytes = "vec", tag = "3")]"#,
            r#"#[prost(int32, tag = 4, default = -1, packed = false)]"#,
            r#"#[prost(a::b, ::c, tag = "5")]"#,
            r#"#[prost(message, boxed(), tag = "6")]"#,
            r#"#[prost(tag = "\x37")]"#,
            r#"#[prost[string, tag = "7"]]"#,
            r#"#[prost()]"#,
            r#"#[prost(string tag = "1")]"#,
            r#"#[prost(string, tag = )]"#,
            r#"#[prost(string, tag = x)]"#,
            r#"#[prost(string, "1")]"#,
            r#"#[prost(string, (1))]"#,
            r#"#[prost(string, tag == "1")]"#,
            r#"#[prost(,)]"#,
            r#"#[prost(a::)]"#,
            r#"#[prost(tag = - "1")]"#,
            r#"#[prost]"#,
            r#"#[prost = "string"]"#,
        ] {
            let (inner, attr) = attribute(source);
            assert_eq!(read_here(&inner), through_syn(&attr), "{source}");
        }
    }

    #[test]
    fn strings_and_string_lists_read_as_syn_reads_them() {
        let syns = |source: &str| -> Result<Vec<String>, String> {
            let (_, attr) = attribute(source);
            let mut out = Vec::new();
            attr.parse_nested_meta(|meta| {
                let input = meta.value()?;
                if input.peek(syn::token::Bracket) {
                    let content;
                    syn::bracketed!(content in input);
                    let list = syn::punctuated::Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated(&content)?;
                    out.extend(list.iter().map(syn::LitStr::value));
                } else {
                    out.push(input.parse::<syn::LitStr>()?.value());
                }
                Ok(())
            })
            .map(|()| out)
            .map_err(|error| error.to_string())
        };
        let ours = |source: &str| -> Result<Vec<String>, String> {
            let (inner, _) = attribute(source);
            let (trees, scope, _) = super::attr_args(&inner).map_err(|e| e.to_string())?;
            let mut input = super::Cursor::new(&trees, scope);
            let mut out = Vec::new();
            super::nested_meta(&mut input, |_, input| {
                input.punct('=')?;
                out.extend(super::strings(input)?);
                Ok(())
            })
            .map(|()| out)
            .map_err(|error| error.to_string())
        };
        for source in [
            r#"#[compat(routes = ["a > b", r"b > a",])]"#,
            r#"#[compat(routes = "a > b")]"#,
            r#"#[compat(routes = [])]"#,
            r#"#[compat(routes = ["a > b" "b > a"])]"#,
            r#"#[compat(routes = ["a > b", 1])]"#,
            r#"#[compat(routes = ["a > b",,])]"#,
            r#"#[compat(routes = 1)]"#,
            r#"#[compat(routes = )]"#,
            r#"#[compat(routes "a")]"#,
            r#"#[compat(routes = ("a"))]"#,
        ] {
            assert_eq!(ours(source), syns(source), "{source}");
        }
    }

    #[test]
    fn invisible_groups_are_read_through() {
        // `#[compat(routes = $routes)]` in a `macro_rules!` hands the list over inside an
        // invisible group.
        let list: TokenStream = r#"["agent > server"]"#.parse().unwrap();
        let mut tokens: TokenStream = "routes =".parse().unwrap();
        tokens.extend([TokenTree::Group(proc_macro2::Group::new(
            proc_macro2::Delimiter::None,
            list,
        ))]);
        let trees = super::flat(tokens);
        let mut input = super::Cursor::new(&trees, proc_macro2::Span::call_site());
        let mut out = Vec::new();
        super::nested_meta(&mut input, |_, input| {
            input.punct('=')?;
            out.extend(super::strings(input)?);
            Ok(())
        })
        .unwrap();
        assert_eq!(out, ["agent > server"]);
    }
}
