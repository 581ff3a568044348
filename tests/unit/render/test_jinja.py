"""Tests for pyinject.render.jinja and the embedded Jinja2 injection templates.

The expectations come from reading Istio 1.30.3's injection templates (the
``istio-sidecar-injector`` ConfigMap) and pkg/kube/inject/template.go: each case
states what Istio's Go template yields for a hand-built pod.
"""

from __future__ import annotations

from dataclasses import replace

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyinject.errors import TemplateNotFound, TemplateExecError, TemplateSyntaxError
from pyinject.model import TemplateContext
from pyinject.render.jinja_funcs import (
    append_multus_network,
    directory,
    exclude_inbound_port,
    go_eq,
    go_print,
    json_entries,
    omit_nil,
    otel_resource_attributes,
    pod_ports_json,
    sprig_default,
    sprig_quote,
    sprig_trunc,
    value_or_default,
)
from pyinject.render.jinja import compile_jinja_templates, load_jinja_templates

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
CONFIG = yaml.safe_load((TEMPLATES / "inject-config.yaml").read_text())
STOCK_VALUES = yaml.safe_load((TEMPLATES / "values.yaml").read_text())
MESH = {
    "defaultConfig": {"discoveryAddress": "istiod.istio-system.svc:15012"},
    "trustDomain": "cluster.local",
    "rootNamespace": "istio-system",
}


@pytest.fixture(scope="module")
def templates() -> Any:
    return load_jinja_templates(TEMPLATES, CONFIG["templates"])


def make_ctx(
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    containers: list[dict[str, Any]] | None = None,
    values: dict[str, Any] | None = None,
    proxy: dict[str, Any] | None = None,
    mesh: dict[str, Any] | None = None,
    native: bool = False,
    uid: int = 1337,
    **spec_extra: Any,
) -> TemplateContext:
    if containers is None:
        containers = [{"name": "hello", "image": "hello:1.0", "ports": [{"name": "http", "containerPort": 80}]}]
    return TemplateContext(
        type_meta={"apiVersion": "apps/v1", "kind": "Deployment"},
        deployment_meta={"name": "hello", "namespace": "default"},
        object_meta={"labels": labels or {"app": "hello"}, "annotations": annotations or {}},
        spec={"containers": containers, **spec_extra},
        proxy_config=proxy if proxy is not None else dict(MESH["defaultConfig"]),
        mesh_config=mesh if mesh is not None else MESH,
        values=values if values is not None else STOCK_VALUES,
        revision="",
        native_sidecars=native,
        proxy_image="docker.io/istio/proxyv2:1.30.3",
        proxy_uid=uid,
        proxy_gid=uid,
        inbound_traffic_policy_mode="passthrough",
    )


def values_with(**changes: Any) -> dict[str, Any]:
    """Stock values with dotted paths changed, e.g. ``global__proxy__statusPort=0``."""
    values = copy.deepcopy(STOCK_VALUES)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = values
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return values


def render(templates: Any, ctx: TemplateContext, name: str = "sidecar") -> dict[str, Any]:
    fragment = yaml.safe_load(templates.render(name, ctx))
    assert isinstance(fragment, dict)
    return fragment


def container(fragment: dict[str, Any], name: str) -> dict[str, Any]:
    spec = fragment["spec"]
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or ():
            if c["name"] == name:
                return c  # type: ignore[no-any-return]
    raise AssertionError(f"no container {name}")


