"""Protobuf type tables (pyinject/data/istio_types.json) and protobuf JSON.

Istio hands templates its MeshConfig and ProxyConfig as protobuf messages;
``PROXY_CONFIG`` carries the ProxyConfig as protobuf JSON with the fields that
equal Istio's built-in defaults left out.  The type table says which fields
exist, their JSON names and kinds, enums and defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.golang import memo
from pyinject.golang.durations import format_proto_duration, parse_proto_duration
from pyinject.golang.encoding_json import go_json, go_json_float, go_json_string

class ProtoField:
    """One field of an Istio protobuf message, as the type table describes it."""

    __slots__ = ("name", "number", "type", "oneof", "json_name", "_go_name", "repeated", "map", "elem")

    def __init__(self, name: str, number: int, type_: str, oneof: str | None) -> None:
        self.name = name
        self.number = number
        self.type = type_
        self.oneof = oneof
        self.json_name = json_camel(name)
        self._go_name: str | None = None
        self.repeated = type_.startswith("repeated:")
        self.map = type_.startswith("map:")
        #: The element type for repeated/map fields, else the type itself.
        self.elem = type_.split(":", 1)[1] if (self.repeated or self.map) else type_

    @property
    def go_name(self) -> str:
        """The Go field name, made when first read: protobuf JSON, all the embedded templates need, reads none."""
        made = self._go_name
        if made is None:
            made = self._go_name = go_camel(self.name)
        return made


class ProtoTypes:
    """The message and enum tables, indexed for lookups by Go, JSON and proto name."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.packages: dict[str, str] = dict(raw["packages"])
        self.enums: dict[str, dict[str, int]] = {k: dict(v) for k, v in raw["enums"].items()}
        self.enum_names: dict[str, dict[int, str]] = {
            k: {num: name for name, num in v.items()} for k, v in self.enums.items()
        }
        # A run with the embedded templates reads a handful of messages (ProxyConfig and
        # what it nests): each is indexed when first read.
        raw_messages: Mapping[str, Any] = raw["messages"]
        self.messages: Mapping[str, tuple[ProtoField, ...]] = memo.LazyTable(raw_messages, lambda k: tuple(
            ProtoField(f[0], f[1], f[2], f[3] if len(f) > 3 else None) for f in raw_messages[k]))
        self.by_go: Mapping[str, dict[str, ProtoField]] = memo.LazyTable(
            raw_messages, lambda k: {f.go_name: f for f in self.messages[k]})
        #: Per message, the Go name of each oneof and its member fields.
        self.oneofs: Mapping[str, dict[str, tuple[ProtoField, ...]]] = memo.LazyTable(raw_messages, self._oneofs)
        self.default_proxy_config: dict[str, Any] = dict(raw["defaultProxyConfig"])

    def _oneofs(self, message: str) -> dict[str, tuple[ProtoField, ...]]:
        groups: dict[str, list[ProtoField]] = {}
        for f in self.messages[message]:
            if f.oneof is not None:
                groups.setdefault(go_camel(f.oneof), []).append(f)
        return {g: tuple(fs) for g, fs in groups.items()}

    def go_type_name(self, full_name: str) -> str:
        """``istio.mesh.v1alpha1.MeshConfig.CA`` -> ``v1alpha1.MeshConfig_CA``."""
        for pkg, short in self.packages.items():
            if full_name.startswith(pkg + "."):
                return short + "." + full_name[len(pkg) + 1 :].replace(".", "_")
        pkg, _, name = full_name.rpartition(".")
        return pkg.rpartition(".")[2] + "." + name


_TYPES: ProtoTypes | None = None


def proto_types() -> ProtoTypes:
    """The Istio type tables, loaded once per process."""
    global _TYPES
    if _TYPES is None:
        import os  # a plain path, not importlib.resources or pathlib: they load more at start-up

        with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "istio_types.json"),
                  encoding="utf-8") as handle:
            text = handle.read()
        _TYPES = ProtoTypes(json.loads(text))
    return _TYPES


def go_camel(name: str) -> str:
    """protoc-gen-go's Go identifier for a proto field name (``k8s_sa_jwt_path`` -> ``K8SSaJwtPath``)."""
    out: list[str] = []
    i, n = 0, len(name)
    while i < n:
        c = name[i]
        if c == "_" and (i == 0 or name[i - 1] == "."):
            out.append("X")
        elif c == "_" and i + 1 < n and name[i + 1].islower():
            pass
        elif c.isdigit():
            out.append(c)
        else:
            out.append(c.upper() if c.islower() else c)
            while i + 1 < n and name[i + 1].islower():
                i += 1
                out.append(name[i])
        i += 1
    return "".join(out)


def json_camel(name: str) -> str:
    """protoc's default JSON name: underscores dropped, the next letter upper-cased."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def field_value(msg: Mapping[str, Any], f: ProtoField) -> Any:
    """A field's value in a proto-JSON dict, by JSON name or (as protojson accepts) proto name."""
    v = msg.get(f.json_name)
    if v is None and f.name != f.json_name:
        v = msg.get(f.name)
    return v


_WKT_INT64 = ("wkt:Int64Value", "wkt:UInt64Value")


