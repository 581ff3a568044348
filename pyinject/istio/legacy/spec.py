"""Read what a 1.0–1.8 template renders: a SidecarInjectionSpec, decoded as Go decoded it.

Those releases unmarshalled the rendered YAML (ghodss/yaml: YAML to JSON, then
encoding/json into typed structs) into::

    rewriteAppHTTPProbe: bool        podRedirectAnnot: map[string]string
    initContainers, containers: []corev1.Container
    volumes: []corev1.Volume         imagePullSecrets: []LocalObjectReference
    dnsConfig: *corev1.PodDNSConfig

Decoding keeps Go's rules: a number or boolean where a string is typed becomes
its text (``- 15001`` in ``command`` is ``"15001"``), fields the structs lack
disappear (the 1.5 template's container-level ``fsGroup``), and a string where
a number or boolean is typed is an error.  pyinject goes further than Go in one
place, so nothing fails silently: ``<no value>`` or ``<nil>`` (what a template
prints for a missing value) in a strictly typed field is an error naming the
config file line that printed it, as on every release
(:mod:`pyinject.istio.rendered`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyinject.errors import TemplateError, describe_value
from pyinject.istio.legacy.shape import is_legacy_spec
from pyinject.istio.rendered import (
    PROXY_CONTAINER,
    Source,
    find_missing_in_pod_spec,
    marker_in,
    missing_value_problem,
    no_proxy_problem,
    rendered_line,
    template_line,
    template_start_line,
)
from pyinject.k8s.gojson import STRUCTS, encode
from pyinject.records import dataclass, field

__all__ = ["InjectionSpec", "Source", "check_has_proxy", "decode_spec", "is_legacy_spec", "load_rendered",
           "template_line", "template_start_line"]

#: Struct fields Kubernetes added after the client libraries of Istio 1.0–1.8 (k8s <= 1.19): Go decoded
#: those releases' templates without them, so they vanish (1.8's template renders an init container
#: ``restartPolicy`` that never reaches the pod).
NEWER_FIELDS = frozenset({
    ("Container", "restartPolicy"), ("Container", "resizePolicy"), ("Container", "restartPolicyRules"),
    ("ProbeHandler", "grpc"), ("Probe", "terminationGracePeriodSeconds"), ("LifecycleHandler", "sleep"),
    ("Lifecycle", "stopSignal"), ("SecurityContext", "appArmorProfile"), ("VolumeMount", "recursiveReadOnly"),
    ("ResourceRequirements", "claims"), ("EnvVarSource", "fileKeyRef"),
})


@dataclass
class InjectionSpec:
    """The decoded SidecarInjectionSpec."""

    init_containers: list[dict[str, Any]] = field(default_factory=list)
    containers: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    image_pull_secrets: list[dict[str, Any]] = field(default_factory=list)
    dns_config: dict[str, Any] | None = None
    pod_redirect_annot: dict[str, str] = field(default_factory=dict)
    rewrite_app_http_probe: bool = False
    #: Set in code by 1.7/1.8 (ProxyConfig or values), not by the template.
    hold_application_until_proxy_starts: bool = False


def load_rendered(name: str, text: str) -> dict[str, Any] | None:
    """A rendered template's YAML as plain data (it is machine-made: libyaml parses it)."""
    from pyinject.errors import Location, PyinjectError
    from pyinject.manifests.load import load_plain

    if not text.strip():
        return None
    try:
        data = load_plain(text, Location())
    except PyinjectError as err:
        raise TemplateError(f"template {name} rendered invalid YAML: {err.message}") from err
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TemplateError(f"template {name} must render a Pod fragment (a mapping), not {type(data).__name__}")
    return data


