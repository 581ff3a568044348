"""The mesh config a 1.0–1.8 istioctl builds: the cluster's file over that release's built-in defaults.

``istioctl kube-inject --meshConfigFile`` applies the file over the defaults
compiled into *its own* binary, and from 1.6 ``protoToJSON`` leaves out the
ProxyConfig fields equal to those defaults.  A 1.5 mesh config applied over
today's defaults would gain fields 1.5 never had (a zipkin address, concurrency
2, ``MUTUAL_TLS``), so each release's defaults are data here
(``pyinject/data/legacy-mesh-defaults.yaml``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pyinject.istio.releases import Release


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    from importlib import resources

    from pyinject.config.layers import parse_yaml

    text = resources.files("pyinject.data").joinpath("legacy-mesh-defaults.yaml").read_text("utf-8")
    loaded = parse_yaml(text, "embedded legacy mesh defaults")
    assert isinstance(loaded, dict)
    return loaded


def builtin_mesh(release: Release) -> dict[str, Any]:
    """The release's compiled-in MeshConfig (its ``defaultConfig`` included)."""
    return copy.deepcopy(dict(_table()[release.mesh_defaults]))


def builtin_proxy_config(release: Release) -> dict[str, Any]:
    """The release's compiled-in ProxyConfig (``mesh.DefaultProxyConfig``)."""
    return dict(builtin_mesh(release).get("defaultConfig") or {})


def release_mesh(release: Release, mesh_file_doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """What that istioctl makes of ``--meshConfigFile``: the file applied over its defaults.

    Without a file, istioctl reads the cluster's ``istio`` ConfigMap; offline
    there is none, so the defaults alone stand.
    """
    from pyinject.config.mesh import apply_mesh, normalize_mesh

    base = normalize_mesh(builtin_mesh(release), "builtin meshConfig")
    if not mesh_file_doc:
        return base
    return apply_mesh(base, normalize_mesh(dict(mesh_file_doc), "meshConfig"))
