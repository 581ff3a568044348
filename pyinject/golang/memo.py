"""Memoise text made from plain data, keyed by the data's exact encoding, in bounded tables.

Templates ask for the same encodings pod after pod (``toYaml`` of the same
values, ``protoToJSON`` of the same ProxyConfig).  :mod:`marshal`'s encoding is
the key: it accepts only the exact built-in types (anything else, a dict
subclass say, raises ValueError and the function simply runs) and two values
with the same encoding are the same data, types and key order included.
Version 2 writes equal values as equal bytes, however they share objects.

:class:`LazyTable` is the same idea for a table: each entry is built the first
time it is read, so a run pays only for the entries it uses.
"""

from __future__ import annotations

import functools
import marshal
from collections.abc import Callable, Iterable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is for mypy alone (start-up)
    from typing import Any, TypeVar

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
                hit: Result = marshal.loads(known) if fresh else known
                return hit
            result = func(*args)
            try:
                plain: Any = result
                kept = marshal.dumps(plain, 2) if fresh else result
            except ValueError:
                return result
            if len(table) >= limit:
                table.clear()
            table[key] = kept
            return result

        return memoised

    return decorate


class LazyTable(dict):  # type: ignore[type-arg]
    """A table whose keys are known up front and whose entries are built when first read.

    Reads answer exactly as the fully built table would: a key outside ``keys``
    is missing, any other is built once by ``build(key)`` and kept (so an entry
    must not depend on when it is built); iterating, ``len`` and the views
    build every entry first, in the order of ``keys``.
    """

    def __init__(self, keys: Iterable[Any], build: Callable[[Any], Any]) -> None:
        super().__init__()
        self._order = tuple(keys)
        self._keys = frozenset(self._order)
        self._build = build

    def __missing__(self, key: Any) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        value = self[key] = self._build(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def _full(self) -> dict[Any, Any]:
        return {key: self[key] for key in self._order}

    def __iter__(self) -> Iterator[Any]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def keys(self) -> Any:
        return self._full().keys()

    def values(self) -> Any:
        return self._full().values()

    def items(self) -> Any:
        return self._full().items()
