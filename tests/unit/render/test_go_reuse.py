"""Reused renders of Go templates (cluster configs) never change an output.

As in ``test_reuse``: pods that differ in one detail must each come out as
when injected alone, and the whole run as with reuse off; where pods differ
only in names, the cache must be used.  The templates here read the names in
every way a Go template can: compared, measured, indexed, formatted, quoted,
truncated, joined, ranged over, handed to functions.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyinject.render import reuse as reuse_module
from tests.conftest import REPO
from tests.unit.render.test_reuse import (
    GO_CONFIG,
    KEYED_CHANGES,
    NAME_CHANGES,
    caches,  # noqa: F401 - a fixture
    check,
    deployment,
    hits,
    inject,
    manifest,
)

GOLDEN_CONFIG = REPO / "tests" / "golden" / "cases" / "go-template-config"
GOLDEN_ARGS = ("--injectConfigFile", str(GOLDEN_CONFIG / "inject-config.yaml"),
               "--meshConfigFile", str(GOLDEN_CONFIG / "mesh.yaml"))

#: test_reuse's Go config, the check in single quotes (some uses print double quotes), and two env values.
CONFIG = GO_CONFIG.replace('"CHECK"', "'CHECK'") + """\
        env:
        - name: OWNER
          value: "{{ .DeploymentMeta.Name }}"
        - name: APP
          value: "{{ index .ObjectMeta.Labels `app` }}"
