"""Istio's template functions as the Go engine calls them: the function table and its adapters.

Istio parses its injection templates with sprig's function table plus these,
which win on a name clash (``indent``, ``contains``, ``env``).  The behaviour
lives once, on plain data, in :mod:`pyinject.istio.funcs`; each adapter here
takes the Go-typed arguments the engine passes (``map[string]string``,
``[]corev1.Container``, proto messages), refuses the wrong type with Go's
error, and converts the result back (a string map becomes a ``TypedMap``).
``env`` is the only function that reads the host; its environment is chosen
in one place, :func:`istio_funcs`.
"""

import os
from typing import TYPE_CHECKING, Any, Callable, Mapping

from pyinject.golang import protojson
from pyinject.golang.encoding_json import JSONStruct
from pyinject.sandbox import limits
from pyinject.golang.fmt import sprint
from pyinject.golang.values import GoFuncError, GoObject, TypedList, TypedMap, type_name
from pyinject.istio import funcs
from pyinject.render.go_data import Duration, K8sStruct, Message

if TYPE_CHECKING:
    from pyinject.istio.releases import Release


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
    if isinstance(v, JSONStruct):
        return JSONStruct((k, _deep_json(x)) for k, x in v.items())
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
    out = JSONStruct()
    for f in fields:
        value = protojson.field_value(raw, f)
        if value in (None, "", 0, False, [], {}):
            continue
        out[f.name] = value
    return out


# --------------------------------------------------------------------------
# Adapters: Go arguments in, the shared implementation (istio/funcs.py) called


def format_duration(in_: Any) -> str:
    """``formatDuration``: a ``*durationpb.Duration`` as Go prints a time.Duration (``45s``)."""
    if in_ is None:
        return "0s"
    if isinstance(in_, Duration):
        return funcs.format_duration(in_.nanoseconds())
    raise _wrong_type("*durationpb.Duration", in_)


def isset(m: Any, key: str) -> bool:
    """``isset``: see :func:`pyinject.istio.funcs.isset`."""
    return funcs.isset(_string_map(m), key)


def exclude_inbound_port(port: Any, excluded_inbound_ports: str) -> str:
    """``excludeInboundPort``: see :func:`pyinject.istio.funcs.exclude_inbound_port`."""
    return funcs.exclude_inbound_port(sprint(port), excluded_inbound_ports)


def include_inbound_ports(containers: Any) -> str:
    """``includeInboundPorts``: see :func:`pyinject.istio.funcs.container_ports`."""
    return funcs.container_ports(_containers(containers))


def application_ports(containers: Any) -> str:
    """``applicationPorts``: :func:`pyinject.istio.funcs.container_ports` without istio-proxy."""
    return funcs.container_ports(_containers(containers), skip_name=funcs.PROXY_CONTAINER)


def annotation(meta: Any, name: str, default_value: Any) -> str:
    """``annotation``: see :func:`pyinject.istio.funcs.annotation`; the default printed with %v."""
    annotations = _object_meta(meta).get("annotations") or {}
    if name in annotations:
        return funcs.annotation(annotations, name, "")
    # A string prints as itself (the common case: a default from .Values).
    return default_value if type(default_value) is str else sprint(default_value)


def to_json(m: Any) -> str:
    """``toJSON``: see :func:`pyinject.istio.funcs.to_json`."""
    return funcs.to_json(None if m is None else _string_map(m))


def struct_to_json(v: Any) -> str:
    """``structToJSON``: see :func:`pyinject.istio.funcs.struct_to_json`."""
    if v is None:
        return "{}"
    if type(v) is K8sStruct:
        # Templates encode the same container port twice (to test it, then to print it).
        text: str = v.derived("structToJSON", _struct_to_json)
        return text
    return _struct_to_json(v)


def _struct_to_json(v: Any) -> str:
    try:
        data = to_json_value(v)
    except (TypeError, ValueError):
        return "{}"
    return funcs.struct_to_json(data)


def proto_to_json(v: Any, proxy_defaults: Mapping[str, Any] | None = None) -> str:
    """``protoToJSON``: protobuf JSON of a message; a ProxyConfig loses its default-valued fields
    (``proxy_defaults``: those an older release compiled in besides the embedded ones)."""
    if v is None:
        return "{}"
    if not isinstance(v, Message):
        raise _wrong_type("protoreflect.ProtoMessage", v)
    if v.raw is None:
        return "{}"
    if v.type_name == "istio.mesh.v1alpha1.ProxyConfig":
        return protojson.proxy_config_json(v.raw, proxy_defaults)
    return protojson.proto_json(v.raw, v.type_name)


