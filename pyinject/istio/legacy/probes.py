"""App HTTP probe rewriting and ``--concurrency``, as istioctl 1.1–1.8 did them in Go.

With mutual TLS the kubelet cannot reach an app's HTTP probe, so the app's
``httpGet`` probes are pointed at pilot-agent's status port
(``/app-health/<container>/readyz|livez|startupz``), and pilot-agent learns the
original probes from ``ISTIO_KUBE_APP_PROBERS``.  Named ports are resolved to
numbers in that variable; HTTPS probes become HTTP (pilot-agent speaks HTTPS
to the app).  Envoy's worker threads default to the proxy's CPU limit (or
request), rounded up, when the template set no ``--concurrency``.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from pyinject.istio.releases import Release
from pyinject.golang.encoding_json import go_json
from pyinject.k8s import gojson

PROXY_CONTAINER = "istio-proxy"
APP_PROBERS_ENV = "ISTIO_KUBE_APP_PROBERS"
REWRITE_ANNOTATION = "sidecar.istio.io/rewriteAppHTTPProbers"
STATUS_PORT_ANNOTATION = "status.sidecar.istio.io/port"

_FLAG = {name: re.compile(rf"^-{{1,2}}{name}(=(\d+))?$") for name in ("statusPort", "concurrency")}
_BOOL_WORDS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
               "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def find_proxy(containers: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((c for c in containers if c.get("name") == PROXY_CONTAINER), None)


def should_rewrite(annotations: Mapping[str, str], spec_says: bool) -> bool:
    """The pod's ``sidecar.istio.io/rewriteAppHTTPProbers`` when it parses as a Go bool, else the spec's."""
    value = annotations.get(REWRITE_ANNOTATION)
    if value is not None and value in _BOOL_WORDS:
        return _BOOL_WORDS[value]
    return spec_says


def _flag_value(args: list[Any], name: str) -> str | None:
    """The value of ``--name=N`` / ``--name N`` in a container's args (None when absent)."""
    for index, arg in enumerate(args):
        m = _FLAG[name].match(str(arg).strip())
        if m is None:
            continue
        if m.group(2) is not None:
            return m.group(2)
        return str(args[index + 1]) if index + 1 < len(args) else ""
    return None


def status_port_from_args(sidecar: Mapping[str, Any]) -> int:
    """1.1–1.5: the proxy's ``--statusPort``; -1 (no rewriting) when absent or not a number."""
    value = _flag_value(list(sidecar.get("args") or []), "statusPort")
    if value is None or not re.fullmatch(r"[+-]?\d+", value):
        return -1
    return int(value)


def status_port_from_mesh(port: int, annotations: Mapping[str, str]) -> int:
    """1.6–1.8: the mesh's statusPort, or the pod's ``status.sidecar.istio.io/port`` (0 if it is not a number)."""
    if STATUS_PORT_ANNOTATION in annotations:
        value = annotations[STATUS_PORT_ANNOTATION]
        return int(value) if re.fullmatch(r"[+-]?\d+", value) else 0
    return port


def _probe_keys(release: Release) -> tuple[tuple[str, str], ...]:
    keys = (("readinessProbe", "readyz"), ("livenessProbe", "livez"))
    return keys + (("startupProbe", "startupz"),) if release.startup_probes else keys


def dump_app_probers(containers: list[dict[str, Any]], release: Release) -> str:
    """``ISTIO_KUBE_APP_PROBERS``: the app containers' HTTP probes, named ports resolved; "" for none (1.8)."""
    probers: dict[str, Any] = {}
    for c in containers:
        name = str(c.get("name") or "")
        if name == PROXY_CONTAINER:
            continue
        ports = {str(p.get("name")): p.get("containerPort") for p in c.get("ports") or [] if p.get("name")}
        for key, suffix in _probe_keys(release):
            probe = c.get(key)
            if not isinstance(probe, Mapping) or not isinstance(probe.get("httpGet"), Mapping):
                continue
            http = dict(probe["httpGet"])
            port = http.get("port")
            if isinstance(port, str):
                if port not in ports:
                    continue
                http["port"] = int(ports[port] or 0)
            if release.app_prober_format == "http_get":
                probers[f"/app-health/{name}/{suffix}"] = gojson.encode("HTTPGetAction", http)
                continue
            prober = {"httpGet": http}
            if probe.get("timeoutSeconds"):
                prober["timeoutSeconds"] = probe["timeoutSeconds"]
            probers[f"/app-health/{name}/{suffix}"] = gojson.encode("Prober", prober)
    if not probers and not release.empty_app_probers:
        return ""
    return go_json({k: probers[k] for k in sorted(probers)})


def rewrite_probes(containers: list[dict[str, Any]], status_port: int, release: Release) -> None:
    """Point the app containers' HTTP probes at pilot-agent (in place)."""
    for c in containers:
        name = str(c.get("name") or "")
        if name == PROXY_CONTAINER:
            continue
        for key, suffix in _probe_keys(release):
            probe = c.get(key)
            if not isinstance(probe, Mapping) or not isinstance(probe.get("httpGet"), Mapping):
                continue
            new = copy.deepcopy(dict(probe))
            http = dict(new["httpGet"])
            http["port"] = status_port
            http["path"] = f"/app-health/{name}/{suffix}"
            if http.get("scheme") == "HTTPS":
                http["scheme"] = "HTTP"
            new["httpGet"] = http
            c[key] = new


def add_env(container: dict[str, Any], name: str, value: str) -> None:
    env = list(container.get("env") or [])
    env.append({"name": name, "value": value})
    container["env"] = env


def apply_concurrency(containers: list[dict[str, Any]]) -> None:
    """``--concurrency N`` on istio-proxy from its CPU limit, else request, unless already set above 0."""
    sidecar = find_proxy(containers)
    if sidecar is None:
        return
    args = list(sidecar.get("args") or [])
    value = _flag_value(args, "concurrency")
    if value and re.fullmatch(r"[+-]?\d+", value) and int(value) > 0:
        return
    resources = sidecar.get("resources") or {}
    for kind in ("limits", "requests"):
        cpu = (resources.get(kind) or {}).get("cpu")
        threads = math.ceil(milli_value(cpu) / 1000) if cpu is not None else 0
        if threads > 0:
            sidecar["args"] = args + ["--concurrency", str(threads)]
            return


QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_SCALE = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
          "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
          "P": Fraction(10**15), "E": Fraction(10**18), "Ki": Fraction(2**10), "Mi": Fraction(2**20),
          "Gi": Fraction(2**30), "Ti": Fraction(2**40), "Pi": Fraction(2**50), "Ei": Fraction(2**60)}


def milli_value(quantity: Any) -> int:
    """resource.Quantity.MilliValue (rounded up, as Kubernetes does); 0 for what does not parse."""
    m = QUANTITY.match(str(quantity).strip())
    if m is None:
        return 0
    number = Fraction(m.group(1))
    suffix = m.group(2) or ""
    scale = Fraction(10) ** int(suffix[1:]) if suffix[:1] in ("e", "E") else _SCALE[suffix]
    return math.ceil(number * scale * 1000)
