"""Per-release kube-inject behaviour of Istio 1.0–1.4 (SidecarInjectionSpec templates)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pyinject.gotemplate import parse
from pyinject.istio.releases import RELEASES

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: hello
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {port: http, path: /ready}
"""

#: 1.0/1.1 parse the template with [[ ]]: {{ }} is plain text to them.
BRACKETS = """\
policy: enabled
template: |-
  rewriteAppHTTPProbe: true
  containers:
  - name: istio-proxy
    image: "proxy:[[ .ProxyConfig.DiscoveryAddress ]]"
    args:
    - proxy
    - --statsdUdpAddress
    - [[ .ProxyConfig.StatsdUdpAddress ]]
    - --statusPort
    - "15020"
    - "{{ not-an-action }}"
"""

#: 1.2–1.4 templates may call render.
RENDER = """\
policy: enabled
template: |-
  rewriteAppHTTPProbe: true
  containers:
  - name: istio-proxy
    image: "{{ render "proxy:{{ .ProxyConfig.DiscoveryAddress }}" }}"
    args: [proxy, --statusPort, "15020"]
"""


def _inject(tmp_path: Path, config: str, version: str) -> dict:
    (tmp_path / "in.yaml").write_text(DEPLOYMENT)
    (tmp_path / "config.yaml").write_text(config)
    (tmp_path / "values.json").write_text("{}")
    result = subprocess.run([
        sys.executable, "-m", "pyinject", "kube-inject", "-f", str(tmp_path / "in.yaml"), "--injectConfigFile", str(tmp_path / "config.yaml"),
        "--valuesFile", str(tmp_path / "values.json"), "--istio-version", version], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return YAML(typ="safe").load(result.stdout)


def _containers(doc: dict) -> dict:
    return {c["name"]: c for c in doc["spec"]["template"]["spec"]["containers"]}


def test_delims_are_a_parse_argument() -> None:
    template = parse("[[ .x ]] {{ .x }} [[- if .x ]]!{{ end }}[[ end ]]", "t", delims=("[[", "]]"))
    assert template.execute({"x": 1}) == "1 {{ .x }}!{{ end }}"


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_bracket_delimiters_and_null_args(tmp_path: Path, version: str) -> None:
    proxy = _containers(_inject(tmp_path, BRACKETS, version))["istio-proxy"]
    # 1.0's built-in discovery address was the plain-text port 15007.
    assert proxy["image"] == ("proxy:istio-pilot:15007" if version == "1.0" else "proxy:istio-pilot:15010")
    # An empty value in a []string decodes to "" (encoding/json's null), not an error.
    assert proxy["args"][:4] == ["proxy", "--statsdUdpAddress", "", "--statusPort"]
    assert proxy["args"][-1] == "{{ not-an-action }}"


def test_brackets_are_text_from_1_2(tmp_path: Path) -> None:
    assert RELEASES[(1, 2)].delims == ("{{", "}}")
    doc = _inject(tmp_path, RENDER, "1.2")
    assert _containers(doc)["istio-proxy"]["image"] == "proxy:istio-pilot:15010"


@pytest.mark.parametrize("version, want", [
    ("1.1", {"/app-health/hello/readyz": {"path": "/ready", "port": 8080}}),
    ("1.4", {"/app-health/hello/readyz": {"path": "/ready", "port": 8080}}),
    ("1.5", {"/app-health/hello/readyz": {"httpGet": {"path": "/ready", "port": 8080}}}),
])
def test_app_probers_format(tmp_path: Path, version: str, want: dict) -> None:
    config = BRACKETS if version == "1.1" else RENDER
    proxy = _containers(_inject(tmp_path, config, version))["istio-proxy"]
    env = {e["name"]: e.get("value") for e in proxy.get("env") or []}
    assert json.loads(env["ISTIO_KUBE_APP_PROBERS"]) == want
