"""``functionConfig`` -> Options: a ConfigMap whose data holds the flags, or a ``SidecarInjection``.

Both carry the settings ``kube-inject`` takes as flags, under the same names
(istioctl's ``injectConfigFile``, ``valuesFile``, ``meshConfigFile``,
``operatorFileName``; pyinject's ``set``, ``revision``, ``nativeSidecars``,
``podTemplates``, ``knownKinds``), plus ``injectConfig``, ``values`` and
``meshConfig`` holding the content itself, as the cluster's ConfigMaps do, so a
function needs no files beside it.  A ConfigMap's data values are strings:
lists are one item a line, booleans ``true``/``false``, and the flag spellings
(``native-sidecars``, ``pod-template``, ``known-kinds``) are accepted too.
Settings given here replace the command line's.

The typed form, ``apiVersion: pyinject.local/v1alpha1``, ``kind: SidecarInjection``,
keeps them under ``spec`` with their natural types.  Its group ends in
``.local`` on purpose: the object is read by this function only, never served
by an API server, and claims no domain.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pyinject import records
from pyinject.errors import ConfigError
from pyinject.model import Options

TYPED_API_VERSION = "pyinject.local/v1alpha1"
TYPED_KIND = "SidecarInjection"

#: setting -> (Options field, kind of value).  The one list of what functionConfig may hold.
SETTINGS: dict[str, tuple[str, str]] = {
    "injectConfigFile": ("inject_config_file", "path"),
    "valuesFile": ("values_file", "path"),
    "meshConfigFile": ("mesh_config_file", "path"),
    "operatorFileName": ("operator_file", "path"),
    "injectConfig": ("inject_config_file", "content"),
    "values": ("values_file", "content"),
    "meshConfig": ("mesh_config_file", "content"),
    "set": ("sets", "list"),
    "revision": ("revision", "string"),
    "nativeSidecars": ("native_sidecars", "bool"),
    "rewriteTcpProbes": ("rewrite_tcp_probes", "bool"),
    "podTemplates": ("pod_templates", "list"),
    "knownKinds": ("known_kinds", "bool"),
}
#: Flag spellings a ConfigMap may use as well.
ALIASES = {"native-sidecars": "nativeSidecars", "rewrite-tcp-probes": "rewriteTcpProbes", "pod-template": "podTemplates", "pod-templates": "podTemplates",
           "podTemplate": "podTemplates", "known-kinds": "knownKinds", "revision": "revision", "sets": "set"}


def settings_of(config: Any) -> dict[str, Any]:
    """The settings a functionConfig holds, by their canonical names; {} for none."""
    if config is None or config == {}:
        return {}
    if not isinstance(config, dict):
        raise ConfigError("functionConfig must be a mapping")
    kind, api_version = config.get("kind"), config.get("apiVersion")
    if kind == "ConfigMap" and api_version == "v1":
        data = config.get("data") or {}
        if not isinstance(data, dict):
            raise ConfigError("functionConfig ConfigMap: data must be a mapping")
        return _check({ALIASES.get(str(k), str(k)): v for k, v in data.items()}, "functionConfig ConfigMap data", strings=True)
    if kind == TYPED_KIND and api_version == TYPED_API_VERSION:
        spec = config.get("spec") or {}
        if not isinstance(spec, dict):
            raise ConfigError(f"functionConfig {TYPED_KIND}: spec must be a mapping")
        return _check(dict(spec), f"functionConfig {TYPED_KIND} spec", strings=False)
    raise ConfigError(
        f"functionConfig {api_version}/{kind} is not understood; give a v1 ConfigMap or "
        f"{TYPED_API_VERSION} {TYPED_KIND}"
    )


def _check(raw: dict[str, Any], where: str, *, strings: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key not in SETTINGS:
            problems.append(f"unknown setting {key!r} (have {', '.join(SETTINGS)})")
            continue
        kind = SETTINGS[key][1]
        try:
            out[key] = _coerce(value, kind, strings)
        except ValueError as err:
            problems.append(f"{key}: {err}")
    for a, b in (("injectConfig", "injectConfigFile"), ("values", "valuesFile"), ("meshConfig", "meshConfigFile")):
        if a in out and b in out:
            problems.append(f"{a} and {b} exclude each other")
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return out


def _coerce(value: Any, kind: str, strings: bool) -> Any:
    if kind == "bool":
        if isinstance(value, bool) and not strings:
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(f"{value!r} is not true or false")
    if kind == "list":
        if isinstance(value, str) and strings:
            return tuple(part.strip() for line in value.splitlines() for part in (line,) if part.strip())
        if isinstance(value, list) and not strings and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValueError("must be a list of strings" + (" (one a line)" if strings else ""))
    if kind == "content":
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and not strings:
            return json.dumps(value)  # YAML is a superset of JSON: every loader reads it
        raise ValueError("must be the file's text" + ("" if strings else " or a mapping"))
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


@contextmanager
def apply_settings(options: Options, settings: dict[str, Any]) -> Iterator[Options]:
    """``options`` with the settings applied; inline contents live in temporary files until the block ends."""
    changes: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pyinject-krm-") as folder:
        for key, value in settings.items():
            field, kind = SETTINGS[key]
            if kind == "content":
                path = os.path.join(folder, f"{key}.yaml")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(value)
                value = path
            changes[field] = value
        yield records.replace(options, **changes)
