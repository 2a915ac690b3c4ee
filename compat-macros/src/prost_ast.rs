//! `#[derive(ProstCompat)]`, parse: a prost type as a typed tree, from prost's own
//! attributes (`#[prost(string, tag = "1")]`), the `@since` and the other conventions the
//! `.proto` comments carry into the generated `///` docs, and the `#[compat(...)]` the
//! build-script helper attaches (`proto`, the routes, `reserved`).

use crate::ctxt::Ctxt;
use crate::error::Error;
use crate::prost_parse::{self, Cursor, Key, Result, int_value, path_of, string_value};
use crate::since::parse_release;
use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use semver::Version;
use std::iter::Peekable;

/// The input of `#[derive(ProstCompat)]`: what the derive reads of a struct, enum or union,
/// read off the token trees themselves rather than through syn's parse buffer (which
/// copies every token of the item, doc comments and prost's attributes included, before
/// reading any: most of the derive's own run in a proc macro built unoptimized,
/// benches/compile_time.sh's prost family), and so that the derive builds without syn.
/// Each field's type is kept as its tokens, read only where the tables need it (a
/// message's type).
pub(crate) struct Input {
    pub(crate) attrs: Vec<Attr>,
    pub(crate) ident: Ident,
    pub(crate) data: Data,
}

pub(crate) enum Data {
    Struct(Vec<InputField>),
    Enum(Vec<InputVariant>),
    Union,
}

/// A field of the input: a struct's, or a variant's.
pub(crate) struct InputField {
    pub(crate) attrs: Vec<Attr>,
    /// None in a tuple.
    pub(crate) ident: Option<Ident>,
    /// The type's tokens, up to the comma after it.
    pub(crate) ty: Vec<TokenTree>,
}

pub(crate) struct InputVariant {
    pub(crate) attrs: Vec<Attr>,
    pub(crate) ident: Ident,
    pub(crate) fields: Vec<InputField>,
    /// The number after `=`: None without one, or for an expression that is not an
    /// integer literal (negated or not).
    pub(crate) number: Option<i32>,
}

/// An outer attribute, `#` and its bracketed group, with what the derive reads of it
/// known from its first word alone: the rest is read only where needed.
pub(crate) struct Attr {
    pound: Punct,
    group: Group,
    /// The group's tokens.
    inner: Vec<TokenTree>,
    kind: AttrKind,
}

/// The attributes the derive reads, by their one-word path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AttrKind {
    /// `#[doc = "..."]`: a doc comment.
    Doc,
    Prost,
    Compat,
    Since,
    Deprecated,
    Other,
}

impl Attr {
    fn new(pound: Punct, group: Group) -> Self {
        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
        let kind = match inner.as_slice() {
            // A path of more than one word (`a::b`) is none of these.
            [_, TokenTree::Punct(colon), ..] if colon.as_char() == ':' => AttrKind::Other,
            [TokenTree::Ident(word), rest @ ..] => {
                let word = word.to_string();
                match word.as_str() {
                    "doc" => match rest {
                        [TokenTree::Punct(eq), TokenTree::Literal(_)] if eq.as_char() == '=' => {
                            AttrKind::Doc
                        }
                        _ => AttrKind::Other,
                    },
                    "prost" => AttrKind::Prost,
                    "compat" => AttrKind::Compat,
                    "since" => AttrKind::Since,
                    "deprecated" => AttrKind::Deprecated,
                    _ => AttrKind::Other,
                }
            }
            _ => AttrKind::Other,
        };
        Attr {
            pound,
            group,
            inner,
            kind,
        }
    }

    /// Where the attribute is, as syn's `Spanned` gives it: from `#` to `]` where spans
    /// join, else the `#`.
    pub(crate) fn span(&self) -> Span {
        let pound = self.pound.span();
        pound.join(self.group.span()).unwrap_or(pound)
    }

    /// The text of a doc comment (`#[doc = "..."]` holding a string), None for any other
    /// attribute. Only a line holding `@` is unescaped: no other says anything.
    fn doc_note_text(&self) -> Option<String> {
        if self.kind != AttrKind::Doc {
            return None;
        }
        let TokenTree::Literal(lit) = self.inner.get(2)? else {
            return None;
        };
        if !lit.to_string().contains('@') {
            return None;
        }
        string_value(lit)
    }

    /// The tokens inside `word(...)` (syn's `Meta::List`); None for any other form.
    fn list_tokens(&self) -> Option<TokenStream> {
        match self.inner.as_slice() {
            [TokenTree::Ident(_), TokenTree::Group(list)]
                if list.delimiter() != Delimiter::None =>
            {
                Some(list.stream())
            }
            _ => None,
        }
    }

    /// The arguments of `word(...)`, with the span of the closing delimiter and the
    /// delimiter, for the forms the quick readings leave (and their errors).
    fn args(&self) -> Result<(Vec<TokenTree>, Span, Delimiter)> {
        prost_parse::attr_args(&self.inner)
    }
}

impl ToTokens for Attr {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append(self.pound.clone());
        tokens.append(self.group.clone());
    }
}

type Tokens = Peekable<proc_macro2::token_stream::IntoIter>;

