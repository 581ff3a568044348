"""Benchmark `pyinject kube-inject` against the cost of just reading and writing the YAML.

Generates manifests of N workloads (``generate.py``: by default a seeded,
realistic mix of Deployments that differ in names, images, ports, probes,
annotations and resources) and times, in fresh processes and interleaved round
by round so machine drift hits every command alike:

- floor: libyaml (PyYAML's CSafeLoader + CSafeDumper) loading and dumping the
  same file: the least any YAML-to-YAML tool in Python can cost;
- emit-only: libyaml (CSafeDumper) writing pyinject's *output*, from data
  loaded beforehand: the least it costs to write that much YAML at all;
- embedded: ``pyinject kube-inject`` with its embedded Istio defaults (Jinja2);
- go: ``pyinject kube-inject`` with a cluster's exported Istio config files
  (the Go-template path), by default the conformance corpus's Istio 1.30 files
  (``--istio`` names another folder; without one the Go runs are skipped);

plus start-up: the bookinfo example against ``python -c "import yaml"``.
Medians of the rounds are reported with the ratios to both floors, CPU time
(user + system) and peak RSS of the child process.  Children run with
bytecode caching on (as an installed package has it), even when the caller
set ``PYTHONDONTWRITEBYTECODE``.

    python bench/bench.py                      # 1, 100, 1000, 10000 workloads, 5 rounds
    python bench/bench.py --sizes 1,100 --rounds 3
    python bench/bench.py --generator uniform  # the generator of earlier figures
    python bench/bench.py --generator names    # Deployments that differ only in names
    python bench/bench.py --write              # also write bench/RESULTS.md and README's table

``bench/outputs.py`` checks that a change leaves every output byte unchanged.
Only the standard library and PyYAML (a pyinject dependency) are used.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import generate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_ISTIO = REPO.parent / "shared" / "conformance" / "istio-1.30"
BOOKINFO = REPO / "examples" / "bookinfo" / "bookinfo.yaml"

#: Targets (ratios of medians, issue 15).
TARGET_EMBEDDED = 2.0  # 1,000 workloads, embedded defaults, x floor
TARGET_GO = 3.0  # 1,000 workloads, Go templates, x floor
TARGET_SCALE = 11.0  # 10,000 time / 1,000 time
TARGET_RSS = 1.3  # peak RSS 10,000 / 1,000
TARGET_STARTUP = 2.5  # bookinfo / python -c "import yaml"

#: Where the hand-written part of RESULTS.md starts.
NOTES = "## Notes"
#: The part of README.md that ``--write`` rewrites (the summary table and how it was measured).
README = REPO / "README.md"
README_START = "<!-- bench/bench.py --write keeps the text from here -->"
README_END = "<!-- to here -->"

STARTUP_REPEATS = 5  # start-up measurements per round

FLOOR_SCRIPT = (
    "import sys, yaml\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    docs = list(yaml.load_all(f, Loader=yaml.CSafeLoader))\n"
    "yaml.dump_all(docs, sys.stdout, Dumper=yaml.CSafeDumper, sort_keys=False)\n"
)

EMIT_SCRIPT = (
    "import marshal, sys, yaml\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    docs = marshal.load(f)\n"
    "yaml.dump_all(docs, sys.stdout, Dumper=yaml.CSafeDumper, sort_keys=False)\n"
)

def write_manifest(path: Path, workloads: int, generator: str = "mix") -> None:
    """``workloads`` workloads from ``generator`` (see generate.py), always from the same seed."""
    generate.write_manifest(path, workloads, generator)


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    rss_kib: int  # peak resident set of the child


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))


@dataclass
class Results:
    sizes: list[int]
    cmds: list[str]
    series: dict[tuple[int, str], Series]
    startup: dict[str, Series]
    rounds: int


# A child's peak RSS counts the memory of the process it was forked from, so
# commands are started by this small launcher rather than by the benchmark
# (whose own memory grows), which also times them without its own start-up.
LAUNCHER = (
    "import os, sys, time\n"
    "report, argv = sys.argv[1], sys.argv[2:]\n"
    "start = time.perf_counter()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    try:\n"
    "        os.execvp(argv[0], argv)\n"
    "    finally:\n"
    "        os._exit(127)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "with open(report, 'w') as f:\n"
    "    f.write(f'{os.waitstatus_to_exitcode(status)} {wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}')\n"
)


#: Children write and use bytecode caches, as an installed package does.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(argv: Sequence[str], stdout_path: Path, env: dict[str, str] | None = None) -> Sample:
    """Run one command in a fresh process; its own wall time, CPU time and peak RSS (KiB on Linux)."""
    report = stdout_path.with_suffix(".rusage")
    with stdout_path.open("w") as out:
        proc = subprocess.run([sys.executable, "-S", "-I", "-c", LAUNCHER, str(report), *argv],
                              stdout=out, stderr=subprocess.PIPE, check=False, env=env or CHILD_ENV)
    code, wall, cpu, rss = report.read_text().split()
    if proc.returncode != 0 or code != "0":
        raise SystemExit(f"command failed ({code}): {' '.join(argv)}\n{proc.stderr.decode(errors='replace')}")
    return Sample(float(wall), float(cpu), int(rss))


def pyinject_argv() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m pyinject``."""
    script = shutil.which("pyinject", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "pyinject"]


