"""Probe rewriting (Istio's app_probe.go behaviour) on small hand-written pods."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pyinject.istio.postprocess import PostprocessContext
from pyinject.istio.postprocess.probes import dump_app_probers, probers_json, rewrite_probes, should_rewrite
from pyinject.istio.releases import RELEASES, Release

PROXY: dict[str, Any] = {"name": "istio-proxy", "image": "proxyv2", "env": [{"name": "A", "value": "1"}]}


def ctx(rewrite: bool = True, status_port: int = 15020, release: Release | None = None) -> PostprocessContext:
    return PostprocessContext(
        template_pod={},
        original_pod={},
        values={"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": rewrite}},
        mesh_config={},
        proxy_config={"statusPort": status_port},
        release=release,
    )


def pod(*containers: dict[str, Any], annotations: dict[str, str] | None = None, init: list[Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [copy.deepcopy(c) for c in containers] + [copy.deepcopy(PROXY)]}
    if init is not None:
        spec["initContainers"] = copy.deepcopy(init)
    return {"metadata": {"annotations": dict(annotations or {})}, "spec": spec}


def probers_env(p: dict[str, Any]) -> Any:
    proxy = next(c for c in p["spec"]["containers"] if c["name"] == "istio-proxy")
    values = [e["value"] for e in proxy["env"] if e["name"] == "ISTIO_KUBE_APP_PROBERS"]
    return json.loads(values[0]) if values else None


REWRITES = [
    (
        "http-named-port",
        {"name": "app", "ports": [{"name": "http", "containerPort": 80}], "livenessProbe": {"httpGet": {"port": "http"}}},
        "livenessProbe",
        {"httpGet": {"port": 15020, "path": "/app-health/app/livez"}},
        {"/app-health/app/livez": {"httpGet": {"port": 80}}},
    ),
    (
        "https-becomes-http-timeout-kept",
        {"name": "app", "readinessProbe": {"timeoutSeconds": 3, "httpGet": {"port": 8443, "path": "/r", "scheme": "HTTPS"}}},
        "readinessProbe",
        {"timeoutSeconds": 3, "httpGet": {"port": 15020, "path": "/app-health/app/readyz", "scheme": "HTTP"}},
        {"/app-health/app/readyz": {"httpGet": {"path": "/r", "port": 8443, "scheme": "HTTPS"}, "timeoutSeconds": 3}},
    ),
    (
        "tcp-becomes-http",
        {"name": "db", "startupProbe": {"tcpSocket": {"port": 5432}, "periodSeconds": 5}},
        "startupProbe",
        {"httpGet": {"path": "/app-health/db/startupz", "port": 15020}, "periodSeconds": 5},
        {"/app-health/db/startupz": {"tcpSocket": {"port": 5432}}},
    ),
    (
        "grpc-becomes-http",
        {"name": "g", "livenessProbe": {"grpc": {"port": 9000}}},
        "livenessProbe",
        {"httpGet": {"path": "/app-health/g/livez", "port": 15020}},
        {"/app-health/g/livez": {"grpc": {"port": 9000, "service": None}}},
    ),
    (
        "exec-untouched",
        {"name": "app", "livenessProbe": {"exec": {"command": ["true"]}}},
        "livenessProbe",
        {"exec": {"command": ["true"]}},
        None,
    ),
    (
        "unknown-named-port-rewritten-not-recorded",
        {"name": "app", "livenessProbe": {"httpGet": {"port": "nope"}}},
        "livenessProbe",
        {"httpGet": {"port": 15020, "path": "/app-health/app/livez"}},
        None,
    ),
]


@pytest.mark.parametrize(("container", "field", "want_probe", "want_env"), [r[1:] for r in REWRITES], ids=[r[0] for r in REWRITES])
def test_rewrite(container: dict[str, Any], field: str, want_probe: Any, want_env: Any) -> None:
    p = pod(container)
    rewrite_probes(p, ctx())
    assert p["spec"]["containers"][0][field] == want_probe
    assert probers_env(p) == want_env


def test_tcp_key_takes_the_old_position() -> None:
    p = pod({"name": "db", "livenessProbe": {"initialDelaySeconds": 1, "tcpSocket": {"port": 1}, "periodSeconds": 2}})
    rewrite_probes(p, ctx())
    assert list(p["spec"]["containers"][0]["livenessProbe"]) == ["initialDelaySeconds", "httpGet", "periodSeconds"]


def test_lifecycle_hooks_and_env_json_is_istios() -> None:
    p = pod(
        {
            "name": "hello",
            "lifecycle": {"preStop": {"httpGet": {"port": 91}}, "postStart": {"tcpSocket": {"port": 93}}},
            "readinessProbe": {"httpGet": {"port": 3333}},
        }
    )
    rewrite_probes(p, ctx())
    lifecycle = p["spec"]["containers"][0]["lifecycle"]
    assert lifecycle["preStop"] == {"httpGet": {"port": 15020, "path": "/app-lifecycle/hello/prestopz"}}
    assert lifecycle["postStart"] == {"httpGet": {"path": "/app-lifecycle/hello/poststartz", "port": 15020}}
    proxy = p["spec"]["containers"][1]
    assert proxy["env"][-1] == {
        "name": "ISTIO_KUBE_APP_PROBERS",
        "value": '{"/app-health/hello/readyz":{"httpGet":{"port":3333}},'
        '"/app-lifecycle/hello/poststartz":{"tcpSocket":{"port":93}},'
        '"/app-lifecycle/hello/prestopz":{"httpGet":{"port":91}}}',
    }


HOOKED_GRPC = {
    "name": "hello",
    "lifecycle": {"preStop": {"httpGet": {"port": 91}}},
    "livenessProbe": {"grpc": {"port": 7070}},
    "readinessProbe": {"httpGet": {"port": 3333}},
}


@pytest.mark.parametrize(("minor", "grpc", "hooks"), [(12, False, False), (13, True, False), (24, True, False),
                                                      (25, True, True), (30, True, True)])
def test_grpc_probes_and_hooks_follow_the_release(minor: int, grpc: bool, hooks: bool) -> None:
    p = pod(HOOKED_GRPC)
    rewrite_probes(p, ctx(release=RELEASES[(1, minor)]))
    app = p["spec"]["containers"][0]
    assert ("grpc" not in app["livenessProbe"]) is grpc
    assert (app["lifecycle"]["preStop"]["httpGet"]["port"] == 15020) is hooks
    recorded = probers_env(p)
    assert ("/app-health/hello/livez" in recorded) is grpc
    assert ("/app-lifecycle/hello/prestopz" in recorded) is hooks
    assert recorded["/app-health/hello/readyz"] == {"httpGet": {"port": 3333}}


def test_init_container_probes_rewritten_proxy_skipped() -> None:
    sidecar = {"name": "side", "restartPolicy": "Always", "readinessProbe": {"httpGet": {"port": 3333}}}
    p = pod(init=[sidecar])
    p["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"port": 15021, "path": "/healthz/ready"}}
    rewrite_probes(p, ctx())
    assert p["spec"]["initContainers"][0]["readinessProbe"]["httpGet"]["path"] == "/app-health/side/readyz"
    assert p["spec"]["containers"][0]["readinessProbe"]["httpGet"] == {"port": 15021, "path": "/healthz/ready"}
    assert probers_env(p) == {"/app-health/side/readyz": {"httpGet": {"port": 3333}}}


@pytest.mark.parametrize(
    ("annotation", "setting", "want"),
    [("false", True, False), ("true", False, True), ("maybe", True, True), (None, False, False), (None, True, True)],
    ids=["annotation-off", "annotation-on", "bad-annotation-falls-back", "values-off", "values-on"],
)
def test_should_rewrite(annotation: str | None, setting: bool, want: bool) -> None:
    anns = {} if annotation is None else {"sidecar.istio.io/rewriteAppHTTPProbers": annotation}
    assert should_rewrite(anns, {"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": setting}}) is want


def test_disabled_leaves_pod_alone() -> None:
    p = pod({"name": "app", "livenessProbe": {"httpGet": {"port": 80}}})
    before = copy.deepcopy(p)
    rewrite_probes(p, ctx(rewrite=False))
    assert p == before


def test_no_proxy_no_rewrite() -> None:
    p = {"spec": {"containers": [{"name": "app", "livenessProbe": {"httpGet": {"port": 80}}}]}}
    before = copy.deepcopy(p)
    rewrite_probes(p, ctx())
    assert p == before


def test_status_port_annotation_wins_for_the_probe_not_the_record() -> None:
    p = pod({"name": "app", "livenessProbe": {"httpGet": {"port": 80}}}, annotations={"status.sidecar.istio.io/port": "123"})
    rewrite_probes(p, ctx())
    assert p["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] == 123
    assert probers_env(p) == {"/app-health/app/livez": {"httpGet": {"port": 80}}}


def test_already_rewritten_probe_not_recorded() -> None:
    p = pod({"name": "app", "livenessProbe": {"httpGet": {"port": 15020, "path": "/app-health/app/livez"}}})
    assert dump_app_probers(p, 15020) == {}


def test_reinjection_merges_existing_record() -> None:
    # A pod injected before still carries the old record; its entries win.
    p = pod(
        {"name": "hello", "livenessProbe": {"httpGet": {"port": 15020, "path": "/app-health/hello/livez"}}},
        {"name": "new", "livenessProbe": {"httpGet": {"port": 8008, "path": "/live"}}},
        annotations={"sidecar.istio.io/status": "{}"},
    )
    proxy = p["spec"]["containers"][2]
    proxy["env"].append({"name": "ISTIO_KUBE_APP_PROBERS", "value": '{"/app-health/hello/livez":{"httpGet":{"port":80}}}'})
    rewrite_probes(p, ctx())
    assert [e["name"] for e in proxy["env"]].count("ISTIO_KUBE_APP_PROBERS") == 1
    assert probers_env(p) == {
        "/app-health/hello/livez": {"httpGet": {"port": 80}},
        "/app-health/new/livez": {"httpGet": {"path": "/live", "port": 8008}},
    }


def test_probers_json_sorted_and_normalized() -> None:
    text = probers_json({"/b": {"httpGet": {"port": 1, "bogus": 2}}, "/a": {"tcpSocket": {"port": 2}, "timeoutSeconds": 0}})
    assert text == '{"/a":{"tcpSocket":{"port":2}},"/b":{"httpGet":{"port":1}}}'


def test_common_probers_are_written_as_the_general_encoder_writes_them() -> None:
    # probers_json writes the commonest Probers directly: the same text, field by field, as
    # Go's encoding of the Prober struct, for every mix of present, empty, odd and extra parts.
    import random

    from pyinject.golang.encoding_json import go_json
    from pyinject.k8s import gojson

    rng = random.Random(15)
    strings = [None, "", "/x", "<&>", "héllo", 'q"uote', 1, True]
    ports = [None, 0, 8080, "http", "", 1.5, False]
    for _ in range(3_000):
        kind = rng.choice(["httpGet", "tcpSocket", "grpc", "both"])
        action: dict[str, Any] = {"port": rng.choice(ports)}
        for name in rng.sample(["path", "host", "scheme", "httpHeaders", "bogus"], rng.randint(0, 3)):
            action[name] = rng.choice(strings) if name != "httpHeaders" else [{"name": "a", "value": "b"}]
        if rng.random() < 0.1:
            del action["port"]
        prober: dict[str, Any] = {"tcpSocket": {"port": 1}, "httpGet": action} if kind == "both" else {kind: action}
        if rng.random() < 0.7:
            prober["timeoutSeconds"] = rng.choice([None, 0, 1, 30, True, 2.5])
        if rng.random() < 0.05:
            prober["extra"] = 1
        expected = "{" + f'"/p":{go_json(gojson.encode("Prober", prober))}' + "}"
        assert probers_json({"/p": prober}) == expected, prober
    # Several entries keep Go's key order (bytes), and a null Prober is null.
    keys = ["/b", "/a", "/é", "/Z"]
    probers: dict[str, Any] = {k: {"httpGet": {"port": n}} for n, k in enumerate(keys)}
    probers["/n"] = None
    expected_keys = sorted(probers, key=lambda k: k.encode("utf-8"))
    assert list(json.loads(probers_json(probers))) == expected_keys
    assert '"/n":null' in probers_json(probers)


def test_named_ports_resolve_against_each_containers_own_ports() -> None:
    # Two containers name a port alike: each probe takes its own container's number,
    # and a container that does not declare the name records nothing for it.
    p = pod(
        {"name": "a", "ports": [{"name": "http", "containerPort": 81}], "readinessProbe": {"httpGet": {"port": "http"}}},
        {"name": "b", "ports": [{"name": "http", "containerPort": 82}, {"name": "http", "containerPort": 83}],
         "livenessProbe": {"tcpSocket": {"port": "http"}}, "lifecycle": {"preStop": {"httpGet": {"port": "http"}}}},
        {"name": "c", "livenessProbe": {"httpGet": {"port": "http"}}},
    )
    assert dump_app_probers(p, 15020) == {
        "/app-health/a/readyz": {"httpGet": {"port": 81}},
        "/app-health/b/livez": {"tcpSocket": {"port": 83}},
        "/app-lifecycle/b/prestopz": {"httpGet": {"port": 83}},
    }
    assert p["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] == "http"
