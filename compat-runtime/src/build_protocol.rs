//! What the build script hands the derive, and compiles into the crate, of `[protocol]` and
//! `[[feature]]`: a child of `build.rs`.
//!
//! Under `[protocol]`, `#[since]` speaks protocol versions: the windows are still worked out
//! in releases (the skew rules speak releases), then each window's oldest release is handed
//! over as the protocol version it carries, and `COMPAT_VERSION` is the protocol version this
//! crate speaks. The derive's rules need no change of their own.

use std::fmt::Write as _;

use super::{BuildError, Gen, env, escape};
use crate::policy::{Feature, Origin, Policy, Protocol};
use crate::version::Version;

/// The version `#[since]` is compared with: the protocol version this crate speaks under
/// `[protocol]`, else the crate's release.
pub(super) fn spoken(policy: &Policy, release: &Version) -> Version {
    policy
        .protocol()
        .map_or_else(|| release.clone(), |p| p.version.value.clone())
}

/// A window's oldest sender as the derive reads it: the release, or under `[protocol]` the
/// protocol version that release carries (`*`, no limit, when the policy does not say what
/// it carries: every `#[since]` is then inside the window).
pub(super) fn oldest_text(policy: &Policy, oldest: Option<&Version>) -> String {
    let Some(oldest) = oldest else {
        return "*".into();
    };
    match policy.protocol() {
        None => oldest.to_string(),
        Some(p) => p
            .carried_by(oldest)
            .map_or_else(|| "*".into(), ToString::to_string),
    }
}

/// A window's rule in words, for the derive's messages; under `[protocol]`, with the
/// protocol its oldest sender speaks, since the derive's versions are then protocol
/// versions and the window's edge is a release: "layer may be up to 20 minor releases older
/// than agent, never newer; layer 3.100.0 speaks mirrord-protocol 1.14.0".
pub(super) fn window_text(policy: &Policy, w: &crate::Window) -> String {
    let (Some(p), Some(oldest)) = (policy.protocol(), &w.oldest_sender) else {
        return w.text.clone();
    };
    match p.carried_by(oldest) {
        Some(carried) => format!(
            "{}; {} {oldest} speaks {} {carried}",
            w.text,
            policy.component_name(w.sender),
            p.name.value
        ),
        None => format!(
            "{}; {} does not say which protocol {} {oldest} speaks",
            w.text,
            policy.source(),
            policy.component_name(w.sender)
        ),
    }
}

/// `COMPAT_PROTOCOL` and `COMPAT_FEATURES`, when the policy has them.
pub(super) fn vars(policy: &Policy, shown: &str) -> Vec<(String, String)> {
    let mut vars = Vec::new();
    if let Some(p) = policy.protocol() {
        vars.push((env::PROTOCOL.into(), escape(&p.name.value)));
    }
    if !policy.features().is_empty() {
        let entries: Vec<String> = policy
            .features()
            .iter()
            .map(|f| feature_entry(f, shown))
            .collect();
        vars.push((env::FEATURES.into(), entries.join(";")));
    }
    vars
}

/// `NAME|SINCE|UNTIL|ORIGIN`: `*` for a missing `since` (an advertised capability) or
/// `until`; the origin percent-escaped.
fn feature_entry(f: &Feature, shown: &str) -> String {
    let version = |v: &Option<crate::policy::Located<Version>>| {
        v.as_ref()
            .map_or_else(|| "*".to_string(), |l| l.value.to_string())
    };
    let origin = Origin {
        file: shown.into(),
        ..f.origin.clone()
    };
    format!(
        "{}|{}|{}|{}",
        f.name.value,
        version(&f.since),
        version(&f.until),
        escape(&origin.to_string())
    )
}

/// What the build refuses that the policy alone cannot know: the crate's release carrying
/// a newer protocol than `[protocol] version` says it speaks, and, without `[protocol]`, a
/// feature whose `since` is newer than the crate's release.
pub(super) fn check(policy: &Policy, release: &Version) -> Result<(), BuildError> {
    if let Some(name) = policy.protocol().and_then(|p| p.version_from.as_ref()) {
        println!("cargo::rerun-if-env-changed={name}");
    }
    let mut lines = Vec::new();
    if let Some(p) = policy.protocol()
        && let Some(carried) = p.carried_by(release)
        && carried.cmp_precedence(&p.version.value).is_gt()
    {
        lines.push(format!(
            "{}: [protocol.releases] says release {release} carries {} {carried}, but `version` says this crate speaks {}; raise `version` to {carried}, or correct [protocol.releases]",
            p.version.origin, p.name.value, p.version.value
        ));
    }
    if policy.protocol().is_none() {
        for f in policy.features() {
            if let Some(since) = &f.since
                && policy.scheme().compare(&since.value, release).is_gt()
            {
                lines.push(format!(
                    "{}: feature `{}` arrives in {}, newer than this crate's release {release}; correct `since`, or declare the feature in the release that ships it",
                    since.origin, f.name.value, since.value
                ));
            }
        }
    }
    if lines.is_empty() {
        Ok(())
    } else {
        Err(BuildError { lines })
    }
}

impl Gen {
    /// `protocol: ..., features: ...,` of the compiled policy's parts.
    pub(super) fn protocol_and_features(
        &mut self,
        protocol: Option<&Protocol>,
        features: &[Feature],
    ) {
        self.out.push_str("protocol: ");
        self.option(&protocol, |g, p| g.protocol(p));
        self.out.push_str(",\nfeatures: ::std::vec![\n");
        for f in features {
            self.feature(f);
        }
        self.out.push_str("],\n");
    }

    fn protocol(&mut self, p: &Protocol) {
        self.out.push_str("__c::Protocol { name: ");
        self.located(&p.name, |g, n| g.string(n));
        self.out.push_str(", version: ");
        self.located(&p.version, Gen::version);
        self.out.push_str(", releases: ::std::vec![");
        for c in &p.releases {
            self.out.push_str("__c::Carried { protocol: ");
            self.located(&c.protocol, Gen::version);
            self.out.push_str(", release: ");
            self.located(&c.release, Gen::version);
            self.out.push_str(" }, ");
        }
        self.out.push_str("], assumed: ");
        self.opt_version(&p.assumed);
        self.out.push_str(", version_from: ");
        self.option(&p.version_from, |g, v| g.string(v));
        self.out.push_str(", origin: ");
        self.origin(&p.origin);
        self.out.push_str(" }");
    }

    fn feature(&mut self, f: &Feature) {
        self.out.push_str("__c::Feature { name: ");
        self.located(&f.name, |g, n| g.string(n));
        self.out.push_str(", since: ");
        self.opt_version(&f.since);
        self.out.push_str(", until: ");
        self.opt_version(&f.until);
        self.out.push_str(", note: ");
        self.option(&f.note, |g, n| g.string(n));
        let _ = write!(self.out, ", advertised: {}, origin: ", f.advertised);
        self.origin(&f.origin);
        self.out.push_str(" },\n");
    }
}
