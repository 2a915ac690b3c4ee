//! `cargo compat`: check peers against a policy, lint policies, plan upgrades, draw the
//! matrix, write the guide. The work is done by the `cargo_compat` library; this is its
//! command line.
//!
//! Exit codes are part of the interface: `0` compatible (or a clean policy, or a plan), `1`
//! refused (or a policy with errors, for `lint`, or no plan), `2` a usage or policy error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cargo_compat::fleet_file::{Fleet, FleetErrors};
use clap::{Parser, Subcommand, ValueEnum};
use compat_runtime::check::{Move, Named, Reason};
use compat_runtime::policy::Diagnostic;
use compat_runtime::skew::Limit;
use compat_runtime::{Instance, Policy, PolicyError, Refusal};
use serde_json::{Value, json};

mod commands;

use commands::plan;

#[derive(Parser)]
#[command(
    name = "cargo compat",
    version,
    about = "Make a version compatibility promise enforceable."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Subcommand)]
enum Command {
    /// May these peers talk? `check --policy compat.toml agent@0.9.3 server@0.9.2`.
    ///
    /// With two peers, the verdict for the pair; with more, every refused pair of the fleet.
    /// Exit 0 compatible, 1 refused, 2 usage or policy error.
    Check {
        /// The policy: a compat.toml, or a Cargo.toml with [package.metadata.compat].
        /// Default: the policy of the crate in the current directory.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Output format. `json` prints one object on stdout, errors (exit 2) included.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// A fleet file (fleet.toml) whose instances are checked too.
        #[arg(long, value_name = "FILE")]
        fleet: Option<PathBuf>,
        /// Peers as COMPONENT@VERSION; at least two, unless --fleet is given.
        #[arg(value_name = "COMPONENT@VERSION", required_unless_present = "fleet", num_args = 2..)]
        peers: Vec<String>,
    },
    /// The ordered steps from a fleet (or every component at one version) to a target
    /// release, each fleet in between checked against the policy.
    ///
    /// Exit 0 with a plan (or nothing to do), 1 when no plan exists (the reason names the
    /// rule that blocks or the release that is missing), 2 usage, policy or fleet error.
    #[command(group(clap::ArgGroup::new("start").required(true).args(["from", "fleet"])))]
    Plan {
        /// The policy: a compat.toml, or a Cargo.toml with [package.metadata.compat].
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Every component runs this version now.
        #[arg(long, value_name = "VERSION", conflicts_with = "fleet")]
        from: Option<String>,
        /// The fleet as it runs now: a fleet.toml (see docs/fleet.md).
        #[arg(long, value_name = "FILE")]
        fleet: Option<PathBuf>,
        /// The release every instance should end at.
        #[arg(long, value_name = "VERSION")]
        to: String,
        /// The releases that exist, comma-separated. Default: those recorded in the
        /// compat.lock beside the policy, else only the fleet's versions and the target.
        #[arg(long, value_name = "V,V,...")]
        releases: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: PlanFormat,
    },
    /// Which versions of which components may talk: a table per pair of components.
    Matrix {
        /// The policy: a compat.toml, or a Cargo.toml with [package.metadata.compat].
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The releases to draw, comma-separated. Default: those recorded in the
        /// compat.lock beside the policy.
        #[arg(long, value_name = "V,V,...")]
        releases: Option<String>,
        /// A fleet file whose versions are drawn too.
        #[arg(long, value_name = "FILE")]
        fleet: Option<PathBuf>,
        /// Output: markdown, json, svg, or a self-contained html page.
        #[arg(long, value_enum, default_value = "markdown")]
        format: commands::matrix::MatrixFormat,
    },
    /// The compatibility and upgrade guide, generated from the policy, in Markdown.
    Doc {
        /// The policy: a compat.toml, or a Cargo.toml with [package.metadata.compat].
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The releases the worked examples use, comma-separated. Default: those recorded
        /// in the compat.lock beside the policy.
        #[arg(long, value_name = "V,V,...")]
        releases: Option<String>,
    },
    /// Record a release of a protocol crate in its wire lock (compat.lock).
    ///
    /// Runs the crate's `compat_wire_lock` test (from `compat_runtime::wire_lock!`) with
    /// COMPAT_RECORD=1. With --rev, records the release at that git revision instead,
    /// built in a temporary checkout, so releases still deployed from before the lock
    /// existed are protected too. Check the updated compat.lock in with the release.
    /// Exit 0 recorded, 1 the crate did not build or record, 2 usage error.
    Lock {
        /// The package to record, NAME or NAME@VERSION (default: the one in the current
        /// directory).
        #[arg(short, long, value_name = "SPEC")]
        package: Option<String>,
        /// The crate's Cargo.toml (or its workspace's, with -p), from anywhere.
        #[arg(long, value_name = "PATH")]
        manifest_path: Option<PathBuf>,
        /// Record the release at this git revision (tag, branch or commit), e.g. v2.3.0.
        #[arg(long, value_name = "REV")]
        rev: Option<String>,
    },
    /// Validate a policy and check it for contradictions. Exit 0 clean, 1 errors.
    Lint {
        /// The policy: a compat.toml, or a Cargo.toml with [package.metadata.compat].
        #[arg(long)]
        policy: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    // As a cargo subcommand, cargo passes `compat` as the first argument.
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "compat") {
        args.remove(1);
    }
    let json = wants_json(&args);
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            if !err.use_stderr() {
                return ExitCode::SUCCESS;
            }
            if json {
                let rendered = err.render().to_string();
                let first = rendered.lines().next().unwrap_or_default();
                let message = first.strip_prefix("error: ").unwrap_or(first);
                print_json(&Failure::usage(message).json());
            }
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Check {
            policy,
            format,
            fleet,
            peers,
        } => check(policy, format, fleet.as_deref(), &peers),
        Command::Plan {
            policy,
            from,
            fleet,
            to,
            releases,
            format,
        } => plan::run(&plan::Args {
            policy,
            from,
            fleet,
            to,
            releases,
            json: format == PlanFormat::Json,
            markdown: format == PlanFormat::Markdown,
        }),
        Command::Lint { policy } => lint(policy),
        Command::Doc { policy, releases } => commands::doc::run(policy, releases.as_deref()),
        Command::Matrix {
            policy,
            releases,
            fleet,
            format,
        } => commands::matrix::run(policy, releases.as_deref(), fleet, format),
        Command::Lock {
            package,
            manifest_path,
            rev,
        } => commands::lock::run(&commands::lock::Args {
            package,
            manifest_path,
            rev,
        }),
    }
}