def emitted_data(path: Path) -> Path:
    """Where the emit-only floor reads the data of pyinject's output for input ``path``."""
    return path.with_suffix(".emit.marshal")


def commands(istio: Path | None) -> dict[str, Callable[[Path], list[str]]]:
    base = pyinject_argv()
    table: dict[str, Callable[[Path], list[str]]] = {
        "floor": lambda f: [sys.executable, "-c", FLOOR_SCRIPT, str(f)],
        "emit-only": lambda f: [sys.executable, "-c", EMIT_SCRIPT, str(emitted_data(f))],
        "embedded": lambda f: [*base, "kube-inject", "-q", "-f", str(f)],
    }
    if istio is not None:
        table["go"] = lambda f: [
            *base, "kube-inject", "-q", "-f", str(f),
            "--injectConfigFile", str(istio / "inject-config.yaml"),
            "--valuesFile", str(istio / "values.json"),
            "--meshConfigFile", str(istio / "mesh.yaml"),
        ]  # fmt: skip
    return table


def check_output(path: Path, workloads: int) -> None:
    """Every Deployment came out injected (a benchmark of a broken run is worthless)."""
    with path.open(encoding="utf-8") as lines:
        got = sum(1 for line in lines if line.strip() in ("- name: istio-proxy", "name: istio-proxy"))
    if got != workloads:
        raise SystemExit(f"{path}: expected {workloads} injected workloads, found {got}")


def prepare_emit_floor(cmds: dict[str, Callable[[Path], list[str]]], manifest: Path, workloads: int) -> None:
    """Run pyinject once on ``manifest`` (checking it) and keep its output's data for the emit-only floor."""
    import marshal

    import yaml

    out = manifest.with_suffix(".out.yaml")
    measure(cmds["embedded"](manifest), out)
    check_output(out, workloads)
    with out.open(encoding="utf-8") as f:
        docs = list(yaml.load_all(f, Loader=yaml.CSafeLoader))
    with emitted_data(manifest).open("wb") as f:
        marshal.dump(docs, f)
    out.unlink()


