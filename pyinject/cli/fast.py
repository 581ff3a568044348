"""The console entry point: the common ``kube-inject`` invocation without loading click.

Loading click and building the command tree costs more than a small injection
itself, so ``main`` first tries :func:`parse_kube_inject`, which understands the
everyday form (``kube-inject -f FILE... [-q] [-v] [--debug]`` and the three
configuration files) and nothing else.  Anything it does not take whole (help,
completion, other commands, other flags, any mistake) goes to the click command
line, which then words every message.  What it does take, it turns into exactly
the parameters click would hand the command (``tests/unit/cli/test_fast.py``
holds the two to the same table of invocations), and both run ``run.kube_inject``.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.cli.flags import split_joined_args

#: The options the fast path takes, with the parameter each sets; all others go to click.
VALUE_OPTIONS = {
    "-f": "filenames",
    "--filename": "filenames",
    "--injectConfigFile": "inject_config_file",
    "--valuesFile": "values_file",
    "--meshConfigFile": "mesh_config_file",
}
FLAG_OPTIONS = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose", "--debug": "debug"}

#: Set by click to ask for completions instead of a run.
COMPLETE_VARIABLE = "_PYINJECT_COMPLETE"


def defaults() -> dict[str, Any]:
    """The parameters of ``kube-inject`` as click hands them over when no flag is given."""
    from pyinject.sandbox.limits import parse_limits

    return {
        "filenames": (), "paths": (), "output": None, "force": False, "in_place": False, "check": False,
        "output_format": "yaml", "output_style": "pyinject", "quiet": False, "verbose": False, "debug": False,
        "pod_templates": (), "known_kinds": False, "inject_config_file": None, "values_file": None,
        "mesh_config_file": None, "operator_file": None, "sets": (), "revision": "", "native_sidecars": None,
        "rewrite_tcp_probes": None, "template_env": (), "template_limits": parse_limits(()), "kube_version": None, "istio_version": None,
    }  # fmt: skip


def _path_as_click_takes_it(value: str) -> bool:
    """Whether click's ``Path(allow_dash=True)`` would take ``value`` unchanged (it refuses unreadable files)."""
    if value == "-":
        return True
    try:
        os.stat(value)
    except (OSError, ValueError):
        return True
    return os.access(value, os.R_OK)


def parse_kube_inject(args: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The parameters click would give ``kube-inject`` for ``args`` (after the program name), or None.

    None means "not the everyday form": let click parse it (and report what is wrong).
    """
    if not args or args[0] != "kube-inject" or environ.get(COMPLETE_VARIABLE):
        return None
    values: dict[str, Any] = {}
    filenames: list[str] = []
    paths: list[str] = []
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in FLAG_OPTIONS and not eq:
            values[FLAG_OPTIONS[name]] = True
            continue
        if name not in VALUE_OPTIONS or (eq and not name.startswith("--")):
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
            if value.startswith("-") and value != "-":
                return None  # click would take it as the value; keep that corner to click
        if not _path_as_click_takes_it(value):
            return None
        if VALUE_OPTIONS[name] == "filenames":
            filenames.append(value)
        else:
            values[VALUE_OPTIONS[name]] = value
    if not filenames and not paths:
        return None
    if not all(_path_as_click_takes_it(path) for path in paths):
        return None
    flags = defaults()
    flags.update(values, filenames=tuple(filenames), paths=tuple(paths))
    return flags


def main() -> None:
    """Console-script entry point: the fast path when it applies, else the click command line."""
    args = split_joined_args(sys.argv[1:])
    flags = parse_kube_inject(args, os.environ)
    if flags is None:
        from pyinject.cli.commands import cli

        cli(args=args, prog_name="pyinject")
        return
    # Until the injector is built nearly everything allocated (modules, settings, templates)
    # lives to the end: cyclic collections would walk it for nothing.  execute() freezes it
    # and turns the collector back on before the first document.
    gc.disable()
    from pyinject.cli.run import kube_inject

    try:
        kube_inject(flags, own_process=True)
    except (EOFError, KeyboardInterrupt):
        # What click's main does with these outside the command's own guard.
        sys.stderr.write("\n")
        sys.stderr.flush()
        sys.stderr.write("Aborted!\n")
        sys.stderr.flush()
        sys.exit(1)
    sys.exit(0)
