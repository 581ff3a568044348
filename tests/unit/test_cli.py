"""The kube-inject command through click's CliRunner and as a real process."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BOOKINFO, run_process
from pyinject.manifests.load import load_plain
from pyinject.errors import Location

DATA = Path(__file__).resolve().parent.parent / "data"
PASSTHROUGH = DATA / "passthrough.yaml"


def docs(text: str) -> list[Any]:
    from pyinject.manifests.read import read_text

    return [load_plain(d.text, Location()) for d in read_text(text) if load_plain(d.text, Location()) is not None]


def test_non_workloads_pass_through_byte_for_byte(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(PASSTHROUGH))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == PASSTHROUGH.read_text()
    assert "duplicate key 'dup'" in result.stderr


def test_crlf_passes_through(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(DATA / "crlf.yaml"))
    assert result.exit_code == 0
    assert result.stdout_bytes == (DATA / "crlf.yaml").read_bytes()


def test_stdin(run_cli) -> None:
    text = PASSTHROUGH.read_text()
    result = run_cli("kube-inject", "-f", "-", input=text)
    assert result.exit_code == 0 and result.stdout == text


def test_several_files_are_joined_into_one_stream(run_cli, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: ConfigMap\nmetadata: {name: a}")  # no final newline
    (tmp_path / "b.yaml").write_text("kind: ConfigMap\nmetadata: {name: b}\n")
    result = run_cli("kube-inject", "-f", str(tmp_path / "a.yaml"), "-f", str(tmp_path / "b.yaml"))
    assert result.exit_code == 0
    assert [d["metadata"]["name"] for d in docs(result.stdout)] == ["a", "b"]


def test_directory_is_read_recursively_in_sorted_order(run_cli, tmp_path: Path) -> None:
    for name in ["z.yaml", "a/b.yml", "a/c.json", "readme.md"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        stem = Path(name).stem
        path.write_text(json.dumps({"kind": "ConfigMap", "metadata": {"name": stem}}) if name.endswith(".json")
                        else f"kind: ConfigMap\nmetadata:\n  name: {stem}\n")
    result = run_cli("kube-inject", "-f", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert [d["metadata"]["name"] for d in docs(result.stdout)] == ["b", "c", "z"]


def test_json_output(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(PASSTHROUGH), "--output-format", "json")
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert (output["apiVersion"], output["kind"]) == ("v1", "List")
    objects = output["items"]
    assert [o["kind"] for o in objects] == ["Service", "CustomResourceDefinition", "SomethingNew", "ConfigMap"]
    crd = objects[1]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
    assert crd["op"]["enum"] == ["=", "!="] and crd["mode"]["default"] == 493 and crd["flag"]["default"] is True
    assert objects[3]["data"]["dup"] == "second"


def test_json_input(run_cli, tmp_path: Path) -> None:
    src = tmp_path / "cm.json"
    src.write_text(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}, indent=2))
    result = run_cli("kube-inject", "-f", str(src))
    assert result.exit_code == 0 and result.stdout == src.read_text()


ERRORS = {
    "malformed YAML": ("kind: ConfigMap\n---\nkind: Deployment\nspec: [1\n", r"document 2 \(line \d+, col \d+\): invalid YAML"),
    "containers not a list": (
        "kind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: {name: x}\n",
        r"document 1 \(line 1, Deployment d\): spec.template.spec.containers must be a list, not a mapping",
    ),
    "alias bomb": (
        "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n" for i in range(1, 9))
        + "kind: List\n",
        "alias bomb",
    ),
}


@pytest.mark.parametrize("text,message", ERRORS.values(), ids=ERRORS.keys())
def test_bad_input_is_one_line_exit_1_and_nothing_on_stdout(run_cli, tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    result = run_cli("kube-inject", "-f", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pyinject: error: {bad}: document ")
    assert re.search(message, lines[0]), lines[0]


def test_missing_file(run_cli, tmp_path: Path) -> None:
    result = run_cli("kube-inject", "-f", str(tmp_path / "nope.yaml"))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pyinject: error: {tmp_path / 'nope.yaml'}: no such file or directory\n"


def test_unreadable_directory(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_walk(top: str, onerror: Any = None, **_: Any):
        onerror(PermissionError(13, "Permission denied", top))
        return iter(())

    monkeypatch.setattr(os, "walk", failing_walk)
    result = run_cli("kube-inject", "-f", str(tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pyinject: error: {tmp_path}: cannot read directory: Permission denied\n"


@pytest.mark.parametrize("args,message", [
    (["--set", "novalue"], "is not KEY=VALUE"),
    (["--output-format", "xml"], "'xml' is not one of"),
    (["--bogus"], "No such option"),
], ids=["set without =", "bad output format", "unknown flag"])
def test_usage_errors_exit_2(run_cli, args: list[str], message: str) -> None:
    result = run_cli("kube-inject", "-f", str(PASSTHROUGH), *args)
    assert result.exit_code == 2 and result.stdout == "" and message in result.stderr


def test_failure_leaves_the_output_file_untouched(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    out.write_text("previous\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    result = run_cli("kube-inject", "-f", str(PASSTHROUGH), "-f", str(bad), "-o", str(out))
    assert result.exit_code == 1 and out.read_text() == "previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pyinject-")]


def test_output_may_name_its_own_input(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "app.yaml"
    target.write_text(PASSTHROUGH.read_text())
    target.chmod(0o640)
    result = run_cli("kube-inject", "-f", str(target), "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text() == PASSTHROUGH.read_text()
    assert target.stat().st_mode & 0o777 == 0o640


def test_version_and_help(run_cli) -> None:
    assert run_cli("--version").stdout.startswith("pyinject ")
    help_text = run_cli("kube-inject", "--help").stdout
    for word in ["--injectConfigFile", "--valuesFile", "--meshConfigFile", "--operatorFileName", "Examples:",
                 "kubectl apply -f -", "Exit codes:"]:
        assert word in help_text


def test_real_process_stdin_to_stdout() -> None:
    text = PASSTHROUGH.read_text()
    proc = run_process("kube-inject", "-f", "-", input=text)
    assert proc.returncode == 0 and proc.stdout == text


def test_real_process_error_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Deployment\nspec: [\n")
    proc = run_process("kube-inject", "-f", str(bad))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_bookinfo_runs(run_cli) -> None:
    result = run_cli("kube-inject", "-f", str(BOOKINFO))
    assert result.exit_code == 0, result.stderr
    kinds = [d["kind"] for d in docs(result.stdout)]
    assert kinds.count("Deployment") == 6 and kinds.count("Service") == 4
