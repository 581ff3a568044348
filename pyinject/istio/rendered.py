"""What a rendered injection must hold, for every release: a proxy, and no missing values where types are strict.

A template that reads a value nobody set prints ``<no value>`` (``<nil>`` for
a nil one) and carries on: Go's text/template does, and pyinject's Jinja2
templates follow it.  In a free-text field (an env value, an argument) that is
the template's business, but in a field Kubernetes types strictly (an image,
an integer such as ``containerPort``, a boolean, a resource quantity, an enum
such as ``imagePullPolicy``) it cannot be what the author meant, so it is an
error naming the config file line that printed it.  The same holds for a set
of templates that injects no ``istio-proxy`` container at all: "injected" with
nothing added is worse than an error.

Both the 1.0–1.8 path (:mod:`pyinject.istio.legacy`) and the Pod-shaped path
of 1.9 and later (:mod:`pyinject.inject`) use these checks; :class:`Source`
words where a template came from in either.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.errors import TemplateError
from pyinject.k8s.gojson import STRUCTS
from pyinject.model import InjectionConfig
from pyinject.records import dataclass

PROXY_CONTAINER = "istio-proxy"
#: What Go's text/template prints for a missing map key and for nil.
MISSING_MARKERS = ("<no value>", "<nil>")
#: Scalar kinds (k8s.gojson) that are typed strictly: a string there does not decode.
_STRICT_KINDS = frozenset({"int", "float", "bool", "quantity", "intstr"})
#: String fields that are not free text: an image reference, or one of a fixed set of words.
STRICT_STRINGS = frozenset({
    ("Container", "image"), ("Container", "imagePullPolicy"), ("Container", "terminationMessagePolicy"),
    ("Container", "restartPolicy"), ("ContainerPort", "protocol"), ("HTTPGetAction", "scheme"),
    ("VolumeMount", "mountPropagation"), ("VolumeMount", "recursiveReadOnly"), ("SecurityContext", "procMount"),
    ("SeccompProfile", "type"), ("AppArmorProfile", "type"), ("ContainerResizePolicy", "resourceName"),
    ("ContainerResizePolicy", "restartPolicy"), ("ContainerRestartRule", "action"),
    ("ContainerRestartRuleOnExitCodes", "operator"),
})
_CONTAINER_LISTS = ("containers", "initContainers")


def marker_in(value: Any) -> str | None:
    """The missing-value marker a string holds, or None."""
    if not isinstance(value, str):
        return None
    return next((m for m in MISSING_MARKERS if m in value), None)


def missing_value_problem(path: str, text: str) -> str:
    """The sentence for a missing value printed into a strictly typed field."""
    return f"renders {path}: {text!r}: the template printed {marker_in(text)} for a value it reads, which is not set"


def find_missing_value(type_name: str, value: Any, path: str) -> tuple[str, str] | None:
    """The first strictly typed field of ``value`` (read as Go struct ``type_name``) holding a marker:
    its path (``containers[istio-proxy].ports[0].containerPort``) and text."""
    if not isinstance(value, Mapping):
        return None
    for field in STRUCTS[type_name]:
        if field.kind.startswith("inline "):
            found = find_missing_value(field.kind[len("inline "):], value, path)
        else:
            strict = field.kind in _STRICT_KINDS or (type_name, field.name) in STRICT_STRINGS
            found = _find_in(field.kind, value.get(field.name), f"{path}.{field.name}", strict)
        if found is not None:
            return found
    return None


def _find_in(kind: str, raw: Any, path: str, strict: bool) -> tuple[str, str] | None:
    if raw is None:
        return None
    if kind.startswith("[]") and isinstance(raw, list):
        inner = kind[2:]
        for index, item in enumerate(raw):
            found = _find_in(inner, item, f"{path}[{index}]", strict or inner in _STRICT_KINDS)
            if found is not None:
                return found
        return None
    if kind.startswith("map[") and isinstance(raw, Mapping):
        inner = kind[4:-1]
        for key, item in raw.items():
            found = _find_in(inner, item, f"{path}.{key}", strict or inner in _STRICT_KINDS)
            if found is not None:
                return found
        return None
    name = kind.lstrip("*")
    if name in STRUCTS:
        return find_missing_value(name, raw, path)
    if strict and marker_in(raw) is not None:
        return path, str(raw)
    return None


def container_path(key: str, index: int, container: Any) -> str:
    """``containers[istio-proxy]`` (the index when the container has no name)."""
    name = container.get("name") if isinstance(container, Mapping) else None
    return f"{key}[{name or index}]"


def find_missing_in_pod_spec(spec: Mapping[str, Any]) -> tuple[str, str] | None:
    """:func:`find_missing_value` over the containers and init containers of a pod spec (or a
    SidecarInjectionSpec, which has the same two lists at its top), init containers first as Go decodes them."""
    for key in ("initContainers", "containers"):
        items = spec.get(key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            found = find_missing_value("Container", item, container_path(key, index, item))
            if found is not None:
                return found
    return None


def container_names(spec: Any, keys: Iterable[str] = _CONTAINER_LISTS) -> list[str]:
    """The names of a pod spec's containers (and init containers), in order."""
    if type(spec) is not dict and not isinstance(spec, Mapping):
        return []
    names: list[str] = []
    for key in keys:
        items = spec.get(key)
        if isinstance(items, list):
            names += [str(c.get("name")) for c in items
                      if (type(c) is dict or isinstance(c, Mapping)) and c.get("name") is not None]
    return names


