#!/usr/bin/env python3
"""Replay an Istio 1.0–1.4 tag's own kube-inject golden tests through pyinject and count the matches.

Usage:
    python tools/legacy_release_check.py ISTIO_GIT_DIR --tag 1.3.8 [--tag ...] --helm HELM
        [--cmd "pyinject"] [--diff NAME] [--keep DIR] [--model 1.3]

ISTIO_GIT_DIR is a clone (bare or not) of github.com/istio/istio.  HELM is a
Helm 3 binary (``--helm`` or the ``HELM`` environment variable); it is needed
for 1.2–1.4 only.  For each tag the test tables of the tag's
``pkg/kube/inject/inject_test.go`` (``TestIntoResourceFile``,
``TestRewriteAppProbe``, ``TestInvalidAnnotations``) are read and each case's
inputs are derived the way that test built them:

- the injection template: 1.0–1.1 executed ``parameterizedTemplate`` (Go) on the
  case's ``Params`` (here: pyinject's Go template engine on the same fields);
  1.2–1.4 read ``files/injection-template.yaml`` of the Helm chart and the
  chart's values with the ``Params`` merged in as ``--set`` (here: Helm renders
  the chart's ``istio-sidecar-injector`` ConfigMap with those ``--set``, and its
  ``config`` and ``values`` are what the command gets; the test's values were
  not coalesced with the sub-charts' defaults, a difference no template reads);
- the mesh: ``DefaultMeshConfig()`` of the tag with the case's changes
  (``duration``, ``tproxy``, 1.0's ``enableAuth``), written as a mesh file
  with explicit zero values for the fields later defaults would fill, as the
  istio-1.5 conformance corpus does.

The golden's status version becomes the sha256 of the template, what istioctl
prints (the test stripped it on both sides; the app_probe goldens carry hashes
of older templates), except where the input is itself a golden (passed through).  Every case is run as
``CMD kube-inject -f input --injectConfigFile ... --valuesFile ... --meshConfigFile ...
--istio-version 1.N`` and judged like the conformance corpora: error cases by
exit code and message, the rest by semantic YAML equality (nulls, ``{}`` and
``[]`` dropped, ``creationTimestamp: null`` and an empty ``status`` ignored);
then once more with ``--output-style istioctl`` for byte identity.

Not a unit test: it needs the Istio history and Helm.  Prints one line per
case and ``TAG: P pass, F fail, S skip; B of P byte-identical (istioctl style)``.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ruamel.yaml import YAML  # noqa: E402

from corpus_judge import normalized_documents  # noqa: E402
from go_source import brace_block, git, show  # noqa: E402
from pyinject.gotemplate import parse as parse_go_template  # noqa: E402

HUB = "docker.io/istio"
TAG = "unittest"
CHART = "install/kubernetes/helm/istio"
CONFIGMAP = "templates/sidecar-injector-configmap.yaml"
STATUS_VERSION = re.compile(r'(sidecar\.istio\.io/status: \'\{"version":")([0-9a-f]*)(")')

#: DefaultMeshConfig() of 1.1–1.4 as a mesh file (zero-valued ProxyConfig fields the templates
#: read are explicit, so that no later release's defaults fill them).
MESH_1_1 = {
    "accessLogFile": "/dev/stdout", "connectTimeout": "1s", "disablePolicyChecks": True, "enableTracing": True,
    "ingressService": "istio-ingressgateway", "proxyListenPort": 15001, "rootNamespace": "istio-system",
    "outboundTrafficPolicy": {"mode": "ALLOW_ANY"}, "dnsRefreshRate": "5s",
    "defaultConfig": {
        "binaryPath": "/usr/local/bin/envoy", "concurrency": 0, "configPath": "/etc/istio/proxy",
        "connectTimeout": "1s", "controlPlaneAuthPolicy": "NONE", "discoveryAddress": "istio-pilot:15010",
        "drainDuration": "45s", "parentShutdownDuration": "60s", "proxyAdminPort": 15000,
        "serviceCluster": "istio-proxy", "statNameLength": 189, "tracing": {},
    },
}
#: 1.0's DefaultMeshConfig(): other durations, a discovery refresh delay, an auth policy.
MESH_1_0 = {
    "accessLogFile": "/dev/stdout", "connectTimeout": "1s", "enableTracing": True, "proxyListenPort": 15001,
    "ingressClass": "istio", "ingressControllerMode": "STRICT", "authPolicy": "NONE", "rdsRefreshDelay": "1s",
    "sdsRefreshDelay": "15s",
    "defaultConfig": {
        "binaryPath": "/usr/local/bin/envoy", "concurrency": 0, "configPath": "/etc/istio/proxy",
        "connectTimeout": "1s", "controlPlaneAuthPolicy": "NONE", "discoveryAddress": "istio-pilot:15007",
        "discoveryRefreshDelay": "1s", "drainDuration": "2s", "parentShutdownDuration": "3s",
        "proxyAdminPort": 15000, "serviceCluster": "istio-proxy", "tracing": {},
    },
}


def minor_of(tag: str) -> int:
    return int(tag.split(".")[1])


def inject_dir(tag: str) -> str:
    return "pilot/pkg/kube/inject" if minor_of(tag) <= 3 else "pkg/kube/inject"


# ---- reading the Go test tables ---------------------------------------------------------------

def _split_top(body: str) -> list[str]:
    """Split at commas outside brackets and strings (whole-line ``//`` comments dropped first)."""
    body = re.sub(r"^\s*//.*$", "", body, flags=re.M)
    parts, depth, cur, i = [], 0, [], 0
    while i < len(body):
        ch = body[i]
        if ch in "\"`":
            end = body.index(ch, i + 1)
            while ch == '"' and body[end - 1] == "\\":
                end = body.index(ch, end + 1)
            cur.append(body[i:end + 1])
            i = end + 1
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return [p for p in (re.sub(r"//[^\n]*", "", x).strip() for x in parts) if p]


def go_constants(source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in re.findall(r"^\s*(Default\w+)\s*=\s*(.+?)\s*$", source, re.M):
        out[name] = go_value(value, {}, {})
    return out


def go_value(expr: str, consts: dict[str, Any], case: dict[str, Any]) -> Any:
    expr = re.sub(r"//[^\n]*", "", expr).strip()
    if expr.startswith('"'):
        return json.loads(expr)
    if expr.startswith("`"):
        return expr[1:-1]
    if expr in ("true", "false"):
        return expr == "true"
    m = re.fullmatch(r"(?:u?int\d*|time\.Duration)\((.+)\)", expr)
    if m:
        return go_value(m.group(1), consts, case)
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    m = re.fullmatch(r"(\d+)\s*\*\s*time\.(Second|Millisecond)", expr)
    if m:
        return f"{m.group(1)}s" if m.group(2) == "Second" else f"{m.group(1)}ms"
    if expr.startswith("[]string{"):
        return [go_value(x, consts, case) for x in _split_top(expr[len("[]string{"):-1])]
    if expr.startswith("c."):
        return case.get(expr[2:])
    m = re.fullmatch(r"(Init|Proxy)ImageName\(unitTestHub, unitTestTag(?:, (.+))?\)", expr)
    if m:
        debug = bool(go_value(m.group(2), consts, case)) if m.group(2) else False
        name = "proxy_init" if m.group(1) == "Init" else ("proxy_debug" if debug else "proxyv2")
        return f"{HUB}/{name}:{TAG}"
    if expr in consts:
        return consts[expr]
    if re.fullmatch(r"[\w.]*Default\w*", expr) and expr.split(".")[-1] in consts:
        return consts[expr.split(".")[-1]]
    raise ValueError(f"unknown Go expression: {expr}")


_ZERO = {"string": "", "bool": False, "int": 0, "uint32": 0, "time.Duration": "", "[]string": []}


@dataclass
class Case:
    name: str
    test: str
    input: str  # path in the repository
    golden: str | None
    error: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    skip: str | None = None


def _function(source: str, name: str) -> str | None:
    m = re.search(rf"^func {name}\(t \*testing\.T\) \{{", source, re.M)
    if m is None:
        return None
    start, end = brace_block(source, m.end() - 1)
    return source[start:end]


def read_table(body: str, consts: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The field types and the entries of ``cases := []struct{...}{...}`` in a test function."""
    m = re.search(r"cases := \[\]struct \{", body)
    assert m is not None
    s_start, s_end = brace_block(body, m.end() - 1)
    types = dict(re.findall(r"^\s*(\w+)\s+(\S+)\s*$", body[s_start + 1:s_end - 1], re.M))
    t_start, t_end = brace_block(body, s_end)
    rows = []
    for entry in _split_top(body[t_start + 1:t_end - 1]):
        assert entry.startswith("{"), entry
        row = {k: _ZERO.get(t, None) for k, t in types.items()}
        for item in _split_top(entry[1:-1]):
            key, _, value = item.partition(":")
            row[key.strip()] = go_value(value, consts, {})
        rows.append(row)
    return types, rows


def params_of(body: str, consts: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The test's ``params := &Params{...}`` for one table row (unset fields are Go's zero values)."""
    m = re.search(r"params := &Params\{", body)
    assert m is not None
    start, end = brace_block(body, m.end() - 1)
    params: dict[str, Any] = {}
    for item in _split_top(body[start + 1:end - 1]):
        key, _, value = item.partition(":")
        if value.strip().startswith("&"):
            continue
        params[key.strip()] = go_value(value, consts, row)
    if "if c.imagePullPolicy != \"\"" in body and row.get("imagePullPolicy"):
        params["ImagePullPolicy"] = row["imagePullPolicy"]
    return params


def read_cases(repo: str, tag: str) -> tuple[list[Case], dict[str, Any], str]:
    d = inject_dir(tag)
    test = show(repo, tag, f"{d}/inject_test.go")
    consts = go_constants(show(repo, tag, f"{d}/inject.go"))
    consts.update({"DefaultkubevirtInterfaces": consts.get("DefaultkubevirtInterfaces", "")})
    cases: list[Case] = []
    for func, sub in (("TestIntoResourceFile", "testdata/inject/"), ("TestRewriteAppProbe", "testdata/inject/app_probe/")):
        body = _function(test, func)
        if body is None:
            continue
        _, rows = read_table(body, consts)
        for index, row in enumerate(rows):
            golden = str(row["want"])
            name = golden.removesuffix(".yaml.injected").removesuffix(".injected")
            if func == "TestRewriteAppProbe":
                name = "app_probe-" + name
            if str(row["in"]).endswith(".injected"):
                name += "-reinject"
            row["__params"] = params_of(body, consts, row)
            cases.append(Case(name, f"{func}[{index}]", d + "/" + sub + str(row["in"]), d + "/" + sub + golden,
                              fields=row))
    body = _function(test, "TestInvalidAnnotations")
    if body is not None:
        _, rows = read_table(body, consts)
        for row in rows:
            params = params_of(body.replace("params := newTestParams()", "params := &Params{}"), consts, row) \
                if "params := &Params{" in body else {}
            row["__params"] = params or newtest_params(test, consts)
            name = str(row["in"]).removesuffix(".yaml")
            cases.append(Case(name, "TestInvalidAnnotations", d + "/testdata/inject/" + str(row["in"]), None,
                              error=str(row["annotation"]), fields=row))
    return cases, consts, test


def newtest_params(test: str, consts: dict[str, Any]) -> dict[str, Any]:
    m = re.search(r"func newTestParams\(\) \*Params \{", test)
    if m is None:
        return {"InitImage": f"{HUB}/proxy_init:{TAG}", "ProxyImage": f"{HUB}/proxyv2:{TAG}",
                "ImagePullPolicy": "IfNotPresent", "SidecarProxyUID": 1337}
    start, end = brace_block(test, m.end() - 1)
    return params_of(test[start:end].replace("return &Params{", "params := &Params{"), consts, {})


# ---- deriving the inputs ------------------------------------------------------------------------

def mesh_for(tag: str, row: dict[str, Any]) -> dict[str, Any]:
    mesh = json.loads(json.dumps(MESH_1_0 if minor_of(tag) == 0 else MESH_1_1))
    pc = mesh["defaultConfig"]
    if row.get("duration"):
        for key in ("drainDuration", "parentShutdownDuration", "connectTimeout"):
            pc[key] = row["duration"]
        if minor_of(tag) == 0:
            pc["discoveryRefreshDelay"] = row["duration"]
    pc["interceptionMode"] = "TPROXY" if row.get("tproxy") else "REDIRECT"
    if minor_of(tag) == 0 and row.get("enableAuth"):
        mesh["authPolicy"] = "MUTUAL_TLS"
    return mesh


#: Go's zero values of the Params fields parameterizedTemplate reads (a test leaves most unset).
PARAMS_ZERO: dict[str, Any] = {
    "InitImage": "", "ProxyImage": "", "ImagePullPolicy": "", "SidecarProxyUID": 0, "Verbosity": 0, "Version": "",
    "DebugMode": False, "Privileged": False, "EnableCoreDump": False, "SDSEnabled": False,
    "EnableSdsTokenMount": False, "RewriteAppHTTPProbe": False, "IncludeIPRanges": "", "ExcludeIPRanges": "",
    "IncludeInboundPorts": "", "ExcludeInboundPorts": "", "KubevirtInterfaces": "", "StatusPort": 0,
    "ReadinessInitialDelaySeconds": 0, "ReadinessPeriodSeconds": 0, "ReadinessFailureThreshold": 0,
}


def parameterized_template(repo: str, tag: str, params: dict[str, Any]) -> str:
    """1.0–1.1: GenerateTemplateFromParams, run by pyinject's Go template engine on the same fields."""
    d = inject_dir(tag)
    source = show(repo, tag, f"{d}/mesh.go")
    m = re.search(r"parameterizedTemplate = `(.*?)`", source, re.S)
    assert m is not None
    data = {**PARAMS_ZERO, **params}
    return str(parse_go_template(m.group(1), "inject").execute(data))


def _helm_value(value: Any) -> str:
    """What intoHelmValues + escapeHelmValue hand to strvals."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        if not value:
            return ""
        inner = ",".join(str(v) for v in value)
        for ch in "{}.=":
            inner = inner.replace(ch, "\\" + ch)
        return "{" + inner + "}"
    else:
        text = "" if value is None else str(value)
    for ch in ",.=":
        text = text.replace(ch, "\\" + ch)
    return text


def helm_sets(repo: str, tag: str, params: dict[str, Any]) -> list[str]:
    """``--set path=value`` for each entry of the tag's Params.intoHelmValues."""
    source = show(repo, tag, f"{inject_dir(tag)}/inject.go")
    m = re.search(r"func \(p \*Params\) intoHelmValues\(\) map\[string\]string \{", source)
    assert m is not None
    start, end = brace_block(source, m.end() - 1)
    sets = []
    for path, expr in re.findall(r'"([\w.]+)":\s*([^\n]+?),\s*$', source[start:end], re.M):
        fm = re.search(r"p\.(\w+)", expr)
        assert fm is not None, expr
        value = params.get(fm.group(1))
        if value is None:
            value = False if "FormatBool" in expr else (0 if "Itoa" in expr else ([] if "getHelmValue" in expr else ""))
        sets += ["--set", f"{path}={_helm_value(value)}"]
    return sets


def helm_configmap(repo: str, tag: str, helm: str, sets: list[str], workdir: Path) -> tuple[str, str]:
    """``data.config`` and ``data.values`` of the chart's istio-sidecar-injector ConfigMap."""
    chart = workdir / "chart" / CHART
    if not chart.exists():
        archive = git(repo, "archive", tag, CHART)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(workdir / "chart", filter="data")
        # Helm 3 cannot render some of the other templates of these charts; only the ConfigMap is needed.
        for path in chart.rglob("templates/*"):
            if path.is_file() and not path.name.startswith("_") and path.relative_to(chart).as_posix() != CONFIGMAP:
                path.unlink()
    out = subprocess.run([helm, "template", "istio", str(chart), "--namespace", "istio-system",
                          "--show-only", CONFIGMAP, *sets], capture_output=True, text=True, check=True).stdout
    data = YAML(typ="safe").load(out)["data"]
    return str(data["config"]), str(data.get("values") or "{}")


# ---- running and judging ------------------------------------------------------------------------

@dataclass
class Outcome:
    status: str  # PASS FAIL SKIP
    reason: str = ""
    byte_identical: bool = False
    diff: str = ""


def run(cmd: list[str], args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd + ["kube-inject", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def judge(case: Case, folder: Path, cmd: list[str], extra: list[str]) -> Outcome:
    args = ["-f", "input.yaml", "--injectConfigFile", "inject-config.yaml", "--valuesFile", "values.json",
            "--meshConfigFile", "mesh.yaml", *extra]
    proc = run(cmd, args, folder)
    if case.error is not None:
        ok = proc.returncode != 0 and case.error in proc.stderr.lower() and not proc.stdout.strip()
        return Outcome("PASS" if ok else "FAIL", "" if ok else f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}")
    if proc.returncode != 0:
        return Outcome("FAIL", f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    expected = (folder / "expected.yaml").read_text()
    want, got = normalized_documents(expected), normalized_documents(proc.stdout)
    if want != got:
        dump = YAML(typ="safe", pure=True)
        dump.default_flow_style = False

        def text(docs: list[Any]) -> list[str]:
            buf = io.StringIO()
            dump.dump_all(docs, buf)
            return buf.getvalue().splitlines()
        diff = "\n".join(difflib.unified_diff(text(want), text(got), "expected", "got", lineterm="", n=2))
        return Outcome("FAIL", "output differs", diff=diff)
    style = run(cmd, args + ["--output-style", "istioctl"], folder)
    return Outcome("PASS", byte_identical=style.returncode == 0 and style.stdout == expected)


def build_case(repo: str, tag: str, case: Case, helm: str | None, workdir: Path) -> Path:
    folder = workdir / "cases" / case.name
    folder.mkdir(parents=True, exist_ok=True)
    params = dict(case.fields["__params"])
    if minor_of(tag) <= 1:
        template = parameterized_template(repo, tag, params)
        config = "policy: enabled\ntemplate: |-\n" + "".join(
            f"  {line}\n" if line else "\n" for line in template.strip("\n").split("\n"))
        values = "{}"
    else:
        if helm is None:
            raise SystemExit("releases 1.2 and later need Helm: --helm PATH or HELM=PATH")
        config, values = helm_configmap(repo, tag, helm, helm_sets(repo, tag, params), workdir)
    loaded = YAML(typ="safe").load(config)
    template = str(loaded.get("template") or "")
    (folder / "inject-config.yaml").write_text(config)
    (folder / "values.json").write_text(values)
    buf = io.StringIO()
    YAML(typ="safe", pure=True).dump(mesh_for(tag, case.fields), buf)
    (folder / "mesh.yaml").write_text(buf.getvalue())
    (folder / "input.yaml").write_text(show(repo, tag, case.input))
    if case.golden is not None:
        golden = show(repo, tag, case.golden)
        if case.golden != case.input:
            # The test compared with the version stripped; istioctl prints the template's hash (the app_probe
            # goldens' unstripped hashes are of templates older than the tag's, so they are replaced too).
            version = hashlib.sha256(template.encode()).hexdigest()
            golden = STATUS_VERSION.sub(lambda m: m.group(1) + version + m.group(3), golden)
        (folder / "expected.yaml").write_text(golden)
    return folder


def check_tag(repo: str, tag: str, args: argparse.Namespace) -> tuple[int, int, int, int]:
    minor = minor_of(tag)
    if minor > 4:
        raise SystemExit(f"{tag}: only 1.0–1.4 tests are derived (the operator-rendered 1.5+ corpora are separate)")
    cases, _, _ = read_cases(repo, tag)
    workdir = Path(args.keep) / tag if args.keep else Path(tempfile.mkdtemp(prefix=f"legacy-{tag}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = shlex.split(args.cmd)
    model = args.model or f"1.{minor}"
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    identical = 0
    seen: set[str] = set()
    try:
        for case in cases:
            if case.name in seen:
                case.name += f"-{case.test.split('[')[-1].rstrip(']')}"
            seen.add(case.name)
            try:
                folder = build_case(repo, tag, case, args.helm, workdir)
            except subprocess.CalledProcessError as err:
                outcome = Outcome("SKIP", f"inputs not derivable: {(err.stderr or b'')[-200:]!r}")
            else:
                outcome = judge(case, folder, cmd, ["--istio-version", model])
            counts[outcome.status] += 1
            identical += outcome.byte_identical
            mark = " =" if outcome.byte_identical else ""
            print(f"{outcome.status} {case.name}{mark} {outcome.reason}".rstrip())
            if outcome.diff and (case.name in args.diff or "all" in args.diff):
                print(outcome.diff)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{tag} (model {model}): {counts['PASS']} pass, {counts['FAIL']} fail, {counts['SKIP']} skip; "
          f"{identical} of {counts['PASS']} byte-identical (istioctl style)")
    return counts["PASS"], counts["FAIL"], counts["SKIP"], identical


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("--tag", action="append", required=True)
    parser.add_argument("--helm", default=os.environ.get("HELM"), help="Helm 3 binary (default: $HELM)")
    parser.add_argument("--cmd", default="pyinject", help="the command to judge (shell-split)")
    parser.add_argument("--model", help="--istio-version to pass (default: the tag's minor release)")
    parser.add_argument("--diff", action="append", default=[], help="print the diff of this case ('all')")
    parser.add_argument("--keep", help="write the derived cases under this folder and keep them")
    args = parser.parse_args()
    for tag in args.tag:
        check_tag(args.repo, tag, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
