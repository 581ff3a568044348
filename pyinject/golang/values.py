"""How Python values stand for Go values inside the template engine.

The mapping is the contract shared by the executor, the formatter and every
function library:

==================  ==========================  ==================
Python              Go                          ``%T``
==================  ==========================  ==================
``None``            nil                         ``<nil>``
``bool``            bool                        ``bool``
``int``             int                         ``int``
``Int64``           int64                       ``int64``
``Int32``           int32                       ``int32``
``float``           float64                     ``float64``
``str``             string                      ``string``
``list``            ``[]interface {}``          ``[]interface {}``
``TypedList``       ``[]ELEM``                  ``[]string`` ...
``dict``            ``map[string]interface {}`` ``map[string]interface {}``
``TypedMap``        ``map[string]ELEM``         ``map[string]string`` ...
``GoObject``        struct / pointer view       ``go_type()``
==================  ==========================  ==================
"""

from __future__ import annotations

import math
from types import MappingProxyType
from collections.abc import Callable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any


class GoInt(int):
    """Base of the sized Go integer types; plain ``int`` is Go's ``int``.

    Arithmetic on these returns plain ``int`` (Python semantics); a function
    that must return a sized type wraps its result again.
    """

    __slots__ = ()
    go_type = "int"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def __str__(self) -> str:
        # str() and f-strings print the number, as Go's %v does.
        return int.__repr__(self)

    __format__ = int.__format__


class Int64(GoInt):
    """Go ``int64``: what sprig's integer math returns."""

    __slots__ = ()
    go_type = "int64"


class Int32(GoInt):
    """Go ``int32``: Kubernetes ports and other API integers."""

    __slots__ = ()
    go_type = "int32"


class Uint8(GoInt):
    """Go ``uint8`` (byte): what indexing a string yields."""

    __slots__ = ()
    go_type = "uint8"


class _ReflectMarker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "reflect.Value"


REFLECT_MARKER = _ReflectMarker()

if TYPE_CHECKING:
    #: Parameter annotation for Go's ``reflect.Value``: the raw argument, MISSING included.
    #: Go's own builtins (``index``, ``len``, ``eq`` ...) take reflect.Value so they
    #: can tell a missing value from nil; ordinary functions never need this.
    Reflect = Annotated[Any, REFLECT_MARKER]
else:
    def __getattr__(name: str) -> object:
        """``Reflect``, made when the Go engine first imports it: typing is for mypy alone at start-up."""
        if name != "Reflect":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from typing import Annotated, Any

        made = globals()["Reflect"] = Annotated[Any, REFLECT_MARKER]
        return made


class TypedList(list):  # type: ignore[type-arg]
    """A Go slice with a concrete element type, e.g. ``[]string``."""

    __slots__ = ("elem",)

    def __init__(self, items: Any = (), elem: str = "interface {}") -> None:
        super().__init__(items)
        self.elem = elem


class TypedMap(dict):  # type: ignore[type-arg]
    """A Go ``map[string]ELEM``; a missing key reads as ``zero``, not as <no value>.

    Kubernetes ``map[string]string`` annotations and labels behave this way in
    Istio's templates: ``index .ObjectMeta.Annotations "x"`` is ``""``.
    """

    __slots__ = ("elem", "zero")

    def __init__(self, items: Any = (), elem: str = "interface {}", zero: Any = None) -> None:
        super().__init__(items)
        self.elem = elem
        self.zero = zero


class GoObject:
    """A Go struct or pointer seen from templates; the Istio data layer subclasses it.

    ``.Name`` on a GoObject resolves a method first, then a field, as Go does.
    """

    __slots__ = ()

    #: Fields read already that the template engine may hand out with no further
    #: check, by Go name.  A view fills it only while it is not a nil pointer,
    #: only with what ``go_field`` gave, and never under a name one of its
    #: methods answers to; by default it stays empty.
    go_known: Mapping[str, Any] = MappingProxyType({})

    def go_type(self) -> str:
        """The Go type name, as ``%T`` prints it (``*v1.ObjectMeta``)."""
        raise NotImplementedError

    def go_field(self, name: str) -> Any:
        """The value of exported field ``name``; ``KeyError`` when there is none."""
        raise KeyError(name)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        """A bound method callable from templates (e.g. a protobuf getter), or None."""
        return None

    def go_is_nil(self) -> bool:
        """True for a nil pointer of this type."""
        return False

    def go_format(self) -> str:
        """What ``%v`` prints for this value."""
        return "{}"

    def go_kind(self) -> str:
        """reflect.Kind name: "ptr" for pointer views, "struct" for values."""
        return "ptr" if self.go_type().startswith("*") else "struct"


class _Missing:
    """Go's invalid reflect.Value: what a missing map key evaluates to.

    It prints as ``<no value>`` but is converted to nil before reaching a function.
    """

    __slots__ = ()
    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class GoFuncError(Exception):
    """Raised by a template function for a Go ``error`` return value.

    The executor reports it as ``error calling NAME: MESSAGE``.
    """


