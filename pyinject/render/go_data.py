"""Go-struct views of Istio's SidecarTemplateData for the Go template engine.

Istio hands its injection templates Go values: Kubernetes structs (``.Spec``,
``.ObjectMeta``), protobuf messages (``.ProxyConfig``, ``.MeshConfig``) and a
JSON map (``.Values``).  Templates rely on Go's behaviour of those types:
absent fields read as zero values, ``map[string]string`` lookups of a missing
key give ``""``, protobuf getters are nil-safe, enums print their names.  The
views here reproduce that over the plain JSON held in a ``TemplateContext``,
lazily and cached, because a run renders thousands of pods.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any, Callable, Mapping

from pyinject.golang.values import GoInt, GoObject, IdentityCache, Int32, Int64, TypedList, TypedMap, go_values, to_go
from pyinject.golang.durations import duration_string, parse_proto_duration
from pyinject.k8s import gojson
from pyinject.golang.protojson import ProtoField, field_value, proto_types
from pyinject.k8s.schema import definitions as k8s_definitions
from pyinject.model import TemplateContext
from pyinject.render.holes import Hole


class Uint32(GoInt):
    """Go ``uint32`` (protobuf ports and counters)."""

    __slots__ = ()
    go_type = "uint32"


class Uint64(GoInt):
    """Go ``uint64``."""

    __slots__ = ()
    go_type = "uint64"


def _lookup_ci(raw: Mapping[str, Any], name: str) -> str | None:
    """The key of ``raw`` that a Go field name maps to: JSON names differ from Go names
    only in the case of leading letters (``HostIPC``/``hostIPC``, ``SELinuxOptions``/``seLinuxOptions``)."""
    low = name.lower()
    for k in raw:
        if k.lower() == low:
            return k
    return None


#: Not in a view's cache (a cached field may hold None).
_ABSENT: Any = object()

#: ``go_known`` of a view whose fields the engine must always ask for (a nil pointer).
_NOTHING_KNOWN: Mapping[str, Any] = MappingProxyType({})


# --------------------------------------------------------------------------
# Kubernetes structs


#: Struct-typed fields that Go declares as values rather than pointers, so an
#: absent one is an empty struct, not nil (everything else optional is a pointer).
_VALUE_STRUCTS = {
    ("io.k8s.api.core.v1.Container", "resources"),
    ("io.k8s.api.core.v1.EphemeralContainer", "resources"),
    ("io.k8s.api.core.v1.Pod", "metadata"),
    ("io.k8s.api.core.v1.Pod", "spec"),
    ("io.k8s.api.core.v1.PodTemplateSpec", "metadata"),
    ("io.k8s.api.core.v1.PodTemplateSpec", "spec"),
}



def k8s_schema() -> Mapping[str, Any]:
    """The Pod-closure definitions (see ``pyinject.k8s.schema``)."""
    return k8s_definitions()


_FIELD_INDEX: dict[str, dict[str, str]] = {}


def _k8s_field_key(definition: str, go_name: str) -> str | None:
    """The JSON name of Go field ``go_name`` of a schema definition (None if it has no such field)."""
    index = _FIELD_INDEX.get(definition)
    if index is None:
        fields = k8s_schema().get(definition, {}).get("fields", {})
        index = _FIELD_INDEX[definition] = {k.lower(): k for k in fields}
    return index.get(go_name.lower())


#: Per (definition, Go field name): the JSON key and its schema (None, {} when the schema
#: has no such field) and whether the definition has fields in the schema.
_FIELD_PLANS: dict[tuple[str, str], tuple[str | None, Mapping[str, Any], bool]] = {}


def _field_plan(definition: str, name: str) -> tuple[str | None, Mapping[str, Any], bool]:
    fields = k8s_schema().get(definition, {}).get("fields", {})
    key = _k8s_field_key(definition, name) if fields else None
    plan = (key, fields[key] if key is not None else {}, bool(fields))
    if len(_FIELD_PLANS) >= 4096:
        _FIELD_PLANS.clear()
    _FIELD_PLANS[(definition, name)] = plan
    return plan


_GO_TYPES: dict[str, str] = {}


def _k8s_go_type(definition: str) -> str:
    # io.k8s.api.core.v1.Container -> v1.Container, as %T prints it.
    name = _GO_TYPES.get(definition)
    if name is None:
        name = _GO_TYPES[definition] = ".".join(definition.split(".")[-2:])
    return name


#: %T of a struct and of a pointer to it, by definition (functions check it on every call).
_VALUE_TYPES: dict[str, str] = {}
_POINTER_TYPES: dict[str, str] = {}


class K8sStruct(GoObject):
    """A Kubernetes API struct (or pointer to one) over its JSON form."""

    __slots__ = ("_def", "_raw", "_pointer", "_cache", "go_known", "_derived")

    def __init__(self, definition: str, raw: Mapping[str, Any] | None, pointer: bool = False) -> None:
        self._def = definition
        self._raw = raw
        self._pointer = pointer
        self._cache: dict[str, Any] = {}
        # A struct has no methods; a nil pointer's fields are errors, never known.
        self.go_known = self._cache if raw is not None else _NOTHING_KNOWN
        self._derived: dict[str, Any] | None = None

    @property
    def raw(self) -> Mapping[str, Any] | None:
        """The JSON the view reads (None for a nil pointer)."""
        return self._raw

    def go_type(self) -> str:
        names = _POINTER_TYPES if self._pointer else _VALUE_TYPES
        name = names.get(self._def)
        if name is None:
            name = names[self._def] = ("*" if self._pointer else "") + _k8s_go_type(self._def)
        return name

    def go_is_nil(self) -> bool:
        return self._raw is None

    def go_field(self, name: str) -> Any:
        # A first read is the common case (a view per pod): no exception for it.
        value = self._cache.get(name, _ABSENT)
        if value is not _ABSENT:
            return value
        plan = _FIELD_PLANS.get((self._def, name))
        if plan is None:
            plan = _field_plan(self._def, name)
        key, spec, fields = plan
        raw = self._raw or {}
        if key is not None:
            value = _k8s_value(self._def, key, spec, raw.get(key))
        else:
            key = _lookup_ci(raw, name)
            if key is None:
                if fields:
                    raise KeyError(name)
                # Without a schema entry the field may still exist in Go: read it as nil.
                value = None
            else:
                value = _untyped(raw[key])
        self._cache[name] = value
        return value

    def cached_fields(self) -> Mapping[str, Any]:
        """The fields read so far, by Go name."""
        return self._cache

    def derived(self, key: str, build: Callable[[K8sStruct], Any]) -> Any:
        """``build(self)``, kept under ``key``: for what a function computes from the struct's
        data alone, which no template can change (a template sees copies of its maps)."""
        derived = self._derived
        if derived is None:
            derived = self._derived = {}
        try:
            return derived[key]
        except KeyError:
            value = derived[key] = build(self)
            return value

    def go_format(self) -> str:
        return ("&" if self._pointer else "") + "{" + " ".join(
            _plain_format(v) for v in (self._raw or {}).values()
        ) + "}"

    def to_json(self) -> Any:
        """What encoding/json.Marshal writes for this struct."""
        if self._raw is None:
            return None
        struct = self._def.rsplit(".", 1)[-1]
        if struct in gojson.STRUCTS:
            # Go's field order and omitempty rules (the schema itself is alphabetical).
            return gojson.encode(struct, plain_json(self._raw))
        return plain_json(self._raw)


def _plain_format(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def _k8s_value(parent: str, key: str, spec: Mapping[str, Any], v: Any) -> Any:
    t = spec.get("type")
    ref = spec.get("ref")
    if t == "string":
        return _string(v)
    if t == "integer":
        n = 0 if v is None else int(v)
        return Int64(n) if spec.get("format") == "int64" else Int32(n)
    if t == "boolean":
        return bool(v) if v is not None else False
    if t == "number":
        return 0.0 if v is None else float(v)
    if t == "map":
        values = spec.get("values", {})
        if values.get("type") == "string":
            return TypedMap({str(k): _string(x) for k, x in (v or {}).items()}, elem="string", zero="")
        return TypedMap({k: _untyped(x) for k, x in (v or {}).items()}, elem="interface {}")
    if t == "array":
        items = spec.get("items", {})
        item_ref = items.get("ref")
        if item_ref and items.get("type") == "object":
            return TypedList(
                [K8sStruct(item_ref, x) for x in (v or [])], elem=_k8s_go_type(item_ref)
            )
        if items.get("type") == "string":
            return TypedList([_string(x) for x in (v or [])], elem="string")
        return TypedList([_untyped(x) for x in (v or [])], elem="interface {}")
    if t == "object" and ref:
        if ref in k8s_schema():
            pointer = (parent, key) not in _VALUE_STRUCTS
            if v is None and not pointer:
                v = {}
            return K8sStruct(ref, v, pointer=pointer)
        return _untyped(v)
    # quantity, int-or-string, date-time, free-form objects: their JSON form.
    return _untyped(v)


def _untyped(v: Any) -> Any:
    """JSON without schema: Go's encoding/json view of it (numbers float64)."""
    return to_go(plain_json(v))


