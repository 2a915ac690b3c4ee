//! Finding the types of the library target that derive `Compat`, for `messages![...]`.
//!
//! `messages![...]` reads the crate's source with `proc-macro2`'s lexer and `syn` (already
//! built for the derives: no build script links a parser), item headers only (bodies are
//! skipped whole, as token trees), and walks the module tree from `src/lib.rs` the way the
//! compiler does: it follows `mod` declarations (`#[path]` included) and evaluates
//! `#[cfg(...)]` and `#[cfg_attr(...)]` against the configuration the build script saw
//! (`CARGO_FEATURE_*` and `CARGO_CFG_*`, handed over in `COMPAT_CFG`; `test`, `doc` and
//! `doctest` are off, since `messages![...]` lists what every build of the library has).
//! What it cannot see, it refuses: a macro invocation at module level that derives
//! `Compat` on the types it generates, since source is not what macros expand to.
//!
//! The crate is recompiled whenever one of its module files changes, and `messages![...]`
//! is expanded again with it, so the list is never stale.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::{Meta, Token};

/// What the scan found in a crate's `src`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Scanned {
    /// Each type deriving `Compat`, as `(path, place)`: its module path from the crate root
    /// (`v1::Hello`, or `Hello` at the root) and its `file:line` relative to the crate root
    /// (`src/v1.rs:3`), in module order.
    pub(crate) messages: Vec<(String, String)>,
    /// What the scan refuses, one located sentence each: types a macro generates, and
    /// conditions it cannot evaluate.
    pub(crate) refusals: Vec<String>,
}

/// Everything a scan's result depends on besides the configuration: each file it read
/// (with its text, `None` if it could not be read) and each path it probed for a module
/// file (with whether it was a file). The same files read the same way give the same
/// result, which is what lets `messages![...]` reuse it (see `messages_memo`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Inputs {
    pub(crate) reads: Vec<(PathBuf, Option<String>)>,
    pub(crate) probes: Vec<(PathBuf, bool)>,
}

struct Scan<'e> {
    env: &'e dyn Fn(&str) -> Option<String>,
    /// Whether places are recorded: proc-macro2's own lexer gives the spans their lines.
    located: bool,
    inputs: Inputs,
    /// The crate root, for the places shown.
    root: PathBuf,
    seen: BTreeSet<PathBuf>,
    /// `macro_rules!` macros whose expansion derives `Compat`.
    generating: BTreeSet<String>,
    out: Scanned,
}

/// Scans the library target whose `src` directory is `src`, with `env` for the build's
/// configuration.
#[cfg(test)]
pub(crate) fn scan(src: &Path, env: &dyn Fn(&str) -> Option<String>) -> Scanned {
    scan_with_inputs(src, env).0
}

/// `scan`, with the inputs its result depends on.
pub(crate) fn scan_with_inputs(
    src: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Scanned, Inputs) {
    // Parsed by proc-macro2's own lexer even inside the compiler, which is what gives the
    // spans their lines; nothing parsed here is handed back to the compiler.
    let _fallback = Fallback::force();
    scan_lexed(src, env, true)
}

/// [`scan_with_inputs`] without the places: each type's place is empty, and a refusal's
/// line may be wrong (whoever reports one scans again with [`scan_with_inputs`]). Inside the
/// compiler the files are lexed by the compiler's own lexer, many times faster than
/// proc-macro2's, which a proc macro runs unoptimized (benches/compile_time.sh: most of what
/// `messages![...]` cost a clean build); the places are only needed for an error.
pub(crate) fn scan_unlocated(
    src: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Scanned, Inputs) {
    if !proc_macro::is_available() {
        return scan_with_inputs(src, env);
    }
    scan_lexed(src, env, false)
}

fn scan_lexed(
    src: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    located: bool,
) -> (Scanned, Inputs) {
    let mut scan = Scan {
        env,
        located,
        inputs: Inputs::default(),
        root: src.parent().unwrap_or(src).to_path_buf(),
        seen: BTreeSet::new(),
        generating: BTreeSet::new(),
        out: Scanned::default(),
    };
    scan.file(&src.join("lib.rs"), &[], src);
    (scan.out, scan.inputs)
}

/// proc-macro2's fallback implementation, for as long as it lives.
struct Fallback;

impl Fallback {
    fn force() -> Self {
        proc_macro2::fallback::force();
        Fallback
    }
}

impl Drop for Fallback {
    fn drop(&mut self) {
        proc_macro2::fallback::unforce();
    }
}

