"""Loading the injection config: pyinject's embedded Jinja2 set, or istioctl's formats."""

from __future__ import annotations

import os
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.config import kinds
from pyinject.config.layers import JSON, parse_yaml
from pyinject.config.template_files import read_template_file
from pyinject.errors import ConfigError, Location
from pyinject.model import InjectionConfig
from pyinject.records import replace

#: Top-level key and value that mark pyinject's own Jinja2 injection config.
JINJA_MARKER = ("format", "pyinject/jinja2")
EMBEDDED_CONFIG = "inject-config.yaml"
POLICIES = ("enabled", "disabled")
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


#: The installed ``pyinject`` package folder (found without importlib.resources,
#: which costs start-up time: the package is always a plain folder).
PACKAGE_DIR = os.path.dirname(os.path.dirname(__file__))


def templates_dir() -> str:
    """Where the embedded templates live: ``pyinject/_templates`` in a wheel,
    the repository's top-level ``templates/`` in a source checkout."""
    packaged = os.path.join(PACKAGE_DIR, "_templates")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(PACKAGE_DIR, "..", "templates")


def read_embedded(name: str) -> str:
    """Text of one embedded data file (``values.yaml``, ``mesh-defaults.yaml``, ...)."""
    try:
        with open(os.path.join(templates_dir(), name), encoding="utf-8") as handle:
            return handle.read()
    except OSError as err:
        raise ConfigError(f"embedded file templates/{name} is missing from this installation") from err


def load_injection_config(path: str | None, notes: list[str] | None = None) -> InjectionConfig:
    """The injection config to use.

    ``None`` -> the embedded ``templates/inject-config.yaml`` (Jinja2).  A file ->
    istioctl's formats: a full injection config (``templates:`` of Go templates
    plus ``defaultTemplates``, ``aliases``, ``policy``, selectors,
    ``injectedAnnotations``), the legacy single ``template:`` key, or a bare Go
    template taken as the ``sidecar`` template.  A file is Jinja2 only when it
    says ``format: pyinject/jinja2``.  A whole ConfigMap istio-sidecar-injector is
    read as its ``.data.config`` (``notes`` hears of it); a values, mesh or
    IstioOperator file is refused.
    """
    if path is None:
        text = read_embedded(EMBEDDED_CONFIG)
        base = templates_dir()
        source = "<embedded>"
    else:
        try:
            with open(path or ".", encoding="utf-8") as handle:  # "" names the current folder
                text = handle.read()
        except OSError as err:
            raise ConfigError(f"cannot read injection config: {err.strerror or err}", Location(file=path)) from err
        base = os.path.dirname(os.path.realpath(path))
        source = path
    try:
        return _from_text(text, base, source, notes)
    except ConfigError as err:
        if path is not None:
            raise err.with_location(file=path)
        raise


def _from_text(text: str, base: str, source: str, notes: list[str] | None = None) -> InjectionConfig:
    if not text.strip():
        raise ConfigError("injection config is empty")
    try:
        doc: JSON = parse_yaml(text, "injection config")
    except ConfigError:
        # Like istioctl: what does not parse as YAML is a bare template.
        return InjectionConfig(templates={"sidecar": text}, engine="go", source=source)
    got = kinds.for_slot(doc, kinds.INJECT, source)
    if got.note is not None:
        if notes is not None:
            notes.append(got.note)
        return _from_text(str(got.doc), base, source)
    if isinstance(doc, dict) and doc.get(JINJA_MARKER[0]) is not None:
        if doc.get(JINJA_MARKER[0]) != JINJA_MARKER[1]:
            raise ConfigError(f"format: {doc.get(JINJA_MARKER[0])!r} is not known (pyinject reads "
                              f"format: {JINJA_MARKER[1]})")
        templates, files = _jinja_templates(doc.get("templates"), base)
        files += _jinja_imports(doc.get("imports"), base)
        built = _build(doc, templates, "jinja", source)
        return replace(built, directory=base, template_files=files)
    if isinstance(doc, dict) and doc.get("templates"):
        return _build(doc, _go_templates(doc["templates"]), "go", source)
    if isinstance(doc, dict) and isinstance(doc.get("template"), str) and "templates" not in doc:
        # The pre-1.9 ConfigMap shape: one template under `template:`.
        return _build(doc, {"sidecar": doc["template"]}, "go", source)
    return InjectionConfig(templates={"sidecar": text}, engine="go", source=source)


def _go_templates(raw: JSON) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"templates: expected a mapping of name to template text, got {_kind(raw)}")
    out: dict[str, str] = {}
    for name, body in raw.items():
        if not isinstance(body, str):
            raise ConfigError(f"templates.{name}: expected template text, got {_kind(body)}")
        out[str(name)] = body
    return out


