"""Istio's injection-template functions (pkg/kube/inject/template.go), once, on plain data.

Both template engines call these: the Go engine through the adapters in
``istio/gofuncs.py`` (which convert Go-typed arguments and raise Go's errors),
the embedded Jinja2 templates through ``render/jinja_funcs.py``.  Arguments and
results are plain Python data: ``str``, numbers, ``dict``/``list`` trees as JSON
decodes them, and ``Mapping[str, str]`` for labels and annotations.  The
behaviour is Istio 1.30's, quirks included, because the text these functions
return ends up in pod specs that goldens compare byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

from pyinject.golang import goyaml
from pyinject.golang.durations import duration_string
from pyinject.golang.encoding_json import go_json
from pyinject.k8s import gojson

#: The name Istio gives the proxy container; ``applicationPorts`` skips it.
PROXY_CONTAINER = "istio-proxy"
#: MeshConfig OpenTelemetry providers with this enrichment get OTEL_RESOURCE_ATTRIBUTES.
OTEL_SEMANTIC_CONVENTIONS = "OTEL_SEMANTIC_CONVENTIONS"
#: Its number in the proto enum, as a MeshConfig given in numeric form carries it.
_OTEL_SEMANTIC_CONVENTIONS_NUMBER = 1
_OTEL_PREFIX = "resource.opentelemetry.io/"


def format_duration(nanoseconds: int) -> str:
    """``formatDuration``: a duration as Go's time.Duration prints it (``45s``, ``1m30s``, ``0s``)."""
    return duration_string(nanoseconds)


def isset(m: Mapping[str, str], key: str) -> bool:
    """``isset``: whether ``m`` has ``key``, even with an empty value."""
    return key in m


def exclude_inbound_port(port: str, excluded: str) -> str:
    """``excludeInboundPort``: ``excluded`` (a comma list) with ``port`` added at the end.

    The list comes back unchanged when ``port`` is empty, ``0`` or already in it;
    otherwise its items are trimmed and empty ones dropped.  ``port`` is the
    text Go's fmt.Sprint gives the template's argument.
    """
    port = port.strip()
    if not port or port == "0":
        return excluded
    kept: list[str] = []
    for item in excluded.split(","):
        if item == port:
            return excluded
        item = item.strip()
        if item:
            kept.append(item)
    kept.append(port)
    return ",".join(kept)


def container_ports(containers: Iterable[Mapping[str, Any]], skip_name: str | None = None) -> str:
    """``includeInboundPorts`` (and ``applicationPorts`` with ``skip_name="istio-proxy"``).

    The containers' ports, comma-joined in order, leaving out UDP and SCTP ports
    (the sidecar intercepts TCP only) and the container named ``skip_name``.
    """
    parts: list[str] = []
    for c in containers:
        if skip_name is not None and c.get("name") == skip_name:
            continue
        for p in c.get("ports") or ():
            if p.get("protocol") in ("UDP", "SCTP"):
                continue
            parts.append(str(int(p.get("containerPort") or 0)))
    return ",".join(parts)


def pass_through(s: str) -> str:
    """``kubevirtInterfaces`` and ``excludeInterfaces``: the annotation value, unchanged."""
    return s


def annotation(annotations: Mapping[str, Any], name: str, default_text: str) -> str:
    """``annotation``: the pod's annotation ``name`` when set (even to ""), else ``default_text``.

    ``default_text`` is the template's default as Go's fmt.Sprint prints it.
    """
    if name in annotations:
        return str(annotations[name])
    return default_text


def value_or_default(value: Any, default: Any) -> Any:
    """``valueOrDefault``: ``default`` when ``value`` is nil or ""; 0 and false count as set."""
    if value is None or (isinstance(value, str) and value == ""):
        return default
    return value


def to_json(m: Mapping[str, str] | None) -> str:
    """``toJSON``: a string map as compact JSON with sorted keys; nil is ``{}``."""
    if m is None:
        return "{}"
    return go_json(dict(m))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def from_json(text: str) -> Any:
    """``fromJSON``: the decoded JSON, every number a float64 as Go decodes into ``any``.

    Text that is not JSON gives the *string* ``{}`` (Istio logs and returns that).
    """
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return "{}"
    return _float_numbers(data)


def _float_numbers(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict):
        return {k: _float_numbers(x) for k, x in v.items()}
    return [_float_numbers(x) for x in v]


def struct_to_json(value: Any) -> str:
    """``structToJSON``: encoding/json of a value given as JSON data; ``{}`` if nil or unencodable.

    Go structs arrive as ``JSONStruct`` (field order kept); maps as dicts (keys sorted).
    """
    if value is None:
        return "{}"
    try:
        return go_json(value)
    except (TypeError, ValueError):
        return "{}"


