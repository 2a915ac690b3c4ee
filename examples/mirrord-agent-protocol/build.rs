//! Checks the messages in `src/` against `compat.toml` for this crate's version.

fn main() {
    compat_runtime::build::enforce();
}
