"""New YAML fragments: written the way Kubernetes manifests look, read back as the same data."""

from __future__ import annotations

import marshal
from typing import Any

import pytest

from pyinject.errors import Location
from pyinject.manifests import emit
from pyinject.manifests.emit import Layout, document, entries, flow, items, scalar, value_after_dash, value_after_key
from pyinject.manifests.load import load_plain

LOC = Location(file="t.yaml")

SCALARS = {
    "plain word": ("proxy", "proxy"),
    "flag": ("--domain", "--domain"),
    "image": ("docker.io/istio/proxyv2:1.30.3", "docker.io/istio/proxyv2:1.30.3"),
    "env reference": ("$(POD_NAME).svc", "$(POD_NAME).svc"),
    "yes": ("yes", '"yes"'),
    "y": ("y", '"y"'),
    "octal": ("0755", '"0755"'),
    "go octal": ("0o17", '"0o17"'),
    "port": ("15001", '"15001"'),
    "sexagesimal": ("1:30", '"1:30"'),
    "value scalar": ("=", '"="'),
    "merge key": ("<<", '"<<"'),
    "timestamp": ("2020-01-01", '"2020-01-01"'),
    "null word": ("null", '"null"'),
    "tilde": ("~", '"~"'),
    "empty": ("", "''"),
    "json": ('{"a":1}', "'{\"a\":1}'"),
    "colon space": ("a: b", "'a: b'"),
    "hash": ("#x", "'#x'"),
    "space hash": ("x #y", "'x #y'"),
    "leading space": (" x", "' x'"),
    "apostrophe": ("it's", "'it''s'"),
    "dash space": ("- x", "'- x'"),
    "tab": ("a\tb", '"a\\tb"'),
    "control": ("a\x01b", '"a\\x01b"'),
    "line separator": ("a\u2028b", '"a\\u2028b"'),
    "unicode": ("é€", "'é€'"),
    "int": (8080, "8080"),
    "negative": (-3, "-3"),
    "float": (1.5, "1.5"),
    "whole float": (2.0, "2.0"),
    "big float": (1e20, "1e+20"),
    "infinity": (float("inf"), ".inf"),
    "true": (True, "true"),
    "none": (None, "null"),
}


@pytest.mark.parametrize("value,expected", SCALARS.values(), ids=SCALARS.keys())
def test_scalar_text_and_meaning(value: Any, expected: str) -> None:
    assert scalar(value) == expected
    read = load_plain(f"k: {expected}\n", LOC)["k"]
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize("value", ["a,b", "a:b", "[x]", "{y}", "a b"], ids=["comma", "colon", "brackets", "braces", "space"])
def test_flow_context_quotes_flow_punctuation(value: str) -> None:
    text = flow({"k": [value]})
    assert load_plain(f"v: {text}\n", LOC)["v"] == {"k": [value]}


def test_kept_quote_style() -> None:
    assert scalar("nginx:1.26", quote='"') == '"nginx:1.26"'
    assert scalar("nginx:1.26", quote="'") == "'nginx:1.26'"
    assert scalar("yes", quote="'") == '"yes"'


BLOCKS: dict[str, tuple[Any, str]] = {
    "mapping": ({"a": 1, "b": {"c": "d"}}, "a: 1\nb:\n  c: d\n"),
    "sequence under a key": ({"args": ["proxy", "sidecar"]}, "args:\n- proxy\n- sidecar\n"),
    "mappings in a sequence": ([{"name": "a", "ports": [{"containerPort": 80}]}],
                               "- name: a\n  ports:\n  - containerPort: 80\n"),
    "nested sequences": ([[1, 2], [3]], "- - 1\n  - 2\n- - 3\n"),
    "empty collections": ({"a": {}, "b": []}, "a: {}\nb: []\n"),
    "literal": ({"s": "one\ntwo\n"}, "s: |\n  one\n  two\n"),
    "literal without final newline": ({"s": "one\ntwo"}, "s: |-\n  one\n  two\n"),
    "literal keeping newlines": ({"s": "one\n\n"}, "s: |+\n  one\n\n"),
    "literal with blank line": ({"s": "a\n\nb\n"}, "s: |\n  a\n\n  b\n"),
    "leading space is quoted": ({"s": " a\nb"}, 's: " a\\nb"\n'),
}


@pytest.mark.parametrize("value,expected", BLOCKS.values(), ids=BLOCKS.keys())
def test_block_documents(value: Any, expected: str) -> None:
    assert document(value, Layout()) == expected
    assert load_plain(expected, LOC) == value


def test_layout_indents_nested_blocks() -> None:
    layout = Layout(mapping=4, offset=2)
    text = entries({"spec": {"args": ["a"], "m": {"k": "v"}}}, 2, layout)
    assert text == "  spec:\n      args:\n        - a\n      m:\n          k: v\n"
    assert load_plain(text, LOC) == {"spec": {"args": ["a"], "m": {"k": "v"}}}


def test_fragments_fit_after_a_key_or_a_dash() -> None:
    assert value_after_key("x", 4, Layout()) == " x"
    assert value_after_key({"a": 1}, 4, Layout()) == "\n      a: 1"
    assert value_after_dash({"a": 1, "b": 2}, 4, Layout()) == " a: 1\n      b: 2"
    assert items(["x", {"z": 1}], 2, Layout()) == "  - x\n  - z: 1\n"


