#!/usr/bin/env bash
# Compile-time benchmark for `#[derive(Compat)]` (issue 3, "Performance").
#
# Generates, in a temporary directory, protocol crates of 200 messages x 10 fields:
#
#   bare       the same structs with no derive at all: the baseline that shows what
#              serde's derive costs
#   plain      #[derive(Serialize, Deserialize)]
#   annotated  the same plus `Compat`, `#[compat(from = "agent", to = "server")]`,
#              `#[since]` on the message and on 3 fields of each, `messages![...]` listing
#              all 200, a compat.toml and a build.rs calling
#              `compat_runtime::build::enforce()`; version 1.2.0
#   baseline   (with --baseline REV) annotated, built against compat at REV, in the same
#              interleaved runs
#
# and, from examples/nushell (a slice of a real protocol: 40 messages, a recursive enum,
# generic calls, hand-written encodings, wrappers), a second family of crates:
#
#   nu_bare       the slice's types with no derive at all (and no hand-written serde impls)
#   nu_plain      with serde's derives and hand-written impls, as nushell writes them
#   nu_baseline   (with --baseline REV, where REV has the example) REV's own example, built
#                 against compat at REV
#   nu_annotated  the example crate itself: Compat, its attributes, messages![...], its
#                 compat.toml and build.rs (version 0.114.1)
#
# (--no-nushell leaves them out, as does a --rev that predates the example.)
#
# and a third family, protobuf through prost (issue 18): a generated `.proto` of 200
# messages (scalars, `optional`, `repeated`, `map`, enums, messages nested in chains of ten, a
# oneof in every fourth, and two fields that arrived later, one `@ignorable`), 4 enums
# (one value arrived later) and a service of 20 rpcs, compiled once with protox and tonic-prost-build, with the
# attributes `compat_runtime::proto::build::Annotations` attaches (as examples/spire-grpc's
# build.rs does); the three crates differ only in derives and attributes:
#
#   pb_bare       the generated types with no derive and no `#[prost(...)]` at all
#   pb_plain      as prost-build writes them (`::prost::Message`, `Oneof`, `Enumeration`
#                 and the std derives)
#                 (both with a build.rs that does nothing: prost-build runs in one, so a
#                 crate of generated prost types always has a build script)
#   pb_annotated  plus `#[derive(ProstCompat)]` and `#[compat(proto = ..., routes = ...)]`,
#                 the helper's `compat_proto.rs` (METHODS, PROTOS), a compat.toml and a
#                 build.rs calling `compat_runtime::build::enforce()`; version 1.2.0
#   pb_baseline   (with --baseline REV) pb_annotated's source, built against compat at REV
#
# (--no-prost leaves them out; --no-serde leaves out the 200 serde messages.)
#
# and times, in the debug profile, with dependencies prebuilt in one target directory per
# crate, both the wall clock and the CPU time (user + sys of cargo and its rustc children;
# steadier than the wall clock when other work shares the machine):
#
#   clean        `cargo clean -p <crate>` then `cargo build`  (N runs, median)
#   incremental  `touch src/lib.rs` then `cargo build`        (N runs, median)
#   scratch      `cargo clean` then `cargo build`, dependencies included (once, for context)
#
# Runs of the crates are interleaved (plain, annotated, plain, ...), so that load from
# anything else on the machine falls on both alike; a run that also recompiled a
# dependency (a concurrent edit to compat, say) is reported and left out of the medians.
# Targets (issue 8), on CPU time, each the median over the interleaved rounds of that round's
# differences (printed with its 95% interval, by resampling the rounds: on a shared machine
# 25 rounds still leave the clean share several points wide): what `Compat` adds
# (annotated - plain) is at most 20% of what serde's derive adds (plain - bare) on an
# incremental rebuild and at most 10% on a clean build of the crate; a scratch build with dependencies is no slower than the
# baseline's (with --baseline); and a single syn major in the annotated crate's graph
# (checked with `cargo tree`, and against what the scratch build actually compiled).
#
# Usage:
#   benches/compile_time.sh [options]
#
#   -n N           runs per measurement (default 5)
#   --src DIR      the compat workspace the annotated crate depends on (default: the
#                  workspace this script lives in); it uses DIR/compat-runtime by path
#   --snapshot     copy the --src working tree into the temp dir first, so that edits made
#                  to it while the benchmark runs do not leak into the timings
#   --rev REV      benchmark the committed REV of --src instead (git archive into the temp dir)
#   --baseline REV also build `annotated` against the committed REV of --src (git archive),
#                  interleaved with the others, for before/after figures from one run
#   --scratch-runs K  scratch builds per variant (default 1; they take a minute each)
#   --check        also time `cargo check` (clean and incremental)
#   --instructions also count the instructions of the crate's rustc runs (its lib and its
#                  build script) under `valgrind --tool=callgrind`, once per variant for a
#                  clean build and once for an incremental one: deterministic, so the
#                  shares are comparable between runs on a busy machine (about a minute per
#                  build; needs valgrind)
#   --breakdown    also split the annotated crate's extra cost (about 7 minutes on 2 cores):
#                    buildrs        plain + compat.toml + build.rs enforce(), no derive: the
#                                   build script's compile and run
#                    derive_static  annotated, but its build.rs prints the env enforce()
#                                   printed, without depending on anything: the derive alone
#                    tables         plain + the `impl Compat` tables the derive emits, written
#                                   out by hand: compiling the tables, without the derive
#                  timed like the others, plus `cargo build --timings` per unit (build script
#                  compile / run, lib frontend / codegen), plus the time spent inside the
#                  derive's own code (compat-macros' unchanged sources compiled into a
#                  wrapper proc-macro that times each call)
#   --no-nushell   leave the nushell family out
#   --no-prost     leave the prost family out
#   --no-serde     leave the 200 serde messages (bare, plain, annotated, baseline) out
#   --codec positional
#                  the 200 serde messages' annotated (and baseline) crate declares
#                  `[wire] codec = "serde-positional"` in its compat.toml (issue 17: the
#                  derive's cost on positional messages); default: the named codec
#   --work DIR     where to generate (default: a new mktemp -d); must be outside the repo
#   --keep         keep the work directory
#
# Needs cargo and python3 (3.11+ for --breakdown). Prints tables of medians (seconds) and
# the ratios to `plain`. Total time with the defaults: about 2 minutes on 2 cores.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$here/.." && pwd)
RUNS=5
SNAPSHOT=0
REV=
CHECK=0
INSTRUCTIONS=0
BREAKDOWN=0
WORK=
KEEP=0
BASELINE=
SCRATCH_RUNS=1
NUSHELL=1
PROST=1
SERDE=1
CODEC=named

