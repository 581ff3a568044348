"""A few hundred seeded hostile inputs through the CLI: exit 0, 1 or 2, one error line, no stdout after a failure.

The generator is tools/fuzz.py (run it directly for thousands of inputs and a
cluster's config); the seed is fixed, so a failure here reproduces exactly.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.conftest import REPO

GO_CONFIG = REPO / "tests" / "data" / "go-config" / "inject-config.yaml"


def _fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pyinject_fuzz", REPO / "tools" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("seed", "count", "config"),
    [(20261206, 250, ()), (7, 100, ("--injectConfigFile", str(GO_CONFIG)))],
    ids=["embedded config", "go config"],
)
def test_seeded_hostile_inputs_keep_the_error_contract(monkeypatch: pytest.MonkeyPatch, seed: int, count: int, config) -> None:
    monkeypatch.delenv("ENABLE_NATIVE_SIDECARS", raising=False)
    report = _fuzz_module().fuzz(count, seed, config, timeout=60.0)
    assert report.tried == count
    assert report.ok, report.text()
    # The inputs reach both outcomes: some are injected, most are refused.
    assert report.exit_codes[0] > 0 and report.exit_codes[1] > 0, report.text()
