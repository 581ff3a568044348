"""The kube-uninject step: one pod template in, the pod as it was before injection out.

It plugs into the same seam as injection (:class:`pyinject.model.Injector`),
so reading, finding workloads, writing, ``--check``, ``--in-place`` and the
report work the same for both commands.  The pod-level work is
:func:`pyinject.uninject.strip.uninject`, which reads everything from what the
injection recorded in the pod; no injection config is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyinject.errors import PyinjectError
from pyinject.manifests.load import copy_plain
from pyinject.model import Action, PodResult
from pyinject.manifests.workloads import Workload

#: Why a pod was left alone: it carries no ``sidecar.istio.io/status``.
NOT_INJECTED = "not injected"


class Uninjector:
    """Removes a previous injection from each pod template."""

    def __init__(self, injected_annotations: Mapping[str, str] | None = None) -> None:
        # The injection config's injectedAnnotations, when the user names the
        # config; without it only the annotations the stock templates add go.
        self.injected_annotations = dict(injected_annotations or {})

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult:
        from pyinject.uninject.strip import uninject

        # Stripped in place: a copy, the arguments are the document's.
        pod: dict[str, Any] = {"metadata": copy_plain(metadata), "spec": copy_plain(spec)}
        # The sidecar template derives the canonical-name label from the owning
        # workload, which for a bare Pod is its controller (as Istio guesses it).
        owner = str(workload.deployment_meta.get("name") or workload.name or "") or None
        try:
            result = uninject(pod, workload_name=owner, injected_annotations=self.injected_annotations)
        except PyinjectError as err:
            raise err.with_location(workload=workload.describe())
        if not result.injected:
            return PodResult(metadata, spec, Action.UNCHANGED, NOT_INJECTED)
        return PodResult(pod.get("metadata") or {}, pod.get("spec") or {}, Action.UNINJECTED)
