"""Every injection step leaves the pod it is given as it is (the Injector contract).

The pipeline hands an injector the document's own metadata and spec, without a
copy: they may share nodes with the rest of the document through YAML aliases,
and the report compares them with the result afterwards.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyinject.inject import build_injector
from pyinject.manifests.load import load_plain
from pyinject.manifests.read import read_text
from pyinject.manifests.workloads import find_workloads
from pyinject.model import Options
from pyinject.uninject.step import Uninjector

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}
    spec:
      initContainers: [{name: setup, image: busybox}]
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        livenessProbe: {tcpSocket: {port: 8080}}
      - name: istio-proxy
        image: auto
        resources: {limits: {cpu: "2"}}
      volumes: [{name: data, emptyDir: {}}]
"""


def _pod(text: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    (doc,) = read_text(text)
    (workload,) = find_workloads(load_plain(doc.text, doc.location()))
    metadata, spec = workload.get_pod()
    return workload, metadata, spec


def _inject_twice(injector: Any, text: str) -> str:
    """Inject, then inject the result again (a re-injection); each time the input must stay as it was."""
    workload, metadata, spec = _pod(text)
    for _ in range(2):
        before = copy.deepcopy((metadata, spec))
        result = injector.inject(workload, metadata, spec)
        assert (metadata, spec) == before
        assert result.action.rewrites
        metadata, spec = copy.deepcopy(result.metadata), copy.deepcopy(result.spec)
        workload.set_pod(metadata, spec)
    return str(result.action)


@pytest.mark.parametrize("style", [False, True], ids=["pyinject re-injection", "istioctl re-injection"])
def test_injecting_leaves_the_given_pod_alone(style: bool) -> None:
    injector = build_injector(Options(filenames=("-",)), {}, lambda message: None, merge_over_previous=style)
    _inject_twice(injector, DEPLOYMENT)


def test_uninjecting_leaves_the_given_pod_alone() -> None:
    injector = build_injector(Options(filenames=("-",)), {}, lambda message: None)
    workload, metadata, spec = _pod(DEPLOYMENT)
    result = injector.inject(workload, metadata, spec)
    workload.set_pod(result.metadata, result.spec)
    injected = copy.deepcopy((result.metadata, result.spec))
    stripped = Uninjector().inject(workload, result.metadata, result.spec)
    assert (result.metadata, result.spec) == injected
    assert str(stripped.action) == "uninjected"
