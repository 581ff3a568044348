"""inject(inject(x)) == inject(x) over every input of the Istio conformance corpus.

The corpus (Istio 1.30's own kube-inject test inputs) sits beside the checkout
in ../shared/conformance; each case is run with its native-mode flags and
environment.  Our own golden cases check the same property in test_golden.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO

CORPUS = REPO.parent / "shared" / "conformance" / "istio-1.30" / "cases"


def corpus_cases() -> list[Any]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"conformance corpus not found at {CORPUS}"))]
    cases = []
    for folder in sorted(CORPUS.iterdir()):
        spec = YAML(typ="safe", pure=True).load((folder / "case.yaml").read_text())
        if spec.get("native") is None or spec.get("error"):
            continue
        cases.append(pytest.param((folder, spec), id=folder.name))
    return cases


@pytest.mark.parametrize("case", corpus_cases())
def test_reinjection_is_idempotent(case: tuple[Path, dict[str, Any]], run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, spec = case
    monkeypatch.chdir(folder)
    for key, value in (spec.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))
    args = [str(a) for a in spec["native"]]
    first = run_cli("kube-inject", "-f", "input.yaml", "-q", *args)
    assert first.exit_code == 0, first.stderr
    second = run_cli("kube-inject", "-f", "-", "-q", *args, input=first.stdout)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == first.stdout