def to_yaml(value: Any) -> str:
    """``toYaml``: sigs.k8s.io/yaml of JSON data (block style, sorted keys); "" if it cannot be encoded."""
    try:
        return goyaml.go_yaml(value)
    except (TypeError, ValueError):
        return ""


def indent(spaces: int, text: str) -> str:
    """``indent`` (Istio's, not sprig's): every line *but the first* padded with ``spaces`` blanks.

    The template already stands at the right column for the first line.
    """
    return text.replace("\n", "\n" + " " * max(spaces, 0))


def directory(path: str) -> str:
    """``directory``: ``path`` up to and including its last ``/`` ("" when it has none), as path.Split."""
    return path[: path.rfind("/") + 1]


def contains(needle: str, haystack: str) -> bool:
    """``contains`` (Istio's): whether ``haystack`` contains ``needle``; sprig's takes them the other way."""
    return needle in haystack


def to_lower(s: str) -> str:
    """``toLower``: ``s`` in lower case."""
    return s.lower()


def _split_qualified_name(name: str) -> tuple[str, str]:
    # Kubernetes' SplitQualifiedName: "ns/name" -> (ns, name); no slash -> ("", name).
    parts = name.split("/")
    if len(parts) < 2:
        return "", name
    return parts[0], parts[1]


def append_multus_network(existing: str, network: str) -> str:
    """``appendMultusNetwork``: the Multus networks annotation with Istio's CNI network added.

    The annotation is a comma list (``alt, default/istio-cni``) or a JSON list of
    objects, where a ``namespace/name`` network is written as separate
    ``name``/``namespace`` keys (Multus looks the attachment up there).  An empty
    annotation becomes ``network``; one that already lists it, or JSON that does
    not parse as a list of objects, comes back unchanged.
    """
    if existing == "":
        return network
    bracket = existing.rfind("]")
    if bracket != -1:
        entries = _network_objects(existing)
        if entries is None:
            return existing
        namespace, name = _split_qualified_name(network)
        for entry in entries:
            if entry.get("name") == network:
                return existing
            if entry.get("name") == name and (entry.get("namespace") or "") == namespace:
                return existing
        added = f'{{"name": "{name}", "namespace": "{namespace}"}}' if namespace else f'{{"name": "{name}"}}'
        return existing[:bracket] + ", " + added + existing[bracket:]
    if any(part.strip() == network for part in existing.split(",")):
        return existing
    return f"{existing}, {network}"


def _network_objects(text: str) -> list[dict[str, Any]] | None:
    """The Multus annotation's JSON list of objects; None when it is not one."""
    try:
        entries = json.loads(text)
    except ValueError:
        return None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return None
    return entries


def append_multus_network_whole(existing: str, network: str) -> str:
    """``appendMultusNetwork`` before Istio 1.23.6: ``network`` is one name, even as ``namespace/name``.

    A JSON list already holding an object named exactly ``network`` comes back
    unchanged; otherwise ``{"name": "<network>"}`` is added, qualified name and all.
    The comma-list form and the other cases are as in :func:`append_multus_network`.
    """
    if existing == "" or existing.rfind("]") == -1:
        return append_multus_network(existing, network)
    bracket = existing.rfind("]")
    entries = _network_objects(existing)
    if entries is None:
        return existing
    if any(entry.get("name") == network for entry in entries):
        return existing
    return existing[:bracket] + f', {{"name": "{network}"}}' + existing[bracket:]


def make_env(environ: Mapping[str, str]) -> Callable[[str, str], str]:
    """``env KEY DEFAULT`` over ``environ``: the variable's value when set and not empty, else DEFAULT."""

    def env(key: str, default: str) -> str:
        value = environ.get(key, "")
        return value if value != "" else default

    return env


def omit(m: Mapping[str, str], *keys: str) -> dict[str, str]:
    """``omit``: a copy of the string map ``m`` without ``keys``."""
    skip = set(keys)
    return {k: v for k, v in m.items() if k not in skip}


def strdict(*vals: str) -> dict[str, str]:
    """``strdict k1 v1 k2 v2 ...``: a string map of the pairs; a trailing key maps to ""."""
    out: dict[str, str] = {}
    for i in range(0, len(vals), 2):
        out[vals[i]] = vals[i + 1] if i + 1 < len(vals) else ""
    return out


def merge_maps(*maps: Mapping[str, str]) -> dict[str, str]:
    """``mergeMaps``: the string maps merged left to right; a later key wins."""
    out: dict[str, str] = {}
    for m in maps:
        out.update(m)
    return out


def to_json_map(*maps: Mapping[str, str]) -> str:
    """``toJsonMap``: the merged string maps as compact JSON with sorted keys."""
    return go_json(merge_maps(*maps))


