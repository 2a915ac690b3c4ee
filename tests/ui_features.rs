//! `#[compat(feature = "...")]` (issue 17, part 3): each case in `tests/ui_features/` is a
//! mistake in tying an item to a `[[feature]]`, and its `.stderr` shows the error landing on
//! the string (or the `#[since]`) with the fix; the cases in `tests/ui_features/pass/` must
//! keep compiling. The policy is `tests/ui_features/compat.toml`, which has a protocol version
//! of its own, so `#[since]` and the features' `since` speak mirrord-protocol versions.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui_features`,
//! then review every diff.

#[test]
#[allow(
    unsafe_code,
    reason = "set_var before any other thread exists: trybuild spawns cargo only afterwards, \
              and the ui cases are the only test in this binary"
)]
fn each_feature_mistake_fails_at_its_token_and_tied_items_compile() {
    let text = include_str!("ui_features/compat.toml");
    let policy = compat_runtime::Policy::from_toml("compat.toml", text)
        .expect("tests/ui_features/compat.toml is valid");
    let release = compat_runtime::Version::new(3, 120, 0);
    for (name, value) in compat_runtime::build::windows_env(&policy, &release, "compat.toml") {
        // SAFETY: this test binary runs this one test, before trybuild starts any thread
        // or child; cargo and rustc inherit the variables and hand them to the macro.
        unsafe { std::env::set_var(name, value) };
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui_features/pass/*.rs");
    cases.compile_fail("tests/ui_features/*.rs");
}
