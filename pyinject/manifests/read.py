"""Multi-document YAML input: files, directories, stdin and https:// URLs, one document at a time.

Each document keeps its raw text, so documents injection does not touch can be
written back byte for byte, and its origin (file, index, first line), so errors
can point at it.  Nothing here holds more than one document in memory.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

from pyinject.errors import InputError, Location
from pyinject.records import dataclass

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


def is_url(path: str) -> bool:
    """Whether ``-f`` names a URL (fetched by :mod:`pyinject.manifests.remote`) rather than a path."""
    return path.startswith(("https://", "http://"))


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Expand ``-f`` arguments: directories become their manifests, recursively, sorted."""
    out: list[str] = []
    for path in paths:
        if path == STDIN:
            out.append(path)
            continue
        if is_url(path):
            from pyinject.manifests.remote import check_url  # urllib and ssl only when a URL is named

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


def empty_directories(paths: Iterable[str]) -> list[str]:
    """The directories among ``paths`` that hold no manifest at any depth (each walk stops at the first)."""
    empty: list[str] = []

    def unreadable(err: OSError) -> None:
        raise err  # not known to be empty: the walk that reads it will say what is wrong

    for path in paths:
        if path == STDIN or not os.path.isdir(path):
            continue
        try:
            if not any(name.endswith(MANIFEST_SUFFIXES) for _, _, names in os.walk(path, onerror=unreadable) for name in names):
                empty.append(path)
        except OSError:
            continue
    return empty


def _walk_manifests(root: str) -> list[str]:
    found: list[str] = []

    def on_error(err: OSError) -> None:
        raise InputError(f"cannot read directory: {err.strerror}", Location(file=err.filename or root))

    from pyinject.manifests.files import is_staging_dir

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        # A run's staging directory holds no manifests of the user's.
        dirnames[:] = sorted(d for d in dirnames if not is_staging_dir(d))
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
            strict = strict_utf8(stream)
            try:
                yield from split_documents(strict, "<stdin>")
            except UnicodeError as err:
                raise not_utf8(err, "<stdin>") from err
            finally:
                if strict is not stream:
                    strict.detach()  # type: ignore[attr-defined]  # leave stdin's buffer open
            continue
        if is_url(path):
            from pyinject.manifests.remote import fetch_text

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
                raise not_utf8(err, path) from err


def strict_utf8(stream: IO[str]) -> IO[str]:
    """``stream`` decoded as strict UTF-8, whatever the locale made of the process's stdin.

    Python decodes stdin with the locale's encoding, and under the C locale
    with ``surrogateescape``, which lets bytes that are not UTF-8 through as
    lone surrogates.  Read the bytes underneath instead, when there are any.
    """
    raw = getattr(stream, "buffer", None)
    if raw is None:
        return stream
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")


def not_utf8(err: UnicodeError, source: str) -> InputError:
    if isinstance(err, UnicodeDecodeError):
        return InputError(f"not UTF-8 text: {err.reason} (byte 0x{err.object[err.start]:02x})", Location(file=source))
    return InputError("not UTF-8 text", Location(file=source))


def _is_separator(line: str) -> bool:
    """A ``---`` document start marker: at column 0, followed by blank or end."""
    return line.startswith("---") and (len(line) == 3 or line[3] in " \t\r\n")


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


#: The first characters of a ``---`` separator, a ``%`` directive and a ``...`` end marker.
_MARKER_STARTS = frozenset("-%.")


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

    def flush() -> Iterator[RawDocument]:
        nonlocal index, first
        text = "".join(body)
        # JSON objects one after another (one per line, or pretty-printed) are a
        # document each, as kubectl reads them; YAML would see one invalid document.
        parts = split_json_stream(text) if not separator else None
        line = body_line
        for part in parts or [text]:
            index += 1
            yield RawDocument(source, index, line, "".join(separator), part, first)
            first = False
            line += part.count("\n")

    for line in stream:
        lineno += 1
        if line[:1] not in _MARKER_STARTS and not pending_directives:
            # Most lines: no separator, directive or end marker can start with anything else.
            if not body and not separator:
                body_line = lineno
            body.append(line)
            continue
        if _is_separator(line):
            if index == 0 and not separator and body and all(_is_blank_or_comment(b) for b in body):
                # Comments before the first "---" (a license header, a note) open the
                # first document; they are not a document of their own.
                separator = body + [line]
                body = []
                continue
            if body or separator:
                yield from flush()
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
        yield from flush()


_JSON_OBJECTS_MEET = r"\}\s*\{"  # compiled on first use (re's cache)


def split_json_stream(text: str) -> list[str] | None:
    """``text`` cut into its JSON objects when it is two or more of them back to back, else None.

    Each part keeps the whitespace before it, so the parts join back into ``text``.
    """
    start = len(text) - len(text.lstrip())
    if not text.startswith("{", start) or not re.search(_JSON_OBJECTS_MEET, text):
        return None
    decoder = json.JSONDecoder()
    parts: list[str] = []
    begin = 0
    pos = start
    try:
        while pos < len(text):
            _, end = decoder.raw_decode(text, pos)
            rest = len(text) - len(text[end:].lstrip())
            if rest < len(text) and text[rest] != "{":
                return None
            # The line break after an object stays with it.
            cut = text.find("\n", end, rest)
            cut = rest if cut < 0 else cut + 1
            parts.append(text[begin:cut])
            begin, pos = cut, rest
    except ValueError:
        return None
    if begin < len(text):
        parts[-1] += text[begin:]
    return parts if len(parts) > 1 else None


def read_text(text: str, source: str = "<string>") -> list[RawDocument]:
    """Split an in-memory string (tests and small inputs)."""
    return list(split_documents(io.StringIO(text, newline=""), source))
