"""Checks on the pod annotations that steer injection, as Istio's injector makes them.

A pod with a malformed traffic annotation is refused, not injected with a
guess: a wrong port or CIDR list would reach istio-iptables and break the
pod's networking at start-up instead of here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pyinject.config.mesh import PROXY_CONFIG_ANNOTATION, effective_proxy_config
from pyinject.errors import ConfigError

Check = Callable[[str], None]


class _Invalid(ValueError):
    """A validator's reason, without the annotation name (validate() adds it)."""


def _port(text: str) -> int:
    # Go's strconv.ParseUint(strings.TrimSpace(s), 10, 16): digits only, 0-65535.
    stripped = text.strip()
    if not re.fullmatch(r"[0-9]+", stripped) or int(stripped) > 65535:
        raise _Invalid(f"failed parsing port '{text}'")
    return int(stripped)


def _port_list(name: str, text: str) -> None:
    stripped = text.strip()
    if not stripped:
        return
    for part in stripped.split(","):
        try:
            _port(part)
        except _Invalid as err:
            raise _Invalid(f"{name} invalid: {err}") from None


def _prefix(text: str) -> None:
    # Go's netip.ParsePrefix: ADDRESS/BITS, no zone, bits without sign or leading zeros.
    addr, slash, bits = text.rpartition("/")
    if not slash:
        raise _Invalid(f"failed parsing cidr '{text}': no '/'")
    if "%" in addr:
        raise _Invalid(f"failed parsing cidr '{text}': IPv6 zones cannot be present in a prefix")
    import ipaddress  # only pods that name IP ranges need it

    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise _Invalid(f"failed parsing cidr '{text}': bad address {addr!r}") from None
    if not re.fullmatch(r"0|[1-9][0-9]*", bits) or int(bits) > ip.max_prefixlen:
        raise _Invalid(f"failed parsing cidr '{text}': bad bits after slash: {bits!r}")


def _cidr_list(name: str, text: str) -> None:
    if not text:
        return
    for part in text.split(","):
        try:
            _prefix(part)
        except _Invalid as err:
            raise _Invalid(f"{name} invalid: {err}") from None


def _include_ip_ranges(text: str) -> None:
    if text != "*":
        _cidr_list("includeIPRanges", text)


def _exclude_ip_ranges(text: str) -> None:
    # No "*" here: excluding every address would leave nothing to intercept.
    _cidr_list("excludeIPRanges", text)


def _include_inbound_ports(text: str) -> None:
    if text != "*":
        _port_list("includeInboundPorts", text)


def _exclude_inbound_ports(text: str) -> None:
    _port_list("excludeInboundPorts", text)


def _exclude_outbound_ports(text: str) -> None:
    _port_list("excludeOutboundPorts", text)


def _status_port(text: str) -> None:
    try:
        _port(text)
    except _Invalid as err:
        raise _Invalid(f"statusPort invalid: {err}") from None


def _uint32(text: str) -> None:
    # strconv.ParseUint(s, 10, 32): no sign, no spaces.
    if not re.fullmatch(r"[0-9]+", text) or int(text) >= 2**32:
        raise _Invalid(f"expected a whole number from 0 to {2**32 - 1}")


def _bool(text: str) -> None:
    # strconv.ParseBool's spellings.
    if text not in ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"):
        raise _Invalid("expected true or false")


def _interception_mode(text: str) -> None:
    if text not in ("REDIRECT", "TPROXY", "NONE"):
        raise _Invalid(f"interceptionMode invalid, use REDIRECT, TPROXY or NONE: {text}")


def _proxy_config(text: str) -> None:
    try:
        effective_proxy_config(_DEFAULT_MESH, {PROXY_CONFIG_ANNOTATION: text})
    except ConfigError as err:
        # Drop the "annotation NAME: " that effective_proxy_config puts first; validate() names it.
        raise _Invalid(err.message.removeprefix(f"annotation {PROXY_CONFIG_ANNOTATION}: ")) from None


#: Istio checks a ProxyConfig annotation against its built-in ProxyConfig defaults.
_DEFAULT_MESH = {"defaultConfig": {
    "configPath": "/etc/istio/proxy", "binaryPath": "/usr/local/bin/envoy", "serviceCluster": "istio-proxy",
    "drainDuration": "45s", "terminationDrainDuration": "5s", "proxyAdminPort": 15000,
    "controlPlaneAuthPolicy": "MUTUAL_TLS", "discoveryAddress": "istiod.istio-system.svc:15012",
    "statNameLength": 189, "statusPort": 15020,
}}

#: Annotation -> check; the registry Istio keeps as AnnotationValidation.
VALIDATORS: dict[str, Check] = {
    "sidecar.istio.io/interceptionMode": _interception_mode,
    "status.sidecar.istio.io/port": _status_port,
    "readiness.status.sidecar.istio.io/initialDelaySeconds": _uint32,
    "readiness.status.sidecar.istio.io/periodSeconds": _uint32,
    "readiness.status.sidecar.istio.io/failureThreshold": _uint32,
    "traffic.sidecar.istio.io/includeOutboundIPRanges": _include_ip_ranges,
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": _exclude_ip_ranges,
    "traffic.sidecar.istio.io/includeInboundPorts": _include_inbound_ports,
    "traffic.sidecar.istio.io/excludeInboundPorts": _exclude_inbound_ports,
    "traffic.sidecar.istio.io/excludeOutboundPorts": _exclude_outbound_ports,
    "prometheus.istio.io/merge-metrics": _bool,
    PROXY_CONFIG_ANNOTATION: _proxy_config,
}


def validate(annotations: Mapping[str, str]) -> None:
    """Raise ConfigError naming every annotation whose value Istio would reject.

    Annotations pyinject does not know are left alone (Kubernetes allows any).
    """
    problems: list[str] = []
    for name in sorted(annotations):
        check = VALIDATORS.get(name)
        if check is None:
            continue
        value = annotations[name]
        try:
            check(value if isinstance(value, str) else str(value))
        except _Invalid as err:
            problems.append(f"invalid value '{value}' for annotation '{name}': {err}")
    if problems:
        raise ConfigError("; ".join(problems))
