//! Parsing `#[since(...)]`, `#[compat(...)]` and the `#[serde(...)]` keys that matter
//! into typed attributes. Every mistake is recorded in the [`Ctxt`] and parsing goes on,
//! so one build shows every bad attribute of an item.

use crate::ctxt::Ctxt;
use crate::since;
use crate::suggest;
use crate::symbol::{
    BETWEEN, COMPAT, CONTENT, DEFAULT, DENY_UNKNOWN_FIELDS, DEPRECATED, DESERIALIZE_WITH,
    FIELD_KEYS, FROM, IGNORABLE, NOTE, OTHER, ROUTES, SERDE, SINCE, SKIP, SKIP_DESERIALIZING,
    Symbol, TAG, TO, TYPE_KEYS, UNTAGGED, VARIANT_KEYS, WITH,
};
use proc_macro2::TokenTree;
use semver::Version;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Meta, Path, Token};

/// A version written in `#[since("X.Y.Z")]` or `deprecated = "X.Y.Z"`, with its literal
/// for error spans.
pub(crate) struct Since {
    pub(crate) version: Version,
    pub(crate) lit: LitStr,
}

/// A component named in `from`, `to`, `between` or `routes`.
#[derive(Clone)]
pub(crate) struct Component {
    pub(crate) name: String,
    pub(crate) lit: LitStr,
}

/// One direction a message travels in.
pub(crate) struct Route {
    pub(crate) from: String,
    pub(crate) to: String,
    /// The receiver as written (or the whole route, in `routes`); errors about the
    /// route point here.
    pub(crate) at: LitStr,
}

/// Where an attribute sits; decides which keys it takes.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    Type,
    Field,
    Variant,
}

impl Place {
    fn keys(self) -> &'static [Symbol] {
        match self {
            Self::Type => TYPE_KEYS,
            Self::Field => FIELD_KEYS,
            Self::Variant => VARIANT_KEYS,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Type => "a type",
            Self::Field => "a field",
            Self::Variant => "a variant",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Type => "types",
            Self::Field => "fields",
            Self::Variant => "variants",
        }
    }
}

/// Attributes of the struct or enum itself.
pub(crate) struct Container {
    pub(crate) since: Option<Since>,
    /// Whether a `#[since]` was written, valid or not: a bad one is reported once, not
    /// again as a missing one.
    pub(crate) since_written: bool,
    /// Whether `from`, `to`, `between` or `routes` was written, valid or not.
    pub(crate) direction_written: bool,
    /// Every component named, for the unknown-name check.
    pub(crate) components: Vec<Component>,
    /// The directions the message travels in; empty when none is declared.
    pub(crate) routes: Vec<Route>,
    /// Whether the routes are every combination of several names in `from`/`to` or
    /// `between`, rather than each written out: one of them may be a direction the
    /// message never takes.
    pub(crate) crossed: bool,
    /// `#[serde(default)]` on the container: every field can default.
    pub(crate) serde_default: bool,
    /// The `deny_unknown_fields` key of `#[serde(...)]`, for its span.
    pub(crate) deny_unknown_fields: Option<Path>,
    /// How serde writes the variants of an enum: `#[serde(tag = "...")]`,
    /// `#[serde(tag = "...", content = "...")]`, `#[serde(untagged)]` or none of them.
    pub(crate) tagging: Tagging,
}

/// How serde writes an enum's variants, which decides what `#[serde(other)]` can catch.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Tagging {
    /// serde's default, `{"Drain":{...}}`: `#[serde(other)]` receives unknown unit
    /// variants (`"Drain"`) only.
    External,
    /// `#[serde(tag = "type")]`, `{"type":"Drain",...}`: `#[serde(other)]` receives every
    /// unknown variant, with or without data.
    Internal(String),
    /// `#[serde(tag = "t", content = "c")]`, `{"t":"Drain","c":{...}}`: `#[serde(other)]`
    /// receives unknown variants without content only.
    Adjacent(String, String),
    /// `#[serde(untagged)]`: no tag at all, and serde allows no `#[serde(other)]`.
    Untagged,
}

