"""Run-constant folding in Istio's Go renderer (pyinject/render/go.py, go_data.py).

One parsed template set renders many pods in a process: what it folds must
follow the values and mesh config objects it is handed, and never a pod's own
fields.
"""

from __future__ import annotations

from typing import Any

from pyinject.render.go import load_go_templates
from pyinject.render.go_data import TemplateData
from tests.unit.render.test_go_data import ctx

TEXT = """\
{{ .Values.global.hub | default "none" | quote }}
{{ if eq .MeshConfig.TrustDomain "cluster.local" }}local{{ else }}{{ .MeshConfig.TrustDomain }}{{ end }}
{{ .ProxyConfig.InterceptionMode }} {{ .ProxyImage }} {{ index .ObjectMeta.Annotations "a" }}
{{ .ProxyUID | default "1337" | quote }} {{ .Revision | default "default" }} {{ .InboundTrafficPolicyMode }}
{{ with .Values.global.tag }}tag={{ . }}{{ end }}
{{- range $k, $v := .ProxyConfig.ProxyMetadata }} {{ $k }}={{ $v }}{{ end }}
"""


def test_two_values_objects_in_one_process_render_their_own_values() -> None:
    templates = load_go_templates({"t": TEXT})
    first = templates.render("t", ctx(values={"global": {"hub": "one", "tag": "1"}}))
    second = templates.render("t", ctx(values={"global": {"hub": "two"}},
                                       mesh_config={"trustDomain": "example.org"}))
    assert first.splitlines()[0:2] == ['"one"', "local"]
    assert second.splitlines()[0:2] == ['"two"', "example.org"]
    assert "tag=1" in first and "tag=" not in second


def test_per_pod_fields_are_never_folded() -> None:
    templates = load_go_templates({"t": TEXT})
    values: dict[str, Any] = {"global": {"hub": "one"}}
    mesh: dict[str, Any] = {"trustDomain": "cluster.local"}
    texts = [
        templates.render("t", ctx(values=values, mesh_config=mesh, proxy_config=proxy, proxy_image=image,
                                  object_meta={"annotations": {"a": note}}))
        for proxy, image, note in (({"interceptionMode": "TPROXY", "proxyMetadata": {"K": "V"}}, "img:1", "x"),
                                   ({"proxyMetadata": {"K2": "V2"}}, "img:2", "y"))
    ]
    assert texts[0].splitlines()[2] == "TPROXY img:1 x"
    assert texts[1].splitlines()[2] == "REDIRECT img:2 y"
    assert texts[0].rstrip().endswith("K=V") and texts[1].rstrip().endswith("K2=V2")


def test_a_run_constant_field_that_changes_refolds() -> None:
    templates = load_go_templates({"t": TEXT})
    values: dict[str, Any] = {"global": {}}
    lines = [templates.render("t", ctx(values=values, proxy_uid=uid, revision=rev)).splitlines()[3]
             for uid, rev in ((1337, "canary"), (1400, "canary"), (1400, ""))]
    assert lines == ['"1337" canary localhost', '"1400" canary localhost', '"1400" default localhost']


def test_a_set_in_another_template_is_seen_by_the_next_render() -> None:
    templates = load_go_templates({
        "read": "{{ .Values.global.hub | quote }}",
        "write": "{{ $_ := set .Values.global `hub` `changed` }}",
    })
    c = ctx(values={"global": {"hub": "one"}})
    assert templates.render("read", c) == '"one"'
    templates.render("write", c)
    assert templates.render("read", c) == '"changed"'


def test_only_what_a_run_shares_is_declared_constant() -> None:
    fields, _ = TemplateData(ctx()).go_run_constants()
    assert "Values" in fields and "MeshConfig" in fields
    assert not fields & {"ProxyConfig", "ObjectMeta", "Spec", "DeploymentMeta", "TypeMeta", "ProxyImage",
                         "NativeSidecars"}
    c = ctx()
    assert all(a is b for a, b in zip(TemplateData(c).go_run_constants()[1], TemplateData(c).go_run_constants()[1]))


def test_declared_pure_functions_are_in_the_table_and_neither_impure_nor_changing() -> None:
    from pyinject.render.go import injection_funcs
    from pyinject.render.go_effects import MUTATING_NAMES, PURE_NAMES
    from pyinject.render.go_holes import IMPURE_NAMES

    table = injection_funcs({})
    assert PURE_NAMES <= set(table) and MUTATING_NAMES <= set(table)
    assert not PURE_NAMES & (MUTATING_NAMES | IMPURE_NAMES)
