"""Calling a function from a template, and the arguments known at compile time.

:func:`invoke` makes the closure of one call site: it evaluates the arguments,
checks the piped-in value, counts a step for the budget and turns a
``GoFuncError`` into Go's ``error calling NAME: ...``. Constants and ``nil``
arguments are converted for their parameter type here, once.
"""

from __future__ import annotations

from typing import Any, Callable

from pyinject.golang.values import MISSING, GoFuncError, Int32, Int64
from pyinject.gotemplate.functions import GO_TYPE_OF_KIND, nil_for
from pyinject.gotemplate.nodes import BoolNode, Node, NumberNode, StringNode
from pyinject.gotemplate.state import State, validate_type

#: ``(st, dot) -> value``: a pipeline or an argument.
Expr = Callable[[State, Any], Any]
#: ``(st, dot, final) -> value``: a command, ``final`` the value piped in or NO_FINAL.
Command = Callable[[State, Any, Any], Any]
#: ``(st, value) -> value``: a value converted for a parameter type, or an error.
Check = Callable[[State, Any], Any]
#: ``(node, value)``: a literal argument, converted for its parameter type at compile time.
Constant = tuple[Node, Any]

__all__ = ["Check", "Command", "Constant", "Expr", "call_now", "check_any", "check_str", "checker", "const_command", "constant",
           "fail", "invoke",
           "literal_arg", "nil_arg", "piped_kind", "size_check"]


def const_command(node: Node, value: Any) -> Command:
    """A constant term: it only marks its node as the current one."""

    def constant(st: State, dot: Any, final: Any) -> Any:
        st.node = node
        return value

    return constant


def fail(node: Node, msg: str) -> Command:
    """A term that fails with ``msg`` at ``node`` when run."""

    def fail(st: State, dot: Any, final: Any) -> Any:
        st.node = node
        st.errorf(msg)

    return fail


def check_any(st: State, value: Any) -> Any:
    return None if value is MISSING else value


def check_str(st: State, value: Any) -> Any:
    # validate_type's answer for a string, without its calls.
    return value if type(value) is str else validate_type(st, value, "str")


def checker(kind: str | None) -> Check | None:
    """How a value is checked for a parameter of ``kind``; None: taken as it is."""
    if kind is None or kind == "value":
        return None
    if kind == "any":
        return check_any
    if kind == "str":
        return check_str

    def check(st: State, value: Any) -> Any:
        return validate_type(st, value, kind)

    return check


def size_check(st: State, result: str, name: str) -> None:
    if st.budget is not None:
        st.budget.allow_size(len(result), f"the result of {name}")


