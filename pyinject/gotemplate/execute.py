"""Walk a parsed tree against data, with Go's evaluation, scoping and error rules.

A ``_State`` holds everything that changes during one execution (output,
variable stack, template depth, current node), so a parsed template can be
executed any number of times.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Callable, Mapping, NoReturn

from pyinject.gotemplate.errors import GoTemplateExecError
from pyinject.gotemplate.functions import GO_TYPE_OF_KIND, FuncSig
from pyinject.gotemplate.builtins import SHORT_CIRCUIT, truth
from pyinject.golang.fmt import _map_key_order, format_value
from pyinject.golang.strconv import quote
from pyinject.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
    WithNode,
)
from pyinject.gotemplate.parser import Tree
from pyinject.gotemplate.budget import CHECK_EVERY, Budget
from pyinject.golang.values import (
    MISSING,
    GoFuncError,
    GoObject,
    Int32,
    Int64,
    is_true,
    type_name,
)

#: Go's limit on nested {{template}} calls.
MAX_EXEC_DEPTH = 100000
#: Python frames allowed while executing: about 2000 nested {{template}} calls.
_RECURSION_LIMIT = 20000


class _NoFinal:
    """Go's missingVal: "no value piped in", distinct from a piped-in missing value."""

    __slots__ = ()


NO_FINAL: Any = _NoFinal()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


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


