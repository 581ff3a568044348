"""The change tracker compares each source's whole output with its whole text, as documents stream by."""

from __future__ import annotations

import pytest

from pyinject.manifests.output import ChangeTracker, spooled_output
from pyinject.manifests.read import RawDocument


def _docs(source: str, texts: list[str]) -> list[RawDocument]:
    return [RawDocument(source, i + 1, 1, "", text, first_in_source=i == 0) for i, text in enumerate(texts)]


@pytest.mark.parametrize(("read", "written", "changed"), [
    (["a: 1\n", "b: 2\n"], ["a: 1\n", "b: 2\n"], False),
    # Text moved between documents (istioctl's style ends each document with its ---): same whole text.
    (["a: 1\n", "---\nb: 2\n"], ["a: 1\n---\n", "b: 2\n"], False),
    (["a: 1\n", "b: 2\n"], ["a: 1\n", "b: 3\n"], True),
    (["a: 1\n", "b: 2\n"], ["a: 1\nb: 2\n", ""], False),
    (["a: 1\n", "b: 2\n"], ["a: 1\n", "b: 2\nc: 3\n"], True),
    (["a: 1\n", "b: 2\nc: 3\n"], ["a: 1\n", "b: 2\n"], True),
    (["x\ud800\n"], ["x\ud800\n"], False),
])
def test_whole_texts_are_compared(read: list[str], written: list[str], changed: bool) -> None:
    tracker = ChangeTracker()
    for doc, text in zip(_docs("f.yaml", read), written):
        tracker.add(doc, text)
    assert tracker.finish() == (["f.yaml"] if changed else [])


def test_sources_are_told_apart_and_listed_once_in_order() -> None:
    tracker = ChangeTracker()
    for doc, text in [*zip(_docs("a.yaml", ["1\n"]), ["2\n"]), *zip(_docs("b.yaml", ["1\n"]), ["1\n"]),
                      *zip(_docs("c.yaml", ["x\n", "y\n"]), ["x\n", "z\n"])]:
        tracker.add(doc, text)
    assert tracker.finish() == ["a.yaml", "c.yaml"]
    assert tracker.finish() == []


def test_the_spool_moves_to_a_file_past_its_size_and_reads_back_whole() -> None:
    spool = spooled_output(10)
    for part in ("0123456", "789ab", "é\n"):
        spool.write(part)
    assert spool._rolled  # type: ignore[attr-defined]
    spool.seek(0)
    assert spool.read() == "0123456789abé\n"
    spool.close()
    small = spooled_output(1024)
    small.write("a\r\nb")
    small.seek(0)
    assert small.read() == "a\r\nb" and not small._rolled  # type: ignore[attr-defined]
    small.close()
