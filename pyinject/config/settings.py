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
built-in defaults with Istio's own rules (see ``config_mesh``).

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    get_path,
    overlay,
    parse_yaml,
    read_file,
    set_path,
)
from pyinject.config.mesh import (
    apply_mesh,
    effective_proxy_config,
    normalize_mesh,
    validate_proxy_config,
)
from pyinject.errors import ConfigError, Location
from pyinject.config.schemas import Problem, check

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
    "native_sidecars_default",
    "native_sidecars",
    "compliance_policy",
    "inbound_traffic_policy_mode",
]

EMBEDDED_VALUES = "values.yaml"
MESH_DEFAULTS = "mesh-defaults.yaml"
#: Keys of the chart values the injector ConfigMap carries (chart: istiod-injector-configmap.yaml).
_INJECTOR_KEYS = ("global", "sidecarInjectorWebhook", "revision")
_PILOT_KEYS = ("cni", "env", "crlConfigMapName")
_GATEWAY_KEYS = ("securityContext", "seccompProfile")


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
) -> Settings:
    """Load, layer and check values and mesh config (see the module docstring)."""
    layers = build_overlay(operator_file, sets)
    values = _layer_values(values_file, layers)
    mesh = _layer_mesh(mesh_file, layers, values)
    warnings: list[str] = []
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


def _layer_values(values_file: str | None, layers: Overlay) -> dict[str, JSON]:
    if values_file is not None:
        base = read_file(values_file, "values file")
        base_source = values_file
        if base is None:
            base = {}
        if not isinstance(base, dict):
            raise ConfigError("values file: expected a mapping of Helm values", Location(file=values_file))
    else:
        base = parse_yaml(read_embedded(EMBEDDED_VALUES), "embedded values")
        base_source = "embedded templates/values.yaml"
    chart = _chart_overlay(layers)
    if values_file is None and not chart:
        # The embedded values are known to be good; skip loading jsonschema (start-up time).
        return dict(base)
    _report(check(chart, "values", strict=True), layers, "values", base_source, unknown_only=True)
    values: dict[str, JSON] = overlay(base, _injector_view(chart))
    _report(check(values, "values", strict=False), layers, "values", base_source, unknown_only=False,
            where=_values_origin_paths)
    return values


def _chart_overlay(layers: Overlay) -> dict[str, JSON]:
    """The values overlay in chart terms, with spec.hub/tag/revision and components folded in."""
    chart: dict[str, JSON] = copy.deepcopy(layers.spec.get("values") or {})
    targets: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("hub", ("global", "hub")), ("tag", ("global", "tag")), ("revision", ("revision",)),
        ("namespace", ("global", "istioNamespace")))
    for key, target in targets:
        if key in layers.spec:
            set_path(chart, target, layers.spec[key])
            layers.origins.setdefault(("values", target), layers.origin(key, ()) or "")
    components = layers.spec.get("components") or {}
    if not isinstance(components, dict):
        raise ConfigError("components: expected a mapping of component name to settings")
    for name, settings in components.items():
        origin = layers.origin("components", (name,)) or "IstioOperator"
        if not isinstance(settings, dict) or not isinstance(settings.get("enabled", False), bool):
            raise ConfigError(f"components.{name}.enabled: expected a boolean ({origin})")
        if name == "cni" and "enabled" in settings:
            # The operator turns the CNI component on for istiod through pilot.cni.enabled.
            set_path(chart, ("pilot", "cni", "enabled"), settings["enabled"])
            layers.origins.setdefault(("values", ("pilot", "cni", "enabled")), origin)
    return chart


def _combine(base: JSON, top: JSON) -> JSON:
    # Like overlay() but keeps nulls: both sides are still overlays, nulls mean "remove" later.
    if isinstance(base, dict) and isinstance(top, dict):
        out = dict(base)
        for key, value in top.items():
            out[key] = _combine(out.get(key), value) if key in out else copy.deepcopy(value)
        return out
    return copy.deepcopy(top)


def _injector_view(chart: Mapping[str, JSON]) -> dict[str, JSON]:
    """What the chart writes into the injector ConfigMap's ``values`` for this overlay."""
    out: dict[str, JSON] = {k: copy.deepcopy(chart[k]) for k in _INJECTOR_KEYS if k in chart}
    pilot: dict[str, JSON] = {}
    chart_pilot = chart.get("pilot") if isinstance(chart.get("pilot"), dict) else {}
    for key in _PILOT_KEYS:
        # The chart copies pilot.* over the top level, so pilot.<key> wins over <key>.
        if key in chart:
            pilot[key] = copy.deepcopy(chart[key])
        if isinstance(chart_pilot, dict) and key in chart_pilot:
            pilot[key] = _combine(pilot.get(key), chart_pilot[key]) if key in pilot else copy.deepcopy(chart_pilot[key])
    if pilot:
        out["pilot"] = pilot
    gateways = chart.get("gateways")
    if isinstance(gateways, dict):
        picked = {k: copy.deepcopy(gateways[k]) for k in _GATEWAY_KEYS if k in gateways}
        if picked:
            out["gateways"] = picked
    return out


