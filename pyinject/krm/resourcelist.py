"""The ResourceList a KRM function reads and writes: recognise it, read its items, word its results.

The wire format is the KRM functions specification's: ``apiVersion:
config.kubernetes.io/v1`` (older orchestrators sent ``v1beta1``/``v1alpha1``),
``kind: ResourceList``, ``items``, an optional ``functionConfig``, and
``results`` on the way back, each with a ``severity`` (error, warning, info),
a ``message``, and the ``resourceRef`` and ``file`` it concerns.  Orchestrators
record where each item came from in ``config.kubernetes.io/*`` and
``internal.config.kubernetes.io/*`` annotations; a function must hand them back.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import InputError
from pyinject.records import dataclass

KIND = "ResourceList"
API_VERSION = "config.kubernetes.io/v1"
#: apiVersions orchestrators have sent (kustomize 3 and kpt 0.x used the betas).
API_VERSIONS = (API_VERSION, "config.kubernetes.io/v1beta1", "config.kubernetes.io/v1alpha1")
#: Annotation prefixes the orchestrator owns.
ORCHESTRATOR_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/")

#: A top-level ``kind: ResourceList`` line (YAML) or member (JSON), for a cheap look before parsing
#: (patterns compiled, through re's cache, only for inputs that hold both words).
_KIND_LINE = r"""(?m)^(?:kind:[ \t]*["']?ResourceList["']?[ \t]*(?:#.*)?$|[ \t]*\{?[ \t]*"kind"[ \t]*:[ \t]*"ResourceList")"""
_API_LINE = r"""(?m)^[ \t]*\{?[ \t]*["']?apiVersion["']?[ \t]*:[ \t]*["']?config\.kubernetes\.io/"""


def looks_like_resource_list(head: str) -> bool:
    """Whether the start of an input reads like a ResourceList (confirmed by :func:`is_resource_list` once parsed)."""
    if "ResourceList" not in head or "config.kubernetes.io/" not in head:
        return False  # what both patterns need, looked for without compiling them
    return bool(re.search(_KIND_LINE, head)) and bool(re.search(_API_LINE, head))


def is_resource_list(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND and data.get("apiVersion") in API_VERSIONS


def items_of(data: dict[str, Any]) -> list[Any]:
    """The ``items`` list (created empty when absent); anything else is an InputError."""
    items = data.get("items")
    if items is None:
        items = data["items"] = []
    if not isinstance(items, list):
        raise InputError("ResourceList 'items' must be a list")
    return items


def orchestrator_annotations(item: Any) -> dict[str, Any]:
    """The ``config.kubernetes.io/*`` and ``internal.config.kubernetes.io/*`` annotations of an item."""
    meta = item.get("metadata") if isinstance(item, dict) else None
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict):
        return {}
    return {k: v for k, v in annotations.items() if isinstance(k, str) and k.startswith(ORCHESTRATOR_PREFIXES)}


def restore_annotations(item: Any, kept: dict[str, Any]) -> None:
    """Put back orchestrator annotations a rewrite of the item (a bare Pod's metadata) dropped or changed."""
    if not kept or not isinstance(item, dict):
        return
    meta = item.setdefault("metadata", {})
    annotations = meta.setdefault("annotations", {}) if isinstance(meta, dict) else None
    if isinstance(annotations, dict):
        for key, value in kept.items():
            if annotations.get(key) != value:
                annotations[key] = value


@dataclass(frozen=True)
class Result:
    """One entry of ``results``."""

    severity: str  # "error" | "warning" | "info"
    message: str
    item: Any = None

    def as_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "severity": self.severity}
        ref = resource_ref(self.item)
        if ref:
            out["resourceRef"] = ref
        where = file_ref(self.item)
        if where:
            out["file"] = where
        return out


def resource_ref(item: Any) -> dict[str, Any]:
    """``{apiVersion, kind, name, namespace}`` of an item, leaving out what it lacks."""
    if not isinstance(item, dict):
        return {}
    meta = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    ref = {"apiVersion": item.get("apiVersion"), "kind": item.get("kind"),
           "name": meta.get("name"), "namespace": meta.get("namespace")}
    return {k: str(v) for k, v in ref.items() if v not in (None, "")}


def file_ref(item: Any) -> dict[str, Any]:
    """``{path, index}`` from the orchestrator's annotations (the internal ones first, as kyaml writes both)."""
    annotations = orchestrator_annotations(item)
    path = annotations.get("internal.config.kubernetes.io/path", annotations.get("config.kubernetes.io/path"))
    index = annotations.get("internal.config.kubernetes.io/index", annotations.get("config.kubernetes.io/index"))
    out: dict[str, Any] = {}
    if path not in (None, ""):
        out["path"] = str(path)
        try:
            out["index"] = int(str(index))
        except ValueError:
            pass
    return out
