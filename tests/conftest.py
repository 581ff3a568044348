"""Shared fixtures: run the CLI in-process (CliRunner) or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyinject.cli.commands import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _private_template_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep compiled-template caches out of the real user cache directory."""
    previous = os.environ.get("PYINJECT_CACHE_DIR")
    os.environ["PYINJECT_CACHE_DIR"] = str(tmp_path_factory.mktemp("pyinject-cache"))
    yield
    if previous is None:
        os.environ.pop("PYINJECT_CACHE_DIR", None)
    else:
        os.environ["PYINJECT_CACHE_DIR"] = previous
BOOKINFO = REPO / "examples" / "bookinfo" / "bookinfo.yaml"


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch):
    """Invoke `pyinject ARGS` in-process; returns click's Result (stdout and stderr apart)."""
    monkeypatch.delenv("ENABLE_NATIVE_SIDECARS", raising=False)
    monkeypatch.delenv("COMPLIANCE_POLICY", raising=False)
    monkeypatch.delenv("REWRITE_TCP_PROBES", raising=False)

    def invoke(*args: str, input: str | None = None):
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def run_process(*args: str, input: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run `python -m pyinject ARGS` as a real process."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("ENABLE_NATIVE_SIDECARS", "COMPLIANCE_POLICY", "REWRITE_TCP_PROBES")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pyinject", *args],
        input=input, capture_output=True, text=True, cwd=cwd, env=full_env, timeout=300,
    )


def real_tool(variable: str, command: str | None = None) -> str:
    """Path of a real tool for an integration test: ``$variable``, else ``command`` on PATH.

    Outside CI a missing tool skips the test; under CI=true it fails it, since
    .ci/run installs every tool these tests name (see its "real tools" step).
    """
    import shutil

    path = os.environ.get(variable) or (shutil.which(command) if command else None)
    if path and os.access(path, os.X_OK):
        return path
    message = f"{variable} is not set" + (f" and {command} is not on PATH" if command else "")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: .ci/run should have installed it")
    pytest.skip(message)


def venv_path() -> str:
    """PATH with this interpreter's scripts first, so tools that run `pyinject` find this one."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
