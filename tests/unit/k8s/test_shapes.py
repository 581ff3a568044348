"""Shape checks of pod templates: the first misfit, named by where it sits."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.k8s import shapes
from pyinject.k8s.shapes import OBJECT_META, POD_SPEC, first_problem

SPEC_CASES = {
    "a field": ({"containers": 5}, "spec.containers must be a list, not a number (5)"),
    "a list item": ({"containers": [{"name": "a"}, "b"]}, 'spec.containers[1] must be a mapping, not a string ("b")'),
    "deep in an item": ({"containers": [{"name": "a", "ports": [{"containerPort": "x"}]}]},
                        'spec.containers[0].ports[0].containerPort must be an integer, not a string ("x")'),
    "a null item": ({"volumes": [None]}, "spec.volumes[0] must be a mapping, not null"),
    "a map value": ({"nodeSelector": {'a"b': 1}}, 'spec.nodeSelector["a\\"b"] must be a string, not a number (1)'),
    "a key": ({"nodeSelector": {1: "x"}}, "spec.nodeSelector: key 1 must be a string"),
    "the first of two": ({"containers": [{"name": 1}, {"name": 2}]}, "spec.containers[0].name must be a string, not a number (1)"),
}


@pytest.mark.parametrize("spec,message", SPEC_CASES.values(), ids=SPEC_CASES.keys())
def test_the_first_problem_is_named_by_its_place(spec: Any, message: str) -> None:
    assert first_problem(spec, POD_SPEC, "spec") == message


def test_a_place_at_the_top_without_a_path() -> None:
    assert first_problem({"labels": {"app": ["x"]}}, OBJECT_META, "") == 'labels["app"] must be a string, not a list'
    assert first_problem({"labels": {"app": "web"}, "unknown": [1]}, OBJECT_META, "metadata") is None


def test_an_integer_quantity_of_any_length_fits() -> None:
    """An integer is a finite number however long (no float conversion to overflow)."""
    spec = {"containers": [{"name": "a", "resources": {"limits": {"cpu": 10 ** 400}}}]}
    assert first_problem(spec, POD_SPEC, "spec") is None
    spec["containers"][0]["resources"]["limits"]["cpu"] = float("inf")
    assert first_problem(spec, POD_SPEC, "spec") == (
        'spec.containers[0].resources.limits["cpu"] must be a quantity (a number or a string such as 100m), not a number (inf)')


class _Word(str):
    pass


class _Count(int):
    pass


class _Map(dict[str, Any]):
    pass


#: A pod spec that fits, with a value of most kinds the schema has.
VALID_SPEC: dict[str, Any] = {
    "serviceAccountName": "sa",
    "nodeSelector": {"disk": "ssd"},
    "hostNetwork": False,
    "terminationGracePeriodSeconds": 30,
    "containers": [{
        "name": "app",
        "image": "web:1",
        "args": ["--port", "8080"],
        "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "ports": [{"containerPort": 8080, "name": "http"}],
        "resources": {"requests": {"cpu": "100m", "memory": 1024}, "limits": {"cpu": 2.5}},
        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
        "x-unknown": [{"anything": None}],
    }],
    "volumes": [{"name": "v", "emptyDir": {}}],
}

#: Replacements tried at every place of VALID_SPEC: each kind of misfit, and values that fit only some places.
REPLACEMENTS: list[Any] = [
    None, "x", _Word("x"), 1, _Count(1), True, 1.5, float("nan"), 10 ** 30, [], [None], ["x"], [{"name": "n"}],
    {}, {"a": "b"}, {1: "b"}, {"a": None}, _Map(name="n"), {"name": {"nested": 1}},
]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found.extend(_places(child, (*path, key)))
    return found


def _with(value: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    if not path:
        return replacement
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _with(value[path[0]], path[1:], replacement)
    return copy


@pytest.mark.parametrize("quick_depth", [64, 1])
def test_the_quick_walk_finds_what_the_full_walk_finds(quick_depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every place of a valid spec, replaced by values of every kind: the same answer with or without the quick walk."""
    monkeypatch.setattr(shapes, "_QUICK_DEPTH", quick_depth)
    assert first_problem(VALID_SPEC, POD_SPEC, "spec") is None
    checked = problems = 0
    for path in _places(VALID_SPEC):
        for replacement in REPLACEMENTS:
            spec = _with(VALID_SPEC, path, replacement)
            found = first_problem(spec, POD_SPEC, "spec")
            assert found == shapes._find_problem(spec, POD_SPEC, "spec"), (path, replacement)
            checked += 1
            problems += found is not None
    assert 0 < problems < checked  # both answers were seen
