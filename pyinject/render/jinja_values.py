"""What the compiled templates compute from the values tree once, for every render that reads the same tree.

A run's pods share one values tree, never changed once the templates read it
(``golang.values.go_values``): the paths the templates read of it, the texts pure
filters make of those, and the text of macros that read nothing else are the
same for every pod.  ``jinja_runtime`` keeps one table of each kind per tree
(by identity); the compiled module (``jinja_compiled``, written by ``jinja_aot``)
reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from pyinject.render.jinja_runtime import CompiledContext


class ValuesPaths(dict):  # type: ignore[type-arg]
    """``values.a.b.c`` for one values tree, by path: each path read once, then looked up.

    The compiled templates read the same few paths of ``values`` in every render
    (and again in every macro).  A values tree is never changed once the templates
    read it (every pod of a run shares it, see ``golang.values.go_values``), so a
    path read once reads the same from then on: the table keeps the very object
    ``read`` (``jinja_runtime.getattr_path``) gave.  A read that fails is not kept,
    and fails again at the same place.  The keys are the paths the templates name:
    a bounded set.
    """

    __slots__ = ("tree", "read", "texts")

    def __init__(self, tree: Any, read: Callable[[Any, tuple[str, ...]], Any]) -> None:
        super().__init__()
        self.tree = tree
        #: ``getattr_path``: what the compiled templates read a path with.
        self.read = read
        #: Texts computed from the tree, by fold width (see ValuesTexts).
        self.texts: dict[float, ValuesTexts] = {}

    def texts_at(self, width: float) -> ValuesTexts:
        found = self.texts.get(width)
        if found is None:
            found = self.texts[width] = ValuesTexts()
        return found

    def __missing__(self, path: tuple[str, ...]) -> Any:
        found = self[path] = self.read(self.tree, path)
        return found


#: Filters whose result depends on their arguments alone (to_yaml's also on the fold width,
#: which keys the table of texts): an expression of them over values paths and constants
#: gives the same text for the same values tree (see :class:`ValuesTexts`).  ``join`` is
#: not one: it checks the render's output limit.
PURE_FILTERS = frozenset({"fallback", "goquote", "gostr", "istio_indent", "lower", "nindent", "omit_nil",
                          "to_yaml", "trim_suffix", "trunc_bytes"})


class ValuesTexts(dict):  # type: ignore[type-arg]
    """Texts the compiled templates computed from one values tree, by expression or call number.

    An expression of :data:`PURE_FILTERS` over paths of ``values`` and constants
    yields the same text each time for the same tree (it is never changed, see
    :class:`ValuesPaths`) at the same fold width: it is computed once and kept.
    Only text is kept (immutable; a kept macro's with its step count, see
    :func:`kept_macro`); any other result, or a failure, is computed again each time.  Abstract renders keep nothing (:data:`NO_TEXTS`): their
    filters go through the hole guards.
    """

    __slots__ = ()

    def keep(self, number: int, value: Any) -> Any:
        if type(value) is str:
            self[number] = value
        return value


#: Globals whose result depends on their arguments alone (a macro calling only these may be kept).
PURE_GLOBALS = frozenset({"go_eq", "go_ne", "value_or_default", "directory"})


def kept_macro(c: CompiledContext, number: int, macro: Callable[..., str], *args: Any) -> str:
    """A macro call that reads only values and constants: its text computed once per values tree.

    Its text is the same every time for the same tree (see :class:`ValuesTexts`),
    and so are the steps it counts: the first call counts them as it runs, later
    ones count as many again, so a budget sees the same steps at the same points.
    """
    texts = c.texts
    found = texts.get(number)
    if found is not None:
        text, steps = found
        if c.budget is not None:
            step = c.step
            for _ in range(steps):
                step()
        return text  # type: ignore[no-any-return]
    if not isinstance(texts, ValuesTexts):  # an abstract render's: nothing kept
        return macro(c, *args)
    real = c.step
    counted = 0

    def counting() -> None:
        nonlocal counted
        counted += 1
        real()

    c.step = counting
    try:
        text = macro(c, *args)
    finally:
        c.step = real
    texts[number] = (text, counted)
    return text


class NoTexts:
    """The table of an abstract render: nothing is found, nothing kept."""

    __slots__ = ()

    def get(self, number: int) -> Any:
        return None

    def keep(self, number: int, value: Any) -> Any:
        return value


NO_TEXTS = NoTexts()
