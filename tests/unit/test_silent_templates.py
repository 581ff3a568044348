"""Templates that would fail silently on the Pod-shaped path (1.9+): nothing rendered, missing values.

The configs here are small ones written for these tests, in both template
formats pyinject reads (Istio's Go templates, and pyinject's Jinja2 format).
"""

from __future__ import annotations

from pathlib import Path

import pytest

POD = """apiVersion: v1
kind: Pod
metadata:
  name: app
{annotations}spec:
  containers:
  - name: app
    image: nginx
{extra}"""

NO_VALUE = "the template printed <no value> for a value it reads, which is not set"


def _pod(tmp_path: Path, templates: str = "", extra: str = "") -> Path:
    annotations = f"  annotations:\n    inject.istio.io/templates: {templates}\n" if templates else ""
    path = tmp_path / "pod.yaml"
    path.write_text(POD.format(annotations=annotations, extra=extra))
    return path


def _go_config(tmp_path: Path, **templates: str) -> Path:
    body = "".join(
        f"  {name}: |\n" + "".join(f"    {line}\n" for line in text.splitlines()) for name, text in templates.items()
    )
    path = tmp_path / "inject.yaml"
    path.write_text(f"policy: enabled\ndefaultTemplates: [sidecar]\ntemplates:\n{body}")
    return path


def _run(run_cli, pod: Path, config: Path):
    return run_cli("kube-inject", "-f", str(pod), "--injectConfigFile", str(config))


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


PROXY = "spec:\n  containers:\n  - name: istio-proxy\n"


@pytest.mark.parametrize(("field", "template_line", "path"), [
    pytest.param('image: "{{ .Values.hub }}/proxyv2"', 'image: "{{ .Values.hub }}/proxyv2"',
                 "containers[istio-proxy].image", id="image"),
    pytest.param("ports:\n  - containerPort: {{ .Values.port }}", "  - containerPort: {{ .Values.port }}",
                 "containers[istio-proxy].ports[0].containerPort", id="container-port"),
    pytest.param("imagePullPolicy: {{ .Values.pullPolicy }}", "imagePullPolicy: {{ .Values.pullPolicy }}",
                 "containers[istio-proxy].imagePullPolicy", id="enum"),
    pytest.param("resources:\n    limits:\n      cpu: {{ .Values.cpu }}", "      cpu: {{ .Values.cpu }}",
                 "containers[istio-proxy].resources.limits.cpu", id="quantity"),
    pytest.param("securityContext:\n    privileged: {{ .Values.privileged }}", "    privileged: {{ .Values.privileged }}",
                 "containers[istio-proxy].securityContext.privileged", id="boolean"),
])
def test_go_missing_value_in_a_strict_field_names_the_config_line(run_cli, tmp_path: Path, field: str,
                                                                   template_line: str, path: str) -> None:
    template = PROXY + "".join(f"    {line}\n" for line in field.splitlines())
    config = _go_config(tmp_path, sidecar=template)
    line = _one_error_line(_run(run_cli, _pod(tmp_path), config))
    config_line = config.read_text().splitlines().index(f"        {template_line}") + 1
    template_number = template.splitlines().index(f"    {template_line}") + 1
    assert f"injection config {config}:{config_line}: template sidecar line {template_number}: renders {path}: " in line
    assert NO_VALUE in line


def test_go_nil_in_an_integer_is_refused_too(run_cli, tmp_path: Path) -> None:
    config = _go_config(tmp_path, sidecar=PROXY + "    ports:\n    - containerPort: 80\n      hostPort: {{ print nil }}\n")
    line = _one_error_line(_run(run_cli, _pod(tmp_path), config))
    assert "renders containers[istio-proxy].ports[0].hostPort: '<nil>': the template printed <nil>" in line


def test_missing_value_in_free_text_is_the_templates_business(run_cli, tmp_path: Path) -> None:
    config = _go_config(tmp_path, sidecar=PROXY + "    env:\n    - name: X\n      value: {{ .Values.x }}\n")
    result = _run(run_cli, _pod(tmp_path), config)
    assert result.exit_code == 0, result.stderr
    assert "value: '<no value>'" in result.stdout


def test_go_template_that_renders_nothing_is_an_error(run_cli, tmp_path: Path) -> None:
    config = _go_config(tmp_path, sidecar="{{- if .Values.enabled }}\n" + PROXY + "{{- end }}\n")
    line = _one_error_line(_run(run_cli, _pod(tmp_path), config))
    assert line.endswith(f"injection config {config}:5: template sidecar: renders nothing (no istio-proxy "
                         "container, no other change to the pod); nothing would be injected")


def test_several_templates_that_render_nothing_are_named_together(run_cli, tmp_path: Path) -> None:
    config = _go_config(tmp_path, sidecar=PROXY, a="{{- /* nothing */ -}}", b="spec: {}")
    line = _one_error_line(_run(run_cli, _pod(tmp_path, templates='"a,b"'), config))
    assert f"injection config {config}: templates a, b: render nothing (no istio-proxy container" in line


def test_the_users_own_istio_proxy_container_is_the_sidecar(run_cli, tmp_path: Path) -> None:
    # Like Istio's gateway template: the pod brings its istio-proxy container (image: auto).
    config = _go_config(tmp_path, sidecar="", gateway='metadata:\n  labels:\n    gw: "yes"\n')
    pod = _pod(tmp_path, templates="gateway", extra="  - name: istio-proxy\n    image: auto\n")
    result = _run(run_cli, pod, config)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_a_template_that_changes_the_pod_without_a_proxy_is_a_warning(run_cli, tmp_path: Path) -> None:
    config = _go_config(tmp_path, sidecar="spec:\n  containers:\n  - name: app\n    env:\n    - name: A\n      value: b\n")
    result = _run(run_cli, _pod(tmp_path), config)
    assert result.exit_code == 0, result.stderr
    assert (f"warning: {tmp_path / 'pod.yaml'}: document 1 (Pod app): template sidecar adds no istio-proxy "
            "container: the pod runs without a sidecar") in result.stderr
    assert "name: A" in result.stdout


def test_embedded_proxyless_grpc_template_runs_with_a_warning(run_cli, tmp_path: Path) -> None:
    result = run_cli("kube-inject", "-f", str(_pod(tmp_path, templates="grpc-simple")))
    assert result.exit_code == 0, result.stderr
    assert "template grpc-simple adds no istio-proxy container" in result.stderr
    assert "grpc-bootstrap-init" in result.stdout


def _jinja_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "mine.yaml.j2").write_text(text)
    path = tmp_path / "config.yaml"
    path.write_text("format: pyinject/jinja2\ntemplates:\n  sidecar: mine.yaml.j2\n")
    return path


def test_jinja_missing_value_in_a_port_names_the_template_line(run_cli, tmp_path: Path) -> None:
    config = _jinja_config(tmp_path, PROXY + "    ports:\n    - containerPort: {{ values.global.port }}\n")
    line = _one_error_line(_run(run_cli, _pod(tmp_path), config))
    assert (f"injection config {config}: template sidecar line 5: renders "
            f"containers[istio-proxy].ports[0].containerPort: '<no value>': {NO_VALUE}") in line


def test_jinja_template_that_renders_nothing_is_an_error(run_cli, tmp_path: Path) -> None:
    config = _jinja_config(tmp_path, "{% if values.nothere %}\n" + PROXY + "{% endif %}\n")
    line = _one_error_line(_run(run_cli, _pod(tmp_path), config))
    assert f"injection config {config}: template sidecar: renders nothing" in line
