"""Go, sprig and Istio behaviour for pyinject's Jinja2 templates.

The embedded templates reproduce Istio's Go templates, so the values they
print and the tests they make must follow Go: a missing key is ``<no value>``
and false, numbers print as Go prints them, ``eq`` refuses to compare a
number with a string.  The helpers here are the Istio template functions
(``annotation``, ``excludeInboundPort``, ``appendMultusNetwork`` ...) and the
sprig ones the templates use, each with the output rules of the Go function
it mirrors.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import jinja2
from jinja2.exceptions import SecurityError

from pyinject.golang import goyaml, jsonfmt as istiofmt
from pyinject.golang.fmt import format_value
from pyinject.golang.strconv import quote
from pyinject.golang.values import GoInt


class GoError(Exception):
    """A helper failed the way the Go function it mirrors returns an error."""


class GoUndefined(jinja2.Undefined):
    """A missing map key: Go's zero value.

    It prints ``<no value>`` and is false, like a missing key in Go's text/template;
    reading a field *of* it fails, like Go's "nil pointer evaluating interface {}.x".
    An unknown *variable* is a mistake in the template, not in the data: it fails
    wherever it is used, as with StrictUndefined.
    """

    __slots__ = ()

    def _is_unknown_variable(self) -> bool:
        # An unknown variable (a template mistake) and an attribute the sandbox
        # refuses are errors wherever they are used; only missing keys are Go's zero.
        return self._undefined_obj is jinja2.utils.missing or self._undefined_exception is SecurityError

    def __str__(self) -> str:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return "<no value>"

    def __bool__(self) -> bool:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return False

    def __iter__(self) -> Any:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return iter(())


def _nil(value: Any) -> Any:
    if isinstance(value, jinja2.Undefined):
        if isinstance(value, GoUndefined) and value._is_unknown_variable():
            value._fail_with_undefined_error()
        return None
    return value


class StringMap(dict):  # type: ignore[type-arg]
    """A Go ``map[string]string`` (labels, annotations, proxyMetadata): a missing key is ""."""

    def __missing__(self, key: str) -> str:
        return ""


def go_print(value: Any) -> str:
    """Text of ``{{ value }}`` as Go's template engine prints it (``%v``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<no value>"
    if isinstance(value, jinja2.Undefined):
        return str(value)
    return format_value(value)


