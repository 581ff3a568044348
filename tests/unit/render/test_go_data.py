"""Go-struct views of the template data (pyinject/render/go_data.py).

Each case states a Go behaviour Istio's templates rely on: zero values for
absent fields, ``map[string]string`` reads, nil-safe protobuf getters, enum
names, wrapper and duration pointers.
"""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.golang.fmt import format_value
from pyinject.golang.values import Int32, Int64, TypedList, TypedMap, is_true, type_name
from pyinject.render.go_data import Duration, Message, ProtoEnum, Uint32, Wrapper, template_data
from pyinject.model import TemplateContext


def ctx(**over: Any) -> TemplateContext:
    base: dict[str, Any] = dict(
        type_meta={"apiVersion": "apps/v1", "kind": "Deployment"},
        deployment_meta={"name": "hello", "namespace": "default"},
        object_meta={"annotations": {"a": "1"}, "labels": {"app": "hello"}},
        spec={
            "serviceAccountName": "sa",
            "hostIPC": True,
            "securityContext": {"seLinuxOptions": {"level": "s0"}},
            "containers": [
                {"name": "hello", "ports": [{"name": "http", "containerPort": 80}],
                 "readinessProbe": {"httpGet": {"port": 8080, "path": "/ready"}}},
                {"name": "side"},
            ],
        },
        proxy_config={
            "interceptionMode": "TPROXY",
            "proxyMetadata": {"K": "V"},
            "holdApplicationUntilProxyStarts": True,
            "drainDuration": "1.5s",
            "tracing": {"tlsSettings": {"caCertificates": "/certs/ca.pem", "mode": "SIMPLE"}},
            "serviceCluster": "svc",
        },
        mesh_config={"trustDomain": "cluster.local", "proxyListenPort": 15001, "defaultProviders": {"metrics": ["prometheus"]}},
        values={"global": {"proxy": {"statusPort": 15020}}, "list": [1, 2]},
        revision="canary",
        native_sidecars=True,
        proxy_image="reg/proxyv2:1.30.3",
        proxy_uid=1337,
        proxy_gid=1338,
        inbound_traffic_policy_mode="localhost",
    )
    base.update(over)
    return TemplateContext(**base)


def path(root: Any, dotted: str) -> Any:
    v = root
    for part in dotted.split("."):
        v = v.go_field(part)
    return v


@pytest.mark.parametrize(
    ("dotted", "want", "go_type"),
    [
        pytest.param("Spec.ServiceAccountName", "sa", "string", id="string-field"),
        pytest.param("Spec.HostIPC", True, "bool", id="acronym-json-name"),
        pytest.param("Spec.SecurityContext.SELinuxOptions.Level", "s0", "string", id="selinux-json-name"),
        pytest.param("Spec.HostNetwork", False, "bool", id="absent-bool-false"),
        pytest.param("Spec.NodeName", "", "string", id="absent-string-empty"),
        pytest.param("Spec.ActiveDeadlineSeconds", Int64(0), "int64", id="absent-int64-zero"),
        pytest.param("ObjectMeta.Name", "", "string", id="absent-name"),
        pytest.param("DeploymentMeta.Name", "hello", "string", id="deployment-meta"),
        pytest.param("DeploymentMeta.Namespace", "default", "string", id="deployment-namespace"),
        pytest.param("TypeMeta.APIVersion", "apps/v1", "string", id="type-meta-version"),
        pytest.param("TypeMeta.Kind", "Deployment", "string", id="type-meta-kind"),
        pytest.param("Revision", "canary", "string", id="revision"),
        pytest.param("NativeSidecars", True, "bool", id="native-sidecars"),
        pytest.param("ProxyImage", "reg/proxyv2:1.30.3", "string", id="proxy-image"),
        pytest.param("ProxyUID", Int64(1337), "int64", id="proxy-uid-int64"),
        pytest.param("ProxyGID", Int64(1338), "int64", id="proxy-gid-int64"),
        pytest.param("InboundTrafficPolicyMode", "localhost", "string", id="inbound-mode"),
        pytest.param("CompliancePolicy", "", "string", id="compliance-default"),
        pytest.param("MeshConfig.TrustDomain", "cluster.local", "string", id="mesh-string"),
        pytest.param("MeshConfig.ProxyListenPort", Int32(15001), "int32", id="mesh-int32"),
        pytest.param("MeshConfig.ProxyInboundListenPort", Int32(0), "int32", id="mesh-absent-int32"),
        pytest.param("ProxyConfig.DiscoveryAddress", "", "string", id="proxy-absent-string"),
        pytest.param("ProxyConfig.ProxyAdminPort", Int32(0), "int32", id="proxy-absent-int32"),
    ],
)
def test_fields_and_zero_values(dotted: str, want: Any, go_type: str) -> None:
    got = path(template_data(ctx()), dotted)
    assert got == want
    assert type_name(got) == go_type


