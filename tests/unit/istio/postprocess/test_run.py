"""The pass list as a whole: order, and what it does to a pod read from YAML as the pipeline reads it."""

from __future__ import annotations

from pyinject.errors import Location
from pyinject.istio.postprocess import PASSES, PostprocessContext, run
from pyinject.manifests.load import load_plain

USER_POD = """\
metadata:
  annotations:
    zz-last: "1"   # user comment on an annotation
    prometheus.io/port: "9090"
  labels:
    app: hello
spec:
  containers:
  - name: istio-proxy  # injected, classic mode
    image: proxyv2
    env:
    - name: A
      value: "1"
  - name: hello  # the app
    image: hello:1
    livenessProbe:
      httpGet:
        port: 80
    readinessProbe:
      initialDelaySeconds: 5  # keep me
      tcpSocket:
        port: 81
      periodSeconds: 7
  initContainers:
  - name: istio-init
    image: proxyv2
  - name: user-init
    image: busybox
"""


def ctx() -> PostprocessContext:
    return PostprocessContext(
        template_pod={"spec": {"containers": [{"name": "istio-proxy"}], "initContainers": [{"name": "istio-init"}]}},
        original_pod={"metadata": {"labels": {"app": "hello"}}, "spec": {"containers": [{"name": "hello"}]}},
        values={"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": True}, "global": {"network": "n1"}},
        mesh_config={},
        proxy_config={"statusPort": 15020},
        revision="canary",
        injected_annotations={"psp": "restricted"},
    )


def test_pass_order_is_istios() -> None:
    assert [p.name for p in PASSES] == ["overrides", "cluster-info", "prometheus-merge", "probes", "metadata", "ordering"]


def test_run_on_a_pod_read_from_yaml() -> None:
    pod = load_plain(USER_POD, Location(file="pod.yaml"))
    run(pod, ctx())
    # The user's key order survives; new keys come last.
    assert list(pod["metadata"]["annotations"])[:2] == ["zz-last", "prometheus.io/port"]
    assert list(pod["metadata"]["annotations"])[-2:] == ["sidecar.istio.io/status", "psp"]
    # Proxy last, istio-init last among init containers.
    assert [c["name"] for c in pod["spec"]["containers"]] == ["hello", "istio-proxy"]
    assert [c["name"] for c in pod["spec"]["initContainers"]] == ["user-init", "istio-init"]
    # Env appended in Istio's order: cluster info, prometheus, probers.
    assert [e["name"] for e in pod["spec"]["containers"][1]["env"]] == [
        "A",
        "ISTIO_META_NETWORK",
        "ISTIO_PROMETHEUS_ANNOTATIONS",
        "ISTIO_KUBE_APP_PROBERS",
    ]
    # A TCP probe becomes an HTTP GET in the same place.
    assert list(pod["spec"]["containers"][0]["readinessProbe"]) == ["initialDelaySeconds", "httpGet", "periodSeconds"]
    assert pod["metadata"]["labels"]["topology.istio.io/network"] == "n1"
    assert pod["metadata"]["annotations"]["sidecar.istio.io/status"].endswith('"revision":"canary"}')