/// Attributes of a field.
pub(crate) struct Field {
    pub(crate) since: Option<Since>,
    /// The `default` key of `#[compat(default)]`, for its span.
    pub(crate) default: Option<Path>,
    /// `#[serde(default)]`, `#[serde(default = "...")]` or `#[serde(skip_deserializing)]`.
    pub(crate) serde_default: bool,
    /// The `with` or `deserialize_with` key of `#[serde(...)]`, for its span: the field is
    /// decoded by that function, which serde does not call for a missing field, so an
    /// `Option<_>` is no longer filled with `None`.
    pub(crate) serde_with: Option<Path>,
    /// `#[serde(skip)]`: the field never travels.
    pub(crate) skip: bool,
    pub(crate) ignorable: bool,
    pub(crate) deprecated: Option<Since>,
    /// `note = "..."` and the key, for the error when it comes without `deprecated`.
    pub(crate) note: Option<(Path, String)>,
    /// Whether its `#[compat(...)]` had a mistake; the policy checks then leave the field
    /// alone, since the key the user meant may be the fix.
    pub(crate) malformed: bool,
}

/// Attributes of an enum variant.
pub(crate) struct Variant {
    pub(crate) since: Option<Since>,
    /// The `other` key of `#[compat(other)]`: the variant receives unknown variants when
    /// `Deserialize` is written by hand (or the enum is untagged).
    pub(crate) compat_other: Option<Path>,
    /// The `other` key of `#[serde(other)]`: serde routes unknown variants here.
    pub(crate) serde_other: Option<Path>,
    /// `#[serde(skip)]`: the variant never travels.
    pub(crate) skip: bool,
}

impl Container {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut from: Option<(Path, Vec<Component>)> = None;
        let mut to: Option<(Path, Vec<Component>)> = None;
        let mut between: Option<(Path, Vec<Component>)> = None;
        let mut listed: Option<(Path, Vec<(Component, Component)>)> = None;
        read_compat(cx, attrs, Place::Type, |key, meta| {
            let slot = match key {
                // #[compat(from = "agent")] or #[compat(from = ["agent", "web"])]
                FROM => &mut from,
                // #[compat(to = "server")] or #[compat(to = ["server", "proxy"])]
                TO => &mut to,
                // #[compat(between = ["server", "agent"])]: both ways; one name for a
                // component that talks to itself
                BETWEEN => &mut between,
                // #[compat(routes = ["agent > server", "server > web"])]: exactly these
                // directions
                ROUTES => {
                    listed = Some((meta.path.clone(), route_list(cx, meta)?));
                    return Ok(());
                }
                _ => unreachable!("keys are filtered by Place::Type"),
            };
            *slot = Some((meta.path.clone(), components(meta)?));
            Ok(())
        });
        let direction_written =
            from.is_some() || to.is_some() || between.is_some() || listed.is_some();
        let mut serde_default = false;
        let mut deny_unknown_fields = None;
        let mut tag = None;
        let mut content = None;
        let mut untagged = false;
        read_serde(attrs, |meta| {
            if meta.path == DEFAULT {
                // #[serde(default)] or #[serde(default = "path")]
                serde_default = true;
            } else if meta.path == DENY_UNKNOWN_FIELDS {
                // #[serde(deny_unknown_fields)]
                deny_unknown_fields = Some(meta.path.clone());
            } else if meta.path == TAG {
                // #[serde(tag = "type")]
                tag = string_value(meta);
            } else if meta.path == CONTENT {
                // #[serde(tag = "t", content = "c")]
                content = string_value(meta);
            } else if meta.path == UNTAGGED {
                // #[serde(untagged)]
                untagged = true;
            }
        });
        let tagging = match (tag, content) {
            _ if untagged => Tagging::Untagged,
            (Some(tag), Some(content)) => Tagging::Adjacent(tag, content),
            (Some(tag), None) => Tagging::Internal(tag),
            (None, _) => Tagging::External,
        };
        let mut components = Vec::new();
        let mut routes = Vec::new();
        let mut crossed = false;
        match (from, to, between, listed) {
            (from, to, between, Some((key, _)))
                if from.is_some() || to.is_some() || between.is_some() =>
            {
                cx.error_spanned_by(
                    key,
                    "use either `routes` or `from`/`to`/`between`, not both: `routes` already names \
                     every direction the message travels in; move the others into it as \"sender > receiver\"",
                );
            }
            (None, None, None, Some((_, pairs))) => {
                for (sender, receiver) in pairs {
                    push_route(&mut routes, &sender, &receiver);
                    let same = sender.name == receiver.name;
                    components.push(sender);
                    if !same {
                        components.push(receiver);
                    }
                }
            }
            (from, to, Some((key, _)), None) if from.is_some() || to.is_some() => cx.error_spanned_by(
                key,
                "use either `between` or `from` and `to`, not both: `between` already means both ways",
            ),
            (None, None, Some((_, names)), None) => {
                for sender in &names {
                    for receiver in &names {
                        if sender.name != receiver.name || names.len() == 1 {
                            push_route(&mut routes, sender, receiver);
                        }
                    }
                }
                crossed = routes.len() > 1;
                components = names;
            }
            (Some((_, senders)), Some((_, receivers)), None, None) => {
                for sender in &senders {
                    for receiver in &receivers {
                        push_route(&mut routes, sender, receiver);
                    }
                }
                crossed = routes.len() > 1;
                components = senders.into_iter().chain(receivers).collect();
            }
            (Some((key, _)), None, None, None) => cx.error_spanned_by(
                key,
                "`from` needs `to`: say which component receives it, e.g. #[compat(from = \"agent\", to = \"server\")]",
            ),
            (None, Some((key, _)), None, None) => cx.error_spanned_by(
                key,
                "`to` needs `from`: say which component sends it, e.g. #[compat(from = \"agent\", to = \"server\")]",
            ),
            _ => {}
        }
        Self {
            since: read_since(cx, attrs, Place::Type),
            since_written: attrs.iter().any(|attr| attr.path() == SINCE),
            direction_written,
            components,
            routes,
            crossed,
            serde_default,
            deny_unknown_fields,
            tagging,
        }
    }
}

