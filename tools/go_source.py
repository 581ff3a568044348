"""Reading Istio's Go sources for the release-check tools: files at a tag, balanced brace blocks."""

from __future__ import annotations

import subprocess


def git(repo: str, *args: str) -> bytes:
    """What ``git -C repo ARGS`` prints."""
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, check=True).stdout


def show(repo: str, tag: str, path: str) -> str:
    """The text of ``path`` at ``tag``."""
    return git(repo, "show", f"{tag}:{path}").decode()


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
