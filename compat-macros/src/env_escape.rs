//! The percent-escaping of what the build script hands over: `compat_runtime::build` escapes
//! `COMPAT_WINDOWS`' ORIGIN and TEXT (see [`crate::env_window`]) and `COMPAT_CFG`'s names and
//! values (see [`mod@crate::messages`]), so that the separators `;` and `|` and line breaks never
//! appear inside a value.

/// Undoes the percent-escaping: `%XX` is the byte `XX` (hexadecimal); the bytes must make
/// UTF-8.
pub(crate) fn unescape(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| format!("`%` must start an escape such as `%3B` in `{text}`"))?;
            out.push(hex);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{text}` does not decode to UTF-8"))
}
