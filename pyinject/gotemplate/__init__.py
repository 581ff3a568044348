"""Go text/template for Python: parse once, execute many times, Go's output byte for byte.

Supported: text and actions; comments; ``{{-``/``-}}`` trimming; string, raw
string, char, bool, nil and number constants (int, float, hex/octal/binary,
underscores, imaginary); pipelines and parenthesised pipelines; fields and
chained fields on maps and Go-struct views; variables (``$``, ``:=``, ``=``,
Go's scoping); ``if``/``else if``/``else``; ``range`` over slices, maps (sorted
keys) and integers, with ``break``, ``continue`` and ``else``;
``with``/``else with``/``else``; ``define``, ``template``, ``block``; Go's
builtin functions (``funcs.builtins``) and any function table following the
calling convention of ``funcs``; ``missingkey=default`` semantics (a missing
map key prints ``<no value>``). Errors follow Go's message format and raise
``GoTemplateSyntaxError`` (parse) or ``GoTemplateExecError`` (execute), both
``GoTemplateError`` (``gotemplate.errors``).

The engine imports nothing outside ``gotemplate/``, ``golang/`` and
``pyinject.records`` (its node classes), with one exception: :func:`render`, the entry point of the Go-template conformance
corpus, runs with sprig's functions (what Istio's templates have) and loads
them when called.  Applications assemble their own table and call
:func:`parse`.

Custom action delimiters (Go's ``Delims``) are a ``parse`` argument.
Not supported: other missingkey options, channels and range over functions.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping

if TYPE_CHECKING:
    from pyinject.gotemplate import parser
    from pyinject.gotemplate.budget import Budget
    from pyinject.gotemplate.compiler import Program
    from pyinject.gotemplate.fold import Effects
    from pyinject.gotemplate.functions import FuncSig
    from pyinject.gotemplate.hooks import Hooks

# The engine (parser, executor, function tables) is imported on first use:
# Jinja-only runs import this package just for gofmt/values and should not
# pay for loading the engine at start-up.

__all__ = ["Template", "parse", "render"]


class Template:
    """A parsed template set; ``execute`` renders the named template against data."""

    def __init__(self, name: str, trees: Mapping[str, parser.Tree], funcs: Mapping[str, FuncSig],
                 program: Program | None = None,
                 effects: tuple[frozenset[str], frozenset[str]] | None = None):
        self.name = name
        self._trees = trees
        self._funcs = funcs
        # The table's pure and changing functions (pyinject.gotemplate.fold), if declared.
        self._effects = effects
        # The set compiled to closures, made on the first execute and shared
        # with the templates lookup() returns.
        self._program = program
        # The set compiled with stand-in hooks (pyinject.gotemplate.hooks), and for which hooks.
        self._hooked: tuple[Hooks, Program] | None = None

    def _compiled(self) -> Program:
        if self._program is None:
            from pyinject.gotemplate.compiler import Program

            self._program = Program(self._trees, self._funcs, effects=self._effects)
        return self._program

    def execute(self, data: Any, budget: Budget | None = None, hooks: Hooks | None = None) -> str:
        """Render this template; data uses the value model of ``values``.

        ``budget`` (see :mod:`pyinject.gotemplate.budget`) bounds the work; None: unbounded.
        ``hooks`` runs it on stand-in values (:mod:`pyinject.gotemplate.hooks`).
        """
        from pyinject.gotemplate.execute import execute

        program = self._compiled() if hooks is None else self._compiled_with(hooks)
        return execute(self._trees, self._funcs, self.name, data, budget, program)

    def _compiled_with(self, hooks: Hooks) -> Program:
        if self._hooked is None or self._hooked[0] is not hooks:
            from pyinject.gotemplate.compiler import Program

            self._hooked = (hooks, Program(self._trees, self._funcs, hooks, self._effects))
        return self._hooked[1]

    def lookup(self, name: str) -> Template | None:
        """The template `name` defined in this set (by define or block), or None."""
        if name not in self._trees:
            return None
        return Template(name, self._trees, self._funcs, self._compiled(), self._effects)

    def template_names(self) -> list[str]:
        """Names of all templates in this set, sorted."""
        return sorted(self._trees)


def parse(
    text: str, name: str = "t", funcs: Mapping[str, Callable[..., Any]] | None = None,
    delims: tuple[str, str] = ("", ""), effects: Effects | None = None,
) -> Template:
    """Parse `text` as template `name` with Go's builtins plus `funcs` (which override them).

    ``delims`` replaces the ``{{`` / ``}}`` action delimiters, as Go's ``Template.Delims`` does.
    ``effects`` declares which of ``funcs`` are pure and which change an argument: with it,
    pipelines reading only run-constant data are evaluated once (:mod:`pyinject.gotemplate.fold`).
    """
    from pyinject.gotemplate import parser
    from pyinject.gotemplate.builtins import BUILTIN_FUNCS
    from pyinject.gotemplate.functions import Signatures, function_table

    table = function_table(BUILTIN_FUNCS, funcs or {})
    sigs = Signatures(table)
    trees = parser.parse(text, name, table.__contains__, delims=delims)
    return Template(name, trees, sigs, effects=None if effects is None else effects.resolve(table, BUILTIN_FUNCS))


def _sprig_table() -> Mapping[str, Callable[..., Any]]:
    # Imported on first use: Istio's renderer and funcs="none" never need it.
    from pyinject.sprig.table import SPRIG_FUNCS

    return SPRIG_FUNCS


def render(template: str, data: Any, *, funcs: str = "sprig") -> str:
    """Parse and execute `template` over JSON-decoded `data` (numbers become float64).

    ``funcs="sprig"`` gives Go's builtins plus sprig, as Istio's injector has;
    ``funcs="none"`` only Go's builtins.
    """
    if funcs == "sprig":
        table = _sprig_table()
    elif funcs == "none":
        table = {}
    else:
        raise ValueError(f"unknown function set {funcs!r}; have 'sprig', 'none'")
    from pyinject.golang.values import to_go

    return parse(template, "t", table).execute(to_go(data))
