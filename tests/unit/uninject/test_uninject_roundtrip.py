"""uninject(inject(x)) == x over every input of the Istio conformance corpus.

Equality is Kubernetes' own: a resource quantity compares by value (``3000m``
is ``3``) and a probe port by the port it names, because Istio records both
resolved (its overrides annotation holds canonical quantities and
``ISTIO_KUBE_APP_PROBERS`` the port number), so they come back that way.
For an input that is already injected the target is ``uninject(x)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pyinject.errors import Location
from pyinject.k8s.gojson import canonical_quantity
from pyinject.manifests.read import read_text
from pyinject.manifests.load import load_plain
from tests.conftest import REPO
from tests.unit.test_idempotency import CORPUS

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def corpus_cases() -> list[Any]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"conformance corpus not found at {CORPUS}"))]
    cases = []
    for folder in sorted(CORPUS.iterdir()):
        spec = YAML(typ="safe", pure=True).load((folder / "case.yaml").read_text())
        if spec.get("native") is None or spec.get("error"):
            continue
        marks = []
        limit = unattributable(folder, spec)
        if limit:
            marks.append(pytest.mark.xfail(strict=True, reason=limit))
        cases.append(pytest.param((folder, spec), id=folder.name, marks=marks))
    return cases


def unattributable(folder: Path, spec: dict[str, Any]) -> str:
    """Settings under which injection adds metadata that no annotation records.

    The status annotation lists containers and volumes, not labels or
    annotations; uninject removes the stock template's metadata by what it
    derives, but cannot tell a custom template's, or the network label, from
    the user's own (README: Uninject, known limits).
    """
    args = [str(a) for a in spec["native"]]
    if any(a.startswith("values.global.network=") for a in args):
        return "topology.istio.io/network cannot be told apart from a label the user set"
    for path in (folder / a for a in args if a.endswith((".yaml", ".yml"))):
        if not path.is_file():
            continue
        operator = YAML(typ="safe", pure=True).load(path.read_text()) or {}
        webhook = ((operator.get("spec") or {}).get("values") or {}).get("sidecarInjectorWebhook") or {}
        for template in (webhook.get("templates") or {}).values():
            if re.search(r"^metadata:\s*\n(\s+#.*\n)*\s+(annotations|labels):", str(template), re.M):
                return "labels and annotations a custom template adds are not recorded anywhere"
    return ""


def kube_view(value: Any, key: str = "") -> Any:
    """Plain data with quantities canonical and named probe ports resolved."""
    if isinstance(value, dict):
        if "containers" in value or "initContainers" in value:
            value = _resolve_probe_ports(value)
        return {k: (_quantities(v) if k in ("limits", "requests") else kube_view(v, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [kube_view(v, key) for v in value]
    return value


def _quantities(value: Any) -> Any:
    return {k: canonical_quantity(v) for k, v in value.items()} if isinstance(value, dict) else value


def _resolve_probe_ports(spec: dict[str, Any]) -> dict[str, Any]:
    spec = dict(spec)
    for field in ("containers", "initContainers"):
        items = []
        for container in spec.get(field) or []:
            if not isinstance(container, dict):
                items.append(container)
                continue
            ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or [] if isinstance(p, dict)}
            container = dict(container)
            for probe in PROBES:
                handler = container.get(probe)
                if not isinstance(handler, dict):
                    continue
                handler = dict(handler)
                for kind in ("httpGet", "tcpSocket"):
                    action = handler.get(kind)
                    if isinstance(action, dict) and isinstance(action.get("port"), str) and action["port"] in ports:
                        handler[kind] = dict(action, port=ports[action["port"]])
                container[probe] = handler
            items.append(container)
        if field in spec:
            spec[field] = items
    return spec


def documents(text: str) -> list[Any]:
    return [kube_view(load_plain(d.text, Location())) for d in read_text(text)]


@pytest.mark.parametrize("case", corpus_cases())
def test_uninject_undoes_inject(case: tuple[Path, dict[str, Any]], run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, spec = case
    monkeypatch.chdir(folder)
    for key, value in (spec.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))
    args = [str(a) for a in spec["native"]]
    source = (folder / "input.yaml").read_text()
    injected = run_cli("kube-inject", "-f", "input.yaml", "-q", *args)
    assert injected.exit_code == 0, injected.stderr
    back = run_cli("kube-uninject", "-f", "-", "-q", input=injected.stdout)
    assert back.exit_code == 0, back.stderr
    target = source
    if "sidecar.istio.io/status" in source:
        target = run_cli("kube-uninject", "-f", "input.yaml", "-q").stdout
    assert documents(back.stdout) == documents(target)


def test_bookinfo_round_trip_is_byte_identical(run_cli) -> None:
    bookinfo = REPO / "examples" / "bookinfo"
    back = run_cli("kube-uninject", "-f", str(bookinfo / "bookinfo.injected.yaml"), "-q")
    assert back.exit_code == 0, back.stderr
    assert back.stdout == (bookinfo / "bookinfo.yaml").read_text()
