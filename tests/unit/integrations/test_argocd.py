"""The Argo CD Config Management Plugin: run its generate command as the CMP sidecar does.

The sidecar runs ``spec.generate.command`` + ``args`` in the Application's source
directory with ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE, KUBE_VERSION and the
Application's plugin env (prefixed ARGOCD_ENV_) set, and reads manifests from
stdout.  Fake helm/kustomize/kubectl record how they were called; the real
ones run at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, real_tool, venv_path
from tests.unit.cli.test_cli import docs

PLUGIN = REPO / "integrations" / "argocd" / "plugin.yaml"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"""
ROLLOUT = DEPLOYMENT.replace("apps/v1", "argoproj.io/v1alpha1").replace("Deployment", "Rollout")


def _generate() -> list[str]:
    from pyinject.errors import Location
    from pyinject.manifests.load import load_plain

    plugin = load_plain(PLUGIN.read_text(), Location())
    assert (plugin["apiVersion"], plugin["kind"]) == ("argoproj.io/v1alpha1", "ConfigManagementPlugin")
    assert (plugin["metadata"]["name"], plugin["spec"]["version"]) == ("pyinject", "v1.0")
    generate = plugin["spec"]["generate"]
    return [*generate["command"], *generate["args"]]


def _fake(bin_dir: Path, name: str, output: str, status: int = 0) -> Path:
    """A stand-in tool that records its arguments and prints ``output``."""
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / f"{name}.out").write_text(output)
    tool = bin_dir / name
    tool.write_text(f'#!/bin/sh\necho "$@" > "{bin_dir}/{name}.args"\ncat "{bin_dir}/{name}.out"\nexit {status}\n')
    tool.chmod(0o755)
    return tool


def _run(app: Path, bin_dir: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    path = venv_path() if bin_dir is None else os.pathsep.join([str(bin_dir), venv_path()])
    full = {"PATH": path, "HOME": str(app.parent), "ARGOCD_APP_NAME": "shop-web", "ARGOCD_APP_NAMESPACE": "shop", **env}
    if "PYINJECT_CACHE_DIR" in os.environ:
        full["PYINJECT_CACHE_DIR"] = os.environ["PYINJECT_CACHE_DIR"]
    return subprocess.run(_generate(), cwd=app, env=full, capture_output=True, text=True, timeout=300)


def _proxied(stdout: str) -> list[str]:
    out = []
    for doc in docs(stdout):
        spec = doc["spec"]["template"]["spec"]
        names = [c["name"] for c in spec.get("initContainers", []) + spec["containers"]]
        out.append(f"{doc['kind']}:{'istio-proxy' in names}")
    return out


def test_helm_chart_is_templated_then_injected(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Chart.yaml").write_text("name: web\n")
    bin_dir = tmp_path / "bin"
    _fake(bin_dir, "helm", DEPLOYMENT)
    done = _run(tmp_path / "app", bin_dir, KUBE_VERSION="1.30", ARGOCD_ENV_HELM_ARGS="--values prod.yaml")
    assert done.returncode == 0, done.stderr
    assert (bin_dir / "helm.args").read_text() == "template shop-web . --namespace shop --kube-version 1.30 --values prod.yaml\n"
    assert _proxied(done.stdout) == ["Deployment:True"]
    assert "<stdin>: document 1: Deployment web: injected" in done.stderr
    assert os.listdir(tmp_path / "app") == ["Chart.yaml"]  # nothing left behind


def test_kustomization_is_built_then_injected_with_the_apps_flags(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    bin_dir = tmp_path / "bin"
    _fake(bin_dir, "kustomize", ROLLOUT)
    done = _run(tmp_path / "app", bin_dir, ARGOCD_ENV_KUSTOMIZE_ARGS="--enable-helm",
                ARGOCD_ENV_PYINJECT_ARGS="--pod-template rollout --set values.global.proxy.image=*")
    assert done.returncode == 0, done.stderr
    assert (bin_dir / "kustomize.args").read_text() == "build . --enable-helm\n"
    assert _proxied(done.stdout) == ["Rollout:True"]
    assert "docker.io/istio/*:" in done.stdout  # "*" reached pyinject as written, not globbed


@pytest.mark.skipif(shutil.which("kustomize") is not None, reason="a kustomize on PATH is used before kubectl")
def test_without_kustomize_kubectl_builds(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yml").write_text("resources: []\n")
    bin_dir = tmp_path / "bin"
    _fake(bin_dir, "kubectl", DEPLOYMENT)
    done = _run(tmp_path / "app", bin_dir)
    assert done.returncode == 0, done.stderr
    assert (bin_dir / "kubectl.args").read_text() == "kustomize .\n"
    assert _proxied(done.stdout) == ["Deployment:True"]


def test_plain_manifests_are_injected_in_place_of_rendering(tmp_path: Path) -> None:
    (tmp_path / "app" / "sub").mkdir(parents=True)
    (tmp_path / "app" / "sub" / "web.yaml").write_text(DEPLOYMENT)
    done = _run(tmp_path / "app")
    assert done.returncode == 0, done.stderr
    assert _proxied(done.stdout) == ["Deployment:True"]


def test_a_failing_renderer_fails_the_generate(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Chart.yaml").write_text("name: web\n")
    bin_dir = tmp_path / "bin"
    _fake(bin_dir, "helm", "", status=1)
    done = _run(tmp_path / "app", bin_dir)
    assert done.returncode == 1 and done.stdout == ""


def test_a_pyinject_error_fails_the_generate_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "web.yaml").write_text(DEPLOYMENT)
    done = _run(tmp_path / "app", ARGOCD_ENV_PYINJECT_ARGS="--valuesFile missing.json")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("pyinject: error: missing.json") and len(done.stderr.splitlines()) == 1


# --- the real binaries ------------------------------------------------------------------

def _tools_dir(tmp_path: Path, **tools: str) -> Path:
    bin_dir = tmp_path / "real-bin"
    bin_dir.mkdir()
    for name, path in tools.items():
        (bin_dir / name).symlink_to(path)
    return bin_dir


def test_real_helm_chart(tmp_path: Path) -> None:
    helm = real_tool("PYINJECT_HELM4")
    bin_dir = _tools_dir(tmp_path, helm=helm)
    home = {"HELM_CONFIG_HOME": str(tmp_path / "h"), "HELM_DATA_HOME": str(tmp_path / "h"), "HELM_CACHE_HOME": str(tmp_path / "h")}
    subprocess.run([helm, "create", str(tmp_path / "web")], check=True, capture_output=True, env={**os.environ, **home})
    done = _run(tmp_path / "web", bin_dir, KUBE_VERSION="1.30.0", **home)
    assert done.returncode == 0, done.stderr
    assert "pyinject: 2 workloads: 2 injected" in done.stderr  # the Deployment and the test hook Pod
    assert "  name: shop-web\n" in done.stdout  # helm named the release after the Application


def test_real_kubectl_kustomize(tmp_path: Path) -> None:
    kubectl = real_tool("PYINJECT_KUBECTL", "kubectl")
    app = tmp_path / "app"
    app.mkdir()
    (app / "web.yaml").write_text(DEPLOYMENT)
    (app / "kustomization.yaml").write_text("resources: [web.yaml]\nnamespace: shop\n")
    bin_dir = _tools_dir(tmp_path, kubectl=kubectl)
    done = _run(app, bin_dir)
    assert done.returncode == 0, done.stderr
    assert _proxied(done.stdout) == ["Deployment:True"]
    assert "<stdin>: document 1: Deployment shop/web: injected" in done.stderr
