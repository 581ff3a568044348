"""Istio's own template functions (pkg/kube/inject/template.go), for Go templates.

Istio parses its injection templates with sprig's function table plus these,
which win on a name clash (``indent``, ``contains``, ``env``).  Each function
mirrors the Go signature with Python annotations (``Any`` where Go takes a
map, slice, struct or interface{}, checked here) and Istio's quirks: e.g.
``fromJSON`` of bad JSON returns the *string* ``"{}"``, ``indent`` leaves the
first line alone.  ``env`` is the only function that reads the host; its
environment is chosen in one place, :func:`istio_funcs`.
"""

import json
import os
from typing import Any, Callable, Mapping

from pyinject.sandbox import limits
from pyinject.golang import goyaml, jsonfmt as istiofmt, protojson
from pyinject.golang.fmt import sprint
from pyinject.golang.values import GoFuncError, GoObject, TypedList, TypedMap, type_name
from pyinject.render.go_data import Duration, K8sStruct, Message

#: The name Istio gives the proxy container; ``applicationPorts`` skips it.
PROXY_CONTAINER = "istio-proxy"
#: MeshConfig OpenTelemetry providers with this enrichment get OTEL_RESOURCE_ATTRIBUTES.
_OTEL_SEMCONV = "OTEL_SEMANTIC_CONVENTIONS"


def _wrong_type(expected: str, got: Any) -> GoFuncError:
    return GoFuncError(f"wrong type for value; expected {expected}; got {type_name(got)}")


def _string_map(v: Any) -> Mapping[str, str]:
    """A Go ``map[string]string`` argument (nil reads as an empty map)."""
    if v is None:
        return {}
    if isinstance(v, TypedMap) and v.elem == "string":
        return v
    raise _wrong_type("map[string]string", v)


def _containers(v: Any) -> list[Mapping[str, Any]]:
    """A Go ``[]corev1.Container`` argument, as the containers' JSON."""
    if v is None:
        return []
    if isinstance(v, TypedList) and v.elem == "v1.Container":
        return [c.raw or {} for c in v if isinstance(c, K8sStruct)]
    raise _wrong_type("[]v1.Container", v)


def _object_meta(v: Any) -> Mapping[str, Any]:
    if isinstance(v, K8sStruct) and v.go_type() == "v1.ObjectMeta":
        return v.raw or {}
    raise _wrong_type("v1.ObjectMeta", v)


def to_json_value(v: Any) -> Any:
    """The JSON encoding/json would produce for a template value, as Python data."""
    if isinstance(v, K8sStruct):
        return _deep_json(v.to_json())
    if isinstance(v, Message):
        return None if v.raw is None else _proto_struct_json(v)
    if isinstance(v, GoObject):
        if v.go_is_nil():
            return None
        return v.go_format()
    if isinstance(v, dict):
        return {str(k): to_json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json_value(x) for x in v]
    return v


def _deep_json(v: Any) -> Any:
    if isinstance(v, istiofmt.JSONStruct):
        return istiofmt.JSONStruct((k, _deep_json(x)) for k, x in v.items())
    if isinstance(v, dict):
        return {k: _deep_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_deep_json(x) for x in v]
    return v


def _proto_struct_json(m: Message) -> Any:
    # encoding/json on a generated message uses its struct tags: proto field
    # names, omitempty.  Only the fields set in the JSON form can be non-zero.
    raw = m.raw or {}
    fields = protojson.proto_types().messages.get(m.type_name, ())
    out = istiofmt.JSONStruct()
    for f in fields:
        value = protojson.field_value(raw, f)
        if value in (None, "", 0, False, [], {}):
            continue
        out[f.name] = value
    return out


# --------------------------------------------------------------------------
# The functions, in the order of Istio's function map


def format_duration(in_: Any) -> str:
    """``formatDuration``: a ``*durationpb.Duration`` as Go prints a time.Duration (``45s``)."""
    if in_ is None:
        return "0s"
    if isinstance(in_, Duration):
        return istiofmt.go_duration_string(in_.nanoseconds())
    raise _wrong_type("*durationpb.Duration", in_)


def isset(m: Any, key: str) -> bool:
    """``isset``: whether a ``map[string]string`` has ``key`` (even with an empty value)."""
    return key in _string_map(m)


def exclude_inbound_port(port: Any, excluded_inbound_ports: str) -> str:
    """``excludeInboundPort``: append the status port to the excluded list unless present or 0."""
    return istiofmt.exclude_inbound_port(sprint(port), excluded_inbound_ports)


def include_inbound_ports(containers: Any) -> str:
    """``includeInboundPorts``: every container's TCP ports, comma-joined."""
    return istiofmt.container_ports(_containers(containers))


def kubevirt_interfaces(s: str) -> str:
    """``kubevirtInterfaces``: the annotation value, unchanged."""
    return s


def exclude_interfaces(s: str) -> str:
    """``excludeInterfaces``: the annotation value, unchanged."""
    return s


def application_ports(containers: Any) -> str:
    """``applicationPorts``: TCP ports of every container but istio-proxy (kept for old templates)."""
    return istiofmt.container_ports(_containers(containers), skip_name=PROXY_CONTAINER)


