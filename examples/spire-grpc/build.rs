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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    compat_runtime::build::enforce();
    println!("cargo::rerun-if-changed=proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    generate("proto", out.clone(), true)?.write(&out)?;
    // The same API with three wire-breaking edits, which the lock's test must refuse.
    generate("proto/broken", out.join("broken"), false)?;
    Ok(())
}
