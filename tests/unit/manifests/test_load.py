"""YAML read the way kubectl reads it (go-yaml v2, YAML 1.1 scalars)."""

from __future__ import annotations

from typing import Any

import pytest

from pyinject.errors import InputError, Location
from pyinject.manifests.load import KubeLoader, guess_indent, load_plain, load_roundtrip

LOC = Location(file="m.yaml", document=2, line=10)

SCALARS = {
    "octal with leading zero": ("0755", 493),
    "octal 0o": ("0o17", 15),
    "hex": ("0x1F", 31),
    "binary": ("0b101", 5),
    "underscores": ("1_000", 1000),
    "decimal": ("80", 80),
    "negative": ("-3", -3),
    "yes": ("yes", True),
    "On": ("On", True),
    "n": ("n", False),
    "off": ("off", False),
    "true": ("true", True),
    "tilde": ("~", None),
    "float": ("1.5", 1.5),
    "exponent": ("1e3", 1000.0),
    "no sexagesimal": ("1:30", "1:30"),
    "timestamp stays text": ("2020-01-01", "2020-01-01"),
    "value scalar": ("=", "="),
    "quoted yes": ('"yes"', "yes"),
    "quoted number": ("'0755'", "0755"),
    "plain text": ("hello", "hello"),
}


@pytest.mark.parametrize("text,expected", SCALARS.values(), ids=SCALARS.keys())
def test_scalars_mean_what_kubectl_reads(text: str, expected: Any) -> None:
    value = load_plain(f"v: {text}\n", LOC)["v"]
    assert value == expected and type(value) is type(expected)


def test_value_scalar_in_a_list() -> None:
    assert load_plain("enum:\n- =\n- '!='\n", LOC) == {"enum": ["=", "!="]}


def test_duplicate_key_last_wins_with_a_warning() -> None:
    warnings: list[tuple[str, int | None]] = []
    data = load_plain("a: 1\nb: 2\na: 3\n", LOC, lambda m, line: warnings.append((m, line)))
    assert data == {"a": 3, "b": 2}
    assert len(warnings) == 1 and "'a'" in warnings[0][0] and warnings[0][1] == 2


def test_roundtrip_duplicate_key_last_wins() -> None:
    assert dict(load_roundtrip("a: 1\na: 2\n", LOC)) == {"a": 2}


def test_syntax_error_points_at_the_file_line() -> None:
    with pytest.raises(InputError) as info:
        load_plain("a: 1\nb: [1\nc: 2\n", LOC)
    err = info.value
    assert err.location.file == "m.yaml" and err.location.document == 2
    assert err.location.line is not None and err.location.line >= 11
    assert "invalid YAML" in err.message


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    with pytest.raises(InputError, match="alias bomb"):
        load_plain("\n".join(lines) + "\n", LOC)


def test_shared_aliases_of_reasonable_size_are_fine() -> None:
    data = load_plain("a: &x {k: v}\nb: *x\n", LOC)
    assert data == {"a": {"k": "v"}, "b": {"k": "v"}}


def test_crlf_documents_parse() -> None:
    assert load_plain("a: 1\r\nb:\r\n  - x\r\n", LOC) == {"a": 1, "b": ["x"]}


INDENTS = {
    "k8s default": ("a:\n  b:\n  - x\n", (2, 2, 0)),
    "indented sequences": ("a:\n  b:\n    - x\n", (2, 4, 2)),
    "four spaces": ("a:\n    b:\n    - x\n", (4, 2, 0)),
    "no nesting": ("a: 1\n", (2, 2, 0)),
    "blank lines and comments between": ("a:\n\n  # c\n  b:\n  # d\n    - x\n", (2, 4, 2)),
    "a list item opens no mapping": ("- a:\n    b: 1\n", (2, 2, 0)),
    "blanks after the colon": ("a:  \n   b: 1\n", (3, 2, 0)),
    "a dedented list counts for nothing": ("  a:\n- x\nb:\n  c: 1\n", (2, 2, 0)),
    "a commented opener counts for nothing": ("# note:\n    x: 1\na:\r\n   - y\r\n", (2, 5, 3)),
    "a comment after the colon": ("a: # c:\n  b: 1\n", (2, 2, 0)),
}


@pytest.mark.parametrize("text,expected", INDENTS.values(), ids=INDENTS.keys())
def test_guess_indent(text: str, expected: tuple[int, int, int]) -> None:
    assert guess_indent(text) == expected
    assert guess_indent(text.replace("\r\n", "\n")) == expected
    assert guess_indent(text.replace("\n", "\r\n")) == expected


_LINE_BODIES = ("a:", "b: 1", "- x", "- y:", "-z:", "- ", "# c:", "", " ", "\t- t", "\tk:", "k: # c:", "k: v:",
                "c:  ", "- - w", "? q", "[1, 2]")


def test_guess_indent_looks_back_from_list_items_as_a_reading_of_every_line_would() -> None:
    """Texts with "\\n" line ends only take a shortcut; it finds what reading line by line finds."""
    import random

    from pyinject.manifests.load import _indents_line_by_line, _nested_mapping, _sequence_offset

    rng = random.Random(7)
    for _ in range(3000):
        lines = [" " * rng.choice((0, 0, 1, 2, 3, 4, 6)) + rng.choice(_LINE_BODIES) for _ in range(rng.randint(0, 9))]
        text = "\n".join(lines) + rng.choice(("", "\n", "\n\n"))
        assert (_nested_mapping(text), _sequence_offset(text)) == _indents_line_by_line(text), repr(text)


