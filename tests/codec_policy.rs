//! `[wire] codec` in `compat.toml` (issue 17, part 1): how the crate's messages travel, read
//! with its place, refused with the codec meant when misspelt, handed to the derive as
//! `COMPAT_CODEC`, and compiled into the crate's policy.

use compat_runtime::build::{env, policy_code, windows_env};
use compat_runtime::{Codec, Policy, Version};

const RULES: &str = "[components]\nlayer = {}\nagent = {}\n\
    [[rule]]\ncomponent = \"layer\"\npeer = \"agent\"\nskew = \"any\"\n";

fn with_wire(wire: &str) -> String {
    format!("{RULES}\n[wire]\n{wire}\n")
}

#[test]
fn the_codec_is_read_with_its_place() {
    let policy = Policy::from_toml("compat.toml", &with_wire("codec = \"bincode\"")).unwrap();
    let codec = policy.codec().unwrap();
    assert_eq!(codec.value, Codec::Bincode);
    assert_eq!(codec.origin.to_string(), "compat.toml:10:9");
    let none = Policy::from_toml("compat.toml", RULES).unwrap();
    assert!(none.codec().is_none());
}

#[test]
fn a_misspelt_codec_is_refused_at_its_value_with_the_one_meant() {
    let err = Policy::from_toml("compat.toml", &with_wire("codec = \"bincod\""))
        .unwrap_err()
        .to_string();
    assert!(err.contains("compat.toml:10:9"), "{err}");
    assert!(err.contains("unknown codec `bincod`"), "{err}");
    assert!(err.contains("did you mean \"bincode\"?"), "{err}");
    assert!(err.contains("\"serde-positional\""), "{err}");
}

#[test]
fn an_unknown_key_of_wire_says_which_it_takes() {
    let err = Policy::from_toml("compat.toml", &with_wire("codek = \"bincode\""))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `codek`"), "{err}");
    assert!(err.contains("did you mean `codec`?"), "{err}");
    let err = Policy::from_toml("compat.toml", &with_wire("codec = 1"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("write it as a string, e.g. \"bincode\""),
        "{err}"
    );
}

#[test]
fn the_build_hands_the_codec_to_the_derive_and_compiles_it_into_the_crate() {
    let policy = Policy::from_toml("compat.toml", &with_wire("codec = \"borsh\"")).unwrap();
    let version = Version::new(1, 0, 0);
    let vars = windows_env(&policy, &version, "compat.toml");
    let codec = vars
        .iter()
        .find(|(key, _)| key == env::CODEC)
        .map(|(_, v)| v.as_str());
    assert_eq!(codec, Some("borsh|compat.toml:10:9"));
    let code = policy_code(&policy, &version);
    assert!(
        code.contains("codec: ::core::option::Option::Some(__c::Located::new(__c::Codec::Borsh, __c::origin(\"compat.toml\", 10, 9)))"),
        "{code}"
    );
    let plain = Policy::from_toml("compat.toml", RULES).unwrap();
    // Always set, so that a value left in the environment for another crate never leaks in.
    let plain_vars = windows_env(&plain, &version, "compat.toml");
    let codec = plain_vars.iter().find(|(key, _)| key == env::CODEC);
    assert_eq!(codec.map(|(_, v)| v.as_str()), Some("self-describing"));
    assert!(policy_code(&plain, &version).contains("codec: ::core::option::Option::None"));
}
