"""Run-constant folding: evaluate once what reads only data that every render of a run shares.

An application that renders one template set many times (once per pod, say)
often hands it data some of whose top-level fields are the same objects every
time (configuration values).  Pipelines that read only those fields and
literals, through functions that depend on nothing else, give the same result
every time; this module lets the compiled set evaluate them once and then
reuse the result, exactly.

Who declares what
-----------------
* The data object declares the constants: ``data.go_run_constants()`` returns
  ``(fields, token)``, the names of its run-constant top-level fields and a
  tuple of the objects their values are built from.  The promise: while every
  element of ``token`` is the very same object (``is``), reading those fields,
  and anything reached from them by fields and methods, gives the same values.
  Data without the method (plain maps) folds nothing.
* The function table declares :class:`Effects`: which functions are pure (the
  result depends only on the arguments; no clock, randomness, environment or
  I/O; no argument is changed) and which change an argument (``set`` and
  ``merge`` in sprig).  Go's builtins are known here: all are pure but ``call``,
  which runs a function from the data and counts as changing.  A table parsed
  without a declaration folds nothing.

Why a folded result is exact
----------------------------
The template executed (never a ``define``d one, which any dot may call) is
compiled once more for folding, for the constant fields its data declares.
A pipeline or a block folds only where its value provably depends on nothing
but literals and those fields, through pure functions:

* literals count, and so do field chains on the root dot rooted at a declared
  field, ``$.F...`` chains likewise, and pure calls of these; ``.`` is the root
  in the template's own body but not inside ``range`` and ``with`` bodies,
  where it is the pipeline's value: a constant only if that pipeline is one;
  ``$`` is the root unless the template assigns ``$``; other variables never
  count, and nothing that declares a variable folds;
* a whole block (text, actions, ``if``, and ``with``/``range`` over constants)
  folds into the text it writes; consecutive ones fold as one; an ``if`` or
  ``with`` condition alone folds into its truth, or its value when immutable
  (string, number, bool, nil, missing), and a parenthesised argument of a
  call that does not fold into its value when immutable: the only forms
  nothing can change;
* a fold is kept only if no method was called while it ran (a method of a
  view is not known to be pure), and an evaluation that raises is never kept:
  it raises again, with its own text and position, every time;
* the folds belong to one compiled set and are dropped whenever the declared
  fields, any token object, the budget's limits or the *mutation count*
  change.  Every call of a function declared changing (in any set) adds to
  that count, so a ``set`` on a shared map, in this set or another, retires
  every fold made before it; and a set that calls such a function anywhere
  never folds at all, so nothing can change a constant while its folds live;
* a reuse restores what the evaluation left behind: the current node (the
  position later errors report) and the steps it counted, so step and time
  budgets see the same counts and still stop unbounded templates;
* runs with stand-in hooks (abstract renders) compile without folding.

Memory is one entry per fold site of the set's templates, kept until the
token changes.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Mapping

from pyinject.golang.values import MISSING, GoInt, is_true
from pyinject.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    ChainNode,
    CommandNode,
    CommentNode,
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

if TYPE_CHECKING:
    from pyinject.gotemplate.functions import LazyTable
    from pyinject.gotemplate.invoke import Command, Expr
    from pyinject.gotemplate.parser import Tree
    from pyinject.gotemplate.state import State

    Body = Callable[[State, Any], None]

__all__ = ["CONST", "Effects", "FoldedNode", "Folder", "MUTATIONS", "OTHER", "ROOT", "counted", "fold_key", "same_key"]

#: What the dot is where a template compiles (:attr:`Folder.dot`): the root data, a constant, or unknown.
ROOT, CONST, OTHER = 1, 2, 0

#: Go's builtins that are pure; ``call`` runs a function of the data: it may change anything.
_BUILTIN_PURE = ("and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "slice",
                 "print", "printf", "println", "html", "js", "urlquery")
_BUILTIN_CHANGING = ("call",)


class Effects:
    """What a function table declares about its functions, by name (resolved against the table)."""

    __slots__ = ("pure", "changing")

    def __init__(self, pure: Iterable[str] = (), changing: Iterable[str] = ()) -> None:
        self.pure = frozenset(pure)
        self.changing = frozenset(changing)

    def resolve(self, table: LazyTable,
                builtins: Mapping[str, Callable[..., Any]]) -> tuple[frozenset[str], frozenset[str]]:
        """The names of ``table``'s pure and changing functions (nothing is loaded): the
        declaration's names, and Go's builtins where the table has not replaced them."""
        entries = table.entries()
        pure = {n for n in self.pure if n in entries}
        pure.update(n for n in _BUILTIN_PURE if n in builtins and entries.get(n) is builtins[n])
        changing = {n for n in self.changing if n in entries}
        changing.update(n for n in _BUILTIN_CHANGING if n in entries)
        return frozenset(pure - changing), frozenset(changing)


class _Count:
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


#: Calls of functions declared changing, in every set of the process.
MUTATIONS = _Count()


def counted(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (declared changing) counting its calls in :data:`MUTATIONS`."""

    def changing(*args: Any) -> Any:
        MUTATIONS.n += 1
        return fn(*args)

    return changing