impl Input {
    /// Reads the derive's input. Generics and a `where` clause are read past and left
    /// aside, as the derive always has.
    pub(crate) fn parse(tokens: TokenStream) -> Result<Self> {
        let mut tokens = tokens.into_iter().peekable();
        let attrs = outer_attrs(&mut tokens);
        skip_visibility(&mut tokens);
        let kind = match tokens.next() {
            Some(TokenTree::Ident(word))
                if word == "struct" || word == "enum" || word == "union" =>
            {
                word.to_string()
            }
            other => return Err(error_at(other, "expected `struct`, `enum` or `union`")),
        };
        let ident = match tokens.next() {
            Some(TokenTree::Ident(ident)) => ident,
            other => return Err(error_at(other, "expected identifier")),
        };
        skip_generics(&mut tokens);
        if matches!(tokens.peek(), Some(TokenTree::Ident(word)) if word == "where") {
            // Up to the body in braces (or the `;` of a unit struct): a tuple struct's
            // clause follows its fields.
            while let Some(tree) = tokens.peek() {
                match tree {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                    TokenTree::Punct(p) if p.as_char() == ';' => break,
                    _ => {
                        tokens.next();
                    }
                }
            }
        }
        let data = if kind == "enum" {
            match tokens.next() {
                Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
                    Data::Enum(variants(body.stream())?)
                }
                other => return Err(error_at(other, "expected `{`")),
            }
        } else {
            let fields = input_fields(&mut tokens)?;
            if kind == "union" {
                Data::Union
            } else {
                Data::Struct(fields)
            }
        };
        Ok(Input { attrs, ident, data })
    }
}

/// An error at `tree` (at the end of the input without one), as syn words it.
fn error_at(tree: Option<TokenTree>, message: &str) -> Error {
    match tree {
        Some(tree) => Error::new(tree.span(), message),
        None => Error::new(
            Span::call_site(),
            format!("unexpected end of input, {message}"),
        ),
    }
}

/// The outer attributes at the front of `tokens`.
fn outer_attrs(tokens: &mut Tokens) -> Vec<Attr> {
    let mut attrs = Vec::new();
    while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        let Some(TokenTree::Punct(pound)) = tokens.next() else {
            break;
        };
        match tokens.next() {
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Bracket => {
                attrs.push(Attr::new(pound, group));
            }
            _ => break,
        }
    }
    attrs
}

/// `pub`, `pub(crate)`, `pub(self)`, `pub(super)`, `pub(in path)`: read past. A `pub`
/// followed by any other parentheses is a tuple struct's field of a tuple type, as syn
/// reads it.
fn skip_visibility(tokens: &mut Tokens) {
    if !matches!(tokens.peek(), Some(TokenTree::Ident(word)) if word == "pub") {
        return;
    }
    tokens.next();
    let restricted = match tokens.peek() {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
            let mut inside = group.stream().into_iter();
            match (inside.next(), inside.next()) {
                (Some(TokenTree::Ident(word)), None) => {
                    word == "crate" || word == "self" || word == "super"
                }
                (Some(TokenTree::Ident(word)), Some(_)) => word == "in",
                _ => false,
            }
        }
        _ => false,
    };
    if restricted {
        tokens.next();
    }
}

/// `<...>` after the item's name, read past to its closing `>`.
fn skip_generics(tokens: &mut Tokens) {
    if !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '<') {
        return;
    }
    let (mut depth, mut arrow) = (0usize, false);
    for tree in tokens.by_ref() {
        if let TokenTree::Punct(punct) = &tree {
            match punct.as_char() {
                '<' => depth += 1,
                // The `>` of `->` closes nothing.
                '>' if !arrow => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
            arrow = punct.as_char() == '-' && punct.spacing() == Spacing::Joint;
        } else {
            arrow = false;
        }
    }
}

/// Named fields in braces, unnamed ones in parentheses, or none.
fn input_fields(tokens: &mut Tokens) -> Result<Vec<InputField>> {
    let named = match tokens.peek() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => true,
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => false,
        _ => return Ok(Vec::new()),
    };
    let Some(TokenTree::Group(body)) = tokens.next() else {
        return Ok(Vec::new());
    };
    let mut content = body.stream().into_iter().peekable();
    let mut fields = Vec::new();
    while content.peek().is_some() {
        let attrs = outer_attrs(&mut content);
        skip_visibility(&mut content);
        let ident = if named {
            let ident = match content.next() {
                Some(TokenTree::Ident(ident)) => ident,
                other => return Err(error_at(other, "expected identifier")),
            };
            match content.next() {
                Some(TokenTree::Punct(colon)) if colon.as_char() == ':' => {}
                other => return Err(error_at(other, "expected `:`")),
            }
            Some(ident)
        } else {
            None
        };
        let ty = type_tokens(&mut content);
        if ty.is_empty() {
            return Err(error_at(None, "expected a type"));
        }
        fields.push(InputField { attrs, ident, ty });
    }
    Ok(fields)
}

/// A type's tokens, up to the next comma outside angle brackets (`HashMap<K, V>`), left
/// unparsed; the comma is read past.
fn type_tokens(tokens: &mut Tokens) -> Vec<TokenTree> {
    let (mut depth, mut arrow) = (0usize, false);
    let mut out = Vec::new();
    for tree in tokens.by_ref() {
        if let TokenTree::Punct(punct) = &tree {
            match punct.as_char() {
                ',' if depth == 0 => break,
                '<' => depth += 1,
                // The `>` of `->` closes nothing.
                '>' if !arrow => depth = depth.saturating_sub(1),
                _ => {}
            }
            arrow = punct.as_char() == '-' && punct.spacing() == Spacing::Joint;
        } else {
            arrow = false;
        }
        out.push(tree);
    }
    out
}

