"""``dataclass`` without its start-up cost: the same classes, their methods built without ``exec``.

The standard ``dataclasses.dataclass`` writes the source of ``__init__``,
``__repr__``, ``__eq__``, ``__hash__`` and, for frozen classes, ``__setattr__`` and
``__delattr__`` for every class and compiles each with ``exec``: about 4 million
instructions per frozen class, over a hundred million for the classes a single
``kube-inject`` imports, more than the injection itself.  ``dataclass`` here lets
the standard decorator record the fields (so ``dataclasses.fields``, ``replace``,
``asdict`` and ``is_dataclass`` work as before), then attaches generic methods
bound to the field list: same signatures in effect, same errors for wrong
arguments, same ``repr``, equality, hashing and frozen-ness.

Type checkers see the standard decorator (the ``TYPE_CHECKING`` branch), so
constructor calls and frozen assignments are checked exactly as for any
dataclass.  Options the fast path does not reproduce (``order``, ``unsafe_hash``,
``slots``, ``kw_only``, ``weakref_slot``, ``match_args=False``) go to the
standard decorator unchanged.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable

__all__ = ["dataclass", "field"]

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
    from dataclasses import field as field
else:
    from dataclasses import field

    def dataclass(cls: type | None = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass``, with the generated methods built without ``exec``."""

        def wrap(cls: type) -> type:
            return _process(cls, **options)

        return wrap if cls is None else wrap(cls)


#: Options handled here, with the standard defaults; any other option goes to the standard decorator.
_FAST_OPTIONS = {"init": True, "repr": True, "eq": True, "frozen": False}


def _process(cls: type, **options: Any) -> type:
    if not options.keys() <= _FAST_OPTIONS.keys():
        return dataclasses.dataclass(cls, **options)
    init, want_repr, eq, frozen = ({**_FAST_OPTIONS, **options}[name] for name in _FAST_OPTIONS)
    own = cls.__dict__
    class_hash = own.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in own))
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"Cannot overwrite attribute __setattr__ or __delattr__ in class {cls.__name__}")
    documented = bool(cls.__doc__)
    if not documented:
        # Keep the standard decorator from reading a signature through inspect (it
        # tokenizes a text signature): the summary is written below from the fields.
        cls.__doc__ = cls.__name__
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)
    if not documented:
        cls.__doc__ = f"{cls.__name__}({', '.join(_signature_part(f) for f in fields if f.init)})"
    if len(fields) != len(cls.__dataclass_fields__):  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__qualname__}: InitVar and ClassVar fields need dataclasses.dataclass")
    if frozen:
        for base in cls.__mro__[1:]:
            if dataclasses.is_dataclass(base) and "__setattr__" not in base.__dict__:
                raise TypeError("cannot inherit frozen dataclass from a non-frozen one")
        _set(cls, "__setattr__", _frozen_setattr(cls, fields))
        _set(cls, "__delattr__", _frozen_delattr(cls, fields))
    else:
        for base in cls.__mro__[1:]:
            if dataclasses.is_dataclass(base) and getattr(base.__dict__.get("__setattr__"), "_frozen", False):
                raise TypeError("cannot inherit non-frozen dataclass from a frozen one")
    if init and "__init__" not in own:
        _set(cls, "__init__", _init(cls, fields, frozen))
    if want_repr and "__repr__" not in own:
        _set(cls, "__repr__", _repr(cls, fields))
    if eq and "__eq__" not in own:
        _set(cls, "__eq__", _eq(cls, fields))
    if eq and not explicit_hash:
        # dataclasses' hash table for unsafe_hash=False: frozen+eq hashes the fields,
        # eq alone makes instances unhashable, an explicit __hash__ is kept.
        if frozen:
            _set(cls, "__hash__", _hash(cls, fields))
        else:
            cls.__hash__ = None  # type: ignore[assignment]
    return cls


def _signature_part(f: dataclasses.Field[Any]) -> str:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", repr(f.type))
    if f.default is not dataclasses.MISSING:
        return f"{f.name}: {kind} = {f.default!r}"
    if f.default_factory is not dataclasses.MISSING:
        return f"{f.name}: {kind} = <factory>"
    return f"{f.name}: {kind}"


def _set(cls: type, name: str, fn: Callable[..., Any]) -> None:
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    fn.__module__ = cls.__module__
    setattr(cls, name, fn)


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...], frozen: bool) -> Callable[..., None]:
    params = tuple(f.name for f in fields if f.init)
    accepted = frozenset(params)
    count = len(params)
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    factories = {f.name: f.default_factory for f in fields if f.default_factory is not dataclasses.MISSING}
    # A field left out of __init__ gets its factory's value; a plain default stays on the class.
    order = tuple((f.name, f.init) for f in fields)
    assign = object.__setattr__ if frozen else setattr
    post_init = hasattr(cls, "__post_init__")
    where = f"{cls.__qualname__}.__init__()"

    # The common call, every field by position, needs none of the checks below.
    every_field_by_position = all(in_init for _, in_init in order)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if every_field_by_position and len(args) == count and not kwargs:
            for name, value in zip(params, args):
                assign(self, name, value)
            if post_init:
                self.__post_init__()
            return
        if len(args) > count:
            raise TypeError(f"{where} takes {count + 1} positional arguments but {len(args) + 1} were given")
        values = dict(zip(params, args))
        for key, value in kwargs.items():
            if key not in accepted:
                raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{where} got multiple values for argument {key!r}")
            values[key] = value
        for name, in_init in order:
            if in_init and name in values:
                assign(self, name, values[name])
            elif in_init and name in defaults:
                assign(self, name, defaults[name])
            elif name in factories:
                assign(self, name, factories[name]())
            elif in_init:
                missing = [p for p in params if p not in values and p not in defaults and p not in factories]
                raise TypeError(f"{where} missing required argument(s): {', '.join(map(repr, missing))}")
        if post_init:
            self.__post_init__()

    return __init__


def _repr(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[[Any], str]:
    shown = tuple(f.name for f in fields if f.repr)
    running: set[int] = set()

    def __repr__(self: Any) -> str:
        key = id(self)
        if key in running:
            return "..."
        running.add(key)
        try:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        finally:
            running.discard(key)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _eq(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[[Any, Any], Any]:
    values = _values(tuple(f.name for f in fields if f.compare))

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[[Any], int]:
    values = _values(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of the named attributes, as the generated methods compare and hash it."""
    if not names:
        return lambda obj: ()
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (get(obj),)
    return get


def _frozen_setattr(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[[Any, str, Any], None]:
    names = frozenset(f.name for f in fields)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    __setattr__._frozen = True  # type: ignore[attr-defined]
    return __setattr__


def _frozen_delattr(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[[Any, str], None]:
    names = frozenset(f.name for f in fields)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return __delattr__
