"""``dataclass`` without its start-up cost: the same classes, built without ``exec`` or ``dataclasses``.

The standard ``dataclasses.dataclass`` writes the source of ``__init__``,
``__repr__``, ``__eq__``, ``__hash__`` and, for frozen classes, ``__setattr__`` and
``__delattr__`` for every class and compiles each with ``exec``: about 4 million
instructions per frozen class, over a hundred million for the classes a single
``kube-inject`` imports, more than the injection itself; importing ``dataclasses``
costs as much again (it loads ``inspect``, which loads ``ast``, ``dis`` and
``tokenize``).  ``dataclass`` here reads the fields itself and attaches generic
methods bound to the field list: same signatures in effect, same errors for
wrong arguments, same ``repr``, equality, hashing and frozen-ness.

The standard module's view of a class (``__dataclass_fields__``, read by
``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass``) is built the
first time anything asks for it, so those keep working; pyinject's own code
uses :func:`fields` and :func:`replace` from here, which need no ``dataclasses``.

Type checkers see the standard decorator and functions (the ``TYPE_CHECKING``
branch), so constructor calls and frozen assignments are checked exactly as for
any dataclass.  Options the fast path does not reproduce (``order``,
``unsafe_hash``, ``kw_only``, ``weakref_slot``, ``match_args=False``, ``slots``
with ``frozen``), ``ClassVar``/``InitVar``/``KW_ONLY`` annotations, annotations
that are not strings (a module without ``from __future__ import annotations``)
and standard dataclass bases go to the standard decorator unchanged.
"""

from __future__ import annotations

import sys
from operator import attrgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

__all__ = ["MISSING", "Field", "dataclass", "field", "fields", "replace"]


class _Missing:
    """No default given (``dataclasses.MISSING``'s counterpart)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field of a record: what ``field()`` says about it, with its name and annotation once known.

    The attributes are those of ``dataclasses.Field``; an absent default or factory is :data:`MISSING`.
    """

    __slots__ = ("name", "type", "default", "default_factory", "init", "repr", "hash", "compare", "metadata",
                 "kw_only")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True,
                 repr: bool = True, hash: bool | None = None, compare: bool = True,
                 metadata: Any = None, kw_only: Any = MISSING) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        self.metadata = metadata
        self.kw_only = kw_only

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r},type={self.type!r},default={self.default!r},"
                f"default_factory={self.default_factory!r},init={self.init!r},repr={self.repr!r},"
                f"hash={self.hash!r},compare={self.compare!r},metadata={self.metadata!r})")


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
    from dataclasses import field as field
    from dataclasses import fields as fields
    from dataclasses import replace as replace
