"""Container ordering after the merge (Istio's reorderPod)."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.istio.postprocess import PostprocessContext
from pyinject.istio.postprocess.ordering import reorder_containers


def ctx(hold_proxy: bool = False, hold_values: bool = False) -> PostprocessContext:
    return PostprocessContext(
        template_pod={},
        original_pod={},
        values={"global": {"proxy": {"holdApplicationUntilProxyStarts": hold_values}}},
        mesh_config={},
        proxy_config={"holdApplicationUntilProxyStarts": hold_proxy},
    )


def names(seq: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in seq]


def pod(containers: list[str], inits: list[str]) -> dict[str, Any]:
    return {"spec": {"containers": [{"name": n} for n in containers], "initContainers": [{"name": n} for n in inits]}}


CASES = [
    ("proxy-last", ["istio-proxy", "a", "b"], [], {}, ["a", "b", "istio-proxy"], []),
    ("hold-from-proxyconfig", ["a", "istio-proxy"], [], {"hold_proxy": True}, ["istio-proxy", "a"], []),
    ("hold-from-values", ["a", "istio-proxy"], [], {"hold_values": True}, ["istio-proxy", "a"], []),
    ("classic-init-last", ["a"], ["istio-init", "u1", "u2"], {}, ["a"], ["u1", "u2", "istio-init"]),
    (
        "classic-validation-first-core-dump-last",
        ["a"],
        ["u1", "enable-core-dump", "istio-validation"],
        {},
        ["a"],
        ["istio-validation", "u1", "enable-core-dump"],
    ),
    (
        "native-proxy-after-init",
        ["a"],
        ["u1", "enable-core-dump", "istio-init", "istio-proxy"],
        {},
        ["a"],
        ["istio-init", "istio-proxy", "enable-core-dump", "u1"],
    ),
    ("native-cni", ["a"], ["u1", "istio-proxy", "istio-validation"], {}, ["a"], ["istio-validation", "istio-proxy", "u1"]),
]


@pytest.mark.parametrize(("containers", "inits", "opts", "want_c", "want_i"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_reorder(containers: list[str], inits: list[str], opts: dict[str, bool], want_c: list[str], want_i: list[str]) -> None:
    p = pod(containers, inits)
    c_list, i_list = p["spec"]["containers"], p["spec"]["initContainers"]
    reorder_containers(p, ctx(**opts))
    assert names(p["spec"]["containers"]) == want_c
    assert names(p["spec"]["initContainers"]) == want_i
    # Reordered in place: the caller's lists stay the same objects.
    assert p["spec"]["containers"] is c_list and p["spec"]["initContainers"] is i_list


def test_duplicate_names_keep_the_last() -> None:
    p = {"spec": {"containers": [{"name": "istio-proxy", "v": 1}, {"name": "a"}, {"name": "istio-proxy", "v": 2}]}}
    reorder_containers(p, ctx())
    assert p["spec"]["containers"] == [{"name": "a"}, {"name": "istio-proxy", "v": 2}]


def test_pod_without_spec_lists() -> None:
    p: dict[str, Any] = {"spec": {}}
    reorder_containers(p, ctx())
    assert p == {"spec": {}}
