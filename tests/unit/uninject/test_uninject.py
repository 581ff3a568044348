"""Stripping a previous injection (re-injection) and full uninject.

The property: injecting a pod (template merge + post-processing) and then
uninjecting it gives the pod back.  The templates here are small hand-written
stand-ins for Istio's ``sidecar`` template (classic, native, CNI flavours).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyinject.errors import ConfigError
from pyinject.k8s.merge import merge_overlay
from pyinject.istio.postprocess import PostprocessContext, run
from pyinject.uninject.strip import strip_injection, uninject

VOLUMES = [{"name": "istio-envoy", "emptyDir": {"medium": "Memory"}}, {"name": "istio-token"}]


def sidecar_template(user_pod: dict[str, Any], *, native: bool, cni: bool = False, proxy_config: str = "{}\n") -> dict[str, Any]:
    """What a sidecar template renders for ``user_pod`` (shape of Istio's stock template)."""
    user_labels = user_pod.get("metadata", {}).get("labels", {})
    apps = [c["name"] for c in user_pod["spec"].get("containers", []) if c["name"] != "istio-proxy"]
    user_anns = user_pod.get("metadata", {}).get("annotations", {})
    anns: dict[str, str] = {"istio.io/rev": "default"}
    for key in ("kubectl.kubernetes.io/default-logs-container", "kubectl.kubernetes.io/default-container"):
        if apps and key not in user_anns:
            anns[key] = apps[0]
    if cni:
        anns.update(
            {
                "sidecar.istio.io/interceptionMode": "REDIRECT",
                "traffic.sidecar.istio.io/includeOutboundIPRanges": "*",
                "traffic.sidecar.istio.io/includeInboundPorts": "*",
                "traffic.sidecar.istio.io/excludeInboundPorts": ",".join(
                    p for p in [user_pod.get("metadata", {}).get("annotations", {}).get("traffic.sidecar.istio.io/excludeInboundPorts", ""), "15020"] if p
                ),
            }
        )
    init = {
        "name": "istio-validation" if cni else "istio-init",
        "image": "hub/proxyv2:t",
        "args": ["istio-iptables", "-u", "1337"],
    }
    proxy = {
        "name": "istio-proxy",
        "image": "hub/proxyv2:t",
        "env": [{"name": "PROXY_CONFIG", "value": proxy_config}, {"name": "ISTIO_META_APP_CONTAINERS", "value": ",".join(apps)}],
        "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021}},
    }
    spec: dict[str, Any] = {"initContainers": [init], "volumes": copy.deepcopy(VOLUMES)}
    if native:
        spec["initContainers"].append(dict(proxy, restartPolicy="Always"))
    else:
        spec["containers"] = [proxy]
    labels = {
        "security.istio.io/tlsMode": user_labels.get("security.istio.io/tlsMode", "istio"),
        "service.istio.io/canonical-name": user_labels.get("service.istio.io/canonical-name")
        or user_labels.get("app.kubernetes.io/name")
        or user_labels.get("app")
        or "workload",
        "service.istio.io/canonical-revision": user_labels.get("service.istio.io/canonical-revision")
        or user_labels.get("version")
        or "latest",
    }
    return {"metadata": {"labels": labels, "annotations": anns}, "spec": spec}


def inject(user_pod: dict[str, Any], *, native: bool = True, cni: bool = False, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The pipeline in miniature: render, merge, post-process."""
    template = sidecar_template(user_pod, native=native, cni=cni)
    pod = copy.deepcopy(user_pod)
    merge_overlay(pod, copy.deepcopy(template))
    ctx = PostprocessContext(
        template_pod=template,
        original_pod=user_pod,
        values=values or {"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": True}},
        mesh_config={"enablePrometheusMerge": True},
        proxy_config={"statusPort": 15020},
    )
    return run(pod, ctx)


def app(name: str = "app", **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": f"{name}:1", **extra}


PODS: list[tuple[str, dict[str, Any], dict[str, bool]]] = [
    ("bare", {"metadata": {"labels": {"app": "hello"}}, "spec": {"containers": [app()]}}, {}),
    ("classic", {"metadata": {"labels": {"app": "hello"}}, "spec": {"containers": [app()]}}, {"native": False}),
    (
        "probes-and-hooks",
        {
            "metadata": {"labels": {"app": "hello", "version": "v2"}},
            "spec": {
                "containers": [
                    app(
                        ports=[{"containerPort": 8080}],
                        livenessProbe={"httpGet": {"port": 8080, "path": "/live", "scheme": "HTTPS"}, "timeoutSeconds": 2},
                        readinessProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 3},
                        startupProbe={"grpc": {"port": 9000}},
                        lifecycle={"preStop": {"httpGet": {"port": 8080, "path": "/stop"}}},
                    ),
                    app("side", readinessProbe={"exec": {"command": ["true"]}}),
                ],
                "initContainers": [app("native", restartPolicy="Always", readinessProbe={"httpGet": {"port": 3333}})],
            },
        },
        {},
    ),
    (
        "prometheus-annotations",
        {
            "metadata": {"annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/m"}},
            "spec": {"containers": [app()]},
        },
        {},
    ),
    (
        "user-settings-survive",
        {
            "metadata": {
                "labels": {"app": "hello", "service.istio.io/canonical-name": "custom", "security.istio.io/tlsMode": "disabled"},
                "annotations": {"kubectl.kubernetes.io/default-container": "other", "keep": "me"},
            },
            "spec": {"containers": [app(), app("other")], "volumes": [{"name": "data", "emptyDir": {}}]},
        },
        {},
    ),
    (
        "user-proxy-override-native",
        {
            "metadata": {"labels": {"app": "hello"}},
            "spec": {
                "containers": [
                    app(),
                    {"name": "istio-proxy", "image": "auto", "resources": {"limits": {"cpu": "3"}}, "securityContext": {"runAsUser": 1234}},
                ]
            },
        },
        {},
    ),
    (
        "user-proxy-and-init-override-classic",
        {
            "metadata": {"labels": {"app": "hello"}},
            "spec": {
                "containers": [app(), {"name": "istio-proxy", "image": "my/proxy:1", "tty": True}],
                "initContainers": [{"name": "istio-init", "image": "auto", "args": ["custom"]}],
            },
        },
        {"native": False},
    ),
    (
        "cni",
        {
            "metadata": {"labels": {"app": "hello"}, "annotations": {"traffic.sidecar.istio.io/excludeInboundPorts": "8080"}},
            "spec": {"containers": [app()]},
        },
        {"cni": True},
    ),
]


@pytest.mark.parametrize(("user_pod", "opts"), [p[1:] for p in PODS], ids=[p[0] for p in PODS])
def test_uninject_inverts_inject(user_pod: dict[str, Any], opts: dict[str, bool]) -> None:
    injected = inject(user_pod, **opts)
    assert injected != user_pod
    result = uninject(injected, workload_name="workload")
    assert result.injected
    assert injected == user_pod


@pytest.mark.parametrize(("user_pod", "opts"), [p[1:] for p in PODS], ids=[p[0] for p in PODS])
def test_reinjection_is_idempotent(user_pod: dict[str, Any], opts: dict[str, bool]) -> None:
    once = inject(user_pod, **opts)
    twice = inject(strip_injection(copy.deepcopy(once), workload_name="workload"), **opts)
    assert twice == once


def test_result_reports_what_was_removed() -> None:
    user_pod = {
        "metadata": {"labels": {"app": "hello"}},
        "spec": {"containers": [app(livenessProbe={"httpGet": {"port": 80}})]},
    }
    result = uninject(inject(user_pod, native=False))
    assert result.containers == ("istio-proxy",)
    assert result.init_containers == ("istio-init",)
    assert result.volumes == ("istio-envoy", "istio-token")
    assert result.restored_probes == ("app/livenessProbe",)
    assert "sidecar.istio.io/status" in result.annotations
    assert set(result.labels) == {
        "security.istio.io/tlsMode",
        "service.istio.io/canonical-name",
        "service.istio.io/canonical-revision",
    }


def test_not_injected_is_unchanged() -> None:
    pod = {"metadata": {"labels": {"security.istio.io/tlsMode": "istio"}}, "spec": {"containers": [app()]}}
    before = copy.deepcopy(pod)
    assert uninject(pod).injected is False
    assert pod == before


def test_older_injection_format() -> None:
    # Status from an older Istio (extra "version" key), proxy among regular containers,
    # probes recorded by that release.
    pod = {
        "metadata": {
            "annotations": {
                "sidecar.istio.io/status": '{"version":"x","initContainers":["istio-init"],"containers":["istio-proxy"],'
                '"volumes":["istio-envoy"],"imagePullSecrets":null}',
                "prometheus.io/port": "15020",
                "prometheus.io/path": "/stats/prometheus",
                "prometheus.io/scrape": "true",
            },
            "labels": {"app": "a", "security.istio.io/tlsMode": "istio"},
        },
        "spec": {
            "initContainers": [{"name": "istio-init"}],
            "containers": [
                {"name": "a", "readinessProbe": {"httpGet": {"path": "/app-health/a/readyz", "port": 15020}}},
                {
                    "name": "istio-proxy",
                    "env": [{"name": "ISTIO_KUBE_APP_PROBERS", "value": '{"/app-health/a/readyz":{"httpGet":{"port":80,"path":"/r"}}}'}],
                },
            ],
            "volumes": [{"name": "istio-envoy"}, {"name": "mine"}],
        },
    }
    strip_injection(pod)
    assert pod == {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"containers": [{"name": "a", "readinessProbe": {"httpGet": {"port": 80, "path": "/r"}}}], "volumes": [{"name": "mine"}]},
    }


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("default/istio-cni", None),
        ("alt_cni, default/istio-cni", "alt_cni"),
        ('[{"name": "a"}, {"name": "istio-cni", "namespace": "default"}]', '[{"name": "a"}]'),
        ("alt_cni", "alt_cni"),
    ],
    ids=["only-istio", "comma-list", "json-list", "not-appended"],
)
def test_multus_network_removed_after_cni_injection(before: str, after: str | None) -> None:
    pod = {
        "metadata": {
            "annotations": {
                "sidecar.istio.io/status": '{"initContainers":["istio-validation"],"containers":["istio-proxy"]}',
                "k8s.v1.cni.cncf.io/networks": before,
            }
        },
        "spec": {"containers": [{"name": "istio-proxy"}], "initContainers": [{"name": "istio-validation"}]},
    }
    strip_injection(pod)
    assert pod["metadata"].get("annotations", {}).get("k8s.v1.cni.cncf.io/networks") == after


def test_gateway_template_extras_removed() -> None:
    pod = {
        "metadata": {
            "annotations": {
                "inject.istio.io/templates": "gateway",
                "sidecar.istio.io/status": '{"containers":["istio-proxy"]}',
                "proxy.istio.io/overrides": '{"containers":[{"name":"istio-proxy","resources":{},"imagePullPolicy":"IfNotPresent"}]}',
            }
        },
        "spec": {
            "securityContext": {"sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]},
            "containers": [{"name": "istio-proxy", "image": "hub/proxyv2", "imagePullPolicy": "IfNotPresent"}],
        },
    }
    strip_injection(pod)
    assert pod == {
        "metadata": {"annotations": {"inject.istio.io/templates": "gateway"}},
        "spec": {"containers": [{"name": "istio-proxy", "image": "auto", "imagePullPolicy": "IfNotPresent"}]},
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [("sidecar.istio.io/status", "{broken"), ("proxy.istio.io/overrides", "[1]")],
    ids=["bad-status", "bad-overrides"],
)
def test_bad_annotations_are_config_errors(key: str, value: str) -> None:
    anns = {"sidecar.istio.io/status": "{}", key: value}
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        uninject({"metadata": {"annotations": anns}, "spec": {}})
