//! `Deserialize` for the plain tables the build-script API reads (`compat.toml`, the wire
//! lock's releases), written by [`table!`] rather than by serde's derive: serde_derive is
//! built on syn 3 and prost's derive on syn 2, so with the derive here every prost user's
//! build script would compile both (issue 18; tests/prost_syn_graph.rs).
//!
//! [`table!`] writes what `#[derive(Deserialize)]` writes for a struct of named fields, and
//! calls serde's own error constructors as that code does, so the errors (and where toml
//! places them) are the derive's: a key deserialized through `deserialize_identifier` (an
//! unknown one refused there, with `deny_unknown_fields`), a missing field refused after the
//! map, an `Option` or `default` field empty when missing, and an array read by position.

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use std::fmt;

/// A table's key as the derive's field identifier reads it: the index of the field it
/// names, `None` for a key the table ignores, an error for one it refuses.
pub(crate) struct Key {
    pub(crate) fields: &'static [&'static str],
    pub(crate) deny_unknown: bool,
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Option<usize>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        match self.fields.iter().position(|field| *field == key) {
            Some(index) => Ok(Some(index)),
            None if self.deny_unknown => Err(E::unknown_field(key, self.fields)),
            None => Ok(None),
        }
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        self.visit_str(&String::from_utf8_lossy(key))
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Self::Value, E> {
        match usize::try_from(index) {
            Ok(index) if index < self.fields.len() => Ok(Some(index)),
            _ => Err(E::invalid_value(
                de::Unexpected::Unsigned(index),
                &format!("field index 0 <= i < {}", self.fields.len()).as_str(),
            )),
        }
    }
}

/// What an array read as a struct by position lacked: "struct X with N elements", the
/// derive's words.
#[derive(Clone, Copy)]
pub(crate) struct Elements(pub(crate) &'static str, pub(crate) usize);

impl de::Expected for Elements {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Elements(name, count) = *self;
        let plural = if count == 1 { "" } else { "s" };
        write!(formatter, "struct {name} with {count} element{plural}")
    }
}

