"""Istio 1.9–1.29: what each release's kube-inject did in Go, shown on small inputs.

Each test injects the same pod with the same small config as two releases and
checks the one thing that differs between them.  tools/inject_release_check.py
measures the whole of each release against its own golden tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pyinject.istio import funcs
from pyinject.istio.concurrency import estimate_concurrency
from pyinject.istio.gofuncs import istio_funcs
from pyinject.istio.releases import RELEASES

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
{annotations}
spec:
  containers:
  - name: app
    image: app
"""

ZIPKIN_MESH = "defaultConfig:\n  tracing:\n    zipkin:\n      address: zipkin.istio-system:9411\n"


def inject(run_cli: Any, tmp_path: Path, template: str, version: str, *, annotations: dict[str, str] | None = None,
           mesh: str = "", values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The injected pod, with ``template`` as the config's only template."""
    indented = "\n".join("    " + line for line in template.splitlines())
    (tmp_path / "config.yaml").write_text(f"policy: enabled\ndefaultTemplates: [sidecar]\ntemplates:\n  sidecar: |\n"
                                          f"{indented}\n")
    (tmp_path / "values.json").write_text(json.dumps(values or {"global": {}}))
    (tmp_path / "mesh.yaml").write_text(mesh or "{}\n")
    lines = [f"    {k}: {json.dumps(v)}" for k, v in (annotations or {"a": "b"}).items()]
    (tmp_path / "app.yaml").write_text(POD.format(annotations="\n".join(lines)))
    result = run_cli("kube-inject", "-f", str(tmp_path / "app.yaml"), "--injectConfigFile",
                     str(tmp_path / "config.yaml"), "--valuesFile", str(tmp_path / "values.json"),
                     "--meshConfigFile", str(tmp_path / "mesh.yaml"), "--istio-version", version)
    assert result.exit_code == 0, result.stderr
    pod: dict[str, Any] = YAML(typ="safe").load(result.stdout)
    return pod


def proxy(pod: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")
    return found


PROXY_ONLY = "spec:\n  containers:\n  - name: istio-proxy\n    image: proxy\n"


# --------------------------------------------------------------------------- the status annotation


@pytest.mark.parametrize("version, has_revision", [("1.10", False), ("1.11", True), ("1.30", True)])
def test_the_status_annotation_records_the_revision_from_1_11(run_cli: Any, tmp_path: Path, version: str,
                                                               has_revision: bool) -> None:
    pod = inject(run_cli, tmp_path, PROXY_ONLY, version)
    status = json.loads(pod["metadata"]["annotations"]["sidecar.istio.io/status"])
    assert ("revision" in status) is has_revision
    assert status["containers"] == ["istio-proxy"]


# --------------------------------------------------------------------------- compiled-in ProxyConfig defaults


PROXY_CONFIG_TEMPLATE = """\
metadata:
  annotations:
    proxy-config: '{{ protoToJSON .ProxyConfig }}'
    concurrency: '{{ .ProxyConfig.Concurrency.GetValue }}'
    parent-shutdown: '{{ formatDuration .ProxyConfig.ParentShutdownDuration }}'
spec:
  containers:
  - name: istio-proxy
    image: proxy
"""


@pytest.mark.parametrize("version, concurrency, parent_shutdown, tracing_is_default", [
    ("1.9", "2", "1m0s", True), ("1.16", "2", "1m0s", True), ("1.17", "2", "0s", True), ("1.18", "0", "0s", True),
    ("1.21", "0", "0s", True), ("1.22", "0", "0s", False), ("1.30", "0", "0s", False),
])
def test_each_release_applies_the_mesh_over_its_own_proxy_defaults(
        run_cli: Any, tmp_path: Path, version: str, concurrency: str, parent_shutdown: str,
        tracing_is_default: bool) -> None:
    annotations = inject(run_cli, tmp_path, PROXY_CONFIG_TEMPLATE, version, mesh=ZIPKIN_MESH)["metadata"]["annotations"]
    assert annotations["concurrency"] == concurrency
    assert annotations["parent-shutdown"] == parent_shutdown
    # protoToJSON leaves out what equals the release's defaults: a zipkin tracer until 1.21.
    assert ("tracing" not in annotations["proxy-config"]) is tracing_is_default


# --------------------------------------------------------------------------- template data


ESTIMATED = """\
metadata:
  annotations:
    estimated: '{{ .EstimatedConcurrency }}'
spec:
  containers:
  - name: istio-proxy
    image: proxy
"""


def test_estimated_concurrency_comes_from_the_cpu_limit_annotation_in_1_17(run_cli: Any, tmp_path: Path) -> None:
    mesh = "defaultConfig:\n  concurrency: 0\n"
    pod = inject(run_cli, tmp_path, ESTIMATED, "1.17", annotations={"sidecar.istio.io/proxyCPULimit": "2500m"},
                 mesh=mesh)
    assert pod["metadata"]["annotations"]["estimated"] == "3"


def test_estimated_concurrency_is_zero_in_1_10_which_only_declared_it(run_cli: Any, tmp_path: Path) -> None:
    assert inject(run_cli, tmp_path, ESTIMATED, "1.10")["metadata"]["annotations"]["estimated"] == "0"


@pytest.mark.parametrize("version", ["1.9", "1.18", "1.30"])
def test_releases_without_estimated_concurrency_fail_on_it_as_go_does(run_cli: Any, tmp_path: Path,
                                                                       version: str) -> None:
    (tmp_path / "x").mkdir()
    with pytest.raises(AssertionError, match="can't evaluate field EstimatedConcurrency"):
        inject(run_cli, tmp_path / "x", ESTIMATED, version)


def test_native_sidecars_is_template_data_from_1_27_only(run_cli: Any, tmp_path: Path) -> None:
    template = "metadata:\n  annotations:\n    native: '{{ .NativeSidecars }}'\n" + PROXY_ONLY
    assert inject(run_cli, tmp_path, template, "1.27")["metadata"]["annotations"]["native"] == "false"
    with pytest.raises(AssertionError, match="can't evaluate field NativeSidecars"):
        inject(run_cli, tmp_path, template, "1.26")


@pytest.mark.parametrize("minor, fields", [
    (9, 8), (10, 9), (13, 10), (18, 9), (19, 10), (20, 12), (22, 13), (27, 14), (30, 14),
])
def test_template_data_fields_by_release(minor: int, fields: int) -> None:
    assert len(RELEASES[(1, minor)].data_fields) == fields


def test_estimate_concurrency_follows_istioctl() -> None:
    values = {"global": {"proxy": {"resources": {"limits": {"cpu": "bad"}, "requests": {"cpu": "1200m"}}}}}
    assert estimate_concurrency({}, {}, values) == 2  # concurrency unset: 2
    assert estimate_concurrency({"concurrency": 4}, {}, values) == 4
    assert estimate_concurrency({"concurrency": 0}, {}, values) == 2  # limit does not parse, request 1.2 -> 2
    assert estimate_concurrency({"concurrency": 0}, {"sidecar.istio.io/proxyCPU": "5"}, values) == 5
    assert estimate_concurrency({"concurrency": 0}, {"sidecar.istio.io/proxyCPULimit": "x"}, values) == 2
    assert estimate_concurrency({"concurrency": 0}, {}, {}) == 2


# --------------------------------------------------------------------------- the environment templates read


ENV_TEMPLATE = """\
metadata:
  annotations:
    native: '{{ env "ENABLE_NATIVE_SIDECARS" "unset" }}'
""" + PROXY_ONLY


@pytest.mark.parametrize("version, seen", [("1.19", "true"), ("1.26", "true"), ("1.27", "unset"), ("1.18", "unset")])
def test_templates_see_the_variables_their_release_reads(run_cli: Any, tmp_path: Path, monkeypatch: Any,
                                                         version: str, seen: str) -> None:
    monkeypatch.setenv("ENABLE_NATIVE_SIDECARS", "true")
    assert inject(run_cli, tmp_path, ENV_TEMPLATE, version)["metadata"]["annotations"]["native"] == seen


# --------------------------------------------------------------------------- Kubernetes fields the release lacked


RESTART_POLICY = "spec:\n  initContainers:\n  - name: istio-proxy\n    image: proxy\n    restartPolicy: Always\n"


@pytest.mark.parametrize("version, kept", [("1.9", False), ("1.18", False), ("1.19", True), ("1.30", True)])
def test_container_restart_policy_exists_from_kubernetes_1_28(run_cli: Any, tmp_path: Path, version: str,
                                                              kept: bool) -> None:
    init = inject(run_cli, tmp_path, RESTART_POLICY, version)["spec"]["initContainers"][0]
    assert ("restartPolicy" in init) is kept


# --------------------------------------------------------------------------- appendMultusNetwork


MULTUS = """\
metadata:
  annotations:
    k8s.v1.cni.cncf.io/networks: '{{ appendMultusNetwork (index .ObjectMeta.Annotations `k8s.v1.cni.cncf.io/networks`) `default/istio-cni` }}'
""" + PROXY_ONLY


@pytest.mark.parametrize("version, added", [
    ("1.22", '{"name": "default/istio-cni"}'), ("1.23", '{"name": "istio-cni", "namespace": "default"}'),
    ("1.30", '{"name": "istio-cni", "namespace": "default"}'),
])
def test_a_namespace_qualified_multus_network_by_release(run_cli: Any, tmp_path: Path, version: str,
                                                         added: str) -> None:
    pod = inject(run_cli, tmp_path, MULTUS, version, annotations={"k8s.v1.cni.cncf.io/networks": '[{"name": "alt"}]'})
    assert pod["metadata"]["annotations"]["k8s.v1.cni.cncf.io/networks"] == f'[{{"name": "alt"}}, {added}]'


@pytest.mark.parametrize("existing, result", [
    ("", "default/istio-cni"),
    ("alt", "alt, default/istio-cni"),
    ('[{"name": "default/istio-cni"}]', '[{"name": "default/istio-cni"}]'),
    # Before 1.23.6 the split form was not recognised as already there.
    ('[{"name": "istio-cni", "namespace": "default"}]',
     '[{"name": "istio-cni", "namespace": "default"}, {"name": "default/istio-cni"}]'),
    ("[not json]", "[not json]"),
])
def test_append_multus_network_whole(existing: str, result: str) -> None:
    assert funcs.append_multus_network_whole(existing, "default/istio-cni") == result


def test_the_function_table_follows_the_release() -> None:
    old = istio_funcs({}, RELEASES[(1, 22)])["appendMultusNetwork"]
    new = istio_funcs({}, RELEASES[(1, 30)])["appendMultusNetwork"]
    assert old('[{"name": "a"}]', "ns/n") == '[{"name": "a"}, {"name": "ns/n"}]'
    assert new('[{"name": "a"}]', "ns/n") == '[{"name": "a"}, {"name": "n", "namespace": "ns"}]'


def test_keys_objectmeta_lacks_are_dropped_from_a_rendered_template(run_cli: Any, tmp_path: Path) -> None:
    template = "metadata:\n  sidecar.istio.io/rewriteAppHTTPProbers: \"false\"\n  labels:\n    added: \"yes\"\n" + PROXY_ONLY
    pod = inject(run_cli, tmp_path, template, "1.13")
    assert "sidecar.istio.io/rewriteAppHTTPProbers" not in pod["metadata"]
    assert pod["metadata"]["labels"] == {"added": "yes"}


# --------------------------------------------------------------------------- the function table


@pytest.mark.parametrize("version, defined", [("1.27", False), ("1.28", True), ("1.30", True)])
def test_omit_nil_is_a_function_from_1_28(run_cli: Any, tmp_path: Path, version: str, defined: bool) -> None:
    template = "metadata:\n  annotations:\n    x: '{{ omitNil .ObjectMeta.Labels | len }}'\n" + PROXY_ONLY
    if defined:
        assert inject(run_cli, tmp_path, template, version)["metadata"]["annotations"]["x"] == "0"
    else:
        with pytest.raises(AssertionError, match='function "omitNil" not defined'):
            inject(run_cli, tmp_path, template, version)


@pytest.mark.parametrize("minor, istios", [(9, True), (19, True), (20, False), (30, False)])
def test_to_json_is_istios_until_1_19_then_sprigs(minor: int, istios: bool) -> None:
    assert ("toJson" in istio_funcs({}, RELEASES[(1, minor)])) is istios


@pytest.mark.parametrize("minor, names", [
    (9, {"excludeInterfaces", "omit", "strdict", "toJsonMap", "mergeMaps", "omitNil", "otelResourceAttributes"}),
    (16, {"omit", "strdict", "toJsonMap", "mergeMaps", "omitNil", "otelResourceAttributes"}),
    (18, {"mergeMaps", "omitNil", "otelResourceAttributes"}), (21, {"omitNil", "otelResourceAttributes"}),
    (28, {"otelResourceAttributes"}), (30, set()),
])
def test_functions_istio_added_later_are_missing_from_earlier_releases(minor: int, names: set[str]) -> None:
    assert set(istio_funcs({})) - set(istio_funcs({}, RELEASES[(1, minor)])) == names


@pytest.mark.parametrize("version, null_timestamp", [("1.25", True), ("1.27", True), ("1.28", False)])
def test_istioctl_style_writes_a_null_creation_timestamp_before_kubernetes_libraries_0_34(
        run_cli: Any, tmp_path: Path, version: str, null_timestamp: bool) -> None:
    (tmp_path / "c.yaml").write_text("policy: enabled\ndefaultTemplates: [sidecar]\ntemplates:\n  sidecar: |\n"
                                     "    spec:\n      containers:\n      - name: istio-proxy\n        image: proxy\n")
    (tmp_path / "v.json").write_text('{"global": {}}')
    (tmp_path / "m.yaml").write_text("{}\n")
    (tmp_path / "app.yaml").write_text(POD.format(annotations="    a: b"))
    result = run_cli("kube-inject", "-f", str(tmp_path / "app.yaml"), "--injectConfigFile", str(tmp_path / "c.yaml"),
                     "--valuesFile", str(tmp_path / "v.json"), "--meshConfigFile", str(tmp_path / "m.yaml"),
                     "--istio-version", version, "--output-style", "istioctl")
    assert result.exit_code == 0, result.stderr
    assert ("creationTimestamp: null" in result.stdout) is null_timestamp
