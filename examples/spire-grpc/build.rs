//! Checks the policy, compiles `proto/` with protox (a protobuf compiler in Rust, so no
//! `protoc` is needed), and generates the prost messages and tonic service with compat's
//! attributes: `#[derive(ProstCompat)]` and each type's routes, from the service.

use std::path::PathBuf;

use compat_runtime::proto::build::Annotations;

const PACKAGE: &str = "spire.api.node.v1";

fn generate(
    root: &str,
    out: PathBuf,
    services: bool,
) -> Result<Annotations, Box<dyn std::error::Error>> {
    let fds = protox::compile([format!("{root}/spire/node.proto")], [root])?;
    let annotations = Annotations::new(&fds)
        .service("spire.api.node.v1.Node", "agent", "server")
        .rust_module(PACKAGE, "crate::node");
    annotations.check()?;
    std::fs::create_dir_all(&out)?;
    let mut builder = tonic_prost_build::configure()
        .build_server(services)
        .build_client(services)
        .build_transport(false)
        .out_dir(&out);
    for (path, attribute) in annotations.type_attributes() {
        builder = builder.type_attribute(path, attribute);
    }
    builder.compile_fds(fds)?;
    Ok(annotations)
}

/// Three edits of `node.proto` that break the wire, which `tests/lock.rs` shows the lock
/// refusing: each is `(what the file says, what the edit makes of it)`.
const BREAKING_EDITS: [(&str, &str); 3] = [
    // A field deleted without `reserved 2;`.
    ("  bytes csr = 2;\n", ""),
    // Number 2 of `AttestationData` (`bytes payload`) reused with another type.
    ("  bytes payload = 2;", "  uint64 nonce = 2;"),
    // A value old agents receive, with no later `@since`.
    (
        "  AGENT_STATUS_REATTEST = 2;\n",
        "  AGENT_STATUS_REATTEST = 2;\n  AGENT_STATUS_DRAINING = 3;\n",
    ),
];

/// `proto/` with [`BREAKING_EDITS`] applied, under `dir`.
fn broken_copy(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut text = std::fs::read_to_string("proto/spire/node.proto")?;
    for (from, to) in BREAKING_EDITS {
        if !text.contains(from) {
            return Err(format!(
                "proto/spire/node.proto no longer says `{from}`: update BREAKING_EDITS in build.rs"
            )
            .into());
        }
        text = text.replacen(from, to, 1);
    }
    std::fs::create_dir_all(dir.join("spire"))?;
    std::fs::write(dir.join("spire/node.proto"), text)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    compat_runtime::build::enforce();
    println!("cargo::rerun-if-changed=proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    generate("proto", out.clone(), true)?.write(&out)?;
    // The same API with the breaking edits, never served: the lock's test must refuse it.
    let broken = out.join("broken-proto");
    broken_copy(&broken)?;
    generate(
        broken.to_str().ok_or("OUT_DIR is not UTF-8")?,
        out.join("broken"),
        false,
    )?;
    Ok(())
}