def plain_json(v: Any) -> Any:
    """Plain dict/list/str/int/float/bool/None from JSON-like data.

    The template engine types values by exact class, so subclasses of the
    scalar types (a caller's own str or int subclass) become the plain type;
    the pipeline's data is plain already and passes through unchanged.
    """
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if t is dict:
        # A Mapping, found without the ABC check (as the list below).
        return {str(k): plain_json(x) for k, x in v.items()}
    if t is list:
        return [plain_json(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): plain_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain_json(x) for x in v]
    if isinstance(v, str):
        return str(v)
    if t.__name__ == "ScalarBoolean" or isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    return v


def _string(v: Any) -> Any:
    # A Kubernetes string field; a YAML null unmarshals to Go's "". A hole (an abstract
    # render's stand-in for a string, pyinject.render.holes) stays one.
    if v is None:
        return ""
    return v if type(v) is str or type(v) is Hole else str(v)


# --------------------------------------------------------------------------
# Protobuf messages


class ProtoEnum(GoObject):
    """A protobuf enum value: an int32 that prints its name (it has a String method)."""

    __slots__ = ("_enum", "number", "name")

    def __init__(self, enum: str, number: int) -> None:
        types = proto_types()
        self._enum = enum
        self.number = number
        self.name = types.enum_names.get(enum, {}).get(number, str(number))

    def go_type(self) -> str:
        return proto_types().go_type_name(self._enum)

    def go_kind(self) -> str:
        return "int32"

    def go_format(self) -> str:
        return self.name

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "String":
            return lambda: self.name
        if name == "Number":
            return lambda: Int32(self.number)
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProtoEnum):
            return self._enum == other._enum and self.number == other.number
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._enum, self.number))


