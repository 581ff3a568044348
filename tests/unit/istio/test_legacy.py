"""Istio 1.0–1.8 injection: the release table, the spec decoder, the Go-side steps of those releases.

The templates and pods here are small ones written for these tests; the
golden cases tests/golden/cases/legacy-* run whole configs through the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyinject.errors import TemplateError, UsageError
from pyinject.istio.legacy import apply, probes
from pyinject.istio.legacy.funcs import clean_proxy_config, format_duration, make_proto_to_json, release_funcs
from pyinject.istio.legacy.spec import InjectionSpec, Source, decode_spec, is_legacy_spec, template_line
from pyinject.istio.releases import RELEASES, choose_release, parse_version, release
from pyinject.render.go_data import Duration, Message

R15, R16, R17, R18 = RELEASES[(1, 5)], RELEASES[(1, 6)], RELEASES[(1, 7)], RELEASES[(1, 8)]
SOURCE = Source("config.yaml", "sidecar", "containers:\n- name: istio-proxy\n  image: \"{{ .Values.hub }}/proxy\"\n", 3)


# --------------------------------------------------------------------------- the release table


@pytest.mark.parametrize("text, version", [
    ("1.5", (1, 5)), ("1.5.10", (1, 5)), ("1.8.6-distroless", (1, 8)), ("v1.22.0", (1, 22)), ("latest", None),
    ("1", None), ("", None),
])
def test_parse_version(text: str, version: tuple[int, int] | None) -> None:
    assert parse_version(text) == version


def test_release_comes_from_the_flag_then_the_tag_then_the_embedded_one() -> None:
    assert choose_release("1.5", {"global": {"tag": "1.8.6"}}).version == (1, 5)
    assert choose_release(None, {"global": {"tag": "1.8.6-distroless"}}).version == (1, 8)
    assert choose_release(None, {"global": {"tag": "latest"}}).version == (1, 30)
    assert choose_release(None, {}).version == (1, 30)


@pytest.mark.parametrize("flag", ["0.8", "1.31", "2.0"])
def test_an_unsupported_release_names_the_range(flag: str) -> None:
    with pytest.raises(UsageError, match=r"supported: 1\.0–1\.30"):
        choose_release(flag, {})


def test_only_1_0_to_1_8_read_the_legacy_format() -> None:
    assert [v for v, r in sorted(RELEASES.items()) if r.legacy_format] == [(1, m) for m in range(9)]
    assert release((1, 8)).apply == "patch" and release((1, 7)).apply == "append"


def test_injection_policy_is_honoured_from_1_8_only() -> None:
    assert not R15.honour_inject_annotation and not R17.honour_inject_annotation and R18.honour_inject_annotation


# --------------------------------------------------------------------------- functions


def test_format_duration_of_a_nil_duration_is_1s_as_gogo_printed_it() -> None:
    assert format_duration(None) == "1s"
    assert format_duration(Duration(None)) == "1s"
    assert format_duration(Duration("90s")) == "1m30s"


def test_function_sets_follow_the_release() -> None:
    assert "render" in release_funcs(R15, {}) and "appendMultusNetwork" not in release_funcs(R15, {})
    assert "appendMultusNetwork" in release_funcs(R18, {})
    assert "trimPrefix" not in release_funcs(R15, {}) and "trimPrefix" in release_funcs(R18, {})  # sprig in 1.8


def test_render_runs_text_on_the_current_data_and_is_empty_on_failure() -> None:
    from pyinject.gotemplate import parse
    from pyinject.istio.legacy.funcs import execute_with_data
    from pyinject.golang.values import to_go

    funcs = release_funcs(R15, {})
    data = to_go({"name": "web", "inner": "{{ .name }}-x", "bad": "{{ .name.nope }}"})
    assert execute_with_data(parse("{{ render .inner }}", "t", funcs), data) == "web-x"
    assert execute_with_data(parse("[{{ render .bad }}]", "t", funcs), data) == "[]"


def test_proto_to_json_leaves_out_the_release_defaults_from_1_6() -> None:
    pc = {"drainDuration": "45s", "concurrency": 2, "discoveryAddress": "istiod.istio-system.svc:15012",
          "interceptionMode": "TPROXY"}
    assert clean_proxy_config(R18, pc) == {"interceptionMode": "TPROXY"}
    msg = Message("istio.mesh.v1alpha1.ProxyConfig", {"drainDuration": "45s"})
    assert make_proto_to_json(R15)(msg) == '{"drainDuration":"45s"}'
    assert make_proto_to_json(R18)(msg) == "{}"


def test_a_zero_concurrency_is_printed_only_where_it_was_a_wrapper() -> None:
    # Before 1.7 ProxyConfig.concurrency was a plain int32: 0 is unset and jsonpb leaves it out.
    msg = Message("istio.mesh.v1alpha1.ProxyConfig", {"concurrency": 0, "interceptionMode": "TPROXY"})
    assert make_proto_to_json(R16)(msg) == '{"interceptionMode":"TPROXY"}'
    assert make_proto_to_json(R17)(msg) == '{"concurrency":0,"interceptionMode":"TPROXY"}'
    assert make_proto_to_json(R16)(Message("istio.mesh.v1alpha1.ProxyConfig", {"concurrency": 4})) == \
        '{"concurrency":4}'


# --------------------------------------------------------------------------- the template's data


def _view(release_row, pc, mesh=None):  # type: ignore[no-untyped-def]
    from pyinject.istio.legacy.view import LegacyTemplateData
    from pyinject.model import TemplateContext

    ctx = TemplateContext(type_meta={}, deployment_meta={}, object_meta={}, spec={}, proxy_config=pc,
                          mesh_config=mesh or {"defaultConfig": pc}, values={}, revision="", native_sidecars=False,
                          proxy_image="", proxy_uid=1337, proxy_gid=1337, inbound_traffic_policy_mode="passthrough")
    return LegacyTemplateData(ctx, release_row)


def test_fields_are_typed_as_the_release_typed_them() -> None:
    from pyinject.gotemplate import parse

    text = "{{ gt .ProxyConfig.Concurrency 0 }} {{ formatDuration .ProxyConfig.ConnectTimeout }} " \
           "{{ .MeshConfig.DisablePolicyChecks }} {{ .MeshConfig.SdsUdsPath | printf \"%q\" }}"
    funcs = release_funcs(R15, {})
    view = _view(R15, {"concurrency": 2, "connectTimeout": "3s"}, {"disablePolicyChecks": True})
    assert parse(text, "t", funcs).execute(view) == 'true 3s true ""'
    # From 1.7 concurrency is a wrapper: .GetValue reads it.
    assert parse("{{ .ProxyConfig.Concurrency.GetValue }}", "t", release_funcs(R18, {})).execute(
        _view(R18, {"concurrency": 4})) == "4"


def test_fields_a_release_did_not_have_are_errors() -> None:
    from pyinject.gotemplate import parse

    from pyinject.gotemplate.errors import GoTemplateExecError

    with pytest.raises(GoTemplateExecError, match="can't evaluate field Revision"):
        parse("{{ .Revision }}", "t", release_funcs(R15, {})).execute(_view(R15, {}))


# --------------------------------------------------------------------------- decoding the spec


def test_a_spec_is_told_from_a_pod() -> None:
    assert is_legacy_spec({"containers": []}) and is_legacy_spec({"rewriteAppHTTPProbe": True})
    assert not is_legacy_spec({"spec": {"containers": []}}) and not is_legacy_spec({})


def test_decoding_follows_go_numbers_become_strings_unknown_fields_vanish() -> None:
    data = {"containers": [{"name": "istio-proxy", "image": "i", "args": ["-p", 15001, True],
                            "securityContext": {"fsGroup": 1337, "runAsUser": 0}, "restartPolicy": "Always"}],
            "podRedirectAnnot": {"a": 1}, "rewriteAppHTTPProbe": True}
    spec = decode_spec(data, "", SOURCE)
    proxy = spec.containers[0]
    assert proxy["args"] == ["-p", "15001", "true"]
    assert proxy["securityContext"] == {"runAsUser": 0}
    assert "restartPolicy" not in proxy  # Kubernetes of that era had no container restartPolicy
    assert spec.pod_redirect_annot == {"a": "1"} and spec.rewrite_app_http_probe


def test_a_string_where_go_types_a_number_is_an_error() -> None:
    with pytest.raises(TemplateError, match=r"containerPort: expected an integer"):
        decode_spec({"containers": [{"name": "x", "ports": [{"containerPort": "eighty"}]}]}, "", SOURCE)


def test_no_value_in_an_image_names_the_config_line() -> None:
    rendered = 'containers:\n- name: istio-proxy\n  image: "<no value>/proxy"\n'
    with pytest.raises(TemplateError) as err:
        decode_spec({"containers": [{"name": "istio-proxy", "image": "<no value>/proxy"}]}, rendered, SOURCE)
    assert "config.yaml:5: template sidecar line 3" in err.value.message


def test_template_line_prefers_the_line_with_the_most_literal_text() -> None:
    template = "a: {{ .x }}\nimage: \"{{ .hub }}/proxy:{{ .tag }}\"\n"
    assert template_line(template, 'image: "docker.io/proxy:1.5"') == 2
    assert template_line(template, "nothing: here") is None


def test_a_spec_without_istio_proxy_is_refused() -> None:
    from pyinject.istio.legacy.spec import check_has_proxy

    with pytest.raises(TemplateError, match="renders no istio-proxy container"):
        check_has_proxy(InjectionSpec(containers=[{"name": "other"}]), SOURCE)


# --------------------------------------------------------------------------- Go-side steps


@pytest.mark.parametrize("resources, args", [
    ({"limits": {"cpu": "1500m"}}, ["proxy", "--concurrency", "2"]),
    ({"requests": {"cpu": "100m"}}, ["proxy", "--concurrency", "1"]),
    ({}, ["proxy"]),
])
def test_concurrency_comes_from_the_cpu_limit_then_request(resources: dict, args: list[str]) -> None:
    containers = [{"name": "istio-proxy", "args": ["proxy"], "resources": resources}]
    probes.apply_concurrency(containers)
    assert containers[0]["args"] == args


def test_concurrency_already_set_is_kept() -> None:
    containers = [{"name": "istio-proxy", "args": ["--concurrency=3"], "resources": {"limits": {"cpu": "4"}}}]
    probes.apply_concurrency(containers)
    assert containers[0]["args"] == ["--concurrency=3"]


def test_app_probers_empty_is_braces_in_1_5_and_nothing_in_1_8() -> None:
    assert probes.dump_app_probers([{"name": "app"}], R15) == "{}"
    assert probes.dump_app_probers([{"name": "app"}], R18) == ""


def test_status_port_from_args_or_mesh() -> None:
    assert probes.status_port_from_args({"args": ["--statusPort", "15020"]}) == 15020
    assert probes.status_port_from_args({"args": ["--statusPort=1"]}) == 1
    assert probes.status_port_from_args({"args": []}) == -1
    assert probes.status_port_from_mesh(15020, {"status.sidecar.istio.io/port": "x"}) == 0


FACTS = apply.PodFacts(status_port=15020, sds_uds_path="", enable_sds_token_mount=False, prometheus_merge=None,
                       revision="", legacy_fsgroup=True, workload_name="web")


def test_status_annotation_keeps_struct_order_and_writes_null_for_none() -> None:
    spec = InjectionSpec(containers=[{"name": "istio-proxy"}])
    assert apply.status_annotation("abc", spec) == (
        '{"version":"abc","initContainers":null,"containers":["istio-proxy"],"volumes":null,"imagePullSecrets":null}')


def test_1_5_replaces_dns_config_and_writes_pod_redirect_annotations() -> None:
    metadata: dict = {}
    spec: dict = {"containers": [{"name": "app"}], "dnsConfig": {"nameservers": ["1.1.1.1"]}}
    sic = InjectionSpec(containers=[{"name": "istio-proxy", "args": []}],
                        pod_redirect_annot={"sidecar.istio.io/interceptionMode": "REDIRECT", "unknown/x": "y"})
    apply.append_spec(R15, metadata, spec, sic, "{}", FACTS)
    assert "dnsConfig" not in spec
    assert metadata["annotations"] == {"sidecar.istio.io/interceptionMode": "REDIRECT", "sidecar.istio.io/status": "{}"}
    assert metadata["labels"] == {"security.istio.io/tlsMode": "istio"}


@pytest.mark.parametrize("row, written", [(R15, False), (R16, True), (R17, True)])
def test_multus_and_proxy_config_redirect_annotations_from_1_6(row, written: bool) -> None:  # type: ignore[no-untyped-def]
    metadata: dict = {}
    spec: dict = {"containers": [{"name": "app"}]}
    redirect = {"k8s.v1.cni.cncf.io/networks": "alt, istio-cni", "prometheus.istio.io/merge-metrics": "false"}
    sic = InjectionSpec(containers=[{"name": "istio-proxy", "args": []}], pod_redirect_annot=redirect)
    apply.append_spec(row, metadata, spec, sic, "{}", FACTS)
    got = {k: v for k, v in metadata["annotations"].items() if k in redirect}
    assert got == (redirect if written else {})


def test_1_7_writes_only_the_prometheus_annotations() -> None:
    metadata: dict = {"annotations": {"prometheus.io/port": "9090"}}
    spec: dict = {"containers": [{"name": "app"}]}
    sic = InjectionSpec(containers=[{"name": "istio-proxy", "args": []}])
    apply.append_spec(R17, metadata, spec, sic, "{}", FACTS)
    assert metadata["annotations"]["prometheus.io/port"] == "15020"
    assert all(e["name"] != "ISTIO_PROMETHEUS_ANNOTATIONS" for e in spec["containers"][1].get("env") or [])


def test_1_8_keeps_existing_labels_and_adds_canonical_ones() -> None:
    metadata: dict = {"labels": {"app": "web", "security.istio.io/tlsMode": "disabled"}}
    spec: dict = {"containers": [{"name": "web"}]}
    sic = InjectionSpec(containers=[{"name": "istio-proxy"}],
                        init_containers=[{"name": "istio-init"}, {"name": "istio-validation"}])
    apply.patch_spec(R18, metadata, spec, sic, "{}", FACTS)
    assert metadata["labels"]["security.istio.io/tlsMode"] == "disabled"
    assert metadata["labels"]["service.istio.io/canonical-name"] == "web"
    assert metadata["labels"]["service.istio.io/canonical-revision"] == "latest"
    assert [c["name"] for c in spec["initContainers"]] == ["istio-validation", "istio-init"]


def test_1_8_removes_what_a_status_annotation_lists_before_adding() -> None:
    status = '{"containers":["istio-proxy"],"volumes":["old"]}'
    metadata: dict = {"annotations": {"sidecar.istio.io/status": status}}
    spec: dict = {"containers": [{"name": "istio-proxy"}], "volumes": [{"name": "old"}, {"name": "data"}]}
    apply.patch_spec(R18, metadata, spec, InjectionSpec(containers=[{"name": "istio-proxy", "image": "new"}]),
                     "{}", FACTS)
    assert spec["containers"] == [{"name": "istio-proxy", "image": "new"}]
    assert spec["volumes"] == [{"name": "data"}]


# --------------------------------------------------------------------------- the command line


_PROXY_CONFIG_TEMPLATE = """policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: proxyv2
    env:
    - name: PROXY_CONFIG
      value: '{{ protoToJSON .ProxyConfig }}'
    - name: DISCOVERY
      value: "{{ .ProxyConfig.DiscoveryAddress }}"