def env(c: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env") or ()}


# --------------------------------------------------------------------------
# The sidecar template, branch by branch


def test_default_sidecar_shape(templates: Any) -> None:
    out = render(templates, make_ctx())
    spec = out["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["istio-init"]
    assert [c["name"] for c in spec["containers"]] == ["istio-proxy"]
    init = container(out, "istio-init")
    assert init["args"][:10] == ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i"]
    assert init["args"][init["args"].index("-d") + 1] == "15090,15021,15020"
    assert init["securityContext"]["capabilities"]["add"] == ["NET_ADMIN", "NET_RAW"]
    proxy = container(out, "istio-proxy")
    assert "restartPolicy" not in proxy
    assert proxy["image"] == "docker.io/istio/proxyv2:1.30.3"
    variables = env(proxy)
    assert variables["PROXY_CONFIG"] == "{}\n"
    assert variables["ISTIO_META_POD_PORTS"] == '[\n    {"name":"http","containerPort":80}\n]'
    assert variables["ISTIO_META_APP_CONTAINERS"] == "hello"
    assert variables["ISTIO_META_OWNER"] == "kubernetes://apis/apps/v1/namespaces/default/deployments/hello"
    assert variables["CA_ADDR"] == "istiod.istio-system.svc:15012"
    assert variables["TRUST_DOMAIN"] == "cluster.local"
    assert proxy["readinessProbe"]["failureThreshold"] == 4
    assert proxy["startupProbe"]["failureThreshold"] == 600
    assert proxy["securityContext"]["runAsUser"] == 1337
    assert out["metadata"]["labels"] == {
        "security.istio.io/tlsMode": "istio",
        "service.istio.io/canonical-name": "hello",
        "service.istio.io/canonical-revision": "latest",
    }
    assert out["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"] == "hello"
    assert [v["name"] for v in spec["volumes"]] == [
        "workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data",
        "istio-podinfo", "istio-token", "istiod-ca-cert", "istio-ca-crl",
    ]


def test_native_sidecar_runs_as_restartable_init_container(templates: Any) -> None:
    out = render(templates, make_ctx(native=True))
    assert "containers" not in out["spec"]
    assert [c["name"] for c in out["spec"]["initContainers"]] == ["istio-init", "istio-proxy"]
    proxy = container(out, "istio-proxy")
    assert proxy["restartPolicy"] == "Always"
    assert proxy["lifecycle"]["preStop"]["exec"]["command"] == [
        "pilot-agent", "request", "--debug-port=15020", "POST", "drain",
    ]


@pytest.mark.parametrize(
    ("annotation", "native", "expect_native"),
    [
        pytest.param("true", False, True, id="annotation-opts-in"),
        pytest.param("false", True, False, id="annotation-opts-out"),
        pytest.param("", True, True, id="empty-annotation-uses-setting"),
    ],
)
def test_native_sidecar_annotation(templates: Any, annotation: str, native: bool, expect_native: bool) -> None:
    ctx = make_ctx(annotations={"sidecar.istio.io/nativeSidecar": annotation}, native=native)
    proxy = container(render(templates, ctx), "istio-proxy")
    assert ("restartPolicy" in proxy) is expect_native


@pytest.mark.parametrize(
    ("native", "init_names"),
    [
        pytest.param(False, [], id="no-init-containers"),
        pytest.param(True, ["istio-proxy"], id="native-proxy-only"),
    ],
)
def test_interception_none_skips_iptables(templates: Any, native: bool, init_names: list[str]) -> None:
    ctx = make_ctx(annotations={"sidecar.istio.io/interceptionMode": "NONE"}, native=native)
    out = render(templates, ctx)
    assert [c["name"] for c in out["spec"]["initContainers"]] == init_names
    assert env(container(out, "istio-proxy"))["ISTIO_META_INTERCEPTION_MODE"] == "NONE"


def test_hold_application_adds_post_start_only_without_native_sidecars(templates: Any) -> None:
    proxy_config = {**MESH["defaultConfig"], "holdApplicationUntilProxyStarts": True}
    classic = container(render(templates, make_ctx(proxy=proxy_config)), "istio-proxy")
    assert classic["lifecycle"] == {"postStart": {"exec": {"command": ["pilot-agent", "wait"]}}}
    native = container(render(templates, make_ctx(proxy=proxy_config, native=True)), "istio-proxy")
    assert "preStop" in native["lifecycle"]
    assert env(native)["PROXY_CONFIG"] == '{"holdApplicationUntilProxyStarts":true}\n'


def test_cni_validates_instead_of_writing_iptables(templates: Any) -> None:
    ctx = make_ctx(
        annotations={"traffic.sidecar.istio.io/excludeOutboundPorts": "5432"},
        values=values_with(pilot__cni__enabled=True),
        uid=1234,
    )
    out = render(templates, ctx)
    init = container(out, "istio-validation")
    assert init["args"][-2:] == ["--run-validation", "--skip-rule-apply"]
    assert "add" not in init["securityContext"]["capabilities"]
    assert init["securityContext"]["runAsUser"] == 1234
    assert init["securityContext"]["runAsNonRoot"] is True
    annotations = out["metadata"]["annotations"]
    assert annotations["traffic.sidecar.istio.io/excludeInboundPorts"] == "15020"
    assert annotations["traffic.sidecar.istio.io/excludeOutboundPorts"] == "5432"
    assert annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"] == "*"
    assert "traffic.sidecar.istio.io/excludeOutboundIPRanges" not in annotations


def test_tproxy_runs_proxy_as_root_with_net_admin(templates: Any) -> None:
    ctx = make_ctx(annotations={"sidecar.istio.io/interceptionMode": "TPROXY"}, uid=4321)
    out = render(templates, ctx)
    init = container(out, "istio-init")
    assert init["args"][init["args"].index("-u") + 1] == "1337"
    security = container(out, "istio-proxy")["securityContext"]
    assert security["capabilities"]["add"] == ["NET_ADMIN"]
    assert (security["runAsUser"], security["runAsGroup"], security["runAsNonRoot"]) == (0, 1337, False)


def test_resource_annotations_replace_configured_resources(templates: Any) -> None:
    ctx = make_ctx(annotations={"sidecar.istio.io/proxyCPU": "250m", "sidecar.istio.io/proxyMemoryLimit": "1Gi"})
    proxy = container(render(templates, ctx), "istio-proxy")
    assert proxy["resources"] == {"requests": {"cpu": "250m"}, "limits": {"memory": "1Gi"}}


def test_null_resource_values_are_dropped(templates: Any) -> None:
    values = values_with(global__proxy__resources={"limits": {"cpu": None, "memory": None}, "requests": {"cpu": "10m"}})
    proxy = container(render(templates, make_ctx(values=values)), "istio-proxy")
    assert proxy["resources"] == {"requests": {"cpu": "10m"}}


def test_status_port_zero_removes_probes_and_exclusion(templates: Any) -> None:
    ctx = make_ctx(annotations={"status.sidecar.istio.io/port": "0"})
    out = render(templates, ctx)
    proxy = container(out, "istio-proxy")
    assert "readinessProbe" not in proxy and "startupProbe" not in proxy
    init = container(out, "istio-init")
    assert init["args"][init["args"].index("-d") + 1] == "15090,15021"


def test_traffic_annotations_reach_iptables(templates: Any) -> None:
    ctx = make_ctx(
        annotations={
            "traffic.sidecar.istio.io/includeOutboundPorts": "80,443",
            "traffic.sidecar.istio.io/excludeInboundPorts": "8080, 15020",
            "istio.io/reroute-virtual-interfaces": "eth1",
            "traffic.sidecar.istio.io/kubevirtInterfaces": "ignored",
            "traffic.sidecar.istio.io/excludeInterfaces": "eth2",
        }
    )
    args = container(render(templates, ctx), "istio-init")["args"]
    assert args[args.index("-q") + 1] == "80,443"
    assert "-o" not in args
    # Istio compares the untrimmed " 15020" with the status port, so it is added again.
    assert args[args.index("-d") + 1] == "15090,15021,8080,15020,15020"
    assert args[args.index("-k") + 1] == "eth1"
    assert args[args.index("-c") + 1] == "eth2"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("a" * 70, "a" * 63, id="cut-to-63"),
        pytest.param("x" * 62 + "-y", "x" * 62, id="trailing-dash-dropped"),
        pytest.param("short", "short", id="short-kept"),
    ],
)
def test_canonical_name_fits_a_label_value(templates: Any, name: str, expected: str) -> None:
    out = render(templates, make_ctx(labels={"app": name}))
    assert out["metadata"]["labels"]["service.istio.io/canonical-name"] == expected