/// An enum's variants: attributes, name, fields, and the number after `=`.
fn variants(body: TokenStream) -> Result<Vec<InputVariant>> {
    let mut tokens = body.into_iter().peekable();
    let mut variants = Vec::new();
    while tokens.peek().is_some() {
        let attrs = outer_attrs(&mut tokens);
        let ident = match tokens.next() {
            Some(TokenTree::Ident(ident)) => ident,
            other => return Err(error_at(other, "expected identifier")),
        };
        let fields = input_fields(&mut tokens)?;
        let number = if matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '=') {
            tokens.next();
            discriminant(&mut tokens)?
        } else {
            None
        };
        variants.push(InputVariant {
            attrs,
            ident,
            fields,
            number,
        });
        match tokens.next() {
            None => break,
            Some(TokenTree::Punct(comma)) if comma.as_char() == ',' => {}
            other => return Err(error_at(other, "expected `,`")),
        }
    }
    Ok(variants)
}

/// The number after a variant's `=`: an integer literal, negated any number of times (or
/// inside the invisible group a macro's `$value:expr` makes), read off its tokens; any
/// other expression is no number. The tokens up to the comma that ends the variant are
/// read past: a comma inside an expression is inside a group or a turbofish's `<...>`.
fn discriminant(tokens: &mut Tokens) -> Result<Option<i32>> {
    let mut taken = Vec::new();
    let (mut depth, mut arrow, mut path_sep) = (0usize, false, false);
    while let Some(tree) = tokens.peek() {
        if let TokenTree::Punct(punct) = tree {
            match punct.as_char() {
                ',' if depth == 0 => break,
                // Generic arguments open only after `::` in an expression.
                '<' if path_sep || depth > 0 => depth += 1,
                '>' if depth > 0 && !arrow => depth -= 1,
                _ => {}
            }
            path_sep = punct.as_char() == ':' && taken.last().is_some_and(
                |prev| matches!(prev, TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Joint),
            );
            arrow = punct.as_char() == '-' && punct.spacing() == Spacing::Joint;
        } else {
            (arrow, path_sep) = (false, false);
        }
        taken.extend(tokens.next());
    }
    if taken.is_empty() {
        return Err(error_at(tokens.next(), "expected an expression"));
    }
    Ok(number(&taken))
}

/// The value of `-`* followed by an integer literal.
fn number(trees: &[TokenTree]) -> Option<i32> {
    match trees {
        [TokenTree::Punct(minus), rest @ ..] if minus.as_char() == '-' => {
            number(rest)?.checked_neg()
        }
        [TokenTree::Literal(lit)] => int_value(lit),
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::None => {
            number(&group.stream().into_iter().collect::<Vec<_>>())
        }
        _ => None,
    }
}

/// A release named by `@since` (in a doc comment) or `#[since("...")]`.
pub(crate) struct Since {
    pub(crate) text: String,
    pub(crate) version: Version,
    pub(crate) span: Span,
}

/// The conventions a comment (or `#[compat(...)]`) states about one item.
#[derive(Default)]
pub(crate) struct Notes {
    pub(crate) since: Option<Since>,
    pub(crate) ignorable: bool,
    pub(crate) zero_means_absent: bool,
    pub(crate) unknown_handled: bool,
    pub(crate) deprecated: bool,
}

/// One prost type.
pub(crate) struct Item<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) notes: Notes,
    /// The full protobuf name, from `#[compat(proto = "...")]`.
    pub(crate) proto: Option<String>,
    pub(crate) routes: Vec<(String, String)>,
    /// Where the routes were written, for errors about them.
    pub(crate) routes_span: Span,
    pub(crate) reserved: Vec<(i32, i32)>,
    pub(crate) reserved_names: Vec<String>,
    /// The newest release of the type and all it may hold, from `#[compat(within =
    /// "...")]` (the build helper's); checked by the rules.
    pub(crate) within: Option<Within>,
    pub(crate) body: Body<'a>,
}

/// `#[compat(within = "1.2.0")]`: the release as written, and where.
pub(crate) struct Within {
    pub(crate) text: String,
    pub(crate) span: Span,
}

pub(crate) enum Body<'a> {
    Message(Vec<Field>),
    Enum(Vec<Value<'a>>),
    Oneof(Vec<Field>),
}

/// A field of a message, or a member (a variant) of a oneof.
pub(crate) struct Field {
    /// The Rust name: the field's, or the variant's.
    pub(crate) name: String,
    /// What errors point at.
    pub(crate) span: Span,
    /// The field number; 0 for a oneof field.
    pub(crate) number: u32,
    /// A oneof field's members' numbers (`tags = "4, 5"`).
    pub(crate) tags: Vec<u32>,
    pub(crate) kind: Kind,
    pub(crate) cardinality: Cardinality,
    pub(crate) notes: Notes,
}

/// What a field holds.
pub(crate) enum Kind {
    Scalar(String),
    /// A message: the Rust type of the message itself (no `Option`, `Vec` or `Box`).
    Message(TypeName),
    /// `enumeration = "Path"`.
    Enum(TypeName),
    /// `oneof = "path"`: the oneof enum's type.
    Oneof(TypeName),
}

/// A type a field names: its tokens, which the output writes, and its text, which the
/// tables hold, both taken once from the tokens (a type's text through the compiler's
/// printer, once per use, cost the derive a bridge call each time).
pub(crate) struct TypeName {
    pub(crate) tokens: TokenStream,
    /// The tokens' text without spaces: `message000::Choice`.
    pub(crate) text: String,
    /// The text of the last token: `String` of `::prost::alloc::string::String`.
    pub(crate) last: String,
}

