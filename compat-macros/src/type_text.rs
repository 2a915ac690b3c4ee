//! A field's type as text, spaced the way rustfmt would: what the table records (a changed
//! type is a changed wire shape, for the wire lock) and what the rules quote in their errors.

use quote::quote;

/// The field's type as written, spaced the way rustfmt would (`Option<Vec<String>>`), for
/// the wire lock: a changed type is a changed wire shape.
pub(crate) fn type_text(ty: &syn::Type) -> String {
    let mut out = String::new();
    if !write_type(ty, &mut out) {
        out = type_text_from_tokens(ty);
    }
    out
}

/// The common types (paths with type arguments, references, slices, tuples) written from
/// the syntax tree, which is cheaper than printing their tokens; `false` for anything
/// else, which `type_text_from_tokens` writes. Both give the same text.
fn write_type(ty: &syn::Type, out: &mut String) -> bool {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => write_path(&path.path, out),
        syn::Type::Reference(reference) => write_reference(reference, out),
        syn::Type::Slice(slice) => {
            out.push('[');
            let written = write_type(&slice.elem, out);
            out.push(']');
            written
        }
        // `(T,)` prints as `(T, )` from its tokens: left to that path.
        syn::Type::Tuple(tuple) if tuple.elems.len() != 1 => {
            out.push('(');
            for (i, elem) in tuple.elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !write_type(elem, out) {
                    return false;
                }
            }
            out.push(')');
            true
        }
        _ => false,
    }
}

/// [`write_type`] for a path (`std::vec::Vec<T>`): its segments, with type and lifetime
/// arguments in angle brackets.
fn write_path(path: &syn::Path, out: &mut String) -> bool {
    use std::fmt::Write as _;
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        let _ = write!(out, "{}", segment.ident);
        match &segment.arguments {
            syn::PathArguments::None => {}
            syn::PathArguments::AngleBracketed(args) if args.colon2_token.is_none() => {
                out.push('<');
                for (j, arg) in args.args.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    let written = match arg {
                        syn::GenericArgument::Type(ty) => write_type(ty, out),
                        syn::GenericArgument::Lifetime(lifetime) => {
                            let _ = write!(out, "'{}", lifetime.ident);
                            true
                        }
                        _ => false,
                    };
                    if !written {
                        return false;
                    }
                }
                out.push('>');
            }
            _ => return false,
        }
    }
    true
}

/// [`write_type`] for a reference (`&'a mut T`).
fn write_reference(reference: &syn::TypeReference, out: &mut String) -> bool {
    out.push('&');
    let mut words = Vec::new();
    if let Some(lifetime) = &reference.lifetime {
        words.push(format!("'{}", lifetime.ident));
    }
    if reference.mutability.is_some() {
        words.push("mut".to_owned());
    }
    let mut elem = String::new();
    if !write_type(&reference.elem, &mut elem) {
        return false;
    }
    // As from the tokens: a space only between words (`&'a mut T`, `&'a[u8]`).
    for (i, w) in words.iter().enumerate() {
        out.push_str(w);
        let next = words
            .get(i + 1)
            .map_or(elem.chars().next(), |n| n.chars().next());
        if is_word(next) {
            out.push(' ');
        }
    }
    out.push_str(&elem);
    true
}

/// Whether `c` belongs to a word of a type's text (an identifier, a lifetime): the only
/// places a space is kept.
fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\'')
}

/// [`type_text`] for any type: its tokens printed, with the spaces that do not separate
/// words dropped.
fn type_text_from_tokens(ty: &syn::Type) -> String {
    let raw = quote!(#ty).to_string();
    let mut out = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            // Keep the spaces that separate words (`dyn Trait`, `&'a str`), and after commas
            // and semicolons; drop the rest.
            if (is_word(before) && is_word(after)) || matches!(before, Some(',' | ';')) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{type_text, type_text_from_tokens, write_type};

    #[test]
    fn the_syntax_tree_and_the_tokens_write_the_same_type_text() {
        for text in [
            "u32",
            "String",
            "Option<Vec<(String, u32)>>",
            "std::collections::BTreeMap<String, Vec<u8>>",
            "::core::option::Option<r#type>",
            "&'static str",
            "&'a mut [u8]",
            "&'a [u8]",
            "&mut Vec<u8>",
            "&[u8]",
            "Cow<'a, str>",
            "()",
            "(u8, (u16, u32))",
            "Vec<&'static [&'static str]>",
            "Box<dyn Fn(u8) -> u8>",
            "(u8,)",
            "[u8; 4]",
            "<T as Trait>::Assoc",
            "Vec<Vec<Option<HashMap<String, Vec<X>>>>>",
        ] {
            let ty: syn::Type = syn::parse_str(text).unwrap();
            let mut fast = String::new();
            if write_type(&ty, &mut fast) {
                assert_eq!(fast, type_text_from_tokens(&ty), "{text}");
            }
            assert_eq!(type_text(&ty), type_text_from_tokens(&ty), "{text}");
        }
    }

    #[test]
    fn types_are_written_compactly() {
        let ty: syn::Type = syn::parse_quote!(Option<Vec<(String, u32)>>);
        assert_eq!(type_text(&ty), "Option<Vec<(String, u32)>>");
        let ty: syn::Type = syn::parse_quote!(&'static dyn Fn(u8) -> [u8; 4]);
        assert_eq!(type_text(&ty), "&'static dyn Fn(u8)->[u8; 4]");
    }
}