class _State:
    """Per-execution state: output buffer, variables, depth and the current node."""

    __slots__ = ("trees", "funcs", "tree", "out", "vars", "depth", "node",
                 "budget", "steps", "next_check", "max_value", "out_counted", "out_size")

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

    def checkpoint(self) -> None:
        """Every CHECK_EVERY steps: the step count, the clock, and the output so far."""
        assert self.budget is not None
        self.next_check = self.steps + CHECK_EVERY
        self.budget.check(self.steps)
        out = self.out
        self.out_size += sum(len(piece) for piece in out[self.out_counted:])
        self.out_counted = len(out)
        self.budget.allow_size(self.out_size, "the output")

    # -- errors ----------------------------------------------------------------

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

    # -- variables -------------------------------------------------------------

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

    # -- walking ---------------------------------------------------------------

    def walk(self, dot: Any, node: Node) -> None:
        _WALKERS[type(node)](self, dot, node)

    def walk_list(self, dot: Any, node: ListNode) -> None:
        walkers = _WALKERS
        for n in node.nodes:
            walkers[type(n)](self, dot, n)

    def walk_text(self, dot: Any, node: TextNode) -> None:
        self.out.append(node.text)

    def walk_comment(self, dot: Any, node: Node) -> None:
        pass

    def walk_action(self, dot: Any, node: ActionNode) -> None:
        pipe = node.pipe
        assert pipe is not None
        value = self.eval_pipeline(dot, pipe)
        if not pipe.decl:
            self.print_value(node, value)

    def walk_break(self, dot: Any, node: Node) -> None:
        raise _Break()

    def walk_continue(self, dot: Any, node: Node) -> None:
        raise _Continue()

    def walk_if(self, dot: Any, node: IfNode) -> None:
        self._walk_if_or_with(dot, node, with_=False)

    def walk_with(self, dot: Any, node: WithNode) -> None:
        self._walk_if_or_with(dot, node, with_=True)

    def _walk_if_or_with(self, dot: Any, node: IfNode | WithNode, *, with_: bool) -> None:
        """``if`` and ``with`` differ only in the dot of their body: ``with`` sets it."""
        mark = len(self.vars)
        assert node.pipe is not None and node.list is not None
        value = self.eval_pipeline(dot, node.pipe)
        if is_true(value)[0]:
            self.walk_list(value if with_ else dot, node.list)
        elif node.else_list is not None:
            self.walk_list(dot, node.else_list)
        del self.vars[mark:]

    def walk_range(self, dot: Any, node: RangeNode) -> None:
        self.node = node
        outer = len(self.vars)
        pipe = node.pipe
        assert pipe is not None and node.list is not None
        value = self.eval_pipeline(dot, pipe)
        mark = len(self.vars)
        decl = pipe.decl
        body = node.list
        ran = False

        def one(index: Any, elem: Any) -> None:
            if decl:
                if pipe.is_assign:
                    self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                else:
                    self.vars[-1][1] = elem
            if len(decl) > 1:
                if pipe.is_assign:
                    self.set_var(decl[1].ident[0], elem)
                else:
                    self.vars[-2][1] = index
            self.steps += 1
            if self.steps >= self.next_check:
                self.checkpoint()
            try:
                self.walk_list(elem, body)
            except _Continue:
                pass
            finally:
                del self.vars[mark:]

        try:
            if isinstance(value, (list, tuple)):
                ran = len(value) > 0
                for i, elem in enumerate(value):
                    one(i, elem)
            elif isinstance(value, dict):
                ran = len(value) > 0
                for key in sorted(value, key=_map_key_order):
                    one(key, value[key])
            elif value is MISSING or value is None:
                pass
            elif isinstance(value, int) and not isinstance(value, bool):
                # Go 1.22: range over an integer counts from 0.
                if len(decl) > 1:
                    self.node = node
                    self.errorf(f"can't use {value} to iterate over more than one variable")
                ran = value > 0
                for i in range(int(value)):
                    one(i, type(value)(i))
            else:
                self.errorf(f"range can't iterate over {format_value(value)}")
        except _Break:
            ran = True
        if not ran and node.else_list is not None:
            self.walk_list(dot, node.else_list)
        del self.vars[outer:]

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.node = node
        tree = self.trees.get(node.name)
        if tree is None:
            self.errorf(f"template {quote(node.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        value = MISSING if node.pipe is None else self.eval_pipeline(dot, node.pipe)
        saved = (self.tree, self.vars, self.depth)
        # No dynamic scoping: the called template sees only $ = its dot.
        self.tree, self.vars, self.depth = tree, [["$", value]], self.depth + 1
        try:
            self.walk_list(value, tree.root)
        finally:
            self.tree, self.vars, self.depth = saved

    def print_value(self, node: Node, value: Any) -> None:
        if type(value) is str:
            self.out.append(value)
            return
        if value is MISSING or value is None:
            self.out.append("<no value>")
            return
        if callable(value) and not isinstance(value, GoObject):
            self.node = node
            self.errorf(f"can't print {node} of type {type_name(value)}")
        self.out.append(format_value(value))

    # -- evaluation ------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: PipeNode) -> Any:
        value = NO_FINAL
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if value is None:
                # A nil interface{} result becomes Go's invalid value.
                value = MISSING
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.vars.append([var.ident[0], value])
        return value

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        t = type(first)
        if t is FieldNode:
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final)  # type: ignore[attr-defined]
        if t is IdentifierNode:
            return self.eval_function(dot, first, cmd, cmd.args, final)  # type: ignore[arg-type]
        if t is VariableNode:
            return self.eval_variable(dot, first, cmd.args, final)  # type: ignore[arg-type]
        if t is ChainNode:
            return self.eval_chain(dot, first, cmd.args, final)  # type: ignore[arg-type]
        if t is PipeNode:
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)  # type: ignore[arg-type]
        self.node = first
        self.not_a_function(cmd.args, final)
        if t is StringNode:
            return first.text  # type: ignore[attr-defined]
        if t is DotNode:
            return dot
        if t is BoolNode:
            return first.value  # type: ignore[attr-defined]
        if t is NumberNode:
            return self.ideal(first)  # type: ignore[arg-type]
        if t is NilNode:
            self.errorf("nil is not a command")
        self.errorf(f"can't evaluate command {quote(str(first))}")

    def ideal(self, node: NumberNode) -> Any:
        if node.ideal_error:
            self.node = node
            self.errorf(node.ideal_error)
        return node.ideal

    def not_a_function(self, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not NO_FINAL:
            self.node = args[0]
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_variable(
        self, dot: Any, node: VariableNode, args: list[Node] | None, final: Any
    ) -> Any:
        self.node = node
        value = self.var_value(node.ident[0])
        if len(node.ident) == 1:
            if args is not None:
                self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, node, node.ident[1:], args, final)

    def eval_chain(self, dot: Any, node: ChainNode, args: list[Node] | None, final: Any) -> Any:
        self.node = node
        if isinstance(node.node, NilNode):
            self.errorf(f"indirection through explicit nil in {node}")
        assert node.node is not None
        receiver = self.eval_arg(dot, None, node.node)
        return self.eval_field_chain(dot, receiver, node, node.fields, args, final)

    def eval_field_chain(
        self,
        dot: Any,
        receiver: Any,
        node: Node,
        idents: list[str],
        args: list[Node] | None,
        final: Any,
    ) -> Any:
        last = len(idents) - 1
        for i in range(last):
            receiver = self.eval_field(dot, idents[i], node, None, NO_FINAL, receiver)
        return self.eval_field(dot, idents[last], node, args, final, receiver)

    def eval_field(
        self,
        dot: Any,
        name: str,
        node: Node,
        args: list[Node] | None,
        final: Any,
        receiver: Any,
    ) -> Any:
        if type(receiver) is dict or isinstance(receiver, dict):
            if (args is not None and len(args) > 1) or final is not NO_FINAL:
                self.node = node
                self.errorf(f"{name} is not a method but has arguments")
            # missingkey=default: a missing key is Go's invalid value.
            return receiver.get(name, MISSING)
        if receiver is MISSING:
            return MISSING
        self.node = node
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(receiver, GoObject):
            method = receiver.go_method(name)
            if method is not None:
                from pyinject.gotemplate.functions import signature_of

                return self.eval_call(dot, signature_of(method), node, name, args, final)
            if receiver.go_is_nil():
                self.errorf(f"nil pointer evaluating {receiver.go_type()}.{name}")
            try:
                value = receiver.go_field(name)
            except KeyError:
                self.errorf(f"can't evaluate field {name} in type {receiver.go_type()}")
            if (args is not None and len(args) > 1) or final is not NO_FINAL:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return value
        self.errorf(f"can't evaluate field {name} in type {type_name(receiver)}")

    def eval_function(
        self, dot: Any, node: IdentifierNode, cmd: Node, args: list[Node] | None, final: Any
    ) -> Any:
        self.node = node
        sig = self.funcs.get(node.ident)
        if sig is None:
            self.errorf(f"{quote(node.ident)} is not a defined function")
        return self.eval_call(dot, sig, cmd, node.ident, args, final)

    def eval_call(
        self,
        dot: Any,
        sig: FuncSig,
        node: Node,
        name: str,
        args: list[Node] | None,
        final: Any,
    ) -> Any:
        argn = args[1:] if args else []
        has_final = final is not NO_FINAL
        num_in = len(argn) + has_final
        params = sig.params
        nparams = len(params)
        variadic = sig.variadic
        if variadic is not None:
            if num_in < nparams:
                self.errorf(
                    f"wrong number of args for {name}: want at least {nparams} got {len(argn)}"
                )
        elif num_in != nparams:
            self.errorf(f"wrong number of args for {name}: want {nparams} got {num_in}")
        fn = sig.fn
        is_or = SHORT_CIRCUIT.get(fn)
        if is_or is not None:
            # and/or stop at the deciding operand; later ones are never evaluated.
            value: Any = MISSING
            for arg in argn:
                value = self.eval_arg(dot, "value", arg)
                if truth(value) == is_or:
                    return value
            if has_final:
                value = final
            return value
        argv = []
        for i, arg in enumerate(argn):
            argv.append(self.eval_arg(dot, params[i] if i < nparams else variadic, arg))
        if has_final:
            if variadic is None:
                kind = params[-1]
            elif num_in - 1 < nparams:
                kind = params[num_in - 1]
            else:
                kind = variadic
            argv.append(self.validate_type(final, kind))
        self.steps += 1
        if self.steps >= self.next_check:
            self.checkpoint()
        try:
            result = fn(*argv)
        except GoFuncError as err:
            self.node = node
            self.errorf(f"error calling {name}: {err}")
        if type(result) is str and len(result) > self.max_value and self.budget is not None:
            self.budget.allow_size(len(result), f"the result of {name}")
        return result

    def eval_arg(self, dot: Any, kind: str | None, node: Node) -> Any:
        self.node = node
        t = type(node)
        if t is FieldNode:
            value = self.eval_field_chain(dot, dot, node, node.ident, None, NO_FINAL)  # type: ignore[attr-defined]
        elif t is VariableNode:
            value = self.eval_variable(dot, node, None, NO_FINAL)  # type: ignore[arg-type]
        elif t is DotNode:
            value = dot
        elif t is PipeNode:
            value = self.eval_pipeline(dot, node)  # type: ignore[arg-type]
        elif t is IdentifierNode:
            value = self.eval_function(dot, node, node, None, NO_FINAL)  # type: ignore[arg-type]
        elif t is ChainNode:
            value = self.eval_chain(dot, node, None, NO_FINAL)  # type: ignore[arg-type]
        elif t is NilNode:
            if kind is None or kind == "value":
                return MISSING
            if kind == "any":
                return None
            if kind == "list":
                return []
            if kind == "dict":
                return {}
            self.errorf(f"cannot assign nil to {GO_TYPE_OF_KIND[kind]}")
        else:
            return self.eval_literal(kind, node)
        self.node = node
        return self.validate_type(value, kind)

    def eval_literal(self, kind: str | None, node: Node) -> Any:
        t = type(node)
        if kind is None or kind == "any" or kind == "value":
            if t is StringNode:
                return node.text  # type: ignore[attr-defined]
            if t is NumberNode:
                return self.ideal(node)  # type: ignore[arg-type]
            if t is BoolNode:
                return node.value  # type: ignore[attr-defined]
        elif kind == "str":
            if t is StringNode:
                return node.text  # type: ignore[attr-defined]
            self.errorf(f"expected string; found {node}")
        elif kind in ("int", "int64", "int32"):
            if t is NumberNode and node.is_int:  # type: ignore[attr-defined]
                v = node.int_value  # type: ignore[attr-defined]
                return v if kind == "int" else (Int64(v) if kind == "int64" else Int32(v))
            self.errorf(f"expected integer; found {node}")
        elif kind == "float":
            if t is NumberNode and node.is_float:  # type: ignore[attr-defined]
                return node.float_value  # type: ignore[attr-defined]
            self.errorf(f"expected float; found {node}")
        elif kind == "bool":
            if t is BoolNode:
                return node.value  # type: ignore[attr-defined]
            self.errorf(f"expected bool; found {node}")
        self.errorf(f"can't handle {node} for arg of type {GO_TYPE_OF_KIND.get(kind or 'any')}")

    def validate_type(self, value: Any, kind: str | None) -> Any:
        if kind is None or kind == "value":
            return value
        if value is MISSING:
            if kind == "any":
                return None
            if kind == "list":
                return []
            if kind == "dict":
                return {}
            self.errorf(f"invalid value; expected {GO_TYPE_OF_KIND[kind]}")
        if kind == "any":
            return value
        if not _TYPE_CHECKS[kind](value):
            got = "interface {}" if value is None else type_name(value)
            self.errorf(f"wrong type for value; expected {GO_TYPE_OF_KIND[kind]}; got {got}")
        return value