def _jinja_templates(raw: JSON, base: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Template name -> text, and the files the config names (the only ones templates may import)."""
    if not isinstance(raw, dict) or not raw:
        raise ConfigError("templates: expected a mapping of name to .j2 file")
    out: dict[str, str] = {}
    files: list[str] = []
    for name, ref in raw.items():
        if not isinstance(ref, str):
            raise ConfigError(f"templates.{name}: expected a .j2 file name or template text, got {_kind(ref)}")
        if "\n" in ref or not ref.endswith(".j2"):
            out[str(name)] = ref
            continue
        try:
            out[str(name)] = read_template_file(base, ref)
        except ConfigError as err:
            raise ConfigError(f"templates.{name}: {err.message}") from err
        files.append(ref)
    return out, tuple(files)


def _jinja_imports(raw: JSON, base: str) -> tuple[str, ...]:
    """``imports:``: the further ``.j2`` files (macro libraries) the templates may import."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(ref, str) for ref in raw):
        raise ConfigError(f"imports: expected a list of .j2 file names, got {_kind(raw)}")
    for index, ref in enumerate(raw):
        try:
            read_template_file(base, ref)
        except ConfigError as err:
            raise ConfigError(f"imports[{index}]: {err.message}") from err
    return tuple(raw)


def _build(doc: dict[str, JSON], templates: dict[str, str], engine: str, source: str) -> InjectionConfig:
    policy = doc.get("policy")
    if policy is None or policy == "":
        policy = "enabled"
    if policy not in POLICIES:
        raise ConfigError(f"policy: {policy!r} is not one of {', '.join(POLICIES)}")
    defaults = doc.get("defaultTemplates") or ["sidecar"]
    if not isinstance(defaults, list) or not all(isinstance(n, str) for n in defaults):
        raise ConfigError("defaultTemplates: expected a list of template names")
    aliases_raw = doc.get("aliases") or {}
    if not isinstance(aliases_raw, dict):
        raise ConfigError(f"aliases: expected a mapping of name to a list of template names, got {_kind(aliases_raw)}")
    aliases: dict[str, tuple[str, ...]] = {}
    for name, targets in aliases_raw.items():
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ConfigError(f"aliases.{name}: expected a list of template names")
        aliases[str(name)] = tuple(targets)
    annotations = doc.get("injectedAnnotations") or {}
    if not isinstance(annotations, dict):
        raise ConfigError(f"injectedAnnotations: expected a mapping, got {_kind(annotations)}")
    return InjectionConfig(
        templates=templates,
        engine=engine,
        policy=str(policy),
        default_templates=tuple(defaults),
        aliases=aliases,
        never_inject_selector=check_selectors(doc.get("neverInjectSelector"), "neverInjectSelector"),
        always_inject_selector=check_selectors(doc.get("alwaysInjectSelector"), "alwaysInjectSelector"),
        injected_annotations={str(k): _annotation_text(v) for k, v in annotations.items()},
        source=source,
    )


def _annotation_text(value: JSON) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_selectors(raw: JSON, where: str) -> tuple[Mapping[str, JSON], ...]:
    """Shape-check a list of Kubernetes label selectors (matchLabels / matchExpressions)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected a list of label selectors, got {_kind(raw)}")
    out: list[Mapping[str, JSON]] = []
    for index, selector in enumerate(raw):
        here = f"{where}[{index}]"
        if selector is None:
            selector = {}
        if not isinstance(selector, dict):
            raise ConfigError(f"{here}: expected a label selector mapping, got {_kind(selector)}")
        for key in selector:
            if key not in ("matchLabels", "matchExpressions"):
                raise ConfigError(f"{here}: unknown key {key!r} (a label selector has matchLabels, matchExpressions)")
        labels = selector.get("matchLabels") or {}
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise ConfigError(f"{here}.matchLabels: expected a mapping of label to string value")
        for j, expr in enumerate(selector.get("matchExpressions") or []):
            _check_expression(expr, f"{here}.matchExpressions[{j}]")
        out.append(selector)
    return tuple(out)


def _check_expression(expr: JSON, here: str) -> None:
    if not isinstance(expr, dict) or not isinstance(expr.get("key"), str):
        raise ConfigError(f"{here}: expected a mapping with key, operator and values")
    operator = expr.get("operator")
    if operator not in SELECTOR_OPERATORS:
        raise ConfigError(f"{here}.operator: {operator!r} is not one of {', '.join(SELECTOR_OPERATORS)}")
    values = expr.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{here}.values: expected a list of strings")
    # Kubernetes rejects these combinations when it builds the selector.
    if operator in ("In", "NotIn") and not values:
        raise ConfigError(f"{here}: operator {operator} needs at least one value")
    if operator in ("Exists", "DoesNotExist") and values:
        raise ConfigError(f"{here}: operator {operator} takes no values")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "null"}.get(type(value), type(value).__name__)


def with_values(config: InjectionConfig, values: Mapping[str, JSON]) -> InjectionConfig:
    """The embedded config as the istiod chart would write it for these values:
    ``policy`` from ``global.proxy.autoInject``, ``defaultTemplates``, selectors and
    ``injectedAnnotations`` from ``sidecarInjectorWebhook``.  (Templates that the
    values add are Go templates: see ``values_templates``.)"""
    webhook = values.get("sidecarInjectorWebhook") or {}
    proxy = (values.get("global") or {}).get("proxy") or {}
    policy = proxy.get("autoInject") or config.policy
    if policy not in POLICIES:
        raise ConfigError(f"values global.proxy.autoInject: {policy!r} is not one of {', '.join(POLICIES)}")
    defaults = webhook.get("defaultTemplates") or list(config.default_templates)
    annotations = webhook.get("injectedAnnotations") or {}
    return InjectionConfig(
        templates=config.templates,
        engine=config.engine,
        policy=policy,
        default_templates=tuple(defaults),
        aliases=config.aliases,
        never_inject_selector=check_selectors(webhook.get("neverInjectSelector"),
                                              "values sidecarInjectorWebhook.neverInjectSelector"),
        always_inject_selector=check_selectors(webhook.get("alwaysInjectSelector"),
                                               "values sidecarInjectorWebhook.alwaysInjectSelector"),
        injected_annotations={**config.injected_annotations,
                              **{str(k): _annotation_text(v) for k, v in annotations.items()}},
        source=config.source,
        directory=config.directory,
        template_files=config.template_files,
    )


def values_templates(values: Mapping[str, JSON]) -> dict[str, str]:
    """Go templates added through ``values.sidecarInjectorWebhook.templates``
    (the chart appends them to the ConfigMap's ``templates``)."""
    raw = (values.get("sidecarInjectorWebhook") or {}).get("templates") or {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str)}

