"""What a release's typed decoding drops from a rendered pod fragment.

Istio decodes each rendered template into its typed ``corev1.Pod``: keys under
``metadata`` that ObjectMeta lacks, and container fields the release's
Kubernetes libraries did not have yet, are dropped without a word.  Every
injection asks, so this stays small: the full Go struct tables that istioctl's
output style needs live in :mod:`pyinject.manifests.istioctl_style`.
"""

from __future__ import annotations

import functools

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: Struct fields by the Kubernetes minor version that added them.
FIELDS_SINCE: dict[tuple[str, str], int] = {
    ("StatefulSetStatus", "availableReplicas"): 22,
    ("ProbeHandler", "grpc"): 23,
    ("PodSpec", "os"): 23,
    ("PodSpec", "hostUsers"): 25,
    ("PodSpec", "schedulingGates"): 26,
    ("PodSpec", "resourceClaims"): 26,
    ("Container", "resizePolicy"): 27,
    ("Container", "restartPolicy"): 28,
    ("LifecycleHandler", "sleep"): 29,
}


@functools.cache
def object_meta_fields() -> frozenset[str]:
    """The field names of ObjectMeta in :func:`pyinject.manifests.istioctl_style.go_structs`, read from the schema alone.

    Decoding every rendered fragment needs only these, and building the whole
    struct table costs more than a small run's injection.
    """
    from pyinject.k8s.schema import definitions

    names: frozenset[str] = frozenset()
    for definition, body in definitions().items():
        if definition.rsplit(".", 1)[-1] == "ObjectMeta":
            names = frozenset(body.get("fields") or ())
    return names


def decoded_as_release(patch: dict[str, Any], k8s_minor: int) -> dict[str, Any]:
    """A rendered pod fragment as a release built on k8s.io/api 0.``k8s_minor`` decoded it.

    Istio reads each rendered template into its typed Pod: keys under ``metadata``
    that ObjectMeta lacks, and container fields its Kubernetes libraries did not
    have yet (a native sidecar's ``restartPolicy`` before 1.28), are dropped
    without a word.  ``patch`` is not changed (its parts may be shared with the
    decoder's memo): what loses a key is copied, and the copies are returned in a
    new fragment; a fragment that loses nothing is returned as it is.
    """
    out = patch
    metadata = patch.get("metadata")
    if isinstance(metadata, dict):
        known = object_meta_fields()
        unknown = [k for k in metadata if str(k) not in known and not str(k).startswith("$")]
        if unknown:
            out = dict(out)
            out["metadata"] = _without(metadata, unknown)
    spec = patch.get("spec")
    if not isinstance(spec, dict):
        return out
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        if not items or not any(isinstance(item, dict) and _newer_fields(item, k8s_minor) for item in items):
            continue
        if out is patch:
            out = dict(patch)
        if out["spec"] is spec:
            out["spec"] = dict(spec)
        out["spec"][key] = [_without(item, _newer_fields(item, k8s_minor)) if isinstance(item, dict) else item
                            for item in items]
    return out


def _newer_fields(item: dict[Any, Any], k8s_minor: int) -> list[Any]:
    """The container fields of ``item`` that the Kubernetes API 0.``k8s_minor`` did not have yet."""
    return [k for k in item if FIELDS_SINCE.get(("Container", str(k)), 0) > k8s_minor]


def _without(item: dict[Any, Any], names: list[Any]) -> dict[Any, Any]:
    """``item`` less ``names``, a copy of the same dict class (``item`` itself when there are none)."""
    if not names:
        return item
    copy = type(item)(item)
    for name in names:
        del copy[name]
    return copy
