"""The pipeline hands the writer the document as it was read, beside the rewritten one.

It copies only what storing a new pod template changes (the mappings and lists
on the way to it) unless the document has aliases; these tests check that the
writer's ``original`` still is exactly what the text says however many
templates were stored.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyinject.manifests.load import load_plain
from pyinject.manifests.read import read_text
from pyinject.manifests.workloads import Workload
from pyinject.model import Action, OutputMode, PodResult
from pyinject.pipeline import process_document


class Rewriter:
    """An injection step that returns a new pod template (and, as the contract says, leaves the given one alone)."""

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult:
        new_meta, new_spec = copy.deepcopy(metadata), copy.deepcopy(spec)
        new_meta["labels"] = dict(new_meta.get("labels") or {}, injected="yes")
        new_spec.setdefault("containers", []).append({"name": "istio-proxy"})
        return PodResult(new_meta, new_spec, Action.INJECTED)


def run(text: str) -> tuple[Any, Any]:
    """(original, new) as the writer receives them."""
    got: list[tuple[Any, Any]] = []

    def emit(doc: Any, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
        got.append((copy.deepcopy(original), copy.deepcopy(data)))
        return ""

    (doc,) = read_text(text)
    process_document(doc, Rewriter(), [], None, OutputMode("record", emit))
    return got[0]


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, ports: [{containerPort: 80}]}]
"""

LIST = """\
apiVersion: v1
kind: List
items:
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {spec: {containers: [{name: a}]}}}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: v}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}, spec: {template: {metadata: {labels: {x: z}}, spec: {containers: [{name: b}]}}}}
"""

ALIASED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &labels {app: web}
spec:
  selector: {matchLabels: *labels}
  template: &tpl
    metadata: {labels: *labels}
    spec: &spec
      containers: [{name: web}]
  other: *tpl
  more: *spec
"""

ALIASED_LIST = """\
kind: List
items:
- &d {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {spec: {containers: [{name: a}]}}}}
- *d
"""


@pytest.mark.parametrize("text", [DEPLOYMENT, LIST, ALIASED, ALIASED_LIST], ids=["deployment", "list", "aliased", "aliased list"])
def test_the_writer_gets_the_document_as_read(text: str) -> None:
    original, new = run(text)
    (doc,) = read_text(text)
    assert original == load_plain(doc.text, doc.location())
    assert new != original


def test_every_template_of_a_list_is_rewritten_and_nothing_else() -> None:
    original, new = run(LIST)
    assert [c["name"] for c in new["items"][0]["spec"]["template"]["spec"]["containers"]] == ["a", "istio-proxy"]
    assert [c["name"] for c in new["items"][2]["spec"]["template"]["spec"]["containers"]] == ["b", "istio-proxy"]
    assert new["items"][1] == original["items"][1]
    assert new["items"][2]["spec"]["template"]["metadata"]["labels"] == {"x": "z", "injected": "yes"}


@pytest.mark.parametrize("describe", [True, False])
def test_changes_are_described_only_when_asked(describe: bool) -> None:
    outputs: list[Any] = []

    def emit(doc: Any, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
        outputs.append(copy.deepcopy(data))
        return ""

    (doc,) = read_text(DEPLOYMENT)
    outcomes: list[Any] = []
    process_document(doc, Rewriter(), outcomes, None, OutputMode("record", emit), describe=describe)
    (outcome,) = outcomes
    assert outcome.record.action == Action.INJECTED
    assert outcome.changes == (("+ containers: istio-proxy", "+ labels: injected") if describe else ())
    assert outputs[0]["spec"]["template"]["metadata"]["labels"] == {"app": "web", "injected": "yes"}


def test_quiet_and_terse_runs_skip_describing(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from pyinject import pipeline
    from pyinject.cli.commands import cli

    asked: list[bool] = []
    real = pipeline.run
    monkeypatch.setattr(pipeline, "run", lambda *a, **k: asked.append(k["describe"]) or real(*a, **k))
    path = tmp_path / "app.yaml"
    path.write_text(DEPLOYMENT, encoding="utf-8")
    for flags in (["-q"], [], ["-v"]):
        result = CliRunner().invoke(cli, ["kube-inject", *flags, "-f", str(path)])
        assert result.exit_code == 0, result.output
    assert asked == [False, False, True]
