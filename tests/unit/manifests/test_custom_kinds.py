"""Custom kinds: --pod-template / --known-kinds, the opt-in report, uninject and --check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pyinject.errors import UsageError
from pyinject.manifests.workloads import KNOWN_KINDS, KindTable, find_unclaimed, find_workloads, parse_pod_templates
from tests.unit.cli.test_cli import docs

CRDS = Path(__file__).resolve().parents[2] / "data" / "custom-kinds" / "crds.yaml"
WIDGET = "Widget.example.com=spec.pod"


def _containers(doc: dict[str, Any], path: str) -> list[str]:
    node: Any = doc
    for key in path.split("."):
        node = node[key]
    spec = node["spec"]
    return [c.get("name", "") for c in spec.get("initContainers", []) + spec["containers"]]


def test_without_opt_in_each_custom_kind_is_reported_with_how_to_opt_in(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(CRDS))
    assert result.exit_code == 0
    assert result.stdout == CRDS.read_text()
    lines = result.stderr.splitlines()
    assert lines == [
        f"{CRDS}: document 1: Skipping injection because Rollout.argoproj.io \"shop/web\" "
        "has a pod template at spec.template that is injected only on request: opt in with --pod-template rollout",
        f"{CRDS}: document 2: Skipping injection because UnitedDeployment.apps.kruise.io \"ud\" "
        "has a pod template at spec.template.cloneSetTemplate.spec.template that is injected only on request: opt in with --pod-template uniteddeployment",
        f"{CRDS}: document 3: Skipping injection because Service.serving.knative.dev \"hello\" "
        "has a pod template at spec.template that is injected only on request: opt in with --pod-template knative-service",
        f"{CRDS}: document 4: Skipping injection because Widget.example.com \"w\" "
        "has a pod template at spec.pod that is injected only on request: opt in with --pod-template Widget.example.com=spec.pod",
        "pyinject: 4 workloads: 4 skipped",
    ]


def test_opted_in_kinds_are_injected_at_their_paths(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(CRDS), "--known-kinds", "--pod-template", WIDGET)
    assert result.exit_code == 0, result.stderr
    rollout, united, knative, widget = docs(result.stdout)
    assert _containers(rollout, "spec.template") == ["istio-init", "web", "istio-proxy"]
    assert _containers(united, "spec.template.cloneSetTemplate.spec.template") == ["istio-init", "a", "istio-proxy"]
    assert _containers(knative, "spec.template") == ["istio-init", "user-container", "istio-proxy"]
    assert _containers(widget, "spec.pod") == ["istio-init", "x", "istio-proxy"]
    assert "4 injected" in result.stderr


def test_one_known_kind_by_name_leaves_the_others_reported(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(CRDS), "--pod-template", "rollout")
    assert result.exit_code == 0
    assert "istio-proxy" in _containers(docs(result.stdout)[0], "spec.template")
    assert "Rollout shop/web: injected" in result.stderr
    assert 'Skipping injection because UnitedDeployment.apps.kruise.io "ud"' in result.stderr


def test_group_must_match_when_given(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(CRDS), "--pod-template", "Rollout.example.com=spec.template")
    assert result.stdout == CRDS.read_text()
    assert 'Skipping injection because Rollout.argoproj.io "shop/web"' in result.stderr


def test_kind_without_group_matches_any_group(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(CRDS), "--pod-template", "Rollout=spec.template")
    assert "Rollout shop/web: injected" in result.stderr


def test_uninject_and_check_handle_custom_kinds(run_cli, tmp_path: Path) -> None:
    flags = ("--known-kinds", "--pod-template", WIDGET)
    injected = tmp_path / "injected.yaml"
    injected.write_text(run_cli("kube-inject", "-f", str(CRDS), *flags).stdout)
    check = run_cli("kube-inject", "-f", str(injected), "--check", *flags)
    assert check.exit_code == 0 and "up to date" in check.stderr
    stale = run_cli("kube-inject", "-f", str(CRDS), "--check", *flags)
    assert stale.exit_code == 1 and f"would change: {CRDS}" in stale.stderr
    back = run_cli("kube-uninject", "-q", "-f", str(injected), *flags)
    assert back.exit_code == 0 and back.stdout == CRDS.read_text()
    assert run_cli("kube-uninject", "-f", str(injected), "--check", *flags).exit_code == 1


def test_a_rollout_with_a_workload_ref_has_no_template_to_inject() -> None:
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
           "spec": {"workloadRef": {"kind": "Deployment", "name": "web"}}}
    assert list(find_workloads(doc, table=KindTable(parse_pod_templates(["rollout"])))) == []
    assert list(find_unclaimed(doc)) == []


def test_list_items_of_custom_kinds_are_found() -> None:
    item = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
            "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}
    doc = {"apiVersion": "v1", "kind": "List", "items": [item]}
    (workload,) = find_workloads(doc, table=KindTable(parse_pod_templates(["rollout"])))
    assert workload.where == ("items", "0") and workload.kind == "Rollout"
    assert [u.hint for u in find_unclaimed(doc)] == ["--pod-template rollout"]


def test_kruise_advanced_statefulset_is_injected_as_a_statefulset_already() -> None:
    doc = {"apiVersion": "apps.kruise.io/v1beta1", "kind": "StatefulSet", "metadata": {"name": "s"},
           "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}
    assert [w.kind for w in find_workloads(doc)] == ["StatefulSet"]
    assert KNOWN_KINDS["advanced-statefulset"].group == "apps.kruise.io"


@pytest.mark.parametrize("values, message", [
    (["rolout"], "did you mean 'rollout'?"),
    (["Rollout.argoproj.io="], "is not a dotted field path"),
    (["Roll out=spec.template"], "is not KIND or KIND.GROUP"),
    (["x.Bad_Group=spec"], "is not KIND or KIND.GROUP"),
], ids=["unknown-name", "empty-path", "bad-kind", "bad-group"])
def test_bad_values_are_usage_errors(values: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_pod_templates(values)


def test_bad_values_exit_2_with_one_line(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(CRDS), "--pod-template", "rolout", "--pod-template", "A=")
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "'rolout'" in line and "'A='" in line


def test_repeated_kind_collects_paths() -> None:
    (rule,) = parse_pod_templates(["Thing.x.io=spec.a", "Thing.x.io=spec.b", "Thing.x.io=spec.a"])
    assert rule.templates == (("spec", "a"), ("spec", "b"))
