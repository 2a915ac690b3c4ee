//! The compile-time checks of `#[derive(Compat)]`: each case in `tests/ui/` is a mistake
//! a user makes, and its `.stderr` shows the error landing on the offending token. The
//! cases in `tests/ui/pass/` must keep compiling.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`, then
//! review every diff.

/// What `compat_runtime::build::enforce()` hands the macro for `tests/ui/compat.toml` at
/// version 0.9.3: computed by the real build-script API, so the ui cases see exactly what a
/// protocol crate's build sees.
fn policy_env() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui/compat.toml");
    let text = std::fs::read_to_string(path).expect("tests/ui/compat.toml is readable");
    let policy = compat_runtime::Policy::from_toml("compat.toml", &text)
        .expect("tests/ui/compat.toml is valid");
    compat_runtime::build::windows_env(
        &policy,
        &compat_runtime::Version::new(0, 9, 3),
        "compat.toml",
    )
}

#[test]
#[allow(
    unsafe_code,
    reason = "set_var before any other thread exists: trybuild spawns cargo only afterwards, \
              and the ui cases are the only test in this binary"
)]
fn each_mistake_fails_at_its_token_and_correct_messages_compile() {
    for (name, value) in policy_env() {
        // SAFETY: this test binary runs this one test, before trybuild starts any thread
        // or child; cargo and rustc inherit the variables and hand them to the macro.
        unsafe { std::env::set_var(name, value) };
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/*.rs");
}
