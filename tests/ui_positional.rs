//! The compile-time checks of `#[derive(Compat)]` under a positional codec (issue 17, part
//! 1): field order and variant index are the wire and names never travel. Each case in
//! `tests/ui_positional/` is a mistake a user makes there, and its `.stderr` shows the error
//! landing on the offending token, never with serde's advice; the cases in
//! `tests/ui_positional/pass/` must keep compiling. The policy is
//! `tests/ui_positional/compat.toml` at version 0.9.3, with `[wire] codec = "bincode"`.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui_positional`,
//! then review every diff.

#[test]
#[allow(
    unsafe_code,
    reason = "set_var before any other thread exists: trybuild spawns cargo only afterwards, \
              and the ui cases are the only test in this binary"
)]
fn each_positional_mistake_fails_at_its_token_and_appended_variants_compile() {
    let text = include_str!("ui_positional/compat.toml");
    let policy = compat_runtime::Policy::from_toml("compat.toml", text)
        .expect("tests/ui_positional/compat.toml is valid");
    let version = compat_runtime::Version::new(0, 9, 3);
    let env = compat_runtime::build::windows_env(&policy, &version, "compat.toml");
    assert!(
        env.iter()
            .any(|(name, value)| name == "COMPAT_CODEC" && value.starts_with("bincode|")),
        "{env:?}"
    );
    for (name, value) in env {
        // SAFETY: this test binary runs this one test, before trybuild starts any thread
        // or child; cargo and rustc inherit the variables and hand them to the macro.
        unsafe { std::env::set_var(name, value) };
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui_positional/pass/*.rs");
    cases.compile_fail("tests/ui_positional/*.rs");
}
