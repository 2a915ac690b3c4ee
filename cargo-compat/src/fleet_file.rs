//! `fleet.toml`: the running instances, by name or by count per `component@version`.
//!
//! ```toml
//! [instances]                 # one instance per key: its name, then component@version
//! server-a = "server@0.9.3"
//! server-b = "server@0.8.1"
//!
//! [counts]                    # many unnamed instances per component@version
//! "agent@0.8.1" = 1200
//! ```
//!
//! Every mistake is reported with its place (`fleet.toml:4:12`): an unknown component (with
//! a suggestion), a version that does not parse, a duplicate name or entry, a count that is
//! zero, negative or larger than [`MAX_COUNT`]. See `docs/fleet.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use compat_runtime::policy::Origin;
use compat_runtime::{Instance, Peer, Policy, Version};
use serde::Deserialize;
use toml::Spanned;

/// The largest count one `[counts]` entry may give: a billion instances of one version.
pub const MAX_COUNT: u64 = 1_000_000_000;

/// The largest fleet file read (a million named instances fit comfortably).
const MAX_FLEET_LEN: usize = 256 << 20;

/// The running instances of a fleet, as the file lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet {
    /// The file the fleet came from, as shown to users.
    pub source: String,
    /// Named instances and counted groups, in file order (named instances first).
    pub members: Vec<Member>,
}

/// One line of a fleet: a named instance, or a number of unnamed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The instance's name; `None` for a counted group.
    pub name: Option<String>,
    /// The component and version it runs.
    pub peer: Peer,
    /// How many instances (1 for a named one).
    pub count: u64,
    /// Where the file says it.
    pub origin: Origin,
}

/// A mistake in a fleet file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetError {
    /// Where, when the mistake is in the file (not when it cannot be read).
    pub origin: Option<Origin>,
    /// What is wrong, lowercase, naming the offending text.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for FleetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        write!(f, "error: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Every mistake found in a fleet file (at least one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetErrors(pub Vec<FleetError>);

impl fmt::Display for FleetErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for FleetErrors {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleet {
    instances: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    counts: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

/// Byte offsets to lines and columns.
struct Lines<'a> {
    name: &'a str,
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(name: &'a str, text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { name, text, starts }
    }

    fn origin(&self, span: &Range<usize>) -> Origin {
        let at = span.start.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
        let column = self.text[self.starts[line]..at].chars().count() + 1;
        Origin::new(self.name, (line + 1) as u32, column as u32)
    }
}

impl Fleet {
    /// Reads a fleet file.
    pub fn from_path(policy: &Policy, path: impl AsRef<Path>) -> Result<Fleet, FleetErrors> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let fail = |message: String| {
            FleetErrors(vec![FleetError {
                origin: None,
                message,
                help: None,
            }])
        };
        let meta =
            std::fs::metadata(path).map_err(|e| fail(format!("cannot read {shown}: {e}")))?;
        if meta.len() > MAX_FLEET_LEN as u64 {
            return Err(fail(format!(
                "{shown} is {} bytes long; a fleet file may be at most {MAX_FLEET_LEN} bytes (use [counts] for large groups)",
                meta.len()
            )));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read {shown}: {e}")))?;
        Fleet::from_toml(policy, &shown, &text)
    }

    /// Reads a fleet from its text; `name` is how messages show the file.
    ///
    /// ```
    /// use cargo_compat::fleet_file::Fleet;
    /// use compat_runtime::Policy;
    ///
    /// let policy = Policy::from_path("../examples/spire/compat.toml")?;
    /// let fleet = Fleet::from_toml(&policy, "fleet.toml", r#"
    ///     [instances]
    ///     server-a = "server@0.9.3"
    ///     [counts]
    ///     "agent@0.8.1" = 1200
    /// "#)?;
    /// assert_eq!(fleet.size(), 1201);
    ///
    /// let err = Fleet::from_toml(&policy, "fleet.toml", "[counts]\n\"agnet@0.8.1\" = 3\n").unwrap_err();
    /// assert_eq!(err.0[0].to_string(), "fleet.toml:2:1: error: unknown component `agnet`: did you mean `agent`?");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_toml(policy: &Policy, name: &str, text: &str) -> Result<Fleet, FleetErrors> {
        let lines = Lines::new(name, text);
        let raw = parse(&lines)?;
        let mut reader = Reader {
            policy,
            lines: &lines,
            errors: Vec::new(),
            members: Vec::new(),
        };
        reader.named(raw.instances.unwrap_or_default());
        reader.counted(raw.counts.unwrap_or_default());
        let Reader {
            mut errors,
            members,
            ..
        } = reader;
        if errors.is_empty() && members.is_empty() {
            // An empty fleet would plan to "nothing to do": say what is missing instead.
            errors.push(FleetError {
                origin: Some(Origin::new(name, 1, 1)),
                message: "the fleet lists no instances".into(),
                help: Some(
                    "add `[instances]` (name = \"component@version\") or `[counts]` (\"component@version\" = N)"
                        .into(),
                ),
            });
        }
        if !errors.is_empty() {
            return Err(FleetErrors(errors));
        }
        Ok(Fleet {
            source: name.to_string(),
            members,
        })
    }

