"""Exception hierarchy and exit codes; cli.py alone turns these into text."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


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


class TemplateSyntaxError(TemplateError):
    """The template does not parse."""


class TemplateExecError(TemplateError):
    """The template parsed but failed while running."""


class MergeError(PyinjectError):
    """The rendered sidecar cannot be merged into the pod spec."""