def no_proxy_problem(rendered: Iterable[str], subject: str = "renders") -> str:
    """The sentence for an injection without an istio-proxy container."""
    names = ", ".join(rendered) or "none"
    return f"{subject} no {PROXY_CONTAINER} container (containers: {names}); nothing would be injected"


def has_proxy(user_names: Collection[str], template_spec: Any) -> bool:
    """Whether the pod ends up with an ``istio-proxy`` container (in ``containers``, or in
    ``initContainers`` for a native sidecar): the user's pod has one (``user_names`` are its
    containers' and init containers' names) or the rendering ``template_spec`` does."""
    return PROXY_CONTAINER in user_names or PROXY_CONTAINER in container_names(template_spec)


def renders_nothing(template_pod: Any) -> bool:
    """Whether the templates' merged rendering holds nothing at all (empty texts, empty maps and lists).

    Without a proxy, that is an injection that adds nothing: an error.  A
    rendering that holds something but no proxy is a template set that
    customises the pod without a sidecar: Istio's own tests have one that
    only adds an env var and a volume to the app containers, and gRPC's
    proxyless ``grpc-simple`` adds a bootstrap init container.  Those run, with
    a warning (:func:`no_proxy_warning`).
    """
    if isinstance(template_pod, Mapping):
        return all(renders_nothing(v) for v in template_pod.values())
    if isinstance(template_pod, list):
        return all(renders_nothing(v) for v in template_pod)
    return template_pod is None


def no_proxy_warning(names: list[str]) -> str:
    """The warning for templates that change the pod but add no sidecar."""
    subject = f"template {names[0]} adds" if len(names) == 1 else f"templates {', '.join(names)} add"
    return (f"{subject} no {PROXY_CONTAINER} container: the pod runs without a sidecar "
            "(as meant for proxyless or pod-customising templates)")


def nothing_rendered_problem(verb: str = "renders") -> str:
    """The sentence for templates that render nothing and leave the pod without a proxy."""
    return f"{verb} nothing (no {PROXY_CONTAINER} container, no other change to the pod); nothing would be injected"


@dataclass(frozen=True)
class Source:
    """Where a template came from, so errors can point into the config file."""

    config_file: str
    template_name: str
    template: str
    #: Line in the config file where the template's first line is (None if unknown).
    first_line: int | None = None

    def where(self, rendered_line: str | None = None) -> str:
        """``FILE:LINE: template NAME`` (the line that printed ``rendered_line`` when it can be found)."""
        line = template_line(self.template, rendered_line) if rendered_line is not None else None
        if line is None or self.first_line is None:
            at = f"{self.config_file}:{self.first_line}" if self.first_line is not None else self.config_file
            return f"{at}: template {self.template_name}" + (f" line {line}" if line is not None else "")
        return f"{self.config_file}:{self.first_line + line - 1}: template {self.template_name} line {line}"


def template_start_line(config_text: str, name: str) -> int | None:
    """The config-file line of a block-scalar template's first line (``template: |`` or ``NAME: |``)."""
    pattern = re.compile(rf"^(?:template|\s+{re.escape(name)}):\s*[|>][-+0-9]*\s*$")
    for index, line in enumerate(config_text.splitlines()):
        if pattern.match(line):
            return index + 2
    return None