while [ $# -gt 0 ]; do
    case "$1" in
        -n) RUNS=$2; shift 2 ;;
        --src) SRC=$(cd "$2" && pwd); shift 2 ;;
        --snapshot) SNAPSHOT=1; shift ;;
        --rev) REV=$2; shift 2 ;;
        --baseline) BASELINE=$2; shift 2 ;;
        --scratch-runs) SCRATCH_RUNS=$2; shift 2 ;;
        --check) CHECK=1; shift ;;
        --instructions) INSTRUCTIONS=1; shift ;;
        --breakdown) BREAKDOWN=1; shift ;;
        --no-nushell) NUSHELL=0; shift ;;
        --no-prost) PROST=0; shift ;;
        --no-serde) SERDE=0; shift ;;
        --codec)
            case "$2" in
                named|positional) CODEC=$2 ;;
                *) echo "--codec takes named or positional, not $2" >&2; exit 2 ;;
            esac
            shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ -z "$WORK" ]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/compat-compile-time.XXXXXX")
else
    mkdir -p "$WORK"
    WORK=$(cd "$WORK" && pwd)
fi
case "$WORK/" in
    "$SRC"/*) echo "--work must be outside $SRC" >&2; exit 2 ;;
esac
if [ "$KEEP" = 0 ]; then
    trap 'rm -rf "$WORK"' EXIT
fi
echo "work dir: $WORK"

# --- the compat sources the annotated crate builds against -------------------------------
describe=$(git -C "$SRC" describe --always --dirty 2>/dev/null || echo "not a git checkout")
if [ -n "$REV" ]; then
    mkdir -p "$WORK/compat"
    git -C "$SRC" archive "$REV" | tar -x -C "$WORK/compat"
    describe="$(git -C "$SRC" rev-parse --short "$REV") (committed)"
    COMPAT="$WORK/compat"
elif [ "$SNAPSHOT" = 1 ]; then
    mkdir -p "$WORK/compat"
    (cd "$SRC" && tar -c --exclude=./target --exclude=./.git .) | tar -x -C "$WORK/compat"
    describe="$describe (snapshot of the working tree at $(date +%H:%M:%S))"
    COMPAT="$WORK/compat"
else
    COMPAT="$SRC"
fi
echo "compat: $COMPAT/compat-runtime  [$describe]"
BASE=
if [ -n "$BASELINE" ]; then
    BASE="$WORK/compat-baseline"
    mkdir -p "$BASE"
    git -C "$SRC" archive "$BASELINE" | tar -x -C "$BASE"
    echo "baseline: $BASE/compat-runtime  [$(git -C "$SRC" rev-parse --short "$BASELINE") (committed)]"
fi

# --- generate the crates -------------------------------------------------------------------
VARIANTS=
[ "$SERDE" = 1 ] && VARIANTS="bare plain annotated"
[ "$SERDE" = 1 ] && [ -n "$BASELINE" ] && VARIANTS="$VARIANTS baseline"
[ "$BREAKDOWN" = 1 ] && VARIANTS="$VARIANTS buildrs derive_static tables"
[ "$NUSHELL" = 1 ] && [ -d "$COMPAT/examples/nushell/src" ] && VARIANTS="$VARIANTS nu_bare nu_plain nu_annotated"
[ "$NUSHELL" = 1 ] && [ -n "$BASELINE" ] && [ -d "$BASE/examples/nushell/src" ] && VARIANTS="$VARIANTS nu_baseline"
[ "$PROST" = 1 ] && [ -f "$COMPAT/compat-runtime/src/proto/build.rs" ] && VARIANTS="$VARIANTS pb_bare pb_plain pb_annotated"
[ "$PROST" = 1 ] && [ -n "$BASELINE" ] && [ -f "$BASE/compat-runtime/src/proto/build.rs" ] && VARIANTS="$VARIANTS pb_baseline"
# derive_timed is built under --breakdown only, outside the timing loops (see below).
VARIANTS=${VARIANTS# }
[ -n "$VARIANTS" ] || { echo "no family left to build" >&2; exit 2; }
[ "$BREAKDOWN" = 1 ] && [ "$SERDE" = 0 ] && { echo "--breakdown needs the serde family" >&2; exit 2; }

python3 - "$WORK" "$COMPAT" "${BASE:-none}" "$CODEC" $VARIANTS <<'PY'
import os, sys

work, compat, base, codec, variants = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
MESSAGES, FIELDS, NEWER = 200, 10, 3

# The seven fields every message shipped with, drawn from a rotating pool of types.
POOL = [
    ("id", "u64"), ("name", "String"), ("count", "u32"), ("labels", "Vec<String>"),
    ("parent", "Option<String>"), ("sizes", "Vec<u32>"), ("enabled", "bool"),
    ("owner", "String"), ("limit", "Option<u32>"), ("paths", "Vec<String>"),
    ("weight", "u32"), ("comment", "Option<String>"),
]
# The three that arrived later: each one can default, as the policy requires.
LATER = [
    ("1.1.0", "note", "Option<String>", False),
    ("1.1.0", "retries", "u32", True),          # #[compat(default)] + #[serde(default)]
    ("1.2.0", "selectors", "Option<Vec<String>>", False),
]
assert len(LATER) == NEWER
if codec == "positional":
    # Under a positional codec a field newer than every peer in the window is an error (a
    # peer without it misreads what follows): the newest field arrives a release earlier,
    # inside what every peer in the window has, so the messages keep their shapes.
    LATER[2] = ("1.1.0",) + LATER[2][1:]

def tables() -> str:
    """What #[derive(Compat)] emits for each message (mirrors compat-macros/src/expand_table.rs:
    one struct-literal constant per message), written out by hand: the cost of compiling
    the tables, without running the derive."""
    m = "::compat_runtime::message"
    c = f"{m}::__private"
    def field(name, since, ty, default):
        return f'{c}::field("{name}", "{since}", "{ty}", {"true" if default else "false"})'
    out = []
    for i in range(MESSAGES):
        entries = []
        for j in range(FIELDS - NEWER):
            name, ty = POOL[(i + j) % len(POOL)]
            entries.append(field(f"{name}_{j}", "1.0.0", ty, ty.startswith("Option")))
        for since, name, ty, default in LATER:
            entries.append(field(name, since, ty, default or ty.startswith("Option")))
        out.append(f"""#[automatically_derived]
impl {m}::Compat for Message{i:03} {{
    const MESSAGE: &'static {m}::Message = &{m}::Message {{
        name: "Message{i:03}",
        wire: {c}::same("Message{i:03}"),
        representation: {m}::Representation::External,
        rename_all: {c}::NO_RULE,
        rename_all_fields: {c}::NO_RULE,
        since: "1.0.0",
        newest: 0,
        routes: &[{m}::Route {{ from: "agent", to: "server" }}],
        kind: {m}::Kind::Struct({m}::Shape::Named),
        fields: &[{", ".join(entries)}],
        variants: &[],
        arguments: &[],
        frozen: false,
    }};
}}
""")
    return "\n".join(out)

def source(compat_attrs: bool, serde: bool = True) -> str:
    out = ["//! Generated by benches/compile_time.sh: 200 protocol messages.", ""]
    out.append("#![allow(dead_code)]")
    if serde:
        out.append("use serde::{Deserialize, Serialize};")
    if compat_attrs:
        out.append("use compat_runtime::Compat;")
    out.append("")
    for i in range(MESSAGES):
        derive = "Serialize, Deserialize, Compat" if compat_attrs else "Serialize, Deserialize"
        out.append(f"/// Message {i}.")
        if serde:
            out.append(f"#[derive({derive})]")
        if compat_attrs:
            out.append('#[compat(from = "agent", to = "server")]')
            out.append('#[since("1.0.0")]')
        out.append(f"pub struct Message{i:03} {{")
        for j in range(FIELDS - NEWER):
            name, ty = POOL[(i + j) % len(POOL)]
            out.append(f"    pub {name}_{j}: {ty},")
        for since, name, ty, default in LATER:
            if compat_attrs:
                out.append(f'    #[since("{since}")]')
                if default:
                    out.append("    #[compat(default)]")
            if default and serde:
                out.append("    #[serde(default)]")
            out.append(f"    pub {name}: {ty},")
        out.append("}")
        out.append("")
    if compat_attrs:
        # What a protocol crate lists for the handshake and the wire lock; the macro checks
        # the list against the types the crate's source declares.
        names = ", ".join(f"Message{i:03}" for i in range(MESSAGES))
        out.append(f"compat_runtime::messages![{names}];")
        out.append("")
    return "\n".join(out)

COMPAT_TOML = """\
# Generated by benches/compile_time.sh.
[components]
agent = { description = "sends the requests" }
server = { description = "receives them" }

[[rule]]
component = "agent"
peer = "server"
newer = "none"
older = "1 minor"
note = "agents upgrade after servers and may lag one minor"
"""
# issue 17: the same messages under a positional codec (names never travel).
POSITIONAL = '\n[wire]\ncodec = "serde-positional"\n'
# The prost family's policy: the same components and rule (its crates are written below).
open(os.path.join(work, "pb_policy.toml"), "w").write(COMPAT_TOML)

runtime = os.path.join(compat, "compat-runtime")

def crate(name, *, derive, enforce, static_build=False, runtime_dep=None, extra="",
          serde=True, runtime=runtime):
    d = os.path.join(work, name)
    os.makedirs(os.path.join(d, "src"), exist_ok=True)
    deps = ['serde = { version = "1.0.229", features = ["derive"] }'] if serde else []
    if derive or runtime_dep:
        deps.append(f'compat-runtime = {{ path = "{runtime}", features = ["macros"] }}')
    build_deps = []
    if enforce:
        build_deps.append(f'compat-runtime = {{ path = "{runtime}", features = ["build"] }}')
    manifest = [
        "[package]", f'name = "{name}"', 'version = "1.2.0"', 'edition = "2024"',
        "publish = false", "", "[workspace]", "", "[dependencies]", *deps, "",
    ]
    if build_deps:
        manifest += ["[build-dependencies]", *build_deps, ""]
    open(os.path.join(d, "Cargo.toml"), "w").write("\n".join(manifest))
    open(os.path.join(d, "src", "lib.rs"), "w").write(source(derive, serde) + extra)
    if enforce or static_build:
        positional = codec == "positional" and derive
        open(os.path.join(d, "compat.toml"), "w").write(COMPAT_TOML + (POSITIONAL if positional else ""))
    if enforce:
        open(os.path.join(d, "build.rs"), "w").write(
            "fn main() {\n    compat_runtime::build::enforce();\n}\n")
    # derive_static's build.rs is written by the shell script once `annotated` has run
    # its real build script (it replays that script's output).

for v in variants:
    if v == "bare":
        crate(v, derive=False, enforce=False, serde=False)
    elif v == "baseline":
        crate(v, derive=True, enforce=True, runtime=os.path.join(base, "compat-runtime"))
    elif v == "plain":
        crate(v, derive=False, enforce=False)
    elif v == "annotated":
        crate(v, derive=True, enforce=True)
    elif v == "buildrs":
        crate(v, derive=False, enforce=True)
    elif v == "derive_static":
        crate(v, derive=True, enforce=False, static_build=True)
    elif v == "tables":
        crate(v, derive=False, enforce=False, runtime_dep=True, extra="\n" + tables())

# The nushell family: examples/nushell as it is (nu_annotated), without what compat adds
# (nu_plain), and without serde's derives and hand-written impls too (nu_bare).
import re

NU = os.path.join(compat, "examples", "nushell")
ATTR = r'#\[(?:compat|since)\((?:[^()"]|"[^"]*"|\((?:[^()"]|"[^"]*")*\))*\)\]'

def strip_impls(text, traits):
    """Drops the `impl ... Trait for ...` blocks (top level, closed by a `}` at column 0)."""
    out, skipping = [], False
    for line in text.split("\n"):
        if not skipping and re.match(r"impl\b.*\b(" + "|".join(traits) + r")\b.* for ", line):
            skipping = not line.rstrip().endswith("}")
            continue
        if skipping:
            skipping = line != "}"
            continue
        out.append(line)
    return "\n".join(out)

def without_derive(text, names):
    def derive(m):
        kept = [d.strip() for d in m.group(1).split(",") if d.strip() and d.strip() not in names]
        return f"#[derive({', '.join(kept)})]" if kept else ""
    return re.sub(r"#\[derive\(([^)]*)\)\]", derive, text)

def nushell_source(text, level):
    if level == "annotated":
        return text
    text = re.sub(ATTR, "", text)
    text = without_derive(text, {"Compat"})
    text = re.sub(r"(?m)^use compat_runtime::Compat;\n", "", text)
    text = re.sub(r"(?ms)^compat_runtime::(include_policy!\(\)|messages!\[.*?\]);\n", "", text)
    text = re.sub(r"(?m)^#\[cfg\(test\)\]\ncompat_runtime::wire_lock!.*\n", "", text)
    if level == "bare":
        text = without_derive(text, {"Serialize", "Deserialize"})
        text = re.sub(r'#\[serde\((?:[^()"]|"[^"]*")*\)\]', "", text)
        text = strip_impls(text, ["Serialize", "Deserialize"])
        text = re.sub(r"(?m)^use serde::.*\n", "", text)
    return "#![allow(unused)]\n" + text

def nushell(name, level, nu=NU, runtime=runtime):
    d = os.path.join(work, name)
    os.makedirs(os.path.join(d, "src"), exist_ok=True)
    deps = ['serde = { version = "1.0.229", features = ["derive"] }', 'serde_json = "1.0.154"']
    if level == "annotated":
        deps.append(f'compat-runtime = {{ path = "{runtime}", features = ["macros"] }}')
    manifest = ["[package]", f'name = "{name}"', 'version = "0.114.1"', 'edition = "2024"',
                "publish = false", "", "[workspace]", "", "[dependencies]", *deps, ""]
    if level == "annotated":
        manifest += ["[build-dependencies]",
                     f'compat-runtime = {{ path = "{runtime}", features = ["build"] }}', ""]
        for f in ["build.rs", "compat.toml"]:
            open(os.path.join(d, f), "w").write(open(os.path.join(nu, f)).read())
    open(os.path.join(d, "Cargo.toml"), "w").write("\n".join(manifest))
    for f in os.listdir(os.path.join(nu, "src")):
        text = open(os.path.join(nu, "src", f)).read()
        if f == "lib.rs":
            # The crate is named after its variant.
            text = text.replace("nushell_plugin_protocol", name)
        open(os.path.join(d, "src", f), "w").write(nushell_source(text, level))

for v in variants:
    if v == "nu_baseline":
        # The baseline's own example, built against the baseline.
        nushell(v, "annotated", os.path.join(base, "examples", "nushell"),
                os.path.join(base, "compat-runtime"))
    elif v.startswith("nu_"):
        nushell(v, v[3:])
PY

# The prost family: a generated .proto, compiled once by a generator crate (protox,
# tonic-prost-build and compat's Annotations, as examples/spire-grpc's build.rs does), and
# its output split into the three crates, which differ only in derives and attributes.
case " $VARIANTS " in *" pb_"*)
python3 - "$WORK" "$COMPAT" <<'PY'
import os, sys

work, compat = sys.argv[1], sys.argv[2]
MESSAGES, ENUMS = 200, 4
# Scalars in rotation, so the messages mix varints, zigzag, fixed, floats, strings, bytes.
SCALARS = ["uint64", "string", "int32", "bool", "bytes", "double", "sint64", "fixed32"]

def message(i):
    s = lambda k: SCALARS[(i + k) % len(SCALARS)]
    # Chains of ten (a type nested 200 deep overflows rustc's drop check), each the
    # request of one rpc.
    parent = f"Message{i - 1:03}" if i % 10 else "Leaf"
    lines = [
        f"// Message {i}.",
        "// @since 1.0.0",
        f"message Message{i:03} {{",
        f"  {s(0)} id = 1;",
        "  string name = 2;",
        f"  optional {s(1)} limit = 3;",
        f"  repeated {s(2)} values = 4;",
        f"  map<string, {s(3)}> tags = 5;",
        f"  Status{i % ENUMS} status = 6;",
        f"  {parent} parent = 7;",
    ]
    if i % 4 == 0:
        lines += [
            "  oneof choice {",
            f"    {s(4)} text = 8;",
            "    Detail detail = 9;",
            "  }",
            "  // A nested message.",
            "  // @since 1.0.0",
            "  message Detail {",
            "    string key = 1;",
            f"    repeated {s(5)} items = 2;",
            "  }",
        ]
    else:
        lines += ["  repeated Leaf leaves = 8;", f"  {s(4)} count = 9;"]
    lines += [
        "  // A note older servers may go without.",
        "  // @since 1.1.0 @ignorable",
        "  optional string note = 10;",
        "  // @since 1.2.0",
        "  optional uint32 retries = 11;",
        "}",
        "",
    ]
    return "\n".join(lines)

def enum(k):
    return "\n".join([
        "// @since 1.0.0",
        f"enum Status{k} {{",
        f"  STATUS{k}_UNSPECIFIED = 0;",
        f"  STATUS{k}_OK = 1;",
        f"  STATUS{k}_FAILED = 2;",
        "  // @since 1.1.0",
        f"  STATUS{k}_DRAINING = 3;",
        "}",
        "",
    ])

proto = [
    "// Generated by benches/compile_time.sh: 200 protobuf messages.",
    'syntax = "proto3";', "", "package bench.v1;", "",
    "// @since 1.0.0",
    "service Bench {",
    *[f"  // @since 1.0.0\n  rpc Call{k}(Message{k + 9:03}) returns (Leaf);"
      for k in range(0, MESSAGES, 10)],
    "}", "",
    "// @since 1.0.0",
    "message Leaf {", "  string value = 1;", "}", "",
    *[enum(k) for k in range(ENUMS)],
    *[message(i) for i in range(MESSAGES)],
]
gen = os.path.join(work, "pb_gen")
os.makedirs(os.path.join(gen, "src"), exist_ok=True)
os.makedirs(os.path.join(gen, "proto"), exist_ok=True)
open(os.path.join(gen, "proto", "bench.proto"), "w").write("\n".join(proto))
open(os.path.join(gen, "Cargo.toml"), "w").write("\n".join([
    "[package]", 'name = "pb_gen"', 'version = "0.0.0"', 'edition = "2024"', "publish = false",
    "", "[workspace]", "", "[dependencies]",
    f'compat-runtime = {{ path = "{compat}/compat-runtime", default-features = false, features = ["proto-build"] }}',
    'protox = "0.10.0"', 'tonic-prost-build = { version = "0.14.9", default-features = false }', ""]))
open(os.path.join(gen, "src", "main.rs"), "w").write("""\
//! Generates the prost family's code, as examples/spire-grpc's build.rs does.
use compat_runtime::proto::build::Annotations;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: pb_gen OUT")?);
    let fds = protox::compile(["bench.proto"], ["proto"])?;
    let annotations = Annotations::new(&fds)
        .service("bench.v1.Bench", "agent", "server")
        .rust_module("bench.v1", "crate::bench");
    annotations.check()?;
    std::fs::create_dir_all(&out)?;
    let mut builder = tonic_prost_build::configure()
        .build_server(false)
        .build_client(false)
        .build_transport(false)
        .out_dir(&out);
    for (path, attribute) in annotations.type_attributes() {
        builder = builder.type_attribute(path, attribute);
    }
    builder.compile_fds(fds)?;
    annotations.write(&out)?;
    Ok(())
}
""")
PY
[ -f "$COMPAT/Cargo.lock" ] && cp "$COMPAT/Cargo.lock" "$WORK/pb_gen/Cargo.lock"
echo "generating the prost family's code (protox, tonic-prost-build; once)"
(cd "$WORK/pb_gen" && CARGO_TARGET_DIR="$WORK/target-pb_gen" cargo run --quiet -- "$WORK/pb_gen/out") \
    >"$WORK/pb_gen.log" 2>&1 || { echo "generating the prost family failed:" >&2; tail -40 "$WORK/pb_gen.log" >&2; exit 1; }
python3 - "$WORK" "$COMPAT" "${BASE:-none}" $VARIANTS <<'PY'
import os, re, sys

work, compat, base, variants = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
out = os.path.join(work, "pb_gen", "out")
generated = open(os.path.join(out, "bench.v1.rs")).read()
helper = open(os.path.join(out, "compat_proto.rs")).read()
COMPAT_ATTR = r'(?m)^\s*#\[compat\((?:[^()"]|"[^"]*")*\)\]\n'
PROST_ATTR = r'(?m)^\s*#\[prost\((?:[^()"]|"[^"]*")*\)\]\n'

def text(level):
    body = generated
    if level != "annotated":
        body = re.sub(r"(?m)^\s*#\[derive\(::compat_runtime::ProstCompat\)\]\n", "", body)
        body = re.sub(COMPAT_ATTR, "", body)
        assert "compat" not in body, "the generated code names compat elsewhere"
    if level == "bare":
        body = re.sub(r"(?m)^\s*#\[derive\([^)]*\)\]\n", "", body)
        body = re.sub(PROST_ATTR, "", body)
        assert "prost(" not in body
    head = ["//! Generated by benches/compile_time.sh: 200 protobuf messages.", "",
            "#![allow(dead_code, clippy::all)]", "",
            "/// The generated messages of `bench.v1`.", "pub mod bench {", body, "}", ""]
    if level == "annotated":
        head += [helper]
    return "\n".join(head)

COMPAT_TOML = open(os.path.join(work, "pb_policy.toml")).read()

def crate(name, level, runtime):
    d = os.path.join(work, name)
    os.makedirs(os.path.join(d, "src"), exist_ok=True)
    deps = ['prost = { version = "0.14.6", default-features = false, features = ["std", "derive"] }']
    manifest = ["[package]", f'name = "{name}"', 'version = "1.2.0"', 'edition = "2024"',
                "publish = false", "", "[workspace]", "", "[dependencies]", *deps]
    if level == "annotated":
        # `ProstCompat` needs the feature `prost` where compat-runtime has it (a baseline
        # from before it had the derive under `macros`). Without the default features, as
        # a prost user writes them: `prost` no longer turns on `macros` (the serde derive,
        # syn); in a baseline where it still does, the crate builds as it did.
        features = open(os.path.join(runtime, "Cargo.toml")).read()
        feature = "prost" if re.search(r"(?m)^prost = \[", features) else "macros"
        manifest += [f'compat-runtime = {{ path = "{runtime}", default-features = false, features = ["{feature}"] }}',
                     "", "[build-dependencies]",
                     f'compat-runtime = {{ path = "{runtime}", default-features = false, features = ["build"] }}']
        open(os.path.join(d, "compat.toml"), "w").write(COMPAT_TOML)
        open(os.path.join(d, "build.rs"), "w").write(
            "fn main() {\n    compat_runtime::build::enforce();\n}\n")
    else:
        # prost-build runs in a build script, so every crate with generated prost types
        # has one: the other two have one that does nothing (the code it would generate
        # was generated once, above). What compat adds to a build script is then what it
        # costs: compat-runtime linked in and `enforce()` run, not a build script's
        # compile, link and run (0.11-0.13 s of CPU for `fn main() {}` here).
        open(os.path.join(d, "build.rs"), "w").write("fn main() {}\n")
    open(os.path.join(d, "Cargo.toml"), "w").write("\n".join(manifest + [""]))
    open(os.path.join(d, "src", "lib.rs"), "w").write(text(level))

for v in variants:
    if v == "pb_baseline":
        crate(v, "annotated", os.path.join(base, "compat-runtime"))
        # A baseline from before the helper wrote `within` (the fast path's constant) knows
        # no such key: its derive folds instead, as its own helper would have had it do.
        ast = os.path.join(base, "compat-macros", "src", "prost_ast.rs")
        if os.path.exists(ast) and '"within"' not in open(ast).read():
            lib = os.path.join(work, v, "src", "lib.rs")
            source = open(lib).read()
            open(lib, "w").write(re.sub(r',\s*within = "[^"]*",?', "", source))
    elif v.startswith("pb_"):
        crate(v, v[3:], os.path.join(compat, "compat-runtime"))
PY
;;
esac

# Start every crate from the workspace's lock file, so the benchmark resolves the same
# versions (serde 1.0.229, syn 3.0.9, ...) the workspace does, without a registry lookup.
for v in $VARIANTS; do
    [ -f "$COMPAT/Cargo.lock" ] && cp "$COMPAT/Cargo.lock" "$WORK/$v/Cargo.lock"
done

# --- helpers -----------------------------------------------------------------------------
LOG="$WORK/logs"
mkdir -p "$LOG"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

cargo_in() { # cargo_in VARIANT ARGS... ; quiet, logged, fails loudly
    local v=$1; shift
    (cd "$WORK/$v" && CARGO_TARGET_DIR="$WORK/target-$v" cargo "$@") >>"$LOG/$v.log" 2>&1 || {
        echo "cargo $* failed in $WORK/$v; last lines of $LOG/$v.log:" >&2
        tail -40 "$LOG/$v.log" >&2
        exit 1
    }
}

# timed VARIANT KIND ARGS... : run cargo ARGS and record its wall time and CPU time (user +
# sys of cargo and every rustc it ran) under KIND; flag the run if it compiled anything but
# the crate itself (e.g. a concurrent edit to compat). CPU time is the steadier figure on a
# shared machine: other processes stretch the wall clock, not the work done.
timed() {
    local v=$1 kind=$2; shift 2
    local out="$LOG/$v.$kind.last" tf="$LOG/$v.$kind.time" rc=0
    local TIMEFORMAT='%3R %3U %3S'
    { time (cd "$WORK/$v" && CARGO_TARGET_DIR="$WORK/target-$v" cargo "$@" >"$out" 2>&1); } 2>"$tf" || rc=$?
    if [ "$rc" != 0 ]; then
        echo "cargo $* failed in $WORK/$v:" >&2; tail -40 "$out" >&2; exit 1
    fi
    cat "$out" >>"$LOG/$v.log"
    local wall cpu others flag=
    read -r wall cpu < <(awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$tf")
    others=$(grep -E '^\s*(Compiling|Checking) ' "$out" | grep -vE "(Compiling|Checking) $v v" || true)
    if [ -n "$others" ] && [ "$kind" != scratch ]; then
        echo "  warning: $v $kind also rebuilt: $(echo "$others" | awk '{print $2}' | tr '\n' ' ')" >&2
        flag=contaminated
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$v" "$kind" "$wall" "$cpu" "$flag" >>"$RESULTS"
    printf '  %-14s %-18s wall %7ss   cpu %7ss\n' "$v" "$kind" "$wall" "$cpu"
}

# --- (c) scratch: everything, dependencies included, once each ----------------------------
echo
echo "== scratch builds (cargo clean; cargo build), dependencies included"
for v in $VARIANTS; do cargo_in "$v" fetch; done
for i in $(seq "$SCRATCH_RUNS"); do
    for v in $VARIANTS; do
        [ "$v" = derive_static ] && continue   # needs annotated's build-script output first
        cargo_in "$v" clean
        timed "$v" scratch build
    done
done

if [ "$BREAKDOWN" = 1 ]; then
    # derive_static: a build.rs without dependencies that prints what enforce() printed for
    # `annotated` (the COMPAT_* windows), so the derive runs its full policy checks while
    # the crate pays nothing for compiling and linking a build script against compat-runtime.
    outfile=$(ls -t "$WORK"/target-annotated/debug/build/annotated-*/output | head -1)
    python3 - "$outfile" "$WORK/derive_static/build.rs" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
