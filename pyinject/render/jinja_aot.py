"""Compile the embedded Jinja templates ahead of time to plain Python (``jinja_compiled``).

A run that uses only the embedded templates then never imports Jinja2: the
generated module calls the same filters, globals and ``finalize`` as the Jinja2
environment (``jinja_runtime``), with the environment's Go-like attribute rules,
and counts a step per call as its sandbox does.  Templates are parsed with the
environment's own lexer settings (trim_blocks, lstrip_blocks,
keep_trailing_newline), so whitespace is Jinja's.

Only the subset the embedded templates use is compiled: output, if/elif/else,
for (with a filter, no ``loop``), set, macros called with positional
arguments, ``import ... as ... with context``, filters, tests, globals,
attributes, items, comparisons, and/or/not, ``~``, conditional expressions and
literals.  Anything else raises :class:`CompileError`: a template outside the
subset is never miscompiled.  The module records a hash of its sources; when the
installed templates no longer match it, Jinja2 renders them instead.

    python -m pyinject.render.jinja_aot           # rewrite pyinject/render/jinja_compiled.py
    python -m pyinject.render.jinja_aot --check   # exit 1 when it is stale
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable, Iterator, Sequence

from jinja2 import nodes

from pyinject.render.jinja_runtime import BUILTIN_FILTERS, BUILTIN_TESTS, CONTEXT_GLOBALS, FILTERS, GLOBALS, source_hash
from pyinject.render.jinja_values import PURE_FILTERS, PURE_GLOBALS

#: Where the generated module lives, and the embedded templates it compiles.
OUTPUT = Path(__file__).with_name("jinja_compiled.py")
ROOTS = ("sidecar.yaml.j2", "gateway.yaml.j2", "grpc-agent.yaml.j2", "grpc-simple.yaml.j2")

_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=", "in": "in", "notin": "not in"}
#: Names Jinja gives a meaning of its own inside loops and macros.
_SPECIAL = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})


class CompileError(Exception):
    """A template uses something outside the compiled subset."""


def _ident(text: str) -> str:
    return re.sub(r"\W", "_", text)


class _Module:
    """One template: its parsed body, macros and imports."""

    def __init__(self, file: str, body: nodes.Template) -> None:
        self.file = file
        self.body = body
        self.stem = _ident(file.split(".")[0])
        self.macros: dict[str, nodes.Macro] = {}
        self.imports: dict[str, str] = {}
        self.assigned: set[str] = set()


def _names(target: nodes.Node) -> list[str]:
    """The names an assignment or loop target binds."""
    if isinstance(target, nodes.Name):
        return [target.name]
    return [n.name for n in target.find_all(nodes.Name)]


def _assigned(body: Sequence[nodes.Node]) -> frozenset[str]:
    """Names a function's own scope assigns (not those of its loops)."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, nodes.Assign):
            names.update(_names(node.target))
        elif isinstance(node, nodes.If):
            names |= _assigned(node.body)
            for branch in node.elif_:
                names |= _assigned(branch.body)
            names |= _assigned(node.else_)
    return frozenset(names)


class _Scope:
    """Jinja names bound in a function (or a loop inside it) and their Python names.

    ``later`` are the names the function assigns: read before their assignment,
    Jinja gives an undefined value, not the template variable of that name.
    """

    def __init__(self, parent: _Scope | None, later: frozenset[str] = frozenset()) -> None:
        self.parent = parent
        self.later = later
        self.names: dict[str, str] = {}

    def find(self, name: str) -> str | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None


