//! The commands that front the library: argument handling, output and exit codes only.

pub(crate) mod plan;