keep = [l for l in lines if l.startswith(("cargo::rustc-env=", "cargo::rerun-if-changed="))]
body = "\n".join(f'    println!("{{}}", r#"{l}"#);' for l in keep)
open(sys.argv[2], "w").write("fn main() {\n" + body + "\n}\n")
PY
    cargo_in derive_static fetch
    cargo_in derive_static clean
    timed derive_static scratch build
fi

# --- (a) clean builds of the crate itself, (b) incremental ------------------------------
measure() { # measure KIND CARGO-SUBCOMMAND
    local kind=$1 sub=$2
    echo
    echo "== $kind: cargo clean -p <crate>; cargo $sub   (x$RUNS, interleaved)"
    for v in $VARIANTS; do cargo_in "$v" "$sub"; done   # warm: deps ready for this mode
    for i in $(seq "$RUNS"); do
        for v in $VARIANTS; do
            cargo_in "$v" clean -p "$v"
            timed "$v" "$kind" "$sub"
        done
    done
    echo
    echo "== incremental${kind#clean}: touch src/lib.rs; cargo $sub   (x$RUNS, interleaved)"
    for i in $(seq "$RUNS"); do
        for v in $VARIANTS; do
            touch "$WORK/$v/src/lib.rs"
            timed "$v" "incremental${kind#clean}" "$sub"
        done
    done
}

