"""Compile a parsed tree once into nested Python closures that execute it.

Each node becomes a closure that captures its children's closures, so running
a template does no dispatch on node types: constant text is pre-joined, the
functions of a pipeline are looked up and their argument kinds decided at
compile time, and field chains on plain maps are a dictionary lookup.

The closures do exactly what a tree walk would, in the same order, including
where they set ``st.node`` (the node an error reports): error texts and
positions, ``<no value>``, scoping, budgets and the rest of Go's semantics are
those of Go's executor; the state and shared helpers are in :mod:`pyinject.gotemplate.state`.

Three shapes of closure:

- a body ``(st, dot) -> None`` writes output (lists, text, actions, control);
- an expression ``(st, dot) -> value`` (pipelines, function arguments);
- a command ``(st, dot, final) -> value``, ``final`` the value piped in
  (``NO_FINAL`` for the first command of a pipeline).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from pyinject.golang.fmt import _map_key_order, format_value
from pyinject.golang.strconv import quote
from pyinject.golang.values import MISSING, is_true
from pyinject.gotemplate.calls import CallCompiler
from pyinject.gotemplate.fold import FoldedNode, Folder
from pyinject.gotemplate.invoke import Command, Expr, const_command
from pyinject.gotemplate.state import (
    MAX_EXEC_DEPTH,
    NO_FINAL,
    Break,
    Continue,
    State,
    print_value,
)
from pyinject.gotemplate.functions import FuncSig
from pyinject.gotemplate.hooks import Hooks
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

Body = Callable[[State, Any], None]

__all__ = ["Body", "Program"]


def _noop(st: State, dot: Any) -> None:
    pass


class Program:
    """The compiled bodies of a template set, compiled on first use and kept.

    ``{{template}}`` finds its callee here by name when it runs, so a
    template may call itself and an undefined name is an error only if
    executed, as in Go.
    """

    def __init__(self, trees: Mapping[str, Tree], funcs: Mapping[str, FuncSig], hooks: Hooks | None = None,
                 effects: tuple[frozenset[str], frozenset[str]] | None = None) -> None:
        self.trees = trees
        self.funcs = funcs
        #: Stand-in values' hooks (:mod:`pyinject.gotemplate.hooks`): None compiles ordinary runs.
        self.hooks = hooks
        self.bodies: dict[str, Body] = {}
        changing = effects[1] if effects is not None else frozenset()
        self.calls = CallCompiler(funcs, self.pipeline, self._command, hooks, changing)
        #: Run-constant folding (:mod:`pyinject.gotemplate.fold`): with the table's effects, never with hooks.
        self.folder = None if hooks is not None or effects is None else Folder(trees, *effects)
        self.calls.folder = self.folder
        #: Bodies of templates executed directly, with their fold sites, by name and constant fields.
        self.entries: dict[tuple[str, frozenset[str]], Body] = {}

    def entry(self, name: str, fields: frozenset[str]) -> Body:
        """The body of template ``name`` executed directly on data whose run-constant fields
        are ``fields``, with fold sites."""
        body = self.entries.get((name, fields))
        if body is None:
            assert self.folder is not None
            with self.folder.entry(self.trees[name], fields):
                body = self.entries[(name, fields)] = self.list(self.trees[name].root)
        return body

    def body(self, name: str) -> Body:
        """The compiled body of template ``name`` (which must exist)."""
        body = self.bodies.get(name)
        if body is None:
            body = self.bodies[name] = self.list(self.trees[name].root)
        return body

    # -- bodies -----------------------------------------------------------------

    def list(self, node: ListNode) -> Body:
        folder = self.folder
        nodes = node.nodes if folder is None or not folder.active else folder.runs(node, self.list)
        # Steps are bodies, or constant text (a str) written without a call.
        fns: list[Body | str] = []
        text: list[str] = []
        for n in nodes:
            t = type(n)
            if t is TextNode:
                text.append(n.text)  # type: ignore[attr-defined]
                continue
            if t is CommentNode:
                continue
            if text:
                fns.append("".join(text))
                text = []
            fns.append(self.node(n))
        if text:
            fns.append("".join(text))
        if not fns:
            return _noop
        if len(fns) == 1:
            only = fns[0]
            return _text(only) if type(only) is str else only  # type: ignore[return-value]
        if len(fns) == 2:
            return _pair(*fns)
        # Each body with the text before it (None if none), then the text after the last.
        pairs: list[tuple[str | None, Body]] = []
        pending: str | None = None
        for f in fns:
            if type(f) is str:
                pending = f
            else:
                pairs.append((pending, f))  # type: ignore[arg-type]
                pending = None
        steps = tuple(pairs)
        tail = pending

        def run(st: State, dot: Any) -> None:
            write = st.out.append
            for text, body in steps:
                if text is not None:
                    write(text)
                body(st, dot)
            if tail is not None:
                write(tail)

        return run

    def node(self, node: Node) -> Body:
        t = type(node)
        if t is ActionNode:
            return self.action(node)  # type: ignore[arg-type]
        if t is IfNode or t is WithNode:
            return self.if_or_with(node, with_=t is WithNode)  # type: ignore[arg-type]
        if t is RangeNode:
            return self.range(node)  # type: ignore[arg-type]
        if t is TemplateNode:
            return self.template(node)  # type: ignore[arg-type]
        if t is BreakNode:
            return _break
        if t is ContinueNode:
            return _continue
        if t is ListNode:
            return self.list(node)  # type: ignore[arg-type]
        if t is FoldedNode:
            return node.body  # type: ignore[attr-defined, no-any-return]
        raise TypeError(f"unknown node {type(node).__name__}")

    def action(self, node: ActionNode) -> Body:
        pipe = node.pipe
        assert pipe is not None
        if pipe.decl:
            # The pipeline itself: a list step's value is dropped.
            return self.pipeline(pipe)
        value_of = self.value(pipe)
        if self.hooks is not None:
            text_of = self.hooks.text

            def hooked_action(st: State, dot: Any) -> None:
                value = value_of(st, dot, NO_FINAL)
                if type(value) is str:
                    st.out.append(value)
                    return
                text = text_of(value)
                if text is None:
                    print_value(st, node, value)
                else:
                    st.out.append(text)

            return hooked_action

        def action(st: State, dot: Any) -> None:
            value = value_of(st, dot, NO_FINAL)
            if type(value) is str:
                st.out.append(value)
            else:
                print_value(st, node, value)

        return action

    def if_or_with(self, node: IfNode | WithNode, *, with_: bool) -> Body:
        """``if`` and ``with`` differ only in the dot of their body: ``with`` sets it."""
        assert node.pipe is not None and node.list is not None
        cond = self.value(node.pipe)
        folder = self.folder
        if folder is not None and folder.active and folder.constant(node.pipe):
            cond = folder.fold_value(cond, with_)
        body = self.list(node.list) if not with_ else self._dot_changed(node.list, node.pipe)
        else_body = None if node.else_list is None else self.list(node.else_list)
        # Variables declared by the condition or directly in either branch end
        # with the block; other blocks clean up after themselves.
        scoped = bool(node.pipe.decl) or _declares(node.list) or _declares(node.else_list)
        truth_of = None if self.hooks is None else self.hooks.truth

        def block(st: State, dot: Any) -> None:
            value = cond(st, dot, NO_FINAL)
            t = type(value)
            if t is bool:
                true = value
            elif t is str or t is dict or t is list:
                true = len(value) > 0
            else:
                true = is_true(value)[0] if truth_of is None else truth_of(value)
            if true:
                body(st, value if with_ else dot)
            elif else_body is not None:
                else_body(st, dot)

        if not scoped:
            return block

        def scoped_block(st: State, dot: Any) -> None:
            mark = len(st.vars)
            block(st, dot)
            del st.vars[mark:]

        return scoped_block

    def range(self, node: RangeNode) -> Body:
        pipe = node.pipe
        assert pipe is not None and node.list is not None
        source = self.value(pipe)
        body = self._dot_changed(node.list, pipe)
        else_body = None if node.else_list is None else self.list(node.else_list)
        decl = [v.ident[0] for v in pipe.decl]
        ndecl = len(decl)
        assign = pipe.is_assign

        def one(st: State, index: Any, elem: Any, mark: int) -> None:
            if ndecl:
                if assign:
                    st.set_var(decl[0], index if ndecl > 1 else elem)
                else:
                    st.vars[-1][1] = elem
                if ndecl > 1:
                    if assign:
                        st.set_var(decl[1], elem)
                    else:
                        st.vars[-2][1] = index
            st.steps += 1
            if st.steps >= st.next_check:
                st.checkpoint()
            try:
                body(st, elem)
            except Continue:
                pass
            finally:
                del st.vars[mark:]

        def range_block(st: State, dot: Any) -> None:
            st.node = node
            outer = len(st.vars)
            value = source(st, dot, NO_FINAL)
            mark = len(st.vars)
            ran = False
            try:
                if isinstance(value, (list, tuple)):
                    ran = len(value) > 0
                    for i, elem in enumerate(value):
                        one(st, i, elem, mark)
                elif isinstance(value, dict):
                    ran = len(value) > 0
                    for key in sorted(value, key=_map_key_order):
                        one(st, key, value[key], mark)
                elif value is MISSING or value is None:
                    pass
                elif isinstance(value, int) and not isinstance(value, bool):
                    # Go 1.22: range over an integer counts from 0.
                    if ndecl > 1:
                        st.node = node
                        st.errorf(f"can't use {value} to iterate over more than one variable")
                    ran = value > 0
                    for i in range(int(value)):
                        one(st, i, type(value)(i), mark)
                else:
                    st.errorf(f"range can't iterate over {format_value(value)}")
            except Break:
                ran = True
            if not ran and else_body is not None:
                else_body(st, dot)
            del st.vars[outer:]

        return range_block

    def _dot_changed(self, node: ListNode, pipe: PipeNode) -> Body:
        """A ``with`` or ``range`` body: its dot is the value of ``pipe`` (or an element)."""
        if self.folder is None:
            return self.list(node)
        with self.folder.dot_of(pipe):
            return self.list(node)

    def template(self, node: TemplateNode) -> Body:
        name = node.name
        trees = self.trees
        arg = None if node.pipe is None else self.pipeline(node.pipe)
        program = self

        def call_template(st: State, dot: Any) -> None:
            st.node = node
            tree = trees.get(name)
            if tree is None:
                st.errorf(f"template {quote(name)} not defined")
            if st.depth >= MAX_EXEC_DEPTH:
                st.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
            value = MISSING if arg is None else arg(st, dot)
            body = program.bodies.get(name) or program.body(name)
            saved = (st.tree, st.vars, st.depth)
            # No dynamic scoping: the called template sees only $ = its dot.
            st.tree, st.vars, st.depth = tree, [["$", value]], st.depth + 1
            try:
                body(st, value)
            finally:
                st.tree, st.vars, st.depth = saved

        return call_template

    # -- pipelines and commands ------------------------------------------------------

    def value(self, pipe: PipeNode) -> Command:
        """A pipeline whose value is only printed, tested or ranged over, where Go's
        nil and its invalid value behave alike: a lone command needs no wrapper."""
        if not pipe.decl and len(pipe.cmds) == 1:
            args = pipe.cmds[0].args
            if len(args) == 1 and type(args[0]) is PipeNode:
                # (pipeline) alone is that pipeline's value.
                return self.value(args[0])
            return self.command(pipe.cmds[0], has_final=False)
        if not pipe.decl:
            return _piped([self.command(cmd, has_final=i > 0) for i, cmd in enumerate(pipe.cmds)])
        whole = self.pipeline(pipe)

        def pipeline(st: State, dot: Any, final: Any) -> Any:
            return whole(st, dot)

        return pipeline

    def pipeline(self, pipe: PipeNode) -> Expr:
        cmds = [self.command(cmd, has_final=i > 0) for i, cmd in enumerate(pipe.cmds)]
        names = [v.ident[0] for v in pipe.decl]
        assign = pipe.is_assign
        first = cmds[0]
        rest = tuple(cmds[1:])
        if not names and not rest:

            def single(st: State, dot: Any) -> Any:
                value = first(st, dot, NO_FINAL)
                # A nil interface{} result becomes Go's invalid value.
                return MISSING if value is None else value

            return single

        run = _piped(cmds)

        def pipeline(st: State, dot: Any) -> Any:
            value = run(st, dot, NO_FINAL)
            for name in names:
                if assign:
                    st.set_var(name, value)
                else:
                    st.vars.append([name, value])
            return value

        return pipeline

    def _command(self, cmd: CommandNode, has_final: bool) -> Command:
        return self.command(cmd, has_final=has_final)

    def command(self, cmd: CommandNode, *, has_final: bool) -> Command:
        args = cmd.args
        first = args[0]
        t = type(first)
        calls = self.calls
        if t is FieldNode:
            return calls.field_command(first, args, has_final)  # type: ignore[arg-type]
        if t is IdentifierNode:
            return calls.function(first, cmd, args, has_final)  # type: ignore[arg-type]
        if t is VariableNode:
            return calls.variable(first, args, has_final)  # type: ignore[arg-type]
        if t is ChainNode:
            return calls.chain(first, args, has_final)  # type: ignore[arg-type]
        if len(args) > 1 or has_final:
            return _error_command(args[0], f"can't give argument to non-function {args[0]}")
        if t is PipeNode:
            if not first.decl and len(first.cmds) == 1:  # type: ignore[attr-defined]
                return _piped([self.command(first.cmds[0], has_final=False)])  # type: ignore[attr-defined]
            inner = self.pipeline(first)  # type: ignore[arg-type]

            def sub(st: State, dot: Any, final: Any) -> Any:
                return inner(st, dot)

            return sub
        if t is StringNode:
            return const_command(first, first.text)  # type: ignore[attr-defined]
        if t is DotNode:

            def dot_command(st: State, dot: Any, final: Any) -> Any:
                st.node = first
                return dot

            return dot_command
        if t is BoolNode:
            return const_command(first, first.value)  # type: ignore[attr-defined]
        if t is NumberNode:
            if first.ideal_error:  # type: ignore[attr-defined]
                return _error_command(first, first.ideal_error)  # type: ignore[attr-defined]
            return const_command(first, first.ideal)  # type: ignore[attr-defined]
        if t is NilNode:
            return _error_command(first, "nil is not a command")
        return _error_command(first, f"can't evaluate command {quote(str(first))}")


def _piped(cmds: list[Command]) -> Command:
    """Commands piped one into the next (the value piped in is not used), their value
    with a nil interface{} result made Go's invalid value."""
    first = cmds[0]
    if len(cmds) == 1:

        def one(st: State, dot: Any, final: Any) -> Any:
            value = first(st, dot, NO_FINAL)
            return MISSING if value is None else value

        return one
    if len(cmds) == 2:
        second = cmds[1]

        def two(st: State, dot: Any, final: Any) -> Any:
            value = first(st, dot, NO_FINAL)
            if value is None:
                value = MISSING
            value = second(st, dot, value)
            return MISSING if value is None else value

        return two
    rest = tuple(cmds[1:])

    def piped(st: State, dot: Any, final: Any) -> Any:
        value = first(st, dot, NO_FINAL)
        if value is None:
            value = MISSING
        for cmd in rest:
            value = cmd(st, dot, value)
            if value is None:
                value = MISSING
        return value

    return piped


