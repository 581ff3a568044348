"""pyinject's own injection templates: a sandboxed Jinja2 environment and the helpers they call.

The embedded templates in ``templates/*.yaml.j2`` reproduce what Istio 1.30.3's Go
templates inject.  This module compiles them once, maps a ``TemplateContext`` to the
variables they read, and provides the Istio template functions they need (``annotation``,
``excludeInboundPort``, ``protoToJSON`` ...) with Go's output rules: the text these
produce lands in pod specs, where a ``True`` instead of ``true`` or ``15020.0`` instead
of ``15020`` would be a different manifest.
"""

from __future__ import annotations

import json
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from pyinject import goyaml, istiofmt, protojson
from pyinject.errors import TemplateExecError, TemplateSyntaxError
from pyinject.gotemplate.gofmt import format_value
from pyinject.gotemplate.strconv import quote
from pyinject.gotemplate.values import GoInt, Int32, Int64
from pyinject.model import TemplateContext

#: Template file for a name when the caller does not map names to files.
TEMPLATE_SUFFIX = ".yaml.j2"


class GoError(Exception):
    """A helper failed the way the Go function it mirrors returns an error."""


class GoUndefined(jinja2.Undefined):
    """A missing map key: Go's zero value.

    It prints ``<no value>`` and is false, like a missing key in Go's text/template;
    reading a field *of* it fails, like Go's "nil pointer evaluating interface {}.x".
    An unknown *variable* is a mistake in the template, not in the data: it fails
    wherever it is used, as with StrictUndefined.
    """

    __slots__ = ()

    def _is_unknown_variable(self) -> bool:
        # An unknown variable (a template mistake) and an attribute the sandbox
        # refuses are errors wherever they are used; only missing keys are Go's zero.
        return self._undefined_obj is jinja2.utils.missing or self._undefined_exception is SecurityError

    def __str__(self) -> str:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return "<no value>"

    def __bool__(self) -> bool:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return False

    def __iter__(self) -> Any:
        if self._is_unknown_variable():
            self._fail_with_undefined_error()
        return iter(())


def _nil(value: Any) -> Any:
    if isinstance(value, jinja2.Undefined):
        if isinstance(value, GoUndefined) and value._is_unknown_variable():
            value._fail_with_undefined_error()
        return None
    return value


class StringMap(dict):  # type: ignore[type-arg]
    """A Go ``map[string]string`` (labels, annotations, proxyMetadata): a missing key is ""."""

    def __missing__(self, key: str) -> str:
        return ""


def go_print(value: Any) -> str:
    """Text of ``{{ value }}`` as Go's template engine prints it (``%v``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<no value>"
    if isinstance(value, jinja2.Undefined):
        return str(value)
    return format_value(value)


def to_go(data: Any) -> Any:
    """Helm values as Go holds them after json.Unmarshal: every number is a float64.

    Typed Go integers (``Int64`` for the proxy UID, ``Int32`` for proto ports) stay integers.
    """
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return data
    if isinstance(data, GoInt):
        return data
    if isinstance(data, int):
        return float(data)
    if isinstance(data, Mapping):
        return {str(k): to_go(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [to_go(v) for v in data]
    return data


def go_sprint(value: Any) -> str:
    """fmt.Sprint of one operand; nil prints ``<nil>``."""
    value = _nil(value)
    if value is None:
        return "<nil>"
    return format_value(value)


@jinja2.pass_context
def annotation(context: jinja2.runtime.Context, name: str, default: Any) -> str:
    """Istio ``annotation``: the pod's annotation, else the default as fmt.Sprint prints it."""
    annotations = context.get("annotations") or {}
    if name in annotations:
        return str(annotations[name])
    return go_sprint(default)


# --------------------------------------------------------------------------
# sprig and text/template built-ins the templates use


def is_empty(value: Any) -> bool:
    """sprig's notion of empty: nil, zero, false, and empty strings, lists and maps."""
    value = _nil(value)
    if value is None:
        return True
    if isinstance(value, (bool, int, float, str, list, tuple, Mapping)):
        return not value
    return False


def sprig_default(value: Any, fallback: Any) -> Any:
    """``value | default fallback``: the fallback when the value is empty."""
    return fallback if is_empty(value) else value


def sprig_quote(value: Any) -> str:
    """sprig ``quote``: Go-escaped double-quoted text; nil quotes to nothing."""
    value = _nil(value)
    if value is None:
        return ""
    return quote(value if isinstance(value, str) else go_sprint(value))


