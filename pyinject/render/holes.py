"""Holes: stand-ins for a pod's names that a template may print and nothing else.

An *abstract render* runs a template with some identity strings of the pod
(its owner's name, namespace, label values, container names) replaced by
:class:`Hole` objects.  A hole prints as a sentinel (private-use code points
that cannot otherwise occur in the output); every other use either

* raises :class:`Observed` (``str()``, formatting, hashing, iteration, field
  access, arithmetic, ``isinstance`` — Python looks up ``__class__``, which a
  hole refuses), so the render is abandoned and done the ordinary way; or
* becomes a *guard* (comparisons, length, any call of a template function with
  a hole among its arguments): the operation is evaluated on the real values,
  its result is what the render goes on with, and the cache entry records the
  operation so a later pod reuses the entry only if the same operation on *its*
  real values gives the same result; or
* is answered by a *rule* that holds for every value a hole may stand for
  (opaque holes, for text outside the class, are never printed and have no rules):
  a hole is truthy (only non-empty values become holes), and a few string
  functions (``default``, ``quote``, ``trunc``, ``trimSuffix``, ``join``) have
  exact symbolic results over the hole's character class.

So the abstract output is a function of the non-hole context and the guards'
results only, with each hole printed verbatim: substituting a pod's values for
the sentinels gives what its own render prints, for every pod whose guards
agree.  Pure functions only: a function that reads the clock, randomness or the
environment is in :data:`IMPURE` and abandons the render.
"""

from __future__ import annotations

import copy
import operator
import re
import types
from collections.abc import Callable
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator, Mapping, Sequence
else:  # typing is for mypy alone (start-up); at run time the aliases below name a stand-in
    Any = object

#: What a hole may stand for: ASCII letters, digits, ``.``, ``_`` and ``-``, starting
#: and ending with a letter or digit, at most 63 characters (a Kubernetes label value).
#: None of these characters needs quoting or escaping in YAML, JSON or Go's ``%q``.
LEAF_CLASS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?\Z")
LEAF_MAX = 63

#: Sentinel code points: OPEN, one of 256 index points, CLOSE.
_OPEN, _CLOSE, _INDEX0 = "\ue000", "\ue001", 0xE100
MAX_LEAVES = 256
#: Every code point a sentinel uses; real inputs holding any of them are never abstracted.
PRIVATE = re.compile("[\ue000-\ue1ff]")
SENTINEL = re.compile("\ue000([\ue100-\ue1ff])\ue001")


def sentinel(index: int) -> str:
    """The text hole ``index`` prints as."""
    return f"{_OPEN}{chr(_INDEX0 + index)}{_CLOSE}"


def substitute(text: str, leaves: Sequence[str]) -> str:
    """``text`` with each sentinel replaced by its leaf's value."""
    return SENTINEL.sub(lambda m: leaves[ord(m.group(1)) - _INDEX0], text)


class Observed(BaseException):
    """An abstract render used a hole in a way no guard or rule covers.

    A BaseException, so that no ``except Exception`` on the way swallows it.
    """


Part = str | int  # literal text, or the index of a leaf


