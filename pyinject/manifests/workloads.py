"""Where pod templates live: ONE table from kind to paths, and List recursion.

Built-in kinds match whatever the apiVersion (old manifests still say
``extensions/v1beta1``).  Paths follow istioctl: for a CronJob the injected
*metadata* is the job template's (``spec.jobTemplate.metadata``) while the pod
spec is ``spec.jobTemplate.spec.template.spec`` — istioctl has always done it
that way and its goldens record it.

Custom resources with pod templates (Argo Rollouts, OpenKruise, Knative) are
injected only when asked for (``--pod-template``): their controllers must
accept what injection adds, which only the user can vouch for.  Without it,
:func:`find_unclaimed` finds their pod-template-shaped fields so the report can
say how to opt in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import InputError, UsageError, describe_value
from pyinject.golang.tree import set_path
from pyinject.k8s.shapes import OBJECT_META, POD_SPEC, first_problem
from pyinject.records import dataclass

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


@dataclass(frozen=True)
class KindRule:
    """A custom kind (in one API group, or in any when ``group`` is None) and its pod templates."""

    kind: str
    group: str | None
    #: Paths to the pod templates (each holds ``metadata`` and ``spec``); absent ones are passed over.
    templates: tuple[Path, ...]

    def label(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def paths(self) -> tuple[TemplatePaths, ...]:
        return tuple(TemplatePaths(metadata=(*t, "metadata"), spec=(*t, "spec")) for t in self.templates)


def _dotted(*paths: str) -> tuple[Path, ...]:
    return tuple(tuple(p.split(".")) for p in paths)


#: Custom kinds pyinject knows, by the name ``--pod-template NAME`` takes.
#: OpenKruise's Advanced StatefulSet and DaemonSet have the kinds of their
#: apps/v1 namesakes, so the built-in table already injects them; naming them
#: here documents that and lets a run say so explicitly.
KNOWN_KINDS: dict[str, KindRule] = {
    "rollout": KindRule("Rollout", "argoproj.io", _dotted("spec.template")),
    "cloneset": KindRule("CloneSet", "apps.kruise.io", _dotted("spec.template")),
    "advanced-statefulset": KindRule("StatefulSet", "apps.kruise.io", _dotted("spec.template")),
    "advanced-daemonset": KindRule("DaemonSet", "apps.kruise.io", _dotted("spec.template")),
    # A UnitedDeployment holds one workload template of one of these kinds.
    "uniteddeployment": KindRule("UnitedDeployment", "apps.kruise.io", _dotted(
        "spec.template.statefulSetTemplate.spec.template",
        "spec.template.advancedStatefulSetTemplate.spec.template",
        "spec.template.cloneSetTemplate.spec.template",
        "spec.template.deploymentTemplate.spec.template",
    )),
    # Knative Serving's Service; its revision template holds the pod spec.
    "knative-service": KindRule("Service", "serving.knative.dev", _dotted("spec.template")),
}

#: --pod-template shapes (compiled on first use, through re's cache: only that flag needs them).
_KIND_RE = r"^[A-Za-z][A-Za-z0-9]*$"
_GROUP_RE = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"
_PATH_RE = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"


def parse_pod_templates(values: Iterable[str], known_kinds: bool = False) -> tuple[KindRule, ...]:
    """``--pod-template`` values (a known NAME, or ``KIND[.GROUP]=PATH``) as rules; every problem in one UsageError."""
    rules: dict[tuple[str, str | None], list[Path]] = {}
    problems: list[str] = []
    chosen = list(KNOWN_KINDS.values()) if known_kinds else []
    for value in values:
        head, sep, path = value.partition("=")
        if not sep:
            rule = KNOWN_KINDS.get(value.strip().lower())
            if rule is None:
                import difflib  # a suggestion for a mistake only: not loaded at start-up

                close = difflib.get_close_matches(value.lower(), list(KNOWN_KINDS), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(f"--pod-template {value!r}: not a known kind ({hint}known: {', '.join(KNOWN_KINDS)}); "
                                "or give KIND[.GROUP]=PATH, e.g. Rollout.argoproj.io=spec.template")
            else:
                chosen.append(rule)
            continue
        kind, _, group = head.strip().partition(".")
        if not re.match(_KIND_RE, kind) or (group and not re.match(_GROUP_RE, group)):
            problems.append(f"--pod-template {value!r}: {head!r} is not KIND or KIND.GROUP (e.g. Rollout.argoproj.io)")
        elif not re.match(_PATH_RE, path.strip()):
            problems.append(f"--pod-template {value!r}: {path!r} is not a dotted field path (e.g. spec.template)")
        else:
            chosen.append(KindRule(kind, group or None, (tuple(path.strip().split(".")),)))
    if problems:
        raise UsageError("; ".join(problems))
    for rule in chosen:
        templates = rules.setdefault((rule.kind, rule.group), [])
        templates.extend(t for t in rule.templates if t not in templates)
    return tuple(KindRule(kind, group, tuple(paths)) for (kind, group), paths in rules.items())


def api_group(api_version: Any) -> str:
    """``argoproj.io/v1alpha1`` -> ``argoproj.io``; the core group (``v1``) is ""."""
    if not isinstance(api_version, str) or "/" not in api_version:
        return ""
    return api_version.rsplit("/", 1)[0]


class KindTable:
    """The built-in kinds plus the custom ones a run opted in to."""

    def __init__(self, custom: Iterable[KindRule] = ()) -> None:
        self.custom = tuple(custom)
        names = sorted({*POD_TEMPLATE_PATHS, LIST_KIND, *(rule.kind for rule in self.custom)})
        #: Cheap pre-filter: a document that names none of these words holds no
        #: pod template we inject, so it is passed through without being walked.
        self.words = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, names)))

    def custom_rule(self, kind: str, api_version: Any) -> KindRule | None:
        group = api_group(api_version)
        for rule in self.custom:
            if rule.kind == kind and (rule.group is None or rule.group == group):
                return rule
        return None

    def claims(self, kind: Any, api_version: Any) -> bool:
        return isinstance(kind, str) and (kind in POD_TEMPLATE_PATHS or self.custom_rule(kind, api_version) is not None)


#: The table of a run that opted in to no custom kind.
BUILT_IN = KindTable()


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


def find_workloads(doc: Any, where: Path = (), table: KindTable = BUILT_IN) -> Iterator[Workload]:
    """Yield every pod template in a parsed document, Lists recursively."""
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind")
    if kind == LIST_KIND:
        for i, item in _list_items(doc):
            yield from find_workloads(item, (*where, "items", str(i)), table)
        return
    if not isinstance(kind, str):
        return
    rule = table.custom_rule(kind, doc.get("apiVersion"))
    if rule is not None:
        # A custom kind may keep its pod elsewhere (a Rollout's workloadRef): absent templates are passed over.
        found = [paths for paths in rule.paths() if get_path(doc, paths.spec[:-1]) is not None]
        required = False
    elif kind in POD_TEMPLATE_PATHS:
        found, required = [POD_TEMPLATE_PATHS[kind]], True
    else:
        return
    for paths in found:
        workload = Workload(kind, doc, paths, where, *_owner(kind, doc))
        try:
            check_shape(workload, required=required)
        except InputError as err:
            raise err.with_location(workload=workload.describe())
        yield workload


def _list_items(doc: dict[str, Any]) -> Iterator[tuple[int, Any]]:
    items = doc.get("items")
    if items is None:
        return
    if not isinstance(items, list):
        raise InputError("List 'items' must be a list")
    yield from enumerate(items)


@dataclass(frozen=True)
class Unclaimed:
    """A document of a kind outside the table that still holds pod templates, and how to opt in."""

    kind: str
    name: str
    namespace: str
    #: Dotted paths of the pod templates found.
    templates: tuple[str, ...]
    hint: str

    @property
    def reason(self) -> str:
        # Completes "Skipping injection because <Kind> "<name>" ...", as every skip reason does.
        where = ", ".join(self.templates)
        return f"has a pod template at {where} that is injected only on request: opt in with {self.hint}"


#: How deep below ``spec`` a pod template is looked for (a UnitedDeployment's is 5 keys down).
_SEARCH_DEPTH = 6


def find_unclaimed(doc: Any, table: KindTable = BUILT_IN) -> Iterator[Unclaimed]:
    """Yield each object (Lists recursively) whose kind the table lacks but that holds pod templates.

    A pod template is recognised by its shape: a mapping whose ``spec.containers``
    is a list, somewhere under the object's ``spec``.
    """
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind")
    if kind == LIST_KIND:
        for _, item in _list_items(doc):
            yield from find_unclaimed(item, table)
        return
    if not isinstance(kind, str) or table.claims(kind, doc.get("apiVersion")):
        return
    found = list(_template_shapes(doc.get("spec"), ("spec",), _SEARCH_DEPTH))
    if not found:
        return
    group = api_group(doc.get("apiVersion"))
    known = next((name for name, rule in KNOWN_KINDS.items() if rule.kind == kind and rule.group == group), None)
    label = f"{kind}.{group}" if group else kind
    hint = f"--pod-template {known}" if known else f"--pod-template {label}={'.'.join(found[0])}"
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    yield Unclaimed(label, str(meta.get("name") or ""), str(meta.get("namespace") or ""),
                    tuple(".".join(path) for path in found), hint)


def _template_shapes(node: Any, path: Path, depth: int) -> Iterator[Path]:
    if not isinstance(node, dict) or depth == 0:
        return
    spec = node.get("spec")
    if len(path) > 1 and isinstance(spec, dict) and isinstance(spec.get("containers"), list):
        yield path
        return
    for key, child in node.items():
        if isinstance(child, dict):
            yield from _template_shapes(child, (*path, str(key)), depth - 1)


def check_shape(workload: Workload, required: bool = True) -> None:
    """Refuse pod templates kubectl would refuse, before anything renders them."""
    for path in (workload.paths.metadata, workload.paths.spec):
        for depth in range(1, len(path)):
            # What leads to the pod template is made of mappings (or is missing).
            node = get_path(workload.obj, path[:depth])
            if node is not None and not isinstance(node, dict):
                raise InputError(f"{'.'.join(path[:depth])} must be a mapping, not {describe_value(node)}")
    spec_parent = get_path(workload.obj, workload.paths.spec[:-1])
    if spec_parent is None and workload.kind != "Pod" and required:
        dotted = ".".join(workload.paths.spec[:-1])
        raise InputError(f"{dotted} is required for a {workload.kind}")
    for path in (workload.paths.metadata, workload.paths.spec):
        node = get_path(workload.obj, path)
        if node is not None and not isinstance(node, dict):
            raise InputError(f"{'.'.join(path)} must be a mapping, not {describe_value(node)}")
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


_CRONJOB_JOB_NAME = r"^(.+)-\d{8,10}$"  # compiled on first use (re's cache)


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
        match = re.match(_CRONJOB_JOB_NAME, ref_name)
        if match:
            deploy["name"] = match.group(1)
            type_meta = {"apiVersion": "batch/v1", "kind": "CronJob"}
    return type_meta, deploy
