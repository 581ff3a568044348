"""Prometheus metrics merge: point the scrape annotations at the agent, keep the app's in the proxy env."""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from pyinject.model import JSON
from pyinject.golang.encoding_json import JSONStruct, go_json
from pyinject.istio.postprocess.pod import (
    PROMETHEUS_ENV,
    PROXY,
    Pod,
    annotations_of,
    env_list,
    find_in_pod,
    mesh_status_port,
    parse_go_bool,
)

if TYPE_CHECKING:
    from pyinject.istio.postprocess import PostprocessContext

MERGE_ANNOTATION = "prometheus.istio.io/merge-metrics"
#: What the agent serves merged (Envoy + app) metrics on.
AGENT_METRICS_PATH = "/stats/prometheus"

#: Prometheus reads ``prometheus.io/scrape``, ``prometheus.io.scrape`` and
#: ``prometheus-io/scrape`` alike: it maps every character outside [a-zA-Z0-9_]
#: to "_" before matching.  These are the canonical keys and their common form.
CANONICAL = {
    "scrape": "prometheus.io/scrape",
    "port": "prometheus.io/port",
    "path": "prometheus.io/path",
}
_SANITIZED = {"prometheus_io_" + field: field for field in CANONICAL}
_INVALID_LABEL_CHAR = re.compile(r"[^a-zA-Z0-9_]")
_SANITIZED_LENGTHS = frozenset(len(key) for key in _SANITIZED)


def scrape_field(key: str) -> str | None:
    """``scrape``/``port``/``path`` when ``key`` is a spelling of that Prometheus annotation."""
    text = str(key)
    # Replacing characters keeps the length and the valid ones: most keys are ruled out unread.
    if not text.startswith("prometheus") or len(text) not in _SANITIZED_LENGTHS:
        return None
    return _SANITIZED.get(_INVALID_LABEL_CHAR.sub("_", text))


def _find_all(anns: Mapping[str, Any]) -> dict[str, tuple[str, JSON]]:
    """For each of scrape/port/path the pod has: its annotation, the canonical key if
    present, else the first spelling (one look at the annotations for the three)."""
    found = {field: (key, anns[key]) for field, key in CANONICAL.items() if key in anns}
    if len(found) < len(CANONICAL):
        for key, value in anns.items():
            field = scrape_field(key)
            if field is not None and field not in found:
                found[field] = (str(key), value)
    return found


def merge_enabled(mesh_config: Mapping[str, JSON], anns: Mapping[str, Any]) -> bool:
    """The pod's ``prometheus.istio.io/merge-metrics`` if it parses, else the mesh's
    ``enablePrometheusMerge``, else on."""
    if MERGE_ANNOTATION in anns:
        parsed = parse_go_bool(anns[MERGE_ANNOTATION])
        if parsed is not None:
            return parsed
    mesh_value = mesh_config.get("enablePrometheusMerge")
    if type(mesh_value) is dict or isinstance(mesh_value, Mapping):  # proto BoolValue written as {"value": ...}
        mesh_value = mesh_value.get("value")
    return bool(mesh_value) if mesh_value is not None else True


def scrape_enabled(anns: Mapping[str, Any]) -> bool:
    """False only when a scrape annotation says a boolean false; absent means scrape."""
    return _scrape_enabled(_find_all(anns).get("scrape"))


def _scrape_enabled(found: tuple[str, JSON] | None) -> bool:
    if found is None:
        return True
    parsed = parse_go_bool(found[1])
    return True if parsed is None else parsed


def merge_prometheus(pod: Pod, ctx: PostprocessContext) -> None:
    """Move the app's Prometheus annotations into the proxy and point them at the agent.

    Applies when metrics merging is on (``prometheus.istio.io/merge-metrics``,
    else the mesh's ``enablePrometheusMerge``, default on) and the pod does not
    say ``prometheus.io/scrape: "false"``.  The app's scrape/port/path values are
    recorded as ``ISTIO_PROMETHEUS_ANNOTATIONS`` on ``istio-proxy`` (JSON
    ``{"scrape":..,"path":..,"port":..}``) so the agent can scrape the app and
    merge its metrics with Envoy's; the annotations become ``scrape: "true"``,
    ``port: <status port>``, ``path: /stats/prometheus``.  A pod whose port
    annotation already names the status port is left alone (it was merged
    before).  Other spellings of the three keys are removed, since Prometheus
    would pick one of them at random.
    """
    anns = annotations_of(pod, create=True)
    assert anns is not None
    # The annotations are read once here: nothing below changes them before _clear_variants.
    found = _find_all(anns)
    if not _scrape_enabled(found.get("scrape")) or not merge_enabled(ctx.mesh_config, anns):
        return
    target = str(mesh_status_port(ctx.proxy_config))
    current_port = found.get("port")
    if current_port is not None and str(current_port[1]) == target:
        return
    scrape = JSONStruct((field, "") for field in ("scrape", "path", "port"))
    for field in scrape:
        spelling = found.get(field)
        if spelling is not None:
            scrape[field] = str(spelling[1])
    sidecar = find_in_pod(pod, PROXY)
    if sidecar is not None and any(scrape.values()):
        env_list(sidecar).append({"name": PROMETHEUS_ENV, "value": go_json(scrape)})
    _clear_variants(anns)
    anns[CANONICAL["port"]] = target
    anns[CANONICAL["path"]] = AGENT_METRICS_PATH
    anns[CANONICAL["scrape"]] = "true"


def _clear_variants(anns: MutableMapping[str, Any]) -> None:
    """Drop every non-canonical spelling; canonical keys stay in place to be overwritten."""
    for key in [k for k in anns if scrape_field(k) is not None and k not in CANONICAL.values()]:
        del anns[key]