impl Scan<'_> {
    fn shown(&self, file: &Path) -> String {
        file.strip_prefix(&self.root)
            .unwrap_or(file)
            .display()
            .to_string()
    }

    /// The token trees of a file's text; `None` when it does not lex. Unlocated, by the
    /// compiler's lexer, whose error about the file is then the compiler's own.
    fn lex(&self, text: &str) -> Option<TokenStream> {
        if self.located {
            return text.parse::<TokenStream>().ok();
        }
        text.parse::<proc_macro::TokenStream>()
            .ok()
            .map(TokenStream::from)
    }

    /// One source file: the module `module`, whose `mod x;` declarations resolve in
    /// `children`.
    fn file(&mut self, file: &Path, module: &[String], children: &Path) {
        let file = &lexically_normal(file);
        if !self.seen.insert(file.to_path_buf()) {
            return;
        }
        let read = std::fs::read_to_string(file).ok();
        self.inputs.reads.push((file.to_path_buf(), read.clone()));
        let Some(text) = read else {
            // A module file that does not exist is the compiler's to report.
            return;
        };
        let shown = self.shown(file);
        // A file that does not lex (unbalanced delimiters, an unterminated string) is the
        // compiler's to report, with better errors than ours; its types are not checked
        // against the list.
        let Some(tokens) = self.lex(&text) else {
            return;
        };
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let (inner, rest) = inner_attrs(&trees);
        match self.attrs(&inner, &shown) {
            Some(attrs) if attrs.enabled => {}
            _ => return,
        }
        let within = Within {
            file,
            shown: &shown,
            module,
            children,
            top: true,
        };
        self.items(rest, &within);
    }

    /// The items of a file (`within.top`) or of an inline module in it, read from the
    /// module's token trees: each item's attributes and its first words, with bodies (of
    /// functions, impls, types) skipped whole, never parsed. What the scan needs is in the
    /// item headers; parsing the rest is what made it slow (benches/compile_time.sh).
    fn items(&mut self, trees: &[TokenTree], within: &Within<'_>) {
        let mut i = 0;
        while i < trees.len() {
            let (attrs, after) = outer_attrs(trees, i);
            i = after_visibility(trees, after);
            let Some(keyword) = ident_at(trees, i) else {
                // A stray `;` or something the compiler will reject: one tree at a time.
                i = skip_item(trees, i, Ends::AtBody);
                continue;
            };
            i = self.item(trees, i, keyword, attrs, within);
        }
    }

    /// The item whose first word, `keyword`, is at `i`, with its outer attributes; returns
    /// the index after the item.
    fn item(
        &mut self,
        trees: &[TokenTree],
        i: usize,
        keyword: &proc_macro2::Ident,
        attrs: Vec<RawAttr>,
        within: &Within<'_>,
    ) -> usize {
        let next = ident_at(trees, i + 1);
        match keyword.to_string().as_str() {
            "struct" | "enum" | "union" if next.is_some() => {
                if let Some(name) = next {
                    self.derive(&attrs, name, within.shown, within.module);
                }
                skip_item(trees, i + 2, Ends::AtBody)
            }
            "mod" if next.is_some() => self.module(trees, i, attrs, within),
            "macro_rules" if bang(trees, i + 1) => self.macro_rules(trees, i, &attrs, within.shown),
            // `const fn` is a function; `const X: T = ...;` ends at its semicolon, braces
            // in its value included; so do `static`, `use`, `type`, `extern crate`.
            "const"
                if next.is_none_or(|next| {
                    !matches!(
                        next.to_string().as_str(),
                        "fn" | "unsafe" | "async" | "extern"
                    )
                }) =>
            {
                skip_item(trees, i + 1, Ends::AtSemicolon)
            }
            "static" | "use" | "type" => skip_item(trees, i + 1, Ends::AtSemicolon),
            "extern" if next.is_some_and(|next| next == "crate") => {
                skip_item(trees, i + 1, Ends::AtSemicolon)
            }
            _ => self.invocation(trees, i, keyword, &attrs, within.shown),
        }
    }

    /// `mod name;` or `mod name { ... }` at `i`, with its attributes: its items are read,
    /// from the file it names or inline. Returns the index after it.
    fn module(
        &mut self,
        trees: &[TokenTree],
        i: usize,
        mut attrs: Vec<RawAttr>,
        within: &Within<'_>,
    ) -> usize {
        let name = ident_at(trees, i + 1).map(unraw).unwrap_or_default();
        let inline = match trees.get(i + 2) {
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                Some(group.stream().into_iter().collect::<Vec<TokenTree>>())
            }
            _ => None,
        };
        let after = skip_item(trees, i + 2, Ends::AtBody);
        // An inline module's own `#![...]` count with its outer attributes.
        let (inner, content) = match &inline {
            Some(trees) => inner_attrs(trees),
            None => (Vec::new(), &[][..]),
        };
        attrs.extend(inner);
        let Some(attrs) = self.attrs(&attrs, within.shown) else {
            return after;
        };
        if !attrs.enabled {
            return after;
        }
        let mut path = within.module.to_vec();
        path.push(name.clone());
        if inline.is_some() {
            // `#[path]` on an inline module names the directory of its children;
            // otherwise they sit in a directory of its name.
            let children = match &attrs.path {
                Some(written) => within.children.join(written),
                None => within.children.join(&name),
            };
            let inside = Within {
                module: &path,
                children: &children,
                top: false,
                ..*within
            };
            self.items(content, &inside);
        } else {
            self.module_file(&name, attrs.path.as_deref(), &path, within);
        }
        after
    }

    /// The file of `mod name;` (the module at `path`), found as the compiler finds it, and
    /// read.
    fn module_file(
        &mut self,
        name: &str,
        written: Option<&str>,
        path: &[String],
        within: &Within<'_>,
    ) {
        let children = within.children;
        let target = match written {
            // `#[path]` at a file's top level is relative to the file's directory; the
            // file it names owns its directory, like a `mod.rs`.
            Some(written) if within.top => {
                Some(within.file.parent().unwrap_or(children).join(written))
            }
            Some(written) => Some(children.join(written)),
            None => [
                children.join(format!("{name}.rs")),
                children.join(name).join("mod.rs"),
            ]
            .into_iter()
            .find(|candidate| {
                let found = candidate.is_file();
                self.inputs.probes.push((candidate.clone(), found));
                found
            }),
        };
        let Some(target) = target else { return };
        let owned = if written.is_some() || target.ends_with("mod.rs") {
            target.parent().unwrap_or(children).to_path_buf()
        } else {
            children.join(name)
        };
        self.file(&target, path, &owned);
    }

    /// `macro_rules! name { ... }` at `i`: remembered when what it expands to derives
    /// `Compat`. Returns the index after it.
    fn macro_rules(
        &mut self,
        trees: &[TokenTree],
        i: usize,
        attrs: &[RawAttr],
        shown: &str,
    ) -> usize {
        let name = ident_at(trees, i + 2).map(unraw);
        let body = match trees.get(i + 3) {
            Some(TokenTree::Group(group)) => Some(group.stream()),
            _ => None,
        };
        let after = skip_macro(trees, i + 3);
        let Some(attrs) = self.attrs(attrs, shown) else {
            return after;
        };
        if let (true, Some(name), Some(body)) = (attrs.enabled, name, body)
            && derives_compat_in(body)
        {
            self.generating.insert(name);
        }
        after
    }

    /// Anything else at `i`: a macro invocation (`path!(...)`, `path! { ... }`,
    /// `a::b![...];`), refused when it generates types that derive `Compat`, or an item the
    /// scan does not look into. Returns the index after it.
    fn invocation(
        &mut self,
        trees: &[TokenTree],
        i: usize,
        keyword: &proc_macro2::Ident,
        attrs: &[RawAttr],
        shown: &str,
    ) -> usize {
        let mut at = i;
        let mut last = keyword;
        while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(ident)) = (
            trees.get(at + 1),
            trees.get(at + 2),
            ident_at(trees, at + 3),
        ) {
            if a.as_char() != ':' || b.as_char() != ':' {
                break;
            }
            last = ident;
            at += 3;
        }
        if !bang(trees, at + 1) {
            return skip_item(trees, i, Ends::AtBody);
        }
        let line = keyword.span().start().line;
        let name = unraw(last);
        let body = match trees.get(at + 2) {
            Some(TokenTree::Group(group)) => group.stream(),
            _ => TokenStream::new(),
        };
        let after = skip_macro(trees, at + 2);
        let Some(attrs) = self.attrs(attrs, shown) else {
            return after;
        };
        if attrs.enabled && (self.generating.contains(&name) || derives_compat_in(body)) {
            self.out.refusals.push(format!(
                "{shown}:{line}: `{name}!` generates types that derive Compat, which the build \
                 script cannot see: it reads the source, not what macros expand to, so \
                 messages![...] could not insist on them and the handshake and the wire lock \
                 could miss one; write those types out at module level with \
                 #[derive(Compat)] instead of generating them"
            ));
        }
        after
    }

    fn derive(
        &mut self,
        attrs: &[RawAttr],
        ident: &proc_macro2::Ident,
        shown: &str,
        module: &[String],
    ) {
        let Some(attrs) = self.attrs(attrs, shown) else {
            return;
        };
        if attrs.enabled && attrs.derives_compat && !attrs.wrapper {
            let mut path = module.to_vec();
            path.push(unraw(ident));
            let place = if self.located {
                format!("{shown}:{}", ident.span().start().line)
            } else {
                String::new()
            };
            self.out.messages.push((path.join("::"), place));
        }
    }

    /// The attributes that hold, with every `cfg_attr` whose predicate holds unfolded;
    /// `None` when a predicate cannot be read (the refusal is recorded). Only `cfg`,
    /// `cfg_attr`, `derive`, `path` and `compat` (for `transparent`) are parsed; the rest
    /// (doc comments, serde's) are never looked into.
    fn attrs(&mut self, attrs: &[RawAttr], shown: &str) -> Option<Attrs> {
        let mut metas = Vec::new();
        for attr in attrs {
            let first = attr.tokens.clone().into_iter().next();
            let wanted = matches!(&first, Some(TokenTree::Ident(ident))
                if ident == "cfg" || ident == "cfg_attr" || ident == "derive" || ident == "path"
                    || ident == "compat");
            if !wanted {
                continue;
            }
            let unfolded = syn::parse2::<Meta>(attr.tokens.clone())
                .map_err(|e| e.to_string())
                .and_then(|meta| self.unfold(meta, &mut metas));
            if let Err(why) = unfolded {
                let line = attr.at.start().line;
                self.out.refusals.push(format!(
                    "{shown}:{line}: cannot evaluate this attribute's condition ({why}), so the build \
                     script cannot tell whether the item below it exists; write the condition with \
                     `all`, `any`, `not`, `feature = \"...\"` and the target's cfg names"
                ));
                return None;
            }
        }
        let mut out = Attrs {
            enabled: true,
            derives_compat: false,
            wrapper: false,
            path: None,
        };
        for meta in &metas {
            match meta {
                Meta::List(list) if list.path.is_ident("cfg") => {
                    match list
                        .parse_args::<Meta>()
                        .map_err(|e| e.to_string())
                        .and_then(|predicate| self.holds(&predicate))
                    {
                        Ok(holds) => out.enabled &= holds,
                        Err(why) => {
                            self.out.refusals.push(format!(
                                "{shown}:{}: cannot evaluate #[cfg(...)] ({why}), so the build script \
                                 cannot tell whether the item below it exists; write the condition with \
                                 `all`, `any`, `not`, `feature = \"...\"` and the target's cfg names",
                                list.path
                                    .segments
                                    .first()
                                    .map_or(0, |s| s.ident.span().start().line)
                            ));
                            return None;
                        }
                    }
                }
                Meta::List(list) if list.path.is_ident("derive") => {
                    let derived = list
                        .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                        .map(|paths| {
                            paths.iter().any(|path| {
                                path.segments.last().is_some_and(|s| s.ident == "Compat")
                            })
                        })
                        .unwrap_or(false);
                    out.derives_compat |= derived;
                }
                // #[compat(transparent)] or #[compat(wire(...))]: a wrapper or a described
                // type, no message (and no table to list)
                Meta::List(list) if list.path.is_ident("compat") => {
                    out.wrapper |= list.tokens.clone().into_iter().any(|token| {
                        matches!(token, proc_macro2::TokenTree::Ident(ident) if ident == "transparent" || ident == "wire")
                    });
                }
                Meta::NameValue(nv) if nv.path.is_ident("path") => {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }) = &nv.value
                    {
                        out.path = Some(lit.value());
                    }
                }
                _ => {}
            }
        }
        Some(out)
    }

    /// `meta`, or for `cfg_attr(predicate, a, b)` the attributes `a` and `b` if the
    /// predicate holds (themselves unfolded), into `out`.
    fn unfold(&self, meta: Meta, out: &mut Vec<Meta>) -> Result<(), String> {
        let Meta::List(list) = &meta else {
            out.push(meta);
            return Ok(());
        };
        if !list.path.is_ident("cfg_attr") {
            out.push(meta);
            return Ok(());
        }
        let parts = list
            .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            .map_err(|e| e.to_string())?;
        let mut parts = parts.into_iter();
        let predicate = parts.next().ok_or("`cfg_attr` without a condition")?;
        if self.holds(&predicate)? {
            for inner in parts {
                self.unfold(inner, out)?;
            }
        }
        Ok(())
    }

    /// Whether a `cfg` predicate holds for this build of the library.
    fn holds(&self, predicate: &Meta) -> Result<bool, String> {
        match predicate {
            Meta::Path(path) => {
                let name = path
                    .get_ident()
                    .ok_or_else(|| format!("`{}` is not a cfg name", quote_path(path)))?
                    .to_string();
                Ok(match name.as_str() {
                    // The library `messages![...]` lists is the one every build has.
                    "test" | "doc" | "doctest" | "miri" => false,
                    name => (self.env)(&cfg_var(name)).is_some(),
                })
            }
            Meta::NameValue(nv) => {
                let name = nv
                    .path
                    .get_ident()
                    .ok_or_else(|| format!("`{}` is not a cfg name", quote_path(&nv.path)))?
                    .to_string();
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(value),
                    ..
                }) = &nv.value
                else {
                    return Err(format!("`{name} = ...` needs a string"));
                };
                let value = value.value();
                if name == "feature" {
                    return Ok((self.env)(&feature_var(&value)).is_some());
                }
                Ok((self.env)(&cfg_var(&name))
                    .is_some_and(|set| set.split(',').any(|one| one == value)))
            }
            Meta::List(list) => {
                let inner = list
                    .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                    .map_err(|e| e.to_string())?;
                let name = list.path.get_ident().map(ToString::to_string);
                match name.as_deref() {
                    Some("all") => inner
                        .iter()
                        .try_fold(true, |all, p| Ok(all && self.holds(p)?)),
                    Some("any") => inner
                        .iter()
                        .try_fold(false, |any, p| Ok(any || self.holds(p)?)),
                    Some("not") if inner.len() == 1 => Ok(!self.holds(&inner[0])?),
                    _ => Err(format!(
                        "`{}(...)` is not a cfg operator",
                        quote_path(&list.path)
                    )),
                }
            }
        }
    }
}