def _full_loader(text: str) -> Any:
    loader = KubeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


FAST_PATH = {
    "nested": "a:\n  b: [1, {c: d}]\n  e:\n  - f\n  - ~\n",
    "scalars": "a: [yes, No, 0x1F, 0o17, 017, 1_000, -.inf, .NaN, 1e3, '1', \"2\", =, 1:30, 2020-01-01, '']\n",
    "empty values": "a:\nb: []\nc: {}\n",
    "anchors share objects": "a: &x {k: [1]}\nb: *x\nc: &s text\nd: *s\n",
    "block scalars": "a: |\n  one\n  two\nb: >-\n  folded\n  text\n",
    "non-string keys": "2: a\ntrue: b\n~: c\n1.5: d\n",
    "root sequence": "- a\n- b\n",
    "root scalar": "just text\n",
    "empty document": "# only a comment\n",
    "explicit document": "--- \na: 1\n...\n",
}


@pytest.mark.parametrize("text", FAST_PATH.values(), ids=FAST_PATH.keys())
def test_event_loader_builds_what_the_full_loader_builds(text: str) -> None:
    from pyinject.manifests.load import _load_events

    (fast, _), full = _load_events(text), _full_loader(text)
    assert repr(fast) == repr(full)


def test_event_loader_keeps_aliases_shared() -> None:
    from pyinject.manifests.load import _load_events

    data, aliased = _load_events("a: &x {k: v}\nb: *x\n")
    assert data["a"] is data["b"] and aliased


HANDED_OVER = {
    "tag": ("a: !!str 80\n", {"a": "80"}),
    "binary": ("a: !!binary aGk=\n", {"a": b"hi"}),
    "merge key": ("b: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n", {"b": {"x": 1}, "m": {"x": 1, "z": 2}}),
    "duplicate key": ("a: 1\na: 2\n", {"a": 2}),
}


@pytest.mark.parametrize("text,expected", HANDED_OVER.values(), ids=HANDED_OVER.keys())
def test_what_the_event_loader_leaves_to_the_full_loader(text: str, expected: Any) -> None:
    from pyinject.manifests.load import _load_events, _Unsupported

    with pytest.raises(_Unsupported):
        _load_events(text)
    assert load_plain(text, LOC) == expected


@pytest.mark.parametrize("text", ["a: *nope\n", "a: 1\n---\nb: 2\n", "a: <<\n"],
                         ids=["undefined alias", "two documents", "merge value"])
def test_errors_are_worded_by_the_full_loader(text: str) -> None:
    with pytest.raises(InputError, match="invalid YAML"):
        load_plain(text, LOC)


#: Texts that differ in one place, read as values of different types.
NEAR_TEXTS = ["1", "1.", "1.0", "01", "0x1", "1_0", "+1", "-1", "y", "Y", "yes", "yes!", "n", "no", "No", "NO", "nO",
              "on", "On", "off", "null", "Null", "nULL", "~", "~~", ".inf", ".Inf", "-.inf", ".nan", ".NaN", "1e3",
              "1e", "true", "True", "tRUE", "false", "f", "t", "name", "namespace", "o", "<", "<=", "9" * 30,
              "1" + "0" * 70, "t" * 70]


def test_plain_scalars_read_again_mean_the_same() -> None:
    """Short plain scalars are kept with their values: the second reading of each gives the same value and type."""
    from pyinject.manifests import load

    load._PLAIN_VALUES.clear()
    first = [load.plain_scalar(text) for text in NEAR_TEXTS]
    again = [load.plain_scalar(text) for text in NEAR_TEXTS]
    fresh = [load._resolve_plain(text) for text in NEAR_TEXTS]
    assert [(repr(v), type(v)) for v in first] == [(repr(v), type(v)) for v in again] == [(repr(v), type(v)) for v in fresh]
    assert len(set(map(type, first))) == 5  # None, bool, int, float and str were all read
    assert "1" + "0" * 70 not in load._PLAIN_VALUES and "9" * 30 in load._PLAIN_VALUES  # long texts are not kept


def test_the_merge_key_is_left_to_the_full_loader_every_time() -> None:
    for _ in range(2):
        assert load_plain("a: &x {b: 1}\nc:\n  <<: *x\n", LOC) == {"a": {"b": 1}, "c": {"b": 1}}


def test_kept_plain_scalars_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyinject.manifests import load

    monkeypatch.setattr(load, "_PLAIN_VALUES", {})
    for i in range(3 * load._PLAIN_VALUES_SIZE):
        assert load.plain_scalar(str(i)) == i
    assert len(load._PLAIN_VALUES) <= load._PLAIN_VALUES_SIZE


def test_copy_plain_copies_every_collection_and_keeps_every_scalar() -> None:
    from pyinject.manifests.load import copy_plain

    class Tagged(dict[str, Any]):
        pass

    scalars = ["s", 1, 1.5, True, None, b"b"]
    original = {"m": {"l": [list(scalars), {"x": 1}]}, "t": Tagged(a=[1]), "s": scalars}
    copied = copy_plain(original)
    assert repr(copied) == repr({**original, "t": {"a": [1]}}) and type(copied["t"]) is dict
    assert all(a is b for a, b in zip(copied["s"], scalars))
    copied["m"]["l"][0].append("new")
    copied["m"]["l"][1]["x"] = 2
    copied["t"]["a"].append(2)
    assert original == {"m": {"l": [scalars, {"x": 1}]}, "t": {"a": [1]}, "s": scalars}
