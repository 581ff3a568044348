"""Settings for one run: injection config, values and mesh config, layered, checked; per-pod facts.

How the layers stack (last wins)::

    values:  embedded templates/values.yaml  |or|  --valuesFile (replaces it whole)
             <- IstioOperator spec.values, spec.hub/tag/revision, components.cni.enabled
             <- --set values.* / hub / tag / revision / components.<name>.enabled
    mesh:    Istio's built-in defaults (templates/mesh-defaults.yaml `builtin`)
             <- the mesh document: --meshConfigFile, or else the stock install's mesh
                (`install`, with the fields the chart derives from the values)
                <- IstioOperator spec.meshConfig <- --set meshConfig.*

Overlays (IstioOperator, --set) merge the way ``istioctl manifest generate``
feeds Helm: maps merge key by key, lists and scalars replace, an explicit
``null`` removes a default.  The mesh document is then applied over the
built-in defaults with Istio's own rules (see ``config/mesh.py``).

This is deliberately *not* what ``istioctl kube-inject --operatorFileName``
does (it takes the file's ``spec.values`` alone as the values and its
``meshConfig`` alone as the mesh): pyinject always starts from a complete
install (the embedded one, or your --valuesFile / --meshConfigFile) and lays
the IstioOperator over it.  For an IstioOperator that only sets what it needs
both readings give the same templates input.

Values overlays are written in the istiod chart's terms; the chart copies only
part of them into the injector ConfigMap, and so does pyinject: ``global``,
``sidecarInjectorWebhook``, ``revision``, ``pilot`` (``cni`` and ``env``, from
either ``values.cni`` or ``values.pilot.cni``), ``gateways`` (``securityContext``,
``seccompProfile``).

Unknown keys are errors in IstioOperator files and --set (``istioctl install``
rejects them too) but not in --valuesFile / --meshConfigFile, which istioctl
reads leniently; wrong types are errors everywhere.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pyinject.config.schemas import Problem

from pyinject.config import kinds
from pyinject.config.inject_config import (
    load_injection_config,
    read_embedded,
    values_templates,
    with_values,
)
from pyinject.config.layers import (
    JSON,
    Overlay,
    Path,
    build_overlay,
    format_path,
    injector_view,
    get_path,
    overlay,
    parse_yaml,
    read_file,
)
from pyinject.config.mesh import (
    apply_mesh,
    effective_proxy_config,
    normalize_mesh,
    validate_proxy_config,
)
from pyinject.errors import ConfigError, Location
from pyinject.records import dataclass, field

__all__ = [
    "Settings",
    "load_settings",
    "load_values",
    "load_mesh",
    "load_injection_config",
    "with_values",
    "values_templates",
    "effective_proxy_config",
    "install_mesh",
    "istio_proxy_image",
    "proxy_image",
    "proxy_ids",
    "revision",
    "native_sidecars",
    "compliance_policy",
    "inbound_traffic_policy_mode",
]

EMBEDDED_VALUES = "values.yaml"
MESH_DEFAULTS = "mesh-defaults.yaml"


@dataclass(frozen=True)
class Settings:
    """Values and mesh config for a run, after layering and checks."""

    #: The injector values (what ``.Values`` holds in the templates).
    values: Mapping[str, JSON]
    #: The effective MeshConfig, proto-JSON field names.
    mesh: Mapping[str, JSON]
    #: Go templates the values add (``sidecarInjectorWebhook.templates``).
    extra_templates: Mapping[str, str] = field(default_factory=dict)
    #: Keys in --valuesFile / --meshConfigFile this release does not know (ignored, like
    #: istioctl does, but worth a warning: they are often typos).
    warnings: tuple[str, ...] = ()


def load_settings(
    values_file: str | None = None,
    mesh_file: str | None = None,
    operator_file: str | None = None,
    sets: tuple[str, ...] | list[str] = (),
    proxy_defaults: Mapping[str, JSON] | None = None,
    values_base: Mapping[str, JSON] | None = None,
) -> Settings:
    """Load, layer and check values and mesh config (see the module docstring).

    ``proxy_defaults``: ProxyConfig fields the emulated release compiled in beyond
    the embedded defaults (its ``DefaultProxyConfig``), under the mesh file.
    ``values_base``: ``values_file`` as :func:`read_values_file` already read it
    (it is then not read again, and its notes are the caller's to give).
    """
    if operator_file is not None:
        # A values or mesh file given here is named as such before the IstioOperator checks run.
        _in_slot(operator_file, "IstioOperator file", kinds.OPERATOR, None)
    layers = build_overlay(operator_file, sets)
    warnings: list[str] = []
    values = _layer_values(values_file, layers, warnings, values_base)
    mesh = _layer_mesh(mesh_file, layers, values, warnings, proxy_defaults)
    if values_file is not None:
        warnings += unknown_keys(values, "values", values_file)
    if mesh_file is not None:
        warnings += unknown_keys(mesh, "mesh", mesh_file, prefix="meshConfig")
    return Settings(values=values, mesh=mesh, extra_templates=values_templates(values), warnings=tuple(warnings))


def unknown_keys(data: JSON, schema_name: str, source: str, prefix: str | None = None) -> list[str]:
    """Warnings for keys a file sets that no schema field matches.

    Exported files from other Istio releases legitimately carry keys this
    release lacks, so these are not errors; a misspelt key is ignored all the
    same, so the user hears about it.
    """
    from pyinject.config.schemas import check

    head = prefix or schema_name
    return [
        f"{source}: {head}.{format_path(problem.path)}: {problem.message}; ignored"
        for problem in check(data, schema_name, strict=True)
        if problem.unknown_key
    ]


def load_values(
    values_file: str | None, operator_file: str | None = None, sets: tuple[str, ...] | list[str] = ()
) -> dict[str, JSON]:
    """The injector values alone (see ``load_settings``)."""
    return dict(_layer_values(values_file, build_overlay(operator_file, sets)))


def load_mesh(
    mesh_file: str | None,
    operator_file: str | None = None,
    sets: tuple[str, ...] | list[str] = (),
    values_file: str | None = None,
) -> dict[str, JSON]:
    """The effective mesh config alone (see ``load_settings``)."""
    layers = build_overlay(operator_file, sets)
    return dict(_layer_mesh(mesh_file, layers, _layer_values(values_file, layers)))


# --------------------------------------------------------------------------- values


def _in_slot(path: str, what: str, slot: str, notes: list[str] | None) -> JSON:
    """Read a config file for one slot, out of a whole ConfigMap if need be (see ``kinds``)."""
    try:
        got = kinds.for_slot(read_file(path, what), slot, path)
    except ConfigError as err:
        raise err.with_location(file=path)
    if got.note and notes is not None:
        notes.append(got.note)
    return got.doc


def read_values_file(values_file: str, notes: list[str] | None = None) -> dict[str, JSON]:
    """A --valuesFile's Helm values: out of a whole exported ConfigMap if need be (``notes``
    hears of it), an empty file as no values, anything but a mapping refused."""
    base = _in_slot(values_file, "values file", kinds.VALUES, notes)
    if base is None:
        return {}
    if not isinstance(base, dict):
        raise ConfigError("values file: expected a mapping of Helm values", Location(file=values_file))
    return base


def _layer_values(values_file: str | None, layers: Overlay, notes: list[str] | None = None,
                  read: Mapping[str, JSON] | None = None) -> dict[str, JSON]:
    if values_file is not None:
        base = dict(read) if read is not None else read_values_file(values_file, notes)
        base_source = values_file
    else:
        base = parse_yaml(read_embedded(EMBEDDED_VALUES), "embedded values")
        base_source = "embedded templates/values.yaml"
    chart = layers.chart_values()
    if values_file is None and not chart:
        # The embedded values are known to be good; skip loading the schemas (start-up time).
        return dict(base)
    from pyinject.config.schemas import check

    _report(check(chart, "values", strict=True), lambda path: layers.origin("values", path), "values",
            base_source, unknown_only=True)
    values: dict[str, JSON] = overlay(base, injector_view(chart))
    _report(check(values, "values", strict=False), layers.injector_origin, "values", base_source,
            unknown_only=False)
    return values


def _report(
    problems: list[Problem],
    origin_of: Callable[[Path], str | None],
    label: str,
    base_source: str,
    *,
    unknown_only: bool,
) -> None:
    """Raise one ConfigError for the first problem, naming the key path and where it was set."""
    chosen = [p for p in problems if p.unknown_key] if unknown_only else problems
    if not chosen:
        return
    first = chosen[0]
    origin = origin_of(first.path)
    more = f" (and {len(chosen) - 1} more problem{'s' if len(chosen) > 2 else ''})" if len(chosen) > 1 else ""
    key = f"{label}.{format_path(first.path)}" if first.path else label
    if origin and origin.startswith("--set "):
        raise ConfigError(f"{key}: {first.message} (from {origin}){more}")
    source = origin or base_source
    if source.startswith("embedded "):
        raise ConfigError(f"{key}: {first.message} (in {source}){more}")
    raise ConfigError(f"{key}: {first.message}{more}", Location(file=source))


# --------------------------------------------------------------------------- mesh


def _mesh_defaults() -> dict[str, JSON]:
    loaded = parse_yaml(read_embedded(MESH_DEFAULTS), "embedded mesh defaults")
    if not isinstance(loaded, dict) or "builtin" not in loaded or "install" not in loaded:
        raise ConfigError("embedded templates/mesh-defaults.yaml must hold `builtin` and `install`")
    return loaded


def builtin_proxy_config() -> dict[str, JSON]:
    """Istio's compiled-in ProxyConfig defaults (``DefaultProxyConfig``), proto-JSON names."""
    builtin = normalize_mesh(copy.deepcopy(_mesh_defaults()["builtin"]), "builtin meshConfig")
    return dict(builtin.get("defaultConfig") or {})