def test_unknown_fields_are_errors_like_go() -> None:
    data = template_data(ctx())
    for dotted in ("Nope", "Spec.Nope", "ObjectMeta.Nope", "ProxyConfig.Nope", "TypeMeta.Nope"):
        with pytest.raises(KeyError):
            path(data, dotted)


def test_annotations_and_labels_are_string_maps_with_empty_zero() -> None:
    meta = template_data(ctx(object_meta={})).go_field("ObjectMeta")
    for name in ("Annotations", "Labels"):
        m = meta.go_field(name)
        assert isinstance(m, TypedMap) and m.elem == "string" and m.zero == ""
        assert type_name(m) == "map[string]string"
        assert not is_true(m)[0]


def test_containers_are_typed_structs() -> None:
    containers = path(template_data(ctx()), "Spec.Containers")
    assert isinstance(containers, TypedList) and type_name(containers) == "[]v1.Container"
    assert containers[0].go_field("Name") == "hello"
    port = containers[0].go_field("Ports")[0].go_field("ContainerPort")
    assert port == 80 and type_name(port) == "int32"
    assert containers[1].go_field("Ports") == [] and type_name(containers[1].go_field("Ports")) == "[]v1.ContainerPort"


def test_pointer_structs_are_nil_when_absent_and_value_structs_are_not() -> None:
    second = path(template_data(ctx()), "Spec.Containers")[1]
    probe = second.go_field("ReadinessProbe")
    assert probe.go_is_nil() and probe.go_type() == "*v1.Probe" and format_value(probe) == "<nil>"
    assert not is_true(probe)[0]
    resources = second.go_field("Resources")
    assert not resources.go_is_nil() and resources.go_type() == "v1.ResourceRequirements"
    first_probe = path(template_data(ctx()), "Spec.Containers")[0].go_field("ReadinessProbe")
    assert first_probe.go_field("HTTPGet").go_field("Path") == "/ready"


def test_enum_prints_name_and_has_string_method() -> None:
    mode = path(template_data(ctx()), "ProxyConfig.InterceptionMode")
    assert isinstance(mode, ProtoEnum)
    assert format_value(mode) == "TPROXY"
    assert mode.go_method("String")() == "TPROXY"  # type: ignore[misc]
    assert mode.go_type() == "v1alpha1.ProxyConfig_InboundInterceptionMode"
    zero = path(template_data(ctx(proxy_config={})), "ProxyConfig.InterceptionMode")
    assert format_value(zero) == "REDIRECT" and zero.number == 0


def test_bool_wrapper_and_nil_safe_get_value() -> None:
    hold = path(template_data(ctx()), "ProxyConfig.HoldApplicationUntilProxyStarts")
    assert isinstance(hold, Wrapper) and hold.go_type() == "*wrapperspb.BoolValue"
    assert hold.go_method("GetValue")() is True  # type: ignore[misc]
    unset = path(template_data(ctx(proxy_config={})), "ProxyConfig.HoldApplicationUntilProxyStarts")
    assert unset.go_is_nil() and unset.go_method("GetValue")() is False  # type: ignore[misc]
    concurrency = path(template_data(ctx(proxy_config={"concurrency": 0})), "ProxyConfig.Concurrency")
    assert not concurrency.go_is_nil() and concurrency.go_field("Value") == 0


