"""Reused renders (pyinject.render.reuse) never change an output.

Each manifest holds pods that differ in one detail; every pod's output must
equal injecting it alone, and the whole output must equal the run with reuse
off.  Where pods differ only in names the cache must actually be used, so the
checks are not vacuous.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from pyinject.manifests.read import read_text
from pyinject.render import reuse as reuse_module

IMAGE = "registry.example.com/shop/web:1.4.2"


def deployment(name: str = "web", namespace: str = "shop", container: str = "app", image: str = IMAGE,
               **change: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "metadata": {
            "labels": {"app": name, "version": "v1"},
            "annotations": {"prometheus.io/scrape": "true"},
        },
        "spec": {
            "serviceAccountName": name,
            "containers": [{
                "name": container,
                "image": image,
                "ports": [{"containerPort": 8080, "name": "http"}],
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                "env": [{"name": "LOG_LEVEL", "value": "info"}],
            }],
        },
    }
    for path, value in change.items():
        target = pod
        steps = path.split("__")
        for step in steps[:-1]:
            target = target[int(step)] if step.isdigit() else target[step]
        target[steps[-1]] = value
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": pod},
    }


def manifest(*docs: dict[str, Any]) -> str:
    return "---\n".join(json.dumps(d, indent=1) + "\n" for d in docs)


@pytest.fixture
def caches(monkeypatch: pytest.MonkeyPatch) -> list[reuse_module.RenderReuse]:
    """Every RenderReuse the runs create, to read their hit counts."""
    made: list[reuse_module.RenderReuse] = []
    original = reuse_module.RenderReuse.__init__

    def init(self: reuse_module.RenderReuse, renderer: Any, decode: Any) -> None:
        original(self, renderer, decode)
        made.append(self)

    monkeypatch.setattr(reuse_module.RenderReuse, "__init__", init)
    return made


def inject(run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str,
           *args: str, reuse: bool = True) -> str:
    monkeypatch.setenv("PYINJECT_RENDER_REUSE", "1" if reuse else "0")
    source = tmp_path / "in.yaml"
    source.write_text(text)
    result = run_cli("kube-inject", "-f", str(source), *args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def check(run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
          docs: list[dict[str, Any]], *args: str) -> None:
    """The manifest's output equals the run without reuse, and each pod's equals injecting it alone."""
    together = inject(run_cli, monkeypatch, tmp_path, manifest(*docs), *args)
    assert together == inject(run_cli, monkeypatch, tmp_path, manifest(*docs), *args, reuse=False)
    outputs = documents(together)
    assert len(outputs) == len(docs)
    for doc, output in zip(docs, outputs):
        assert documents(inject(run_cli, monkeypatch, tmp_path, manifest(doc), *args)) == [output]


def documents(text: str) -> list[str]:
    texts = [d.text.removeprefix("---\n") for d in read_text(text)]
    return [t for t in texts if t.strip()]


def hits(caches: list[reuse_module.RenderReuse]) -> int:
    return sum(c.stats.hits for c in caches)


# Pods that differ in a detail the cache keys on: never served from another's entry.
KEYED_CHANGES = {
    "annotation": {"metadata__annotations__sidecar.istio.io/proxyCPU": "300m"},
    "label": {"metadata__labels__tier": "backend"},
    "port": {"spec__containers__0__ports": [{"containerPort": 9090, "name": "http"}]},
    "probe": {"spec__containers__0__readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}},
    "resource": {"spec__containers__0__resources": {"limits": {"cpu": "1", "memory": "256Mi"}}},
}


@pytest.mark.parametrize("change", sorted(KEYED_CHANGES))
def test_a_pod_differing_in_a_keyed_detail(change: str, run_cli, monkeypatch, tmp_path, caches) -> None:
    docs = [deployment("web-a"), deployment("web-b"), deployment("web-c", **KEYED_CHANGES[change]), deployment("web-d")]
    check(run_cli, monkeypatch, tmp_path, docs)
    assert hits(caches) > 0  # web-d reuses web-b's render, with its own names


# Pods that differ only in names: served from the cache with their own values.
NAME_CHANGES: dict[str, Callable[[str], dict[str, Any]]] = {
    "owner name": lambda v: deployment(v),
    "namespace": lambda v: deployment("web", namespace=v),
    "service account": lambda v: deployment("web", spec__serviceAccountName=v),
    "container name": lambda v: deployment("web", container=v),
    "canonical-name label": lambda v: deployment("web", **{"metadata__labels__service.istio.io/canonical-name": v}),
    "tls mode label": lambda v: deployment("web", **{"metadata__labels__security.istio.io/tlsMode": v}),
}


@pytest.mark.parametrize("change", sorted(NAME_CHANGES))
def test_a_pod_differing_only_in_a_name(change: str, run_cli, monkeypatch, tmp_path, caches) -> None:
    make = NAME_CHANGES[change]
    docs = [make(value) for value in ("alpha", "beta", "gamma", "w" * 62 + "1", "beta")]
    check(run_cli, monkeypatch, tmp_path, docs)
    assert hits(caches) > 0


def test_a_name_that_also_appears_in_other_values(run_cli, monkeypatch, tmp_path, caches) -> None:
    """Only the places the template printed a name change: not the same text elsewhere."""
    shared = {
        "metadata__annotations__example.com/owner": "web",
        "spec__containers__0__env": [{"name": "UPSTREAM", "value": "http://web:8080/app"}],
    }
    docs = [deployment("web", **shared), deployment("web", **shared), deployment("api", **shared),
            deployment("app", container="web", **shared)]
    check(run_cli, monkeypatch, tmp_path, docs)
    assert hits(caches) > 0


def test_values_yaml_would_read_as_another_type(run_cli, monkeypatch, tmp_path, caches) -> None:
    """A label value like "true" or "123" is printed the ordinary way (it would not stay a string if written plain)."""
    docs = [deployment("web"), deployment("web2"),
            deployment("web", **{"metadata__labels__version": "true"}),
            deployment("web", **{"metadata__labels__version": "123"}),
            deployment("1e5"), deployment("web", namespace="0x1f")]
    check(run_cli, monkeypatch, tmp_path, docs)


def test_reinjection_with_names_inside_old_proxy_values(run_cli, monkeypatch, tmp_path, caches) -> None:
    """Re-injected pods whose old proxy's values (probers JSON, app containers) hold the container names."""
    first = inject(run_cli, monkeypatch, tmp_path, manifest(deployment("web", container="hello")), reuse=False)
    injected = json.loads(json.dumps(__import__("yaml").safe_load(first)))
    renamed = copy.deepcopy(injected)
    renamed["metadata"]["name"] = "hullo"
    for container in renamed["spec"]["template"]["spec"]["containers"]:
        if container["name"] == "hello":
            container["name"] = "hullo"
    check(run_cli, monkeypatch, tmp_path, [injected, injected, renamed, injected])
    check(run_cli, monkeypatch, tmp_path, [injected, injected, renamed], "--output-style", "istioctl")