impl Field {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut default = None;
        let mut ignorable = false;
        let mut deprecated = None;
        let mut note = None;
        let clean = read_compat(cx, attrs, Place::Field, |key, meta| {
            match key {
                // #[compat(default)]
                DEFAULT => {
                    flag(cx, meta)?;
                    default = Some(meta.path.clone());
                }
                // #[compat(ignorable)]
                IGNORABLE => ignorable = flag(cx, meta)?,
                // #[compat(deprecated = "0.9.0")]
                DEPRECATED => {
                    if !meta.input.peek(Token![=]) {
                        return Err(meta.error(
                            "`deprecated` takes the release that deprecated the field: #[compat(deprecated = \"X.Y.Z\")]",
                        ));
                    }
                    let lit: LitStr = meta.value()?.parse()?;
                    deprecated = release(cx, lit);
                }
                // #[compat(deprecated = "0.9.0", note = "use `selectors`")]
                NOTE => {
                    let lit: LitStr = meta.value()?.parse()?;
                    note = Some((meta.path.clone(), lit.value()));
                }
                _ => unreachable!("keys are filtered by Place::Field"),
            }
            Ok(())
        });
        let mut serde_default = false;
        let mut serde_with = None;
        let mut skip = false;
        read_serde(attrs, |meta| {
            if meta.path == DEFAULT || meta.path == SKIP_DESERIALIZING {
                // #[serde(default)], #[serde(default = "path")], #[serde(skip_deserializing)]
                serde_default = true;
            } else if meta.path == WITH || meta.path == DESERIALIZE_WITH {
                // #[serde(with = "module")], #[serde(deserialize_with = "path")]
                serde_with.get_or_insert_with(|| meta.path.clone());
            } else if meta.path == SKIP {
                // #[serde(skip)]
                skip = true;
            }
        });
        Self {
            since: read_since(cx, attrs, Place::Field),
            default,
            serde_default,
            serde_with,
            skip,
            ignorable,
            deprecated,
            note,
            malformed: !clean,
        }
    }
}

impl Variant {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut compat_other = None;
        read_compat(cx, attrs, Place::Variant, |key, meta| {
            match key {
                // #[compat(other)]
                OTHER => {
                    flag(cx, meta)?;
                    compat_other = Some(meta.path.clone());
                }
                _ => unreachable!("keys are filtered by Place::Variant"),
            }
            Ok(())
        });
        let mut serde_other = None;
        let mut skip = false;
        read_serde(attrs, |meta| {
            if meta.path == OTHER {
                // #[serde(other)]
                serde_other.get_or_insert_with(|| meta.path.clone());
            } else if meta.path == SKIP {
                // #[serde(skip)]
                skip = true;
            }
        });
        Self {
            since: read_since(cx, attrs, Place::Variant),
            compat_other,
            serde_other,
            skip,
        }
    }
}

