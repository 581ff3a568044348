"""The injection step: template selection, renderer dispatch, decoding rendered templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyinject.errors import TemplateError
from pyinject.inject import CombinedRenderer, as_decoded, parse_rendered, select_templates
from pyinject.model import InjectionConfig

CONFIG = InjectionConfig(
    templates={"sidecar": "", "grpc": "", "spire": ""},
    engine="go",
    default_templates=("sidecar",),
    aliases={"grpc-bundle": ("grpc", "spire")},
)

SELECTIONS = {
    "defaults": ({}, ["sidecar"]),
    "annotation": ({"inject.istio.io/templates": "grpc"}, ["grpc"]),
    "several in order": ({"inject.istio.io/templates": "sidecar,spire"}, ["sidecar", "spire"]),
    "alias expands": ({"inject.istio.io/templates": "grpc-bundle"}, ["grpc", "spire"]),
    "spaces and empties": ({"inject.istio.io/templates": " sidecar , ,spire"}, ["sidecar", "spire"]),
}


@pytest.mark.parametrize("annotations,expected", SELECTIONS.values(), ids=SELECTIONS.keys())
def test_select_templates(annotations: dict[str, str], expected: list[str]) -> None:
    assert select_templates(CONFIG, annotations) == expected


class _Fixed:
    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, name: str, ctx: object) -> str:
        return f"{self.text}:{name}"


def test_combined_renderer_looks_names_up_in_order() -> None:
    combined = CombinedRenderer(((_Fixed("extra"), ("spire",)), (_Fixed("own"), ("sidecar", "spire"))))
    assert combined.render("spire", None) == "extra:spire"  # type: ignore[arg-type]
    assert combined.render("sidecar", None) == "own:sidecar"  # type: ignore[arg-type]
    with pytest.raises(TemplateError, match='"nope" not found; have sidecar, spire'):
        combined.render("nope", None)  # type: ignore[arg-type]


def test_rendered_containers_are_decoded_like_go_structs() -> None:
    patch = parse_rendered("sidecar", """
spec:
  initContainers:
  - name: istio-init
    resources: {limits: {cpu: 2000m, memory: 1024Mi}}
    readinessProbe: {initialDelaySeconds: 0, periodSeconds: 2}
    unknownField: dropped
  containers:
  - name: app
    $patch: delete
