"""A rendered container decoded as a patch: zeros written explicitly delete, empty merges add nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyinject.k8s.merge import merge_overlay
from pyinject.k8s.typed_patch import encode_patch

OLD_PROXY: dict[str, Any] = {
    "name": "istio-proxy",
    "image": "proxyv2:old",
    "args": ["proxy", "--concurrency", "2"],
    "env": [{"name": "OLD", "value": "kept"}, {"name": "LEVEL", "value": "debug"}],
    "readinessProbe": {"httpGet": {"port": 15021}, "initialDelaySeconds": 1, "periodSeconds": 2},
    "resources": {"limits": {"cpu": "2"}},
}


def _reinjected(rendered: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = {"spec": {"containers": [copy.deepcopy(OLD_PROXY)]}}
    patch = {"spec": {"containers": [encode_patch("Container", rendered)]}}
    merged: dict[str, Any] = merge_overlay(pod, patch)["spec"]["containers"][0]
    return merged


@pytest.mark.parametrize(("rendered", "field", "expected"), [
    # A scalar written as zero replaces the old value, which the typed decode then drops.
    ({"readinessProbe": {"initialDelaySeconds": 0}}, "readinessProbe",
     {"httpGet": {"port": 15021}, "periodSeconds": 2}),
    ({"image": ""}, "image", None),
    ({"image": None}, "image", None),
    # A replaced list written empty is gone too.
    ({"args": []}, "args", None),
    # An env entry's value written empty replaces the old value (merged by name).
    ({"env": [{"name": "LEVEL", "value": ""}]}, "env", [{"name": "OLD", "value": "kept"}, {"name": "LEVEL"}]),
    # A merged list or a map written empty adds nothing and removes nothing.
    ({"env": []}, "env", OLD_PROXY["env"]),
    ({"resources": {"limits": {}}}, "resources", {"limits": {"cpu": "2"}}),
    # A key the text does not write leaves the old value alone.
    ({"readinessProbe": {"periodSeconds": 15}}, "readinessProbe",
     {"httpGet": {"port": 15021}, "initialDelaySeconds": 1, "periodSeconds": 15}),
])
def test_reinjection_over_an_old_sidecar(rendered: dict[str, Any], field: str, expected: Any) -> None:
    merged = _reinjected({"name": "istio-proxy", **rendered})
    assert merged.get(field) == expected


def test_a_new_container_gets_no_nulls() -> None:
    patch = {"spec": {"containers": [encode_patch("Container", {
        "name": "istio-proxy", "image": "", "readinessProbe": {"initialDelaySeconds": 0, "periodSeconds": 2},
    })]}}
    merged = merge_overlay({"spec": {"containers": [{"name": "app"}]}}, patch)
    proxy = next(c for c in merged["spec"]["containers"] if c["name"] == "istio-proxy")
    assert proxy == {"name": "istio-proxy", "resources": {}, "readinessProbe": {"periodSeconds": 2}}


def test_values_are_typed_as_before() -> None:
    encoded = encode_patch("Container", {"name": "p", "resources": {"limits": {"cpu": "2000m"}}, "unknown": 1,
                                         "securityContext": {"privileged": False}})
    assert encoded == {"name": "p", "resources": {"limits": {"cpu": "2"}}, "securityContext": {"privileged": False}}
