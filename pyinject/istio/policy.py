"""Inject or skip? Istio's injectRequired, returning the reason along with the answer.

The order of the checks is Istio's:

1. ``hostNetwork: true`` pods are skipped: the proxy's iptables rules would be
   written into the node's network namespace and reroute the node's own traffic.
2. Pods in Kubernetes system namespaces are skipped.
3. An explicit opt-in or opt-out wins: the ``sidecar.istio.io/inject`` *label*
   if present, else the annotation of the same name.  ``y``/``yes``/``true``/``on``
   (any case) mean inject; an empty value means "not said"; anything else
   means do not inject.
4. Otherwise the config's ``neverInjectSelector`` (checked first) and
   ``alwaysInjectSelector`` decide when one of their label selectors matches.
5. Otherwise the config's ``policy``: ``enabled`` injects, ``disabled`` does not.

``istioctl kube-inject`` itself always behaves as if the policy were
``enabled`` and ignores the selectors; pyinject applies the injection config
the way the cluster's webhook would.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyinject.model import InjectionConfig

INJECT_KEY = "sidecar.istio.io/inject"

#: Namespaces Istio never injects into.
IGNORED_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "local-path-storage"})

_YES = frozenset({"y", "yes", "true", "on"})


class SkipReason(enum.Enum):
    """Why a pod is left alone; the value completes "Skipping injection because <workload> ..."."""

    HOST_NETWORK = "has host networking enabled"
    SYSTEM_NAMESPACE = "is in a Kubernetes system namespace"
    LABEL_OPT_OUT = f"has sidecar injection disabled (label {INJECT_KEY})"
    ANNOTATION_OPT_OUT = f"has sidecar injection disabled (annotation {INJECT_KEY})"
    NEVER_INJECT_SELECTOR = "has sidecar injection disabled (its labels match neverInjectSelector)"
    POLICY_DISABLED = "has sidecar injection disabled (injection policy is disabled and the pod does not opt in)"


@dataclass(frozen=True)
class Decision:
    """The answer and, when it is "skip", the reason."""

    inject: bool
    reason: SkipReason | None = None


INJECT = Decision(True)


def decide(
    config: InjectionConfig,
    pod_meta: Mapping[str, Any] | None,
    pod_spec: Mapping[str, Any] | None,
    namespace: str = "",
) -> Decision:
    """Decide for one pod template; ``namespace`` is the workload's, used when the
    template's own metadata names none."""
    meta = pod_meta or {}
    spec = pod_spec or {}
    if spec.get("hostNetwork") is True:
        return Decision(False, SkipReason.HOST_NETWORK)
    if (meta.get("namespace") or namespace) in IGNORED_NAMESPACES:
        return Decision(False, SkipReason.SYSTEM_NAMESPACE)

    labels = _string_map(meta.get("labels"))
    annotations = _string_map(meta.get("annotations"))
    if INJECT_KEY in labels:
        said, opt_out = labels[INJECT_KEY], SkipReason.LABEL_OPT_OUT
    else:
        said, opt_out = annotations.get(INJECT_KEY, ""), SkipReason.ANNOTATION_OPT_OUT
    if said:
        return INJECT if said.lower() in _YES else Decision(False, opt_out)

    for selector in config.never_inject_selector:
        if selector_matches(selector, labels):
            return Decision(False, SkipReason.NEVER_INJECT_SELECTOR)
    for selector in config.always_inject_selector:
        if selector_matches(selector, labels):
            return INJECT
    if config.policy == "enabled":
        return INJECT
    return Decision(False, SkipReason.POLICY_DISABLED)


def _string_map(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Kubernetes label-selector matching.  An empty selector matches nothing here:
    Istio skips empty selectors rather than letting them match every pod."""
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
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
