"""SidecarTemplateData of Istio 1.0–1.8: the template's dot, with each release's field types.

The Go-struct views of :mod:`pyinject.render.go_data` follow the current
Istio API.  Older releases had fields since removed (``ProxyConfig.ConnectTimeout``,
``MeshConfig.DisablePolicyChecks``, ``SdsUdsPath``) and typed some differently
(``ProxyConfig.Concurrency`` was a plain ``int32`` before 1.7, ``ServiceCluster``
a plain field before it joined a oneof).  :data:`FIELD_OVERRIDES` lists those
as data; :class:`ReleaseMessage` reads them first and defers to the current
table for everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pyinject.golang.protojson import ProtoField, field_value
from pyinject.golang.values import GoObject
from pyinject.istio.releases import Release
from pyinject.model import TemplateContext
from pyinject.records import dataclass
from pyinject.render import go_data

PROXY_CONFIG = "istio.mesh.v1alpha1.ProxyConfig"
MESH_CONFIG = "istio.mesh.v1alpha1.MeshConfig"


@dataclass(frozen=True)
class FieldOverride:
    """A protobuf field as releases ``first``..``last`` declared it."""

    message: str
    name: str  # proto field name
    type: str  # protojson type code, as in data/istio_types.json
    first: tuple[int, int]
    last: tuple[int, int]


#: Fields of the old APIs that differ from (or are missing in) the current table.
FIELD_OVERRIDES: tuple[FieldOverride, ...] = (
    FieldOverride(PROXY_CONFIG, "connect_timeout", "wkt:Duration", (1, 0), (1, 8)),
    FieldOverride(PROXY_CONFIG, "concurrency", "int32", (1, 0), (1, 6)),
    FieldOverride(PROXY_CONFIG, "service_cluster", "string", (1, 0), (1, 8)),
    FieldOverride(MESH_CONFIG, "mixer_check_server", "string", (1, 0), (1, 8)),
    FieldOverride(MESH_CONFIG, "mixer_report_server", "string", (1, 0), (1, 8)),
    FieldOverride(MESH_CONFIG, "disable_policy_checks", "bool", (1, 0), (1, 8)),
    FieldOverride(MESH_CONFIG, "disable_mixer_http_reports", "bool", (1, 6), (1, 8)),
    FieldOverride(MESH_CONFIG, "policy_check_fail_open", "bool", (1, 0), (1, 8)),
    FieldOverride(MESH_CONFIG, "sidecar_to_telemetry_session_affinity", "bool", (1, 0), (1, 8)),
    FieldOverride(MESH_CONFIG, "report_batch_max_entries", "uint32", (1, 3), (1, 8)),
    FieldOverride(MESH_CONFIG, "report_batch_max_time", "wkt:Duration", (1, 3), (1, 8)),
    FieldOverride(MESH_CONFIG, "sds_uds_path", "string", (1, 1), (1, 8)),
    FieldOverride(MESH_CONFIG, "enable_sds_token_mount", "bool", (1, 1), (1, 8)),
    FieldOverride(MESH_CONFIG, "mixer_address", "string", (1, 0), (1, 0)),
    FieldOverride(MESH_CONFIG, "auth_policy", "enum:istio.mesh.v1alpha1.MeshConfig.AuthPolicy", (1, 0), (1, 0)),
)


def overrides_for(release: Release, message: str) -> dict[str, ProtoField]:
    """Go field name -> field, for the overrides that apply to ``release``."""
    out: dict[str, ProtoField] = {}
    for o in FIELD_OVERRIDES:
        if o.message == message and o.first <= release.version <= o.last:
            f = ProtoField(o.name, 0, o.type, None)
            out[f.go_name] = f
    return out


class ReleaseMessage(go_data.Message):
    """A ProxyConfig or MeshConfig as one release's Go struct saw it."""

    __slots__ = ("_overrides",)

    def __init__(self, type_name: str, raw: Mapping[str, Any] | None, overrides: Mapping[str, ProtoField]) -> None:
        super().__init__(type_name, raw)
        self._overrides = overrides

    def _override(self, go_name: str) -> tuple[bool, Any]:
        f = self._overrides.get(go_name)
        if f is None:
            return False, None
        raw = self.raw or {}
        return True, go_data._proto_value(f, field_value(raw, f))

    def go_field(self, name: str) -> Any:
        found, value = self._override(name)
        if found:
            return value
        return super().go_field(name)

    def go_method(self, name: str) -> Callable[..., Any] | None:
        if name.startswith("Get") and len(name) > 3:
            found, value = self._override(name[3:])
            if found:
                return lambda: value
        return super().go_method(name)


class LegacyTemplateData(GoObject):
    """The dot of a 1.0–1.8 template: only the fields that release's struct had."""

    __slots__ = ("_ctx", "_release", "_cache")

    def __init__(self, ctx: TemplateContext, release: Release) -> None:
        self._ctx = ctx
        self._release = release
        self._cache: dict[str, Any] = {}

    @property
    def context(self) -> TemplateContext:
        return self._ctx

    def go_type(self) -> str:
        return "*inject.SidecarTemplateData"

    def go_field(self, name: str) -> Any:
        if name not in self._release.data_fields:
            raise KeyError(name)
        try:
            return self._cache[name]
        except KeyError:
            pass
        value = self._build(name)
        self._cache[name] = value
        return value

    def _build(self, name: str) -> Any:
        ctx = self._ctx
        if name == "ProxyConfig":
            return ReleaseMessage(PROXY_CONFIG, ctx.proxy_config, overrides_for(self._release, PROXY_CONFIG))
        if name == "MeshConfig":
            return ReleaseMessage(MESH_CONFIG, ctx.mesh_config, overrides_for(self._release, MESH_CONFIG))
        return go_data._DATA_FIELDS[name](ctx)

    def go_format(self) -> str:
        return "{" + " ".join(self._release.data_fields) + "}"