class GoDuration(GoObject):
    """A Go time.Duration (int64 nanoseconds) that prints like ``45s``."""

    __slots__ = ("nanoseconds",)

    def __init__(self, nanoseconds: int) -> None:
        self.nanoseconds = nanoseconds

    def go_type(self) -> str:
        return "time.Duration"

    def go_kind(self) -> str:
        return "int64"

    def go_format(self) -> str:
        return duration_string(self.nanoseconds)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "String":
            return lambda: duration_string(self.nanoseconds)
        if name == "Seconds":
            return lambda: self.nanoseconds / 1e9
        return None


_WRAPPER_GO: dict[str, tuple[str, Callable[[Any], Any], Any]] = {
    "wkt:BoolValue": ("*wrapperspb.BoolValue", lambda v: bool(v), False),
    "wkt:Int32Value": ("*wrapperspb.Int32Value", lambda v: Int32(int(v)), Int32(0)),
    "wkt:UInt32Value": ("*wrapperspb.UInt32Value", lambda v: Uint32(int(v)), Uint32(0)),
    "wkt:Int64Value": ("*wrapperspb.Int64Value", lambda v: Int64(int(v)), Int64(0)),
    "wkt:UInt64Value": ("*wrapperspb.UInt64Value", lambda v: Uint64(int(v)), Uint64(0)),
    "wkt:DoubleValue": ("*wrapperspb.DoubleValue", lambda v: float(v), 0.0),
    "wkt:FloatValue": ("*wrapperspb.FloatValue", lambda v: float(v), 0.0),
    "wkt:StringValue": ("*wrapperspb.StringValue", lambda v: str(v), ""),
}


class Wrapper(GoObject):
    """A ``*wrapperspb.XValue``: nil when unset, ``.Value`` / nil-safe ``.GetValue`` otherwise."""

    __slots__ = ("_kind", "_value")

    def __init__(self, kind: str, raw: Any) -> None:
        self._kind = kind
        self._value = None if raw is None else _WRAPPER_GO[kind][1](raw)

    def go_type(self) -> str:
        return _WRAPPER_GO[self._kind][0]

    def go_is_nil(self) -> bool:
        return self._value is None

    def _get(self) -> Any:
        return _WRAPPER_GO[self._kind][2] if self._value is None else self._value

    def go_field(self, name: str) -> Any:
        if name == "Value":
            return self._get()
        raise KeyError(name)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "GetValue":
            return self._get
        if name == "String":
            return self.go_format
        return None

    def go_format(self) -> str:
        v = self._get()
        text = ("true" if v else "false") if isinstance(v, bool) else str(v)
        return "" if self._value is None else f"value:{text}"


