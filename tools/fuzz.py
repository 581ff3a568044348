"""Seeded fuzzer for the command line: hostile manifests in, the error contract checked.

Each input is a valid manifest (a Pod, workloads of every kind, a List, an
injected pod for kube-uninject, other kinds) changed at random: a value
replaced by one of the wrong shape (``ports: [x]``, ``labels: 1``, ``.inf``,
deep nesting, multi-line strings), a key dropped, the kind changed, or the
text itself damaged (bytes that are not UTF-8, control characters, a cut, a
stray ``---``, anchors).  Each runs through ``kube-inject`` or
``kube-uninject`` with a random choice of flags, in-process, and must keep
the contract pyinject promises:

- exit code 0, 1 or 2 (3 is an internal error, a bug);
- after a failure: exactly one ``pyinject: error:`` line on stderr, every
  stderr line a ``pyinject: ...`` line (no traceback, no spilled second line),
  and nothing on stdout;
- no input runs longer than the time limit (a hang).

The same seed gives the same inputs.  tests/unit/test_fuzz.py runs a few
hundred; run this script for thousands, with a cluster's config as well::

    python tools/fuzz.py --count 5000 --seed 1
    python tools/fuzz.py --count 5000 --seed 2 \\
        --injectConfigFile inject-config.yaml --valuesFile values.json
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: p}
  annotations: {team: a}
spec:
  containers:
  - name: c
    image: i
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /r, port: 8080}}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ns}
spec:
  replicas: 1
  selector: {matchLabels: {app: d}}
  template:
    metadata:
      labels: {app: d}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}
    spec:
      initContainers: [{name: init, image: busybox, command: [sh, -c, "true"]}]
      containers:
      - name: app
        image: app:1
        env: [{name: A, value: b}]
        livenessProbe: {tcpSocket: {port: 8080}}
      volumes: [{name: v, emptyDir: {}}]
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: j}]
"""

LIST = """\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: i}]}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {k: v}}
"""

OTHER = """\
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {ports: [{port: 80}], selector: {app: p}}
"""

SEEDS = (POD, DEPLOYMENT, CRONJOB, LIST, OTHER)

#: Flag sets a run picks from (the config flags are added by the caller).
FLAG_SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("--output-format", "json"),
    ("--output-style", "istioctl"),
    ("--no-native-sidecars",),
    ("-r", "canary"),
)

WEIRD_SCALARS: tuple[Any, ...] = (
    "x", "", -1, 0, 1, 2**70, 1.5, float("inf"), float("nan"), True, None,
    "a\nb", "line\r\nnext", "\t", "{{ .x }}", "${X}", "é", "0x1F", "-",
)

#: Annotations the injector reads, and values that test how it parses them.
ISTIO_ANNOTATIONS = (
    "sidecar.istio.io/inject", "sidecar.istio.io/status", "sidecar.istio.io/interceptionMode",
    "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyCPULimit",
    "sidecar.istio.io/proxyImage", "sidecar.istio.io/logLevel", "sidecar.istio.io/componentLogLevel",
    "sidecar.istio.io/rewriteAppHTTPProbers", "sidecar.istio.io/nativeSidecar", "sidecar.istio.io/userVolume",
    "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/bootstrapOverride", "proxy.istio.io/config",
    "proxy.istio.io/overrides", "inject.istio.io/templates", "status.sidecar.istio.io/port",
    "readiness.status.sidecar.istio.io/periodSeconds", "traffic.sidecar.istio.io/includeOutboundIPRanges",
    "traffic.sidecar.istio.io/excludeInboundPorts", "traffic.sidecar.istio.io/includeInboundPorts",
    "traffic.sidecar.istio.io/excludeOutboundPorts", "prometheus.io/port", "prometheus.io/scrape",
    "kubectl.kubernetes.io/default-container", "istio.io/rev",
)
ANNOTATION_VALUES = (
    "", "true", "false", "x", "-1", "99999999999", "1.5", "*", "0.0.0.0/0,::/0", "10.0.0.0/33", "a,b,,c",
    "{", "[]", "{}", "null", '{"a": 1}', '[{"name": "v"}]', '{"containers": 5}', "\n", "line\nbreak",
    "{{ .Values }}", "sidecar,gateway", "nosuchtemplate", "100Mi", "abc", "TPROXY", "REDIRECT", "NONE",
)

