"""Template work is bounded: every bound trips through the CLI with exit 1 and one line naming template and bound."""

from __future__ import annotations

from pathlib import Path

import pytest

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n"

GO = {
    "nested until/range": ('{{ range $i := until 100000 }}{{ range $j := until 100000 }}{{ end }}{{ end }}', "steps"),
    "5M set calls": ('{{ $d := dict }}{{ range $i := until 5000000 }}{{ $_ := set $d "a" $i }}{{ end }}', "steps"),
    "repeat 1e9": ('{{ repeat 1000000000 "x" }}', "output"),
    "100 MB base64": ('{{ b64enc (repeat 100000000 "x") }}', "output"),
    "output grows in a loop": ('{{ range $i := until 100000 }}{{ repeat 1000 "x" }}{{ end }}', "output"),
    "join of a long list": ('{{ $s := repeat 1000000 "x" }}{{ join "" (list $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s) }}',
                            "output"),
    "nindent": ('{{ nindent 100000000 "x" }}', "output"),
}
JINJA = {
    "9**(9**9)": ("{{ 9**(9**9) }}", "output"),
    "lipsum(n=10**7)": ("{{ lipsum(n=10**7) }}", "output"),
    "string times 1e9": ('{{ "x" * 10**9 }}', "output"),
    "nested range": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "steps"),
    "percent width": ('{{ "%*d" % (1000000000, 1) }}', "output"),
    "center": ('{{ "a"|center(1000000000) }}', "output"),
    "output grows in a loop": ('{% for i in range(100000) %}{{ "x" * 1000 }}{% endfor %}', "output"),
}


def _config(tmp_path: Path, body: str, jinja: bool) -> Path:
    head = "format: pyinject/jinja2\n" if jinja else ""
    config = tmp_path / "config.yaml"
    config.write_text(f"{head}templates:\n  sidecar: |\n    {body}\n")
    (tmp_path / "pod.yaml").write_text(POD)
    return config


def _assert_bound(result, config: Path, bound: str) -> None:
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("pyinject: error: ") and "template sidecar" in line and str(config) in line, line
    assert f"--template-limits {bound}=" in line, line


@pytest.mark.parametrize("body,bound", GO.values(), ids=GO.keys())
def test_go_bounds(run_cli, tmp_path: Path, body: str, bound: str) -> None:
    config = _config(tmp_path, body, jinja=False)
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--injectConfigFile", str(config))
    _assert_bound(result, config, bound)


@pytest.mark.parametrize("body,bound", JINJA.values(), ids=JINJA.keys())
def test_jinja_bounds(run_cli, tmp_path: Path, body: str, bound: str) -> None:
    config = _config(tmp_path, body, jinja=True)
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--injectConfigFile", str(config))
    _assert_bound(result, config, bound)


@pytest.mark.parametrize("jinja,body", [
    (False, "{{ range $i := until 1000000 }}{{ range $j := until 1000000 }}{{ end }}{{ end }}"),
    (True, '{% set s = "x" * 1000000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}'),
], ids=["go", "jinja"])
def test_time_bound(run_cli, tmp_path: Path, jinja: bool, body: str) -> None:
    config = _config(tmp_path, body, jinja=jinja)
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--injectConfigFile", str(config),
                     "--template-limits", "time=0.3,steps=0")
    _assert_bound(result, config, "time")
    assert "ran for more than 0.3 s" in result.stderr


def test_limits_can_be_raised(run_cli, tmp_path: Path) -> None:
    config = _config(tmp_path, '{{ $x := until 2000000 }}metadata: {annotations: {count: "{{ len $x }}"}}', jinja=False)
    args = ("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--injectConfigFile", str(config))
    _assert_bound(run_cli(*args), config, "steps")
    raised = run_cli(*args, "--template-limits", "steps=3000000")
    assert raised.exit_code == 0, raised.stderr
    assert 'count: "2000000"' in raised.stdout


@pytest.mark.parametrize("spec", ["time=-1", "steps=x", "output=3 parsecs", "speed=1", "time"])
def test_bad_limits_are_usage_errors(run_cli, spec: str) -> None:
    result = run_cli("kube-inject", "-f", "-", "--template-limits", spec, input="")
    assert result.exit_code == 2
    assert "--template-limits" in result.stderr


def test_stock_templates_fit_the_defaults_with_room(run_cli, tmp_path: Path) -> None:
    # The embedded templates render a pod in far fewer steps than the default bound.
    (tmp_path / "pod.yaml").write_text(POD)
    result = run_cli("kube-inject", "-f", str(tmp_path / "pod.yaml"), "--template-limits", "steps=20000,output=256KiB")
    assert result.exit_code == 0, result.stderr
