"""Bad input gets exit 1 and one line naming the file, the document and what is wrong; never exit 3.

Each case is a small change to a valid Pod that once reached an internal error
(a Python exception inside a stage), found by tools/fuzz.py.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_process

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{meta}}}\nspec: {{containers: [{{name: c, image: i{container}}}]{spec}}}\n"


def pod(meta: str = "", container: str = "", spec: str = "") -> str:
    return POD.format(meta=meta, container=container, spec=spec)


GO_CONFIG = REPO / "tests" / "data" / "go-config"

# (input, message) - the message is the part after "document 1 (...): ".
SHAPES = {
    "port is a string": (pod(container=", ports: [x]"), 'spec.containers[0].ports[0] must be a mapping, not a string ("x")'),
    "port name is a list": (pod(container=", ports: [{name: [http]}]"), "spec.containers[0].ports[0].name must be a string, not a list"),
    "annotations a string": (pod(meta=", annotations: x"), 'metadata.annotations must be a mapping, not a string ("x")'),
    "annotations a list": (pod(meta=", annotations: [a]"), "metadata.annotations must be a mapping, not a list"),
    "labels a list": (pod(meta=", labels: [a]"), "metadata.labels must be a mapping, not a list"),
    "labels true": (pod(meta=", labels: true"), "metadata.labels must be a mapping, not a boolean (true)"),
    "labels a number": (pod(meta=", labels: 1"), "metadata.labels must be a mapping, not a number (1)"),
    "ports negative": (pod(container=", ports: -1"), "spec.containers[0].ports must be a list, not a number (-1)"),
    "label .inf": (pod(meta=", labels: {x: .inf}"), 'metadata.labels["x"] must be a string, not a number (inf)'),
    "label key null": (pod(meta=", labels: {~: x}"), "metadata.labels: key null must be a string"),
    "container null": (pod(spec=", initContainers: [null]"), "spec.initContainers[0] must be a mapping, not null"),
    "user istio-proxy command 5": (
        pod(spec=", initContainers: [{name: istio-proxy, command: 5}]"), "spec.initContainers[0].command must be a list, not a number (5)"
    ),
    "multi-line value shown on one line": (
        pod(container=', ports: ["a\\nb"]'), 'spec.containers[0].ports[0] must be a mapping, not a string ("a\\nb")'
    ),
}


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("pyinject: error: "), stderr
    return lines[0]


@pytest.mark.parametrize("style", [[], ["--output-style", "istioctl"], ["--output-format", "json"]], ids=["pyinject", "istioctl", "json"])
@pytest.mark.parametrize("config", [[], ["--injectConfigFile", str(GO_CONFIG / "inject-config.yaml")]], ids=["default", "go-config"])
@pytest.mark.parametrize(("text", "message"), SHAPES.values(), ids=SHAPES.keys())
def test_misshapen_pod_fields_are_named_before_rendering(run_cli, tmp_path: Path, text: str, message: str, config, style) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(text)
    result = run_cli("kube-inject", "-f", str(path), *config, *style)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert _one_error_line(result.stderr) == f"pyinject: error: {path}: document 1 (line 1, Pod p): {message}"


def test_a_deployment_names_the_path_inside_its_template(run_cli) -> None:
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec: {template: {metadata: {labels: {app: [d]}}, spec: {containers: [{name: c}]}}}\n"
    )
    result = run_cli("kube-inject", "-f", "-", input=text)
    assert result.exit_code == 1
    assert _one_error_line(result.stderr).endswith('(line 1, Deployment d): spec.template.metadata.labels["app"] must be a string, not a list')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},'
            ' "spec": {"jobTemplate": {"spec": {"template": ["Deployment"]}}}}\n',
            "(line 1, CronJob cj): spec.jobTemplate.spec.template must be a mapping, not a list",
        ),
        (
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [null]}}\n",
            "(line 1, Pod a): spec.containers[0] must be a mapping, not null",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, args: [x, null]}]}\n",
            "(line 1, Pod a): spec.containers[0].args[1] must be a string, not null",
        ),
    ],
    ids=["cronjob template a list", "null container", "null argument"],
)
def test_what_leads_to_a_pod_template_and_list_items_are_checked_too(run_cli, text: str, message: str) -> None:
    result = run_cli("kube-inject", "-f", "-", input=text)
    assert result.exit_code == 1 and result.stdout == ""
    assert _one_error_line(result.stderr).endswith(message)


def test_a_kind_that_is_not_a_string_passes_through_under_istioctl_style(run_cli) -> None:
    text = "apiVersion: v1\nkind: [Deployment]\nmetadata: {name: x}\n"
    result = run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == text + "---\n"


@pytest.mark.parametrize("style", [["--output-style", "istioctl"], ["--output-format", "json"]], ids=["istioctl", "json"])
def test_infinity_outside_a_pod_template_cannot_be_written_as_json(run_cli, style) -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: .inf, template: {spec: {containers: [{name: c}]}}}\n"
    result = run_cli("kube-inject", "-f", "-", *style, input=text)
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert line.startswith("pyinject: error: <stdin>: document 1 (line 1): cannot be written as ")
    assert ".inf" in line and result.stdout == ""


def test_uninject_refuses_volumes_that_are_not_a_list(run_cli) -> None:
    injected = run_cli("kube-inject", "-f", "-", "-q", input=pod()).stdout
    assert "sidecar.istio.io/status" in injected
    data = yaml.safe_load(injected)
    data["spec"]["volumes"] = "x"
    result = run_cli("kube-uninject", "-f", "-", input=json.dumps(data))
    assert result.exit_code == 1
    assert _one_error_line(result.stderr).endswith('(line 1, Pod p): spec.volumes must be a list, not a string ("x")')


@pytest.mark.parametrize("depth", [199, 200, 201, 330, 500, 999, 5000])
@pytest.mark.parametrize("style", [[], ["--output-format", "json"], ["--output-style", "istioctl"]], ids=["pyinject", "json", "istioctl"])
@pytest.mark.parametrize("kind", ["Pod", "ConfigMap"])
def test_deep_nesting_is_refused_cleanly(run_cli, depth: int, style, kind: str) -> None:
    nested = "[" * (depth - 2) + "]" * (depth - 2)  # the document and `spec` are two levels
    text = f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: p}}\nspec: {{containers: [{{name: c, image: i}}], x: {nested}}}\n"
    result = run_cli("kube-inject", "-f", "-", *style, input=text)
    if depth <= 200:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 1 and result.stdout == ""
    line = _one_error_line(result.stderr)
    assert "nested deeper than 200 levels" in line or "exceeded maximum nesting depth" in line


def test_deep_nesting_through_an_alias_is_refused(run_cli) -> None:
    deep = "[" * 150 + "]" * 150
    text = f"kind: ConfigMap\na: &x {deep}\nb: {'[' * 100}*x{']' * 100}\n"
    result = run_cli("kube-inject", "-f", "-", "--output-format", "json", input=text)
    assert result.exit_code == 1
    assert "nested deeper than 200 levels" in _one_error_line(result.stderr)


def test_bytes_that_are_not_utf8_on_stdin(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pyinject", "kube-inject", "-f", "-"], input=b"\x85", capture_output=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
    )
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode() == "pyinject: error: <stdin>: not UTF-8 text: invalid start byte (byte 0x85)\n"


def test_a_character_yaml_forbids_is_named_on_one_line(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", input='kind: ConfigMap\ndata: {a: "\x01"}\n')
    assert result.exit_code == 1
    assert _one_error_line(result.stderr) == (
        "pyinject: error: <stdin>: document 1 (line 2, col 12): invalid YAML: character #x0001 is not allowed"
        " (control characters are not allowed)"
    )


def test_stdout_on_a_full_disk(tmp_path: Path) -> None:
    if not Path("/dev/full").exists() and os.environ.get("CI") != "true":
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "pyinject", "kube-inject", "-f", "-"], input=pod(), stdout=full,
            stderr=subprocess.PIPE, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr == "pyinject: error: cannot write to stdout: No space left on device\n"


def _limit_file_size() -> None:
    # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG, as on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_temporary_files_that_cannot_grow(tmp_path: Path) -> None:
    # Output beyond the spool's memory goes to a file in TMPDIR; here that file cannot grow.
    text = "".join(f"---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{x: {'y' * 1000}}}\n" for i in range(10_000))
    result = subprocess.run(
        [sys.executable, "-m", "pyinject", "kube-inject", "-f", "-"], input=text, capture_output=True, text=True,
        timeout=120, preexec_fn=_limit_file_size,
        # No bytecode writes: under this limit Python would leave 4 KiB stubs of the .pyc
        # files it compiles (it does not check for a short write), breaking later imports.
        env={"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "pyinject: error: cannot hold the output in a temporary file (TMPDIR): File too large\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_template_that_runs_out_of_memory(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text('policy: enabled\ntemplates:\n  sidecar: |\n    metadata:\n      annotations:\n        x: "{{ repeat 300000000 "xxxx" }}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "pyinject", "kube-inject", "-f", "-", "--injectConfigFile", str(config)], input=pod(),
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory,
    )
    assert result.returncode == 1 and result.stdout == ""
    line = _one_error_line(result.stderr)
    assert "template sidecar" in line or "sidecar" in line, line


def test_process_level_run_keeps_stdout_empty_on_error() -> None:
    result = run_process("kube-inject", "-f", "-", input=pod(meta=", labels: [a]"))
    assert result.returncode == 1 and result.stdout == ""
