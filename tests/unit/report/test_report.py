"""The per-workload report (plain lines and the rich table) and the change phrases behind -v."""

from __future__ import annotations

import io
from typing import Any

import pytest

from pyinject.report.changes import describe_changes, same_data
from pyinject.model import Record
from pyinject.model import Outcome
from pyinject.report.summary import check_lines, plain_lines, summary, write_report


def outcome(action: str, reason: str = "", *, name: str = "default/web", changes: tuple[str, ...] = (), doc: int = 1) -> Outcome:
    return Outcome(Record("app.yaml", doc, "Deployment", name, action, reason), changes)


MIXED = [
    outcome("injected", changes=("+ init containers: istio-init, istio-proxy",), doc=1),
    outcome("skipped", "has host networking enabled", name="net", doc=2),
    outcome("re-injected", name="old", doc=3),
    outcome("unchanged", "already up to date", name="done", doc=4),
]


PLAIN_CASES = {
    "one line per workload, reason in parentheses, summary last": (
        MIXED, {}, [
            "app.yaml: document 1: Deployment default/web: injected",
            'app.yaml: document 2: Skipping injection because Deployment "net" has host networking enabled',
            "app.yaml: document 3: Deployment old: re-injected",
            "app.yaml: document 4: Deployment done: unchanged (already up to date)",
            "pyinject: 4 workloads: 1 injected, 1 re-injected, 1 skipped, 1 unchanged",
        ],
    ),
    "verbose indents the changes under their workload": (
        MIXED[:1], {"verbose": True}, [
            "app.yaml: document 1: Deployment default/web: injected",
            "    + init containers: istio-init, istio-proxy",
            "pyinject: 1 workload: 1 injected",
        ],
    ),
    "check lists only what would change, in the conditional": (
        MIXED, {"check": True}, [
            "app.yaml: document 1: Deployment default/web: would inject",
            "app.yaml: document 3: Deployment old: would re-inject",
            "pyinject: 4 workloads: 1 would inject, 1 would re-inject, 1 skipped, 1 unchanged",
        ],
    ),
    "check with verbose lists everything": (
        MIXED[1:2], {"check": True, "verbose": True}, [
            'app.yaml: document 2: Skipping injection because Deployment "net" has host networking enabled',
            "pyinject: 1 workload: 1 skipped",
        ],
    ),
    "uninjected": (
        [outcome("uninjected"), outcome("unchanged", "not injected", name="plain")], {}, [
            "app.yaml: document 1: Deployment default/web: uninjected",
            "app.yaml: document 1: Deployment plain: unchanged (not injected)",
            "pyinject: 2 workloads: 1 uninjected, 1 unchanged",
        ],
    ),
    "no workloads, no report": ([], {}, []),
}


@pytest.mark.parametrize("outcomes,flags,expected", PLAIN_CASES.values(), ids=PLAIN_CASES.keys())
def test_plain_lines(outcomes: list[Outcome], flags: dict[str, bool], expected: list[str]) -> None:
    assert plain_lines(outcomes, **flags) == expected


def test_plain_report_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    write_report(MIXED, stream)
    assert stream.getvalue() == "\n".join(plain_lines(MIXED)) + "\n"


def test_nothing_is_written_without_workloads() -> None:
    stream = io.StringIO()
    write_report([], stream, terminal=True)
    assert stream.getvalue() == ""


def test_terminal_gets_a_table_with_every_workload_and_the_summary() -> None:
    stream = io.StringIO()
    write_report(MIXED, stream, terminal=True, verbose=True)
    text = stream.getvalue()
    lines = text.splitlines()
    assert lines[0].split() == ["file", "doc", "workload", "result", "reason", "/", "changes"]
    for name, result in [("default/web", "injected"), ("net", "skipped"), ("old", "re-injected"), ("done", "unchanged")]:
        row = next(line for line in lines if f"Deployment {name} " in line)
        assert result in row.split()
    # rich wraps the cell at its column width (80 columns off a terminal).
    assert " ".join(text.split()).count("+ init containers: istio-init, istio-proxy") == 1
    assert lines[-1] == summary(MIXED)


