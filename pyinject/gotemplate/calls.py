"""Compile the terms of a command: fields, variables, function calls and their arguments.

A function named in the template is looked up once, at compile time, and
each argument's closure already knows the Go type its parameter wants. A
method of a Go-struct view is only known when it runs: such calls take the
slower, general path (:meth:`CallCompiler.call_method`), which compiles the
arguments per parameter type on first use.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Mapping

from pyinject.golang.strconv import quote
from pyinject.golang.values import MISSING, GoObject, type_name
from pyinject.gotemplate.builtins import SHORT_CIRCUIT, truth
from pyinject.gotemplate.fold import Folder, counted
from pyinject.gotemplate.functions import FuncSig, signature_of
from pyinject.gotemplate.hooks import Hooks
from pyinject.gotemplate.invoke import (
    Check,
    Command,
    Expr,
    check_any,
    call_now,
    checker,
    constant,
    fail,
    invoke,
    piped_kind,
    literal_arg,
    nil_arg,
)
from pyinject.gotemplate.nodes import (
    ChainNode,
    CommandNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    NilNode,
    Node,
    PipeNode,
    VariableNode,
)
from pyinject.gotemplate.state import NO_FINAL, State, validate_type

#: ``(st, dot, receiver, final) -> value``: field accesses after a term.
Chain = Callable[[State, Any, Any, Any], Any]

__all__ = ["CallCompiler"]


#: Per Go-struct view class (never a map): (has methods, can be nil), from
#: whether it overrides GoObject's go_method and go_is_nil.
_view_shapes: dict[type, tuple[bool, bool]] = {}


class _Unknown:
    """Not among a view's known fields (``GoObject.go_known``)."""

    __slots__ = ()


_UNKNOWN: Any = _Unknown()


def _view_shape(cls: type) -> tuple[bool, bool]:
    shape = _view_shapes.get(cls)
    if shape is None:
        shape = _view_shapes[cls] = (
            getattr(cls, "go_method") is not GoObject.go_method,
            getattr(cls, "go_is_nil") is not GoObject.go_is_nil,
        )
    return shape