JINJA_HEADER = """\
format: pyinject/jinja2
policy: enabled
defaultTemplates: [custom]
templates:
  custom: |
"""

JINJA_CONFIG = JINJA_HEADER + """\
    metadata:
      annotations:
        example.com/owner: "{{ owner_name }}"
        example.com/check: "{{ CHECK }}"
    spec:
      containers:
      - name: istio-proxy
        image: proxy:1
"""

#: Uses of a name a cached render must not get wrong: compared, transformed, sliced, concatenated.
JINJA_USES = {
    "compare": '{% if owner_name == "web" %}first{% else %}other{% endif %}',
    "upper": "{{ owner_name | upper }}",
    "format": '{{ "%s-x" | format(owner_name) }}',
    "slice": "{{ owner_name[:2] }}",
    "concatenate": '{{ owner_name ~ "-x" }}',
    "length": "{{ owner_name | length }}",
    "in": '{{ "e" in owner_name }}',
    "label lookup by name": "{{ labels[owner_name] }}",
    "replace": '{{ owner_name | replace("w", "v") }}',
    "appended to a list": '{% set xs = [] %}{{ xs.append(owner_name) }}{{ xs | join(",") }}',
    "a list method": '{% set xs = ["x", "web"] %}{{ xs.index(owner_name) if owner_name in xs else 9 }}',
    "image printed": "{{ containers[0].image }}",
    "image compared": '{% if containers[0].image == "reg/web:1" %}first{% endif %}',
    "image truncated": "{{ containers[0].image | trunc_bytes(8) }}",
    "image quoted": "{{ (containers[0].image | goquote)[1:6] }}",
    "image in a function": "{{ containers | map(attribute='image') | join(',') }}",
}


