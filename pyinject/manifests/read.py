"""Multi-document YAML input: files, directories, stdin and https:// URLs, one document at a time.

Each document keeps its raw text, so documents injection does not touch can be
written back byte for byte, and its origin (file, index, first line), so errors
can point at it.  Nothing here holds more than one document in memory.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from pyinject.errors import InputError, Location
from pyinject.manifests.remote import check_url, fetch_text, is_url

#: File name endings read from a directory (kubectl's set, minus URLs).
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

STDIN = "-"


@dataclass(frozen=True)
class RawDocument:
    """One YAML document exactly as it stood in its source.

    ``separator`` is the ``---`` line that opened it (empty for a first document
    without one) plus any directives before it; ``body`` is everything after that
    line up to the next separator.  ``separator + body`` is the original text.
    """

    source: str  # file path as given, or "<stdin>"
    index: int  # 1-based position in its source
    line: int  # 1-based line where the document's text (separator included) starts
    separator: str
    body: str
    #: True for the first document of a source (needed to join several sources).
    first_in_source: bool = False

    @property
    def text(self) -> str:
        return self.separator + self.body

    def location(self, line_offset: int | None = None, col: int | None = None) -> Location:
        """Location of this document, or of a 0-based line inside its text."""
        line = self.line if line_offset is None else self.line + line_offset
        return Location(file=self.source, document=self.index, line=line, col=col)


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Expand ``-f`` arguments: directories become their manifests, recursively, sorted."""
    out: list[str] = []
    for path in paths:
        if path == STDIN:
            out.append(path)
            continue
        if is_url(path):
            check_url(path)
            out.append(path)
            continue
        if os.path.isdir(path):
            found = _walk_manifests(path)
            out.extend(found)
            continue
        if not os.path.exists(path):
            raise InputError("no such file or directory", Location(file=path))
        out.append(path)
    return out


def _walk_manifests(root: str) -> list[str]:
    found: list[str] = []

    def on_error(err: OSError) -> None:
        raise InputError(f"cannot read directory: {err.strerror}", Location(file=err.filename or root))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(MANIFEST_SUFFIXES):
                found.append(os.path.join(dirpath, name))
    found.sort()
    return found


def read_documents(paths: Iterable[str], stdin: IO[str] | None = None) -> Iterator[RawDocument]:
    """Yield every document of every source, in order, streaming."""
    for path in paths:
        if path == STDIN:
            stream = stdin if stdin is not None else sys.stdin
            yield from split_documents(stream, "<stdin>")
            continue
        if is_url(path):
            yield from split_documents(io.StringIO(fetch_text(path), newline=""), path)
            continue
        try:
            handle = open(path, encoding="utf-8", newline="")
        except IsADirectoryError:
            raise InputError("is a directory (directories are read only when named with -f)", Location(file=path)) from None
        except OSError as err:
            raise InputError(f"cannot open: {err.strerror}", Location(file=path)) from err
        with handle:
            try:
                yield from split_documents(handle, path)
            except UnicodeDecodeError as err:
                raise InputError(f"not UTF-8 text: {err.reason} at byte {err.start}", Location(file=path)) from err


def _is_separator(line: str) -> bool:
    """A ``---`` document start marker: at column 0, followed by blank or end."""
    return line.startswith("---") and (len(line) == 3 or line[3] in " \t\r\n")


def _is_end_marker(line: str) -> bool:
    return line.startswith("...") and (len(line) == 3 or line[3] in " \t\r\n")


def split_documents(stream: IO[str] | Iterable[str], source: str) -> Iterator[RawDocument]:
    """Split a YAML stream into raw documents without parsing it.

    Separators are ``---`` lines at column 0: inside a block scalar or a
    multi-line flow scalar, content is always indented, so such a line can only
    be a marker.  ``%`` directives and ``...`` end markers stay with the
    document they belong to.  Line endings (CRLF too) are kept as they are.
    """
    index = 0
    separator: list[str] = []
    body: list[str] = []
    body_line = 1
    lineno = 0
    pending_directives: list[str] = []
    after_end_marker = False
    first = True

    def flush() -> RawDocument:
        nonlocal index, first
        index += 1
        doc = RawDocument(source, index, body_line, "".join(separator), "".join(body), first)
        first = False
        return doc

    for line in stream:
        lineno += 1
        if _is_separator(line):
            if body or separator:
                yield flush()
            body_line = lineno - len(pending_directives)
            separator = pending_directives + [line]
            pending_directives = []
            body = []
            after_end_marker = False
            continue
        at_document_start = after_end_marker or (index == 0 and not separator and not body)
        if at_document_start and line.startswith("%"):
            # Directives belong to the document that the next "---" opens.
            pending_directives.append(line)
            continue
        if pending_directives:
            # Directives not followed by "---" (invalid, but keep the text).
            body.extend(pending_directives)
            pending_directives = []
        if not body and not separator:
            body_line = lineno
        body.append(line)
        if _is_end_marker(line):
            after_end_marker = True
    body.extend(pending_directives)
    if body or separator:
        yield flush()


def read_text(text: str, source: str = "<string>") -> list[RawDocument]:
    """Split an in-memory string (tests and small inputs)."""
    return list(split_documents(io.StringIO(text, newline=""), source))
