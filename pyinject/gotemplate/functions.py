"""Template function tables and the calling convention every table follows.

A table is a plain dict ``{name: callable}``; ``function_table`` merges tables,
later ones overriding earlier ones, as Go's ``Template.Funcs`` does.

The executor calls a function with evaluated arguments, positionally. It
checks and converts each argument the way Go's reflection would, reading the
Python annotation of the parameter (computed once per function and cached):

===============================  =============================================
annotation                       Go parameter type, what it accepts
===============================  =============================================
``int``                          ``int``: Go int values (``len``, literals);
                                 a float64 or an int64 value is an error
``Int64`` / ``Int32``            ``int64`` / ``int32`` values; int literals
``float``                        ``float64`` values; number literals
``str``                          ``string``
``bool``                         ``bool``
``list``                         ``[]interface {}`` (nil arrives as ``[]``)
``dict``                         ``map[string]interface {}`` (nil as ``{}``)
``Any`` or none                  ``interface {}``: anything; nil and missing
                                 values arrive as ``None``
``Reflect``                      ``reflect.Value``: the raw value, the
                                 ``MISSING`` sentinel included (builtins only)
===============================  =============================================

``*args`` makes the function variadic (its annotation types each extra
argument); a wrong number of arguments is an exec error. To report a Go
``error`` (or a Go panic), raise ``GoFuncError(message)``: the executor turns
it into ``error calling NAME: message``. Any other exception is a bug.
"""

from __future__ import annotations

import inspect
import types
import typing
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from pyinject.golang.values import REFLECT_MARKER, Int32, Int64

#: Parameter kinds, by annotation.
_KIND_BY_TYPE: dict[Any, str] = {
    int: "int",
    Int64: "int64",
    Int32: "int32",
    float: "float",
    str: "str",
    bool: "bool",
    list: "list",
    dict: "dict",
    Any: "any",
    object: "any",
}
_KIND_BY_NAME = {
    "int": "int",
    "Int64": "int64",
    "Int32": "int32",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "list": "list",
    "dict": "dict",
    "Reflect": "value",
}

#: Go type names of the kinds, for error messages.
GO_TYPE_OF_KIND = {
    "int": "int",
    "int64": "int64",
    "int32": "int32",
    "float": "float64",
    "str": "string",
    "bool": "bool",
    "list": "[]interface {}",
    "dict": "map[string]interface {}",
    "value": "reflect.Value",
    "any": "interface {}",
}


@dataclass(frozen=True, slots=True)
class FuncSig:
    """A callable with its parameter kinds, ready for the executor."""

    fn: Callable[..., Any]
    params: tuple[str, ...]
    #: Kind of each extra argument of a variadic function, else None.
    variadic: str | None


#: (params, variadic) per plain function. Weak keys: a closure made per call (a
#: Go-object getter, say) must not be kept alive by the cache; the entries never
#: refer back to their function, so they go away with it.
_SIG_CACHE: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], str | None]] = (
    weakref.WeakKeyDictionary()
)
#: Python functions, by code object (long-lived, shared by every closure made from it).
_SHAPE_BY_CODE: dict[types.CodeType, tuple[tuple[str, ...], str | None]] = {}
#: The same for callables that cannot be weakly referenced (C builtins such as str.lower).
_SIG_CACHE_STRONG: dict[Any, tuple[tuple[str, ...], str | None]] = {}


def _kind(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return "any"
    if isinstance(annotation, str):
        return _KIND_BY_NAME.get(annotation.strip(), "any")
    kind = _KIND_BY_TYPE.get(annotation)
    if kind is not None:
        return kind
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        if any(m is REFLECT_MARKER for m in annotation.__metadata__):
            return "value"
        return _kind(typing.get_args(annotation)[0])
    if origin in (list, dict):
        return "list" if origin is list else "dict"
    return "any"


def _inspect(fn: Callable[..., Any]) -> tuple[tuple[str, ...], str | None]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return (), "any"
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable annotations: fall back to their text
        hints = {}
    params: list[str] = []
    variadic: str | None = None
    for p in sig.parameters.values():
        annotation = hints.get(p.name, p.annotation)
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            params.append(_kind(annotation))
        elif p.kind == p.VAR_POSITIONAL:
            variadic = _kind(annotation)
    return tuple(params), variadic


def _cached_shape(fn: Callable[..., Any]) -> tuple[tuple[str, ...], str | None]:
    if isinstance(fn, types.FunctionType):
        # Closures made per access (getters returned by GoObject.go_method)
        # share one code object: inspect that once.
        code = fn.__code__
        shape = _SHAPE_BY_CODE.get(code)
        if shape is None:
            shape = _SHAPE_BY_CODE[code] = _inspect(fn)
        return shape
    try:
        shape = _SIG_CACHE.get(fn)
        if shape is None:
            shape = _SIG_CACHE[fn] = _inspect(fn)
        return shape
    except TypeError:  # not weakly referenceable
        pass
    try:
        shape = _SIG_CACHE_STRONG.get(fn)
        if shape is None:
            shape = _SIG_CACHE_STRONG[fn] = _inspect(fn)
        return shape
    except TypeError:  # not even hashable
        return _inspect(fn)


def signature_of(fn: Callable[..., Any]) -> FuncSig:
    """The FuncSig of a callable; the inspection is done once per function and cached."""
    if inspect.ismethod(fn):
        # Bound methods are made afresh on every attribute access: cache the
        # underlying function and drop its receiver parameter.
        params, variadic = _cached_shape(fn.__func__)
        return FuncSig(fn, params[1:], variadic)
    params, variadic = _cached_shape(fn)
    return FuncSig(fn, params, variadic)


class Signatures(Mapping[str, FuncSig]):
    """The FuncSig of each function of a table, made when first asked for.

    Parsing needs only the names; a template set uses a few dozen of the hundreds
    of functions it may call, so only those are inspected.
    """

    def __init__(self, table: Mapping[str, Callable[..., Any]]) -> None:
        self._table = table
        self._sigs: dict[str, FuncSig] = {}

    def __getitem__(self, name: str) -> FuncSig:
        sig = self._sigs.get(name)
        if sig is None:
            sig = self._sigs[name] = signature_of(self._table[name])
        return sig

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def __iter__(self) -> typing.Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def nil_for(kind: str) -> tuple[bool, Any]:
    """What nil becomes for a parameter of ``kind``: ``(True, value)`` where Go lets nil in
    (``interface {}`` is nil, a slice or map is empty), ``(False, None)`` where it does not."""
    if kind == "any":
        return True, None
    if kind == "list":
        return True, []
    if kind == "dict":
        return True, {}
    return False, None


def function_table(*tables: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Merge function tables; a later table overrides an earlier one name by name."""
    merged: dict[str, Callable[..., Any]] = {}
    for table in tables:
        merged.update(table)
    return merged