def annotation(meta: Any, name: str, default_value: Any) -> str:
    """``annotation``: the pod annotation ``name`` if set (even to ""), else ``default`` printed with %v."""
    annotations = _object_meta(meta).get("annotations") or {}
    if name in annotations:
        return str(annotations[name])
    return sprint(default_value)


def value_or_default(value: Any, default_value: Any) -> Any:
    """``valueOrDefault``: ``default`` when value is nil or the empty string, else value."""
    if value is None or (isinstance(value, str) and value == ""):
        return default_value
    return value


def to_json(m: Any) -> str:
    """``toJSON``: a ``map[string]string`` as compact JSON with sorted keys; nil is ``{}``."""
    if m is None:
        return "{}"
    return istiofmt.go_json(dict(_string_map(m)))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def from_json(j: str) -> Any:
    """``fromJSON``: decode JSON (numbers are float64); on bad input Istio returns the string ``{}``."""
    try:
        data = json.loads(j, parse_constant=_reject_constant)
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


def struct_to_json(v: Any) -> str:
    """``structToJSON``: encoding/json of any value (a container port, in Istio's template)."""
    if v is None:
        return "{}"
    try:
        return istiofmt.go_json(to_json_value(v))
    except (TypeError, ValueError):
        return "{}"


def proto_to_json(v: Any) -> str:
    """``protoToJSON``: protobuf JSON of a message; a ProxyConfig loses its default-valued fields."""
    if v is None:
        return "{}"
    if not isinstance(v, Message):
        raise _wrong_type("protoreflect.ProtoMessage", v)
    if v.raw is None:
        return "{}"
    if v.type_name == "istio.mesh.v1alpha1.ProxyConfig":
        return protojson.proxy_config_json(v.raw)
    return protojson.proto_json(v.raw, v.type_name)


def to_yaml(value: Any) -> str:
    """``toYaml``: sigs.k8s.io/yaml of the value; ``""`` if it cannot be marshalled."""
    try:
        return goyaml.go_yaml(to_json_value(value))
    except (TypeError, ValueError):
        return ""


def indent(spaces: int, source: str) -> str:
    """``indent`` (Istio's, not sprig's): indent every line *but the first* by ``spaces``."""
    limits.allow_size(len(source) + max(spaces, 0) * source.count("\n"), "the result of indent")
    pad = " " * max(spaces, 0)
    lines = source.split("\n")
    return "\n".join([lines[0]] + [pad + line for line in lines[1:]])


def directory(filepath: str) -> str:
    """``directory``: everything up to and including the last ``/`` (Go's path.Split)."""
    cut = filepath.rfind("/")
    return filepath[: cut + 1]


def contains(needle: str, haystack: str) -> bool:
    """``contains`` (Istio's): ``contains NEEDLE HAYSTACK`` — arguments flipped from sprig."""
    return needle in haystack


def to_lower(s: str) -> str:
    """``toLower``: strings.ToLower."""
    return s.lower()


def append_multus_network(existing_value: str, istio_cni_network: str) -> str:
    """``appendMultusNetwork``: add Istio's CNI network to a Multus networks annotation.

    The annotation is either a comma list or a JSON list of objects.  In the
    JSON form a ``namespace/name`` network becomes ``{"name": ..., "namespace": ...}``
    (Multus looks the attachment up in that namespace); the network is not
    added twice, and JSON that does not parse is left alone.
    """
    if existing_value == "":
        return istio_cni_network
    i = existing_value.rfind("]")
    if i != -1:
        try:
            networks = json.loads(existing_value)
        except ValueError:
            return existing_value
        if not isinstance(networks, list) or not all(isinstance(n, dict) for n in networks):
            return existing_value
        namespace, _, name = istio_cni_network.rpartition("/")
        for n in networks:
            if n.get("name") == istio_cni_network:
                return existing_value
            if n.get("name") == name and (n.get("namespace") or "") == namespace:
                return existing_value
        entry = f'{{"name": "{name}"' + (f', "namespace": "{namespace}"' if namespace else "") + "}"
        return existing_value[:i] + ", " + entry + existing_value[i:]
    if any(net.strip() == istio_cni_network for net in existing_value.split(",")):
        return existing_value
    return existing_value + ", " + istio_cni_network


def make_env(environ: Mapping[str, str]) -> Callable[[str, str], str]:
    """``env KEY DEFAULT`` over ``environ``: the value when set and non-empty, else DEFAULT."""

    def env(key: str, default: str) -> str:
        value = environ.get(key, "")
        return value if value != "" else default

    return env


def omit(m: Any, *keys: str) -> TypedMap:
    """``omit``: a copy of a ``map[string]string`` without ``keys``."""
    skip = set(keys)
    return TypedMap(
        {k: v for k, v in _string_map(m).items() if k not in skip}, elem="string", zero=""
    )


def strdict(*vals: str) -> TypedMap:
    """``strdict k1 v1 k2 v2 ...``: a ``map[string]string``; a trailing key maps to ""."""
    out: dict[str, str] = {}
    for i in range(0, len(vals), 2):
        out[vals[i]] = vals[i + 1] if i + 1 < len(vals) else ""
    return TypedMap(out, elem="string", zero="")