def install_mesh(values: Mapping[str, JSON], defaults: Mapping[str, JSON] | None = None) -> dict[str, JSON]:
    """The mesh config a stock ``istioctl install`` writes for these values.

    The istiod chart derives a few mesh fields from the values: ``rootNamespace``
    (``global.istioNamespace``), ``defaultConfig.discoveryAddress`` (revision and
    namespace), ``defaultConfig.meshId`` (``global.meshID``),
    ``defaultConfig.image.imageType`` (``global.proxy.variant`` or ``global.variant``)
    and ``defaultConfig.tracing`` (``global.proxy.tracer``).
    """
    base = defaults if defaults is not None else _mesh_defaults()
    mesh: dict[str, JSON] = copy.deepcopy(dict(base["install"]))
    glob = values.get("global") or {}
    proxy = glob.get("proxy") or {}
    namespace = glob.get("istioNamespace") or "istio-system"
    rev = values.get("revision") or ""
    pc: dict[str, JSON] = mesh.setdefault("defaultConfig", {})
    mesh["rootNamespace"] = namespace
    pc["discoveryAddress"] = f"istiod{'-' + rev if rev else ''}.{namespace}.svc:15012"
    if glob.get("meshID"):
        pc["meshId"] = glob["meshID"]
    variant = proxy.get("variant") or glob.get("variant")
    if variant:
        pc["image"] = {"imageType": variant}
    tracer = proxy.get("tracer")
    tracers = glob.get("tracer") or {}
    if tracer == "zipkin":
        address = (tracers.get("zipkin") or {}).get("address") or f"zipkin.{namespace}:9411"
        pc["tracing"] = {"zipkin": {"address": address}}
    elif tracer == "datadog":
        address = (tracers.get("datadog") or {}).get("address") or "$(HOST_IP):8126"
        pc["tracing"] = {"datadog": {"address": address}}
    return mesh