def sprig_trunc(value: Any, length: int) -> str:
    """sprig ``trunc``: Go slices strings by bytes, so multi-byte runes may split."""
    raw = go_print(value).encode("utf-8", "surrogateescape")
    if len(raw) > length:
        raw = raw[:length]
    return raw.decode("utf-8", "surrogateescape")


def trim_suffix(value: str, suffix: str) -> str:
    """strings.TrimSuffix: removes one trailing occurrence."""
    return value[: -len(suffix)] if suffix and value.endswith(suffix) else value


def _basic_kind(value: Any) -> str:
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def go_eq(left: Any, right: Any, _op: str = "eq") -> bool:
    """text/template ``eq``: comparing a string with a number is an error, not false."""
    left, right = _nil(left), _nil(right)
    k1, k2 = _basic_kind(left), _basic_kind(right)
    if k1 != k2:
        if k1 != "invalid" and k2 != "invalid":
            raise GoError(f"error calling {_op}: incompatible types for comparison")
        return False
    if k1 == "other":
        raise GoError(f"error calling {_op}: non-comparable types")
    return bool(left == right)


def go_ne(left: Any, right: Any) -> bool:
    """text/template ``ne``: the negation of ``eq``, with the same errors."""
    return not go_eq(left, right, "ne")


# --------------------------------------------------------------------------
# Istio's template functions (pkg/kube/inject/template.go)


def value_or_default(value: Any, fallback: Any) -> Any:
    """Istio ``valueOrDefault``: only nil and "" count as unset (0 and false do not)."""
    value = _nil(value)
    return fallback if value is None or value == "" else value


def exclude_inbound_port(port: Any, excluded: str) -> str:
    """Istio ``excludeInboundPort``: add the status port to the excluded inbound ports once."""
    return istiofmt.exclude_inbound_port(go_sprint(port), excluded)


def append_multus_network(existing: Any, network: str) -> str:
    """Istio ``appendMultusNetwork``: add istio-cni to a Multus network list.

    The annotation is either a comma list (``alt_cni, default/istio-cni``) or JSON, where
    ``namespace/name`` is written as separate keys.  A list that already has the network
    is left alone, as is JSON that does not parse.
    """
    text = str(_nil(existing) or "")
    if text == "":
        return network
    namespace, _, name = network.rpartition("/")
    bracket = text.rfind("]")
    if bracket != -1:
        try:
            entries = json.loads(text)
        except ValueError:
            return text
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return text
        for entry in entries:
            if entry.get("name") == network or (
                entry.get("name") == name and (entry.get("namespace") or "") == namespace
            ):
                return text
        added = f'{{"name": "{name}", "namespace": "{namespace}"}}' if namespace else f'{{"name": "{name}"}}'
        return text[:bracket] + ", " + added + text[bracket:]
    if any(part.strip() == network for part in text.split(",")):
        return text
    return f"{text}, {network}"


def directory(path: Any) -> str:
    """Istio ``directory``: path.Split's directory, trailing slash kept."""
    path = _nil(path)
    text = "" if path is None else path if isinstance(path, str) else go_print(path)
    return text[: text.rfind("/") + 1]


def json_entries(text: Any) -> list[tuple[Any, Any]]:
    """``range $k, $v := fromJSON ...``: sorted map entries or indexed list items.

    Istio's ``fromJSON`` turns bad JSON into the string "{}", and ranging over a string
    fails, so bad JSON stops the injection here too.
    """
    try:
        data = to_go(json.loads(_nil(text) or ""))
    except ValueError:
        raise GoError("range can't iterate over {}") from None
    if isinstance(data, dict):
        return sorted(data.items())
    if isinstance(data, list):
        return list(enumerate(data))
    if data is None:
        return []
    raise GoError(f"range can't iterate over {go_sprint(data)}")


def istio_indent(text: str, spaces: int) -> str:
    """Istio's ``indent``: pad every line but the first (the call site indents that one)."""
    return text.replace("\n", "\n" + " " * spaces)


def sprig_nindent(text: str, spaces: int) -> str:
    """sprig ``nindent``: a newline, then every line padded."""
    pad = " " * spaces
    return "\n" + pad + text.replace("\n", "\n" + pad)


def omit_nil(value: Any) -> Any:
    """Istio ``omitNil``: drop null map entries and list items, recursively.

    A map or list that loses entries and ends up empty becomes nil itself; one that
    was empty to begin with is kept.  A ``null`` under ``global.proxy.resources`` is
    how a user removes a default limit.
    """
    value = _nil(value)
    if isinstance(value, Mapping):
        kept = {k: omit_nil(v) for k, v in value.items()}
        out = {k: v for k, v in kept.items() if v is not None}
        return None if value and not out else out
    if isinstance(value, (list, tuple)):
        items = [c for c in (omit_nil(i) for i in value) if c is not None]
        return None if value and not items else items
    return value


