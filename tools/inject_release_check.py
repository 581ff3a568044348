#!/usr/bin/env python3
"""Replay an Istio tag's own kube-inject golden tests through pyinject and count the matches.

Usage:
    python tools/inject_release_check.py ISTIO_GIT_DIR --tag 1.22.8 [--tag ...] [--helm HELM]
        [--model 1.22] [--case REGEX] [--diff] [--json OUT]
    HELM=/path/to/helm python tools/inject_release_check.py ISTIO_GIT_DIR --tag 1.5.0 --tag 1.5.10 \
        --tag 1.6.14 --tag 1.7.8 --tag 1.8.6

ISTIO_GIT_DIR is a clone (bare or not) of github.com/istio/istio; tags 1.5 and
later are understood (1.0–1.4: tools/legacy_release_check.py).  For each tag,
the kube-inject tables of ``pkg/kube/inject/inject_test.go`` are read
(tools/inject_tables.py: ``TestInjection`` plus the inputs it discovers on its
own from 1.8, ``TestIntoResourceFile`` / ``TestRewriteAppProbe`` /
``TestInvalidAnnotations`` in 1.5–1.7), and each case's cluster ConfigMaps are
derived the way the test did:

- tags that check in the test's rendered settings (``testdata/inputs/*.gen.yaml``)
  use them as they are;
- the others render the istiod chart with ``helm template`` (``--helm`` or
  ``$HELM``): the chart and profiles the test's operator read (the operator
  test's data-snapshot in 1.6–1.7, ``manifests/`` otherwise), the default
  profile's hub, tag and values, the translator's ``global.<x>Namespace``
  values, and the case's ``setFlags`` / IstioOperator file (1.5: its inline
  ``values`` overlay) turned into Helm values.

The MeshConfig is the rendered ``istio`` ConfigMap's where the test used it
(1.7 on); 1.5–1.6 handed kube-inject ``mesh.DefaultMeshConfig()``, which is an
empty mesh file, except that 1.6's tests set ``mesh.TestMode`` and so ran on
its test defaults (``TEST_MODE_MESH``).  1.5's test function never ran the
cases' ``mesh`` closures, so neither does the replay (a NOTE line says so).

A case's MeshConfig closure is translated when its statements are known
(interception mode, durations, proxy metadata, tracing, inbound policy) and its
environment set-up when it only sets feature flags; anything else is skipped and
counted.  ``pyinject kube-inject --istio-version X.Y`` runs in-process on the
test's input twice: default style, judged by the conformance corpora's semantic
equality, and ``--output-style istioctl``, whose output is also checked for
byte-identity with the golden.  An offline istioctl has no cluster nodes, so
where the test's fake nodes turned native sidecars on, ENABLE_NATIVE_SIDECARS=true
is set (the corpora do the same).

Not a unit test: it needs the Istio history and Helm, which the repository does
not carry.  Prints one line per failing or skipped case, then per tag
``TAG model M: default P pass F fail S skip; istioctl P pass (B byte-identical)``.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402

from corpus_judge import normalized_documents  # noqa: E402
from go_source import git, show  # noqa: E402
from inject_tables import Case, parse_cases  # noqa: E402
from pyinject.cli.commands import cli as pyinject_main  # noqa: E402

INJECT = "pkg/kube/inject"
#: The operator's charts and profiles a test rendered with: the operator test's data-snapshot
#: (1.6-1.7 pass it as installPackagePath), the tag's manifests/ (1.8 on), or the compiled-in
#: copy of manifests/ and operator/data/ (1.5).
_PACKAGES = (
    ("operator/cmd/mesh/testdata/manifest-generate/data-snapshot/charts",
     "operator/cmd/mesh/testdata/manifest-generate/data-snapshot/profiles"),
    ("manifests/charts", "manifests/profiles"),
    ("manifests", "operator/data/profiles"),
)
#: What 1.6's DefaultMeshConfig() under ``mesh.TestMode`` (set by its inject tests) has that
#: istioctl's own defaults have not, as a mesh file: no SDS socket (so no pod fsGroup), no
#: concurrency (the template's ``--concurrency`` then comes from the CPU limit), an access log,
#: 1.5's protocol detection timeout, no auto mTLS.  Its other ProxyConfig differences (discovery
#: address, no tracer) reach the output only through ``protoToJSON``, which blanks fields equal to
#: the defaults in use, so they print nothing either way and are left out.
TEST_MODE_MESH = {
    "accessLogFile": "/dev/stdout", "sdsUdsPath": "", "protocolDetectionTimeout": "0.100s",
    "enableAutoMtls": False, "disableMixerHttpReports": False, "defaultConfig": {"concurrency": 0},
}
STATUS_VERSION = re.compile(r"""sidecar\.istio\.io/status: '\{"version":"([0-9a-f]+)",""")


