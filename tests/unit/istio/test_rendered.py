"""The checks every release's rendered injection passes (pyinject.istio.rendered), on data written here."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.errors import TemplateError
from pyinject.istio.legacy.spec import Source, decode_spec
from pyinject.istio.rendered import find_missing_in_pod_spec, has_proxy, rendered_line, renders_nothing


@pytest.mark.parametrize(("spec", "want"), [
    pytest.param({"containers": [{"name": "p", "image": "<no value>/proxyv2"}]},
                 ("containers[p].image", "<no value>/proxyv2"), id="image"),
    pytest.param({"containers": [{"name": "p", "ports": [{"containerPort": "<no value>"}]}]},
                 ("containers[p].ports[0].containerPort", "<no value>"), id="integer"),
    pytest.param({"initContainers": [{"name": "i", "securityContext": {"runAsNonRoot": "<nil>"}}]},
                 ("initContainers[i].securityContext.runAsNonRoot", "<nil>"), id="pointer-boolean"),
    pytest.param({"containers": [{"resources": {"requests": {"memory": "<no value>Mi"}}}]},
                 ("containers[0].resources.requests.memory", "<no value>Mi"), id="quantity-unnamed-container"),
    pytest.param({"containers": [{"name": "p", "readinessProbe": {"httpGet": {"port": "<no value>"}}}]},
                 ("containers[p].readinessProbe.httpGet.port", "<no value>"), id="inline-probe-handler"),
    pytest.param({"containers": [{"name": "p", "imagePullPolicy": "<no value>"}]},
                 ("containers[p].imagePullPolicy", "<no value>"), id="enum"),
    pytest.param({"containers": [{"name": "p", "env": [{"name": "A", "value": "<no value>"}],
                                  "args": ["--x=<no value>"]}]}, None, id="free-text-is-not-strict"),
    pytest.param({"containers": [{"name": "p", "ports": [{"containerPort": 80}]}]}, None, id="clean"),
    pytest.param({"containers": "not a list"}, None, id="shape-errors-are-not-this-check"),
])
def test_find_missing_in_pod_spec(spec: dict[str, Any], want: tuple[str, str] | None) -> None:
    assert find_missing_in_pod_spec(spec) == want


@pytest.mark.parametrize(("user", "template_spec", "want"), [
    pytest.param(set(), {"containers": [{"name": "istio-proxy"}]}, True, id="rendered"),
    pytest.param(set(), {"initContainers": [{"name": "istio-proxy"}]}, True, id="native-sidecar"),
    pytest.param({"app", "istio-proxy"}, None, True, id="users-own"),
    pytest.param({"app"}, {"containers": [{"name": "app"}]}, False, id="none"),
])
def test_has_proxy(user: set[str], template_spec: Any, want: bool) -> None:
    assert has_proxy(user, template_spec) is want


@pytest.mark.parametrize(("template_pod", "want"), [
    pytest.param({}, True, id="empty"),
    pytest.param({"metadata": {"annotations": {}}, "spec": {"containers": []}}, True, id="empty-maps-and-lists"),
    pytest.param({"metadata": {"annotations": {"a": "b"}}}, False, id="an-annotation"),
    pytest.param({"spec": {"volumes": [{"name": "v"}]}}, False, id="a-volume"),
])
def test_renders_nothing(template_pod: Any, want: bool) -> None:
    assert renders_nothing(template_pod) is want


def test_rendered_line_looks_in_the_container_and_for_the_key() -> None:
    rendered = ("containers:\n- name: a\n  env:\n  - value: <no value>\n  imagePullPolicy: <no value>\n"
                "- name: b\n  imagePullPolicy: <no value>\n")
    assert rendered_line(rendered, "<no value>", "containers[b].imagePullPolicy") == "  imagePullPolicy: <no value>"
    assert rendered_line(rendered, "<no value>", "containers[a].imagePullPolicy") == "  imagePullPolicy: <no value>"
    assert rendered_line(rendered, "<no value>") == "  - value: <no value>"


def test_the_legacy_decoder_shares_the_strict_fields() -> None:
    # imagePullPolicy is an enum: the 1.0-1.8 path refuses a missing value there as the 1.9+ path does.
    template = "containers:\n- name: istio-proxy\n  imagePullPolicy: {{ .Values.policy }}\n"
    rendered = "containers:\n- name: istio-proxy\n  imagePullPolicy: <no value>\n"
    with pytest.raises(TemplateError) as err:
        decode_spec({"containers": [{"name": "istio-proxy", "imagePullPolicy": "<no value>"}]}, rendered,
                    Source("config.yaml", "sidecar", template, 3))
    assert err.value.message.startswith("config.yaml:5: template sidecar line 3: renders "
                                        "containers[istio-proxy].imagePullPolicy: '<no value>'")