class Duration(GoObject):
    """A ``*durationpb.Duration``: ``.Seconds``/``.Nanos``, nil-safe getters and ``AsDuration``."""

    __slots__ = ("_secs", "_nanos", "_nil")

    def __init__(self, raw: Any) -> None:
        self._nil = raw is None
        self._secs, self._nanos = (0, 0) if raw is None else parse_proto_duration(str(raw))

    def go_type(self) -> str:
        return "*durationpb.Duration"

    def go_is_nil(self) -> bool:
        return self._nil

    def go_field(self, name: str) -> Any:
        if name == "Seconds":
            return Int64(self._secs)
        if name == "Nanos":
            return Int32(self._nanos)
        raise KeyError(name)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name == "GetSeconds":
            return lambda: Int64(self._secs)
        if name == "GetNanos":
            return lambda: Int32(self._nanos)
        if name == "AsDuration":
            return lambda: GoDuration(self._secs * 10**9 + self._nanos)
        return None

    def go_format(self) -> str:
        parts = []
        if self._secs:
            parts.append(f"seconds:{self._secs}")
        if self._nanos:
            parts.append(f"nanos:{self._nanos}")
        return " ".join(parts)

    def nanoseconds(self) -> int:
        """The duration in nanoseconds (0 for nil, as AsDuration gives)."""
        return self._secs * 10**9 + self._nanos


class OneofWrapper(GoObject):
    """The interface value Go keeps for a set oneof (``isProxyConfig_ClusterName``)."""

    __slots__ = ("_owner", "_field", "_value")

    def __init__(self, owner: str, field: ProtoField, value: Any) -> None:
        self._owner = owner
        self._field = field
        self._value = value

    def go_type(self) -> str:
        return "*" + proto_types().go_type_name(self._owner) + "_" + self._field.go_name

    def go_field(self, name: str) -> Any:
        if name == self._field.go_name:
            return self._value
        raise KeyError(name)

    def go_format(self) -> str:
        return "&{" + _plain_format(self._value) + "}"


class Message(GoObject):
    """A pointer to an Istio protobuf message, over its protobuf-JSON form.

    Fields are the Go struct fields; every field also has a ``GetX`` getter that
    works on a nil message, as protoc-gen-go generates.  Oneof members are not
    fields in Go, only getters; the oneof itself is a field.
    """

    __slots__ = ("_type", "_raw", "_cache", "_known", "go_known")

    def __init__(self, type_name: str, raw: Mapping[str, Any] | None) -> None:
        self._type = type_name
        self._raw = raw
        self._cache: dict[str, Any] = {}
        # Fields read through go_field (the cache also holds what getters read).
        self._known: dict[str, Any] = {}
        self.go_known = self._known if raw is not None else _NOTHING_KNOWN

    @property
    def raw(self) -> Mapping[str, Any] | None:
        """The protobuf-JSON dict (None for a nil message)."""
        return self._raw

    @property
    def type_name(self) -> str:
        """The full protobuf name, e.g. ``istio.mesh.v1alpha1.ProxyConfig``."""
        return self._type

    def go_type(self) -> str:
        return "*" + proto_types().go_type_name(self._type)

    def go_is_nil(self) -> bool:
        return self._raw is None

    def _member(self, go_name: str) -> tuple[bool, Any]:
        """(found, value) for a Go field or oneof member name."""
        value = self._cache.get(go_name, _ABSENT)
        if value is not _ABSENT:
            return True, value
        types = proto_types()
        fields = types.by_go.get(self._type)
        raw = self._raw or {}
        found, value = False, None
        if fields is not None:
            f = fields.get(go_name)
            if f is not None:
                found, value = True, _proto_value(f, field_value(raw, f))
        if not found:
            key = _lookup_ci(raw, go_name)
            if key is not None:
                found, value = True, _untyped(raw[key])
            elif fields is None:
                # A message outside the table: unknown fields read as nil.
                found = True
        if found:
            self._cache[go_name] = value
        return found, value

    def _oneof(self, go_name: str) -> tuple[bool, Any]:
        members = proto_types().oneofs.get(self._type, {}).get(go_name)
        if not members:
            return False, None
        for f in members:
            raw_value = field_value(self._raw or {}, f)
            if raw_value is not None:
                return True, OneofWrapper(self._type, f, _proto_value(f, raw_value))
        return True, None

    def go_field(self, name: str) -> Any:
        fields = proto_types().by_go.get(self._type, {})
        f = fields.get(name)
        if f is not None and f.oneof is not None:
            # Go has no struct field for a oneof member, only a getter.
            raise KeyError(name)
        found, value = self._oneof(name)
        if found:
            return value
        found, value = self._member(name)
        if not found:
            raise KeyError(name)
        if self._raw is not None and (not name.startswith("Get") or len(name) == 3):
            # No getter answers to this name (see go_method): the engine may reuse it.
            self._known[name] = value
        return value

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if not name.startswith("Get") or len(name) == 3:
            return None
        target = name[3:]
        found, value = self._oneof(target)
        if found:
            return lambda: value
        fields = proto_types().by_go.get(self._type)
        if fields is not None and target not in fields:
            return None
        found, value = self._member(target)
        if not found:
            return None
        return lambda: value

    def go_format(self) -> str:
        # protobuf messages print through their String method (prototext).
        if self._raw is None:
            return "<nil>"
        return " ".join(f"{k}:{_plain_format(v)}" for k, v in self._raw.items())