def test_values_print_like_go(templates: Any) -> None:
    # Helm values are float64 in Go: fmt prints 1000000 as 1e+06.
    values = values_with(global__proxy__readinessFailureThreshold=1000000, global__proxy__clusterDomain="corp.example")
    proxy = container(render(templates, make_ctx(values=values)), "istio-proxy")
    assert proxy["readinessProbe"]["failureThreshold"] == "1e+06"
    assert proxy["args"][3] == "$(POD_NAMESPACE).svc.corp.example"


def test_missing_value_prints_no_value(templates: Any) -> None:
    values = copy.deepcopy(STOCK_VALUES)
    del values["global"]["proxy"]["clusterDomain"]
    proxy = container(render(templates, make_ctx(values=values)), "istio-proxy")
    assert proxy["args"][3] == "$(POD_NAMESPACE).svc.<no value>"


def test_number_compared_with_string_is_a_template_error(templates: Any) -> None:
    # istioctl types --set ...excludeOutboundPorts=5432 as a number; Go's ne then fails.
    values = values_with(global__proxy__excludeOutboundPorts=5432)
    with pytest.raises(TemplateExecError, match=r"template: sidecar:\d+: error calling ne: incompatible types"):
        templates.render("sidecar", make_ctx(values=values))


def test_multus_network_is_appended_with_cni(templates: Any) -> None:
    values = values_with(pilot__cni__enabled=True, pilot__cni__provider="multus")
    ctx = make_ctx(annotations={"k8s.v1.cni.cncf.io/networks": "alt_cni"}, values=values)
    annotations = render(templates, ctx)["metadata"]["annotations"]
    assert annotations["k8s.v1.cni.cncf.io/networks"] == "alt_cni, default/istio-cni"


