"""Cut a block of rendered YAML into its pieces, line by line, or decline.

A block is the text of its lines, each preceded by its line break (strings, not
lists of lines), and one compiled pattern per indentation splits it (in C) at
the line breaks that open a piece: a line holding a plain key at the block's
indentation (or ``- `` for a list).  The same pattern, in a second alternative,
also matches any line that would make the cut unsafe: a line less indented than
the block, or at its indentation and neither a plain key nor a ``- `` list item
(a key's list may sit at the key's own indentation).  Lines of spaces and
comment lines match neither: they stay with the piece they sit in (a comment
may be inside a quoted scalar).  The block's first line that is neither must
open the first piece.  Each line's fate depends on that line alone (a line at
the block's end is read as one before a line break), which is what lets
:mod:`pyinject.render.decode` memoise pieces by their text.
"""

from __future__ import annotations

import re

#: A piece whose first line is only ``name:`` (its value is the block below); matched at the key.
BARE_KEY = re.compile(r"([A-Za-z]+):[ ]*(?:\n|\Z)")
#: Where a piece may start: a plain key, not an indicator (``?``, ``:``, ``&``, ``#``, quotes...).
KEY_CHARS = "a-zA-Z0-9$_/"
#: The first line of a block that is neither spaces nor a comment; it ends at the line's first other character.
CONTENT = re.compile(r"\n *[^ \n#]")


class NotPieceable(Exception):
    """The text cannot be cut safely: decode it whole."""


# A block is the text of its lines, each preceded by its line break.  Its
# pattern for an indentation splits it before each line that opens a piece, and
# (the second alternative, with an empty group) before any line that makes the
# cut unsafe.  Lines of spaces and comment lines are never matched.
# Most lines are deeper than the block: they are passed over first.
MAPPING = r"\n(?! {{{n1}}})(?:(?= {{{n}}}[{keys}])|(?! {{{n}}}-(?:[ \n]|\Z)| *(?:[\n#]|\Z))())"
SEQUENCE = r"\n(?! {{{n1}}})(?:(?= {{{n}}}-(?:[ \n]|\Z))|(?! *(?:[\n#]|\Z))())"
_patterns: dict[tuple[str, int], re.Pattern[str]] = {}


def cut(block: str, shape: str, indent: int, first: int) -> list[str]:
    """The pieces of ``block`` at ``indent`` (keys for :data:`MAPPING`, ``- `` items for :data:`SEQUENCE`).

    ``first`` is where the block's first line that is neither spaces nor a comment starts.
    """
    parts = shape_pattern(shape, indent).split(block)
    # The block's first line with content must open the first piece, and no
    # line may be one that makes the cut unsafe (its group matched, empty).
    if len(parts[0]) != first or "" in parts[1::2]:
        raise NotPieceable("not a block at this indentation")
    return parts[2::2]


def shape_pattern(shape: str, indent: int) -> re.Pattern[str]:
    """The compiled pattern of ``shape`` (:data:`MAPPING` or :data:`SEQUENCE`) at ``indent``."""
    pattern = _patterns.get((shape, indent))
    if pattern is None:
        if len(_patterns) > 64:
            _patterns.clear()
        source = shape.format(n=indent, n1=indent + 1, keys=KEY_CHARS)
        pattern = _patterns[shape, indent] = re.compile(source)
    return pattern


# Pieces that come again pod after pod (the init container, the volumes) need
# not be scanned again: where a piece opens, the piece last seen with the same
# first line (at this indentation, in a block of this shape) is checked against
# the text, and taken whole if the text holds it and the cut opens a piece (or
# the block ends) right after it.  Exact because the cut goes line by line: the
# lines of a piece once cut open nothing and decline nothing wherever they
# stand (a line at the block's end is read as one before a line break), so
# the same text is the same piece again; the line after it is matched as the
# cut matches it.  Only pieces this cut gave are remembered.
_known: dict[tuple[str, int, str], str] = {}
KNOWN_LIMIT = 256


def cut_known(block: str, shape: str, indent: int, first: int) -> list[str]:
    """:func:`cut`, taking the pieces it knows whole rather than scanning their lines."""
    pattern = shape_pattern(shape, indent)
    opening = pattern.match(block, first)
    if opening is None or opening.group(1) is not None:
        raise NotPieceable("not a block at this indentation")
    if len(_known) > KNOWN_LIMIT:
        _known.clear()
    end = len(block)
    pieces: list[str] = []
    at = first  # the line break before the piece's first line
    while at < end:
        start = at + 1
        line_end = block.find("\n", start)
        if line_end < 0:
            line_end = end
        key = (shape, indent, block[start:line_end])
        known = _known.get(key)
        after = -1
        if known is not None and block.startswith(known, start):
            after = start + len(known)
            if after < end:
                boundary = pattern.match(block, after)
                if boundary is None:
                    after = -1  # the piece goes on
                elif boundary.group(1) is not None:
                    raise NotPieceable("not a block at this indentation")
        if after < 0:
            boundary = pattern.search(block, line_end)
            if boundary is None:
                after = end
            elif boundary.group(1) is not None:
                raise NotPieceable("not a block at this indentation")
            else:
                after = boundary.start()
            pieces.append(block[start:after])
            _known[key] = pieces[-1]
        else:
            pieces.append(block[start:after])
        at = after
    return pieces


def mapping(block: str, parent: int, known: bool = False) -> tuple[int, list[str]]:
    """The indentation of the block mapping in ``block``, nested under ``parent``, and its pieces.

    With ``known``, pieces seen before are not scanned again (:func:`cut_known`).
    """
    first = CONTENT.search(block)
    if first is None:
        raise NotPieceable("empty block")
    indent = first.end() - first.start() - 2
    if indent <= parent:
        raise NotPieceable("unexpected block shape")
    return indent, (cut_known if known else cut)(block, MAPPING, indent, first.start())


def list_items(block: str, parent: int, known: bool = False) -> tuple[int, list[str]]:
    """The indentation of the block list in ``block``, nested under ``parent``, and its ``- `` items.

    With ``known``, items seen before are not scanned again (:func:`cut_known`).
    """
    first = CONTENT.search(block)
    if first is None:
        return parent, []
    indent = first.end() - first.start() - 2
    if indent < parent:
        raise NotPieceable("unexpected block shape")
    return indent, (cut_known if known else cut)(block, SEQUENCE, indent, first.start())


def bare_name(piece: str, indent: int) -> str | None:
    """``name`` for a piece whose first line is only ``name:`` (its value is the block below)."""
    match = BARE_KEY.match(piece, indent)
    return match.group(1) if match else None


def bare_block(piece: str, indent: int, name: str) -> str | None:
    """The block below the piece's first line if that line is only ``name:``."""
    match = BARE_KEY.match(piece, indent)
    return below(piece) if match and match.group(1) == name else None


def below(piece: str) -> str:
    """The lines after the piece's first one, each preceded by its line break."""
    at = piece.find("\n")
    return "" if at < 0 else piece[at:]


def as_document(piece: str, indent: int, tail: bool) -> str:
    """The piece as its own document, ``indent`` spaces to the left, with the line break that followed it."""
    end = "\n" if tail else ""
    if indent == 0:
        return piece + end
    cut = " " * indent
    return "\n".join(line[indent:] if line.startswith(cut) else line.lstrip(" ") for line in piece.split("\n")) + end