impl TypeName {
    fn of(tokens: &impl ToTokens) -> Self {
        Self::from_trees(tokens.to_token_stream().into_iter().collect())
    }

    fn from_trees(trees: Vec<TokenTree>) -> Self {
        let mut text = String::new();
        let mut last = String::new();
        for tree in &trees {
            last.clear();
            push_text(&mut last, tree);
            text.push_str(&last);
        }
        text.retain(|c| c != ' ');
        TypeName {
            tokens: trees.into_iter().collect(),
            text,
            last,
        }
    }
}

impl ToTokens for TypeName {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.tokens.to_tokens(tokens);
    }
}

/// A token's text, a group's with its delimiters, with no spaces between tokens.
fn push_text(out: &mut String, tree: &TokenTree) {
    use std::fmt::Write as _;
    match tree {
        TokenTree::Ident(ident) => {
            let _ = write!(out, "{ident}");
        }
        TokenTree::Punct(punct) => out.push(punct.as_char()),
        TokenTree::Literal(lit) => {
            let _ = write!(out, "{lit}");
        }
        TokenTree::Group(group) => {
            let (open, close) = match group.delimiter() {
                Delimiter::Parenthesis => ("(", ")"),
                Delimiter::Brace => ("{", "}"),
                Delimiter::Bracket => ("[", "]"),
                Delimiter::None => ("", ""),
            };
            out.push_str(open);
            for inner in group.stream() {
                push_text(out, &inner);
            }
            out.push_str(close);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cardinality {
    Implicit,
    Optional,
    Required,
    Repeated,
    /// A map, with its key's scalar type.
    Map(&'static str),
}

/// A value of an enum.
pub(crate) struct Value<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) number: i32,
    pub(crate) notes: Notes,
}

const SCALARS: [&str; 15] = [
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];

/// The scalar type named `text` as the derive's rows code it: its index here, which is
/// its index in the runtime's `Scalar::ALL`.
pub(crate) fn scalar_code(text: &str) -> u8 {
    SCALARS
        .iter()
        .position(|s| *s == text)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or_default()
}

/// The scalar type named `text`, as the `'static` name the tables use.
pub(crate) fn scalar(text: &str) -> Option<&'static str> {
    SCALARS.into_iter().find(|s| *s == text)
}

impl<'a> Item<'a> {
    pub(crate) fn from_input(cx: &Ctxt, node: &'a Input) -> Option<Self> {
        let body = match &node.data {
            Data::Struct(fields) => Body::Message(message_fields(cx, fields)),
            Data::Enum(variants) if variants.iter().all(|v| v.fields.is_empty()) => {
                Body::Enum(values(cx, variants))
            }
            Data::Enum(variants) => Body::Oneof(oneof_members(cx, variants)),
            Data::Union => {
                cx.error_spanned_by(&node.ident, "a union is not a prost type: derive `ProstCompat` on the structs and enums prost generates");
                return None;
            }
        };
        let mut item = Item {
            ident: &node.ident,
            notes: notes(cx, &node.attrs),
            proto: None,
            routes: Vec::new(),
            routes_span: node.ident.span(),
            reserved: Vec::new(),
            reserved_names: Vec::new(),
            within: None,
            body,
        };
        item.read_compat(cx, &node.attrs);
        Some(item)
    }

    /// The item's `#[compat(...)]`. prost-build applies a `type_attribute` to the nested
    /// types and oneofs of the path it names as well, so each attribute the helper writes
    /// names its type (`proto = "pkg.Message"`), and an item takes only its own: the one
    /// whose last name is the item's (prost's camel case aside), else one without `proto`.
    fn read_compat(&mut self, cx: &Ctxt, attrs: &[Attr]) {
        for attr in attrs.iter().filter(|attr| attr.kind == AttrKind::Compat) {
            let keys: Option<Vec<TokenTree>> =
                attr.list_tokens().map(|list| list.into_iter().collect());
            if let Some(name) = keys.as_deref().and_then(proto_key)
                && !same_name(&name, &self.ident.to_string())
            {
                continue;
            }
            self.routes_span = attr.span();
            let mut directions = Directions::default();
            if let Some(entries) = keys.as_deref().and_then(compat_entries) {
                for (key, value) in entries {
                    match value {
                        CompatValue::Proto(name) => self.proto = Some(name),
                        CompatValue::Within(release) => self.within = Some(release),
                        CompatValue::Flag => self.notes.unknown_handled = true,
                        CompatValue::Strings(strings) => {
                            self.compat_strings(cx, &key, strings, &mut directions);
                        }
                    }
                }
            } else {
                let result = attr.args().and_then(|(trees, scope, _)| {
                    let mut input = Cursor::new(&trees, scope);
                    prost_parse::nested_meta(&mut input, |key, input| {
                        self.compat_key(cx, &key, input, &mut directions)
                    })
                });
                if let Err(error) = result {
                    cx.error(error);
                }
            }
            self.routes.extend(directions.routes());
        }
    }

    /// A key of `#[compat(...)]` whose value is a string or a list of them: the
    /// directions, the routes, the reserved numbers and names. Errors point at `key`.
    fn compat_strings(
        &mut self,
        cx: &Ctxt,
        key: &Ident,
        strings: Vec<String>,
        directions: &mut Directions,
    ) {
        match key.to_string().as_str() {
            // #[compat(from = "agent", to = ["server"])]
            "from" => directions.from = strings,
            "to" => directions.to = strings,
            // #[compat(between = ["server", "agent"])]
            "between" => directions.between = strings,
            // #[compat(routes = ["agent > server"])]
            "routes" => {
                for route in strings {
                    match route.split_once('>') {
                        Some((from, to)) => directions
                            .routes
                            .push((from.trim().to_owned(), to.trim().to_owned())),
                        None => cx.error_spanned_by(
                            key,
                            format!("route `{route}` is not written `\"sender > receiver\"`"),
                        ),
                    }
                }
            }
            // #[compat(reserved = ["3", "9 to 11", "100 to max"])]
            "reserved" => {
                for range in strings {
                    match reserved_range(&range) {
                        Some(range) => self.reserved.push(range),
                        None => cx.error_spanned_by(
                            key,
                            format!(
                                "reserved range `{range}` is not `N` or `N to M` (or `N to max`)"
                            ),
                        ),
                    }
                }
            }
            // #[compat(reserved_names = ["old_name"])]
            _ => self.reserved_names.extend(strings),
        }
    }

    fn compat_key(
        &mut self,
        cx: &Ctxt,
        key: &Key,
        input: &mut Cursor<'_>,
        directions: &mut Directions,
    ) -> Result<()> {
        let name = key.name();
        match name.as_str() {
            // #[compat(proto = "spire.api.node.v1.AttestRequest")]
            "proto" => {
                input.punct('=')?;
                self.proto = Some(input.lit_str()?.0);
            }
            "from" | "to" | "between" | "routes" | "reserved" | "reserved_names" => {
                if let Some(ident) = &key.ident {
                    input.punct('=')?;
                    let strings = prost_parse::strings(input)?;
                    self.compat_strings(cx, ident, strings, directions);
                }
            }
            // #[compat(within = "1.2.0")]
            "within" => {
                input.punct('=')?;
                let (text, span) = input.lit_str()?;
                self.within = Some(Within { text, span });
            }
            // #[compat(ignorable)], #[compat(zero_means_absent)], #[compat(unknown_handled)]
            "unknown_handled" => self.notes.unknown_handled = true,
            _ => {
                return Err(key.error(input, format!(
                    "unknown key `{name}` for a prost type; expected `proto`, `from`, `to`, `between`, `routes`, `reserved`, `reserved_names`, `within` or `unknown_handled`"
                )));
            }
        }
        Ok(())
    }
}

/// The `proto = "..."` of a `#[compat(...)]`, read straight off the attribute's tokens:
/// the other keys' values (a string or a list of strings) are single token trees, so a
/// word followed by `=` is a key. Not the general reading: the derive runs unoptimized in
/// a debug build.
fn proto_key(keys: &[TokenTree]) -> Option<String> {
    let mut tokens = keys.iter().cloned();
    while let Some(tree) = tokens.next() {
        if matches!(&tree, TokenTree::Ident(key) if key == "proto") {
            let (Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(lit))) =
                (tokens.next(), tokens.next())
            else {
                return None;
            };
            return string_value(&lit).filter(|_| eq.as_char() == '=');
        }
    }
    None
}

