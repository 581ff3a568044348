"""Command line: the click commands, flags in and exit code out.

This is the only package that prints or exits. ``main`` is the console entry point.
"""

from pyinject.cli.commands import main

__all__ = ["main"]
