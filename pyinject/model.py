"""Frozen dataclasses that cross stage boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

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
    #: ``--pod-template`` values: known kind names or ``KIND[.GROUP]=PATH``.
    pod_templates: tuple[str, ...] = ()
    #: ``--known-kinds``: every custom kind pyinject knows.
    known_kinds: bool = False


@dataclass(frozen=True)
class Record:
    """What happened to one workload, for the report on stderr."""

    source: str
    document: int
    kind: str
    name: str  # "ns/name" or "name"
    action: str  # "injected" | "re-injected" | "skipped" | "unchanged"
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """One workload's report entry: the record, plus what changed in its pod for ``-v``."""

    record: Record
    #: Short phrases such as ``+container istio-proxy``, ``~annotation sidecar.istio.io/status``.
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
