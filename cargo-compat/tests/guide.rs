//! The generated guides: each example's checked-in `COMPATIBILITY.md` is what `doc` writes
//! today, and each says everything its seed document says, point by point, with the same
//! numbers.
//!
//! The seed documents are the five systems' published compatibility pages (SPIRE's upgrade
//! guide, mirrord's versioning page, Gullveig's upgrade page, Teleport's RFD 12, Apache
//! Phoenix's backward compatibility page). What each states is kept in
//! `tests/seed_facts/<system>.toml`: every fact paraphrased in our own words (not quoted),
//! with exactly the versions the document gives, the document and section it comes from,
//! and the lines of the guide that say the same.

use std::path::{Path, PathBuf};

use cargo_compat::guide;
use cargo_compat::releases::Releases;
use compat_runtime::Policy;
use serde::Deserialize;

mod common;

use common::root;

/// Each example with the releases its guide's worked examples use.
const SYSTEMS: [(&str, &str); 5] = [
    ("spire", "0.8.0,0.8.1,0.9.0,0.9.2,0.9.3"),
    ("mirrord", "3.117.0,3.118.0"),
    ("gullveig", "1.0.0,1.1.4,1.1.5"),
    (
        "teleport",
        "4.0.1,4.0.3,4.1.0,4.2.0,4.3.0,5.0.0,6.3.2,7.1.2,8.0.1,8.1.0",
    ),
    ("phoenix", "4.1.0,4.2.1,4.3.0,4.3.1"),
];

fn command(system: &str, releases: &str) -> String {
    format!("cargo compat doc --policy examples/{system}/compat.toml --releases {releases}")
}

/// The guide as `doc` writes it from the workspace root.
fn generated(system: &str) -> String {
    let releases = SYSTEMS.iter().find(|(s, _)| *s == system).unwrap().1;
    let shown = format!("examples/{system}/compat.toml");
    let text = std::fs::read_to_string(root().join(&shown)).unwrap();
    let policy = Policy::from_toml(&shown, &text).unwrap_or_else(|e| panic!("{e}"));
    let list = Releases::parse(&policy, releases).unwrap();
    guide::write(&policy, &list, &command(system, releases))
}

fn checked_in(system: &str) -> String {
    std::fs::read_to_string(root().join(format!("examples/{system}/COMPATIBILITY.md"))).unwrap()
}

/// One seed document's facts, as `tests/seed_facts/<system>.toml` states them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFacts {
    /// The document's project and title.
    document: String,
    fact: Vec<Fact>,
}

/// A fact the document states, and the lines of the guide that say it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fact {
    /// The heading of the document the fact appears under.
    section: String,
    /// The fact in our own words, with the document's versions.
    states: String,
    /// Lines the checked-in guide contains.
    guide: Vec<String>,
}

fn facts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed_facts")
}

fn seed_facts(system: &str) -> SeedFacts {
    let path = facts_dir().join(format!("{system}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_checked_in_guide_is_what_doc_writes_today() {
    let mut stale = Vec::new();
    for (system, releases) in SYSTEMS {
        if generated(system) != checked_in(system) {
            stale.push(format!(
                "examples/{system}/COMPATIBILITY.md is stale; regenerate it with\n    cargo run -p cargo-compat -- doc --policy examples/{system}/compat.toml --releases {releases} > examples/{system}/COMPATIBILITY.md"
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn the_doc_command_writes_the_checked_in_guide() {
    let (system, releases) = SYSTEMS[0];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-compat"))
        .args([
            "doc",
            "--policy",
            &format!("examples/{system}/compat.toml"),
            "--releases",
            releases,
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), checked_in(system));
}

/// Version-like numbers in a text: `0.9.3`, `0.9.x`, `v8`, `4.3`, normalized to their
/// digits and dots (`0.9.`, `8`, `4.3`).
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let t = cur.trim_end_matches('.').to_string();
        if t.chars().any(|c| c.is_ascii_digit()) && (t.contains('.') || cur.starts_with('v')) {
            out.push(t.trim_start_matches('v').to_string());
        }
        cur.clear();
    };
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let starts_v =
            c == 'v' && chars.get(i + 1).is_some_and(char::is_ascii_digit) && cur.is_empty();
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty()) || starts_v {
            cur.push(c);
        } else if c == 'x' && cur.ends_with('.') {
            // `0.9.x`: the digits before the wildcard.
            cur.push('x');
            let t = cur.trim_end_matches('x').to_string();
            cur = t;
            flush(&mut cur, &mut out);
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// For each fact of `system`'s seed document: the checked-in guide contains every line
/// listed for it, and every number the fact states appears in those lines.
#[track_caller]
fn point_by_point(system: &str) {
    let SeedFacts { document, fact } = seed_facts(system);
    assert!(!fact.is_empty(), "{system}: no facts of {document}");
    let page = checked_in(system);
    let mut missing = Vec::new();
    for Fact {
        section,
        states,
        guide,
    } in &fact
    {
        let from = format!("{document}, {section}: {states:?}");
        if guide.is_empty() {
            missing.push(format!("{from} lists no guide lines"));
        }
        for s in guide {
            if !page.contains(s.as_str()) {
                missing.push(format!("for {from}, the guide lacks {s:?}"));
            }
        }
        let said = guide.join(" ");
        for n in numbers(states) {
            if !said.contains(&n) {
                missing.push(format!(
                    "{from} states {n}, which the guide's lines {guide:?} lack"
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn each_system_and_no_other_has_its_seed_facts() {
    let mut files: Vec<String> = std::fs::read_dir(facts_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = SYSTEMS.iter().map(|(s, _)| format!("{s}.toml")).collect();
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn numbers_are_read_as_versions() {
    assert_eq!(
        numbers("at 0.9.3 and 0.9.x, v8.*.* and 4.3"),
        ["0.9.3", "0.9", "8", "4.3"]
    );
}

#[test]
fn the_spire_guide_says_what_the_spire_document_says() {
    point_by_point("spire");
}

#[test]
fn the_mirrord_guide_says_what_the_mirrord_document_says() {
    point_by_point("mirrord");
}

#[test]
fn the_gullveig_guide_says_what_the_gullveig_document_says() {
    point_by_point("gullveig");
}

#[test]
fn the_teleport_guide_says_what_the_teleport_rfd_says() {
    point_by_point("teleport");
}

#[test]
fn the_phoenix_guide_says_what_the_phoenix_document_says() {
    point_by_point("phoenix");
}

#[test]
fn no_guide_repeats_a_note_or_a_warning_per_instance() {
    for (system, _) in SYSTEMS {
        let guide = checked_in(system);
        for section in guide.split("\n### ") {
            let notes: Vec<&str> = section
                .lines()
                .filter(|l| l.starts_with("> **Note:**"))
                .collect();
            let zero = notes
                .iter()
                .filter(|l| l.contains("Zero downtime is impossible"))
                .count();
            assert!(
                zero <= 1,
                "{system}: {zero} zero-downtime notes in one section:\n{section}"
            );
            let mut seen = std::collections::BTreeSet::new();
            assert!(
                notes.iter().all(|n| seen.insert(*n)),
                "{system}: a note repeated in:\n{section}"
            );
        }
        // A rule is cited at most once per step.
        for line in guide
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        {
            let cited: Vec<&str> = line.matches("compat.toml:").collect();
            let places: std::collections::BTreeSet<&str> = line
                .match_indices("compat.toml:")
                .map(|(i, _)| line[i..].split(')').next().unwrap())
                .collect();
            assert_eq!(
                cited.len(),
                places.len(),
                "{system}: a rule cited twice in {line:?}"
            );
        }
    }
}
