"""Injected pods share no mutable object with each other, with the input, or with any cache.

Rendered fragments are read-only and shared: the decoder hands out its memoised
pieces as they are, and a reused render hands out its cached fragment, copied
only on the way to the names it writes in.  The strategic merge copies what it
stores.  These tests hold the whole injector to that, across reuse hits and
misses, with the embedded (Jinja) templates and with Go templates: no dict or
list of a result is reachable from another result, from the document it came
from, from the decoder's memo or from the reuse cache; and scribbling over one
result changes neither the other results nor what later pods get.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from pyinject.inject import build_injector
from pyinject.manifests.load import load_plain
from pyinject.manifests.read import read_text
from pyinject.manifests.workloads import Workload, find_workloads
from pyinject.model import Options
from pyinject.render import decode

#: A Go-template config whose fragment reads names and annotations (as Istio's sidecar template does).
GO_CONFIG = """\
policy: enabled
defaultTemplates: [sidecar]
templates:
  sidecar: |
    metadata:
      labels:
        service.istio.io/canonical-name: {{ index .ObjectMeta.Labels "app" | quote }}
    spec:
      initContainers:
      - name: istio-init
        image: proxyv2
        args: ["istio-iptables", "-p", "15001"]
      containers:
      - name: istio-proxy
        image: proxyv2
        args: ["proxy", "sidecar", "--serviceCluster", {{ index .ObjectMeta.Labels "app" | quote }}]
        env:
        - name: OWNER
          value: {{ .DeploymentMeta.Name | quote }}
        - name: CPU
          value: {{ index .ObjectMeta.Annotations "sidecar.istio.io/proxyCPU" | default "100m" | quote }}
        ports:
        - {containerPort: 15090, name: http-envoy-prom}
        resources:
          requests:
            cpu: {{ index .ObjectMeta.Annotations "sidecar.istio.io/proxyCPU" | default "100m" }}
      volumes:
      - name: istio-envoy
        emptyDir: {medium: Memory}
"""


def deployment(name: str, *, variant: int = 0) -> str:
    """A Deployment; ``variant`` changes what the templates see (a reuse miss), ``name`` only names."""
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    if variant % 2:
        annotations["sidecar.istio.io/proxyCPU"] = f"{100 + variant}m"
    if variant % 3 == 2:
        annotations["proxy.istio.io/config"] = '{"holdApplicationUntilProxyStarts": true}'
    pod = {
        "metadata": {"labels": {"app": name, "version": "v1"}, "annotations": annotations},
        "spec": {
            "serviceAccountName": name,
            "initContainers": [{"name": "setup", "image": "busybox"}],
            "containers": [{
                "name": name,
                "image": f"registry.example.com/{name}:1.0",
                "ports": [{"containerPort": 8080 + variant, "name": "http"}],
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080 + variant}},
                "livenessProbe": {"tcpSocket": {"port": 8080 + variant}},
                "env": [{"name": "LOG_LEVEL", "value": "info"}],
            }],
            "volumes": [{"name": "data", "emptyDir": {}}],
        },
    }
    if variant > 2:
        # Nothing for the templates' volumes, init containers and annotations to merge into.
        del pod["metadata"]["annotations"], pod["spec"]["initContainers"], pod["spec"]["volumes"]  # type: ignore[attr-defined]
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": pod},
    })


#: Names-only pods (reuse hits after the first two) and pods that differ in what the templates read.
INPUTS = [deployment(f"web{i}") for i in range(4)] + [deployment(f"api{i}", variant=i) for i in range(1, 5)]


def _pod(text: str) -> tuple[Workload, dict[str, Any], dict[str, Any]]:
    (doc,) = read_text(text)
    (workload,) = find_workloads(load_plain(doc.text, doc.location()))
    metadata, spec = workload.get_pod()
    return workload, metadata, spec


def _collections(value: Any) -> Iterator[Any]:
    """Every dict and list reachable from ``value`` (``value`` included)."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            yield node
            stack.extend(node.values() if isinstance(node, dict) else node)


def _ids(value: Any) -> set[int]:
    return {id(node) for node in _collections(value)}


def _new_injector(kind: str, tmp_path: Path) -> Any:
    decode._memo.clear()
    options = Options(filenames=("-",))
    if kind == "go":
        (tmp_path / "config.yaml").write_text(GO_CONFIG, encoding="utf-8")
        options = Options(filenames=("-",), inject_config_file=str(tmp_path / "config.yaml"))
    return build_injector(options, {"PYINJECT_RENDER_REUSE": "1"}, lambda message: None)


