"""Command line: the click commands, flags in and exit code out.

This is the only package that prints or exits. ``main`` is the console entry point
(``cli/fast.py``: the everyday ``kube-inject`` without loading click, else ``cli/commands.py``).
"""

from pyinject.cli.fast import main

__all__ = ["main"]