/// Where the items being read sit: the file (`file`, shown as `shown`), the module they
/// belong to (`module`, its path from the crate root), the directory where that module's
/// `mod x;` declarations resolve (`children`), and whether they are the file's top level
/// (`top`) rather than an inline module's.
#[derive(Clone, Copy)]
struct Within<'a> {
    file: &'a Path,
    shown: &'a str,
    module: &'a [String],
    children: &'a Path,
    top: bool,
}

/// The attributes of one item, as far as the scan needs them.
struct Attrs {
    enabled: bool,
    derives_compat: bool,
    /// `#[compat(transparent)]` or `#[compat(wire(...))]`: the derive makes a wrapper or a
    /// described type, not a message.
    wrapper: bool,
    path: Option<String>,
}

/// One attribute as the scan sees it: its `#` (for the line, looked up only to report
/// it), and the tokens inside `[...]`.
struct RawAttr {
    at: proc_macro2::Span,
    tokens: TokenStream,
}

/// The `#[...]` attributes that start at `i`, and the index after them.
fn outer_attrs(trees: &[TokenTree], mut i: usize) -> (Vec<RawAttr>, usize) {
    let mut attrs = Vec::new();
    while let (Some(TokenTree::Punct(pound)), Some(TokenTree::Group(group))) =
        (trees.get(i), trees.get(i + 1))
    {
        if pound.as_char() != '#' || group.delimiter() != Delimiter::Bracket {
            break;
        }
        attrs.push(RawAttr {
            at: pound.span(),
            tokens: group.stream(),
        });
        i += 2;
    }
    (attrs, i)
}

