"""App probe rewriting: kubelet probes and lifecycle hooks go through the agent's status port.

With mutual TLS the sidecar would reject kubelet's plain HTTP/TCP/gRPC probes,
so Istio points them at the pilot-agent (``/app-health/<container>/livez`` …
on the status port) and tells the agent, in ``ISTIO_KUBE_APP_PROBERS``, what
the original probe was so it can run it from inside the pod.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.model import JSON
from pyinject.golang.encoding_json import go_json, go_json_string
from pyinject.k8s import gojson
from pyinject.istio.postprocess.pod import (
    KUBE_APP_PROBERS_ENV,
    PROXY,
    STATUS_ANNOTATION,
    STATUS_PORT_ANNOTATION,
    Pod,
    all_containers,
    annotations_of,
    dig,
    env_list,
    find_env,
    find_in_pod,
    mesh_status_port,
    parse_go_bool,
    parse_go_int,
    replace_key,
)

if TYPE_CHECKING:
    from pyinject.istio.postprocess import PostprocessContext

REWRITE_ANNOTATION = "sidecar.istio.io/rewriteAppHTTPProbers"

#: Container field -> the agent URL that takes it over ({} is the container name).
PROBE_URLS = {
    "readinessProbe": "/app-health/{}/readyz",
    "livenessProbe": "/app-health/{}/livez",
    "startupProbe": "/app-health/{}/startupz",
}
LIFECYCLE_URLS = {
    "preStop": "/app-lifecycle/{}/prestopz",
    "postStart": "/app-lifecycle/{}/poststartz",
}


def should_rewrite(anns: Mapping[str, Any] | None, values: Mapping[str, JSON]) -> bool:
    """The pod's ``sidecar.istio.io/rewriteAppHTTPProbers`` if it parses as a boolean,
    else ``values.sidecarInjectorWebhook.rewriteAppHTTPProbe``."""
    if anns is not None and REWRITE_ANNOTATION in anns:
        parsed = parse_go_bool(anns[REWRITE_ANNOTATION])
        if parsed is not None:
            return parsed
    setting = dig(values, "sidecarInjectorWebhook", "rewriteAppHTTPProbe")
    return bool(setting)


#: The handlers taken over in probes and in lifecycle hooks, where the release takes each over.
PROBE_KINDS = ("httpGet", "tcpSocket", "grpc")
HOOK_KINDS = ("httpGet", "tcpSocket")


def _probe_kinds(tcp: bool, grpc: bool = True) -> tuple[str, ...]:
    return tuple(k for k in PROBE_KINDS if (tcp or k != "tcpSocket") and (grpc or k != "grpc"))


def _prober(handler: JSON, kinds: tuple[str, ...], *, probe: JSON = None) -> dict[str, JSON] | None:
    """Istio's internal Prober for a probe or lifecycle handler, named ports not yet resolved."""
    if type(handler) is not dict and not isinstance(handler, Mapping):
        return None
    for kind in kinds:
        action = handler.get(kind)
        if action is not None:
            mapping = type(action) is dict or isinstance(action, Mapping)
            out: dict[str, JSON] = {kind: dict(action) if mapping else action}
            if probe is not None and probe.get("timeoutSeconds"):
                out["timeoutSeconds"] = probe["timeoutSeconds"]
            return out
    return None


def _resolve_port(prober: dict[str, JSON] | None, container: Mapping[str, Any], target: int) -> dict[str, JSON] | None:
    """Resolve a named port against the container's ports; None to leave the probe out.

    gRPC ports are always numbers.  A named port the container does not declare,
    or a port that already is the status port (an earlier rewrite), is not recorded.
    """
    if prober is None:
        return None
    if "grpc" in prober:
        return prober
    action = prober.get("httpGet") or prober.get("tcpSocket")
    if not isinstance(action, dict):
        return None
    port = action.get("port")
    if isinstance(port, str):
        ports = _named_ports(container)
        if port not in ports:
            return None
        action["port"] = ports[port]
    elif port == target:
        return None
    return prober