def _layer_mesh(mesh_file: str | None, layers: Overlay, values: Mapping[str, JSON],
                notes: list[str] | None = None, proxy_defaults: Mapping[str, JSON] | None = None) -> dict[str, JSON]:
    defaults = _mesh_defaults()
    if proxy_defaults:
        builtin = dict(defaults["builtin"])
        builtin["defaultConfig"] = {**(builtin.get("defaultConfig") or {}), **proxy_defaults}
        defaults = {**defaults, "builtin": builtin}
    if mesh_file is not None:
        doc = _in_slot(mesh_file, "mesh config file", kinds.MESH, notes)
        source = mesh_file
        if doc is None:
            doc = {}
        if not isinstance(doc, dict):
            raise ConfigError("mesh config file: expected a MeshConfig mapping", Location(file=mesh_file))
    else:
        doc = install_mesh(values, defaults)
        source = "embedded templates/mesh-defaults.yaml"
    top = layers.mesh_config()
    if mesh_file is not None or top:
        from pyinject.config.schemas import check

        mesh_origin = lambda path: layers.origin("meshConfig", path)  # noqa: E731
        _report(check(top, "mesh", strict=True), mesh_origin, "meshConfig", source, unknown_only=True)
        doc = overlay(doc, top)
        _report(check(doc, "mesh", strict=False), mesh_origin, "meshConfig", source, unknown_only=False)
    try:
        doc = normalize_mesh(doc, "meshConfig")
        mesh = apply_mesh(normalize_mesh(defaults["builtin"], "builtin meshConfig"), doc)
        validate_proxy_config(mesh.get("defaultConfig") or {}, "meshConfig.defaultConfig")
    except ConfigError as err:
        if mesh_file is not None:
            raise err.with_location(file=mesh_file)
        raise
    return mesh