/// The index after the visibility at `i` (`pub`, `pub(crate)`, `pub(in path)`), if any.
fn after_visibility(trees: &[TokenTree], mut i: usize) -> usize {
    if ident_at(trees, i).is_some_and(|ident| ident == "pub") {
        i += 1;
        if let Some(TokenTree::Group(group)) = trees.get(i)
            && group.delimiter() == Delimiter::Parenthesis
        {
            i += 1;
        }
    }
    i
}

/// Whether the tree at `i` is a `!`.
fn bang(trees: &[TokenTree], i: usize) -> bool {
    matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '!')
}

/// A module's leading `#![...]` attributes, and the trees after them.
fn inner_attrs(trees: &[TokenTree]) -> (Vec<RawAttr>, &[TokenTree]) {
    let mut attrs = Vec::new();
    let mut i = 0;
    while let (
        Some(TokenTree::Punct(pound)),
        Some(TokenTree::Punct(bang)),
        Some(TokenTree::Group(group)),
    ) = (trees.get(i), trees.get(i + 1), trees.get(i + 2))
    {
        if pound.as_char() != '#'
            || bang.as_char() != '!'
            || group.delimiter() != Delimiter::Bracket
        {
            break;
        }
        attrs.push(RawAttr {
            at: pound.span(),
            tokens: group.stream(),
        });
        i += 3;
    }
    (attrs, &trees[i..])
}

