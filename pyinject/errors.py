"""Exception hierarchy and exit codes; cli.py alone turns these into text."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable
from typing import Any

from pyinject.records import dataclass, replace


class ExitCode(enum.IntEnum):
    """Process exit codes, decided in one place (cli.py) by exception type."""

    OK = 0
    #: Bad input or config: YAML, document shape, values, annotations, templates.
    USER_ERROR = 1
    #: ``--check``: some file would change (stderr says which; errors say ``error:``).
    WOULD_CHANGE = 1
    #: Bad command line (click's own convention).
    USAGE = 2
    #: Anything that is not a PyinjectError: a bug in pyinject.
    INTERNAL = 3


@dataclass(frozen=True)
class Location:
    """Where an error happened, as precisely as it is known."""

    file: str | None = None
    document: int | None = None  # 1-based index in the stream
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    workload: str | None = None  # "Kind ns/name"

    def describe(self) -> str:
        """``FILE: document N (line L, col C, Kind ns/name):``, leaving out what is unknown."""
        details: list[str] = []
        if self.line is not None:
            details.append(f"line {self.line}" + (f", col {self.col}" if self.col is not None else ""))
        if self.workload:
            details.append(self.workload)
        where: list[str] = []
        if self.file is not None:
            where.append(f"{self.file}:")
        if self.document is not None:
            where.append(f"document {self.document}" + (f" ({', '.join(details)})" if details else "") + ":")
        elif details:
            where.append(f"({', '.join(details)}):")
        return " ".join(where)


class PyinjectError(Exception):
    """Base of every error the user can fix; carries a Location."""

    exit_code = ExitCode.USER_ERROR

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()

    def with_location(self, **fields: object) -> PyinjectError:
        """Fill in location fields that are still unknown; returns self."""
        current = self.location
        updates = {k: v for k, v in fields.items() if getattr(current, k) is None}
        self.location = replace(current, **updates)  # type: ignore[arg-type]
        return self

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{where} {self.message}" if where else self.message


class InputError(PyinjectError):
    """A manifest that cannot be read: YAML syntax, document shape, missing file."""


class OutputError(PyinjectError):
    """The output cannot be written: a full disk, a read-only file, a closed stream."""


class ConfigError(PyinjectError):
    """Bad injection config, values, mesh config, flag value or annotation."""


class UsageError(PyinjectError):
    """A command line that cannot work (conflicting or invalid flags)."""

    exit_code = ExitCode.USAGE


class TemplateError(PyinjectError):
    """An injection template that cannot be parsed or executed."""


class UndecodableRendering(TemplateError):
    """A rendered Pod fragment with a value Go cannot decode into its field (``data``: the fragment as read)."""

    def __init__(self, message: str, data: dict[str, Any]) -> None:
        super().__init__(message)
        self.data = data


class TemplateNotFound(TemplateError):
    """A template name the injection config does not have (Istio's wording, listing what it has)."""

    def __init__(self, name: str, have: Iterable[str]) -> None:
        listed = ", ".join(sorted(have)) or "none"
        super().__init__(f'requested template "{name}" not found; have {listed}')


class TemplateSyntaxError(TemplateError):
    """The template does not parse."""


class TemplateExecError(TemplateError):
    """The template parsed but failed while running."""


class MergeError(PyinjectError):
    """The rendered sidecar cannot be merged into the pod spec."""


#: How many characters of a value an error message shows.
_PREVIEW = 40


def describe_value(value: Any) -> str:
    """``a string ("x")``, ``a list``, ``a number (1)``... for messages; always one line."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, (int, float)):
        return f"a number ({preview_value(value)})"
    if isinstance(value, str):
        return f"a string ({preview_value(value)})"
    return type(value).__name__


def preview_value(value: Any) -> str:
    """A short, one-line rendering of a scalar (newlines and control characters escaped)."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        text = "nan" if value != value else "inf" if value > 0 else "-inf"
    elif isinstance(value, str):
        shown = json.dumps(value[:_PREVIEW], ensure_ascii=False)
        return shown if len(value) <= _PREVIEW else shown[:-1] + '..."'
    else:
        text = str(value)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 3] + "..."