else:

    def dataclass(cls: type | None = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass``, with the generated methods built without ``exec``."""

        def wrap(cls: type) -> type:
            return _process(cls, **options)

        return wrap if cls is None else wrap(cls)

    def field(*, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True, repr: bool = True,
              hash: bool | None = None, compare: bool = True, metadata: Any = None, kw_only: Any = MISSING) -> Any:
        """``dataclasses.field`` for records (``kw_only`` sends the class to the standard decorator)."""
        return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only)

    def fields(class_or_instance: Any) -> tuple[Field, ...]:
        """The fields of a record class or instance, in order (``dataclasses.fields`` for others)."""
        cls = class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
        found = cls.__dict__.get("__record_fields__")
        if found is None:
            import dataclasses

            return dataclasses.fields(class_or_instance)  # type: ignore[return-value]
        return found

    def replace(obj: Any, /, **changes: Any) -> Any:
        """A copy of the record ``obj`` with ``changes`` (``dataclasses.replace``, same errors)."""
        cls = type(obj)
        found = cls.__dict__.get("__record_fields__")
        if found is None:
            import dataclasses

            return dataclasses.replace(obj, **changes)
        for f in found:
            if not f.init:
                if f.name in changes:
                    raise ValueError(f"field {f.name} is declared with init=False, it cannot be specified with "
                                     "replace()")
            elif f.name not in changes:
                changes[f.name] = getattr(obj, f.name)
        return cls(**changes)


class _FrozenInstanceError(AttributeError):
    """Stands for ``dataclasses.FrozenInstanceError`` while ``dataclasses`` is not loaded."""


def _frozen_error() -> type[AttributeError]:
    """``dataclasses.FrozenInstanceError`` once that module is loaded (as it is wherever code can catch it)."""
    standard = sys.modules.get("dataclasses")
    return _FrozenInstanceError if standard is None else standard.FrozenInstanceError


#: Options handled here, with the standard defaults; any other option goes to the standard decorator.
_FAST_OPTIONS = {"init": True, "repr": True, "eq": True, "frozen": False, "slots": False}
#: Annotations that make a name something other than a plain field: the standard decorator's business.
_SPECIAL_WORDS = ("ClassVar", "InitVar", "KW_ONLY")


class _Standard(Exception):
    """The class needs the standard decorator."""


def _process(cls: type, **options: Any) -> type:
    if not options.keys() <= _FAST_OPTIONS.keys():
        return _standard(cls, options)
    init, want_repr, eq, frozen, slots = ({**_FAST_OPTIONS, **options}[name] for name in _FAST_OPTIONS)
    if slots and frozen:
        return _standard(cls, options)
    try:
        every = _all_fields(cls)
    except _Standard:
        return _standard(cls, options)
    own = cls.__dict__
    class_hash = own.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in own))
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"Cannot overwrite attribute __setattr__ or __delattr__ in class {cls.__name__}")
    for base in cls.__mro__[1:]:
        if "__record_fields__" in base.__dict__:
            base_frozen = getattr(base.__dict__.get("__setattr__"), "_frozen", False)
            if frozen and not base_frozen:
                raise TypeError("cannot inherit frozen dataclass from a non-frozen one")
            if not frozen and base_frozen:
                raise TypeError("cannot inherit non-frozen dataclass from a frozen one")
    fields = tuple(every.values())
    if init:
        seen_default = False
        for f in fields:
            if not f.init:
                continue
            if f.default is MISSING and f.default_factory is MISSING:
                if seen_default:
                    raise TypeError(f"non-default argument {f.name!r} follows default argument")
            else:
                seen_default = True
    if slots:
        cls = _with_slots(cls, fields)
    cls.__record_fields__ = fields  # type: ignore[attr-defined]
    if "__match_args__" not in own:
        cls.__match_args__ = tuple(f.name for f in fields if f.init)  # type: ignore[misc,attr-defined]
    cls.__dataclass_fields__ = _StandardView(cls, "__dataclass_fields__")  # type: ignore[attr-defined]
    cls.__dataclass_params__ = _StandardView(cls, "__dataclass_params__")  # type: ignore[attr-defined]
    if not cls.__doc__:
        cls.__doc__ = f"{cls.__name__}({', '.join(_signature_part(f) for f in fields if f.init)})"
    if frozen:
        _set(cls, "__setattr__", _frozen_setattr(cls, fields))
        _set(cls, "__delattr__", _frozen_delattr(cls, fields))
    if init and "__init__" not in own:
        _set(cls, "__init__", _init(cls, fields, frozen, slots))
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


def _all_fields(cls: type) -> dict[str, Field]:
    """The record fields of ``cls``, its bases' first, as ``dataclasses`` orders them.

    Raises _Standard for what only the standard decorator handles.  Fields given
    with ``field()`` leave the class the way the standard decorator leaves it:
    their default as the class attribute, or no attribute.
    """
    every: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        if "__record_fields__" in base.__dict__:
            every.update((f.name, f) for f in base.__dict__["__record_fields__"])
        elif "__dataclass_fields__" in base.__dict__:
            raise _Standard
    own = cls.__dict__
    standard = sys.modules.get("dataclasses")
    made: list[Field] = []
    for name, kind in own.get("__annotations__", {}).items():
        if not isinstance(kind, str) or any(word in kind for word in _SPECIAL_WORDS):
            raise _Standard
        value = own.get(name, MISSING)
        if isinstance(value, Field):
            f = value
        elif standard is not None and isinstance(value, standard.Field):
            given = [MISSING if v is standard.MISSING else v
                     for v in (value.default, value.default_factory, value.kw_only)]
            f = Field(given[0], given[1], value.init, value.repr, value.hash, value.compare, value.metadata or None,
                      given[2])
        else:
            f = Field(value)
        if f.kw_only not in (MISSING, False):
            raise _Standard
        if f.default is not MISSING and type(f.default).__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        f.name, f.type = name, kind
        made.append(f)
    for f in made:
        if isinstance(own.get(f.name), Field) or (standard is not None and isinstance(own.get(f.name), standard.Field)):
            if f.default is MISSING:
                delattr(cls, f.name)
            else:
                setattr(cls, f.name, f.default)
        every[f.name] = f
    return every


def _standard(cls: type, options: dict[str, Any]) -> type:
    """The standard decorator, with this module's ``field()`` values turned into the standard ones."""
    import dataclasses

    for name, value in list(cls.__dict__.items()):
        if isinstance(value, Field):
            setattr(cls, name, _standard_field(dataclasses, value))
    return dataclasses.dataclass(cls, **options)


def _standard_field(dataclasses: Any, f: Field) -> Any:
    def given(value: Any) -> Any:
        return dataclasses.MISSING if value is MISSING else value

    extra = {} if f.kw_only is MISSING else {"kw_only": f.kw_only}
    return dataclasses.field(default=given(f.default), default_factory=given(f.default_factory), init=f.init,
                             repr=f.repr, hash=f.hash, compare=f.compare, metadata=f.metadata, **extra)


class _StandardView:
    """``__dataclass_fields__`` or ``__dataclass_params__`` of a record, made when first read.

    Both are what the standard decorator records, taken from a stand-in class
    it decorates then; they replace these placeholders on the record class.
    """

    def __init__(self, cls: type, attribute: str) -> None:
        self.cls = cls
        self.attribute = attribute

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        import dataclasses

        cls = self.cls
        fields = cls.__dict__["__record_fields__"]
        namespace: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                     "__doc__": cls.__doc__, "__annotations__": {f.name: f.type for f in fields}}
        for f in fields:
            namespace[f.name] = _standard_field(dataclasses, f)
        stand_in: Any = dataclasses.dataclass(type(cls.__name__, (), namespace), init=False, repr=False, eq=False)
        type.__setattr__(cls, "__dataclass_fields__", stand_in.__dataclass_fields__)
        type.__setattr__(cls, "__dataclass_params__", stand_in.__dataclass_params__)
        return cls.__dict__[self.attribute]


