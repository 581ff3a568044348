"""Memoise text made from plain data, keyed by the data's exact encoding, in bounded tables.

Templates ask for the same encodings pod after pod (``toYaml`` of the same
values, ``protoToJSON`` of the same ProxyConfig).  :mod:`marshal`'s encoding is
the key: it accepts only the exact built-in types (anything else, a dict
subclass say, raises ValueError and the function simply runs) and two values
with the same encoding are the same data, types and key order included.
Version 2 writes equal values as equal bytes, however they share objects.
"""

from __future__ import annotations

import functools
import marshal
from collections.abc import Callable
from typing import Any, TypeVar, cast

Result = TypeVar("Result")


def by_data(limit: int, context: Callable[[], Any] | None = None, *,
            fresh: bool = False) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Decorate a pure function of plain data so equal arguments are answered from a table.

    ``context``, when given, reads the rest of what the result depends on (it
    becomes part of the key).  The table holds at most ``limit`` results and is
    emptied when full, so memory stays flat on any input.  Only results are
    kept: a call that raises raises again next time.  Results are shared, so
    they must be immutable (text), unless ``fresh``: then the table keeps a
    result's encoding and every call gets its own copy (a result marshal
    refuses is not kept).
    """

    def decorate(func: Callable[..., Result]) -> Callable[..., Result]:
        table: dict[bytes, Any] = {}

        @functools.wraps(func)
        def memoised(*args: Any) -> Result:
            try:
                key = marshal.dumps((args, context() if context is not None else None), 2)
            except ValueError:  # not plain data (or nested past marshal's limit)
                return func(*args)
            known = table.get(key)
            if known is not None:
                return cast(Result, marshal.loads(known) if fresh else known)
            result = func(*args)
            try:
                kept = marshal.dumps(cast(Any, result), 2) if fresh else result
            except ValueError:
                return result
            if len(table) >= limit:
                table.clear()
            table[key] = kept
            return result

        return memoised

    return decorate
