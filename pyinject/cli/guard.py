"""How every command ends: errors become one line on stderr and the exit code of their kind."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

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
        click.echo(f"pyinject: error: {one_line(str(err))}", err=True)
        sys.exit(int(err.exit_code))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not our failure.
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except KeyboardInterrupt:
        click.echo("pyinject: interrupted", err=True)
        sys.exit(130)
    except MemoryError:
        if debug:
            raise
        click.echo("pyinject: error: out of memory (the input, values or templates ask for more than this machine has)", err=True)
        sys.exit(int(ExitCode.USER_ERROR))
    except Exception as err:  # anything else is a bug in pyinject
        if debug:
            raise
        click.echo(f"pyinject: internal error: {type(err).__name__}: {one_line(str(err))} (this is a bug; rerun with --debug)", err=True)
        sys.exit(int(ExitCode.INTERNAL))


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
