"""Inject-or-skip decisions (pyinject.istio.policy), following Istio 1.30's injectRequired
(and, where the releases differ, each era's)."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.model import InjectionConfig
from pyinject.istio.policy import INJECT, Decision, SkipReason, decide, selector_matches
from pyinject.istio.releases import RELEASES

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


KEY = "sidecar.istio.io/inject"
#: The three ways releases read sidecar.istio.io/inject (injectRequired at 1.11.8, 1.12.0-1.26.8, 1.27.0+).
ANNOTATION_YAML, LABEL_YAML, EXACT = (RELEASES[(1, 11)].inject_switch, RELEASES[(1, 26)].inject_switch,
                                      RELEASES[(1, 27)].inject_switch)
SKIP_ANNOTATION = Decision(False, SkipReason.ANNOTATION_OPT_OUT)
SKIP_LABEL = Decision(False, SkipReason.LABEL_OPT_OUT)
SKIP_POLICY = Decision(False, SkipReason.POLICY_DISABLED)


@pytest.mark.parametrize(("version", "pod_meta", "want"), [
    # 1.8-1.11: the annotation only; y/yes/true/on in any case; any other word opts out.
    pytest.param((1, 8), meta(annotations={KEY: "Yes"}), INJECT, id="1.8-yes-any-case"),
    pytest.param((1, 11), meta(annotations={KEY: "on"}), INJECT, id="1.11-on"),
    pytest.param((1, 11), meta(annotations={KEY: "enabled"}), SKIP_ANNOTATION, id="1.11-unknown-word-opts-out"),
    pytest.param((1, 11), meta(labels={KEY: "true"}), SKIP_POLICY, id="1.11-label-not-read"),
    pytest.param((1, 11), meta(labels={KEY: "true"}, annotations={KEY: "false"}), SKIP_ANNOTATION,
                 id="1.11-annotation-decides-beside-a-label"),
    # 1.12-1.26: the label first, the same words.
    pytest.param((1, 12), meta(labels={KEY: "true"}), INJECT, id="1.12-label-read"),
    pytest.param((1, 16), meta(labels={KEY: "Y"}, annotations={KEY: "false"}), INJECT, id="1.16-label-y-wins"),
    pytest.param((1, 20), meta(annotations={KEY: "no"}), SKIP_ANNOTATION, id="1.20-no-opts-out"),
    pytest.param((1, 26), meta(labels={KEY: "disabled"}), SKIP_LABEL, id="1.26-unknown-word-opts-out"),
    # 1.27 on: exactly true or false; anything else is ignored and the policy decides.
    pytest.param((1, 27), meta(annotations={KEY: "yes"}), SKIP_POLICY, id="1.27-yes-ignored"),
    pytest.param((1, 30), meta(annotations={KEY: "True"}), SKIP_POLICY, id="1.30-case-matters"),
    pytest.param((1, 30), meta(labels={KEY: "true"}), INJECT, id="1.30-true"),
    pytest.param((1, 30), meta(labels={KEY: "false"}, annotations={KEY: "true"}), SKIP_LABEL, id="1.30-label-false-wins"),
])
def test_inject_values_per_release(version: tuple[int, int], pod_meta: dict[str, Any], want: Decision) -> None:
    # The policy is disabled, so only an accepted opt-in injects.
    assert decide(DISABLED, pod_meta, {}, "", RELEASES[version].inject_switch) == want


def test_an_ignored_value_falls_through_to_the_policy_with_a_warning() -> None:
    decision = decide(ENABLED, meta(annotations={KEY: "disabled"}), {}, "", EXACT)
    assert decision == INJECT
    assert decision.warnings == (f"pod annotation {KEY}='disabled' is ignored (only true and false are accepted); "
                                 "the selectors and the injection policy decide",)
    assert [s.outcome for s in decision.steps if s.check == "opt-in-out"] == ["pass"]


def test_the_newest_release_is_the_default_reading() -> None:
    assert decide(ENABLED, meta(annotations={KEY: "no"}), {}, "") == INJECT
    assert decide(ENABLED, meta(annotations={KEY: "no"}), {}, "", LABEL_YAML) == SKIP_ANNOTATION


@pytest.mark.parametrize(("switch", "value", "meaning"), [
    (ANNOTATION_YAML, "ON", "inject"), (ANNOTATION_YAML, "off", "opt-out"), (ANNOTATION_YAML, "", "unsaid"),
    (EXACT, "true", "inject"), (EXACT, "false", "opt-out"), (EXACT, "FALSE", "ignored"), (EXACT, "1", "ignored"),
])
def test_inject_switch_meaning(switch: Any, value: str, meaning: str) -> None:
    assert switch.meaning(value) == meaning


def test_release_rows_change_reading_at_1_12_and_1_27() -> None:
    eras = {v: RELEASES[v].inject_switch for v in RELEASES if v >= (1, 8)}
    assert {v for v, s in eras.items() if s == ANNOTATION_YAML} == {(1, m) for m in range(8, 12)}
    assert {v for v, s in eras.items() if s == LABEL_YAML} == {(1, m) for m in range(12, 27)}
    assert {v for v, s in eras.items() if s == EXACT} == {(1, m) for m in range(27, 31)}


def test_a_label_the_release_does_not_read_is_named_in_the_step() -> None:
    decision = decide(DISABLED, meta(labels={KEY: "true"}), {}, "", ANNOTATION_YAML)
    [step] = [s for s in decision.steps if s.check == "opt-in-out"]
    assert step.outcome == "pass" and step.detail == f"no {KEY} annotation"
    assert step.source == f"pod annotation {KEY} (the label of that name is not read before Istio 1.12)"
