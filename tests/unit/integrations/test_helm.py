"""The Helm post-renderer contract: Helm 4's postrenderer/v1 plugin and Helm 3's --post-renderer executable.

Fixtures hold what each Helm writes to the post-renderer (recorded); the fake
runs below do what each Helm does with it: Helm 4 sets HELM_PLUGIN_DIR and
HELM_PLUGIN_NAME, runs the plugin's command with the --post-renderer-args as
arguments, keeps stdout and throws stderr away; Helm 3 runs the executable and
shows its stderr in its own error.  The real binaries run at the end.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, real_tool, venv_path
from tests.unit.cli.test_cli import docs

PLUGIN = REPO / "integrations" / "helm-plugin"
SCRIPT = PLUGIN / "pyinject-postrender"
DATA = Path(__file__).resolve().parents[2] / "data" / "helm"
FILENAME = "postrenderer.helm.sh/postrender-filename"


def _containers(doc: dict[str, Any]) -> list[str]:
    spec = doc["spec"] if doc["kind"] == "Pod" else doc["spec"]["template"]["spec"]
    return [c["name"] for c in spec.get("initContainers", []) + spec["containers"]]


def _run(args: list[str], stdin: str, *, helm4: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": venv_path()}
    env.pop("HELM_PLUGIN_DIR", None)
    if helm4:
        env.update(HELM_PLUGIN_DIR=str(PLUGIN), HELM_PLUGIN_NAME="pyinject")
    return subprocess.run([str(SCRIPT), *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)


def test_plugin_manifest_is_a_helm4_postrenderer() -> None:
    from pyinject.manifests.load import load_plain
    from pyinject.errors import Location

    manifest = load_plain((PLUGIN / "plugin.yaml").read_text(), Location())
    assert (manifest["apiVersion"], manifest["type"], manifest["name"], manifest["runtime"]) == (
        "v1", "postrenderer/v1", "pyinject", "subprocess")
    commands = {c["command"] for c in manifest["runtimeConfig"]["platformCommand"]}
    assert commands == {"${HELM_PLUGIN_DIR}/pyinject-postrender"}
    assert os.access(SCRIPT, os.X_OK)
    from pyinject import __version__

    assert manifest["version"] == __version__  # the plugin is released with pyinject


def test_helm4_input_comes_back_injected_with_its_file_annotations() -> None:
    sent = (DATA / "helm4-input.yaml").read_text()
    done = _run([], sent, helm4=True)
    assert done.returncode == 0
    assert done.stderr == ""  # nothing for Helm 4 to throw away
    before, after = docs(sent), docs(done.stdout)
    assert [(d["kind"], d["metadata"]["annotations"][FILENAME]) for d in after] == [
        (d["kind"], d["metadata"]["annotations"][FILENAME]) for d in before]
    by_kind = {d["kind"]: d for d in after}
    assert "istio-proxy" in _containers(by_kind["Deployment"])
    assert "istio-proxy" in _containers(by_kind["Pod"])  # Helm 4 post-renders hooks (here the test Pod)


def test_helm4_failure_reaches_helms_own_stderr(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    capfd.readouterr()
    done = _run(["--valuesFile", str(tmp_path / "missing.json")], (DATA / "helm4-input.yaml").read_text(), helm4=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ""  # what Helm 4 reads, and drops
    err = capfd.readouterr().err  # the stderr of this process, which stands for Helm here
    assert err.startswith("pyinject: error: ") and "missing.json" in err
    assert len(err.splitlines()) == 1


def test_helm4_args_pass_through_and_a_leading_kube_inject_is_taken() -> None:
    sent = (DATA / "helm4-input.yaml").read_text()
    for args in (["--set", "values.global.proxy.image=custom"], ["kube-inject", "--set=values.global.proxy.image=custom"]):
        done = _run(args, sent, helm4=True)
        assert done.returncode == 0
        assert "docker.io/istio/custom:" in done.stdout


def test_helm3_executable_keeps_source_comments_and_shows_errors() -> None:
    sent = (DATA / "helm3-input.yaml").read_text()
    done = _run([], sent, helm4=False)
    assert done.returncode == 0
    sources = [line for line in sent.splitlines() if line.startswith("# Source: ")]
    assert [line for line in done.stdout.splitlines() if line.startswith("# Source: ")] == sources
    assert "istio-proxy" in done.stdout
    assert "Deployment web-chart: injected" in done.stderr
    failed = _run(["--meshConfigFile", "/nonexistent/mesh.yaml"], sent, helm4=False)
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("pyinject: error: ")  # Helm 3 prints it under "error output:"


# --- the real binaries ------------------------------------------------------------------

def _helm_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "helm-home"
    return {**os.environ, "PATH": venv_path(), "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_DATA_HOME": str(home / "data"), "HELM_CACHE_HOME": str(home / "cache")}


def _chart(helm: str, tmp_path: Path, env: dict[str, str]) -> Path:
    subprocess.run([helm, "create", str(tmp_path / "chart")], check=True, capture_output=True, env=env, timeout=120)
    return tmp_path / "chart"


def test_real_helm4_plugin(tmp_path: Path) -> None:
    helm = real_tool("PYINJECT_HELM4")
    env = _helm_env(tmp_path)
    version = subprocess.run([helm, "version", "--short"], capture_output=True, text=True, env=env).stdout
    assert version.startswith("v4."), version
    install = subprocess.run([helm, "plugin", "install", str(PLUGIN)], capture_output=True, text=True, env=env)
    assert install.returncode == 0, install.stderr
    chart = _chart(helm, tmp_path, env)
    ok = subprocess.run([helm, "template", "web", str(chart), "--post-renderer", "pyinject",
                         "--post-renderer-args", "--set", "--post-renderer-args", "values.global.proxy.image=custom"],
                        capture_output=True, text=True, env=env, timeout=300)
    assert ok.returncode == 0, ok.stderr
    rendered = {d["kind"]: d for d in docs(ok.stdout)}
    assert "istio-proxy" in _containers(rendered["Deployment"]) and "istio-proxy" in _containers(rendered["Pod"])
    assert "docker.io/istio/custom:" in ok.stdout
    assert "pyinject: 2 workloads: 2 injected" in ok.stderr
    failed = subprocess.run([helm, "template", "web", str(chart), "--post-renderer", "pyinject",
                             "--post-renderer-args", "--valuesFile=/nonexistent/values.json"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert failed.returncode == 1 and failed.stdout == ""
    assert "pyinject: error: /nonexistent/values.json" in failed.stderr, failed.stderr
    assert 'plugin "pyinject" exited with error' in failed.stderr


def test_real_helm3_post_renderer(tmp_path: Path) -> None:
    helm = real_tool("PYINJECT_HELM3")
    env = _helm_env(tmp_path)
    version = subprocess.run([helm, "version", "--short"], capture_output=True, text=True, env=env).stdout
    assert version.startswith("v3."), version
    chart = _chart(helm, tmp_path, env)
    for renderer, args in (("pyinject", ["kube-inject", "-f", "-"]), (str(SCRIPT), [])):
        flags = [x for arg in args for x in ("--post-renderer-args", arg)]
        ok = subprocess.run([helm, "template", "web", str(chart), "--post-renderer", renderer, *flags],
                            capture_output=True, text=True, env=env, timeout=300)
        assert ok.returncode == 0, ok.stderr
        assert "istio-proxy" in _containers({d["kind"]: d for d in docs(ok.stdout)}["Deployment"])
    failed = subprocess.run([helm, "template", "web", str(chart), "--post-renderer", str(SCRIPT),
                             "--post-renderer-args", "--valuesFile=/nonexistent/values.json"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert failed.returncode == 1
    assert "pyinject: error: /nonexistent/values.json" in failed.stderr
