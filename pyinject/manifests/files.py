"""Delivering output to files: stage beside the target, then rename over it (atomic on POSIX)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from typing import IO

from pyinject.errors import InputError
from pyinject.model import RunResult


def deliver(result: RunResult, output: str | None, stdout: IO[str]) -> None:
    """Copy the finished output to stdout, or atomically replace the file ``output``."""
    if output is None or output == "-":
        shutil.copyfileobj(result.output, stdout)
        stdout.flush()
        return
    replace_file(output, result.output)


def replace_file(target: str, content: IO[str]) -> None:
    """Atomically replace ``target`` with ``content``, keeping its permissions.

    The temporary file sits beside the target so the final rename stays on one
    file system; an input named as the output was read in full before this.
    """
    tmp = stage_file(target, content)
    commit_file(tmp, target)


def stage_file(target: str, content: IO[str]) -> str:
    """Write ``content`` to a new temporary file beside ``target``; return its path."""
    directory = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".pyinject-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror}") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            shutil.copyfileobj(content, handle)
        if os.path.exists(target):
            shutil.copymode(target, tmp)
    except OSError as err:
        discard_files([tmp])
        raise InputError(f"cannot write {target}: {err.strerror}") from err
    except BaseException:
        discard_files([tmp])
        raise
    return tmp


def commit_file(tmp: str, target: str) -> None:
    """Rename a staged file over its target (atomic on POSIX)."""
    try:
        os.replace(tmp, target)
    except OSError as err:
        discard_files([tmp])
        raise InputError(f"cannot write {target}: {err.strerror}") from err


def discard_files(paths: Iterable[str]) -> None:
    """Remove staged files that will not be used; missing ones are fine."""
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