_WALKERS: dict[type, Callable[[_State, Any, Any], None]] = {
    ListNode: _State.walk_list,
    TextNode: _State.walk_text,
    CommentNode: _State.walk_comment,
    ActionNode: _State.walk_action,
    IfNode: _State.walk_if,
    WithNode: _State.walk_with,
    RangeNode: _State.walk_range,
    TemplateNode: _State.walk_template,
    BreakNode: _State.walk_break,
    ContinueNode: _State.walk_continue,
}


def execute(
    trees: Mapping[str, Tree], funcs: Mapping[str, FuncSig], name: str, data: Any,
    budget: Budget | None = None,
) -> str:
    """Run template `name` of a tree set against `data`; returns the output text.

    With a ``budget``, steps, time and output size are bounded by its limits.
    """
    tree = trees[name]
    state = _State(trees, funcs, tree, budget)
    dot = MISSING if data is None else data
    state.vars.append(["$", dot])
    # Each nested {{template}} costs a handful of Python frames; allow some
    # thousands of levels (Go allows 100000) while the walk runs.
    old_limit = sys.getrecursionlimit()
    if old_limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        state.walk_list(dot, tree.root)
    except RecursionError:
        state.node = None
        state.errorf("exceeded maximum template depth (Python recursion limit)")
    finally:
        if old_limit < _RECURSION_LIMIT:
            sys.setrecursionlimit(old_limit)
    text = "".join(state.out)
    if budget is not None:
        budget.allow_size(len(text), "the output")
    if _RAW_BYTE.search(text):
        text = _bytes_to_text(text)
    return text


#: A byte that is not valid UTF-8, kept as a lone surrogate (U+DC80..U+DCFF)
#: since a Go string may hold any bytes: from "\xff" escapes or byte slicing.
_RAW_BYTE = re.compile("[\udc80-\udcff]")


def _bytes_to_text(text: str) -> str:
    """Output text as Go's bytes would decode: each invalid byte becomes U+FFFD."""
    raw = text.encode("utf-8", "surrogateescape")
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        # Decode the longest valid sequence from i; an invalid byte stands alone.
        for size in (1, 2, 3, 4):
            chunk = raw[i : i + size]
            try:
                out.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                continue
            i += size
            break
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)