measure clean build
[ "$CHECK" = 1 ] && measure clean-check check

# --- breakdown: cargo --timings units of each crate, clean and incremental --------------
if [ "$BREAKDOWN" = 1 ]; then
    for kind in clean incremental; do
        echo
        echo "== cargo build --timings, $kind   (x$RUNS, interleaved)"
        TIMINGS="$WORK/units-$kind.tsv"
        : > "$TIMINGS"
        for i in $(seq "$RUNS"); do
            for v in $VARIANTS; do
                if [ "$kind" = clean ]; then
                    cargo_in "$v" clean -p "$v"
                else
                    touch "$WORK/$v/src/lib.rs"
                fi
                rm -rf "$WORK/target-$v/cargo-timings"
                cargo_in "$v" build --timings
                html=$(ls -t "$WORK"/target-$v/cargo-timings/cargo-timing-*.html | head -1)
                python3 - "$v" "$html" >>"$TIMINGS" <<'PY'
import json, re, sys
v, path = sys.argv[1], sys.argv[2]
m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", open(path).read(), re.S)
for u in json.loads(m.group(1)) if m else []:
    if u["name"] != v:
        continue
    target = u.get("target", "").strip()
    unit = {"": "lib", "build-script": "build.rs compile", "build-script (run)": "build.rs run"}.get(target, target)
    print(f"{v}\t{unit}\t{u['duration']}")
    for name, span in u.get("sections") or []:
        print(f"{v}\t  lib {name}\t{span['end'] - span['start']}")