fn ident_at(trees: &[TokenTree], i: usize) -> Option<&proc_macro2::Ident> {
    match trees.get(i) {
        Some(TokenTree::Ident(ident)) => Some(ident),
        _ => None,
    }
}

/// Where an item ends.
#[derive(Clone, Copy)]
enum Ends {
    /// At its first `{ ... }` (a type's fields, a function's or impl's body), or at a `;`.
    AtBody,
    /// At its `;`, whatever braces come before (`const X: S = S { a: 1 };`).
    AtSemicolon,
}

/// The index after the item that goes on at `i`.
fn skip_item(trees: &[TokenTree], mut i: usize, ends: Ends) -> usize {
    while let Some(tree) = trees.get(i) {
        i += 1;
        match (tree, ends) {
            (TokenTree::Punct(p), _) if p.as_char() == ';' => break,
            (TokenTree::Group(g), Ends::AtBody) if g.delimiter() == Delimiter::Brace => break,
            _ => {}
        }
    }
    i
}

/// The index after a macro invocation whose delimited body is at `i`: `{ ... }` ends it,
/// `( ... )` and `[ ... ]` take the `;` after them.
fn skip_macro(trees: &[TokenTree], i: usize) -> usize {
    match trees.get(i) {
        Some(TokenTree::Group(group)) if group.delimiter() != Delimiter::Brace => {
            match trees.get(i + 1) {
                Some(TokenTree::Punct(p)) if p.as_char() == ';' => i + 2,
                _ => i + 1,
            }
        }
        Some(_) => i + 1,
        None => i,
    }
}

