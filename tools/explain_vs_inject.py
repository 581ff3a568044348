#!/usr/bin/env python3
"""Does `pyinject explain` agree with `pyinject kube-inject`? Run both on a kube-inject corpus and compare.

For every case of a corpus in the shared conformance format (``CORPUS/cases/<name>/case.yaml``
with ``input.yaml``, its env and its ``compat``/``native`` arguments), and each mode:

- ``kube-inject -f input.yaml ARGS -v``: its report gives each workload's outcome
  (injected, re-injected or unchanged count as injected; skipped as not);
- ``explain -f input.yaml ARGS -o json``: one record per pod template;
- ``kube-uninject -f input.yaml``: the user's own pods, without any earlier injection.

A case agrees when both commands fail (error cases), or when explain's ``inject`` equals
kube-inject's outcome for every workload, in order, and explain's lists of containers,
init containers, volumes and annotations equal what kube-inject's output added to or
changed in the user's pod.  Run from a checkout with pyinject installed:

    python tools/explain_vs_inject.py ../shared/conformance/istio-1.30 --cmd .venv/bin/pyinject
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

REPORT_LINE = re.compile(r"^(?P<src>.+): document (?P<doc>\d+): (?P<kind>\S+) (?P<name>\S+): (?P<action>[a-z-]+)")
#: A skip is reported in istioctl's words: ``FILE: document N: Skipping injection because Kind "name" ...``.
SKIP_LINE = re.compile(r"^(?P<src>.+): document (?P<doc>\d+): Skipping injection because ")
LISTS = (("containers", "containers"), ("initContainers", "init_containers"), ("volumes", "volumes"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cmd", default="pyinject", help="the pyinject command (shell-split)")
    parser.add_argument("--mode", choices=["compat", "native", "both"], default="both")
    parser.add_argument("--case", default="", help="regex on case names")
    parser.add_argument("-v", "--verbose", action="store_true", help="show each disagreement")
    args = parser.parse_args()
    cmd = shlex.split(args.cmd)
    modes = ["compat", "native"] if args.mode == "both" else [args.mode]
    totals = {"runs": 0, "agree": 0, "workloads": 0, "decisions_agree": 0, "lists_agree": 0, "lists_checked": 0,
              "both_failed": 0}
    for case_dir in sorted((args.corpus / "cases").iterdir()):
        if not re.search(args.case, case_dir.name):
            continue
        spec = _case(case_dir / "case.yaml")
        for mode in modes:
            if spec.get(mode) is None:
                continue
            totals["runs"] += 1
            problems = compare(cmd, case_dir, spec, mode, totals)
            if not problems:
                totals["agree"] += 1
            print(f"{'AGREE' if not problems else 'DIFFER'} {mode} {case_dir.name}")
            if problems and args.verbose:
                for problem in problems:
                    print(f"    {problem}")
    print(f"runs: {totals['agree']}/{totals['runs']} agree ({totals['both_failed']} error cases where both fail)")
    print(f"workloads: decisions {totals['decisions_agree']}/{totals['workloads']} agree; "
          f"lists (containers, init containers, volumes, annotations) {totals['lists_agree']}/{totals['lists_checked']} match")
    return 0 if totals["agree"] == totals["runs"] else 1


def compare(cmd: list[str], case_dir: Path, spec: dict[str, Any], mode: str, totals: dict[str, int]) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ENABLE_NATIVE_SIDECARS", "COMPLIANCE_POLICY")}
    env.update({str(k): str(v) for k, v in (spec.get("env") or {}).items()})
    extra = [str(a) for a in spec[mode]]
    inject = _run([*cmd, "kube-inject", "-f", "input.yaml", *extra, "-v"], case_dir, env)
    explain = _run([*cmd, "explain", "-f", "input.yaml", *extra, "-o", "json"], case_dir, env)
    if inject.returncode != 0 or explain.returncode != 0:
        if inject.returncode != 0 and explain.returncode != 0:
            totals["both_failed"] += 1
            return []
        return [f"kube-inject exit {inject.returncode}, explain exit {explain.returncode}: "
                f"{(inject.stderr or explain.stderr).strip().splitlines()[-1:]}"]
    outcomes = []
    for line in inject.stderr.splitlines():
        if SKIP_LINE.match(line):
            outcomes.append("skipped")
        elif (m := REPORT_LINE.match(line)) is not None:
            outcomes.append(m.group("action"))
    records = [r for r in json.loads(explain.stdout) if r["reason"] != "not-a-workload-kind"]
    problems = []
    if len(outcomes) != len(records):
        return [f"kube-inject reports {len(outcomes)} workloads, explain {len(records)}"]
    user = _pods(_run([*cmd, "kube-uninject", "-f", "input.yaml", "-q"], case_dir, env).stdout)
    injected = _pods(inject.stdout)
    for index, (action, record) in enumerate(zip(outcomes, records)):
        totals["workloads"] += 1
        want = action in ("injected", "re-injected", "unchanged")
        if record["inject"] != want:
            problems.append(f"{record['kind']} {record['name']}: kube-inject {action}, explain {record['reason']}")
            continue
        totals["decisions_agree"] += 1
        if not want:
            continue
        totals["lists_checked"] += 1
        got = record["injection"]
        expected = _added(user[index], injected[index])
        mine = {key: got[field] for key, field in LISTS} | {"annotations": got["annotations"]}
        if mine != expected:
            problems.append(f"{record['kind']} {record['name']}: explain lists {mine}, kube-inject added {expected}")
        else:
            totals["lists_agree"] += 1
    return problems


def _added(user: dict[str, Any], result: dict[str, Any]) -> dict[str, list[str]]:
    """Names in the injected pod that are new or differ from the user's pod."""
    out: dict[str, list[str]] = {}
    for key, _ in LISTS:
        before = {i.get("name"): i for i in (user["spec"].get(key) or [])}
        out[key] = [str(i.get("name")) for i in (result["spec"].get(key) or []) if before.get(i.get("name")) != i]
    old = user["metadata"].get("annotations") or {}
    new = result["metadata"].get("annotations") or {}
    out["annotations"] = sorted(str(k) for k, v in new.items() if old.get(k) != v or k not in old)
    return out


def _pods(text: str) -> list[dict[str, Any]]:
    from pyinject.errors import Location
    from pyinject.manifests.load import load_plain
    from pyinject.manifests.read import read_text
    from pyinject.manifests.workloads import find_workloads

    pods = []
    for doc in read_text(text):
        for workload in find_workloads(load_plain(doc.text, Location())):
            meta, spec = workload.get_pod()
            pods.append({"metadata": meta, "spec": spec})
    return pods


def _case(path: Path) -> dict[str, Any]:
    from pyinject.errors import Location
    from pyinject.manifests.load import load_plain

    loaded = load_plain(path.read_text(), Location(file=str(path)))
    assert isinstance(loaded, dict)
    return loaded


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


if __name__ == "__main__":
    sys.exit(main())
