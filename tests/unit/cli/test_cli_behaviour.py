"""Behaviour users trip over, through the CLI: -r, default-container on uninject, completion, the terminal report."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest


from tests.conftest import REPO

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: i}, {name: side, image: j}]\n"


def _pod(tmp_path: Path, text: str = POD) -> str:
    path = tmp_path / "pod.yaml"
    path.write_text(text)
    return str(path)


# -- -r REV -------------------------------------------------------------------


def test_revision_flag_means_the_revisions_control_plane(run_cli, tmp_path: Path) -> None:
    pod = _pod(tmp_path)
    by_flag = run_cli("kube-inject", "-f", pod, "-r", "canary", "-q")
    by_set = run_cli("kube-inject", "-f", pod, "--set", "values.revision=canary", "-q")
    assert by_flag.exit_code == 0 and by_set.exit_code == 0
    assert by_flag.stdout == by_set.stdout
    assert "istiod-canary.istio-system.svc:15012" in by_flag.stdout  # discovery and CA address
    assert "istiod.istio-system.svc" not in by_flag.stdout
    assert "istio.io/rev: canary" in by_flag.stdout


def test_revision_default_is_no_revision(run_cli, tmp_path: Path) -> None:
    pod = _pod(tmp_path)
    assert run_cli("kube-inject", "-f", pod, "-r", "default", "-q").stdout == run_cli("kube-inject", "-f", pod, "-q").stdout


def test_revision_flag_with_a_values_file_only_labels(run_cli, tmp_path: Path) -> None:
    # Exported files already are a revision's install, as with istioctl given files.
    values = tmp_path / "values.yaml"
    values.write_text((REPO / "templates" / "values.yaml").read_text())
    result = run_cli("kube-inject", "-f", _pod(tmp_path), "--valuesFile", str(values), "-r", "canary", "-q")
    assert result.exit_code == 0, result.stderr
    assert "istio.io/rev: canary" in result.stdout
    assert "istiod.istio-system.svc:15012" in result.stdout


# -- kube-uninject and kubectl.kubernetes.io/default-container -----------------


def _round_trip(run_cli, tmp_path: Path, annotation: str) -> str:
    text = POD.replace("metadata: {name: p}", f"metadata: {{name: p, annotations: {{{annotation}}}}}")
    injected = run_cli("kube-inject", "-f", _pod(tmp_path, text), "-q")
    assert injected.exit_code == 0, injected.stderr
    back = run_cli("kube-uninject", "-f", "-", "-q", input=injected.stdout)
    assert back.exit_code == 0, back.stderr
    return back.stdout


def test_uninject_keeps_a_default_container_naming_another_container(run_cli, tmp_path: Path) -> None:
    out = _round_trip(run_cli, tmp_path, "kubectl.kubernetes.io/default-container: side")
    assert "kubectl.kubernetes.io/default-container: side" in out
    assert "default-logs-container" not in out  # the injected one goes


def test_uninject_removes_one_naming_the_first_container_exactly_as_injection_would(run_cli, tmp_path: Path) -> None:
    # Indistinguishable from the injected annotation; kubectl picks that container without it.
    out = _round_trip(run_cli, tmp_path, "kubectl.kubernetes.io/default-container: app")
    assert "default-container" not in out


def test_uninject_without_the_annotation_gives_back_the_pod(run_cli, tmp_path: Path) -> None:
    injected = run_cli("kube-inject", "-f", _pod(tmp_path), "-q")
    back = run_cli("kube-uninject", "-f", "-", "-q", input=injected.stdout)
    assert back.stdout == POD


# -- shell completion -----------------------------------------------------------


def _complete(shell: str, words: str, cword: int) -> str:
    env = {**os.environ, "_PYINJECT_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    proc = subprocess.run([sys.executable, "-m", "pyinject"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("words,cword", [
    ("pyinject kube-inject -f ap", 3),
    ("pyinject kube-inject ap", 2),
    ("pyinject kube-inject -o ap", 3),
    ("pyinject kube-inject --valuesFile ap", 3),
    ("pyinject kube-inject --meshConfigFile ap", 3),
    ("pyinject kube-inject --injectConfigFile ap", 3),
    ("pyinject kube-inject --operatorFileName ap", 3),
    ("pyinject kube-uninject -f ap", 3),
    ("pyinject kube-uninject --injectConfigFile ap", 3),
], ids=lambda v: str(v))
def test_paths_complete_as_file_names(words: str, cword: int) -> None:
    # "file" tells the bash/zsh scripts to fall back to the shell's own file-name completion.
    assert _complete("bash", words, cword).splitlines() == ["file,ap"]


def test_flags_still_complete() -> None:
    assert "plain,--valuesFile" in _complete("bash", "pyinject kube-inject --val", 2).splitlines()


# -- the terminal report ---------------------------------------------------------


def _in_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run pyinject with stderr on a pseudo-terminal; returns what the terminal shows."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pyinject", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, cwd=cwd, env={**os.environ, **env})
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")


LONG_NAME = "checkout-service-with-a-rather-long-generated-name-from-a-helm-release-and-suffixes-0123456789"


def test_terminal_report(tmp_path: Path) -> None:
    folder = tmp_path / "a-deeply" / "nested" / "folder-of-manifests" / "for-the-terminal-report"
    folder.mkdir(parents=True)
    (folder / "apps.yaml").write_text(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {LONG_NAME}}}\n"
        "spec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: host}\nspec:\n  hostNetwork: true\n"
        "  containers: [{name: c, image: i}]\n")
    env = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "xterm-256color"}
    shown = _in_terminal(["kube-inject", "-f", str(folder / "apps.yaml")], env, tmp_path)
    assert "\x1b" not in shown, repr(shown)  # NO_COLOR: no colour, no bold
    lines = shown.splitlines()
    assert all(len(line) <= 100 for line in lines), shown
    # The path is cut in the middle: its start and its file name stay.
    assert "apps.yaml" in shown and "\u2026" in shown and str(tmp_path)[:8] in shown
    # The workload name wraps instead of being cut.
    header = next(line for line in lines if "workload" in line and "result" in line)
    start, end = header.index("workload"), header.index("result")
    column = "".join(line[start:end].strip() for line in lines[lines.index(header) + 1:])
    assert f"Deployment{LONG_NAME}" in column, shown  # wrapped, nothing cut
    # A skip is reported once, in the table, not also as a warning.
    assert "warning" not in shown and shown.count("host networking") == 1


def test_skips_are_reported_once_with_the_file(run_cli, tmp_path: Path) -> None:
    pod = _pod(tmp_path, POD.replace("spec:\n", "spec:\n  hostNetwork: true\n"))
    result = run_cli("kube-inject", "-f", pod)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f'{pod}: document 1: Skipping injection because Pod "p" has host networking enabled',
        "pyinject: 1 workload: 1 skipped",
    ]
