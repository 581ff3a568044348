"""What rendering one template may spend: time, steps and output size, and the budget that counts them.

A step is one function call or one loop iteration.  The engines count steps
inline and call :meth:`Budget.check` every ``CHECK_EVERY`` steps, which is when
the clock is read; functions that build large strings or lists (``repeat``,
``until``, ``b64enc``, Jinja's ``*`` and ``**``) call :meth:`Budget.allow_size`
before they build.  On the main thread a timer also interrupts a render that
runs past its time without counting steps (a Jinja loop over a long string).
"""

from __future__ import annotations

import _thread
import contextvars
import re
import time
from types import FrameType

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from typing import Any
else:
    # The functions signal wraps, without the enums it builds on import (start-up), and
    # without getsignal's try at an enum member on every render's handler check (a failed
    # enum lookup costs more than the rest of a render's bookkeeping).  A handler function
    # comes back the same either way.
    try:
        import _signal as signal
    except ImportError:  # an interpreter without the C module
        import signal

from pyinject.errors import TemplateExecError
from pyinject.gotemplate.budget import CHECK_EVERY  # the Go engine counts in these strides too
from pyinject.records import dataclass


@dataclass(frozen=True)
class RenderLimits:
    """Bounds for one template render; 0 means no bound.

    The defaults are far above what any stock Istio template needs (a sidecar
    render takes a few milliseconds, some thousand steps and some kilobytes).
    """

    seconds: float = 10.0
    steps: int = 1_000_000
    output: int = 16 * 1024 * 1024

    def describe(self) -> str:
        return f"time={_plain(self.seconds)}s, steps={self.steps}, output={format_size(self.output)}"


#: ``--template-limits`` keys, in the order they are documented.
LIMIT_KEYS = ("time", "steps", "output")
_SIZE = r"(?i)^(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)$"  # compiled on first use (re's cache)
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1024**2, "mb": 1000**2, "mib": 1024**2,
          "g": 1024**3, "gb": 1000**3, "gib": 1024**3}


class TemplateLimitError(TemplateExecError):
    """A template render went past one of its limits."""


def parse_limits(specs: tuple[str, ...] | list[str], base: RenderLimits | None = None) -> RenderLimits:
    """``["time=30", "steps=5000000,output=64MiB"]`` over ``base`` (the defaults).

    Raises ValueError with a sentence for the user.
    """
    fields: dict[str, Any] = {}
    for spec in specs:
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, text = item.partition("=")
            key = key.strip().lower()
            text = text.strip()
            if not sep or key not in LIMIT_KEYS:
                raise ValueError(f"{item!r} is not KEY=VALUE with KEY one of {', '.join(LIMIT_KEYS)}")
            try:
                if key == "time":
                    seconds = float(text.removesuffix("s"))
                    if not seconds >= 0 or seconds == float("inf"):
                        raise ValueError
                    fields["seconds"] = seconds
                elif key == "steps":
                    fields["steps"] = int(text.replace("_", ""))
                    if fields["steps"] < 0:
                        raise ValueError
                else:
                    match = re.match(_SIZE, text)
                    if not match:
                        raise ValueError
                    fields["output"] = int(match.group(1)) * _UNITS[match.group(2).lower()]
            except ValueError:
                raise ValueError(f"{item!r}: {text!r} is not a valid {key} (e.g. time=30, steps=5000000, "
                                 "output=64MiB; 0 means no limit)") from None
    base = base or RenderLimits()
    return RenderLimits(**{**base.__dict__, **fields})


def format_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