fn push_route(routes: &mut Vec<Route>, sender: &Component, receiver: &Component) {
    if !routes
        .iter()
        .any(|route| route.from == sender.name && route.to == receiver.name)
    {
        routes.push(Route {
            from: sender.name.clone(),
            to: receiver.name.clone(),
            at: receiver.lit.clone(),
        });
    }
}

/// `#[since("0.8.0")]`: at most one per item.
fn read_since(cx: &Ctxt, attrs: &[Attribute], place: Place) -> Option<Since> {
    let mut found: Option<Since> = None;
    let mut seen = false;
    for attr in attrs.iter().filter(|attr| attr.path() == SINCE) {
        if seen {
            cx.error_spanned_by(
                attr,
                format!(
                    "duplicate #[since]: {} has one first release; keep the earliest",
                    place.noun()
                ),
            );
            continue;
        }
        seen = true;
        let lit = match &attr.meta {
            Meta::List(list) => {
                match attr.parse_args::<LitStr>() {
                    Ok(lit) => lit,
                    Err(_) if list.tokens.is_empty() => {
                        cx.error_spanned_by(attr, "#[since] needs the release that first shipped this: #[since(\"X.Y.Z\")]");
                        continue;
                    }
                    Err(_) => {
                        let written = list.tokens.to_string().replace(' ', "");
                        cx.error_spanned_by(
                            &list.tokens,
                            format!("write the version as one string: #[since(\"{written}\")]"),
                        );
                        continue;
                    }
                }
            }
            Meta::Path(_) => {
                cx.error_spanned_by(
                    attr,
                    "#[since] needs the release that first shipped this: #[since(\"X.Y.Z\")]",
                );
                continue;
            }
            Meta::NameValue(name_value) => {
                let written = match &name_value.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }) => lit.value(),
                    _ => "X.Y.Z".to_owned(),
                };
                cx.error_spanned_by(
                    attr,
                    format!("write the version in parentheses: #[since(\"{written}\")]"),
                );
                continue;
            }
        };
        found = release(cx, lit);
    }
    found
}

/// A release version from a string literal; an unparsable one is reported at the literal.
fn release(cx: &Ctxt, lit: LitStr) -> Option<Since> {
    match since::parse_release(&lit.value()) {
        Ok(version) => Some(Since { version, lit }),
        Err(why) => {
            cx.error_spanned_by(&lit, why);
            None
        }
    }
}

