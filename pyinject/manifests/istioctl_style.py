"""``--output-style istioctl``: write documents exactly as ``istioctl kube-inject`` writes them.

istioctl reads each document of the stream; when its apiVersion and kind are
one of the types it registers (Pod, ReplicationController, Deployment,
DaemonSet, ReplicaSet, StatefulSet, Job, CronJob, List, and OpenShift's
DeploymentConfig) it decodes it into the Go struct, injects, and writes the
struct back with sigs.k8s.io/yaml.  Anything else is copied through as the raw
text of the document.  Every document is followed by ``---``.

Going through Go's typed structs and back leaves marks that this module
reproduces on the JSON-like data pyinject works on:

- fields the Go type does not have are dropped (encoding/json ignores them);
- ``omitempty`` drops zero strings, numbers, booleans, empty lists and maps,
  except where the Go field is a pointer (``replicas: 0`` stays);
- structs held by value are always written, so an absent one comes out as
  ``{}``: ``strategy: {}``, ``status: {}``, a container's ``resources: {}``, a
  pod template's ``metadata: {}``; fields without ``omitempty`` are written
  even when zero (``status: {replicas: 0}`` of a ReplicaSet);
- quantities in canonical form (``500m`` stays, ``0.5`` becomes ``500m``);
- sigs.k8s.io/yaml marshals to JSON and converts that to YAML through
  go-yaml v2, so keys come out sorted and strings quoted go-yaml's way
  (:func:`pyinject.golang.goyaml.go_yaml`).

``metadata.creationTimestamp: null``, which older istioctl releases wrote, is
gone since Kubernetes 1.33 marked the field ``omitzero``; Istio 1.27 and later
build with those libraries.  Older releases are written as they wrote
(:class:`GoLibraries`, :func:`istioctl_mode`).

Where the two differ on purpose: istioctl writes a last document that lacks a
final newline as ``...last line---``, which is not valid YAML; here a newline
is added.  And pyinject injects workloads of every apiVersion (istioctl only
those it registers), so such a workload, once injected, is written typed too.

The Go type table below covers the workload kinds; the pod spec below them
comes from the Kubernetes schema pyinject ships (``pyinject/data``), with the
exact container types of :mod:`pyinject.k8s.gojson`.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Mapping
from typing import Any

from pyinject.errors import InputError
from pyinject.k8s.gojson import GoField, encode
from pyinject.k8s.gojson import struct_fields as _struct
# Also read from here, beside the struct tables they are checked against.
from pyinject.k8s.typed_decode import FIELDS_SINCE as FIELDS_SINCE
from pyinject.k8s.typed_decode import decoded_as_release as decoded_as_release
from pyinject.k8s.typed_decode import object_meta_fields as object_meta_fields
from pyinject.manifests.read import RawDocument
from pyinject.model import OutputMode
from pyinject.records import dataclass, replace

#: (apiVersion, kind) istioctl decodes into Go structs; anything else stays raw text.
REGISTERED: frozenset[tuple[str, str]] = frozenset({
    ("v1", "ReplicationController"),
    ("v1", "Pod"),
    ("v1", "List"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "StatefulSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("apps.openshift.io/v1", "DeploymentConfig"),
})


#: Go types of the workload kinds and what sits between them and the pod spec
#: (k8s.io/api apps/v1, batch/v1, core/v1; github.com/openshift/api apps/v1).
#: Field order does not matter: sigs.k8s.io/yaml sorts keys.  ``any`` marks what
#: pyinject passes through as written (status details, claim templates...).
WORKLOAD_STRUCTS: dict[str, tuple[GoField, ...]] = {
    "Deployment": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec DeploymentSpec", "status DeploymentStatus"),
    "DeploymentSpec": _struct(
        "replicas int?", "selector *LabelSelector !", "template PodTemplateSpec !", "strategy DeploymentStrategy",
        "minReadySeconds int", "revisionHistoryLimit int?", "paused bool", "progressDeadlineSeconds int?",
    ),
    "DeploymentStrategy": _struct("type str", "rollingUpdate *RollingUpdateDeployment"),
    "RollingUpdateDeployment": _struct("maxUnavailable intstr?", "maxSurge intstr?"),
    "DeploymentStatus": _struct(
        "observedGeneration int", "replicas int", "updatedReplicas int", "readyReplicas int",
        "availableReplicas int", "unavailableReplicas int", "terminatingReplicas int?",
        "conditions []any", "collisionCount int?",
    ),
    "StatefulSet": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec StatefulSetSpec", "status StatefulSetStatus"),
    "StatefulSetSpec": _struct(
        "replicas int?", "selector *LabelSelector !", "template PodTemplateSpec !", "volumeClaimTemplates []any",
        "serviceName str", "podManagementPolicy str", "updateStrategy StatefulSetUpdateStrategy",
        "revisionHistoryLimit int?", "minReadySeconds int", "persistentVolumeClaimRetentionPolicy any?",
        "ordinals any?",
    ),
    "StatefulSetUpdateStrategy": _struct("type str", "rollingUpdate any?"),
    "StatefulSetStatus": _struct(
        "observedGeneration int", "replicas int !", "readyReplicas int", "currentReplicas int", "updatedReplicas int",
        "currentRevision str", "updateRevision str", "collisionCount int?", "conditions []any",
        "availableReplicas int !",
    ),
    "DaemonSet": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec DaemonSetSpec", "status DaemonSetStatus"),
    "DaemonSetSpec": _struct(
        "selector *LabelSelector !", "template PodTemplateSpec !", "updateStrategy DaemonSetUpdateStrategy",
        "minReadySeconds int", "revisionHistoryLimit int?",
    ),
    "DaemonSetUpdateStrategy": _struct("type str", "rollingUpdate any?"),
    "DaemonSetStatus": _struct(
        "currentNumberScheduled int !", "numberMisscheduled int !", "desiredNumberScheduled int !",
        "numberReady int !", "observedGeneration int", "updatedNumberScheduled int", "numberAvailable int",
        "numberUnavailable int", "collisionCount int?", "conditions []any",
    ),
    "ReplicaSet": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec ReplicaSetSpec", "status ReplicaSetStatus"),
    "ReplicaSetSpec": _struct("replicas int?", "minReadySeconds int", "selector *LabelSelector !", "template PodTemplateSpec"),
    "ReplicaSetStatus": _struct(
        "replicas int !", "fullyLabeledReplicas int", "readyReplicas int", "availableReplicas int",
        "terminatingReplicas int?", "observedGeneration int", "conditions []any",
    ),
    "ReplicationController": _struct(
        "apiVersion str", "kind str", "metadata ObjectMeta", "spec ReplicationControllerSpec",
        "status ReplicationControllerStatus",
    ),
    "ReplicationControllerSpec": _struct("replicas int?", "minReadySeconds int", "selector map[str]", "template *PodTemplateSpec"),
    "ReplicationControllerStatus": _struct(
        "replicas int !", "fullyLabeledReplicas int", "readyReplicas int", "availableReplicas int",
        "observedGeneration int", "conditions []any",
    ),
    "Job": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec JobSpec", "status JobStatus"),
    "JobSpec": _struct(
        "parallelism int?", "completions int?", "activeDeadlineSeconds int?", "podFailurePolicy any?",
        "successPolicy any?", "backoffLimit int?", "backoffLimitPerIndex int?", "maxFailedIndexes int?",
        "selector *LabelSelector", "manualSelector bool?", "template PodTemplateSpec !",
        "ttlSecondsAfterFinished int?", "completionMode str?", "suspend bool?", "podReplacementPolicy str?",
        "managedBy str?",
    ),
    "JobStatus": _struct(
        "conditions []any", "startTime any?", "completionTime any?", "active int", "succeeded int", "failed int",
        "terminating int?", "completedIndexes str", "failedIndexes str?", "uncountedTerminatedPods any?",
        "ready int?",
    ),
    "CronJob": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec CronJobSpec", "status CronJobStatus"),
    "CronJobSpec": _struct(
        "schedule str !", "timeZone str?", "startingDeadlineSeconds int?", "concurrencyPolicy str", "suspend bool?",
        "jobTemplate JobTemplateSpec !", "successfulJobsHistoryLimit int?", "failedJobsHistoryLimit int?",
    ),
    "JobTemplateSpec": _struct("metadata ObjectMeta", "spec JobSpec"),
    "CronJobStatus": _struct("active []any", "lastScheduleTime any?", "lastSuccessfulTime any?"),
    "Pod": _struct("apiVersion str", "kind str", "metadata ObjectMeta", "spec PodSpec", "status PodStatus"),
    "PodStatus": _struct(
        "observedGeneration int", "phase str", "conditions []any", "message str", "reason str",
        "nominatedNodeName str", "hostIP str", "hostIPs []any", "podIP str", "podIPs []any", "startTime any?",
        "initContainerStatuses []any", "containerStatuses []any", "qosClass str",
        "ephemeralContainerStatuses []any", "resize str", "resourceClaimStatuses []any",
        "extendedResourceClaimStatus any?",
    ),
    "PodTemplateSpec": _struct("metadata ObjectMeta", "spec PodSpec"),
    "List": _struct("apiVersion str", "kind str", "metadata ListMeta", "items []ListItem !"),
    "ListMeta": _struct("selfLink str", "resourceVersion str", "continue str", "remainingItemCount int?"),
    # OpenShift apps/v1: its DeploymentStrategy holds a ResourceRequirements by value.
    "DeploymentConfig": _struct(
        "apiVersion str", "kind str", "metadata ObjectMeta", "spec DeploymentConfigSpec", "status DeploymentConfigStatus",
    ),
    "DeploymentConfigSpec": _struct(
        "strategy DeploymentConfigStrategy", "minReadySeconds int", "triggers []DeploymentTriggerPolicy !",
        "replicas int !", "revisionHistoryLimit int?", "test bool !", "paused bool", "selector map[str]",
        "template *PodTemplateSpec",
    ),
    "DeploymentConfigStrategy": _struct(
        "type str", "customParams any?", "recreateParams any?", "rollingParams any?",
        "resources ResourceRequirements", "labels map[str]", "annotations map[str]", "activeDeadlineSeconds int?",
    ),
    "DeploymentTriggerPolicy": _struct("type str", "imageChangeParams *DeploymentTriggerImageChangeParams"),
    "DeploymentTriggerImageChangeParams": _struct(
        "automatic bool", "containerNames []str", "from ObjectReference !", "lastTriggeredImage str",
    ),
    "ObjectReference": _struct(
        "kind str", "namespace str", "name str", "uid str", "apiVersion str", "resourceVersion str", "fieldPath str",
    ),
    "DeploymentConfigStatus": _struct(
        "latestVersion int !", "observedGeneration int !", "replicas int !", "updatedReplicas int !",
        "availableReplicas int !", "unavailableReplicas int !", "details any?", "conditions []any",
        "readyReplicas int",
    ),
}

#: Kind of a document -> its Go struct.
KIND_STRUCTS = {kind: kind for _, kind in REGISTERED}

#: The beta workload APIs declared ``selector`` ``omitempty`` (apps/v1 made it required), so a
#: workload of these apiVersions that has none is written without ``selector: null``.
BETA_API_VERSIONS = frozenset({"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"})
for _kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
    WORKLOAD_STRUCTS[_kind + "Beta"] = tuple(
        replace(f, kind=f"{_kind}SpecBeta") if f.name == "spec" else f for f in WORKLOAD_STRUCTS[_kind])
    WORKLOAD_STRUCTS[_kind + "SpecBeta"] = tuple(
        replace(f, omitempty=True) if f.name == "selector" else f for f in WORKLOAD_STRUCTS[_kind + "Spec"])
del _kind

#: Scalars of the pod spec that are plain (not pointers) in Go, so ``omitempty``
#: drops their zero value; the schema does not say which are pointers, and
#: keeping a zero is the safe default.
PLAIN_SCALARS: dict[str, frozenset[str]] = {
    "PodSpec": frozenset({"hostNetwork", "hostPID", "hostIPC"}),
}

#: Schema fields whose Go type is not what the OpenAPI schema suggests.
SCHEMA_OVERRIDES: dict[str, dict[str, GoField]] = {
    # metav1.Time is a struct that encodes as a string; since Kubernetes 1.33
    # the field is omitzero, so a null timestamp disappears.
    "ObjectMeta": {
        "creationTimestamp": GoField("creationTimestamp", "str"),
        "deletionTimestamp": GoField("deletionTimestamp", "str"),
    },
}


def _short(definition: str) -> str:
    return definition.rsplit(".", 1)[-1]


def _schema_kind(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    ref = spec.get("ref")
    if kind == "quantity":
        return "quantity"
    if kind == "int-or-string":
        return "intstr"
    if kind == "object" and isinstance(ref, str):
        return "*" + _short(ref)
    if kind == "array":
        return "[]" + _schema_kind(spec.get("items") or {})
    if kind == "map":
        return "map[" + _schema_kind(spec.get("values") or {}) + "]"
    return {"string": "str", "integer": "int", "boolean": "bool", "number": "float"}.get(str(kind), "any")


@functools.cache
def go_structs() -> dict[str, tuple[GoField, ...]]:
    """Every Go struct this module knows, by Go type name.

    The pod spec's closure comes from the Kubernetes schema: struct fields are
    pointers there (omitted when absent), scalars keep a written zero unless
    listed in PLAIN_SCALARS, required fields have no ``omitempty``.  The
    container types are :data:`pyinject.k8s.gojson.STRUCTS`, which knows
    pointers and value structs exactly; the workload kinds are the table above.
    """
    from pyinject.render.go_data import k8s_schema
    from pyinject.k8s import gojson
    structs: dict[str, tuple[GoField, ...]] = {}
    for definition, body in k8s_schema().items():
        name = _short(definition)
        required = set(body.get("required") or ())
        overrides = SCHEMA_OVERRIDES.get(name, {})
        plain = PLAIN_SCALARS.get(name, frozenset())
        fields = []
        for field, spec in (body.get("fields") or {}).items():
            if field in overrides:
                fields.append(overrides[field])
                continue
            kind = _schema_kind(spec)
            # Optional scalars and quantities are pointers in the API types.
            scalar = kind in ("int", "bool", "float", "quantity")
            fields.append(GoField(field, kind, omitempty=field not in required, pointer=scalar and field not in plain))
        structs[name] = tuple(fields)
    structs.update(gojson.STRUCTS)
    structs.update(WORKLOAD_STRUCTS)
    return structs


@dataclass(frozen=True)
class GoLibraries:
    """The Go libraries an istioctl release was built with, where they change what it writes."""

    #: Kubernetes API minor version (k8s.io/api 0.N): before 34 ObjectMeta wrote
    #: ``creationTimestamp: null``; fields added later (:data:`FIELDS_SINCE`) did not exist.
    k8s_minor: int = 35
    #: go-yaml folds long scalars at 80 columns (v2.3.0 did not).
    yaml_fold: bool = True
    #: (apiVersion, kind) pairs the release's kube-inject decodes into Go types (None: :data:`REGISTERED`).
    registered: frozenset[tuple[str, str]] | None = None


#: Fields written even when zero only from this Kubernetes minor version on (``omitempty`` before).
WRITTEN_WHEN_ZERO_SINCE: dict[tuple[str, str], int] = {
    ("StatefulSetStatus", "availableReplicas"): 23,
}


_LIBRARIES: contextvars.ContextVar[GoLibraries] = contextvars.ContextVar("go_libraries", default=GoLibraries())


@functools.cache
def _structs_for(libraries: GoLibraries) -> dict[str, tuple[GoField, ...]]:
    """The struct table as a release's Kubernetes libraries had it."""
    structs = dict(go_structs())
    if libraries == GoLibraries():
        return structs
    for name, fields in structs.items():
        kept = []
        for field in fields:
            if FIELDS_SINCE.get((name, field.name), 0) > libraries.k8s_minor:
                continue
            if WRITTEN_WHEN_ZERO_SINCE.get((name, field.name), 0) > libraries.k8s_minor:
                field = replace(field, omitempty=True)
            if name == "ObjectMeta" and field.name == "creationTimestamp" and libraries.k8s_minor < 34:
                # metav1.Time without omitzero: an unset timestamp is written as null.
                field = replace(field, omitempty=False, pointer=True)
            kept.append(field)
        structs[name] = tuple(kept)
    return structs


