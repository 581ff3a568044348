"""Inject or skip? Istio's injectRequired, returning the reason along with the answer.

The order of the checks is Istio's:

1. ``hostNetwork: true`` pods are skipped: the proxy's iptables rules would be
   written into the node's network namespace and reroute the node's own traffic.
2. Pods in Kubernetes system namespaces are skipped.
3. An explicit opt-in or opt-out wins: the ``sidecar.istio.io/inject`` *label*
   if present, else the annotation of the same name.  Which of the two is read
   and which values count is the release's (:class:`pyinject.istio.releases.InjectSwitch`):
   Istio 1.27 and later take exactly ``true`` and ``false``, and ignore any
   other value with a warning (so ``yes`` falls through to the steps below);
   1.12–1.26 take ``y``/``yes``/``true``/``on`` in any case and read any other
   value as an opt-out; before 1.12 only the annotation is read.  An empty
   value means "not said".
4. Otherwise the config's ``neverInjectSelector`` (checked first) and
   ``alwaysInjectSelector`` decide when one of their label selectors matches.
5. Otherwise the config's ``policy``: ``enabled`` injects, ``disabled`` does not.

``istioctl kube-inject`` itself always behaves as if the policy were
``enabled`` and ignores the selectors; pyinject applies the injection config
the way the cluster's webhook would.

:func:`decide` also records each check it made, with its outcome and the
config file and key behind it (``Decision.steps``), for ``pyinject explain``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.istio.releases import NEWEST, RELEASES, InjectSwitch
from pyinject.model import InjectionConfig
from pyinject.records import dataclass, field

INJECT_KEY = "sidecar.istio.io/inject"

#: Namespaces Istio never injects into.
IGNORED_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "local-path-storage"})


class SkipReason(enum.Enum):
    """Why a pod is left alone; the value completes "Skipping injection because <workload> ..."."""

    HOST_NETWORK = "has host networking enabled"
    SYSTEM_NAMESPACE = "is in a Kubernetes system namespace"
    LABEL_OPT_OUT = f"has sidecar injection disabled (label {INJECT_KEY})"
    ANNOTATION_OPT_OUT = f"has sidecar injection disabled (annotation {INJECT_KEY})"
    NEVER_INJECT_SELECTOR = "has sidecar injection disabled (its labels match neverInjectSelector)"
    POLICY_DISABLED = "has sidecar injection disabled (injection policy is disabled and the pod does not opt in)"

    @property
    def id(self) -> str:
        """The stable identifier reports and ``explain -o json`` use."""
        return REASON_IDS[self]


REASON_IDS: dict[SkipReason, str] = {
    SkipReason.HOST_NETWORK: "host-network",
    SkipReason.SYSTEM_NAMESPACE: "ignored-namespace",
    SkipReason.LABEL_OPT_OUT: "opt-out-label",
    SkipReason.ANNOTATION_OPT_OUT: "opt-out-annotation",
    SkipReason.NEVER_INJECT_SELECTOR: "never-inject-selector",
    SkipReason.POLICY_DISABLED: "policy-disabled",
}


@dataclass(frozen=True)
class Step:
    """One check of the decision: what was looked at, what it said, and where that came from."""

    #: Stable identifier of the check: host-network, ignored-namespace, opt-in-out, never-inject-selector,
    #: always-inject-selector, policy (and, in explain, webhook).
    check: str
    #: "inject", "skip", or "pass" (the check did not decide).
    outcome: str
    #: A sentence for the user.
    detail: str
    #: The file and key (or pod field) the check read.
    source: str


@dataclass(frozen=True)
class Decision:
    """The answer and, when it is "skip", the reason; ``steps`` are the checks made, in order."""

    inject: bool
    reason: SkipReason | None = None
    steps: tuple[Step, ...] = field(default=(), compare=False)
    #: What the user should hear of although it decided nothing (a value the release ignores).
    warnings: tuple[str, ...] = field(default=(), compare=False)


INJECT = Decision(True)


def decide(
    config: InjectionConfig,
    pod_meta: Mapping[str, Any] | None,
    pod_spec: Mapping[str, Any] | None,
    namespace: str = "",
    switch: InjectSwitch | None = None,
) -> Decision:
    """Decide for one pod template; ``namespace`` is the workload's, used when the
    template's own metadata names none; ``switch`` is how the release reads
    ``sidecar.istio.io/inject`` (the newest release's when None)."""
    meta = pod_meta or {}
    spec = pod_spec or {}
    steps: list[Step] = []
    warnings: list[str] = []

    def done(inject: bool, reason: SkipReason | None, step: Step) -> Decision:
        steps.append(step)
        return Decision(inject, reason, tuple(steps), tuple(warnings))

    host_source = "pod spec.hostNetwork"
    if spec.get("hostNetwork") is True:
        return done(False, SkipReason.HOST_NETWORK, Step(
            "host-network", "skip",
            "hostNetwork is true: the proxy's iptables rules would rewrite the node's own routing", host_source))
    steps.append(Step("host-network", "pass", "hostNetwork is not set", host_source))

    ns = str(meta.get("namespace") or namespace)
    ns_source = "Istio's built-in ignored namespaces (" + ", ".join(sorted(IGNORED_NAMESPACES)) + ")"
    if ns in IGNORED_NAMESPACES:
        return done(False, SkipReason.SYSTEM_NAMESPACE, Step(
            "ignored-namespace", "skip", f"namespace {ns} is a Kubernetes system namespace Istio never injects", ns_source))
    steps.append(Step("ignored-namespace", "pass", f"namespace {ns or 'default'} is not ignored", ns_source))

    labels = _string_map(meta.get("labels"))
    annotations = _string_map(meta.get("annotations"))
    switch = switch or RELEASES[NEWEST].inject_switch
    said, opt_out, source = read_inject_switch(switch, labels, annotations)
    meaning = switch.meaning(said)
    if meaning == "inject":
        return done(True, None, Step("opt-in-out", "inject", f"{INJECT_KEY}={said!r} asks for injection", source))
    if meaning == "opt-out":
        return done(False, opt_out, Step("opt-in-out", "skip", f"{INJECT_KEY}={said!r} opts out", source))
    if meaning == "ignored":
        accepted = switch.accepted()
        detail = f"{INJECT_KEY}={said!r} is ignored: only {accepted} are accepted, so the steps below decide"
        warnings.append(f"{source.split(' (')[0]}={said!r} is ignored (only {accepted} are accepted); "
                        "the selectors and the injection policy decide")
        steps.append(Step("opt-in-out", "pass", detail, source))
    else:
        read = "label and annotation" if switch.label else "annotation"
        # A label the release does not read keeps its note in the source.
        where = source if INJECT_KEY in labels else f"pod {read} {INJECT_KEY}"
        steps.append(Step("opt-in-out", "pass", f"no {INJECT_KEY} {read}", where))

    for index, selector in enumerate(config.never_inject_selector):
        if selector_matches(selector, labels):
            return done(False, SkipReason.NEVER_INJECT_SELECTOR, Step(
                "never-inject-selector", "skip", f"the pod's labels match neverInjectSelector[{index}]",
                _where(config, "neverInjectSelector")))
    steps.append(Step("never-inject-selector", "pass",
                      f"no neverInjectSelector matches ({len(config.never_inject_selector)} set)",
                      _where(config, "neverInjectSelector")))
    for index, selector in enumerate(config.always_inject_selector):
        if selector_matches(selector, labels):
            return done(True, None, Step(
                "always-inject-selector", "inject", f"the pod's labels match alwaysInjectSelector[{index}]",
                _where(config, "alwaysInjectSelector")))
    steps.append(Step("always-inject-selector", "pass",
                      f"no alwaysInjectSelector matches ({len(config.always_inject_selector)} set)",
                      _where(config, "alwaysInjectSelector")))
    if config.policy == "enabled":
        return done(True, None, Step("policy", "inject", "policy is enabled and nothing above decided", _where(config, "policy")))
    return done(False, SkipReason.POLICY_DISABLED, Step(
        "policy", "skip", f"policy is {config.policy!r} and the pod does not opt in", _where(config, "policy")))


def read_inject_switch(switch: InjectSwitch, labels: Mapping[str, str],
                       annotations: Mapping[str, str]) -> tuple[str, SkipReason, str]:
    """The ``sidecar.istio.io/inject`` value the release reads, the skip reason an opt-out
    would give, and where the value came from (a sentence)."""
    if switch.label and INJECT_KEY in labels:
        said, source = labels[INJECT_KEY], f"pod label {INJECT_KEY}"
        if INJECT_KEY in annotations and annotations[INJECT_KEY] != said:
            source += f" (wins over the annotation {INJECT_KEY}={annotations[INJECT_KEY]!r}: the label is checked first)"
        return said, SkipReason.LABEL_OPT_OUT, source
    source = f"pod annotation {INJECT_KEY}"
    if not switch.label and INJECT_KEY in labels:
        source += " (the label of that name is not read before Istio 1.12)"
    return annotations.get(INJECT_KEY, ""), SkipReason.ANNOTATION_OPT_OUT, source


#: For the embedded config, the values key the istiod chart writes each config key from.
_EMBEDDED_FROM_VALUES = {
    "policy": "global.proxy.autoInject",
    "neverInjectSelector": "sidecarInjectorWebhook.neverInjectSelector",
    "alwaysInjectSelector": "sidecarInjectorWebhook.alwaysInjectSelector",
}


def _where(config: InjectionConfig, key: str) -> str:
    if config.source == "<embedded>":
        return f"values {_EMBEDDED_FROM_VALUES[key]} (the embedded injection config's {key})"
    return f"injection config {config.source}, key {key}"


def _string_map(raw: Any) -> dict[str, str]:
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str], *, empty_matches: bool = False) -> bool:
    """Kubernetes label-selector matching.  An empty selector matches nothing here
    (Istio skips empty never/always selectors rather than letting them match every
    pod) unless ``empty_matches``, as for a webhook's selectors."""
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return empty_matches
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expr in expressions:
        key = expr.get("key")
        operator = expr.get("operator")
        values = expr.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True
