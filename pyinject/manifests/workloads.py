"""Where pod templates live: ONE table from kind to paths, and List recursion.

Kinds match whatever the apiVersion (old manifests still say
``extensions/v1beta1``).  Paths follow istioctl: for a CronJob the injected
*metadata* is the job template's (``spec.jobTemplate.metadata``) while the pod
spec is ``spec.jobTemplate.spec.template.spec`` — istioctl has always done it
that way and its goldens record it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyinject.errors import InputError
from pyinject.golang.tree import set_path
from pyinject.k8s.shapes import OBJECT_META, POD_SPEC, describe, first_problem

Path = tuple[str, ...]


@dataclass(frozen=True)
class TemplatePaths:
    """Where a kind keeps the pod metadata and pod spec that injection rewrites."""

    metadata: Path
    spec: Path


_TEMPLATE = TemplatePaths(metadata=("spec", "template", "metadata"), spec=("spec", "template", "spec"))

#: kind -> where its pod template is.  The only place that knows about kinds.
POD_TEMPLATE_PATHS: dict[str, TemplatePaths] = {
    "Deployment": _TEMPLATE,
    "StatefulSet": _TEMPLATE,
    "DaemonSet": _TEMPLATE,
    "ReplicaSet": _TEMPLATE,
    "ReplicationController": _TEMPLATE,
    "Job": _TEMPLATE,
    "DeploymentConfig": _TEMPLATE,
    "CronJob": TemplatePaths(
        metadata=("spec", "jobTemplate", "metadata"),
        spec=("spec", "jobTemplate", "spec", "template", "spec"),
    ),
    "Pod": TemplatePaths(metadata=("metadata",), spec=("spec",)),
}

LIST_KIND = "List"

#: Cheap pre-filter: a document that names none of these words cannot hold a
#: workload, so it is passed through without being parsed into objects.
KIND_WORDS = re.compile(r"\b(?:%s)\b" % "|".join([*POD_TEMPLATE_PATHS, LIST_KIND]))


@dataclass
class Workload:
    """One pod template inside a document, with what templates need to know of its owner."""

    kind: str
    #: The object that holds the pod template (the document, or a List item).
    obj: dict[str, Any]
    paths: TemplatePaths
    #: Position inside the document: () for the document, ("items", "3") for a List item.
    where: Path
    type_meta: dict[str, Any]
    deployment_meta: dict[str, Any]

    @property
    def name(self) -> str:
        meta = self.obj.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        # Only a string is a name; anything else is refused by check_fields, whose
        # message must not quote the whole value as the workload's name.
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        meta = self.obj.get("metadata")
        ns = meta.get("namespace") if isinstance(meta, dict) else None
        return ns if isinstance(ns, str) else ""

    def describe(self) -> str:
        """``Kind ns/name`` (or ``Kind name``) for messages."""
        ns = self.namespace
        return f"{self.kind} {ns + '/' if ns else ''}{self.name}".rstrip()

    def get_pod(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The pod template's (metadata, spec); metadata may be empty."""
        meta = get_path(self.obj, self.paths.metadata)
        spec = get_path(self.obj, self.paths.spec)
        return (meta if isinstance(meta, dict) else {}), (spec if isinstance(spec, dict) else {})

    def set_pod(self, metadata: dict[str, Any], spec: dict[str, Any]) -> None:
        """Store a new pod template (metadata, spec) back into the object."""
        set_path(self.obj, self.paths.metadata, metadata)
        set_path(self.obj, self.paths.spec, spec)


