"""Put a decoded SidecarInjectionSpec into a pod the way each 1.0–1.8 istioctl did.

Two shapes of Go code did this:

- 1.0–1.7 ``IntoObject`` appended the rendered lists to the pod's, replaced
  its ``dnsConfig``, rewrote the probes, and wrote the status annotation,
  ``podRedirectAnnot`` and labels straight into the pod (:func:`append_spec`).
- 1.8 ran the admission webhook's ``injectPod`` and applied its JSON patch
  (:func:`patch_spec`): containers a previous injection left are removed
  first, ``istio-validation`` goes in front of the init containers, istio-proxy
  borrows the app's service-account token mount, annotations and labels are
  added key by key (an existing label is kept), prometheus scraping is merged.

``Release`` (:mod:`pyinject.istio.releases`) says which steps a release had.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pyinject.golang.encoding_json import go_json
from pyinject.istio.legacy import probes
from pyinject.istio.legacy.spec import InjectionSpec
from pyinject.istio.releases import Release
from pyinject.records import dataclass

STATUS_ANNOTATION = "sidecar.istio.io/status"
TLS_MODE_LABEL = "security.istio.io/tlsMode"
REVISION_LABEL = "istio.io/rev"
CANONICAL_NAME = "service.istio.io/canonical-name"
CANONICAL_REVISION = "service.istio.io/canonical-revision"
NETWORK_LABEL = "topology.istio.io/network"
PROMETHEUS_ENV = "ISTIO_PROMETHEUS_ANNOTATIONS"
MERGE_METRICS_ANNOTATION = "prometheus.istio.io/merge-metrics"
SA_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
VALIDATION_CONTAINER = "istio-validation"
PROXY_CONTAINER = "istio-proxy"

#: The annotations 1.3–1.7 accepted from ``podRedirectAnnot`` (their annotationRegistry).
REDIRECT_ANNOTATIONS = frozenset({
    "sidecar.istio.io/inject", "sidecar.istio.io/status", "sidecar.istio.io/rewriteAppHTTPProbers",
    "sidecar.istio.io/controlPlaneAuthPolicy", "sidecar.istio.io/discoveryAddress", "sidecar.istio.io/proxyImage",
    "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyMemory", "sidecar.istio.io/interceptionMode",
    "sidecar.istio.io/bootstrapOverride", "sidecar.istio.io/statsInclusionPrefixes",
    "sidecar.istio.io/statsInclusionSuffixes", "sidecar.istio.io/statsInclusionRegexps",
    "sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/enableCoreDump",
    "status.sidecar.istio.io/port", "readiness.status.sidecar.istio.io/initialDelaySeconds",
    "readiness.status.sidecar.istio.io/periodSeconds", "readiness.status.sidecar.istio.io/failureThreshold",
    "traffic.sidecar.istio.io/includeOutboundIPRanges", "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts",
    "traffic.sidecar.istio.io/excludeOutboundPorts", "traffic.sidecar.istio.io/kubevirtInterfaces",
})

#: What 1.8 removes from a pod whose status annotation lists nothing (pre-1.0 injections).
_LEGACY_NAMES = {"initContainers": ("istio-init", "enable-core-dump"), "containers": ("istio-proxy",),
                 "volumes": ("istio-certs", "istio-envoy"), "imagePullSecrets": ()}


@dataclass(frozen=True)
class PodFacts:
    """What the Go code reads besides the spec: mesh settings, revision, environment."""

    #: The mesh's ``defaultConfig.statusPort``.
    status_port: int
    sds_uds_path: str
    enable_sds_token_mount: bool
    #: ``enablePrometheusMerge`` of the mesh (None when unset).
    prometheus_merge: bool | None
    revision: str
    #: ENABLE_LEGACY_FSGROUP_INJECTION as 1.8 reads it.
    legacy_fsgroup: bool
    workload_name: str


def status_annotation(version: str, spec: InjectionSpec) -> str:
    """``{"version":...,"initContainers":[...],...}``; an empty list is ``null``, as Go writes a nil slice."""

    def names(items: list[dict[str, Any]]) -> list[str] | None:
        return [str(i.get("name") or "") for i in items] or None

    fields = (("version", version), ("initContainers", names(spec.init_containers)),
              ("containers", names(spec.containers)), ("volumes", names(spec.volumes)),
              ("imagePullSecrets", names(spec.image_pull_secrets)))
    # Struct field order, not sorted keys.
    return "{" + ",".join(f"{go_json(k)}:{go_json(v)}" for k, v in fields) + "}"


def _string_map(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in (value or {}).items()}


def prometheus_merge_enabled(facts: PodFacts, annotations: Mapping[str, str]) -> bool:
    """The pod's ``prometheus.istio.io/merge-metrics`` when it parses, else the mesh's, else on."""
    value = annotations.get(MERGE_METRICS_ANNOTATION)
    if value is not None and value in probes._BOOL_WORDS:
        return probes._BOOL_WORDS[value]
    return True if facts.prometheus_merge is None else facts.prometheus_merge


def _set_fs_group(spec: dict[str, Any]) -> None:
    context = spec.get("securityContext")
    spec["securityContext"] = {**(context if isinstance(context, dict) else {}), "fsGroup": 1337}


def _proxy_first(pod: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """istio-proxy before the app containers (holdApplicationUntilProxyStarts), the rest after."""
    proxy = next((c for c in added if c.get("name") == PROXY_CONTAINER), None)
    if proxy is None:
        return pod + added
    return [proxy] + pod + [c for c in added if c is not proxy]


def append_spec(release: Release, metadata: dict[str, Any], spec: dict[str, Any], sic: InjectionSpec,
                status: str, facts: PodFacts) -> None:
    """1.0–1.7 IntoObject: append, replace, annotate (in place)."""
    annotations = _string_map(metadata.get("annotations"))
    if release.prometheus_merge == "annotations" and prometheus_merge_enabled(facts, annotations):
        # 1.7 also meant to hand the old scrape settings to the proxy, but wrote them into a
        # copy of the container; only the annotations reached the pod.
        annotations.update({"prometheus.io/port": str(facts.status_port), "prometheus.io/path": "/stats/prometheus",
                            "prometheus.io/scrape": "true"})
    spec["initContainers"] = list(spec.get("initContainers") or []) + sic.init_containers
    containers = list(spec.get("containers") or [])
    if release.hold_application and sic.hold_application_until_proxy_starts:
        spec["containers"] = _proxy_first(containers, sic.containers)
    else:
        spec["containers"] = containers + sic.containers
    spec["volumes"] = list(spec.get("volumes") or []) + sic.volumes
    if release.replace_dns_config:
        if sic.dns_config is None:
            spec.pop("dnsConfig", None)
        else:
            spec["dnsConfig"] = sic.dns_config
    if release.image_pull_secrets:
        spec["imagePullSecrets"] = list(spec.get("imagePullSecrets") or []) + sic.image_pull_secrets
    if release.rewrite_probes:
        _rewrite_probes(release, annotations, spec["containers"], sic, facts)
    if release.fs_group == "sds-token" and facts.enable_sds_token_mount and facts.sds_uds_path:
        spec["securityContext"] = {"fsGroup": 1337}
    elif release.fs_group == "sds" and facts.sds_uds_path:
        _set_fs_group(spec)
    if release.pod_redirect_annotations:
        for key, value in sic.pod_redirect_annot.items():
            if (key in REDIRECT_ANNOTATIONS or key in release.pod_redirect_extra) and value != "":
                annotations[key] = value
    annotations[STATUS_ANNOTATION] = status
    metadata["annotations"] = annotations
    labels = _string_map(metadata.get("labels"))
    if release.revision_label:
        labels[REVISION_LABEL] = facts.revision
    if release.tls_mode_label and status and labels.get(TLS_MODE_LABEL, "") == "":
        labels[TLS_MODE_LABEL] = "istio"
    if labels or "labels" in metadata:
        metadata["labels"] = labels


def _rewrite_probes(release: Release, annotations: Mapping[str, str], containers: list[dict[str, Any]],
                    sic: InjectionSpec, facts: PodFacts) -> None:
    if not probes.should_rewrite(annotations, sic.rewrite_app_http_probe):
        return
    sidecar = probes.find_proxy(containers)
    if sidecar is None:
        return
    if release.probe_status_port == "args":
        port = probes.status_port_from_args(sidecar)
    else:
        port = probes.status_port_from_mesh(facts.status_port, annotations)
    if port == -1:
        return
    prober = probes.dump_app_probers(containers, release)
    if prober:
        probes.add_env(sidecar, probes.APP_PROBERS_ENV, prober)
    probes.rewrite_probes(containers, port, release)


def prepare_pod(release: Release, spec: dict[str, Any], facts: PodFacts) -> None:
    """What 1.8's injectPod does to the pod before rendering (the template sees it): ``fsGroup``."""
    if release.fs_group == "env" and facts.legacy_fsgroup:
        _set_fs_group(spec)


