"""Shape checks of pod templates: the first misfit, named by where it sits."""

from __future__ import annotations

from typing import Any

import pytest

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
