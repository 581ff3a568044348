"""Cluster/network env of the proxy, the ``sidecar.istio.io/status`` annotation and injected metadata."""

from __future__ import annotations

import json
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.model import JSON
from pyinject.golang.encoding_json import JSONStruct, go_json
from pyinject.istio.postprocess.pod import (
    NETWORK_LABEL,
    PROXY,
    STATUS_ANNOTATION,
    Pod,
    annotations_of,
    dig,
    env_list,
    find_in_pod,
    labels_of,
    set_list,
)
from pyinject.records import dataclass

if TYPE_CHECKING:
    from pyinject.istio.postprocess import PostprocessContext

CLUSTER_ENV = "ISTIO_META_CLUSTER_ID"
NETWORK_ENV = "ISTIO_META_NETWORK"

#: Key order of Istio's SidecarInjectionStatus struct.
STATUS_KEYS = ("initContainers", "containers", "volumes", "imagePullSecrets")


def proxy_envs(values: Mapping[str, JSON], pod_labels: Mapping[str, JSON] | None) -> dict[str, str]:
    """Cluster ID and network the proxy announces, as Istio derives them for kube-inject.

    The cluster comes from ``values.global.multiCluster.clusterName``; the network
    from ``values.global.network`` unless the pod carries a
    ``topology.istio.io/network`` label, which wins.  Empty values are left out.
    """
    cluster = dig(values, "global", "multiCluster", "clusterName") or ""
    network = dig(values, "global", "network") or ""
    if pod_labels is not None and NETWORK_LABEL in pod_labels:
        network = pod_labels[NETWORK_LABEL]
    out: dict[str, str] = {}
    if cluster:
        out[CLUSTER_ENV] = str(cluster)
    if network:
        out[NETWORK_ENV] = str(network)
    return out


def overwrite_cluster_info(pod: Pod, ctx: PostprocessContext) -> None:
    """Re-state the proxy's cluster and network env vars at the end of its env.

    Applies when values name a cluster or network (or the pod has a network
    label): any ``ISTIO_META_CLUSTER_ID`` / ``ISTIO_META_NETWORK`` the template
    wrote is dropped and the derived values are appended, sorted by name, as
    Istio does for the cluster info it gets from the injection URL.
    """
    envs = proxy_envs(ctx.values, labels_of(ctx.original_pod))
    sidecar = find_in_pod(pod, PROXY)
    if sidecar is None or not envs:
        return
    env = env_list(sidecar)
    kept = [e for e in env if not (isinstance(e, Mapping) and e.get("name") in envs)]
    set_list(env, kept + [{"name": k, "value": envs[k]} for k in sorted(envs)])


def injection_status(template_pod: JSON, revision: str, with_revision: bool = True) -> str:
    """The ``sidecar.istio.io/status`` value: what the templates added, as Istio's exact JSON.

    Names of the rendered templates' init containers, containers, volumes and
    image pull secrets (``null`` when there are none), and the revision
    (``default`` when unset), compact, in Istio's key order.
    """
    spec = template_pod.get("spec") or {}
    lists = tuple(tuple(item.get("name", "") for item in spec.get(key) or ()
                        if type(item) is dict or isinstance(item, Mapping))
                  for key in STATUS_KEYS)
    # Only names that are strings are kept: 1, 1.0 and True are one key but three JSON texts.
    plain = type(revision) is str and all(type(name) is str for names in lists for name in names)
    memo_key = (lists, revision, with_revision) if plain else None
    text = _STATUS_TEXTS.get(memo_key) if memo_key is not None else None
    if text is None:
        status: dict[str, JSON] = JSONStruct()
        for key, names in zip(STATUS_KEYS, lists):
            status[key] = list(names) or None
        if with_revision:  # recorded from Istio 1.11
            status["revision"] = revision or "default"
        text = go_json(status)
        if memo_key is not None:
            if len(_STATUS_TEXTS) >= 256:
                _STATUS_TEXTS.clear()
            _STATUS_TEXTS[memo_key] = text
    return text


#: Status texts by what they say: pod after pod, the templates add the same names.
_STATUS_TEXTS: dict[tuple[Any, ...], str] = {}


def apply_metadata(pod: Pod, ctx: PostprocessContext) -> None:
    """Write the status annotation, the config's injected annotations and the network label.

    Always applies.  ``topology.istio.io/network`` is set when a network is known
    (values or the pod's own label); the config's ``injectedAnnotations`` are
    written last so they win over anything the templates set.
    """
    network = proxy_envs(ctx.values, labels_of(ctx.original_pod)).get(NETWORK_ENV)
    if network:
        pod_labels = labels_of(pod, create=True)
        assert pod_labels is not None
        pod_labels[NETWORK_LABEL] = network
    pod_annotations = annotations_of(pod, create=True)
    assert pod_annotations is not None
    with_revision = ctx.release is None or ctx.release.status_revision
    pod_annotations[STATUS_ANNOTATION] = injection_status(ctx.template_pod, ctx.revision, with_revision)
    for key, value in ctx.injected_annotations.items():
        pod_annotations[key] = value


@dataclass(frozen=True)
class InjectionStatus:
    """What a previous injection recorded in ``sidecar.istio.io/status``."""

    init_containers: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    image_pull_secrets: tuple[str, ...] = ()
    revision: str = ""


def parse_status(text: JSON) -> InjectionStatus | None:
    """Read a ``sidecar.istio.io/status`` value; None when it is not JSON of that shape.

    Older Istio releases wrote extra keys (``version``); they are ignored, as
    Istio ignores them.
    """
    try:
        data = json.loads(str(text))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None

    def names(key: str) -> tuple[str, ...]:
        items = data.get(key)
        return tuple(str(i) for i in items) if isinstance(items, list) else ()

    rev = data.get("revision")
    return InjectionStatus(
        init_containers=names("initContainers"),
        containers=names("containers"),
        volumes=names("volumes"),
        image_pull_secrets=names("imagePullSecrets"),
        revision=rev if isinstance(rev, str) else "",
    )
