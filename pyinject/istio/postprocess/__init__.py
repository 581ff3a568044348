"""Post-processing after the templates are merged: Istio's reapplyOverwrittenContainers and postProcessPod.

Some of what injection does cannot be said in a template: it depends on the
merged result (which probes exist, what the user's own ``istio-proxy`` says,
where the containers ended up).  Istio does it in Go after the merge; pyinject
does it here, as a list of named passes.

The order, and why:

1. ``overrides``: the user's own ``istio-proxy``/``istio-init`` are applied
   first, so every later pass sees the proxy as it will run (Istio does this
   before ``postProcessPod``).
2. ``cluster-info``, 3. ``prometheus-merge``, 4. ``probes``: each appends an env
   var to the proxy, and the proxy's env ends in this order
   (``ISTIO_META_CLUSTER_ID``/``ISTIO_META_NETWORK``,
   ``ISTIO_PROMETHEUS_ANNOTATIONS``, ``ISTIO_KUBE_APP_PROBERS``).  Probes also
   come before metadata because a status annotation already on the pod means
   "injected before" to them, and metadata writes the new one.
5. ``metadata``: the status annotation describes what the templates added and
   the config's injected annotations must win over everything else.
6. ``ordering``: last, because it only moves containers the other passes
   look up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyinject.model import JSON
from pyinject.istio.releases import Release
from pyinject.istio.postprocess.ordering import reorder_containers
from pyinject.istio.postprocess.overrides import reapply_user_containers
from pyinject.istio.postprocess.pod import Pod
from pyinject.istio.postprocess.probes import rewrite_probes
from pyinject.istio.postprocess.prometheus import merge_prometheus
from pyinject.istio.postprocess.status import apply_metadata, overwrite_cluster_info
from pyinject.records import dataclass, field


@dataclass(frozen=True)
class PostprocessContext:
    """What the passes need besides the merged pod."""

    #: The rendered templates merged over an empty pod: what injection adds
    #: (Istio's ``templatePod``; the status annotation lists its names).  Its
    #: containers and volumes may be the very objects in the pod, so a pass reads
    #: of them only what no pass changes (names), or reads before any pass changes the pod.
    template_pod: Mapping[str, JSON]
    #: The user's pod template as the templates saw it: before the merge, after a
    #: previous injection was stripped (user containers that override injected ones).
    original_pod: Mapping[str, JSON]
    #: The injector's Helm values.
    values: Mapping[str, JSON]
    #: Effective MeshConfig.
    mesh_config: Mapping[str, JSON]
    #: Effective ProxyConfig: mesh ``defaultConfig`` with the pod's ``proxy.istio.io/config``
    #: (status port, interception mode, holdApplicationUntilProxyStarts).
    proxy_config: Mapping[str, JSON]
    revision: str = ""
    #: The injection config's ``injectedAnnotations``.
    injected_annotations: Mapping[str, str] = field(default_factory=dict)
    #: The Istio release whose Go-side steps to reproduce (None: the embedded one).
    release: Release | None = None
    #: TCP probes are rewritten like HTTP ones (see pyinject.config.tcp_probes).
    rewrite_tcp_probes: bool = True


@dataclass(frozen=True)
class Pass:
    """One post-processing step: a name for errors and reports, and what it does."""

    name: str
    apply: Callable[[Pod, PostprocessContext], None]


#: The passes in the order they run; the module docstring says why.
PASSES: tuple[Pass, ...] = (
    Pass("overrides", reapply_user_containers),
    Pass("cluster-info", overwrite_cluster_info),
    Pass("prometheus-merge", merge_prometheus),
    Pass("probes", rewrite_probes),
    Pass("metadata", apply_metadata),
    Pass("ordering", reorder_containers),
)


def run(pod: Pod, ctx: PostprocessContext) -> Pod:
    """Run every pass over the merged ``pod`` (changed in place) and return it."""
    for step in PASSES:
        step.apply(pod, ctx)
    return pod
