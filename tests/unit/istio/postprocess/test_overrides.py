"""User-declared injected containers override the template (Istio's reapplyOverwrittenContainers).

The scenarios follow the shape of Istio's proxy-override tests: a user pod that
declares its own ``istio-proxy`` (``image: auto``) and ``istio-init``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pyinject.errors import ConfigError
from pyinject.k8s.merge import merge_overlay
from pyinject.istio.postprocess import PostprocessContext
from pyinject.istio.postprocess.overrides import parse_overrides, reapply_user_containers

TEMPLATE_PROXY: dict[str, Any] = {
    "name": "istio-proxy",
    "image": "hub/proxyv2:1",
    "args": ["proxy", "sidecar"],
    "env": [{"name": "A", "value": "1"}],
    "resources": {"limits": {"cpu": "2"}, "requests": {"cpu": "100m"}},
    "securityContext": {"runAsUser": 1337, "runAsGroup": 1337, "runAsNonRoot": True},
}
TEMPLATE_INIT: dict[str, Any] = {
    "name": "istio-init",
    "image": "hub/proxyv2:1",
    "args": ["istio-iptables", "-p", "15001", "-u", "1337", "-m", "REDIRECT"],
    "securityContext": {"runAsUser": 0},
}


def template(native: bool, init_name: str = "istio-init") -> dict[str, Any]:
    init = dict(copy.deepcopy(TEMPLATE_INIT), name=init_name)
    proxy = copy.deepcopy(TEMPLATE_PROXY)
    if native:
        return {"spec": {"initContainers": [init, dict(proxy, restartPolicy="Always")]}}
    return {"spec": {"initContainers": [init], "containers": [proxy]}}


def inject(user_pod: dict[str, Any], native: bool, mode: str = "REDIRECT", init_name: str = "istio-init") -> dict[str, Any]:
    """Merge the template as the pipeline does (the user's proxy stays where it is), then run the override pass."""
    tmpl = template(native, init_name)
    merged = copy.deepcopy(user_pod)
    merge_overlay(merged, copy.deepcopy(tmpl))
    ctx = PostprocessContext(
        template_pod=tmpl,
        original_pod=user_pod,
        values={},
        mesh_config={},
        proxy_config={"interceptionMode": mode},
    )
    reapply_user_containers(merged, ctx)
    return merged


def user_pod(proxy: dict[str, Any] | None = None, init: dict[str, Any] | None = None) -> dict[str, Any]:
    containers: list[Any] = [{"name": "app", "image": "app:1"}]
    if proxy is not None:
        containers.append(dict({"name": "istio-proxy", "image": "auto"}, **proxy))
    spec: dict[str, Any] = {"containers": containers}
    if init is not None:
        spec["initContainers"] = [dict({"name": "istio-init"}, **init)]
    return {"metadata": {"labels": {"app": "x"}}, "spec": spec}


def find(pod: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    return next(c for c in pod["spec"].get(key, []) if c["name"] == name)


@pytest.mark.parametrize("native", [True, False], ids=["native", "classic"])
def test_user_fields_win_and_auto_keeps_image(native: bool) -> None:
    out = inject(user_pod({"resources": {"limits": {"cpu": "3000m"}}, "tty": True}), native)
    key = "initContainers" if native else "containers"
    proxy = find(out, key, "istio-proxy")
    assert proxy["image"] == "hub/proxyv2:1"
    assert proxy["resources"] == {"limits": {"cpu": "3"}, "requests": {"cpu": "100m"}}
    assert proxy["tty"] is True
    assert [c["name"] for c in out["spec"]["containers"]] == (["app"] if native else ["app", "istio-proxy"])
    recorded = json.loads(out["metadata"]["annotations"]["proxy.istio.io/overrides"])
    assert recorded == {key: [{"name": "istio-proxy", "resources": {"limits": {"cpu": "3"}}, "tty": True}]}


def test_annotation_text_is_istios_and_lists_init_container_override() -> None:
    out = inject(user_pod({"args": ["-c", "my.yaml"], "command": ["envoy"]}, init={"image": "fake/custom", "args": ["my"]}), True)
    assert out["metadata"]["annotations"]["proxy.istio.io/overrides"] == (
        '{"initContainers":[{"name":"istio-init","image":"fake/custom","args":["my"],"resources":{}},'
        '{"name":"istio-proxy","command":["envoy"],"args":["-c","my.yaml"],"resources":{}}]}'
    )
    init = find(out, "initContainers", "istio-init")
    assert init["image"] == "fake/custom" and init["args"] == ["my"]
    assert find(out, "initContainers", "istio-proxy")["args"] == ["-c", "my.yaml"]


def test_no_user_containers_no_annotation() -> None:
    out = inject(user_pod(), True)
    assert "annotations" not in out["metadata"]


RUN_AS = [
    # (id, mode, init container, proxy runAsUser, init -u, init securityContext)
    ("redirect", "REDIRECT", "istio-init", 1234, "1234", {"runAsUser": 0}),
    ("tproxy-proxy-root", "TPROXY", "istio-init", 0, "1234", {"runAsUser": 0}),
    ("cni-validation-follows", "REDIRECT", "istio-validation", 1234, "1234", {"runAsUser": 1234, "runAsGroup": 4321}),
]


@pytest.mark.parametrize(("mode", "init_name", "proxy_uid", "dash_u", "init_sc"), [r[1:] for r in RUN_AS], ids=[r[0] for r in RUN_AS])
def test_user_run_as(mode: str, init_name: str, proxy_uid: int, dash_u: str, init_sc: dict[str, int]) -> None:
    out = inject(user_pod({"securityContext": {"runAsUser": 1234, "runAsGroup": 4321}}), True, mode, init_name)
    proxy = find(out, "initContainers", "istio-proxy")
    assert proxy["securityContext"]["runAsUser"] == proxy_uid
    assert proxy["securityContext"]["runAsGroup"] == 4321
    init = find(out, "initContainers", init_name)
    assert init["args"][init["args"].index("-u") + 1] == dash_u
    assert init["securityContext"] == init_sc


def test_run_as_root_keeps_iptables_uid() -> None:
    out = inject(user_pod({"securityContext": {"runAsUser": 0}}), True)
    init = find(out, "initContainers", "istio-init")
    assert init["args"][init["args"].index("-u") + 1] == "1337"


def test_previously_injected_containers_are_not_overrides() -> None:
    # A pod injected before (not stripped): its istio-proxy is the old injected one.
    pod = user_pod({"env": [{"name": "OLD", "value": "x"}]})
    pod["metadata"]["annotations"] = {
        "sidecar.istio.io/status": '{"initContainers":null,"containers":["istio-proxy"],"volumes":null}'
    }
    out = inject(pod, False)
    assert "proxy.istio.io/overrides" not in out["metadata"]["annotations"]


def test_existing_overrides_annotation_is_used() -> None:
    pod = user_pod()
    pod["metadata"]["annotations"] = {"proxy.istio.io/overrides": '{"containers":[{"name":"istio-proxy","tty":true}]}'}
    out = inject(pod, False)
    assert find(out, "containers", "istio-proxy")["tty"] is True


@pytest.mark.parametrize(
    "text",
    ["{not json", "[]", '{"containers": {"name": "x"}}'],
    ids=["bad-json", "not-object", "containers-not-list"],
)
def test_bad_overrides_annotation(text: str) -> None:
    with pytest.raises(ConfigError, match="proxy.istio.io/overrides"):
        parse_overrides(text)


def test_unmoved_user_proxy_gives_the_moved_result() -> None:
    # The pipeline merged without moving the user's proxy: the pass rebuilds what
    # the move would have given, list order included, and leaves one proxy.
    user = user_pod({"tty": True, "env": [{"name": "MINE", "value": "x"}], "volumeMounts": [{"name": "c", "mountPath": "/c"}]})
    tmpl = template(True)
    tmpl["spec"]["initContainers"][1]["volumeMounts"] = [{"name": "t", "mountPath": "/t"}]
    merged = copy.deepcopy(user)
    merge_overlay(merged, copy.deepcopy(tmpl))
    ctx = PostprocessContext(template_pod=tmpl, original_pod=user, values={}, mesh_config={}, proxy_config={})
    reapply_user_containers(merged, ctx)
    # Istio's way: move the user's proxy to the end of initContainers, then merge.
    moved = copy.deepcopy(user)
    spec = moved["spec"]
    proxy = next(c for c in spec["containers"] if c["name"] == "istio-proxy")
    spec["containers"] = [c for c in spec["containers"] if c is not proxy]
    spec.setdefault("initContainers", []).append(proxy)
    merge_overlay(moved, copy.deepcopy(tmpl))
    reapply_user_containers(moved, ctx)
    assert [c["name"] for c in merged["spec"]["containers"]] == ["app"]
    assert find(merged, "initContainers", "istio-proxy") == find(moved, "initContainers", "istio-proxy")
    assert [m["mountPath"] for m in find(merged, "initContainers", "istio-proxy")["volumeMounts"]] == [
        m["mountPath"] for m in find(moved, "initContainers", "istio-proxy")["volumeMounts"]
    ]