def invoke(fn: Callable[..., Any], argfs: tuple[Expr, ...], has_final: bool, check: Check | None,
            node: Node, name: str, at: Node, consts: tuple[Constant | None, ...] = ()) -> Command:
    """The call itself: arguments, then the piped value, a step, the function, its errors.

    The common shapes (one to three arguments, with or without a piped value) are
    spelled out, each doing what :func:`call_now` does inline: a template
    makes hundreds of calls per render, and the extra frame was measurable.
    ``consts`` has, per argument, its :func:`constant` (or None): the most
    common shapes with a constant argument take its value as it is, marking its
    node current as its closure would.
    """
    const_shape = tuple(c is not None for c in consts) if consts else (False,) * len(argfs)
    # An interface{} parameter takes nil for a missing value: the most common check, inlined.
    to_nil = check is check_any
    if const_shape == (False, True) and not has_final:
        return _call2_const(fn, argfs[0], consts[1], node, name, at)  # type: ignore[arg-type]
    if const_shape == (True,) and has_final:
        return _call1_const_piped(fn, consts[0], check, node, name)  # type: ignore[arg-type]
    if len(argfs) == 3 and not has_final and not const_shape[0] and not const_shape[2]:
        return _call3(fn, argfs, consts[1] if const_shape[1] else None, node, name, at)
    if len(argfs) == 1 and not has_final:
        (a0,) = argfs

        def call1(st: State, dot: Any, final: Any) -> Any:
            st.node = at
            x = a0(st, dot)
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                result = fn(x)
            except GoFuncError as err:
                st.node = node
                st.errorf(f"error calling {name}: {err}")
            if type(result) is str and len(result) > st.max_value:
                size_check(st, result, name)
            return result

        return call1
    if len(argfs) == 2 and not has_final:
        a0, a1 = argfs

        def call2(st: State, dot: Any, final: Any) -> Any:
            st.node = at
            x = a0(st, dot)
            y = a1(st, dot)
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                result = fn(x, y)
            except GoFuncError as err:
                st.node = node
                st.errorf(f"error calling {name}: {err}")
            if type(result) is str and len(result) > st.max_value:
                size_check(st, result, name)
            return result

        return call2
    if len(argfs) == 1 and has_final:
        (a0,) = argfs

        def call1_piped(st: State, dot: Any, final: Any) -> Any:
            st.node = at
            x = a0(st, dot)
            if to_nil:
                if final is MISSING:
                    final = None
            elif check is not None:
                final = check(st, final)
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                result = fn(x, final)
            except GoFuncError as err:
                st.node = node
                st.errorf(f"error calling {name}: {err}")
            if type(result) is str and len(result) > st.max_value:
                size_check(st, result, name)
            return result

        return call1_piped

    if not argfs and has_final:

        def call0_piped(st: State, dot: Any, final: Any) -> Any:
            st.node = at
            if to_nil:
                if final is MISSING:
                    final = None
            elif check is not None:
                final = check(st, final)
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                result = fn(final)
            except GoFuncError as err:
                st.node = node
                st.errorf(f"error calling {name}: {err}")
            if type(result) is str and len(result) > st.max_value:
                size_check(st, result, name)
            return result

        return call0_piped
    if len(argfs) == 2 and has_final:
        a0, a1 = argfs

        def call2_piped(st: State, dot: Any, final: Any) -> Any:
            st.node = at
            x = a0(st, dot)
            y = a1(st, dot)
            if to_nil:
                if final is MISSING:
                    final = None
            elif check is not None:
                final = check(st, final)
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                result = fn(x, y, final)
            except GoFuncError as err:
                st.node = node
                st.errorf(f"error calling {name}: {err}")
            if type(result) is str and len(result) > st.max_value:
                size_check(st, result, name)
            return result

        return call2_piped

    def call(st: State, dot: Any, final: Any) -> Any:
        st.node = at
        argv = [a(st, dot) for a in argfs]
        if has_final:
            argv.append(final if check is None else check(st, final))
        return call_now(st, fn, argv, node, name)

    return call


def _call2_const(fn: Callable[..., Any], a0: Expr, c1: Constant, node: Node, name: str, at: Node) -> Command:
    """``fn ARG CONSTANT``: ``index .X "key"``, ``eq .X "value"``."""
    n1, v1 = c1

    def call2_const(st: State, dot: Any, final: Any) -> Any:
        st.node = at
        x = a0(st, dot)
        st.node = n1
        st.steps += 1
        if st.steps >= st.next_check:
            st.checkpoint()
        try:
            result = fn(x, v1)
        except GoFuncError as err:
            st.node = node
            st.errorf(f"error calling {name}: {err}")
        if type(result) is str and len(result) > st.max_value:
            size_check(st, result, name)
        return result

    return call2_const


def _call1_const_piped(fn: Callable[..., Any], c0: Constant, check: Check | None, node: Node,
                       name: str) -> Command:
    """``... | fn CONSTANT``: ``default "x"``, ``indent 6``."""
    n0, v0 = c0
    to_nil = check is check_any

    def call1_const_piped(st: State, dot: Any, final: Any) -> Any:
        st.node = n0
        if to_nil:
            if final is MISSING:
                final = None
        elif check is not None:
            final = check(st, final)
        st.steps += 1
        if st.steps >= st.next_check:
            st.checkpoint()
        try:
            result = fn(v0, final)
        except GoFuncError as err:
            st.node = node
            st.errorf(f"error calling {name}: {err}")
        if type(result) is str and len(result) > st.max_value:
            size_check(st, result, name)
        return result

    return call1_const_piped


