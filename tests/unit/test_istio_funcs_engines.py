"""Every Istio template function gives the same text through both template engines.

The Go engine calls ``pyinject/istio/funcs.py`` through the Go adapters
(``istio/gofuncs.py``), the embedded Jinja2 templates through their globals
and filters (``render/jinja_funcs.py``).  Each case below is one function
called the way Istio's template calls it, next to the way the embedded
templates call it, on the same pod; the two outputs must be equal.  The pods
vary what the functions branch on (an empty namespace, several containers,
image digests, JSON or list annotations, nulls in values).
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.errors import TemplateError
from pyinject.model import TemplateContext
from pyinject.render.go import load_go_templates
from pyinject.render.jinja import compile_jinja_templates

OTEL_MESH = {"extensionProviders": [{"name": "otel", "opentelemetry": {
    "service": "collector", "port": 4317, "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS"}}]}


def pod(**over: Any) -> TemplateContext:
    base: dict[str, Any] = dict(
        type_meta={"apiVersion": "apps/v1", "kind": "Deployment"},
        deployment_meta={"name": "shop", "namespace": "default"},
        object_meta={"annotations": {"sidecar.istio.io/logLevel": "debug"}, "labels": {"app": "shop"}},
        spec={"containers": [{"name": "shop", "image": "reg.io:5000/team/shop:1.2",
                              "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                                        {"containerPort": 53, "protocol": "UDP", "hostPort": 53}]}]},
        proxy_config={},
        mesh_config=OTEL_MESH,
        values={"global": {"proxy": {"statusPort": 15020, "logLevel": "warning", "clusterName": "",
                                     "resources": {"limits": {"cpu": "2", "memory": None},
                                                   "requests": {"cpu": "100m"}}}},
                "nulls": {"a": None, "b": [None]}, "zero": 0, "text": "x/y/z"},
        revision="",
        native_sidecars=False,
        proxy_image="proxyv2",
        proxy_uid=1337,
        proxy_gid=1337,
        inbound_traffic_policy_mode="",
    )
    base.update(over)
    return TemplateContext(**base)


PODS = [
    pytest.param(pod(), id="one-container"),
    pytest.param(pod(deployment_meta={"name": "shop", "namespace": ""}), id="empty-namespace"),
    pytest.param(pod(spec={"containers": [
        {"name": "a", "image": "a@sha256:abc", "ports": [{"containerPort": 1}]},
        {"name": "b", "image": "b:2@sha256:def", "ports": [{"containerPort": 2, "name": "p"}]}]}),
        id="two-containers"),
    pytest.param(pod(spec={"containers": [{"name": "d", "image": "reg/d:3@sha256:0f"}]},
                     object_meta={"labels": {"app.kubernetes.io/version": ""}}), id="tag-and-digest"),
    pytest.param(pod(spec={"containers": []}), id="no-containers"),
    pytest.param(pod(object_meta={"annotations": {
        "k8s.v1.cni.cncf.io/networks": '[{"name": "alt"}, {"name": "istio-cni", "namespace": "other"}]',
        "status.sidecar.istio.io/port": "15021",
        "traffic.sidecar.istio.io/excludeInboundPorts": "80, 15021",
        "resource.opentelemetry.io/service.namespace": "shopping",
        "resource.opentelemetry.io/service.version": "",
        "resource.opentelemetry.io/service.instance.id": "i-1",
        "sidecar.istio.io/userVolume": '{"b": "2", "a": "1"}'},
        "labels": {"app.kubernetes.io/version": "v9"}}), id="annotations-set"),
    pytest.param(pod(object_meta={"annotations": {
        "k8s.v1.cni.cncf.io/networks": "alt, default/istio-cni",
        "sidecar.istio.io/userVolume": '["x", "y"]'}}, mesh_config={}), id="lists-no-otel"),
    pytest.param(pod(object_meta={"annotations": {
        "k8s.v1.cni.cncf.io/networks": "[not json]", "sidecar.istio.io/userVolume": "null"}}),
        id="bad-json"),
]

#: (Istio's function, its call in a Go template, the same call in a Jinja2 template)
CALLS = [
    ("annotation", '{{ annotation .ObjectMeta "sidecar.istio.io/logLevel" .Values.global.proxy.logLevel }}',
     '{{ annotation("sidecar.istio.io/logLevel", values.global.proxy.logLevel) }}'),
    ("annotation", '{{ annotation .ObjectMeta "status.sidecar.istio.io/port" .Values.global.proxy.statusPort }}',
     '{{ annotation("status.sidecar.istio.io/port", values.global.proxy.statusPort) }}'),
    ("valueOrDefault", '{{ valueOrDefault .Values.global.proxy.clusterName "Kubernetes" }}',
     '{{ value_or_default(values.global.proxy.clusterName, "Kubernetes") }}'),
    ("valueOrDefault", '{{ valueOrDefault .Values.zero "d" }}|{{ valueOrDefault .Values.missing "d" }}',
     '{{ value_or_default(values.zero, "d") }}|{{ value_or_default(values.missing, "d") }}'),
    ("excludeInboundPort",
     '{{ excludeInboundPort (annotation .ObjectMeta "status.sidecar.istio.io/port" .Values.global.proxy.statusPort)'
     ' (annotation .ObjectMeta "traffic.sidecar.istio.io/excludeInboundPorts" "") }}',
     '{{ exclude_inbound_port(annotation("status.sidecar.istio.io/port", values.global.proxy.statusPort),'
     ' annotation("traffic.sidecar.istio.io/excludeInboundPorts", "")) }}'),
    ("appendMultusNetwork",
     '{{ appendMultusNetwork (index .ObjectMeta.Annotations "k8s.v1.cni.cncf.io/networks") "default/istio-cni" }}',
     '{{ append_multus_network(annotations["k8s.v1.cni.cncf.io/networks"], "default/istio-cni") }}'),
    ("appendMultusNetwork",
     '{{ appendMultusNetwork (index .ObjectMeta.Annotations "k8s.v1.cni.cncf.io/networks") "istio-cni" }}',
     '{{ append_multus_network(annotations["k8s.v1.cni.cncf.io/networks"], "istio-cni") }}'),
    ("directory", "{{ directory .Values.text }}|{{ directory `plain` }}",
     '{{ directory(values.text) }}|{{ directory("plain") }}'),
    ("omitNil", "{{ toYaml (omitNil .Values.global.proxy.resources) }}|{{ omitNil .Values.nulls }}",
     "{{ values.global.proxy.resources | omit_nil | to_yaml }}|{{ values.nulls | omit_nil }}"),
    ("toYaml", "{{ toYaml .Values.global.proxy }}", "{{ values.global.proxy | to_yaml }}"),
    ("indent", "  x: {{ toYaml .Values.global.proxy.resources | indent 4 }}",
     "  x: {{ values.global.proxy.resources | to_yaml | istio_indent(4) }}"),
    ("fromJSON",
     '{{ range $k, $v := fromJSON (index .ObjectMeta.Annotations "sidecar.istio.io/userVolume") }}'
     "{{ $k }}={{ $v }};{{ end }}",
     '{% for k, v in json_entries(annotations["sidecar.istio.io/userVolume"]) %}{{ k }}={{ v }};{% endfor %}'),
    ("otelResourceAttributes",
     "{{ otelResourceAttributes .MeshConfig .ObjectMeta.Annotations .ObjectMeta.Labels"
     " .DeploymentMeta.Namespace .Spec.Containers }}",
     "{{ otel_resource_attributes(mesh, annotations, labels, owner_namespace, containers) }}"),
    ("structToJSON",
     "[{{- $first := true }}{{- range .Spec.Containers }}{{- range .Ports }}{{- if (structToJSON .) }}\n"
     "    {{ if not $first }},{{ end }}{{ structToJSON . }}{{- $first = false }}{{- end }}{{- end }}{{- end }}\n]",
     "{{ pod_ports_json(containers) }}"),
]


def render_both(go_text: str, jinja_text: str, ctx: TemplateContext) -> tuple[str, str]:
    """Each engine's output, or ``error: WHAT`` (the message without the template position)."""
    try:
        go = load_go_templates({"t": go_text}, environ={}).render("t", ctx)
    except TemplateError as err:
        go = "error: " + str(err).rsplit(": ", 1)[-1]
    try:
        jinja = compile_jinja_templates({"t": jinja_text}).render("t", ctx)
    except TemplateError as err:
        jinja = "error: " + str(err).rsplit(": ", 1)[-1]
    return go, jinja


