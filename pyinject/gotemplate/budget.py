"""What the engine needs of a work budget: a step check and a size check.

The engine counts steps (function calls, range iterations) inline and calls
``check`` every :data:`CHECK_EVERY` of them; before keeping a large string it calls
``allow_size``. Either may raise to stop the render. The caller supplies the
budget (pyinject's is :class:`pyinject.sandbox.limits.Budget`); the engine knows
only this shape.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:  # typing is for mypy alone (start-up): at run time these shapes are plain classes
    Protocol = object

#: Steps between two calls of :meth:`Budget.check`.
CHECK_EVERY = 4096


class SizeLimits(Protocol):
    @property
    def output(self) -> int:
        """The largest string a render may build, in characters; 0: no bound."""
        ...


class Budget(Protocol):
    @property
    def limits(self) -> SizeLimits: ...

    def check(self, steps: int) -> None:
        """Called every CHECK_EVERY steps with the step count so far."""

    def allow_size(self, size: int, what: str) -> None:
        """Called before ``what`` of ``size`` characters is kept."""
