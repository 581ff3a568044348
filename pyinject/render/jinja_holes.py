"""The Jinja2 side of abstract renders: where holes may go, and what they may do there.

A hole reaches Jinja's output only through the environment's ``finalize``
(``{{ x }}``), which prints its sentinel; ``~`` concatenation calls ``str()``
and so abandons the render.  Every filter and test is wrapped, and every other
call goes through the sandbox's ``call``: with a hole among the arguments the
call is a guard or a rule of :mod:`pyinject.render.holes`.  Outside an
abstract render the wrappers only check a list and call through.  The rules
for functions of holes, shared with the compiled templates, are in
``jinja_runtime``.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg

from pyinject.render import holes
from pyinject.render.holes import guarded
from pyinject.render.jinja_limits import _join as jinja_join
from pyinject.render.jinja_runtime import join_rule, watched


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
    # Calls inside loops and blocks carry the variables set there; as in Context.call,
    # only a context function sees them (through a derived context), no function gets them.
    loop_vars, block_vars = kwargs.pop("_loop_vars", None), kwargs.pop("_block_vars", None)
    pass_arg = _PassArg.from_obj(obj)
    if pass_arg is _PassArg.context:
        if loop_vars:
            context = context.derived(loop_vars)
        if block_vars:
            context = context.derived(block_vars)
        args = (context, *args)
    elif pass_arg is _PassArg.eval_context:
        args = (context.eval_ctx, *args)
    elif pass_arg is _PassArg.environment:
        args = (env, *args)
    return guarded(obj, args, kwargs)


def _rule_join(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Jinja's join(eval_ctx, items, separator): text items and holes, no attribute.
    if kwargs or len(args) not in (2, 3) or not isinstance(args[0], EvalContext) or args[0].autoescape:
        return NotImplemented
    return join_rule(args[1], args[2] if len(args) == 3 else "")


holes.RULES[jinja_join] = _rule_join

# Views over hole-free data, and Jinja's own plumbing: the context (pass_context
# functions read variables through it, and reading a hole there observes it),
# the evaluation context and the environment.
holes.UNRECORDABLE.append(Context)
holes.SHALLOW.append(EvalContext)
holes.CLEAN_TYPES.extend([jinja2.Undefined, Context, EvalContext, jinja2.Environment])