def _call3(fn: Callable[..., Any], argfs: tuple[Expr, ...], c1: Constant | None, node: Node, name: str,
           at: Node) -> Command:
    """``fn A B C``, the middle one possibly a constant (``annotation .ObjectMeta "name" .Default``)."""
    a0, a1, a2 = argfs
    if c1 is not None:
        n1, v1 = c1

        def call3_const(st: State, dot: Any, final: Any) -> Any:
            st.node = at
            x = a0(st, dot)
            st.node = n1
            z = a2(st, dot)
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                result = fn(x, v1, z)
            except GoFuncError as err:
                st.node = node
                st.errorf(f"error calling {name}: {err}")
            if type(result) is str and len(result) > st.max_value:
                size_check(st, result, name)
            return result

        return call3_const

    def call3(st: State, dot: Any, final: Any) -> Any:
        st.node = at
        x = a0(st, dot)
        y = a1(st, dot)
        z = a2(st, dot)
        st.steps += 1
        if st.steps >= st.next_check:
            st.checkpoint()
        try:
            result = fn(x, y, z)
        except GoFuncError as err:
            st.node = node
            st.errorf(f"error calling {name}: {err}")
        if type(result) is str and len(result) > st.max_value:
            size_check(st, result, name)
        return result

    return call3


def call_now(st: State, fn: Callable[..., Any], argv: list[Any], node: Node, name: str) -> Any:
    """Call ``fn`` with evaluated arguments: a step for the budget, Go's error, the size bound."""
    st.steps += 1
    if st.steps >= st.next_check:
        st.checkpoint()
    try:
        result = fn(*argv)
    except GoFuncError as err:
        st.node = node
        st.errorf(f"error calling {name}: {err}")
    if type(result) is str and len(result) > st.max_value:
        size_check(st, result, name)
    return result


def piped_kind(params: tuple[str, ...], variadic: str | None, num_in: int) -> str:
    """The parameter kind the piped-in value (the last argument of ``num_in``) is checked for."""
    if variadic is None:
        return params[-1]
    if num_in - 1 < len(params):
        return params[num_in - 1]
    return variadic


def nil_arg(node: Node, kind: str | None) -> Expr:
    if kind is None or kind == "value":

        def missing(st: State, dot: Any) -> Any:
            st.node = node
            return MISSING

        return missing
    fits, _ = nil_for(kind)
    if not fits:
        msg = f"cannot assign nil to {GO_TYPE_OF_KIND[kind]}"

        def fail(st: State, dot: Any) -> Any:
            st.node = node
            st.errorf(msg)

        return fail

    def nil(st: State, dot: Any) -> Any:
        st.node = node
        # A fresh empty slice or map each time, as the function may keep it.
        return nil_for(kind)[1]

    return nil


def constant(node: Node, kind: str | None) -> Constant | None:
    """``(node, value)`` of a literal argument that converts for ``kind`` without error, else None."""
    if type(node) not in (StringNode, NumberNode, BoolNode):
        return None
    value, error = _literal(node, kind)
    return None if error else (node, value)


def literal_arg(node: Node, kind: str | None) -> Expr:
    """A constant argument: its value for ``kind`` is decided now, or the error it raises."""
    value, error = _literal(node, kind)

    def literal(st: State, dot: Any) -> Any:
        st.node = node
        if error:
            st.errorf(error)
        return value

    return literal


def _literal(node: Node, kind: str | None) -> tuple[Any, str]:
    """(value, "") or (None, error message) of a constant for a parameter of ``kind``."""
    if isinstance(node, NumberNode) and node.ideal_error and (kind is None or kind in ("any", "value")):
        return None, node.ideal_error
    if kind is None or kind == "any" or kind == "value":
        if isinstance(node, StringNode):
            return node.text, ""
        if isinstance(node, NumberNode):
            return node.ideal, ""
        if isinstance(node, BoolNode):
            return node.value, ""
    elif kind == "str":
        if isinstance(node, StringNode):
            return node.text, ""
        return None, f"expected string; found {node}"
    elif kind in ("int", "int64", "int32"):
        if isinstance(node, NumberNode) and node.is_int:
            v = node.int_value
            return (v if kind == "int" else (Int64(v) if kind == "int64" else Int32(v))), ""
        return None, f"expected integer; found {node}"
    elif kind == "float":
        if isinstance(node, NumberNode) and node.is_float:
            return node.float_value, ""
        return None, f"expected float; found {node}"
    elif kind == "bool":
        if isinstance(node, BoolNode):
            return node.value, ""
        return None, f"expected bool; found {node}"
    return None, f"can't handle {node} for arg of type {GO_TYPE_OF_KIND.get(kind or 'any')}"