"""

#: Uses of a name, label or container name that a cached render must not get wrong.
USES = {
    "eq": '{{ if eq .DeploymentMeta.Name "web" }}first{{ else }}other{{ end }}',
    "eq on a label": '{{ if eq (index .ObjectMeta.Labels "app") "web" }}first{{ end }}',
    "ne": '{{ if ne .DeploymentMeta.Namespace "shop" }}elsewhere{{ end }}',
    "lt": '{{ if lt .DeploymentMeta.Name "wob" }}before{{ end }}',
    "len": "{{ len .DeploymentMeta.Name }}",
    "len of labels": "{{ len .ObjectMeta.Labels }}",
    "index": '{{ index .ObjectMeta.Labels "app" }}',
    "index missing, default": '{{ index .ObjectMeta.Labels "nope" | default .Spec.ServiceAccountName }}',
    "default over a name": '{{ .DeploymentMeta.Name | default "x" }}',
    "toJson": "{{ toJson .DeploymentMeta.Name }}",
    "toJson of labels": "{{ toJson .ObjectMeta.Labels }}",
    "printf %q": '{{ printf "%q" .DeploymentMeta.Name }}',
    "printf %s and %d": '{{ printf "%s-%d" .DeploymentMeta.Name 3 }}',
    "printf %x": '{{ printf "%x" .DeploymentMeta.Name }}',
    "printf %%": '{{ printf "%s%%" .Spec.ServiceAccountName }}',
    "trunc short": "{{ trunc 2 .DeploymentMeta.Name }}",
    "trunc long": "{{ trunc 63 .DeploymentMeta.Name }}",
    "trimSuffix": '{{ trimSuffix "b" .DeploymentMeta.Name }}',
    "quote": "{{ quote .DeploymentMeta.Name .DeploymentMeta.Namespace }}",
    "upper": "{{ upper .DeploymentMeta.Name }}",
    "hasPrefix": '{{ hasPrefix "we" .DeploymentMeta.Name }}',
    "contains": '{{ contains "e" .DeploymentMeta.Name }}',
    "sha256sum": "{{ sha256sum .DeploymentMeta.Name }}",
    "not": "{{ not .DeploymentMeta.Name }}",
    "and / or": "{{ and .DeploymentMeta.Name .ObjectMeta.Namespace }}-{{ or .ObjectMeta.Namespace .DeploymentMeta.Name }}",
    "if and with": "{{ with .Spec.ServiceAccountName }}sa={{ . }}{{ end }}{{ if .DeploymentMeta.Name }}!{{ end }}",
    "joined containers": "{{ $c := list }}{{ range .Spec.Containers }}{{ $c = append $c .Name }}{{ end }}"
                         '{{ join "," $c }}/{{ len $c }}/{{ index $c 0 }}',
    "range over labels": "{{ range $k, $v := .ObjectMeta.Labels }}{{ $k }}={{ $v }};{{ end }}",
    "a variable": "{{ $n := .DeploymentMeta.Name }}{{ $n }}{{ $n = \"x\" }}{{ $n }}",
    "a template call": '{{ define "n" }}[{{ . }}]{{ end }}{{ template "n" .DeploymentMeta.Name }}',
    "annotation default": '{{ annotation .ObjectMeta "example.com/none" .DeploymentMeta.Name }}',
    "valueOrDefault": "{{ valueOrDefault .DeploymentMeta.Namespace `default` }}",
    "toJSON of labels": "{{ toJSON .ObjectMeta.Labels }}",
    "container struct": "{{ structToJSON (index .Spec.Containers 0) }}",
    "image": "{{ (index .Spec.Containers 0).Image }}",
    "image compared": '{{ if eq (index .Spec.Containers 0).Image "reg/web:1" }}first{{ end }}',
    "image printf": '{{ printf "%.6s" (index .Spec.Containers 0).Image }}',
    "substr": "{{ substr 1 3 .DeploymentMeta.Name }}",
    "split": '{{ (split "e" .DeploymentMeta.Name)._0 }}',
    "print": "{{ print .DeploymentMeta.Name 1 }}",
    "labels printed": "{{ .ObjectMeta.Labels }}",
    "struct printed": "{{ .DeploymentMeta }}",
    "list printed": "{{ $c := list }}{{ range .Spec.Containers }}{{ $c = append $c .Name }}{{ end }}{{ $c }}",
    "printf %v of a list": '{{ printf "%v" (list .DeploymentMeta.Name) }}',
    "printf %T": '{{ printf "%T" .DeploymentMeta.Name }}',
    "field of a name": "{{ with .DeploymentMeta }}{{ .Name }}{{ end }}",
    "set a name into a dict": '{{ $d := dict "n" "x" }}{{ $_ := set $d "m" .DeploymentMeta.Name }}{{ index $d "m" }}',
    "set on a dict": '{{ $d := dict "n" .DeploymentMeta.Name }}{{ $_ := set $d "m" "x" }}{{ index $d "n" }}{{ index $d "m" }}',
}


def write_config(tmp_path: Path, check_text: str) -> tuple[str, str]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.replace("CHECK", check_text.replace("'", "''")))
    return ("--injectConfigFile", str(config))


def pods(*names: str) -> list[dict[str, Any]]:
    return [deployment(n, image=f"reg/{n}:1") for n in names]


@pytest.mark.parametrize("use", sorted(USES))
def test_go_templates_that_read_a_name(use: str, run_cli, monkeypatch, tmp_path) -> None:
    docs = pods("web", "web", "wob", "web", "awe", "web")
    docs.append(deployment("web", namespace="other", container="main"))
    check(run_cli, monkeypatch, tmp_path, docs, *write_config(tmp_path, USES[use]))


def bare_pod(name: str) -> dict[str, Any]:
    pod = deployment(name)["spec"]["template"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {**pod["metadata"], "name": name, "namespace": "shop"},
            "spec": pod["spec"]}


@pytest.mark.parametrize("use", ['{{ if eq .ObjectMeta.Name "web" }}first{{ else }}other{{ end }}',
                                 "{{ len .ObjectMeta.Name }}", '{{ printf "%q" .ObjectMeta.Name }}'])
def test_bare_pods_whose_own_name_is_read(use: str, run_cli, monkeypatch, tmp_path) -> None:
    docs = [bare_pod(n) for n in ("web", "web", "wob", "web", "webs")]
    check(run_cli, monkeypatch, tmp_path, docs, *write_config(tmp_path, use))


#: Uses that are rules or guards whose result does not depend on the name: the cache serves them.
SERVED = ["index", "toJson", "printf %q", "trunc long", "quote", "joined containers", "range over labels",
          "len of labels", "and / or", "if and with", "valueOrDefault", "a template call"]


@pytest.mark.parametrize("use", SERVED)
def test_uses_that_keep_the_cache_serving(use: str, run_cli, monkeypatch, tmp_path, caches) -> None:
    docs = pods("web", "wob", "wib", "wub")
    check(run_cli, monkeypatch, tmp_path, docs, *write_config(tmp_path, USES[use]))
    assert hits(caches) > 0


def test_a_guard_decides_which_pods_are_served(run_cli, monkeypatch, tmp_path, caches) -> None:
    """A pod whose name compares otherwise is rendered, not served the cached branch."""
    args = write_config(tmp_path, USES["eq"])
    text = manifest(*pods("wob", "wib", "wub", "web", "wab"))
    together = inject(run_cli, monkeypatch, tmp_path, text, *args)
    assert together == inject(run_cli, monkeypatch, tmp_path, text, *args, reuse=False)
    assert together.count("first") == 1 and together.count("other") == 4
    assert [c.stats.hits for c in caches] == [1]  # wub served from wib's render; web's guard fails


def test_random_text_is_never_reused(run_cli, monkeypatch, tmp_path, caches) -> None:
    args = write_config(tmp_path, "{{ randAlphaNum 12 }}-{{ .DeploymentMeta.Name }}")
    out = inject(run_cli, monkeypatch, tmp_path, manifest(*pods("web", "wob", "wib", "wub", "wab")), *args)
    values = [d["spec"]["template"]["metadata"]["annotations"]["example.com/check"] for d in yaml.safe_load_all(out)]
    assert len(values) == 5 and len({v.split("-")[0] for v in values}) == 5
    assert hits(caches) == 0


def test_the_environment_is_never_reused(run_cli, monkeypatch, tmp_path, caches) -> None:
    args = write_config(tmp_path, '{{ env "PYINJECT_TEST_VALUE" "unset" }}-{{ .DeploymentMeta.Name }}')
    monkeypatch.setenv("PYINJECT_TEST_VALUE", "v1")
    check(run_cli, monkeypatch, tmp_path, pods("web", "wob", "wib"), *args)
    assert hits(caches) == 0


# The repository's Istio-like cluster config: pods differing in one keyed detail, or only in names.


@pytest.mark.parametrize("change", sorted(KEYED_CHANGES))
def test_cluster_config_pods_differing_in_a_keyed_detail(change: str, run_cli, monkeypatch, tmp_path) -> None:
    docs = [deployment("web-a"), deployment("web-b"), deployment("web-c", **KEYED_CHANGES[change]), deployment("web-d")]
    check(run_cli, monkeypatch, tmp_path, docs, *GOLDEN_ARGS)


@pytest.mark.parametrize("change", sorted(NAME_CHANGES))
def test_cluster_config_pods_differing_only_in_a_name(change: str, run_cli, monkeypatch, tmp_path) -> None:
    make = NAME_CHANGES[change]
    docs = [make(value) for value in ("alpha", "beta", "gamma", "w" * 62 + "1", "beta")]
    check(run_cli, monkeypatch, tmp_path, docs, *GOLDEN_ARGS)


def test_cluster_config_a_name_inside_other_values(run_cli, monkeypatch, tmp_path, caches) -> None:
    """The container name also sits in an env value and in the rewritten probes' JSON."""
    shared: dict[str, Any] = {
        "metadata__annotations__example.com/owner": "web",
        "spec__containers__0__env": [{"name": "UPSTREAM", "value": "http://web:8080/web"}],
        "spec__containers__0__livenessProbe": {"httpGet": {"path": "/web", "port": 8080}},
    }
    docs = [deployment("web", container="web", **shared), deployment("web", container="web", **shared),
            deployment("api", container="web", **shared), deployment("app", container="api", **shared),
            deployment("web", container="app", **shared)]
    check(run_cli, monkeypatch, tmp_path, docs, *GOLDEN_ARGS)
    check(run_cli, monkeypatch, tmp_path, docs, *write_config(tmp_path, USES["joined containers"]))
    assert hits(caches) > 0


