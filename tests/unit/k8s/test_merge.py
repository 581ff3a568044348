"""Strategic merge (pyinject.k8s.merge): the YAML case table plus schema and API checks."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyinject.errors import MergeError
from pyinject.k8s.schema import POD, definition, field_schema, schema
from pyinject.k8s.merge import merge_overlay

CASES_FILE = Path(__file__).resolve().parents[2] / "merge" / "cases.yaml"


def _load_cases() -> list[Any]:
    # Plain dicts and lists: what the pipeline hands to merge_overlay.
    cases = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases
    return list(cases)


CASES = _load_cases()


def _plain(value: Any) -> str:
    """Order-sensitive rendering of a result: key order and list order both count."""
    return json.dumps(value, indent=1)


@pytest.mark.parametrize("case", CASES, ids=[str(c["description"]) for c in CASES])
def test_merge_case(case: Any) -> None:
    kind = str(case.get("kind", POD))
    original = copy.deepcopy(case["original"])
    patch = case["patch"]
    patch_before = _plain(patch)

    if "error" in case:
        with pytest.raises(MergeError) as caught:
            merge_overlay(original, patch, kind)
        assert str(case["error"]) in str(caught.value)
        return

    result = merge_overlay(original, patch, kind)
    assert result is original, "merge_overlay must change the original in place"
    assert _plain(patch) == patch_before, "merge_overlay must not change the patch"
    assert _plain(result) == _plain(case["expected"])


def _collections(value: Any) -> list[Any]:
    found: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            found.append(node)
            stack.extend(node)
    return found


@pytest.mark.parametrize("case", [c for c in CASES if "error" not in c], ids=[str(c["description"]) for c in CASES
                                                                            if "error" not in c])
def test_the_result_keeps_no_part_of_the_patch(case: Any) -> None:
    """The injector merges one rendered patch into two pods: neither may share a mapping or list with it."""
    patch = case["patch"]
    for start in (copy.deepcopy(case["original"]), {}):
        result = merge_overlay(start, patch, str(case.get("kind", POD)))
        mine = {id(node) for node in _collections(patch)}
        assert not [node for node in _collections(result) if id(node) in mine]


def test_every_case_is_judged() -> None:
    for case in CASES:
        judged = [k for k in ("expected", "error") if k in case]
        assert len(judged) == 1, case["description"]


def test_merge_on_plain_containers() -> None:
    original: dict[str, Any] = {"spec": {"containers": [{"name": "app"}]}}
    containers = original["spec"]["containers"]
    merge_overlay(original, {"spec": {"containers": [{"name": "istio-proxy"}]}})
    assert original["spec"]["containers"] is containers
    assert [c["name"] for c in containers] == ["istio-proxy", "app"]


def test_merge_needs_mappings() -> None:
    with pytest.raises(MergeError, match="must be a mapping"):
        merge_overlay([], {})  # type: ignore[arg-type]
    with pytest.raises(MergeError, match="template must render a mapping"):
        merge_overlay({}, ["x"])  # type: ignore[arg-type]


def test_unknown_kind_suggests_a_name() -> None:
    with pytest.raises(ValueError, match="did you mean io.k8s.api.core.v1.PodSpec"):
        merge_overlay({}, {}, "io.k8s.api.core.v1.PodSpek")


def test_merge_errors_point_at_the_element() -> None:
    original = {"spec": {"containers": [{"name": "app", "env": [{"value": "x"}]}]}}
    patch = {"spec": {"containers": [{"name": "app", "env": [{"name": "A"}]}]}}
    with pytest.raises(MergeError, match=r"^spec\.containers\[name=app\]\.env: "):
        merge_overlay(original, patch)


# ---------------------------------------------------------------- the schema file

MERGE_KEYS = [
    ("io.k8s.api.core.v1.PodSpec", "containers", "merge", "name"),
    ("io.k8s.api.core.v1.PodSpec", "initContainers", "merge", "name"),
    ("io.k8s.api.core.v1.PodSpec", "volumes", "merge,retainKeys", "name"),
    ("io.k8s.api.core.v1.PodSpec", "imagePullSecrets", "merge", "name"),
    ("io.k8s.api.core.v1.Container", "env", "merge", "name"),
    ("io.k8s.api.core.v1.Container", "volumeMounts", "merge", "mountPath"),
    ("io.k8s.api.core.v1.Container", "ports", "merge", "containerPort"),
]


@pytest.mark.parametrize(("kind", "field", "strategy", "key"), MERGE_KEYS,
                         ids=[f"{k.rsplit('.', 1)[-1]}.{f}" for k, f, _, _ in MERGE_KEYS])
def test_schema_has_merge_keys(kind: str, field: str, strategy: str, key: str) -> None:
    shape = definition(kind)["fields"][field]
    assert shape["type"] == "array"
    assert shape["patchStrategy"] == strategy
    assert shape["patchMergeKey"] == key


ATOMIC = [("io.k8s.api.core.v1.PodSpec", "tolerations"), ("io.k8s.api.core.v1.Container", "args")]


@pytest.mark.parametrize(("kind", "field"), ATOMIC, ids=[f for _, f in ATOMIC])
def test_schema_lists_without_strategy(kind: str, field: str) -> None:
    assert "patchStrategy" not in definition(kind)["fields"][field]


def test_schema_header_says_where_it_came_from() -> None:
    source = schema()["source"]
    assert source["package"] == "kubernetes-validate"
    major, minor = (int(p) for p in source["kubernetesVersion"].split(".")[:2])
    assert (major, minor) >= (1, 33)
    assert schema()["root"] == POD


def test_schema_is_closed_under_references() -> None:
    definitions = schema()["definitions"]

    def refs(shape: Any) -> list[str]:
        found = [shape["ref"]] if "ref" in shape else []
        for inner in ("items", "values"):
            if inner in shape:
                found += refs(shape[inner])
        return found

    for name, body in definitions.items():
        for field, shape in body.get("fields", {}).items():
            for ref in refs(shape):
                assert ref in definitions, f"{name}.{field} -> {ref}"


FIELD_SCHEMA = [
    ("spec.containers", "array"),
    ("spec.containers.ports", "array"),
    ("spec.containers.ports.containerPort", "integer"),
    ("spec.containers.readinessProbe.httpGet.port", "int-or-string"),
    ("spec.containers.resources.limits", "map"),
    ("spec.containers.resources.limits.cpu", "quantity"),
    ("metadata.annotations.sidecar.istio.io/status", None),
    ("metadata.annotations", "map"),
    ("metadata.creationTimestamp", "string"),
    ("spec.securityContext", "object"),
    ("spec.notAField", None),
]


@pytest.mark.parametrize(("path", "kind"), FIELD_SCHEMA, ids=[p for p, _ in FIELD_SCHEMA])
def test_field_schema(path: str, kind: str | None) -> None:
    shape = field_schema(POD, path)
    assert (shape or {}).get("type") == kind


def test_field_schema_accepts_a_sequence_for_dotted_keys() -> None:
    shape = field_schema(POD, ["metadata", "annotations", "sidecar.istio.io/status"])
    assert shape == {"type": "string"}


def test_copied_parts_drop_directives_and_nulls_whatever_the_keys() -> None:
    """New parts come in without ``$`` keys and null map values, maps with number keys too."""
    patch = {"metadata": {"annotations": {"a": "1", "$x": "gone", "b": None}},
             "spec": {"nodeSelector": {1: {"$patch": "x", "k": None, 2: "two"}, "$y": 1, "": "empty"}}}
    result = merge_overlay({}, patch)
    assert result == {"metadata": {"annotations": {"a": "1"}}, "spec": {"nodeSelector": {1: {2: "two"}, "": "empty"}}}
    assert list(result["spec"]["nodeSelector"]) == [1, ""]


def _merged_into_empty(patch: Any, kind: str) -> Any:
    try:
        return merge_overlay({}, patch, kind)
    except MergeError:
        return None


@pytest.mark.parametrize("case", CASES, ids=[str(c["description"]) for c in CASES])
def test_copying_from_the_patch_merged_into_an_empty_map_changes_nothing(case: Any) -> None:
    """``fresh`` (the patch merged into ``{}``) only makes the copies cheaper: same result or error."""
    kind = str(case.get("kind", POD))
    fresh = _merged_into_empty(case["patch"], kind)
    if fresh is None:
        return
    fresh_before = _plain(fresh)
    if "error" in case:
        with pytest.raises(MergeError, match=re.escape(str(case["error"]))):
            merge_overlay(copy.deepcopy(case["original"]), case["patch"], kind, fresh)
        return
    result = merge_overlay(copy.deepcopy(case["original"]), case["patch"], kind, fresh)
    assert _plain(result) == _plain(merge_overlay(copy.deepcopy(case["original"]), case["patch"], kind))
    assert _plain(fresh) == fresh_before
    mine = {id(node) for node in _collections(fresh)}
    assert not [node for node in _collections(result) if id(node) in mine]


@pytest.mark.parametrize("case", CASES, ids=[str(c["description"]) for c in CASES])
def test_giving_up_the_patch_merged_into_an_empty_map_changes_no_result(case: Any) -> None:
    """With ``give`` the result takes ``fresh``'s parts, yet reads the same, and ``fresh`` is left as it was."""
    kind = str(case.get("kind", POD))
    fresh = _merged_into_empty(case["patch"], kind)
    if fresh is None or "error" in case:
        return
    fresh_before = _plain(fresh)
    result = merge_overlay(copy.deepcopy(case["original"]), case["patch"], kind, fresh, give=True)
    assert _plain(result) == _plain(merge_overlay(copy.deepcopy(case["original"]), case["patch"], kind))
    assert _plain(fresh) == fresh_before