class _Compiler:
    def __init__(self, load: Callable[[str], nodes.Template]) -> None:
        self.load = load
        self.modules: dict[str, _Module] = {}
        self.lines: list[str] = []
        self.filters: dict[str, str] = {}
        self.tests: dict[str, str] = {}
        self.globals: dict[str, str] = {}
        self.counter = 0
        self.body_at = 0
        self.calls_used = False
        self.globals_used = False
        self.values_used = False
        self.texts_used = False
        #: Numbers of the kept texts (see _kept_text), and whether one is being compiled.
        self.texts = 0
        self.in_kept_text = False
        #: The code of each macro call compiled (its value needs no ``out``).
        self.macro_calls: set[str] = set()

    # -- modules

    def module(self, file: str) -> _Module:
        if file in self.modules:
            return self.modules[file]
        body = self.load(file)
        module = _Module(file, body)
        self.modules[file] = module
        seen_assign = False
        for node in body.body:
            if isinstance(node, nodes.Macro):
                module.macros[node.name] = node
            elif isinstance(node, nodes.Import):
                if seen_assign or not node.with_context or not isinstance(node.template, nodes.Const):
                    raise CompileError(f"{file}:{node.lineno}: only a leading import ... with context compiles")
                module.imports[node.target] = node.template.value
                imported = self.module(node.template.value)
                self._check_library(imported)
            elif isinstance(node, nodes.Assign):
                seen_assign = True
                module.assigned.update(_names(node.target))
        for node in body.find_all(nodes.Macro):
            if node not in module.macros.values():
                raise CompileError(f"{file}:{node.lineno}: a macro inside a block does not compile")
        return module

    def _check_library(self, module: _Module) -> None:
        for node in module.body.body:
            if isinstance(node, nodes.Macro):
                continue
            if isinstance(node, nodes.Output) and all(isinstance(n, nodes.TemplateData) for n in node.nodes):
                continue
            raise CompileError(f"{module.file}:{node.lineno}: an imported template may hold only macros")

    # -- output

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def fresh(self, name: str) -> str:
        self.counter += 1
        return f"l{self.counter}_{_ident(name)}"

    def compile(self, roots: Sequence[str]) -> list[str]:
        for root in roots:
            self.module(root)
        body: list[str] = []
        for module in self.modules.values():
            for macro in module.macros.values():
                self.lines = []
                self.macro(module, macro)
                body.extend(self.lines)
        templates: list[tuple[str, str]] = []
        for root in roots:
            module = self.modules[root]
            self.lines = []
            name = f"t_{module.stem}"
            self.function(f"{name}(c: CompiledContext) -> list[str]")
            self.block(module, module.body.body, _Scope(None, _assigned(module.body.body)), 1, top=True)
            self.emit(1, "return o")
            self.end_function()
            body.extend(self.lines)
            templates.append((root, name))
        calls = [(f"f_{_ident(n)}", ref) for n, ref in sorted(self.filters.items())]
        calls += [(f"t_{_ident(n)}", ref) for n, ref in sorted(self.tests.items())]
        head = ["", "class Calls:",
                '    """The filters and tests the templates call: as they are, or watched (inside abstract renders)."""',
                "", f"    __slots__ = ({''.join(f'{name!r}, ' for name, _ in calls)})", "",
                "    def __init__(self, wrap: Callable[[Any], Any]) -> None:"]
        head += [f"        self.{name} = wrap({ref})" for name, ref in calls] or ["        pass"]
        head += ["", "", "#: A filter is watched only while a hole recorder is active (see jinja_runtime.watched).",
                 "PLAIN_CALLS = Calls(lambda fn: fn)", "WATCHED_CALLS = Calls(watched)", ""]
        head += [f"g_{_ident(n)} = {ref}" for n, ref in sorted(self.globals.items())]
        tail = ["", "", "#: Each template file's render function.",
                "TEMPLATES: dict[str, Callable[[CompiledContext], list[str]]] = {"]
        tail += [f"    {file!r}: {name}," for file, name in templates]
        tail.append("}")
        return head + body + tail

    def function(self, signature: str) -> None:
        """A template's or macro's function, up to its body: its variables and its output list."""
        self.lines += ["", "", f"def {signature}:", "    v = c.vars", "    o: list[str] = []", "    e = o.extend"]
        self.body_at = len(self.lines)
        self.calls_used = False
        self.globals_used = False
        self.values_used = False
        self.texts_used = False
        self.printed = False

    def end_function(self, counted: bool = False) -> None:
        """The function's prologue: a macro counts its own call as a step (before its body,
        as Jinja2 does); a function that calls filters or tests picks their table (see
        ``Calls``); one that calls globals reads its step counter and whether they are
        called plainly (no hole recorder active) or through ``call``; one that reads
        paths of ``values`` reads them through the render's table of them, and one that
        filters them keeps the texts in the table of those (see ``_kept_text``)."""
        prologue = []
        if counted or self.globals_used:
            prologue.append("    st = c.step")
        if counted:
            prologue.append("    st()")
        if self.globals_used:
            prologue.append("    q = not RECORDERS")
        if self.calls_used:
            prologue.append("    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS")
        if self.values_used:
            prologue.append("    w: Any = c.values")
        if self.texts_used:
            prologue.append("    x: Any = c.texts")
        if self.printed:
            prologue.append("    t: Any")
        self.lines[self.body_at:self.body_at] = prologue

    def macro(self, module: _Module, node: nodes.Macro) -> None:
        scope = _Scope(None, _assigned(node.body))
        params = []
        for arg, default in zip(node.args, [None] * (len(node.args) - len(node.defaults)) + list(node.defaults)):
            scope.names[arg.name] = local = self.fresh(arg.name)
            if default is None:
                params.append(f"{local}: Any")
            elif isinstance(default, nodes.Const):
                params.append(f"{local}: Any = {default.value!r}")
            else:
                raise CompileError(f"{module.file}:{node.lineno}: only constant macro defaults compile")
        self.function(f"{self.macro_name(module, node.name)}({', '.join(['c: CompiledContext', *params])}) -> str")
        self.block(module, node.body, scope, 1, top=False, macro=True)
        self.emit(1, 'return "".join(o)')
        self.end_function(counted=True)

    @staticmethod
    def macro_name(module: _Module, name: str) -> str:
        return f"m_{module.stem}_{_ident(name)}"

    # -- statements

    def block(self, module: _Module, body: Sequence[nodes.Node], scope: _Scope, depth: int, *,
              top: bool, macro: bool = False) -> None:
        start = len(self.lines)
        for node in body:
            self.statement(module, node, scope, depth, top=top, macro=macro)
        if len(self.lines) == start:
            self.emit(depth, "pass")

    def statement(self, module: _Module, node: nodes.Node, scope: _Scope, depth: int, *,
                  top: bool, macro: bool) -> None:
        where = f"{module.file}:{node.lineno}"
        if isinstance(node, nodes.Output):
            pieces = list(self.output(module, node.nodes, scope, macro))
            if pieces:
                self.emit(depth, f"e(({', '.join(pieces)},))")
        elif isinstance(node, nodes.If):
            self.emit(depth, f"if {self.expr(module, node.test, scope, macro)}:")
            self.block(module, node.body, scope, depth + 1, top=top, macro=macro)
            for branch in node.elif_:
                self.emit(depth, f"elif {self.expr(module, branch.test, scope, macro)}:")
                self.block(module, branch.body, scope, depth + 1, top=top, macro=macro)
            if node.else_:
                self.emit(depth, "else:")
                self.block(module, node.else_, scope, depth + 1, top=top, macro=macro)
        elif isinstance(node, nodes.For):
            if node.else_ or node.recursive:
                raise CompileError(f"{where}: for ... else and recursive loops do not compile")
            iterable = self.expr(module, node.iter, scope, macro)
            inner = _Scope(scope, _assigned(node.body))
            target = self.target(module, node.target, inner, where)
            self.emit(depth, f"for {target} in {iterable}:")
            if node.test is not None:
                self.emit(depth + 1, f"if not ({self.expr(module, node.test, inner, macro)}):")
                self.emit(depth + 2, "continue")
            self.block(module, node.body, inner, depth + 1, top=False, macro=macro)
        elif isinstance(node, nodes.Assign):
            value = self.expr(module, node.node, scope, macro)
            if scope.parent is not None:
                for name in _names(node.target):
                    if scope.parent.find(name) is not None:
                        raise CompileError(f"{where}: a set inside a loop that shadows a name does not compile")
            self.emit(depth, f"{self.target(module, node.target, scope, where, reuse=True)} = {value}")
        elif isinstance(node, (nodes.Macro, nodes.Import)) and top:
            return  # compiled as functions / resolved at compile time
        else:
            raise CompileError(f"{where}: {type(node).__name__} does not compile")

    def target(self, module: _Module, node: nodes.Node, scope: _Scope, where: str, reuse: bool = False) -> str:
        if isinstance(node, nodes.Name):
            name = node.name
            if name in _SPECIAL or any(name in reads for reads in CONTEXT_GLOBALS.values()):
                raise CompileError(f"{where}: assigning {name!r} does not compile")
            if name in module.imports or name in module.macros:
                raise CompileError(f"{where}: assigning {name!r} over an import or macro does not compile")
            local = scope.names.get(name) if reuse else None
            if local is None:
                local = scope.names[name] = self.fresh(name)
            return local
        if isinstance(node, nodes.Tuple):
            return "(" + "".join(self.target(module, n, scope, where, reuse) + ", " for n in node.items) + ")"
        raise CompileError(f"{where}: assigning to {type(node).__name__} does not compile")

    def output(self, module: _Module, children: Sequence[nodes.Node], scope: _Scope, macro: bool) -> Iterator[str]:
        text = ""
        for child in children:
            if isinstance(child, nodes.TemplateData):
                text += child.data
                continue
            if text:
                yield repr(text)
                text = ""
            code = self.expr(module, child, scope, macro)
            # A macro's result is text already: printing it is the identity.
            if code in self.macro_calls:
                yield code
            else:
                # Text prints as it is (``out``'s first case, without the call).
                self.printed = True
                yield f"(t if type(t := {code}) is str else out(t))"
        if text:
            yield repr(text)

    # -- expressions

    def expr(self, module: _Module, node: nodes.Node, scope: _Scope, macro: bool) -> str:
        def ex(child: nodes.Node) -> str:
            return self.expr(module, child, scope, macro)

        where = f"{module.file}:{node.lineno}"
        if isinstance(node, nodes.Const):
            if type(node.value) not in (str, int, float, bool, type(None)):
                raise CompileError(f"{where}: a constant of type {type(node.value).__name__} does not compile")
            return repr(node.value)
        if isinstance(node, nodes.Name):
            return self.name(module, node, scope, macro, where)
        if isinstance(node, (nodes.Tuple, nodes.List)):
            items = "".join(ex(i) + ", " for i in node.items)
            return f"({items})" if isinstance(node, nodes.Tuple) else f"[{items}]"
        if isinstance(node, nodes.Dict):
            return "{" + ", ".join(f"{ex(p.key)}: {ex(p.value)}" for p in node.items) + "}"
        if isinstance(node, nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name in module.imports and scope.find(node.node.name) is None:
                raise CompileError(f"{where}: a macro of an import is only called")
            names = [node.attr]
            base = node.node
            while isinstance(base, nodes.Getattr):
                names.insert(0, base.attr)
                base = base.node
            code = ex(base)
            if code == "v['values']":
                # A path of the values tree: read once per tree (jinja_runtime.ValuesPaths).
                self.values_used = True
                return f"w[{tuple(names)!r}]"
            if len(names) == 1:
                return f"ga({code}, {node.attr!r})"
            return f"gp({code}, {tuple(names)!r})"
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Slice):
                raise CompileError(f"{where}: slices do not compile")
            return f"gi({ex(node.node)}, {ex(node.arg)})"
        if isinstance(node, nodes.Compare):
            ops = "".join(f" {_COMPARE[op.op]} {ex(op.expr)}" for op in node.ops)
            return f"({ex(node.expr)}{ops})"
        if isinstance(node, (nodes.And, nodes.Or)):
            return f"({ex(node.left)} {'and' if isinstance(node, nodes.And) else 'or'} {ex(node.right)})"
        if isinstance(node, nodes.Not):
            return f"(not {ex(node.node)})"
        if isinstance(node, nodes.Concat):
            return f"concat({', '.join(ex(n) for n in node.nodes)})"
        if isinstance(node, nodes.CondExpr):
            if node.expr2 is None:
                raise CompileError(f"{where}: a conditional expression without else does not compile")
            return f"({ex(node.expr1)} if {ex(node.test)} else {ex(node.expr2)})"
        if isinstance(node, nodes.Filter) and not self.in_kept_text and self._values_only(module, node, scope, macro):
            return self._kept_text(module, node, scope, macro, where)
        if isinstance(node, (nodes.Filter, nodes.Test)):
            return self.filter_or_test(module, node, scope, macro, where)
        if isinstance(node, nodes.Call):
            return self.call(module, node, scope, macro, where)
        raise CompileError(f"{where}: {type(node).__name__} does not compile")

    def _values_only(self, module: _Module, node: nodes.Node, scope: _Scope, macro: bool) -> bool:
        """Whether ``node`` is made of constants, paths of ``values`` and pure filters of them."""
        if isinstance(node, nodes.Const):
            return type(node.value) in (str, int, float, bool, type(None))
        if isinstance(node, nodes.Getattr):
            base = node.node
            while isinstance(base, nodes.Getattr):
                base = base.node
            return (isinstance(base, nodes.Name) and base.name == "values"
                    and self.expr(module, base, scope, macro) == "v['values']")
        if isinstance(node, nodes.Filter):
            return (node.name in PURE_FILTERS and node.node is not None and node.dyn_args is None
                    and node.dyn_kwargs is None
                    and all(self._values_only(module, n, scope, macro)
                            for n in (node.node, *node.args, *(k.value for k in node.kwargs))))
        return False

    @staticmethod
    def _reads_only_values(macro: nodes.Macro) -> bool:
        """Whether a macro reads nothing but ``values``, its arguments and its own names,
        and calls only pure globals and filters (no macro): its text then depends on
        ``values`` and its arguments alone."""
        bound = {arg.name for arg in macro.args} | {n.name for n in macro.find_all(nodes.Name) if n.ctx == "store"}
        for n in macro.find_all(nodes.Name):
            if n.ctx == "load" and n.name not in bound and n.name != "values" and n.name not in PURE_GLOBALS:
                return False
        for call in macro.find_all(nodes.Call):
            if not (isinstance(call.node, nodes.Name) and call.node.name in PURE_GLOBALS
                    and call.node.name not in bound):
                return False
        return (all(f.name in PURE_FILTERS for f in macro.find_all(nodes.Filter))
                and all(t.name in BUILTIN_TESTS for t in macro.find_all(nodes.Test)))

    @classmethod
    def _worth_keeping(cls, macro: nodes.Macro) -> bool:
        """A macro of values only that calls a global or filter or loops: keeping its text pays
        (for one that only reads a path or two, looking the text up costs as much as making it)."""
        return cls._reads_only_values(macro) and any(
            True for _ in macro.find_all((nodes.Call, nodes.Filter, nodes.For)))

    def _kept_text(self, module: _Module, node: nodes.Filter, scope: _Scope, macro: bool, where: str) -> str:
        """A filter of values only: its text is computed once per values tree and kept.

        Such an expression gives the same result for the same tree, and counts no
        step; the render's table (``jinja_runtime.ValuesTexts``) keeps it when it is text.
        """
        self.in_kept_text = True
        try:
            code = self.filter_or_test(module, node, scope, macro, where)
        finally:
            self.in_kept_text = False
        self.texts += 1
        self.texts_used = True
        return f"(u if (u := x.get({self.texts})) is not None else x.keep({self.texts}, {code}))"

    def name(self, module: _Module, node: nodes.Name, scope: _Scope, macro: bool, where: str) -> str:
        name = node.name
        local = scope.find(name)
        if local is not None:
            return local
        if name in _SPECIAL:
            raise CompileError(f"{where}: {name!r} does not compile")
        outer: _Scope | None = scope
        while outer is not None:
            if name in outer.later:
                raise CompileError(f"{where}: {name!r} is read before it is set")
            outer = outer.parent
        if name in module.imports or name in module.macros:
            raise CompileError(f"{where}: {name!r} names a template or macro: it is only called")
        if macro and name in module.assigned:
            raise CompileError(f"{where}: a macro reading the template's own variable {name!r} does not compile")
        if name in GLOBALS:
            raise CompileError(f"{where}: global {name!r} is only called")
        return f"v[{name!r}]"

    def filter_or_test(self, module: _Module, node: nodes.Filter | nodes.Test, scope: _Scope, macro: bool,
                       where: str) -> str:
        if node.node is None or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise CompileError(f"{where}: this filter form does not compile")
        if isinstance(node, nodes.Filter):
            table, prefix, known = self.filters, "f", {**BUILTIN_FILTERS, **FILTERS}
            ref = f'FILTERS[{node.name!r}]' if node.name in FILTERS else f'BUILTIN_FILTERS[{node.name!r}]'
        else:
            table, prefix, known = self.tests, "t", BUILTIN_TESTS
            ref = f'BUILTIN_TESTS[{node.name!r}]'
        if node.name not in known:
            raise CompileError(f"{where}: {'filter' if prefix == 'f' else 'test'} {node.name!r} does not compile")
        table[node.name] = ref
        args = [self.expr(module, node.node, scope, macro)]
        args += [self.expr(module, a, scope, macro) for a in node.args]
        args += [f"{k.key}={self.expr(module, k.value, scope, macro)}" for k in node.kwargs]
        self.calls_used = True
        return f"k.{prefix}_{_ident(node.name)}({', '.join(args)})"

    def call(self, module: _Module, node: nodes.Call, scope: _Scope, macro: bool, where: str) -> str:
        if node.kwargs or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise CompileError(f"{where}: only positional arguments compile")
        args = [self.expr(module, a, scope, macro) for a in node.args]
        callee = node.node
        target: tuple[_Module, nodes.Macro] | None = None
        if isinstance(callee, nodes.Name) and scope.find(callee.name) is None:
            if callee.name in module.macros:
                target = (module, module.macros[callee.name])
            elif callee.name in GLOBALS:
                self.globals[callee.name] = f"GLOBALS[{callee.name!r}]"
                helper = "call_with_context" if callee.name in CONTEXT_GLOBALS else "call"
                fn = "g_" + _ident(callee.name)
                plain = ", ".join(["c", *args] if callee.name in CONTEXT_GLOBALS else args)
                self.globals_used = True
                # One step, then the call; through ``call`` (guarded) inside an abstract render.
                return f"((st() or {fn}({plain})) if q else {helper}({', '.join(['c', fn, *args])}))"
        elif (isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name)
              and callee.node.name in module.imports and scope.find(callee.node.name) is None):
            imported = self.modules[module.imports[callee.node.name]]
            if callee.attr in imported.macros:
                target = (imported, imported.macros[callee.attr])
        if target is None:
            raise CompileError(f"{where}: only calls of globals and macros compile")
        owner, called = target
        if not len(called.args) - len(called.defaults) <= len(args) <= len(called.args):
            raise CompileError(f"{where}: macro {called.name!r} called with {len(args)} arguments")
        if all(isinstance(a, nodes.Const) for a in node.args) and self._worth_keeping(called):
            # Its text depends on the values tree alone: kept per tree (jinja_runtime.kept_macro).
            self.texts += 1
            code = f"km({', '.join(['c', str(self.texts), self.macro_name(owner, called.name), *args])})"
            self.macro_calls.add(code)
            return code
        code = f"{self.macro_name(owner, called.name)}({', '.join(['c', *args])})"
        self.macro_calls.add(code)
        return code


