"""What a kube-inject run with Go templates loads: the engine and the function families its templates call.

sprig's families are imported when a template calls one of their functions
(:mod:`pyinject.sprig.table`); the engine's classes are built without
``dataclasses`` and function signatures are read without ``inspect``.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CASE = REPO / "tests" / "golden" / "cases" / "go-template-config"

#: Modules such a run has no use for: sprig families its templates do not call, and the
#: standard modules they (or ``dataclasses`` and ``inspect``) would bring.
NOT_LOADED = (
    "pyinject.sprig.dates", "pyinject.sprig.gotime", "pyinject.sprig.crypto", "pyinject.sprig.regex",
    "pyinject.sprig.semver", "pyinject.sprig.math", "pyinject.sprig.encoding", "pyinject.sprig.paths",
    "pyinject.sprig.json", "pyinject.sprig.lists", "dataclasses", "inspect", "ast", "dis", "tokenize", "random",
    "secrets", "hashlib", "hmac", "uuid", "zoneinfo", "re2", "decimal", "fractions", "zlib", "string",
)


def test_a_go_config_run_loads_only_what_its_templates_call() -> None:
    # What the interpreter loads before pyinject starts (site hooks such as an editable
    # install's finder) is left out: only the run's own imports are checked.
    code = ("import subprocess, sys; from pyinject.cli import main\n"
            "sys.argv = ['pyinject', 'kube-inject', '-q', '-f', 'input.yaml', '--injectConfigFile',\n"
            "            'inject-config.yaml', '--meshConfigFile', 'mesh.yaml']\n"
            "try: main()\nexcept SystemExit: pass\n"
            "bare = subprocess.run([sys.executable, '-c', 'import sys; print(*sys.modules)'],\n"
            "                      capture_output=True, text=True, check=True).stdout.split()\n"
            "print(*sorted(set(sys.modules) - set(bare)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=CASE)
    loaded = set(proc.stderr.splitlines()[-1].split())
    # The Go engine ran, with the families the templates call (quote, default).
    assert {"pyinject.gotemplate.parser", "pyinject.sprig.strings", "pyinject.sprig.defaults"} <= loaded
    assert sorted(loaded & set(NOT_LOADED)) == []