def check_config(run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    """Pods alike but for names and images, through the config ``text``."""
    config = tmp_path / "config.yaml"
    config.write_text(text)
    docs = [deployment(n, image=f"reg/{n}:1") for n in ("web", "web", "wob", "web", "awe", "web")]
    docs.append(deployment("web", image="registry.example.com/web@sha256:" + "0a" * 32))
    check(run_cli, monkeypatch, tmp_path, docs, "--injectConfigFile", str(config))


@pytest.mark.parametrize("use", sorted(JINJA_USES))
def test_custom_jinja_templates_that_read_a_name(use: str, run_cli, monkeypatch, tmp_path) -> None:
    check_config(run_cli, monkeypatch, tmp_path, JINJA_CONFIG.replace("{{ CHECK }}", JINJA_USES[use]))


GO_CONFIG = """\
policy: enabled
defaultTemplates: [custom]
templates:
  custom: |
    metadata:
      annotations:
        example.com/check: "CHECK"
    spec:
      containers:
      - name: istio-proxy
        image: proxy:1
"""

GO_USES = {
    "compare": '{{ if eq .DeploymentMeta.Name "web" }}first{{ else }}other{{ end }}',
    "upper": "{{ upper .DeploymentMeta.Name }}",
    "printf": '{{ printf "%s-%d" .DeploymentMeta.Name 3 }}',
    "trunc": "{{ trunc 2 .DeploymentMeta.Name }}",
}


@pytest.mark.parametrize("use", sorted(GO_USES))
def test_go_templates_that_read_a_name(use: str, run_cli, monkeypatch, tmp_path) -> None:
    check_config(run_cli, monkeypatch, tmp_path, GO_CONFIG.replace("CHECK", GO_USES[use]))


def test_reuse_serves_pods_differing_in_names(run_cli, monkeypatch, tmp_path, caches) -> None:
    docs = [deployment(f"web-{i}", namespace=f"ns-{i % 3}", container=f"c{i}", image=f"reg.example/web-{i}:1.{i}")
            for i in range(12)]
    check(run_cli, monkeypatch, tmp_path, docs)
    together = [c for c in caches if c.stats.hits]
    assert together and together[0].stats.hits >= 9


def test_reuse_off_renders_every_pod(run_cli, monkeypatch, tmp_path, caches) -> None:
    docs = [deployment(f"web-{i}") for i in range(4)]
    inject(run_cli, monkeypatch, tmp_path, manifest(*docs), reuse=False)
    assert caches == []


PLAIN_CONFIG = JINJA_HEADER + """\
    metadata:
      labels:
        example.com/owner: {{ owner_name }}
    spec:
      containers:
      - name: istio-proxy
        image: proxy:1
        args: [{{ owner_name }}, --namespace={{ owner_namespace }}]
        env:
        - name: OWNER
          value: {{ owner_name }}
"""


@pytest.mark.parametrize("names", [("web", "wob", "true"), ("web", "wob", "123"), ("web", "wob", "1e5"),
                                   ("web", "wob", "null"), ("web", "wob", "0x1f"), ("web", "wob", "2024-01-02")])
def test_names_printed_plain_that_yaml_reads_as_another_type(names: tuple[str, ...], run_cli, monkeypatch,
                                                            tmp_path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(PLAIN_CONFIG)
    monkeypatch.setenv("PYINJECT_RENDER_REUSE", "1")
    source = tmp_path / "in.yaml"
    source.write_text(manifest(*(deployment(n) for n in names)))
    together = run_cli("kube-inject", "-f", str(source), "--injectConfigFile", str(config))
    monkeypatch.setenv("PYINJECT_RENDER_REUSE", "0")
    apart = run_cli("kube-inject", "-f", str(source), "--injectConfigFile", str(config))
    assert (together.exit_code, together.stdout, together.stderr) == (apart.exit_code, apart.stdout, apart.stderr)


def test_the_output_limit_counts_the_pods_own_names(run_cli, monkeypatch, tmp_path) -> None:
    """A sentinel is shorter than a long name: the reused text must still respect --template-limits."""
    config = tmp_path / "config.yaml"
    config.write_text(JINJA_CONFIG.replace("{{ CHECK }}", "{{ owner_name }}" * 20))
    docs = [deployment("web"), deployment("wob"), deployment("w" * 60), deployment("wib")]
    source = tmp_path / "in.yaml"
    source.write_text(manifest(*docs))
    runs = []
    for reuse in ("1", "0"):
        monkeypatch.setenv("PYINJECT_RENDER_REUSE", reuse)
        result = run_cli("kube-inject", "-f", str(source), "--injectConfigFile", str(config),
                         "--template-limits", "output=600")
        runs.append((result.exit_code, result.stdout, result.stderr))
    assert runs[0] == runs[1]
    assert "output" in runs[0][2]


def test_a_run_that_starts_without_repeats_still_reuses_later(run_cli, monkeypatch, tmp_path, caches) -> None:
    """After many unique pods only some are keyed; once a key repeats, every pod is keyed again."""
    unique = [deployment(f"u{i}", spec__containers__0__ports=[{"containerPort": 1000 + i}])
              for i in range(reuse_module.UNIQUE_PODS + 6)]
    alike = [deployment(f"a{i}") for i in range(3 * reuse_module.SAMPLE)]
    text = manifest(*unique, *alike)
    assert inject(run_cli, monkeypatch, tmp_path, text) == inject(run_cli, monkeypatch, tmp_path, text, reuse=False)
    assert hits(caches) >= reuse_module.SAMPLE


def test_a_missing_value_is_reported_with_reuse_on(run_cli, monkeypatch, tmp_path) -> None:
    """The check of missing values reads the rendered text: pods it would fail are never served from the cache."""
    config = tmp_path / "config.yaml"
    config.write_text(JINJA_CONFIG.replace("{{ CHECK }}", "{{ values.nope }}")
                      + "        ports:\n        - containerPort: {{ values.nope if owner_name == 'wib' else 80 }}\n")
    source = tmp_path / "in.yaml"
    source.write_text(manifest(deployment("web"), deployment("wob"), deployment("wib")))
    runs = []
    for reuse in ("1", "0"):
        monkeypatch.setenv("PYINJECT_RENDER_REUSE", reuse)
        result = run_cli("kube-inject", "-f", str(source), "--injectConfigFile", str(config))
        runs.append((result.exit_code, result.stdout, result.stderr))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1


def test_reuse_starts_after_a_few_pods_unless_asked_from_the_first(run_cli, monkeypatch, tmp_path, caches) -> None:
    """A short manifest renders every pod on its own; a longer one reuses from its later pods on."""
    from pyinject.inject import REUSE_AFTER_PODS

    source = tmp_path / "in.yaml"
    short = manifest(*(deployment(f"web{i}") for i in range(REUSE_AFTER_PODS)))
    source.write_text(short)
    monkeypatch.delenv("PYINJECT_RENDER_REUSE", raising=False)
    assert run_cli("kube-inject", "-f", str(source)).exit_code == 0
    assert caches == []
    longer = manifest(*(deployment(f"web{i}") for i in range(REUSE_AFTER_PODS + 4)))
    source.write_text(longer)
    by_default = run_cli("kube-inject", "-f", str(source))
    assert [c.stats.hits for c in caches] == [2]  # pod 8 keys, pod 9 renders abstractly, pods 10 and 11 hit
    assert by_default.stdout == inject(run_cli, monkeypatch, tmp_path, longer, reuse=False)
    caches.clear()
    inject(run_cli, monkeypatch, tmp_path, short)
    assert hits(caches) == REUSE_AFTER_PODS - 2
