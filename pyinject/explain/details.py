"""What an injection put into a pod, and where each value came from.

Every list here is read from the pod the injector actually produced (in
memory, exactly as kube-inject would write it), compared with the user's pod;
the sources are worked out from the configuration layers beside it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pyinject.explain.model import ProbeRewrite, Sourced
from pyinject.model import InjectionConfig
from pyinject.records import dataclass

TEMPLATES_ANNOTATION = "inject.istio.io/templates"
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
RESOURCE_ANNOTATIONS = {
    ("requests", "cpu"): "sidecar.istio.io/proxyCPU",
    ("requests", "memory"): "sidecar.istio.io/proxyMemory",
    ("limits", "cpu"): "sidecar.istio.io/proxyCPULimit",
    ("limits", "memory"): "sidecar.istio.io/proxyMemoryLimit",
}


@dataclass(frozen=True)
class Sources:
    """Names of the configuration layers, for "where it came from"."""

    inject_config: str
    values: str
    mesh: str


def templates(config: InjectionConfig, annotations: Mapping[str, str]) -> tuple[list[str], str]:
    """The templates rendered, and why those: the annotation or the config's defaultTemplates, aliases expanded."""
    requested = annotations.get(TEMPLATES_ANNOTATION)
    if requested:
        names = [n.strip() for n in requested.split(",") if n.strip()]
        source = f"annotation {TEMPLATES_ANNOTATION}={requested!r}"
    else:
        names = list(config.default_templates)
        source = (f"injection config {config.source}, key defaultTemplates" if config.source != "<embedded>" else
                  "values sidecarInjectorWebhook.defaultTemplates (the embedded injection config's defaultTemplates)")
    chosen: list[str] = []
    expanded = []
    for name in names:
        alias = config.aliases.get(name)
        if alias:
            expanded.append(f"{name} -> {', '.join(alias)}")
        chosen.extend(alias or (name,))
    if expanded:
        source += f"; aliases (key aliases): {'; '.join(expanded)}"
    return chosen, source


def image(result: Mapping[str, Any], values: Mapping[str, Any], proxy_config: Mapping[str, Any],
          annotations: Mapping[str, str], sources: Sources) -> Sourced:
    """The proxy image as injected, with what chose it."""
    value = ""
    for container in _containers(result):
        if container.get("name") == "istio-proxy":
            value = str(container.get("image") or "")
    chosen = annotations.get("sidecar.istio.io/proxyImage")
    if chosen and "/" in chosen:
        return Sourced("image", value, "annotation sidecar.istio.io/proxyImage")
    parts = ["global.hub", "global.proxy.image", "global.tag"]
    source = f"values {sources.values}: " + ", ".join(parts)
    if chosen:
        source += f"; image name from annotation sidecar.istio.io/proxyImage={chosen!r}"
    if annotations.get("sidecar.istio.io/proxyImageType"):
        source += "; type from annotation sidecar.istio.io/proxyImageType"
    elif (proxy_config.get("image") or {}).get("imageType"):
        source += "; type from ProxyConfig image.imageType"
    return Sourced("image", value, source)


def proxy_config(effective: Mapping[str, Any], builtin: Mapping[str, Any], annotation: Mapping[str, Any],
                 sources: Sources) -> list[Sourced]:
    """Each field of the effective ProxyConfig, from Istio's defaults, the mesh config or the pod's annotation."""
    out = []
    for key in sorted(effective):
        value = effective[key]
        if key in annotation:
            source = f"annotation {PROXY_CONFIG_ANNOTATION}"
            note = "" if key != "proxyMetadata" else "merged key by key over the mesh config's"
        elif key in builtin and builtin[key] == value:
            source, note = "Istio default", ""
        else:
            source, note = f"mesh config {sources.mesh}, defaultConfig.{key}", ""
        out.append(Sourced(key, value, source, note))
    return out


