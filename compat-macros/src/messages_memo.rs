//! `messages![...]`'s scan, kept between builds of a crate.
//!
//! Every build of a crate expands `messages![...]` again, and the scan lexes each module
//! file, which is most of what `messages![...]` costs an incremental rebuild
//! (benches/compile_time.sh). The result is kept in the build script's `OUT_DIR`, next to
//! everything it was computed from: the `src` directory, the configuration, the text of
//! every file the scan read and whether each path it probed for a module was a file. A
//! later expansion reuses it only when all of that is still the same, byte for byte, and
//! it was written by this version of compat-macros; anything else (a changed file, a new
//! module file, a memo that is missing, unreadable or malformed) runs the scan again. The
//! memo is a cache and never an input: deleting it changes nothing but the time.

use std::path::{Path, PathBuf};

use crate::messages_scan::{Inputs, Scanned};

/// The memo's first line: which format, written by which compat-macros.
const HEADER: &str = concat!(
    "compat-macros scan memo ",
    env!("CARGO_PKG_VERSION"),
    " v3\n"
);

/// Where the memo of this crate's scan lives, if the build has an `OUT_DIR`.
pub(crate) fn place() -> Option<PathBuf> {
    let dir = std::env::var_os("OUT_DIR")?;
    Some(PathBuf::from(dir).join("compat-messages.scan"))
}

/// The memoized result for a scan of `src` under the configuration `cfg`, if it is still
/// what a scan would find.
pub(crate) fn load(memo: &Path, src: &Path, cfg: &str) -> Option<Scanned> {
    let text = std::fs::read_to_string(memo).ok()?;
    let mut fields = Fields(text.strip_prefix(HEADER)?);
    if fields.next()? != src.to_str()? || fields.next()? != cfg {
        return None;
    }
    for _ in 0..fields.count()? {
        let path = Path::new(fields.next()?);
        let recorded = match fields.next()? {
            "1" => Some(fields.next()?),
            "0" => None,
            _ => return None,
        };
        if std::fs::read_to_string(path).ok().as_deref() != recorded {
            return None;
        }
    }
    for _ in 0..fields.count()? {
        let path = Path::new(fields.next()?);
        let was_file = match fields.next()? {
            "1" => true,
            "0" => false,
            _ => return None,
        };
        if path.is_file() != was_file {
            return None;
        }
    }
    let mut scanned = Scanned::default();
    for _ in 0..fields.count()? {
        let path = fields.next()?.to_owned();
        scanned.messages.push((path, fields.next()?.to_owned()));
    }
    for _ in 0..fields.count()? {
        scanned.refusals.push(fields.next()?.to_owned());
    }
    fields.0.is_empty().then_some(scanned)
}

/// Keeps `scanned`, found in `src` under `cfg` from `inputs`. Best effort: a memo that
/// cannot be written is simply not there next time. Written whole to a file of its own
/// and renamed into place, so that two compilations of the crate at once (its library and
/// its tests) never read half of one.
pub(crate) fn store(memo: &Path, src: &Path, cfg: &str, inputs: &Inputs, scanned: &Scanned) {
    let Some(text) = encode(src, cfg, inputs, scanned) else {
        return;
    };
    let partial = memo.with_extension(format!("scan.{}", std::process::id()));
    if std::fs::write(&partial, text).is_err() || std::fs::rename(&partial, memo).is_err() {
        let _ = std::fs::remove_file(&partial);
    }
}

/// The memo's text: the header, then length-prefixed fields (`len\ntext`); `None` if a
/// path is not UTF-8.
fn encode(src: &Path, cfg: &str, inputs: &Inputs, scanned: &Scanned) -> Option<String> {
    let mut out = String::from(HEADER);
    let mut field = |text: &str| {
        out.push_str(&text.len().to_string());
        out.push('\n');
        out.push_str(text);
    };
    field(src.to_str()?);
    field(cfg);
    field(&inputs.reads.len().to_string());
    for (path, text) in &inputs.reads {
        field(path.to_str()?);
        match text {
            Some(text) => {
                field("1");
                field(text);
            }
            None => field("0"),
        }
    }
    field(&inputs.probes.len().to_string());
    for (path, was_file) in &inputs.probes {
        field(path.to_str()?);
        field(if *was_file { "1" } else { "0" });
    }
    field(&scanned.messages.len().to_string());
    for (path, place) in &scanned.messages {
        field(path);
        field(place);
    }
    field(&scanned.refusals.len().to_string());
    for refusal in &scanned.refusals {
        field(refusal);
    }
    Some(out)
}

