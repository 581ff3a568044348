"""How every command ends: errors become one line on stderr and the exit code of their kind.

Click-free, so the fast path of ``kube-inject`` (``cli/fast.py``) runs without loading click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pyinject.errors import ExitCode, OutputError, PyinjectError


@contextmanager
def errors_to_exit_codes(*, debug: bool = False) -> Iterator[None]:
    """Turn what a command raises into one line on stderr and the exit code of its kind.

    A :class:`PyinjectError` is the user's (its ``exit_code`` says which); a broken pipe
    means the reader went away; anything else is a bug in pyinject. ``debug`` re-raises,
    for the traceback. Every command runs its work inside this.
    """
    try:
        yield
    except PyinjectError as err:
        if debug:
            raise
        if isinstance(err, OutputError):
            # What stdout still buffers would fail again (twice as loud) at exit.
            _silence_stdout()
        echo_err(f"pyinject: error: {one_line(str(err))}")
        sys.exit(int(err.exit_code))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not our failure.
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except KeyboardInterrupt:
        echo_err("pyinject: interrupted")
        sys.exit(130)
    except MemoryError:
        if debug:
            raise
        echo_err("pyinject: error: out of memory (the input, values or templates ask for more than this machine has)")
        sys.exit(int(ExitCode.USER_ERROR))
    except Exception as err:  # anything else is a bug in pyinject
        if debug:
            raise
        echo_err(f"pyinject: internal error: {type(err).__name__}: {one_line(str(err))} (this is a bug; rerun with --debug)")
        sys.exit(int(ExitCode.INTERNAL))


def echo_err(message: str) -> None:
    """``message`` and a newline on stderr, flushed: what ``click.echo(message, err=True)`` writes.

    Plain ASCII text is written as is, as click writes it; click is loaded only for
    text it would change (it strips ANSI escapes when stderr is no terminal, and
    re-encodes for a misconfigured stream).
    """
    if not message.isascii() or "\x1b" in message:
        import click

        click.echo(message, err=True)
        return
    stream = sys.stderr
    if stream is None:
        return
    stream.write(message + "\n")
    stream.flush()


def _silence_stdout() -> None:
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):
        return  # not a real file (tests capture it)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)


def one_line(text: str) -> str:
    """Messages are one line: a value with newlines in it (an annotation) is shown escaped."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