def test_given_parts_are_placed_as_they_are() -> None:
    patch = {"spec": {"containers": [{"name": "proxy", "env": [{"name": "A", "value": "1"}]}],
                      "volumes": [{"name": "v", "emptyDir": {}}]}}
    fresh = merge_overlay({}, patch)
    result = merge_overlay({"spec": {"containers": [{"name": "app"}]}}, patch, POD, fresh, give=True)
    assert result["spec"]["volumes"] is fresh["spec"]["volumes"]
    assert result["spec"]["containers"][0] is fresh["spec"]["containers"][0]
    assert result["spec"]["containers"][1] == {"name": "app"}


def test_an_element_named_twice_is_copied_before_the_second_merges_into_it() -> None:
    """The first ``proxy`` is placed as given; merging the second into it must not change ``fresh``."""
    patch = {"spec": {"containers": [{"name": "proxy", "image": "one"},
                                     {"name": "proxy", "args": ["x"]}]}}
    fresh = merge_overlay({}, patch)
    before = copy.deepcopy(fresh)
    result = merge_overlay({"spec": {"containers": [{"name": "app"}]}}, patch, POD, fresh, give=True)
    assert fresh == before
    assert result == merge_overlay({"spec": {"containers": [{"name": "app"}]}}, patch, POD)
    assert {"name": "proxy", "image": "one", "args": ["x"]} in result["spec"]["containers"]


