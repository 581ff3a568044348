"""The embedded templates compiled to Python (render/jinja_compiled.py) against Jinja2 itself.

The compiled module must be current (regenerating it gives the same file), must
refuse any template outside its subset, and must render byte for byte what
Jinja2 renders, with the same guards in abstract renders: over every native-mode
case of the conformance corpus, a few hundred generated pods, and contexts with
odd values that steer every branch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from ruamel.yaml import YAML

from pyinject.config.inject_config import templates_dir
from pyinject.errors import TemplateExecError
from pyinject.model import TemplateContext
from pyinject.render import holes, jinja as jinja_entry
from pyinject.render.jinja import CompiledTemplates, _run, compile_jinja_templates, load_jinja_templates
from pyinject.render.jinja_aot import OUTPUT, CompileError, compile_sources, generate
from pyinject.render.jinja_env import JinjaTemplates
from pyinject.render.jinja_vars import template_variables
from pyinject.sandbox.limits import RenderLimits, rendering
from tests.conftest import REPO
from tests.unit.render.test_jinja import STOCK_VALUES, values_with

TEMPLATES = Path(templates_dir())
CONFIG = yaml.safe_load((TEMPLATES / "inject-config.yaml").read_text())
CORPUS = REPO.parent / "shared" / "conformance" / "istio-1.30" / "cases"
NAMES = tuple(CONFIG["templates"])


# --------------------------------------------------------------------------
# The generated module and the compiler


def test_compiled_module_is_current() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == generate(TEMPLATES), (
        "pyinject/render/jinja_compiled.py is stale: run python -m pyinject.render.jinja_aot")


@pytest.mark.parametrize("text", [
    "{{ x + 1 }}",
    "{% for i in items %}{{ loop.index }}{% endfor %}",
    "{% for i in items %}{% else %}none{% endfor %}",
    '{% include "_proxy.j2" %}',
    "{{ x | upper }}",
    "{{ x is defined }}",
    "{{ x[1:2] }}",
    "{{ go_eq }}",
    "{{ go_eq(a, b=c) }}",
    "{{ undefined_function(1) }}",
    "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}",
    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}",
    "{% macro m(a=x) %}{{ a }}{% endmacro %}{{ m() }}",
    "{{ y }}{% set y = 1 %}",
    "{% set annotations = {} %}",
    "{% set y = 1 %}{% for i in items %}{% set y = i %}{% endfor %}",
    "{% set y = 1 %}{% macro m() %}{{ y }}{% endmacro %}{{ m() }}",
    "{{ 'a' if x }}",
    "{% filter upper %}x{% endfilter %}",
    "{% with a = 1 %}{{ a }}{% endwith %}",
    '{% import "_proxy.j2" as common %}{{ common.image(1) }}',
    '{% import "_proxy.j2" as common with context %}{{ common.image }}',
    '{% import "_proxy.j2" as common with context %}{{ common.nothing() }}',
    '{% if x %}{% macro m() %}{% endmacro %}{% endif %}',
    "{{ x.y(1) }}",
])
def test_compiler_refuses_what_it_does_not_compile(text: str) -> None:
    sources = {"t.j2": text, "_proxy.j2": (TEMPLATES / "_proxy.j2").read_text()}
    with pytest.raises(CompileError):
        compile_sources(sources.__getitem__, ["t.j2"])


def test_an_imported_template_holds_only_macros() -> None:
    sources = {"t.j2": '{% import "lib.j2" as lib with context %}{{ lib.m() }}',
               "lib.j2": "{% set x = 1 %}{% macro m() %}{% endmacro %}"}
    with pytest.raises(CompileError, match="only macros"):
        compile_sources(sources.__getitem__, ["t.j2"])


# --------------------------------------------------------------------------
# Which templates take the compiled path


def test_embedded_templates_compile_and_users_do_not() -> None:
    assert isinstance(load_jinja_templates(TEMPLATES, CONFIG["templates"]), CompiledTemplates)
    texts = {name: (TEMPLATES / file).read_text() for name, file in CONFIG["templates"].items()}
    assert isinstance(load_jinja_templates(TEMPLATES, texts), CompiledTemplates)
    assert isinstance(load_jinja_templates(TEMPLATES, CONFIG["templates"], compiled=False), JinjaTemplates)
    # An edited template, or one read from another folder, is Jinja2's.
    edited = dict(texts, sidecar=texts["sidecar"] + "# edited\n")
    assert isinstance(load_jinja_templates(TEMPLATES, edited), JinjaTemplates)
    assert isinstance(compile_jinja_templates(texts, TEMPLATES), JinjaTemplates)


def test_an_edited_import_falls_back_to_jinja(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyinject.render import jinja_compiled

    monkeypatch.setitem(jinja_compiled.SOURCES, "_proxy.j2", "0" * 64)
    assert isinstance(load_jinja_templates(TEMPLATES, CONFIG["templates"]), JinjaTemplates)


def test_copied_templates_elsewhere_render_with_jinja(tmp_path: Path) -> None:
    for file in TEMPLATES.glob("*.j2"):
        (tmp_path / file.name).write_bytes(file.read_bytes())
    assert isinstance(load_jinja_templates(tmp_path, CONFIG["templates"]), JinjaTemplates)


@pytest.mark.parametrize("manifest", ["examples/bookinfo/bookinfo.yaml"])
def test_a_default_run_never_imports_jinja2(manifest: str) -> None:
    code = ("import sys, runpy; sys.argv = ['pyinject', 'kube-inject', '-q', '-f', sys.argv[1]];"
            "import pyinject.cli as c\n"
            "try:\n    c.main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jinja2'), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(REPO / manifest)], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert "kind: Deployment" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"


# --------------------------------------------------------------------------
# Byte for byte: both back ends on the same contexts


class Differ:
    """Renders every pod with both back ends and compares them (the compiled one never falls back)."""

    def __init__(self) -> None:
        self.compared = 0
        self.abstract = 0
        self.refused: list[str] = []

    def render(self, renderer: CompiledTemplates, name: str, ctx: TemplateContext) -> str:
        jinja = renderer.jinja()
        try:
            expected: str | None = jinja.render(name, ctx)
        except TemplateExecError:
            expected = None
        try:
            with rendering(name, renderer.limits) as budget:
                got: str | None = _run(renderer.refs[name], template_variables(ctx), budget)
        except Exception as err:  # noqa: BLE001 - a refusal is Jinja2's to render
            got = None
            if expected is not None:
                self.refused.append(f"{name}: {err!r}")
        if got is not None:
            assert got == expected
        self.compared += 1
        return jinja.render(name, ctx)

    def render_variables(self, renderer: CompiledTemplates, name: str, variables: dict[str, Any]) -> str:
        recorder = holes.active()
        assert recorder is not None
        state = (list(recorder.guards), recorder.printed, dict(recorder.counts))
        compiled = _outcome(lambda: _run(renderer.refs[name], variables, None))
        after = (list(recorder.guards), recorder.printed, dict(recorder.counts))
        recorder.guards[:], recorder.printed, recorder.counts = state[0], state[1], dict(state[2])
        expected = _outcome(lambda: renderer.jinja().render_variables(name, variables))
        if compiled[0] != "error" or expected[0] != "error":
            assert compiled == expected
            assert after[1:] == (recorder.printed, recorder.counts)
            assert [_guard(g) for g in after[0]] == [_guard(g) for g in recorder.guards]
        self.abstract += 1
        if expected[0] == "observed":
            raise holes.Observed("as Jinja2 did")
        if expected[0] == "error":
            raise RuntimeError("as Jinja2 did")
        return str(expected[1])


def _outcome(run: Callable[[], str]) -> tuple[str, str]:
    try:
        return "text", run()
    except holes.Observed:
        return "observed", ""
    except Exception:  # noqa: BLE001 - failures of either back end compare by kind only
        return "error", ""


#: Jinja's own functions and their compiled counterparts.
_SAME_FUNCTION = {"_join": "join", "test_none": "is_none", "do_lower": "lower"}


def _guard(guard: Any) -> Any:
    (fn, method, args, kwargs), result = guard
    name = getattr(fn, "__name__", repr(fn))
    recipes = tuple(a for a in args if not (a[0] == "const" and type(a[1]).__name__ in ("EvalContext", "Context")))
    return _SAME_FUNCTION.get(name, name), method, recipes, kwargs, holes._frozen(result)


@pytest.fixture
def differ(monkeypatch: pytest.MonkeyPatch) -> Iterator[Differ]:
    checker = Differ()
    monkeypatch.setattr(CompiledTemplates, "render", lambda self, name, ctx: checker.render(self, name, ctx))
    monkeypatch.setattr(CompiledTemplates, "render_variables",
                        lambda self, name, variables: checker.render_variables(self, name, variables))
    yield checker
    assert not checker.refused


def corpus_cases() -> list[Any]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"conformance corpus not found at {CORPUS}"))]
    specs = {folder: YAML(typ="safe", pure=True).load((folder / "case.yaml").read_text())
             for folder in sorted(CORPUS.iterdir())}
    # Error cases too: what renders before the error must render alike.
    return [pytest.param((folder, spec), id=folder.name) for folder, spec in specs.items()
            if spec.get("native") is not None]


@pytest.mark.parametrize("case", corpus_cases())
def test_corpus_renders_alike(case: tuple[Path, dict[str, Any]], differ: Differ, run_cli,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder, spec = case
    monkeypatch.chdir(folder)
    for key, value in (spec.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))
    run_cli("kube-inject", "-f", "input.yaml", "-q", *[str(a) for a in spec["native"]])


def test_generated_pods_render_alike(differ: Differ, run_cli, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import write_manifest  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    write_manifest(tmp_path / "mix.yaml", 300)
    write_manifest(tmp_path / "names.yaml", 60, "names")
    for manifest in ("mix.yaml", "names.yaml"):
        done = run_cli("kube-inject", "-q", "-f", str(tmp_path / manifest))
        assert done.exit_code == 0, done.stderr
    assert differ.compared >= 300
    assert differ.abstract >= 1, differ.abstract  # pods that differ only in names render abstractly


# --------------------------------------------------------------------------
# Odd contexts: every branch, missing keys, nulls


def make_ctx(annotations: dict[str, Any] | None = None, labels: dict[str, Any] | None = None,
             values: Any = None, proxy: Any = None, mesh: Any = None, containers: Any = None,
             native: bool = False, **fields: Any) -> TemplateContext:
    if containers is None:
        containers = [{"name": "app", "image": "app:1", "ports": [{"containerPort": 80}]}, {"name": "side"}]
    return TemplateContext(
        type_meta={"apiVersion": "apps/v1", "kind": "Deployment"},
        deployment_meta={"name": "web", "namespace": "shop"},
        object_meta={"labels": labels if labels is not None else {"app": "web"}, "annotations": annotations or {}},
        spec={"containers": containers, "serviceAccountName": fields.pop("sa", "")},
        proxy_config=proxy if proxy is not None else {"discoveryAddress": "istiod.istio-system.svc:15012"},
        mesh_config=mesh if mesh is not None else {"trustDomain": "cluster.local"},
        values=values if values is not None else STOCK_VALUES,
        revision=fields.pop("revision", ""),
        native_sidecars=native,
        proxy_image="docker.io/istio/proxyv2:1.30.3",
        proxy_uid=fields.pop("uid", 1337),
        proxy_gid=fields.pop("uid", 1337),
        inbound_traffic_policy_mode=fields.pop("inbound", "passthrough"),
        compliance_policy=fields.pop("compliance", ""),
    )


ANNOTATIONS = {
    "sidecar.istio.io/interceptionMode": ["TPROXY", "NONE", "REDIRECT"],
    "sidecar.istio.io/capNetBindService": ["true"],
    "sidecar.istio.io/nativeSidecar": ["true", "false"],
    "status.sidecar.istio.io/port": ["0", "15099"],
    "traffic.sidecar.istio.io/includeOutboundIPRanges": ["10.0.0.0/8", ""],
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": ["10.1.0.0/16"],
    "traffic.sidecar.istio.io/includeInboundPorts": ["80,81"],
    "traffic.sidecar.istio.io/excludeInboundPorts": ["9000", ""],
    "traffic.sidecar.istio.io/includeOutboundPorts": ["443"],
    "traffic.sidecar.istio.io/excludeOutboundPorts": ["25"],
    "traffic.sidecar.istio.io/kubevirtInterfaces": ["net1"],
    "istio.io/reroute-virtual-interfaces": ["net2"],
    "traffic.sidecar.istio.io/excludeInterfaces": ["eth9"],
    "sidecar.istio.io/agentLogLevel": ["debug"],
    "sidecar.istio.io/logLevel": ["trace"],
    "sidecar.istio.io/componentLogLevel": ["misc:error"],
    "sidecar.istio.io/proxyImage": ["my.registry/proxy:1", "plain"],
    "sidecar.istio.io/proxyCPU": ["100m"],
    "sidecar.istio.io/proxyMemory": ["1Gi"],
    "sidecar.istio.io/proxyCPULimit": ["2"],
    "sidecar.istio.io/proxyMemoryLimit": ["2Gi"],
    "sidecar.istio.io/bootstrapOverride": ["custom-bootstrap"],
    "sidecar.istio.io/userVolume": ['{"extra":{"emptyDir":{}}}', "not json"],
    "sidecar.istio.io/userVolumeMount": ['{"extra":{"mountPath":"/x"}}'],
    "readiness.status.sidecar.istio.io/initialDelaySeconds": ["5"],
    "readiness.status.sidecar.istio.io/periodSeconds": ["7"],
    "readiness.status.sidecar.istio.io/failureThreshold": ["9"],
    "kubectl.kubernetes.io/default-container": ["side"],
    "kubectl.kubernetes.io/default-logs-container": ["side"],
    "k8s.v1.cni.cncf.io/networks": ["net-a", ""],
    "apm.datadoghq.com/env": ['{"DD_ENV":"prod","DD_SERVICE":"web"}', "[1,2]", "{bad"],
}


def odd_contexts() -> Iterator[Any]:
    for key, choices in ANNOTATIONS.items():
        for choice in choices:
            yield pytest.param(make_ctx(annotations={key: choice}), id=f"{key}={choice}"[:60])
    yield pytest.param(make_ctx(annotations={k: v[0] for k, v in ANNOTATIONS.items()}), id="every-annotation")
    yield pytest.param(make_ctx(annotations={"x": None}, labels={"app": None, "version": 3}), id="null-labels")
    yield pytest.param(make_ctx(labels={"service.istio.io/canonical-name": "n" * 70 + "-", "version": "v2",
                                        "service.istio.io/workload-name": "wl"}), id="long-names")
    yield pytest.param(make_ctx(labels={}, containers=[]), id="no-containers")
    yield pytest.param(make_ctx(containers=[{"image": "x"}, {"name": "istio-proxy"}]), id="nameless-container")
    yield pytest.param(make_ctx(native=True), id="native")
    yield pytest.param(make_ctx(native=True, annotations={"sidecar.istio.io/interceptionMode": "NONE"}),
                       id="native-none")
    yield pytest.param(make_ctx(uid=0, revision="canary", inbound="localhost", compliance="fips-140-2",
                                sa="shop-sa"), id="fields")
    yield pytest.param(make_ctx(proxy={"interceptionMode": 1, "holdApplicationUntilProxyStarts": {"value": True},
                                       "proxyMetadata": {"ISTIO_META_ENABLE_HBONE": "true",
                                                         "IPTABLES_TRACE_LOGGING": "true", "N": None},
                                       "tracing": {"tlsSettings": {"caCertificates": "/etc/c/ca.pem"}}}),
                       id="proxy-config")
    yield pytest.param(make_ctx(mesh={"trustDomain": "", "proxyListenPort": 15009, "proxyInboundListenPort": 0}),
                       id="mesh")
    for name, change in {
        "cni": {"pilot__cni__enabled": True},
        "multus": {"pilot__cni__enabled": True, "pilot__cni__provider": "multus"},
        "cni-ports": {"pilot__cni__enabled": True, "global__proxy__includeOutboundPorts": "80",
                      "global__proxy__excludeOutboundPorts": "22"},
        "ctb": {"pilot__env__ENABLE_CLUSTER_TRUST_BUNDLE_API": True},
        "gke": {"global__caName": "GkeWorkloadCertificate"},
        "lightstep": {"global__proxy__tracer": "lightstep"},
        "datadog": {"global__proxy__tracer": "datadog"},
        "flags": {"global__logAsJson": True, "global__nativeNftables": True, "global__mountMtlsCerts": True,
                  "global__proxy_init__forceApplyIptables": True, "global__proxy__privileged": True,
                  "global__sts__servicePort": 15463, "global__meshID": "m1", "global__network": "n1",
                  "global__caAddress": "ca:1", "global__imagePullPolicy": "Always", "revision": "r1",
                  "global__imagePullSecrets": ["s1", "s2"], "global__proxy__outlierLogPath": "/dev/stdout"},
        "lifecycle": {"global__proxy__lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}},
        "hold": {"global__proxy__holdApplicationUntilProxyStarts": True},
        "resources-nulls": {"global__proxy__resources": {"requests": {"cpu": None, "memory": "1Gi"}}},
        "seccomp": {"global__proxy__seccompProfile": {"type": "RuntimeDefault"}},
        "security-context": {"gateways__securityContext": {"runAsUser": 5}},
        "startup": {"global__proxy__startupProbe": {"enabled": True, "failureThreshold": 3}},
        "status-port-0": {"global__proxy__statusPort": 0},
        "missing-keys": {"global__proxy": {"image": "proxyv2"}},
        "null-proxy": {"global__proxy": None},
        "null-global": {"global": None},
        "number-vs-string": {"global__pilotCertProvider": 3},
        "trust-bundle": {"global__trustBundleName": "tb"},
    }.items():
        yield pytest.param(make_ctx(values=values_with(**change)), id=f"values-{name}")
    yield pytest.param(make_ctx(values={}), id="empty-values")


@pytest.fixture(scope="module")
def renderer() -> CompiledTemplates:
    loaded = load_jinja_templates(TEMPLATES, CONFIG["templates"])
    assert isinstance(loaded, CompiledTemplates)
    return loaded


@pytest.mark.parametrize("ctx", list(odd_contexts()))
@pytest.mark.parametrize("name", NAMES)
def test_odd_contexts_render_alike(renderer: CompiledTemplates, name: str, ctx: TemplateContext) -> None:
    try:
        expected: str | None = renderer.jinja().render(name, ctx)
    except TemplateExecError as err:
        expected = None
        with pytest.raises(TemplateExecError) as got:
            renderer.render(name, ctx)
        assert str(got.value) == str(err)
    if expected is not None:
        assert renderer.render(name, ctx) == expected
        with rendering(name, None):
            assert _run(renderer.refs[name], template_variables(ctx), None) == expected


@pytest.mark.parametrize("change", [
    {"global__proxy__clusterDomain": "other.local"},
    {"global__imagePullPolicy": "Never"},
    {"global__proxy__resources": {"requests": {"cpu": "11m"}}},
    {"pilot__cni__enabled": True},
    {"global__proxy__lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}},
    {"global__trustBundleName": "tb"},
    {"global__proxy__seccompProfile": {"type": "RuntimeDefault"}},
    {"global__caName": "GkeWorkloadCertificate"},
    {"global__pilotCertProvider": "kubernetes"},
    {"global__multiCluster__clusterName": "c2"},
    {"global__imagePullSecrets": ["s1"]},
    {"revision": "canary"},
])
def test_values_read_once_per_tree_never_go_stale(renderer: CompiledTemplates, change: dict[str, Any]) -> None:
    """Trees that differ in one path, rendered in turn, each render as Jinja2 renders it."""
    first, second = values_with(), values_with(**change)
    texts = []
    for values in (first, second, first, second):
        ctx = make_ctx(values=values)
        for name in NAMES:
            assert renderer.render(name, ctx) == renderer.jinja().render(name, ctx)
        texts.append(renderer.render("sidecar", ctx))
    assert texts[0] == texts[2] and texts[1] == texts[3] and texts[0] != texts[1]


def test_texts_kept_per_values_tree_follow_the_fold_width(renderer: CompiledTemplates) -> None:
    """toYaml's text depends on the fold width too: a text kept at one width is not used at another."""
    from pyinject.golang.goyaml import line_width

    words = " ".join(["word"] * 30)
    ctx = make_ctx(values=values_with(global__proxy__lifecycle={"preStop": {"exec": {"command": [words]}}}))
    texts = {}
    for fold in (True, False, True, False):
        with line_width(fold):
            texts.setdefault(fold, set()).add(renderer.render("sidecar", ctx))
            assert renderer.render("sidecar", ctx) == renderer.jinja().render("sidecar", ctx)
    assert len(texts[True]) == len(texts[False]) == 1 and texts[True] != texts[False]