def ls(repo: str, tag: str, folder: str) -> list[str]:
    out = git(repo, "ls-tree", "--name-only", f"{tag}:{folder}").decode()
    return out.split()


# --- the test's closures, as mesh overlays and environment ----------------------------------------

_MESH_STATEMENTS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"m\.DefaultConfig\.InterceptionMode = meshapi\.ProxyConfig_(\w+)"),
     lambda g: {"defaultConfig": {"interceptionMode": g[0]}}),
    (re.compile(r"m\.DefaultConfig\.(\w+)Duration = \w+\.(?:New|DurationProto)\(time\.Second \* (\d+)\)"),
     lambda g: {"defaultConfig": {g[0][0].lower() + g[0][1:] + "Duration": g[1] + "s"}}),
    (re.compile(r'm\.DefaultConfig\.ProxyMetadata\["(\w+)"\] = "([^"]*)"'),
     lambda g: {"defaultConfig": {"proxyMetadata": {g[0]: g[1]}}}),
    (re.compile(r"m\.DefaultConfig\.Tracing = &meshapi\.Tracing\{\}"), lambda g: {"defaultConfig": {"tracing": {}}}),
    (re.compile(r"m\.InboundTrafficPolicy = &meshapi\.MeshConfig_InboundTrafficPolicy\{\s*Mode: "
                r"meshapi\.MeshConfig_InboundTrafficPolicy_(\w+),?\s*\}"),
     lambda g: {"inboundTrafficPolicy": {"mode": g[0]}}),
    (re.compile(r"m\.DefaultConfig\.HoldApplicationUntilProxyStarts = (?:&types\.BoolValue\{Value: |wrappers\.Bool\(|"
                r"wrapperspb\.Bool\()true[)}]"),
     lambda g: {"defaultConfig": {"holdApplicationUntilProxyStarts": True}}),
    (re.compile(r"if m\.DefaultConfig\.ProxyMetadata == nil \{\s*m\.DefaultConfig\.ProxyMetadata = "
                r"map\[string\]string\{\}\s*\}"), lambda g: {}),
    (re.compile(r"m\.DefaultConfig\.ProxyMetadata = map\[string\]string\{\}"), lambda g: {}),
]

_FEATURE_ENV = {"EnableNativeSidecars": "ENABLE_NATIVE_SIDECARS",
                "EnableLegacyFSGroupInjection": "ENABLE_LEGACY_FSGROUP_INJECTION",
                "RewriteTCPProbes": "REWRITE_TCP_PROBES"}
_ENV_STATEMENTS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"test\.SetForTest\(t, &features\.(\w+), features\.NativeSidecarMode(\w+)\)"),
     lambda g: (_FEATURE_ENV.get(g[0], ""), "true" if g[1] == "Enabled" else "false")),
    (re.compile(r"test\.Set(?:Bool)?ForTest\(t, &features\.(\w+), (true|false)\)"),
     lambda g: (_FEATURE_ENV.get(g[0], ""), g[1])),
    (re.compile(r"features\.(\w+) = (true|false)"), lambda g: (_FEATURE_ENV.get(g[0], ""), g[1])),
    (re.compile(r'test\.SetEnvForTest\(t, features\.(\w+)\.Name, "(\w*)"\)'),
     lambda g: (_FEATURE_ENV.get(g[0], ""), g[1])),
    (re.compile(r'(?:test\.SetEnvForTest\(t, |os\.Setenv\()"(\w+)", "(\w*)"\)'), lambda g: (g[0], g[1])),
    (re.compile(r"test\.SetEnvForTest\(t, platform\.Platform\.Name, platform\.OpenShift\)"),
     lambda g: ("PLATFORM", "openshift")),
]


def _translate(body: str, table: list[tuple[re.Pattern[str], Any]]) -> list[Any] | None:
    """What each statement of a closure body means; None when one is not understood."""
    rest = body.strip()[1:-1]
    out = []
    while rest.strip():
        rest = rest.strip()
        if rest.startswith("//"):
            rest = rest[rest.index("\n"):] if "\n" in rest else ""
            continue
        for pattern, meaning in table:
            m = pattern.match(rest)
            if m:
                out.append(meaning(m.groups()))
                rest = rest[m.end():]
                break
        else:
            return None
    return out