def _values_origin_paths(path: Path) -> list[tuple[str, Path]]:
    # An injector path can come from several chart paths.
    candidates: list[tuple[str, Path]] = [("values", path)]
    if path[:1] == ("pilot",) and len(path) > 1:
        candidates.append(("values", path[1:]))
        if path[1:3] == ("cni", "enabled"):
            candidates.append(("components", ("cni", "enabled")))
    if path == ("global", "hub"):
        candidates.insert(0, ("hub", ()))
    if path == ("global", "tag"):
        candidates.insert(0, ("tag", ()))
    return candidates


def _report(
    problems: list[Problem],
    layers: Overlay,
    section: str,
    base_source: str,
    *,
    unknown_only: bool,
    where: Any = None,
) -> None:
    """Raise one ConfigError for the first problem, naming the key path and its source."""
    chosen = [p for p in problems if p.unknown_key] if unknown_only else problems
    if not chosen:
        return
    first = chosen[0]
    origin = None
    for sec, path in (where(first.path) if where else [(section, first.path)]):
        origin = layers.origin(sec, path)
        if origin:
            break
    more = f" (and {len(chosen) - 1} more problem{'s' if len(chosen) > 2 else ''})" if len(chosen) > 1 else ""
    label = "values" if section == "values" else "meshConfig"
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


def _layer_mesh(mesh_file: str | None, layers: Overlay, values: Mapping[str, JSON]) -> dict[str, JSON]:
    defaults = _mesh_defaults()
    if mesh_file is not None:
        doc = read_file(mesh_file, "mesh config file")
        source = mesh_file
        if doc is None:
            doc = {}
        if not isinstance(doc, dict):
            raise ConfigError("mesh config file: expected a MeshConfig mapping", Location(file=mesh_file))
    else:
        doc = install_mesh(values, defaults)
        source = "embedded templates/mesh-defaults.yaml"
    # values.meshConfig is where the chart itself takes the mesh from; spec.meshConfig lands there too.
    top = _combine((layers.spec.get("values") or {}).get("meshConfig") or {}, layers.spec.get("meshConfig") or {})
    for key, value in ((layers.spec.get("values") or {}).get("meshConfig") or {}).items():
        layers.origins.setdefault(("meshConfig", (key,)), layers.origin("values", ("meshConfig", key)) or "")
    if mesh_file is not None or top:
        _report(check(top, "mesh", strict=True), layers, "meshConfig", source, unknown_only=True)
        doc = overlay(doc, top)
        _report(check(doc, "mesh", strict=False), layers, "meshConfig", source, unknown_only=False)
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


_NATIVE_WORDS = {"true": True, "false": False, "auto": True, "": True}


def native_sidecars_default(flag: bool | None, environ: Mapping[str, str] | None = None) -> bool:
    """Native sidecars for pods that do not say: ``--native-sidecars`` /
    ``--no-native-sidecars`` first, then ``ENABLE_NATIVE_SIDECARS``.

    Unset means enabled: Istio's ``auto`` turns them on when every node runs
    Kubernetes >= 1.33, and pyinject, having no nodes to look at, assumes a
    current cluster; ``auto`` is read the same way.
    """
    if flag is not None:
        return flag
    env = os.environ if environ is None else environ
    raw = env.get("ENABLE_NATIVE_SIDECARS", "").strip().lower()
    if raw not in _NATIVE_WORDS:
        raise ConfigError(f"ENABLE_NATIVE_SIDECARS={env.get('ENABLE_NATIVE_SIDECARS')!r}: expected true, false or auto")
    return _NATIVE_WORDS[raw]


def native_sidecars(default: bool, annotations: Mapping[str, str]) -> bool:
    """Per pod: ``sidecar.istio.io/nativeSidecar`` decides when set and not empty
    (anything but ``"false"`` means yes, as in the stock template); else ``default``."""
    value = annotations.get("sidecar.istio.io/nativeSidecar")
    if not value:
        return default
    return value != "false"


def compliance_policy(environ: Mapping[str, str] | None = None) -> str:
    """``COMPLIANCE_POLICY`` as Istio reads it (e.g. ``fips-140-2``), "" when unset."""
    env = os.environ if environ is None else environ
    return env.get("COMPLIANCE_POLICY", "")


def inbound_traffic_policy_mode(mesh: Mapping[str, JSON]) -> str:
    """What Istio hands the templates as ``.InboundTrafficPolicyMode``: ``localhost``
    or ``passthrough`` (lower case; the default and any unknown mode are passthrough)."""
    mode = (mesh.get("inboundTrafficPolicy") or {}).get("mode")
    return "localhost" if mode in ("LOCALHOST", 1) else "passthrough"


def mesh_value(mesh: Mapping[str, JSON], dotted: str) -> JSON:
    """Convenience for callers: ``mesh_value(mesh, "defaultConfig.statusPort")``."""
    return get_path(mesh, tuple(dotted.split(".")))
