"""The template functions of Istio 1.0–1.8, as each release offered them.

Most are today's Istio functions unchanged (they come from the current
table); the ones that behaved differently then are defined here:

- ``formatDuration`` took a gogo ``*types.Duration``; a nil one printed ``1s``
  (the conversion error's fallback), not ``0s``.
- ``protoToJSON`` printed the whole message until 1.5; from 1.6 a ProxyConfig
  lost the fields equal to *that release's* built-in defaults.
- ``render TEXT`` (1.5–1.8) parses TEXT as another template and runs it on the
  same data, with the same functions; any failure renders ``""``.
- ``toJson`` is the 1.0 spelling of ``toJSON``.

Which names exist is the release's (``Release.functions``); 1.8 also had
sprig's functions underneath.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from typing import Any

from pyinject.golang import protojson
from pyinject.golang.durations import duration_string, parse_proto_duration
from pyinject.istio.legacy.mesh import builtin_proxy_config
from pyinject.istio.legacy.view import overrides_for
from pyinject.istio.releases import Release
from pyinject.render.go_data import Duration, Message

#: The data the template being executed runs on, for ``render``.
_CURRENT_DATA: contextvars.ContextVar[Any] = contextvars.ContextVar("legacy_template_data")

#: ProxyConfig fields 1.6's cleanProxyConfig compares with the defaults (1.7 added two).
_CLEANED_1_6 = ("configPath", "binaryPath", "serviceCluster", "drainDuration", "parentShutdownDuration",
                "discoveryAddress", "envoyMetricsService", "envoyAccessLogService", "tracing", "proxyAdminPort",
                "statNameLength", "statusPort", "concurrency")
_CLEANED_1_7 = _CLEANED_1_6 + ("controlPlaneAuthPolicy", "terminationDrainDuration")
_DURATIONS = ("drainDuration", "parentShutdownDuration", "terminationDrainDuration")


def format_duration(value: Any) -> str:
    """``formatDuration``: a duration as Go's time.Duration prints it; nil gives ``1s``."""
    if value is None or (isinstance(value, Duration) and value.go_is_nil()):
        return "1s"
    if isinstance(value, Duration):
        return duration_string(value.nanoseconds())
    from pyinject.golang.values import GoFuncError, type_name

    raise GoFuncError(f"wrong type for value; expected *types.Duration; got {type_name(value)}")


def _message_equal(a: Any, b: Any) -> bool:
    """Whether two proto-JSON values are the same message (unset and zero fields alike)."""

    def norm(v: Any) -> Any:
        if isinstance(v, Mapping):
            return {k: norm(x) for k, x in v.items() if x not in (None, "", 0, False, {}, [])}
        return v

    return bool(norm(a) == norm(b))


def clean_proxy_config(release: Release, pc: Mapping[str, Any]) -> dict[str, Any]:
    """The release's cleanProxyConfig: listed fields equal to its defaults are dropped."""
    defaults = builtin_proxy_config(release)
    listed = _CLEANED_1_7 if release.version >= (1, 7) else _CLEANED_1_6
    out: dict[str, Any] = {}
    for key, value in pc.items():
        if key in listed:
            default = defaults.get(key)
            if key in _DURATIONS:
                same = value is not None and default is not None and parse_proto_duration(str(value)) == \
                    parse_proto_duration(str(default))
            else:
                same = _message_equal(value, default)
            if same:
                continue
        out[key] = value
    return out


#: Scalar proto types: a field of one of these holding its zero value is not printed by jsonpb.
_PLAIN_SCALARS = ("int32", "uint32", "int64", "uint64", "bool", "string", "double", "float")


def _without_plain_zeros(release: Release, type_name: str, raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``raw`` less the fields the release declared as plain scalars and that hold zero.

    Where the current API has a wrapper (``concurrency`` has been an Int32Value
    since 1.7), an explicit 0 is printed; in the release that declared a plain
    ``int32`` it is indistinguishable from unset, and jsonpb leaves it out.
    """
    zero = [f for f in overrides_for(release, type_name).values()
            if f.type in _PLAIN_SCALARS and protojson.field_value(raw, f) in (0, False, "")]
    if not zero:
        return raw
    names = {n for f in zero for n in (f.name, f.json_name)}
    return {k: v for k, v in raw.items() if k not in names}


def make_proto_to_json(release: Release) -> Callable[[Any], str]:
    """``protoToJSON`` of the release (jsonpb, compact)."""

    def proto_to_json(value: Any) -> str:
        if value is None:
            return "{}"
        if not isinstance(value, Message):
            from pyinject.golang.values import GoFuncError, type_name

            raise GoFuncError(f"wrong type for value; expected proto.Message; got {type_name(value)}")
        if value.raw is None:
            return "{}"
        raw: Mapping[str, Any] = value.raw
        if value.type_name == "istio.mesh.v1alpha1.ProxyConfig" and release.clean_proxy_config:
            raw = clean_proxy_config(release, raw)
        return protojson.proto_json(_without_plain_zeros(release, value.type_name, raw), value.type_name)

    return proto_to_json


def make_render(functions: Callable[[], Mapping[str, Callable[..., Any]]]) -> Callable[[str], str]:
    """``render TEXT``: TEXT run as a template on the current data; ``""`` on any failure."""

    def render(text: str) -> str:
        from pyinject.gotemplate import parse
        from pyinject.gotemplate.errors import GoTemplateError

        data = _CURRENT_DATA.get(None)
        try:
            return str(parse(text, "inject", functions()).execute(data))
        except (GoTemplateError, RecursionError):
            return ""

    return render


def execute_with_data(template: Any, data: Any) -> str:
    """Run a parsed template with ``data`` visible to ``render``."""
    token = _CURRENT_DATA.set(data)
    try:
        return str(template.execute(data))
    finally:
        _CURRENT_DATA.reset(token)


def release_funcs(release: Release, environ: Mapping[str, str]) -> dict[str, Callable[..., Any]]:
    """The function table a release parsed its template with (Go's builtins come from the engine)."""
    from pyinject.istio.gofuncs import istio_funcs

    current = istio_funcs(environ)
    to_yaml = current["toYaml"]

    def to_yaml_of_release(value: Any) -> str:
        from pyinject.golang.goyaml import line_width

        with line_width(release.yaml_fold):
            return str(to_yaml(value))

    own: dict[str, Callable[..., Any]] = {
        "formatDuration": format_duration,
        "protoToJSON": make_proto_to_json(release),
        "toJson": current["toJSON"],
        "toYaml": to_yaml_of_release,
    }
    table: dict[str, Callable[..., Any]] = {}
    if release.sprig:
        from pyinject.sprig.table import SPRIG_FUNCS

        table.update(SPRIG_FUNCS)
    for name in release.functions:
        if name == "render":
            continue
        table[name] = own.get(name) or current[name]
    if "render" in release.functions:
        table["render"] = make_render(lambda: table)
    return table
