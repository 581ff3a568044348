"""The click-free fast path of kube-inject takes only what it parses exactly as click does."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyinject.cli.commands import cli
from pyinject.cli.fast import parse_kube_inject
from tests.conftest import BOOKINFO

HERE = str(BOOKINFO)

#: (argv after the program name, whether the fast path takes it).
INVOCATIONS = [
    (["kube-inject", "-f", HERE], True),
    (["kube-inject", "-q", "-f", HERE], True),
    (["kube-inject", "--filename", HERE, "--quiet"], True),
    (["kube-inject", f"--filename={HERE}", "-v", "--debug"], True),
    (["kube-inject", "-f", HERE, "-f", "-", "other.yaml"], True),
    (["kube-inject", "-f", "-"], True),
    (["kube-inject", HERE], True),
    (["kube-inject", "-", "--verbose"], True),
    (["kube-inject", "-f", "missing.yaml"], True),
    (["kube-inject", "-f", ""], True),
    (["kube-inject", "-f", HERE, "--injectConfigFile", "c.yaml", "--valuesFile=v.json", "--meshConfigFile", "m.yaml"],
     True),
    (["kube-inject", "-f", HERE, "--valuesFile", "a.json", "--valuesFile", "b.json"], True),
    (["kube-inject", "-f", HERE, "-q", "-q"], True),
    (["kube-inject", "-f", "a=b.yaml"], True),
    # Everything else is click's: help, other flags, joined short flags, odd values, mistakes.
    (["kube-inject"], False),
    (["kube-inject", "-q"], False),
    (["kube-inject", "--help"], False),
    (["kube-inject", "-h", "-f", HERE], False),
    (["kube-inject", "-qf", HERE], False),
    (["kube-inject", f"-f{HERE}"], False),
    (["kube-inject", f"-f={HERE}"], False),
    (["kube-inject", "-f", "--quiet"], False),
    (["kube-inject", "-f"], False),
    (["kube-inject", "--quiet=yes", "-f", HERE], False),
    (["kube-inject", "-f", HERE, "--"], False),
    (["kube-inject", "-f", HERE, "-o", "out.yaml"], False),
    (["kube-inject", "-f", HERE, "--output-style", "istioctl"], False),
    (["kube-inject", "-f", HERE, "--set", "values.global.proxy.image=x"], False),
    (["kube-inject", "-f", HERE, "--kubeconfig", "k"], False),
    (["kube-inject", "-f", HERE, "--filenames", "x"], False),
    (["kube-uninject", "-f", HERE], False),
    (["explain", "-f", HERE], False),
    (["--version"], False),
    ([], False),
]


def click_params(args: list[str]) -> dict[str, object]:
    command = cli.get_command(cli.make_context("pyinject", ["--help"], resilient_parsing=True), args[0])
    assert command is not None
    return command.make_context(args[0], args[1:]).params


@pytest.mark.parametrize(("args", "taken"), INVOCATIONS, ids=[" ".join(a) or "(none)" for a, _ in INVOCATIONS])
def test_fast_path_parses_as_click_does(args: list[str], taken: bool) -> None:
    flags = parse_kube_inject(args, {})
    assert (flags is not None) == taken
    if flags is not None:
        assert flags == click_params(args)


def test_completion_goes_to_click() -> None:
    assert parse_kube_inject(["kube-inject", "-f", HERE], {"_PYINJECT_COMPLETE": "bash_complete"}) is None


def test_the_unreadable_check_is_clicks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated, so that the test means the same as root (which reads any file): click refuses a
    # file it may not read.
    target = str(tmp_path / "app.yaml")
    Path(target).write_text("a: 1\n")
    monkeypatch.setattr(os, "access", lambda path, mode: path != target)
    assert parse_kube_inject(["kube-inject", "-f", target], {}) is None
    assert parse_kube_inject(["kube-inject", target], {}) is None
    assert parse_kube_inject(["kube-inject", "-f", HERE, "--valuesFile", target], {}) is None


BROKEN = "apiVersion: v1\nkind: Pod\nmetadata: {name: a\n"

#: End to end: (argv, stdin), each run through the fast path and through click.
RUNS = [
    (["kube-inject", "-f", HERE], None),
    (["kube-inject", "-q", "-v", "-f", "-"], BOOKINFO.read_text()),
    (["kube-inject", "-f", "-"], BROKEN),
    (["kube-inject", "-f", "no-such-file.yaml"], None),
    (["kube-inject", "-f", HERE, "--valuesFile", "no-such-values.json"], None),
    (["kube-inject,-f,-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
]


def run_main(entry: str, args: list[str], stdin: str | None) -> tuple[int, str, str]:
    code = f"import sys; from {entry} import main; sys.argv = ['pyinject', *sys.argv[1:]]; main()"
    env = {k: v for k, v in os.environ.items() if k not in ("ENABLE_NATIVE_SIDECARS", "COMPLIANCE_POLICY")}
    proc = subprocess.run([sys.executable, "-c", code, *args], input=stdin or "", capture_output=True, text=True,
                          env=env, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(("args", "stdin"), RUNS, ids=[" ".join(a) for a, _ in RUNS])
def test_fast_path_and_click_give_the_same_run(args: list[str], stdin: str | None) -> None:
    fast = run_main("pyinject.cli.fast", args, stdin)
    assert fast == run_main("pyinject.cli.commands", args, stdin)
    assert fast[0] in (0, 1)


def test_fast_path_does_not_load_click() -> None:
    code = ("import sys; from pyinject.cli import main; sys.argv = ['pyinject', 'kube-inject', '-q', '-f', sys.argv[1]]\n"
            "try: main()\nexcept SystemExit: pass\nprint('click' in sys.modules, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, HERE], capture_output=True, text=True, timeout=300)
    assert proc.stderr.splitlines()[-1] == "False"


#: Modules a default kube-inject has no use for, each costing millions of instructions at
#: start-up (dataclasses loads inspect, which loads ast, dis and tokenize; tempfile loads
#: shutil, random and the compression modules; the embedded templates run compiled, without Jinja2).
NOT_AT_START_UP = ("click", "jsonschema", "jinja2", "markupsafe", "dataclasses", "inspect", "ast", "dis", "tokenize",
                   "decimal", "tempfile", "shutil", "random", "bz2", "lzma", "ipaddress")


def test_a_default_run_loads_no_heavy_module() -> None:
    # What the interpreter loads before pyinject starts (site hooks such as an editable
    # install's finder) is left out: only the run's own imports are checked.
    code = ("import subprocess, sys; from pyinject.cli import main\n"
            "sys.argv = ['pyinject', 'kube-inject', '-q', '-f', sys.argv[1]]\n"
            "try: main()\nexcept SystemExit: pass\n"
            "bare = subprocess.run([sys.executable, '-c', 'import sys; print(*sys.modules)'],\n"
            "                      capture_output=True, text=True, check=True).stdout.split()\n"
            "print(*sorted(set(sys.modules) - set(bare)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, HERE], capture_output=True, text=True, timeout=300)
    loaded = set(proc.stderr.splitlines()[-1].split())
    assert "pyinject.pipeline" in loaded
    assert sorted(loaded & set(NOT_AT_START_UP)) == []


def test_a_default_run_compiles_no_python_source() -> None:
    # Compiling source at run time is costly: one string annotation evaluated at import (a
    # typing alias such as Callable[[Any], "X | None"]) cost 9M instructions, a fortieth of
    # the whole start-up.  A generated function would do the same.
    code = ("import sys\n"
            # functools builds a namedtuple with eval when first imported (by re, as for
            # `import yaml`): the standard library's doing, loaded before the hook.
            "import functools\n"
            "compiled = []\n"
            "def hook(event, args):\n"
            "    # Importing a module without its bytecode compiles the file: that is not the run's doing.\n"
            "    if event == 'compile' and not str(args[1]).endswith('.py'):\n"
            "        compiled.append(args[0])\n"
            "sys.addaudithook(hook)\n"
            "from pyinject.cli import main\n"
            "sys.argv = ['pyinject', 'kube-inject', '-q', '-f', sys.argv[1]]\n"
            "try: main()\nexcept SystemExit: pass\n"
            "print(repr(compiled), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, HERE], capture_output=True, text=True, timeout=300)
    assert proc.stderr.splitlines()[-1] == "[]"


def test_the_collector_is_off_while_loading_and_on_for_the_documents() -> None:
    code = ("import gc, sys\n"
            "from pyinject import pipeline\n"
            "states = []\n"
            "run = pipeline.run\n"
            "def watched(*args, **kwargs):\n"
            "    states.append(gc.isenabled() and gc.get_threshold()[0])\n"
            "    return run(*args, **kwargs)\n"
            "pipeline.run = watched\n"
            "from pyinject.cli import main\n"
            "sys.argv = ['pyinject', 'kube-inject', '-q', '-f', sys.argv[1]]\n"
            "gc.callbacks.append(lambda phase, info: states.append('collected') if not states else None)\n"
            "try: main()\nexcept SystemExit: pass\n"
            "print(states, gc.isenabled(), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, HERE], capture_output=True, text=True, timeout=300)
    from pyinject.cli.run import DOCUMENT_GC_THRESHOLD

    assert proc.stderr.splitlines()[-1] == f"[{DOCUMENT_GC_THRESHOLD}] True"