def test_user_volumes_and_mounts_from_annotations(templates: Any) -> None:
    ctx = make_ctx(
        annotations={
            "sidecar.istio.io/userVolume": '{"certs": {"secret": {"secretName": "my-certs"}}}',
            "sidecar.istio.io/userVolumeMount": '{"certs": {"mountPath": "/etc/certs", "readOnly": true}}',
        }
    )
    out = render(templates, ctx)
    assert out["spec"]["volumes"][-1] == {"name": "certs", "secret": {"secretName": "my-certs"}}
    assert container(out, "istio-proxy")["volumeMounts"][-1] == {
        "name": "certs", "mountPath": "/etc/certs", "readOnly": True,
    }


def test_bad_user_volume_json_fails_like_go(templates: Any) -> None:
    ctx = make_ctx(annotations={"sidecar.istio.io/userVolume": "{not json"})
    with pytest.raises(TemplateExecError, match="range can't iterate over"):
        templates.render("sidecar", ctx)


def test_mounted_mtls_certs_use_service_account_secret(templates: Any) -> None:
    values = values_with(global__mountMtlsCerts=True)
    out = render(templates, make_ctx(values=values, serviceAccountName="reviews"))
    volume = next(v for v in out["spec"]["volumes"] if v["name"] == "istio-certs")
    assert volume["secret"] == {"optional": True, "secretName": "istio.reviews"}


def test_otel_semantic_conventions(templates: Any) -> None:
    mesh = {
        **MESH,
        "extensionProviders": [
            {"name": "otel", "opentelemetry": {"service": "c", "port": 4317,
                                               "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS"}}
        ],
    }
    ctx = make_ctx(labels={"app": "hello", "app.kubernetes.io/version": "v1.2.3"}, mesh=mesh)
    proxy = container(render(templates, ctx), "istio-proxy")
    assert env(proxy)["OTEL_RESOURCE_ATTRIBUTES"] == (
        "service.namespace=default,service.version=v1.2.3,service.instance.id=default.$(POD_NAME).hello"
    )


# --------------------------------------------------------------------------
# gateway, grpc-simple, grpc-agent


