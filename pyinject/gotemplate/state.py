"""What changes while a template runs: output, variables, depth, the current node; Go's errors.

A ``State`` is made per execution, so a compiled template can run any number
of times. The compiled closures (:mod:`pyinject.gotemplate.compiler`) set
``node`` where Go's executor would, so every error names Go's position and
context. The value checks and printing they share live here too.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from pyinject.golang.fmt import format_value
from pyinject.golang.strconv import quote
from pyinject.golang.values import MISSING, GoObject, Int32, Int64, type_name
from pyinject.gotemplate.budget import CHECK_EVERY, Budget
from pyinject.gotemplate.errors import GoTemplateExecError
from pyinject.gotemplate.functions import GO_TYPE_OF_KIND, FuncSig, nil_for
from pyinject.gotemplate.nodes import Node
from pyinject.gotemplate.parser import Tree

#: Go's limit on nested {{template}} calls.
MAX_EXEC_DEPTH = 100000


class _NoFinal:
    """Go's missingVal: "no value piped in", distinct from a piped-in missing value."""

    __slots__ = ()


NO_FINAL: Any = _NoFinal()


class Break(Exception):
    """{{break}}: ends the innermost range."""


class Continue(Exception):
    """{{continue}}: ends this iteration of the innermost range."""


_TYPE_CHECKS = {
    "int": lambda v: type(v) is int,
    "int64": lambda v: isinstance(v, Int64),
    "int32": lambda v: isinstance(v, Int32),
    "float": lambda v: type(v) is float,
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: type(v) is bool,
    "list": lambda v: type_name(v) == "[]interface {}",
    "dict": lambda v: type_name(v) == "map[string]interface {}",
}


class State:
    """Per-execution state: output buffer, variables, depth and the current node."""

    __slots__ = ("trees", "funcs", "tree", "out", "vars", "depth", "node",
                 "budget", "steps", "next_check", "max_value", "out_counted", "out_size",
                 "folds", "methods")

    def __init__(self, trees: Mapping[str, Tree], funcs: Mapping[str, FuncSig], tree: Tree,
                 budget: Budget | None = None) -> None:
        self.trees = trees
        self.funcs = funcs
        self.tree = tree
        self.out: list[str] = []
        self.vars: list[list[Any]] = []
        self.depth = 0
        self.node: Node | None = None
        # Steps (function calls, range iterations) are counted inline; the budget
        # is consulted every CHECK_EVERY of them, so the hot path stays an add
        # and a compare.
        self.budget = budget
        self.steps = 0
        self.next_check = CHECK_EVERY if budget is not None else 1 << 62
        self.max_value = (budget.limits.output or 1 << 62) if budget is not None else 1 << 62
        self.out_counted = 0
        self.out_size = 0
        # Run-constant folding (pyinject.gotemplate.fold): the folds valid for this run
        # (None: fold nothing), and the method calls so far.
        self.folds: dict[int, tuple[Any, Any, int]] | None = None
        self.methods = 0

    def checkpoint(self) -> None:
        """Every CHECK_EVERY steps: the step count, the clock, and the output so far."""
        assert self.budget is not None
        self.next_check = self.steps + CHECK_EVERY
        self.budget.check(self.steps)
        out = self.out
        self.out_size += sum(len(piece) for piece in out[self.out_counted:])
        self.out_counted = len(out)
        self.budget.allow_size(self.out_size, "the output")

    def errorf(self, msg: str) -> NoReturn:
        tree = self.tree
        node = self.node
        if node is None:
            raise GoTemplateExecError(
                f"template: {tree.name}: {msg}", name=tree.name, reason=msg
            )
        text = tree.text
        pos = min(node.pos, len(text))
        line = 1 + text.count("\n", 0, pos)
        line_start = text.rfind("\n", 0, pos) + 1
        col = len(text[line_start:pos].encode("utf-8", "surrogateescape"))
        context = str(node)
        if len(context) > 20:
            context = context[:20] + "..."
        raise GoTemplateExecError(
            f"template: {tree.parse_name}:{line}:{col}: executing {quote(tree.name)} "
            f"at <{context}>: {msg}",
            name=tree.name,
            line=line,
            col=col,
            reason=msg,
        )

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")


def print_value(st: State, node: Node, value: Any) -> None:
    """Write an action's value: ``<no value>`` for a missing one, a function is an error."""
    if type(value) is str:
        st.out.append(value)
        return
    if value is MISSING or value is None:
        st.out.append("<no value>")
        return
    if callable(value) and not isinstance(value, GoObject):
        st.node = node
        st.errorf(f"can't print {node} of type {type_name(value)}")
    st.out.append(format_value(value))


def validate_type(st: State, value: Any, kind: str | None) -> Any:
    """A value as a parameter of ``kind`` takes it (nil for missing), or an exec error."""
    if kind is None or kind == "value":
        return value
    if value is MISSING:
        fits, nil = nil_for(kind)
        if fits:
            return nil
        st.errorf(f"invalid value; expected {GO_TYPE_OF_KIND[kind]}")
    if kind == "any":
        return value
    if not _TYPE_CHECKS[kind](value):
        got = "interface {}" if value is None else type_name(value)
        st.errorf(f"wrong type for value; expected {GO_TYPE_OF_KIND[kind]}; got {got}")
    return value
