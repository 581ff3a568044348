"""Tell a ResourceList input from manifests by reading only its start, leaving stdin replayable."""

from __future__ import annotations

import os
from collections.abc import Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

from pyinject.model import Options

#: How much of an input is read to tell a ResourceList from manifests.
PEEK_BYTES = 64 * 1024


class Replay:
    """A text stream that gives back lines already read from ``stream``, then the rest of it."""

    def __init__(self, lines: list[str], stream: IO[str]) -> None:
        self._lines = lines
        self._stream = stream

    def __iter__(self) -> Iterator[str]:
        while self._lines:
            yield self._lines.pop(0)
        yield from self._stream

    def read(self) -> str:
        head, self._lines = "".join(self._lines), []
        return head + self._stream.read()

    def isatty(self) -> bool:
        return False


def peek_lines(stream: IO[str]) -> list[str]:
    lines: list[str] = []
    size = 0
    while size < PEEK_BYTES:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        size += len(line)
    return lines


def resource_list_input(options: Options, stdin: IO[str]) -> tuple[str | None, IO[str]]:
    """(the whole input, stdin) when kube-inject's one input is a ResourceList, else (None, stdin to read from).

    Only the start of the input is read to tell; stdin comes back replayable.
    """
    from pyinject.krm.resourcelist import looks_like_resource_list

    if len(options.filenames) != 1:
        return None, stdin
    (path,) = options.filenames
    if path == "-":
        if stdin.isatty():
            return None, stdin
        from pyinject.manifests.read import not_utf8, strict_utf8

        # Peek at the bytes as the pipeline reads them: strict UTF-8, whatever the locale.
        stdin = strict_utf8(stdin)
        try:
            lines = peek_lines(stdin)
            replay = Replay(lines, stdin)
            if looks_like_resource_list("".join(lines)):
                return replay.read(), stdin
        except UnicodeDecodeError as err:
            raise not_utf8(err, "<stdin>") from err
        # The pipeline only iterates its stdin line by line, which Replay does.
        return None, replay  # type: ignore[return-value]  # Replay reads as IO[str] does
    if not os.path.isfile(path):
        return None, stdin
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            head = "".join(peek_lines(handle))
            if looks_like_resource_list(head):
                return head + handle.read(), stdin
    except (OSError, UnicodeDecodeError):
        pass  # the pipeline reads it again and words the error
    return None, stdin