def test_gateway_runs_router_without_init(templates: Any) -> None:
    ctx = make_ctx(containers=[{"name": "istio-proxy", "image": "auto"}])
    out = render(templates, ctx, "gateway")
    assert "initContainers" not in out["spec"]
    assert out["spec"]["securityContext"] == {
        "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
    }
    proxy = container(out, "istio-proxy")
    assert proxy["args"][:2] == ["proxy", "router"]
    assert proxy["securityContext"] == {"runAsUser": 1337, "runAsGroup": 1337}
    assert "kubectl.kubernetes.io/default-container" not in (out["metadata"]["annotations"] or {})


def test_gateway_security_context_from_values(templates: Any) -> None:
    values = values_with(gateways__securityContext={"runAsNonRoot": True, "fsGroup": 1337})
    out = render(templates, make_ctx(values=values), "gateway")
    assert out["spec"]["securityContext"] == {"fsGroup": 1337, "runAsNonRoot": True}


def test_grpc_simple_bootstraps_every_container(templates: Any) -> None:
    ctx = make_ctx(containers=[{"name": "a"}, {"name": "b"}])
    out = render(templates, ctx, "grpc-simple")
    assert [c["name"] for c in out["spec"]["containers"]] == ["a", "b"]
    init = out["spec"]["initContainers"][0]
    assert env(init)["ISTIO_NAMESPACE"] == "istio-system\n"


@pytest.mark.parametrize(
    ("status_port", "has_probe"),
    [pytest.param("15020", True, id="probed"), pytest.param("0", False, id="status-port-off")],
)
def test_grpc_agent(templates: Any, status_port: str, has_probe: bool) -> None:
    ctx = make_ctx(annotations={"status.sidecar.istio.io/port": status_port})
    out = render(templates, ctx, "grpc-agent")
    names = [c["name"] for c in out["spec"]["containers"]]
    assert names == ["istio-proxy", "hello"]
    proxy = container(out, "istio-proxy")
    assert env(proxy)["DISABLE_ENVOY"] == "true"
    assert ("readinessProbe" in proxy) is has_probe
    assert container(out, "hello")["env"][1]["value"] == "/etc/istio/proxy/grpc-bootstrap.json"


# --------------------------------------------------------------------------
# Loading, errors, sandbox


def test_unknown_template_lists_known_ones(templates: Any) -> None:
    # One wording for both engines, Istio's.
    with pytest.raises(TemplateNotFound, match='^requested template "spire" not found; have gateway, grpc-agent, grpc-simple, sidecar$'):
        templates.render("spire", make_ctx())


def test_syntax_error_names_template_and_line() -> None:
    with pytest.raises(TemplateSyntaxError, match=r"template: broken:2: "):
        compile_jinja_templates({"broken": "metadata:\n  {% if %}\n"})


def test_sandbox_blocks_python_internals() -> None:
    # On a mapping, `.x` is always a key lookup: `__class__` is just a missing key.
    compiled = compile_jinja_templates({"evil": "{{ values.__class__.__mro__ }}"})
    assert compiled.render("evil", make_ctx()) == "<no value>"
    # On anything else, the sandbox refuses Python internals.
    compiled = compile_jinja_templates({"evil": "{{ revision.__class__.__mro__ }}"})
    with pytest.raises(TemplateExecError, match="evil"):
        compiled.render("evil", make_ctx())


@pytest.mark.parametrize("source,expected", [
    ("{{ values.missing.deeper.still }}", "<no value>"),
    ("{% if values.missing.deeper %}yes{% else %}no{% endif %}", "no"),
], ids=["missing chain prints <no value>", "missing chain is false"])
def test_fields_of_missing_keys_are_missing_like_go(source: str, expected: str) -> None:
    assert compile_jinja_templates({"t": source}).render("t", make_ctx()) == expected


