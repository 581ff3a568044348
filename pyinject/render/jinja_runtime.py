"""What the embedded templates run on, without Jinja2: functions, values semantics and hole rules.

Both back ends of the embedded templates share this module: the sandboxed
Jinja2 environment (``jinja_env``) and the templates compiled ahead of time to
Python (``jinja_compiled``, written by ``jinja_aot``).  It holds the filters and
globals the templates may name, ``finalize`` (how ``{{ x }}`` prints), the
Go-like attribute and item rules of ``_Environment``, the compiled templates'
stand-in for a missing key (:class:`Missing`), and the rules and guards of
abstract renders (:mod:`pyinject.render.holes`) for the functions they call.
Importing it never imports Jinja2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, NoReturn

from pyinject.golang import protojson
from pyinject.golang.goyaml import fold_width
from pyinject.golang.strconv import quote
from pyinject.golang.values import GoInt, GoObject, IdentityCache, TypedList, TypedMap
from pyinject.render import holes
from pyinject.render.holes import Hole, Part, guarded, in_class, longest, make_hole, parts_of
from pyinject.render.jinja_funcs import (
    GoError,
    GoZero,
    StringMap,
    annotation,
    append_multus_network,
    directory,
    exclude_inbound_port,
    go_eq,
    go_ne,
    go_print,
    go_sprint,
    is_empty,
    istio_indent,
    json_entries,
    omit_nil,
    otel_resource_attributes,
    pod_ports_json,
    sprig_default,
    sprig_nindent,
    sprig_quote,
    sprig_trunc,
    to_yaml,
    trim_suffix,
    value_or_default,
)
from pyinject.render.jinja_values import NO_TEXTS, ValuesPaths, ValuesTexts, NoTexts
from pyinject.sandbox.limits import Budget, allow_size

#: pyinject's own filters (Jinja's built-in ones are the environment's).
FILTERS: dict[str, Callable[..., Any]] = {
    "fallback": sprig_default,
    "goquote": sprig_quote,
    "trunc_bytes": sprig_trunc,
    "trim_suffix": trim_suffix,
    "to_yaml": to_yaml,
    "omit_nil": omit_nil,
    "istio_indent": istio_indent,
    "nindent": sprig_nindent,
    "gostr": go_print,
}

#: pyinject's own globals.
GLOBALS: dict[str, Callable[..., Any]] = {
    "go_eq": go_eq,
    "go_ne": go_ne,
    "value_or_default": value_or_default,
    "exclude_inbound_port": exclude_inbound_port,
    "append_multus_network": append_multus_network,
    "directory": directory,
    "json_entries": json_entries,
    "pod_ports_json": pod_ports_json,
    "proxy_config_json": protojson.proxy_config_json,
    "otel_resource_attributes": otel_resource_attributes,
    "sprint": go_sprint,
    "annotation": annotation,
}

#: Globals that take the template context first, and the variables they read from it.
CONTEXT_GLOBALS: dict[str, frozenset[str]] = {"annotation": frozenset({"annotations"})}


def source_hash(data: bytes) -> str:
    """The hash the compiled module records of each template it was made from (SHA-256).

    Checked at every start: CPython's own SHA-256 module when it has one, since
    ``hashlib`` loads OpenSSL, which costs more than hashing the templates.
    """
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


class Unsupported(Exception):
    """The compiled templates met something only Jinja2 decides: render that one with Jinja2."""


# --------------------------------------------------------------------------
# How {{ x }} prints, and filters and tests inside abstract renders


def finalize(value: Any) -> str:
    """``{{ value }}``: a hole prints its sentinel, anything else as Go prints it."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is Hole:
        recorder = holes.active()
        if recorder is None:
            raise holes.Observed("a hole outside an abstract render")
        return recorder.print(value)
    return go_print(value)