class Budget:
    """The running count of one render against its limits."""

    __slots__ = ("limits", "template", "steps", "deadline", "next_check")

    def __init__(self, limits: RenderLimits, template: str) -> None:
        self.limits = limits
        self.template = template
        self.steps = 0
        self.next_check = CHECK_EVERY
        self.deadline = time.monotonic() + limits.seconds if limits.seconds else 0.0

    @property
    def step_limit(self) -> int:
        return self.limits.steps or (1 << 62)

    def count_step(self) -> None:
        """One step, for engines that do not keep their own count (Jinja2)."""
        self.steps += 1
        if self.steps >= self.next_check:
            self.next_check = self.steps + CHECK_EVERY
            self.check(self.steps)

    def check(self, steps: int) -> None:
        """Called every CHECK_EVERY steps with the engine's count."""
        self.steps = steps
        if self.limits.steps and steps > self.limits.steps:
            self.exceeded(f"more than {self.limits.steps} steps (loop iterations and function calls)", "steps")
        if self.deadline and time.monotonic() > self.deadline:
            self.exceeded(f"ran for more than {_plain(self.limits.seconds)} s", "time")

    def allow_size(self, size: int, what: str) -> None:
        """Refuse to build a value (or output) of ``size`` characters past the output limit."""
        if self.limits.output and size > self.limits.output:
            self.exceeded(f"{what} would be {size} characters, over the output limit of "
                          f"{format_size(self.limits.output)}", "output")

    def allow_items(self, count: int, what: str) -> None:
        """Refuse to build a list longer than the step limit (it could not be walked anyway)."""
        if self.limits.steps and count > self.limits.steps:
            self.exceeded(f"{what} of {count} items would be longer than the step limit of "
                          f"{self.limits.steps}", "steps")

    def exceeded(self, why: str, key: str) -> None:
        raise TemplateLimitError(
            f"template {self.template}: {why}; raise it with --template-limits {key}=... if the template "
            "really needs it")


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("pyinject_budget", default=None)


def current() -> Budget | None:
    """The budget of the render in progress, or None outside one (library use)."""
    return _CURRENT.get()


def allow_size(size: int, what: str) -> None:
    """:meth:`Budget.allow_size` on the current budget, if any."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.allow_size(size, what)


def allow_items(count: int, what: str) -> None:
    """:meth:`Budget.allow_items` on the current budget, if any."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.allow_items(count, what)


def rendering(template: str, limits: RenderLimits | None) -> _Rendering:
    """Run one render under ``limits`` (None: unbounded, the library default)::

        with rendering(name, limits) as budget:   # budget is None when unbounded
            ...
    """
    return _Rendering(template, limits)


class _Rendering:
    """The context of one render: the current budget and its timer (a class: cheaper than a generator)."""

    __slots__ = ("budget", "token", "armed")

    def __init__(self, template: str, limits: RenderLimits | None) -> None:
        self.budget = Budget(limits, template) if limits is not None else None

    def __enter__(self) -> Budget | None:
        if self.budget is not None:
            self.token = _CURRENT.set(self.budget)
            self.armed = _arm_timer(self.budget)
        return self.budget

    def __exit__(self, *exc: object) -> None:
        if self.budget is not None:
            _disarm_timer(self.armed)
            _CURRENT.reset(self.token)


#: The thread that installed the handler: the main thread, the only one ``signal.signal`` accepts.
_HANDLER_INSTALLED: list[int] = []


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    budget = _CURRENT.get()
    if budget is not None and budget.deadline and time.monotonic() > budget.deadline:
        budget.exceeded(f"ran for more than {_plain(budget.limits.seconds)} s", "time")


def _arm_timer(budget: Budget) -> bool:
    """A SIGALRM shortly after the deadline, on the main thread, unless SIGALRM is someone else's.

    The handler is installed once per process (installing one costs far more than
    a render's own bookkeeping) and does nothing outside a render.
    """
    if not budget.deadline or not hasattr(signal, "setitimer"):
        return False
    if not _HANDLER_INSTALLED:
        if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None):
            return False
        try:
            signal.signal(signal.SIGALRM, _on_alarm)
        except ValueError:  # not the main thread
            return False
        _HANDLER_INSTALLED.append(_thread.get_ident())
    elif _thread.get_ident() != _HANDLER_INSTALLED[0] or signal.getsignal(signal.SIGALRM) is not _on_alarm:
        return False
    # A little after the deadline, so the engines' own checks usually speak first.
    signal.setitimer(signal.ITIMER_REAL, budget.limits.seconds + 0.25)
    return True


def _disarm_timer(armed: bool) -> None:
    if armed:
        signal.setitimer(signal.ITIMER_REAL, 0)