PY
            done
        done
        python3 - "$TIMINGS" $VARIANTS <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
variants = sys.argv[2:]
units = []
data = {}
for v, unit, d in rows:
    if unit not in units:
        units.append(unit)
    data.setdefault((v, unit), []).append(float(d))
print(f"  median seconds per unit (rustc's own timings, cargo --timings)")
print(f"  {'unit':<20}" + "".join(f"{v:>15}" for v in variants))
for unit in units:
    cells = "".join(f"{statistics.median(data[(v, unit)]):>15.2f}" if (v, unit) in data else f"{'-':>15}"
                    for v in variants)
    print(f"  {unit:<20}" + cells)
PY
    done
fi

# --- breakdown: time spent inside the derive itself -----------------------------------------
# derive_timed is derive_static with `Compat` taken from compat-macros-timed: a proc-macro
# crate generated here that compiles compat-macros' own, unchanged source files (by #[path])
# and wraps the derive's entry point in a timer, appending the nanoseconds of each call to
# $COMPAT_BENCH_MACRO_TIMES. The rest of the lib's frontend delta is rustc's handling of
# the generated tables (parsing the expansion, resolution, type checking, const evaluation).
if [ "$BREAKDOWN" = 1 ]; then
    python3 - "$WORK" "$COMPAT" <<'PY'
