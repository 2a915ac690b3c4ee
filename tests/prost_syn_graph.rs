//! What compat-runtime adds to a prost user's build (issue 18): one syn major. prost-derive
//! 0.14 is built on syn 2, compat's serde derive and serde's own (serde_derive 1.0.229) on
//! syn 3, so `#[derive(ProstCompat)]` reads token trees without syn, the feature `prost`
//! does not turn on `macros`, and `build` reads `compat.toml` without serde's derive
//! (src/de_table.rs). This resolves compat-runtime with the features a prost user turns on
//! (`cargo tree`, offline, from the lockfile: no network) and fails, naming the path, when a
//! second syn major or any syn reached through compat-macros comes back.

use std::process::Command;

/// A crate of the graph: its depth from compat-runtime, name and version.
struct Node {
    depth: usize,
    name: String,
    version: String,
}

/// compat-runtime's graph with `features` and without the default ones, over normal and
/// build dependencies, each path spelled out (no `(*)` shortcuts). For the host, not
/// `--target all`: serde_core pins serde_derive's version with a dependency under
/// `cfg(any())`, which no target compiles and `--target all` lists.
fn graph(features: &str) -> Vec<Node> {
    tree(&[
        "--package",
        "compat-runtime",
        "--no-default-features",
        "--features",
        features,
    ])
}

/// `cargo tree` of the packages `select` names, as [`graph`] reads it.
fn tree(select: &[&str]) -> Vec<Node> {
    let output = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "--locked"])
        .args(select)
        .args([
            "--edges",
            "normal,build",
            "--no-dedupe",
            "--prefix",
            "depth",
            "--format",
            "{p}",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("cargo tree writes UTF-8")
        .lines()
        .filter_map(|line| {
            let digits = line.find(|c: char| !c.is_ascii_digit())?;
            let mut words = line[digits..].split_whitespace();
            Some(Node {
                depth: line[..digits].parse().ok()?,
                name: words.next()?.to_owned(),
                version: words.next()?.trim_start_matches('v').to_owned(),
            })
        })
        .collect()
}

/// Every `syn` in the graph, with its major and the path from compat-runtime to it.
fn syns(nodes: &[Node]) -> Vec<(String, String)> {
    let mut path: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for node in nodes {
        path.truncate(node.depth);
        path.push(format!("{} {}", node.name, node.version));
        if node.name == "syn" {
            let major = node
                .version
                .split('.')
                .next()
                .unwrap_or_default()
                .to_owned();
            found.push((major, path.join(" -> ")));
        }
    }
    found
}

#[test]
fn a_prost_users_compat_runtime_compiles_one_syn_major_and_none_for_compat_macros() {
    // The dependency a prost user writes, with the well-known types, and the build
    // dependency of its build script (`enforce()` and the helper); and all at once.
    for features in [
        "prost",
        "prost,well-known-types",
        "build",
        "build,proto-build",
        "prost,well-known-types,build,proto-build",
    ] {
        let nodes = graph(features);
        assert!(
            nodes.iter().any(|n| n.name == "compat-macros") || !features.contains("prost"),
            "with `{features}` compat-runtime depends on compat-macros"
        );
        let syns = syns(&nodes);
        if let Some((_, path)) = syns
            .iter()
            .find(|(_, path)| path.contains("compat-macros "))
        {
            panic!("with `{features}`, compat-macros brings syn again: {path}");
        }
        let first = syns.first().map(|(major, _)| major.as_str());
        if let Some((major, path)) = syns.iter().find(|(major, _)| Some(major.as_str()) != first) {
            let (_, first_path) = &syns[0];
            panic!(
                "with `{features}`, two syn majors: {} through {first_path}, and {major} through {path}",
                first.unwrap_or_default()
            );
        }
    }
}

#[test]
fn in_the_grpc_example_no_syn_comes_through_compat_macros() {
    // spire-grpc compiles syn 3 anyway (tonic's async-trait, tonic-prost-build's
    // prost-build, serde's derive through compat-runtime's `tower`) beside
    // prost-derive's syn 2: what compat can answer for is that its derive adds none.
    let nodes = tree(&["--package", "spire-grpc"]);
    assert!(nodes.iter().any(|n| n.name == "compat-macros"));
    if let Some((_, path)) = syns(&nodes)
        .iter()
        .find(|(_, path)| path.contains("compat-macros "))
    {
        panic!("spire-grpc compiles syn through compat-macros: {path}");
    }
}

#[test]
fn the_serde_derive_still_brings_syn() {
    // The other side of the split, so that the test above cannot pass by reading an
    // empty graph: `macros` is compat-macros with its `serde` feature, on syn.
    let syns = syns(&graph("macros"));
    assert!(
        syns.iter().any(|(_, path)| path.contains("compat-macros ")),
        "no syn under compat-macros with `macros`"
    );
}
