//! The guide under `[protocol]` (issue 17, parts 2 and 3): it keeps speaking releases, and a
//! section names the protocol each release carries and the release that brings each named
//! feature.

use cargo_compat::{guide, releases::Releases};
use compat_runtime::Policy;

const POLICY: &str = r#"[components]
agent = {}
layer = {}

[[rule]]
component = "layer"
peer = "agent"
newer = "none"
older = "20 minor"

[protocol]
name = "mirrord-protocol"
version = "1.6.0"

[protocol.releases]
"1.5.0" = "3.30.0"
"1.6.0" = "3.41.0"

[[feature]]
name = "readlink"
since = "1.6.0"
note = "ReadLink requests"

[[feature]]
name = "steal-filtered-upgrades"
advertised = true
"#;

#[test]
fn the_guide_names_the_protocol_each_release_carries() {
    let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
    let releases = Releases::parse(&policy, "3.30.0,3.35.0,3.41.0").unwrap();
    let page = guide::write(&policy, &releases, "cargo compat doc");
    for line in [
        "## Protocol versions",
        "- 3.35.0 speaks mirrord-protocol 1.5.0\n",
        "- 3.41.0 speaks mirrord-protocol 1.6.0\n",
        "- `readlink` arrives in mirrord-protocol 1.6.0, first carried by 3.41.0 (ReadLink requests)\n",
        "- `steal-filtered-upgrades`: advertised by the peers that have it (no version implies it)\n",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    // The rest of the guide speaks releases.
    assert!(page.contains("3.41.0"), "{page}");
    assert!(!page.contains("agent 1.6.0"), "{page}");
}