def _is_zero_scalar(t: str, v: Any, types: ProtoTypes) -> bool:
    if t.startswith("enum:"):
        return _enum_number(t[5:], v, types) == 0
    if t == "string":
        return bool(v == "")
    if t == "bool":
        return v is False
    if t in ("int32", "int64", "uint32", "uint64", "double", "float"):
        try:
            return float(v) == 0
        except (TypeError, ValueError):
            return False
    return False


def _enum_number(enum: str, v: Any, types: ProtoTypes) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    table = types.enums.get(enum)
    if table is not None and isinstance(v, str):
        return table.get(v)
    return None


def _proto_value_json(t: str, v: Any, types: ProtoTypes) -> str:
    if t == "string":
        return go_json_string(str(v))
    if t == "bool":
        return "true" if v else "false"
    if t in ("int32", "uint32"):
        return str(int(v))
    if t in ("int64", "uint64"):
        # Protobuf JSON quotes 64-bit integers so JavaScript keeps every digit.
        return go_json_string(str(int(v)))
    if t in ("double", "float"):
        return go_json_float(float(v))
    if t.startswith("enum:"):
        num = _enum_number(t[5:], v, types)
        name = types.enum_names.get(t[5:], {}).get(num) if num is not None else None
        if name is not None:
            return go_json_string(name)
        return str(num) if num is not None else go_json_string(str(v))
    if t == "wkt:Duration":
        secs, nanos = parse_proto_duration(v) if isinstance(v, str) else v
        return go_json_string(format_proto_duration(secs * 10**9 + nanos))
    if t == "wkt:BoolValue":
        return "true" if v else "false"
    if t in _WKT_INT64:
        return go_json_string(str(int(v)))
    if t in ("wkt:Int32Value", "wkt:UInt32Value"):
        return str(int(v))
    if t in ("wkt:DoubleValue", "wkt:FloatValue"):
        return go_json_float(float(v))
    if t == "wkt:StringValue":
        return go_json_string(str(v))
    if t.startswith("msg:") and t[4:] in types.messages and isinstance(v, Mapping):
        return proto_json(v, t[4:])
    # Struct, Value and messages outside the table: plain JSON with sorted keys.
    return go_json(v)


def proto_json(msg: Mapping[str, Any], type_name: str) -> str:
    """Istio's protomarshal.ToJSON (golang/protobuf jsonpb, compact) of a proto-JSON dict.

    Fields come out in .proto declaration order; zero scalars, empty lists and
    maps are left out, while set messages, wrappers and oneof members are
    kept even when empty or zero.  Keys the table does not know follow last.
    """
    types = proto_types()
    fields = types.messages.get(type_name)
    if fields is None:
        return go_json(dict(msg))
    parts: list[str] = []
    seen: set[str] = set()
    for f in fields:
        seen.add(f.json_name)
        seen.add(f.name)
        v = field_value(msg, f)
        if v is None:
            continue
        if f.repeated:
            if not v:
                continue
            text = "[" + ",".join(_proto_value_json(f.elem, item, types) for item in v) + "]"
        elif f.map:
            if not v:
                continue
            text = "{" + ",".join(
                go_json_string(str(k)) + ":" + _proto_value_json(f.elem, v[k], types)
                for k in sorted(v, key=str)
            ) + "}"
        else:
            if f.oneof is None and _is_zero_scalar(f.type, v, types):
                continue
            text = _proto_value_json(f.type, v, types)
        parts.append(go_json_string(f.json_name) + ":" + text)
    for k, v in msg.items():
        if k not in seen and v is not None:
            parts.append(go_json_string(str(k)) + ":" + go_json(v))
    return "{" + ",".join(parts) + "}"


def _same_duration(a: Any, b: Any) -> bool:
    try:
        return parse_proto_duration(a) == parse_proto_duration(b)
    except (TypeError, ValueError):
        return bool(a == b)


def clean_proxy_config(pc: Mapping[str, Any], extra_defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Istio's cleanProxyConfig: drop ProxyConfig fields that equal the built-in defaults.

    Istio does this before writing ``PROXY_CONFIG`` into the pod to keep the
    pod object small; fields without a built-in default are kept whenever set.
    ``extra_defaults``: defaults an older release compiled in besides these.
    """
    types = proto_types()
    defaults = {**types.default_proxy_config, **(extra_defaults or {})}
    by_json = {f.json_name: f for f in types.messages["istio.mesh.v1alpha1.ProxyConfig"]}
    out: dict[str, Any] = {}
    for key, value in pc.items():
        f = by_json.get(key) or next(
            (x for x in by_json.values() if x.name == key), None
        )
        jkey = f.json_name if f is not None else key
        if jkey in defaults and value is not None:
            default = defaults[jkey]
            if f is not None and f.type == "wkt:Duration":
                if _same_duration(value, default):
                    continue
            elif f is not None and f.type.startswith("enum:"):
                enum = f.type[5:]
                if _enum_number(enum, value, types) == _enum_number(enum, default, types):
                    continue
            elif value == default:
                continue
        if jkey == "proxyMetadata" and not value:
            continue
        out[key] = value
    return out


@memo.by_data(256)
def proxy_config_json(pc: Mapping[str, Any] | None, extra_defaults: Mapping[str, Any] | None = None) -> str:
    """``protoToJSON .ProxyConfig``: the cleaned ProxyConfig as compact protobuf JSON."""
    if pc is None:
        return "{}"
    return proto_json(clean_proxy_config(pc, extra_defaults), "istio.mesh.v1alpha1.ProxyConfig")
