"""kube-inject of Istio 1.0–1.8 for one pod template: skip checks, render, decode, apply.

The order is that of those releases' ``IntoObject``: host-network pods and
pods that already run istio-proxy (beside another container) pass through
with a message; 1.8 also honours ``sidecar.istio.io/inject``; the annotations
are checked; the single legacy template renders a SidecarInjectionSpec, which
is decoded, checked (it must add istio-proxy), given ``--concurrency``, and
applied (:mod:`pyinject.istio.legacy.apply`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from pyinject.errors import ConfigError, TemplateError, TemplateExecError, TemplateSyntaxError, UsageError
from pyinject.gotemplate.errors import GoTemplateError
from pyinject.istio.legacy import apply, probes
from pyinject.istio.legacy.spec import (
    Source,
    check_has_proxy,
    decode_spec,
    is_legacy_spec,
    load_rendered,
    template_start_line,
)
from pyinject.istio.releases import EMBEDDED_RELEASE, Release
from pyinject.manifests.workloads import Workload
from pyinject.model import Action, Options, PodResult, TemplateContext
from pyinject.records import dataclass

Warn = Callable[[str], None]
_IGNORED_NAMESPACES = ("kube-system", "kube-public")


@dataclass(frozen=True)
class LegacySettings:
    """What stays the same for every pod of a run."""

    release: Release
    template: Any  # the parsed template
    source: Source
    version: str  # sha256 of the template text
    values: Mapping[str, Any]
    mesh: Mapping[str, Any]
    revision: str
    environ: Mapping[str, str]


def build_legacy_injector(options: Options, release: Release, environ: Mapping[str, str], warn: Warn,
                          values: Mapping[str, Any]) -> LegacyInjector:
    """Load the cluster's config files as that release's istioctl read them; ``values`` is the
    values file as :func:`pyinject.config.settings.read_values_file` read it (``{}`` without one)."""
    from pyinject.config.inject_config import load_injection_config
    from pyinject.config.layers import read_file
    from pyinject.gotemplate import parse
    from pyinject.istio.legacy.funcs import release_funcs
    from pyinject.istio.legacy.mesh import release_mesh

    if options.inject_config_file is None:
        raise UsageError(
            f"--istio-version {release.name}: pyinject's embedded injection config is Istio {EMBEDDED_RELEASE}'s; "
            "give the cluster's own with --injectConfigFile (and --valuesFile, --meshConfigFile)"
        )
    if options.sets or options.operator_file:
        raise UsageError(f"--set and --operatorFileName need Istio 1.9 or later (--istio-version {release.name})")
    config = load_injection_config(options.inject_config_file)
    if config.engine != "go":
        raise UsageError(f"--istio-version {release.name} needs a cluster's Go-template config, not a Jinja2 one")
    name = "sidecar" if "sidecar" in config.templates else next(iter(config.templates), "")
    text = config.templates.get(name, "")
    try:
        with open(options.inject_config_file, encoding="utf-8") as handle:
            config_text = handle.read()
    except OSError:
        config_text = ""
    source = Source(options.inject_config_file, name, text, template_start_line(config_text, name))
    mesh_doc: Any = read_file(options.mesh_config_file, "mesh config file") if options.mesh_config_file else None
    if mesh_doc is not None and not isinstance(mesh_doc, dict):
        raise ConfigError("mesh config file: expected a MeshConfig mapping", _location(options.mesh_config_file))
    try:
        mesh = release_mesh(release, mesh_doc)
    except ConfigError as err:
        raise err.with_location(file=options.mesh_config_file)
    funcs = release_funcs(release, environ)
    try:
        template = parse(text, name, funcs, delims=release.delims)
    except GoTemplateError as err:
        raise TemplateSyntaxError(f"{options.inject_config_file}: {err}") from err
    settings = LegacySettings(
        release=release, template=template, source=source,
        version=hashlib.sha256(text.encode("utf-8")).hexdigest(), values=values, mesh=mesh,
        revision=options.revision or "", environ=environ,
    )
    return LegacyInjector(settings)


def _location(path: str | None) -> Any:
    from pyinject.errors import Location

    return Location(file=path)


class LegacyInjector:
    """Injects one pod template at a time as the chosen release's istioctl did."""

    def __init__(self, settings: LegacySettings) -> None:
        self.s = settings
        self.release = settings.release

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult:
        from pyinject.manifests.load import copy_plain

        # Changed in place below: copies, the arguments are the document's.
        metadata, spec = copy_plain(metadata), copy_plain(spec)
        release = self.s.release
        annotations = {str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()}
        if spec.get("hostNetwork") is True:
            return self._skip(metadata, spec, "has host networking enabled")
        containers = spec.get("containers") or []
        if release.skip_injected and len(containers) > 1 and any(
                isinstance(c, Mapping) and c.get("name") == probes.PROXY_CONTAINER for c in containers):
            return self._skip(metadata, spec, 'has injected "istio-proxy" sidecar already')
        if release.honour_inject_annotation and not _inject_required(release, metadata, annotations):
            return self._skip(metadata, spec, "has sidecar injection disabled")
        from pyinject.istio import annotations as annotation_checks

        annotation_checks.validate(annotations)
        facts = self._facts(workload, metadata)
        apply.prepare_pod(release, spec, facts)
        sic = self._render(workload, metadata, spec, annotations)
        status = apply.status_annotation(self.s.version, sic)
        if release.apply == "append":
            apply.append_spec(release, metadata, spec, sic, status, facts)
        else:
            apply.patch_spec(release, metadata, spec, sic, status, facts)
        return PodResult(metadata, spec, Action.INJECTED)

    def _skip(self, metadata: dict[str, Any], spec: dict[str, Any], reason: str) -> PodResult:
        # ``reason`` completes "Skipping injection because <workload> ...": the report says it once, with the file.
        return PodResult(metadata, spec, Action.SKIPPED, reason, [])

    def _facts(self, workload: Workload, metadata: Mapping[str, Any]) -> apply.PodFacts:
        mesh = self.s.mesh
        pc = mesh.get("defaultConfig") or {}
        merge = mesh.get("enablePrometheusMerge")
        return apply.PodFacts(
            status_port=int(pc.get("statusPort") or 0),
            sds_uds_path=str(mesh.get("sdsUdsPath") or ""),
            enable_sds_token_mount=bool(mesh.get("enableSdsTokenMount")),
            prometheus_merge=None if merge is None else bool(merge),
            revision=self.s.revision,
            legacy_fsgroup=_legacy_fsgroup(self.s.environ),
            workload_name=str(workload.deployment_meta.get("name") or ""),
        )

    def _render(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any],
                annotations: Mapping[str, str]) -> Any:
        from pyinject.config.mesh import (
            PROXY_CONFIG_ANNOTATION,
            effective_proxy_config,
            parse_proxy_config_annotation,
        )
        from pyinject.istio.legacy.funcs import execute_with_data
        from pyinject.istio.legacy.view import LegacyTemplateData

        release = self.s.release
        mesh = dict(self.s.mesh)
        if release.proxy_config_annotation and release.proxy_metadata_merge:
            proxy_config = effective_proxy_config(mesh, annotations)
            mesh["defaultConfig"] = proxy_config
        elif release.proxy_config_annotation and PROXY_CONFIG_ANNOTATION in annotations:
            # jsonpb onto the mesh's ProxyConfig: each field the annotation sets replaces the mesh's.
            top = parse_proxy_config_annotation(annotations[PROXY_CONFIG_ANNOTATION])
            proxy_config = {**dict(mesh.get("defaultConfig") or {}), **top}
            mesh["defaultConfig"] = proxy_config
        else:
            proxy_config = dict(mesh.get("defaultConfig") or {})
        ctx = TemplateContext(
            type_meta=workload.type_meta, deployment_meta=workload.deployment_meta, object_meta=metadata,
            spec=spec, proxy_config=proxy_config, mesh_config=mesh, values=self.s.values, revision=self.s.revision,
            native_sidecars=False, proxy_image="", proxy_uid=1337, proxy_gid=1337,
            inbound_traffic_policy_mode="passthrough",
        )
        try:
            text = execute_with_data(self.s.template, LegacyTemplateData(ctx, release))
        except RecursionError as err:
            raise TemplateError(f"{self.s.source.where()}: nesting too deep") from err
        except GoTemplateError as err:
            raise TemplateExecError(f"{self.s.source.config_file}: {err}") from err
        data = load_rendered(self.s.source.template_name, text)
        if data is None or not is_legacy_spec(data):
            what = "a Pod (the format of Istio 1.9 and later)" if isinstance(data, dict) and (
                "spec" in data or "metadata" in data) else "no SidecarInjectionSpec"
            raise TemplateError(
                f"{self.s.source.where()}: renders {what}, but Istio {release.name} reads a SidecarInjectionSpec "
                "(top-level initContainers, containers, volumes); check --istio-version"
            )
        sic = decode_spec(data, text, self.s.source)
        check_has_proxy(sic, self.s.source)
        if release.concurrency_from_cpu:
            probes.apply_concurrency(sic.containers)
        if release.hold_application:
            sic.hold_application_until_proxy_starts = _hold(release, proxy_config, self.s.values)
        if release.version >= (1, 8):
            _cluster_envs(sic.containers, self.s.values, metadata)
        return sic