/// Runs `key` for every known key of every `#[compat(...)]`, reporting unknown and
/// duplicate keys itself; returns whether every attribute was well-formed.
fn read_compat(
    cx: &Ctxt,
    attrs: &[Attribute],
    place: Place,
    mut key: impl FnMut(Symbol, &ParseNestedMeta<'_>) -> syn::Result<()>,
) -> bool {
    let before = cx.len();
    let mut seen: Vec<Symbol> = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path() == COMPAT) {
        let result = attr.parse_nested_meta(|meta| {
            let Some(&symbol) = place.keys().iter().find(|symbol| meta.path == **symbol) else {
                unknown_key(cx, &meta.path, place);
                return skip_value(&meta);
            };
            if seen.contains(&symbol) {
                cx.error_spanned_by(
                    &meta.path,
                    format!("duplicate key `{symbol}` in #[compat(...)]"),
                );
                return skip_value(&meta);
            }
            seen.push(symbol);
            key(symbol, &meta)
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    cx.len() == before
}

fn unknown_key(cx: &Ctxt, path: &Path, place: Place) {
    let word = path.get_ident().map_or_else(
        || quote::quote!(#path).to_string().replace(' ', ""),
        ToString::to_string,
    );
    let expected = place
        .keys()
        .iter()
        .map(|symbol| format!("`{symbol}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let elsewhere = [Place::Type, Place::Field, Place::Variant]
        .into_iter()
        .find(|other| *other != place && other.keys().iter().any(|symbol| path == symbol));
    let message = if let Some(other) = elsewhere {
        format!(
            "`{word}` goes on {}, not on {}; on {}, #[compat(...)] takes: {expected}",
            other.plural(),
            place.plural(),
            place.plural()
        )
    } else {
        let hint = suggest::closest(&word, place.keys().iter().map(|symbol| symbol.0))
            .map(|near| format!(" (did you mean `{near}`?)"))
            .unwrap_or_default();
        format!(
            "unknown key `{word}` in #[compat(...)] on {}{hint}; expected one of: {expected}",
            place.noun()
        )
    };
    cx.error_spanned_by(path, message);
}

/// Reads the keys of `#[serde(...)]` that matter to a peer, ignoring the rest; serde
/// reports its own mistakes.
fn read_serde(attrs: &[Attribute], mut key: impl FnMut(&ParseNestedMeta<'_>)) {
    for attr in attrs.iter().filter(|attr| attr.path() == SERDE) {
        let _ = attr.parse_nested_meta(|meta| {
            key(&meta);
            skip_value(&meta)
        });
    }
}

/// The string of `key = "..."`, if that is what follows the key; anything else is left for
/// serde to report.
fn string_value(meta: &ParseNestedMeta<'_>) -> Option<String> {
    if !meta.input.peek(Token![=]) {
        return None;
    }
    let lit: LitStr = meta.value().ok()?.parse().ok()?;
    Some(lit.value())
}

/// Steps over `= value` or `(...)` after a key.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        meta.input.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// A key that takes no value. Given one anyway, the key still counts, so the mistake is
/// reported once rather than again as the key's absence.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        let path = &meta.path;
        let word = quote::quote!(#path).to_string();
        cx.syn_error(meta.error(format!("`{word}` takes no value: write #[compat({word})]")));
        skip_value(meta)?;
    }
    Ok(true)
}

/// `"agent"` or `["agent", "web"]`: one string or a non-empty list of them.
fn strings(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Vec<LitStr>> {
    let input = meta.value()?;
    let lits: Vec<LitStr> = if input.peek(syn::token::Bracket) {
        let content;
        syn::bracketed!(content in input);
        content
            .parse_terminated(<LitStr as syn::parse::Parse>::parse, Token![,])?
            .into_iter()
            .collect()
    } else {
        vec![input.parse()?]
    };
    if lits.is_empty() {
        let path = &meta.path;
        let key = quote::quote!(#path).to_string();
        return Err(meta.error(format!(
            "`{key}` needs at least one entry, e.g. {key} = [{example}]"
        )));
    }
    Ok(lits)
}

/// The components of `from`, `to` or `between`.
fn components(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<Component>> {
    strings(meta, "\"server\"")?
        .into_iter()
        .map(|lit| {
            let name = lit.value();
            if is_component_name(&name) {
                Ok(Component { name, lit })
            } else {
                Err(syn::Error::new(
                    lit.span(),
                    "a component name is a word such as \"agent\", without spaces",
                ))
            }
        })
        .collect()
}

fn is_component_name(name: &str) -> bool {
    !name.trim().is_empty() && name.trim() == name && !name.contains('>')
}

/// The routes of `routes = ["agent > server", "server > web"]`. A malformed route is
/// reported at its string and left out; the others are still checked.
fn route_list(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<(Component, Component)>> {
    let mut routes = Vec::new();
    for lit in strings(meta, "\"agent > server\"")? {
        match route(&lit.value()) {
            Some((sender, receiver)) => routes.push((
                Component {
                    name: sender.to_owned(),
                    lit: lit.clone(),
                },
                Component {
                    name: receiver.to_owned(),
                    lit,
                },
            )),
            None => {
                let written = lit.value();
                let hint = ["->", "=>", "\u{2192}", ">>"]
                    .into_iter()
                    .find_map(|arrow| {
                        let fixed = written.replacen(arrow, ">", 1);
                        let (sender, receiver) = route(&fixed)?;
                        Some(format!(" (did you mean \"{sender} > {receiver}\"?)"))
                    })
                    .unwrap_or_default();
                cx.error_spanned_by(
                    &lit,
                    format!(
                        "`{written}` is not a route{hint}: write each route as \"sender > receiver\" \
                         with one `>` between two component names, e.g. routes = [\"agent > server\", \"server > web\"]"
                    ),
                );
            }
        }
    }
    Ok(routes)
}

/// `"agent > server"` as `("agent", "server")`; spaces around `>` are optional. The rest
/// of an arrow such as `->` is not taken for part of a name.
fn route(text: &str) -> Option<(&str, &str)> {
    let (sender, receiver) = text.split_once('>')?;
    let (sender, receiver) = (sender.trim(), receiver.trim());
    let whole = |name: &str| is_component_name(name) && !name.ends_with(['-', '=']);
    (whole(sender) && whole(receiver)).then_some((sender, receiver))
}
