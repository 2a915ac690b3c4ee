//! A field's type as it travels, for the tables (and so for the wire lock and the
//! fingerprint): serde writes a `Box<T>`, `Rc<T>`, `Arc<T>`, `Cow<'a, T>` or `&T` as the `T`
//! it holds, a `str` as a `String` and a `[T]` as a `Vec<T>`, and no lifetime travels, so
//! none of these is a change on the wire. A wrapper of the user's own that writes the value
//! it holds says so with `#[compat(transparent)]`, which the derive of the message holding it
//! cannot see: [`user_wrapper`] finds the one generic type in a field whose table decides.

use crate::carriers::CARRIERS;
use syn::{GenericArgument, PathArguments, Type};

/// The standard types serde writes as the value they hold.
const WRAPPERS: &[&str] = &["Box", "Rc", "Arc", "Cow"];

/// The standard generic types that are no wrapper of the user's: their text is final.
const STANDARD: &[&str] = &[
    "Result",
    "PhantomData",
    "Reverse",
    "Wrapping",
    "Saturating",
    "Cell",
    "RefCell",
    "Mutex",
    "RwLock",
];

/// `ty` as it travels (see the [module](self)).
pub(crate) fn wire_type(ty: &Type) -> Type {
    match ty {
        Type::Reference(reference) => wire_type(&reference.elem),
        Type::Paren(paren) => wire_type(&paren.elem),
        Type::Group(group) => wire_type(&group.elem),
        Type::Slice(slice) => {
            let elem = wire_type(&slice.elem);
            syn::parse_quote!(Vec<#elem>)
        }
        Type::Array(_) | Type::Tuple(_) => elements(ty, &wire_type),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return ty.clone();
            };
            // The name once, as text (an `Ident` compared with a `&str` is made a string each time).
            let name = last.ident.to_string();
            if WRAPPERS.contains(&name.as_str())
                && let Some(inner) = type_arguments(&last.arguments).next()
            {
                return wire_type(inner);
            }
            if path.path.segments.len() == 1 && name == "str" {
                return syn::parse_quote!(String);
            }
            let mut path = path.clone();
            for segment in &mut path.path.segments {
                let PathArguments::AngleBracketed(arguments) = &mut segment.arguments else {
                    continue;
                };
                arguments.args = arguments
                    .args
                    .iter()
                    .filter(|argument| !matches!(argument, GenericArgument::Lifetime(_)))
                    .map(|argument| match argument {
                        GenericArgument::Type(inner) => GenericArgument::Type(wire_type(inner)),
                        other => other.clone(),
                    })
                    .collect();
                if arguments.args.is_empty() {
                    segment.arguments = PathArguments::None;
                }
            }
            Type::Path(path)
        }
        _ => ty.clone(),
    }
}

/// An array or tuple with `map` applied to its element types; any other type as it is.
fn elements(ty: &Type, map: &dyn Fn(&Type) -> Type) -> Type {
    match ty {
        Type::Array(array) => {
            let mut array = array.clone();
            *array.elem = map(&array.elem);
            Type::Array(array)
        }
        Type::Tuple(tuple) => {
            let mut tuple = tuple.clone();
            for elem in &mut tuple.elems {
                *elem = map(elem);
            }
            Type::Tuple(tuple)
        }
        _ => ty.clone(),
    }
}

/// The type arguments of a path segment.
fn type_arguments(arguments: &PathArguments) -> impl Iterator<Item = &Type> {
    let arguments = match arguments {
        PathArguments::AngleBracketed(arguments) => Some(arguments),
        _ => None,
    };
    arguments
        .into_iter()
        .flat_map(|arguments| &arguments.args)
        .filter_map(|argument| match argument {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
}

/// The one generic type of the user's (not a standard container) with one type argument in
/// a wire type, which may be a `#[compat(transparent)]` wrapper: `SharedCow<Vec<Value>>` in
/// itself or inside an `Option`. With the text of the wire type if it is a wrapper (its
/// argument in its place). `None` when there is no such type, or more than one (their
/// tables are not consulted, and the text is the type as written).
pub(crate) fn user_wrapper(ty: &Type) -> Option<(Type, Type)> {
    let mut found: Vec<Type> = Vec::new();
    collect(ty, &mut found);
    let [wrapper] = found.as_slice() else {
        return None;
    };
    let inner = match wrapper {
        Type::Path(path) => type_arguments(&path.path.segments.last()?.arguments)
            .next()?
            .clone(),
        _ => return None,
    };
    Some((wrapper.clone(), replace(ty, wrapper, &inner)))
}

fn collect(ty: &Type, out: &mut Vec<Type>) {
    match ty {
        Type::Array(array) => collect(&array.elem, out),
        Type::Tuple(tuple) => tuple.elems.iter().for_each(|elem| collect(elem, out)),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return;
            };
            let arguments: Vec<&Type> = type_arguments(&last.arguments).collect();
            let name = last.ident.to_string();
            let standard = CARRIERS.iter().chain(STANDARD).any(|known| name == *known);
            if !standard && arguments.len() == 1 {
                out.push(ty.clone());
            }
            for argument in arguments {
                collect(argument, out);
            }
        }
        _ => {}
    }
}

/// `ty` with `from` (compared by its tokens) replaced by `to`.
fn replace(ty: &Type, from: &Type, to: &Type) -> Type {
    if quote::quote!(#ty).to_string() == quote::quote!(#from).to_string() {
        return to.clone();
    }
    match ty {
        Type::Array(_) | Type::Tuple(_) => elements(ty, &|elem| replace(elem, from, to)),
        Type::Path(path) => {
            let mut path = path.clone();
            for segment in &mut path.path.segments {
                if let PathArguments::AngleBracketed(arguments) = &mut segment.arguments {
                    for argument in &mut arguments.args {
                        if let GenericArgument::Type(inner) = argument {
                            *inner = replace(inner, from, to);
                        }
                    }
                }
            }
            Type::Path(path)
        }
        _ => ty.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::{user_wrapper, wire_type};
    use crate::type_text::type_text;

    fn wire(text: &str) -> String {
        type_text(&wire_type(&syn::parse_str(text).unwrap()))
    }

    #[test]
    fn what_serde_writes_alike_is_one_wire_type() {
        for (written, travels) in [
            ("Box<Value>", "Value"),
            ("std::sync::Arc<Vec<Value>>", "Vec<Value>"),
            ("Option<Rc<Record>>", "Option<Record>"),
            ("Cow<'a, str>", "String"),
            ("&'a [Attachment]", "Vec<Attachment>"),
            ("Note<'a>", "Note"),
            ("Vec<Box<Tree>>", "Vec<Tree>"),
            ("(u8, Box<str>)", "(u8, String)"),
            ("HashMap<String, Value>", "HashMap<String, Value>"),
        ] {
            assert_eq!(wire(written), travels, "{written}");
        }
    }

    #[test]
    fn one_generic_type_of_the_users_may_be_a_wrapper() {
        let (wrapper, inner) =
            user_wrapper(&syn::parse_str("Option<SharedCow<Vec<Value>>>").unwrap()).unwrap();
        assert_eq!(type_text(&wrapper), "SharedCow<Vec<Value>>");
        assert_eq!(type_text(&inner), "Option<Vec<Value>>");
        for none in [
            "Vec<Value>",
            "Result<Value, Error>",
            "(A<u8>, B<u8>)",
            "Pair<u8, u16>",
        ] {
            assert!(
                user_wrapper(&syn::parse_str(none).unwrap()).is_none(),
                "{none}"
            );
        }
    }
}
