"""Writing rewritten workloads: only what changed may change."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyinject.manifests.read import read_text
from pyinject.manifests.write import emit_json, emit_yaml
from pyinject.manifests.load import load_plain


def rewrite(text: str, change: Any) -> str:
    (doc,) = read_text(text)
    original = load_plain(doc.text, doc.location())
    new = copy.deepcopy(original)
    change(new)
    return emit_yaml(doc, original, new)


DEPLOY = """\
# the app
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web    # trailing comment
  labels: &labels
    app: web
spec:
  selector:
    matchLabels: *labels
  futureField: {keep: me}
  template:
    metadata:
      labels: *labels
    spec:
      containers:
      # the main container
      - name: web
        image: "nginx:1.25"
        args: ['--port', '0755', yes]
        ports:
        - containerPort: 0x50
      volumes:
      - name: data
        emptyDir: {}
"""


def test_no_change_is_the_same_text() -> None:
    assert rewrite(DEPLOY, lambda d: None) == DEPLOY


def test_added_annotation_and_container_keep_everything_else() -> None:
    def inject(d: Any) -> None:
        tmpl = d["spec"]["template"]
        tmpl["metadata"] = dict(tmpl["metadata"], labels=dict(tmpl["metadata"]["labels"], sidecar="yes"))
        tmpl["metadata"]["annotations"] = {"sidecar.istio.io/status": '{"a":1}'}
        tmpl["spec"]["containers"].append({"name": "istio-proxy", "args": ["15001", "on", "0755", "x"]})
        tmpl["spec"]["volumes"].insert(0, {"name": "istio-envoy"})

    out = rewrite(DEPLOY, inject)
    for kept in ["# the app", "name: web    # trailing comment", "futureField: {keep: me}", "# the main container",
                 'image: "nginx:1.25"', "args: ['--port', '0755', yes]", "containerPort: 0x50"]:
        assert kept in out, kept
    data = load_plain(out, read_text(out)[0].location())
    # The selector shared the labels through an alias: it must not gain the new label.
    assert data["spec"]["selector"]["matchLabels"] == {"app": "web"}
    assert data["spec"]["template"]["metadata"]["labels"] == {"app": "web", "sidecar": "yes"}
    names = [c["name"] for c in data["spec"]["template"]["spec"]["containers"]]
    assert names == ["web", "istio-proxy"]
    # New strings that YAML 1.1 would misread are quoted.
    assert data["spec"]["template"]["spec"]["containers"][1]["args"] == ["15001", "on", "0755", "x"]
    assert [v["name"] for v in data["spec"]["template"]["spec"]["volumes"]] == ["istio-envoy", "data"]


def test_removed_keys_and_items_disappear() -> None:
    def strip(d: Any) -> None:
        del d["spec"]["futureField"]
        d["spec"]["template"]["spec"]["volumes"] = []

    out = rewrite(DEPLOY, strip)
    assert "futureField" not in out and "emptyDir" not in out
    assert "# the main container" in out


def test_changed_scalar_is_replaced_and_neighbours_kept() -> None:
    out = rewrite(DEPLOY, lambda d: d["spec"]["template"]["spec"]["containers"][0].update(image="nginx:1.26"))
    assert "nginx:1.26" in out and "args: ['--port', '0755', yes]" in out


def test_new_metadata_goes_before_spec() -> None:
    text = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers: []\n"
    out = rewrite(text, lambda d: d["spec"]["template"].__setitem__("metadata", {"labels": {"a": "b"}}))
    assert out.index("metadata:") < out.index("    spec:")


def test_indentation_of_the_document_is_kept() -> None:
    text = "kind: Pod\nspec:\n    containers:\n        - name: a\n          image: x\n"
    out = rewrite(text, lambda d: d["spec"]["containers"].append({"name": "b"}))
    assert out.startswith(text[:-1]) and "        - name: b\n" in out


def test_crlf_input_parses_after_rewrite() -> None:
    text = "kind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers: []\r\n"
    out = rewrite(text, lambda d: d["metadata"].update(labels={"a": "b"}))
    assert load_plain(out, read_text(out)[0].location())["metadata"] == {"name": "p", "labels": {"a": "b"}}


@pytest.mark.parametrize("value", ["yes", "NO", "0755", "1e3", "~", "=", "2020-01-01", "1:30", "0x1F", ".inf"])
def test_new_ambiguous_strings_stay_strings(value: str) -> None:
    out = rewrite("kind: Pod\nmetadata: {}\n", lambda d: d["metadata"].update(annotations={"k": value}))
    assert load_plain(out, read_text(out)[0].location())["metadata"]["annotations"]["k"] == value


def test_emit_json() -> None:
    assert emit_json({"a": [1, "b"]}) == '{\n  "a": [\n    1,\n    "b"\n  ]\n}\n'


def test_every_original_line_survives_an_injection_like_change() -> None:
    def inject(d: Any) -> None:
        tmpl = d["spec"]["template"]
        tmpl["metadata"] = dict(tmpl["metadata"], annotations={"sidecar.istio.io/status": '{"a":1}'})
        tmpl["spec"]["containers"].append({"name": "istio-proxy", "image": "proxyv2"})

    out = rewrite(DEPLOY, inject)
    remaining = iter(out.splitlines())
    for line in DEPLOY.splitlines():
        assert any(line == candidate for candidate in remaining), line


def test_an_anchor_that_cannot_be_moved_falls_back_to_the_round_trip() -> None:
    # The flow mapping holding &v is rewritten whole; *v still needs it.
    text = "kind: Pod\na: {x: &v 1, z: 2}\nb: *v\n"
    out = rewrite(text, lambda d: d.update(a={"x": 1, "z": 3}))
    assert load_plain(out, read_text(out)[0].location()) == {"kind": "Pod", "a": {"x": 1, "z": 3}, "b": 1}


def test_splice_failures_fall_back_to_the_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyinject.manifests import write
    from pyinject.manifests.splice import CannotSplice

    def refuse(*args: Any) -> str:
        raise CannotSplice("test")

    monkeypatch.setattr(write, "splice", refuse)
    out = rewrite(DEPLOY, lambda d: d["spec"].update(replicas=2))
    assert "replicas: 2" in out and "# the main container" in out


def test_round_trip_quotes_new_keys_yaml_1_1_would_misread(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyinject.manifests import write
    from pyinject.manifests.splice import CannotSplice

    def refuse(*args: Any) -> str:
        raise CannotSplice("test")

    monkeypatch.setattr(write, "splice", refuse)
    out = rewrite("kind: Pod\nmetadata:\n  labels:\n    a: b\n", lambda d: d["metadata"]["labels"].update(y="1"))
    assert load_plain(out, read_text(out)[0].location())["metadata"]["labels"] == {"a": "b", "y": "1"}