def to_yaml(value: Any) -> str:
    """Istio ``toYaml`` (sigs.k8s.io/yaml): block YAML with sorted keys, ending in a newline."""
    return goyaml.go_yaml(to_go(_nil(value)))


def pod_ports_json(containers: Any) -> str:
    """ISTIO_META_POD_PORTS: each container port as Go's JSON of corev1.ContainerPort.

    The layout (one port per line, a leading comma from the second on, four spaces of
    indent) is what Istio's template produces; the agent parses it as JSON.
    """
    lines = ["["]
    first = True
    for container in containers or ():
        for port in container.get("ports") or ():
            entry = _container_port_json(port)
            lines.append("    " + ("" if first else ",") + entry)
            first = False
    lines.append("]")
    return "\n".join(lines)


def _container_port_json(port: Mapping[str, Any]) -> str:
    # encoding/json of corev1.ContainerPort: struct field order, omitempty on all but containerPort.
    out = istiofmt.JSONStruct()
    if port.get("name"):
        out["name"] = str(port["name"])
    if port.get("hostPort"):
        out["hostPort"] = int(port["hostPort"])
    out["containerPort"] = int(port.get("containerPort") or 0)
    if port.get("protocol"):
        out["protocol"] = str(port["protocol"])
    if port.get("hostIP"):
        out["hostIP"] = str(port["hostIP"])
    return istiofmt.go_json(out)


def otel_resource_attributes(
    mesh: Mapping[str, Any],
    annotations: Mapping[str, str],
    labels: Mapping[str, str],
    namespace: str,
    containers: Any,
) -> str:
    """OTEL_RESOURCE_ATTRIBUTES for OpenTelemetry semantic-convention enrichment.

    Only when an OpenTelemetry extension provider asks for
    ``serviceAttributeEnrichment: OTEL_SEMANTIC_CONVENTIONS``; each attribute takes the
    first value of the OTel Kubernetes fallback chain (``resource.opentelemetry.io/*``
    annotation, then Kubernetes metadata).
    """
    wanted = False
    for provider in mesh.get("extensionProviders") or ():
        otel = (provider or {}).get("opentelemetry")
        if otel and otel.get("serviceAttributeEnrichment") in ("OTEL_SEMANTIC_CONVENTIONS", 1):
            wanted = True
            break
    if not wanted:
        return ""
    prefix = "resource.opentelemetry.io/"
    apps = [c for c in containers or () if c.get("name") != "istio-proxy"]
    attrs: list[str] = []
    ns = annotations.get(prefix + "service.namespace") or namespace
    if ns:
        attrs.append(f"service.namespace={ns}")
    version = annotations.get(prefix + "service.version") or labels.get("app.kubernetes.io/version")
    if not version and len(apps) == 1:
        version = _image_version(str(apps[0].get("image") or ""))
    if version:
        attrs.append(f"service.version={version}")
    instance = annotations.get(prefix + "service.instance.id")
    if not instance:
        parts = [namespace] if namespace else []
        parts.append("$(POD_NAME)")
        if len(apps) == 1 and apps[0].get("name"):
            parts.append(str(apps[0]["name"]))
        instance = ".".join(parts)
    attrs.append(f"service.instance.id={instance}")
    return ",".join(attrs)


def _image_version(image: str) -> str:
    # The tag (or digest) of the image reference, ignoring a registry port.
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


# --------------------------------------------------------------------------
# The environment