def test_nil_safe_getter_chain() -> None:
    pc = path(template_data(ctx()), "ProxyConfig")
    tls = pc.go_method("GetTracing")().go_method("GetTlsSettings")()
    assert tls.go_method("GetCaCertificates")() == "/certs/ca.pem"
    assert format_value(tls.go_field("Mode")) == "SIMPLE"
    empty = path(template_data(ctx(proxy_config={})), "ProxyConfig")
    tracing = empty.go_method("GetTracing")()
    assert isinstance(tracing, Message) and tracing.go_is_nil()
    nil_tls = tracing.go_method("GetTlsSettings")()
    assert nil_tls.go_is_nil() and nil_tls.go_method("GetCaCertificates")() == ""


def test_durations() -> None:
    d = path(template_data(ctx()), "ProxyConfig.DrainDuration")
    assert isinstance(d, Duration) and d.go_type() == "*durationpb.Duration"
    assert d.go_field("Seconds") == 1 and d.go_field("Nanos") == 500_000_000
    assert format_value(d.go_method("AsDuration")()) == "1.5s"  # type: ignore[misc]
    assert path(template_data(ctx()), "ProxyConfig.TerminationDrainDuration").go_is_nil()


def test_proxy_metadata_map_and_missing_key() -> None:
    md = path(template_data(ctx()), "ProxyConfig.ProxyMetadata")
    assert md == {"K": "V"} and md.zero == "" and type_name(md) == "map[string]string"
    empty = path(template_data(ctx(proxy_config={})), "ProxyConfig.ProxyMetadata")
    assert empty == {} and not is_true(empty)[0]


def test_oneof_is_a_field_but_its_members_are_only_getters() -> None:
    pc = path(template_data(ctx()), "ProxyConfig")
    with pytest.raises(KeyError):
        pc.go_field("ServiceCluster")
    assert pc.go_method("GetServiceCluster")() == "svc"
    assert pc.go_field("ClusterName").go_field("ServiceCluster") == "svc"
    assert path(template_data(ctx(proxy_config={})), "ProxyConfig.ClusterName") is None


def test_repeated_fields() -> None:
    mesh = path(template_data(ctx()), "MeshConfig")
    metrics = mesh.go_field("DefaultProviders").go_field("Metrics")
    assert metrics == ["prometheus"] and type_name(metrics) == "[]string"
    providers = mesh.go_field("ExtensionProviders")
    assert providers == [] and type_name(providers) == "[]*v1alpha1.MeshConfig_ExtensionProvider"


def test_uint32_fields() -> None:
    tracing = path(template_data(ctx(proxy_config={"tracing": {"maxPathTagLength": 256}})), "ProxyConfig.Tracing")
    got = tracing.go_field("MaxPathTagLength")
    assert isinstance(got, Uint32) and got == 256 and type_name(got) == "uint32"


def test_values_are_go_json_numbers() -> None:
    values = template_data(ctx()).go_field("Values")
    assert values["global"]["proxy"]["statusPort"] == 15020.0
    assert type(values["global"]["proxy"]["statusPort"]) is float
    assert values["list"] == [1.0, 2.0]


def test_views_are_cached_per_context() -> None:
    c = ctx()
    data = template_data(c)
    assert template_data(c) is data
    assert data.go_field("Spec") is data.go_field("Spec")
    assert template_data(ctx()) is not data


def test_ruamel_round_trip_nodes_read_as_plain_go_values() -> None:
    import io

    from ruamel.yaml import YAML

    doc = YAML().load(io.StringIO(
        'metadata:\n  annotations:\n    a: "1"\n    n: null\n'
        'spec:\n  containers:\n  - name: "app"\n    ports:\n    - containerPort: 80\n      name: http\n'
        '  nodeSelector: {k: v}\n  overhead: {cpu: 1.5}\n'
    ))
    data = template_data(ctx(object_meta=doc["metadata"], spec=doc["spec"]))
    ann = path(data, "ObjectMeta.Annotations")
    assert ann == {"a": "1", "n": ""} and all(type(v) is str for v in ann.values())
    name = path(data, "Spec.Containers")[0].go_field("Name")
    assert type(name) is str and name == "app"
    assert path(data, "Spec.NodeSelector") == {"k": "v"}
    port = path(data, "Spec.Containers")[0].go_field("Ports")[0]
    assert type(port.to_json()["containerPort"]) is int


def render_go(text: str, c: TemplateContext) -> str:
    from pyinject.render.go import load_go_templates

    return load_go_templates({"t": text}).render("t", c)


