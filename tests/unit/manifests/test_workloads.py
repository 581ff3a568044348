"""The kind table, List recursion, shape checks and owner metadata."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.errors import InputError
from pyinject.manifests.workloads import POD_TEMPLATE_PATHS, find_workloads, pod_owner


def _template() -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}}


def _doc(kind: str, api: str = "apps/v1") -> dict[str, Any]:
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    if kind == "CronJob":
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "cj"},
                "spec": {"jobTemplate": {"spec": {"template": _template()}}}}
    return {"apiVersion": api, "kind": kind, "metadata": {"name": "w", "namespace": "ns"}, "spec": {"template": _template()}}


@pytest.mark.parametrize("kind", sorted(POD_TEMPLATE_PATHS))
def test_every_workload_kind_is_found(kind: str) -> None:
    found = list(find_workloads(_doc(kind)))
    assert len(found) == 1 and found[0].kind == kind
    _, spec = found[0].get_pod()
    assert spec["containers"] == [{"name": "c"}]


@pytest.mark.parametrize("api", ["extensions/v1beta1", "apps/v1beta2", "example.com/v9"])
def test_kind_matches_whatever_the_api_version(api: str) -> None:
    assert [w.kind for w in find_workloads(_doc("Deployment", api))] == ["Deployment"]


@pytest.mark.parametrize("doc", [
    {"apiVersion": "v1", "kind": "Service", "spec": {"template": {}}},
    {"apiVersion": "v1", "kind": "ConfigMap"},
    "just a string", None, [1, 2],
], ids=["service", "configmap", "scalar", "empty", "list"])
def test_non_workloads_yield_nothing(doc: Any) -> None:
    assert list(find_workloads(doc)) == []


def test_list_items_recurse() -> None:
    inner = {"kind": "List", "items": [_doc("StatefulSet"), {"kind": "Service"}]}
    outer = {"apiVersion": "v1", "kind": "List", "items": [_doc("Deployment"), inner, _doc("Pod")]}
    found = list(find_workloads(outer))
    assert [(w.kind, w.where) for w in found] == [
        ("Deployment", ("items", "0")), ("StatefulSet", ("items", "1", "items", "0")), ("Pod", ("items", "2"))
    ]


def test_cronjob_metadata_is_the_job_templates() -> None:
    (workload,) = find_workloads(_doc("CronJob"))
    workload.set_pod({"annotations": {"a": "b"}}, {"containers": []})
    job = workload.obj["spec"]["jobTemplate"]
    assert job["metadata"] == {"annotations": {"a": "b"}}
    assert job["spec"]["template"]["spec"] == {"containers": []}


def test_set_pod_creates_missing_metadata() -> None:
    doc = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": []}}}}
    (workload,) = find_workloads(doc)
    meta, spec = workload.get_pod()
    assert meta == {}
    workload.set_pod({"labels": {"x": "y"}}, spec)
    assert doc["spec"]["template"]["metadata"] == {"labels": {"x": "y"}}


SHAPE_ERRORS = {
    "containers not a list": ({"containers": {"name": "c"}}, "spec.template.spec.containers must be a list, not a mapping"),
    "container not a mapping": ({"containers": ["c"]}, r"spec.template.spec.containers\[0\] must be a mapping"),
    "initContainers not a list": ({"containers": [], "initContainers": "x"}, "initContainers must be a list"),
}


@pytest.mark.parametrize("spec,message", SHAPE_ERRORS.values(), ids=SHAPE_ERRORS.keys())
def test_shape_errors(spec: dict[str, Any], message: str) -> None:
    doc = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}
    with pytest.raises(InputError, match=message):
        list(find_workloads(doc))


def test_deployment_without_template_is_an_error() -> None:
    with pytest.raises(InputError, match="spec.template is required"):
        list(find_workloads({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {}}))


def test_list_items_must_be_a_list() -> None:
    with pytest.raises(InputError, match="items"):
        list(find_workloads({"kind": "List", "items": {"a": 1}}))


OWNERS = {
    "bare pod": ({"name": "p"}, ("v1", "Pod", "p")),
    "generateName only": ({"generateName": "web-"}, ("v1", "Pod", "web")),
    "replicaset of a deployment": (
        {"name": "web-5d8-abc", "labels": {"pod-template-hash": "5d8"},
         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8", "controller": True}]},
        ("apps/v1", "Deployment", "web"),
    ),
    "job of a cronjob": (
        {"name": "x", "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "nightly-28000000", "controller": True}]},
        ("batch/v1", "CronJob", "nightly"),
    ),
    "custom controller": (
        {"name": "x", "ownerReferences": [{"apiVersion": "foo/v1", "kind": "Bar", "name": "b", "controller": True}]},
        ("foo/v1", "Bar", "b"),
    ),
    "owner that is not the controller": (
        {"name": "x", "ownerReferences": [{"apiVersion": "foo/v1", "kind": "Bar", "name": "b"}]},
        ("v1", "Pod", "x"),
    ),
}


@pytest.mark.parametrize("meta,expected", OWNERS.values(), ids=OWNERS.keys())
def test_pod_owner(meta: dict[str, Any], expected: tuple[str, str, str]) -> None:
    type_meta, deploy = pod_owner({"metadata": meta})
    assert (type_meta["apiVersion"], type_meta["kind"], deploy["name"]) == expected