import os, re, shutil, sys, tomllib
work, compat = sys.argv[1], sys.argv[2]
src = os.path.join(compat, "compat-macros", "src")
shim = os.path.join(work, "compat-macros-timed")
os.makedirs(os.path.join(shim, "src"), exist_ok=True)
ws = tomllib.load(open(os.path.join(compat, "Cargo.toml"), "rb"))["workspace"]["dependencies"]
own = tomllib.load(open(os.path.join(compat, "compat-macros", "Cargo.toml"), "rb"))["dependencies"]

def dep(name, spec):
    if isinstance(spec, dict) and spec.get("workspace"):
        base = ws[name]
        base = {"version": base} if isinstance(base, str) else dict(base)
        extra = spec.get("features", [])
        if extra:
            base["features"] = sorted(set(base.get("features", [])) | set(extra))
        spec = base
    if isinstance(spec, str):
        return f'{name} = "{spec}"'
    spec.pop("path", None)
    items = ", ".join(f'{k} = {v!r}'.replace("'", '"') if not isinstance(v, bool)
                      else f"{k} = {str(v).lower()}" for k, v in spec.items())
    return f"{name} = {{ {items} }}"

version = tomllib.load(open(os.path.join(compat, "Cargo.toml"), "rb"))["workspace"]["package"]["version"]
open(os.path.join(shim, "Cargo.toml"), "w").write("\n".join([
    "[package]", 'name = "compat-macros-timed"', f'version = "{version}"', 'edition = "2024"',
    "publish = false", "", "[lib]", "proc-macro = true", "", "[dependencies]",
    *[dep(n, sp) for n, sp in own.items()], ""]))

lib = open(os.path.join(src, "lib.rs")).read()
lib = re.sub(r"(?m)^(\s*)mod (\w+);", lambda m: f'{m.group(1)}#[path = "{src}/{m.group(2)}.rs"] mod {m.group(2)};', lib)
lib = lib.replace('include_str!("', f'include_str!("{src}/')
entry = "pub fn derive_compat(input: TokenStream) -> TokenStream {"
assert entry in lib, "compat-macros' entry point changed; update benches/compile_time.sh"
lib = lib.replace(entry, entry + """
    let start = std::time::Instant::now();
    let out = derive_compat_untimed(input);
    if let Some(path) = std::env::var_os("COMPAT_BENCH_MACRO_TIMES") {
        use std::io::Write as _;
        let line = format!("{}\\n", start.elapsed().as_nanos());
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path);
        let _ = file.and_then(|mut f| f.write_all(line.as_bytes()));
    }
    out
}

fn derive_compat_untimed(input: TokenStream) -> TokenStream {""", 1)
open(os.path.join(shim, "src", "lib.rs"), "w").write(lib)

# derive_timed: derive_static, with the derive from the shim.
dst = os.path.join(work, "derive_timed")
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(os.path.join(work, "derive_static"), dst)
text = open(os.path.join(dst, "Cargo.toml")).read().replace('name = "derive_static"', 'name = "derive_timed"')
text = text.replace("[dependencies]\n", f'[dependencies]\ncompat-macros-timed = {{ path = "{shim}" }}\n', 1)
open(os.path.join(dst, "Cargo.toml"), "w").write(text)
lib = open(os.path.join(dst, "src", "lib.rs")).read()
open(os.path.join(dst, "src", "lib.rs"), "w").write(
    lib.replace("use compat_runtime::Compat;", "use compat_macros_timed::Compat;"))
PY
    cp "$WORK/derive_static/Cargo.lock" "$WORK/derive_timed/Cargo.lock" 2>/dev/null || true
    cargo_in derive_timed build
    echo
    echo "== time inside #[derive(Compat)] (compat-macros' source, timed by a wrapper)   (x$RUNS)"
    MT="$WORK/macro-times"
    for kind in clean incremental; do
        : > "$MT.$kind"
        for i in $(seq "$RUNS"); do
            if [ "$kind" = clean ]; then cargo_in derive_timed clean -p derive_timed; else touch "$WORK/derive_timed/src/lib.rs"; fi
            rm -f "$MT.run"
            COMPAT_BENCH_MACRO_TIMES="$MT.run" cargo_in derive_timed build
            python3 -c "import sys; xs=[int(l) for l in open(sys.argv[1])]; print(len(xs), sum(xs)/1e9)" "$MT.run" >>"$MT.$kind"
        done
        python3 - "$MT.$kind" "$kind" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
