"""The types that cross stage boundaries: options, template inputs, results, the pipeline seams."""

from __future__ import annotations

import enum
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any, Mapping, Protocol

    from pyinject.manifests.read import RawDocument
    from pyinject.manifests.workloads import Workload
else:  # typing is for mypy alone (start-up): at run time JSON names a stand-in, the seams are plain classes
    Any = Protocol = object

from pyinject.records import dataclass, field
from pyinject.sandbox.limits import RenderLimits

#: A JSON-like tree: what the pod, values and mesh config are made of.
JSON = Any


@dataclass(frozen=True)
class TemplateContext:
    """Everything an injection template may read, for one pod template.

    The same facts Istio hands its templates (its ``SidecarTemplateData``), in
    plain JSON form: Kubernetes objects keep their API field names
    (``metadata.annotations``, ``spec.containers``), MeshConfig and ProxyConfig
    their proto-JSON names (``defaultConfig``, ``discoveryAddress``).  The Go
    engine wraps these in Go-struct views; Jinja2 templates read them directly.
    """

    #: ``{"apiVersion": ..., "kind": ...}`` of the workload that owns the pod.
    type_meta: Mapping[str, JSON]
    #: ``{"name": ..., "namespace": ...}`` of the owning workload (Istio's DeploymentMeta).
    deployment_meta: Mapping[str, JSON]
    #: The pod template's ``metadata``.
    object_meta: Mapping[str, JSON]
    #: The pod template's ``spec``.
    spec: Mapping[str, JSON]
    #: Effective ProxyConfig: mesh ``defaultConfig`` with the pod's ``proxy.istio.io/config``.
    proxy_config: Mapping[str, JSON]
    #: Effective MeshConfig (Istio's defaults with the user's mesh config applied).
    mesh_config: Mapping[str, JSON]
    #: The injector's Helm values (the ConfigMap's ``values`` key).
    values: Mapping[str, JSON]
    revision: str
    native_sidecars: bool
    proxy_image: str
    proxy_uid: int
    proxy_gid: int
    #: ``mesh_config.inboundTrafficPolicy.mode`` in the lowercase form Istio hands templates, e.g. ``localhost``.
    inbound_traffic_policy_mode: str
    #: ``COMPLIANCE_POLICY`` from the environment ("" when unset).
    compliance_policy: str = ""
    #: The fields of Istio's SidecarTemplateData in the emulated release (None: the embedded release's).
    data_fields: tuple[str, ...] | None = None
    #: ``EstimatedConcurrency`` (Istio 1.10–1.17 only): the proxy's concurrency as that istioctl estimated it.
    estimated_concurrency: int = 0


@dataclass(frozen=True)
class InjectionConfig:
    """The injector's own configuration (the ConfigMap's ``config`` key)."""

    #: Template name -> template source text.
    templates: Mapping[str, str]
    #: "jinja" for pyinject's embedded format, "go" for Istio's ConfigMaps.
    engine: str
    policy: str = "enabled"
    default_templates: tuple[str, ...] = ("sidecar",)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    never_inject_selector: tuple[Mapping[str, JSON], ...] = ()
    always_inject_selector: tuple[Mapping[str, JSON], ...] = ()
    injected_annotations: Mapping[str, str] = field(default_factory=dict)
    #: Where it came from, for error messages.
    source: str = "<embedded>"
    #: For Jinja2 configs: the folder their templates ``{% import %}`` from.
    directory: str | None = None
    #: For Jinja2 configs: the template files the config names, the only files of
    #: ``directory`` that ``{% include %}`` / ``{% import %}`` may read.
    template_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    """What the command line asked for (flags only; nothing loaded yet)."""

    filenames: tuple[str, ...]
    output: str | None = None
    output_format: str = "yaml"
    inject_config_file: str | None = None
    values_file: str | None = None
    mesh_config_file: str | None = None
    operator_file: str | None = None
    sets: tuple[str, ...] = ()
    revision: str = ""
    #: True/False from --native-sidecars/--no-native-sidecars; None: ENABLE_NATIVE_SIDECARS decides.
    native_sidecars: bool | None = None
    #: True/False from --rewrite-tcp-probes/--no-rewrite-tcp-probes; None: REWRITE_TCP_PROBES decides
    #: (releases 1.12-1.18, the only ones with the switch).
    rewrite_tcp_probes: bool | None = None
    #: --istio-version: the release whose kube-inject to reproduce; None: values' global.tag, else the embedded one.
    istio_version: str | None = None
    #: Environment variables templates may read (``--template-env``); others read as unset.
    template_env: tuple[str, ...] = ()
    #: Bounds on each template render (``--template-limits``).
    template_limits: RenderLimits = field(default_factory=RenderLimits)
    #: --kube-version: the nodes' Kubernetes version, for ENABLE_NATIVE_SIDECARS=auto.
    kube_version: str | None = None
    #: ``--pod-template`` values: known kind names or ``KIND[.GROUP]=PATH``.
    pod_templates: tuple[str, ...] = ()
    #: ``--known-kinds``: every custom kind pyinject knows.
    known_kinds: bool = False


