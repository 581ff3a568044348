"""Hooks for running a template on stand-in values: what an application may change, and where.

An application may put values of its own into a template's data that stand
for Go strings it does not want read (see ``pyinject.render.holes``).  The
engine knows nothing of them: a template executed with a :class:`Hooks`
object is compiled a second time (once per hooks object, kept beside the
ordinary compilation, so ordinary runs pay nothing) with these changes:

* every function call goes through :meth:`Hooks.call` (made once per call
  site, at compile time), and so does every method call of a Go-struct view;
* a printed value that is not a Go string is offered to :meth:`Hooks.text`
  first;
* the truth of a value that is not a bool, string, map or slice (``if``,
  ``with``, ``and``, ``or``) is :meth:`Hooks.truth`'s;
* a parameter of type ``string`` takes any value :meth:`Hooks.is_string` accepts.

Everything else the engine does to a value (field access, ``range``, type
checks) is unchanged: a stand-in that refuses them ends the run.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol


class Hooks(Protocol):
    """What an application supplies to run templates on its stand-in values."""

    def call(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """The function to call in place of ``fn`` (template function ``name``; "" for a method)."""
        ...

    def text(self, value: Any) -> str | None:
        """What a printed ``value`` writes; None for Go's own formatting."""
        ...

    def truth(self, value: Any) -> bool:
        """Go's truth of ``value``."""
        ...

    def is_string(self, value: Any) -> bool:
        """Whether ``value`` stands for a Go string (a ``string`` parameter takes it as it is)."""
        ...
