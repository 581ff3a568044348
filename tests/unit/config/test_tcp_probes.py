"""TCP probe rewriting follows the release: never before 1.12, switchable in 1.12-1.18, always from 1.19."""

from __future__ import annotations

import pytest

from pyinject.config.tcp_probes import choose_tcp_probes
from pyinject.istio.releases import RELEASES

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  containers:
  - name: db
    image: postgres
    ports:
    - containerPort: 5432
      name: pg
    livenessProbe:
      tcpSocket:
        port: pg
"""


@pytest.mark.parametrize(("minor", "rule"), [(9, "never"), (11, "never"), (12, "switch"), (18, "switch"),
                                             (19, "always"), (30, "always"), (8, "never"), (5, "never")])
def test_release_rule(minor: int, rule: str) -> None:
    assert RELEASES[(1, minor)].tcp_probes == rule


@pytest.mark.parametrize(("rule", "flag", "env", "expected"), [
    ("switch", None, {}, True),
    ("switch", None, {"REWRITE_TCP_PROBES": "false"}, False),
    ("switch", None, {"REWRITE_TCP_PROBES": "0"}, False),
    ("switch", None, {"REWRITE_TCP_PROBES": "T"}, True),
    ("switch", False, {"REWRITE_TCP_PROBES": "true"}, False),
    ("switch", True, {"REWRITE_TCP_PROBES": "false"}, True),
    ("never", None, {"REWRITE_TCP_PROBES": "true"}, False),
    ("always", None, {"REWRITE_TCP_PROBES": "false"}, True),
])
def test_choice(rule: str, flag: bool | None, env: dict[str, str], expected: bool) -> None:
    warnings: list[str] = []
    assert choose_tcp_probes(rule, flag, env, "1.15", warnings.append) is expected
    assert warnings == []


def test_unparsable_variable_keeps_the_default_with_a_warning() -> None:
    warnings: list[str] = []
    assert choose_tcp_probes("switch", None, {"REWRITE_TCP_PROBES": "no"}, "1.15", warnings.append) is True
    assert warnings == ["REWRITE_TCP_PROBES='no' is not a boolean; Istio reads it as its default, true"]


def test_flag_for_a_release_without_the_switch_warns() -> None:
    warnings: list[str] = []
    assert choose_tcp_probes("always", False, {}, "1.30", warnings.append) is True
    assert warnings == ["--no-rewrite-tcp-probes has no effect: Istio 1.30 always rewrites TCP probes "
                        "(the switch exists in 1.12-1.18)"]


def _rewritten(run_cli, tmp_path, *args: str) -> bool:
    source = tmp_path / "pod.yaml"
    source.write_text(POD)
    result = run_cli("kube-inject", "-q", "-f", str(source), *args)
    assert result.exit_code == 0, result.stderr
    rewritten = "/app-health/db/livez" in result.stdout
    # The probe is recorded for the agent exactly when it is taken over.
    assert ('\\"tcpSocket\\":{\\"port\\":5432}' in result.stdout or '"tcpSocket":{"port":5432}' in result.stdout) \
        is rewritten
    return rewritten


@pytest.mark.parametrize(("args", "env", "expected"), [
    (("--istio-version", "1.11"), {}, False),
    (("--istio-version", "1.15"), {}, True),
    (("--istio-version", "1.15"), {"REWRITE_TCP_PROBES": "false"}, False),
    (("--istio-version", "1.15", "--no-rewrite-tcp-probes"), {}, False),
    (("--istio-version", "1.15", "--rewrite-tcp-probes"), {"REWRITE_TCP_PROBES": "false"}, True),
    (("--istio-version", "1.19"), {"REWRITE_TCP_PROBES": "false"}, True),
    ((), {"REWRITE_TCP_PROBES": "false"}, True),
])
def test_kube_inject(run_cli, tmp_path, monkeypatch, args: tuple[str, ...], env: dict[str, str],
                     expected: bool) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _rewritten(run_cli, tmp_path, *args) is expected


@pytest.mark.parametrize("config", [
    {"apiVersion": "v1", "kind": "ConfigMap", "data": {"rewrite-tcp-probes": "false"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "data": {"rewriteTcpProbes": "false"}},
])
def test_krm_function_config_sets_the_switch(config: dict[str, object]) -> None:
    from pyinject.krm.function_config import apply_settings, settings_of
    from pyinject.model import Options

    with apply_settings(Options(filenames=()), settings_of(config)) as options:
        assert options.rewrite_tcp_probes is False