_ACTION = r"\{\{.*?\}\}|\{%.*?%\}"  # compiled on first use (re's cache)


def template_line(template: str, rendered_line: str | None) -> int | None:
    """The template line most likely to have printed ``rendered_line`` (1-based), or None.

    Each template line becomes a pattern: its text literally, each action
    (``{{ }}``, or Jinja2's ``{% %}``) any text.  Of the lines that match, the
    one with the most literal text wins.
    """
    if rendered_line is None:
        return None
    target = rendered_line.strip()
    for number, line in enumerate(template.splitlines(), start=1):
        if "{{" not in line and line.strip() == target:
            return number
    best: tuple[int, int] | None = None
    for number, line in enumerate(template.splitlines(), start=1):
        if "{{" not in line:
            continue
        literal = re.split(_ACTION, line.strip())
        text_len = sum(len(p.strip()) for p in literal)
        if text_len == 0:
            continue
        pattern = ".*".join(re.escape(p) for p in literal)
        if re.fullmatch(pattern.strip(), target) and (best is None or text_len > best[0]):
            best = (text_len, number)
    return best[1] if best else None


def rendered_line(rendered: str, value: str, path: str | None = None) -> str | None:
    """The rendered line most likely to hold ``value``; with the field's ``path``
    (``containers[istio-proxy].ports[0].containerPort``), the first line after the
    container's ``name:`` that has the field's key and the value."""
    if not value:
        return None
    lines = rendered.splitlines()
    if path is not None:
        container = re.match(r"^\w+\[([^\]]*)\]", path)
        start = 0
        if container is not None:
            named = re.compile(rf"^\s*(?:-\s+)?name:\s*[\"']?{re.escape(container.group(1))}[\"']?\s*$")
            start = next((i for i, line in enumerate(lines) if named.match(line)), 0)
        key = re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1])
        keyed = re.compile(rf"^\s*(?:-\s+)?[\"']?{re.escape(key)}[\"']?\s*:")
        for candidates in (lines[start:], lines):
            found = next((line for line in candidates if keyed.match(line) and value in line), None)
            if found is not None:
                return found
    return next((line for line in lines if value in line), None)


@dataclass(frozen=True)
class Origins:
    """Where the templates of a 1.9+ run come from: the injection config (a file, or the
    embedded one) or the values (``sidecarInjectorWebhook.templates``)."""

    config: InjectionConfig
    extra_templates: Mapping[str, str]

    def source(self, name: str) -> Source:
        """Template ``name``'s :class:`Source` (its first line in a Go config file when it can be found)."""
        if name in self.extra_templates:
            return Source("values sidecarInjectorWebhook.templates", name, self.extra_templates[name])
        config = self.config
        text = config.templates.get(name, "")
        if config.source == "<embedded>":
            return Source("embedded injection config", name, text)
        first_line = None
        if config.engine == "go":
            try:
                with open(config.source, encoding="utf-8") as handle:
                    first_line = template_start_line(handle.read(), name)
            except OSError:
                pass
        return Source(config.source, name, text, first_line)

    def where(self, name: str, rendered: str | None = None) -> str:
        """``injection config FILE:LINE: template NAME line N`` (see :meth:`Source.where`)."""
        prefix = "" if name in self.extra_templates or self.config.source == "<embedded>" else "injection config "
        return prefix + self.source(name).where(rendered)

    def nothing_rendered(self, names: list[str]) -> str:
        """The error for selected templates that render nothing at all."""
        if len(names) == 1:
            return f"{self.where(names[0])}: {nothing_rendered_problem()}"
        listed = ", ".join(names) or "(none selected)"
        prefix = "" if self.config.source == "<embedded>" else f"injection config {self.config.source}: "
        return f"{prefix}templates {listed}: {nothing_rendered_problem('render')}"


def check_missing_values(origins: Origins, name: str, text: str, patch: Mapping[str, Any]) -> None:
    """A missing value printed into a strictly typed container field of a rendered Pod fragment
    (``patch``, rendered as ``text`` by template ``name``) is an error naming the template line."""
    if not any(marker in text for marker in MISSING_MARKERS):
        return
    spec = patch.get("spec")
    found = find_missing_in_pod_spec(spec) if isinstance(spec, Mapping) else None
    if found is None:
        return
    path, value = found
    raise TemplateError(f"{origins.where(name, rendered_line(text, value, path))}: {missing_value_problem(path, value)}")