def omit_nil(value: Any) -> Any:
    """``omitNil``: ``value`` without nil entries in its nested maps and lists.

    A map or list that loses entries and ends up empty becomes nil itself; one
    that was empty to begin with is kept, and so is anything untouched (the same
    object).  Only JSON maps (``dict``) and lists are walked, as Go walks only
    ``map[string]any`` and ``[]any``.  A ``null`` under ``global.proxy.resources``
    is how a user removes a default limit.
    """
    return _omit_nil(value)[0]


def _omit_nil(v: Any) -> tuple[Any, bool]:
    if v is None:
        return None, True
    if type(v) is dict:
        if any(_omit_nil(x)[1] for x in v.values()):
            out = {}
            for k, x in v.items():
                kept = omit_nil(x)
                if kept is not None:
                    out[k] = kept
            return (out or None), True
        return v, False
    if type(v) is list:
        for i, x in enumerate(v):
            if _omit_nil(x)[1]:
                kept_list = list(v[:i])
                for y in v[i:]:
                    kept = omit_nil(y)
                    if kept is not None:
                        kept_list.append(kept)
                return (kept_list or None), True
        return v, False
    return v, False


def otel_semantic_conventions(mesh_config: Mapping[str, Any] | None) -> bool:
    """Whether an OpenTelemetry extension provider of the MeshConfig (proto JSON) asks for
    ``serviceAttributeEnrichment: OTEL_SEMANTIC_CONVENTIONS``."""
    for provider in (mesh_config or {}).get("extensionProviders") or ():
        otel = provider.get("opentelemetry") if isinstance(provider, Mapping) else None
        if isinstance(otel, Mapping):
            mode = otel.get("serviceAttributeEnrichment", otel.get("service_attribute_enrichment"))
            if mode in (OTEL_SEMANTIC_CONVENTIONS, _OTEL_SEMANTIC_CONVENTIONS_NUMBER):
                return True
    return False


def otel_resource_attributes(
    mesh_config: Mapping[str, Any] | None,
    annotations: Mapping[str, str],
    labels: Mapping[str, str],
    namespace: str,
    containers: list[Mapping[str, Any]],
) -> str:
    """``otelResourceAttributes``: the OTEL_RESOURCE_ATTRIBUTES value, or "" when not wanted.

    Only when :func:`otel_semantic_conventions` holds for the MeshConfig.  Each
    attribute takes the first non-empty value of OpenTelemetry's Kubernetes
    chain, and is left out when there is none:

    - ``service.namespace``: its ``resource.opentelemetry.io/`` annotation, else the namespace;
    - ``service.version``: the annotation, else the ``app.kubernetes.io/version``
      label, else (one container only) its image's ``tag``, ``digest`` or ``tag@digest``;
    - ``service.instance.id``: the annotation, else ``NAMESPACE.$(POD_NAME).CONTAINER``
      with the first container's name (the kubelet fills in the pod name).
    """
    if not otel_semantic_conventions(mesh_config):
        return ""
    attrs: list[str] = []
    ns = annotations.get(_OTEL_PREFIX + "service.namespace") or namespace
    if ns:
        attrs.append("service.namespace=" + ns)
    version = annotations.get(_OTEL_PREFIX + "service.version") or labels.get("app.kubernetes.io/version")
    if not version and len(containers) == 1:
        version = image_version(str(containers[0].get("image") or ""))
    if version:
        attrs.append("service.version=" + version)
    instance = annotations.get(_OTEL_PREFIX + "service.instance.id")
    if not instance and containers:
        instance = f"{namespace}.$(POD_NAME).{containers[0].get('name') or ''}"
    if instance:
        attrs.append("service.instance.id=" + instance)
    return ",".join(attrs)


def image_version(image: str) -> str:
    """The version an image reference names: ``tag@digest``, ``digest`` or ``tag`` ("" for none).

    A registry port (``reg:5000/app``) is not a tag: only a ``:`` after the last ``/`` counts.
    """
    image, _, digest = image.partition("@")
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    if tag and digest:
        return f"{tag}@{digest}"
    return digest or tag


def container_port_json(port: Mapping[str, Any]) -> str:
    """encoding/json of a corev1.ContainerPort: struct field order, omitempty on all but containerPort."""
    if type(port) is dict:  # the common port, of text and whole numbers, written directly
        text = gojson.flat_json("ContainerPort", port)
        if text is not None:
            return text
    return go_json(gojson.encode("ContainerPort", port))


def pod_ports_json(containers: Iterable[Mapping[str, Any]]) -> str:
    """ISTIO_META_POD_PORTS: every container port as :func:`container_port_json`, in a JSON list.

    The layout (one port a line, a leading comma from the second on, four
    blanks of indent) is what Istio's template loop writes; the agent parses it.
    """
    lines = ["["]
    for container in containers:
        for port in container.get("ports") or ():
            lines.append("    " + ("," if len(lines) > 1 else "") + container_port_json(port))
    lines.append("]")
    return "\n".join(lines)