def resources(result: Mapping[str, Any], values: Mapping[str, Any], annotations: Mapping[str, str],
              sources: Sources) -> tuple[list[Sourced], str]:
    """istio-proxy's requests and limits as injected, each with its source, and what was dropped."""
    proxy = next((c for c in _containers(result) if c.get("name") == "istio-proxy"), {})
    got = proxy.get("resources") or {}
    configured = ((values.get("global") or {}).get("proxy") or {}).get("resources") or {}
    out = []
    dropped = []
    for section in ("requests", "limits"):
        for name in sorted(set(got.get(section) or {}) | set(configured.get(section) or {})):
            have = (got.get(section) or {}).get(name)
            annotation = RESOURCE_ANNOTATIONS.get((section, name))
            from_values = (configured.get(section) or {}).get(name)
            if have is None:
                dropped.append(f"{section}.{name}={from_values}")
                continue
            if annotation and annotation in annotations:
                source = f"annotation {annotation}"
            elif from_values is not None:
                source = f"values {sources.values}, global.proxy.resources.{section}.{name}"
            else:
                source = "the template"
            out.append(Sourced(f"{section}.{name}", str(have), source))
    used = sorted(a for a in RESOURCE_ANNOTATIONS.values() if a in annotations)
    if dropped and used:
        note = (f"{', '.join(used)} set, so the template takes resources from the annotations only: "
                f"the values' {', '.join(dropped)} no longer apply")
    elif dropped:
        note = f"the values' {', '.join(dropped)} do not reach the proxy"
    elif used:
        note = "resources from the annotations (the template uses either annotations or values, never a mix)"
    else:
        note = "resources from the values (no sidecar.istio.io/proxyCPU/Memory annotations)"
    return out, note


def probes(user: Mapping[str, Any], result: Mapping[str, Any]) -> list[ProbeRewrite]:
    """Application probes the injection rewrote so the proxy answers them."""
    before = {c.get("name"): c for c in _containers(user)}
    out = []
    for container in _containers(result):
        old = before.get(container.get("name"))
        if old is None:
            continue
        for kind in PROBES:
            if old.get(kind) != container.get(kind) and old.get(kind) is not None:
                out.append(ProbeRewrite(str(container.get("name")), kind, _probe(old.get(kind)), _probe(container.get(kind))))
    return out


def added(user: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, list[str]]:
    """Names the injection added or changed: containers, init containers, volumes, annotations, labels."""
    user_spec, result_spec = user.get("spec") or {}, result.get("spec") or {}
    out = {}
    for key in ("containers", "initContainers", "volumes"):
        old = {i.get("name"): i for i in user_spec.get(key) or [] if isinstance(i, dict)}
        out[key] = [str(i.get("name")) for i in result_spec.get(key) or []
                    if isinstance(i, dict) and old.get(i.get("name")) != i]
    for key in ("annotations", "labels"):
        old_map = (user.get("metadata") or {}).get(key) or {}
        new_map = (result.get("metadata") or {}).get(key) or {}
        out[key] = sorted(str(k) for k, v in new_map.items() if k not in old_map or old_map[k] != v)
    return out


def _containers(pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    spec = pod.get("spec") or {}
    return [c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)]


def _probe(probe: Any) -> str:
    if not isinstance(probe, dict):
        return "none"
    for kind in ("httpGet", "tcpSocket", "grpc", "exec"):
        handler = probe.get(kind)
        if handler is None:
            continue
        if kind == "httpGet" and isinstance(handler, dict):
            return f"httpGet {handler.get('path', '/')} port {handler.get('port')}"
        if kind == "tcpSocket" and isinstance(handler, dict):
            return f"tcpSocket port {handler.get('port')}"
        if kind == "grpc" and isinstance(handler, dict):
            return f"grpc port {handler.get('port')}"
        return f"{kind} {json.dumps(handler, sort_keys=True)}"
    return json.dumps(probe, sort_keys=True)
