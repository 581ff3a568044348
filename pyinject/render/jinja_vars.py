"""The variables the Jinja injection templates read, from a ``TemplateContext``.

Both back ends of the embedded templates (Jinja2's and the compiled one) and
users' Jinja templates render on these; Go's zero values fill unset fields.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.golang.values import Int32, Int64, go_values
from pyinject.model import TemplateContext
from pyinject.render.holes import Hole
from pyinject.render.jinja_runtime import string_map



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


def _container_name(container: Mapping[str, Any]) -> Any:
    name = container.get("name") or ""
    return name if type(name) is Hole else str(name)


def template_variables(ctx: TemplateContext) -> dict[str, Any]:
    """What the templates read, with Go's zero values filled in for unset fields."""
    meta = ctx.object_meta or {}
    spec = ctx.spec or {}
    proxy = ctx.proxy_config or {}
    mesh = ctx.mesh_config or {}
    tracing = proxy.get("tracing")
    tracing_tls = tracing.get("tlsSettings") if isinstance(tracing, Mapping) else None
    containers = spec.get("containers") or []
    metadata = string_map(proxy.get("proxyMetadata"))
    return {
        "annotations": string_map(meta.get("annotations")),
        "labels": string_map(meta.get("labels")),
        "spec": spec,
        "containers": containers,
        "app_containers": [_container_name(c) for c in containers if c.get("name") != "istio-proxy"],
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

