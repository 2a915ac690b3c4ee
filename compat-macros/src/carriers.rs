//! The standard containers a message travels inside. One list for the derive, which checks
//! that a message carried in a field declares the routes of the message holding it, and
//! for compat-runtime's wire lock, which compares a carried message on those routes too
//! (compat-runtime's `src/lock/carriers.rs` is this file).

/// The last path segment of the standard types whose type arguments travel with them
/// (`Vec<Attachment>`, a map's keys and values, `Box<Tree>`): a message inside one goes
/// wherever the value holding it goes. Any other generic type (`Id<Attachment>`, perhaps
/// only a marker) is taken as a type of its own.
pub(crate) const CARRIERS: &[&str] = &[
    "Option",
    "Vec",
    "VecDeque",
    "LinkedList",
    "BinaryHeap",
    "Box",
    "Rc",
    "Arc",
    "Cow",
    "BTreeMap",
    "HashMap",
    "IndexMap",
    "BTreeSet",
    "HashSet",
    "IndexSet",
];

/// The scalars of `std` (and `String`): no message travels in them.
pub(crate) const SCALARS: &[&str] = &[
    "bool", "char", "str", "String", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
    "i32", "i64", "i128", "isize", "f32", "f64",
];

/// Field types as the lock records them, and the last path segment of each type they carry:
/// the derive's walk over the syntax (`ast::carried_types`) and the lock's over the recorded
/// text (`carried::carried_names`) are tested against this one list, so they agree.
#[cfg(test)]
pub(crate) const CARRIED: &[(&str, &[&str])] = &[
    ("Attachment", &["Attachment"]),
    ("Vec<Attachment>", &["Attachment"]),
    ("Option<Box<v1::Hello>>", &["Hello"]),
    (
        "std::collections::BTreeMap<String, Attachment>",
        &["Attachment"],
    ),
    ("HashMap<Kind, Vec<Attachment>>", &["Kind", "Attachment"]),
    ("(Attachment, u32, [Tree; 2])", &["Attachment", "Tree"]),
    ("&'a [Attachment]", &["Attachment"]),
    ("Cow<'a, [Attachment]>", &["Attachment"]),
    ("Id<Attachment>", &["Id"]),
    ("::core::option::Option<r#Type>", &["Type"]),
    ("Option<Vec<u8>>", &[]),
    ("String", &[]),
    ("&'a str", &[]),
    ("Vec<(String, u64)>", &[]),
];
