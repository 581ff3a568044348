"""--output-style istioctl: Go's typed round trip and sigs.k8s.io/yaml, worked out by hand.

Expected texts follow the rules of encoding/json (omitempty, value structs,
pointers) over the k8s.io/api types and go-yaml v2's emitter (sorted keys,
quoting of strings YAML 1.1 would read as something else).
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.k8s.gojson import encode
from pyinject.manifests.istioctl_style import (_LIBRARIES, REGISTERED, GoLibraries, decoded_as_release,
                                               emit_istioctl, go_structs, object_meta_fields, typed)
from pyinject.istio.releases import RELEASES
from pyinject.manifests.read import read_text
from pyinject.manifests.load import load_plain
from pyinject.errors import Location

ENCODE = {
    "absent value structs appear as {}": (
        "Deployment",
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
         "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
         "spec": {"selector": {"matchLabels": {"app": "d"}}, "strategy": {},
                  "template": {"metadata": {}, "spec": {"containers": [{"name": "c", "image": "i", "resources": {}}]}}},
         "status": {}},
    ),
    "unknown fields are dropped": (
        "PodTemplateSpec",
        {"metadata": {"name": "x", "bogus": 1}, "spec": {"containers": [{"name": "c", "colour": "red"}], "nope": True}},
        {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "resources": {}}]}},
    ),
    "pointer zeros stay, plain zeros go": (
        "DeploymentSpec",
        {"replicas": 0, "minReadySeconds": 0, "paused": False, "revisionHistoryLimit": 0,
         "template": {"spec": {"hostNetwork": False, "terminationGracePeriodSeconds": 0, "containers": []}}},
        {"replicas": 0, "revisionHistoryLimit": 0, "selector": None, "strategy": {},
         "template": {"metadata": {}, "spec": {"terminationGracePeriodSeconds": 0, "containers": []}}},
    ),
    "fields without omitempty are written when zero": (
        "StatefulSet",
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"selector": {}, "template": {}}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
         "spec": {"selector": {}, "template": {"metadata": {}, "spec": {"containers": None}}, "updateStrategy": {}},
         "status": {"replicas": 0, "availableReplicas": 0}},
    ),
    "a pointer struct written as {} stays {}": (
        "Volume", {"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}},
    ),
    "quantities are canonical": (
        "ResourceRequirements",
        {"limits": {"cpu": "0.5", "memory": "1024Mi"}, "requests": {"cpu": 2}},
        {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "2"}},
    ),
    "a null creationTimestamp disappears (omitzero)": (
        "ObjectMeta", {"name": "n", "creationTimestamp": None}, {"name": "n"},
    ),
    "openshift strategy holds resources by value": (
        "DeploymentConfigSpec", {"replicas": 1, "strategy": {"type": "Rolling"}},
        {"replicas": 1, "strategy": {"type": "Rolling", "resources": {}}, "test": False, "triggers": None},
    ),
}


@pytest.mark.parametrize("type_name,value,expected", ENCODE.values(), ids=ENCODE.keys())
def test_encode(type_name: str, value: dict[str, Any], expected: dict[str, Any]) -> None:
    assert encode(type_name, value, go_structs()) == expected


TYPED = {
    "registered kind": ({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}}, False, True),
    "registered kind at another apiVersion stays raw": ({"apiVersion": "extensions/v1beta1", "kind": "Deployment"}, False, False),
    "...unless pyinject injected it": ({"apiVersion": "extensions/v1beta1", "kind": "Deployment"}, True, True),
    "a Service stays raw": ({"apiVersion": "v1", "kind": "Service"}, False, False),
    "a Service stays raw even when forced": ({"apiVersion": "v1", "kind": "Service"}, True, False),
    "a scalar document": ("text", False, False),
}


@pytest.mark.parametrize("data,force,is_typed", TYPED.values(), ids=TYPED.keys())
def test_which_documents_are_typed(data: Any, force: bool, is_typed: bool) -> None:
    assert (typed(data, force=force) is not None) is is_typed


@pytest.mark.parametrize("api_version,has_selector", [
    ("apps/v1", True), ("extensions/v1beta1", False), ("apps/v1beta1", False), ("apps/v1beta2", False)])
@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"])
def test_beta_workloads_omit_a_missing_selector(kind: str, api_version: str, has_selector: bool) -> None:
    doc = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"},
           "spec": {"template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": []}}}}
    out = typed(doc, force=True)
    assert ("selector" in out["spec"]) is has_selector
    if has_selector:
        assert out["spec"]["selector"] is None


def test_registered_kinds_are_istioctls() -> None:
    kinds = {kind for _, kind in REGISTERED}
    assert kinds == {"Pod", "ReplicationController", "Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "Job",
                     "CronJob", "List", "DeploymentConfig"}


def emit(text: str) -> str:
    out = []
    for doc in read_text(text):
        data = load_plain(doc.text, Location())
        out.append(emit_istioctl(doc, data, data, changed=False, has_workloads=False))
    return "".join(out)


DOCUMENTS = {
    "a raw document keeps its text and gets --- after it": (
        "---\n# a service\nkind: Service\napiVersion: v1\nmetadata: {name: s}\n",
        "# a service\nkind: Service\napiVersion: v1\nmetadata: {name: s}\n---\n",
    ),
    "a typed document is sorted, block style, Go-quoted": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p  # comment\n  annotations: {b: 'true', a: '15020', c: '*', d: ''}\n"
        "spec:\n  containers: [{name: c, image: i, args: [-p, '80']}]\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    a: \"15020\"\n    b: \"true\"\n    c: '*'\n    d: \"\"\n"
        "  name: p\nspec:\n  containers:\n  - args:\n    - -p\n    - \"80\"\n    image: i\n    name: c\n    resources: {}\n"
        "status: {}\n---\n",
    ),
    "the last document gets a newline before its ---": (
        "kind: ConfigMap\napiVersion: v1", "kind: ConfigMap\napiVersion: v1\n---\n",
    ),
    "documents with no text are skipped, comment-only ones kept": (
        "---\n---\n# just a comment\n---\n", "# just a comment\n---\n",
    ),
    "a List gets metadata {} and types the items it registers": (
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, zzz: 1}\n"
        "- {apiVersion: v1, kind: ReplicationController, metadata: {name: r}, spec: {selector: {a: b}}}\n",
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n  zzz: 1\n"
        "- apiVersion: v1\n  kind: ReplicationController\n  metadata:\n    name: r\n  spec:\n    selector:\n      a: b\n"
        "  status:\n    replicas: 0\nkind: List\nmetadata: {}\n---\n",
    ),
}


@pytest.mark.parametrize("text,expected", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_emit_istioctl(text: str, expected: str) -> None:
    assert emit(text) == expected


APP = """\
# comments do not survive Go's round trip
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        resources:
          requests: {cpu: 0.25}