def get_path(obj: Any, path: Path) -> Any:
    """The value at ``path`` (mapping keys), or None where the path stops."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def find_workloads(doc: Any, where: Path = ()) -> Iterator[Workload]:
    """Yield every pod template in a parsed document, Lists recursively."""
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind")
    if kind == LIST_KIND:
        items = doc.get("items")
        if items is None:
            return
        if not isinstance(items, list):
            raise InputError("List 'items' must be a list")
        for i, item in enumerate(items):
            yield from find_workloads(item, (*where, "items", str(i)))
        return
    if not isinstance(kind, str) or kind not in POD_TEMPLATE_PATHS:
        return
    paths = POD_TEMPLATE_PATHS[kind]
    workload = Workload(kind, doc, paths, where, *_owner(kind, doc))
    try:
        check_shape(workload)
    except InputError as err:
        raise err.with_location(workload=workload.describe())
    yield workload


def check_shape(workload: Workload) -> None:
    """Refuse pod templates kubectl would refuse, before anything renders them."""
    spec_parent = get_path(workload.obj, workload.paths.spec[:-1])
    if spec_parent is None and workload.kind != "Pod":
        dotted = ".".join(workload.paths.spec[:-1])
        raise InputError(f"{dotted} is required for a {workload.kind}")
    for path in (workload.paths.metadata, workload.paths.spec):
        node = get_path(workload.obj, path)
        if node is not None and not isinstance(node, dict):
            raise InputError(f"{'.'.join(path)} must be a mapping, not {describe(node)}")
    check_fields(workload)


def check_fields(workload: Workload) -> None:
    """Every field the Kubernetes schema knows holds the kind of value Kubernetes wants.

    The owner's metadata too: templates read its name and namespace.
    """
    checks = [(workload.paths.metadata, OBJECT_META), (workload.paths.spec, POD_SPEC)]
    if workload.paths.metadata != ("metadata",):
        checks.insert(0, (("metadata",), OBJECT_META))
    for path, ref in checks:
        problem = first_problem(get_path(workload.obj, path), ref, ".".join(path))
        if problem is not None:
            raise InputError(problem)


def _owner(kind: str, obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(type_meta, deployment_meta) as istioctl derives them."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    if kind == "Pod":
        return pod_owner(obj)
    type_meta = {"apiVersion": obj.get("apiVersion", ""), "kind": kind}
    return type_meta, {"name": meta.get("name", ""), "namespace": meta.get("namespace", "")}


_CRONJOB_JOB_NAME = re.compile(r"^(.+)-\d{8,10}$")


def pod_owner(pod: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Owner of a bare Pod, guessed from its controller reference like Istio does.

    A Pod made by a ReplicaSet whose name ends in the pod-template-hash label
    belongs to a Deployment; one made by a Job whose name looks like
    ``<cronjob>-<timestamp>`` belongs to a CronJob; otherwise the controller
    itself is the owner, and a Pod without one owns itself (its generateName
    minus the trailing dash when it has no name).
    """
    meta = pod.get("metadata") if isinstance(pod.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    name = meta.get("name") or ""
    generate_name = meta.get("generateName") or ""
    if not name and generate_name:
        name = generate_name[:-1] if generate_name.endswith("-") else generate_name
    type_meta: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod"}
    deploy = {"name": name, "namespace": meta.get("namespace", "")}
    refs = meta.get("ownerReferences")
    controller = None
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, dict) and ref.get("controller") is True:
                controller = ref
                break
    if controller is None:
        return type_meta, deploy
    type_meta = {"apiVersion": controller.get("apiVersion", ""), "kind": controller.get("kind", "")}
    deploy["name"] = controller.get("name", "")
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    assert isinstance(labels, dict)
    template_hash = labels.get("pod-template-hash")
    ref_name = str(deploy["name"])
    if type_meta["kind"] == "ReplicaSet" and template_hash and ref_name.endswith(str(template_hash)):
        deploy["name"] = ref_name[: -len(str(template_hash)) - 1]
        type_meta = {"apiVersion": "apps/v1", "kind": "Deployment"}
    elif type_meta["kind"] == "ReplicationController" and labels.get("deploymentconfig"):
        deploy["name"] = labels["deploymentconfig"]
        type_meta = {"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig"}
    elif type_meta["kind"] == "Job":
        match = _CRONJOB_JOB_NAME.match(ref_name)
        if match:
            deploy["name"] = match.group(1)
            type_meta = {"apiVersion": "batch/v1", "kind": "CronJob"}
    return type_meta, deploy