def test_values_paths_keep_reads_and_only_reads_that_succeed() -> None:
    from pyinject.render.jinja_funcs import GoError
    from pyinject.render.jinja_runtime import MISSING, getattr_path, values_paths
    from pyinject.render.jinja_values import ValuesPaths

    tree: dict[str, Any] = {"global": {"proxy": None, "name": "n"}}
    paths = ValuesPaths(tree, getattr_path)
    assert paths[("global", "name")] == "n"
    assert paths[("global", "nope")] is MISSING
    for _ in range(2):
        with pytest.raises(GoError):
            paths[("global", "proxy", "image")]
    assert set(paths) == {("global", "name"), ("global", "nope")}
    # One table per tree, by identity: an equal tree is another tree.
    assert values_paths(tree) is values_paths(tree)
    assert values_paths(tree) is not values_paths({"global": {"proxy": None, "name": "n"}})


def test_the_compiled_render_counts_steps_as_jinja_does(renderer: CompiledTemplates,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from pyinject.sandbox import limits

    counts: dict[str, int] = {}
    real = limits.Budget.count_step

    def count(self: Any) -> None:
        counts[self.template] = counts.get(self.template, 0) + 1
        real(self)

    monkeypatch.setattr(limits.Budget, "count_step", count)
    ctx = make_ctx(annotations={k: v[0] for k, v in ANNOTATIONS.items()})
    jinja = load_jinja_templates(TEMPLATES, CONFIG["templates"], limits=RenderLimits(), compiled=False)
    steps = {}
    for name in NAMES:
        with rendering(name, RenderLimits()) as budget:
            _run(renderer.refs[name], template_variables(ctx), budget)
        steps[name] = counts.pop(name, 0)
        jinja.render(name, ctx)
        assert counts.pop(name, 0) == steps[name]
    assert steps["sidecar"] > 50


def test_kept_macros_count_their_steps_again(renderer: CompiledTemplates, monkeypatch: pytest.MonkeyPatch) -> None:
    """A macro whose text is kept per values tree counts the same steps on every render."""
    from pyinject.sandbox import limits

    counts: list[int] = []
    real = limits.Budget.count_step

    def count(self: Any) -> None:
        counts[-1] += 1
        real(self)

    monkeypatch.setattr(limits.Budget, "count_step", count)
    ctx = make_ctx(values=values_with())  # a tree of its own: the first render keeps, the others reuse
    jinja = load_jinja_templates(TEMPLATES, CONFIG["templates"], limits=RenderLimits(), compiled=False)
    counts.append(0)
    jinja.render("sidecar", ctx)
    for _ in range(3):
        counts.append(0)
        with rendering("sidecar", RenderLimits()) as budget:
            _run(renderer.refs["sidecar"], template_variables(ctx), budget)
    assert len(set(counts)) == 1 and counts[0] > 50


def test_limits_fail_as_jinja_words_them(renderer: CompiledTemplates) -> None:
    for limit in (RenderLimits(output=100), RenderLimits(output=2000)):
        compiled = load_jinja_templates(TEMPLATES, CONFIG["templates"], limits=limit)
        jinja = load_jinja_templates(TEMPLATES, CONFIG["templates"], limits=limit, compiled=False)
        with pytest.raises(TemplateExecError) as expected:
            jinja.render("sidecar", make_ctx())
        with pytest.raises(TemplateExecError) as got:
            compiled.render("sidecar", make_ctx())
        assert str(got.value) == str(expected.value)


def test_entry_module_imports_no_jinja2() -> None:
    assert "jinja2" not in jinja_entry.__dict__
    code = "import sys, pyinject.render.jinja, pyinject.render.jinja_compiled; print('jinja2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False"


def _abstract_render(ctx: TemplateContext, render: Callable[[dict[str, Any]], str]) -> tuple[Any, ...]:
    from pyinject.render.reuse import abstract, tainted_paths

    abstraction = abstract(ctx)
    assert abstraction is not None
    recorder = holes.Recorder(abstraction.leaves, {}, lambda: template_variables(ctx), abstraction.opaque)
    with holes.recording(recorder):
        variables = template_variables(abstraction.context)
        recorder.tainted = tainted_paths(variables)
        outcome = _outcome(lambda: render(variables))
    return outcome, recorder.printed, recorder.counts, [_guard(g) for g in recorder.guards]


@pytest.mark.parametrize("ctx", list(odd_contexts()))
@pytest.mark.parametrize("name", NAMES)
def test_abstract_renders_guard_alike(renderer: CompiledTemplates, name: str, ctx: TemplateContext) -> None:
    file = renderer.refs[name]
    compiled = _abstract_render(ctx, lambda variables: _run(file, variables, None))
    jinja = _abstract_render(ctx, lambda variables: renderer.jinja().render_variables(name, variables))
    if compiled[0][0] == "error" and jinja[0][0] == "error":
        return
    assert compiled == jinja


def test_source_hash_is_sha256() -> None:
    import hashlib

    from pyinject.render.jinja_runtime import source_hash

    data = (TEMPLATES / "_proxy.j2").read_bytes()
    assert source_hash(data) == hashlib.sha256(data).hexdigest()


def test_a_missing_key_behaves_as_jinjas() -> None:
    from pyinject.render.jinja_env import GoUndefined
    from pyinject.render.jinja_runtime import MISSING, Missing, Unsupported

    undefined = GoUndefined(obj={}, name="x")
    for probe in (str, bool, len, list, repr, lambda u: "a" in u, lambda u: u == u, lambda u: u != "a",
                  lambda u: u == "", lambda u: u == None):  # noqa: E711 - what == None gives
        assert probe(MISSING) == probe(undefined)
    assert hash(MISSING) == hash(Missing())
    # What Jinja fails at is Jinja2's to word: the compiled render steps aside.
    for failing in (lambda u: u + 1, lambda u: u < 1, lambda u: u["k"], lambda u: u.field, lambda u: u()):
        with pytest.raises(Unsupported):
            failing(MISSING)
        with pytest.raises(jinja2_errors()):
            failing(undefined)


def jinja2_errors() -> type[Exception]:
    import jinja2

    return jinja2.UndefinedError


SYNTHETIC = """\
{% macro item(name, suffix="!") %}
- {{ name ~ suffix }}{% if name in ("a", "b") %} (early){% elif name > "m" %} (late){% else %} (middle){% endif %}
{% endmacro %}
{% set label = values.title | fallback("untitled") %}
title: {{ label }} {{ "yes" if values.flag else "no" }} {{ values.count }}
{% for name in values.names if name != "skip" %}
{{ item(name) }}
{%   for name, n in [("inner", 1), ("other", 2)] %}
  {{ name }}={{ n }}{{ "," if n == 1 else "" }}
{%   endfor %}
  outer {{ name }}
{% endfor %}
{% for key in {"k1": 1, "k2": 2} %}{{ key }};{% endfor %}

{{ item("z", "?") }}{{ values.missing.deeper }} {{ values.none is none }} {{ not values.flag and 1 < 2 <= 2 }}
{{ values.names | join("|") }} {{ values.title | lower | trim_suffix("x") }} {{ go_eq(values.count, 3) }}
"""


@pytest.mark.parametrize("data", [
    {"title": "Box", "flag": True, "count": 3, "names": ["a", "skip", "q", "c"], "none": None},
    {"title": "", "flag": False, "count": 2.5, "names": [], "none": 1},
    {"names": ["zz"], "count": 3},
])
def test_a_synthetic_template_renders_as_jinja_does(data: dict[str, Any]) -> None:
    from pyinject.render import jinja_aot
    from pyinject.render.jinja_runtime import CompiledContext

    namespace: dict[str, Any] = {}
    lines = compile_sources({"t.j2": SYNTHETIC}.__getitem__, ["t.j2"])
    exec(compile(jinja_aot._HEADER + "\n".join(lines), "<compiled>", "exec"), namespace)  # noqa: S102
    variables = {"values": data}
    compiled = "".join(namespace["TEMPLATES"]["t.j2"](CompiledContext(dict(variables), None)))
    assert compiled == compile_jinja_templates({"t": SYNTHETIC}).render_variables("t", dict(variables))
    assert "inner=1," in compiled or not data["names"]