/// The fields of a memo after its header.
struct Fields<'a>(&'a str);

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let (len, rest) = self.0.split_once('\n')?;
        let len: usize = len.parse().ok()?;
        let field = rest.get(..len)?;
        self.0 = &rest[len..];
        Some(field)
    }

    fn count(&mut self) -> Option<usize> {
        self.next()?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages_scan::scan_with_inputs;
    use crate::messages_scan::tests::no_cfg;

    /// A crate of `files` in a fresh directory; returns its `src` and the memo's path.
    fn crate_with(case: &str, files: &[(&str, &str)]) -> (PathBuf, PathBuf) {
        let dir = crate::messages_scan::tests::crate_with(&format!("memo-{case}"), files);
        (dir.join("src"), dir.join("compat-messages.scan"))
    }

    fn scan_and_store(src: &Path, memo: &Path, cfg: &str) -> Scanned {
        let (scanned, inputs) = scan_with_inputs(src, &no_cfg);
        store(memo, src, cfg, &inputs, &scanned);
        scanned
    }

    #[test]
    fn a_memo_is_reused_while_every_file_reads_the_same() {
        let (src, memo) = crate_with(
            "same",
            &[
                ("lib.rs", "mod v1;\n#[derive(Compat)]\nstruct Hello;\n"),
                ("v1.rs", "#[derive(Compat)]\nstruct Bye;\n"),
            ],
        );
        let scanned = scan_and_store(&src, &memo, "");
        assert_eq!(scanned.messages.len(), 2);
        assert_eq!(load(&memo, &src, ""), Some(scanned.clone()));
        // Another configuration, or another crate, is another scan.
        assert_eq!(load(&memo, &src, "feature_x=1"), None);
        assert_eq!(load(&memo, &src.join("other"), ""), None);
        // A file that reads differently is another scan, even if it lists the same.
        std::fs::write(
            src.join("v1.rs"),
            "#[derive(Compat)]\nstruct Bye; // edited\n",
        )
        .unwrap();
        assert_eq!(load(&memo, &src, ""), None);
        let rescanned = scan_and_store(&src, &memo, "");
        assert_eq!(rescanned, scanned);
        assert_eq!(load(&memo, &src, ""), Some(scanned));
        std::fs::remove_dir_all(src.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_new_module_file_or_a_removed_one_is_another_scan() {
        let (src, memo) = crate_with("probe", &[("lib.rs", "mod v1;\n")]);
        // `v1.rs` and `v1/mod.rs` were probed and neither was there.
        let scanned = scan_and_store(&src, &memo, "");
        assert!(scanned.messages.is_empty());
        assert!(load(&memo, &src, "").is_some());
        std::fs::create_dir_all(src.join("v1")).unwrap();
        std::fs::write(src.join("v1/mod.rs"), "#[derive(Compat)]\nstruct Bye;\n").unwrap();
        assert_eq!(load(&memo, &src, ""), None);
        let scanned = scan_and_store(&src, &memo, "");
        assert_eq!(
            scanned.messages,
            vec![("v1::Bye".to_owned(), "src/v1/mod.rs:2".to_owned())]
        );
        std::fs::remove_file(src.join("v1/mod.rs")).unwrap();
        assert_eq!(load(&memo, &src, ""), None);
        std::fs::remove_dir_all(src.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_damaged_memo_is_ignored() {
        let (src, memo) = crate_with(
            "damaged",
            &[("lib.rs", "#[derive(Compat)]\nstruct Hello;\n")],
        );
        scan_and_store(&src, &memo, "");
        let text = std::fs::read_to_string(&memo).unwrap();
        for damaged in [
            String::new(),
            text.replace("compat-macros scan memo", "another memo"),
            text[..text.len() - 3].to_owned(),
            format!("{text}7\nextra"),
            text.replacen("\n1\n", "\n9\n", 1),
        ] {
            std::fs::write(&memo, &damaged).unwrap();
            assert_eq!(load(&memo, &src, ""), None, "{damaged:?}");
        }
        std::fs::remove_dir_all(src.parent().unwrap()).unwrap();
    }
}
