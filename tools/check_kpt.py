"""Run the KRM function under a real kpt, when one is installed (no package registry ships kpt).

    python tools/check_kpt.py

It copies tests/data/custom-kinds/crds.yaml into a scratch package, runs
``kpt fn eval --exec "pyinject krm"`` with a ConfigMap that opts Argo Rollouts in,
and checks what kpt prints and writes back. The test suite covers the same contract
with tests/data/krm/kpt-input.yaml, a ResourceList recorded from kpt 1.0.0-beta.56.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    kpt = shutil.which("kpt")
    pyinject = shutil.which("pyinject", path=str(Path(sys.executable).parent)) or shutil.which("pyinject")
    if kpt is None or pyinject is None:
        print("check_kpt: needs kpt and pyinject on PATH", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "pkg"
        package.mkdir()
        shutil.copy(REPO / "tests" / "data" / "custom-kinds" / "crds.yaml", package / "crds.yaml")
        config = Path(tmp) / "fn.yaml"
        config.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inject}\ndata:\n  pod-template: rollout\n")
        done = subprocess.run([kpt, "fn", "eval", str(package), "--exec", f"{pyinject} krm", "--fn-config", str(config),
                               "--truncate-output=false"], capture_output=True, text=True, timeout=300)
        print(done.stderr, end="", file=sys.stderr)
        written = (package / "crds.yaml").read_text()
    checks = {
        "kpt exit 0": done.returncode == 0,
        "Rollout injected": "[info] argoproj.io/v1alpha1/Rollout/shop/web: sidecar injected" in done.stderr,
        "UnitedDeployment reported": "[warning] apps.kruise.io/v1alpha1/UnitedDeployment/ud:" in done.stderr,
        "sidecar written back": "istio-proxy" in written,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