class _Environment(SandboxedEnvironment):
    """Sandboxed, with Go's map semantics: ``a.b`` on a mapping is always the key ``b``.

    Without this, a values key named ``items`` or ``values`` would resolve to the
    dict method, and a missing key would not print ``<no value>``.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) or isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, GoUndefined) and not obj._is_unknown_variable():
            # Go: a field of a missing map key is missing too (`.a.missing.x` prints <no value>).
            return self.undefined(obj=obj, name=attribute)
        if obj is None:
            # Go: a field of a nil value (a JSON null) is an error.
            raise GoError(f"nil pointer evaluating interface {{}}.{attribute}")
        return super().getattr(obj, attribute)


_FILTERS: dict[str, Callable[..., Any]] = {
    "fallback": sprig_default,
    "goquote": sprig_quote,
    "trunc_bytes": sprig_trunc,
    "trim_suffix": trim_suffix,
    "to_yaml": to_yaml,
    "omit_nil": omit_nil,
    "istio_indent": istio_indent,
    "nindent": sprig_nindent,
    "gostr": go_print,
}

_GLOBALS: dict[str, Callable[..., Any]] = {
    "go_eq": go_eq,
    "go_ne": go_ne,
    "value_or_default": value_or_default,
    "exclude_inbound_port": exclude_inbound_port,
    "append_multus_network": append_multus_network,
    "directory": directory,
    "json_entries": json_entries,
    "pod_ports_json": pod_ports_json,
    "proxy_config_json": protojson.proxy_config_json,
    "otel_resource_attributes": otel_resource_attributes,
    "sprint": go_sprint,
    "annotation": annotation,
}


#: Where compiled templates are cached between runs; "" turns the cache off.
CACHE_DIR_VARIABLE = "PYINJECT_CACHE_DIR"


def bytecode_cache(environ: Mapping[str, str] | None = None) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates in the user's cache directory, or None.

    Compiling the embedded templates is the largest part of a small run's
    start-up; Jinja keys each entry by the template's source checksum, so an
    edited template is never served stale.  ``PYINJECT_CACHE_DIR`` moves the
    cache, and set to an empty string turns it off; an unwritable directory
    just means no cache.
    """
    env = os.environ if environ is None else environ
    configured = env.get(CACHE_DIR_VARIABLE)
    if configured == "":
        return None
    if configured is None:
        base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        configured = os.path.join(base, "pyinject")
    directory = os.path.join(configured, f"jinja-{jinja2.__version__}")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(directory, os.W_OK):
        return None
    return jinja2.FileSystemBytecodeCache(directory)


def _make_environment(loader: jinja2.BaseLoader) -> _Environment:
    env = _Environment(
        loader=loader,
        bytecode_cache=bytecode_cache(),
        undefined=GoUndefined,
        finalize=go_print,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_FILTERS)
    env.globals.update(_GLOBALS)
    return env


# --------------------------------------------------------------------------
# Context -> template variables


def _enum_name(value: Any, names: tuple[str, ...]) -> str:
    # A proto enum as Go's String() prints it; the zero value when unset.
    if value is None or value == "":
        return names[0]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return str(value)


def _wrapped_bool(value: Any) -> bool:
    # A google.protobuf.BoolValue in proto-JSON is a bare bool; GetValue() of nil is false.
    if isinstance(value, Mapping):
        value = value.get("value")
    return bool(value) if isinstance(value, bool) else False


class _ValuesCache:
    """Values are shared by every pod of a run: convert them to Go types once."""

    def __init__(self) -> None:
        self.source: Any = None
        self.converted: Any = None

    def get(self, values: Any) -> Any:
        if values is not self.source:
            self.converted = to_go(values)
            self.source = values
        return self.converted


def _string_map(data: Any) -> StringMap:
    return StringMap((str(k), "" if v is None else str(v)) for k, v in (data or {}).items())


def template_variables(ctx: TemplateContext, values: Any = None) -> dict[str, Any]:
    """What the templates read, with Go's zero values filled in for unset fields."""
    meta = ctx.object_meta or {}
    spec = ctx.spec or {}
    proxy = ctx.proxy_config or {}
    mesh = ctx.mesh_config or {}
    tracing = proxy.get("tracing")
    tracing_tls = tracing.get("tlsSettings") if isinstance(tracing, Mapping) else None
    containers = spec.get("containers") or []
    metadata = _string_map(proxy.get("proxyMetadata"))
    return {
        "annotations": _string_map(meta.get("annotations")),
        "labels": _string_map(meta.get("labels")),
        "spec": spec,
        "containers": containers,
        "app_containers": [
            str(c.get("name") or "") for c in containers if c.get("name") != "istio-proxy"
        ],
        "service_account": spec.get("serviceAccountName") or "",
        "owner_name": ctx.deployment_meta.get("name") or "",
        "owner_namespace": ctx.deployment_meta.get("namespace") or "",
        "owner_api_version": ctx.type_meta.get("apiVersion") or "",
        "owner_kind": ctx.type_meta.get("kind") or "",
        "proxy": proxy,
        "interception_mode": _enum_name(proxy.get("interceptionMode"), ("REDIRECT", "TPROXY", "NONE")),
        "hold_application": _wrapped_bool(proxy.get("holdApplicationUntilProxyStarts")),
        "proxy_metadata": sorted(metadata.items()),
        "proxy_metadata_map": metadata,
        "tracing_tls": tracing_tls,
        "mesh": mesh,
        "mesh_trust_domain": mesh.get("trustDomain") or "",
        "proxy_listen_port": Int32(mesh.get("proxyListenPort") or 0),
        "proxy_inbound_listen_port": Int32(mesh.get("proxyInboundListenPort") or 0),
        "values": to_go(ctx.values) if values is None else values,
        "revision": ctx.revision,
        "native_sidecars": ctx.native_sidecars,
        "proxy_image": ctx.proxy_image,
        "proxy_uid": Int64(ctx.proxy_uid),
        "proxy_gid": Int64(ctx.proxy_gid),
        "inbound_mode": ctx.inbound_traffic_policy_mode,
        "compliance_policy": ctx.compliance_policy,
    }


