"""Reading Go test sources for the release-check tools: balanced brace blocks."""

from __future__ import annotations


def brace_block(text: str, start: int) -> tuple[int, int]:
    """The span ``(open, end)`` of the ``{...}`` block whose opening brace is the first at or after ``start``.

    Braces inside Go string literals (``"..."`` with escapes, raw `` `...` ``) and
    ``//`` comments do not count.
    """
    i = text.index("{", start)
    depth, j = 0, i
    while j < len(text):
        ch = text[j]
        if ch in "\"`":
            end = text.index(ch, j + 1)
            while ch == '"' and text[end - 1] == "\\":
                end = text.index(ch, end + 1)
            j = end
        elif text.startswith("//", j):
            j = text.index("\n", j)
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i, j + 1
        j += 1
    raise ValueError("unbalanced braces")