def merge(into: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for k, v in over.items():
        if isinstance(v, dict) and v and isinstance(into.get(k), dict):
            merge(into[k], v)
        else:
            into[k] = v
    return into


# --- the cluster's ConfigMaps -----------------------------------------------------------------------

class Settings:
    """The three exported ConfigMap texts for each case of one tag."""

    def __init__(self, repo: str, tag: str, helm: str | None, work: Path) -> None:
        self.repo, self.tag, self.helm, self.work = repo, tag, helm, work
        self.checked_in = set(ls(repo, tag, f"{INJECT}/testdata/inputs")) if _has(repo, tag, f"{INJECT}/testdata/inputs") else set()
        self.cache: dict[tuple[tuple[str, ...], str, str], tuple[str, str, str]] = {}
        self.chart: Path | None = None
        self.package, self.profile = install_package(repo, tag)

    def get(self, case: Case) -> tuple[str, str, str] | str:
        if self.checked_in:
            name = f"{case.input}.{case.index}" if case.set_flags or case.iop else "default"
            files = [f"{name}.{part}.gen.yaml" for part in ("template", "values", "mesh")]
            if not all(f in self.checked_in for f in files):
                return f"no checked-in settings {name}"
            t, v, m = (show(self.repo, self.tag, f"{INJECT}/testdata/inputs/{f}") for f in files)
            return t, v, m
        if not self.helm:
            return "needs --helm"
        key = (tuple(case.set_flags), case.iop, case.values)
        if key not in self.cache:
            self.cache[key] = self._render(case)
        config, values, mesh = self.cache[key]
        # Before 1.7 the tests handed kube-inject mesh.DefaultMeshConfig(), not the rendered mesh:
        # an empty mesh file, which istioctl applies over its built-in defaults, says the same.
        if not case.mesh_from_chart:
            mesh = json.dumps(TEST_MODE_MESH) if case.test_mode else ""
        return config, values, mesh

    def _render(self, case: Case) -> tuple[str, str, str]:
        if self.chart is None:
            archive = git(self.repo, "archive", self.tag, self.package)
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(self.work / "chart", filter="data")
            self.chart = self.work / "chart" / self.package
            # The operator's renderer dropped the chart's ``key:`` (null) defaults; Helm keeps
            # them, and ``mergeOverwrite`` would then null the mesh's rootNamespace and the like.
            defaults = _yaml((self.chart / "values.yaml").read_text()) or {}
            (self.chart / "values.yaml").write_text(json.dumps(_strip_nulls(defaults), indent=1))
        # components.cni.enabled: the operator set istio_cni.enabled before 1.24, the chart's pilot.cni since.
        cni_key = "istio_cni" if int(self.tag.split(".")[1]) < 24 else "pilot.cni"
        profile = _yaml(show(self.repo, self.tag, self.profile))["spec"]
        base: dict[str, Any] = {"global": {"hub": profile.get("hub"), "tag": profile.get("tag")}}
        for key in global_namespaces(self.repo, self.tag):
            base["global"][key] = "istio-system"
        merge(base, profile.get("values") or {})
        if profile.get("meshConfig"):
            merge(base, {"meshConfig": profile["meshConfig"]})
        flags = list(case.set_flags)
        specs = [_yaml(show(self.repo, self.tag, f"{INJECT}/testdata/inject/{case.iop}"))["spec"]] if case.iop else []
        if case.values:
            specs.append(_yaml(case.values) or {})
        for spec in specs:
            merge(base, spec.get("values") or {})
            if spec.get("meshConfig"):
                merge(base, {"meshConfig": spec["meshConfig"]})
            cni = ((spec.get("components") or {}).get("cni") or {}).get("enabled")
            if cni is not None:
                flags.insert(0, f"components.cni.enabled={str(cni).lower()}")
        args = []
        for flag in flags:
            path, _, value = flag.partition("=")
            if path == "components.cni.enabled":
                path = f"values.{cni_key}.enabled"
            if path.startswith("values.cni.") and cni_key == "pilot.cni":
                path = "values.pilot.cni." + path[len("values.cni."):]
            path = path.removeprefix("values.")
            args += ["--set-json", f"{path}={json.dumps(_typed(value))}"]
        vfile = self.work / f"values-{len(self.cache)}.json"
        vfile.write_text(json.dumps(base))
        out = subprocess.run([self.helm, "template", "istiod", str(self.chart), "-n", "istio-system", "-f", str(vfile),
                              *args], capture_output=True, text=True, check=True).stdout
        found: dict[str, str] = {}
        for doc in YAML(typ="safe", pure=True).load_all(out):
            if isinstance(doc, dict) and doc.get("kind") == "ConfigMap":
                name, data = doc["metadata"]["name"], doc.get("data") or {}
                if name.startswith("istio-sidecar-injector"):
                    found["config"], found["values"] = data["config"], data["values"]
                elif name == "istio" or name.startswith("istio-"):
                    found.setdefault("mesh", data.get("mesh", ""))
        return found["config"], found["values"], found.get("mesh", "")



def install_package(repo: str, tag: str) -> tuple[str, str]:
    """The istiod chart folder and default profile the tag's inject test rendered."""
    helpers = show(repo, tag, f"{INJECT}/webhook_test.go")
    for charts, profiles in _PACKAGES:
        if "data-snapshot" in charts and "data-snapshot" not in helpers:
            continue
        chart = f"{charts}/istio-control/istio-discovery"
        if _has(repo, tag, f"{chart}/values.yaml"):
            return chart, f"{profiles}/default.yaml"
    raise SystemExit(f"{tag}: no istio-discovery chart found")


def global_namespaces(repo: str, tag: str) -> list[str]:
    """The ``global.<x>Namespace`` values the operator's translator wrote (each component's namespace).

    Listed in translate.go (1.7 on) or in operator/data/translateConfig/translateConfig-1.N.yaml.
    """
    source = show(repo, tag, "operator/pkg/translate/translate.go") if _has(
        repo, tag, "operator/pkg/translate/translate.go") else ""
    block = re.search(r"GlobalNamespaces: map\[name\.ComponentName\]string\{(.*?)\}", source, re.S)
    if block:
        return re.findall(r'ComponentName:\s*"(\w+)"', block.group(1))
    config = f"operator/data/translateConfig/translateConfig-1.{tag.split('.')[1]}.yaml"
    if _has(repo, tag, config):
        return [str(v) for v in (_yaml(show(repo, tag, config)).get("globalNamespaces") or {}).values()]
    return []


def _strip_nulls(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    return [_strip_nulls(x) for x in v] if isinstance(v, list) else v


def _has(repo: str, tag: str, path: str) -> bool:
    return subprocess.run(["git", "-C", repo, "cat-file", "-e", f"{tag}:{path}"], capture_output=True).returncode == 0


def _typed(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


# --- judging ---------------------------------------------------------------------------------------

def _dump(docs: list[Any]) -> list[str]:
    y = YAML(typ="safe", pure=True)
    y.default_flow_style = False
    y.width = 4096
    buf = io.StringIO()
    y.dump_all(docs, buf)
    return buf.getvalue().splitlines()


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(pyinject_main, args, env=env, catch_exceptions=True)
    return result.exit_code, result.stdout, result.stderr


# --- one tag ----------------------------------------------------------------------------------------

def check_tag(repo: str, tag: str, model: str, helm: str | None, only: re.Pattern[str] | None,
              show_diff: bool) -> dict[str, Any]:
    source = show(repo, tag, f"{INJECT}/inject_test.go")
    files = ls(repo, tag, f"{INJECT}/testdata/inject")
    cases = parse_cases(source, [f for f in files if f.endswith(".injected")], files)
    native_nodes = bool(re.search(r'KubeletVersion:\s*"v1\.(3[3-9]|[4-9]\d)', source))
    totals = {"pass": 0, "fail": 0, "skip": 0, "istioctl_pass": 0, "byte": 0}
    failures: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="inject-release-") as tmp:
        work = Path(tmp)
        settings = Settings(repo, tag, helm, work)
        for case in cases:
            name = case.name
            if only and not only.search(name):
                continue
            reason = _skip_reason(case)
            env: dict[str, str] = {"ENABLE_NATIVE_SIDECARS": "true"} if native_nodes else {}
            overlay: dict[str, Any] = {}
            if case.mesh and not case.apply_mesh:
                print(f"NOTE {tag} {name}: the test function never runs this case's mesh closure")
            if not reason and case.mesh and case.apply_mesh:
                parts = _translate(case.mesh, _MESH_STATEMENTS)
                if parts is None:
                    reason = "mesh closure not translated"
                else:
                    for part in parts:
                        merge(overlay, part)
            if not reason and case.setup:
                pairs = _translate(case.setup, _ENV_STATEMENTS)
                if pairs is None or any(not k for k, _ in pairs):
                    reason = "setup not translated"
                else:
                    env.update(dict(pairs))
            got = settings.get(case) if not reason else reason
            if isinstance(got, str):
                totals["skip"] += 1
                print(f"SKIP {tag} {name}: {got}")
                continue
            template, values, mesh = got
            if overlay:
                mesh_doc = _yaml(mesh) or {}
                buf = io.StringIO()
                YAML(typ="safe", pure=True).dump(merge(mesh_doc, overlay), buf)
                mesh = buf.getvalue()
            paths = {}
            for part, text in (("config", template), ("values", values), ("mesh", mesh)):
                paths[part] = work / f"{part}.yaml"
                paths[part].write_text(text)
            inp = work / "input.yaml"
            folder = f"{INJECT}/testdata/inject/" + (f"{case.folder}/" if case.folder else "")
            inp.write_bytes(git(repo, "show", f"{tag}:{folder}{case.input}"))
            argv = ["kube-inject", "-f", str(inp), "--injectConfigFile", str(paths["config"]), "--valuesFile",
                    str(paths["values"]), "--meshConfigFile", str(paths["mesh"]), "--istio-version", model]
            want = "" if case.error else _strip_version(show(repo, tag, folder + case.want))
            ok_default, diff = _judge(case, run(argv, env), want)
            istioctl_run = run([*argv, "--output-style", "istioctl"], env)
            ok_istioctl, byte = _judge(case, istioctl_run, want, exact=True)
            if ok_istioctl and byte is False:
                print(f"BYTES {tag} {name}: {_first_difference(istioctl_run[1], want)}")
            totals["pass" if ok_default else "fail"] += 1
            totals["istioctl_pass"] += ok_istioctl
            totals["byte"] += byte is True
            if not ok_default or not ok_istioctl:
                print(f"FAIL {tag} {name}{'' if ok_default else ' (default style)'}"
                      f"{'' if ok_istioctl else ' (istioctl style)'}")
                failures[name] = diff if isinstance(diff, list) else []
                if show_diff and isinstance(diff, list):
                    print("\n".join(diff[:80]))
    print(f"{tag} model {model}: default {totals['pass']} pass {totals['fail']} fail {totals['skip']} skip; "
          f"istioctl {totals['istioctl_pass']} pass ({totals['byte']} byte-identical)")
    return {"tag": tag, "model": model, **totals, "failures": failures}


def _skip_reason(case: Case) -> str:
    if case.skip_injection:
        return "skipInjection (webhook-only)"
    if not case.input:
        return "no input in the table entry"
    return ""


def _judge(case: Case, result: tuple[int, str, str], want: str, exact: bool = False) -> tuple[bool, Any]:
    code, out, err = result
    if case.error:
        ok = code != 0 and case.error.lower() in err.lower() and not out.strip()
        return ok, ([f"exit {code}: {err.strip()[:300]}"] if not ok else None)
    if code != 0:
        return False, [f"exit {code}: {err.strip()[:300]}"]
    out = _strip_version(out)
    try:
        got_docs, want_docs = normalized_documents(out), normalized_documents(want)
    except Exception as exc:  # noqa: BLE001 - a measurement: report, keep going
        return False, [f"unparsable output: {exc}"]
    if got_docs != want_docs:
        return False, list(difflib.unified_diff(_dump(want_docs), _dump(got_docs), "golden", "pyinject", lineterm="", n=1))
    return True, (out == want) if exact else None


def _strip_version(text: str) -> str:
    """What the tests compared: the status annotation's template hash blanked (some goldens keep one)."""
    return STATUS_VERSION.sub("sidecar.istio.io/status: '{\"version\":\"\",", text)


def _first_difference(got: str, want: str) -> str:
    for number, (a, b) in enumerate(zip(got.splitlines(), want.splitlines()), 1):
        if a != b:
            return f"line {number}: golden {b.strip()[:70]!r}, pyinject {a.strip()[:70]!r}"
    return f"{len(got.splitlines())} lines vs the golden's {len(want.splitlines())}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", help="git directory of github.com/istio/istio")
    parser.add_argument("--tag", action="append", required=True)
    parser.add_argument("--model", help="--istio-version to run (default: the tag's X.Y)")
    parser.add_argument("--helm", default=os.environ.get("HELM"), help="helm binary (default: $HELM)")
    parser.add_argument("--case", help="regex on the golden's name")
    parser.add_argument("--diff", action="store_true")
    parser.add_argument("--json", help="write per-tag results here")
    opts = parser.parse_args()
    results = []
    for tag in opts.tag:
        model = opts.model or ".".join(tag.split(".")[:2])
        results.append(check_tag(opts.repo, tag, model, opts.helm, re.compile(opts.case) if opts.case else None,
                                 opts.diff))
    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
