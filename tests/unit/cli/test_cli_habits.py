"""Habits users bring from kubectl, JSON output read back, and input that holds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n"


@pytest.mark.parametrize("value", ["yaml", "json", "wide", "jsonpath={.items}"])
def test_o_with_a_kubectl_format_is_a_usage_error(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("kube-inject", "-f", "-", "-o", value, input=POD)
    assert result.exit_code == 2
    assert "-o names the FILE to write, not a format as in kubectl" in result.stderr
    assert "--output-format json" in result.stderr and f"-o ./{value}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_o_dot_slash_yaml_writes_a_file_of_that_name(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("kube-inject", "-f", "-", "-q", "-o", "./yaml", input=POD).exit_code == 0
    assert "istio-proxy" in (tmp_path / "yaml").read_text()


@pytest.mark.parametrize("flag", ["-R", "--recursive"])
def test_recursive_is_accepted_and_changes_nothing(run_cli, tmp_path: Path, flag: str) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "pod.yaml").write_text(POD)
    with_flag = run_cli("kube-inject", flag, "-f", str(tmp_path), "-q")
    without = run_cli("kube-inject", "-f", str(tmp_path), "-q")
    assert with_flag.exit_code == 0 and with_flag.stdout == without.stdout
    assert "istio-proxy" in with_flag.stdout


@pytest.mark.parametrize("command", ["kube-inject", "kube-uninject"])
def test_kubeconfig_explains_that_no_cluster_is_needed(run_cli, command: str) -> None:
    result = run_cli(command, "-f", "-", "--kubeconfig", "~/.kube/config", input=POD)
    assert result.exit_code == 2 and result.stdout == ""
    assert "pyinject needs no cluster and takes no --kubeconfig" in result.stderr
    assert "kubectl -n istio-system get cm istio-sidecar-injector -o jsonpath='{.data.config}'" in result.stderr
    assert "did you mean" not in result.stderr.lower()


def test_a_leading_comment_block_is_not_a_document(run_cli) -> None:
    text = "# Copyright header\n# of the file\n\n---\n" + POD.replace("metadata: {name: p}", "metadata: {name: p, labels: 1}")
    result = run_cli("kube-inject", "-f", "-", input=text)
    assert result.exit_code == 1
    assert result.stderr.startswith("pyinject: error: <stdin>: document 1 ")


def test_a_leading_comment_block_is_kept_and_the_report_counts_from_one(run_cli) -> None:
    text = "# header\n---\n" + CONFIGMAP + "---\n" + POD
    result = run_cli("kube-inject", "-f", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# header\n---\n" + CONFIGMAP + "---\n")
    assert "<stdin>: document 2: Pod p: injected" in result.stderr


def test_json_output_is_one_list_that_json_load_reads(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "-q", "--output-format", "json", input=CONFIGMAP + "---\n" + POD)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["apiVersion"], data["kind"]) == ("v1", "List")
    assert [item["kind"] for item in data["items"]] == ["ConfigMap", "Pod"]
    assert any(c["name"] == "istio-proxy" for c in data["items"][1]["spec"].get("initContainers", []) + data["items"][1]["spec"]["containers"])


def test_json_output_of_nothing_is_an_empty_list(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "--output-format", "json", input="")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"apiVersion": "v1", "kind": "List", "items": []}


def test_json_output_reads_back_unchanged(run_cli) -> None:
    first = run_cli("kube-inject", "-f", "-", "-q", "--output-format", "json", input=CONFIGMAP + "---\n" + POD).stdout
    second = run_cli("kube-inject", "-f", "-", "-q", "--output-format", "json", input=first)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == first  # a List's items are lifted, not nested


@pytest.mark.parametrize("separator", ["\n", "", "\n\n"], ids=["one per line", "back to back", "blank line"])
def test_concatenated_json_objects_are_read_as_documents(run_cli, separator: str) -> None:
    objects = [json.loads(json.dumps(yaml.safe_load(t))) for t in (CONFIGMAP, POD)]
    text = separator.join(json.dumps(o) for o in objects) + "\n"
    result = run_cli("kube-inject", "-f", "-", "--output-format", "json", input=text)
    assert result.exit_code == 0, result.stderr
    assert "<stdin>: document 2: Pod p: injected" in result.stderr
    assert [item["kind"] for item in json.loads(result.stdout)["items"]] == ["ConfigMap", "Pod"]


def test_in_place_json_refuses_to_turn_yaml_into_json(run_cli, tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(POD)
    result = run_cli("kube-inject", "-f", str(app), "--in-place", "--output-format", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        f"pyinject: error: --in-place keeps each file's format, so --output-format json cannot rewrite {app}"
        " (JSON files stay JSON without it)\n"
    )
    assert app.read_text() == POD


def test_in_place_json_on_json_files_keeps_them_json(run_cli, tmp_path: Path) -> None:
    app = tmp_path / "app.json"
    app.write_text(json.dumps(yaml.safe_load(POD)))
    result = run_cli("kube-inject", "-f", str(app), "-q", "--in-place", "--output-format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(app.read_text())["kind"] == "Pod"


@pytest.mark.parametrize("command", ["kube-inject", "kube-uninject"])
def test_a_directory_without_manifests_is_reported(run_cli, tmp_path: Path, command: str) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("nothing here")
    result = run_cli(command, "-f", str(tmp_path))
    assert result.exit_code == 0 and result.stdout == ""
    assert f"pyinject: warning: no manifests under {tmp_path}" in result.stderr


@pytest.mark.parametrize("command", ["kube-inject", "kube-uninject"])
def test_check_with_nothing_to_check_fails(run_cli, tmp_path: Path, command: str) -> None:
    result = run_cli(command, "-f", str(tmp_path), "--check")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"pyinject: error: no manifests under {tmp_path}: --check checked nothing, which is not a pass\n"


def test_check_passes_when_one_of_the_paths_has_manifests(run_cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "cm.yaml").write_text(CONFIGMAP)
    result = run_cli("kube-inject", "-f", str(tmp_path / "empty"), "-f", str(tmp_path / "full"), "--check")
    assert result.exit_code == 0, result.stderr
    assert f"no manifests under {tmp_path / 'empty'}" in result.stderr


def test_istioctl_style_keeps_a_leading_comment_block_as_its_own_chunk(run_cli) -> None:
    text = "# header\n\n---\n" + CONFIGMAP
    result = run_cli("kube-inject", "-f", "-", "--output-style", "istioctl", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "# header\n\n---\n" + CONFIGMAP + "---\n"
