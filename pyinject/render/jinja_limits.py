"""The Jinja2 sandbox's bounds: operators, globals and filters that could build huge values, counted and capped.

Jinja's own sandbox stops attribute walks but not work: ``9**(9**9)``,
``'x' * 10**9``, ``lipsum(n=10**7)`` or nested ``range`` loops run for minutes or
exhaust memory.  Each of these asks the current render's budget
(``pyinject.sandbox.limits``) before it builds anything.
"""

from __future__ import annotations

import math
import operator
import re
from typing import Any, Callable, Iterator

from jinja2 import filters as jinja_filters
from jinja2.sandbox import safe_range
from jinja2.utils import generate_lorem_ipsum

from pyinject.sandbox import limits

#: Operators the sandbox routes through :func:`call_binop`.
INTERCEPTED_BINOPS = frozenset({"*", "**", "+", "%"})
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "+": operator.add,
    "%": operator.mod,
}
_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _digits(base: int, exponent: int) -> int:
    """About how many decimal digits ``base ** exponent`` has."""
    if abs(base) <= 1:
        return 1
    return int(exponent * math.log10(abs(base))) + 1


def call_binop(op: str, left: Any, right: Any) -> Any:
    """``left OP right``, refusing results larger than the output limit."""
    if op == "**" and _is_int(left) and _is_int(right) and right > 0:
        limits.allow_size(_digits(left, right), "the result of **")
    elif op == "*":
        if isinstance(left, (str, list, tuple)) and _is_int(right):
            limits.allow_size(len(left) * max(right, 0), "the result of *")
        elif isinstance(right, (str, list, tuple)) and _is_int(left):
            limits.allow_size(len(right) * max(left, 0), "the result of *")
        elif _is_int(left) and _is_int(right):
            limits.allow_size((left.bit_length() + right.bit_length()) // 3, "the result of *")
    elif op == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        limits.allow_size(len(left) + len(right), "the result of +")
    elif op == "%" and isinstance(left, str):
        _check_format(left, right)
    return _BINOPS[op](left, right)


def _check_format(text: str, args: Any) -> None:
    """``%`` formatting: no field width or precision past the output limit."""
    values = list(args) if isinstance(args, tuple) else [args]
    starred = iter(v for v in values if _is_int(v))
    for match in _WIDTH.finditer(text):
        for spec in match.groups():
            if spec is None:
                continue
            width = next(starred, 0) if spec == "*" else int(spec)
            limits.allow_size(abs(width), "a % format field")


class CountedRange:
    """``range`` whose iterations count as steps and whose length is capped."""

    def __init__(self, *args: int) -> None:
        self._range = safe_range(*args)
        limits.allow_items(len(self._range), "range")

    def __iter__(self) -> Iterator[int]:
        budget = limits.current()
        for i in self._range:
            if budget is not None:
                budget.count_step()
            yield i

    def __len__(self) -> int:
        return len(self._range)

    def __repr__(self) -> str:
        return repr(self._range)


def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's ``lipsum``, refusing more text than the output limit."""
    limits.allow_size(max_chars(n, max), "the result of lipsum")
    return str(generate_lorem_ipsum(n, html, min, max))


def max_chars(paragraphs: int, words: int) -> int:
    return max(paragraphs, 0) * max(words, 0) * 16


def _center(value: str, width: int = 80) -> str:
    limits.allow_size(max(width, len(value)), "the result of center")
    return str(jinja_filters.do_center(value, width))


def _replace(eval_ctx: Any, s: str, old: str, new: str, count: int | None = None) -> str:
    text = str(s)
    hits = text.count(str(old)) if str(old) else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    limits.allow_size(len(text) + hits * max(len(str(new)) - len(str(old)), 0), "the result of replace")
    return str(jinja_filters.do_replace(eval_ctx, s, old, new, count))


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_format(str(value), tuple(args) or kwargs)
    return str(jinja_filters.do_format(value, *args, **kwargs))


def _join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    items = list(value)
    limits.allow_size(sum(len(str(i)) for i in items) + len(d) * len(items), "the result of join")
    return str(jinja_filters.do_join(eval_ctx, items, d, attribute))


def _indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    pad = width if isinstance(width, str) else " " * max(width, 0) if isinstance(width, int) else ""
    limits.allow_size(len(str(s)) + len(pad) * (str(s).count("\n") + 1), "the result of indent")
    return str(jinja_filters.do_indent(s, width, first, blank))


_replace.jinja_pass_arg = jinja_filters.do_replace.jinja_pass_arg  # type: ignore[attr-defined]
_join.jinja_pass_arg = jinja_filters.do_join.jinja_pass_arg  # type: ignore[attr-defined]

#: Jinja's filters that can multiply their input, replaced by bounded ones.
BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _center,
    "replace": _replace,
    "format": _format,
    "join": _join,
    "indent": _indent,
}
#: Jinja's globals that can loop or build text, replaced by bounded ones.
BOUNDED_GLOBALS: dict[str, Any] = {"range": CountedRange, "lipsum": lipsum}
