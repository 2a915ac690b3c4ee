//! The compatibility matrix: for a set of releases, which versions of which components may
//! talk, per pair of components that a rule relates, each cell decided by
//! [`Policy::check`] and carrying the rule behind it.
//!
//! Rendered as Markdown, JSON, SVG, and a self-contained HTML page (the rule behind each cell
//! on hover). Markdown and JSON also state, for each release of a pair's first component,
//! every release of the other it accepts, listed or not: the runtime's exact ranges
//! ([`Policy::accepted`]).

use std::fmt::Write as _;

use compat_runtime::policy::ComponentId;
use compat_runtime::{Peer, Policy, Version};
use serde_json::{Value, json};

/// The most releases a matrix draws: each pair's grid has one cell per pair of releases, so
/// a longer list is a page nobody can read (and hundreds of megabytes of HTML).
pub const MAX_RELEASES: usize = 300;

/// The policy setting behind one or more cells: a rule, or the support window, floor, …
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ground {
    /// What it says, in words.
    pub text: String,
    /// Where, in `compat.toml`.
    pub origin: Option<String>,
}

/// One cell: may the row's version talk to the column's version?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The verdict.
    pub talks: bool,
    /// Why not (`too old`, `too new`, …), for a refusal.
    pub kind: Option<&'static str>,
    /// The index in [`Matrix::grounds`] of the rule or setting that decided.
    pub ground: usize,
}

/// The grid of one pair of components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// The component of the rows.
    pub row: String,
    /// The component of the columns.
    pub column: String,
    /// `cells[i][j]`: the row component at release `i` with the column component at release
    /// `j`.
    pub cells: Vec<Vec<Cell>>,
    /// `accepted[i]`: every release of the column component that the row component at
    /// release `i` accepts, listed or not, in words ("0.8.0 through 0.9.3"), exactly as
    /// [`Policy::accepted`] states it.
    pub accepted: Vec<String>,
}

/// The whole matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The releases, oldest first: the rows and columns of every grid.
    pub releases: Vec<Version>,
    /// One grid per related pair of components, in declaration order.
    pub grids: Vec<Grid>,
    /// The rules and settings the cells cite, in the order first cited.
    pub grounds: Vec<Ground>,
    /// The policy file, as shown.
    pub source: String,
}

