"""Re-injection semantics follow the output style.

pyinject's own style strips a previous injection and injects afresh, so an old
proxy setting the templates no longer write is gone; ``--output-style istioctl``
merges the new templates over the old sidecar, as istioctl does, and keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

INPUT = Path(__file__).resolve().parent.parent / "golden" / "cases" / "istioctl-style-reinjection" / "input.yaml"


@pytest.mark.parametrize(("style", "kept"), [("pyinject", False), ("istioctl", True)])
def test_old_proxy_setting_survives_only_istioctl_reinjection(run_cli, style: str, kept: bool) -> None:
    result = run_cli("kube-inject", "-f", str(INPUT), "--output-style", style)
    assert result.exit_code == 0, result.stderr
    assert ("name: OLD_PROXY_SETTING" in result.stdout) is kept
    # The template writes initialDelaySeconds: 0, which replaces the old 7 in either style.
    assert "initialDelaySeconds: 7" not in result.stdout