calls = {int(n) for n, _ in rows}
total = statistics.median(float(t) for _, t in rows)
print(f"  {sys.argv[2]:<12} {'/'.join(map(str, sorted(calls)))} derive calls per build, "
      f"median {total:.3f}s in the derive per build ({total / max(calls) * 1e3:.2f} ms per message)")
PY
    done
fi

# --- report ------------------------------------------------------------------------------
echo
python3 - "$RESULTS" $VARIANTS <<'PY'
import random, statistics, sys
path, variants = sys.argv[1], sys.argv[2:]
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
# Runs that also rebuilt a dependency measure something else: leave them out (unless no
# clean run is left), and say so.
data, dirty = {}, {}
for v, kind, wall, cpu, flag in rows:
    if flag:
        dirty[(v, kind)] = dirty.get((v, kind), 0) + 1
        continue
    data.setdefault(("wall", v, kind), []).append(float(wall))
    data.setdefault(("cpu", v, kind), []).append(float(cpu))
for v, kind, wall, cpu, flag in rows:
    if flag and ("wall", v, kind) not in data:
        data.setdefault(("wall!", v, kind), []).append(float(wall))
        data.setdefault(("cpu!", v, kind), []).append(float(cpu))
for key in [k for k in data if k[0].endswith("!")]:
    data[(key[0][:-1], key[1], key[2])] = data.pop(key)
kinds = [k for k in ["clean", "incremental", "clean-check", "incremental-check", "scratch"]
         if any(key[2] == k for key in data)]

def med(metric, v, k):
    xs = data.get((metric, v, k))
    return statistics.median(xs) if xs else None

for metric, title in [("wall", "wall time"), ("cpu", "CPU time (user + sys, cargo and rustc)")]:
    print(f"median {title}, seconds (min-max over runs); debug profile")
    head = f"{'variant':<20}" + "".join(f"{k:>22}" for k in kinds)
    print(head)
    print("-" * len(head))
    for v in variants:
        cells = []
        for k in kinds:
            xs = data.get((metric, v, k))
            if not xs:
                cells.append(f"{'-':>22}")
                continue
            cell = f"{statistics.median(xs):.2f}" + (f" ({min(xs):.2f}-{max(xs):.2f})" if len(xs) > 1 else "")
            cells.append(f"{cell + ('*' if (v, k) in dirty else ''):>22}")
        print(f"{v:<20}" + "".join(cells))
    print("-" * len(head))
    for v in variants:
        prefix = next((p for p in ("nu_", "pb_") if v.startswith(p)), "")
        plain = prefix + "plain"
        if v == prefix + "bare" or plain not in variants:
            continue
        cells = []
        for k in kinds:
            a, p = med(metric, v, k), med(metric, plain, k)
            cells.append(f"{(f'{a / p:.3f}' if a and p else '-'):>22}")
        print(f"{(v + '/' + plain):<20}" + "".join(cells))
    print()
# Each family: the 200 generated messages, the nushell slice, the 200 prost messages; what
# the family's own derives add (serde's, or prost's) against what compat's derive adds.
FAMILIES = [("", "200 messages", "serde", "Compat"), ("nu_", "the nushell slice", "serde", "Compat"),
            ("pb_", "200 prost messages", "prost", "ProstCompat")]
families = [f for f in FAMILIES if all(f"{f[0]}{v}" in variants for v in ("bare", "plain", "annotated"))]
for prefix, title, theirs, ours in families:
    print(f"what each derive adds to {title}, CPU seconds (median differences): {theirs} = "
          f"{prefix}plain - {prefix}bare, {ours} = {prefix}annotated - {prefix}plain")
    for k in kinds:
        b, p, a = (med("cpu", prefix + v, k) for v in ("bare", "plain", "annotated"))
        if None in (b, p, a):
            continue
        serde_added, compat_added = p - b, a - p
        share = compat_added / serde_added if serde_added > 0 else float("nan")
        line = (f"  {k:<18} {theirs} {serde_added:7.2f}   {ours} {compat_added:7.2f}   "
                f"{ours}/{theirs} {share:6.1%}")
        base = med("cpu", prefix + "baseline", k)
        if base is not None:
            was = (base - p) / serde_added if serde_added > 0 else float("nan")
            line += f"   (baseline: {ours} {base - p:.2f}, {was:.1%})"
        print(line)
    print()
if dirty:
    left = ", ".join(f"{n} {v} {k}" for (v, k), n in dirty.items())
    print(f"* runs that also rebuilt a dependency were left out of the medians ({left}); "
          "--snapshot avoids that")
# The runs are interleaved round by round (bare, plain, annotated, bare, ...), so the runs of
# one round saw the same state of the machine: the median over rounds of each round's
# differences cancels the drift that widens each variant's own spread (on a shared 2-core VM,
# the same crate's clean build spans +-8%), which a difference of medians does not.
rounds = {}
for v, kind, wall, cpu, flag in rows:
    seen = rounds.setdefault((v, kind), [])
    seen.append(None if flag else float(cpu))
def per_round(prefix, k):
    """Each complete round's (annotated - plain, plain - bare), in CPU seconds."""
    b, p, a = (rounds.get((prefix + v, k), []) for v in ("bare", "plain", "annotated"))
    return [(z - y, y - x) for x, y, z in zip(b, p, a) if None not in (x, y, z)]
def paired(prefix, k):
    """Median over rounds of (annotated - plain) and of (plain - bare)."""
    each = per_round(prefix, k)
    if not each:
        return None
    return statistics.median(o for o, _ in each), statistics.median(t for _, t in each)
def interval(prefix, k, resamples=10000):
    """The 95% interval of the targets' share, by a bootstrap of the rounds: how far apart
    the medians of the same number of rounds may land on this machine (fixed seed, so a
    run's report repeats). None under 5 rounds."""
    each = per_round(prefix, k)
    if len(each) < 5:
        return None
    rng = random.Random(0)
    shares = []
    for _ in range(resamples):
        pick = [rng.choice(each) for _ in each]
        theirs_added = statistics.median(t for _, t in pick)
        if theirs_added > 0:
            shares.append(statistics.median(o for o, _ in pick) / theirs_added)
    shares.sort()
    return shares[int(len(shares) * 0.025)], shares[int(len(shares) * 0.975) - 1]
for prefix, title, theirs, ours in families:
    print(f"what {ours} adds to {title}, CPU seconds, median over rounds of each round's "
          f"differences (the targets' measure):")
    for k in ("clean", "incremental"):
        got = paired(prefix, k)
        if got is None:
            continue
        ours_added, theirs_added = got
        each = [round(o, 2) for o, _ in per_round(prefix, k)]
        print(f"  {k:<18} {theirs} {theirs_added:7.2f}   {ours} {ours_added:7.2f}   "
              f"{ours}/{theirs} {ours_added / theirs_added:6.1%}   ({ours} per round: {each})")
        band = interval(prefix, k)
        if band:
            print(f"  {'':<18} the share's 95% interval, resampling the rounds: "
                  f"{band[0]:.1%} to {band[1]:.1%}")
    print()
