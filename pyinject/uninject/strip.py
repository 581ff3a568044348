"""Undo an injection: strip what a previous injection added, recording what was removed.

Everything is read from what the injection left in the pod, never from today's
templates, so a pod injected with an older Istio or another configuration is
stripped just as well:

- ``sidecar.istio.io/status`` names the injected containers, init containers,
  volumes and image pull secrets, and the revision;
- ``proxy.istio.io/overrides`` holds the user's own ``istio-proxy`` /
  ``istio-init`` containers, which go back into the pod;
- the proxy's ``ISTIO_KUBE_APP_PROBERS`` holds the app probes as they were before
  they were pointed at the agent, ``ISTIO_PROMETHEUS_ANNOTATIONS`` the app's
  Prometheus annotations before the metrics merge, and ``PROXY_CONFIG`` the
  status port those rewrites used.

Annotations and labels the sidecar template adds are removed when their value
is the one the template would have derived (so a value the user set differently
survives).  What cannot be told apart from user settings stays: the
``topology.istio.io/network`` label and, after a CNI injection, the traffic
annotations (``sidecar.istio.io/interceptionMode``,
``traffic.sidecar.istio.io/*``), which state the settings the pod already ran
with.  A probe rewritten without a record (Istio skips named ports it cannot
resolve) also stays rewritten.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, MutableMapping, MutableSequence
from typing import Any

from pyinject.errors import ConfigError
from pyinject.model import JSON
from pyinject.istio.postprocess.overrides import AUTO_IMAGE, parse_overrides
from pyinject.istio.postprocess.pod import (
    DEFAULT_STATUS_PORT,
    KUBE_APP_PROBERS_ENV,
    OVERRIDES_ANNOTATION,
    PROMETHEUS_ENV,
    PROXY,
    INTERCEPTION_MODE_ANNOTATION,
    STATUS_ANNOTATION,
    STATUS_PORT_ANNOTATION,
    VALIDATION,
    Pod,
    annotations_of,
    all_containers,
    container_list,
    find_container,
    find_env,
    find_in_pod,
    labels_of,
    parse_go_int,
    replace_key,
    set_list,
)
from pyinject.istio.postprocess.probes import LIFECYCLE_URLS, PROBE_URLS
from pyinject.istio.postprocess.prometheus import AGENT_METRICS_PATH, CANONICAL, scrape_field
from pyinject.istio.postprocess.status import parse_status
from pyinject.records import dataclass

DEFAULT_CONTAINER_ANNOTATIONS = ("kubectl.kubernetes.io/default-container", "kubectl.kubernetes.io/default-logs-container")
REVISION_ANNOTATION = "istio.io/rev"
TLS_MODE_LABEL = "security.istio.io/tlsMode"
TUNNEL_LABEL = "networking.istio.io/tunnel"
CANONICAL_NAME_LABEL = "service.istio.io/canonical-name"
CANONICAL_REVISION_LABEL = "service.istio.io/canonical-revision"
TEMPLATES_ANNOTATION = "inject.istio.io/templates"
MULTUS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
#: The CNI plugin's network that a CNI injection appends to the Multus list.
_MULTUS_ISTIO = re.compile(r'^default/istio-cni$|,\s*default/istio-cni$|,\s*\{"name":\s*"istio-cni"(?:,\s*"namespace":\s*"default")?\}(?=\s*\]\s*$)')
#: Annotations stock templates other than ``sidecar`` set, by template name.
TEMPLATE_ANNOTATIONS: dict[str, dict[str, str]] = {
    "grpc-agent": {"sidecar.istio.io/rewriteAppHTTPProbers": "false"},
    "grpc-simple": {"sidecar.istio.io/rewriteAppHTTPProbers": "false"},
}
#: The pod sysctl the stock ``gateway`` template adds so Envoy can bind ports below 1024.
GATEWAY_SYSCTL = {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}


@dataclass(frozen=True)
class UninjectResult:
    """What :func:`uninject` removed or restored, for the report."""

    #: False when the pod carried no injection (then nothing was changed).
    injected: bool
    revision: str = ""
    containers: tuple[str, ...] = ()
    init_containers: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    image_pull_secrets: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    #: ``container/field`` of each probe or lifecycle hook put back as the user wrote it.
    restored_probes: tuple[str, ...] = ()
    #: Names of user-declared containers (overrides) put back.
    restored_overrides: tuple[str, ...] = ()


def strip_injection(
    pod: Pod, *, workload_name: str | None = None, injected_annotations: Mapping[str, str] | None = None
) -> Pod:
    """Remove a previous injection from ``pod`` (in place) so it can be injected afresh; return it.

    A pod without ``sidecar.istio.io/status`` is returned unchanged.
    ``workload_name`` (the owning workload's name) lets the canonical-name label
    be recognised when the pod has no ``app`` label; ``injected_annotations`` are
    the injection config's, removed when their value is unchanged.
    """
    uninject(pod, workload_name=workload_name, injected_annotations=injected_annotations)
    return pod


def uninject(
    pod: Pod, *, workload_name: str | None = None, injected_annotations: Mapping[str, str] | None = None
) -> UninjectResult:
    """Strip a previous injection from ``pod`` in place and say what was removed.

    Raises :class:`ConfigError` when the status or overrides annotation is not
    the JSON Istio writes (guessing would leave half a sidecar behind).
    """
    anns = annotations_of(pod)
    if anns is None or STATUS_ANNOTATION not in anns:
        return UninjectResult(injected=False)
    status = parse_status(anns[STATUS_ANNOTATION])
    if status is None:
        raise ConfigError(f"annotation {STATUS_ANNOTATION} is not the JSON object Istio writes")
    overrides = (
        parse_overrides(anns[OVERRIDES_ANNOTATION])
        if OVERRIDES_ANNOTATION in anns
        else {"containers": [], "initContainers": []}
    )

    proxy = find_in_pod(pod, PROXY)
    status_port = _status_port(proxy)
    proxy_config = _json_env(proxy, "PROXY_CONFIG")
    proxy_mode = proxy_config.get("interceptionMode", "REDIRECT") if isinstance(proxy_config, Mapping) else "REDIRECT"
    probers = _json_env(proxy, KUBE_APP_PROBERS_ENV)
    scrape = _json_env(proxy, PROMETHEUS_ENV)

    removed_containers = _remove_named(pod, "containers", status.containers)
    removed_inits = _remove_named(pod, "initContainers", status.init_containers)
    removed_volumes = _remove_named(pod, "volumes", status.volumes)
    removed_secrets = _remove_named(pod, "imagePullSecrets", status.image_pull_secrets)
    restored_overrides = _reinsert_overrides(pod, overrides, status.init_containers)
    restored_probes = _restore_probes(pod, probers or {})

    removed_anns = [STATUS_ANNOTATION]
    del anns[STATUS_ANNOTATION]
    if OVERRIDES_ANNOTATION in anns:
        del anns[OVERRIDES_ANNOTATION]
        removed_anns.append(OVERRIDES_ANNOTATION)
    removed_anns += _restore_prometheus(anns, status_port, scrape)
    templates = [t.strip() for t in str(anns.get(TEMPLATES_ANNOTATION, "sidecar")).split(",")]
    extra: dict[str, str] = dict(injected_annotations or {})
    for name in templates:
        extra.update(TEMPLATE_ANNOTATIONS.get(name, {}))
    removed_anns += _remove_template_annotations(pod, anns, status.revision, extra)
    if VALIDATION in status.init_containers:
        if MULTUS_ANNOTATION in anns:
            removed_anns += _remove_multus_network(anns)
        removed_anns += _remove_cni_annotations(anns, proxy_mode, status_port)
    if "gateway" in templates:
        _remove_gateway_sysctl(pod)
    removed_labels = _remove_template_labels(pod, workload_name)
    _drop_if_empty(pod.get("metadata"), "annotations")

    return UninjectResult(
        injected=True,
        revision=status.revision,
        containers=tuple(removed_containers),
        init_containers=tuple(removed_inits),
        volumes=tuple(removed_volumes),
        image_pull_secrets=tuple(removed_secrets),
        annotations=tuple(removed_anns),
        labels=tuple(removed_labels),
        restored_probes=tuple(restored_probes),
        restored_overrides=tuple(restored_overrides),
    )


def _status_port(proxy: JSON) -> int:
    """The status port the injection used: the proxy's PROXY_CONFIG says it when not the default."""
    config = _json_env(proxy, "PROXY_CONFIG")
    port = parse_go_int(config.get("statusPort")) if isinstance(config, Mapping) and "statusPort" in config else None
    return DEFAULT_STATUS_PORT if port is None else port


def _json_env(container: JSON, name: str) -> Any:
    """A container env var holding JSON, decoded; None when absent or not JSON."""
    if container is None:
        return None
    entry = find_env(container, name)
    if entry is None or entry.get("value") is None:
        return None
    try:
        return json.loads(str(entry["value"]))
    except ValueError:
        return None


def _remove_named(pod: Pod, key: str, names: tuple[str, ...]) -> list[str]:
    """Drop every ``spec.<key>`` entry whose name the status lists; drop the list when emptied."""
    spec = pod.get("spec")
    if not isinstance(spec, MutableMapping) or not names or spec.get(key) is None:
        return []
    seq: MutableSequence[Any] = spec[key]
    kept = [item for item in seq if not (isinstance(item, Mapping) and item.get("name") in names)]
    removed = [item["name"] for item in seq if isinstance(item, Mapping) and item.get("name") in names]
    set_list(seq, kept)
    _drop_if_empty(spec, key)
    return removed


def _drop_if_empty(mapping: JSON, key: str) -> None:
    if isinstance(mapping, MutableMapping) and key in mapping and not mapping[key]:
        del mapping[key]


def _reinsert_overrides(pod: Pod, overrides: Mapping[str, list[Mapping[str, JSON]]], injected_inits: tuple[str, ...]) -> list[str]:
    """Put the user's own injected-name containers back, as a user writes them.

    The annotation lists an ``istio-proxy`` override under ``initContainers``
    when injection made the proxy a native sidecar; users declare it among
    regular containers, so it goes back there (unless it asks for
    ``restartPolicy: Always`` itself).  A missing image was ``image: auto``.
    """
    spec = pod.setdefault("spec", {})
    restored: list[str] = []
    for key in ("containers", "initContainers"):
        for override in overrides.get(key, []):
            container: dict[str, JSON] = {}
            for field, value in override.items():
                if field == "resources" and not value:
                    # Go writes the struct even when the user did not.
                    continue
                container[field] = value
                if field == "name" and "image" not in override:
                    container["image"] = AUTO_IMAGE
            name = container.get("name")
            target = key
            if (
                key == "initContainers"
                and name == PROXY
                and name in injected_inits
                and container.get("restartPolicy") is None
            ):
                target = "containers"
            existing = spec.get(target)
            if existing is None:
                existing = spec[target] = []
            if find_container(existing, str(name)) is None:
                existing.append(container)
                restored.append(str(name))
    return restored


def _restore_probes(pod: Pod, probers: Mapping[str, JSON]) -> list[str]:
    """Give back each rewritten probe or hook whose original the proxy recorded."""
    if not isinstance(probers, Mapping):
        return []
    restored: list[str] = []
    for c in all_containers(pod):
        name = c.get("name")
        for field, url in PROBE_URLS.items():
            if _restore_handler(c.get(field), probers.get(url.format(name)), url.format(name), ("httpGet", "tcpSocket", "grpc")):
                restored.append(f"{name}/{field}")
        lifecycle = c.get("lifecycle")
        if isinstance(lifecycle, MutableMapping):
            for field, url in LIFECYCLE_URLS.items():
                if _restore_handler(lifecycle.get(field), probers.get(url.format(name)), url.format(name), ("httpGet", "tcpSocket")):
                    restored.append(f"{name}/lifecycle.{field}")
    return restored


def _restore_handler(handler: JSON, record: JSON, url: str, kinds: tuple[str, ...]) -> bool:
    """Swap the agent's ``httpGet`` back for the recorded action, in the same place."""
    if not isinstance(handler, MutableMapping) or not isinstance(record, Mapping):
        return False
    current = handler.get("httpGet")
    if not isinstance(current, Mapping) or current.get("path") != url:
        return False
    kind = next((k for k in kinds if isinstance(record.get(k), Mapping)), None)
    if kind is None:
        return False
    # Go writes unset pointers as null (a gRPC check's service); the user wrote nothing.
    action = {k: v for k, v in record[kind].items() if v is not None}
    replace_key(handler, "httpGet", kind, action)
    return True


def _restore_prometheus(anns: MutableMapping[str, Any], status_port: int, scrape: Any) -> list[str]:
    """Undo the metrics merge: drop the agent's scrape annotations, restore the app's."""
    port_key = CANONICAL["port"]
    if str(anns.get(port_key)) != str(status_port):
        return []
    removed: list[str] = []
    agent_values = {"port": str(status_port), "path": AGENT_METRICS_PATH, "scrape": "true"}
    for field, key in CANONICAL.items():
        if key in anns and str(anns[key]) == agent_values[field]:
            del anns[key]
            removed.append(key)
    if isinstance(scrape, Mapping):
        for field, key in CANONICAL.items():
            value = scrape.get(field)
            if isinstance(value, str) and value and not any(scrape_field(k) == field for k in anns):
                anns[key] = value
                if key in removed:
                    removed.remove(key)
    return removed


def _first_app_container(pod: Pod) -> str | None:
    for c in container_list(pod, "containers"):
        if isinstance(c, Mapping) and c.get("name") != PROXY:
            return str(c.get("name") or "")  # a Knative container may have no name; templates see ""
    return None


def _remove_template_annotations(
    pod: Pod, anns: MutableMapping[str, Any], revision: str, injected: Mapping[str, str]
) -> list[str]:
    """Drop annotations the template set to the values it derives."""
    removed: list[str] = []
    if REVISION_ANNOTATION in anns and anns[REVISION_ANNOTATION] == (revision or "default"):
        del anns[REVISION_ANNOTATION]
        removed.append(REVISION_ANNOTATION)
    # The template adds these only when the pod has none, naming the first app
    # container.  One that names that container cannot be told from the injected
    # one, so it goes (exactness: uninject gives back the manifest as it was);
    # without it kubectl picks that same container, so nothing changes for the
    # user.  One that names any other container was the user's and stays.
    first = _first_app_container(pod)
    for key in DEFAULT_CONTAINER_ANNOTATIONS:
        if key in anns and first is not None and anns[key] == first:
            del anns[key]
            removed.append(key)
    for key, value in injected.items():
        if key in anns and anns[key] == value:
            del anns[key]
            removed.append(key)
    return removed


def _canonical_name(pod_labels: Mapping[str, Any], fallback: str | None) -> str | None:
    """What the sidecar template derives for ``service.istio.io/canonical-name``."""
    for candidate in (pod_labels.get("app.kubernetes.io/name"), pod_labels.get("app"), fallback):
        if candidate:
            text = str(candidate)[:63]
            return text[:-1] if text.endswith("-") else text
    return None


def _remove_template_labels(pod: Pod, workload_name: str | None) -> list[str]:
    """Drop labels the template set to the values it derives from the other labels."""
    pod_labels = labels_of(pod)
    if pod_labels is None:
        return []
    removed: list[str] = []
    derived_revision = pod_labels.get("app.kubernetes.io/version") or pod_labels.get("version") or "latest"
    metadata = pod.get("metadata") or {}
    fallback = workload_name or metadata.get("name") or None
    expected = {
        TLS_MODE_LABEL: "istio",
        TUNNEL_LABEL: "http",
        CANONICAL_NAME_LABEL: _canonical_name(pod_labels, fallback),
        CANONICAL_REVISION_LABEL: str(derived_revision),
    }
    for key, value in expected.items():
        if key in pod_labels and value is not None and str(pod_labels[key]) == value:
            del pod_labels[key]
            removed.append(key)
    _drop_if_empty(metadata, "labels")
    return removed


def _remove_multus_network(anns: MutableMapping[str, Any]) -> list[str]:
    """Take the ``istio-cni`` network a CNI injection appended back out of the Multus list."""
    value = str(anns[MULTUS_ANNOTATION])
    stripped = _MULTUS_ISTIO.sub("", value, count=1)
    if stripped == value:
        return []
    if stripped.strip():
        anns[MULTUS_ANNOTATION] = stripped
        return []
    del anns[MULTUS_ANNOTATION]
    return [MULTUS_ANNOTATION]


def _remove_gateway_sysctl(pod: Pod) -> None:
    spec = pod.get("spec")
    sc = spec.get("securityContext") if isinstance(spec, MutableMapping) else None
    if not isinstance(sc, MutableMapping) or not isinstance(sc.get("sysctls"), MutableSequence):
        return
    set_list(sc["sysctls"], [s for s in sc["sysctls"] if not (isinstance(s, Mapping) and dict(s) == GATEWAY_SYSCTL)])
    _drop_if_empty(sc, "sysctls")
    _drop_if_empty(spec, "securityContext")


def _remove_cni_annotations(anns: MutableMapping[str, Any], proxy_mode: JSON, status_port: int) -> list[str]:
    """Drop the traffic annotations a CNI injection writes when they hold the defaults.

    With CNI the template copies the effective traffic settings into annotations
    for the CNI plugin.  Values at their defaults (``*`` captures, the mesh's
    interception mode) and the status port appended to ``excludeInboundPorts``
    are the template's doing; anything else may be the user's and stays.
    """
    removed: list[str] = []
    port = str(anns.get(STATUS_PORT_ANNOTATION, status_port))
    defaults = {
        INTERCEPTION_MODE_ANNOTATION: str(proxy_mode),
        "traffic.sidecar.istio.io/includeInboundPorts": "*",
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "*",
    }
    for key, value in defaults.items():
        if key in anns and str(anns[key]) == value:
            del anns[key]
            removed.append(key)
    key = "traffic.sidecar.istio.io/excludeInboundPorts"
    if key in anns and port not in ("", "0"):
        ports = [p.strip() for p in str(anns[key]).split(",") if p.strip()]
        if ports and ports[-1] == port:
            ports.pop()
            if ports:
                anns[key] = ",".join(ports)
            else:
                del anns[key]
                removed.append(key)
    return removed
