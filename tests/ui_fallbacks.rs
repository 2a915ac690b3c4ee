//! The compile-time checks of fallbacks (issue 17, part 4): `#[compat(fallback = "...",
//! via = "...", warn = "...")]` on a variant. Each case in `tests/ui_fallbacks/` is a
//! mistake a user makes, and its `.stderr` shows the error landing on the offending token;
//! the cases in `tests/ui_fallbacks/pass/` must keep compiling. The policy is
//! `tests/ui_fallbacks/compat.toml` at version 1.19.0 (a layer and an agent, as mirrord's).
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui_fallbacks`,
//! then review every diff.

#[test]
#[allow(
    unsafe_code,
    reason = "set_var before any other thread exists: trybuild spawns cargo only afterwards, \
              and the ui cases are the only test in this binary"
)]
fn each_fallback_mistake_fails_at_its_token_and_correct_fallbacks_compile() {
    let text = include_str!("ui_fallbacks/compat.toml");
    let policy = compat_runtime::Policy::from_toml("compat.toml", text)
        .expect("tests/ui_fallbacks/compat.toml is valid");
    let version = compat_runtime::Version::new(1, 19, 0);
    for (name, value) in compat_runtime::build::windows_env(&policy, &version, "compat.toml") {
        // SAFETY: this test binary runs this one test, before trybuild starts any thread
        // or child; cargo and rustc inherit the variables and hand them to the macro.
        unsafe { std::env::set_var(name, value) };
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui_fallbacks/pass/*.rs");
    cases.compile_fail("tests/ui_fallbacks/*.rs");
}
