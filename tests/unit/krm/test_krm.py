"""The KRM function contract: what kpt and kustomize send, and what they expect back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pyinject.krm.resourcelist import looks_like_resource_list
from tests.unit.cli.test_cli import docs

DATA = Path(__file__).resolve().parents[2] / "data"
KPT_INPUT = DATA / "krm" / "kpt-input.yaml"
KUSTOMIZE_INPUT = DATA / "krm" / "kustomize-input.yaml"
ORCHESTRATOR = ("config.kubernetes.io/", "internal.config.kubernetes.io/")


def _orchestrator_annotations(item: dict[str, Any]) -> dict[str, Any]:
    annotations = item.get("metadata", {}).get("annotations", {})
    return {k: v for k, v in annotations.items() if k.startswith(ORCHESTRATOR)}


def _names(item: dict[str, Any], *path: str) -> list[str]:
    node: Any = item
    for key in path:
        node = node[key]
    return [c.get("name", "") for c in node.get("initContainers", []) + node["containers"]]


def _one(text: str) -> dict[str, Any]:
    (doc,) = docs(text)
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize("fixture", [KPT_INPUT, KUSTOMIZE_INPUT], ids=["kpt", "kustomize"])
def test_the_resource_list_comes_back_with_items_injected_and_annotations_kept(run_cli, fixture: Path) -> None:
    sent = _one(fixture.read_text())
    result = run_cli("krm", input=fixture.read_text())
    assert result.exit_code == 0, result.stderr
    back = _one(result.stdout)
    assert (back["apiVersion"], back["kind"]) == ("config.kubernetes.io/v1", "ResourceList")
    assert back["functionConfig"] == sent["functionConfig"]
    assert len(back["items"]) == len(sent["items"])
    for before, after in zip(sent["items"], back["items"]):
        assert (after["kind"], after["metadata"]["name"]) == (before["kind"], before["metadata"]["name"])
        assert _orchestrator_annotations(after) == _orchestrator_annotations(before)
    assert all(r["severity"] in ("info", "warning", "error") for r in back["results"])
    assert result.stderr == ""  # results carry the report; stderr stays quiet for kustomize build




def test_kpt_results_name_each_resource_and_file(run_cli) -> None:
    back = _one(run_cli("krm", input=KPT_INPUT.read_text()).stdout)
    rollout, united, knative, widget, deployment = back["items"]
    assert "istio-proxy" in _names(rollout, "spec", "template", "spec")
    assert "istio-proxy" in _names(knative, "spec", "template", "spec")
    assert "istio-proxy" in _names(deployment, "spec", "template", "spec")
    assert "istio-proxy" not in _names(united, "spec", "template", "cloneSetTemplate", "spec", "template", "spec")
    by_kind = {r["resourceRef"]["kind"]: r for r in back["results"]}
    assert by_kind["Rollout"] == {
        "message": "sidecar injected", "severity": "info",
        "resourceRef": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "web", "namespace": "shop"},
        "file": {"path": "crds.yaml", "index": 0},
    }
    assert by_kind["UnitedDeployment"]["severity"] == "warning"
    assert "--pod-template uniteddeployment" in by_kind["UnitedDeployment"]["message"]
    assert by_kind["Widget"]["file"] == {"path": "crds.yaml", "index": 3}
    assert by_kind["Deployment"]["file"] == {"path": "deploy.yaml", "index": 0}


def test_kustomize_typed_function_config_applies(run_cli) -> None:
    back = _one(run_cli("krm", input=KUSTOMIZE_INPUT.read_text()).stdout)
    service, deployment = back["items"]
    assert "results" not in service  # untouched
    pod = deployment["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["web", "istio-proxy"]  # nativeSidecars: false
    assert pod["containers"][1]["image"] == "docker.io/istio/proxyv2-custom:1.30.3"
    assert [r["resourceRef"]["kind"] for r in back["results"]] == ["Deployment"]
    assert "file" not in back["results"][0]  # kustomize sends no path annotations


def test_comments_and_untouched_items_are_kept_byte_for_byte(run_cli) -> None:
    text = KUSTOMIZE_INPUT.read_text()
    out = run_cli("krm", input=text).stdout
    service_text = text[text.index("- apiVersion: v1\n  kind: Service"):text.index("- apiVersion: apps/v1")]
    assert service_text in out
    assert out.startswith("# The ResourceList kustomize 5")


def test_kube_inject_answers_a_resource_list_like_the_function(run_cli, tmp_path: Path) -> None:
    function = run_cli("krm", input=KPT_INPUT.read_text())
    from_stdin = run_cli("kube-inject", "-f", "-", input=KPT_INPUT.read_text())
    from_file = run_cli("kube-inject", "-f", str(KPT_INPUT))
    assert from_stdin.exit_code == from_file.exit_code == 0
    assert from_stdin.stdout == from_file.stdout == function.stdout
    assert "crds.yaml: document 1: Rollout shop/web: injected" in from_stdin.stderr  # kube-inject keeps its report


def test_rerun_changes_nothing(run_cli) -> None:
    once = run_cli("krm", input=KPT_INPUT.read_text()).stdout
    twice = _one(run_cli("krm", input=once).stdout)
    assert twice["items"] == _one(once)["items"]
    assert {r["message"] for r in twice["results"] if r["severity"] == "info"} >= {"sidecar unchanged (already up to date)"}


def test_a_bare_pod_keeps_the_orchestrator_annotations(run_cli) -> None:
    text = """apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    annotations:
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'pod.yaml'
  spec:
    containers: [{name: a, image: a}]
