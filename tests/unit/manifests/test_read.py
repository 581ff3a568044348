"""Splitting streams into raw documents and expanding -f paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyinject.errors import InputError
from pyinject.manifests.read import expand_paths, read_documents, read_text

SPLIT_CASES = {
    "single document": ("a: 1\n", [("", "a: 1\n", 1)]),
    "leading separator": ("---\na: 1\n", [("---\n", "a: 1\n", 1)]),
    "two documents": ("a: 1\n---\nb: 2\n", [("", "a: 1\n", 1), ("---\n", "b: 2\n", 2)]),
    "comment on separator": ("a: 1\n--- # two\nb: 2\n", [("", "a: 1\n", 1), ("--- # two\n", "b: 2\n", 2)]),
    "CRLF kept": ("a: 1\r\n---\r\nb: 2\r\n", [("", "a: 1\r\n", 1), ("---\r\n", "b: 2\r\n", 2)]),
    "bare separators": ("---\n---\n", [("---\n", "", 1), ("---\n", "", 2)]),
    "directive stays with its document": (
        "a: 1\n...\n%YAML 1.1\n---\nb: 2\n",
        [("", "a: 1\n...\n", 1), ("%YAML 1.1\n---\n", "b: 2\n", 3)],
    ),
    "dashes inside a block scalar are content": (
        "a: |\n  ---\n  x\n", [("", "a: |\n  ---\n  x\n", 1)],
    ),
    "four dashes are not a separator": ("----: 1\n", [("", "----: 1\n", 1)]),
    "no trailing newline": ("a: 1\n---\nb: 2", [("", "a: 1\n", 1), ("---\n", "b: 2", 2)]),
    "empty stream": ("", []),
}


@pytest.mark.parametrize("text,expected", SPLIT_CASES.values(), ids=SPLIT_CASES.keys())
def test_split_documents(text: str, expected: list[tuple[str, str, int]]) -> None:
    docs = read_text(text)
    assert [(d.separator, d.body, d.line) for d in docs] == expected
    assert "".join(d.text for d in docs) == text
    assert [d.index for d in docs] == list(range(1, len(docs) + 1))


def test_directory_expands_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b.yaml", "a.yml", "sub/c.json", "sub/z/d.yaml", "notes.txt", "sub/e.YAML.bak"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: 1\n")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)])]
    assert found == ["a.yml", "b.yaml", "sub/c.json", "sub/z/d.yaml"]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        expand_paths([str(tmp_path / "nope.yaml")])


def test_stdin_is_kept_in_place(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    assert expand_paths(["-", str(tmp_path / "a.yaml")]) == ["-", str(tmp_path / "a.yaml")]


def test_documents_record_their_source_and_first_in_source(tmp_path: Path) -> None:
    one, two = tmp_path / "1.yaml", tmp_path / "2.yaml"
    one.write_text("a: 1\n---\nb: 2\n")
    two.write_text("c: 3\n")
    docs = list(read_documents([str(one), str(two)]))
    assert [(Path(d.source).name, d.index, d.first_in_source) for d in docs] == [
        ("1.yaml", 1, True), ("1.yaml", 2, False), ("2.yaml", 1, True)
    ]


def test_non_utf8_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8"):
        list(read_documents([str(bad)]))