/// The value of one key of `#[compat(...)]`, as [`compat_entries`] reads it.
enum CompatValue {
    /// `proto = "pkg.Name"`.
    Proto(String),
    /// `within = "1.2.0"`.
    Within(Within),
    /// `unknown_handled`.
    Flag,
    /// A string or a list of strings.
    Strings(Vec<String>),
}

/// The keys of `#[compat(proto = "pkg.Name", routes = ["agent > server"])]` read straight
/// off its tokens, each key known and its value of the form the key takes, every string
/// plain (see [`plain_string`]); None for anything else, which the general reading
/// ([`prost_parse::nested_meta`]) reads and words the errors of: the derive runs
/// unoptimized in a debug build.
fn compat_entries(tokens: &[TokenTree]) -> Option<Vec<(Ident, CompatValue)>> {
    let mut entries = Vec::new();
    let mut tokens = tokens.iter();
    while let Some(tree) = tokens.next() {
        let TokenTree::Ident(key) = tree else {
            return None;
        };
        let name = key.to_string();
        let value = if name == "unknown_handled" {
            CompatValue::Flag
        } else {
            match tokens.next() {
                Some(TokenTree::Punct(eq)) if eq.as_char() == '=' => {}
                _ => return None,
            }
            match (name.as_str(), tokens.next()?) {
                ("proto", TokenTree::Literal(lit)) => CompatValue::Proto(plain_string(lit)?),
                ("proto", _) => return None,
                ("within", TokenTree::Literal(lit)) => CompatValue::Within(Within {
                    text: plain_string(lit)?,
                    span: lit.span(),
                }),
                ("within", _) => return None,
                ("from" | "to" | "between" | "routes" | "reserved" | "reserved_names", value) => {
                    CompatValue::Strings(plain_strings(value)?)
                }
                _ => return None,
            }
        };
        entries.push((key.clone(), value));
        match tokens.next() {
            None => break,
            Some(TokenTree::Punct(comma)) if comma.as_char() == ',' => {}
            Some(_) => return None,
        }
    }
    Some(entries)
}