def _previous(annotations: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """What an earlier injection added, from its status annotation (1.8's injectionStatus)."""
    try:
        status = json.loads(annotations.get(STATUS_ANNOTATION, ""))
    except ValueError:
        status = None
    if isinstance(status, dict):
        lists = {k: tuple(str(n) for n in status.get(k) or ()) for k in _LEGACY_NAMES}
        if any(lists.values()):
            return lists
    return dict(_LEGACY_NAMES)


def patch_spec(release: Release, metadata: dict[str, Any], spec: dict[str, Any], sic: InjectionSpec,
               status: str, facts: PodFacts) -> None:
    """1.8 injectPod + createPatch, applied (in place)."""
    annotations = _string_map(metadata.get("annotations")) if metadata.get("annotations") is not None else None
    pod_annotations = annotations or {}
    added_annotations = {STATUS_ANNOTATION: status}
    sidecar = probes.find_proxy(sic.containers)
    containers = list(spec.get("containers") or [])
    rewrite = probes.should_rewrite(pod_annotations, sic.rewrite_app_http_probe)
    if rewrite and sidecar is not None:
        prober = probes.dump_app_probers(containers, release)
        if prober:
            probes.add_env(sidecar, probes.APP_PROBERS_ENV, prober)
        probes.rewrite_probes(containers, probes.status_port_from_mesh(facts.status_port, pod_annotations), release)
    previous = _previous(pod_annotations)
    for key in ("initContainers", "containers", "volumes", "imagePullSecrets"):
        items = containers if key == "containers" else list(spec.get(key) or [])
        kept = [i for i in items if not (isinstance(i, Mapping) and i.get("name") in previous[key])]
        if key == "containers":
            containers = kept
        elif kept or key in spec:
            spec[key] = kept
    if release.prometheus_merge == "full" and prometheus_merge_enabled(facts, pod_annotations):
        scrape = {k: pod_annotations.get(f"prometheus.io/{k}", "") for k in ("scrape", "path", "port")}
        if sidecar is not None and any(scrape.values()):
            # PrometheusScrapeConfiguration's field order: scrape, path, port.
            probes.add_env(sidecar, PROMETHEUS_ENV, "{" + ",".join(f"{go_json(k)}:{go_json(v)}" for k, v in scrape.items()) + "}")
        added_annotations.update({"prometheus.io/port": str(facts.status_port),
                                  "prometheus.io/path": "/stats/prometheus", "prometheus.io/scrape": "true"})
    spec["initContainers"] = _add_containers(list(spec.get("initContainers") or []), sic.init_containers, sic)
    spec["containers"] = _add_containers(containers, sic.containers, sic)
    for key, added in (("volumes", sic.volumes), ("imagePullSecrets", sic.image_pull_secrets)):
        if added:
            spec[key] = list(spec.get(key) or []) + added
    if sic.dns_config is not None:
        spec["dnsConfig"] = sic.dns_config
    metadata["annotations"] = _patched_map(annotations, added_annotations, keep_existing=False)
    labels = _string_map(metadata.get("labels")) if metadata.get("labels") is not None else None
    added_labels = {TLS_MODE_LABEL: "istio", REVISION_LABEL: facts.revision}
    if release.canonical_labels:
        name, revision = canonical_labels(labels or {}, facts.workload_name)
        added_labels.update({CANONICAL_NAME: name, CANONICAL_REVISION: revision})
    network = _network(sic)
    if network:
        added_labels[NETWORK_LABEL] = network
    metadata["labels"] = _patched_map(labels, added_labels, keep_existing=True)


def _add_containers(target: list[dict[str, Any]], added: list[dict[str, Any]], sic: InjectionSpec) -> list[dict[str, Any]]:
    """1.8 addContainer: the proxy gets the app's token mount; validation (and a held proxy) go first."""
    token_mount = None
    for c in target:
        for mount in c.get("volumeMounts") or []:
            if isinstance(mount, Mapping) and mount.get("mountPath") == SA_TOKEN_PATH:
                token_mount = dict(mount)
    out = list(target)
    for index, container in enumerate(added):
        if container.get("name") == PROXY_CONTAINER and token_mount is not None:
            container = {**container, "volumeMounts": list(container.get("volumeMounts") or []) + [token_mount]}
        front = container.get("name") == VALIDATION_CONTAINER or (
            container.get("name") == PROXY_CONTAINER and sic.hold_application_until_proxy_starts)
        if not target and index == 0:
            out = [container] + out
        elif front:
            out.insert(0, container)
        else:
            out.append(container)
    return out


def _patched_map(target: dict[str, str] | None, added: Mapping[str, str], *, keep_existing: bool) -> dict[str, str]:
    """1.8's addLabels / updateAnnotation: keys in sorted order, an existing label kept."""
    out = dict(target or {})
    for key in sorted(added):
        if keep_existing and out.get(key, "") != "":
            continue
        out[key] = added[key]
    return out


def canonical_labels(labels: Mapping[str, str], workload_name: str) -> tuple[str, str]:
    """The canonical service name and revision a pod's labels imply (1.8's rules)."""
    name = next((labels[k] for k in (CANONICAL_NAME, "app.kubernetes.io/name", "app") if k in labels), workload_name)
    revision = next((labels[k] for k in (CANONICAL_REVISION, "app.kubernetes.io/version", "version") if k in labels),
                    "latest")
    return name, revision


def _network(sic: InjectionSpec) -> str:
    for c in sic.containers:
        for env in c.get("env") or []:
            if env.get("name") == "ISTIO_META_NETWORK":
                return str(env.get("value") or "")
    return ""