---
apiVersion: v1
kind: Service
metadata: {name: web}   # raw: this comment stays
"""


def test_cli_istioctl_style(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", "-q", input=APP)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.count("---\n") == 2 and out.endswith("metadata: {name: web}   # raw: this comment stays\n---\n")
    deployment = out.split("---\n")[0]
    assert "# comments" not in deployment
    assert deployment.startswith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n")
    assert "\n  strategy: {}\n" in deployment and deployment.endswith("\nstatus: {}\n")
    assert "          requests:\n            cpu: 250m\n" in deployment
    # What istioctl writes for the injected containers (a few telling lines).
    assert "        - \"15001\"\n" in deployment and "        - '*'\n" in deployment
    top = [line.split(":")[0] for line in deployment.splitlines() if line and not line.startswith(" ")]
    assert top == sorted(top)


def test_cli_istioctl_style_is_stable(run_cli) -> None:
    once = run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", "-q", input=APP).stdout
    twice = run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", "-q", input=once)
    assert twice.exit_code == 0 and twice.stdout == once
    assert "unchanged" in run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", input=once).stderr


def test_cli_istioctl_style_types_skipped_workloads_too(run_cli) -> None:
    skipped = APP.replace("    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:")
    result = run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", "-q", input=skipped)
    deployment = result.stdout.split("---\n")[0]
    assert "istio-proxy" not in deployment and "\n  strategy: {}\n" in deployment and "hostNetwork: true" in deployment


def test_real_process_istioctl_style() -> None:
    from tests.conftest import run_process

    proc = run_process("kube-inject", "-f", "-", "--output-style", "istioctl", input=APP)
    assert proc.returncode == 0 and proc.stdout.endswith("---\n") and "status: {}" in proc.stdout


def test_decoded_as_release_drops_newer_fields_without_changing_its_argument() -> None:
    """Rendered fragments share their parts with the decoder's memo: what loses a key is copied."""
    sidecar = {"name": "istio-proxy", "restartPolicy": "Always", "image": "proxy"}
    app = {"name": "app"}
    patch = {"metadata": {"labels": {"a": "b"}, "bogus": 1}, "spec": {"initContainers": [sidecar, app],
                                                                     "volumes": [{"name": "v"}]}}
    before = repr(patch)
    older = decoded_as_release(patch, 27)
    assert repr(patch) == before
    assert older == {"metadata": {"labels": {"a": "b"}}, "spec": {"initContainers": [
        {"name": "istio-proxy", "image": "proxy"}, {"name": "app"}], "volumes": [{"name": "v"}]}}
    assert older["spec"]["initContainers"][1] is app  # unchanged parts stay shared
    newest = {"metadata": {"labels": {"a": "b"}}, "spec": {"initContainers": [sidecar]}}
    assert decoded_as_release(newest, 33) is newest