def decode_spec(data: Mapping[str, Any], rendered: str, source: Source) -> InjectionSpec:
    """The typed SidecarInjectionSpec of rendered data (see the module docstring)."""
    decoder = _Decoder(rendered, source)
    spec = InjectionSpec()
    probe = data.get("rewriteAppHTTPProbe")
    if probe is not None:
        spec.rewrite_app_http_probe = bool(decoder.value("bool", probe, "rewriteAppHTTPProbe"))
    redirect = data.get("podRedirectAnnot")
    if redirect is not None:
        if not isinstance(redirect, Mapping):
            decoder.fail("podRedirectAnnot", "expected a mapping of annotation to value", None)
        spec.pod_redirect_annot = {
            str(k): str(decoder.value("str", v, f"podRedirectAnnot.{k}")) for k, v in redirect.items() if v is not None
        }
    missing = find_missing_in_pod_spec(data)
    if missing is not None:
        decoder.missing(*missing)
    for key, target in (("initContainers", spec.init_containers), ("containers", spec.containers)):
        for index, item in enumerate(decoder.items(data.get(key), key)):
            name = item.get("name") if isinstance(item, Mapping) else None
            path = f"{key}[{name or index}]"
            target.append(encode("Container", decoder.struct("Container", item, path)))
    for index, item in enumerate(decoder.items(data.get("volumes"), "volumes")):
        if not isinstance(item, Mapping):
            decoder.fail(f"volumes[{index}]", "expected a mapping", item)
        spec.volumes.append(_without_nulls(item))
    for index, item in enumerate(decoder.items(data.get("imagePullSecrets"), "imagePullSecrets")):
        if not isinstance(item, Mapping):
            decoder.fail(f"imagePullSecrets[{index}]", "expected a mapping with a name", item)
        spec.image_pull_secrets.append({"name": str(item.get("name") or "")})
    dns = data.get("dnsConfig")
    if dns is not None:
        if not isinstance(dns, Mapping):
            decoder.fail("dnsConfig", "expected a mapping", dns)
        spec.dns_config = _without_nulls(dns)
    return spec


def check_has_proxy(spec: InjectionSpec, source: Source) -> None:
    """A template that renders no istio-proxy container would inject nothing: an error, never silence."""
    if any(c.get("name") == PROXY_CONTAINER for c in spec.containers):
        return
    names = [str(c.get("name")) for c in spec.containers]
    raise TemplateError(f"{source.where('containers:')}: {no_proxy_problem(names)}")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


class _Decoder:
    """encoding/json into the container structs, with ghodss's string coercion."""

    def __init__(self, rendered: str, source: Source) -> None:
        self.rendered = rendered
        self.source = source

    def fail(self, path: str, problem: str, value: Any) -> None:
        line = rendered_line(self.rendered, value) if isinstance(value, str) else None
        raise TemplateError(f"{self.source.where(line)}: renders {path}: {problem}")

    def missing(self, path: str, text: str) -> None:
        line = rendered_line(self.rendered, text, path)
        raise TemplateError(f"{self.source.where(line)}: {missing_value_problem(path, text)}")

    def items(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "expected a list", value)
        return list(value)

    def struct(self, name: str, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping ({name}), got {describe_value(value)}", value)
        out: dict[str, Any] = {}
        for f in STRUCTS[name]:
            if f.kind.startswith("inline "):
                out.update(self.struct(f.kind[len("inline "):], value, path))
                continue
            if (name, f.name) in NEWER_FIELDS:
                continue
            if f.name in value and value[f.name] is not None:
                out[f.name] = self.value(f.kind, value[f.name], f"{path}.{f.name}")
        return out

    def value(self, kind: str, v: Any, path: str) -> Any:
        kind = kind.rstrip("?")
        if kind.startswith("[]"):
            # encoding/json decodes a null list element to the element type's zero value (``- `` is ``""``).
            return [_zero(kind[2:]) if x is None else self.value(kind[2:], x, f"{path}[{i}]")
                    for i, x in enumerate(self.items(v, path))]
        if kind.startswith("map["):
            if not isinstance(v, Mapping):
                self.fail(path, f"expected a mapping, got {describe_value(v)}", v)
            return {str(k): self.value(kind[4:-1], x, f"{path}.{k}") for k, x in v.items() if x is not None}
        if kind.startswith("*"):
            kind = kind[1:]
        if kind in STRUCTS:
            return self.struct(kind, v, path)
        if kind == "str":
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, (int, float)):
                return _number_text(v)
            if not isinstance(v, str):
                self.fail(path, f"expected a string, got {describe_value(v)}", v)
            return v
        if kind == "int":
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
                self._typed(path, "an integer", v)
            return int(v)
        if kind == "bool":
            if not isinstance(v, bool):
                self._typed(path, "true or false", v)
            return v
        if kind in ("quantity", "intstr"):
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                self._typed(path, "a number or string", v)
            return v
        return v

    def _typed(self, path: str, expected: str, v: Any) -> None:
        if marker_in(v) is not None:
            self.missing(path, v)
        self.fail(path, f"expected {expected}, got {describe_value(v)}", v)


def _zero(kind: str) -> Any:
    """Go's zero value of a decoded element type."""
    kind = kind.rstrip("?")
    return {"str": "", "int": 0, "bool": False}.get(kind, {} if kind in STRUCTS else None)


def _number_text(v: int | float) -> str:
    if isinstance(v, int):
        return str(v)
    from pyinject.golang.strconv import format_float

    return format_float(v, "g", -1)