class _Count(int):
    """An int subclass, which marshal does not write."""


def test_copies_of_values_marshal_refuses_are_built_the_ordinary_way() -> None:
    patch = {"spec": {"containers": [{"name": "proxy", "ports": [{"containerPort": _Count(15090)}]}],
                      "nodeSelector": {"a": "b"}}}
    fresh = merge_overlay({}, patch)
    result = merge_overlay({"spec": {"containers": [{"name": "app"}]}}, patch, POD, fresh)
    port = result["spec"]["containers"][0]["ports"][0]["containerPort"]
    assert type(port) is _Count and result["spec"]["nodeSelector"] == {"a": "b"}
    assert result["spec"]["nodeSelector"] is not fresh["spec"]["nodeSelector"]


@pytest.mark.parametrize("case", CASES, ids=[str(c["description"]) for c in CASES])
def test_a_frozen_patch_merges_into_an_empty_map_as_any_patch_does(case: Any) -> None:
    """Thrice (first sight, second sight, then from the kept encoding): the same data each time."""
    kind = str(case.get("kind", POD))
    want = _merged_into_empty(case["patch"], kind)
    if want is None:
        return
    results = [merge_overlay({}, case["patch"], kind, frozen=True) for _ in range(3)]
    for result in results:
        assert _plain(result) == _plain(want)
        assert [type(node) for node in _collections(result)] == [type(node) for node in _collections(want)]
    mine = {id(node) for node in _collections(results[1])}
    assert not [node for node in _collections(results[2]) if id(node) in mine]


def test_copies_of_a_frozen_patch_share_nothing_with_it_or_each_other() -> None:
    from pyinject.golang.encoding_json import JSONStruct

    env = [JSONStruct(name="A", value="1"), JSONStruct(name="B", valueFrom={"fieldRef": {"fieldPath": "x"}})]
    patch = {"spec": {"containers": [{"name": "proxy", "env": env, "args": None, "$x": 1}]}}
    first, second, third = (merge_overlay({}, patch, frozen=True) for _ in range(3))
    third["spec"]["containers"][0]["env"][1]["valueFrom"]["fieldRef"]["fieldPath"] = "changed"
    assert second == first == {"spec": {"containers": [{"name": "proxy", "env": [
        {"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]}]}}
    assert env[1]["valueFrom"]["fieldRef"]["fieldPath"] == "x"
    assert type(third["spec"]["containers"][0]["env"][0]) is dict


def test_the_table_of_frozen_copies_stays_bounded() -> None:
    from pyinject.k8s import merge

    for i in range(merge._FROZEN_LIMIT + 10):
        merge_overlay({}, {"metadata": {"labels": {"n": str(i)}}}, frozen=True)
    assert len(merge._FROZEN) <= merge._FROZEN_LIMIT


def test_a_bad_patch_strategy_is_refused_each_time_with_its_place() -> None:
    from pyinject.k8s.merge import _strategy

    for where in ("spec.a", "spec.b"):
        with pytest.raises(MergeError, match=rf"^{where}: unexpected patch strategy"):
            _strategy({"patchStrategy": "merge,replace"}, where)
    assert _strategy({"patchStrategy": "merge,retainKeys", "patchMergeKey": "name"}, "x").merge_key == "name"
    assert _strategy({"patchStrategy": "merge,retainKeys", "patchMergeKey": "name"}, "y").strategy == "merge"