# --------------------------------------------------------------------------- per-pod facts


def _go_value_text(value: JSON) -> str:
    # Istio formats the tag with %v: the tag is a protobuf Value, so numbers are float64.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        from pyinject.golang.strconv import format_float

        return format_float(float(value), "g", -1)
    return "" if value is None else str(value)


def istio_proxy_image(values: Mapping[str, JSON], proxy_config: Mapping[str, JSON],
                      annotations: Mapping[str, str]) -> str:
    """Istio's ``.ProxyImage``: ``HUB/IMAGE:TAG[-TYPE]``.

    IMAGE is ``global.proxy.image`` (default ``proxyv2``).  TYPE comes from
    ``sidecar.istio.io/proxyImageType``, else the ProxyConfig's ``image.imageType``
    (which a stock install fills from ``global.variant``); ``default`` means none,
    and a ``-debug``/``-distroless`` already on the tag is replaced.
    """
    glob = values.get("global") or {}
    name = (glob.get("proxy") or {}).get("image") or "proxyv2"
    image_type = (proxy_config.get("image") or {}).get("imageType") or ""
    image_type = annotations.get("sidecar.istio.io/proxyImageType", image_type)
    tag = _go_value_text(glob.get("tag"))
    if image_type:
        for known in ("distroless", "debug"):
            if tag.endswith("-" + known):
                tag = tag[: -len(known) - 1]
                break
        if image_type != "default":
            tag = f"{tag}-{image_type}"
    return f"{glob.get('hub') or ''}/{name}:{tag}"


def proxy_image(values: Mapping[str, JSON], proxy_config: Mapping[str, JSON],
                annotations: Mapping[str, str]) -> str:
    """The image the stock templates give istio-proxy: ``sidecar.istio.io/proxyImage``
    (or else ``global.proxy.image``) when it is a full reference (contains ``/``),
    otherwise ``istio_proxy_image``."""
    glob = values.get("global") or {}
    chosen = annotations.get("sidecar.istio.io/proxyImage", (glob.get("proxy") or {}).get("image") or "")
    if "/" in str(chosen):
        return str(chosen)
    return istio_proxy_image(values, proxy_config, annotations)


def proxy_ids() -> tuple[int, int]:
    """UID and GID for the proxy.  Istio reads OpenShift's namespace annotations for
    these; offline there is no namespace object, so it is always 1337/1337."""
    return 1337, 1337


def revision(values: Mapping[str, JSON], flag: str = "") -> str:
    """The control-plane revision: ``--revision`` if given, else ``values.revision``."""
    return flag or str(values.get("revision") or "")


def native_sidecars(default: bool, annotations: Mapping[str, str]) -> bool:
    """Per pod: ``sidecar.istio.io/nativeSidecar`` when set, else ``default``
    (:func:`pyinject.config.native.for_pod`, which also says why)."""
    from pyinject.config.native import NativeChoice, for_pod

    return for_pod(NativeChoice(default, "", ""), annotations).enabled


def compliance_policy(environ: Mapping[str, str] | None = None) -> str:
    """``COMPLIANCE_POLICY`` as Istio reads it (e.g. ``fips-140-2``), "" when unset."""
    env = os.environ if environ is None else environ
    return env.get("COMPLIANCE_POLICY", "")


def inbound_traffic_policy_mode(mesh: Mapping[str, JSON]) -> str:
    """What Istio hands the templates as ``.InboundTrafficPolicyMode``: ``localhost``
    or ``passthrough`` (lower case; the default and any unknown mode are passthrough)."""
    mode = (mesh.get("inboundTrafficPolicy") or {}).get("mode")
    return "localhost" if mode in ("LOCALHOST", 1) else "passthrough"
