"""Settings layering, --set typing, schema checks, mesh merge rules, per-pod facts (pyinject.config.settings*).

Cases are written for pyinject from Istio 1.30's documented behaviour (istioctl
--set typing, mesh.ApplyMeshConfig, the istiod chart's injector values).
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pyinject.config import settings as config
from pyinject.config.inject_config import load_injection_config, values_templates, with_values
from pyinject.config.layers import overlay, parse_set_value, split_set_path
from pyinject.config.mesh import (
    apply_mesh,
    apply_proxy_config,

)
from pyinject.golang.durations import format_proto_duration, parse_duration as parse_go_duration
from pyinject.errors import ConfigError
from pyinject.model import InjectionConfig


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def iop(tmp_path: Path, spec: str) -> str:
    body = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n" + textwrap.indent(
        textwrap.dedent(spec), "  ")
    return write(tmp_path, "iop.yaml", body)


# --------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("15020", 15020, id="integer"),
        pytest.param("-3", -3, id="negative-integer"),
        pytest.param("+7", 7, id="plus-sign-integer"),
        pytest.param("007", 7, id="leading-zeros-still-integer"),
        pytest.param("1.5", 1.5, id="float"),
        pytest.param("1e3", 1000.0, id="exponent-float"),
        pytest.param("0x1p3", 8.0, id="hex-float"),
        pytest.param("true", True, id="true"),
        pytest.param("False", False, id="False"),
        pytest.param("t", True, id="go-parsebool-t"),
        pytest.param("F", False, id="go-parsebool-F"),
        pytest.param("yes", "yes", id="yes-is-a-string"),
        pytest.param("4,5,6", "4,5,6", id="comma-list-stays-string"),
        pytest.param("a\\,b", "a,b", id="escaped-comma"),
        pytest.param("1_000", "1_000", id="underscores-are-not-go-numbers"),
        pytest.param(" 5", " 5", id="spaces-are-not-numbers"),
        pytest.param("", "", id="empty-string"),
        pytest.param("null", None, id="null-removes"),
        pytest.param("registry.istio.io/testing", "registry.istio.io/testing", id="plain-string"),
    ],
)
def test_set_value_typing(text: str, want: Any) -> None:
    got = parse_set_value(text)
    assert got == want
    assert type(got) is type(want)


def test_set_value_nan_is_a_float() -> None:
    got = parse_set_value("NaN")
    assert isinstance(got, float) and math.isnan(got)


@pytest.mark.parametrize(
    ("key", "want"),
    [
        pytest.param("values.global.hub", ("values", "global", "hub"), id="dotted"),
        pytest.param("a.b\\.c/d.e", ("a", "b.c/d", "e"), id="escaped-dot"),
        pytest.param("a.list[2].b", ("a", "list", 2, "b"), id="list-index"),
        pytest.param("a[0][1]", ("a", 0, 1), id="nested-index"),
    ],
)
def test_split_set_path(key: str, want: tuple[Any, ...]) -> None:
    assert split_set_path(key, key) == want


@pytest.mark.parametrize(
    "flag",
    [
        pytest.param("values.global.hub", id="no-equals"),
        pytest.param("=x", id="no-key"),
        pytest.param("values..hub=x", id="empty-segment"),
        pytest.param("values.a[x]=1", id="bad-index"),
        pytest.param("profile.x=1", id="unknown-section"),
        pytest.param("values=1", id="section-without-key"),
        pytest.param("hub.x=1", id="scalar-section-with-path"),
        pytest.param("profile=demo", id="unsupported-profile"),
    ],
)
def test_bad_set_flags(flag: str) -> None:
    with pytest.raises(ConfigError, match="--set"):
        config.load_settings(sets=[flag])


@pytest.mark.parametrize(
    ("flag", "section", "path", "want"),
    [
        pytest.param("meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE=true", "mesh",
                     ("defaultConfig", "proxyMetadata", "ISTIO_META_DNS_CAPTURE"), "true", id="bool-text-in-string-map"),
        pytest.param("meshConfig.trustDomain=1.5", "mesh", ("trustDomain",), "1.5", id="number-text-for-string"),
        pytest.param("values.global.network=1", "values", ("global", "network"), "1", id="values-string"),
        pytest.param("values.global.proxy.excludeInboundPorts=80", "values", ("global", "proxy", "excludeInboundPorts"),
                     80, id="string-or-integer-stays-typed"),
        pytest.param("values.global.proxy.statusPort=15021", "values", ("global", "proxy", "statusPort"), 15021,
                     id="integer-field"),
    ],
)
def test_set_values_follow_the_schema_for_strings(flag: str, section: str, path: tuple[str, ...], want: Any) -> None:
    settings = config.load_settings(sets=[flag])
    node: Any = settings.values if section == "values" else settings.mesh
    for part in path:
        node = node[part]
    assert node == want
    assert type(node) is type(want)


# --------------------------------------------------------------------------- overlay


@pytest.mark.parametrize(
    ("base", "top", "want"),
    [
        pytest.param({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}, {"a": {"b": 1, "c": 3}}, id="maps-merge"),
        pytest.param({"a": [1, 2]}, {"a": [3]}, {"a": [3]}, id="lists-replace"),
        pytest.param({"a": {"b": 1}}, {"a": "x"}, {"a": "x"}, id="scalar-replaces-map"),
        pytest.param({"a": {"b": 1, "c": 2}}, {"a": {"b": None}}, {"a": {"c": 2}}, id="null-removes"),
        pytest.param({"a": 1}, {"z": {"x": None, "y": 1}}, {"a": 1, "z": {"y": 1}}, id="null-in-new-map-dropped"),
        pytest.param({"a": 1}, {"missing": None}, {"a": 1}, id="null-for-absent-key"),
    ],
)
def test_overlay(base: dict[str, Any], top: dict[str, Any], want: dict[str, Any]) -> None:
    before = json.dumps(base)
    assert overlay(base, top) == want
    assert json.dumps(base) == before, "overlay must not modify its input"


# --------------------------------------------------------------------------- values layering


def test_embedded_values_are_the_stock_install() -> None:
    values = config.load_values(None)
    assert values["global"]["hub"] == "docker.io/istio"
    assert values["global"]["tag"] == "1.30.3"
    assert values["global"]["proxy"]["statusPort"] == 15020
    assert values["pilot"]["cni"] == {"enabled": False, "provider": "default"}


def test_values_file_replaces_embedded_values_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "values.json", '{"global": {"suffix": "test"}}')
    assert config.load_values(path) == {"global": {"suffix": "test"}}


def test_values_file_may_be_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "values.yaml", "global:\n  hub: example.com/istio\n")
    assert config.load_values(path)["global"]["hub"] == "example.com/istio"


def test_layer_order_file_then_operator_then_set(tmp_path: Path) -> None:
    values_file = write(tmp_path, "values.yaml", "global:\n  hub: from-file\n  tag: file\n  network: file\n")
    operator = iop(tmp_path, "values:\n  global:\n    tag: from-iop\n    network: from-iop\n")
    values = config.load_values(values_file, operator, ["values.global.network=from-set"])
    assert values["global"] == {"hub": "from-file", "tag": "from-iop", "network": "from-set"}


def test_spec_hub_and_tag_beat_values_global(tmp_path: Path) -> None:
    operator = iop(tmp_path, "hub: spec-hub\ntag: 1.2\nvalues:\n  global:\n    hub: values-hub\n")
    values = config.load_values(None, operator, ["values.global.tag=values-tag"])
    assert values["global"]["hub"] == "spec-hub"
    assert values["global"]["tag"] == 1.2


def test_set_hub_revision_namespace_profile() -> None:
    values = config.load_values(None, None, ["hub=example.com/x", "revision=canary", "namespace=mesh",
                                             "profile=minimal"])
    assert values["global"]["hub"] == "example.com/x"
    assert values["revision"] == "canary"
    assert values["global"]["istioNamespace"] == "mesh"


@pytest.mark.parametrize(
    ("sets", "want"),
    [
        pytest.param(["components.cni.enabled=true"], {"enabled": True, "provider": "default"}, id="component"),
        pytest.param(["values.cni.provider=multus"], {"enabled": False, "provider": "multus"}, id="top-level-cni"),
        pytest.param(["values.pilot.cni.enabled=true"], {"enabled": True, "provider": "default"}, id="pilot-cni"),
        pytest.param(["values.cni.provider=a", "values.pilot.cni.provider=b"], {"enabled": False, "provider": "b"},
                     id="pilot-wins-over-top-level"),
    ],
)
def test_cni_settings_land_in_pilot_cni(sets: list[str], want: dict[str, Any]) -> None:
    assert config.load_values(None, None, sets)["pilot"]["cni"] == want


def test_chart_values_outside_the_injector_view_are_dropped(tmp_path: Path) -> None:
    operator = iop(tmp_path, """\
        values:
          telemetry: {enabled: false}
          pilot: {autoscaleEnabled: false, env: {A: "1"}}
          gateways: {securityContext: {runAsUser: 5}, istio-ingressgateway: {type: NodePort}}
        """)
    values = config.load_values(None, operator)
    assert "telemetry" not in values
    assert values["pilot"]["env"] == {"A": "1"}
    assert "autoscaleEnabled" not in values["pilot"]
    assert values["gateways"] == {"seccompProfile": {}, "securityContext": {"runAsUser": 5}}


def test_operator_null_removes_a_default(tmp_path: Path) -> None:
    operator = iop(tmp_path, """\
        values:
          global:
            proxy:
              resources:
                limits: {cpu: null, memory: 500Mi}
        """)
    resources = config.load_values(None, operator)["global"]["proxy"]["resources"]
    assert resources["limits"] == {"memory": "500Mi"}
    assert resources["requests"] == {"cpu": "100m", "memory": "128Mi"}


def test_set_null_removes_a_default() -> None:
    values = config.load_values(None, None, ["values.global.proxy.resources.requests.cpu=null"])
    assert values["global"]["proxy"]["resources"]["requests"] == {"memory": "128Mi"}


def test_operator_templates_become_extra_templates(tmp_path: Path) -> None:
    operator = iop(tmp_path, "values:\n  sidecarInjectorWebhook:\n    templates:\n      custom: 'metadata: {}'\n")
    settings = config.load_settings(operator_file=operator)
    assert settings.extra_templates == {"custom": "metadata: {}"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        pytest.param("kind: Deployment\nspec: {}\n", "kind: IstioOperator", id="wrong-kind"),
        pytest.param("kind: IstioOperator\nspec:\n  valuez: {}\n", "spec.valuez", id="unknown-spec-key"),
        pytest.param("kind: IstioOperator\nspec:\n  values: [1]\n", "spec.values", id="values-not-a-map"),
        pytest.param("- a\n", "IstioOperator", id="not-a-mapping"),
        pytest.param("kind: IstioOperator\nspec:\n  profile: demo\n", "spec.profile", id="unsupported-profile"),
        pytest.param("kind: IstioOperator\nspec: {values: {a: 1}\n", "not valid YAML", id="bad-yaml"),
    ],
)
def test_bad_operator_files(tmp_path: Path, doc: str, message: str) -> None:
    path = write(tmp_path, "iop.yaml", doc)
    with pytest.raises(ConfigError, match=message) as info:
        config.load_settings(operator_file=path)
    assert info.value.location.file == path


# --------------------------------------------------------------------------- schema checks


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        pytest.param(["values.global.proxy.imagee=x"],
                     'values.global.proxy.imagee: unknown key "imagee" (did you mean "image"?) '
                     "(from --set values.global.proxy.imagee=x)", id="typo-with-suggestion"),
        pytest.param(["values.global.proxy.statusPort=abc"],
                     'values.global.proxy.statusPort: expected an integer, got a string ("abc") '
                     "(from --set values.global.proxy.statusPort=abc)", id="string-for-number"),
        pytest.param(["values.global.proxy.privileged=yes"], "values.global.proxy.privileged: expected a boolean",
                     id="string-for-bool"),
        pytest.param(["values.global.imagePullPolicy=Sometimes"], 'values.global.imagePullPolicy: "Sometimes" is not one',
                     id="enum"),
        pytest.param(["components.cni.enabled=maybe"], "components.cni.enabled: expected a boolean", id="component"),
        pytest.param(["meshConfig.defaultConfig.interceptionMod=TPROXY"],
                     'meshConfig.defaultConfig.interceptionMod: unknown key "interceptionMod" '
                     '(did you mean "interceptionMode"?)', id="mesh-typo"),
        pytest.param(["meshConfig.defaultConfig.interceptionMode=MAGIC"],
                     'meshConfig.defaultConfig.interceptionMode: "MAGIC" is not one of', id="mesh-enum"),
        pytest.param(["meshConfig.defaultConfig.drainDuration=forever"],
                     'meshConfig.defaultConfig.drainDuration: "forever" is not a duration such as 5s, 1m30s or 500ms '
                     "(from --set meshConfig.defaultConfig.drainDuration=forever)", id="mesh-duration"),
        pytest.param(["meshConfig.defaultConfig.proxyAdminPort=70000"], "proxyAdminPort: 70000 is not a port",
                     id="mesh-port-range"),
        pytest.param(["meshConfig.defaultConfig.discoveryAddress=nowhere"], "discoveryAddress: 'nowhere' is not HOST:PORT",
                     id="mesh-address"),
    ],
)
def test_schema_errors_name_key_and_source(sets: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.load_settings(sets=sets)
    assert message in str(info.value)


def test_unknown_keys_in_values_file_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, "values.yaml", "global:\n  suffix: test\n  proxy:\n    madeUp: 1\n")
    assert config.load_values(path)["global"]["proxy"]["madeUp"] == 1


def test_wrong_type_in_values_file_names_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "values.yaml", "global:\n  proxy:\n    readinessPeriodSeconds: soon\n")
    with pytest.raises(ConfigError, match=r"values\.global\.proxy\.readinessPeriodSeconds: expected an integer") as info:
        config.load_values(path)
    assert info.value.location.file == path


def test_unknown_key_in_operator_names_the_file(tmp_path: Path) -> None:
    operator = iop(tmp_path, "values:\n  global:\n    proxy:\n      imagee: x\n")
    with pytest.raises(ConfigError, match="unknown key") as info:
        config.load_values(None, operator)
    assert info.value.location.file == operator


def test_values_file_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "values.yaml", "- 1\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        config.load_values(path)


def test_missing_values_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read values file") as info:
        config.load_values(str(tmp_path / "nope.yaml"))
    assert info.value.location.file == str(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- mesh


def test_default_mesh_is_builtin_plus_stock_install() -> None:
    mesh = config.load_mesh(None)
    assert mesh["defaultProviders"] == {"metrics": ["prometheus"]}
    assert mesh["defaultConfig"]["statusPort"] == 15020
    assert mesh["defaultConfig"]["discoveryAddress"] == "istiod.istio-system.svc:15012"
    assert mesh["inboundTrafficPolicy"] == {"mode": "PASSTHROUGH"}
    assert "tracing" not in mesh["defaultConfig"]


def test_mesh_file_goes_over_builtin_not_over_install(tmp_path: Path) -> None:
    path = write(tmp_path, "mesh.yaml", "trustDomain: example.org\n")
    mesh = config.load_mesh(path)
    assert mesh["trustDomain"] == "example.org"
    assert mesh["defaultProviders"] == {}
    assert mesh["proxyListenPort"] == 15001


def test_layer_order_mesh_file_operator_set(tmp_path: Path) -> None:
    mesh_file = write(tmp_path, "mesh.yaml", "defaultConfig:\n  drainDuration: 10s\n  meshId: file\n")
    operator = iop(tmp_path, "meshConfig:\n  defaultConfig:\n    meshId: iop\n    concurrency: 3\n")
    mesh = config.load_mesh(mesh_file, operator, ["meshConfig.defaultConfig.concurrency=4"])
    assert mesh["defaultConfig"]["drainDuration"] == "10s"
    assert mesh["defaultConfig"]["meshId"] == "iop"
    assert mesh["defaultConfig"]["concurrency"] == 4


@pytest.mark.parametrize(
    ("doc", "path", "want"),
    [
        pytest.param({"outboundTrafficPolicy": {}}, ("outboundTrafficPolicy",), {}, id="message-replaced-whole"),
        pytest.param({"trustDomain": None}, ("trustDomain",), "cluster.local", id="null-ignored"),
        pytest.param({"defaultConfig": {"drainDuration": "3s"}}, ("defaultConfig", "statusPort"), 15020,
                     id="proxy-config-field-wise"),
        pytest.param({"defaultConfig": {"tracing": {}}}, ("defaultConfig", "tracing"), {}, id="empty-tracing-kept"),
        pytest.param({"defaultProviders": {"tracing": ["zipkin"]}}, ("defaultProviders",),
                     {"metrics": ["prometheus"], "tracing": ["zipkin"]}, id="default-providers-field-wise"),
        pytest.param({"trustDomainAliases": ["b", "a", "b"]}, ("trustDomainAliases",), ["a", "b", "old"],
                     id="aliases-sorted-union"),
    ],
)
def test_apply_mesh_rules(doc: dict[str, Any], path: tuple[str, ...], want: Any) -> None:
    base = {"trustDomain": "cluster.local", "outboundTrafficPolicy": {"mode": "ALLOW_ANY"},
            "defaultConfig": {"statusPort": 15020, "drainDuration": "45s"},
            "defaultProviders": {"metrics": ["prometheus"]}, "trustDomainAliases": ["old"]}
    node: Any = apply_mesh(base, doc)
    for part in path:
        node = node[part]
    assert node == want


def test_extension_providers_merge_by_name() -> None:
    base = {"extensionProviders": [{"name": "a", "x": {}}, {"name": "b", "y": {}}]}
    got = apply_mesh(base, {"extensionProviders": [{"name": "b", "z": {"port": 1}}, {"name": "c", "w": {}}]})
    assert got["extensionProviders"] == [{"name": "a", "x": {}}, {"name": "b", "z": {"port": 1}},
                                         {"name": "c", "w": {}}]


def test_proxy_config_rules() -> None:
    base = {"proxyMetadata": {"A": "1", "B": "2"}, "tracing": {"zipkin": {"address": "z:1"}},
            "proxyHeaders": {"server": {"disabled": True}, "requestId": {"disabled": True}}}
    top = {"proxyMetadata": {"B": "3"}, "tracing": {"sampling": 5}, "proxyHeaders": {"server": {"value": "x"}},
           "statusPort": None}
    got = apply_proxy_config(base, top)
    assert got["proxyMetadata"] == {"A": "1", "B": "3"}
    assert got["tracing"] == {"sampling": 5}
    assert got["proxyHeaders"] == {"server": {"value": "x"}, "requestId": {"disabled": True}}
    assert "statusPort" not in got


def test_unknown_keys_in_mesh_file_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, "mesh.yaml", "ingressService: istio-ingress\ndefaultConfig:\n  zipkinAddress: ''\n"
                                        "  connectTimeout: 1s\n  discoveryAddress: istio-pilot:15007\n")
    mesh = config.load_mesh(path)
    assert mesh["ingressService"] == "istio-ingress"
    assert mesh["defaultConfig"]["discoveryAddress"] == "istio-pilot:15007"


def test_bad_mesh_file_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "mesh.yaml", "defaultConfig:\n  statusPort: many\n")
    with pytest.raises(ConfigError, match=r"meshConfig\.defaultConfig\.statusPort: expected an integer") as info:
        config.load_mesh(path)
    assert info.value.location.file == path


@pytest.mark.parametrize(
    ("sets", "path", "want"),
    [
        pytest.param(["meshConfig.defaultConfig.drainDuration=1m"], ("defaultConfig", "drainDuration"), "60s",
                     id="duration-minutes"),
        pytest.param(["meshConfig.defaultConfig.drainDuration=1.5s"], ("defaultConfig", "drainDuration"), "1.500s",
                     id="duration-fraction"),
        pytest.param(["meshConfig.connectTimeout=250ms"], ("connectTimeout",), "0.250s", id="mesh-duration"),
        pytest.param(["meshConfig.inboundTrafficPolicy.mode=1"], ("inboundTrafficPolicy", "mode"), "LOCALHOST",
                     id="enum-number"),
        pytest.param(["meshConfig.defaultConfig.proxyMetadata.KEY=v"], ("defaultConfig", "proxyMetadata"),
                     {"KEY": "v"}, id="proxy-metadata"),
        pytest.param(["revision=canary"], ("defaultConfig", "discoveryAddress"),
                     "istiod-canary.istio-system.svc:15012", id="revision-address"),
        pytest.param(["values.global.meshID=m1"], ("defaultConfig", "meshId"), "m1", id="mesh-id-from-values"),
        pytest.param(["values.global.variant=distroless"], ("defaultConfig", "image"), {"imageType": "distroless"},
                     id="variant-image-type"),
        pytest.param(["values.global.proxy.tracer=zipkin"], ("defaultConfig", "tracing"),
                     {"zipkin": {"address": "zipkin.istio-system:9411"}}, id="zipkin-tracer"),
        pytest.param(["values.global.istioNamespace=mesh"], ("rootNamespace",), "mesh", id="root-namespace"),
    ],
)
def test_mesh_from_set(sets: list[str], path: tuple[str, ...], want: Any) -> None:
    node: Any = config.load_mesh(None, None, sets)
    for part in path:
        node = node[part]
    assert node == want


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        pytest.param("0", 0, id="zero"),
        pytest.param("45s", 45 * 10**9, id="seconds"),
        pytest.param("1h30m", 5400 * 10**9, id="compound"),
        pytest.param("1.5s", 1_500_000_000, id="fraction"),
        pytest.param("-2ms", -2_000_000, id="negative"),
        pytest.param("3us", 3000, id="micro"),
    ],
)
def test_parse_go_duration(text: str, nanos: int) -> None:
    assert parse_go_duration(text) == nanos


@pytest.mark.parametrize("text", ["", "5", "s", "1.s5", "1d", "--1s"])
def test_bad_go_duration(text: str) -> None:
    with pytest.raises(ValueError):
        parse_go_duration(text)


@pytest.mark.parametrize(
    ("nanos", "text"),
    [(0, "0s"), (23 * 10**9, "23s"), (1_500_000_000, "1.500s"), (1_000_001, "0.001000001s"),
     (10_000, "0.000010s"), (-500_000_000, "-0.500s")],
)
def test_format_proto_duration(nanos: int, text: str) -> None:
    assert format_proto_duration(nanos) == text


# --------------------------------------------------------------------------- ProxyConfig of a pod


MESH = {"defaultConfig": {"configPath": "/etc/istio/proxy", "binaryPath": "/usr/local/bin/envoy",
                          "statusPort": 15020, "proxyMetadata": {"A": "1"}, "discoveryAddress": "istiod:15012"}}


@pytest.mark.parametrize(
    ("annotation", "key", "want"),
    [
        pytest.param(None, "statusPort", 15020, id="no-annotation"),
        pytest.param("holdApplicationUntilProxyStarts: true", "holdApplicationUntilProxyStarts", True, id="yaml"),
        pytest.param('{ "holdApplicationUntilProxyStarts": true }', "holdApplicationUntilProxyStarts", True, id="json"),
        pytest.param("proxyMetadata:\n  B: '2'", "proxyMetadata", {"A": "1", "B": "2"}, id="metadata-merges"),
        pytest.param("drainDuration: 2m", "drainDuration", "120s", id="duration-normalised"),
        pytest.param("interceptionMode: 1", "interceptionMode", "TPROXY", id="enum-number"),
        pytest.param("", "statusPort", 15020, id="empty-annotation"),
    ],
)
def test_effective_proxy_config(annotation: str | None, key: str, want: Any) -> None:
    annotations = {} if annotation is None else {"proxy.istio.io/config": annotation}
    assert config.effective_proxy_config(MESH, annotations)[key] == want
    assert MESH["defaultConfig"]["proxyMetadata"] == {"A": "1"}, "the mesh must not change"


@pytest.mark.parametrize(
    "annotation",
    [
        pytest.param("[not: closed", id="bad-yaml"),
        pytest.param("- a list", id="not-a-mapping"),
        pytest.param("statusPort: lots", id="wrong-type"),
        pytest.param("statusPort: 0", id="port-out-of-range"),
        pytest.param("drainDuration: later", id="bad-duration"),
    ],
)
def test_bad_proxy_config_annotation(annotation: str) -> None:
    with pytest.raises(ConfigError, match="annotation proxy.istio.io/config: "):
        config.effective_proxy_config(MESH, {"proxy.istio.io/config": annotation})


# --------------------------------------------------------------------------- injection config


def test_full_injection_config(tmp_path: Path) -> None:
    path = write(tmp_path, "inject.yaml", """\
        policy: disabled
        defaultTemplates: [sidecar, extra]
        aliases: {both: [sidecar, extra]}
        neverInjectSelector: [{matchLabels: {a: b}}]
        alwaysInjectSelector: [{matchExpressions: [{key: c, operator: Exists}]}]
        injectedAnnotations: {x: "1"}
        template: "{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}"
        templates:
          sidecar: |
            spec: {}
          extra: "metadata: {}"
        """)
    cfg = load_injection_config(path)
    assert cfg.engine == "go"
    assert set(cfg.templates) == {"sidecar", "extra"}
    assert cfg.policy == "disabled"
    assert cfg.default_templates == ("sidecar", "extra")
    assert cfg.aliases == {"both": ("sidecar", "extra")}
    assert cfg.never_inject_selector == ({"matchLabels": {"a": "b"}},)
    assert cfg.injected_annotations == {"x": "1"}
    assert cfg.source == path


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("spec:\n  containers:\n  - name: istio-proxy\n    image: x:{{.Values.global.tag}}\n",
                     id="yaml-without-templates"),
        pytest.param("spec:\n  containers:\n  {{- range .Spec.Containers }}\n  - name: {{ .Name }}\n  {{- end }}\n",
                     id="not-yaml"),
    ],
)
def test_bare_template_file_is_the_sidecar_template(tmp_path: Path, text: str) -> None:
    cfg = load_injection_config(write(tmp_path, "t.yaml", text))
    assert cfg.engine == "go"
    assert cfg.templates == {"sidecar": text}
    assert cfg.policy == "enabled"


def test_legacy_single_template_key(tmp_path: Path) -> None:
    cfg = load_injection_config(write(tmp_path, "legacy.yaml", "policy: enabled\ntemplate: 'spec: {}'\n"))
    assert cfg.templates == {"sidecar": "spec: {}"}


def test_jinja_only_with_marker(tmp_path: Path) -> None:
    (tmp_path / "side.yaml.j2").write_text("spec: {{ x }}\n", encoding="utf-8")
    marked = load_injection_config(write(tmp_path, "a.yaml", "format: pyinject/jinja2\ntemplates:\n"
                                                             "  sidecar: side.yaml.j2\n"))
    assert marked.engine == "jinja"
    assert marked.templates == {"sidecar": "spec: {{ x }}\n"}
    unmarked = load_injection_config(write(tmp_path, "b.yaml", "templates:\n  sidecar: '{% if x %}{% endif %}'\n"))
    assert unmarked.engine == "go"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("format: jinja\ntemplates: {a: b.j2}\n", "format", id="unknown-format"),
        pytest.param("format: pyinject/jinja2\ntemplates: {a: missing.j2}\n", "templates.a: cannot read", id="missing-j2"),
        pytest.param("format: pyinject/jinja2\ntemplates: {a: ../x.j2}\n", "next to the config", id="escaping-j2"),
        pytest.param("policy: sometimes\ntemplates: {sidecar: x}\n", "policy", id="bad-policy"),
        pytest.param("templates: {sidecar: [1]}\n", "templates.sidecar", id="template-not-text"),
        pytest.param("defaultTemplates: sidecar\ntemplates: {sidecar: x}\n", "defaultTemplates", id="defaults-not-list"),
        pytest.param("aliases: {a: b}\ntemplates: {sidecar: x}\n", "aliases.a", id="alias-not-list"),
        pytest.param("neverInjectSelector: {a: b}\ntemplates: {sidecar: x}\n", "neverInjectSelector", id="selector-not-list"),
        pytest.param("alwaysInjectSelector: [{matchLabel: {a: b}}]\ntemplates: {sidecar: x}\n", "unknown key",
                     id="selector-typo"),
        pytest.param("alwaysInjectSelector: [{matchExpressions: [{key: a, operator: Like}]}]\n"
                     "templates: {sidecar: x}\n", "operator", id="selector-operator"),
        pytest.param("neverInjectSelector: [{matchExpressions: [{key: a, operator: In}]}]\n"
                     "templates: {sidecar: x}\n", "at least one value", id="in-without-values"),
    ],
)
def test_bad_injection_config(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ConfigError, match=message) as info:
        load_injection_config(path)
    assert info.value.location.file == path


def test_missing_injection_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read injection config"):
        load_injection_config(str(tmp_path / "none.yaml"))


def test_embedded_config_takes_policy_and_selectors_from_values() -> None:
    base = InjectionConfig(templates={"sidecar": "x"}, engine="jinja")
    values = {"global": {"proxy": {"autoInject": "disabled"}},
              "sidecarInjectorWebhook": {"neverInjectSelector": [{"matchLabels": {"a": "b"}}],
                                         "defaultTemplates": ["sidecar", "custom"],
                                         "injectedAnnotations": {"k": "v"},
                                         "templates": {"custom": "metadata: {}"}}}
    cfg = with_values(base, values)
    assert cfg.policy == "disabled"
    assert cfg.default_templates == ("sidecar", "custom")
    assert cfg.never_inject_selector == ({"matchLabels": {"a": "b"}},)
    assert cfg.injected_annotations == {"k": "v"}
    assert values_templates(values) == {"custom": "metadata: {}"}


# --------------------------------------------------------------------------- per-pod facts


VALUES = {"global": {"hub": "docker.io/istio", "tag": "1.30.3", "proxy": {"image": "proxyv2"}}}


@pytest.mark.parametrize(
    ("values", "proxy_config", "annotations", "want"),
    [
        pytest.param(VALUES, {}, {}, "docker.io/istio/proxyv2:1.30.3", id="default"),
        pytest.param({"global": {"hub": "h", "tag": "t", "proxy": {}}}, {}, {}, "h/proxyv2:t", id="default-name"),
        pytest.param({"global": {"hub": "h", "tag": "t", "proxy": {"image": "proxyTest"}}}, {}, {}, "h/proxyTest:t",
                     id="custom-name"),
        pytest.param(VALUES, {"image": {"imageType": "distroless"}}, {}, "docker.io/istio/proxyv2:1.30.3-distroless",
                     id="proxy-config-type"),
        pytest.param(VALUES, {"image": {"imageType": "distroless"}}, {"sidecar.istio.io/proxyImageType": "debug"},
                     "docker.io/istio/proxyv2:1.30.3-debug", id="annotation-type-wins"),
        pytest.param({"global": {"hub": "h", "tag": "1.2-distroless", "proxy": {}}}, {},
                     {"sidecar.istio.io/proxyImageType": "default"}, "h/proxyv2:1.2", id="default-strips-type"),
        pytest.param({"global": {"hub": "h", "tag": "1.2-debug", "proxy": {}}}, {"image": {"imageType": "distroless"}},
                     {}, "h/proxyv2:1.2-distroless", id="type-replaced"),
        pytest.param({"global": {"hub": "h", "tag": 1.3, "proxy": {}}}, {}, {}, "h/proxyv2:1.3", id="numeric-tag"),
        pytest.param(VALUES, {}, {"sidecar.istio.io/proxyImage": "example.com/p:1"}, "example.com/p:1",
                     id="annotation-full-reference"),
        pytest.param({"global": {"hub": "h", "tag": "t", "proxy": {"image": "example.com/p:2"}}}, {}, {},
                     "example.com/p:2", id="values-full-reference"),
        pytest.param(VALUES, {}, {"sidecar.istio.io/proxyImage": "short"}, "docker.io/istio/proxyv2:1.30.3",
                     id="annotation-without-slash-ignored"),
    ],
)
def test_proxy_image(values: dict[str, Any], proxy_config: dict[str, Any], annotations: dict[str, str],
                     want: str) -> None:
    assert config.proxy_image(values, proxy_config, annotations) == want


def test_istio_proxy_image_ignores_proxy_image_annotation() -> None:
    got = config.istio_proxy_image(VALUES, {}, {"sidecar.istio.io/proxyImage": "example.com/p:1"})
    assert got == "docker.io/istio/proxyv2:1.30.3"


@pytest.mark.parametrize(
    ("flag", "env", "want"),
    [
        pytest.param(True, {"ENABLE_NATIVE_SIDECARS": "false"}, True, id="flag-on-wins"),
        pytest.param(False, {"ENABLE_NATIVE_SIDECARS": "true"}, False, id="flag-off-wins"),
        pytest.param(None, {"ENABLE_NATIVE_SIDECARS": "false"}, False, id="env-false"),
        pytest.param(None, {"ENABLE_NATIVE_SIDECARS": "TRUE"}, True, id="env-true"),
        pytest.param(None, {"ENABLE_NATIVE_SIDECARS": "auto"}, True, id="env-auto"),
        pytest.param(None, {}, True, id="unset-means-enabled"),
    ],
)
def test_native_sidecars_default(flag: bool | None, env: dict[str, str], want: bool) -> None:
    assert config.native_sidecars_default(flag, env) is want


def test_native_sidecars_bad_env() -> None:
    with pytest.raises(ConfigError, match="ENABLE_NATIVE_SIDECARS"):
        config.native_sidecars_default(None, {"ENABLE_NATIVE_SIDECARS": "sometimes"})


@pytest.mark.parametrize(
    ("default", "value", "want"),
    [
        pytest.param(False, "true", True, id="opt-in"),
        pytest.param(True, "false", False, id="opt-out"),
        pytest.param(False, "yes", True, id="anything-but-false"),
        pytest.param(True, "", True, id="empty-uses-default"),
        pytest.param(False, None, False, id="absent-uses-default"),
    ],
)
def test_native_sidecars_per_pod(default: bool, value: str | None, want: bool) -> None:
    annotations = {} if value is None else {"sidecar.istio.io/nativeSidecar": value}
    assert config.native_sidecars(default, annotations) is want


@pytest.mark.parametrize(
    ("mesh", "want"),
    [
        pytest.param({"inboundTrafficPolicy": {"mode": "LOCALHOST"}}, "localhost", id="localhost"),
        pytest.param({"inboundTrafficPolicy": {"mode": "PASSTHROUGH"}}, "passthrough", id="passthrough"),
        pytest.param({"inboundTrafficPolicy": {}}, "passthrough", id="unset-mode"),
        pytest.param({}, "passthrough", id="no-policy"),
    ],
)
def test_inbound_traffic_policy_mode(mesh: dict[str, Any], want: str) -> None:
    assert config.inbound_traffic_policy_mode(mesh) == want


def test_compliance_policy_and_revision_and_ids() -> None:
    assert config.compliance_policy({"COMPLIANCE_POLICY": "fips-140-2"}) == "fips-140-2"
    assert config.compliance_policy({}) == ""
    assert config.revision({"revision": "canary"}) == "canary"
    assert config.revision({"revision": "canary"}, "other") == "other"
    assert config.proxy_ids() == (1337, 1337)


def test_default_settings_do_not_load_jsonschema() -> None:
    # Start-up time: the embedded defaults need no checking, so jsonschema stays unimported.
    import subprocess
    import sys

    code = ("import sys; from pyinject.config import settings; settings.load_settings(); "
            "sys.exit(1 if 'jsonschema' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