def run(sizes: Sequence[int], rounds: int, istio: Path | None, work: Path, progress: Callable[[str], None],
        generator: str = "mix") -> Results:
    cmds = commands(istio)
    manifests = {}
    for n in sizes:
        manifests[n] = work / f"workloads-{n}.yaml"
        write_manifest(manifests[n], n, generator)
        prepare_emit_floor(cmds, manifests[n], n)
    results: dict[tuple[int, str], Series] = {(n, name): Series() for n in sizes for name in cmds}
    # pyinject's cache between runs (compiled Jinja templates, Go templates known to parse) is the
    # benchmark's own, filled by the warm-up runs, as it is from a user's second run on.
    env = {**CHILD_ENV, "PYINJECT_CACHE_DIR": str(work / "cache")}
    startup_cmds: dict[str, tuple[list[str], dict[str, str]]] = {
        "import yaml": ([sys.executable, "-c", "import yaml"], env),
        "bookinfo": ([*pyinject_argv(), "kube-inject", "-q", "-f", str(BOOKINFO)], env),
    }
    if "go" in cmds:
        one = work / "workloads-start-up.yaml"
        write_manifest(one, 1, generator)
        startup_cmds["go config, 1 workload"] = (cmds["go"](one), env)
        startup_cmds["go config, 1 workload, first run"] = (cmds["go"](one), {**env, "PYINJECT_CACHE_DIR": ""})
    startup = {name: Series() for name in startup_cmds}
    out = work / "out.yaml"
    # One warm-up run of each start-up command fills the OS page cache (and pyinject's).
    for argv, child_env in startup_cmds.values():
        measure(argv, out, child_env)
    for r in range(rounds):
        # Start-up runs are short and noisy: several per round.
        for _ in range(STARTUP_REPEATS):
            for name, (argv, child_env) in startup_cmds.items():
                startup[name].samples.append(measure(argv, out, child_env))
        for n in sizes:
            for name, build in cmds.items():
                sample = measure(build(manifests[n]), out, env)
                if r == 0 and name in ("embedded", "go"):
                    check_output(out, n)
                results[(n, name)].samples.append(sample)
                progress(f"round {r + 1}/{rounds}: {n:>6} workloads {name:<8} {sample.wall:7.2f}s wall "
                         f"{sample.cpu:7.2f}s cpu {sample.rss_kib / 1024:6.0f} MiB")
    return Results(list(sizes), list(cmds), results, startup, rounds)


