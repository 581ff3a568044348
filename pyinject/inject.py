"""The injection step for one pod template: Istio's injectPod, stage by stage.

For each pod: strip a previous injection → decide (policy) → check the
annotations → build the template context → render each selected template and
merge it into the pod (strategic merge) → post-process.  Everything that does
not depend on the pod (config files, values, mesh, parsed templates) is loaded
and checked once, in :func:`build_injector`, before any document is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from pyinject.errors import PyinjectError, TemplateError, TemplateNotFound, UndecodableRendering
from pyinject.istio.releases import RELEASES, NEWEST, InjectSwitch, Release
from pyinject.config.native import ENV_VAR as NATIVE_ENV_VAR, NativeChoice, choose_native_sidecars, for_pod as native_for_pod
from pyinject.model import InjectionConfig, Options, TemplateContext
from pyinject.model import Action, Injector, PodResult
from pyinject.records import dataclass, field
from pyinject.sandbox.limits import RenderLimits
from pyinject.manifests.workloads import Workload
from pyinject.manifests.load import copy_plain

if TYPE_CHECKING:
    from pyinject.istio.rendered import Origins
    from pyinject.render.reuse import PodReuse, RenderReuse

#: Pod annotation that chooses the templates (comma-separated names or aliases).
TEMPLATES_ANNOTATION = "inject.istio.io/templates"
STATUS_ANNOTATION = "sidecar.istio.io/status"
#: Set to "0" to render every pod on its own, "1" to reuse renders from the first pod on
#: (the output is the same either way; see pyinject.render.reuse).
REUSE_ENV_VAR = "PYINJECT_RENDER_REUSE"
#: Pods rendered on their own before reuse starts, unless REUSE_ENV_VAR says otherwise.  A key
#: pays back only from its third pod (its second renders abstractly, at about twice the cost of
#: an ordinary render), so a short manifest such as bookinfo's six pods would only lose.
REUSE_AFTER_PODS = 7

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
    native_sidecars: NativeChoice
    compliance_policy: str
    inbound_traffic_policy_mode: str
    proxy_uid: int
    proxy_gid: int
    #: Templates the values add (``sidecarInjectorWebhook.templates``), by name; errors name them apart.
    extra_templates: Mapping[str, str] = field(default_factory=dict)
    #: Reuse a render for pods that differ only in names (pyinject.render.reuse); "0" in its variable turns it off.
    reuse_renders: bool = True
    #: Pods rendered on their own before reuse starts ("1" in the variable makes it 0).
    reuse_after_pods: int = REUSE_AFTER_PODS
    #: TCP probes are rewritten like HTTP ones (the release's rule and switch: pyinject.config.tcp_probes).
    rewrite_tcp_probes: bool = True


def build_injector(options: Options, environ: Mapping[str, str], warn: Warn, *,
                   merge_over_previous: bool = False) -> Injector:
    """Load and check every configuration input once, before any document is read.

    ``merge_over_previous`` picks istioctl's re-injection (see :class:`SidecarInjector`).
    """
    from pyinject.config import settings as config, inject_config as config_inject
    from pyinject.config.tcp_probes import choose_tcp_probes
    from pyinject.istio.releases import choose_release

    # The values file is read once: its global.tag may name the release, and the settings layer it.
    values_notes: list[str] = []
    values_file = config.read_values_file(options.values_file, values_notes) if options.values_file else None
    for message in values_notes:
        warn(message)
    release = choose_release(options.istio_version, values_file or {})
    if release.legacy_format:
        from pyinject.istio.legacy.injector import build_legacy_injector

        return build_legacy_injector(options, release, environ, warn, values_file or {})
    settings = config.load_settings(
        values_file=options.values_file,
        mesh_file=options.mesh_config_file,
        operator_file=options.operator_file,
        sets=revision_sets(options) + tuple(options.sets),
        proxy_defaults=release.proxy_config_defaults,
        values_base=values_file,
    )
    for message in settings.warnings:
        warn(message)
    notes: list[str] = []
    inject_config = config_inject.load_injection_config(options.inject_config_file, notes)
    for message in notes:
        warn(message)
    extra_templates: Mapping[str, str] = {}
    if options.inject_config_file is None:
        # The embedded config stands for the ConfigMap the istiod chart writes
        # from the values; a cluster's exported config already is that ConfigMap.
        inject_config = config_inject.with_values(inject_config, settings.values)
        extra_templates = settings.extra_templates
    uid, gid = config.proxy_ids()
    from pyinject.sprig.host import TemplateEnviron

    template_environ = TemplateEnviron(environ, (*options.template_env, *release.template_env), warn)
    try:
        with naming_config(inject_config.source):
            renderer = load_renderer(inject_config, extra_templates, template_environ, options.template_limits,
                                     release)
    except TemplateError as err:
        if options.inject_config_file is not None and _legacy_shape(options.inject_config_file):
            err.message += (" (the config has the single `template:` of Istio 1.0-1.8; give the release it "
                            "comes from with --istio-version, e.g. --istio-version 1.5)")
            err.args = (err.message,)
        raise
    native = choose_native_sidecars(options.native_sidecars, environ, options.kube_version)
    if native.source == "env" and environ.get(NATIVE_ENV_VAR) not in ("true", "false"):
        warn(native.why)
    run = RunSettings(
        config=inject_config,
        renderer=renderer,
        values=settings.values,
        mesh=settings.mesh,
        revision=config.revision(settings.values, _named_revision(options.revision)),
        native_sidecars=native,
        compliance_policy=config.compliance_policy(environ),
        inbound_traffic_policy_mode=config.inbound_traffic_policy_mode(settings.mesh),
        proxy_uid=uid,
        proxy_gid=gid,
        extra_templates=extra_templates,
        reuse_renders=environ.get(REUSE_ENV_VAR) != "0",
        reuse_after_pods=0 if environ.get(REUSE_ENV_VAR) == "1" else REUSE_AFTER_PODS,
        rewrite_tcp_probes=choose_tcp_probes(release.tcp_probes, options.rewrite_tcp_probes, environ,
                                             release.name, warn),
    )
    return SidecarInjector(run, warn, release, merge_over_previous=merge_over_previous)


def _legacy_shape(config_file: str) -> bool:
    """Whether an injection config file has the pre-1.9 shape (one top-level ``template:``)."""
    from pyinject.config.layers import read_file

    try:
        doc = read_file(config_file, "injection config")
    except PyinjectError:
        return False
    return isinstance(doc, dict) and "template" in doc and "templates" not in doc


def load_renderer(
    inject_config: InjectionConfig, extra_templates: Mapping[str, str], environ: Mapping[str, str],
    limits: RenderLimits | None = None, release: Release | None = None,
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
        own: Renderer = load_jinja_templates(directory, inject_config.templates, inject_config.template_files, limits)
    else:
        own = _go_renderer(inject_config.templates, environ, limits, release)
    own_names = tuple(inject_config.templates)
    if not extra_templates:
        return own
    extra = _go_renderer(extra_templates, environ, limits, release)
    return CombinedRenderer(((extra, tuple(extra_templates)), (own, own_names)))


def _go_renderer(templates: Mapping[str, str], environ: Mapping[str, str],
                 limits: RenderLimits | None, release: Release | None = None) -> Renderer:
    from pyinject.render.go import load_go_templates

    return load_go_templates(templates, environ, limits, release)


class CombinedRenderer:
    """Several parsed template sets; a name is looked up in order."""

    def __init__(self, parts: tuple[tuple[Renderer, tuple[str, ...]], ...]) -> None:
        self.parts = parts

    def render(self, name: str, ctx: TemplateContext) -> str:
        for renderer, names in self.parts:
            if name in names:
                return renderer.render(name, ctx)
        raise TemplateNotFound(name, {n for _, names in self.parts for n in names})


class SidecarInjector:
    """Injects one pod template at a time with the run's settings.

    Re-injecting an already-injected pod has two meanings.  By default the
    previous injection is stripped and the pod is injected afresh.  With
    ``merge_over_previous`` (istioctl's behaviour) the templates still see the
    stripped pod, but they are merged over the pod as it came, and any old
    injected container the status annotation does not list stays a user
    override: the old proxy's settings can survive the re-injection.
    """

    def __init__(self, run: RunSettings, warn: Warn, release: Release | None = None, *,
                 merge_over_previous: bool = False) -> None:
        self.run = run
        self.warn = warn
        #: The Istio release whose kube-inject is reproduced (its output style, its Go-side behaviour).
        self.release = release
        self.merge_over_previous = merge_over_previous
        #: The run's render reuse, made when the pod after ``run.reuse_after_pods`` comes.
        self.reuse: RenderReuse | None = None
        self._reuse_wanted = run.reuse_renders and hasattr(run.renderer, "render_variables")
        self._pods = 0

    def _pod_reuse(self, ctx: TemplateContext) -> PodReuse | None:
        """Render reuse for this pod, or None (reuse off, or not started yet)."""
        if not self._reuse_wanted:
            return None
        if self.reuse is None:
            self._pods += 1
            if self._pods <= self.run.reuse_after_pods:
                return None
            from pyinject.render.reuse import RenderReuse

            self.reuse = RenderReuse(self.run.renderer, _decode_for_reuse)  # type: ignore[arg-type]
        return self.reuse.pod(ctx)

    @cached_property
    def origins(self) -> Origins:
        """Where each template came from, for errors (built once, on first use)."""
        from pyinject.istio.rendered import Origins

        return Origins(self.run.config, self.run.extra_templates)

    @property
    def inject_switch(self) -> InjectSwitch | None:
        """How the release reads ``sidecar.istio.io/inject`` (None: the newest release's way)."""
        return self.release.inject_switch if self.release is not None else None

    def inject(self, workload: Workload, metadata: dict[str, Any], spec: dict[str, Any]) -> PodResult:
        from pyinject.istio import policy
        # The stages change the pod in place: they get a copy, the arguments are the document's.
        given: dict[str, Any] = {"metadata": metadata, "spec": spec}
        pod: dict[str, Any] = {"metadata": copy_plain(metadata), "spec": copy_plain(spec)}
        annotations = metadata.get("annotations") or {}
        reinjecting = isinstance(annotations, dict) and STATUS_ANNOTATION in annotations
        previous = copy_plain(pod) if reinjecting and self.merge_over_previous else None
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
        decision = policy.decide(self.run.config, pod["metadata"], pod["spec"], namespace, self.inject_switch)
        warnings = list(decision.warnings)
        if not decision.inject:
            reason = str(decision.reason.value if decision.reason is not None else "")
            # The report says why, once, with the file (report.summary.skip_sentence).
            return PodResult(metadata, spec, Action.SKIPPED, reason, warnings)
        # Nothing before the merges changes a pod it does not strip: the arguments are the pod as it came.
        injected = self.inject_pod(workload, pod, previous, warnings, None if reinjecting else given)
        action = Action.REINJECTED if reinjecting else Action.INJECTED
        return PodResult(injected["metadata"], injected["spec"], action, warnings=warnings)

    def inject_pod(self, workload: Workload, pod: dict[str, Any],
                   previous: dict[str, Any] | None = None, warnings: list[str] | None = None,
                   unchanged: dict[str, Any] | None = None) -> dict[str, Any]:
        """Render, merge and post-process; ``pod`` is the stripped user pod.

        ``previous``, when given, is the already-injected pod as it came: the
        templates render from ``pod`` but merge over ``previous`` (istioctl).
        Templates that inject no sidecar are an error when they render nothing
        at all, else a warning added to ``warnings``
        (:func:`pyinject.istio.rendered.renders_nothing`).
        ``unchanged``, when given, equals ``pod`` and stays unchanged: post-processing
        reads the pod as it was before the merges there, rather than from a copy.
        """
        from pyinject.istio import annotations as annotation_checks
        from pyinject.istio import postprocess
        from pyinject.istio import rendered as rendered_checks
        from pyinject.k8s.merge import merge_overlay
        from pyinject.k8s.schema import POD
        from pyinject.k8s.typed_decode import decoded_as_release
        from pyinject.render.decode import take_copy

        run = self.run
        meta = pod["metadata"]
        pod_annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
        _stage("annotations", annotation_checks.validate, pod_annotations)
        ctx = self.context(workload, pod, pod_annotations)
        if previous is not None:
            original = copy_plain(previous)
        else:
            original = unchanged if unchanged is not None else copy_plain(pod)
        merged = pod if previous is None else previous
        user_containers = frozenset(rendered_checks.container_names(pod["spec"]))
        template_pod: dict[str, Any] = {}
        names = select_templates(run.config, pod_annotations)
        k8s_minor = self.release.k8s_minor if self.release else NEWEST_K8S_MINOR
        reuse = self._pod_reuse(ctx)
        for position, name in enumerate(names, 1):
            texts: list[str] = []
            if reuse is None:
                patch = self.rendered(name, ctx, texts)
            else:
                patch = reuse.decoded(name, lambda name=name, texts=texts: self.rendered(name, ctx, texts))  # type: ignore[misc]
            if patch is None:
                continue
            if texts:
                # A reused fragment has none of these markers (see _decode_for_reuse).
                rendered_checks.check_missing_values(self.origins, name, texts[0], patch)
            patch = decoded_as_release(patch, k8s_minor)
            # merge_overlay neither changes the patch nor keeps any part of it (it copies
            # what it stores), so one patch serves both merges without a copy.  Merged
            # into an empty template pod, the patch's copy is the template pod itself.
            # When no later template merges into it, the pod's merge takes its parts
            # rather than copies: from then on the template pod shares them with the
            # pod, and post-processing, which changes the pod, reads of the template
            # pod only what it never changes (names) or reads it first (the proxy).
            # No part of a decoded fragment is ever changed (see pyinject.render.decode),
            # so the template pod's copies of its parts may be remembered by identity.
            # A fragment decoded for this pod alone comes with that copy already made,
            # from new maps and lists only (decode.take_copy): the template pod takes it.
            first = not template_pod
            copy = take_copy(patch) if first and texts else None
            if copy is not None:
                template_pod = copy
            else:
                template_pod = _stage(f"merge template {name}", merge_overlay, template_pod, patch, frozen=True)
            merged = _stage(f"merge template {name}", merge_overlay, merged, patch, POD,
                            template_pod if first else None, give=first and position == len(names))
        if not rendered_checks.has_proxy(user_containers, template_pod.get("spec")):
            if rendered_checks.renders_nothing(template_pod):
                raise TemplateError(self.origins.nothing_rendered(names))
            if warnings is not None:
                warnings.append(rendered_checks.no_proxy_warning(names))
        post = postprocess.PostprocessContext(
            template_pod=template_pod,
            original_pod=original,
            values=run.values,
            mesh_config=run.mesh,
            proxy_config=ctx.proxy_config,
            revision=run.revision,
            injected_annotations=run.config.injected_annotations,
            release=self.release,
            rewrite_tcp_probes=run.rewrite_tcp_probes,
        )
        _stage("post-processing", postprocess.run, merged, post)
        merged.setdefault("metadata", {})
        merged.setdefault("spec", {})
        return merged

    def rendered(self, name: str, ctx: TemplateContext, texts: list[str]) -> dict[str, Any] | None:
        """Template ``name`` rendered for ``ctx`` (appended to ``texts``) and decoded (None when it renders nothing)."""
        with naming_config(self.run.config.source):
            text = _stage(f"template {name}", self.run.renderer.render, name, ctx)
            texts.append(text)
            try:
                return parse_rendered(name, text)
            except UndecodableRendering as err:
                # A missing value printed there is the cause, and its error names the template line.
                from pyinject.istio import rendered as rendered_checks

                rendered_checks.check_missing_values(self.origins, name, text, as_decoded(err.data))
                raise

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
            native_sidecars=native_for_pod(run.native_sidecars, annotations).enabled,
            proxy_image=config.proxy_image(run.values, proxy_config, annotations),
            proxy_uid=run.proxy_uid,
            proxy_gid=run.proxy_gid,
            inbound_traffic_policy_mode=run.inbound_traffic_policy_mode,
            compliance_policy=run.compliance_policy,
            **self._release_facts(proxy_config, annotations),
        )

    def _release_facts(self, proxy_config: Mapping[str, Any], annotations: Mapping[str, str]) -> dict[str, Any]:
        """What the emulated release's template data had besides the embedded release's."""
        release = self.release
        if release is None:
            return {}
        facts: dict[str, Any] = {"data_fields": release.data_fields}
        if release.estimated_concurrency:
            from pyinject.istio.concurrency import estimate_concurrency

            facts["estimated_concurrency"] = estimate_concurrency(proxy_config, annotations, self.run.values)
        return facts


#: The Kubernetes API the embedded release decodes with.
NEWEST_K8S_MINOR = RELEASES[NEWEST].k8s_minor


def select_templates(config: InjectionConfig, annotations: Mapping[str, str]) -> list[str]:
    """Template names for a pod: its ``inject.istio.io/templates`` or the defaults, aliases expanded."""
    requested = annotations.get(TEMPLATES_ANNOTATION)
    names = [n.strip() for n in requested.split(",") if n.strip()] if requested else list(config.default_templates)
    selected: list[str] = []
    for name in names:
        selected.extend(config.aliases.get(name, (name,)))
    return selected


def parse_rendered(name: str, text: str) -> dict[str, Any] | None:
    """A rendered Pod fragment, decoded as Istio decodes it (see :func:`as_decoded`).


    A template of Istio 1.0–1.8 renders a SidecarInjectionSpec instead; merged
    as a Pod it would add nothing, so it is an error that says what to do.
    Most texts are decoded piece by piece (:mod:`pyinject.render.decode`, the
    same result, with the containers already decoded); the rest whole.
    """
    from pyinject.istio.legacy.shape import is_legacy_spec
    from pyinject.render.decode import NotPieceable, decode_rendered

    try:
        data: dict[str, Any] | None = decode_rendered(text)
        decoded = True
    except NotPieceable:  # decoded whole, which also words any error
        from pyinject.istio.legacy.spec import load_rendered

        data, decoded = load_rendered(name, text), False
    if data is None:
        return None
    if is_legacy_spec(data):
        raise TemplateError(
            f"template {name} renders the SidecarInjectionSpec of Istio 1.0-1.8 (top-level containers, "
            "not a Pod); give the release the config comes from with --istio-version (e.g. --istio-version 1.5)"
        )
    if decoded:
        return data
    from pyinject.k8s.schema import POD
    from pyinject.k8s.shapes import decode_problem

    # Istio decodes the merged pod into Go structs: a value of the wrong type there fails it.
    # (The piecewise decoding hands such a text over to this path.)
    problem = decode_problem(data, POD, "")
    if problem is not None:
        raise UndecodableRendering(f"template {name} renders a pod Kubernetes cannot decode: {problem}", data)
    return as_decoded(data)


def _decode_for_reuse(name: str, text: str) -> dict[str, Any] | None:
    """:func:`parse_rendered` for an abstract render; a text with a missing value is not reused.

    So the check of missing values, which reads the rendered text, never needs a
    reused fragment's text: names written in hold no ``<`` to make or break a marker.
    """
    from pyinject.istio.rendered import MISSING_MARKERS

    if any(marker in text for marker in MISSING_MARKERS):
        raise TemplateError(f"template {name} printed a missing value")
    return parse_rendered(name, text)


def as_decoded(patch: dict[str, Any]) -> dict[str, Any]:
    """The rendered containers as Istio sees them once merged and decoded into Go structs.

    Istio decodes each merge's result into a typed Pod, so quantities come out
    canonical (``2000m`` is ``2``), zero values of ``omitempty`` fields disappear
    and fields Kubernetes does not know are dropped; a field written with its
    zero value still replaces the pod's, so it stays as a deletion
    (:mod:`pyinject.k8s.typed_patch`).  Strategic-merge directives (``$patch``...) are kept.
    """
    from pyinject.k8s.typed_patch import encode_patch
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
            decoded.append({**encode_patch("Container", item), **directives})
        spec[key] = decoded
    return patch


def _named_revision(flag: str) -> str:
    # istioctl: the revision "default" renders as no revision.
    return "" if flag == "default" else flag


def revision_sets(options: Options) -> tuple[str, ...]:
    """What ``-r REV`` means for the embedded install: the control plane of revision REV.

    istioctl reads revision REV's own ConfigMaps, whose values say ``revision: REV``
    and whose mesh points the proxy at ``istiod-REV`` (discovery and CA).  The
    embedded install is made into that one by setting ``values.revision``, from
    which the mesh and templates derive those addresses.  Files exported from a
    cluster (--valuesFile) already are a revision's: -r then only labels the pods,
    as istioctl's does when given files.
    """
    rev = _named_revision(options.revision)
    if not rev or options.values_file is not None:
        return ()
    return (f"values.revision={rev}",)


@contextmanager
def naming_config(source: str) -> Iterator[None]:
    """Template errors say which injection config file the template came from."""
    try:
        yield
    except TemplateError as err:
        if source != "<embedded>" and not err.message.startswith("injection config "):
            err.message = f"injection config {source}: {err.message}"
        raise


def _stage(name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one stage; a stage that recurses without end (a self-including template) is the config's fault.

    Anything else that is not a PyinjectError is a bug and propagates as it is,
    so the report names its real cause.
    """
    try:
        return func(*args, **kwargs)
    except RecursionError as err:
        raise TemplateError(f"{name}: nesting too deep") from err
    except MemoryError as err:
        raise TemplateError(f"{name}: ran out of memory") from err