# --------------------------------------------------------------------------
# Loading and rendering


@dataclass(frozen=True)
class JinjaTemplates:
    """Compiled embedded templates; compile once, render once per pod."""

    env: jinja2.Environment
    templates: Mapping[str, jinja2.Template]
    _values: _ValuesCache = field(default_factory=_ValuesCache, compare=False, repr=False)

    def names(self) -> tuple[str, ...]:
        return tuple(self.templates)

    def render(self, name: str, ctx: TemplateContext) -> str:
        """The Pod fragment (``metadata:`` + ``spec:``) template ``name`` yields for ``ctx``."""
        template = self.templates.get(name)
        if template is None:
            have = ", ".join(sorted(self.templates)) or "none"
            raise TemplateExecError(f'template "{name}" not found; have {have}')
        try:
            return template.render(template_variables(ctx, self._values.get(ctx.values)))
        except TemplateExecError:
            raise
        except (GoError, jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as err:
            raise TemplateExecError(f"template: {_where(name, template, err)}: {_describe(err)}") from err


def _describe(err: BaseException) -> str:
    if isinstance(err, jinja2.UndefinedError):
        return f"nil pointer evaluating {err.message}"
    return str(err) or type(err).__name__


def _where(name: str, template: jinja2.Template, err: BaseException) -> str:
    """``NAME:LINE``, or ``NAME: FILE:LINE`` when the failure is inside an imported macro file.

    Jinja rewrites tracebacks so template frames carry the template's file and line.
    """
    frames = [
        f for f in traceback.extract_tb(err.__traceback__)
        if f.filename.endswith(".j2") or f.filename == "<template>"
    ]
    if not frames:
        return name
    last = frames[-1]
    own = template.filename or "<template>"
    if last.filename == own or Path(last.filename).name == Path(own).name:
        return f"{name}:{last.lineno}"
    return f"{name}: {Path(last.filename).name}:{last.lineno}"


def compile_jinja_templates(
    sources: Mapping[str, str], directory: str | Path | None = None
) -> JinjaTemplates:
    """Compile template sources (name -> text), as ``InjectionConfig.templates`` holds them.

    ``{% import %}`` looks in ``directory`` (the config file's folder), then in the
    embedded templates, so a user's Jinja config can reuse ``_proxy.j2``.
    """
    return load_jinja_templates(directory, {name: text for name, text in sources.items()})


def load_jinja_templates(
    directory: str | Path | None, names: Mapping[str, str] | Iterable[str]
) -> JinjaTemplates:
    """Compile the named templates once.

    ``names`` maps each template name to a file in ``directory`` (``sidecar.yaml.j2``,
    as ``inject-config.yaml`` lists them) or to the template text itself (as
    ``InjectionConfig.templates`` holds it); a plain list of names means
    ``NAME.yaml.j2``.  Imports resolve in ``directory``, then in the embedded templates.
    """
    from pyinject.config_inject import templates_dir

    refs = dict(names) if isinstance(names, Mapping) else {n: n + TEMPLATE_SUFFIX for n in names}
    sources = {name: ref for name, ref in refs.items() if not _is_file_name(ref)}
    loaders: list[jinja2.BaseLoader] = [jinja2.DictLoader(sources)]
    if directory is not None:
        loaders.append(jinja2.FileSystemLoader(str(directory)))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = _make_environment(jinja2.ChoiceLoader(loaders))
    compiled = {
        name: _compile(env, name if name in sources else ref, name) for name, ref in refs.items()
    }
    return JinjaTemplates(env=env, templates=compiled)


def _is_file_name(ref: str) -> bool:
    return ref.endswith(".j2") and "\n" not in ref


def _compile(env: jinja2.Environment, file: str, name: str) -> jinja2.Template:
    try:
        return env.get_template(file)
    except jinja2.TemplateNotFound as err:
        raise TemplateSyntaxError(f'template "{name}": file {err.name} not found') from err
    except jinja2.TemplateSyntaxError as err:
        where = err.filename or err.name or file
        raise TemplateSyntaxError(f"template: {Path(where).name}:{err.lineno}: {err.message}") from err
