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


def imports_outside(package: str, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """(module, import) pairs where a module of ``package`` imports something not under ``allowed``."""
    return sorted(
        (name, dep)
        for name, deps in import_graph().items()
        if name.startswith(package)
        for dep in deps
        if not dep.startswith(allowed)
    )


def test_go_engine_imports_only_itself_golang_and_records() -> None:
    outside = imports_outside("pyinject.gotemplate", ("pyinject.gotemplate", "pyinject.golang", "pyinject.records"))
    assert [pair for pair in outside if pair not in ENGINE_EXCEPTIONS] == []


def test_golang_imports_only_itself() -> None:
    assert imports_outside("pyinject.golang", ("pyinject.golang",)) == []


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


def test_architecture_names_functions_that_exist() -> None:
    """Every ``path.py:name`` in ARCHITECTURE.md is a top-level name (or Class.method) of that module."""
    import re

    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    refs = re.findall(r"`([\w/]+\.py):([\w.]+)`", text)
    assert len(refs) > 15
    missing = []
    for path, name in refs:
        tree = ast.parse((PACKAGE / path).read_text(encoding="utf-8"))
        scope: list[ast.stmt] = tree.body
        for part in name.split("."):
            found = next((n for n in scope if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part), None)
            if found is None:
                missing.append(f"{path}:{name}")
                break
            scope = found.body if isinstance(found, ast.ClassDef) else []
    assert missing == []
