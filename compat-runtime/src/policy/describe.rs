//! Rules in words, for refusals, lint output and the guide.

use super::{Form, Rule, Side};
use crate::skew::Skew;

fn side(s: &Side) -> String {
    match s {
        Side::Any => "any component".to_string(),
        Side::Named(name) => name.clone(),
    }
}

/// "up to one minor release", "any number of minor releases (same major)".
fn amount(skew: Skew) -> String {
    match skew {
        Skew::Any => "any amount".into(),
        Skew::None => "not at all".into(),
        other => format!("up to {}", other.describe()),
    }
}

pub(super) fn rule(rule: &Rule) -> String {
    let one_wildcard = (rule.component.value == Side::Any) != (rule.peer.value == Side::Any);
    // `"*"` beside a named component stands for every other one.
    let wild = |s: &Side| match s {
        Side::Any if one_wildcard => "any other component".to_string(),
        s => side(s),
    };
    let c = wild(&rule.component.value);
    let p = wild(&rule.peer.value);
    let same = rule.component.value == rule.peer.value;
    let mut text = match rule.form.value {
        Form::Exact if same => format!("every {c} must run the same version"),
        Form::Exact => format!("{c} must run exactly the version of {p}"),
        Form::Managed => format!("{c} is managed by {p} and runs exactly its version"),
        Form::Skew { newer, older } if same || newer == older => {
            let who = if same && rule.component.value == Side::Any {
                "any two components".to_string()
            } else if same {
                format!("{c} instances")
            } else {
                format!("{c} and {p}")
            };
            match newer {
                Skew::Any => format!("{who} may be any distance apart"),
                Skew::None => format!("{who} must run the same version"),
                Skew::Major(0) => format!("{who} must be in the same major"),
                Skew::Minor(None) => format!("{who} must be in the same major (any minor)"),
                Skew::Patch(None) => format!("{who} must be in the same minor (any patch)"),
                skew => format!("{who} may be {} apart", amount(skew)),
            }
        }
        Form::Skew { newer, older } => {
            let older_part = match older {
                Skew::None => format!("{c} may never be older than {p}"),
                Skew::Any => format!("{c} may be any amount older than {p}"),
                Skew::Major(0) | Skew::Minor(None) => {
                    format!("{c} may be older than {p} within the same major")
                }
                Skew::Patch(None) => {
                    format!("{c} may be older than {p} by patch releases of the same minor")
                }
                skew => format!("{c} may be {} older than {p}", amount(skew)),
            };
            let newer_part = match newer {
                Skew::None => ", never newer".to_string(),
                Skew::Any => ", and any amount newer".to_string(),
                Skew::Major(0) | Skew::Minor(None) => {
                    ", and newer within the same major".to_string()
                }
                Skew::Patch(None) => ", and newer by patch releases of the same minor".to_string(),
                skew => format!(", and {} newer", amount(skew)),
            };
            older_part + &newer_part
        }
    };
    match (&rule.from, &rule.until) {
        (Some(f), Some(u)) => text.push_str(&format!(" (from {} until {})", f.value, u.value)),
        (Some(f), None) => text.push_str(&format!(" (from {} on)", f.value)),
        (None, Some(u)) => text.push_str(&format!(" (before {})", u.value)),
        (None, None) => {}
    }
    text
}
