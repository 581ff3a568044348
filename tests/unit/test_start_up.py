"""What an everyday kube-inject run (embedded templates, one small file, stdout) loads and builds.

Start-up is most of such a run, so what it has no use for is not imported at all
and the tables it reads a row or two of are built row by row
(:class:`pyinject.golang.memo.LazyTable`).  ``typing`` is for mypy alone in the
modules such a run loads: they import it under ``if TYPE_CHECKING:`` (a module
constant, ``False`` at run time).  A later import at a module's top level, or a
table built whole again, shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

#: Modules the run has no use for: other engines and commands, and the standard
#: modules they (or ``typing``, ``signal``'s enums, ``dataclasses``, ``inspect``, ``hashlib``) would bring.
NOT_LOADED = (
    "typing", "signal", "pyinject.config.schemas", "click", "jinja2", "jsonschema", "pyinject.cli.commands",
    "pyinject.render.jinja_env",
    "pyinject.gotemplate.parser", "pyinject.gotemplate.compiler", "pyinject.render.go", "pyinject.render.go_data",
    "pyinject.istio.gofuncs", "pyinject.sprig.table", "pyinject.render.reuse", "pyinject.istio.legacy.injector",
    "pyinject.uninject", "dataclasses", "inspect", "hashlib", "tempfile", "subprocess", "shutil", "pathlib",
    "textwrap", "decimal", "fractions", "string", "ast", "tokenize",
)

_RUN = """
import sys
from pyinject.cli import main
sys.argv = ['pyinject', 'kube-inject', '-q', '-f', sys.argv[1]]
try:
    main()
except SystemExit:
    pass
run = set(sys.modules)
import json, subprocess
from pyinject.golang.protojson import proto_types
from pyinject.istio.releases import RELEASES
bare = subprocess.run([sys.executable, '-c', 'import sys; print(*sys.modules)'],
                      capture_output=True, text=True, check=True).stdout.split()
print(json.dumps({'loaded': sorted(run - set(bare)),
                  'releases': [list(v) for v in dict.keys(RELEASES)],
                  'messages': len(dict.keys(proto_types().messages))}), file=sys.stderr)
"""


def _run(manifest: str | Path, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _RUN, str(REPO / manifest)], capture_output=True, text=True,
                          cwd=REPO, timeout=300, env={**os.environ, **(env or {})})
    assert "kind: Deployment" in done.stdout, done.stderr
    got: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return got


def test_a_default_run_loads_only_what_it_uses() -> None:
    got = _run("examples/bookinfo/bookinfo.yaml")
    loaded = got["loaded"]
    assert isinstance(loaded, list)
    # The embedded templates ran, compiled.
    assert {"pyinject.render.jinja_compiled", "pyinject.render.decode", "pyinject.k8s.merge"} <= set(loaded)
    assert sorted(set(loaded) & set(NOT_LOADED)) == []


def test_a_default_run_builds_only_the_rows_it_reads() -> None:
    got = _run("examples/bookinfo/bookinfo.yaml")
    # The embedded release's row, not the other thirty.
    assert got["releases"] == [[1, 30]]
    # ProxyConfig and the few messages it nests, not the whole type table.
    assert isinstance(got["messages"], int) and 0 < got["messages"] <= 8


_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: "registry.example/{name}:1"}}]
"""


def test_reusing_renders_loads_no_typing_either(tmp_path: Path) -> None:
    manifest = tmp_path / "apps.yaml"
    manifest.write_text("---\n".join(_DEPLOYMENT.format(name=f"app-{n}") for n in range(4)), encoding="utf-8")
    # "1": reuse from the first pod on, so the reuse machinery runs on four pods.
    loaded = _run(manifest, {"PYINJECT_RENDER_REUSE": "1"})["loaded"]
    assert isinstance(loaded, list)
    assert "pyinject.render.reuse" in loaded
    assert "typing" not in loaded
