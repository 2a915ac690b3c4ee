//! The input, parsed into a typed tree with its attributes read.

use crate::attr;
use crate::ctxt::Ctxt;
use crate::symbol::SERDE;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{DeriveInput, Ident, Type};

pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) attrs: attr::Container,
    pub(crate) data: Data<'a>,
    /// Whether a `#[serde(...)]` attribute sits anywhere on the item: on the type, a
    /// variant or a field (skipped ones included). A derive cannot see the other derives,
    /// so this is how it tells that serde decodes the item.
    pub(crate) serde: bool,
}

pub(crate) enum Data<'a> {
    Struct(Style, Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

/// How fields are written: `{ a: A }`, `(A)` or nothing.
#[derive(Copy, Clone)]
pub(crate) enum Style {
    Named,
    Tuple,
    Unit,
}

pub(crate) struct Variant<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) attrs: attr::Variant,
    pub(crate) style: Style,
    pub(crate) fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    /// The name on the wire as serde writes it by default: the identifier, or the index.
    pub(crate) name: String,
    /// The identifier, or the type of a tuple field: what errors about the field point at.
    pub(crate) at: TokenStream,
    pub(crate) named: bool,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: attr::Field,
}

impl<'a> Input<'a> {
    /// `None` for a union; the error is recorded.
    pub(crate) fn from_syn(cx: &Ctxt, node: &'a DeriveInput) -> Option<Self> {
        let data = match &node.data {
            syn::Data::Struct(data) => {
                Data::Struct(Style::of(&data.fields), fields(cx, &data.fields))
            }
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter()
                    .map(|variant| Variant {
                        ident: &variant.ident,
                        attrs: attr::Variant::from_ast(cx, &variant.attrs),
                        style: Style::of(&variant.fields),
                        fields: fields(cx, &variant.fields),
                    })
                    .filter(|variant| !variant.attrs.skip)
                    .collect(),
            ),
            syn::Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "Compat cannot be derived for a union: a union has no wire format peers agree on; use a struct or an enum",
                );
                return None;
            }
        };
        Some(Input {
            ident: &node.ident,
            attrs: attr::Container::from_ast(cx, &node.attrs),
            data,
            serde: uses_serde(node),
        })
    }
}

/// Whether `#[serde(...)]` is written on the item, one of its variants or any field.
fn uses_serde(node: &DeriveInput) -> bool {
    let serde = |attrs: &[syn::Attribute]| attrs.iter().any(|attr| attr.path() == SERDE);
    let fields = |fields: &syn::Fields| fields.iter().any(|field| serde(&field.attrs));
    serde(&node.attrs)
        || match &node.data {
            syn::Data::Struct(data) => fields(&data.fields),
            syn::Data::Enum(data) => data
                .variants
                .iter()
                .any(|variant| serde(&variant.attrs) || fields(&variant.fields)),
            syn::Data::Union(_) => false,
        }
}

impl Style {
    fn of(fields: &syn::Fields) -> Self {
        match fields {
            syn::Fields::Named(_) => Self::Named,
            syn::Fields::Unnamed(_) => Self::Tuple,
            syn::Fields::Unit => Self::Unit,
        }
    }
}

fn fields<'a>(cx: &Ctxt, fields: &'a syn::Fields) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| match &field.ident {
            Some(ident) => Field {
                name: ident.to_string().trim_start_matches("r#").to_owned(),
                at: ident.to_token_stream(),
                named: true,
                ty: &field.ty,
                attrs: attr::Field::from_ast(cx, &field.attrs),
            },
            None => Field {
                name: index.to_string(),
                at: field.ty.to_token_stream(),
                named: false,
                ty: &field.ty,
                attrs: attr::Field::from_ast(cx, &field.attrs),
            },
        })
        .filter(|field| !field.attrs.skip)
        .collect()
}

impl Field<'_> {
    /// Whether a receiver can fill the field in when a sender left it out.
    pub(crate) fn can_default(&self, container_default: bool) -> bool {
        self.attrs.default.is_some() || self.serde_can_default(container_default)
    }

    /// Whether serde's derived `Deserialize` fills the field in when it is missing:
    /// `#[serde(default)]` (on the field or its struct), `#[serde(skip_deserializing)]`,
    /// or an `Option<_>`.
    pub(crate) fn serde_can_default(&self, container_default: bool) -> bool {
        self.attrs.serde_default || container_default || is_option(self.ty)
    }

    /// `field `retries``, `field 1`.
    pub(crate) fn describe(&self) -> String {
        if self.named {
            format!("field `{}`", self.name)
        } else {
            format!("field {}", self.name)
        }
    }
}

/// `Option<_>` by its last path segment, as serde does: serde fills a missing `Option`
/// field with `None`.
pub(crate) fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Group(group) => is_option(&group.elem),
        Type::Paren(paren) => is_option(&paren.elem),
        Type::Path(path) => {
            path.qself.is_none()
                && path.path.segments.last().is_some_and(|segment| {
                    segment.ident == "Option"
                        && matches!(segment.arguments, syn::PathArguments::AngleBracketed(_))
                })
        }
        _ => false,
    }
}