    /// Every component at one version, one instance each: what `--from VERSION` means.
    pub fn uniform(policy: &Policy, version: &Version) -> Fleet {
        let members = (0..policy.components().len())
            .filter_map(|i| {
                let name = &policy.components()[i].name;
                policy.component(name).map(|component| Member {
                    name: None,
                    peer: Peer {
                        component,
                        version: version.clone(),
                    },
                    count: 1,
                    origin: Origin::new("--from", 0, 0),
                })
            })
            .collect();
        Fleet {
            source: "--from".into(),
            members,
        }
    }

    /// How many instances the fleet runs.
    pub fn size(&self) -> u64 {
        self.members.iter().map(|m| m.count).sum()
    }

    /// The fleet as the runtime's fleet check takes it: one instance per named instance, and
    /// one per counted group (which the check treats exactly like its many instances, since
    /// it checks each distinct pair of versions once).
    pub fn instances(&self, policy: &Policy) -> Vec<Instance> {
        self.members
            .iter()
            .map(|m| Instance {
                name: Some(match &m.name {
                    Some(n) => n.clone(),
                    None => format!(
                        "{}@{}",
                        policy.component_name(m.peer.component),
                        m.peer.version
                    ),
                }),
                peer: m.peer.clone(),
            })
            .collect()
    }

    /// How many instances a label from [`Fleet::instances`] stands for.
    pub fn count_of(&self, policy: &Policy, label: &str) -> u64 {
        self.members
            .iter()
            .find(|m| match &m.name {
                Some(n) => n == label,
                None => {
                    format!(
                        "{}@{}",
                        policy.component_name(m.peer.component),
                        m.peer.version
                    ) == label
                }
            })
            .map_or(1, |m| m.count)
    }
}

/// The file as TOML, or the one error TOML reports, with its place.
fn parse(lines: &Lines<'_>) -> Result<RawFleet, FleetErrors> {
    let text = lines.text;
    toml::from_str(text).map_err(|e| {
        let origin = e.span().map(|s| lines.origin(&s));
        let mut message = e.message().trim().to_string();
        if message.starts_with("duplicate key")
            && let Some(key) = e.span().and_then(|s| text.get(s)).map(str::trim)
        {
            message = format!(
                "duplicate instance or entry `{}`: each name (and each component@version) appears once",
                key.trim_matches('"')
            );
        }
        FleetErrors(vec![FleetError {
            origin,
            message,
            help: Some(
                "a fleet has `[instances]` (name = \"component@version\") and `[counts]` (\"component@version\" = N)"
                    .into(),
            ),
        }])
    })
}

/// Reading the entries of a parsed fleet file: the members, and every mistake.
struct Reader<'a> {
    policy: &'a Policy,
    lines: &'a Lines<'a>,
    errors: Vec<FleetError>,
    members: Vec<Member>,
}