def fold_key(data: Any, limits: Any) -> tuple[frozenset[str], tuple[Any, ...], Any, int] | None:
    """What folds made for ``data`` under ``limits`` depend on; None: ``data`` declares no constants."""
    declare = getattr(data, "go_run_constants", None)
    if declare is None:
        return None
    fields, token = declare()
    if not fields:
        return None
    return frozenset(fields), tuple(token), limits, MUTATIONS.n


def same_key(a: tuple[frozenset[str], tuple[Any, ...], Any, int],
             b: tuple[frozenset[str], tuple[Any, ...], Any, int]) -> bool:
    """Whether folds made under key ``a`` hold under ``b``: the token's objects by identity."""
    if a[3] != b[3] or a[0] != b[0] or len(a[1]) != len(b[1]):
        return False
    if a[2] is not b[2] and a[2] != b[2]:
        return False
    return all(x is y for x, y in zip(a[1], b[1]))


#: Not kept: the evaluation's result is not one nothing can change.
_UNKEPT: Any = object()


def _immutable(value: Any) -> bool:
    t = type(value)
    return t is str or t is bool or t is int or t is float or value is None or value is MISSING or (
        isinstance(value, GoInt))


def _keep_immutable(value: Any) -> Any:
    return value if _immutable(value) else _UNKEPT


def _keep_truth(value: Any) -> Any:
    return is_true(value)[0]


def _keep_with(value: Any) -> Any:
    # A false value only picks the else branch (the outer dot): its truth will do.
    if _immutable(value):
        return value
    return _UNKEPT if is_true(value)[0] else False


def _scan(root: ListNode, changing: Collection[str]) -> tuple[bool, bool]:
    """Whether a tree calls one of the ``changing`` functions, and whether it assigns ``$``."""
    calls = assigns = False
    stack: list[Any] = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        t = type(n)
        if t is ListNode:
            extend(n.nodes)
        elif t is CommandNode:
            extend(n.args)
        elif t is PipeNode:
            if n.decl and not assigns:
                assigns = any(v.ident[0] == "$" for v in n.decl)
            extend(n.cmds)
        elif t is IdentifierNode:
            calls = calls or n.ident in changing
        elif t is ActionNode or t is TemplateNode:
            if n.pipe is not None:
                push(n.pipe)
        elif t is IfNode or t is WithNode or t is RangeNode:
            push(n.pipe)
            push(n.list)
            if n.else_list is not None:
                push(n.else_list)
        elif t is ChainNode and n.node is not None:
            push(n.node)
    return calls, assigns


