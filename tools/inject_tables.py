"""Reading an Istio tag's kube-inject test tables into cases, for tools/inject_release_check.py.

From 1.8 on, one ``TestInjection`` table drives kube-inject (plus the inputs it
discovers on its own).  1.5–1.7 spread the cases over ``TestIntoResourceFile``,
``TestRewriteAppProbe`` (inputs under ``app_probe/``) and ``TestInvalidAnnotations``,
and each test function decided for itself where the MeshConfig came from and
whether it ran the case's ``mesh`` closure: that is read from the function's
body, because it is what the goldens were made with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from go_source import brace_block


@dataclass
class Case:
    index: int
    input: str
    want: str
    set_flags: list[str] = field(default_factory=list)
    iop: str = ""
    mesh: str = ""
    setup: str = ""
    skip_injection: bool = False
    error: str = ""
    #: Folder of input and golden under testdata/inject ("app_probe" for TestRewriteAppProbe).
    folder: str = ""
    #: 1.5's ``values`` field: IstioOperator spec YAML the test overlaid on the default profile.
    values: str = ""
    #: The MeshConfig is the rendered ``istio`` ConfigMap's (else ``mesh.DefaultMeshConfig()``).
    mesh_from_chart: bool = True
    #: The test function runs the case's ``mesh`` closure (1.5's never did).
    apply_mesh: bool = True
    #: The test set ``mesh.TestMode`` (1.6): its DefaultMeshConfig() was the test variant.
    test_mode: bool = False

    @property
    def name(self) -> str:
        base = self.want or self.input
        return f"{self.folder}/{base}" if self.folder else base


def _func_body(entry: str, name: str) -> str:
    m = re.search(rf"\b{name}:\s*func\([^)]*\)\s*\{{", entry)
    if m is None:
        return ""
    return entry[m.end() - 1:brace_block(entry, m.end() - 1)[1]]


def _strings(text: str) -> list[str]:
    return [a if a else b for a, b in re.findall(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`', text)]


def _next_entry(body: str, i: int) -> int:
    """Position of the next top-level ``{`` in the table body, skipping comments."""
    while i < len(body):
        if body.startswith("//", i):
            i = body.index("\n", i)
        elif body[i] == "{":
            return i
        i += 1
    return -1


def _entries(source: str, start: int) -> list[str]:
    """The entries of the first ``cases := []testCase{...}`` / ``[]struct {...}{...}`` after ``start``."""
    table = re.compile(r"cases := \[\]testCase\{|cases := \[\]struct \{").search(source, start)
    assert table is not None
    opening = table.end() - 1
    if "struct" in table.group(0):
        opening = source.index("{", brace_block(source, opening)[1])
    body = source[opening + 1:brace_block(source, opening)[1] - 1]
    entries, i = [], 0
    while (i := _next_entry(body, i)) >= 0:
        stop = brace_block(body, i)[1]
        entries.append("\n".join(line for line in body[i:stop].splitlines() if not line.strip().startswith("//")))
        i = stop
    return entries


def _case(index: int, flat: str) -> Case:
    get = {k: re.search(rf"\b{k}:\s*\"([^\"]*)\"", flat)
           for k in ("in", "want", "inFilePath", "expectedError", "annotation")}
    flags = re.search(r"\bsetFlags:\s*\[\]string\{(.*?)\}", flat, re.S)
    values = re.search(r"\bvalues:\s*`([^`]*)`", flat)
    error = get["expectedError"] or get["annotation"]
    return Case(index=index, input=get["in"].group(1) if get["in"] else "",
                want=get["want"].group(1) if get["want"] else "",
                set_flags=_strings(flags.group(1)) if flags else [],
                iop=get["inFilePath"].group(1) if get["inFilePath"] else "",
                mesh=_func_body(flat, "mesh"), setup=_func_body(flat, "setup"),
                skip_injection=bool(re.search(r"\bskipInjection:\s*true", flat)),
                error=error.group(1) if error else "", values=values.group(1) if values else "")


#: 1.5–1.7's kube-inject test functions and the folder of their files.
_OLDER_TESTS = (("TestIntoResourceFile", ""), ("TestRewriteAppProbe", "app_probe"), ("TestInvalidAnnotations", ""))


def parse_cases(source: str, goldens: list[str], inputs: list[str]) -> list[Case]:
    """Every kube-inject case of a tag's inject_test.go, in table order."""
    if "func TestInjection(" in source:
        cases = [_case(i, e) for i, e in enumerate(_entries(source, source.index("func TestInjection(")))]
        tested = {c.want or c.input + ".injected" for c in cases}
        for name in sorted(inputs):
            if name.endswith(".iop.yaml") or not name.endswith(".yaml"):
                continue
            if name + ".injected" not in tested and name + ".injected" in goldens:
                cases.append(Case(index=len(cases), input=name, want=name + ".injected"))
        return cases
    cases = []
    for func, folder in _OLDER_TESTS:
        m = re.search(rf"^func {func}\(t \*testing\.T\) \{{", source, re.M)
        if m is None:
            continue
        body = source[m.start():brace_block(source, m.end() - 1)[1]]
        # The MeshConfig handed to IntoResourceFile: loadInjectionSettings' third result (the
        # rendered mesh over the defaults) when the loop keeps it, else mesh.DefaultMeshConfig().
        chart = re.search(r"Config, (\w+) :?= loadInjectionSettings\(", body)
        for index, entry in enumerate(_entries(body, 0)):
            case = _case(index, entry)
            case.folder = folder
            case.mesh_from_chart = chart is not None and chart.group(1) != "_"
            case.apply_mesh = "c.mesh(" in body
            case.test_mode = "mesh.TestMode = true" in body
            cases.append(case)
    return cases
