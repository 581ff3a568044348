"""Streaming: peak memory must not grow with the number of documents."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Runs the CLI in a child process and prints that child's own peak RSS (KiB).
PROBE = """
import resource, sys
from pyinject.cli.commands import main
sys.argv = ["pyinject", "kube-inject", "-f", sys.argv[1], "-o", sys.argv[2]]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

# One document in twenty is a workload that gets injected; the rest pass through.
WORKLOAD = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
spec:
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
"""

CONFIGMAP = """\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-{i}
data:
  payload: "{payload}"
"""

DOCS = CONFIGMAP + """\
---
apiVersion: v1
kind: Service
metadata:
  name: web-{i}
spec:
  ports:
  - port: 80
"""


def peak_rss_kib(tmp_path: Path, count: int) -> int:
    src = tmp_path / f"in-{count}.yaml"
    with src.open("w") as handle:
        for i in range(count // 20):
            # 20 documents: one workload, nine ConfigMap + Service pairs, one more ConfigMap.
            handle.write(WORKLOAD.format(i=i))
            for j in range(9):
                handle.write(DOCS.format(i=f"{i}-{j}", payload="x" * 200))
            handle.write(CONFIGMAP.format(i=f"{i}-last", payload="y"))
    proc = subprocess.run([sys.executable, "-c", PROBE, str(src), str(tmp_path / f"out-{count}.yaml")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = (tmp_path / f"out-{count}.yaml").read_text()
    text = src.read_text()
    assert text.count("---\n") == count
    assert out.count("kind: Deployment\n") == text.count("kind: Deployment\n") == count // 20
    assert out.count("sidecar.istio.io/status") == count // 20
    return int(proc.stderr.strip().splitlines()[-1])


def test_ten_thousand_documents_in_bounded_memory(tmp_path: Path) -> None:
    small = peak_rss_kib(tmp_path, 100)
    large = peak_rss_kib(tmp_path, 10_000)
    # 10,000 documents are ~3.5 MB of text; holding them (or their parse trees)
    # would add tens of MB. Allow a little for allocator noise and the spool.
    assert large - small < 12 * 1024, f"peak RSS grew by {(large - small) // 1024} MiB"
