//! The compile-time checks of `#[derive(ProstCompat)]` (issue 18, part 3): each case in
//! `tests/ui_prost/` is a mistake in a `.proto` file as prost generates it, and its
//! `.stderr` shows the error landing on the offending token with a protobuf fix; the cases
//! in `tests/ui_prost/pass/` must keep compiling. Same policy and version as `tests/ui.rs`.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui_prost`,
//! then review every diff.

#[test]
#[allow(
    unsafe_code,
    reason = "set_var before any other thread exists: trybuild spawns cargo only afterwards, \
              and the ui cases are the only test in this binary"
)]
fn each_proto_mistake_fails_at_its_token_and_generated_code_compiles() {
    let text = include_str!("ui/compat.toml");
    let policy = compat_runtime::Policy::from_toml("compat.toml", text)
        .expect("tests/ui/compat.toml is valid");
    let version = compat_runtime::Version::new(0, 9, 3);
    for (name, value) in compat_runtime::build::windows_env(&policy, &version, "compat.toml") {
        // SAFETY: this test binary runs this one test, before trybuild starts any thread
        // or child; cargo and rustc inherit the variables and hand them to the macro.
        unsafe { std::env::set_var(name, value) };
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui_prost/pass/*.rs");
    cases.compile_fail("tests/ui_prost/*.rs");
}