def is_true(v: Any) -> tuple[bool, bool]:
    """Go's truth of a value: (truth, ok); ok is False when truth is undefined."""
    if v is None or v is MISSING:
        # An unset interface{} is a form of nil, hence false rather than an error.
        return False, True
    if isinstance(v, (bool, int, float)):
        return v != 0, True
    if isinstance(v, (str, list, dict, tuple)):
        return len(v) > 0, True
    if isinstance(v, GoObject):
        return not v.go_is_nil(), True
    return True, True


def type_name(v: Any) -> str:
    """The Go type as ``%T`` prints it."""
    if v is None or v is MISSING:
        return "<nil>"
    t = type(v)
    if t is str:
        return "string"
    if t is bool:
        return "bool"
    if t is int:
        return "int"
    if t is float:
        return "float64"
    if t is dict:
        return "map[string]interface {}"
    if t is list:
        return "[]interface {}"
    if isinstance(v, GoInt):
        return v.go_type
    if isinstance(v, TypedList):
        return "[]" + v.elem
    if isinstance(v, TypedMap):
        return "map[string]" + v.elem
    if isinstance(v, GoObject):
        return v.go_type()
    if isinstance(v, str):
        return "string"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, complex):
        return "complex128"
    if callable(v):
        return "func(...) interface {}"
    return type(v).__name__


_KINDS = {
    str: "string",
    bool: "bool",
    int: "int",
    float: "float64",
    dict: "map",
    list: "slice",
}


def kind_of(v: Any) -> str:
    """reflect.Kind name of a value: "int", "string", "slice", "map", "ptr", ..."""
    if v is None or v is MISSING:
        return "invalid"
    kind = _KINDS.get(type(v))
    if kind is not None:
        return kind
    if isinstance(v, GoInt):
        return v.go_type
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, (list, tuple)):
        return "slice"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, GoObject):
        return v.go_kind()
    if callable(v):
        return "func"
    return "invalid"


def deep_equal(a: Any, b: Any) -> bool:
    """Go's reflect.DeepEqual: :func:`data_equal` with ``go_types=True``."""
    return data_equal(a, b, go_types=True)


def data_equal(a: Any, b: Any, *, go_types: bool = False) -> bool:
    """Whether two trees of JSON-like data are equal, maps by keys and lists in order.

    ``go_types=True`` is Go's reflect.DeepEqual on template values: the dynamic
    types must match (``1`` (int) never equals ``1.0`` (float64) nor
    ``Int64(1)``), and NaN equals nothing, itself included.

    ``go_types=False`` compares the data a document holds: ``True`` is not ``1``
    (they differ in YAML), ints and floats compare by value, and NaN equals NaN,
    so a value compared with its own copy is always the same.
    """
    if a is b:
        return not go_types or not (isinstance(a, float) and math.isnan(a))
    if not go_types:
        kind = type(a)
        if kind is type(b):
            # Plain maps, lists and strings, most of a document, without the checks below;
            # a part both sides share (a document and its rewrite share most) is equal unread.
            if kind is dict:
                if len(a) != len(b):
                    return False
                for key, value in a.items():
                    if key not in b:
                        return False
                    other = b[key]
                    if value is not other and not data_equal(value, other):
                        return False
                return True
            if kind is list:
                return len(a) == len(b) and all(x is y or data_equal(x, y) for x, y in zip(a, b))
            if kind is str:
                return bool(a == b)
    if go_types:
        if a is MISSING:
            a = None
        if b is MISSING:
            b = None
        if type_name(a) != type_name(b):
            return False
    elif type(a) is not type(b):
        if isinstance(a, bool) or isinstance(b, bool):
            return False
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(k in b and data_equal(v, b[k], go_types=go_types) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(data_equal(x, y, go_types=go_types) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return not go_types and isinstance(b, float) and math.isnan(b)
    if isinstance(a, GoObject):
        return bool(a == b)
    return bool(a == b)


def to_go(data: Any) -> Any:
    """JSON-like data with Go's json.Unmarshal types: every number becomes a float64.

    Sized Go integers (``Int64`` for the proxy UID, ``Int32`` for proto ports)
    stay integers; other mappings become ``dict`` with string keys, tuples ``list``.
    """
    t = type(data)
    if t is dict:
        return {k if type(k) is str else str(k): to_go(v) for k, v in data.items()}
    if t is list:
        return [to_go(v) for v in data]
    if t is int:
        return float(data)
    if t is str or t is float or t is bool or data is None or isinstance(data, (GoInt, bool)):
        return data
    if isinstance(data, int):
        return float(data)
    if isinstance(data, Mapping):
        return {str(k): to_go(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [to_go(v) for v in data]
    return data


class IdentityCache:
    """``build(obj)`` remembered for the very object ``obj`` (by identity, not equality).

    For immutable-by-convention inputs shared by every pod of a run; at most
    ``size`` entries are kept, then the cache starts afresh.
    """

    def __init__(self, build: Callable[[Any], Any], size: int) -> None:
        self._build = build
        self._size = size
        self._entries: dict[int, tuple[Any, Any]] = {}

    def __call__(self, obj: Any) -> Any:
        hit = self._entries.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        built = self._build(obj)
        if len(self._entries) > self._size:
            self._entries.clear()
        self._entries[id(obj)] = (obj, built)
        return built


#: :func:`to_go` of a values tree, converted once while the same tree is passed again
#: (every pod of a run shares one values tree, and both template back ends read it).
go_values = IdentityCache(to_go, 16)