def _guard_method(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        return guarded(op, (self, other), {})
    return method


def _refusal(what: str) -> Callable[..., Any]:
    def method(self: Any, *args: Any) -> Any:
        raise Observed(what)
    return method


class Hole:
    """A string known only as literal text and leaves (in :data:`LEAF_CLASS`, or opaque)."""

    __slots__ = ("_parts",)

    def __init__(self, parts: tuple[Part, ...]) -> None:
        object.__setattr__(self, "_parts", parts)

    def __getattribute__(self, name: str) -> Any:
        raise Observed(f"attribute {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise Observed(f"attribute {name}")

    # Truth is known: every leaf is non-empty.
    def __bool__(self) -> bool:
        return True

    # Comparisons and sizes become guards.
    __eq__ = _guard_method(operator.eq)
    __ne__ = _guard_method(operator.ne)
    __lt__ = _guard_method(operator.lt)
    __le__ = _guard_method(operator.le)
    __gt__ = _guard_method(operator.gt)
    __ge__ = _guard_method(operator.ge)

    def __len__(self) -> int:
        return int(guarded(len, (self,), {}))

    def __contains__(self, item: object) -> bool:
        return bool(guarded(operator.contains, (self, item), {}))

    # Everything else reads the text: abandon the render.
    __hash__ = _refusal("hash")
    __str__ = __repr__ = __format__ = _refusal("conversion to text")
    __iter__ = __getitem__ = _refusal("iteration or indexing")
    __add__ = __radd__ = __mul__ = __rmul__ = __mod__ = __rmod__ = __sub__ = __rsub__ = __truediv__ = _refusal("arithmetic")
    __int__ = __float__ = __index__ = __neg__ = __pos__ = __abs__ = _refusal("conversion to a number")
    __reduce__ = __reduce_ex__ = __copy__ = __deepcopy__ = _refusal("copying")


def parts_of(hole: Hole) -> tuple[Part, ...]:
    """The hole's literal text and leaf indexes."""
    parts: tuple[Part, ...] = object.__getattribute__(hole, "_parts")
    return parts


def make_hole(parts: Sequence[Part]) -> Hole | str:
    """A hole of ``parts`` (adjacent literals joined); plain text when no leaf is left."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    if all(isinstance(p, str) for p in out):
        return "".join(p for p in out if isinstance(p, str))
    return Hole(tuple(out))


def longest(parts: tuple[Part, ...]) -> int:
    """The most UTF-8 bytes a hole of ``parts`` may hold."""
    return sum(len(p.encode("utf-8")) if isinstance(p, str) else LEAF_MAX for p in parts)


def truncated(hole: Hole, size: int) -> Any:
    """``hole`` cut to ``size`` bytes: itself when it can never be longer; NotImplemented otherwise."""
    parts = parts_of(hole)
    return hole if in_class(parts) and longest(parts) <= size else NotImplemented


def quoted(hole: Hole, encode: Callable[[str], str]) -> Any:
    """``hole`` in double quotes as ``encode`` (a Go or JSON quoting) writes it; NotImplemented
    unless its literal parts need no escaping (its leaves never do)."""
    parts = parts_of(hole)
    if not in_class(parts) or any(isinstance(p, str) and encode(p) != f'"{p}"' for p in parts):
        return NotImplemented
    return make_hole(('"', *parts, '"'))


def without_suffix(hole: Hole, suffix: str, trim: Callable[[str], str]) -> Any:
    """``hole`` with ``suffix`` removed once if it ends with it (``trim`` does it to text); NotImplemented if unknown."""
    parts = parts_of(hole)
    if not in_class(parts):
        return NotImplemented
    if not suffix:
        return hole
    last = parts[-1]
    if not isinstance(last, str):
        # A leaf ends with a letter or digit: a suffix ending otherwise is never there.
        return hole if not suffix[-1].isalnum() else NotImplemented
    if len(last) >= len(suffix):
        return make_hole((*parts[:-1], trim(last)))
    return NotImplemented


# --------------------------------------------------------------------------
# The recorder: what one abstract render learns


#: Where an object of the template data is: False (it holds no hole), its path, or None (not known).
Locate = Callable[[Any], tuple[Any, ...] | bool | None]


class Field:
    """A step of a path that reads a Go-struct view's field (other steps index)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


#: A guarded call: (function, whether it is a method whose object is the first argument,
#: argument recipes, keyword recipes); a guard is the call and its frozen result.
GuardCall = tuple[Any, bool, tuple[Any, ...], tuple[Any, ...]]
Guard = tuple[GuardCall, Any]


class Recorder:
    """The state of one abstract render: real values, guards and printed sentinels.

    ``tainted`` maps the id of every container holding a hole to its path in the
    template variables; ``real_root`` gives the real variables (for guards whose
    arguments are such containers).
    """

    def __init__(self, leaves: Sequence[str], tainted: Mapping[int, tuple[Any, ...]],
                 real_root: Callable[[], Any], opaque: frozenset[int] = frozenset()) -> None:
        self.leaves = list(leaves)
        #: Leaves outside :data:`LEAF_CLASS` (any non-empty text): never printed, no rule applies.
        self.opaque = opaque
        self.tainted = dict(tainted)
        self._real_root = real_root
        self._root: Any = None
        self.guards: list[Guard] = []
        self.printed = 0
        #: How many times each leaf was printed.
        self.counts: dict[int, int] = {}
        #: For the objects a back end knows (its data views): False when one holds no hole,
        #: else its path in the template variables; None for any other object.
        self.locate: Locate | None = None

    def root(self) -> Any:
        if self._root is None:
            self._root = self._real_root()
        return self._root

    def print(self, hole: Hole) -> str:
        parts = parts_of(hole)
        if not in_class(parts):
            raise Observed("printing an opaque leaf")
        for part in parts:
            if not isinstance(part, str):
                self.printed += 1
                self.counts[part] = self.counts.get(part, 0) + 1
        return "".join(p if isinstance(p, str) else sentinel(p) for p in parts)


_active: list[Recorder] = []


def in_class(parts: tuple[Part, ...]) -> bool:
    """Whether every leaf of ``parts`` is in :data:`LEAF_CLASS` (what rules and printing rely on)."""
    recorder = active()
    if recorder is None:
        return False
    opaque = recorder.opaque
    return not opaque or all(isinstance(p, str) or p not in opaque for p in parts)


def active() -> Recorder | None:
    """The recorder of the abstract render under way, if any."""
    return _active[-1] if _active else None


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    _active.append(recorder)
    try:
        yield recorder
    finally:
        _active.pop()


# --------------------------------------------------------------------------
# Arguments: which hold holes, and how to rebuild them for another pod


_PLAIN = (str, int, float, type(None))


def holds_hole(value: Any, tainted: Mapping[int, Any], clean_types: tuple[type, ...], depth: int = 0,
               locate: Locate | None = None) -> bool:
    """Whether ``value`` is or may contain a hole; :class:`Observed` for an object that may hide one."""
    kind = type(value)
    if kind is Hole:
        return True
    if id(value) in tainted:
        return True
    if kind in _PLAIN or kind is bool or issubclass(kind, _PLAIN):
        return False
    if depth > 50:
        raise Observed("deep argument")
    if kind is list or kind is tuple:
        return any(holds_hole(v, tainted, clean_types, depth + 1, locate) for v in value)
    if kind is dict:
        return any(holds_hole(k, tainted, clean_types, depth + 1, locate)
                   or holds_hole(v, tainted, clean_types, depth + 1, locate) for k, v in value.items())
    if locate is not None:
        where = locate(value)
        if where is not None:
            return where is not False
    if issubclass(kind, clean_types):
        return False
    raise Observed(f"argument of type {kind.__name__}")


def describe(value: Any, tainted: Mapping[int, Any], clean_types: tuple[type, ...], keep: bool = False,
             locate: Locate | None = None) -> Any:
    """A recipe for ``value`` that :func:`instantiate` turns into another pod's value.

    Values without holes are kept as they are now (a copy of anything mutable,
    since the render may change it later); ``keep`` keeps the very objects, for
    the call made during the render itself.
    """
    kind = type(value)
    if kind is Hole:
        return ("hole", parts_of(value))
    path = tainted.get(id(value))
    if path is not None:
        return ("path", path)
    if (kind is list or kind is tuple) and holds_hole(value, tainted, clean_types, 0, locate):
        return (kind.__name__, tuple(describe(v, tainted, clean_types, keep, locate) for v in value))
    if kind is dict and holds_hole(value, tainted, clean_types, 0, locate):
        return ("dict", tuple((describe(k, tainted, clean_types, keep, locate),
                               describe(v, tainted, clean_types, keep, locate)) for k, v in value.items()))
    if locate is not None and kind not in _PLAIN:
        where = locate(value)
        if type(where) is tuple:
            return ("path", where)
    return ("const", value if keep else snapshot(value))


def snapshot(value: Any) -> Any:
    """``value`` as it is now, for a guard to call again later."""
    kind = type(value)
    if kind in _PLAIN or kind is bool or issubclass(kind, _PLAIN):
        return value
    if issubclass(kind, tuple(UNRECORDABLE)):
        raise Observed(f"an argument of type {kind.__name__} that changes during the render")
    try:
        if issubclass(kind, (list, dict, set, tuple)):
            return copy.deepcopy(value)
        if issubclass(kind, tuple(SHALLOW)):
            return copy.copy(value)
    except Exception as err:  # noqa: BLE001 - what cannot be copied cannot be guarded
        raise Observed("an argument that cannot be copied") from err
    return value  # views over hole-free data, which nothing changes


def instantiate(recipe: Any, leaves: Sequence[str], root: Callable[[], Any]) -> Any:
    """The value a recipe stands for, given a pod's leaves and real template variables."""
    kind, data = recipe
    if kind == "const":
        return data
    if kind == "hole":
        return "".join(p if isinstance(p, str) else leaves[p] for p in data)
    if kind == "path":
        value = root()
        for step in data:
            value = value.go_field(step.name) if type(step) is Field else value[step]
        return value
    if kind == "list":
        return [instantiate(r, leaves, root) for r in data]
    if kind == "tuple":
        return tuple(instantiate(r, leaves, root) for r in data)
    return {instantiate(k, leaves, root): instantiate(v, leaves, root) for k, v in data}


def _callable_recipe(fn: Any) -> tuple[Any, bool]:
    """A method bound to an object becomes its class's function, the object its first argument.

    Methods are what can change their object: such a guard runs on a copy of it
    (see :func:`call_recipe`), so a real value never lands in the render's own data.
    """
    owner = getattr(fn, "__self__", None)
    if owner is None or isinstance(owner, (type, types.ModuleType)):
        return fn, False
    return (getattr(type(owner), fn.__name__), True) if hasattr(type(owner), fn.__name__) else (fn, False)


#: Argument types a guard cannot keep (they change as the render goes), and types whose
#: attributes a shallow copy keeps.
UNRECORDABLE: list[type] = []
SHALLOW: list[type] = []

#: Functions that read the clock, randomness or the process environment.
IMPURE: set[Any] = set()

#: Exact symbolic results of functions on holes: fn -> rule(args, kwargs), which
#: returns the result or NotImplemented (then the call becomes a guard).
RULES: dict[Any, Callable[[tuple[Any, ...], dict[str, Any]], Any]] = {}

#: Argument types known to hold no hole (views over hole-free data, markers).
CLEAN_TYPES: list[type] = []


def guarded(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call ``fn``; inside an abstract render, through the rules and guards above."""
    recorder = active()
    if recorder is None:
        if any(type(a) is Hole for a in args):
            raise Observed("a hole outside an abstract render")
        return fn(*args, **kwargs)
    try:
        impure, rule = fn in IMPURE, RULES.get(fn)
    except TypeError:  # an unhashable callable
        impure, rule = False, None
    if impure:
        raise Observed("an impure function")
    clean = tuple(CLEAN_TYPES)
    tainted, locate = recorder.tainted, recorder.locate
    if not (any(holds_hole(a, tainted, clean, 0, locate) for a in args)
            or any(holds_hole(v, tainted, clean, 0, locate) for v in kwargs.values())):
        return fn(*args, **kwargs)
    if rule is not None:
        result = rule(args, kwargs)
        if result is not NotImplemented:
            return result
    owner = getattr(fn, "__self__", None)
    fn, method = _callable_recipe(fn)
    if method:
        args = (owner, *args)
    guard = (fn, method, tuple(describe(a, tainted, clean, False, locate) for a in args),
             tuple((k, describe(v, tainted, clean, False, locate)) for k, v in kwargs.items()))
    live = (fn, method, tuple(describe(a, tainted, clean, True, locate) for a in args),
            tuple((k, describe(v, tainted, clean, True, locate)) for k, v in kwargs.items()))
    result = call_recipe(live, recorder.leaves, recorder.root)
    recorder.guards.append((guard, _frozen(result)))
    return result


def call_recipe(guard: GuardCall, leaves: Sequence[str], root: Callable[[], Any]) -> Any:
    """Call a guard's function on a pod's real values (a method on a copy of its object)."""
    fn, method, args, kwargs = guard
    real_args = [instantiate(r, leaves, root) for r in args]
    real_kwargs = {k: instantiate(r, leaves, root) for k, r in kwargs}
    if not method:
        return fn(*real_args, **real_kwargs)
    owner = real_args[0]
    try:
        real_args[0] = copy.deepcopy(owner)
    except Exception as err:  # noqa: BLE001 - an object that cannot be copied cannot be guarded
        raise Observed("a method of an object that cannot be copied") from err
    result = fn(*real_args, **real_kwargs)
    if not same(_frozen(real_args[0]), _frozen(owner)):
        raise Observed("a method that changes its object")
    if type(result) not in (str, int, float, bool, type(None)):
        raise Observed("a method returning an object")
    return result


def guards_hold(guards: Sequence[Guard], leaves: Sequence[str], root: Callable[[], Any]) -> bool:
    """Whether every recorded operation gives the same result on another pod's values."""
    for guard, result in guards:
        try:
            again = call_recipe(guard, leaves, root)
            if not same(_frozen(again), result):
                return False
        except (Exception, Observed):  # noqa: BLE001 - any failure: that pod renders the ordinary way
            return False
    return True


def _frozen(value: Any) -> Any:
    """A snapshot of a guard's result that later changes to the object cannot touch."""
    kind = type(value)
    if kind in (str, int, float, bool, type(None)):
        return value
    if kind is list or kind is tuple:
        return (kind.__name__, tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return (kind.__name__, tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (str, int, float)):  # Int32, Markup...: the type is part of the result
        return (kind.__name__, getattr(kind.__base__, "__name__", ""), value)
    raise Observed(f"guard result of type {kind.__name__}")


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout (``1 == True`` does not count)."""
    if type(a) is not type(b):
        return False
    if type(a) is tuple:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)
