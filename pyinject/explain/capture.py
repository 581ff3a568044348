"""A short summary of the traffic capture an injected pod sets up, read from istio-init's arguments.

Kept small on purpose: it names what istio-iptables is told (ports, CIDRs,
mode), not the rules it writes.  With Istio CNI the same settings travel as pod
annotations, which are read instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: istio-iptables flag -> summary field.
FLAGS: dict[str, str] = {
    "-p": "outbound_proxy_port",
    "-z": "inbound_proxy_port",
    "-u": "proxy_uid",
    "-g": "proxy_gid",
    "-m": "mode",
    "-i": "include_outbound_ip_ranges",
    "-x": "exclude_outbound_ip_ranges",
    "-b": "include_inbound_ports",
    "-d": "exclude_inbound_ports",
    "-o": "exclude_outbound_ports",
    "-q": "include_outbound_ports",
    "-k": "kubevirt_interfaces",
    "-c": "exclude_interfaces",
}

#: CNI: the annotation that carries each setting.
ANNOTATIONS: dict[str, str] = {
    "sidecar.istio.io/interceptionMode": "mode",
    "traffic.sidecar.istio.io/includeOutboundIPRanges": "include_outbound_ip_ranges",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": "exclude_outbound_ip_ranges",
    "traffic.sidecar.istio.io/includeInboundPorts": "include_inbound_ports",
    "traffic.sidecar.istio.io/excludeInboundPorts": "exclude_inbound_ports",
    "traffic.sidecar.istio.io/excludeOutboundPorts": "exclude_outbound_ports",
    "traffic.sidecar.istio.io/includeOutboundPorts": "include_outbound_ports",
    "traffic.sidecar.istio.io/kubevirtInterfaces": "kubevirt_interfaces",
    "traffic.sidecar.istio.io/excludeInterfaces": "exclude_interfaces",
}


def summarize(pod: Mapping[str, Any]) -> dict[str, Any]:
    """``{"by": "istio-init" | "cni" | "none", ...settings}`` for an injected pod."""
    spec = pod.get("spec") or {}
    for container in spec.get("initContainers") or []:
        if isinstance(container, dict) and container.get("name") == "istio-init":
            return {"by": "istio-init", **_from_args(container.get("args") or [])}
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    names = {c.get("name") for c in spec.get("initContainers") or [] if isinstance(c, dict)}
    if "istio-validation" in names or "sidecar.istio.io/interceptionMode" in annotations and _has_traffic(annotations):
        out: dict[str, Any] = {"by": "cni"}
        for key, field in ANNOTATIONS.items():
            if key in annotations:
                out[field] = str(annotations[key])
        return out
    return {"by": "none"}


def _has_traffic(annotations: Mapping[str, Any]) -> bool:
    return any(str(k).startswith("traffic.sidecar.istio.io/") for k in annotations)


def _from_args(args: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    items = [str(a) for a in args]
    flags: list[str] = []
    i = 0
    while i < len(items):
        arg = items[i]
        if arg in FLAGS and i + 1 < len(items):
            out[FLAGS[arg]] = items[i + 1]
            i += 2
            continue
        if arg.startswith("--"):
            flags.append(arg)
        i += 1
    if flags:
        out["other_flags"] = flags
    return out


def is_captured(summary: Mapping[str, Any]) -> bool:
    return summary.get("by") != "none"