/// `src/../outside.rs` as `outside.rs`: `#[path]` may climb out of `src`, and the place
/// shown (and the file watched) should read as the file it is.
fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether the tokens hold `derive(..., Compat, ...)`, at any depth.
fn derives_compat_in(tokens: TokenStream) -> bool {
    let mut previous_derive = false;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => previous_derive = ident == "derive",
            TokenTree::Group(group) => {
                let inner = group.stream();
                if previous_derive && mentions_compat(inner.clone()) {
                    return true;
                }
                if derives_compat_in(inner) {
                    return true;
                }
                previous_derive = false;
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => previous_derive = false,
        }
    }
    false
}

fn mentions_compat(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "Compat",
        TokenTree::Group(group) => mentions_compat(group.stream()),
        _ => false,
    })
}

/// `CARGO_CFG_TARGET_OS` for `target_os`.
fn cfg_var(name: &str) -> String {
    format!("CARGO_CFG_{}", name.to_ascii_uppercase())
}

/// `CARGO_FEATURE_WIRE_V2` for `wire-v2`.
fn feature_var(name: &str) -> String {
    format!(
        "CARGO_FEATURE_{}",
        name.to_ascii_uppercase().replace('-', "_")
    )
}

fn unraw(ident: &proc_macro2::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_string()
}