def _with_slots(cls: type, fields: tuple[Field, ...]) -> type:
    """``cls`` remade with a ``__slots__`` entry per field, as ``dataclass(slots=True)`` does.

    A field a base class already has a slot for gets none here: the base's serves.
    """
    names = tuple(f.name for f in fields)
    namespace = dict(cls.__dict__)
    if "__slots__" in namespace:
        raise TypeError(f"{cls.__name__} already specifies __slots__")
    inherited = {slot for base in cls.__mro__[1:-1] for slot in _slot_names(base)}
    namespace["__slots__"] = tuple(name for name in names if name not in inherited)
    for name in names:
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    remade = type(cls)(cls.__name__, cls.__bases__, namespace)
    remade.__qualname__ = cls.__qualname__
    return remade


def _slot_names(cls: type) -> tuple[str, ...]:
    """The slots ``cls`` itself declares (a lone string is one slot)."""
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


def _signature_part(f: Field) -> str:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", repr(f.type))
    if f.default is not MISSING:
        return f"{f.name}: {kind} = {f.default!r}"
    if f.default_factory is not MISSING:
        return f"{f.name}: {kind} = <factory>"
    return f"{f.name}: {kind}"


def _set(cls: type, name: str, fn: Callable[..., Any]) -> None:
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    fn.__module__ = cls.__module__
    setattr(cls, name, fn)