/// A struct of named fields and its `Deserialize`, as serde's derive writes them. Each field
/// names its key and what a missing one is: `required` an error, `optional` (an `Option`)
/// `None`, `default` (serde's `#[serde(default)]`) its type's default, in an array read by
/// position too; `deny_unknown_fields` refuses keys the struct does not name.
macro_rules! table {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident $(, $deny:ident)? {
            $($field:ident: $ty:ty = $key:literal $presence:ident,)*
        }
    ) => {
        $(#[doc = $doc])*
        $vis struct $name {
            $($field: $ty,)*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const FIELDS: &[&str] = &[$($key),*];
                struct TableVisitor;
                impl<'de> serde::de::Visitor<'de> for TableVisitor {
                    type Value = $name;

                    fn expecting(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        formatter.write_str(concat!("struct ", stringify!($name)))
                    }

                    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<$name, A::Error> {
                        let expected = $crate::de_table::Elements(stringify!($name), FIELDS.len());
                        let mut index = 0;
                        $(
                            let $field: $ty = match seq.next_element::<$ty>()? {
                                Some(value) => value,
                                None => $crate::de_table::table!(@seq_missing $presence, index, expected),
                            };
                            index += 1;
                        )*
                        let _ = (index, expected);
                        Ok($name { $($field,)* })
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $(let mut $field: Option<$ty> = None;)*
                        let key = || $crate::de_table::Key {
                            fields: FIELDS,
                            deny_unknown: $crate::de_table::table!(@deny $($deny)?),
                        };
                        while let Some(index) = map.next_key_seed(key())? {
                            match index.map(|index| FIELDS[index]) {
                                $(
                                    Some($key) => {
                                        if $field.is_some() {
                                            return Err(<A::Error as serde::de::Error>::duplicate_field($key));
                                        }
                                        $field = Some(map.next_value::<$ty>()?);
                                    }
                                )*
                                _ => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        $(
                            let $field: $ty = match $field {
                                Some(value) => value,
                                None => $crate::de_table::table!(@map_missing $presence, A, $key),
                            };
                        )*
                        Ok($name { $($field,)* })
                    }
                }
                deserializer.deserialize_struct(stringify!($name), FIELDS, TableVisitor)
            }
        }
    };
    (@deny deny_unknown_fields) => { true };
    (@deny) => { false };
    (@seq_missing default, $index:expr, $expected:expr) => {
        Default::default()
    };
    (@seq_missing $other:ident, $index:expr, $expected:expr) => {
        return Err(serde::de::Error::invalid_length($index, &$expected))
    };
    (@map_missing required, $error:ident, $key:literal) => {
        return Err(<$error::Error as serde::de::Error>::missing_field($key))
    };
    (@map_missing $other:ident, $error:ident, $key:literal) => {
        Default::default()
    };
}

pub(crate) use table;

#[cfg(test)]
mod tests {
    //! The same tables through [`table!`] and through serde's derive (a dev-dependency
    //! here) read alike: values, and every error to the letter, toml's place included.

    mod ours {
        crate::de_table::table! {
            pub(super) struct Table, deny_unknown_fields {
                name: String = "name" required,
                major_zero: Option<toml::Spanned<String>> = "major-zero" optional,
                list: Option<Vec<u32>> = "list" optional,
                inner: Option<Inner> = "inner" optional,
            }
        }
        crate::de_table::table! {
            pub(super) struct Inner {
                flag: Option<bool> = "flag" optional,
                bytes: Vec<u8> = "bytes" default,
            }
        }
        impl Table {
            pub(super) fn seen(&self) -> String {
                let zero = self.major_zero.as_ref().map(|z| (z.get_ref(), z.span()));
                let inner = self.inner.as_ref().map(|i| (i.flag, &i.bytes));
                format!("{} {zero:?} {:?} {inner:?}", self.name, self.list)
            }
        }
    }

    mod derived {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub(super) struct Table {
            name: String,
            major_zero: Option<toml::Spanned<String>>,
            list: Option<Vec<u32>>,
            inner: Option<Inner>,
        }
        #[derive(serde::Deserialize)]
        pub(super) struct Inner {
            flag: Option<bool>,
            #[serde(default)]
            bytes: Vec<u8>,
        }
        impl Table {
            pub(super) fn seen(&self) -> String {
                let zero = self.major_zero.as_ref().map(|z| (z.get_ref(), z.span()));
                let inner = self.inner.as_ref().map(|i| (i.flag, &i.bytes));
                format!("{} {zero:?} {:?} {inner:?}", self.name, self.list)
            }
        }
    }

    #[test]
    fn tables_read_as_the_derive_reads_them() {
        for text in [
            "name = \"a\"",
            "name = \"a\"\nmajor-zero = \"minor\"\nlist = [1, 2]\n[inner]\nflag = true\nbytes = [7]",
            "",
            "name = \"a\"\nbogus = 1",
            "name = 1",
            "name = \"a\"\nmajor_zero = \"minor\"",
            "name = \"a\"\nmajor-zero = 3",
            "name = \"a\"\nlist = [1, \"x\"]",
            "name = \"a\"\n[inner]\nflag = true\nother = 1",
            "name = \"a\"\ninner = [true]",
            "name = \"a\"\ninner = [true, [1], 3]",
            "name = \"a\"\ninner = []",
            "name = \"a\"\ninner = 3",
            "name = \"a\"\n[inner]\nflag = \"yes\"",
        ] {
            let ours = toml::from_str::<ours::Table>(text).map(|t| t.seen());
            let derived = toml::from_str::<derived::Table>(text).map(|t| t.seen());
            assert_eq!(
                ours.map_err(|e| e.to_string()),
                derived.map_err(|e| e.to_string()),
                "{text}"
            );
        }
    }
}