def to_go(data: Any) -> Any:
    """Helm values as Go holds them after json.Unmarshal: every number is a float64.

    Typed Go integers (``Int64`` for the proxy UID, ``Int32`` for proto ports) stay integers.
    """
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return data
    if isinstance(data, GoInt):
        return data
    if isinstance(data, int):
        return float(data)
    if isinstance(data, Mapping):
        return {str(k): to_go(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [to_go(v) for v in data]
    return data


def go_sprint(value: Any) -> str:
    """fmt.Sprint of one operand; nil prints ``<nil>``."""
    value = _nil(value)
    if value is None:
        return "<nil>"
    return format_value(value)


@jinja2.pass_context
def annotation(context: jinja2.runtime.Context, name: str, default: Any) -> str:
    """Istio ``annotation``: the pod's annotation, else the default as fmt.Sprint prints it."""
    annotations = context.get("annotations") or {}
    if name in annotations:
        return str(annotations[name])
    return go_sprint(default)


# --------------------------------------------------------------------------
# sprig and text/template built-ins the templates use


def is_empty(value: Any) -> bool:
    """sprig's notion of empty: nil, zero, false, and empty strings, lists and maps."""
    value = _nil(value)
    if value is None:
        return True
    if isinstance(value, (bool, int, float, str, list, tuple, Mapping)):
        return not value
    return False


def sprig_default(value: Any, fallback: Any) -> Any:
    """``value | default fallback``: the fallback when the value is empty."""
    return fallback if is_empty(value) else value


def sprig_quote(value: Any) -> str:
    """sprig ``quote``: Go-escaped double-quoted text; nil quotes to nothing."""
    value = _nil(value)
    if value is None:
        return ""
    return quote(value if isinstance(value, str) else go_sprint(value))


def sprig_trunc(value: Any, length: int) -> str:
    """sprig ``trunc``: Go slices strings by bytes, so multi-byte runes may split."""
    raw = go_print(value).encode("utf-8", "surrogateescape")
    if len(raw) > length:
        raw = raw[:length]
    return raw.decode("utf-8", "surrogateescape")


def trim_suffix(value: str, suffix: str) -> str:
    """strings.TrimSuffix: removes one trailing occurrence."""
    return value[: -len(suffix)] if suffix and value.endswith(suffix) else value


def _basic_kind(value: Any) -> str:
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def go_eq(left: Any, right: Any, _op: str = "eq") -> bool:
    """text/template ``eq``: comparing a string with a number is an error, not false."""
    left, right = _nil(left), _nil(right)
    k1, k2 = _basic_kind(left), _basic_kind(right)
    if k1 != k2:
        if k1 != "invalid" and k2 != "invalid":
            raise GoError(f"error calling {_op}: incompatible types for comparison")
        return False
    if k1 == "other":
        raise GoError(f"error calling {_op}: non-comparable types")
    return bool(left == right)


def go_ne(left: Any, right: Any) -> bool:
    """text/template ``ne``: the negation of ``eq``, with the same errors."""
    return not go_eq(left, right, "ne")


# --------------------------------------------------------------------------
# Istio's template functions (pkg/kube/inject/template.go)


def value_or_default(value: Any, fallback: Any) -> Any:
    """Istio ``valueOrDefault``: only nil and "" count as unset (0 and false do not)."""
    value = _nil(value)
    return fallback if value is None or value == "" else value


def exclude_inbound_port(port: Any, excluded: str) -> str:
    """Istio ``excludeInboundPort``: add the status port to the excluded inbound ports once."""
    return istiofmt.exclude_inbound_port(go_sprint(port), excluded)


def append_multus_network(existing: Any, network: str) -> str:
    """Istio ``appendMultusNetwork``: add istio-cni to a Multus network list.

    The annotation is either a comma list (``alt_cni, default/istio-cni``) or JSON, where
    ``namespace/name`` is written as separate keys.  A list that already has the network
    is left alone, as is JSON that does not parse.
    """
    text = str(_nil(existing) or "")
    if text == "":
        return network
    namespace, _, name = network.rpartition("/")
    bracket = text.rfind("]")
    if bracket != -1:
        try:
            entries = json.loads(text)
        except ValueError:
            return text
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return text
        for entry in entries:
            if entry.get("name") == network or (
                entry.get("name") == name and (entry.get("namespace") or "") == namespace
            ):
                return text
        added = f'{{"name": "{name}", "namespace": "{namespace}"}}' if namespace else f'{{"name": "{name}"}}'
        return text[:bracket] + ", " + added + text[bracket:]
    if any(part.strip() == network for part in text.split(",")):
        return text
    return f"{text}, {network}"


def directory(path: Any) -> str:
    """Istio ``directory``: path.Split's directory, trailing slash kept."""
    path = _nil(path)
    text = "" if path is None else path if isinstance(path, str) else go_print(path)
    return text[: text.rfind("/") + 1]


def json_entries(text: Any) -> list[tuple[Any, Any]]:
    """``range $k, $v := fromJSON ...``: sorted map entries or indexed list items.

    Istio's ``fromJSON`` turns bad JSON into the string "{}", and ranging over a string
    fails, so bad JSON stops the injection here too.
    """
    try:
        data = to_go(json.loads(_nil(text) or ""))
    except ValueError:
        raise GoError("range can't iterate over {}") from None
    if isinstance(data, dict):
        return sorted(data.items())
    if isinstance(data, list):
        return list(enumerate(data))
    if data is None:
        return []
    raise GoError(f"range can't iterate over {go_sprint(data)}")


def istio_indent(text: str, spaces: int) -> str:
    """Istio's ``indent``: pad every line but the first (the call site indents that one)."""
    return text.replace("\n", "\n" + " " * spaces)


def sprig_nindent(text: str, spaces: int) -> str:
    """sprig ``nindent``: a newline, then every line padded."""
    pad = " " * spaces
    return "\n" + pad + text.replace("\n", "\n" + pad)


def omit_nil(value: Any) -> Any:
    """Istio ``omitNil``: drop null map entries and list items, recursively.

    A map or list that loses entries and ends up empty becomes nil itself; one that
    was empty to begin with is kept.  A ``null`` under ``global.proxy.resources`` is
    how a user removes a default limit.
    """
    value = _nil(value)
    if isinstance(value, Mapping):
        kept = {k: omit_nil(v) for k, v in value.items()}
        out = {k: v for k, v in kept.items() if v is not None}
        return None if value and not out else out
    if isinstance(value, (list, tuple)):
        items = [c for c in (omit_nil(i) for i in value) if c is not None]
        return None if value and not items else items
    return value


def to_yaml(value: Any) -> str:
    """Istio ``toYaml`` (sigs.k8s.io/yaml): block YAML with sorted keys, ending in a newline."""
    return goyaml.go_yaml(to_go(_nil(value)))


def pod_ports_json(containers: Any) -> str:
    """ISTIO_META_POD_PORTS: each container port as Go's JSON of corev1.ContainerPort.

    The layout (one port per line, a leading comma from the second on, four spaces of
    indent) is what Istio's template produces; the agent parses it as JSON.
    """
    lines = ["["]
    first = True
    for container in containers or ():
        for port in container.get("ports") or ():
            entry = _container_port_json(port)
            lines.append("    " + ("" if first else ",") + entry)
            first = False
    lines.append("]")
    return "\n".join(lines)


def _container_port_json(port: Mapping[str, Any]) -> str:
    # encoding/json of corev1.ContainerPort: struct field order, omitempty on all but containerPort.
    out = istiofmt.JSONStruct()
    if port.get("name"):
        out["name"] = str(port["name"])
    if port.get("hostPort"):
        out["hostPort"] = int(port["hostPort"])
    out["containerPort"] = int(port.get("containerPort") or 0)
    if port.get("protocol"):
        out["protocol"] = str(port["protocol"])
    if port.get("hostIP"):
        out["hostIP"] = str(port["hostIP"])
    return istiofmt.go_json(out)


def otel_resource_attributes(
    mesh: Mapping[str, Any],
    annotations: Mapping[str, str],
    labels: Mapping[str, str],
    namespace: str,
    containers: Any,
) -> str:
    """OTEL_RESOURCE_ATTRIBUTES for OpenTelemetry semantic-convention enrichment.

    Only when an OpenTelemetry extension provider asks for
    ``serviceAttributeEnrichment: OTEL_SEMANTIC_CONVENTIONS``; each attribute takes the
    first value of the OTel Kubernetes fallback chain (``resource.opentelemetry.io/*``
    annotation, then Kubernetes metadata).
    """
    wanted = False
    for provider in mesh.get("extensionProviders") or ():
        otel = (provider or {}).get("opentelemetry")
        if otel and otel.get("serviceAttributeEnrichment") in ("OTEL_SEMANTIC_CONVENTIONS", 1):
            wanted = True
            break
    if not wanted:
        return ""
    prefix = "resource.opentelemetry.io/"
    apps = [c for c in containers or () if c.get("name") != "istio-proxy"]
    attrs: list[str] = []
    ns = annotations.get(prefix + "service.namespace") or namespace
    if ns:
        attrs.append(f"service.namespace={ns}")
    version = annotations.get(prefix + "service.version") or labels.get("app.kubernetes.io/version")
    if not version and len(apps) == 1:
        version = _image_version(str(apps[0].get("image") or ""))
    if version:
        attrs.append(f"service.version={version}")
    instance = annotations.get(prefix + "service.instance.id")
    if not instance:
        parts = [namespace] if namespace else []
        parts.append("$(POD_NAME)")
        if len(apps) == 1 and apps[0].get("name"):
            parts.append(str(apps[0]["name"]))
        instance = ".".join(parts)
    attrs.append(f"service.instance.id={instance}")
    return ",".join(attrs)


def _image_version(image: str) -> str:
    # The tag (or digest) of the image reference, ignoring a registry port.
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""
