"""Templates are data: through the CLI, neither engine reads files or the environment it is not given.

Jinja2 configs may ``{% include %}`` / ``{% import %}`` only the ``.j2`` files the
config names (plus pyinject's embedded templates), as real files inside the
config's folder.  Go templates' ``env`` / ``expandenv`` see only the variables
named with ``--template-env``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {inject.istio.io/templates: probe}
spec:
  containers: [{name: c, image: i}]
"""
SECRET = "s3cret-value"


def _jinja_config(folder: Path, probe: str, extra: dict[str, str] | None = None) -> Path:
    (folder / "probe.yaml.j2").write_text("metadata:\n  annotations:\n    leak: x" + probe + "\n")
    names = {"probe": "probe.yaml.j2", **(extra or {})}
    lines = ["format: pyinject/jinja2", "templates:"] + [f"  {k}: {v}" for k, v in names.items()]
    config = folder / "inject-config.yaml"
    config.write_text("\n".join(lines) + "\n")
    (folder / "pod.yaml").write_text(POD)
    return config


def _inject(run_cli, folder: Path, config: Path, *extra: str):
    return run_cli("kube-inject", "-f", str(folder / "pod.yaml"), "--injectConfigFile", str(config), *extra)


def _refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert SECRET not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyinject: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("tag", ["include", "import"])
def test_jinja_cannot_read_a_neighbouring_file(run_cli, tmp_path: Path, tag: str) -> None:
    (tmp_path / "secret.txt").write_text(SECRET)
    probe = '{% include "secret.txt" %}' if tag == "include" else '{% import "secret.txt" as s %}'
    result = _inject(run_cli, tmp_path, _jinja_config(tmp_path, probe))
    _refused(result, "secret.txt", "not a template file the config names", "probe:")


def test_jinja_cannot_read_an_unnamed_template_file(run_cli, tmp_path: Path) -> None:
    # Even a .j2 file beside the config is out of reach unless the config names it.
    (tmp_path / "other.j2").write_text(SECRET)
    result = _inject(run_cli, tmp_path, _jinja_config(tmp_path, '{% include "other.j2" %}'))
    _refused(result, "other.j2", "not a template file the config names")


def test_jinja_can_include_a_template_file_the_config_names(run_cli, tmp_path: Path) -> None:
    (tmp_path / "part.yaml.j2").write_text("named-part")
    config = _jinja_config(tmp_path, '{% include "part.yaml.j2" %}', {"part": "part.yaml.j2"})
    result = _inject(run_cli, tmp_path, config)
    assert result.exit_code == 0, result.stderr
    assert "named-part" in result.stdout


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "SECRET_IN_HOME"])
def test_jinja_cannot_follow_a_symlink_named_in_the_config(run_cli, tmp_path: Path, target: str) -> None:
    if target == "SECRET_IN_HOME":
        (tmp_path / "id_rsa").write_text(SECRET)
        target = str(tmp_path / "id_rsa")
    if not os.path.exists(target):
        pytest.skip(f"{target} does not exist here")
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    (config_dir / "link.j2").symlink_to(target)
    config = _jinja_config(config_dir, '{% include "link.j2" %}', {"link": "link.j2"})
    result = _inject(run_cli, config_dir, config)
    _refused(result, "link.j2", "symlink", str(config))


def test_jinja_cannot_reach_through_a_symlinked_folder(run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.j2").write_text(SECRET)
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    (config_dir / "sub").symlink_to(outside)
    config = _jinja_config(config_dir, '{% include "sub/x.j2" %}', {"x": "sub/x.j2"})
    _refused(_inject(run_cli, config_dir, config), "symlink")


@pytest.mark.parametrize("ref", ["../outside.j2", "ABSOLUTE", "secret.txt"])
def test_jinja_config_cannot_name_a_file_outside_or_not_a_template(run_cli, tmp_path: Path, ref: str) -> None:
    (tmp_path / "outside.j2").write_text(SECRET)
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    (config_dir / "secret.txt").write_text(SECRET)
    if ref == "ABSOLUTE":
        ref = str(tmp_path / "outside.j2")
    if ref == "secret.txt":
        # Not ending in .j2, the value is taken as inline template text, never as a file.
        config = _jinja_config(config_dir, "{% include 'probe' %}", {"s": ref})
        result = _inject(run_cli, config_dir, config)
        assert SECRET not in result.stdout
        return
    config = _jinja_config(config_dir, "x", {"x": ref})
    _refused(_inject(run_cli, config_dir, config))


def test_jinja_refuses_a_device_named_like_a_template(run_cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.j2"
    os.mkfifo(fifo)
    config = _jinja_config(tmp_path, "x", {"pipe": "pipe.j2"})
    _refused(_inject(run_cli, tmp_path, config), "not a regular file")


def test_jinja_templates_have_no_environment(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    result = _inject(run_cli, tmp_path, _jinja_config(tmp_path, "{{ env('AWS_SECRET_ACCESS_KEY') }}"),
                     "--template-env", "AWS_SECRET_ACCESS_KEY")
    assert result.exit_code == 1 and SECRET not in result.stdout + result.stderr


GO_CONFIG = """\
templates:
  sidecar: |
    metadata:
      annotations:
        env: "{{ env "AWS_SECRET_ACCESS_KEY" "unset" }}"
        expandenv: "{{ expandenv "[$AWS_SECRET_ACCESS_KEY]" }}"
        sprig: "{{ (env "ALLOWED_VAR" "") }}"
"""


def test_go_env_and_expandenv_read_only_allowed_variables(run_cli, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("ALLOWED_VAR", "allowed-value")
    (tmp_path / "config.yaml").write_text(GO_CONFIG)
    (tmp_path / "pod.yaml").write_text(POD.replace("inject.istio.io/templates: probe", "a: b"))
    result = _inject(run_cli, tmp_path, tmp_path / "config.yaml", "--template-env", "ALLOWED_VAR")
    assert result.exit_code == 0, result.stderr
    assert SECRET not in result.stdout
    assert "env: unset" in result.stdout and "expandenv: '[]'" in result.stdout
    assert "allowed-value" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "AWS_SECRET_ACCESS_KEY" in line]
    # One warning for the variable, though two functions read it.
    assert warnings == ["pyinject: warning: a template read environment variable AWS_SECRET_ACCESS_KEY, "
                        "which reads as unset; allow it with --template-env AWS_SECRET_ACCESS_KEY"]

    allowed = _inject(run_cli, tmp_path, tmp_path / "config.yaml", "--template-env", "AWS_SECRET_ACCESS_KEY")
    assert allowed.exit_code == 0 and f"env: {SECRET}" in allowed.stdout


def test_go_templates_read_no_files(run_cli, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "config.yaml").write_text(
        'templates:\n  sidecar: |\n    {{ readFile "secret.txt" }}{{ include "secret.txt" . }}\n')
    (tmp_path / "pod.yaml").write_text(POD.replace("inject.istio.io/templates: probe", "a: b"))
    result = _inject(run_cli, tmp_path, tmp_path / "config.yaml")
    _refused(result, "function \"readFile\" not defined")
