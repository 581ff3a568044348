"""Annotations and labels that do nothing for a pod, and why (misspelled, unknown, overridden...).

The registry below lists the pod annotations Istio 1.30 reads (from its
annotation API and the stock templates); a key in one of Istio's annotation
namespaces that is not listed is unknown, and a close one is offered.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pyinject.explain.model import NoEffect
from pyinject.istio.releases import NEWEST, RELEASES, InjectSwitch

#: Pod annotations Istio 1.30 reads on a pod (injector, stock templates, agent, CNI).
KNOWN_ANNOTATIONS = frozenset({
    "sidecar.istio.io/agentLogLevel", "sidecar.istio.io/bootstrapOverride", "sidecar.istio.io/capNetBindService",
    "sidecar.istio.io/componentLogLevel", "sidecar.istio.io/controlPlaneAuthPolicy",
    "sidecar.istio.io/discoveryAddress", "sidecar.istio.io/enableCoreDump", "sidecar.istio.io/extraStatTags",
    "sidecar.istio.io/inject", "sidecar.istio.io/interceptionMode", "sidecar.istio.io/logLevel",
    "sidecar.istio.io/nativeSidecar", "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyCPULimit",
    "sidecar.istio.io/proxyImage", "sidecar.istio.io/proxyImageType", "sidecar.istio.io/proxyMemory",
    "sidecar.istio.io/proxyMemoryLimit", "sidecar.istio.io/rewriteAppHTTPProbers",
    "sidecar.istio.io/statsCompression", "sidecar.istio.io/statsEvictionInterval",
    "sidecar.istio.io/statsFlushInterval", "sidecar.istio.io/statsHistogramBuckets",
    "sidecar.istio.io/statsInclusionPrefixes", "sidecar.istio.io/statsInclusionRegexps",
    "sidecar.istio.io/statsInclusionSuffixes", "sidecar.istio.io/status", "sidecar.istio.io/userVolume",
    "sidecar.istio.io/userVolumeMount",
    "proxy.istio.io/config", "proxy.istio.io/overrides", "proxy.istio.io/health-checks-enabled",
    "traffic.sidecar.istio.io/excludeInboundPorts", "traffic.sidecar.istio.io/excludeInterfaces",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges", "traffic.sidecar.istio.io/excludeOutboundPorts",
    "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/includeOutboundIPRanges",
    "traffic.sidecar.istio.io/includeOutboundPorts", "traffic.sidecar.istio.io/kubevirtInterfaces",
    "status.sidecar.istio.io/port", "readiness.status.sidecar.istio.io/applicationPorts",
    "readiness.status.sidecar.istio.io/failureThreshold", "readiness.status.sidecar.istio.io/initialDelaySeconds",
    "readiness.status.sidecar.istio.io/periodSeconds",
    "inject.istio.io/templates", "prometheus.istio.io/merge-metrics", "istio.io/rev",
    "istio.io/reroute-virtual-interfaces", "ambient.istio.io/redirection", "istio.io/dataplane-mode",
    "networking.istio.io/exportTo",
})

#: Annotation namespaces whose unknown keys are reported.
ISTIO_PREFIXES = ("sidecar.istio.io/", "proxy.istio.io/", "traffic.sidecar.istio.io/", "status.sidecar.istio.io/",
                  "readiness.status.sidecar.istio.io/", "inject.istio.io/", "prometheus.istio.io/")

TRAFFIC_PREFIX = "traffic.sidecar.istio.io/"
INJECT_KEY = "sidecar.istio.io/inject"
#: Labels that only mean something on a Namespace.
NAMESPACE_ONLY_LABELS = ("istio-injection",)


def did_you_mean(key: str) -> str:
    """The known annotation closest to ``key``, or "": the same name in another case; a
    close name under the same prefix; or, for a misspelled prefix, a very close key."""
    lowered = {k.lower(): k for k in KNOWN_ANNOTATIONS}
    if key.lower() in lowered:
        return lowered[key.lower()]
    prefix, _, name = key.lower().rpartition("/")
    siblings = {k.rpartition("/")[2]: k for k in lowered if k.rpartition("/")[0] == prefix}
    close = difflib.get_close_matches(name, list(siblings), n=1, cutoff=0.75)
    if close:
        return lowered[siblings[close[0]]]
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.9)
    return lowered[close[0]] if close else ""


def _looks_istio(key: str) -> bool:
    return key.startswith(ISTIO_PREFIXES) or ("istio" in key.lower() and "/" in key and bool(did_you_mean(key)))


def unknown_keys(annotations: Mapping[str, str]) -> list[NoEffect]:
    """Keys in Istio's namespaces that Istio does not read (with a suggestion when one is close)."""
    out = []
    for key in sorted(annotations):
        if key in KNOWN_ANNOTATIONS or not _looks_istio(key):
            continue
        guess = did_you_mean(key)
        if guess:
            out.append(NoEffect(key, "annotation", "misspelled", f"Istio reads no annotation {key}", guess))
        else:
            out.append(NoEffect(key, "annotation", "unknown", f"{key} is not an annotation Istio 1.30 reads"))
    return out