def _proto_value(f: ProtoField, v: Any) -> Any:
    if f.repeated:
        items = [_proto_scalar(f.elem, x) for x in (v or [])]
        return TypedList(items, elem=_go_elem_type(f.elem))
    if f.map:
        converted = {str(k): _proto_scalar(f.elem, x) for k, x in (v or {}).items()}
        zero: Any = "" if f.elem == "string" else None
        return TypedMap(converted, elem=_go_elem_type(f.elem), zero=zero)
    return _proto_scalar(f.type, v)


def _go_elem_type(t: str) -> str:
    types = proto_types()
    if t.startswith("msg:"):
        return "*" + types.go_type_name(t[4:])
    if t.startswith("enum:"):
        return types.go_type_name(t[5:])
    if t.startswith("wkt:"):
        return _WRAPPER_GO.get(t, ("*structpb." + t[4:],))[0]
    return {"double": "float64", "float": "float32"}.get(t, t)


def _proto_scalar(t: str, v: Any) -> Any:
    if t == "string":
        return "" if v is None else str(v)
    if t == "bool":
        return bool(v) if v is not None else False
    if t == "int32":
        return Int32(int(v or 0))
    if t == "int64":
        return Int64(int(v or 0))
    if t == "uint32":
        return Uint32(int(v or 0))
    if t == "uint64":
        return Uint64(int(v or 0))
    if t in ("double", "float"):
        return float(v or 0)
    if t.startswith("enum:"):
        enum = t[5:]
        table = proto_types().enums.get(enum, {})
        if v is None:
            number = 0
        elif isinstance(v, str):
            number = table.get(v, 0)
        else:
            number = int(v)
        return ProtoEnum(enum, number)
    if t == "wkt:Duration":
        return Duration(v)
    if t in _WRAPPER_GO:
        return Wrapper(t, v)
    if t.startswith("msg:"):
        return Message(t[4:], v if type(v) is dict or isinstance(v, Mapping) else None)
    # google.protobuf.Struct / Value: kept as their JSON.
    return None if v is None else _untyped(v)


# --------------------------------------------------------------------------
# SidecarTemplateData


