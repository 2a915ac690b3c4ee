//! The releases that exist: from `--releases V,V,...`, or from the `compat.lock` beside the
//! policy. The planner only moves instances to releases.

use std::fmt;
use std::path::Path;

use compat_runtime::version::parse_version;
use compat_runtime::{Policy, Version};
use serde::Deserialize;

/// The most releases one list may name.
pub const MAX_RELEASES: usize = 10_000;

/// Releases in the policy's order, oldest first, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Releases {
    /// The versions, oldest first.
    pub versions: Vec<Version>,
    /// Where they came from, for messages: `--releases`, `examples/spire/compat.lock`.
    pub source: String,
}

/// A releases list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasesError(pub String);

impl fmt::Display for ReleasesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReleasesError {}

impl Releases {
    /// Reads `--releases 0.8.1,0.9.0,0.9.3`: every entry a version, none twice.
    ///
    /// ```
    /// use cargo_compat::releases::Releases;
    /// use compat_runtime::Policy;
    /// let policy = Policy::from_path("../examples/spire/compat.toml")?;
    /// let r = Releases::parse(&policy, "0.9.3, 0.8.1,0.9.0")?;
    /// assert_eq!(r.versions.iter().map(|v| v.to_string()).collect::<Vec<_>>(), ["0.8.1", "0.9.0", "0.9.3"]);
    /// let err = Releases::parse(&policy, "0.8.1,0.9,0.9.3").unwrap_err();
    /// assert!(err.to_string().starts_with("--releases: entry 2, `0.9`, is not a version"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(policy: &Policy, list: &str) -> Result<Releases, ReleasesError> {
        let entries: Vec<&str> = list.split(',').map(str::trim).collect();
        Releases::from_entries(policy, "--releases", &entries, &[])
    }

    /// `places` (one per entry, e.g. `compat.lock:12:11`) locate an entry's error where the
    /// entries come from a file; `--releases` has none.
    fn from_entries(
        policy: &Policy,
        source: &str,
        entries: &[&str],
        places: &[String],
    ) -> Result<Releases, ReleasesError> {
        if entries.len() > MAX_RELEASES {
            return Err(ReleasesError(format!(
                "{source}: {} releases; at most {MAX_RELEASES} are accepted",
                entries.len()
            )));
        }
        let mut versions: Vec<Version> = Vec::with_capacity(entries.len());
        let mut seen: std::collections::BTreeMap<Version, usize> = Default::default();
        for (i, entry) in entries.iter().enumerate() {
            let source = places.get(i).map_or(source, String::as_str);
            if entry.is_empty() {
                return Err(ReleasesError(format!(
                    "{source}: entry {} is empty; write versions separated by commas, e.g. 0.8.1,0.9.3",
                    i + 1
                )));
            }
            let v = parse_version(entry).map_err(|e| {
                ReleasesError(format!(
                    "{source}: entry {}, `{entry}`, is not a version ({e})",
                    i + 1
                ))
            })?;
            if let Some(j) = seen.insert(v.clone(), i) {
                return Err(ReleasesError(format!(
                    "{source}: `{entry}` is listed twice (entries {} and {}); name each release once",
                    j + 1,
                    i + 1
                )));
            }
            versions.push(v);
        }
        let scheme = policy.scheme();
        versions.sort_by(|a, b| scheme.compare(a, b).then_with(|| a.cmp(b)));
        Ok(Releases {
            versions,
            source: source.to_string(),
        })
    }

    /// The releases a `compat.lock` records, read without the rest of the lock (only
    /// `[[release]] version = "..."`). `Ok(None)` when there is no such file.
    pub fn from_lock(policy: &Policy, path: &Path) -> Result<Option<Releases>, ReleasesError> {
        #[derive(Deserialize)]
        struct Lock {
            #[serde(default)]
            release: Vec<Recorded>,
        }
        #[derive(Deserialize)]
        struct Recorded {
            version: toml::Spanned<String>,
        }
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ReleasesError(format!("cannot read {shown}: {e}"))),
        };
        let at = |offset: usize| {
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{shown}:{line}:{column}")
        };
        let lock: Lock = toml::from_str(&text).map_err(|e| {
            let place = e.span().map_or(shown.clone(), |s| at(s.start));
            ReleasesError(format!("{place}: {}", e.message().trim()))
        })?;
        let entries: Vec<&str> = lock
            .release
            .iter()
            .map(|r| r.version.get_ref().as_str())
            .collect();
        let places: Vec<String> = lock
            .release
            .iter()
            .map(|r| at(r.version.span().start))
            .collect();
        Releases::from_entries(policy, &shown, &entries, &places).map(Some)
    }

    /// Whether `v` is one of the releases.
    pub fn contains(&self, v: &Version) -> bool {
        self.versions.contains(v)
    }

    /// The releases with these versions added (what the fleet runs exists, whatever a list
    /// says).
    pub fn with(mut self, policy: &Policy, extra: impl IntoIterator<Item = Version>) -> Self {
        for v in extra {
            if !self.versions.contains(&v) {
                self.versions.push(v);
            }
        }
        let scheme = policy.scheme();
        self.versions
            .sort_by(|a, b| scheme.compare(a, b).then_with(|| a.cmp(b)));
        self
    }

    /// The list in words: `0.8.1, 0.9.0, 0.9.3`.
    pub fn listed(&self) -> String {
        self.versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}