@pytest.fixture(params=["embedded", "go"])
def injector(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    return _new_injector(request.param, tmp_path)


def _inject(injector: Any, text: str) -> tuple[dict[str, Any], tuple[Any, Any]]:
    """The injected pod and the document's own metadata and spec."""
    workload, metadata, spec = _pod(text)
    result = injector.inject(workload, metadata, spec)
    assert result.action.rewrites
    return {"metadata": result.metadata, "spec": result.spec}, (metadata, spec)


def _caches(injector: Any) -> Any:
    entries = [] if injector.reuse is None else [e.data for e in injector.reuse.entries.values()]
    return [list(decode._memo.values()), entries, list(decode._copies.values())]


def test_results_share_nothing_with_each_other_the_input_or_a_cache(injector: Any) -> None:
    results = [_inject(injector, text) for text in INPUTS]
    if injector.reuse is not None:
        assert injector.reuse.stats.hits  # the names-only pods were served from the cache
    cached = _ids(_caches(injector))
    assert cached
    owners: dict[int, int] = {}
    for number, (pod, given) in enumerate(results):
        mine = _ids(pod)
        assert not mine & cached, f"pod {number} shares objects with a cache"
        assert not mine & _ids(given), f"pod {number} shares objects with its document"
        for node in mine:
            assert owners.setdefault(node, number) == number, f"pods {owners[node]} and {number} share an object"


def test_injecting_leaves_the_caches_as_they_were(injector: Any) -> None:
    for text in INPUTS:
        _inject(injector, text)
    memo, entries, _ = _caches(injector)
    # What the caches hold now (they may gain entries below).  A memo entry that is a
    # list ends with the recipe of its copy, written when the piece comes again: the
    # rest is what must never change (recipes hold functions and bytes: compared by repr).
    held = [*(v[:-1] if type(v) is list else v for v in memo), *entries]
    snapshot = [json.dumps(value, sort_keys=True, default=repr) for value in held]
    for text in reversed(INPUTS):
        _inject(injector, text)
    assert [json.dumps(value, sort_keys=True, default=repr) for value in held] == snapshot


def test_scribbling_over_a_result_changes_no_other_pod(injector: Any) -> None:
    pristine = [json.dumps(_inject(injector, text)[0]) for text in INPUTS]
    results = [_inject(injector, text)[0] for text in INPUTS]
    assert [json.dumps(pod) for pod in results] == pristine
    for number, pod in enumerate(results):
        before = [json.dumps(other) for other in results]
        for node in list(_collections(pod)):
            if isinstance(node, dict):
                for key in list(node):
                    node[key] = "scribbled"
                node["$scribbled"] = None
            else:
                node[:] = ["scribbled"]
        after = [json.dumps(other) for other in results]
        assert after[:number] + after[number + 1:] == before[:number] + before[number + 1:]
        # Later pods, hits and misses alike, come out as they did before any scribbling.
        again = [json.dumps(_inject(injector, text)[0]) for text in INPUTS]
        assert again == pristine
        results[number] = copy.deepcopy(json.loads(pristine[number]))


@pytest.mark.parametrize("kind", ["embedded", "go"])
def test_a_pod_comes_out_the_same_after_others_were_post_processed(kind: str, tmp_path: Path) -> None:
    """Post-processing rewrites probes, appends env and annotations in place: none of it reaches a later pod.

    Each pod is injected after all the others (whose fragments came from the
    same memoised pieces, and whose template pods were the decoder's copies),
    and must come out as it does from an injector that saw nothing before.
    """
    alone = [json.dumps(_inject(_new_injector(kind, tmp_path), text)[0]) for text in INPUTS]
    injector = _new_injector(kind, tmp_path)
    for text, expected in zip(INPUTS + INPUTS[::-1], alone + alone[::-1]):
        pod = _inject(injector, text)[0]
        assert json.dumps(pod) == expected
        # The probes were rewritten, and the proxy's env and the pod's annotations grew, in this pod.
        proxy = next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")
        assert any(e["name"] == "ISTIO_KUBE_APP_PROBERS" for e in proxy["env"])
        assert "sidecar.istio.io/status" in pod["metadata"]["annotations"]
        (app,) = (c for c in pod["spec"]["containers"] if c["name"] != "istio-proxy")
        assert app["readinessProbe"]["httpGet"]["path"].startswith("/app-health/")