def _init(cls: type, fields: tuple[Field, ...], frozen: bool, slots: bool) -> Callable[..., None]:
    params = tuple(f.name for f in fields if f.init)
    accepted = frozenset(params)
    count = len(params)
    defaults = {f.name: f.default for f in fields if f.default is not MISSING}
    factories = {f.name: f.default_factory for f in fields if f.default_factory is not MISSING}
    # A field left out of __init__ gets its factory's value; a plain default stays on the
    # class, except with slots, where the class has no room for it.
    if slots:
        factories.update((f.name, (lambda value: lambda: value)(f.default))
                         for f in fields if not f.init and f.default is not MISSING)
    order = tuple((f.name, f.init) for f in fields)
    assign = object.__setattr__ if frozen else setattr
    post_init = hasattr(cls, "__post_init__")
    where = f"{cls.__qualname__}.__init__()"

    # The common calls, every field by position or the first ones with defaults (plain or
    # factories) for the rest, need none of the checks below: ``tails[n]`` is what follows n
    # positional values, each field's (name, default, factory or None).
    every_field_by_position = all(in_init for _, in_init in order)
    # Built from the end (each tail is the next one with a field in front): linear in the
    # fields, where building each from scratch made a class of many fields slow to define.
    tails: list[tuple[tuple[str, Any, Any], ...] | None] = [None] * (count + 1)
    tail: tuple[tuple[str, Any, Any], ...] | None = () if every_field_by_position else None
    for n in range(count, -1, -1):
        if n < count and tail is not None:
            name = params[n]
            tail = ((name, defaults.get(name), factories.get(name)), *tail) \
                if name in defaults or name in factories else None
        tails[n] = tail

    # Where assigning a field only stores it in the instance's __dict__, the fields are stored
    # there in one call: for instances of the class itself (a subclass may turn a field into a
    # property), without slots, and where assignment is object.__setattr__ (always so for
    # frozen classes; a mutable class may have its own __setattr__).  Keyword calls that give
    # every required field and nothing unknown go that way too; the rest take the checks below.
    direct = not slots and (frozen or getattr(cls, "__setattr__") is object.__setattr__) and not any(
        hasattr(type(getattr(cls, f.name, None)), "__set__") for f in fields)
    start = {name: defaults[name] for name in params if name in defaults}
    made = tuple(factories.items())  # without slots, exactly the fields with a factory
    required = frozenset(p for p in params if p not in defaults and p not in factories)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        own = direct and self.__class__ is cls
        if not args and own:
            named = kwargs.keys()
            if named <= accepted and required <= named:
                stored = self.__dict__
                stored.update(start)
                for name, make in made:
                    if name not in kwargs:
                        stored[name] = make()
                stored.update(kwargs)
                if post_init:
                    self.__post_init__()
                return
        if not kwargs and len(args) <= count:
            tail = tails[len(args)]
            if tail is not None:
                if own:
                    self.__dict__.update(zip(params, args))
                else:
                    for name, value in zip(params, args):
                        assign(self, name, value)
                for name, value, make in tail:
                    assign(self, name, value if make is None else make())
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
                missing = [p for p in params if p in required and p not in values]
                raise TypeError(f"{where} missing required argument(s): {', '.join(map(repr, missing))}")
        if post_init:
            self.__post_init__()

    return __init__


def _repr(cls: type, fields: tuple[Field, ...]) -> Callable[[Any], str]:
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


def _eq(cls: type, fields: tuple[Field, ...]) -> Callable[[Any, Any], Any]:
    values = _values(tuple(f.name for f in fields if f.compare))

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(cls: type, fields: tuple[Field, ...]) -> Callable[[Any], int]:
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


def _frozen_setattr(cls: type, fields: tuple[Field, ...]) -> Callable[[Any, str, Any], None]:
    names = frozenset(f.name for f in fields)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error()(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    __setattr__._frozen = True  # type: ignore[attr-defined]
    return __setattr__


def _frozen_delattr(cls: type, fields: tuple[Field, ...]) -> Callable[[Any, str], None]:
    names = frozenset(f.name for f in fields)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error()(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return __delattr__