def _error_command(node: Node, msg: str) -> Command:
    """A command that fails with ``msg`` at ``node`` when run."""

    def fail(st: State, dot: Any, final: Any) -> Any:
        st.node = node
        st.errorf(msg)

    return fail


def _declares(node: ListNode | None) -> bool:
    """Whether a list declares variables at its own level (an action ``$x := ...``)."""
    if node is None:
        return False
    for n in node.nodes:
        if isinstance(n, (ActionNode, TemplateNode)) and n.pipe is not None and n.pipe.decl:
            return True
    return False


def _pair(first: Body | str, second: Body | str) -> Body:
    """Two steps of a list, either of them constant text (two texts never follow each other)."""
    if type(first) is str:
        text = first
        after: Body = second  # type: ignore[assignment]

        def text_then(st: State, dot: Any) -> None:
            st.out.append(text)
            after(st, dot)

        return text_then
    before: Body = first  # type: ignore[assignment]
    if type(second) is str:
        tail = second

        def then_text(st: State, dot: Any) -> None:
            before(st, dot)
            st.out.append(tail)

        return then_text
    last: Body = second  # type: ignore[assignment]

    def pair(st: State, dot: Any) -> None:
        before(st, dot)
        last(st, dot)

    return pair


def _text(text: str) -> Body:
    def write(st: State, dot: Any) -> None:
        st.out.append(text)

    return write


def _break(st: State, dot: Any) -> None:
    raise Break()


def _continue(st: State, dot: Any) -> None:
    raise Continue()