/// `"a"` or `["a", "b"]` (a trailing comma allowed), plain strings only.
fn plain_strings(value: &TokenTree) -> Option<Vec<String>> {
    match value {
        TokenTree::Literal(lit) => Some(vec![plain_string(lit)?]),
        TokenTree::Group(list) if list.delimiter() == Delimiter::Bracket => {
            let mut strings = Vec::new();
            let mut items = list.stream().into_iter();
            while let Some(item) = items.next() {
                let TokenTree::Literal(lit) = item else {
                    return None;
                };
                strings.push(plain_string(&lit)?);
                match items.next() {
                    None => break,
                    Some(TokenTree::Punct(comma)) if comma.as_char() == ',' => {}
                    Some(_) => return None,
                }
            }
            Some(strings)
        }
        _ => None,
    }
}

/// Whether the protobuf name `proto` (`pkg.attest_request.params`) ends in the Rust name
/// `rust` (`Params`), as prost's upper camel case makes it.
fn same_name(proto: &str, rust: &str) -> bool {
    let last = proto.rsplit('.').next().unwrap_or(proto);
    let squash = |s: &str| {
        s.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    squash(last) == squash(rust.trim_start_matches("r#"))
}

#[derive(Default)]
struct Directions {
    from: Vec<String>,
    to: Vec<String>,
    between: Vec<String>,
    routes: Vec<(String, String)>,
}

impl Directions {
    fn routes(self) -> Vec<(String, String)> {
        let mut out = self.routes;
        for from in &self.from {
            for to in &self.to {
                out.push((from.clone(), to.clone()));
            }
        }
        for a in &self.between {
            for b in &self.between {
                if a != b || self.between.len() == 1 {
                    out.push((a.clone(), b.clone()));
                }
            }
        }
        out
    }
}

/// `3`, `9 to 11`, `100 to max`.
fn reserved_range(text: &str) -> Option<(i32, i32)> {
    let (start, end) = text.split_once(" to ").unwrap_or((text, text));
    let start: i32 = start.trim().parse().ok()?;
    let end: i32 = match end.trim() {
        "max" => i32::MAX,
        end => end.parse().ok()?,
    };
    (start <= end).then_some((start, end))
}

/// What the doc comments and `#[since]`, `#[deprecated]` and `#[compat(...)]` flags of one
/// item say.
pub(crate) fn notes(cx: &Ctxt, attrs: &[Attr]) -> Notes {
    let mut notes = Notes::default();
    for attr in attrs {
        match attr.kind {
            AttrKind::Doc => {
                // Only a line with a note needs its text and the attribute's span.
                if let Some(text) = attr.doc_note_text() {
                    doc_notes(cx, &mut notes, &text, attr.span());
                }
            }
            AttrKind::Deprecated => notes.deprecated = true,
            AttrKind::Since => match since_arg(attr) {
                Ok((text, span)) => set_since(cx, &mut notes, &text, span),
                Err(error) => cx.error(error),
            },
            AttrKind::Prost | AttrKind::Compat | AttrKind::Other => {}
        }
    }
    notes
}

/// The string of `#[since("0.9.0")]`, and where it is.
fn since_arg(attr: &Attr) -> Result<(String, Span)> {
    let (trees, scope, _) = attr.args()?;
    let mut input = Cursor::new(&trees, scope);
    let arg = input.lit_str()?;
    input.end(Delimiter::None)?;
    Ok(arg)
}

/// `@since 0.9.0`, `@ignorable`, `@zero-means-absent`, `@unknown-handled`, anywhere in a
/// doc line (prost-build may join a comment's lines or escape around them).
fn doc_notes(cx: &Ctxt, notes: &mut Notes, text: &str, span: Span) {
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        match word.trim_end_matches(['.', ',', ';']) {
            "@since" => match words.next() {
                Some(version) => set_since(cx, notes, version.trim_end_matches([',', ';']), span),
                None => cx.error_at(span, "`@since` names no release: write `@since 0.9.0`"),
            },
            "@ignorable" => notes.ignorable = true,
            "@zero-means-absent" => notes.zero_means_absent = true,
            "@unknown-handled" => notes.unknown_handled = true,
            _ => {}
        }
    }
}

fn set_since(cx: &Ctxt, notes: &mut Notes, text: &str, span: Span) {
    if notes.since.is_some() {
        cx.error_at(span, "a second `@since`: name the release once");
        return;
    }
    match parse_release(text) {
        Ok(version) => {
            notes.since = Some(Since {
                text: text.to_owned(),
                version,
                span,
            });
        }
        Err(why) => cx.error_at(span, why),
    }
}

fn prost_attr(attrs: &[Attr]) -> Option<&Attr> {
    attrs.iter().find(|attr| attr.kind == AttrKind::Prost)
}

fn message_fields(cx: &Ctxt, fields: &[InputField]) -> Vec<Field> {
    fields
        .iter()
        .filter_map(|field| {
            let attr = prost_attr(&field.attrs)?;
            // `r#type` is `type` in the tables, as in the `.proto` file.
            let name = field.ident.as_ref().map_or_else(String::new, |ident| {
                ident.to_string().trim_start_matches("r#").to_owned()
            });
            let span = field
                .ident
                .as_ref()
                .map_or_else(|| attr.span(), Ident::span);
            read_field(cx, attr, name, span, &field.ty, &field.attrs)
        })
        .collect()
}

fn oneof_members(cx: &Ctxt, variants: &[InputVariant]) -> Vec<Field> {
    variants
        .iter()
        .filter_map(|variant| {
            let attr = prost_attr(&variant.attrs)?;
            let ty = &variant.fields.first()?.ty;
            let mut field = read_field(
                cx,
                attr,
                variant.ident.to_string(),
                variant.ident.span(),
                ty,
                &variant.attrs,
            )?;
            // A oneof member has presence: the oneof says which member, if any, was sent.
            field.cardinality = Cardinality::Optional;
            Some(field)
        })
        .collect()
}

