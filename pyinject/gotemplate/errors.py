"""Template errors carrying Go's message format and the template position.

The engine's own hierarchy: it knows nothing of the application that embeds
it, which wraps these into its own errors (pyinject's ``render/go.py`` does).
"""

from __future__ import annotations


class GoTemplateError(Exception):
    """A template failed to parse or execute; ``str()`` is Go's message."""


class GoTemplateSyntaxError(GoTemplateError):
    """``template: NAME:LINE: MESSAGE`` from parsing."""

    def __init__(self, message: str, *, name: str, line: int) -> None:
        super().__init__(message)
        self.template_name = name
        self.template_line = line


class GoTemplateExecError(GoTemplateError):
    """``template: NAME:LINE:COL: executing "T" at <NODE>: MESSAGE`` from executing."""

    def __init__(
        self, message: str, *, name: str = "", line: int = 0, col: int = 0, reason: str = ""
    ) -> None:
        super().__init__(message)
        self.template_name = name
        self.template_line = line
        self.template_col = col
        #: The bare message without the position prefix, e.g. "error calling index: ...".
        self.reason = reason or message