def test_service_accounts(run_cli, monkeypatch, tmp_path, caches) -> None:
    docs = [deployment("web", spec__serviceAccountName=sa) for sa in ("a", "b", "default", "c")]
    check(run_cli, monkeypatch, tmp_path, docs, *write_config(tmp_path, USES["printf %%"]))
    assert hits(caches) > 0


def test_reuse_is_off_without_the_variable(run_cli, monkeypatch, tmp_path, caches) -> None:
    inject(run_cli, monkeypatch, tmp_path, manifest(*pods("web", "wob")), *GOLDEN_ARGS, reuse=False)
    assert caches == []


def test_keys_include_what_older_releases_hand_templates() -> None:
    """Fields of SidecarTemplateData outside the pod (the release's field list, its concurrency) are keyed."""
    from pyinject.model import TemplateContext

    base = TemplateContext(
        type_meta={"kind": "Deployment", "apiVersion": "apps/v1"}, deployment_meta={"name": "web", "namespace": "a"},
        object_meta={}, spec={}, proxy_config={}, mesh_config={}, values={}, revision="", native_sidecars=False,
        proxy_image="p", proxy_uid=1, proxy_gid=1, inbound_traffic_policy_mode="")
    keys = set()
    for concurrency in (0, 2):
        for fields in (None, ("ObjectMeta",)):
            abstraction = reuse_module.abstract(
                dataclasses.replace(base, estimated_concurrency=concurrency, data_fields=fields))
            assert abstraction is not None
            keys.add(abstraction.key)
    assert len(keys) == 4

