"""Cutting a rendered block into pieces, with and without the pieces known from before."""

from __future__ import annotations

import random

from pyinject.render import cut
from pyinject.render.cut import NotPieceable


def test_cutting_with_known_pieces_equals_cutting_every_line() -> None:
    """cut_known takes pieces seen before whole: on any block it gives what cut gives, or declines as it does."""
    lines = ["a: 1", "b:", "- x", "-", "-x", "# c", "", " ", "$p: 1", "'q': 1", "? k", ": v", "k: |", "- ", "/k: v"]
    chooser = random.Random(7)
    cut._known.clear()
    blocks = []
    for _ in range(40):
        rows = [" " * chooser.choice([0, 1, 2, 2, 2, 4, 6]) + chooser.choice(lines) for _ in range(chooser.randint(1, 7))]
        blocks.append("".join("\n" + row for row in rows) + chooser.choice(["", "\n", " "]))
    # Blocks made of the same lines in other orders and joins, so known pieces are met in new places.
    for _ in range(3000):
        rows = chooser.choice(blocks).split("\n")[1:] + chooser.choice(blocks).split("\n")[1:]
        chooser.shuffle(rows)
        block = "".join("\n" + row for row in rows[:chooser.randint(1, len(rows))])
        first = cut.CONTENT.search(block)
        if first is None:
            continue
        for shape in (cut.MAPPING, cut.SEQUENCE):
            results = []
            for cutter in (cut.cut, cut.cut_known):
                try:
                    results.append(cutter(block, shape, 2, first.start()))
                except NotPieceable:
                    results.append(None)
            assert results[0] == results[1], (block, shape)