def workload_annotations(kind: str, workload_meta: Mapping[str, Any], pod_annotations: Mapping[str, str]) -> list[NoEffect]:
    """Istio annotations written on the workload object instead of its pod template."""
    if kind == "Pod":
        return []
    raw = workload_meta.get("annotations")
    if not isinstance(raw, Mapping):
        return []
    out = []
    for key in sorted(str(k) for k in raw):
        if key.startswith(ISTIO_PREFIXES) and key not in pod_annotations:
            out.append(NoEffect(key, "annotation", "wrong-object",
                                f"set on the {kind}'s own metadata; the injector reads only the pod template's "
                                "(spec.template.metadata.annotations)"))
    return out


def pod_label_checks(labels: Mapping[str, str], annotations: Mapping[str, str],
                     switch: InjectSwitch | None = None) -> list[NoEffect]:
    """Namespace-only labels on a pod; an inject annotation the label of the same name overrides;
    an inject label the release does not read; an inject value it ignores (``switch``: the
    release's reading, the newest release's when None)."""
    switch = switch or RELEASES[NEWEST].inject_switch
    out = []
    for key in NAMESPACE_ONLY_LABELS:
        if key in labels:
            out.append(NoEffect(key, "label", "namespace-label",
                                f"{key} selects webhooks only as a Namespace label; on a pod it does nothing "
                                f"(use the {'label' if switch.label else 'annotation'} {INJECT_KEY})"))
    if INJECT_KEY in labels and not switch.label:
        out.append(NoEffect(INJECT_KEY, "label", "not-read",
                            f"this release reads only the annotation {INJECT_KEY}; the label of that name is "
                            "read from Istio 1.12 on"))
    elif INJECT_KEY in labels and INJECT_KEY in annotations:
        out.append(NoEffect(INJECT_KEY, "annotation", "overridden",
                            f"the pod label {INJECT_KEY}={labels[INJECT_KEY]!r} is read first and wins"))
    where, value = ("label", labels.get(INJECT_KEY)) if switch.label and INJECT_KEY in labels else (
        "annotation", annotations.get(INJECT_KEY))
    if value is not None and switch.meaning(value) == "ignored":
        out.append(NoEffect(INJECT_KEY, where, "ignored-value",
                            f"{value!r} is not accepted (only {switch.accepted()}): Istio logs a warning and "
                            "the selectors and the injection policy decide"))
    return out


def injection_checks(annotations: Mapping[str, str], proxy_annotation: Mapping[str, Any], native: bool,
                     captured: bool) -> list[NoEffect]:
    """Values this pod's injection ignores: native-mode, overridden, and traffic settings without capture."""
    out = []
    if native and proxy_annotation.get("holdApplicationUntilProxyStarts") is not None:
        out.append(NoEffect("proxy.istio.io/config", "annotation", "native-mode",
                            "holdApplicationUntilProxyStarts is ignored for a native sidecar, which always "
                            "starts before the application containers"))
    mode = annotations.get("sidecar.istio.io/interceptionMode")
    if mode and proxy_annotation.get("interceptionMode") not in (None, mode):
        out.append(NoEffect("proxy.istio.io/config", "annotation", "overridden",
                            f"interceptionMode {proxy_annotation['interceptionMode']!r} is overridden by the "
                            f"annotation sidecar.istio.io/interceptionMode={mode!r}, which the template reads first"))
    if "/" in annotations.get("sidecar.istio.io/proxyImage", "") and "sidecar.istio.io/proxyImageType" in annotations:
        out.append(NoEffect("sidecar.istio.io/proxyImageType", "annotation", "overridden",
                            "sidecar.istio.io/proxyImage names a full image, so the image type is not applied"))
    if not captured:
        for key in sorted(annotations):
            if key.startswith(TRAFFIC_PREFIX):
                out.append(NoEffect(key, "annotation", "no-capture",
                                    "nothing sets up traffic capture for this pod (no istio-init or "
                                    "istio-validation container, no CNI)"))
    return out