impl Reader<'_> {
    /// `component@version`, or an error at its place.
    fn peer(&mut self, text: &Spanned<String>) -> Option<Peer> {
        match self.policy.peer(text.get_ref()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.errors.push(FleetError {
                    origin: Some(self.lines.origin(&text.span())),
                    message: e.to_string(),
                    help: None,
                });
                None
            }
        }
    }

    /// `[instances]`, in file order: one member per named instance.
    fn named(&mut self, instances: BTreeMap<Spanned<String>, Spanned<String>>) {
        let mut named: Vec<_> = instances.into_iter().collect();
        named.sort_by_key(|(k, _)| k.span().start);
        for (key, value) in named {
            if key.get_ref().trim().is_empty() {
                self.errors.push(FleetError {
                    origin: Some(self.lines.origin(&key.span())),
                    message: "an instance name may not be empty".into(),
                    help: Some("name it as the operator finds it: a host or pod name".into()),
                });
                continue;
            }
            if let Some(p) = self.peer(&value) {
                self.members.push(Member {
                    name: Some(key.get_ref().clone()),
                    peer: p,
                    count: 1,
                    origin: self.lines.origin(&key.span()),
                });
            }
        }
    }

    /// `[counts]`, in file order: one member per component version, counted once.
    fn counted(&mut self, counts: BTreeMap<Spanned<String>, Spanned<toml::Value>>) {
        let mut counted: Vec<_> = counts.into_iter().collect();
        counted.sort_by_key(|(k, _)| k.span().start);
        let mut seen: BTreeMap<(usize, Version), Origin> = BTreeMap::new();
        for (key, value) in counted {
            let Some(p) = self.peer(&key) else {
                continue;
            };
            let count = match count(key.get_ref(), value.get_ref()) {
                Ok(n) => n,
                Err((message, help)) => {
                    self.errors.push(FleetError {
                        origin: Some(self.lines.origin(&value.span())),
                        message,
                        help: Some(help.into()),
                    });
                    continue;
                }
            };
            let origin = self.lines.origin(&key.span());
            // Build metadata does not order versions, so `agent@0.8.1` and `agent@0.8.1+b`
            // are one version to every check: counting both is a mistake.
            let mut release = p.version.clone();
            release.build = semver::BuildMetadata::EMPTY;
            let id = (p.component.index(), release);
            if let Some(first) = seen.get(&id) {
                self.errors.push(FleetError {
                    origin: Some(origin),
                    message: format!("`{}` is counted twice (first at {first})", key.get_ref()),
                    help: Some("give one count per component@version".into()),
                });
                continue;
            }
            seen.insert(id, origin.clone());
            self.members.push(Member {
                name: None,
                peer: p,
                count,
                origin,
            });
        }
    }
}

/// The count a `[counts]` entry gives for `key`: a whole number from 1 to [`MAX_COUNT`];
/// else what is wrong and what to do.
fn count(key: &str, value: &toml::Value) -> Result<u64, (String, &'static str)> {
    match value {
        toml::Value::Integer(n) if *n > 0 && (*n as u64) <= MAX_COUNT => Ok(*n as u64),
        toml::Value::Integer(n) if *n <= 0 => Err((
            format!("count {n} for `{key}`: a count must be at least 1"),
            "leave the entry out when no instance runs that version",
        )),
        toml::Value::Integer(n) => Err((
            format!(
                "count {n} for `{key}` is larger than {MAX_COUNT}, the most one entry may give"
            ),
            "check the number; split real fleets this large by version",
        )),
        other => Err((
            format!("count for `{key}` must be a whole number, not `{other}`"),
            "write \"component@version\" = N",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_a_whole_number_from_one_to_the_maximum() {
        assert_eq!(count("agent@0.8.1", &toml::Value::Integer(1200)), Ok(1200));
        assert_eq!(
            count("agent@0.8.1", &toml::Value::Integer(MAX_COUNT as i64)),
            Ok(MAX_COUNT)
        );
    }

    #[test]
    fn a_bad_count_says_what_is_wrong_and_what_to_do() {
        let (message, help) = count("agent@0.8.1", &toml::Value::Integer(0)).unwrap_err();
        assert_eq!(
            message,
            "count 0 for `agent@0.8.1`: a count must be at least 1"
        );
        assert_eq!(
            help,
            "leave the entry out when no instance runs that version"
        );
        let (message, _) =
            count("agent@0.8.1", &toml::Value::Integer(MAX_COUNT as i64 + 1)).unwrap_err();
        assert_eq!(
            message,
            "count 1000000001 for `agent@0.8.1` is larger than 1000000000, the most one entry may give"
        );
        let (message, help) = count("agent@0.8.1", &toml::Value::String("3".into())).unwrap_err();
        assert_eq!(
            message,
            "count for `agent@0.8.1` must be a whole number, not `\"3\"`"
        );
        assert_eq!(help, "write \"component@version\" = N");
    }

    #[test]
    fn places_count_lines_and_characters_from_one() {
        let lines = Lines::new("fleet.toml", "[counts]\n\"agént@1\" = 3\n");
        let origin = lines.origin(&(14..15));
        assert_eq!(origin.to_string(), "fleet.toml:2:5");
    }
}
