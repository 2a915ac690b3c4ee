//! mirrord's rules at build time: the slice edited the ways mirrord's contributor notes
//! forbid, with the edit marked by its `#[since]`, fails the build at the offending token
//! with advice that holds for bincode; a variant appended at the end with its `since`
//! compiles. (Unmarked edits are the wire lock's: `tests/lock.rs`.)
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p mirrord-agent-protocol --test ui`, then review them.

/// What `compat_runtime::build::enforce()` hands the derive for this crate's compat.toml
/// at this crate's release, computed by the real build-script API.
fn policy_env() -> Vec<(String, String)> {
    let version = compat_runtime::Version::parse(mirrord_agent_protocol::VERSION).unwrap();
    compat_runtime::build::windows_env(mirrord_agent_protocol::policy(), &version, "compat.toml")
}

#[test]
#[allow(
    unsafe_code,
    reason = "set_var before any other thread exists: trybuild spawns cargo only afterwards, \
              and the ui cases are the only test in this binary"
)]
fn mirrords_forbidden_edits_fail_the_build_and_an_appended_variant_compiles() {
    for (name, value) in policy_env() {
        // SAFETY: this test binary runs this one test, before trybuild starts any thread
        // or child; cargo and rustc inherit the variables and hand them to the macro.
        unsafe { std::env::set_var(name, value) };
    }
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/*.rs");
}