impl Matrix {
    /// Works out the matrix for these releases (oldest first).
    ///
    /// ```
    /// use cargo_compat::matrix::Matrix;
    /// use compat_runtime::{Policy, Version};
    /// let policy = Policy::from_path("../examples/spire/compat.toml")?;
    /// let releases: Vec<Version> = ["0.8.0", "0.9.0"].iter().map(|v| v.parse().unwrap()).collect();
    /// let m = Matrix::new(&policy, &releases);
    /// let agents = m.grids.iter().find(|g| g.row == "server" && g.column == "agent").unwrap();
    /// assert!(agents.cells[1][0].talks);  // server 0.9.0 with agent 0.8.0
    /// assert!(!agents.cells[0][1].talks); // server 0.8.0 with agent 0.9.0: the agent is newer
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(policy: &Policy, releases: &[Version]) -> Matrix {
        // The page names the policy relative to where it lives, never by an absolute path.
        let shown = policy.shown_relative();
        let policy = &shown;
        let ids: Vec<ComponentId> = policy
            .components()
            .iter()
            .filter_map(|c| policy.component(&c.name))
            .collect();
        let mut grounds: Vec<Ground> = Vec::new();
        // Rules decide by the newer version of a pair; a pair is related when some rule
        // relates it at some release.
        let related = |a: ComponentId, b: ComponentId| {
            releases
                .iter()
                .any(|v| policy.rule_between(a, b, v).is_some())
        };
        let mut grids = Vec::new();
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i..] {
                if related(a, b) {
                    grids.push(grid(policy, releases, a, b, &mut grounds));
                }
            }
        }
        Matrix {
            releases: releases.to_vec(),
            grids,
            grounds,
            source: policy.source().to_string(),
        }
    }

    fn ground_text(&self, i: usize) -> String {
        let g = &self.grounds[i];
        match &g.origin {
            Some(o) => format!("{} ({o})", g.text),
            None => g.text.clone(),
        }
    }

    /// What hovering a cell shows: "server 0.9.3 and agent 0.8.0 may talk: agent may be up to
    /// one minor release older than server, never newer (compat.toml:20:1)".
    pub fn title(&self, grid: &Grid, i: usize, j: usize) -> String {
        let cell = grid.cells[i][j];
        let verdict = match cell.kind {
            None => "may talk".to_string(),
            Some(kind) => format!("refused ({kind})"),
        };
        format!(
            "{} {} and {} {} {verdict}: {}",
            grid.row,
            self.releases[i],
            grid.column,
            self.releases[j],
            self.ground_text(cell.ground)
        )
    }

    /// Markdown: one table per pair (`✓` talks, `✗` refused, with the refusal's kind in a
    /// footnote-like legend), then the rules cited.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Compatibility matrix\n\nFrom `{}`: ✓ may talk, ✗ refused.\n",
            self.source
        );
        for grid in &self.grids {
            let _ = write!(out, "\n## {} and {}\n\n", grid.row, grid.column);
            let _ = write!(out, "| {} \\ {} |", grid.row, grid.column);
            for v in &self.releases {
                let _ = write!(out, " {v} |");
            }
            out.push_str("\n|---|");
            for _ in &self.releases {
                out.push_str(":-:|");
            }
            out.push('\n');
            for (i, v) in self.releases.iter().enumerate() {
                let _ = write!(out, "| **{v}** |");
                for cell in &grid.cells[i] {
                    out.push_str(if cell.talks { " ✓ |" } else { " ✗ |" });
                }
                out.push('\n');
            }
            out.push('\n');
            for (v, accepted) in self.releases.iter().zip(&grid.accepted) {
                let _ = writeln!(
                    out,
                    "- `{}` {v} accepts `{}` at {accepted}.",
                    grid.row, grid.column
                );
            }
            let mut cited: Vec<usize> = grid.cells.iter().flatten().map(|c| c.ground).collect();
            cited.sort_unstable();
            cited.dedup();
            out.push('\n');
            for g in cited {
                let _ = writeln!(out, "- {}", self.ground_text(g));
            }
        }
        out
    }

    /// JSON: `releases`, `grounds` (`text`, `origin`), and `pairs`, each with `component`,
    /// `peer`, `rows` of cells (`version`, `peer_version`, `compatible`, `kind`, `ground`)
    /// and `accepted` (for each release of `component`, every release of `peer` it accepts,
    /// in words).
    pub fn json(&self) -> Value {
        json!({
            "source": self.source,
            "releases": self.releases.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "grounds": self.grounds.iter().map(|g| json!({"text": g.text, "origin": g.origin})).collect::<Vec<_>>(),
            "pairs": self.grids.iter().map(|g| json!({
                "component": g.row,
                "peer": g.column,
                "rows": g.cells.iter().enumerate().map(|(i, row)| row.iter().enumerate().map(|(j, c)| json!({
                    "version": self.releases[i].to_string(),
                    "peer_version": self.releases[j].to_string(),
                    "compatible": c.talks,
                    "kind": c.kind,
                    "ground": c.ground,
                })).collect::<Vec<_>>()).collect::<Vec<_>>(),
                "accepted": g.accepted,
            })).collect::<Vec<_>>(),
        })
    }

    /// SVG: one grid of squares per pair (green may talk, red refused), each square with a
    /// `<title>` naming both versions and the rule.
    pub fn svg(&self) -> String {
        const CELL: usize = 18;
        const LABEL: usize = 120;
        const HEAD: usize = 70;
        let n = self.releases.len();
        let block = HEAD + 30 + n * CELL + 30;
        let width = LABEL + n * CELL + 20;
        let height = self.grids.len() * block + 10;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"
        );
        for (k, grid) in self.grids.iter().enumerate() {
            let top = k * block + 10;
            let _ = writeln!(
                out,
                "<text x=\"4\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{} (rows) and {} (columns)</text>",
                top + 14,
                escape(&grid.row),
                escape(&grid.column)
            );
            let grid_top = top + 30 + HEAD;
            for (j, v) in self.releases.iter().enumerate() {
                let x = LABEL + j * CELL + CELL / 2 + 4;
                let _ = writeln!(
                    out,
                    "<text x=\"{x}\" y=\"{}\" transform=\"rotate(-60 {x} {})\">{}</text>",
                    grid_top - 4,
                    grid_top - 4,
                    escape(&v.to_string())
                );
            }
            for (i, v) in self.releases.iter().enumerate() {
                let y = grid_top + i * CELL;
                let _ = writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                    LABEL - 6,
                    y + CELL - 5,
                    escape(&v.to_string())
                );
                for j in 0..n {
                    let cell = grid.cells[i][j];
                    let fill = if cell.talks { "#3a9d5d" } else { "#d64545" };
                    let _ = writeln!(
                        out,
                        "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#fff\"><title>{}</title></rect>",
                        LABEL + j * CELL,
                        CELL,
                        CELL,
                        escape(&self.title(grid, i, j))
                    );
                }
            }
        }
        out.push_str("</svg>\n");
        out
    }

    /// A self-contained HTML page (no scripts, no external files): one table per pair, each
    /// cell's `title` naming both versions and the rule behind it.
    pub fn html(&self) -> String {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Compatibility matrix</title>\n<style>\n\
             body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }\n\
             table.matrix { border-collapse: collapse; margin: 0.5em 0 1.5em; }\n\
             table.matrix th { font-weight: normal; font-size: 12px; padding: 2px 4px; }\n\
             table.matrix thead th { writing-mode: vertical-rl; transform: rotate(180deg); height: 4.5em; text-align: left; }\n\
             table.matrix tbody th { text-align: right; }\n\
             p.axes { font-size: 13px; color: #555; margin: 0; }\n\
             td.cell { width: 20px; height: 20px; border: 1px solid #fff; text-align: center; font-size: 12px; color: #fff; }\n\
             td.talks { background: #3a9d5d; }\n\
             td.refused { background: #d64545; }\n\
             td.cell:hover { outline: 2px solid #222; }\n\
             .legend span { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin: 0 4px 0 12px; }\n\
             ul.grounds { font-size: 13px; }\n\
             </style>\n</head>\n<body>\n",
        );
        let _ = writeln!(
            out,
            "<h1>Compatibility matrix</h1>\n<p class=\"legend\">From <code>{}</code>.<span style=\"background:#3a9d5d\"></span>may talk<span style=\"background:#d64545\"></span>refused. Hover a cell for the rule behind it.</p>",
            escape(&self.source)
        );
        for grid in &self.grids {
            let _ = writeln!(
                out,
                "<h2>{} and {}</h2>\n<p class=\"axes\">rows: {} at each release, columns: {}</p>\n<table class=\"matrix\" data-row=\"{}\" data-column=\"{}\">\n<thead><tr><th></th>",
                escape(&grid.row),
                escape(&grid.column),
                escape(&grid.row),
                escape(&grid.column),
                escape(&grid.row),
                escape(&grid.column)
            );
            for v in &self.releases {
                let _ = write!(out, "<th scope=\"col\">{}</th>", escape(&v.to_string()));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for (i, v) in self.releases.iter().enumerate() {
                let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(&v.to_string()));
                for (j, cell) in grid.cells[i].iter().enumerate() {
                    let (class, mark) = if cell.talks {
                        ("talks", "✓")
                    } else {
                        ("refused", "✗")
                    };
                    let _ = write!(
                        out,
                        "<td class=\"cell {class}\" title=\"{}\">{mark}</td>",
                        escape(&self.title(grid, i, j))
                    );
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n<ul class=\"grounds\">\n");
            let mut cited: Vec<usize> = grid.cells.iter().flatten().map(|c| c.ground).collect();
            cited.sort_unstable();
            cited.dedup();
            for g in cited {
                let _ = writeln!(out, "<li>{}</li>", escape(&self.ground_text(g)));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

/// Escapes text for HTML and SVG, attributes included.
/// The grid of `a` (rows) with `b` (columns) over the releases; the grounds its cells cite
/// are added to `grounds`, once each.
fn grid(
    policy: &Policy,
    releases: &[Version],
    a: ComponentId,
    b: ComponentId,
    grounds: &mut Vec<Ground>,
) -> Grid {
    let mut cells = Vec::with_capacity(releases.len());
    for va in releases {
        let pa = Peer {
            component: a,
            version: va.clone(),
        };
        let mut row = Vec::with_capacity(releases.len());
        for vb in releases {
            let pb = Peer {
                component: b,
                version: vb.clone(),
            };
            row.push(cell(policy, &pa, &pb, grounds));
        }
        cells.push(row);
    }
    let accepted = releases
        .iter()
        .map(|v| policy.accepted(a, v, b).to_string())
        .collect();
    Grid {
        row: policy.component_name(a).to_string(),
        column: policy.component_name(b).to_string(),
        cells,
        accepted,
    }
}

/// The runtime's verdict on `pa` with `pb`, citing the rule or setting that decided.
fn cell(policy: &Policy, pa: &Peer, pb: &Peer, grounds: &mut Vec<Ground>) -> Cell {
    let (talks, kind, ground) = match policy.check(pa, pb) {
        Ok(agreement) => (
            true,
            None,
            match agreement.rule() {
                Some(r) => {
                    let rule = &policy.rules()[r];
                    Ground {
                        text: rule.describe(),
                        origin: Some(rule.origin.to_string()),
                    }
                }
                None => Ground {
                    text: "no rule relates these versions".into(),
                    origin: None,
                },
            },
        ),
        Err(refusal) => (
            false,
            Some(refusal.kind().as_str()),
            Ground {
                text: refusal.reason().text.clone(),
                origin: refusal.reason().origin.as_ref().map(ToString::to_string),
            },
        ),
    };
    let ground = match grounds.iter().position(|x| *x == ground) {
        Some(i) => i,
        None => {
            grounds.push(ground);
            grounds.len() - 1
        }
    };
    Cell {
        talks,
        kind,
        ground,
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