_HEADER = '''"""The embedded Jinja templates compiled to Python by ``pyinject.render.jinja_aot``: do not edit.

Regenerate with ``python -m pyinject.render.jinja_aot`` after changing a template;
a test fails while this file is stale, and a run whose templates do not match
``SOURCES`` renders them with Jinja2 instead.
"""

from __future__ import annotations

from typing import Any, Callable

from pyinject.render.jinja_runtime import (
    BUILTIN_FILTERS,
    BUILTIN_TESTS,
    FILTERS,
    GLOBALS,
    RECORDERS,
    CompiledContext,
    call,
    call_with_context,
    concat,
    getattr_ as ga,
    getattr_path as gp,
    getitem as gi,
    output as out,
    watched,
)
from pyinject.render.jinja_values import kept_macro as km

'''


def generate(directory: Path, roots: Sequence[str] = ROOTS) -> str:
    """The source of the compiled module for the templates ``roots`` in ``directory``."""
    read: dict[str, bytes] = {}

    def load(file: str) -> str:
        read[file] = (directory / file).read_bytes()
        return read[file].decode("utf-8")

    lines = compile_sources(load, roots)
    meta = ["#: The template files compiled here, each with the hash of its contents.",
            "SOURCES: dict[str, str] = {"]
    meta += [f"    {name!r}: {source_hash(data)!r}," for name, data in sorted(read.items())]
    meta += ["}", ""]
    return _HEADER + "\n".join(meta + lines) + "\n"


def compile_sources(load: Callable[[str], str], roots: Sequence[str]) -> list[str]:
    """The Python lines of templates ``roots`` (``load(file)`` gives a template's text).

    Raises :class:`CompileError` for anything outside the compiled subset.
    """
    from pyinject.render.jinja_env import embedded_environment

    env = embedded_environment()
    return _Compiler(lambda file: env.parse(load(file), file, file)).compile(roots)


def main(argv: Sequence[str]) -> int:
    from pyinject.config.inject_config import templates_dir

    text = generate(Path(templates_dir()))
    if "--check" in argv:
        stale = not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text
        print(f"{OUTPUT.name} is {'stale' if stale else 'up to date'}", file=sys.stderr)
        return 1 if stale else 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