"""
_ANNOTATED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    proxy.istio.io/config: |
      discoveryAddress: foo:123
      proxyMetadata: {B: "2"}
spec:
  containers:
  - name: web
    image: web
"""


@pytest.mark.parametrize("version, discovery, metadata", [
    ("1.5", "istio-pilot:15010", {"A": "1"}),  # 1.5 did not read the annotation
    ("1.6", "foo:123", {"B": "2"}),  # jsonpb onto the mesh's ProxyConfig: the map is replaced whole
    ("1.7", "foo:123", {"B": "2"}),
])
def test_cli_proxy_config_annotation_from_1_6(run_cli, tmp_path: Path, version: str, discovery: str,
                                             metadata: dict) -> None:
    import json

    from ruamel.yaml import YAML

    (tmp_path / "config.yaml").write_text(_PROXY_CONFIG_TEMPLATE)
    (tmp_path / "values.yaml").write_text("{}\n")
    (tmp_path / "mesh.yaml").write_text("defaultConfig:\n  discoveryAddress: istio-pilot:15010\n"
                                        "  proxyMetadata: {A: '1'}\n")
    (tmp_path / "pod.yaml").write_text(_ANNOTATED_POD)
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--injectConfigFile", str(tmp_path / "config.yaml"),
                     "--valuesFile", str(tmp_path / "values.yaml"), "--meshConfigFile", str(tmp_path / "mesh.yaml"),
                     "--istio-version", version)
    assert result.exit_code == 0, result.stderr
    pod = YAML(typ="safe").load(result.stdout)
    env = {e["name"]: e["value"] for e in pod["spec"]["containers"][1]["env"]}
    assert env["DISCOVERY"] == discovery
    if version != "1.5":  # 1.5's protoToJSON printed the whole message; later ones only what differs
        assert json.loads(env["PROXY_CONFIG"]) == {"discoveryAddress": discovery, "proxyMetadata": metadata}


def test_cli_out_of_range_is_one_line_and_exit_2(run_cli, tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n")
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--istio-version", "1.31")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "1.0–1.30" in result.stderr


def test_cli_old_release_needs_the_clusters_config(run_cli, tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n")
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--istio-version", "1.5")
    assert result.exit_code == 2 and "1.30.3" in result.stderr and "--injectConfigFile" in result.stderr
