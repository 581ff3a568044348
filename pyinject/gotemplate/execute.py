"""Run a template of a parsed set against data: the entry point of execution.

The set is compiled once into closures (:mod:`pyinject.gotemplate.compiler`),
kept in a :class:`~pyinject.gotemplate.compiler.Program`; each run gets its own
:class:`~pyinject.gotemplate.state.State`, so a template can be executed any
number of times.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Mapping

from pyinject.golang.values import MISSING
from pyinject.gotemplate.budget import Budget
from pyinject.gotemplate.compiler import Program
from pyinject.gotemplate.functions import FuncSig
from pyinject.gotemplate.parser import Tree
from pyinject.gotemplate.state import MAX_EXEC_DEPTH, State

__all__ = ["MAX_EXEC_DEPTH", "execute"]

#: Python frames allowed while executing: about 2000 nested {{template}} calls.
_RECURSION_LIMIT = 20000


def execute(
    trees: Mapping[str, Tree], funcs: Mapping[str, FuncSig], name: str, data: Any,
    budget: Budget | None = None, program: Program | None = None,
) -> str:
    """Run template `name` of a tree set against `data`; returns the output text.

    With a ``budget``, steps, time and output size are bounded by its limits.
    ``program`` keeps the compiled set between runs (one is made if None).
    """
    if program is None:
        program = Program(trees, funcs)
    tree = trees[name]
    state = State(trees, funcs, tree, budget)
    dot = MISSING if data is None else data
    state.vars.append(["$", dot])
    # Folds of run-constant pipelines (pyinject.gotemplate.fold) when the data declares constants.
    run = None if program.folder is None else program.folder.folds_for(
        data, None if budget is None else budget.limits)
    if run is not None:
        state.folds = run[0]
        body = program.entry(name, run[1])
    else:
        body = program.body(name)
    # Each nested {{template}} costs a handful of Python frames; allow some
    # thousands of levels (Go allows 100000) while the template runs.
    old_limit = sys.getrecursionlimit()
    if old_limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        body(state, dot)
    except RecursionError:
        state.node = None
        state.errorf("exceeded maximum template depth (Python recursion limit)")
    finally:
        if old_limit < _RECURSION_LIMIT:
            sys.setrecursionlimit(old_limit)
    text = "".join(state.out)
    if budget is not None:
        budget.allow_size(len(text), "the output")
    # An ASCII text (the common case, known without a scan) holds no raw byte.
    if not text.isascii() and _RAW_BYTE.search(text):
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
