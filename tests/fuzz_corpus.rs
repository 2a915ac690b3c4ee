//! Replays every input the fuzzers kept (`fuzz/corpus/<target>/`, crashers included) through
//! the same functions the fuzz targets run, so `cargo test` guards what fuzzing found
//! without the fuzz toolchain.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{} fails its invariants", file.display());
    }
}

#[test]
fn every_kept_input_of_the_hello_decoder_still_passes() {
    replay("hello_decode", targets::hello_decode);
}

#[test]
fn every_kept_input_of_the_peer_check_still_passes() {
    replay("peer_check", targets::peer_check);
}

#[test]
fn every_kept_input_of_the_policy_parser_still_passes() {
    replay("policy_parse", targets::policy_parse);
}