def table(data: Results) -> str:
    sizes, cmds, results, startup = data.sizes, data.cmds, data.series, data.startup
    lines = [
        f"Medians of {data.rounds} interleaved rounds ({data.rounds * STARTUP_REPEATS} for start-up), "
        "each command in a fresh process. CPU is user + system time of the command.",
        "",
        "| workloads | command | wall s | cpu s | × floor (wall) | × floor (cpu) | × emit-only (cpu) | peak RSS MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        floor, floor_cpu = results[(n, "floor")].median("wall"), results[(n, "floor")].median("cpu")
        emit_cpu = results[(n, "emit-only")].median("cpu")
        for name in cmds:
            s = results[(n, name)]
            wall, cpu = s.median("wall"), s.median("cpu")
            lines.append(f"| {n:,} | {name} | {wall:.3f} | {cpu:.3f} | {wall / floor:.2f} | {cpu / floor_cpu:.2f} | "
                         f"{cpu / emit_cpu:.2f} | {s.median('rss_kib') / 1024:.0f} |")
    base = startup["import yaml"].median("wall")
    lines += [
        "",
        "| start-up | wall s | cpu s | × `import yaml` (wall) | × `import yaml` (cpu) | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    base_cpu = startup["import yaml"].median("cpu")
    for name, s in startup.items():
        lines.append(f"| {name} | {s.median('wall'):.3f} | {s.median('cpu'):.3f} | {s.median('wall') / base:.2f} | "
                     f"{s.median('cpu') / base_cpu:.2f} | {s.median('rss_kib') / 1024:.0f} |")
    lines += ["", "Targets (issue 15; CPU-time ratios, which another process on the machine disturbs least):", ""]
    lines += [f"- {t}" for t in targets(sizes, cmds, results, startup)]
    return "\n".join(lines) + "\n"


def readme_summary(data: Results, command: str) -> str:
    """The README's summary: CPU-time medians with their ratio to the floor, and peak RSS."""
    results = data.series
    go = "go" in data.cmds
    lines = [
        f"Measured with `{command}` on {os.cpu_count()} CPUs, Linux, Python {platform.python_version()}, "
        "on a seeded mix of Deployments that differ in names, images, ports, probes, annotations and "
        "resources (CPU-time medians; \"floor\" is libyaml loading and dumping the same file, "
        "\"emit-only\" is libyaml writing pyinject's output; full table and notes in "
        "[`bench/RESULTS.md`](bench/RESULTS.md)):",
        "",
        "| workloads | floor | emit-only | embedded defaults | cluster config (Go templates) | peak RSS (embedded / Go) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def cell(n: int, name: str) -> str:
        cpu, floor = results[(n, name)].median("cpu"), results[(n, "floor")].median("cpu")
        return f"{cpu:.2f} s" + ("" if name == "floor" else f" ({cpu / floor:.1f}×)")

    def rss(n: int, name: str) -> str:
        return f"{results[(n, name)].median('rss_kib') / 1024:.0f}"

    for n in data.sizes:
        lines.append(f"| {n:,} | {cell(n, 'floor')} | {cell(n, 'emit-only')} | {cell(n, 'embedded')} | "
                     f"{cell(n, 'go') if go else '–'} | {rss(n, 'embedded')} / {rss(n, 'go') if go else '–'} MiB |")
    return "\n".join(lines) + "\n"


def write_readme(summary: str) -> bool:
    """Put ``summary`` between the README's markers; False when the README has none."""
    text = README.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    head = text[: start + len(README_START)]
    README.write_text(head + "\n" + summary + text[end:], encoding="utf-8")
    return True


def targets(sizes: Sequence[int], cmds: Sequence[str], results: dict[tuple[int, str], Series],
            startup: dict[str, Series]) -> list[str]:
    out: list[str] = []

    def verdict(label: str, value: float, limit: float) -> None:
        out.append(f"{label}: {value:.2f} (target ≤ {limit}) {'met' if value <= limit else 'NOT met'}")

    if 1000 in sizes:
        floor = results[(1000, "floor")].median("cpu")
        verdict("1,000 workloads, embedded, × floor", results[(1000, "embedded")].median("cpu") / floor, TARGET_EMBEDDED)
        if "go" in cmds:
            verdict("1,000 workloads, Go templates, × floor", results[(1000, "go")].median("cpu") / floor, TARGET_GO)
        out.append(f"emit-only floor at 1,000 workloads: {results[(1000, 'emit-only')].median('cpu') / floor:.2f} × floor "
                   "(writing the output through libyaml alone)")
    if 1000 in sizes and 10000 in sizes:
        for name in cmds:
            if name in ("floor", "emit-only"):
                continue
            big, small = results[(10000, name)], results[(1000, name)]
            verdict(f"{name}: time 10,000 / 1,000", big.median("wall") / small.median("wall"), TARGET_SCALE)
            verdict(f"{name}: peak RSS 10,000 / 1,000", big.median("rss_kib") / small.median("rss_kib"), TARGET_RSS)
    verdict("bookinfo / import yaml (cpu)", startup["bookinfo"].median("cpu") / startup["import yaml"].median("cpu"),
            TARGET_STARTUP)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000,10000", help="workload counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (medians are reported)")
    parser.add_argument("--istio", type=Path, default=DEFAULT_ISTIO,
                        help="folder with inject-config.yaml, values.json, mesh.yaml (Go-template runs)")
    parser.add_argument("--generator", choices=sorted(generate.GENERATORS), default="mix",
                        help="input generator (generate.py): the realistic mix, Deployments differing only in names, "
                             "or the uniform set of earlier figures")
    parser.add_argument("--write", action="store_true",
                        help="also write bench/RESULTS.md and the summary table in README.md")
    parser.add_argument("--keep", type=Path, help="generate the manifests here and keep them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    istio: Path | None = args.istio
    if istio is not None and not (istio / "inject-config.yaml").is_file():
        print(f"bench: no Istio config in {istio}; skipping the Go-template runs", file=sys.stderr)
        istio = None

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        data = run(sizes, args.rounds, istio, args.keep, progress, args.generator)
    else:
        with tempfile.TemporaryDirectory(prefix="pyinject-bench-") as tmp:
            data = run(sizes, args.rounds, istio, Path(tmp), progress, args.generator)
    report = table(data)
    print(report)
    if args.write:
        header = (
            "# Benchmark results\n\n"
            f"`python bench/bench.py --sizes {args.sizes} --rounds {args.rounds} --generator {args.generator} --write` on "
            f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs.\n\n"
        )
        # The hand-written notes below the figures survive a rewrite.
        results = HERE / "RESULTS.md"
        old = results.read_text(encoding="utf-8") if results.exists() else ""
        notes = old[old.index(NOTES):] if NOTES in old else ""
        results.write_text(header + report + ("\n" + notes if notes else ""), encoding="utf-8")
        command = f"python bench/bench.py --sizes {args.sizes} --rounds {args.rounds}"
        if not write_readme(readme_summary(data, command)):
            print(f"bench: no {README_START!r} marker in README.md; its table is left as it is", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