def share(prefix, k):
    got = paired(prefix, k)
    if got is None or got[1] <= 0:
        return float("nan")
    return got[0] / got[1]
for prefix, title, theirs, ours in families:
    c, i = share(prefix, "clean"), share(prefix, "incremental")
    print(f"{title}: target {ours} <= 10% of {theirs}'s added CPU time on a clean build: {c:.1%} -> "
          f"{'MET' if c <= 0.10 else 'NOT MET'}")
    print(f"{title}: target {ours} <= 20% of {theirs}'s added CPU time on an incremental rebuild: "
          f"{i:.1%} -> {'MET' if i <= 0.20 else 'NOT MET'}")
a, p, base = med("cpu", "annotated", "scratch"), med("cpu", "plain", "scratch"), med("cpu", "baseline", "scratch")
if a and p:
    line = f"scratch build with dependencies: annotated/plain {a / p:.2f}x"
    if base:
        line += (f", baseline/plain {base / p:.2f}x; annotated/baseline {a / base:.3f} -> "
                 f"{'MET' if a <= base else 'NOT MET'} (no slower)")
    print(line)
PY

# --- instructions: the rustc runs under callgrind, deterministic -------------------------
if [ "$INSTRUCTIONS" = 1 ]; then
    command -v valgrind >/dev/null || { echo "--instructions needs valgrind" >&2; exit 2; }
    WRAP="$WORK/count-rustc"
    cat >"$WRAP" <<'SH'
#!/usr/bin/env bash
# RUSTC_WRAPPER: run the crate's own rustc invocations (lib, build script) under callgrind
# and append the instructions each executed to $COUNT_OUT.
rustc=$1; shift
case " $* " in
    *" --crate-name $COUNT_CRATE "*|*" --crate-name build_script_build "*)
        log=$(mktemp)
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$rustc" "$@" 2>"$log"
        rc=$?
        grep -v '^==' "$log" >&2
        awk '/Collected :/ { print $4 }' "$log" >>"$COUNT_OUT"
        rm -f "$log"
        exit $rc ;;
    *) exec "$rustc" "$@" ;;
esac
SH
    chmod +x "$WRAP"
    echo
    echo "== instructions of the crate's rustc runs (valgrind --tool=callgrind), once each"
    COUNTS="$WORK/instructions.tsv"
    : >"$COUNTS"
    for kind in clean incremental; do
        for v in $VARIANTS; do
            cargo_in "$v" build
            if [ "$kind" = clean ]; then
                cargo_in "$v" clean -p "$v"
            else
                # settle the incremental state on an unchanged crate first
                touch "$WORK/$v/src/lib.rs"; cargo_in "$v" build
                touch "$WORK/$v/src/lib.rs"
            fi
            out="$WORK/count.$v.$kind"; : >"$out"
            (cd "$WORK/$v" && CARGO_TARGET_DIR="$WORK/target-$v" RUSTC_WRAPPER="$WRAP" \
                COUNT_CRATE="$v" COUNT_OUT="$out" cargo build >>"$LOG/$v.log" 2>&1) || {
                echo "counted build of $v failed; see $LOG/$v.log" >&2; exit 1; }
            total=$(awk '{ s += $1 } END { printf "%.0f", s }' "$out")
            printf '%s\t%s\t%s\n' "$v" "$kind" "$total" >>"$COUNTS"
            printf '  %-14s %-12s %8.3f G instructions (%d rustc runs)\n' "$v" "$kind" \
                "$(awk -v t="$total" 'BEGIN { print t / 1e9 }')" "$(wc -l <"$out")"
        done
    done
    python3 - "$COUNTS" <<'PY'
import sys
counts = {}
for line in open(sys.argv[1]):
    v, kind, n = line.split()
    counts[(v, kind)] = int(n)
for family, prefix, theirs, ours in [("200 messages", "", "serde", "Compat"),
                                     ("the nushell slice", "nu_", "serde", "Compat"),
                                     ("200 prost messages", "pb_", "prost", "ProstCompat")]:
    if not any(v.startswith(prefix + "annotated") for v, _ in counts):
        continue
    print(f"what each derive adds to {family}, instructions: {theirs} = {prefix}plain - {prefix}bare, "
          f"{ours} = {prefix}annotated - {prefix}plain")
    for kind in ["clean", "incremental"]:
        bare, plain = counts.get((prefix + "bare", kind)), counts.get((prefix + "plain", kind))
        if not (bare and plain):
            continue
        serde = plain - bare
        parts = []
        for v in [prefix + "annotated", prefix + "baseline"]:
            if (v, kind) in counts:
                added = counts[(v, kind)] - plain
                parts.append(f"{v} {added / 1e9:.2f} G, {added / serde:.1%} of {theirs}'s")
        print(f"  {kind:<12} {theirs} {serde / 1e9:.2f} G; " + "; ".join(parts))
PY
fi

# --- syn: one major in the annotated crate's graph ---------------------------------------
echo
# For the host, not `--target all`: serde_core pins serde_derive's version with a dependency
# under `cfg(any())`, which no target compiles and `--target all` lists (syn 3 with it).
echo "== syn in the dependency graph (cargo tree -e normal,build)"
syn_fail=0
for v in $VARIANTS; do
    versions=$(cd "$WORK/$v" && CARGO_TARGET_DIR="$WORK/target-$v" \
        cargo tree -e normal,build --prefix none --format '{p}' 2>/dev/null \
        | awk '$1 == "syn" { print $2 }' | sort -u | tr '\n' ' ')
    majors=$(echo "$versions" | tr ' ' '\n' | sed -n 's/^v\([0-9]*\)\..*/\1/p' | sort -u | wc -l)
    compiled=$(grep -hoE 'Compiling syn v[0-9.]+' "$LOG/$v.log" | awk '{print $3}' | sort -u | tr '\n' ' ' || true)
    printf '  %-14s cargo tree: %-20s compiled in scratch build: %-20s majors: %s\n' \
        "$v" "${versions:-none}" "${compiled:-none}" "$majors"
    built=$(echo "$compiled" | tr ' ' '\n' | sed -n 's/^v\([0-9]*\)\..*/\1/p' | sort -u | wc -l)
    case "$v" in annotated|pb_annotated) [ "$majors" -le 1 ] && [ "$built" -le 1 ] || syn_fail=1 ;; esac
done
if [ -d "$WORK/annotated" ]; then
    echo "  cargo tree --duplicates (annotated):"
    (cd "$WORK/annotated" && CARGO_TARGET_DIR="$WORK/target-annotated" \
        cargo tree --duplicates -e normal,build 2>&1 | sed 's/^/    /') || true
fi
if [ "$syn_fail" = 0 ]; then
    echo "  one syn major in annotated's graph: OK"
else
    echo "  more than one syn major in annotated's graph: FAIL"
fi
echo
echo "logs: $LOG (kept only with --keep)"