def test_object_meta_fields_are_those_of_the_struct_table() -> None:
    # decoded_as_release reads the short list; it must name exactly what the full table has.
    assert object_meta_fields() == {f.name for f in go_structs()["ObjectMeta"]}
    assert {"name", "namespace", "labels", "annotations", "creationTimestamp"} <= object_meta_fields()


@pytest.mark.parametrize(("k8s_minor", "written"), [(21, None), (22, None), (23, 0), (35, 0)])
def test_statefulset_available_replicas_follows_the_kubernetes_libraries(k8s_minor: int, written: int | None) -> None:
    # Added in k8s.io/api 0.22 with omitempty, written even when zero from 0.23.
    token = _LIBRARIES.set(GoLibraries(k8s_minor=k8s_minor))
    try:
        out = typed({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
                     "spec": {"selector": {}, "template": {}}})
    finally:
        _LIBRARIES.reset(token)
    assert out["status"].get("availableReplicas") == written
    assert out["status"]["replicas"] == 0


def test_statefulset_available_replicas_kept_when_set_at_22() -> None:
    token = _LIBRARIES.set(GoLibraries(k8s_minor=22))
    try:
        out = typed({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
                     "spec": {"selector": {}, "template": {}}, "status": {"availableReplicas": 2}})
    finally:
        _LIBRARIES.reset(token)
    assert out["status"]["availableReplicas"] == 2


@pytest.mark.parametrize(("k8s_minor", "kept"), [(22, set()), (23, {"os"}), (25, {"os", "hostUsers"}),
                                                 (29, {"os", "hostUsers", "schedulingGates"})])
def test_pod_fields_newer_than_the_kubernetes_libraries_are_dropped(k8s_minor: int, kept: set[str]) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"os": {"name": "linux"}, "hostUsers": False, "schedulingGates": [{"name": "g"}],
                    "containers": [{"name": "c", "readinessProbe": {"grpc": {"port": 9}},
                                    "lifecycle": {"preStop": {"sleep": {"seconds": 1}}}}]}}
    token = _LIBRARIES.set(GoLibraries(k8s_minor=k8s_minor))
    try:
        out = typed(pod)
    finally:
        _LIBRARIES.reset(token)
    spec = out["spec"]
    assert {"os", "hostUsers", "schedulingGates"} & spec.keys() == kept
    container = spec["containers"][0]
    assert ("grpc" in container["readinessProbe"]) is (k8s_minor >= 23)
    assert ("sleep" in container["lifecycle"]["preStop"]) is (k8s_minor >= 29)


@pytest.mark.parametrize(("minor", "typed_kinds"), [
    (0, {"extensions/v1beta1", "batch/v2alpha1"}), (1, {"extensions/v1beta1", "batch/v2alpha1"}),
    (2, {"apps/v1", "batch/v2alpha1"}), (10, {"apps/v1", "batch/v2alpha1"}), (11, {"apps/v1", "batch/v1"}),
    (30, {"apps/v1", "batch/v1"}),
])
def test_the_kinds_istioctl_writes_typed_follow_the_release(minor: int, typed_kinds: set[str]) -> None:
    release = RELEASES[(1, minor)]
    docs = {
        "extensions/v1beta1": {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "d"}},
        "apps/v1": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
        "batch/v2alpha1": {"apiVersion": "batch/v2alpha1", "kind": "CronJob", "metadata": {"name": "c"}},
        "batch/v1": {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}},
    }
    token = _LIBRARIES.set(GoLibraries(k8s_minor=release.k8s_minor, registered=release.registered_kinds or None))
    try:
        got = {version for version, doc in docs.items() if typed(doc) is not None}
    finally:
        _LIBRARIES.reset(token)
    assert got == typed_kinds
