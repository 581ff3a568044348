"""Fingerprint pyinject's output, so a speed change can prove it changed no byte.

``record`` runs ``pyinject kube-inject`` over the benchmark's seeded inputs
(both generators, embedded defaults and the Go-template cluster config) and,
given a conformance corpus, over every case in both modes and both output
styles; it stores the SHA-256 of stdout, stderr and the exit code of each run
in a JSON file.  ``check`` runs the same again and lists every run whose
fingerprint moved.

    python bench/outputs.py record /tmp/before.json --corpus ../shared/conformance/istio-1.30
    python bench/outputs.py check /tmp/before.json --corpus ../shared/conformance/istio-1.30

The commands run ``python -m pyinject`` with this interpreter and environment,
so ``PYTHONPATH=OLD_CHECKOUT python bench/outputs.py record ...`` fingerprints
another version of the code.

Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from generate import write_manifest

#: Benchmark inputs fingerprinted: (generator, workloads).
BENCH_INPUTS = (("mix", 1), ("mix", 100), ("mix", 1000), ("uniform", 100), ("names", 100))
STYLES = {"default": [], "istioctl": ["--output-style", "istioctl"]}


def pyinject_argv() -> list[str]:
    return [sys.executable, "-m", "pyinject"]


def go_args(istio: Path) -> list[str]:
    return ["--injectConfigFile", str(istio / "inject-config.yaml"), "--valuesFile", str(istio / "values.json"),
            "--meshConfigFile", str(istio / "mesh.yaml")]


def fingerprint(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False)
    digest = hashlib.sha256(proc.stdout)
    digest.update(b"\0stderr\0" + proc.stderr)
    return f"{proc.returncode}:{digest.hexdigest()}"


def runs(work: Path, istio: Path | None, corpus: Path | None) -> Iterator[tuple[str, list[str], Path | None,
                                                                               dict[str, str] | None]]:
    """(key, argv, cwd, env) of every fingerprinted run."""
    base = [*pyinject_argv(), "kube-inject"]
    for generator, n in BENCH_INPUTS:
        # Run in the folder of the input, named relatively: the report names it.
        name = f"{generator}-{n}.yaml"
        write_manifest(work / name, n, generator)
        for style, style_args in STYLES.items():
            yield f"bench/{generator}-{n}/embedded/{style}", [*base, *style_args, "-f", name], work, None
            if istio is not None:
                yield (f"bench/{generator}-{n}/go/{style}", [*base, *style_args, "-f", name, *go_args(istio)],
                       work, None)
    if corpus is None:
        return
    for case in sorted((corpus / "cases").iterdir()):
        spec_path = case / "case.yaml"
        if not spec_path.is_file():
            continue
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        env = dict(os.environ)
        env.update({str(k): str(v) for k, v in (spec.get("env") or {}).items()})
        for mode in ("compat", "native"):
            args = spec.get(mode)
            if args is None:
                continue
            for style, style_args in STYLES.items():
                argv = [*base, *style_args, "-f", "input.yaml", *(str(a) for a in args)]
                yield f"corpus/{case.name}/{mode}/{style}", argv, case, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("file", type=Path, help="the JSON file of fingerprints")
    parser.add_argument("--istio", type=Path, help="folder with inject-config.yaml, values.json, mesh.yaml "
                        "(default: the corpus's)")
    parser.add_argument("--corpus", type=Path, help="a conformance corpus folder (its cases/ are run too)")
    args = parser.parse_args(argv)
    istio = (args.istio or args.corpus).resolve() if (args.istio or args.corpus) else None
    got: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="pyinject-outputs-") as tmp:
        for key, run_argv, cwd, env in runs(Path(tmp), istio, args.corpus):
            got[key] = fingerprint(run_argv, cwd, env)
    if args.action == "record":
        args.file.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {len(got)} runs in {args.file}", file=sys.stderr)
        return 0
    want = json.loads(args.file.read_text(encoding="utf-8"))
    moved = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
    for key in moved:
        print(f"changed: {key}: {want.get(key)} -> {got.get(key)}")
    print(f"{len(got) - len(moved)}/{len(got)} runs unchanged", file=sys.stderr)
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
