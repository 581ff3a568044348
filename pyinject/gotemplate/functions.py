"""Template function tables and the calling convention every table follows.

A table is a mapping ``{name: callable}``; ``function_table`` merges tables,
later ones overriding earlier ones, as Go's ``Template.Funcs`` does.  A
:class:`LazyTable` may name functions whose module is not imported yet
(:class:`Deferred`): parsing needs only the names, and the module is imported
when one of its functions is first looked up.

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

import types
import typing
import weakref
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


class FuncSig:
    """A callable with its parameter kinds, ready for the executor (read-only)."""

    __slots__ = ("fn", "params", "variadic")

    fn: Callable[..., Any]
    params: tuple[str, ...]
    #: Kind of each extra argument of a variadic function, else None.
    variadic: str | None

    def __init__(self, fn: Callable[..., Any], params: tuple[str, ...], variadic: str | None) -> None:
        object.__setattr__(self, "fn", fn)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "variadic", variadic)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"FuncSig(fn={self.fn!r}, params={self.params!r}, variadic={self.variadic!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, FuncSig)
        return (self.fn, self.params, self.variadic) == (other.fn, other.params, other.variadic)

    def __hash__(self) -> int:
        return hash((self.fn, self.params, self.variadic))


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


#: No annotation (``inspect.Parameter.empty``'s counterpart).
_EMPTY: Any = object()
#: Function attributes that make ``inspect.signature`` look past the function's own code.
_SIGNATURE_ATTRIBUTES = frozenset({"__wrapped__", "__signature__", "_partialmethod"})


def _kind(annotation: Any) -> str:
    if annotation is _EMPTY:
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


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable annotations: fall back to their text
        return {}


def _inspect(fn: Callable[..., Any]) -> tuple[tuple[str, ...], str | None]:
    if isinstance(fn, types.FunctionType) and not _SIGNATURE_ATTRIBUTES & fn.__dict__.keys():
        return _function_shape(fn)
    # Builtins, partials, wrapped functions, callable objects: what inspect.signature makes of them.
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return (), "any"
    hints = _hints(fn)
    params: list[str] = []
    variadic: str | None = None
    for p in sig.parameters.values():
        annotation = hints.get(p.name, p.annotation)
        annotation = _EMPTY if annotation is p.empty else annotation
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            params.append(_kind(annotation))
        elif p.kind == p.VAR_POSITIONAL:
            variadic = _kind(annotation)
    return tuple(params), variadic


def _function_shape(fn: types.FunctionType) -> tuple[tuple[str, ...], str | None]:
    """The kinds of a plain function's parameters, read from its code object as ``inspect.signature`` does.

    Positional parameters (positional-only included) come first in ``co_varnames``,
    then keyword-only ones, then the ``*args`` name if the function has one.
    """
    code = fn.__code__
    raw = fn.__annotations__
    hints = _hints(fn) if raw else {}

    def kind_of(name: str) -> str:
        return _kind(hints.get(name, raw.get(name, _EMPTY)))

    count = code.co_argcount
    params = tuple(kind_of(name) for name in code.co_varnames[:count])
    if not code.co_flags & _CO_VARARGS:
        return params, None
    return params, kind_of(code.co_varnames[count + code.co_kwonlyargcount])


#: ``inspect.CO_VARARGS``: the function takes ``*args``.
_CO_VARARGS = 0x04


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
    if isinstance(fn, types.MethodType):
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


class Deferred:
    """A function of a module not imported yet: entry NAME of the table ``module.attribute``.

    One Deferred stands for every function of that table in a :class:`LazyTable`.
    """

    __slots__ = ("module", "attribute")

    def __init__(self, module: str, attribute: str) -> None:
        self.module = module
        self.attribute = attribute

    def load(self, name: str) -> Callable[..., Any]:
        """Import the module (once: Python keeps it) and return its function ``name``."""
        from importlib import import_module

        table: Mapping[str, Callable[..., Any]] = getattr(import_module(self.module), self.attribute)
        return table[name]

    def __repr__(self) -> str:
        return f"Deferred({self.module!r}, {self.attribute!r})"


class LazyTable(Mapping[str, Callable[..., Any]]):
    """A function table whose functions may be :class:`Deferred`, loaded when first looked up.

    Membership, iteration and length read only the names, so parsing a
    template imports nothing; looking a function up imports its module and
    keeps the function.  Every name resolves to the same function as an
    eagerly built table would hold: the Deferred names the table it comes from.
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: Mapping[str, Callable[..., Any] | Deferred]) -> None:
        self._entries: dict[str, Callable[..., Any] | Deferred] = dict(entries)

    def __getitem__(self, name: str) -> Callable[..., Any]:
        entry = self._entries[name]
        if isinstance(entry, Deferred):
            entry = self._entries[name] = entry.load(name)
        return entry

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> typing.Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"LazyTable({self._entries!r})"

    def entries(self) -> Mapping[str, Callable[..., Any] | Deferred]:
        """Each name's function, or its :class:`Deferred` while not loaded."""
        return self._entries


def function_table(*tables: Mapping[str, Callable[..., Any]]) -> LazyTable:
    """Merge function tables; a later table overrides an earlier one name by name.

    Functions of a :class:`LazyTable` not loaded yet stay unloaded in the result.
    """
    merged: dict[str, Callable[..., Any] | Deferred] = {}
    for table in tables:
        merged.update(table.entries() if isinstance(table, LazyTable) else table)
    return LazyTable(merged)