class Action(enum.StrEnum):
    """What happened to one workload; the value is the word the report prints."""

    INJECTED = "injected"
    #: Injected again over a previous injection, with other settings.
    REINJECTED = "re-injected"
    #: Left alone; ``Record.reason`` says why (a policy, an annotation, hostNetwork).
    SKIPPED = "skipped"
    #: Re-injecting (or uninjecting) gave back the same pod.
    UNCHANGED = "unchanged"
    #: A previous injection was removed (``kube-uninject``).
    UNINJECTED = "uninjected"

    @property
    def rewrites(self) -> bool:
        """Whether the pod template differs from the input after this action."""
        return self in (Action.INJECTED, Action.REINJECTED, Action.UNINJECTED)


@dataclass(frozen=True)
class Record:
    """What happened to one workload, for the report on stderr."""

    source: str
    document: int
    kind: str
    name: str  # "ns/name" or "name"
    action: Action
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """One workload's report entry: the record, plus what changed in its pod for ``-v``."""

    record: Record
    #: Short phrases such as ``+container istio-proxy``, ``~annotation sidecar.istio.io/status``.
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# The seams of the pipeline (pyinject/pipeline.py)

#: Where warnings go (the report on stderr).
Warn = Callable[[str], None]


@dataclass
class PodResult:
    """What the injection step did to one pod template."""

    metadata: dict[str, Any]
    spec: dict[str, Any]
    action: Action
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


class Injector(Protocol):
    """The injection seam: one pod template (and its owner) in, the new one out.

    ``metadata`` and ``spec`` are the document's own: an injector leaves them as
    they are (it copies what it changes), so the caller copies nothing.
    """

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult: ...


class EmitFn(Protocol):
    """Writes one document: its raw text, the data it was read as, and the data to write.

    ``changed`` says whether any pod template in it was rewritten; ``has_workloads``
    whether it holds pod templates at all.
    """

    def __call__(self, doc: RawDocument, original: Any, data: Any, *, changed: bool, has_workloads: bool) -> str: ...


@dataclass(frozen=True)
class OutputMode:
    """How documents are written: the output styles and formats differ only here."""

    name: str
    emit: EmitFn
    #: Documents are YAML, joined with ``---`` between input files.
    yaml: bool = True
    #: Every document is parsed and re-encoded, even ones that cannot hold a workload.
    parse_all: bool = False
    #: The documents are the items of one JSON ``List`` (what ``kubectl get -o json`` writes).
    as_list: bool = False
    #: Rewritten documents are spliced into their text: parsing keeps node positions for it.
    splices: bool = False


@dataclass
class RunResult:
    """The finished output (not yet delivered) and the per-workload report."""

    output: IO[str]
    outcomes: list[Outcome]
    #: Sources (file paths, ``<stdin>``) whose text the run would change, in input order.
    changed_sources: list[str] = field(default_factory=list)
    #: Every source read, in input order.
    sources: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.output.close()


@dataclass
class SourceResult:
    """One input file's finished output, for ``--in-place``."""

    source: str
    output: IO[str]
    #: False when the output is the file's text unchanged.
    changed: bool
    outcomes: list[Outcome]

    def close(self) -> None:
        self.output.close()