def _inject_required(release: Release, metadata: Mapping[str, Any], annotations: Mapping[str, str]) -> bool:
    """1.8 kube-inject's injectRequired with policy enabled and no selectors."""
    from pyinject.istio.policy import read_inject_switch

    if str(metadata.get("namespace") or "") in _IGNORED_NAMESPACES:
        return False
    labels = metadata.get("labels")
    said, _, _ = read_inject_switch(release.inject_switch, labels if isinstance(labels, Mapping) else {}, annotations)
    return release.inject_switch.meaning(said) != "opt-out"


def _legacy_fsgroup(environ: Mapping[str, str]) -> bool:
    """ENABLE_LEGACY_FSGROUP_INJECTION: default true unless JWT_POLICY is first-party-jwt."""
    raw = environ.get("ENABLE_LEGACY_FSGROUP_INJECTION")
    if raw is not None and raw.strip().lower() in ("1", "t", "true", "0", "f", "false"):
        return raw.strip().lower() in ("1", "t", "true")
    return environ.get("JWT_POLICY", "third-party-jwt") != "first-party-jwt"


def _hold(release: Release, proxy_config: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    proxy = ((values.get("global") or {}).get("proxy") or {}) if isinstance(values.get("global"), dict) else {}
    from_values = proxy.get("holdApplicationUntilProxyStarts") is True
    if release.version >= (1, 8):
        return bool(proxy_config.get("holdApplicationUntilProxyStarts")) or from_values
    return from_values


def _cluster_envs(containers: list[dict[str, Any]], values: Mapping[str, Any], metadata: Mapping[str, Any]) -> None:
    """1.8: the cluster name and network (values, or the pod's network label) move to the end of the proxy's env."""
    glob = values.get("global") if isinstance(values.get("global"), dict) else {}
    assert isinstance(glob, dict)
    multi = glob.get("multiCluster") if isinstance(glob.get("multiCluster"), dict) else {}
    assert isinstance(multi, dict)
    envs: dict[str, str] = {}
    cluster = str(multi.get("clusterName") or "")
    network = str(glob.get("network") or "")
    labels = metadata.get("labels") or {}
    if "topology.istio.io/network" in labels:
        network = str(labels["topology.istio.io/network"])
    if cluster:
        envs["ISTIO_META_CLUSTER_ID"] = cluster
    if network:
        envs["ISTIO_META_NETWORK"] = network
    sidecar = probes.find_proxy(containers)
    if not envs or sidecar is None:
        return
    kept = [e for e in sidecar.get("env") or [] if e.get("name") not in envs]
    sidecar["env"] = kept + [{"name": k, "value": v} for k, v in envs.items()]


