"""pyinject's own injection templates: a sandboxed Jinja2 environment, compiled once.

The embedded templates in ``templates/*.yaml.j2`` reproduce what Istio 1.30.3's Go
templates inject.  This module compiles them once (caching the compiled code between
runs), maps a ``TemplateContext`` to the variables they read, and renders them; the
Go, sprig and Istio behaviour the templates call lives in ``jinja_funcs``.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from pyinject.golang import protojson
from pyinject.errors import TemplateExecError, TemplateSyntaxError
from pyinject.golang.values import Int32, Int64, go_values
from pyinject.render.jinja_funcs import (
    GoError,
    GoUndefined,
    StringMap,
    annotation,
    append_multus_network,
    directory,
    exclude_inbound_port,
    go_eq,
    go_ne,
    go_print,
    go_sprint,
    istio_indent,
    json_entries,
    omit_nil,
    otel_resource_attributes,
    pod_ports_json,
    sprig_default,
    sprig_nindent,
    sprig_quote,
    sprig_trunc,
    to_yaml,
    trim_suffix,
    value_or_default,
)
from pyinject.model import TemplateContext

#: Template file for a name when the caller does not map names to files.
TEMPLATE_SUFFIX = ".yaml.j2"


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


def _string_map(data: Any) -> StringMap:
    return StringMap((str(k), "" if v is None else str(v)) for k, v in (data or {}).items())


def template_variables(ctx: TemplateContext) -> dict[str, Any]:
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
        "values": go_values(ctx.values),
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

    def names(self) -> tuple[str, ...]:
        return tuple(self.templates)

    def render(self, name: str, ctx: TemplateContext) -> str:
        """The Pod fragment (``metadata:`` + ``spec:``) template ``name`` yields for ``ctx``."""
        template = self.templates.get(name)
        if template is None:
            have = ", ".join(sorted(self.templates)) or "none"
            raise TemplateExecError(f'template "{name}" not found; have {have}')
        try:
            return template.render(template_variables(ctx))
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
    from pyinject.config.inject_config import templates_dir

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