def test_known_fields_keep_go_errors_after_other_reads() -> None:
    """What the engine takes without asking (``go_known``) never hides a nil pointer or a getter."""
    from pyinject.errors import TemplateExecError

    c = ctx()
    data = template_data(c)
    probe = path(data, "Spec.Containers")[1].go_field("ReadinessProbe")
    probe.go_field("HTTPGet")  # read directly, as a function may: a nil pointer's field is still an error
    assert dict(probe.go_known) == {}
    pc = path(data, "ProxyConfig")
    assert pc.go_method("GetServiceCluster")() == "svc"  # the getter reads the oneof member
    assert "ServiceCluster" not in pc.go_known
    assert render_go("{{.ProxyConfig.InterceptionMode}}{{.ProxyConfig.InterceptionMode}}", c) == "TPROXYTPROXY"
    assert "InterceptionMode" in pc.go_known
    assert render_go("{{.ProxyConfig.GetServiceCluster}}{{.ProxyConfig.GetServiceCluster}}", c) == "svcsvc"
    assert "GetServiceCluster" not in pc.go_known
    with pytest.raises(TemplateExecError, match="can't evaluate field ServiceCluster"):
        render_go("{{.ProxyConfig.ServiceCluster}}", c)
    for _ in range(2):
        with pytest.raises(TemplateExecError, match=r"nil pointer evaluating \*v1.Probe.HTTPGet"):
            render_go("{{range .Spec.Containers}}{{.ReadinessProbe.HTTPGet}}{{end}}", c)
    assert render_go("{{range .Spec.Containers}}{{.Name}}{{end}}", c) == "helloside"
    assert path(data, "Spec.Containers")[0].go_known["Name"] == "hello"


def test_what_functions_derive_from_a_struct_is_built_once_per_view() -> None:
    from pyinject.istio import gofuncs

    port = path(template_data(ctx()), "Spec.Containers")[0].go_field("Ports")[0]
    built: list[Any] = []

    def build(view: Any) -> str:
        built.append(view)
        return "text"

    assert port.derived("k", build) == "text" and port.derived("k", build) == "text"
    assert built == [port]
    want = '{"name":"http","containerPort":80}'
    assert gofuncs.struct_to_json(port) == want and gofuncs.struct_to_json(port) == want
    other = path(template_data(ctx()), "Spec.Containers")[0].go_field("Ports")[0]
    assert other is not port and gofuncs.struct_to_json(other) == want


def test_a_field_read_by_name_on_one_struct_type_is_not_another_types_field() -> None:
    # Field plans are kept per (definition, name): Name of an ObjectMeta and of a
    # Container, and a field one definition has and the other lacks.
    data = template_data(ctx(object_meta={"name": "pod-a"}))
    container = path(data, "Spec.Containers")[0]
    assert path(data, "ObjectMeta.Name") == "pod-a"
    assert container.go_field("Name") == "hello"
    assert path(template_data(ctx(object_meta={"name": "pod-b"})), "ObjectMeta.Name") == "pod-b"
    assert container.go_field("Image") == ""
    with pytest.raises(KeyError):
        path(data, "ObjectMeta.Image")


def test_a_struct_and_a_pointer_to_it_keep_their_own_type_names() -> None:
    data = template_data(ctx())
    second = path(data, "Spec.Containers")[1]
    # The same definition reached as a value (a list element) and as a pointer.
    assert second.go_type() == "v1.Container"
    assert path(data, "Spec.SecurityContext").go_type() == "*v1.PodSecurityContext"
    assert second.go_field("SecurityContext").go_type() == "*v1.SecurityContext"
    assert path(data, "Spec").go_type() == "v1.PodSpec"


def test_sized_integers_and_go_objects_print_as_fmt_prints_them() -> None:
    data = template_data(ctx())
    mode = path(data, "ProxyConfig.InterceptionMode")
    assert [format_value(v) for v in (Int64(-5), Int32(80), Uint32(7), mode)] == ["-5", "80", "7", "TPROXY"]
    assert format_value(path(data, "Spec.Containers")[1].go_field("ReadinessProbe")) == "<nil>"
    assert format_value(Wrapper("wkt:BoolValue", True)) == "value:true"
