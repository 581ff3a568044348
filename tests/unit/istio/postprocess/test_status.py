"""Status annotation, injected metadata and cluster/network env (Istio's applyMetadata, overwriteClusterInfo)."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.istio.postprocess import PostprocessContext
from pyinject.istio.postprocess.status import (
    InjectionStatus,
    apply_metadata,
    injection_status,
    overwrite_cluster_info,
    parse_status,
    proxy_envs,
)

STATUS_CASES = [
    (
        "native-sidecar",
        {"spec": {"initContainers": [{"name": "istio-init"}, {"name": "istio-proxy"}], "volumes": [{"name": "v1"}, {"name": "v2"}]}},
        "",
        '{"initContainers":["istio-init","istio-proxy"],"containers":null,"volumes":["v1","v2"],'
        '"imagePullSecrets":null,"revision":"default"}',
    ),
    (
        "classic-with-secrets-and-revision",
        {"spec": {"containers": [{"name": "istio-proxy"}], "imagePullSecrets": [{"name": "s"}], "initContainers": []}},
        "canary",
        '{"initContainers":null,"containers":["istio-proxy"],"volumes":null,"imagePullSecrets":["s"],"revision":"canary"}',
    ),
    ("empty-template", {}, "", '{"initContainers":null,"containers":null,"volumes":null,"imagePullSecrets":null,"revision":"default"}'),
]


@pytest.mark.parametrize(("template", "revision", "want"), [c[1:] for c in STATUS_CASES], ids=[c[0] for c in STATUS_CASES])
def test_injection_status(template: dict[str, Any], revision: str, want: str) -> None:
    assert injection_status(template, revision) == want


def test_parse_status_round_trip_and_old_format() -> None:
    text = injection_status({"spec": {"containers": [{"name": "istio-proxy"}], "volumes": [{"name": "v"}]}}, "r1")
    assert parse_status(text) == InjectionStatus(containers=("istio-proxy",), volumes=("v",), revision="r1")
    old = '{"version":"abc","initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":null}'
    assert parse_status(old) == InjectionStatus(init_containers=("istio-init",), containers=("istio-proxy",))
    assert parse_status("not json") is None
    assert parse_status("[1]") is None


def ctx(values: dict[str, Any], labels: dict[str, str] | None = None, injected: dict[str, str] | None = None) -> PostprocessContext:
    return PostprocessContext(
        template_pod={"spec": {"containers": [{"name": "istio-proxy"}]}},
        original_pod={"metadata": {"labels": dict(labels or {})}},
        values=values,
        mesh_config={},
        proxy_config={},
        revision="",
        injected_annotations=injected or {},
    )


ENV_CASES = [
    ("nothing-set", {"global": {"network": "", "multiCluster": {"clusterName": ""}}}, None, {}),
    ("values-network", {"global": {"network": "n1"}}, None, {"ISTIO_META_NETWORK": "n1"}),
    ("label-wins", {"global": {"network": "n1"}}, {"topology.istio.io/network": "n2"}, {"ISTIO_META_NETWORK": "n2"}),
    ("cluster", {"global": {"multiCluster": {"clusterName": "c1"}}}, None, {"ISTIO_META_CLUSTER_ID": "c1"}),
]


@pytest.mark.parametrize(("values", "labels", "want"), [c[1:] for c in ENV_CASES], ids=[c[0] for c in ENV_CASES])
def test_proxy_envs(values: dict[str, Any], labels: dict[str, str] | None, want: dict[str, str]) -> None:
    assert proxy_envs(values, labels) == want


def test_cluster_info_moves_to_the_end_sorted() -> None:
    pod: dict[str, Any] = {
        "spec": {
            "containers": [
                {
                    "name": "istio-proxy",
                    "env": [
                        {"name": "ISTIO_META_NETWORK", "value": "old"},
                        {"name": "A", "value": "1"},
                        {"name": "ISTIO_META_CLUSTER_ID", "value": "old"},
                        {"name": "B", "value": "2"},
                    ],
                }
            ]
        }
    }
    overwrite_cluster_info(pod, ctx({"global": {"network": "n1", "multiCluster": {"clusterName": "c1"}}}))
    assert pod["spec"]["containers"][0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "2"},
        {"name": "ISTIO_META_CLUSTER_ID", "value": "c1"},
        {"name": "ISTIO_META_NETWORK", "value": "n1"},
    ]


def test_cluster_info_untouched_without_values() -> None:
    env = [{"name": "ISTIO_META_CLUSTER_ID", "value": "Kubernetes"}, {"name": "A", "value": "1"}]
    pod: dict[str, Any] = {"spec": {"containers": [{"name": "istio-proxy", "env": list(env)}]}}
    overwrite_cluster_info(pod, ctx({"global": {"multiCluster": {"clusterName": ""}}}))
    assert pod["spec"]["containers"][0]["env"] == env


def test_apply_metadata() -> None:
    pod: dict[str, Any] = {"metadata": {"annotations": {"keep": "1", "psp": "old"}}}
    apply_metadata(pod, ctx({"global": {"network": "n1"}}, injected={"psp": "new"}))
    anns = pod["metadata"]["annotations"]
    assert list(anns) == ["keep", "psp", "sidecar.istio.io/status"]
    assert anns["psp"] == "new"
    assert anns["sidecar.istio.io/status"].startswith('{"initContainers":null,"containers":["istio-proxy"]')
    assert pod["metadata"]["labels"] == {"topology.istio.io/network": "n1"}


def test_apply_metadata_without_network_adds_no_label() -> None:
    pod: dict[str, Any] = {}
    apply_metadata(pod, ctx({}))
    assert "labels" not in pod["metadata"]
    assert "sidecar.istio.io/status" in pod["metadata"]["annotations"]


def test_status_texts_differ_whenever_the_names_or_revision_do() -> None:
    """Asked again and again, each template pod still gets its own text (a kept text is never another's)."""
    pods = [{"spec": {"containers": [{"name": name}]}} for name in ("istio-proxy", "1", 1, True, 1.0, "istio-proxy")]
    for _ in range(2):
        texts = [injection_status(pod, "r1") for pod in pods]
        assert texts[1:5] == [
            '{"initContainers":null,"containers":["1"],"volumes":null,"imagePullSecrets":null,"revision":"r1"}',
            '{"initContainers":null,"containers":[1],"volumes":null,"imagePullSecrets":null,"revision":"r1"}',
            '{"initContainers":null,"containers":[true],"volumes":null,"imagePullSecrets":null,"revision":"r1"}',
            '{"initContainers":null,"containers":[1],"volumes":null,"imagePullSecrets":null,"revision":"r1"}',
        ]
        assert texts[0] == texts[5] != injection_status(pods[0], "r2")
        assert injection_status(pods[0], "r1", with_revision=False).endswith('"imagePullSecrets":null}')