/// Whether the arguments ask `check` for JSON, read before they are parsed, so that even an
/// argument error reaches a script as JSON.
fn wants_json(args: &[String]) -> bool {
    args.iter()
        .any(|a| a == "check" || a == "plan" || a == "matrix")
        && (args.iter().any(|a| a == "--format=json")
            || args
                .windows(2)
                .any(|w| w[0] == "--format" && w[1] == "json"))
}

const NO_POLICY: &str =
    "no compat.toml here and no [package.metadata.compat] in Cargo.toml; pass --policy FILE";

/// Why a command could not give a verdict (exit 2).
pub(crate) struct Failure {
    /// `usage` (the command line is wrong) or `policy` (the policy is).
    kind: &'static str,
    /// One line, without the `error: ` label.
    message: String,
    /// What stderr shows: every diagnostic, located, with its snippet and help.
    text: String,
    /// The policy's diagnostics, for JSON.
    diagnostics: Vec<Value>,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        let message = message.into();
        Failure {
            kind: "usage",
            text: format!("error: {message}"),
            message,
            diagnostics: Vec::new(),
        }
    }

    fn policy(error: &PolicyError) -> Self {
        let first = error
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .or(error.diagnostics.first());
        Failure {
            kind: "policy",
            message: first.map(one_line).unwrap_or_default(),
            text: error.to_string(),
            diagnostics: error.diagnostics.iter().map(diagnostic_json).collect(),
        }
    }

    fn fleet(errors: &FleetErrors) -> Self {
        Failure {
            kind: "fleet",
            message: errors
                .0
                .first()
                .map(|e| {
                    let mut e = e.clone();
                    e.help = None;
                    e.to_string()
                })
                .unwrap_or_default(),
            text: errors.to_string(),
            diagnostics: Vec::new(),
        }
    }

    fn json(&self) -> Value {
        let mut obj = json!({
            "compatible": false,
            "error": self.message,
            "kind": self.kind,
        });
        if !self.diagnostics.is_empty() {
            obj["diagnostics"] = json!(self.diagnostics);
        }
        obj
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

/// Reports a failure (exit 2): the text on stderr, and with `--format json` an object
/// `{"compatible": false, "error": ..., "kind": ...}` on stdout as well.
pub(crate) fn fail(format: Format, failure: Failure) -> ExitCode {
    eprintln!("{}", failure.text);
    if format == Format::Json {
        print_json(&failure.json());
    }
    ExitCode::from(2)
}

pub(crate) fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

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

fn usage(message: &str) -> ExitCode {
    fail(Format::Human, Failure::usage(message))
}

/// A peer that could not be read, with a suggestion for a misspelt component.
/// `agent@0.9.3`, as a fleet labels an unnamed instance.
fn label(named: &Named) -> String {
    format!("{}@{}", named.component, named.version)
}

/// `1 pair`, `3 pairs`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn check(
    path: Option<PathBuf>,
    format: Format,
    fleet: Option<&Path>,
    texts: &[String],
) -> ExitCode {
    let policy = match load(path.as_deref()) {
        Ok(p) => p,
        Err(failure) => return fail(format, failure),
    };
    let mut instances = Vec::new();
    let mut texts = texts.to_vec();
    if let Some(file) = fleet {
        match Fleet::from_path(&policy, file) {
            Ok(f) => {
                // A counted group is one instance to the check (which checks each pair of
                // versions once); its label says how many it stands for.
                for (m, i) in f.members.iter().zip(f.instances(&policy)) {
                    texts.push(match (&m.name, m.count) {
                        (Some(n), _) => format!(
                            "{n}={}@{}",
                            policy.component_name(m.peer.component),
                            m.peer.version
                        ),
                        (None, 1) => format!(
                            "{}@{}",
                            policy.component_name(m.peer.component),
                            m.peer.version
                        ),
                        (None, n) => format!(
                            "{}@{} x{n}",
                            policy.component_name(m.peer.component),
                            m.peer.version
                        ),
                    });
                    let name = match m.count {
                        1 => i.name.clone(),
                        n => i.name.as_ref().map(|l| format!("{n} x {l}")),
                    };
                    instances.push(Instance { name, peer: i.peer });
                }
            }
            Err(e) => return fail(format, Failure::fleet(&e)),
        }
    }
    for text in &texts[..texts.len() - instances.len()] {
        match policy.peer(text) {
            Ok(peer) => instances.push(Instance { name: None, peer }),
            Err(e) => return fail(format, Failure::usage(e.to_string())),
        }
    }
    if instances.len() < 2 {
        return fail(
            format,
            Failure::usage(
                "give at least two peers, or a fleet with at least two instances (--fleet FILE)",
            ),
        );
    }
    let texts = &texts[..];
    let verdict = if let ([a, b], None) = (instances.as_slice(), fleet) {
        Verdict::Pair(policy.check(&a.peer, &b.peer))
    } else {
        Verdict::Fleet(policy.check_fleet(&instances))
    };
    let compatible = verdict.compatible();
    match format {
        Format::Json => print_json(&verdict.json(&policy, texts)),
        Format::Human => print!("{}", verdict.human(&policy, texts)),
    }
    if compatible {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

enum Verdict {
    Pair(Result<compat_runtime::Agreement, Refusal>),
    Fleet(Vec<compat_runtime::Violation>),
}

fn reason_json(reason: &Reason) -> Value {
    json!({
        "origin": reason.origin.as_ref().map(|o| o.to_string()),
        "text": reason.text,
        "note": reason.note,
    })
}

fn move_json(m: &Move) -> Value {
    let (at_most, below) = match &m.to.limit {
        Some(Limit::AtMost(v)) => (Some(v.to_string()), None),
        Some(Limit::Below(v)) => (None, Some(v.to_string())),
        None => (None, None),
    };
    json!({
        "action": match m.direction {
            compat_runtime::check::Direction::Upgrade => "upgrade",
            compat_runtime::check::Direction::Downgrade => "downgrade",
            compat_runtime::check::Direction::Redeploy => "redeploy",
        },
        "component": m.who.component,
        "from": m.who.version.to_string(),
        "to": m.to.to_string(),
        "lowest": m.to.lowest.as_ref().map(ToString::to_string),
        "at_most": at_most,
        "below": below,
        "via": m.via,
        "steps": m.steps.map(|s| s.to_string()),
    })
}

fn refusal_json(r: &Refusal) -> Value {
    json!({
        "kind": r.kind().as_str(),
        "subject": { "component": r.subject().component, "version": r.subject().version.to_string() },
        "other": { "component": r.other().component, "version": r.other().version.to_string() },
        "reason": r.to_string(),
        "rule": reason_json(r.reason()),
        "remedy": r.remedy(),
        "moves": r.moves().iter().map(move_json).collect::<Vec<_>>(),
    })
}

fn rule_of(policy: &Policy, agreement: &compat_runtime::Agreement) -> Option<Reason> {
    agreement.rule().map(|i| {
        let rule = &policy.rules()[i];
        Reason {
            origin: Some(rule.origin.clone()),
            text: rule.describe(),
            note: rule.note.clone(),
        }
    })
}

impl Verdict {
    fn compatible(&self) -> bool {
        match self {
            Verdict::Pair(r) => r.is_ok(),
            Verdict::Fleet(v) => v.is_empty(),
        }
    }

    fn json(&self, policy: &Policy, texts: &[String]) -> Value {
        match self {
            Verdict::Pair(Ok(agreement)) => {
                let rule = rule_of(policy, agreement);
                json!({
                    "compatible": true,
                    "peers": texts,
                    "reason": agreed_sentence(texts, rule.as_ref()),
                    "rule": rule.as_ref().map(reason_json),
                    "violations": [],
                })
            }
            Verdict::Pair(Err(refusal)) => {
                // The one violation's fields, also at the top level for convenience.
                let mut obj = refusal_json(refusal);
                obj["compatible"] = json!(false);
                obj["peers"] = json!(texts);
                let mut violation = refusal_json(refusal);
                violation["subjects"] = json!([label(refusal.subject())]);
                violation["others"] = json!([label(refusal.other())]);
                obj["violations"] = json!([violation]);
                obj
            }
            Verdict::Fleet(violations) => json!({
                "compatible": violations.is_empty(),
                "peers": texts,
                "reason": fleet_sentence(violations, instances_in(texts)),
                "violations": violations.iter().map(|v| {
                    let mut obj = refusal_json(&v.refusal);
                    obj["subjects"] = json!(v.subjects);
                    obj["others"] = json!(v.others);
                    obj
                }).collect::<Vec<_>>(),
            }),
        }
    }

    fn human(&self, policy: &Policy, texts: &[String]) -> String {
        match self {
            Verdict::Pair(Ok(agreement)) => {
                let rule = rule_of(policy, agreement);
                format!("compatible: {}\n", agreed_sentence(texts, rule.as_ref()))
            }
            Verdict::Pair(Err(refusal)) => refusal_human(refusal),
            Verdict::Fleet(violations) if violations.is_empty() => {
                format!(
                    "compatible: {}\n",
                    fleet_sentence(violations, instances_in(texts))
                )
            }
            Verdict::Fleet(violations) => {
                let mut out = format!(
                    "refused: {}\n",
                    fleet_sentence(violations, instances_in(texts))
                );
                for v in violations {
                    out.push('\n');
                    let row = refusal_human(&v.refusal);
                    let (first, rest) = row.split_once('\n').unwrap_or((&row, ""));
                    out.push_str(first);
                    out.push('\n');
                    out.push_str(&format!(
                        "  covers: {} of {}, {} of {}\n",
                        count(instances_in(&v.subjects), "instance", "instances"),
                        v.refusal.subject(),
                        count(instances_in(&v.others), "instance", "instances"),
                        v.refusal.other(),
                    ));
                    out.push_str(rest);
                }
                out
            }
        }
    }
}

/// `all 5 instances may talk to each other`, `3 pairs of versions in this fleet may not talk`.
/// How many instances labels stand for: a counted fleet group is labelled `1200 x agent@0.8.1`
/// (or `agent@0.8.1 x1200` among the peers), anything else is one instance.
fn instances_in(labels: &[String]) -> usize {
    labels
        .iter()
        .map(|l| {
            let lead = l.split_once(" x ").and_then(|(n, _)| n.parse().ok());
            let tail = l.rsplit_once(" x").and_then(|(_, n)| n.parse().ok());
            lead.or(tail).unwrap_or(1)
        })
        .sum()
}

fn fleet_sentence(violations: &[compat_runtime::Violation], instances: usize) -> String {
    if violations.is_empty() {
        format!("all {instances} instances may talk to each other")
    } else {
        format!(
            "{} of versions in this fleet may not talk",
            count(violations.len(), "pair", "pairs")
        )
    }
}

fn agreed_sentence(texts: &[String], rule: Option<&Reason>) -> String {
    let pair = texts.join(" and ");
    match rule {
        Some(reason) => match &reason.origin {
            Some(origin) => format!("{pair} may talk: {} ({origin})", reason.text),
            None => format!("{pair} may talk: {}", reason.text),
        },
        None => {
            format!("{pair} may talk: no rule relates these components, so nothing constrains them")
        }
    }
}

fn refusal_human(r: &Refusal) -> String {
    let what = match r.kind() {
        compat_runtime::RefusalKind::TooOld => {
            format!("{} is too old for {}", r.subject(), r.other())
        }
        compat_runtime::RefusalKind::TooNew => {
            format!("{} is too new for {}", r.subject(), r.other())
        }
        compat_runtime::RefusalKind::Unstable => {
            format!(
                "{} is an unstable release and {} is not the identical version",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::PreRelease => {
            format!(
                "{} is a pre-release and may not talk to {}",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::BelowFloor => {
            format!(
                "{} is below the minimum supported version (talking to {})",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::Unsupported => {
            format!(
                "{} is outside the support window (talking to {})",
                r.subject(),
                r.other()
            )
        }
        kind => format!("{} and {}: {kind}", r.subject(), r.other()),
    };
    let mut out = format!("refused: {what}\n");
    let reason = r.reason();
    match &reason.origin {
        Some(origin) => out.push_str(&format!("  rule: {} ({origin})\n", reason.text)),
        None => out.push_str(&format!("  rule: {}\n", reason.text)),
    }
    if let Some(note) = &reason.note {
        out.push_str(&format!("  note: \"{note}\"\n"));
    }
    for (i, m) in r.moves().iter().enumerate() {
        let lead = if i == 0 { "  fix:  " } else { "    or  " };
        out.push_str(&format!("{lead}{m}\n"));
    }
    out
}

fn lint(path: Option<PathBuf>) -> ExitCode {
    let shown = path
        .as_ref()
        .map_or_else(|| "compat.toml".to_string(), |p| p.display().to_string());
    let policy = match &path {
        Some(p) if !p.exists() => return usage(&format!("{shown}: no such file")),
        Some(p) => Policy::from_path(p),
        None => match Policy::discover(".") {
            Ok(Some(found)) => Ok(found.policy),
            Ok(None) => return usage(NO_POLICY),
            Err(e) => Err(e),
        },
    };
    match policy {
        Ok(policy) => {
            for w in policy.warnings() {
                eprintln!("{w}\n");
            }
            println!(
                "ok: {shown}: {}, {}, {}{}",
                count(policy.components().len(), "component", "components"),
                count(policy.rules().len(), "rule", "rules"),
                count(policy.upgrades().len(), "upgrade table", "upgrade tables"),
                match policy.warnings().len() {
                    0 => String::new(),
                    n => format!(", {}", count(n, "warning", "warnings")),
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let errors = e.diagnostics.iter().filter(|d| d.is_error()).count();
            for d in &e.diagnostics {
                eprintln!("{d}\n");
            }
            eprintln!("{shown}: {}", count(errors, "error", "errors"));
            ExitCode::from(1)
        }
    }
}