def _list_item(item: Any) -> Any:
    """A List item: typed when istioctl registers its kind, else its JSON as it was."""
    struct = _registered_struct(item)
    return _encode(struct, item) if struct is not None else item


def _encode(struct: str, data: Any) -> Any:
    """``data`` through Go struct ``struct``; a List's items each through their own type."""
    out = encode(struct, data, _structs_for(_LIBRARIES.get()))
    if struct == "List" and isinstance(out.get("items"), list):
        out["items"] = [_list_item(item) for item in out["items"]]
    return out


def _registered_struct(obj: Any) -> str | None:
    if not isinstance(obj, Mapping):
        return None
    key = (obj.get("apiVersion"), obj.get("kind"))
    if not all(isinstance(part, str) for part in key):
        return None  # not a Kubernetes object istioctl could decode
    registered = _LIBRARIES.get().registered
    if registered is None:
        return KIND_STRUCTS[str(key[1])] if key in REGISTERED else None
    if key not in registered:
        return None
    return _struct_of(str(key[0]), str(key[1]))


def _struct_of(api_version: str, kind: str) -> str:
    """The Go struct of a workload ``kind`` at ``api_version`` (the beta APIs differ in ``selector``)."""
    struct = KIND_STRUCTS[kind]
    return struct + "Beta" if api_version in BETA_API_VERSIONS and struct + "Beta" in WORKLOAD_STRUCTS else struct