def test_table_does_not_read_brackets_in_names_as_markup() -> None:
    stream = io.StringIO()
    weird = [Outcome(Record("[bold]x.yaml", 1, "Pod", "p", "skipped", "has sidecar injection disabled [label]"))]
    write_report(weird, stream, terminal=True)
    assert "[bold]x.yaml" in stream.getvalue() and "[label]" in stream.getvalue()


CHECK_CASES = {
    "some files would change": (["a.yaml", "b.yaml"], 3, ["would change: a.yaml", "would change: b.yaml",
                                                         "pyinject: --check: 2 files would change, 1 unchanged"]),
    "one file would change": (["a.yaml"], 1, ["would change: a.yaml", "pyinject: --check: 1 file would change, 0 unchanged"]),
    "nothing would change": ([], 2, ["pyinject: --check: 2 files up to date"]),
    "a single file up to date": ([], 1, ["pyinject: --check: 1 file up to date"]),
}


@pytest.mark.parametrize("changed,total,expected", CHECK_CASES.values(), ids=CHECK_CASES.keys())
def test_check_lines(changed: list[str], total: int, expected: list[str]) -> None:
    assert check_lines(changed, total) == expected


def pod(containers: list[str] = (), inits: list[str] = (), annotations: dict[str, str] | None = None,
        **spec: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"metadata": {}, "spec": dict(spec)}
    if containers:
        out["spec"]["containers"] = [{"name": n, "image": "x"} for n in containers]
    if inits:
        out["spec"]["initContainers"] = [{"name": n} for n in inits]
    if annotations is not None:
        out["metadata"]["annotations"] = annotations
    return out


CHANGE_CASES = {
    "nothing changed": (pod(["app"]), pod(["app"]), ()),
    "containers added, in order, grouped": (
        pod(["app"]), pod(["app", "istio-proxy"], ["istio-init", "istio-validation"]),
        ("+ init containers: istio-init, istio-validation", "+ containers: istio-proxy"),
    ),
    "containers removed": (pod(["app", "istio-proxy"]), pod(["app"]), ("- containers: istio-proxy",)),
    "a container changed in place": (
        pod(["app"]), {"metadata": {}, "spec": {"containers": [{"name": "app", "image": "y"}]}}, ("~ containers: app",),
    ),
    "annotations added, removed and changed": (
        pod(["app"], annotations={"keep": "1", "drop": "x", "edit": "a"}),
        pod(["app"], annotations={"keep": "1", "edit": "b", "new": "n"}),
        ("+ annotations: new", "- annotations: drop", "~ annotations: edit"),
    ),
    "other spec fields as a whole": (
        pod(["app"], hostNetwork=False), pod(["app"], securityContext={"sysctls": []}),
        ("+ spec: securityContext", "- spec: hostNetwork"),
    ),
    "unnamed items are told apart by position": (
        {"metadata": {}, "spec": {"volumes": [{"emptyDir": {}}]}}, {"metadata": {}, "spec": {"volumes": []}},
        ("- volumes: #1",),
    ),
}


@pytest.mark.parametrize("before,after,expected", CHANGE_CASES.values(), ids=CHANGE_CASES.keys())
def test_describe_changes(before: dict[str, Any], after: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert describe_changes(before, after) == expected


SAME_CASES = {
    "true is not 1": (True, 1, False),
    "1 is not '1'": (1, "1", False),
    "1 is 1.0": (1, 1.0, True),
    "nested equal": ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, True),
    "key order does not matter": ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
    "nested bool against int": ({"a": [True]}, {"a": [1]}, False),
    "lists of different length": ([1], [1, 1], False),
    "nested 1 is 1.0": ({"a": [1]}, {"a": [1.0]}, True),
    "nested strings differ": ({"a": ["x"]}, {"a": ["y"]}, False),
    "a mapping is not a list": ({"a": {}}, {"a": []}, False),
}


@pytest.mark.parametrize("a,b,expected", SAME_CASES.values(), ids=SAME_CASES.keys())
def test_same_data(a: Any, b: Any, expected: bool) -> None:
    assert same_data(a, b) is expected
