"""``EstimatedConcurrency``: the proxy concurrency istioctl 1.11–1.17 worked out for its templates.

Those releases' templates wrote ``--concurrency N`` from this number.  It is the
ProxyConfig's ``concurrency`` when above 0; when set to 0, the CPU that the
``sidecar.istio.io/proxyCPULimit`` annotation, else ``proxyCPU``, else the
values' ``global.proxy.resources`` (limit, then request) give, rounded up to
whole cores; 2 otherwise, and whenever ``concurrency`` is not set at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pyinject.istio.legacy.probes import QUANTITY, milli_value

CPU_LIMIT_ANNOTATION = "sidecar.istio.io/proxyCPULimit"
CPU_ANNOTATION = "sidecar.istio.io/proxyCPU"
FALLBACK = 2


def estimate_concurrency(proxy_config: Mapping[str, Any], annotations: Mapping[str, str],
                         values: Mapping[str, Any]) -> int:
    """The release's estimate for one pod (see the module docstring)."""
    configured = proxy_config.get("concurrency")
    if configured is None:
        return FALLBACK
    if isinstance(configured, Mapping):  # a wrapper message written as {"value": N}
        configured = configured.get("value", 0)
    try:
        if int(configured) > 0:
            return int(configured)
    except (TypeError, ValueError):
        return FALLBACK
    for key in (CPU_LIMIT_ANNOTATION, CPU_ANNOTATION):
        if key in annotations:
            cores = _cores(annotations[key])
            return FALLBACK if cores is None else cores
    glob = values.get("global")
    proxy = glob.get("proxy") if isinstance(glob, Mapping) else None
    resources = proxy.get("resources") if isinstance(proxy, Mapping) else None
    if isinstance(resources, Mapping):
        for kind in ("limits", "requests"):
            amounts = resources.get(kind)
            if isinstance(amounts, Mapping) and "cpu" in amounts:
                cores = _cores(amounts["cpu"])
                if cores is not None:
                    return cores
    return FALLBACK


def _cores(quantity: Any) -> int | None:
    """Whole cores, rounded up; None when the quantity does not parse."""
    if QUANTITY.match(str(quantity).strip()) is None:
        return None
    return math.ceil(milli_value(quantity) / 1000)