class TemplateData(GoObject):
    """Istio's ``SidecarTemplateData``: the dot of an injection template."""

    __slots__ = ("_ctx", "_cache", "go_known")

    def __init__(self, ctx: TemplateContext) -> None:
        self._ctx = ctx
        self._cache: dict[str, Any] = {}
        # No methods, never nil: every field read is known from then on.
        self.go_known = self._cache

    @property
    def context(self) -> TemplateContext:
        """The template context the view reads."""
        return self._ctx

    def go_type(self) -> str:
        return "inject.SidecarTemplateData"

    def go_field(self, name: str) -> Any:
        value = self._cache.get(name, _ABSENT)
        if value is not _ABSENT:
            return value
        build = _DATA_FIELDS.get(name)
        fields = self._ctx.data_fields
        if build is None or (fields is not None and name not in fields):
            raise KeyError(name)
        value = build(self._ctx)
        self._cache[name] = value
        return value

    def cached_fields(self) -> Mapping[str, Any]:
        """The fields read so far, by Go name."""
        return self._cache

    def go_run_constants(self) -> tuple[frozenset[str], tuple[Any, ...]]:
        """The fields every pod of a run shares, and what they are built from
        (:mod:`pyinject.gotemplate.fold`).

        Each of these fields is built from one attribute of the context alone (see
        ``_DATA_FIELDS``), and whether it exists at all from the release's field
        list.  A run hands every pod the very same objects for them, and nothing
        changes them in place but a template's ``set`` or ``merge``, which the
        engine counts.  The other fields are per pod: ``.ProxyConfig`` takes the
        pod's annotation, ``.ProxyImage`` and ``.NativeSidecars`` too.
        """
        ctx = self._ctx
        return _RUN_CONSTANTS, (ctx.values, ctx.mesh_config, ctx.revision, ctx.inbound_traffic_policy_mode,
                                ctx.compliance_policy, ctx.proxy_uid, ctx.proxy_gid, ctx.data_fields)

    def go_format(self) -> str:
        fields = self._ctx.data_fields
        return "{" + " ".join(_EMBEDDED_FIELDS if fields is None else fields) + "}"


_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_POD_SPEC = "io.k8s.api.core.v1.PodSpec"


class TypeMeta(GoObject):
    """metav1.TypeMeta: ``.APIVersion`` and ``.Kind``."""

    __slots__ = ("_raw", "go_known")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw
        self.go_known: dict[str, Any] = {}

    def go_type(self) -> str:
        return "v1.TypeMeta"

    def go_field(self, name: str) -> Any:
        if name == "APIVersion":
            value = str(self._raw.get("apiVersion") or "")
        elif name == "Kind":
            value = str(self._raw.get("kind") or "")
        else:
            raise KeyError(name)
        self.go_known[name] = value
        return value

    def go_format(self) -> str:
        return "{" + str(self._raw.get("kind") or "") + " " + str(self._raw.get("apiVersion") or "") + "}"


_DATA_FIELDS: dict[str, Callable[[TemplateContext], Any]] = {
    "TypeMeta": lambda c: TypeMeta(c.type_meta),
    "DeploymentMeta": lambda c: K8sStruct(_OBJECT_META, c.deployment_meta),
    "ObjectMeta": lambda c: K8sStruct(_OBJECT_META, c.object_meta),
    "Spec": lambda c: K8sStruct(_POD_SPEC, c.spec),
    "ProxyConfig": lambda c: Message("istio.mesh.v1alpha1.ProxyConfig", c.proxy_config),
    "MeshConfig": lambda c: Message("istio.mesh.v1alpha1.MeshConfig", c.mesh_config),
    "Values": lambda c: go_values(c.values),
    "Revision": lambda c: c.revision,
    "NativeSidecars": lambda c: c.native_sidecars,
    "ProxyImage": lambda c: c.proxy_image,
    "InboundTrafficPolicyMode": lambda c: c.inbound_traffic_policy_mode,
    "CompliancePolicy": lambda c: c.compliance_policy,
    "ProxyUID": lambda c: Int64(c.proxy_uid),
    "ProxyGID": lambda c: Int64(c.proxy_gid),
}
#: Fields built from what every pod of a run shares (TemplateData.go_run_constants).
_RUN_CONSTANTS = frozenset({"Values", "MeshConfig", "Revision", "InboundTrafficPolicyMode", "CompliancePolicy",
                            "ProxyUID", "ProxyGID"})
#: The embedded release's SidecarTemplateData, in Go's field order.
_EMBEDDED_FIELDS = tuple(_DATA_FIELDS)
#: Fields older releases had.
_DATA_FIELDS["EstimatedConcurrency"] = lambda c: c.estimated_concurrency

#: Views of the last few contexts: every template of one pod (and a reuse check of it) reads
#: the same view; more would only keep earlier pods' data alive (2.7 MiB at 64).
_DATA_VIEWS = IdentityCache(TemplateData, 4)


def template_data(ctx: TemplateContext) -> TemplateData:
    """The SidecarTemplateData view of ``ctx``; the same view while ``ctx`` is one of the last few."""
    view: TemplateData = _DATA_VIEWS(ctx)
    return view
