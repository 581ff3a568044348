"""Prometheus metrics merge (Istio's applyPrometheusMerge) on small pods."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.istio.postprocess import PostprocessContext
from pyinject.istio.postprocess.prometheus import merge_prometheus, scrape_field


def ctx(merge: bool | None = None) -> PostprocessContext:
    mesh = {} if merge is None else {"enablePrometheusMerge": merge}
    return PostprocessContext(template_pod={}, original_pod={}, values={}, mesh_config=mesh, proxy_config={"statusPort": 15020})


def pod(annotations: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"annotations": dict(annotations)},
        "spec": {"containers": [{"name": "app"}, {"name": "istio-proxy", "env": []}]},
    }


AGENT = {"prometheus.io/port": "15020", "prometheus.io/path": "/stats/prometheus", "prometheus.io/scrape": "true"}

CASES = [
    ("no-annotations", {}, None, AGENT, None),
    (
        "app-port-recorded",
        {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
        None,
        AGENT,
        '{"scrape":"true","path":"","port":"8080"}',
    ),
    (
        "variant-spellings-cleared",
        {"prometheus.io.path": "/m", "prometheus-io/port": "9090", "other": "x"},
        None,
        {**AGENT, "other": "x"},
        '{"scrape":"","path":"/m","port":"9090"}',
    ),
    ("scrape-false-untouched", {"prometheus.io/scrape": "false"}, None, {"prometheus.io/scrape": "false"}, None),
    ("dotted-scrape-false-untouched", {"prometheus.io.scrape": "false"}, None, {"prometheus.io.scrape": "false"}, None),
    ("unparsable-scrape-merges", {"prometheus.io/scrape": "yes"}, None, AGENT, '{"scrape":"yes","path":"","port":""}'),
    ("mesh-disables", {"prometheus.io/port": "80"}, False, {"prometheus.io/port": "80"}, None),
    (
        "annotation-beats-mesh",
        {"prometheus.istio.io/merge-metrics": "true", "prometheus.io/port": "80"},
        False,
        {"prometheus.istio.io/merge-metrics": "true", **AGENT},
        '{"scrape":"","path":"","port":"80"}',
    ),
    (
        "annotation-disables",
        {"prometheus.istio.io/merge-metrics": "false"},
        True,
        {"prometheus.istio.io/merge-metrics": "false"},
        None,
    ),
    ("already-merged", {"prometheus.io/port": "15020"}, None, {"prometheus.io/port": "15020"}, None),
    ("spelling-already-merged", {"prometheus-io/port": "15020"}, None, {"prometheus-io/port": "15020"}, None),
    (
        "canonical-beats-earlier-spelling",
        {"prometheus-io/port": "1", "prometheus.io/port": "2"},
        None,
        AGENT,
        '{"scrape":"","path":"","port":"2"}',
    ),
    (
        "first-spelling-wins",
        {"prometheus-io/path": "/a", "prometheus.io.path": "/b", "prometheus.io.scrape": "true"},
        None,
        AGENT,
        '{"scrape":"true","path":"/a","port":""}',
    ),
]


@pytest.mark.parametrize(("anns", "merge", "want_anns", "want_env"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_merge(anns: dict[str, str], merge: bool | None, want_anns: dict[str, str], want_env: str | None) -> None:
    p = pod(anns)
    merge_prometheus(p, ctx(merge))
    assert p["metadata"]["annotations"] == want_anns
    env = p["spec"]["containers"][1]["env"]
    assert env == ([] if want_env is None else [{"name": "ISTIO_PROMETHEUS_ANNOTATIONS", "value": want_env}])


def test_canonical_keys_keep_their_place() -> None:
    p = pod({"prometheus.io/port": "8080", "a": "1"})
    merge_prometheus(p, ctx())
    assert list(p["metadata"]["annotations"]) == ["prometheus.io/port", "a", "prometheus.io/path", "prometheus.io/scrape"]


def test_pod_without_annotations_gets_them() -> None:
    p: dict[str, Any] = {"spec": {"containers": [{"name": "istio-proxy"}]}}
    merge_prometheus(p, ctx())
    assert p["metadata"]["annotations"] == AGENT
    assert "env" not in p["spec"]["containers"][0]


@pytest.mark.parametrize(
    ("key", "want"),
    [("prometheus.io/scrape", "scrape"), ("prometheus_io_port", "port"), ("prometheus-io.path", "path"), ("prometheus.io/other", None)],
    ids=["slash", "underscores", "mixed", "other-key"],
)
def test_scrape_field(key: str, want: str | None) -> None:
    assert scrape_field(key) == want


def test_scrape_field_agrees_with_sanitizing_every_key() -> None:
    """The length and prefix shortcut rules out only keys the sanitized spelling rejects."""
    import re

    sanitized = {"prometheus_io_scrape": "scrape", "prometheus_io_port": "port", "prometheus_io_path": "path"}
    keys = ["prometheus.io/scrape", "prometheus.io/scrapes", "Prometheus.io/port", "xprometheus.io/port",
            "prometheus\u00e9io/port", "prometheus.io/p\u00f6rt", "prometheus.io/path ", "prometheus", "",
            "prometheus::io/port", "prometheus.io.path", "prometheus/io/scrape", "prometheus_io_path\n"]
    for key in keys:
        assert scrape_field(key) == sanitized.get(re.sub(r"[^a-zA-Z0-9_]", "_", key)), key
