"""What an everyday kube-inject run (embedded templates, one small file, stdout) loads and builds.

Start-up is most of such a run, so what it has no use for is not imported at all
and the tables it reads a row or two of are built row by row
(:class:`pyinject.golang.memo.LazyTable`).  A later import at a module's top
level, or a table built whole again, shows up here.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

#: Modules the run has no use for: other engines and commands, and the standard
#: modules they (or ``dataclasses``, ``inspect``, ``hashlib``) would bring.
NOT_LOADED = (
    "click", "jinja2", "jsonschema", "pyinject.cli.commands", "pyinject.render.jinja_env",
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


def _run(manifest: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _RUN, str(REPO / manifest)], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
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
