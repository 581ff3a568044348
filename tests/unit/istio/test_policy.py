"""Inject-or-skip decisions (pyinject.istio.policy), following Istio 1.30's injectRequired."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.model import InjectionConfig
from pyinject.istio.policy import INJECT, Decision, SkipReason, decide, selector_matches

ENABLED = InjectionConfig(templates={}, engine="go")
DISABLED = InjectionConfig(templates={}, engine="go", policy="disabled")
SELECTORS = InjectionConfig(
    templates={}, engine="go", policy="disabled",
    never_inject_selector=({"matchLabels": {"team": "batch"}},),
    always_inject_selector=({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]},),
)


def meta(labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
         namespace: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if labels is not None:
        out["labels"] = labels
    if annotations is not None:
        out["annotations"] = annotations
    if namespace is not None:
        out["namespace"] = namespace
    return out


@pytest.mark.parametrize(
    ("config", "pod_meta", "pod_spec", "namespace", "want"),
    [
        pytest.param(ENABLED, meta(), {}, "", INJECT, id="plain-pod-policy-enabled"),
        pytest.param(DISABLED, meta(), {}, "", Decision(False, SkipReason.POLICY_DISABLED), id="policy-disabled"),
        pytest.param(ENABLED, meta(), {"hostNetwork": True}, "", Decision(False, SkipReason.HOST_NETWORK),
                     id="host-network"),
        pytest.param(ENABLED, meta(annotations={"sidecar.istio.io/inject": "true"}), {"hostNetwork": True}, "",
                     Decision(False, SkipReason.HOST_NETWORK), id="host-network-beats-opt-in"),
        pytest.param(ENABLED, meta(), {"hostNetwork": False}, "", INJECT, id="host-network-false"),
        pytest.param(ENABLED, meta(), {}, "kube-system", Decision(False, SkipReason.SYSTEM_NAMESPACE),
                     id="kube-system-namespace"),
        pytest.param(ENABLED, meta(namespace="kube-public"), {}, "default", Decision(False, SkipReason.SYSTEM_NAMESPACE),
                     id="template-namespace-first"),
        pytest.param(ENABLED, meta(annotations={"sidecar.istio.io/inject": "false"}), {}, "",
                     Decision(False, SkipReason.ANNOTATION_OPT_OUT), id="annotation-false"),
        pytest.param(ENABLED, meta(labels={"sidecar.istio.io/inject": "false"}), {}, "",
                     Decision(False, SkipReason.LABEL_OPT_OUT), id="label-false"),
        pytest.param(DISABLED, meta(annotations={"sidecar.istio.io/inject": "true"}), {}, "", INJECT,
                     id="annotation-opt-in"),
        pytest.param(DISABLED, meta(labels={"sidecar.istio.io/inject": "true"},
                                    annotations={"sidecar.istio.io/inject": "false"}), {}, "", INJECT,
                     id="label-wins-over-annotation"),
        pytest.param(ENABLED, meta(labels={"sidecar.istio.io/inject": "false"},
                                   annotations={"sidecar.istio.io/inject": "true"}), {}, "",
                     Decision(False, SkipReason.LABEL_OPT_OUT), id="label-false-wins"),
        pytest.param(DISABLED, meta(annotations={"sidecar.istio.io/inject": "Yes"}), {}, "", INJECT,
                     id="yes-any-case"),
        pytest.param(DISABLED, meta(annotations={"sidecar.istio.io/inject": "on"}), {}, "", INJECT, id="on"),
        pytest.param(DISABLED, meta(annotations={"sidecar.istio.io/inject": "y"}), {}, "", INJECT, id="y"),
        pytest.param(ENABLED, meta(annotations={"sidecar.istio.io/inject": "enabled"}), {}, "",
                     Decision(False, SkipReason.ANNOTATION_OPT_OUT), id="unknown-word-means-no"),
        pytest.param(ENABLED, meta(annotations={"sidecar.istio.io/inject": ""}), {}, "", INJECT,
                     id="empty-value-means-unsaid"),
        pytest.param(SELECTORS, meta(labels={"team": "batch", "app": "web"}), {}, "",
                     Decision(False, SkipReason.NEVER_INJECT_SELECTOR), id="never-selector-before-always"),
        pytest.param(SELECTORS, meta(labels={"app": "api"}), {}, "", INJECT, id="always-selector"),
        pytest.param(SELECTORS, meta(labels={"app": "db"}), {}, "", Decision(False, SkipReason.POLICY_DISABLED),
                     id="no-selector-matches"),
        pytest.param(SELECTORS, meta(labels={"team": "batch"}, annotations={"sidecar.istio.io/inject": "true"}), {},
                     "", INJECT, id="explicit-opt-in-beats-never-selector"),
        pytest.param(ENABLED, None, None, "", INJECT, id="missing-metadata-and-spec"),
    ],
)
def test_decide(config: InjectionConfig, pod_meta: dict[str, Any] | None, pod_spec: dict[str, Any] | None,
                namespace: str, want: Decision) -> None:
    assert decide(config, pod_meta, pod_spec, namespace) == want


@pytest.mark.parametrize(
    ("selector", "labels", "want"),
    [
        pytest.param({}, {"a": "b"}, False, id="empty-selector-matches-nothing"),
        pytest.param({"matchLabels": {"a": "b"}}, {"a": "b", "c": "d"}, True, id="match-labels"),
        pytest.param({"matchLabels": {"a": "b"}}, {"a": "x"}, False, id="match-labels-differ"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x", "y"]}]}, {"a": "y"}, True,
                     id="in"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]}, {}, False,
                     id="in-missing-label"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["x"]}]}, {}, True,
                     id="not-in-missing-label"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["x"]}]}, {"a": "x"}, False,
                     id="not-in"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True, id="exists"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "1"}, False,
                     id="does-not-exist"),
        pytest.param({"matchLabels": {"a": "b"}, "matchExpressions": [{"key": "c", "operator": "Exists"}]},
                     {"a": "b"}, False, id="all-terms-must-match"),
    ],
)
def test_selector_matches(selector: dict[str, Any], labels: dict[str, str], want: bool) -> None:
    assert selector_matches(selector, labels) is want


def test_skip_reasons_read_as_sentences() -> None:
    for reason in SkipReason:
        assert reason.value[0].islower() and not reason.value.endswith(".")
    assert SkipReason.HOST_NETWORK.value == "has host networking enabled"