def watched(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A filter or test that goes through :func:`holes.guarded` inside an abstract render."""
    active = holes._active

    def call(*args: Any, **kwargs: Any) -> Any:
        if not active:
            return fn(*args, **kwargs)
        return guarded(fn, args, kwargs)

    pass_arg = getattr(fn, "jinja_pass_arg", None)
    if pass_arg is not None:
        call.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    call.__name__ = getattr(fn, "__name__", "filter")
    call.__doc__ = fn.__doc__
    return call


def string_map(data: Mapping[Any, Any] | None) -> StringMap:
    """A Go ``map[string]string`` of ``data`` as the templates see it (text values; holes stay holes)."""
    return StringMap((str(k), v if type(v) is str or type(v) is Hole else "" if v is None else str(v))
                     for k, v in (data or {}).items())


# --------------------------------------------------------------------------
# The compiled templates' values: a missing key, attributes, items, calls


def _unsupported(self: Any, *args: Any) -> NoReturn:
    raise Unsupported("an operation on a missing value")


class Missing(GoZero):
    """A missing map key in the compiled templates, as ``GoUndefined`` is one in Jinja2's.

    It prints ``<no value>``, is false, empty and equal only to another missing
    value, like Jinja's undefined; anything else it would fail at raises
    :class:`Unsupported`, so Jinja2 renders that pod and words the failure.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return "<no value>"

    def __repr__(self) -> str:
        return "Undefined"

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __ne__(self, other: object) -> bool:
        return type(self) is not type(other)

    def __hash__(self) -> int:
        return id(type(self))

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        _unsupported(self)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _unsupported
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = _unsupported
    __pos__ = __neg__ = __abs__ = __int__ = __float__ = __complex__ = __call__ = _unsupported
    __lt__ = __le__ = __gt__ = __ge__ = __getitem__ = _unsupported


MISSING = Missing()


def getattr_(obj: Any, name: str) -> Any:
    """``obj.name`` as ``_Environment.getattr`` reads it: a mapping's attribute is its key."""
    if isinstance(obj, dict) or isinstance(obj, Mapping):
        try:
            return obj[name]
        except KeyError:
            return MISSING
    if isinstance(obj, GoZero):
        return MISSING
    if obj is None:
        raise GoError(f"nil pointer evaluating interface {{}}.{name}")
    raise Unsupported(f"attribute {name} of a {type(obj).__name__}")


def getattr_path(obj: Any, names: tuple[str, ...]) -> Any:
    """``obj.a.b.c``: :func:`getattr_` for each name in turn (a plain dict read in place)."""
    for name in names:
        if type(obj) is dict:
            try:
                obj = obj[name]
            except KeyError:
                obj = MISSING
        else:
            obj = getattr_(obj, name)
    return obj


#: Each values tree's paths (and texts), for the trees of the last few renders (compared by identity).
values_paths = IdentityCache(lambda tree: ValuesPaths(tree, getattr_path), 16)


def getitem(obj: Any, key: Any) -> Any:
    """``obj[key]``; what the sandbox would look up as an attribute instead is Jinja2's to decide."""
    try:
        return obj[key]
    except (TypeError, LookupError):
        if isinstance(key, str) and not hasattr(obj, key):
            return MISSING
        raise Unsupported(f"item {key!r}") from None


def output(value: Any) -> str:
    """The text of ``{{ value }}``."""
    if type(value) is str:
        return value
    return str(finalize(value))


def concat(*values: Any) -> str:
    """``a ~ b``."""
    return "".join([str(v) for v in values])


def _no_step() -> None:
    """The step counter of an unbounded render."""


class CompiledContext:
    """One compiled render: its variables, its step budget, and what context functions read.

    ``step`` counts one step (a call of a macro or global) against the budget, if any;
    ``values`` reads paths of the ``values`` variable (see :class:`ValuesPaths`), ``texts``
    keeps what pure filters make of them (see :class:`ValuesTexts`).
    """

    __slots__ = ("vars", "budget", "step", "values", "texts")

    def __init__(self, variables: dict[str, Any], budget: Budget | None) -> None:
        self.vars = variables
        self.budget = budget
        self.step: Callable[[], None] = _no_step if budget is None else budget.count_step
        # The paths of ``values`` the templates read (None without a ``values`` variable:
        # a read then fails, as reading the variable would).
        self.values: ValuesPaths | None = values_paths(variables["values"]) if "values" in variables else None
        self.texts: ValuesTexts | NoTexts = (
            NO_TEXTS if self.values is None or _ACTIVE else self.values.texts_at(fold_width()))

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.vars:
            return self.vars[key]
        return GLOBALS.get(key, default)


def call(ctx: CompiledContext, fn: Callable[..., Any], *args: Any) -> Any:
    """A call of a global from template code: one step; guarded inside an abstract render."""
    budget = ctx.budget
    if budget is not None:
        budget.count_step()
    if _ACTIVE:
        return guarded(fn, args, {})
    return fn(*args)


def call_with_context(ctx: CompiledContext, fn: Callable[..., Any], *args: Any) -> Any:
    """:func:`call` for a global that reads the template context."""
    budget = ctx.budget
    if budget is not None:
        budget.count_step()
    if _ACTIVE:
        return guarded(fn, (ctx, *args), {})
    return fn(ctx, *args)


_ACTIVE = holes._active
#: The active hole recorders: not empty exactly while an abstract render runs.
RECORDERS = holes._active


# --------------------------------------------------------------------------
# Jinja's built-in filters and tests the embedded templates use


def join(value: Any, d: str = "") -> str:
    """Jinja's ``join`` (no autoescape), refusing more text than the output limit."""
    items = list(value)
    allow_size(sum(len(str(i)) for i in items) + len(d) * len(items), "the result of join")
    return str(d).join([str(i) for i in items])


def lower(value: Any) -> str:
    """Jinja's ``lower``."""
    return (value if isinstance(value, str) else str(value)).lower()


def is_none(value: Any) -> bool:
    """Jinja's ``none`` test."""
    return value is None


#: Jinja's built-in filters and tests as the compiled templates call them.
BUILTIN_FILTERS: dict[str, Callable[..., Any]] = {"join": join, "lower": lower}
BUILTIN_TESTS: dict[str, Callable[..., Any]] = {"none": is_none}


# --------------------------------------------------------------------------
# What is known of a hole without reading it


def _rule_default(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # value | fallback(default): a hole is never empty; an empty value gives the default as it is.
    if kwargs or len(args) != 2:
        return NotImplemented
    value, default = args
    if type(value) is Hole:
        return value
    if type(default) is Hole and (type(value) in (str, type(None)) or isinstance(value, GoZero)):
        return default if is_empty(value) else value
    return NotImplemented


def _rule_value_or_default(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 2:
        return NotImplemented
    value, default = args
    if type(value) is Hole:
        return value
    if type(value) is str:
        return default if value == "" else value
    return NotImplemented


def _rule_quote(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 1 or type(args[0]) is not Hole:
        return NotImplemented
    return holes.quoted(args[0], quote)


def _rule_trunc(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 2 or type(args[0]) is not Hole or type(args[1]) is not int:
        return NotImplemented
    return holes.truncated(args[0], args[1])


def _rule_trim_suffix(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) != 2 or type(args[0]) is not Hole or type(args[1]) is not str:
        return NotImplemented
    suffix = args[1]
    return holes.without_suffix(args[0], suffix, lambda text: trim_suffix(text, suffix))


def join_rule(items: Any, separator: Any) -> Any:
    """``items | join(separator)`` over text items and holes: a hole, or NotImplemented."""
    if type(items) not in (list, tuple) or type(separator) is not str:
        return NotImplemented
    if not all(type(i) is not Hole or in_class(parts_of(i)) for i in items):
        return NotImplemented
    # The result's size bound (as the filter checks it) must hold whatever the leaves are.
    allow_size(sum(longest(parts_of(i)) if type(i) is Hole else len(i) if type(i) is str else 0 for i in items)
               + len(separator) * len(items), "the result of join")
    parts: list[Part] = []
    for i, item in enumerate(items):
        if i:
            parts.append(separator)
        if type(item) is Hole:
            parts.extend(parts_of(item))
        elif type(item) is str:
            parts.append(item)
        else:
            return NotImplemented
    return make_hole(parts)


def _rule_join(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) not in (1, 2):
        return NotImplemented
    return join_rule(args[0], args[1] if len(args) == 2 else "")


holes.RULES.update({
    sprig_default: _rule_default,
    value_or_default: _rule_value_or_default,
    sprig_quote: _rule_quote,
    sprig_trunc: _rule_trunc,
    trim_suffix: _rule_trim_suffix,
    join: _rule_join,
})

# Views over hole-free data and markers; the compiled context, like Jinja's, is read
# by context functions (reading a hole there observes it) and changes as the render goes.
holes.UNRECORDABLE.append(CompiledContext)
holes.CLEAN_TYPES.extend([GoZero, GoObject, GoInt, TypedList, TypedMap, StringMap, CompiledContext])
