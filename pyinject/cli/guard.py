"""How every command ends: errors become one line on stderr and the exit code of their kind."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from pyinject.errors import ExitCode, PyinjectError


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
        click.echo(f"pyinject: error: {err}", err=True)
        sys.exit(int(err.exit_code))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not our failure.
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except KeyboardInterrupt:
        click.echo("pyinject: interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # anything else is a bug in pyinject
        if debug:
            raise
        click.echo(f"pyinject: internal error: {type(err).__name__}: {err} (this is a bug; rerun with --debug)", err=True)
        sys.exit(int(ExitCode.INTERNAL))


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
