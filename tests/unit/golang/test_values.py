"""The Go value model (pyinject/golang/values.py): truth, %T names, kinds, DeepEqual, JSON decoding."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.golang.values import (
    MISSING,
    GoObject,
    Int32,
    Int64,
    TypedList,
    TypedMap,
    deep_equal,
    is_true,
    kind_of,
    to_go,
    type_name,
)


class _Ptr(GoObject):
    def __init__(self, nil: bool) -> None:
        self.nil = nil

    def go_type(self) -> str:
        return "*v1.Thing"

    def go_is_nil(self) -> bool:
        return self.nil


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(None, False, id="nil"),
        pytest.param(MISSING, False, id="missing"),
        pytest.param(False, False, id="false"),
        pytest.param(0, False, id="int-zero"),
        pytest.param(-1, True, id="int-negative"),
        pytest.param(0.0, False, id="float-zero"),
        pytest.param(-0.0, False, id="float-negative-zero"),
        pytest.param(1e-300, True, id="float-tiny"),
        pytest.param("", False, id="empty-string"),
        pytest.param("false", True, id="string-false-is-true"),
        pytest.param([], False, id="empty-slice"),
        pytest.param([None], True, id="slice-of-nil"),
        pytest.param({}, False, id="empty-map"),
        pytest.param(TypedMap({}, "string", ""), False, id="empty-typed-map"),
        pytest.param(_Ptr(nil=True), False, id="nil-pointer"),
        pytest.param(_Ptr(nil=False), True, id="pointer"),
    ],
)
def test_is_true(value: Any, want: bool) -> None:
    assert is_true(value) == (want, True)


@pytest.mark.parametrize(
    ("value", "type_", "kind"),
    [
        pytest.param(None, "<nil>", "invalid", id="nil"),
        pytest.param(True, "bool", "bool", id="bool"),
        pytest.param(3, "int", "int", id="int"),
        pytest.param(Int64(3), "int64", "int64", id="int64"),
        pytest.param(Int32(3), "int32", "int32", id="int32"),
        pytest.param(3.0, "float64", "float64", id="float64"),
        pytest.param("s", "string", "string", id="string"),
        pytest.param([1], "[]interface {}", "slice", id="slice"),
        pytest.param(TypedList([], "string"), "[]string", "slice", id="typed-slice"),
        pytest.param({}, "map[string]interface {}", "map", id="map"),
        pytest.param(TypedMap({}, "string", ""), "map[string]string", "map", id="typed-map"),
        pytest.param(_Ptr(nil=False), "*v1.Thing", "ptr", id="go-object-pointer"),
    ],
)
def test_type_name_and_kind(value: Any, type_: str, kind: str) -> None:
    assert type_name(value) == type_
    assert kind_of(value) == kind


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        pytest.param(1, 1, True, id="same-int"),
        pytest.param(1, 1.0, False, id="int-vs-float"),
        pytest.param(1, Int64(1), False, id="int-vs-int64"),
        pytest.param(True, 1, False, id="bool-vs-int"),
        pytest.param(None, MISSING, True, id="nil-vs-missing"),
        pytest.param([1.0, {"a": "b"}], [1.0, {"a": "b"}], True, id="nested-equal"),
        pytest.param([1.0, {"a": "b"}], [1.0, {"a": "c"}], False, id="nested-differs"),
        pytest.param({"a": 1.0}, {"a": 1.0, "b": 2.0}, False, id="extra-key"),
        pytest.param(["a"], TypedList(["a"], "string"), False, id="slice-types-differ"),
        pytest.param(float("nan"), float("nan"), False, id="nan-never-equal"),
    ],
)
def test_deep_equal(a: Any, b: Any, want: bool) -> None:
    assert deep_equal(a, b) is want


def test_to_go_makes_every_json_number_float64() -> None:
    data = {"n": 1, "b": True, "l": [2, {"x": 3}], "s": "4", "z": None, "f": 1.5}
    got = to_go(data)
    assert got == {"n": 1.0, "b": True, "l": [2.0, {"x": 3.0}], "s": "4", "z": None, "f": 1.5}
    assert type(got["n"]) is float and type(got["l"][1]["x"]) is float
    assert got["b"] is True  # bools are not numbers in JSON
    assert data["n"] == 1 and type(data["n"]) is int  # input left alone


def test_missing_is_a_falsy_singleton() -> None:
    assert type(MISSING)() is MISSING
    assert not MISSING
