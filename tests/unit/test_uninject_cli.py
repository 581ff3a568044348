"""kube-uninject through the CLI: uninject(inject(x)) gives x back, and what it leaves alone.

The manifests are written for these tests: each exercises one thing the
injection rewrites (probes, Prometheus annotations, a user's istio-proxy
settings, a CronJob's job template metadata...).  They are injected with
pyinject's embedded Istio defaults, in both sidecar modes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BOOKINFO, run_process
from pyinject.report.changes import same_data
from pyinject.errors import Location
from pyinject.manifests.read import read_text
from pyinject.manifests.load import load_plain


def docs(text: str) -> list[Any]:
    return [d for d in (load_plain(doc.text, Location()) for doc in read_text(text)) if d is not None]


PLAIN = """\
# Front end, with comments that must survive.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web        # used by the Service
        version: v2
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, targetPort: 8080}]
"""

PROBES = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: api:1
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 5
        livenessProbe:
          tcpSocket: {port: 8080}
        startupProbe:
          grpc: {port: 9090}
"""

PROMETHEUS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9187"
        prometheus.io/path: /metrics
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: postgres:17
"""

PROXY_OVERRIDE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tuned
spec:
  template:
    metadata:
      labels: {app: tuned}
    spec:
      containers:
      - name: app
        image: app:1
      - name: istio-proxy
        image: auto
        resources:
          limits: {memory: 2Gi}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox
            args: [/bin/sh, -c, date]
"""

OWNED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: worker-7d9f-abcde
  labels: {pod-template-hash: 7d9f}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: worker-7d9f, controller: true, uid: "0000"}
spec:
  containers:
  - name: worker
    image: worker:1
"""

LIST = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: a}
  spec:
    template:
      metadata: {labels: {app: a}}
      spec:
        containers: [{name: a, image: a}]
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
"""

ROUND_TRIPS = {
    "plain deployment and a service": PLAIN,
    "probes rewritten to the agent": PROBES,
    "prometheus annotations merged": PROMETHEUS,
    "a user's istio-proxy settings": PROXY_OVERRIDE,
    "cronjob without job template metadata": CRONJOB,
    "pod owned by a replicaset": OWNED_POD,
    "list with a workload and a configmap": LIST,
}


@pytest.mark.parametrize("native", [True, False], ids=["native sidecar", "classic sidecar"])
@pytest.mark.parametrize("text", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_uninject_of_inject_gives_the_manifest_back(run_cli, text: str, native: bool) -> None:
    flag = "--native-sidecars" if native else "--no-native-sidecars"
    injected = run_cli("kube-inject", "-f", "-", flag, "-q", input=text)
    assert injected.exit_code == 0, injected.stderr
    assert injected.stdout != text
    result = run_cli("kube-uninject", "-f", "-", input=injected.stdout)
    assert result.exit_code == 0, result.stderr
    got, want = docs(result.stdout), docs(text)
    assert len(got) == len(want) and all(same_data(a, b) for a, b in zip(got, want)), result.stdout
    assert "uninjected" in result.stderr


def test_uninject_keeps_comments_and_order(run_cli) -> None:
    injected = run_cli("kube-inject", "-f", "-", "-q", input=PLAIN).stdout
    result = run_cli("kube-uninject", "-f", "-", "-q", input=injected)
    assert result.stdout == PLAIN


def test_bookinfo_example_round_trips_byte_for_byte(run_cli) -> None:
    injected = run_cli("kube-inject", "-f", str(BOOKINFO), "-q").stdout
    result = run_cli("kube-uninject", "-f", "-", input=injected)
    assert result.exit_code == 0
    assert result.stdout == BOOKINFO.read_text()
    assert result.stderr.splitlines()[-1] == "pyinject: 6 workloads: 6 uninjected"


def test_documents_without_injection_pass_through_byte_for_byte(run_cli) -> None:
    result = run_cli("kube-uninject", "-f", "-", input=PLAIN)
    assert (result.exit_code, result.stdout) == (0, PLAIN)
    assert "Deployment web: unchanged (not injected)" in result.stderr


def test_verbose_says_what_was_removed(run_cli) -> None:
    injected = run_cli("kube-inject", "-f", "-", "-q", "--no-native-sidecars", input=PROBES).stdout
    result = run_cli("kube-uninject", "-f", "-", "-v", input=injected)
    lines = result.stderr.splitlines()
    assert "    - init containers: istio-init" in lines
    assert "    ~ containers: api" in lines  # its probes were given back
    assert "    - containers: istio-proxy" in lines


def test_a_broken_status_annotation_is_an_error_naming_the_workload(run_cli) -> None:
    text = PLAIN.replace("      labels:\n        app: web", "      annotations: {sidecar.istio.io/status: 'not json'}\n      labels:\n        app: web")
    result = run_cli("kube-uninject", "-f", "-", input=text)
    assert result.exit_code == 1 and result.stdout == ""
    assert "Deployment web" in result.stderr and "sidecar.istio.io/status" in result.stderr


def test_uninject_check_and_in_place(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "app.yaml"
    target.write_text(run_cli("kube-inject", "-f", "-", "-q", input=PLAIN).stdout)
    check = run_cli("kube-uninject", "-f", str(tmp_path), "--check")
    assert check.exit_code == 1 and f"would change: {target}" in check.stderr
    assert "Deployment web: would uninject" in check.stderr
    assert run_cli("kube-uninject", "-f", str(tmp_path), "--in-place", "-q").exit_code == 0
    assert target.read_text() == PLAIN
    assert run_cli("kube-uninject", "-f", str(tmp_path), "--check").exit_code == 0


def test_injected_annotations_of_the_config_are_removed(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "inject-config.yaml"
    config.write_text("policy: enabled\ninjectedAnnotations:\n  team.example.com/meshed: \"yes\"\n"
                      "templates:\n  sidecar: |\n    spec:\n      containers:\n      - name: istio-proxy\n        image: proxy\n")
    injected = run_cli("kube-inject", "-f", "-", "-q", "--injectConfigFile", str(config), input=PLAIN)
    assert injected.exit_code == 0, injected.stderr
    assert "team.example.com/meshed" in injected.stdout
    without = run_cli("kube-uninject", "-f", "-", "-q", input=injected.stdout)
    assert "team.example.com/meshed" in without.stdout
    result = run_cli("kube-uninject", "-f", "-", "-q", "--injectConfigFile", str(config), input=injected.stdout)
    assert result.exit_code == 0 and docs(result.stdout) == docs(PLAIN)


def test_help_describes_what_is_removed(run_cli) -> None:
    text = run_cli("kube-uninject", "--help").stdout
    for word in ["sidecar.istio.io/status", "ISTIO_KUBE_APP_PROBERS", "proxy.istio.io/overrides", "Examples:", "Exit codes:"]:
        assert word in text


def test_real_process_uninject_stdin_to_stdout() -> None:
    injected = run_process("kube-inject", "-f", "-", "-q", input=PLAIN)
    proc = run_process("kube-uninject", "-f", "-", input=injected.stdout)
    assert (proc.returncode, proc.stdout) == (0, PLAIN)
    assert proc.stderr == "<stdin>: document 1: Deployment web: uninjected\npyinject: 1 workload: 1 uninjected\n"