class Folder:
    """Decides, while a set compiles, which pipelines and blocks fold, and makes their closures.

    ``dot`` says what ``.`` provably is where the compiler stands: :data:`ROOT`,
    the data (whose declared fields are constant), :data:`CONST`, a value made of
    constants (in a ``with`` or ``range`` body over a constant pipeline), or
    :data:`OTHER`; ``dollar_root`` whether ``$`` is the data.  Both say nothing
    but while the body of a template executed directly compiles (:meth:`entry`).
    """

    def __init__(self, trees: Mapping[str, Tree], pure: Collection[str], changing: Collection[str]) -> None:
        #: Names of the table's pure functions.
        self.pure = pure
        self.dot = OTHER
        self.dollar_root = False
        #: The root's run-constant fields, in the entry compiling.
        self.fields: frozenset[str] = frozenset()
        #: Inside a block that folds as a whole: its parts need no folds of their own.
        self.inside = False
        self._next = 0
        #: The folds of the last runs, and what they hold for (:func:`fold_key`).
        self.folds: dict[int, tuple[Any, Any, int]] = {}
        self.key: tuple[frozenset[str], tuple[Any, ...], Any, int] | None = None
        self._trees = trees
        self._changing = changing
        #: Whether the set may fold, and its trees (by id) that assign ``$``: known after one
        #: look at the trees, taken the first time data declares constants.
        self._enabled: bool | None = None
        self._assigns_dollar: set[int] = set()

    @property
    def enabled(self) -> bool:
        """Whether the set may fold: not if it calls a changing function anywhere."""
        if self._enabled is None:
            changes = False
            for tree in self._trees.values():
                calls, assigns = _scan(tree.root, self._changing)
                changes = changes or calls
                if assigns:
                    self._assigns_dollar.add(id(tree))
            self._enabled = not changes
        return self._enabled

    def folds_for(self, data: Any, limits: Any) -> tuple[dict[int, tuple[Any, Any, int]], frozenset[str]] | None:
        """The folds valid for a run on ``data`` under ``limits`` (emptied if they no longer
        hold) and the run-constant fields; None: this run folds nothing."""
        key = fold_key(data, limits)
        if key is None or not self.enabled:
            return None
        if self.key is None or not same_key(self.key, key):
            self.folds = {}
            self.key = key
        return self.folds, key[0]

    def entry(self, tree: Tree, fields: frozenset[str]) -> _Entry:
        """The compile context of ``tree`` run as the executed template (its dot the root)
        on data whose run-constant fields are ``fields``."""
        return _Entry(self, tree, fields)

    @property
    def active(self) -> bool:
        # enabled is known by then: an entry compiles only for a run that folds.
        return bool(self._enabled) and (self.dot != OTHER or self.dollar_root) and not self.inside

    # -- what is constant ----------------------------------------------------------

    def constant(self, node: Node | None) -> bool:
        """Whether an argument, command or pipeline reads only literals and the root's
        run-constant fields, through pure functions."""
        t = type(node)
        if t is StringNode or t is NumberNode or t is BoolNode or t is NilNode:
            return True
        if t is FieldNode:
            dot = self.dot
            return dot == CONST or (dot == ROOT and node.ident[0] in self.fields)  # type: ignore[union-attr]
        if t is DotNode:
            return self.dot == CONST
        if t is VariableNode:
            ident = node.ident  # type: ignore[union-attr]
            return ident[0] == "$" and len(ident) > 1 and self.dollar_root and ident[1] in self.fields
        if t is ChainNode:
            return self.constant(node.node)  # type: ignore[union-attr]
        if t is IdentifierNode:
            return self._pure_call(node.ident, ())  # type: ignore[union-attr]
        if t is PipeNode:
            return not node.decl and all(self.constant(cmd) for cmd in node.cmds)  # type: ignore[union-attr]
        if t is CommandNode:
            args = node.args  # type: ignore[union-attr]
            if type(args[0]) is IdentifierNode:
                return self._pure_call(args[0].ident, args[1:])
            return len(args) == 1 and self.constant(args[0])
        return False

    def _pure_call(self, name: str, args: Iterable[Node]) -> bool:
        return name in self.pure and all(self.constant(arg) for arg in args)

    def constant_block(self, node: Node | None) -> bool:
        """Whether what a block writes depends only on constants (see :meth:`constant`),
        and it declares no variable: then it folds as a whole."""
        t = type(node)
        if node is None or t is TextNode or t is CommentNode:
            return True
        if t is ActionNode:
            pipe = node.pipe  # type: ignore[attr-defined]
            return pipe is not None and not pipe.decl and self.constant(pipe)
        if t is IfNode:
            return (self.constant(node.pipe) and self.constant_block(node.list)  # type: ignore[attr-defined]
                    and self.constant_block(node.else_list))  # type: ignore[attr-defined]
        if t is ListNode:
            return all(self.constant_block(n) for n in node.nodes)  # type: ignore[attr-defined]
        if t is WithNode or t is RangeNode:
            # The body's dot is the pipeline's value (or an element of it): a constant.
            if not self.constant(node.pipe) or not self.constant_block(node.else_list):  # type: ignore[attr-defined]
                return False
            saved, self.dot = self.dot, CONST
            try:
                return self.constant_block(node.list)  # type: ignore[attr-defined]
            finally:
                self.dot = saved
        return False

    @contextmanager
    def dot_of(self, pipe: PipeNode) -> Iterator[None]:
        """Compiling the body of a ``with`` or ``range`` over ``pipe``: its dot is the
        pipeline's value (or an element of it), a constant if the pipeline is one."""
        saved = self.dot
        self.dot = CONST if self.active and not pipe.decl and self.constant(pipe) else OTHER
        try:
            yield
        finally:
            self.dot = saved

    # -- fold sites ----------------------------------------------------------------

    def runs(self, node: ListNode, compile_list: Callable[[ListNode], Body]) -> list[Node]:
        """The nodes of a list with each run of constant blocks (text between them
        included) compiled into one fold site, a :class:`FoldedNode`."""
        out: list[Node] = []
        run: list[Node] = []

        def flush() -> None:
            if any(type(n) is not TextNode and type(n) is not CommentNode for n in run):
                self.inside = True
                try:
                    body = compile_list(ListNode(run[0].pos, list(run)))
                finally:
                    self.inside = False
                out.append(FoldedNode(run[0].pos, self.fold_body(body)))
            else:
                out.extend(run)
            run.clear()

        for n in node.nodes:
            if self.constant_block(n):
                run.append(n)
            else:
                flush()
                out.append(n)
        flush()
        return out

    def _key(self) -> int:
        self._next += 1
        return self._next

    def fold_body(self, body: Body) -> Body:
        """A block that writes the same text while the constants hold."""
        key = self._key()

        def folded_body(st: State, dot: Any) -> None:
            folds = st.folds
            if folds is None:
                body(st, dot)
                return
            hit = folds.get(key)
            if hit is not None:
                if hit[0]:
                    st.out.append(hit[0])
                st.node = hit[1]
                if hit[2]:
                    st.steps += hit[2]
                    if st.steps >= st.next_check:
                        st.checkpoint()
                return
            steps = st.steps
            methods = st.methods
            mark = len(st.out)
            body(st, dot)
            if st.methods == methods:
                folds[key] = ("".join(st.out[mark:]), st.node, st.steps - steps)

        return folded_body

    def fold_value(self, command: Command, with_: bool) -> Command:
        """An ``if``/``with`` condition that is the same while the constants hold."""
        return self._fold(command, _keep_with if with_ else _keep_truth)

    def fold_arg(self, expr: Expr) -> Expr:
        """A parenthesised argument that is the same while the constants hold: kept if immutable."""

        def as_command(st: State, dot: Any, final: Any) -> Any:
            return expr(st, dot)

        folded = self._fold(as_command, _keep_immutable)

        def folded_arg(st: State, dot: Any) -> Any:
            return folded(st, dot, None)

        return folded_arg

    def _fold(self, command: Command, keep: Callable[[Any], Any]) -> Command:
        """``command``'s value, kept as ``keep`` has it (unless _UNKEPT) while the constants hold."""
        key = self._key()

        def folded_value(st: State, dot: Any, final: Any) -> Any:
            folds = st.folds
            if folds is None:
                return command(st, dot, final)
            hit = folds.get(key)
            if hit is not None:
                st.node = hit[1]
                if hit[2]:
                    st.steps += hit[2]
                    if st.steps >= st.next_check:
                        st.checkpoint()
                return hit[0]
            steps = st.steps
            methods = st.methods
            value = command(st, dot, final)
            if st.methods == methods:
                kept = keep(value)
                if kept is not _UNKEPT:
                    folds[key] = (kept, st.node, st.steps - steps)
            return value

        return folded_value


class FoldedNode(Node):
    """A run of constant blocks compiled into one fold site (never in a parsed tree)."""

    __slots__ = ("body",)

    def __init__(self, pos: int, body: Body) -> None:
        super().__init__(pos)
        self.body = body


class _Entry:
    """Compiling a tree as the executed template: ``.`` and (unless assigned) ``$`` are the root."""

    __slots__ = ("folder", "tree", "fields", "saved")

    def __init__(self, folder: Folder, tree: Tree, fields: frozenset[str]) -> None:
        self.folder = folder
        self.tree = tree
        self.fields = fields

    def __enter__(self) -> None:
        f = self.folder
        self.saved = (f.dot, f.dollar_root, f.inside, f.fields)
        f.fields = self.fields
        assert f.enabled
        f.dot, f.dollar_root, f.inside = ROOT, id(self.tree) not in f._assigns_dollar, False

    def __exit__(self, *exc: object) -> None:
        f = self.folder
        f.dot, f.dollar_root, f.inside, f.fields = self.saved