def merge_maps(*maps: Any) -> TypedMap:
    """``mergeMaps``: ``map[string]string``s merged left to right, later keys win."""
    out: dict[str, str] = {}
    for m in maps:
        out.update(_string_map(m))
    return TypedMap(out, elem="string", zero="")


def to_json_map(*maps: Any) -> str:
    """``toJsonMap``: the merged maps as compact JSON with sorted keys."""
    return istiofmt.go_json(dict(merge_maps(*maps)))


def omit_nil(v: Any) -> Any:
    """``omitNil``: drop nil entries from nested JSON maps and lists; emptied containers become nil."""
    return _omit_nil(v)[0]


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
            return (None, True) if not out else (out, True)
        return v, False
    if type(v) is list:
        for i, x in enumerate(v):
            if _omit_nil(x)[1]:
                kept_list = list(v[:i])
                for y in v[i:]:
                    kept = omit_nil(y)
                    if kept is not None:
                        kept_list.append(kept)
                return (None, True) if not kept_list else (kept_list, True)
        return v, False
    return v, False


def otel_resource_attributes(
    mesh_config: Any, annotations: Any, labels: Any, namespace: str, containers: Any
) -> str:
    """``otelResourceAttributes``: OTEL_RESOURCE_ATTRIBUTES for OpenTelemetry semantic conventions.

    Only when a MeshConfig OpenTelemetry provider asks for
    ``serviceAttributeEnrichment: OTEL_SEMANTIC_CONVENTIONS``; then
    ``service.namespace``, ``service.version`` and ``service.instance.id`` each
    come from their ``resource.opentelemetry.io/*`` annotation first, then from
    Kubernetes metadata (the pod name is left to the kubelet as ``$(POD_NAME)``).
    """
    if not _otel_semconv_enabled(mesh_config):
        return ""
    ann = _string_map(annotations)
    lab = _string_map(labels)
    pods = _containers(containers)
    single = pods[0] if len(pods) == 1 else None
    prefix = "resource.opentelemetry.io/"
    attrs: list[tuple[str, str]] = []
    attrs.append(("service.namespace", ann.get(prefix + "service.namespace") or namespace))
    version = ann.get(prefix + "service.version") or lab.get("app.kubernetes.io/version", "")
    if not version and single is not None:
        version = _image_version(str(single.get("image") or ""))
    attrs.append(("service.version", version))
    instance = ann.get(prefix + "service.instance.id", "")
    if not instance and namespace:
        instance = f"{namespace}.$(POD_NAME)"
        if single is not None and single.get("name"):
            instance += "." + str(single["name"])
    attrs.append(("service.instance.id", instance))
    return ",".join(f"{k}={v}" for k, v in attrs if v)


def _otel_semconv_enabled(mesh_config: Any) -> bool:
    if mesh_config is None:
        return False
    if not isinstance(mesh_config, Message):
        raise _wrong_type("*v1alpha1.MeshConfig", mesh_config)
    for provider in (mesh_config.raw or {}).get("extensionProviders") or ():
        otel = provider.get("opentelemetry") if isinstance(provider, Mapping) else None
        if isinstance(otel, Mapping):
            mode = otel.get("serviceAttributeEnrichment", otel.get("service_attribute_enrichment"))
            if mode == _OTEL_SEMCONV:
                return True
    return False


def _image_version(image: str) -> str:
    """The tag of an image reference, or its digest when it is pinned by digest."""
    if "@" in image:
        return image.rsplit("@", 1)[1]
    name = image.rsplit("/", 1)[-1]
    if ":" in name:
        return name.rsplit(":", 1)[1]
    return ""


def istio_funcs(environ: Mapping[str, str] | None = None) -> dict[str, Callable[..., Any]]:
    """Istio's function map; ``env`` reads ``environ`` (the process environment by default)."""
    return {
        "formatDuration": format_duration,
        "isset": isset,
        "excludeInboundPort": exclude_inbound_port,
        "includeInboundPorts": include_inbound_ports,
        "kubevirtInterfaces": kubevirt_interfaces,
        "excludeInterfaces": exclude_interfaces,
        "applicationPorts": application_ports,
        "annotation": annotation,
        "valueOrDefault": value_or_default,
        "toJSON": to_json,
        "fromJSON": from_json,
        "structToJSON": struct_to_json,
        "protoToJSON": proto_to_json,
        "toYaml": to_yaml,
        "indent": indent,
        "directory": directory,
        "contains": contains,
        "toLower": to_lower,
        "appendMultusNetwork": append_multus_network,
        "env": make_env(os.environ if environ is None else environ),
        "omit": omit,
        "strdict": strdict,
        "toJsonMap": to_json_map,
        "mergeMaps": merge_maps,
        "omitNil": omit_nil,
        "otelResourceAttributes": otel_resource_attributes,
    }


#: The table over the process environment, for callers that need no other.
ISTIO_FUNCS: dict[str, Callable[..., Any]] = istio_funcs()
