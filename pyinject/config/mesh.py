"""Mesh config and ProxyConfig: Istio's merge rules, value normalisation and checks.

Istio decodes a mesh config onto its built-in defaults with protobuf-JSON rules
(``mesh.ApplyMeshConfig``), which differ from a deep merge:

* a top-level field that is present replaces the default *whole* (a message is
  not merged field by field; ``outboundTrafficPolicy: {}`` resets the mode);
* ``null`` is ignored (the default stays);
* ``defaultConfig`` is the exception: it is applied field by field over the
  default ProxyConfig, each ProxyConfig field again replacing whole, except
  ``proxyMetadata``, whose keys are merged, and ``proxyHeaders``, whose unset
  sub-fields keep the earlier value;
* ``defaultProviders`` is applied field by field over the previous providers;
* ``extensionProviders`` merge by ``name``: a known name gets the new provider
  in place, a new name is appended;
* ``trustDomainAliases`` is the sorted union of old and new.

The pod annotation ``proxy.istio.io/config`` is applied over the mesh's
``defaultConfig`` with the ProxyConfig rule above.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.config.layers import JSON, format_path, parse_yaml
from pyinject.errors import ConfigError
from pyinject.golang import memo
from pyinject.golang.durations import format_proto_duration, parse_duration

PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"

#: ProxyConfig and MeshConfig fields that are google.protobuf.Duration.
_PROXY_DURATIONS = ("drainDuration", "parentShutdownDuration", "terminationDrainDuration",
                    "discoveryRefreshDelay", "fileFlushInterval")
_MESH_DURATIONS = ("connectTimeout", "protocolDetectionTimeout", "dnsRefreshRate")

#: Enum fields: protobuf-JSON accepts the number as well as the name.
_PROXY_ENUMS: dict[str, tuple[str, ...]] = {
    "interceptionMode": ("REDIRECT", "TPROXY", "NONE"),
    "tracingServiceName": ("APP_LABEL_AND_NAMESPACE", "CANONICAL_NAME_ONLY", "CANONICAL_NAME_AND_NAMESPACE"),
}
_AUTH_POLICY = {0: "NONE", 1: "MUTUAL_TLS", 1000: "INHERIT"}
_MESH_ENUMS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("outboundTrafficPolicy", "mode"): ("REGISTRY_ONLY", "ALLOW_ANY"),
    ("inboundTrafficPolicy", "mode"): ("PASSTHROUGH", "LOCALHOST"),
    ("accessLogEncoding",): ("TEXT", "JSON"),
    ("ingressControllerMode",): ("UNSPECIFIED", "OFF", "DEFAULT", "STRICT"),
    ("h2UpgradePolicy",): ("DO_NOT_UPGRADE", "UPGRADE"),
}


# --------------------------------------------------------------------------- durations

def _duration(value: JSON, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a duration such as 5s or 1m30s, got {value!r}")
    try:
        return format_proto_duration(parse_duration(value.strip()))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a duration such as 5s, 1m30s or 500ms") from None


# --------------------------------------------------------------------------- normalising


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _enum(value: JSON, names: tuple[str, ...], where: str, numbers: Mapping[int, str] | None = None) -> JSON:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        table = numbers if numbers is not None else dict(enumerate(names))
        if value in table:
            return table[value]
        raise ConfigError(f"{where}: {value} is not a valid value (use one of {', '.join(names)})")
    return value


def normalize_proxy_config(pc: dict[str, JSON], where: str) -> dict[str, JSON]:
    """Spell a ProxyConfig the way Istio would after decoding it: durations as ``Ns``,
    enums by name, ``concurrency`` as a number."""
    out = dict(pc)
    for key in _PROXY_DURATIONS:
        if out.get(key) is not None:
            out[key] = _duration(out[key], _at(where, key))
    for key, names in _PROXY_ENUMS.items():
        if out.get(key) is not None:
            out[key] = _enum(out[key], names, _at(where, key))
    if out.get("controlPlaneAuthPolicy") is not None:
        out["controlPlaneAuthPolicy"] = _enum(out["controlPlaneAuthPolicy"], tuple(_AUTH_POLICY.values()),
                                              _at(where, "controlPlaneAuthPolicy"), _AUTH_POLICY)
    for key in ("concurrency", "statusPort", "proxyAdminPort", "statNameLength"):
        value = out.get(key)
        # protobuf-JSON takes integers written as strings too.
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
            out[key] = int(value)
    return out


def normalize_mesh(mesh: dict[str, JSON], where: str) -> dict[str, JSON]:
    out = dict(mesh)
    for key in _MESH_DURATIONS:
        if out.get(key) is not None:
            out[key] = _duration(out[key], _at(where, key))
    for path, names in _MESH_ENUMS.items():
        holder: Any = out
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and holder.get(path[-1]) is not None:
            holder[path[-1]] = _enum(holder[path[-1]], names, _at(where, ".".join(path)))
    if isinstance(out.get("defaultConfig"), dict):
        out["defaultConfig"] = normalize_proxy_config(out["defaultConfig"], _at(where, "defaultConfig"))
    return out


# --------------------------------------------------------------------------- merging


def apply_proxy_config(base: Mapping[str, JSON], top: Mapping[str, JSON]) -> dict[str, JSON]:
    """Istio's ProxyConfig rule: fields replace whole, ``proxyMetadata`` keys merge,
    unset ``proxyHeaders`` sub-fields keep the earlier value, ``null`` changes nothing."""
    out = copy.deepcopy(dict(base))
    for key, value in top.items():
        if value is None:
            continue
        if key == "proxyMetadata" and isinstance(value, dict):
            merged = dict(out.get("proxyMetadata") or {})
            merged.update(value)
            out[key] = merged
        elif key == "proxyHeaders" and isinstance(value, dict) and isinstance(out.get(key), dict):
            merged = copy.deepcopy(value)
            for sub, old in out[key].items():
                if merged.get(sub) is None:
                    merged[sub] = old
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_mesh(base: Mapping[str, JSON], top: Mapping[str, JSON]) -> dict[str, JSON]:
    """Apply a mesh config document over ``base`` the way ``mesh.ApplyMeshConfig`` does."""
    out = copy.deepcopy(dict(base))
    for key, value in top.items():
        if value is None:
            continue
        if key == "defaultConfig" and isinstance(value, dict):
            out[key] = apply_proxy_config(out.get(key) or {}, value)
        elif key == "defaultProviders" and isinstance(value, dict):
            merged = dict(out.get(key) or {})
            merged.update({k: copy.deepcopy(v) for k, v in value.items() if v is not None})
            out[key] = merged
        elif key == "extensionProviders" and isinstance(value, list):
            providers = [copy.deepcopy(p) for p in out.get(key) or []]
            for provider in value:
                name = provider.get("name") if isinstance(provider, dict) else None
                for index, known in enumerate(providers):
                    if isinstance(known, dict) and known.get("name") == name:
                        providers[index] = copy.deepcopy(provider)
                        break
                else:
                    providers.append(copy.deepcopy(provider))
            out[key] = providers
        elif key == "trustDomainAliases" and isinstance(value, list):
            out[key] = sorted(set(out.get(key) or []) | set(value))
        else:
            out[key] = copy.deepcopy(value)
    return out


# --------------------------------------------------------------------------- checks


def _valid_port(value: JSON) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def validate_proxy_config(pc: Mapping[str, JSON], where: str) -> None:
    """The checks Istio's agent validation makes on a ProxyConfig, as far as they
    concern an injected pod: required paths, ports, the discovery address."""
    for key in ("configPath", "binaryPath"):
        if not pc.get(key):
            raise ConfigError(f"{_at(where, key)}: must be set")
    for key in ("proxyAdminPort", "statusPort"):
        if key in pc and not _valid_port(pc[key]):
            raise ConfigError(f"{_at(where, key)}: {pc[key]!r} is not a port number (1-65535)")
    for key in ("concurrency", "statNameLength"):
        value = pc.get(key)
        if isinstance(value, int) and value < 0:
            raise ConfigError(f"{_at(where, key)}: must not be negative, got {value}")
    address = pc.get("discoveryAddress")
    if address:
        host, sep, port = str(address).rpartition(":")
        if not sep or not host or not port.isdigit() or not _valid_port(int(port)):
            raise ConfigError(f"{_at(where, 'discoveryAddress')}: {address!r} is not HOST:PORT")
    policy = pc.get("controlPlaneAuthPolicy")
    if policy is not None and policy not in ("NONE", "MUTUAL_TLS"):
        raise ConfigError(f"{_at(where, 'controlPlaneAuthPolicy')}: {policy!r} is not NONE or MUTUAL_TLS")


# --------------------------------------------------------------------------- the pod's ProxyConfig


def parse_proxy_config_annotation(text: str) -> dict[str, JSON]:
    """Parse the ``proxy.istio.io/config`` annotation (a YAML or JSON ProxyConfig);
    errors name the annotation."""
    prefix = f"annotation {PROXY_CONFIG_ANNOTATION}"
    try:
        parsed = parse_yaml(text, "the value")
        if parsed is None:
            return {}
        if not isinstance(parsed, dict):
            raise ConfigError(f"expected a mapping of ProxyConfig fields, got {type(parsed).__name__}")
        from pyinject.config.schemas import check

        problems = check(parsed, "mesh", strict=False, definition="ProxyConfig")
        if problems:
            raise ConfigError(f"{format_path(problems[0].path)}: {problems[0].message}")
        return normalize_proxy_config(parsed, "")
    except ConfigError as err:
        raise ConfigError(f"{prefix}: {err.message}") from err


def effective_proxy_config(mesh: Mapping[str, JSON], annotations: Mapping[str, str]) -> dict[str, JSON]:
    """The pod's ProxyConfig: the mesh's ``defaultConfig`` with the pod's
    ``proxy.istio.io/config`` annotation applied over it, Istio's way.

    This is what Istio hands the templates as ``.ProxyConfig``: the full
    effective ProxyConfig.  The ``PROXY_CONFIG`` variable a template renders with
    ``protoToJSON`` is shorter because that function drops fields still equal to
    Istio's built-in defaults (``{}`` for a stock install).
    """
    return _effective_proxy_config(mesh.get("defaultConfig") or {}, annotations.get(PROXY_CONFIG_ANNOTATION))


#: Every pod of a run starts from the same defaultConfig, and most carry one of a few annotations.
@memo.by_data(256, fresh=True)
def _effective_proxy_config(default_config: Mapping[str, JSON], text: str | None) -> dict[str, JSON]:
    base = dict(default_config)
    if text is None:
        return copy.deepcopy(base)
    result = apply_proxy_config(base, parse_proxy_config_annotation(text))
    try:
        validate_proxy_config(result, "")
    except ConfigError as err:
        raise ConfigError(f"annotation {PROXY_CONFIG_ANNOTATION}: {err.message}") from err
    return result
