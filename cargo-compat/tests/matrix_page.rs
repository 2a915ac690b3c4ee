//! The matrix as an operator sees it: the HTML page rendered by headless Chromium (Debian's
//! `chromium`, which `.ci/run` installs), the rendered colours, layout and hover text read
//! back from the page, a screenshot taken; and the Markdown, JSON and SVG forms.
//!
//! Without Chromium the two rendering tests say on stderr that they were skipped and how to
//! install it, and pass; with `COMPAT_REQUIRE_BROWSER=1` (which `.ci/run` sets) a missing
//! Chromium fails them instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_compat::matrix::Matrix;
use compat_runtime::{Policy, Version};
use serde_json::Value;

const CHROMIUM: &str = "/usr/bin/chromium";

fn spire() -> (Policy, Vec<Version>) {
    let policy = Policy::from_path("../examples/spire/compat.toml").unwrap();
    let releases = ["0.7.0", "0.8.0", "0.8.1", "0.9.0", "0.9.3", "0.10.0"]
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    (policy, releases)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("compat-matrix-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether Chromium is installed to render the page for `test`. When it is not, `test` is
/// skipped with a note on stderr saying why, or fails if `COMPAT_REQUIRE_BROWSER=1`.
fn has_chromium(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    let why = format!(
        "{test} renders the matrix in headless Chromium ({CHROMIUM}), which is not installed; \
         install it with `apt-get install -y chromium` (Debian) or set COMPAT_REQUIRE_BROWSER=1 \
         to make this a failure"
    );
    assert!(
        std::env::var_os("COMPAT_REQUIRE_BROWSER").is_none_or(|v| v != "1"),
        "{why} (COMPAT_REQUIRE_BROWSER=1 is set, so this is a failure, not a skip)"
    );
    eprintln!("skipped: {why}");
    false
}

/// Runs headless Chromium on a page with a fresh profile; returns stdout.
fn chromium(dir: &Path, page: &Path, extra: &[&str]) -> String {
    let profile = dir.join(format!("profile-{}", extra.len()));
    let out = Command::new("timeout")
        .arg("120")
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=900,1100",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A probe, added to a copy of the page only: after layout, it writes what each cell shows
/// (its rendered colour, position, text and hover title) into the DOM, which `--dump-dom`
/// then returns.
const PROBE: &str = r#"<script>
window.addEventListener('load', () => {
  const tables = [...document.querySelectorAll('table.matrix')].map(t => ({
    row: t.dataset.row,
    column: t.dataset.column,
    cells: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => {
      const r = td.getBoundingClientRect();
      return { bg: getComputedStyle(td).backgroundColor, x: r.x, y: r.y, w: r.width, h: r.height,
               text: td.textContent, title: td.title };
    })),
  }));
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(tables);
  document.body.appendChild(pre);
});
</script>"#;

#[test]
fn the_html_page_renders_every_cell_green_or_red_with_the_rule_on_hover() {
    if !has_chromium("the_html_page_renders_every_cell_green_or_red_with_the_rule_on_hover") {
        return;
    }
    let (policy, releases) = spire();
    let matrix = Matrix::new(&policy, &releases);
    let html = matrix.html();
    assert!(
        !html.contains("<script"),
        "the page an operator publishes has no scripts"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let dir = scratch("render");
    let page = dir.join("probe.html");
    std::fs::write(&page, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let dom = chromium(&dir, &page, &["--dump-dom"]);
    let start = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let tables: Value = serde_json::from_str(&json).unwrap();
    let tables = tables.as_array().unwrap();
    assert_eq!(tables.len(), 2, "server with server, server with agent");
    assert_eq!(
        (tables[1]["row"].as_str(), tables[1]["column"].as_str()),
        (Some("server"), Some("agent"))
    );

    let green = "rgb(58, 157, 93)";
    let red = "rgb(214, 69, 69)";
    for (t, grid) in tables.iter().zip(&matrix.grids) {
        let rows = t["cells"].as_array().unwrap();
        assert_eq!(rows.len(), releases.len());
        for (i, row) in rows.iter().enumerate() {
            let row = row.as_array().unwrap();
            assert_eq!(row.len(), releases.len());
            for (j, cell) in row.iter().enumerate() {
                let talks = grid.cells[i][j].talks;
                assert_eq!(
                    cell["bg"],
                    if talks { green } else { red },
                    "{}",
                    cell["title"]
                );
                assert_eq!(cell["text"], if talks { "✓" } else { "✗" });
                // Laid out as a grid of visible squares.
                assert!(cell["w"].as_f64().unwrap() >= 16.0 && cell["h"].as_f64().unwrap() >= 16.0);
                if j > 0 {
                    assert!(cell["x"].as_f64() > row[j - 1]["x"].as_f64());
                    assert_eq!(cell["y"], row[0]["y"]);
                }
            }
        }
    }
    // The SPIRE document's example (tests/seed_facts/spire.toml): with servers at 0.9.3 and
    // 0.9.2, agents from 0.8.0 to 0.9.2 are supported. Server 0.9.3 is row 4; agent 0.8.0 is
    // column 1.
    let agents = &tables[1]["cells"];
    assert_eq!(
        agents[4][1]["title"],
        "server 0.9.3 and agent 0.8.0 may talk: agent may be up to one minor release older than server, never newer (../examples/spire/compat.toml:20:1)"
    );
    assert_eq!(
        agents[3][4]["title"],
        "server 0.9.0 and agent 0.9.3 refused (too new): agent may be up to one minor release older than server, never newer (../examples/spire/compat.toml:20:1)"
    );
    assert_eq!(
        agents[4][0]["bg"], red,
        "agent 0.7.0 is two minors behind server 0.9.3"
    );
}

#[test]
fn a_screenshot_of_the_page_is_a_real_picture() {
    if !has_chromium("a_screenshot_of_the_page_is_a_real_picture") {
        return;
    }
    let (policy, releases) = spire();
    let dir = scratch("shot");
    let page = dir.join("matrix.html");
    std::fs::write(&page, Matrix::new(&policy, &releases).html()).unwrap();
    let shot = dir.join("matrix.png");
    chromium(&dir, &page, &[&format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // Width and height from the IHDR chunk: the window size.
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), (900, 1100));
    assert!(
        png.len() > 10_000,
        "a page with two coloured grids, not a blank one ({} bytes)",
        png.len()
    );
}

#[test]
fn markdown_marks_each_pair_of_versions_and_cites_the_rule() {
    let (policy, releases) = spire();
    let md = Matrix::new(&policy, &releases).markdown();
    assert!(md.contains("## server and agent\n\n| server \\ agent | 0.7.0 | 0.8.0 | 0.8.1 | 0.9.0 | 0.9.3 | 0.10.0 |\n"), "{md}");
    assert!(
        md.contains("| **0.9.3** | ✗ | ✓ | ✓ | ✓ | ✓ | ✗ |\n"),
        "{md}"
    );
    assert!(md.contains("- agent may be up to one minor release older than server, never newer (../examples/spire/compat.toml:20:1)\n"));
}

#[test]
fn json_gives_every_cell_with_its_verdict_and_ground() {
    let (policy, releases) = spire();
    let v = Matrix::new(&policy, &releases).json();
    let pair = &v["pairs"][1];
    assert_eq!(pair["component"], "server");
    assert_eq!(pair["peer"], "agent");
    let cell = &pair["rows"][3][4];
    assert_eq!(cell["version"], "0.9.0");
    assert_eq!(cell["peer_version"], "0.9.3");
    assert_eq!(cell["compatible"], false);
    assert_eq!(cell["kind"], "too new");
    let ground = &v["grounds"][cell["ground"].as_u64().unwrap() as usize];
    assert_eq!(ground["origin"], "../examples/spire/compat.toml:20:1");
}

#[test]
fn svg_draws_a_titled_square_per_cell() {
    let (policy, releases) = spire();
    let svg = Matrix::new(&policy, &releases).svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(
        svg.matches("<rect ").count(),
        2 * releases.len() * releases.len()
    );
    assert!(svg.contains("<title>server 0.9.3 and agent 0.8.0 may talk: agent may be up to one minor release older than server, never newer (../examples/spire/compat.toml:20:1)</title>"));
}

#[test]
fn the_command_draws_the_matrix_and_refuses_bad_input() {
    let bin = env!("CARGO_BIN_EXE_cargo-compat");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .current_dir(root)
            .output()
            .unwrap()
    };
    let out = run(&[
        "matrix",
        "--policy",
        "examples/spire/compat.toml",
        "--releases",
        "0.8.0,0.9.0",
        "--format",
        "html",
    ]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let out = run(&[
        "matrix",
        "--policy",
        "examples/spire/compat.toml",
        "--releases",
        "0.8.0,zero",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("error: --releases: entry 2, `zero`, is not a version")
    );
}