""")
    assert patch is not None
    init = patch["spec"]["initContainers"][0]
    assert init["resources"] == {"limits": {"cpu": "2", "memory": "1Gi"}}
    # A zero written explicitly is a deletion: it replaces what the pod had (see typed_patch).
    assert init["readinessProbe"] == {"initialDelaySeconds": None, "periodSeconds": 2}
    assert "unknownField" not in init
    assert patch["spec"]["containers"][0]["$patch"] == "delete"


@pytest.mark.parametrize("text", ["", "  \n", "# only a comment\n"])
def test_empty_rendering_is_no_patch(text: str) -> None:
    assert parse_rendered("t", text) is None


@pytest.mark.parametrize("text,message", [
    ("- a\n- b\n", "must render a Pod fragment"),
    ("metadata: [\n", "rendered invalid YAML"),
])
def test_bad_rendering_is_a_template_error(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_rendered("t", text)


_PROXY = "spec:\n  containers:\n  - name: istio-proxy\n    image: proxy\n"


@pytest.mark.parametrize("text,where", [
    (_PROXY + "    ports: abc\n", 'spec.containers[0].ports must be a list, not a string ("abc")'),
    (_PROXY + "    env:\n    - name: A\n      value: 3\n", "spec.containers[0].env[0].value must be a string, not a number (3)"),
    (_PROXY + "    env:\n    - tty\n", 'spec.containers[0].env[0] must be a mapping, not a string ("tty")'),
    (_PROXY + "    args: [--a, 1]\n", "spec.containers[0].args[1] must be a string, not a number (1)"),
    (_PROXY + "  volumes: none\n", 'spec.volumes must be a list, not a string ("none")'),
    ("metadata:\n  annotations:\n    a: 1\n", 'metadata.annotations["a"] must be a string, not a number (1)'),
    ("spec:\n  containers:\n  - istio-proxy\n", 'spec.containers[0] must be a mapping, not a string ("istio-proxy")'),
])
def test_a_rendering_go_cannot_decode_into_a_pod_is_a_template_error(text: str, where: str) -> None:
    # Istio decodes each merged pod into Go structs: a value of the wrong type fails the injection.
    with pytest.raises(TemplateError) as err:
        parse_rendered("sidecar", text)
    assert str(err.value) == f"template sidecar renders a pod Kubernetes cannot decode: {where}"


@pytest.mark.parametrize("text", [
    _PROXY + "    env:\n    - name: A\n      value: \"3\"\n",
    _PROXY + "    ports:\n    - containerPort: 80\n      name: http\n",
    _PROXY + "    args:\n    - a\n    -\n",  # a null item: Go's zero value, ""
    _PROXY + "    unknownField: [1, 2]\n",  # dropped by Go
    "metadata:\n  annotations:\n    y: b\n",  # a key YAML 1.1 reads as true: Go writes it as a string
])
def test_what_go_decodes_is_not_refused(text: str) -> None:
    assert parse_rendered("sidecar", text) is not None


def test_a_rendered_value_of_the_wrong_type_is_one_line_naming_the_template(run_cli, tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("format: pyinject/jinja2\ntemplates:\n  sidecar: mine.yaml.j2\n")
    (tmp_path / "mine.yaml.j2").write_text(
        "spec:\n  containers:\n  - name: istio-proxy\n    image: proxy\n    ports: {{ owner_name }}\n")
    app = tmp_path / "app.yaml"
    app.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n")
    result = run_cli("kube-inject", "-f", str(app), "--injectConfigFile", str(tmp_path / "config.yaml"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "document 1" in result.stderr
    assert 'template sidecar renders a pod Kubernetes cannot decode: spec.containers[0].ports must be a list, ' \
        'not a string ("web")' in result.stderr


def test_decoding_leaves_other_fields_alone() -> None:
    patch = {"metadata": {"annotations": {"a": "b"}}, "spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}
    assert as_decoded(patch) == {"metadata": {"annotations": {"a": "b"}}, "spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}


def test_user_jinja_config_imports_from_its_own_folder(run_cli, tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "format: pyinject/jinja2\ntemplates:\n  sidecar: mine.yaml.j2\nimports: [_extra.j2]\n")
    (tmp_path / "mine.yaml.j2").write_text(
        '{% import "_extra.j2" as extra %}\nmetadata:\n  annotations:\n    mine: "{{ extra.hello(owner_name) }}"\n'
    )
    (tmp_path / "_extra.j2").write_text("{% macro hello(name) %}hi-{{ name }}{% endmacro %}")
    (tmp_path / "app.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n"
    )
    result = run_cli("kube-inject", "-f", str(tmp_path / "app.yaml"), "--injectConfigFile", str(tmp_path / "config.yaml"))
    assert result.exit_code == 0, result.stderr
    assert "mine: hi-web" in result.stdout


def _hello(tmp_path: Path) -> Path:
    app = tmp_path / "app.yaml"
    app.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n")
    return app


def test_typo_in_a_values_file_is_a_warning_naming_key_and_file(run_cli, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("global:\n  hub: docker.io/istio\n  tag: 1.30.3\n  proxy:\n    imagee: proxyv2\n")
    result = run_cli("kube-inject", "-f", str(_hello(tmp_path)), "--valuesFile", str(values))
    assert f'{values}: values.global.proxy.imagee: unknown key "imagee" (did you mean "image"?); ignored' in result.stderr


def test_a_partial_values_file_leaves_a_strict_field_unset_and_that_is_an_error(run_cli, tmp_path: Path) -> None:
    # A values file is read whole, as istioctl reads it: what it leaves out, the
    # templates read as unset, and a boolean printed as <no value> is refused.
    values = tmp_path / "values.yaml"
    values.write_text("global:\n  hub: docker.io/istio\n  tag: 1.30.3\n")
    result = run_cli("kube-inject", "-f", str(_hello(tmp_path)), "--valuesFile", str(values))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert ("embedded injection config: template sidecar line " in result.stderr
            and "renders initContainers[istio-init].securityContext.privileged: '<no value>': the template printed "
                "<no value> for a value it reads, which is not set" in result.stderr)


def test_wrong_type_in_a_values_file_is_an_error(run_cli, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("global:\n  proxy:\n    statusPort: abc\n")
    result = run_cli("kube-inject", "-f", str(_hello(tmp_path)), "--valuesFile", str(values))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.strip() == f"pyinject: error: {values}: values.global.proxy.statusPort: expected an integer, got a string (\"abc\")"


def test_typo_in_set_is_an_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("kube-inject", "-f", str(_hello(tmp_path)), "--set", "values.global.proxy.imagee=x")
    assert (result.exit_code, result.stdout) == (1, "")
    assert 'values.global.proxy.imagee: unknown key "imagee" (did you mean "image"?)' in result.stderr