def typed(data: Any, *, force: bool = False) -> Any | None:
    """``data`` after a round trip through its Go type; None when istioctl keeps it as raw text.

    ``force``: type a document pyinject injected even when istioctl does not
    register its apiVersion (it would not have injected it).
    """
    struct = _registered_struct(data)
    if struct is None and force and isinstance(data, Mapping) and data.get("kind") in KIND_STRUCTS:
        struct = _struct_of(str(data.get("apiVersion")), str(data["kind"]))
    return None if struct is None else _encode(struct, data)


def emit_istioctl(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
    """One document as ``istioctl kube-inject`` writes it, ``---`` line included."""
    # Comments before the first "---" are a chunk of their own to istioctl's reader: written raw.
    head = doc.separator[: doc.separator.rfind("---")] if doc.first_in_source else ""
    if head and all(not line.strip() or line.lstrip().startswith("#") for line in head.splitlines()):
        return head + "---\n" + _emit_body(doc, data, changed)
    return _emit_body(doc, data, changed)


def _emit_body(doc: RawDocument, data: Any, changed: bool) -> str:
    from pyinject.golang.goyaml import go_yaml
    from pyinject.golang.encoding_json import UnsupportedValue

    value = typed(data, force=changed)
    if value is not None:
        try:
            return go_yaml(value) + "---\n"
        except UnsupportedValue as err:
            # istioctl goes through JSON, which has no infinities or NaN.
            raise InputError(f"cannot be written as istioctl writes it: {err} (JSON has no .inf or .nan)") from err
    if not doc.body:
        # Go's YAML reader skips documents with no text at all.
        return ""
    body = doc.body if doc.body.endswith("\n") else doc.body + "\n"
    return body + "---\n"


ISTIOCTL = OutputMode("istioctl", emit_istioctl, parse_all=False)


def istioctl_mode(libraries: GoLibraries) -> OutputMode:
    """The istioctl style of a release built with ``libraries`` (:data:`ISTIOCTL` is today's)."""
    if libraries == GoLibraries():
        return ISTIOCTL

    def emit(doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str:
        from pyinject.golang.goyaml import line_width

        token = _LIBRARIES.set(libraries)
        try:
            with line_width(libraries.yaml_fold):
                return emit_istioctl(doc, original, data, changed=changed, has_workloads=has_workloads)
        finally:
            _LIBRARIES.reset(token)

    return OutputMode("istioctl", emit, parse_all=False)