fn values<'a>(cx: &Ctxt, variants: &'a [InputVariant]) -> Vec<Value<'a>> {
    variants
        .iter()
        .filter_map(|variant| {
            let number = match variant.number {
                Some(number) => number,
                None => {
                    cx.error_spanned_by(
                        &variant.ident,
                        "a prost enum value needs its number: `Name = 1`",
                    );
                    return None;
                }
            };
            Some(Value {
                ident: &variant.ident,
                number,
                notes: notes(cx, &variant.attrs),
            })
        })
        .collect()
}

/// What one `#[prost(...)]` attribute says.
#[derive(Default)]
struct ProstAttr {
    scalar: Option<&'static str>,
    message: bool,
    /// The path's tokens.
    enumeration: Option<TokenStream>,
    map: Option<String>,
    /// The path's tokens.
    oneof: Option<TokenStream>,
    tag: Option<u32>,
    tags: Vec<u32>,
    optional: bool,
    required: bool,
    repeated: bool,
}

fn read_field(
    cx: &Ctxt,
    attr: &Attr,
    name: String,
    span: Span,
    ty: &[TokenTree],
    attrs: &[Attr],
) -> Option<Field> {
    let prost = match parse_prost(attr) {
        Ok(prost) => prost,
        Err(error) => {
            cx.error(error);
            return None;
        }
    };
    let (kind, cardinality) = field_kind(cx, &prost, ty, attr)?;
    let number = match (&kind, prost.tag) {
        (Kind::Oneof(_), _) => 0,
        (_, Some(tag)) => tag,
        (_, None) => {
            cx.error_spanned_by(attr, "a prost field needs its number: `tag = \"1\"`");
            return None;
        }
    };
    Some(Field {
        name,
        span,
        number,
        tags: prost.tags,
        kind,
        cardinality,
        notes: notes(cx, attrs),
    })
}

fn field_kind(
    cx: &Ctxt,
    prost: &ProstAttr,
    ty: &[TokenTree],
    attr: &Attr,
) -> Option<(Kind, Cardinality)> {
    let label = if prost.repeated {
        Cardinality::Repeated
    } else if prost.required {
        Cardinality::Required
    } else if prost.optional {
        Cardinality::Optional
    } else {
        Cardinality::Implicit
    };
    if let Some(oneof) = &prost.oneof {
        return Some((Kind::Oneof(TypeName::of(oneof)), Cardinality::Optional));
    }
    if let Some(map) = &prost.map {
        return map_kind(cx, map, ty, attr);
    }
    if let Some(path) = &prost.enumeration {
        return Some((Kind::Enum(TypeName::of(path)), label));
    }
    if prost.message {
        // A singular message field is an `Option`: it has presence.
        let label = if label == Cardinality::Implicit {
            Cardinality::Optional
        } else {
            label
        };
        return Some((Kind::Message(message_type(ty.to_vec())), label));
    }
    match prost.scalar {
        Some(scalar) => Some((Kind::Scalar(scalar.to_owned()), label)),
        None => {
            cx.error_spanned_by(attr, "prost attribute without a type: expected a scalar, `message`, `enumeration`, `map` or `oneof`");
            None
        }
    }
}

/// `map = "string, message"`: the key's scalar, and the value as a scalar, a message (the
/// Rust map's value type) or an enum (`enumeration(Status)`).
fn map_kind(cx: &Ctxt, map: &str, ty: &[TokenTree], attr: &Attr) -> Option<(Kind, Cardinality)> {
    let (key, value) = map.split_once(',')?;
    let Some(key) = scalar(key.trim()) else {
        cx.error_spanned_by(attr, format!("map key `{key}` is not a scalar type"));
        return None;
    };
    let value = value.trim();
    let kind = if let Some(inner) = value
        .strip_prefix("enumeration(")
        .and_then(|v| v.strip_suffix(')'))
    {
        Kind::Enum(TypeName::of(&path_of(inner).ok()?))
    } else if value == "message" {
        // The map's second type argument (a map type that is not a path has none).
        let (_, args) = path_args(ty)?;
        Kind::Message(message_type(args.into_iter().nth(1)?))
    } else {
        Kind::Scalar(scalar(value)?.to_owned())
    };
    Some((kind, Cardinality::Map(key)))
}

/// The message type a field holds: its type inside `Option`, `Vec` and `Box` (any number
/// of them), found on the tokens (`Leaf`, not `::core::option::Option<Leaf>`); a type the
/// tokens do not show as a path with type arguments is the type itself (the compiler has
/// parsed the item, so the tokens are a type).
fn message_type(mut ty: Vec<TokenTree>) -> TypeName {
    loop {
        match path_args(&ty) {
            Some((name, args))
                if !args.is_empty() && ["Option", "Vec", "Box"].iter().any(|w| name == w) =>
            {
                let Some(inner) = args.into_iter().next() else {
                    return TypeName::from_trees(ty);
                };
                ty = inner;
            }
            _ => return TypeName::from_trees(ty),
        }
    }
}

