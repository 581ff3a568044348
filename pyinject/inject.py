"""The injection step for one pod template: Istio's injectPod, stage by stage.

For each pod: strip a previous injection → decide (policy) → check the
annotations → build the template context → render each selected template and
merge it into the pod (strategic merge) → post-process.  Everything that does
not depend on the pod (config files, values, mesh, parsed templates) is loaded
and checked once, in :func:`build_injector`, before any document is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pyinject.errors import PyinjectError, TemplateError
from pyinject.model import InjectionConfig, Options, TemplateContext
from pyinject.model import Injector, PodResult
from pyinject.manifests.workloads import Workload
from pyinject.manifests.load import copy_plain

#: Pod annotation that chooses the templates (comma-separated names or aliases).
TEMPLATES_ANNOTATION = "inject.istio.io/templates"
STATUS_ANNOTATION = "sidecar.istio.io/status"

Warn = Callable[[str], None]


class Renderer(Protocol):
    """Parsed injection templates (Jinja2 or Go); each renders a Pod fragment as YAML."""

    def render(self, name: str, ctx: TemplateContext) -> str: ...


@dataclass(frozen=True)
class RunSettings:
    """What stays the same for every pod of a run."""

    config: InjectionConfig
    renderer: Renderer
    values: Mapping[str, Any]
    mesh: Mapping[str, Any]
    revision: str
    native_sidecars_default: bool
    compliance_policy: str
    inbound_traffic_policy_mode: str
    proxy_uid: int
    proxy_gid: int


def build_injector(options: Options, environ: Mapping[str, str], warn: Warn) -> Injector:
    """Load and check every configuration input once, before any document is read."""
    from pyinject.config import settings as config, inject_config as config_inject
    settings = config.load_settings(
        values_file=options.values_file,
        mesh_file=options.mesh_config_file,
        operator_file=options.operator_file,
        sets=options.sets,
    )
    for message in settings.warnings:
        warn(message)
    inject_config = config_inject.load_injection_config(options.inject_config_file)
    extra_templates: Mapping[str, str] = {}
    if options.inject_config_file is None:
        # The embedded config stands for the ConfigMap the istiod chart writes
        # from the values; a cluster's exported config already is that ConfigMap.
        inject_config = config_inject.with_values(inject_config, settings.values)
        extra_templates = settings.extra_templates
    uid, gid = config.proxy_ids()
    run = RunSettings(
        config=inject_config,
        renderer=load_renderer(inject_config, extra_templates, environ),
        values=settings.values,
        mesh=settings.mesh,
        revision=config.revision(settings.values, options.revision),
        native_sidecars_default=config.native_sidecars_default(options.native_sidecars, environ),
        compliance_policy=config.compliance_policy(environ),
        inbound_traffic_policy_mode=config.inbound_traffic_policy_mode(settings.mesh),
        proxy_uid=uid,
        proxy_gid=gid,
    )
    return SidecarInjector(run, warn)


def load_renderer(
    inject_config: InjectionConfig, extra_templates: Mapping[str, str], environ: Mapping[str, str]
) -> Renderer:
    """Parse the config's templates once, with the engine its format calls for.

    Templates added through ``sidecarInjectorWebhook.templates`` are Go
    templates whatever the config's own format (that is what IstioOperator
    files carry); they sit beside the config's and win on a name clash, as the
    chart appends them to the ConfigMap.
    """
    if inject_config.engine == "jinja":
        from pyinject.render.jinja import load_jinja_templates

        from pyinject.config.inject_config import templates_dir

        directory = inject_config.directory or str(templates_dir())
        own: Renderer = load_jinja_templates(directory, inject_config.templates)
    else:
        own = _go_renderer(inject_config.templates, environ)
    own_names = tuple(inject_config.templates)
    if not extra_templates:
        return own
    extra = _go_renderer(extra_templates, environ)
    return CombinedRenderer(((extra, tuple(extra_templates)), (own, own_names)))


def _go_renderer(templates: Mapping[str, str], environ: Mapping[str, str]) -> Renderer:
    from pyinject.render.go import load_go_templates

    return load_go_templates(templates, environ)


class CombinedRenderer:
    """Several parsed template sets; a name is looked up in order."""

    def __init__(self, parts: tuple[tuple[Renderer, tuple[str, ...]], ...]) -> None:
        self.parts = parts

    def render(self, name: str, ctx: TemplateContext) -> str:
        for renderer, names in self.parts:
            if name in names:
                return renderer.render(name, ctx)
        have = ", ".join(sorted({n for _, names in self.parts for n in names}))
        raise TemplateError(f'requested template "{name}" not found; have {have}')


class SidecarInjector:
    """Injects one pod template at a time with the run's settings."""

    def __init__(self, run: RunSettings, warn: Warn) -> None:
        self.run = run
        self.warn = warn

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult:
        from pyinject.istio import policy
        pod: dict[str, Any] = {"metadata": metadata, "spec": spec}
        annotations = metadata.get("annotations") or {}
        reinjecting = isinstance(annotations, dict) and STATUS_ANNOTATION in annotations
        if reinjecting:
            # Only re-injection needs the uninjector; first runs skip importing it.
            from pyinject.uninject.strip import strip_injection

            pod = _stage(
                "strip previous injection",
                lambda p: strip_injection(
                    p,
                    workload_name=str(workload.deployment_meta.get("name") or "") or None,
                    injected_annotations=self.run.config.injected_annotations,
                ),
                pod,
            )
        namespace = workload.namespace or str(pod["metadata"].get("namespace") or "")
        decision = policy.decide(self.run.config, pod["metadata"], pod["spec"], namespace)
        if not decision.inject:
            reason = str(decision.reason.value if decision.reason is not None else "")
            return PodResult(metadata, spec, "skipped", reason, [_skip_warning(workload, reason)] if reason else [])
        injected = self.inject_pod(workload, pod)
        return PodResult(injected["metadata"], injected["spec"], "re-injected" if reinjecting else "injected")

    def inject_pod(self, workload: Workload, pod: dict[str, Any]) -> dict[str, Any]:
        """Render, merge and post-process; ``pod`` is the stripped user pod."""
        from pyinject.istio import annotations as annotation_checks
        from pyinject.istio import postprocess
        from pyinject.k8s.merge import merge_overlay

        run = self.run
        meta = pod["metadata"]
        pod_annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
        _stage("annotations", annotation_checks.validate, pod_annotations)
        ctx = self.context(workload, pod, pod_annotations)
        original = copy_plain(pod)
        merged = pod
        template_pod: dict[str, Any] = {}
        for name in select_templates(run.config, pod_annotations):
            text = _stage(f"template {name}", run.renderer.render, name, ctx)
            patch = parse_rendered(name, text)
            if patch is None:
                continue
            template_pod = _stage(f"merge template {name}", merge_overlay, template_pod, copy_plain(patch))
            merged = _stage(f"merge template {name}", merge_overlay, merged, patch)
        post = postprocess.PostprocessContext(
            template_pod=template_pod,
            original_pod=original,
            values=run.values,
            mesh_config=run.mesh,
            proxy_config=ctx.proxy_config,
            revision=run.revision,
            native_sidecars=ctx.native_sidecars,
            injected_annotations=run.config.injected_annotations,
        )
        _stage("post-processing", postprocess.run, merged, post)
        merged.setdefault("metadata", {})
        merged.setdefault("spec", {})
        return merged

    def context(self, workload: Workload, pod: dict[str, Any], annotations: Mapping[str, str]) -> TemplateContext:
        """The facts the templates read for this pod (Istio's SidecarTemplateData)."""
        from pyinject.config import settings as config
        from pyinject.config.mesh import effective_proxy_config

        run = self.run
        proxy_config = _stage("proxy config", effective_proxy_config, run.mesh, annotations)
        deployment_meta = dict(workload.deployment_meta)
        # Offline there is no namespace object: an object without one lands in
        # "default", which is what the owner reference and workload name say.
        deployment_meta["namespace"] = deployment_meta.get("namespace") or "default"
        object_meta = dict(pod["metadata"])
        object_meta["namespace"] = object_meta.get("namespace") or deployment_meta["namespace"]
        return TemplateContext(
            type_meta=workload.type_meta,
            deployment_meta=deployment_meta,
            object_meta=object_meta,
            spec=pod["spec"],
            proxy_config=proxy_config,
            mesh_config=run.mesh,
            values=run.values,
            revision=run.revision,
            native_sidecars=config.native_sidecars(run.native_sidecars_default, annotations),
            proxy_image=config.proxy_image(run.values, proxy_config, annotations),
            proxy_uid=run.proxy_uid,
            proxy_gid=run.proxy_gid,
            inbound_traffic_policy_mode=run.inbound_traffic_policy_mode,
            compliance_policy=run.compliance_policy,
        )


