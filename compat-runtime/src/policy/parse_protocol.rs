//! Reading `[protocol]` and `[[feature]]`: a child of `parse.rs`, with its `Builder`.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Builder;
use crate::policy::{Carried, Feature, Located, Protocol};

crate::de_table::table! {
    pub(super) struct RawProtocol, deny_unknown_fields {
        name: Option<Spanned<String>> = "name" optional,
        version: Option<Spanned<String>> = "version" optional,
        version_from: Option<Spanned<String>> = "version-from" optional,
        assumed: Option<Spanned<String>> = "assumed" optional,
        releases: Option<BTreeMap<Spanned<String>, Spanned<String>>> = "releases" optional,
    }
}

crate::de_table::table! {
    pub(super) struct RawFeature, deny_unknown_fields {
        name: Option<Spanned<String>> = "name" optional,
        since: Option<Spanned<String>> = "since" optional,
        until: Option<Spanned<String>> = "until" optional,
        note: Option<String> = "note" optional,
        advertised: Option<Spanned<bool>> = "advertised" optional,
    }
}

/// The sources `version-from` knows, for its did-you-mean.
const SOURCES: &str = "\"env:NAME\" (the environment variable NAME, read when the policy is read: by the build script, and by cargo compat)";

impl Builder<'_, '_> {
    /// `[protocol]`; `None` when it lacks its name or its version. `env` reads
    /// `version-from = "env:NAME"`.
    pub(super) fn protocol(
        &mut self,
        spanned: Spanned<RawProtocol>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Protocol> {
        let origin = self.source.at(&spanned);
        let header = spanned.span().len().min(10);
        let p = spanned.into_inner();
        // name = "mirrord-protocol"
        let name = match &p.name {
            Some(n) if !n.get_ref().trim().is_empty() => Some(Located::new(
                n.get_ref().trim().to_string(),
                self.source.at(n),
            )),
            Some(n) => {
                self.error(
                    n,
                    "the protocol's `name` is empty".into(),
                    Some(PROTOCOL_NAME.into()),
                );
                None
            }
            None => {
                self.table_error(
                    &origin,
                    header,
                    "[protocol] does not name the protocol: `name` is missing".into(),
                    PROTOCOL_NAME,
                );
                None
            }
        };
        let version = self.protocol_version(&p, &origin, header, env);
        let assumed = p.assumed.as_ref().and_then(|a| self.version(a));
        let mut releases = Vec::new();
        let mut entries: Vec<_> = p.releases.into_iter().flatten().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (protocol, release) in &entries {
            // "1.6.0" = "3.41.0"
            if let (Some(protocol), Some(release)) = (self.version(protocol), self.version(release))
            {
                releases.push(Carried { protocol, release });
            }
        }
        let version_from = p
            .version_from
            .as_ref()
            .and_then(|f| f.get_ref().strip_prefix("env:"))
            .map(str::to_owned);
        Some(Protocol {
            name: name?,
            version: version?,
            releases,
            assumed,
            version_from,
            origin,
        })
    }

    /// `version = "1.29.0"`, or `version-from = "env:NAME"`.
    fn protocol_version(
        &mut self,
        p: &RawProtocol,
        origin: &crate::policy::Origin,
        header: usize,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Located<crate::version::Version>> {
        match (&p.version, &p.version_from) {
            (Some(v), None) => self.version(v),
            (Some(_), Some(from)) => {
                self.error(
                    from,
                    "[protocol] takes `version` or `version-from`, not both".into(),
                    Some("keep `version = \"1.29.0\"` to write it here, or `version-from` to read it elsewhere".into()),
                );
                None
            }
            (None, Some(from)) => self.version_from(from, env),
            (None, None) => {
                self.table_error(
                    origin,
                    header,
                    "[protocol] does not say which protocol version this crate speaks: `version` is missing".into(),
                    "add `version = \"1.29.0\"` (the protocol version, not the release), or `version-from = \"env:NAME\"`",
                );
                None
            }
        }
    }

    /// `version-from = "env:MIRRORD_PROTOCOL_VERSION"`.
    fn version_from(
        &mut self,
        from: &Spanned<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Located<crate::version::Version>> {
        let text = from.get_ref();
        let Some(name) = text.strip_prefix("env:").filter(|n| !n.is_empty()) else {
            let (kind, _) = text.split_once(':').unwrap_or((text, ""));
            let meant = crate::suggest::closest(kind, ["env"])
                .map_or(String::new(), |m| format!("did you mean `{m}:`? "));
            self.error(
                from,
                format!("unknown `version-from` source `{text}`"),
                Some(format!("{meant}the sources are {SOURCES}")),
            );
            return None;
        };
        let Some(value) = env(name) else {
            self.error(
                from,
                format!("`version-from = \"{text}\"`: the environment variable {name} is not set"),
                Some(format!(
                    "set {name} to the protocol version (e.g. {name}=1.29.0) wherever the policy is read, or write `version = \"...\"` instead"
                )),
            );
            return None;
        };
        match crate::version::parse_version(value.trim()) {
            Ok(v) => Some(Located::new(v, self.source.at(from))),
            Err(e) => {
                self.error(
                    from,
                    format!(
                        "`version-from = \"{text}\"`: {name} holds `{}`, not a version ({e})",
                        crate::version::shorten(&value)
                    ),
                    Some(format!("set {name} to the protocol version, e.g. 1.29.0")),
                );
                None
            }
        }
    }

    /// One `[[feature]]`; `None` when it has no name or says nothing of when it is there.
    pub(super) fn feature(&mut self, spanned: Spanned<RawFeature>) -> Option<Feature> {
        let origin = self.source.at(&spanned);
        let header = spanned.span().len().min(11);
        let f = spanned.into_inner();
        let advertised = f.advertised.as_ref().is_some_and(|a| *a.get_ref());
        // name = "readlink"
        let name = match &f.name {
            Some(n) => Some(Located::new(n.get_ref().clone(), self.source.at(n))),
            None => {
                self.table_error(
                    &origin,
                    header,
                    "a feature has no name: `name` is missing".into(),
                    "add `name = \"readlink\"`: code asks for it by this name (`#[compat(feature = \"readlink\")]`, `session.supports(\"readlink\")`)",
                );
                None
            }
        };
        let since = f.since.as_ref().and_then(|s| self.version(s));
        let until = f.until.as_ref().and_then(|u| self.version(u));
        if f.since.is_none() && !advertised {
            self.table_error(
                &origin,
                header,
                format!(
                    "feature `{}` does not say which version brings it: `since` is missing",
                    f.name.as_ref().map_or("?", |n| n.get_ref().as_str())
                ),
                "add `since = \"1.6.0\"` (a protocol version under [protocol], else a release), or `advertised = true` for a capability no version implies (a licence tier, a configuration flag), which a peer states in its hello",
            );
            return None;
        }
        Some(Feature {
            name: name?,
            since,
            until,
            note: f.note,
            advertised,
            origin,
        })
    }
}

const PROTOCOL_NAME: &str =
    "add `name = \"mirrord-protocol\"`: refusals and notices name the protocol by it";
