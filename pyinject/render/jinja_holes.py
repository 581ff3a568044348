"""The Jinja2 side of abstract renders: where holes may go, and what they may do there.

A hole reaches Jinja's output only through the environment's ``finalize``
(``{{ x }}``), which prints its sentinel; ``~`` concatenation calls ``str()``
and so abandons the render.  Every filter and test is wrapped, and every other
call goes through the sandbox's ``call``: with a hole among the arguments the
call is a guard or a rule of :mod:`pyinject.render.holes`.  Outside an
abstract render the wrappers only check a list and call through.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import jinja2
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg

from pyinject.golang.strconv import quote
from pyinject.golang.values import GoInt, GoObject, TypedList, TypedMap
from pyinject.render import holes
from pyinject.render.jinja_limits import _join as jinja_join
from pyinject.sandbox.limits import allow_size
from pyinject.render.holes import Hole, Part, guarded, in_class, longest, make_hole, parts_of
from pyinject.render.jinja_funcs import (
    StringMap,
    go_print,
    is_empty,
    sprig_default,
    sprig_quote,
    sprig_trunc,
    trim_suffix,
    value_or_default,
)


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


def watch_environment(env: jinja2.Environment) -> None:
    """Wrap the environment's filters and tests (call after every filter is added)."""
    filters: dict[str, Any] = dict(env.filters)
    tests: dict[str, Any] = dict(env.tests)
    env.filters = {name: watched(fn) for name, fn in filters.items()}
    env.tests = {name: watched(fn) for name, fn in tests.items()}
    for name in ("lipsum",):
        if name in env.globals:
            holes.IMPURE.add(env.globals[name])


def sandbox_call(env: Any, context: Context, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A call from template code inside an abstract render (``obj`` already found safe).

    Macros are template code and run abstractly themselves; anything else gets
    its context argument as Jinja would give it, then goes through the guards.
    """
    if type(obj) is Macro:
        return context.call(obj, *args, **kwargs)
    pass_arg = _PassArg.from_obj(obj)
    if pass_arg is _PassArg.context:
        args = (context, *args)
    elif pass_arg is _PassArg.eval_context:
        args = (context.eval_ctx, *args)
    elif pass_arg is _PassArg.environment:
        args = (env, *args)
    return guarded(obj, args, kwargs)


# --------------------------------------------------------------------------
# What is known of a hole without reading it


def _rule_default(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # value | fallback(default): a hole is never empty; an empty value gives the default as it is.
    if kwargs or len(args) != 2:
        return NotImplemented
    value, default = args
    if type(value) is Hole:
        return value
    if type(default) is Hole and (type(value) in (str, type(None)) or isinstance(value, jinja2.Undefined)):
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


def _rule_join(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Jinja's join(eval_ctx, items, separator): text items and holes, no attribute.
    if kwargs or len(args) not in (2, 3) or not isinstance(args[0], EvalContext) or args[0].autoescape:
        return NotImplemented
    items, separator = args[1], (args[2] if len(args) == 3 else "")
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


holes.RULES.update({
    sprig_default: _rule_default,
    value_or_default: _rule_value_or_default,
    sprig_quote: _rule_quote,
    sprig_trunc: _rule_trunc,
    trim_suffix: _rule_trim_suffix,
    jinja_join: _rule_join,
})

# Views over hole-free data, and Jinja's own plumbing: the context (pass_context
# functions read variables through it, and reading a hole there observes it),
# the evaluation context and the environment.
holes.UNRECORDABLE.append(Context)
holes.SHALLOW.append(EvalContext)
holes.CLEAN_TYPES.extend([
    jinja2.Undefined, GoObject, GoInt, TypedList, TypedMap, StringMap, Context, EvalContext, jinja2.Environment,
])


def string_map(data: Mapping[Any, Any] | None) -> StringMap:
    """A Go ``map[string]string`` of ``data`` as the templates see it (text values; holes stay holes)."""
    return StringMap((str(k), v if type(v) is str or type(v) is Hole else "" if v is None else str(v))
                     for k, v in (data or {}).items())