def _proto_to_json(v: Any) -> str:
    """``protoToJSON`` with the embedded release's defaults."""
    return proto_to_json(v)


def to_yaml(value: Any) -> str:
    """``toYaml``: see :func:`pyinject.istio.funcs.to_yaml`."""
    try:
        data = to_json_value(value)
    except (TypeError, ValueError):
        return ""
    return funcs.to_yaml(data)


def indent(spaces: int, source: str) -> str:
    """``indent``: see :func:`pyinject.istio.funcs.indent`."""
    limits.allow_size(len(source) + max(spaces, 0) * source.count("\n"), "the result of indent")
    return funcs.indent(spaces, source)


def _string_map_result(m: Mapping[str, str]) -> TypedMap:
    return TypedMap(m, elem="string", zero="")


def omit(m: Any, *keys: str) -> TypedMap:
    """``omit``: see :func:`pyinject.istio.funcs.omit`."""
    return _string_map_result(funcs.omit(_string_map(m), *keys))


def strdict(*vals: str) -> TypedMap:
    """``strdict``: see :func:`pyinject.istio.funcs.strdict`."""
    return _string_map_result(funcs.strdict(*vals))


def merge_maps(*maps: Any) -> TypedMap:
    """``mergeMaps``: see :func:`pyinject.istio.funcs.merge_maps`."""
    return _string_map_result(funcs.merge_maps(*(_string_map(m) for m in maps)))


def to_json_map(*maps: Any) -> str:
    """``toJsonMap``: see :func:`pyinject.istio.funcs.to_json_map`."""
    return funcs.to_json_map(*(_string_map(m) for m in maps))


def otel_resource_attributes(
    mesh_config: Any, annotations: Any, labels: Any, namespace: str, containers: Any
) -> str:
    """``otelResourceAttributes``: see :func:`pyinject.istio.funcs.otel_resource_attributes`."""
    if mesh_config is not None and not isinstance(mesh_config, Message):
        raise _wrong_type("*v1alpha1.MeshConfig", mesh_config)
    mesh = None if mesh_config is None else mesh_config.raw
    return funcs.otel_resource_attributes(
        mesh, _string_map(annotations), _string_map(labels), namespace, _containers(containers)
    )


def istio_funcs(environ: Mapping[str, str] | None = None,
                release: "Release | None" = None) -> dict[str, Callable[..., Any]]:
    """Istio's function map; ``env`` reads ``environ`` (the process environment by default).

    ``release``: the Istio release whose functions to reproduce where they changed
    (``protoToJSON``'s defaults, ``appendMultusNetwork``); the embedded one by default.
    """
    proxy_defaults = dict(release.proxy_config_defaults) if release is not None else {}
    qualified = release is None or release.multus_qualified_networks
    table: dict[str, Callable[..., Any]] = {
        "formatDuration": format_duration,
        "isset": isset,
        "excludeInboundPort": exclude_inbound_port,
        "includeInboundPorts": include_inbound_ports,
        "kubevirtInterfaces": funcs.pass_through,
        "excludeInterfaces": funcs.pass_through,
        "applicationPorts": application_ports,
        "annotation": annotation,
        "valueOrDefault": funcs.value_or_default,
        "toJSON": to_json,
        "fromJSON": funcs.from_json,
        "structToJSON": struct_to_json,
        "protoToJSON": (lambda v: proto_to_json(v, proxy_defaults)) if proxy_defaults else _proto_to_json,
        "toYaml": to_yaml,
        "indent": indent,
        "directory": funcs.directory,
        "contains": funcs.contains,
        "toLower": funcs.to_lower,
        "appendMultusNetwork": funcs.append_multus_network if qualified else funcs.append_multus_network_whole,
        "env": funcs.make_env(os.environ if environ is None else environ),
        "omit": omit,
        "strdict": strdict,
        "toJsonMap": to_json_map,
        "mergeMaps": merge_maps,
        "omitNil": funcs.omit_nil,
        "otelResourceAttributes": otel_resource_attributes,
    }
    if release is None or release.legacy_format:
        return table
    # The release's own set: names it lacks fall back to sprig's (or are undefined).
    kept = {name: fn for name, fn in table.items() if name in release.functions}
    if "toJson" in release.functions:
        kept["toJson"] = to_json
    return kept