HEADERS = ("# a comment\n", "# only comments\n# here\n---\n", "---\n", "%YAML 1.1\n---\n", "\ufeff", "")


@dataclass
class Report:
    """What a fuzzing session saw."""

    tried: int = 0
    exit_codes: collections.Counter[int] = field(default_factory=collections.Counter)
    internal: list[tuple[int, str]] = field(default_factory=list)
    hangs: list[int] = field(default_factory=list)
    stdout_after_failure: list[int] = field(default_factory=list)
    bad_stderr: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.internal or self.hangs or self.stdout_after_failure or self.bad_stderr)

    def text(self) -> str:
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.exit_codes.items()))
        lines = [
            f"inputs tried: {self.tried} in {self.seconds:.0f} s",
            f"exit codes: {codes}",
            f"internal errors (exit 3 or an escaped exception): {len(self.internal)}",
            f"hangs: {len(self.hangs)}",
            f"stdout after a failure: {len(self.stdout_after_failure)}",
            f"failures whose stderr is not one error line: {len(self.bad_stderr)}",
        ]
        causes = collections.Counter(message for _, message in self.internal + self.bad_stderr)
        for message, n in causes.most_common(20):
            lines.append(f"  {n} x {message[:200]}")
        return "\n".join(lines)


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.55 or depth > 3:
        return rng.choice(WEIRD_SCALARS)
    if roll < 0.7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.85:
        return {rng.choice(("name", "x", "containerPort", "image", "a")): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    nested: Any = rng.choice(WEIRD_SCALARS)
    for _ in range(rng.choice((50, 199, 250, 330, 500, 999))):
        nested = [nested] if rng.random() < 0.5 else {"x": nested}
    return nested


def _paths(data: Any, limit: int = 12) -> Iterator[tuple[Any, ...]]:
    """Paths to every node down to ``limit`` levels (not into nesting a mutation made deep)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, prefix = stack.pop()
        yield prefix
        if len(prefix) >= limit:
            continue
        if isinstance(node, dict):
            stack.extend((value, (*prefix, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*prefix, i)) for i, value in enumerate(node))


def _mutate_data(rng: random.Random, data: Any) -> Any:
    paths = [p for p in _paths(data) if p]
    for _ in range(rng.randint(1, 3)):
        if not paths:
            break
        path = rng.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = rng.random()
        try:
            if action < 0.7:
                parent[path[-1]] = _random_value(rng)
            elif action < 0.8 and isinstance(parent, dict):
                del parent[path[-1]]
            elif action < 0.9 and isinstance(parent, dict):
                parent[rng.choice((1, True, None, 2.5))] = _random_value(rng)
            else:
                parent[path[-1]] = rng.choice((["Deployment"], "List", "Pod", 5, "CronJob"))
        except (KeyError, IndexError, TypeError):
            pass
        paths = [p for p in _paths(data) if p]
    return data


def _set_annotations(rng: random.Random, data: Any) -> None:
    """Give the pod template (or the object) an Istio annotation with an odd value."""
    for path in (("spec", "template", "metadata"), ("metadata",)):
        node = data
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict):
            annotations = node.setdefault("annotations", {})
            if isinstance(annotations, dict):
                for _ in range(rng.randint(1, 3)):
                    value = rng.choice(ANNOTATION_VALUES).replace("\\n", "\n")
                    annotations[rng.choice(ISTIO_ANNOTATIONS)] = value
            return


class _Dumper(yaml.SafeDumper):
    """Writes deep structures in flow style (block style runs out of recursion sooner)."""


def _dump(rng: random.Random, data: Any) -> str:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)  # the deep values a mutation makes (only while writing them)
    try:
        if rng.random() < 0.2:
            return json.dumps(data, allow_nan=True)
        return yaml.dump(data, Dumper=_Dumper, default_flow_style=rng.random() < 0.5, allow_unicode=True, width=10**6)
    finally:
        sys.setrecursionlimit(limit)


def _mutate_text(rng: random.Random, raw: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.2 and raw:
        cut = rng.randrange(len(raw))
        return raw[:cut]
    if roll < 0.4:
        at = rng.randrange(len(raw) + 1)
        junk = rng.choice((b"\x85", b"\xff\xfe", b"\x00", b"\x01", b"\xc3", b"\t", b"---\n", b"&a ", b"*a", b": :", b"[", b"{", b"!!binary ", b"<<: *a\n"))
        return raw[:at] + junk + raw[at:]
    if roll < 0.5:
        return raw + b"\n---\n" + raw
    return raw


def generate(rng: random.Random, injected: str) -> tuple[bytes, bool]:
    """One input (bytes) and whether it is meant for kube-uninject."""
    uninject = rng.random() < 0.15
    seed = injected if uninject else rng.choice(SEEDS)
    data = yaml.safe_load(seed)
    if rng.random() < 0.9:
        data = _mutate_data(rng, data)
    if rng.random() < 0.4:
        _set_annotations(rng, data)
    text = rng.choice(HEADERS) + _dump(rng, data)
    raw = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.3:
        raw = _mutate_text(rng, raw)
    return raw, uninject


class _Hang(BaseException):
    """Raised by the timer: the input ran past the time limit."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def check(result: Any, index: int, report: Report) -> None:
    """Fold one run's exit code and streams into the report."""
    code = result.exit_code
    report.exit_codes[code] += 1
    stderr = result.stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    if code == 3 or "internal error" in stderr:
        report.internal.append((index, lines[-1] if lines else f"exit {code}"))
    if code not in (0, 1, 2, 3):
        report.internal.append((index, f"unexpected exit code {code}: {stderr[-200:]}"))
    if code != 0:
        if result.stdout:
            report.stdout_after_failure.append(index)
        errors = [line for line in lines if line.startswith("pyinject: error:") or line.startswith("Error:")]
        strays = [line for line in lines if not line.startswith(("pyinject: ", "Error:", "Usage:", "Try "))]
        if code == 1 and (len(errors) != 1 or strays):
            report.bad_stderr.append((index, "stderr not one error line: " + " | ".join(lines)[:300]))


def fuzz(count: int, seed: int, config_args: tuple[str, ...] = (), timeout: float = 20.0, verbose: bool = False) -> Report:
    """Run ``count`` inputs made from ``seed``; return what was seen."""
    from click.testing import CliRunner

    from pyinject.cli.commands import cli

    rng = random.Random(seed)
    report = Report()
    runner = CliRunner()
    injected = runner.invoke(cli, ["kube-inject", "-f", "-", "-q", *config_args], input=POD).stdout
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pyinject-fuzz-") as tmp:
        path = os.path.join(tmp, "input.yaml")
        try:
            for index in range(count):
                raw, uninject = generate(rng, injected)
                command = ["kube-uninject"] if uninject else ["kube-inject", *config_args]
                flags = list(rng.choice(FLAG_SETS)) if not uninject else []
                if uninject and "-r" in flags:
                    flags = []
                if rng.random() < 0.5:
                    args, stdin = [*command, "-f", "-", *flags], raw
                else:
                    with open(path, "wb") as handle:
                        handle.write(raw)
                    args, stdin = [*command, "-f", path, *flags], None
                report.tried += 1
                signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    result = runner.invoke(cli, args, input=stdin, catch_exceptions=True)
                except _Hang:
                    report.hangs.append(index)
                    continue
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    report.internal.append((index, f"escaped {type(result.exception).__name__}: {result.exception}"))
                    report.exit_codes[3] += 1
                    continue
                check(result, index, report)
                if verbose and (report.internal and report.internal[-1][0] == index):
                    print(f"#{index} {args}: {raw[:300]!r}", file=sys.stderr)
        finally:
            signal.signal(signal.SIGALRM, previous)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before an input counts as a hang")
    parser.add_argument("--injectConfigFile", help="a cluster's injection config (Go templates)")
    parser.add_argument("--valuesFile", help="the values that go with it")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each input that gave an internal error")
    args = parser.parse_args(argv)
    config: tuple[str, ...] = ()
    if args.injectConfigFile:
        config += ("--injectConfigFile", args.injectConfigFile)
    if args.valuesFile:
        config += ("--valuesFile", args.valuesFile)
    report = fuzz(args.count, args.seed, config, args.timeout, args.verbose)
    print(f"seed {args.seed}, config: {' '.join(config) or 'embedded defaults'}")
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