def test_repeated_subtrees_are_written_alike_wherever_they_go() -> None:
    """Collections written before come back from the emitter's cache: only for the same data, column and layout."""
    volume = {"name": "istio-envoy", "emptyDir": {"medium": "Memory"}}
    first = items([volume, dict(volume)], 2, Layout())
    assert first == ("  - name: istio-envoy\n    emptyDir:\n      medium: Memory\n"
                     "  - name: istio-envoy\n    emptyDir:\n      medium: Memory\n")
    # Another column, another layout, or the same text after a key.
    assert items([volume], 4, Layout()) == "    - name: istio-envoy\n      emptyDir:\n        medium: Memory\n"
    assert items([volume], 0, Layout(mapping=4)) == "- name: istio-envoy\n  emptyDir:\n      medium: Memory\n"
    assert entries({"v": [volume]}, 0, Layout(offset=2)) == "v:\n  - name: istio-envoy\n    emptyDir:\n      medium: Memory\n"
    assert entries({"v": [volume]}, 0, Layout()) == "v:\n- name: istio-envoy\n  emptyDir:\n    medium: Memory\n"


@pytest.mark.parametrize("values", [
    [{"a": "1"}, {"a": 1}, {"a": 1.0}, {"a": True}, {"a": None}, {"a": "true"}],
    [["x"], ["x", "y"], [["x"]], [{"x": None}]],
    [{"a": [1]}, {"a": ["1"]}, {"a": {"1": 1}}, {"a": {1: 1}}],
])
def test_data_that_differs_only_in_type_is_never_written_from_another_ones_text(values: list[Any]) -> None:
    for _ in range(2):  # the second round is written from the cache
        for value in values:
            text = entries({"k": [value]}, 0, Layout())
            # Equal as data, types included (1 == 1.0 == True in Python; their encodings differ).
            assert marshal.dumps(load_plain(text, LOC), 2) == marshal.dumps({"k": [value]}, 2)


def test_subclasses_of_plain_types_are_written_afresh() -> None:
    class Tagged(dict[str, Any]):
        pass

    plain = {"name": "a", "port": 1}
    assert items([plain], 0, Layout()) == items([Tagged(plain)], 0, Layout()) == "- name: a\n  port: 1\n"


@pytest.mark.parametrize("pair", [("yes", "yez"), ("0755", "0755x"), ("a:b", "a: b"), ("x#y", "x #y"), ("web", "web ")])
def test_one_line_strings_that_differ_in_one_place_get_their_own_text(pair: tuple[str, str]) -> None:
    """The one-line string fast path of entries and items keys its cache on the exact string."""
    for _ in range(2):  # the second round is written from the cache
        for text in pair:
            assert load_plain(entries({text: text, "l": [text]}, 0, Layout()), LOC) == {text: text, "l": [text]}
            assert load_plain(items([text], 0, Layout()), LOC) == [text]


def test_string_subclasses_take_the_general_path_and_read_back_the_same() -> None:
    class Marked(str):
        pass

    assert entries({Marked("on"): Marked("on")}, 0, Layout()) == entries({"on": "on"}, 0, Layout()) == '"on": "on"\n'
    assert items([Marked("a\nb")], 0, Layout()) == items(["a\nb"], 0, Layout()) == "- |-\n  a\n  b\n"


@pytest.fixture
def empty_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emit, "_SUBTREE_CACHE", {})
    monkeypatch.setattr(emit, "_MISSES", {})


def _proxy(name: str) -> dict[str, Any]:
    return {"name": "istio-proxy", "env": [{"name": "POD", "value": name}], "ports": [{"containerPort": 15090}]}


@pytest.mark.usefixtures("empty_caches")
def test_subtrees_that_keep_missing_are_mostly_written_without_a_lookup() -> None:
    """A kind of subtree that differs every time stops filling the cache, but is still sampled."""
    for i in range(200):
        items([_proxy(f"web-{i}")], 0, Layout())
    containers = [key for key in emit._SUBTREE_CACHE if key[1:3] == (False, 0)]
    # _TRUST misses in a row, then one lookup in _SAMPLE.
    assert emit._TRUST <= len(containers) <= emit._TRUST + 200 // emit._SAMPLE + 1


@pytest.mark.usefixtures("empty_caches")
def test_a_stream_that_starts_repeating_is_served_from_the_cache_again(monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(100):
        items([_proxy(f"web-{i}")], 0, Layout())
    written: list[Any] = []
    write = emit.value_after_dash

    def counting(value: Any, col: int, layout: Layout, quote: str = "") -> str:
        written.append(value)
        return write(value, col, layout, quote)

    monkeypatch.setattr(emit, "value_after_dash", counting)
    texts = {items([_proxy("same")], 0, Layout()) for _ in range(100)}
    assert len(texts) == 1
    # Written afresh until a sampled lookup stores it and the next one finds it, then from the cache.
    assert 0 < sum(1 for value in written if value == _proxy("same")) <= 40


@pytest.mark.usefixtures("empty_caches")
def test_skipping_and_sampling_never_give_another_values_text() -> None:
    """Pairs that differ in one place, written alternately through every phase of the miss count."""
    pairs = [("1", 1), (1, 1.0), (True, 1), ("a", "a "), (None, "null")]
    for i in range(3 * (emit._TRUST + emit._SAMPLE)):
        for a, b in pairs:
            for value in (a, b):
                container = {"name": "c", "env": [{"name": "N", "value": value}], "i": i % 3}
                text = items([container], 2, Layout())
                assert marshal.dumps(load_plain(text, LOC), 2) == marshal.dumps([container], 2)