def _named_ports(container: Mapping[str, Any]) -> dict[str, JSON]:
    """The container's ports by name (the later of two with one name), read only for a named port."""
    return {
        p["name"]: p.get("containerPort")
        for p in container.get("ports") or ()
        if (type(p) is dict or isinstance(p, Mapping)) and p.get("name")
    }


def dump_app_probers(pod: JSON, target_port: int, kinds: tuple[str, ...] = PROBE_KINDS,
                     hook_kinds: tuple[str, ...] = HOOK_KINDS) -> dict[str, dict[str, JSON]]:
    """The original probes of ``kinds`` and lifecycle hooks of ``hook_kinds`` of every app
    container, keyed by the agent URL that will serve them, with named ports made numbers."""
    return _dump([c for c in all_containers(pod) if c.get("name") != PROXY], target_port, kinds, hook_kinds)


def _dump(containers: list[MutableMapping[str, Any]], target_port: int, kinds: tuple[str, ...],
          hook_kinds: tuple[str, ...]) -> dict[str, dict[str, JSON]]:
    out: dict[str, dict[str, JSON]] = {}
    for c in containers:
        name = c.get("name")
        for field, url in PROBE_URLS.items():
            probe = c.get(field)
            if probe is not None:  # (a missing probe has no prober)
                found = _resolve_port(_prober(probe, kinds, probe=probe or {}), c, target_port)
                if found is not None:
                    out[url.format(name)] = found
        lifecycle = c.get("lifecycle")
        if hook_kinds and (type(lifecycle) is dict or isinstance(lifecycle, Mapping)):
            for field, url in LIFECYCLE_URLS.items():
                found = _resolve_port(_prober(lifecycle.get(field), hook_kinds), c, target_port)
                if found is not None:
                    out[url.format(name)] = found
    return out


def probers_json(probers: Mapping[str, JSON]) -> str:
    """``ISTIO_KUBE_APP_PROBERS`` text: Go's JSON of ``map[string]*Prober`` (sorted keys)."""
    entries = []
    for key, value in sorted(probers.items(), key=lambda kv: kv[0].encode("utf-8")):
        text = _common_prober_json(value)
        if text is None:
            text = go_json(gojson.encode("Prober", value) if value is not None else None)
        entries.append(f"{go_json_string(key)}:{text}")
    return "{" + ",".join(entries) + "}"


_COMMON_PROBER = frozenset(("httpGet", "tcpSocket", "timeoutSeconds"))


def _common_prober_json(value: JSON) -> str | None:
    """``gojson.encode("Prober", value)``'s JSON, written directly when ``value`` is one of the commonest
    Probers: one HTTP GET or TCP socket action of plain text and numbers (see :func:`gojson.flat_json`),
    and a timeout (omitted when zero).  None otherwise.
    """
    if type(value) is not dict or not value.keys() <= _COMMON_PROBER:
        return None
    http, tcp, timeout = value.get("httpGet"), value.get("tcpSocket"), value.get("timeoutSeconds")
    if (http is None) == (tcp is None) or (timeout is not None and type(timeout) is not int):
        return None
    kind, struct, action = ("httpGet", "HTTPGetAction", http) if http is not None else ("tcpSocket", "TCPSocketAction", tcp)
    body = gojson.flat_json(struct, action) if type(action) is dict else None
    if body is None:
        return None
    return f'{{"{kind}":{body}' + (f',"timeoutSeconds":{timeout}}}' if timeout else "}")


def _record(sidecar: MutableMapping[str, Any], previously_injected: bool, probers: dict[str, dict[str, JSON]]) -> None:
    """Append the env var, or on a pod that was injected before, merge into the one it has
    (entries it already records win, as they describe the probes before the first rewrite)."""
    existing = find_env(sidecar, KUBE_APP_PROBERS_ENV) if previously_injected else None
    if existing is None:
        env_list(sidecar).append({"name": KUBE_APP_PROBERS_ENV, "value": probers_json(probers)})
        return
    try:
        old = json.loads(str(existing.get("value", "")))
    except ValueError:
        return
    if not isinstance(old, dict):
        return
    merged: dict[str, JSON] = dict(probers)
    merged.update(old)
    # Istio rebuilds the entry as a plain name/value pair.
    existing.pop("valueFrom", None)
    existing["value"] = probers_json(merged)


