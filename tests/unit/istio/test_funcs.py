"""Istio's template functions (pyinject/istio/funcs.py) and their Go adapters (gofuncs.py), called directly.

Cases follow the behaviour of Istio 1.30's pkg/kube/inject/template.go,
including its quirks (fromJSON of bad input gives the string "{}", Istio's
indent skips the first line, contains takes the needle first).
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.istio import funcs as core, gofuncs as f
from pyinject.golang.values import GoFuncError, TypedMap
from pyinject.render.go_data import TemplateData, template_data
from pyinject.model import TemplateContext


def make_ctx(**over: Any) -> TemplateContext:
    base: dict[str, Any] = dict(
        type_meta={"apiVersion": "apps/v1", "kind": "Deployment"},
        deployment_meta={"name": "hello", "namespace": "default"},
        object_meta={"annotations": {"a": "1", "empty": ""}, "labels": {"app": "hello"}},
        spec={
            "containers": [
                {"name": "hello", "image": "reg.io/team/hello:1.0",
                 "ports": [{"name": "http", "containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]},
            ]
        },
        proxy_config={"discoveryAddress": "istiod.istio-system.svc:15012", "drainDuration": "45s"},
        mesh_config={"trustDomain": "cluster.local"},
        values={"global": {"proxy": {"statusPort": 15020}}},
        revision="",
        native_sidecars=False,
        proxy_image="img",
        proxy_uid=1337,
        proxy_gid=1337,
        inbound_traffic_policy_mode="",
    )
    base.update(over)
    return TemplateContext(**base)


def dot(**over: Any) -> TemplateData:
    return template_data(make_ctx(**over))


def smap(**kv: str) -> TypedMap:
    return TypedMap(kv, elem="string", zero="")


@pytest.mark.parametrize(
    ("name", "default", "want"),
    [
        pytest.param("a", "x", "1", id="present"),
        pytest.param("empty", "x", "", id="present-but-empty-wins"),
        pytest.param("missing", "x", "x", id="default-string"),
        pytest.param("missing", 15020.0, "15020", id="default-float-printed-like-go"),
        pytest.param("missing", None, "<nil>", id="default-nil"),
        pytest.param("missing", True, "true", id="default-bool"),
    ],
)
def test_annotation(name: str, default: Any, want: str) -> None:
    assert f.annotation(dot().go_field("ObjectMeta"), name, default) == want


def test_annotation_prints_enum_default_by_name() -> None:
    d = dot(proxy_config={"interceptionMode": "TPROXY"})
    mode = d.go_field("ProxyConfig").go_field("InterceptionMode")
    assert f.annotation(d.go_field("ObjectMeta"), "nope", mode) == "TPROXY"


def test_annotation_rejects_non_object_meta() -> None:
    with pytest.raises(GoFuncError):
        f.annotation({"annotations": {}}, "a", "")


@pytest.mark.parametrize(
    ("key", "want"),
    [pytest.param("a", True, id="set"), pytest.param("empty", True, id="set-empty"), pytest.param("b", False, id="unset")],
)
def test_isset(key: str, want: bool) -> None:
    assert f.isset(dot().go_field("ObjectMeta").go_field("Annotations"), key) is want


def test_isset_nil_map_and_wrong_map_type() -> None:
    assert f.isset(None, "a") is False
    with pytest.raises(GoFuncError, match="map\\[string\\]string"):
        f.isset({"a": "b"}, "a")


@pytest.mark.parametrize(
    ("value", "default", "want"),
    [
        pytest.param("", "d", "d", id="empty-string"),
        pytest.param(None, "d", "d", id="nil"),
        pytest.param("v", "d", "v", id="value"),
        pytest.param(0.0, "d", 0.0, id="zero-number-kept"),
        pytest.param(False, "d", False, id="false-kept"),
    ],
)
def test_value_or_default(value: Any, default: Any, want: Any) -> None:
    assert core.value_or_default(value, default) == want


@pytest.mark.parametrize(
    ("port", "excluded", "want"),
    [
        pytest.param(15020.0, "", "15020", id="float-from-values"),
        pytest.param("15021", "80", "80,15021", id="string-port"),
        pytest.param("0", "80", "80", id="disabled"),
    ],
)
def test_exclude_inbound_port(port: Any, excluded: str, want: str) -> None:
    assert f.exclude_inbound_port(port, excluded) == want


def test_include_inbound_ports_and_application_ports() -> None:
    spec = {"containers": [
        {"name": "app", "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]},
        {"name": "istio-proxy", "ports": [{"containerPort": 15090}]},
    ]}
    containers = dot(spec=spec).go_field("Spec").go_field("Containers")
    assert f.include_inbound_ports(containers) == "80,15090"
    assert f.application_ports(containers) == "80"
    assert f.include_inbound_ports(None) == ""


@pytest.mark.parametrize(
    ("spaces", "source", "want"),
    [
        pytest.param(2, "a\nb\nc", "a\n  b\n  c", id="first-line-untouched"),
        pytest.param(4, "single", "single", id="one-line"),
        pytest.param(2, "a\n", "a\n  ", id="trailing-newline"),
        pytest.param(0, "a\nb", "a\nb", id="zero"),
    ],
)
def test_indent(spaces: int, source: str, want: str) -> None:
    assert f.indent(spaces, source) == want


@pytest.mark.parametrize(
    ("path", "want"),
    [
        pytest.param("/etc/certs/ca.pem", "/etc/certs/", id="file"),
        pytest.param("ca.pem", "", id="bare"),
        pytest.param("/etc/", "/etc/", id="dir"),
        pytest.param("", "", id="empty"),
    ],
)
def test_directory(path: str, want: str) -> None:
    assert core.directory(path) == want


def test_contains_takes_needle_first() -> None:
    assert core.contains("/", "docker.io/istio/proxyv2") is True
    assert core.contains("docker.io/istio/proxyv2", "/") is False


@pytest.mark.parametrize(
    ("existing", "want"),
    [
        pytest.param("", "default/istio-cni", id="empty"),
        pytest.param("net1", "net1, default/istio-cni", id="list-appended"),
        pytest.param("net1, default/istio-cni", "net1, default/istio-cni", id="list-already"),
        pytest.param('[{"name": "net1"}]', '[{"name": "net1"}, {"name": "istio-cni", "namespace": "default"}]',
                     id="json-appended-with-namespace"),
        pytest.param('[{"name": "istio-cni", "namespace": "default"}]', '[{"name": "istio-cni", "namespace": "default"}]',
                     id="json-already"),
        pytest.param('[{"name": "default/istio-cni"}]', '[{"name": "default/istio-cni"}]', id="json-already-qualified"),
        pytest.param('[{"name": "istio-cni", "namespace": "other"}]',
                     '[{"name": "istio-cni", "namespace": "other"}, {"name": "istio-cni", "namespace": "default"}]',
                     id="json-other-namespace"),
        pytest.param("[broken", "[broken, default/istio-cni", id="no-closing-bracket-is-a-list"),
        pytest.param("broken]", "broken]", id="bad-json-left-alone"),
    ],
)
def test_append_multus_network(existing: str, want: str) -> None:
    assert core.append_multus_network(existing, "default/istio-cni") == want


def test_append_multus_network_without_namespace() -> None:
    assert core.append_multus_network('[{"name": "a"}]', "istio-cni") == '[{"name": "a"}, {"name": "istio-cni"}]'


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param('{"a": 1, "b": [true, null]}', {"a": 1.0, "b": [True, None]}, id="numbers-float64"),
        pytest.param("not json", "{}", id="bad-input-gives-string"),
        pytest.param("NaN", "{}", id="nan-rejected-like-go"),
        pytest.param('"s"', "s", id="scalar"),
    ],
)
def test_from_json(text: str, want: Any) -> None:
    got = core.from_json(text)
    assert got == want
    assert type(got) is type(want)


def test_to_json_of_string_maps() -> None:
    assert f.to_json(smap(b="2", a="<1>")) == '{"a":"\\u003c1\\u003e","b":"2"}'
    assert f.to_json(None) == "{}"


def test_struct_to_json_of_container_port_uses_go_field_order() -> None:
    spec = {"containers": [{"name": "c", "ports": [{"protocol": "TCP", "containerPort": 8080, "name": "web"}, {"containerPort": 80}]}]}
    ports = dot(spec=spec).go_field("Spec").go_field("Containers")[0].go_field("Ports")
    assert f.struct_to_json(ports[0]) == '{"name":"web","containerPort":8080,"protocol":"TCP"}'
    assert f.struct_to_json(ports[1]) == '{"containerPort":80}'
    assert f.struct_to_json(None) == "{}"


@pytest.mark.parametrize(
    "port",
    [
        {"name": "web", "containerPort": 8080, "protocol": "TCP"},
        {"containerPort": 80},
        {},
        {"containerPort": None, "name": None},
        {"containerPort": 0, "hostPort": 0, "name": "", "protocol": "", "hostIP": ""},
        {"containerPort": "", "hostPort": 9, "hostIP": "10.0.0.1"},
        {"containerPort": "8080", "hostPort": "x", "name": 7},
        {"name": "<a&b>\u2028\n\"", "containerPort": -1, "extra": {"a": 1}},
        {"containerPort": 8080.0},
        {"containerPort": True, "hostPort": False},
        {"containerPort": 80, "name": ["a"]},
        {"containerPort": 80, "hostPort": 2**70},
    ],
)
def test_container_port_json_matches_the_general_encoder(port: dict[str, Any]) -> None:
    from pyinject.golang.encoding_json import go_json
    from pyinject.k8s import gojson

    want = go_json(gojson.encode("ContainerPort", port))
    assert core.container_port_json(port) == want
    # The same port in a mapping that is not a plain dict takes the general encoder.
    assert core.container_port_json(smap_like(port)) == want


def smap_like(data: dict[str, Any]) -> Any:
    from collections import OrderedDict

    return OrderedDict(data)


@pytest.mark.parametrize(
    ("pc", "want"),
    [
        pytest.param({"discoveryAddress": "istiod.istio-system.svc:15012", "drainDuration": "45s"}, "{}", id="defaults"),
        pytest.param({"interceptionMode": "TPROXY", "statusPort": 15020}, '{"interceptionMode":"TPROXY"}', id="tproxy"),
        pytest.param({"holdApplicationUntilProxyStarts": True}, '{"holdApplicationUntilProxyStarts":true}', id="hold"),
    ],
)
def test_proto_to_json(pc: dict[str, Any], want: str) -> None:
    assert f.proto_to_json(dot(proxy_config=pc).go_field("ProxyConfig")) == want


def test_proto_to_json_other_message_is_not_cleaned() -> None:
    mesh = dot(mesh_config={"defaultConfig": {"statusPort": 15020}, "trustDomain": "td"}).go_field("MeshConfig")
    assert f.proto_to_json(mesh) == '{"defaultConfig":{"statusPort":15020},"trustDomain":"td"}'
    assert f.proto_to_json(None) == "{}"


def test_to_yaml_of_values_tree() -> None:
    resources = dot(values={"r": {"requests": {"cpu": "100m", "memory": "128Mi"}, "count": 2}}).go_field("Values")["r"]
    assert f.to_yaml(resources) == "count: 2\nrequests:\n  cpu: 100m\n  memory: 128Mi\n"


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param({"a": None, "b": 1.0}, {"b": 1.0}, id="nil-entry-dropped"),
        pytest.param({"a": {"x": None}}, None, id="emptied-map-becomes-nil"),
        pytest.param({"a": {}}, {"a": {}}, id="already-empty-map-kept"),
        pytest.param([1.0, None, {"k": None}], [1.0], id="list"),
        pytest.param({"limits": {"cpu": None, "memory": "1Gi"}, "requests": {"cpu": "1"}},
                     {"limits": {"memory": "1Gi"}, "requests": {"cpu": "1"}}, id="resources"),
        pytest.param(None, None, id="nil"),
        pytest.param("s", "s", id="scalar"),
    ],
)
def test_omit_nil(value: Any, want: Any) -> None:
    assert core.omit_nil(value) == want


def test_string_map_helpers() -> None:
    d = f.strdict("a", "1", "b")
    assert d == {"a": "1", "b": ""} and d.elem == "string"
    assert f.omit(smap(a="1", b="2", c="3"), "a", "c") == {"b": "2"}
    assert f.merge_maps(smap(a="1", b="1"), None, smap(b="2")) == {"a": "1", "b": "2"}
    assert f.to_json_map(f.strdict("z", "1"), smap(a="x")) == '{"a":"x","z":"1"}'
    assert f.to_json_map() == "{}"


@pytest.mark.parametrize(
    ("environ", "want"),
    [
        pytest.param({"K": "v"}, "v", id="set"),
        pytest.param({"K": ""}, "dflt", id="empty-counts-as-unset"),
        pytest.param({}, "dflt", id="unset"),
    ],
)
def test_env_reads_the_given_environment(environ: dict[str, str], want: str) -> None:
    assert f.istio_funcs(environ)["env"]("K", "dflt") == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(None, "0s", id="nil-duration"),
    ],
)
def test_format_duration_nil(value: Any, want: str) -> None:
    assert f.format_duration(value) == want


def test_format_duration_of_proxy_config_field() -> None:
    d = dot(proxy_config={"drainDuration": "90s", "terminationDrainDuration": "1.5s"})
    pc = d.go_field("ProxyConfig")
    assert f.format_duration(pc.go_field("DrainDuration")) == "1m30s"
    assert f.format_duration(pc.go_field("TerminationDrainDuration")) == "1.5s"
    assert f.format_duration(pc.go_field("ParentShutdownDuration")) == "0s"
    with pytest.raises(GoFuncError):
        f.format_duration("45s")


OTEL_MESH = {"extensionProviders": [
    {"name": "otel", "opentelemetry": {"service": "c", "port": 4317, "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS"}}
]}


@pytest.mark.parametrize(
    ("mesh", "meta", "want"),
    [
        pytest.param({}, {}, "", id="not-enabled"),
        pytest.param(
            OTEL_MESH, {"labels": {"app.kubernetes.io/version": "v1.2.3"}},
            "service.namespace=default,service.version=v1.2.3,service.instance.id=default.$(POD_NAME).hello",
            id="label-version",
        ),
        pytest.param(
            OTEL_MESH, {},
            "service.namespace=default,service.version=1.0,service.instance.id=default.$(POD_NAME).hello",
            id="image-tag-version",
        ),
        pytest.param(
            OTEL_MESH,
            {"annotations": {"resource.opentelemetry.io/service.namespace": "shop",
                             "resource.opentelemetry.io/service.instance.id": "i-1"}},
            "service.namespace=shop,service.version=1.0,service.instance.id=i-1",
            id="annotations-win",
        ),
    ],
)
def test_otel_resource_attributes(mesh: dict[str, Any], meta: dict[str, Any], want: str) -> None:
    d = dot(mesh_config=mesh, object_meta=meta)
    om = d.go_field("ObjectMeta")
    got = f.otel_resource_attributes(
        d.go_field("MeshConfig"), om.go_field("Annotations"), om.go_field("Labels"),
        d.go_field("DeploymentMeta").go_field("Namespace"), d.go_field("Spec").go_field("Containers"),
    )
    assert got == want


def test_function_table_has_istios_names() -> None:
    names = set(f.istio_funcs({}))
    assert {"annotation", "isset", "valueOrDefault", "protoToJSON", "toYaml", "indent", "contains",
            "env", "omit", "strdict", "toJsonMap", "mergeMaps", "omitNil", "otelResourceAttributes",
            "formatDuration", "excludeInterfaces", "kubevirtInterfaces", "appendMultusNetwork"} <= names


@pytest.mark.parametrize(
    ("port", "excluded", "want"),
    [
        pytest.param("15020", "", "15020", id="empty-list"),
        pytest.param("15020", "80, 81", "80,81,15020", id="trimmed-and-appended"),
        pytest.param("15020", "15020,80", "15020,80", id="already-there"),
        pytest.param("0", "80", "80", id="zero-port"),
        pytest.param(" ", "80", "80", id="blank-port"),
    ],
)
def test_exclude_inbound_port(port: str, excluded: str, want: str) -> None:
    assert core.exclude_inbound_port(port, excluded) == want


def test_container_ports_skip_udp_sctp_and_named_container() -> None:
    containers = [
        {"name": "app", "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]},
        {"name": "istio-proxy", "ports": [{"containerPort": 15090}]},
        {"name": "db", "ports": [{"containerPort": 5432, "protocol": "TCP"}, {"containerPort": 9, "protocol": "SCTP"}]},
    ]
    assert core.container_ports(containers) == "80,15090,5432"
    assert core.container_ports(containers, skip_name="istio-proxy") == "80,5432"
