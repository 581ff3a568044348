"""Rendering Istio-format Go templates on a template context (pyinject/render/go.py).

The templates below are small excerpts in the style of Istio's sidecar
template, written for these tests; each exercises one thing the real
templates depend on.
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.errors import TemplateError, TemplateExecError, TemplateSyntaxError
from pyinject.model import TemplateContext
from pyinject.render.go import load_go_templates


def ctx(**over: Any) -> TemplateContext:
    base: dict[str, Any] = dict(
        type_meta={"apiVersion": "apps/v1", "kind": "Deployment"},
        deployment_meta={"name": "hello", "namespace": "default"},
        object_meta={"annotations": {"sidecar.istio.io/proxyCPU": "200m"}, "labels": {"app": "hello"}},
        spec={"containers": [{"name": "hello", "ports": [{"name": "http", "containerPort": 80}]}]},
        proxy_config={"interceptionMode": "TPROXY", "proxyMetadata": {"B": "2", "A": "1"}, "statusPort": 15020},
        mesh_config={"trustDomain": "cluster.local", "proxyListenPort": 15001},
        values={"global": {"proxy": {"statusPort": 15020, "excludeInboundPorts": "",
                                     "resources": {"requests": {"cpu": "100m", "memory": None}}}}},
        revision="",
        native_sidecars=False,
        proxy_image="docker.io/istio/proxyv2:1.30.3",
        proxy_uid=1337,
        proxy_gid=1337,
        inbound_traffic_policy_mode="",
    )
    base.update(over)
    return TemplateContext(**base)


CASES = [
    pytest.param("{{ annotation .ObjectMeta `sidecar.istio.io/proxyCPU` `100m` }}", {}, "200m", id="annotation-set"),
    pytest.param("{{ annotation .ObjectMeta `sidecar.istio.io/interceptionMode` .ProxyConfig.InterceptionMode }}",
                 {}, "TPROXY", id="annotation-enum-default"),
    pytest.param("{{ index .ObjectMeta.Annotations `nope` | default `x` }}", {}, "x", id="missing-annotation-is-empty"),
    pytest.param("{{ isset .ObjectMeta.Annotations `sidecar.istio.io/proxyCPU` }}", {}, "true", id="isset"),
    pytest.param("{{ .ProxyConfig.InterceptionMode }}/{{ .ProxyConfig.InterceptionMode.String }}", {},
                 "TPROXY/TPROXY", id="enum-prints-name"),
    pytest.param("{{ .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }}", {}, "false", id="nil-wrapper-getter"),
    pytest.param("{{ if .ProxyConfig.GetTracing.GetTlsSettings }}tls{{ else }}none{{ end }}", {}, "none",
                 id="nil-safe-getter-chain"),
    pytest.param("{{ range $k, $v := .ProxyConfig.ProxyMetadata }}{{ $k }}={{ $v }};{{ end }}", {}, "A=1;B=2;",
                 id="metadata-sorted"),
    pytest.param("{{ .MeshConfig.ProxyListenPort | default `15001` | quote }} {{ .MeshConfig.ProxyInboundListenPort | default `15006` | quote }}",
                 {}, '"15001" "15006"', id="int32-and-zero-default"),
    pytest.param("{{ .ProxyUID | default `1337` }}", {}, "1337", id="proxy-uid"),
    pytest.param("{{ excludeInboundPort (annotation .ObjectMeta `status.sidecar.istio.io/port` .Values.global.proxy.statusPort) .Values.global.proxy.excludeInboundPorts }}",
                 {}, "15020", id="exclude-status-port"),
    pytest.param("{{ range .Spec.Containers }}{{ range .Ports }}{{ structToJSON . }}{{ end }}{{ end }}", {},
                 '{"name":"http","containerPort":80}', id="pod-ports-json"),
    pytest.param("{{ protoToJSON .ProxyConfig }}", {}, '{"interceptionMode":"TPROXY","proxyMetadata":{"A":"1","B":"2"}}',
                 id="proxy-config-json"),
    pytest.param("x:\n  {{ toYaml (omitNil .Values.global.proxy.resources) | indent 2 }}", {},
                 "x:\n  requests:\n    cpu: 100m\n  ", id="toyaml-omitnil-istio-indent"),
    pytest.param("{{ contains `/` .ProxyImage }}", {}, "true", id="flipped-contains"),
    pytest.param("kubernetes://apis/{{ .TypeMeta.APIVersion }}/namespaces/{{ .DeploymentMeta.Namespace }}/{{ toLower .TypeMeta.Kind }}s/{{ .DeploymentMeta.Name }}",
                 {}, "kubernetes://apis/apps/v1/namespaces/default/deployments/hello", id="owner"),
    pytest.param("{{ if eq .Spec.ServiceAccountName `` }}istio.default{{ end }}", {}, "istio.default", id="zero-string-field"),
    pytest.param("{{ valueOrDefault .MeshConfig.TrustDomain `x` }}", {}, "cluster.local", id="value-or-default"),
]


@pytest.mark.parametrize(("template", "over", "want"), CASES)
def test_render(template: str, over: dict[str, Any], want: str) -> None:
    templates = load_go_templates({"t": template}, environ={})
    assert templates.render("t", ctx(**over)) == want


def test_env_reads_the_environment_given_at_load() -> None:
    templates = load_go_templates({"t": '{{ env "ENABLE_NATIVE_SIDECARS" "false" }}'}, environ={"ENABLE_NATIVE_SIDECARS": "true"})
    assert templates.render("t", ctx()) == "true"


def test_parse_once_render_many() -> None:
    templates = load_go_templates({"a": "{{ .DeploymentMeta.Name }}", "b": "{{ .Revision }}"}, environ={})
    assert templates.names == ("a", "b")
    assert [templates.render("a", ctx(deployment_meta={"name": n})) for n in ("x", "y")] == ["x", "y"]


def test_unknown_template_lists_the_known_ones() -> None:
    templates = load_go_templates({"sidecar": "x", "gateway": "y"}, environ={})
    with pytest.raises(TemplateError, match='"nope" not found; have gateway, sidecar'):
        templates.render("nope", ctx())


def test_syntax_error_names_the_template() -> None:
    with pytest.raises(TemplateSyntaxError, match="broken"):
        load_go_templates({"broken": "{{ if }}"}, environ={})


def test_exec_error_names_template_and_line() -> None:
    templates = load_go_templates({"sidecar": "ok\n{{ .Spec.NoSuchField }}"}, environ={})
    with pytest.raises(TemplateExecError, match="sidecar:2"):
        templates.render("sidecar", ctx())
