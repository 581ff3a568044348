"""Golden cases: each folder under tests/golden/cases is one CLI run.

A case holds ``input.yaml`` and, when it needs flags, ``args.txt`` (one
argument per line; paths relative to the case folder).  Its snapshot holds
stdout, stderr and the exit code; regenerate with ``pytest --snapshot-update``
and review the diff like code.  Every successful case is also checked for two
invariants: the output parses, and running pyinject on its own output changes
nothing (re-injection is idempotent).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import BOOKINFO
from pyinject.errors import Location
from pyinject.manifests.read import read_text
from pyinject.manifests.load import load_plain

CASES = Path(__file__).resolve().parent.parent / "golden" / "cases"
SNAPSHOTS = Path(__file__).resolve().parent.parent / "golden" / "snapshots"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "input.yaml").exists())


def case_args(case: Path) -> list[str]:
    args_file = case / "args.txt"
    if not args_file.exists():
        return []
    return [line.strip() for line in args_file.read_text().splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("name", case_names())
def test_golden(name: str, run_cli, snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES / name
    monkeypatch.chdir(case)
    result = run_cli("kube-inject", "-f", "input.yaml", *case_args(case))
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match_dir(
        {"stdout.yaml": result.stdout, "stderr.txt": result.stderr, "exit_code": f"{result.exit_code}\n"}, name
    )
    if result.exit_code != 0:
        assert result.stdout == "", "a failed run must write nothing to stdout"
        return
    for doc in read_text(result.stdout):
        load_plain(doc.text, Location())
    again = run_cli("kube-inject", "-f", "-", *case_args(case), input=result.stdout)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == result.stdout, "injecting pyinject's own output must change nothing"



def test_bookinfo_example_snapshot(run_cli, snapshot) -> None:
    """examples/bookinfo/bookinfo.injected.yaml is what the README's first command prints."""
    result = run_cli("kube-inject", "-f", os.path.relpath(BOOKINFO))
    assert result.exit_code == 0, result.stderr
    snapshot.snapshot_dir = BOOKINFO.parent
    snapshot.assert_match(result.stdout, "bookinfo.injected.yaml")
