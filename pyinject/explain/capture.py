"""The traffic capture of an injected pod, as the iptables package's facts model states it.

:func:`pyinject.iptables.manifest.capture_of_pod` finds who programs the rules
(istio-init's istio-iptables arguments, or the Istio CNI plugin from the pod's
annotations) and :func:`pyinject.iptables.explain.describe_capture` says what
they capture; explain adds only ``by`` (who) to that JSON form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyinject.errors import PyinjectError


def summarize(pod: Mapping[str, Any]) -> dict[str, Any]:
    """``{"by": "istio-init" | "cni" | "none", ...}`` plus the capture facts (``pyinject iptables -o json``)."""
    from pyinject.iptables.explain import describe_capture
    from pyinject.iptables.flags import DEFAULT_RELEASE
    from pyinject.iptables.manifest import INIT, capture_of_pod
    from pyinject.iptables.rules import Host

    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    try:
        how, capture, reason, _ = capture_of_pod(metadata, spec, Host(), DEFAULT_RELEASE)
    except PyinjectError as err:
        return {"by": "unknown", "why": err.message}
    if capture is None:
        return {"by": "none", "why": reason}
    return {"by": "istio-init" if how == INIT else "cni", **describe_capture(capture).as_json()}


def is_captured(summary: Mapping[str, Any]) -> bool:
    return summary.get("by") not in ("none",)