def select_templates(config: InjectionConfig, annotations: Mapping[str, str]) -> list[str]:
    """Template names for a pod: its ``inject.istio.io/templates`` or the defaults, aliases expanded."""
    requested = annotations.get(TEMPLATES_ANNOTATION)
    names = [n.strip() for n in requested.split(",") if n.strip()] if requested else list(config.default_templates)
    selected: list[str] = []
    for name in names:
        selected.extend(config.aliases.get(name, (name,)))
    return selected


def parse_rendered(name: str, text: str) -> dict[str, Any] | None:
    """A rendered template's YAML as plain data (it is machine-made: libyaml parses it)."""
    from pyinject.errors import Location
    from pyinject.manifests.load import load_plain

    if not text.strip():
        return None
    try:
        data = load_plain(text, Location())
    except PyinjectError as err:
        raise TemplateError(f"template {name} rendered invalid YAML: {err.message}") from err
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TemplateError(f"template {name} must render a Pod fragment (a mapping), not {type(data).__name__}")
    return as_decoded(data)


def as_decoded(patch: dict[str, Any]) -> dict[str, Any]:
    """The rendered containers as Istio sees them after decoding into Go structs.

    Istio reads a rendered template into a typed Pod before merging it, so
    quantities come out canonical (``2000m`` is ``2``), zero values of
    ``omitempty`` fields disappear and fields Kubernetes does not know are
    dropped.  Strategic-merge directives (``$patch``...) are kept.
    """
    from pyinject.k8s import gojson
    spec = patch.get("spec")
    if not isinstance(spec, dict):
        return patch
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        if not isinstance(items, list):
            continue
        decoded = []
        for item in items:
            if not isinstance(item, dict):
                decoded.append(item)
                continue
            directives = {k: v for k, v in item.items() if str(k).startswith("$")}
            decoded.append({**gojson.encode("Container", item), **directives})
        spec[key] = decoded
    return patch


def _skip_warning(workload: Workload, reason: str) -> str:
    ns = workload.namespace
    who = f'{workload.kind} "{ns + "/" if ns else ""}{workload.name}"'
    return f"Skipping injection because {who} {reason}"


def _stage(name: str, func: Callable[..., Any], *args: Any) -> Any:
    """Run one stage; errors that are not already ours name the stage (they are bugs)."""
    try:
        return func(*args)
    except PyinjectError:
        raise
    except RecursionError as err:
        raise TemplateError(f"{name}: nesting too deep") from err
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise _Internal(f"{name}: {type(err).__name__}: {err}") from err


class _Internal(Exception):
    """A failure inside a stage that is not the user's: reported as a bug (exit 3)."""