"""
    (pod,) = _one(run_cli("krm", input=text).stdout)["items"]
    annotations = pod["metadata"]["annotations"]
    assert annotations["internal.config.kubernetes.io/path"] == "pod.yaml"
    assert annotations["config.kubernetes.io/index"] == "0"
    assert "sidecar.istio.io/status" in annotations


def test_a_failing_item_is_an_error_result_and_the_others_are_injected(run_cli) -> None:
    text = """apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ok, annotations: {internal.config.kubernetes.io/path: a.yaml, internal.config.kubernetes.io/index: '0'}}
  spec: {template: {spec: {containers: [{name: a, image: a}]}}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: broken, annotations: {internal.config.kubernetes.io/path: b.yaml, internal.config.kubernetes.io/index: '2'}}
  spec: {template: {spec: {containers: nope}}}
"""
    result = run_cli("krm", input=text)
    assert result.exit_code == 1
    assert result.stderr == ("pyinject: error: b.yaml: Deployment broken: spec.template.spec.containers must be a list, "
                             "not a string (\"nope\")\n")
    back = _one(result.stdout)
    ok, broken = back["items"]
    assert "istio-proxy" in _names(ok, "spec", "template", "spec")
    assert broken == _one(text)["items"][1]
    error = back["results"][-1]
    assert error["severity"] == "error"
    assert error["resourceRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "broken"}
    assert error["file"] == {"path": "b.yaml", "index": 2}


@pytest.mark.parametrize("config, message", [
    ({"apiVersion": "v1", "kind": "ConfigMap", "data": {"bogus": "1"}}, "unknown setting 'bogus'"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "data": {"known-kinds": "yes"}}, "knownKinds: 'yes' is not true or false"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "data": {"pod-template": "rolout"}}, "did you mean 'rollout'?"),
    ({"apiVersion": "example.com/v1", "kind": "Other"}, "example.com/v1/Other is not understood"),
    ({"apiVersion": "pyinject.local/v1alpha1", "kind": "SidecarInjection", "spec": {"set": "a=b"}}, "set: must be a list"),
], ids=["unknown-key", "bad-bool", "bad-kind-name", "foreign-kind", "typed-bad-type"])
def test_bad_function_config_fails_with_items_untouched(run_cli, config: dict[str, Any], message: str) -> None:
    sent = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "functionConfig": config,
            "items": [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                       "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}]}
    result = run_cli("krm", input=json.dumps(sent))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    back = json.loads(result.stdout)  # JSON in, JSON out
    assert back["items"] == sent["items"]
    (error,) = back["results"]
    assert error["severity"] == "error" and message in error["message"]


def test_configmap_inline_settings(run_cli) -> None:
    sent = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
            "functionConfig": {"apiVersion": "v1", "kind": "ConfigMap",
                               "data": {"meshConfig": "defaultConfig:\n  concurrency: 7\n", "native-sidecars": "false",
                                        "set": "values.global.proxy.image=one\nvalues.global.logAsJson=true\n"}},
            "items": [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                       "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}]}
    result = run_cli("krm", input=json.dumps(sent))
    assert result.exit_code == 0, result.stderr
    proxy = json.loads(result.stdout)["items"][0]["spec"]["template"]["spec"]["containers"][1]
    assert proxy["image"] == "docker.io/istio/one:1.30.3"
    assert any(e["name"] == "PROXY_CONFIG" and json.loads(e["value"])["concurrency"] == 7 for e in proxy["env"])


@pytest.mark.parametrize("text", ["kind: Deployment\n", "apiVersion: v1\nkind: List\nitems: []\n"], ids=["object", "list"])
def test_anything_but_a_resource_list_is_refused(run_cli, text: str) -> None:
    result = run_cli("krm", input=text)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("pyinject: error: <stdin>: document 1") and "not a config.kubernetes.io/v1 ResourceList" in result.stderr


def test_manifests_that_mention_resource_lists_are_not_taken_for_one(run_cli) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: |\n    kind: ResourceList\n"
    assert not looks_like_resource_list(text)
    assert run_cli("kube-inject", "-f", "-", input=text).stdout == text