@pytest.mark.parametrize("ctx", PODS)
@pytest.mark.parametrize(("function", "go_text", "jinja_text"), CALLS, ids=[c[0] for c in CALLS])
def test_both_engines_agree(function: str, go_text: str, jinja_text: str, ctx: TemplateContext) -> None:
    go, jinja = render_both(go_text, jinja_text, ctx)
    assert go == jinja, function


def test_every_function_both_engines_share_is_compared() -> None:
    # The Jinja globals and filters that stand for an Istio function, by the Istio name.
    shared = {"annotation", "valueOrDefault", "excludeInboundPort", "appendMultusNetwork", "directory",
              "omitNil", "toYaml", "indent", "fromJSON", "otelResourceAttributes", "structToJSON"}
    assert {c[0] for c in CALLS} == shared


@pytest.mark.parametrize(
    ("ctx", "want"),
    [
        pytest.param(pod(), "service.namespace=default,service.version=1.2,"
                     "service.instance.id=default.$(POD_NAME).shop", id="one-container"),
        # Istio keeps the instance id with an empty namespace: ".$(POD_NAME).<container>".
        pytest.param(pod(deployment_meta={"name": "shop", "namespace": ""}),
                     "service.version=1.2,service.instance.id=.$(POD_NAME).shop", id="empty-namespace"),
        pytest.param(pod(spec={"containers": [{"name": "d", "image": "reg/d:3@sha256:0f"}]}),
                     "service.namespace=default,service.version=3@sha256:0f,"
                     "service.instance.id=default.$(POD_NAME).d", id="tag-and-digest"),
        pytest.param(PODS[2].values[0], "service.namespace=default,service.instance.id=default.$(POD_NAME).a",
                     id="two-containers-no-version-first-name"),
    ],
)
def test_otel_attributes_follow_istio(ctx: TemplateContext, want: str) -> None:
    call = CALLS[[c[0] for c in CALLS].index("otelResourceAttributes")]
    assert render_both(call[1], call[2], ctx) == (want, want)