def test_field_of_a_null_is_an_error_like_go() -> None:
    ctx = make_ctx()
    compiled = compile_jinja_templates({"t": "{{ values.global.nothing.x }}"})
    values = dict(ctx.values)
    values["global"] = dict(values["global"], nothing=None)
    with pytest.raises(TemplateExecError, match="nil pointer evaluating"):
        compiled.render("t", replace(ctx, values=values))


def test_sources_can_import_embedded_macros() -> None:
    compiled = compile_jinja_templates(
        {"mine": '{% import "_proxy.j2" as common with context %}{{ common.image(values.global.proxy.image) }}'}
    )
    assert compiled.render("mine", make_ctx()).strip() == 'image: "docker.io/istio/proxyv2:1.30.3"'


def test_config_lists_existing_templates() -> None:
    assert CONFIG["format"] == "pyinject/jinja2"
    assert set(CONFIG["templates"]) == {"sidecar", "gateway", "grpc-simple", "grpc-agent"}
    for file in CONFIG["templates"].values():
        assert (TEMPLATES / file).is_file()


# --------------------------------------------------------------------------
# Helper functions


@pytest.mark.parametrize(
    ("port", "excluded", "expected"),
    [
        pytest.param("15020", "", "15020", id="empty-list"),
        pytest.param("15020", "8080, 9090", "8080,9090,15020", id="appended-and-trimmed"),
        pytest.param("15020", "8080,15020", "8080,15020", id="already-there-unchanged"),
        pytest.param("0", "8080", "8080", id="port-zero"),
        pytest.param(15020.0, "", "15020", id="float64-value"),
    ],
)
def test_exclude_inbound_port(port: Any, excluded: str, expected: str) -> None:
    assert exclude_inbound_port(port, excluded) == expected


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        pytest.param("", "default/istio-cni", id="empty"),
        pytest.param("a, b", "a, b, default/istio-cni", id="comma-list"),
        pytest.param("a, default/istio-cni", "a, default/istio-cni", id="comma-list-has-it"),
        pytest.param('[{"name": "a"}]', '[{"name": "a"}, {"name": "istio-cni", "namespace": "default"}]', id="json"),
        pytest.param('[{"name": "istio-cni", "namespace": "default"}]',
                     '[{"name": "istio-cni", "namespace": "default"}]', id="json-has-it"),
        pytest.param("[not json]", "[not json]", id="bad-json-kept"),
    ],
)
def test_append_multus_network(existing: str, expected: str) -> None:
    assert append_multus_network(existing, "default/istio-cni") == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param("a", "a", True, id="strings"),
        pytest.param(None, "", False, id="nil-vs-string"),
        pytest.param(1.0, 1, True, id="numbers"),
        pytest.param(True, True, True, id="bools"),
    ],
)
def test_go_eq(left: Any, right: Any, expected: bool) -> None:
    assert go_eq(left, right) is expected


def test_go_eq_rejects_mixed_kinds() -> None:
    with pytest.raises(Exception, match="incompatible types"):
        go_eq(5432.0, "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(True, "true", id="bool"),
        pytest.param(15020.0, "15020", id="integral-float"),
        pytest.param(0.5, "0.5", id="fraction"),
        pytest.param(1e6, "1e+06", id="large-float"),
        pytest.param(None, "<no value>", id="nil"),
        pytest.param({"b": 1.0, "a": "x"}, "map[a:x b:1]", id="map-sorted"),
        pytest.param(["a", 2.0], "[a 2]", id="list"),
    ],
)
def test_go_print(value: Any, expected: str) -> None:
    assert go_print(value) == expected


@pytest.mark.parametrize(
    ("value", "fallback", "expected"),
    [
        pytest.param("", "d", "d", id="empty-string"),
        pytest.param(0, "d", "d", id="zero"),
        pytest.param(False, "d", "d", id="false"),
        pytest.param({}, "d", "d", id="empty-map"),
        pytest.param("x", "d", "x", id="set"),
    ],
)
def test_sprig_default(value: Any, fallback: Any, expected: Any) -> None:
    assert sprig_default(value, fallback) == expected