class CallCompiler:
    """Compiles commands' terms against one function table."""

    def __init__(self, funcs: Mapping[str, FuncSig], pipeline: Callable[[PipeNode], Expr],
                 command: Callable[[CommandNode, bool], Command], hooks: Hooks | None = None,
                 changing: Collection[str] = ()) -> None:
        self.funcs = funcs
        #: Names of the functions that may change an argument: their calls are counted (fold.MUTATIONS).
        self.changing = changing
        #: Run-constant folding, when the program folds (set by it).
        self.folder: Folder | None = None
        self.pipeline = pipeline
        self.command = command
        #: Stand-in values' hooks (:mod:`pyinject.gotemplate.hooks`); None for ordinary runs.
        self.hooks = hooks
        self._truth: Callable[[Any], bool] = truth if hooks is None else hooks.truth
        #: Argument closures of method calls, by (node, parameter kind).
        self._method_args: dict[tuple[Node, str | None], Expr] = {}

    # -- terms -------------------------------------------------------------------

    def field_command(self, node: FieldNode, args: list[Node], has_final: bool) -> Command:
        field_of = self.field
        views = _view_shapes
        unknown = _UNKNOWN
        if len(args) == 1 and not has_final:
            # The most common command: .A.B.C alone, read here without a chain closure.
            # A view's field read before is taken from its go_known as it is:
            # field() would find no method, no nil pointer, and the same value.
            inner = tuple(node.ident[:-1])
            last = node.ident[-1]
            if not inner:

                def plain_field1(st: State, dot: Any, final: Any) -> Any:
                    # plain_field below, for .A.
                    st.node = node
                    t = type(dot)
                    if t is dict:
                        return dot.get(last, MISSING)
                    if t in views:
                        value = dot.go_known.get(last, unknown)
                        if value is not unknown:
                            return value
                    return field_of(st, dot, last, node, args, final, dot, False)

                return plain_field1

            def plain_field(st: State, dot: Any, final: Any) -> Any:
                st.node = node
                recv = dot
                for name in inner:
                    if type(recv) is dict:
                        recv = recv.get(name, MISSING)
                    elif recv is not MISSING:
                        if type(recv) in views:
                            value = recv.go_known.get(name, unknown)
                            if value is not unknown:
                                recv = value
                                continue
                        recv = field_of(st, dot, name, node, None, NO_FINAL, recv, False)
                if type(recv) is dict:
                    return recv.get(last, MISSING)
                if type(recv) in views:
                    value = recv.go_known.get(last, unknown)
                    if value is not unknown:
                        return value
                return field_of(st, dot, last, node, args, final, recv, False)

            return plain_field
        chain = self.field_chain(node, node.ident, args, has_final, known=True)

        def field(st: State, dot: Any, final: Any) -> Any:
            st.node = node
            return chain(st, dot, dot, final)

        return field

    def function(self, ident: IdentifierNode, cmd: Node, args: list[Node] | None,
                 has_final: bool) -> Command:
        sig = self.funcs.get(ident.ident)
        if sig is None:
            return fail(ident, f"{quote(ident.ident)} is not a defined function")
        return self.call(sig, cmd, ident.ident, args, has_final, ident)

    def variable(self, node: VariableNode, args: list[Node] | None, has_final: bool) -> Command:
        name = node.ident[0]
        if len(node.ident) > 1:
            chain = self.field_chain(node, node.ident[1:], args, has_final, known=True)

            def variable_chain(st: State, dot: Any, final: Any) -> Any:
                st.node = node
                return chain(st, dot, st.var_value(name), final)

            return variable_chain
        if args is not None and (len(args) > 1 or has_final):
            first = args[0]

            def not_a_function(st: State, dot: Any, final: Any) -> Any:
                st.node = node
                st.var_value(name)
                st.node = first
                st.errorf(f"can't give argument to non-function {first}")

            return not_a_function

        def variable(st: State, dot: Any, final: Any) -> Any:
            st.node = node
            for entry in reversed(st.vars):
                if entry[0] == name:
                    return entry[1]
            st.errorf(f"undefined variable: {name}")

        return variable

    def chain(self, node: ChainNode, args: list[Node] | None, has_final: bool) -> Command:
        if isinstance(node.node, NilNode):
            return fail(node, f"indirection through explicit nil in {node}")
        assert node.node is not None
        term = self.arg(node.node, None)
        chain = self.field_chain(node, node.fields, args, has_final)

        def chained(st: State, dot: Any, final: Any) -> Any:
            st.node = node
            return chain(st, dot, term(st, dot), final)

        return chained

    def field_chain(self, node: Node, idents: list[str], args: list[Node] | None,
                    has_final: bool, known: bool = False) -> Chain:
        """``.A.B.C`` on a receiver: maps are read directly, anything else by :meth:`field`.

        With ``known`` (the caller made ``node`` current, and nothing before the
        chain changed that), a view's known fields are taken as they are, as in
        plain_field (:meth:`field_command`).
        """
        has_args = (args is not None and len(args) > 1) or has_final
        inner = tuple(idents[:-1])
        last = idents[-1]
        field = self.field
        views: Mapping[type, Any] = _view_shapes if known else {}
        unknown = _UNKNOWN
        if not inner and not has_args:

            def one(st: State, dot: Any, recv: Any, final: Any) -> Any:
                if type(recv) is dict:
                    return recv.get(last, MISSING)
                if type(recv) in views:
                    value = recv.go_known.get(last, unknown)
                    if value is not unknown:
                        return value
                return field(st, dot, last, node, args, final, recv, False)

            return one

        def many(st: State, dot: Any, recv: Any, final: Any) -> Any:
            for name in inner:
                if type(recv) is dict:
                    # missingkey=default: a missing key is Go's invalid value.
                    recv = recv.get(name, MISSING)
                elif recv is not MISSING:
                    if type(recv) in views:
                        value = recv.go_known.get(name, unknown)
                        if value is not unknown:
                            recv = value
                            continue
                    recv = field(st, dot, name, node, None, NO_FINAL, recv, False)
            if type(recv) is dict and not has_args:
                return recv.get(last, MISSING)
            if not has_args and type(recv) in views:
                value = recv.go_known.get(last, unknown)
                if value is not unknown:
                    return value
            return field(st, dot, last, node, args, final, recv, has_args)

        return many

    def field(self, st: State, dot: Any, name: str, node: Node, args: list[Node] | None,
              final: Any, receiver: Any, has_args: bool) -> Any:
        """Field or method ``name`` of any receiver, with Go's errors."""
        shape = _view_shapes.get(type(receiver))
        if shape is None:
            if isinstance(receiver, dict):
                if has_args:
                    st.node = node
                    st.errorf(f"{name} is not a method but has arguments")
                return receiver.get(name, MISSING)
            if receiver is MISSING:
                return MISSING
            st.node = node
            if receiver is None:
                st.errorf(f"nil pointer evaluating interface {{}}.{name}")
            if not isinstance(receiver, GoObject):
                st.errorf(f"can't evaluate field {name} in type {type_name(receiver)}")
            shape = _view_shape(type(receiver))
        st.node = node
        if shape[0]:
            method = receiver.go_method(name)
            if method is not None:
                return self.call_method(st, dot, signature_of(method), node, name, args, final)
        if shape[1] and receiver.go_is_nil():
            st.errorf(f"nil pointer evaluating {receiver.go_type()}.{name}")
        try:
            value = receiver.go_field(name)
        except KeyError:
            st.errorf(f"can't evaluate field {name} in type {receiver.go_type()}")
        if has_args:
            st.errorf(f"{name} has arguments but cannot be invoked as function")
        return value

    # -- calls -------------------------------------------------------------------

    def call(self, sig: FuncSig, node: Node, name: str, args: list[Node] | None,
             has_final: bool, at: Node) -> Command:
        """A call of a known function; ``at`` is the current node when it starts."""
        argn = args[1:] if args else []
        num_in = len(argn) + has_final
        params = sig.params
        nparams = len(params)
        variadic = sig.variadic
        if variadic is not None:
            if num_in < nparams:
                return fail(at, f"wrong number of args for {name}: want at least {nparams} got {len(argn)}")
        elif num_in != nparams:
            return fail(at, f"wrong number of args for {name}: want {nparams} got {num_in}")
        fn = sig.fn
        is_or = SHORT_CIRCUIT.get(fn)
        truth_of = self._truth
        if is_or is not None:
            operands = tuple(self.arg(arg, "value") for arg in argn)

            def short_circuit(st: State, dot: Any, final: Any) -> Any:
                # and/or stop at the deciding operand; later ones are never evaluated.
                st.node = at
                value: Any = MISSING
                for operand in operands:
                    value = operand(st, dot)
                    t = type(value)
                    if t is bool:
                        true = value
                    elif t is str or t is dict or t is list:
                        true = len(value) > 0
                    else:
                        true = truth_of(value)
                    if true == is_or:
                        return value
                if has_final:
                    value = final
                return value

            return short_circuit
        kinds = [params[i] if i < nparams else variadic for i in range(len(argn))]
        argfs = tuple(self.arg(arg, kind) for arg, kind in zip(argn, kinds))
        consts = tuple(constant(arg, kind) for arg, kind in zip(argn, kinds))
        check = self.checker(piped_kind(params, variadic, num_in)) if has_final else None
        if self.hooks is not None:
            fn = self.hooks.call(name, fn)
        if name in self.changing:
            fn = counted(fn)
        return invoke(fn, argfs, has_final, check, node, name, at, consts)

    def call_method(self, st: State, dot: Any, sig: FuncSig, node: Node, name: str,
                    args: list[Node] | None, final: Any) -> Any:
        """A call of a method found on a value when it runs."""
        # Not known to be pure: what ran this call does not fold (pyinject.gotemplate.fold).
        st.methods += 1
        argn = args[1:] if args else []
        has_final = final is not NO_FINAL
        num_in = len(argn) + has_final
        params = sig.params
        nparams = len(params)
        variadic = sig.variadic
        if variadic is not None:
            if num_in < nparams:
                st.errorf(f"wrong number of args for {name}: want at least {nparams} got {len(argn)}")
        elif num_in != nparams:
            st.errorf(f"wrong number of args for {name}: want {nparams} got {num_in}")
        fn = sig.fn
        is_or = SHORT_CIRCUIT.get(fn)
        if is_or is not None:
            value: Any = MISSING
            for arg in argn:
                value = self.method_arg(arg, "value")(st, dot)
                if self._truth(value) == is_or:
                    return value
            return final if has_final else value
        argv = [self.method_arg(arg, params[i] if i < nparams else variadic)(st, dot)
                for i, arg in enumerate(argn)]
        if has_final:
            kind = piped_kind(params, variadic, num_in)
            if self.hooks is not None and kind == "str" and self.hooks.is_string(final):
                argv.append(final)
            else:
                argv.append(validate_type(st, final, kind))
        if self.hooks is not None:
            fn = self.hooks.call("", fn)
        return call_now(st, fn, argv, node, name)

    def method_arg(self, node: Node, kind: str | None) -> Expr:
        key = (node, kind)
        arg = self._method_args.get(key)
        if arg is None:
            arg = self._method_args[key] = self.arg(node, kind)
        return arg

    # -- arguments ---------------------------------------------------------------

    def checker(self, kind: str | None) -> Check | None:
        """How a value is checked for a parameter of ``kind``: a ``string`` one also takes stand-ins."""
        check = checker(kind)
        hooks = self.hooks
        if hooks is None or kind != "str" or check is None:
            return check
        is_string = hooks.is_string
        plain = check

        def string_check(st: State, value: Any) -> Any:
            return value if is_string(value) else plain(st, value)

        return string_check

    def _short_field_arg(self, node: Node, inner: tuple[str, ...], last: str, nil: bool) -> Expr:
        """field_arg (:meth:`arg`) of ``.A`` or ``.A.B`` taken as it is or nil for missing, unrolled."""
        field_of = self.field
        views = _view_shapes
        unknown = _UNKNOWN
        if not inner:

            def field_arg1(st: State, dot: Any) -> Any:
                st.node = node
                t = type(dot)
                if t is dict:
                    value = dot.get(last, MISSING)
                else:
                    value = dot.go_known.get(last, unknown) if t in views else unknown
                    if value is unknown:
                        value = field_of(st, dot, last, node, None, NO_FINAL, dot, False)
                        st.node = node
                return None if nil and value is MISSING else value

            return field_arg1
        (first,) = inner

        def field_arg2(st: State, dot: Any) -> Any:
            st.node = node
            t = type(dot)
            if t is dict:
                recv = dot.get(first, MISSING)
            elif dot is MISSING:
                recv = dot
            else:
                recv = dot.go_known.get(first, unknown) if t in views else unknown
                if recv is unknown:
                    recv = field_of(st, dot, first, node, None, NO_FINAL, dot, False)
            t = type(recv)
            if t is dict:
                value = recv.get(last, MISSING)
            else:
                value = recv.go_known.get(last, unknown) if t in views else unknown
                if value is unknown:
                    value = field_of(st, dot, last, node, None, NO_FINAL, recv, False)
            st.node = node
            return None if nil and value is MISSING else value

        return field_arg2

    def arg(self, node: Node, kind: str | None) -> Expr:
        """An argument for a parameter of ``kind`` (None: a chain's receiver)."""
        folder = self.folder
        if type(node) is PipeNode and folder is not None and folder.active and folder.constant(node):
            return folder.fold_arg(self._arg(node, kind))
        return self._arg(node, kind)

    def _arg(self, node: Node, kind: str | None) -> Expr:
        t = type(node)
        check = self.checker(kind)
        # An interface{} parameter takes nil for a missing value: the most common check, inlined.
        to_nil = check is check_any
        if t is FieldNode:
            field_of = self.field
            views = _view_shapes
            unknown = _UNKNOWN
            inner = tuple(node.ident[:-1])  # type: ignore[attr-defined]
            last = node.ident[-1]  # type: ignore[attr-defined]
            if len(inner) <= 1 and (check is None or to_nil):
                return self._short_field_arg(node, inner, last, to_nil)

            def field_arg(st: State, dot: Any) -> Any:
                # As plain_field (field_command): known fields of views as they are.
                st.node = node
                recv = dot
                for name in inner:
                    if type(recv) is dict:
                        recv = recv.get(name, MISSING)
                    elif recv is not MISSING:
                        if type(recv) in views:
                            value = recv.go_known.get(name, unknown)
                            if value is not unknown:
                                recv = value
                                continue
                        recv = field_of(st, dot, name, node, None, NO_FINAL, recv, False)
                if type(recv) is dict:
                    value = recv.get(last, MISSING)
                else:
                    value = unknown
                    if type(recv) in views:
                        value = recv.go_known.get(last, unknown)
                    if value is unknown:
                        value = field_of(st, dot, last, node, None, NO_FINAL, recv, False)
                st.node = node
                if check is None:
                    return value
                if to_nil:
                    return None if value is MISSING else value
                return check(st, value)

            return field_arg
        if t is DotNode:

            def dot_arg(st: State, dot: Any) -> Any:
                st.node = node
                if check is None:
                    return dot
                if to_nil:
                    return None if dot is MISSING else dot
                return check(st, dot)

            return dot_arg
        term: Command
        if t is VariableNode and len(node.ident) == 1:  # type: ignore[attr-defined]
            var = node.ident[0]  # type: ignore[attr-defined]

            def variable_arg(st: State, dot: Any) -> Any:
                # As term_arg over variable(), in one frame.
                st.node = node
                for entry in reversed(st.vars):
                    if entry[0] == var:
                        value = entry[1]
                        break
                else:
                    st.errorf(f"undefined variable: {var}")
                if check is None:
                    return value
                if to_nil:
                    return None if value is MISSING else value
                return check(st, value)

            return variable_arg
        if t is VariableNode:
            term = self.variable(node, None, False)  # type: ignore[arg-type]
        elif t is IdentifierNode:
            term = self.function(node, node, None, False)  # type: ignore[arg-type]
        elif t is ChainNode:
            term = self.chain(node, None, False)  # type: ignore[arg-type]
        elif t is PipeNode:
            if not node.decl and len(node.cmds) == 1:  # type: ignore[attr-defined]
                term = self.command(node.cmds[0], False)  # type: ignore[attr-defined]

                def command_arg(st: State, dot: Any) -> Any:
                    st.node = node
                    value = term(st, dot, NO_FINAL)
                    if value is None:
                        # A nil interface{} result becomes Go's invalid value.
                        value = MISSING
                    st.node = node
                    if check is None:
                        return value
                    if to_nil:
                        return None if value is MISSING else value
                    return check(st, value)

                return command_arg
            pipe = self.pipeline(node)  # type: ignore[arg-type]

            def pipe_arg(st: State, dot: Any) -> Any:
                st.node = node
                value = pipe(st, dot)
                st.node = node
                if check is None:
                    return value
                if to_nil:
                    return None if value is MISSING else value
                return check(st, value)

            return pipe_arg
        elif t is NilNode:
            return nil_arg(node, kind)
        else:
            return literal_arg(node, kind)

        def term_arg(st: State, dot: Any) -> Any:
            st.node = node
            value = term(st, dot, NO_FINAL)
            st.node = node
            if check is None:
                return value
            if to_nil:
                return None if value is MISSING else value
            return check(st, value)

        return term_arg