fn quote_path(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A crate whose `src` holds `files`, in a directory of its own.
    pub(crate) fn crate_with(case: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("compat-scan-{case}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join("src").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    pub(crate) fn no_cfg(_: &str) -> Option<String> {
        None
    }

    /// What the scan of a one-file crate finds, with `env` for its configuration.
    fn scanned_with(case: &str, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Scanned {
        let dir = crate_with(case, &[("lib.rs", text)]);
        let scanned = scan(&dir.join("src"), env);
        std::fs::remove_dir_all(&dir).unwrap();
        scanned
    }

    /// `(path, line)` of each type found in a one-file crate.
    fn derives(
        case: &str,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<(String, usize)> {
        let scanned = scanned_with(case, text, env);
        assert!(scanned.refusals.is_empty(), "{:?}", scanned.refusals);
        scanned
            .messages
            .into_iter()
            .map(|(path, place)| (path, place.rsplit(':').next().unwrap().parse().unwrap()))
            .collect()
    }

    fn owned(found: &[(&str, usize)]) -> Vec<(String, usize)> {
        found
            .iter()
            .map(|(path, line)| (path.to_string(), *line))
            .collect()
    }

    #[test]
    fn the_scan_finds_every_type_deriving_compat() {
        let text = "use x;\n#[derive(Debug, compat_runtime::Compat)]\n#[since(\"1.0.0\")]\npub struct Hello {\n}\n\
                    #[derive(Serialize)]\nstruct Plain;\n#[derive(Compat, Clone)]\npub(crate) enum Cmd { A }\n\
                    #[cfg_attr(feature = \"wire\", derive(Compat))]\nunion Raw { a: u8 }\n\
                    #[derive(Compat)]\npub struct Tuple<'a, T>(&'a T) where T: Clone;\n";
        assert_eq!(
            derives("every", text, &no_cfg),
            owned(&[("Hello", 4), ("Cmd", 9), ("Tuple", 13)])
        );
        // `cfg_attr` derives only when its condition holds.
        let wire = |name: &str| (name == "CARGO_FEATURE_WIRE").then(String::new);
        assert_eq!(
            derives("every-wire", text, &wire),
            owned(&[("Hello", 4), ("Cmd", 9), ("Raw", 11), ("Tuple", 13)])
        );
    }

    #[test]
    fn a_transparent_wrapper_is_no_message_to_list() {
        let text = "#[derive(Compat)]\n#[compat(transparent)]\npub struct SharedCow<T: Clone>(Arc<T>);\n\
                    #[derive(Compat)]\n#[compat(from = \"a\", to = \"b\")]\n#[since(\"1.0.0\")]\npub struct Call;\n";
        assert_eq!(derives("wrapper", text, &no_cfg), owned(&[("Call", 7)]));
    }

    #[test]
    fn the_scan_skips_comments_and_string_literals() {
        let text = r####"//! ```
//! #[derive(Compat)]
//! struct CrateDoc;
//! ```
/// ```
/// #[derive(Compat)]
/// struct ItemDoc;
/// ```
// #[derive(Compat)] struct LineComment;
/* #[derive(Compat)] struct Block; /* nested */ #[derive(Compat)] struct StillBlock; */
/** #[derive(Compat)] struct BlockDoc; */
const A: &str = "#[derive(Compat)] struct InString; \" #[derive(Compat)] struct Escaped;";
const B: &str = r#"#[derive(Compat)] struct Raw; " still raw"#;
const C: &[u8] = br##"#[derive(Compat)] struct RawBytes;"##;
const D: &[u8] = b"#[derive(Compat)] struct Bytes;";
const Q: char = '"';
const E: char = '\'';
const F: u8 = b'"';
#[derive(Compat)]
pub struct Real<'a> { name: &'a str }
"####;
        assert_eq!(derives("comments", text, &no_cfg), owned(&[("Real", 20)]));
    }

    #[test]
    fn cfg_conditions_are_evaluated_for_this_build() {
        let text = "#[cfg(test)]\nmod tests {\n    #[derive(Compat)]\n    struct InTests;\n    mod deeper { \
                    #[derive(Compat)] struct Deeper; }\n}\n\
                    #[cfg(all(test, feature = \"x\"))]\nmod both { #[derive(Compat)] struct Both; }\n\
                    #[cfg(test)]\n#[derive(Compat)]\nstruct TestItem;\n\
                    mod inner_attr { #![cfg(test)] #[derive(Compat)] struct Inner; }\n\
                    #[cfg(not(test))]\nmod live { #[derive(Compat)] pub struct Live; }\n\
                    #[cfg(any(test, feature = \"y\"))]\nmod maybe { #[derive(Compat)] pub struct Maybe; }\n\
                    #[derive(Compat)]\npub struct After;\n\
                    #[cfg(target_os = \"linux\")]\n#[derive(Compat)]\npub struct Linux;\n\
                    #[cfg(unix)]\n#[derive(Compat)]\npub struct Unix;\n\
                    #[cfg_attr(feature = \"y\", path = \"y.rs\")]\n#[cfg(feature = \"z\")]\nmod z;\n";
        assert_eq!(
            derives("cfg-off", text, &no_cfg),
            owned(&[("live::Live", 14), ("After", 18)])
        );
        let on = |name: &str| match name {
            "CARGO_FEATURE_Y" => Some(String::new()),
            "CARGO_CFG_TARGET_OS" => Some("linux".to_string()),
            "CARGO_CFG_UNIX" => Some(String::new()),
            _ => None,
        };
        assert_eq!(
            derives("cfg-on", text, &on),
            owned(&[
                ("live::Live", 14),
                ("maybe::Maybe", 16),
                ("After", 18),
                ("Linux", 21),
                ("Unix", 24)
            ])
        );
        let scanned = scanned_with(
            "test-only",
            "#![cfg(test)]\n#[derive(Compat)] struct A;",
            &no_cfg,
        );
        assert!(scanned.messages.is_empty());
    }

    #[test]
    fn a_condition_the_scan_cannot_evaluate_is_refused_with_its_place() {
        let scanned = scanned_with(
            "bad-cfg",
            "\n#[cfg(feature = 2)]\n#[derive(Compat)]\npub struct A;\n",
            &no_cfg,
        );
        assert_eq!(scanned.refusals.len(), 1, "{:?}", scanned.refusals);
        assert!(
            scanned.refusals[0].starts_with(&format!(
                "src{}lib.rs:2: cannot evaluate #[cfg(...)] (`feature = ...` needs a string)",
                std::path::MAIN_SEPARATOR
            )),
            "{:?}",
            scanned.refusals
        );
    }

    #[test]
    fn bodies_are_not_module_level_and_macros_that_derive_compat_are_refused() {
        let text = "fn f() {\n    #[derive(Compat)]\n    struct Local;\n}\n\
                    impl X { fn g() { #[derive(Compat)] struct InImpl; } }\n\
                    const _: () = { #[derive(Compat)] struct InConst; };\n\
                    compat_runtime::messages![Top];\ncompat_runtime::include_policy!();\n\
                    #[derive(Compat)]\nenum Top { A { x: u8 } }\n";
        assert_eq!(derives("bodies", text, &no_cfg), owned(&[("Top", 10)]));

        let text = "generate! { #[derive(Compat)] struct Generated; }\n\
                    macro_rules! message {\n    ($name:ident) => {\n        #[derive(Debug, ::compat_runtime::Compat)]\n        pub struct $name;\n    };\n}\n\
                    message!(Ping);\n#[cfg(test)]\nmessage!(OnlyInTests);\n";
        let scanned = scanned_with("macros", text, &no_cfg);
        let sep = std::path::MAIN_SEPARATOR;
        assert_eq!(scanned.refusals.len(), 2, "{:?}", scanned.refusals);
        assert!(
            scanned.refusals[0].starts_with(&format!(
                "src{sep}lib.rs:1: `generate!` generates types that derive Compat, which the build script \
                 cannot see: it reads the source, not what macros expand to"
            )),
            "{:?}",
            scanned.refusals
        );
        assert!(
            scanned.refusals[1]
                .starts_with(&format!("src{sep}lib.rs:8: `message!` generates types")),
            "{:?}",
            scanned.refusals
        );
        assert!(
            scanned.refusals[1].ends_with(
                "write those types out at module level with #[derive(Compat)] instead of generating them"
            ),
            "{:?}",
            scanned.refusals
        );
    }

    #[test]
    fn the_scan_names_types_by_their_inline_modules() {
        let text = "pub mod v1 {\n    #[derive(Compat)]\n    pub struct Hello;\n}\n\
                    pub mod v2 {\n    pub mod r#wire {\n        #[derive(Compat)]\n        pub struct Hello;\n    }\n}\n";
        assert_eq!(
            derives("inline", text, &no_cfg),
            owned(&[("v1::Hello", 3), ("v2::wire::Hello", 8)])
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_left_to_the_compiler() {
        let scanned = scanned_with("unparsable", "#[derive(Compat)]\npub struct A {\n", &no_cfg);
        assert!(scanned.messages.is_empty() && scanned.refusals.is_empty());
    }

    #[test]
    fn the_scan_reads_only_the_library_target() {
        let files = [
            (
                "lib.rs",
                "//! #[derive(Compat)] struct Doc;\nmod v1;\npub mod v2;\n#[path = \"generated/v3.rs\"]\nmod v3;\n\
                 mod nested;\nmod d { mod e; }\n#[cfg(test)]\nmod tests;\nmod only_tests;\n\
                 #[derive(Compat)]\npub struct Root;\n#[path = \"../outside.rs\"]\nmod outside;\n",
            ),
            ("v1.rs", "#[derive(Compat)]\npub struct Hello;\n"),
            (
                "v2/mod.rs",
                "mod inner;\n#[derive(Compat)]\npub struct Hello;\n",
            ),
            ("v2/inner.rs", "#[derive(Compat)]\npub struct Deep;\n"),
            (
                "generated/v3.rs",
                "mod sub;\n#[derive(Compat)]\npub struct Hello;\n",
            ),
            ("generated/sub.rs", "#[derive(Compat)]\npub struct Sub;\n"),
            ("nested.rs", "mod child;\n"),
            (
                "nested/child.rs",
                "\n\n#[derive(Compat)]\npub struct Child;\n",
            ),
            ("d/e.rs", "#[derive(Compat)]\npub struct E;\n"),
            ("tests.rs", "#[derive(Compat)]\npub struct InTests;\n"),
            (
                "only_tests.rs",
                "#![cfg(test)]\n#[derive(Compat)]\npub struct OnlyTests;\n",
            ),
            ("main.rs", "#[derive(Compat)]\npub struct InMain;\n"),
            ("bin/tool.rs", "#[derive(Compat)]\npub struct InBin;\n"),
            ("orphan.rs", "#[derive(Compat)]\npub struct Orphan;\n"),
            ("../outside.rs", "#[derive(Compat)]\npub struct Outside;\n"),
        ];
        let dir = crate_with("tree", &files);
        let scanned = scan(&dir.join("src"), &no_cfg);
        let missing = scan(&dir.join("missing"), &no_cfg);
        std::fs::remove_dir_all(&dir).unwrap();
        let found: Vec<(&str, &str)> = scanned
            .messages
            .iter()
            .map(|(name, place)| (name.as_str(), place.as_str()))
            .collect();
        let sep = std::path::MAIN_SEPARATOR;
        let place = |file: &str, line: usize| {
            format!("src{sep}{}:{line}", file.replace('/', &sep.to_string()))
        };
        assert_eq!(
            found,
            [
                ("v1::Hello", place("v1.rs", 2).as_str()),
                ("v2::inner::Deep", place("v2/inner.rs", 2).as_str()),
                ("v2::Hello", place("v2/mod.rs", 3).as_str()),
                ("v3::sub::Sub", place("generated/sub.rs", 2).as_str()),
                ("v3::Hello", place("generated/v3.rs", 3).as_str()),
                ("nested::child::Child", place("nested/child.rs", 4).as_str()),
                ("d::e::E", place("d/e.rs", 2).as_str()),
                ("Root", place("lib.rs", 12).as_str()),
                ("outside::Outside", "outside.rs:2"),
            ]
        );
        assert!(missing.messages.is_empty());
    }
}