@pytest.mark.parametrize(
    ("value", "fallback", "expected"),
    [
        pytest.param("", "d", "d", id="empty-string"),
        pytest.param(None, "d", "d", id="nil"),
        pytest.param(0, "d", 0, id="zero-kept"),
        pytest.param(False, "d", False, id="false-kept"),
    ],
)
def test_value_or_default(value: Any, fallback: Any, expected: Any) -> None:
    assert value_or_default(value, fallback) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param('say "hi"\n', '"say \\"hi\\"\\n"', id="escapes"),
        pytest.param(None, "", id="nil-quotes-to-nothing"),
        pytest.param(1337, '"1337"', id="integer"),
    ],
)
def test_sprig_quote(value: Any, expected: str) -> None:
    assert sprig_quote(value) == expected


def test_trunc_counts_bytes_like_go() -> None:
    assert sprig_trunc("ab", 5) == "ab"
    # "é" is two bytes; cutting after one byte leaves half a rune, as Go does.
    assert sprig_trunc("aé", 2).encode("utf-8", "surrogateescape") == b"a\xc3"


def test_omit_nil() -> None:
    assert omit_nil({"a": None, "b": {"c": None, "d": 1}, "e": [None, 2]}) == {"b": {"d": 1}, "e": [2]}
    assert omit_nil({"a": {"b": None}}) is None
    assert omit_nil({"limits": {}, "requests": {"cpu": "1"}}) == {"limits": {}, "requests": {"cpu": "1"}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [pytest.param("/etc/certs/ca.pem", "/etc/certs/", id="file"), pytest.param("ca.pem", "", id="bare"),
     pytest.param(None, "", id="unset")],
)
def test_directory(path: Any, expected: str) -> None:
    assert directory(path) == expected


def test_json_entries_sorts_maps_and_indexes_lists() -> None:
    assert json_entries('{"b": 1, "a": 2}') == [("a", 2.0), ("b", 1.0)]
    assert json_entries('[{"x": 1}]') == [(0, {"x": 1.0})]


def test_pod_ports_json_matches_istio_layout() -> None:
    containers = [
        {"name": "a", "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}]},
        {"name": "b", "ports": [{"containerPort": 53, "protocol": "UDP", "hostPort": 53}]},
    ]
    assert pod_ports_json(containers) == (
        '[\n    {"name":"http","containerPort":80,"protocol":"TCP"}\n'
        '    ,{"hostPort":53,"containerPort":53,"protocol":"UDP"}\n]'
    )


def test_otel_attributes_off_without_semantic_conventions() -> None:
    assert otel_resource_attributes({}, {}, {}, "default", [{"name": "a"}]) == ""


def test_load_accepts_template_text_as_the_config_loader_gives_it() -> None:
    # InjectionConfig.templates holds the text read from the files, not the file names.
    texts = {name: (TEMPLATES / file).read_text() for name, file in CONFIG["templates"].items()}
    from_text = load_jinja_templates(TEMPLATES, texts)
    from_files = load_jinja_templates(TEMPLATES, CONFIG["templates"])
    ctx = make_ctx(annotations={"sidecar.istio.io/interceptionMode": "TPROXY"})
    for name in CONFIG["templates"]:
        assert from_text.render(name, ctx) == from_files.render(name, ctx)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("{{ valuse.global }}", id="printed"),
        pytest.param("{% if valuse %}x{% endif %}", id="tested"),
        pytest.param("{% for x in valuse %}{% endfor %}", id="ranged"),
        pytest.param("{{ valuse | goquote }}", id="filtered"),
    ],
)
def test_misspelled_variable_is_an_error_not_a_zero_value(source: str) -> None:
    compiled = compile_jinja_templates({"typo": source})
    with pytest.raises(TemplateExecError, match="valuse"):
        compiled.render("typo", make_ctx())


def test_missing_map_key_is_a_zero_value() -> None:
    compiled = compile_jinja_templates({"zero": "[{{ values.nope }}][{{ 'y' if values.nope else 'n' }}]"})
    assert compiled.render("zero", make_ctx()) == "[<no value>][n]"
