"""The layering rules of ARCHITECTURE.md, checked on the source (parsed, never imported).

Every ``import``/``from ... import`` of a ``pyinject`` module counts, at module
level or inside a function alike: an import deferred for start-up speed is
still a dependency.  Imports under ``if TYPE_CHECKING:`` (annotations only)
do not count.
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
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            node.body = [ast.Pass()]
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


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules (first == last), or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        stack.append(name)
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return []

    for name in sorted(graph):
        if name not in state:
            found = visit(name)
            if found:
                return found
    return []


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert find_cycle(import_graph()) == []


def test_at_most_six_modules_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(top) <= 6, top
