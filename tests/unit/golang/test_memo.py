"""Memoised encodings: equal data answered from the table, anything else computed, the table bounded."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.golang import goyaml, memo, protojson, strconv


def _counting(limit: int, context: Any = None) -> tuple[list[Any], Any]:
    calls: list[Any] = []

    @memo.by_data(limit, context)
    def encode(value: Any) -> str:
        calls.append(value)
        return repr(value)

    return calls, encode


def test_equal_data_is_encoded_once() -> None:
    calls, encode = _counting(8)
    assert encode({"a": [1, 2]}) == encode({"a": [1, 2]}) == "{'a': [1, 2]}"
    assert len(calls) == 1


@pytest.mark.parametrize("first,second", [
    (1, True), (1, 1.0), (1, "1"), ({"a": 1, "b": 2}, {"b": 2, "a": 1}), (0.0, -0.0),
], ids=["int-bool", "int-float", "int-str", "key-order", "signed-zero"])
def test_data_that_only_compares_equal_is_encoded_again(first: Any, second: Any) -> None:
    calls, encode = _counting(8)
    encode(first)
    assert encode(second) == repr(second)
    assert len(calls) == 2


def test_values_marshal_refuses_are_always_computed() -> None:
    class Mapping(dict[str, Any]):
        pass

    calls, encode = _counting(8)
    encode(Mapping(a=1))
    encode(Mapping(a=1))
    assert len(calls) == 2


def test_context_is_part_of_the_key() -> None:
    state = {"width": 80}
    calls, encode = _counting(8, lambda: state["width"])
    encode("x")
    state["width"] = 0
    encode("x")
    encode("x")
    assert len(calls) == 2


def test_table_stays_bounded() -> None:
    calls, encode = _counting(4)
    for i in range(10):
        encode(i)
    encode(9)
    assert len(calls) == 10
    table = next(c.cell_contents for c in encode.__closure__ if isinstance(c.cell_contents, dict))
    assert len(table) <= 4


def test_errors_are_not_kept() -> None:
    calls: list[Any] = []

    @memo.by_data(4)
    def fail(value: Any) -> str:
        calls.append(value)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            fail(1)
    assert len(calls) == 2


def test_go_yaml_follows_the_folding_switch() -> None:
    long = {"k": " ".join(["word"] * 40)}
    folded = goyaml.go_yaml(long)
    with goyaml.line_width(False):
        unfolded = goyaml.go_yaml(long)
    assert folded != unfolded
    assert goyaml.go_yaml(long) == folded


def test_proxy_config_json_answers_each_config() -> None:
    assert protojson.proxy_config_json({"concurrency": 2}) == protojson.proxy_config_json({"concurrency": 2})
    assert protojson.proxy_config_json({"concurrency": 2}) != protojson.proxy_config_json({"concurrency": 3})
    assert protojson.proxy_config_json(None) == "{}"


@pytest.mark.parametrize("text", ["plain text", "", "a\"b", "back\\slash", "tab\there", "é", "\x7f", "~ !"])
@pytest.mark.parametrize("ascii_only", [False, True])
def test_quote_fast_path_agrees_with_rune_by_rune(text: str, ascii_only: bool) -> None:
    slow = '"' + "".join(strconv._quote_rune_body(c, '"', ascii_only) for c in text) + '"'
    assert strconv.quote(text, ascii_only) == slow


def test_fresh_results_are_copies() -> None:
    calls: list[Any] = []

    @memo.by_data(4, fresh=True)
    def build(value: Any) -> dict[str, Any]:
        calls.append(value)
        return {"value": value, "list": [1]}

    first = build(1)
    first["list"].append(2)
    second, third = build(1), build(1)
    assert second == third == {"value": 1, "list": [1]}
    assert second is not third and second["list"] is not third["list"]
    assert len(calls) == 1


def test_fresh_results_marshal_refuses_are_not_kept() -> None:
    calls: list[Any] = []

    @memo.by_data(4, fresh=True)
    def build(value: Any) -> Any:
        calls.append(value)
        return object()

    assert build(1) is not build(1)
    assert len(calls) == 2


def test_effective_proxy_config_is_the_callers_own() -> None:
    from pyinject.config.mesh import PROXY_CONFIG_ANNOTATION, effective_proxy_config

    mesh = {"defaultConfig": {"configPath": "/etc/istio/proxy", "binaryPath": "/usr/local/bin/envoy",
                              "proxyMetadata": {"A": "1"}}}
    annotations = {PROXY_CONFIG_ANNOTATION: '{"proxyMetadata": {"B": "2"}}'}
    first = effective_proxy_config(mesh, annotations)
    first["proxyMetadata"]["C"] = "3"
    again = effective_proxy_config(mesh, annotations)
    assert again["proxyMetadata"] == {"A": "1", "B": "2"}
    assert mesh["defaultConfig"]["proxyMetadata"] == {"A": "1"}


def test_a_lazy_table_builds_each_entry_once_when_first_read() -> None:
    built: list[str] = []

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    table = memo.LazyTable(("a", "b", "c"), build)
    assert "b" in table and "z" not in table and built == []
    assert table["b"] == "B" and table.get("b") == "B" and built == ["b"]
    assert table.get("z") is None and table.get("z", "-") == "-"
    with pytest.raises(KeyError):
        table["z"]
    assert built == ["b"]


def test_a_lazy_table_iterates_as_the_whole_table() -> None:
    table = memo.LazyTable((3, 1, 2), lambda key: key * 10)
    assert table[1] == 10
    assert (list(table), len(table)) == ([3, 1, 2], 3)
    assert list(table.items()) == [(3, 30), (1, 10), (2, 20)]
    assert (list(table.keys()), list(table.values())) == ([3, 1, 2], [30, 10, 20])
    assert sorted(table) == [1, 2, 3]
