//! `cargo compat`: check peers against a policy, lint policies.
//!
//! Exit codes are part of the interface: `0` compatible (or a clean policy), `1` refused (or a
//! policy with errors, for `lint`), `2` a usage or policy error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use compat_runtime::check::{Move, Reason};
use compat_runtime::policy::Diagnostic;
use compat_runtime::{Instance, Policy, Refusal};
use serde_json::{Value, json};

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
enum Format {
    Human,
    Json,
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
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Peers as COMPONENT@VERSION; at least two.
        #[arg(value_name = "COMPONENT@VERSION", required = true, num_args = 2..)]
        peers: Vec<String>,
    },
    /// Record the current release of a protocol crate in its wire lock (compat.lock).
    ///
    /// Runs the crate's `compat_wire_lock` test (from `compat_runtime::wire_lock!`) with
    /// COMPAT_RECORD=1. Check the updated compat.lock in with the release.
    Lock {
        /// The package to record (default: the one in the current directory).
        #[arg(short, long)]
        package: Option<String>,
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
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check {
            policy,
            format,
            peers,
        } => check(policy, format, &peers),
        Command::Lint { policy } => lint(policy),
        Command::Lock { package } => lock(package.as_deref()),
    }
}

fn load(path: Option<PathBuf>) -> Result<Policy, ExitCode> {
    let result = match &path {
        Some(path) => Policy::from_path(path),
        None => match Policy::discover(".") {
            Ok(Some(found)) => Ok(found.policy),
            Ok(None) => {
                eprintln!(
                    "error: no compat.toml here and no [package.metadata.compat] in Cargo.toml; pass --policy FILE"
                );
                return Err(ExitCode::from(2));
            }
            Err(e) => Err(e),
        },
    };
    result.map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn check(path: Option<PathBuf>, format: Format, texts: &[String]) -> ExitCode {
    let policy = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut instances = Vec::new();
    for text in texts {
        match policy.peer(text) {
            Ok(peer) => instances.push(Instance { name: None, peer }),
            Err(e) => return usage(&e.to_string()),
        }
    }
    let verdict = if let [a, b] = instances.as_slice() {
        Verdict::Pair(policy.check(&a.peer, &b.peer))
    } else {
        Verdict::Fleet(policy.check_fleet(&instances))
    };
    let compatible = verdict.compatible();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&verdict.json(&policy, texts)).unwrap_or_default()
        ),
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
    json!({
        "action": match m.direction {
            compat_runtime::check::Direction::Upgrade => "upgrade",
            compat_runtime::check::Direction::Downgrade => "downgrade",
            compat_runtime::check::Direction::Redeploy => "redeploy",
        },
        "component": m.who.component,
        "from": m.who.version.to_string(),
        "to": m.to.to_string(),
        "via": m.via,
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
                let mut obj = refusal_json(refusal);
                obj["compatible"] = json!(false);
                obj["peers"] = json!(texts);
                obj["violations"] = json!([refusal_json(refusal)]);
                obj
            }
            Verdict::Fleet(violations) => json!({
                "compatible": violations.is_empty(),
                "peers": texts,
                "reason": if violations.is_empty() {
                    format!("all {} instances may talk to each other", texts.len())
                } else {
                    format!("{} refused pair(s)", violations.len())
                },
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
                    "compatible: all {} instances may talk to each other\n",
                    texts.len()
                )
            }
            Verdict::Fleet(violations) => {
                let mut out = format!(
                    "refused: {} pair(s) of this fleet may not talk\n",
                    violations.len()
                );
                for v in violations {
                    out.push('\n');
                    out.push_str(&refusal_human(&v.refusal));
                }
                out
            }
        }
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
            Ok(None) => {
                return usage(
                    "no compat.toml here and no [package.metadata.compat] in Cargo.toml; pass --policy FILE",
                );
            }
            Err(e) => Err(e),
        },
    };
    match policy {
        Ok(policy) => {
            for w in policy.warnings() {
                eprintln!("{w}\n");
            }
            println!(
                "ok: {shown}: {} components, {} rules, {} upgrade table(s){}",
                policy.components().len(),
                policy.rules().len(),
                policy.upgrades().len(),
                match policy.warnings().len() {
                    0 => String::new(),
                    n => format!(", {n} warning(s)"),
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let errors = e.diagnostics.iter().filter(|d| d.is_error()).count();
            for d in &e.diagnostics {
                eprintln!("{}\n", render(d));
            }
            eprintln!("{shown}: {errors} error(s)");
            ExitCode::from(1)
        }
    }
}

fn render(d: &Diagnostic) -> String {
    d.to_string()
}

fn lock(package: Option<&str>) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.arg("test");
    if let Some(p) = package {
        cmd.args(["--package", p]);
    }
    cmd.args(["compat_wire_lock", "--", "--nocapture"]);
    cmd.env(compat_runtime::lock::RECORD, "1");
    match cmd.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => {
            eprintln!(
                "error: recording failed; the crate needs `compat_runtime::wire_lock!(policy(), VERSION, messages());` under #[cfg(test)]"
            );
            ExitCode::from(1)
        }
        Err(e) => usage(&format!("cannot run cargo: {e}")),
    }
}
