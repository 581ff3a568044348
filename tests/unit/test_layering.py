"""The layering rules of ARCHITECTURE.md, checked on the source (parsed, never imported).

Every ``import``/``from ... import`` of a ``pyinject`` module counts, at module
level or inside a function alike: an import deferred for start-up speed is
still a dependency.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pyinject"

#: The one import the Go engine makes outside itself: ``gotemplate.render``, the
#: Go-template conformance entry point, runs with sprig's table as Istio does.
ENGINE_EXCEPTIONS = {("pyinject.gotemplate", "pyinject.sprig.table")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The pyinject modules ``path`` imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("pyinject"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pyinject"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return {m for m in found if m in modules}


@functools.cache
def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imports_of(path, modules) - {name} for name, path in paths.items()}


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "pyinject.render.go" in graph
    assert "pyinject.istio.gofuncs" in graph["pyinject.render.go"]


def test_go_engine_imports_only_itself_and_golang() -> None:
    graph = import_graph()
    outside = sorted(
        (name, dep)
        for name, deps in graph.items()
        if name.startswith("pyinject.gotemplate")
        for dep in deps
        if not dep.startswith(("pyinject.gotemplate", "pyinject.golang"))
        and (name, dep) not in ENGINE_EXCEPTIONS
    )
    assert outside == []


def test_golang_imports_only_itself() -> None:
    graph = import_graph()
    outside = sorted(
        (name, dep)
        for name, deps in graph.items()
        if name.startswith("pyinject.golang")
        for dep in deps
        if not dep.startswith("pyinject.golang")
    )
    assert outside == []