/// A path type's last name and its generic arguments, read off its tokens
/// (`::core::option::Option<Leaf>`: `Option` and `Leaf`). None for any other type, or an
/// argument that is not a type (a lifetime).
fn path_args(ty: &[TokenTree]) -> Option<(Ident, Vec<Vec<TokenTree>>)> {
    let mut tokens = ty.iter().cloned();
    let mut last = None;
    loop {
        match tokens.next() {
            None => return Some((last?, Vec::new())),
            Some(TokenTree::Ident(ident)) => last = Some(ident),
            Some(TokenTree::Punct(colon)) if colon.as_char() == ':' => {}
            Some(TokenTree::Punct(open)) if open.as_char() == '<' && last.is_some() => break,
            Some(_) => return None,
        }
    }
    // The arguments, split at the commas outside angle brackets, up to the `>` that closes
    // them and ends the type.
    let (mut args, mut arg, mut depth, mut arrow) = (Vec::new(), Vec::new(), 0usize, false);
    while let Some(tree) = tokens.next() {
        if let TokenTree::Punct(punct) = &tree {
            let c = punct.as_char();
            match c {
                '>' if !arrow && depth == 0 => {
                    args.push(arg);
                    let args = args.into_iter().map(|arg: Vec<TokenTree>| {
                        let starts = arg.first()?;
                        let lifetime = matches!(starts, TokenTree::Punct(p) if p.as_char() == '\'');
                        (!lifetime).then_some(arg)
                    });
                    let args = args.collect::<Option<Vec<Vec<TokenTree>>>>()?;
                    return tokens.next().is_none().then_some((last?, args));
                }
                ',' if depth == 0 => {
                    args.push(std::mem::take(&mut arg));
                    arrow = false;
                    continue;
                }
                '<' => depth += 1,
                '>' if !arrow => depth -= 1,
                _ => {}
            }
            arrow = c == '-' && punct.spacing() == Spacing::Joint;
        } else {
            arrow = false;
        }
        arg.push(tree);
    }
    None
}

/// prost's attribute, read key by key: a key and, after `=`, a string, with no general
/// expression parsed for the value (the derive runs unoptimized in a debug build).
fn parse_prost(attr: &Attr) -> Result<ProstAttr> {
    let mut out = ProstAttr::default();
    if let Some(keys) = prost_keys(attr) {
        for (key, value) in keys {
            out.set(&key, value)?;
        }
        return Ok(out);
    }
    // Anything else prost's attribute may hold, and the errors, as syn reads them.
    let (trees, scope, _) = attr.args()?;
    let mut input = Cursor::new(&trees, scope);
    prost_parse::nested_meta(&mut input, |key, input| {
        let value = if input.peek_punct('=') {
            input.punct('=')?;
            input.lit()?
        } else {
            if input.peek_group(Delimiter::Parenthesis) {
                // A list (`key(...)`): a key prost may grow, read as nothing.
                input.next();
            }
            None
        };
        out.set(&key.name(), value)
    })?;
    Ok(out)
}

/// The keys of `#[prost(string, optional, tag = "3")]` and their string values, read
/// straight off the attribute's tokens: a key is a word, a value a plain string literal
/// after `=`, and `key(...)` a list read as nothing. None when the attribute holds anything
/// else (left to [`parse_prost`]'s general reading, which words the errors): the derive
/// runs unoptimized in a debug build, where a general reading costs more than the
/// derive's other work on a field (benches/compile_time.sh, the prost family).
fn prost_keys(attr: &Attr) -> Option<Vec<(String, Option<String>)>> {
    let mut keys = Vec::new();
    let mut tokens = attr.list_tokens()?.into_iter().peekable();
    while let Some(tree) = tokens.next() {
        let TokenTree::Ident(key) = tree else {
            return None;
        };
        let value = match tokens.peek() {
            Some(TokenTree::Punct(eq)) if eq.as_char() == '=' => {
                tokens.next();
                match tokens.next() {
                    Some(TokenTree::Literal(lit)) => Some(plain_string(&lit)?),
                    _ => return None,
                }
            }
            Some(TokenTree::Group(group))
                if group.delimiter() == proc_macro2::Delimiter::Parenthesis =>
            {
                tokens.next();
                None
            }
            _ => None,
        };
        keys.push((key.to_string(), value));
        match tokens.next() {
            None => break,
            Some(TokenTree::Punct(comma)) if comma.as_char() == ',' => {}
            Some(_) => return None,
        }
    }
    Some(keys)
}

/// A string literal without escapes, as its text; None for anything else.
fn plain_string(lit: &proc_macro2::Literal) -> Option<String> {
    let text = lit.to_string();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['\\', '"'])).then(|| inner.to_owned())
}

impl ProstAttr {
    /// One key of prost's attribute, with its string value if it has one.
    fn set(&mut self, key: &str, value: Option<String>) -> Result<()> {
        match (key, value) {
            ("message", _) => self.message = true,
            ("optional", _) => self.optional = true,
            ("required", _) => self.required = true,
            ("repeated", _) => self.repeated = true,
            ("tag", Some(v)) => self.tag = v.trim().parse().ok(),
            ("tags", Some(v)) => {
                self.tags = v.split(',').filter_map(|t| t.trim().parse().ok()).collect()
            }
            ("enumeration", Some(v)) => self.enumeration = Some(path_of(&v)?),
            ("map" | "hash_map" | "btree_map", Some(v)) => self.map = Some(v),
            ("oneof", Some(v)) => self.oneof = Some(path_of(&v)?),
            (other, _) => {
                if let Some(s) = scalar(other) {
                    self.scalar = Some(s);
                }
            }
        }
        Ok(())
    }
}
