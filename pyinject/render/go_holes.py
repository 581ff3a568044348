"""The Go-template side of abstract renders: the engine's hooks, where views sit, and rules.

An abstract render of a Go template runs on the SidecarTemplateData view of a
context whose identity strings are holes (:mod:`pyinject.render.holes`): string
fields of the Kubernetes views hand them out as they are.  The engine runs the
template with :data:`HOOKS` (:mod:`pyinject.gotemplate.hooks`):

* a printed hole writes its sentinel; the truth of a hole is true (a leaf is
  never empty); a ``string`` parameter takes a hole;
* every function call goes through :func:`holes.guarded`: with a hole among
  its arguments (or a view holding one) it is a rule below or a guard,
  evaluated on the pod's real values and recorded;
* functions reading the clock, randomness, the environment or the network
  abandon the render, and so do functions that change a map handed to them
  when a hole is among their arguments (the guard would change the real map,
  not the abstract one).

Anything else the engine does to a hole (a field of it, ``range`` over it, Go
formatting) asks the hole for its class, which it refuses: the render is
abandoned.  A view of the data holding a hole is passed to a guard as its path
from the data's root (:class:`Locator`), so the guard reads the same place of
the pod's real data.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from pyinject.golang.fmt import sprintf
from pyinject.golang.strconv import quote as go_quote
from pyinject.golang.values import MISSING, GoObject, TypedList, TypedMap, is_true
from pyinject.gotemplate.builtins import go_index, go_len, go_not, go_printf
from pyinject.istio.funcs import value_or_default
from pyinject.istio.gofuncs import annotation
from pyinject.render import go_data, holes
from pyinject.render.go_effects import MUTATING_NAMES
from pyinject.render.holes import Field, Hole, Observed, Part, guarded, in_class, longest, make_hole, parts_of
from pyinject.sandbox import limits
from pyinject.sprig.crypto import CRYPTO_FUNCS
from pyinject.sprig.dates import DATE_FUNCS
from pyinject.sprig.cast import is_empty
from pyinject.sprig.defaults import default as sprig_default
from pyinject.sprig.host import HOST_FUNCS
from pyinject.sprig.json import marshal, to_json
from pyinject.sprig.lists import list_, prepend, push
from pyinject.sprig.strings import join, quote, trim_suffix, trunc

#: Template functions that read the clock, randomness, the environment or the network.
IMPURE_NAMES = frozenset({
    *DATE_FUNCS, *HOST_FUNCS, *CRYPTO_FUNCS,
    "randInt", "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "shuffle",
})


def _refuse(*args: Any) -> Any:
    raise Observed("an impure function")


class GoHoleHooks:
    """The engine's hooks for abstract renders (:class:`pyinject.gotemplate.hooks.Hooks`)."""

    def call(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in IMPURE_NAMES:
            return _refuse
        if name in MUTATING_NAMES:

            def mutating(*args: Any) -> Any:
                recorder = holes.active()
                if recorder is not None and _holds_hole(recorder, args):
                    raise Observed(f"{name} changes a map holding a hole")
                return fn(*args)

            return mutating

        def call(*args: Any) -> Any:
            return guarded(fn, args, {})

        return call

    def text(self, value: Any) -> str | None:
        if type(value) is not Hole:
            return None
        recorder = holes.active()
        if recorder is None:
            raise Observed("a hole outside an abstract render")
        return recorder.print(value)

    def truth(self, value: Any) -> bool:
        # A hole is a non-empty string: true.
        return True if type(value) is Hole else is_true(value)[0]

    def is_string(self, value: Any) -> bool:
        return type(value) is Hole


HOOKS = GoHoleHooks()


def _holds_hole(recorder: holes.Recorder, args: tuple[Any, ...]) -> bool:
    clean = tuple(holes.CLEAN_TYPES)
    return any(holes.holds_hole(a, recorder.tainted, clean, 0, recorder.locate) for a in args)


# --------------------------------------------------------------------------
# Where a view of the abstract data sits


#: Views built only from parts of the context that never hold holes.
_HOLE_FREE = (go_data.Message, go_data.ProtoEnum, go_data.Wrapper, go_data.Duration, go_data.GoDuration,
              go_data.OneofWrapper, go_data.TypeMeta)


def _raw_holds_hole(value: Any, depth: int = 0) -> bool:
    kind = type(value)
    if kind is Hole:
        return True
    if depth > 60:
        raise Observed("deep data")
    if isinstance(value, dict):
        return any(_raw_holds_hole(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_raw_holds_hole(v, depth + 1) for v in value)
    if isinstance(value, GoObject):
        return _view_holds_hole(value, depth + 1)
    return False


def _view_holds_hole(value: Any, depth: int = 0) -> bool:
    if isinstance(value, _HOLE_FREE):
        return False
    if isinstance(value, go_data.K8sStruct):
        return _raw_holds_hole(value.raw, depth)
    if isinstance(value, go_data.TemplateData):
        return True
    raise Observed(f"a view of type {type(value).__name__}")


class Locator:
    """Finds views of one abstract render's data (``variables``) by identity, as paths."""

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables

    def locate(self, value: Any) -> tuple[Any, ...] | bool | None:
        if value is MISSING:
            return False
        if isinstance(value, (TypedList, TypedMap)):
            holds = _raw_holds_hole(list(value.values()) if isinstance(value, dict) else list(value))
        elif isinstance(value, GoObject):
            holds = _view_holds_hole(value)
        else:
            return None
        if not holds:
            return False
        for path, found in self._walk():
            if found is value:
                return path
        raise Observed("a value holding a hole that is not in the template data")

    def _walk(self) -> Iterator[tuple[tuple[Any, ...], Any]]:
        """Every view the render has read so far, with its path (breadth first)."""
        queue: list[tuple[tuple[Any, ...], Any]] = [((name,), v) for name, v in self.variables.items()]
        seen: set[int] = set()
        while queue:
            path, value = queue.pop(0)
            if id(value) in seen or len(path) > 16:
                continue
            seen.add(id(value))
            yield path, value
            if isinstance(value, (go_data.TemplateData, go_data.K8sStruct)):
                queue.extend(((*path, Field(name)), child) for name, child in value.cached_fields().items()
                             if _container(child))
            elif isinstance(value, (list, tuple)):
                queue.extend(((*path, i), child) for i, child in enumerate(value) if _container(child))
            elif isinstance(value, dict):
                queue.extend(((*path, k), child) for k, child in value.items() if _container(child))


def _container(value: Any) -> bool:
    return type(value) is not Hole and isinstance(value, (list, tuple, dict, GoObject))


# --------------------------------------------------------------------------
# What is known of a hole without reading it


def _plain(value: Any) -> bool:
    return type(value) in (str, int, float, bool) or value is None


def _literal_quotes(parts: tuple[Part, ...], encode: Callable[[str], str]) -> bool:
    # Leaves need no escaping (holes.LEAF_CLASS): quoting a hole quotes its literal parts around them.
    return in_class(parts) and all(not isinstance(p, str) or encode(p) == f'"{p}"' for p in parts)


def _rule_index(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # index of a slice or map by plain keys reads the structure, which the key fixes, not the holes.
    if kwargs or not args or type(args[0]) is Hole or not all(_plain(i) for i in args[1:]):
        return NotImplemented
    if not isinstance(args[0], (list, tuple, dict)):
        return NotImplemented
    return go_index(*args)


def _rule_len(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 1 or type(args[0]) is Hole or not isinstance(args[0], (list, tuple, dict)):
        return NotImplemented
    return go_len(args[0])


def _rule_not(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 1 or type(args[0]) is not Hole:
        return NotImplemented
    return go_not(True)


def _rule_default(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # default FALLBACK VALUE: a hole is never empty; a plain value's emptiness is known.
    if kwargs or len(args) not in (1, 2):
        return NotImplemented
    fallback, given = args[0], args[1:]
    if given and type(given[0]) is Hole:
        return given[0]
    if type(fallback) is Hole and (not given or _plain(given[0]) or given[0] is MISSING):
        return fallback if not given or is_empty(given[0]) else given[0]
    return NotImplemented


def _rule_value_or_default(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 2:
        return NotImplemented
    value, fallback = args
    if type(value) is Hole:
        return value
    if value is None or type(value) is str:
        return fallback if value is None or value == "" else value
    return NotImplemented


def _rule_quote(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        return NotImplemented
    out: list[Part] = []
    for arg in args:
        if arg is None:
            continue
        if out:
            out.append(" ")
        if type(arg) is str:
            out.append(go_quote(arg))
        elif type(arg) is Hole and _literal_quotes(parts_of(arg), go_quote):
            out.extend(('"', *parts_of(arg), '"'))
        else:
            return NotImplemented
    return make_hole(out)


def _rule_trunc(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # trunc N S keeps S whole when N is at least its longest length.
    if kwargs or len(args) != 2 or type(args[0]) is not int or type(args[1]) is not Hole:
        return NotImplemented
    return holes.truncated(args[1], args[0])


def _rule_trim_suffix(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 2 or type(args[0]) is not str or type(args[1]) is not Hole:
        return NotImplemented
    suffix = args[0]
    return holes.without_suffix(args[1], suffix, lambda text: trim_suffix(suffix, text))


def _rule_join(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # join SEP LIST of strings and holes (nils dropped).
    if kwargs or len(args) != 2 or type(args[0]) is not str or type(args[1]) not in (list, tuple):
        return NotImplemented
    separator, items = args[0], [i for i in args[1] if i is not None]
    if not all(type(i) is str or (type(i) is Hole and in_class(parts_of(i))) for i in items):
        return NotImplemented
    # The result's size bound (as the function checks it) must hold whatever the leaves are.
    limits.allow_size(sum(longest(parts_of(i)) if type(i) is Hole else len(i) for i in items)
                      + len(separator) * len(items), "the result of join")
    parts: list[Part] = []
    for n, item in enumerate(items):
        if n:
            parts.append(separator)
        parts.extend(parts_of(item) if type(item) is Hole else (item,))
    return make_hole(parts)


def _rule_push(fn: Callable[..., Any]) -> Callable[[tuple[Any, ...], dict[str, Any]], Any]:
    def rule(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # append/prepend LIST X: a new list with X as it is (the list's own items are not read).
        if kwargs or len(args) != 2 or type(args[0]) not in (list, tuple, TypedList):
            return NotImplemented
        return fn(*args)
    return rule


def _rule_list(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return NotImplemented if kwargs else list_(*args)


#: printf verbs a hole may meet: %s and %v print it, %q quotes it.
_VERBS = frozenset("svq")


def _rule_printf(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or not args or type(args[0]) is not str:
        return NotImplemented
    fmt, values = args[0], list(args[1:])
    pieces = fmt.split("%")
    parts: list[Part] = [pieces[0]]
    i = 1
    while i < len(pieces):
        piece = pieces[i]
        if piece == "" and i + 1 < len(pieces):  # %%
            parts.append("%" + pieces[i + 1])
            i += 2
            continue
        if not piece or piece[0] not in _VERBS or not values:
            return NotImplemented
        verb, value = piece[0], values.pop(0)
        if type(value) is Hole:
            hole = parts_of(value)
            if not in_class(hole) or (verb == "q" and not _literal_quotes(hole, go_quote)):
                return NotImplemented
            parts.extend(('"', *hole, '"') if verb == "q" else hole)
        elif type(value) is str:
            parts.append(sprintf("%" + verb, value))
        else:
            return NotImplemented
        parts.append(piece[1:])
        i += 1
    if values:
        return NotImplemented
    return make_hole(parts)


def _rule_annotation(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # annotation META NAME DEFAULT reads only META's annotations, which never hold a hole.
    recorder = holes.active()
    if (kwargs or len(args) != 3 or type(args[0]) is not go_data.K8sStruct or type(args[1]) is not str
            or recorder is None or _holds_hole(recorder, args[2:])):
        return NotImplemented
    raw = args[0].raw
    if raw is None or _raw_holds_hole(raw.get("annotations")):
        return NotImplemented
    return annotation(*args)


def _rule_to_json(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 1 or type(args[0]) is not Hole:
        return NotImplemented
    return holes.quoted(args[0], marshal)


holes.RULES.update({
    go_index: _rule_index,
    go_len: _rule_len,
    go_not: _rule_not,
    go_printf: _rule_printf,
    sprig_default: _rule_default,
    value_or_default: _rule_value_or_default,
    quote: _rule_quote,
    trunc: _rule_trunc,
    trim_suffix: _rule_trim_suffix,
    join: _rule_join,
    push: _rule_push(push),
    prepend: _rule_push(prepend),
    list_: _rule_list,
    to_json: _rule_to_json,
    annotation: _rule_annotation,
})