def _http_get(action: MutableMapping[str, Any], url: str, port: int) -> None:
    action["port"] = port
    action["path"] = url
    # Kubelet -> HTTP -> agent; the agent speaks HTTPS to the app itself.
    if action.get("scheme") == "HTTPS":
        action["scheme"] = "HTTP"


def _redirect(handler: MutableMapping[str, Any], url: str, port: int, kinds: tuple[str, ...]) -> None:
    """Point one probe or hook at the agent; TCP and gRPC checks become HTTP GETs."""
    action = handler.get("httpGet")
    if type(action) is dict or isinstance(action, MutableMapping):
        _http_get(action, url, port)
        return
    for kind in kinds[1:]:
        if handler.get(kind) is not None:
            replace_key(handler, kind, "httpGet", {"path": url, "port": port})
            return


def _convert(container: MutableMapping[str, Any], port: int, kinds: tuple[str, ...],
             hook_kinds: tuple[str, ...]) -> None:
    name = container.get("name")
    for field, url in PROBE_URLS.items():
        probe = container.get(field)
        if type(probe) is dict or isinstance(probe, MutableMapping):
            _redirect(probe, url.format(name), port, kinds)
    lifecycle = container.get("lifecycle")
    if hook_kinds and (type(lifecycle) is dict or isinstance(lifecycle, MutableMapping)):
        for field, url in LIFECYCLE_URLS.items():
            hook = lifecycle.get(field)
            if isinstance(hook, MutableMapping):
                _redirect(hook, url.format(name), port, hook_kinds)


def rewrite_probes(pod: Pod, ctx: PostprocessContext) -> None:
    """Redirect app probes and lifecycle hooks to the agent and record the originals.

    Applies when the pod has an ``istio-proxy`` container and rewriting is on
    (``sidecar.istio.io/rewriteAppHTTPProbers`` annotation, else
    ``values.sidecarInjectorWebhook.rewriteAppHTTPProbe``).  Liveness, readiness
    and startup probes (HTTP, TCP, gRPC) and preStop/postStart hooks (HTTP,
    TCP) of every container but the proxy, init containers included, become
    HTTP GETs of ``/app-health/<container>/livez|readyz|startupz`` or
    ``/app-lifecycle/<container>/prestopz|poststartz`` on the status port
    (``status.sidecar.istio.io/port``, else the mesh's); HTTPS becomes HTTP.
    The originals go to the proxy's ``ISTIO_KUBE_APP_PROBERS`` with named
    ports resolved.  Exec probes are left alone, and so are TCP probes where
    the release does not rewrite them (``ctx.rewrite_tcp_probes``).
    """
    sidecar = find_in_pod(pod, PROXY)
    if sidecar is None:
        return
    anns = annotations_of(pod) or {}
    if not should_rewrite(anns, ctx.values):
        return
    mesh_port = mesh_status_port(ctx.proxy_config)
    release = ctx.release
    kinds = _probe_kinds(ctx.rewrite_tcp_probes, release is None or release.grpc_probes)
    hook_kinds = HOOK_KINDS if release is None or release.lifecycle_hooks else ()
    # Nothing below adds, removes or renames a container: one list serves both loops.
    containers = [c for c in all_containers(pod) if c.get("name") != PROXY]
    probers = _dump(containers, mesh_port, kinds, hook_kinds)
    if probers:
        _record(sidecar, STATUS_ANNOTATION in anns, probers)
    port = mesh_port
    if STATUS_PORT_ANNOTATION in anns:
        # Istio uses Atoi's result even when it fails (0); annotation validation
        # rejects such values before injection gets here.
        port = parse_go_int(anns[STATUS_PORT_ANNOTATION]) or 0
    for c in containers:
        _convert(c, port, kinds, hook_kinds)
