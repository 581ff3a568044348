"""Native or classic sidecar through kube-inject: ENABLE_NATIVE_SIDECARS, --kube-version, the flags, the annotation."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.errors import Location
from pyinject.manifests.load import load_plain

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
{annotations}spec:
  containers:
  - name: app
    image: app
"""


def proxy_place(stdout: str) -> str:
    pod: Any = load_plain(stdout, Location())
    if any(c["name"] == "istio-proxy" for c in pod["spec"].get("initContainers") or []):
        return "native"
    assert any(c["name"] == "istio-proxy" for c in pod["spec"]["containers"])
    return "classic"


@pytest.mark.parametrize(
    ("env", "args", "annotation", "want", "why"),
    [
        pytest.param(None, [], None, "classic", "no nodes to ask", id="offline-default-classic"),
        pytest.param("auto", [], None, "classic", "ENABLE_NATIVE_SIDECARS=auto", id="auto-offline-classic"),
        pytest.param(None, ["--kube-version", "1.33"], None, "native", "1.33 is 1.33 or later", id="nodes-1.33"),
        pytest.param("auto", ["--kube-version", "v1.32.1"], None, "classic", "older than 1.33", id="nodes-1.32"),
        pytest.param("true", [], None, "native", "ENABLE_NATIVE_SIDECARS=true", id="env-true"),
        pytest.param("false", ["--kube-version", "1.34"], None, "classic", "ENABLE_NATIVE_SIDECARS=false", id="env-false"),
        pytest.param("false", ["--native-sidecars"], None, "native", "--native-sidecars was given", id="flag-on"),
        pytest.param("true", ["--no-native-sidecars"], None, "classic", "--no-native-sidecars", id="flag-off"),
        pytest.param(None, [], "true", "native", "no nodes to ask", id="annotation-opts-in"),
        pytest.param("true", [], "false", "classic", "ENABLE_NATIVE_SIDECARS=true", id="annotation-opts-out"),
    ],
)
def test_native_or_classic(run_cli, monkeypatch: pytest.MonkeyPatch, env: str | None, args: list[str],
                           annotation: str | None, want: str, why: str) -> None:
    if env is not None:
        monkeypatch.setenv("ENABLE_NATIVE_SIDECARS", env)
    annotations = f"  annotations:\n    sidecar.istio.io/nativeSidecar: \"{annotation}\"\n" if annotation else ""
    result = run_cli("kube-inject", "-f", "-", "-v", *args, input=POD.format(annotations=annotations))
    assert result.exit_code == 0, result.stderr
    assert proxy_place(result.stdout) == want
    # -v names the run-wide choice and its reason first; the annotation then decides per pod.
    first = result.stderr.splitlines()[0]
    assert first.startswith(("pyinject: native sidecar: ", "pyinject: classic sidecar: ")) and why in first


def test_unknown_env_value_is_false_with_a_warning(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENABLE_NATIVE_SIDECARS", "True")
    result = run_cli("kube-inject", "-f", "-", input=POD.format(annotations=""))
    assert result.exit_code == 0
    assert proxy_place(result.stdout) == "classic"
    assert "pyinject: warning: ENABLE_NATIVE_SIDECARS='True' is not true, false or auto, which Istio reads as false" in result.stderr


def test_bad_kube_version_is_a_usage_error(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "-", "--kube-version", "latest", input=POD.format(annotations=""))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "'latest' is not a Kubernetes version like 1.33" in result.stderr
