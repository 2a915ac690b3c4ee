//! Why a command gave no verdict, and how every command reports it: the located, explained
//! text on stderr, and with `--format json` one object of one shape on stdout.

use std::path::Path;
use std::process::ExitCode;

use cargo_compat::fleet_file::FleetErrors;
use compat_runtime::policy::Diagnostic;
use compat_runtime::{Policy, PolicyError};
use serde_json::{Map, Value, json};

use crate::format::Format;

pub(crate) const NO_POLICY: &str =
    "no compat.toml here and no [package.metadata.compat] in Cargo.toml; pass --policy FILE";

/// Why a command gave no verdict. `usage`, `policy` and `fleet` failures exit 2 (the input
/// is wrong); `no plan` and `failed` exit 1 (the input is right, the answer is no).
pub(crate) struct Failure {
    /// `usage`, `policy`, `fleet`, `no plan` or `failed`: the JSON `kind`.
    kind: &'static str,
    /// One line, without the `error: ` label: the JSON `error`.
    message: String,
    /// What stderr shows: every diagnostic, located, with its snippet and help.
    text: String,
    /// The policy's diagnostics, for JSON.
    diagnostics: Vec<Value>,
    /// What a kind adds to the JSON object (a plan's reason and its empty steps).
    extra: Map<String, Value>,
}

impl Failure {
    fn new(kind: &'static str, message: String, text: String) -> Self {
        Failure {
            kind,
            message,
            text,
            diagnostics: Vec::new(),
            extra: Map::new(),
        }
    }

    /// The command line is wrong.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        let message = message.into();
        Failure::new("usage", message.clone(), format!("error: {message}"))
    }

    /// The policy is wrong: every diagnostic, the first error as the one line.
    pub(crate) fn policy(error: &PolicyError) -> Self {
        let first = error
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .or(error.diagnostics.first());
        let mut failure = Failure::new(
            "policy",
            first.map(one_line).unwrap_or_default(),
            error.to_string(),
        );
        failure.diagnostics = error.diagnostics.iter().map(diagnostic_json).collect();
        failure
    }

    /// The fleet file is wrong.
    pub(crate) fn fleet(errors: &FleetErrors) -> Self {
        let message = errors
            .0
            .first()
            .map(|e| {
                let mut e = e.clone();
                e.help = None;
                e.to_string()
            })
            .unwrap_or_default();
        Failure::new("fleet", message, errors.to_string())
    }

    /// The input is right but the answer is no (`kind` `no plan`, or `failed` when the
    /// command could not do its work): exit 1. `text` is what stderr shows.
    pub(crate) fn refused(kind: &'static str, message: String, text: String) -> Self {
        Failure::new(kind, message, text)
    }

    /// Adds `key` to the JSON object.
    pub(crate) fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_string(), value);
        self
    }

    /// The one JSON shape of a failure, for every command:
    /// `{"compatible": false, "error": ..., "kind": ..., "diagnostics"?: [...], ...}`.
    pub(crate) fn json(&self) -> Value {
        let mut obj = json!({
            "compatible": false,
            "error": self.message,
            "kind": self.kind,
        });
        if !self.diagnostics.is_empty() {
            obj["diagnostics"] = json!(self.diagnostics);
        }
        for (key, value) in &self.extra {
            obj[key] = value.clone();
        }
        obj
    }

    /// Reports the failure: the text on stderr, and with `Format::Json` the object on
    /// stdout as well. Exit 2 for bad input, 1 for a refusal.
    pub(crate) fn report(self, format: Format) -> ExitCode {
        eprintln!("{}", self.text);
        if format == Format::Json {
            print_json(&self.json());
        }
        match self.kind {
            "usage" | "policy" | "fleet" => ExitCode::from(2),
            _ => ExitCode::from(1),
        }
    }
}

/// `compat.toml:9:9: invalid skew ...`: where and what, without the snippet and help.
fn one_line(d: &Diagnostic) -> String {
    match &d.origin {
        Some(origin) => format!("{origin}: {}", d.message),
        None => d.message.clone(),
    }
}

fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "severity": if d.is_error() { "error" } else { "warning" },
        "origin": d.origin.as_ref().map(ToString::to_string),
        "message": d.message,
        "help": d.help,
    })
}

/// A JSON value on stdout, pretty-printed.
pub(crate) fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// The policy at `path`, or the one of the crate in the current directory.
pub(crate) fn load(path: Option<&Path>) -> Result<Policy, Failure> {
    match path {
        // A path that names nothing is a mistake on the command line, not in a policy.
        Some(path) if !path.exists() => Err(Failure::usage(format!(
            "cannot read {}: no such file",
            path.display()
        ))),
        Some(path) => Policy::from_path(path).map_err(|e| Failure::policy(&e)),
        None => match Policy::discover(".") {
            Ok(Some(found)) => Ok(found.policy),
            Ok(None) => Err(Failure::usage(NO_POLICY)),
            Err(e) => Err(Failure::policy(&e)),
        },
    }
}
