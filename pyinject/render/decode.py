"""Decode a rendered template piece by piece, reusing what identical pieces decoded to before.

A sidecar template renders about 250 lines per pod, and nearly all of them are
the same from one pod to the next: only a few names, ports and JSON values
change.  Decoding the whole text (libyaml, then Go-struct normalisation of the
containers) costs more than rendering it.  :func:`decode_rendered` cuts the
text at the block-mapping keys of the root, of ``spec`` and of each container,
and at the items of each container's ``env``; each piece is decoded once and
its result is memoised by its exact lines (its text) and the Go type it decodes into, so
the result is the same function of the text as decoding it whole.

The pieces are handed out as they are in the memo, not copied: the result is
a new dict (and new container dicts), but the values inside are shared with
the memo and with every other text that had the same piece.  So a decoded
fragment is read-only: the injector reads it and the strategic merge copies
what it stores (see :func:`pyinject.k8s.merge.merge_overlay`); whoever needs to
change one copies first (as :func:`pyinject.manifests.istioctl_style.decoded_as_release`
does).

The cut is only trusted where YAML cannot join the pieces: every piece must
start at the block's own indentation with a plain key (or ``- `` for a list
item) and must decode on its own to exactly one key (or one item), with no
tags, anchors or aliases and no key twice.  Anything else (flow collections
spanning lines, quoted scalars continued at the block's indentation,
explicit keys, document markers) raises :class:`NotPieceable`, and
the caller decodes the whole text the ordinary way, which also words any
error.
"""

from __future__ import annotations

import re
from typing import Any

from pyinject.k8s import gojson, typed_patch
from pyinject.manifests.load import load_piece

#: Memoised pieces; cleared when full, so memory stays flat on any input.
MEMO_LIMIT = 5_000

#: Keys of a rendered fragment's structure that are cut further.
_SPEC = "spec"
_CONTAINER_LISTS = ("containers", "initContainers")
_ENV = "env"

#: A line that opens a nested block under one of the keys above.
_BARE_KEY = re.compile(r"([A-Za-z]+):[ ]*\n?\Z")
#: Where a piece may start: a plain key, not an indicator (``?``, ``:``, ``&``, ``#``, quotes...).
_KEY_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$_/")
#: Line breaks YAML knows besides ``\n``: texts with them are decoded whole.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029\t]")

_CONTAINER = gojson.STRUCTS["Container"]
_CONTAINER_FIELDS = {f.name: f for f in _CONTAINER}
_OMIT = object()


class NotPieceable(Exception):
    """The text cannot be cut safely: decode it whole."""


_memo: dict[tuple[Any, ...], Any] = {}


def decode_rendered(text: str) -> dict[str, Any]:
    """The rendered fragment ``text`` as plain data, its containers as Go would re-encode them.

    Equal to decoding the whole text with :func:`pyinject.manifests.load.load_plain`
    and then normalising each container through :func:`pyinject.k8s.typed_patch.encode_patch`.
    Raises :class:`NotPieceable` when the text must be decoded whole.
    """
    if _OTHER_BREAKS.search(text):
        raise NotPieceable("tab or another line break")
    if len(_memo) > MEMO_LIMIT:
        _memo.clear()
    # Each line but the last was followed by "\n" in the text (the last is "" when the text ends with one).
    lines = text.split("\n")
    cols = _columns(lines)
    out: dict[Any, Any] = {}
    for start, end in _pieces(lines, cols, 0, len(lines), 0):
        if _bare_key(lines[start]) == _SPEC:
            key: Any = _SPEC
            value: Any = _spec(lines, cols, start + 1, end, 0)
        else:
            key, value = _entry("", lines, start, end, 0)
            if key == _SPEC:
                raise NotPieceable("spec not written as a block")
        _put(out, key, value)
    if not out:
        raise NotPieceable("no keys")
    return out


def _spec(lines: list[str], cols: list[int], start: int, end: int, parent: int) -> dict[str, Any]:
    indent = _block_indent(lines, cols, start, end, parent, sequence=False)
    out: dict[Any, Any] = {}
    for first, last in _pieces(lines, cols, start, end, indent):
        name = _bare_key(lines[first])
        if name in _CONTAINER_LISTS:
            key: Any = name
            items = _items(lines, cols, first + 1, last, indent)
            value: Any = [_container(lines, cols, a, b, i) for a, b, i in items] if items else None
        else:
            key, value = _entry("", lines, first, last, indent)
            if key in _CONTAINER_LISTS:
                raise NotPieceable("containers not written as a block list")
        _put(out, key, value)
    return out


def _container(lines: list[str], cols: list[int], start: int, end: int, indent: int) -> dict[str, Any]:
    """One list item (``- ...`` at ``indent``) decoded into Go's Container, as typed_patch.encode_patch gives it."""
    # The item's first key moves from behind "- " to its own indentation; a
    # blank last line stands for the line break that followed the item.
    head = " " * (indent + 2) + lines[start][indent + 2:]
    item = [head, *lines[start + 1:end]]
    item_cols = [*_columns([head]), *cols[start + 1:end]]
    if end < len(lines):
        item.append("")
        item_cols.append(-1)
    fields_indent = _block_indent(item, item_cols, 0, len(item), indent, sequence=False)
    fields: dict[Any, Any] = {}
    directives: dict[Any, Any] = {}
    for first, last in _pieces(item, item_cols, 0, len(item), fields_indent):
        if _bare_key(item[first]) == _ENV:
            key: Any = _ENV
            env_items = _items(item, item_cols, first + 1, last, fields_indent)
            env = [_env_var(item, a, b, i) for a, b, i in env_items]
            # []EnvVar is omitempty; its items are encoded one by one.
            value: Any = env if env else _OMIT
        else:
            key, value = _entry("Container", item, first, last, fields_indent)
        if key in fields or key in directives:
            raise NotPieceable("a key twice")
        if isinstance(key, str) and key.startswith("$"):
            directives[key] = value
        else:
            fields[key] = value
    # As inject.as_decoded writes it: the struct's fields in Go order, then the directives.
    out: dict[Any, Any] = {}
    for field in _CONTAINER:
        if field.name in fields:
            value = fields[field.name]
            if value is not _OMIT:
                out[field.name] = value
        else:
            written, value = gojson.encode_field(field, None)
            if written:
                out[field.name] = value
    out.update(directives)
    return out


def _env_var(lines: list[str], start: int, end: int, indent: int) -> Any:
    key = _memo_key("EnvVar", lines, start, end, indent)
    known = _memo.get(key, _OMIT)
    if known is _OMIT:
        decoded = _decode(_join(lines, start, end, indent))
        if not isinstance(decoded, list) or len(decoded) != 1:
            raise NotPieceable("not one list item")
        known = _memo[key] = typed_patch.encode_patch("EnvVar", decoded[0])
    return known


def _field_value(name: Any, raw: Any) -> Any:
    """A Container field as typed_patch.encode_patch writes it; _OMIT when it has no part in the patch."""
    field = _CONTAINER_FIELDS.get(name) if isinstance(name, str) else None
    if field is None:
        return raw if isinstance(name, str) and name.startswith("$") else _OMIT
    written, value = typed_patch.encode_patch_field("Container", field, raw)
    return value if written else _OMIT


def _memo_key(context: str, lines: list[str], start: int, end: int, indent: int) -> tuple[Any, ...]:
    """What :func:`_join` of these lines depends on: equal keys, equal texts (and no join on a hit)."""
    return context, indent, end < len(lines), tuple(lines[start:end])


def _entry(context: str, lines: list[str], start: int, end: int, indent: int) -> tuple[Any, Any]:
    """The one key of the piece ``lines[start:end]`` (see :func:`_join`) and its value (memoised and shared: read-only)."""
    memo_key = _memo_key(context, lines, start, end, indent)
    known = _memo.get(memo_key)
    if known is None:
        decoded = _decode(_join(lines, start, end, indent))
        if not isinstance(decoded, dict) or len(decoded) != 1:
            raise NotPieceable("not one key")
        ((key, raw),) = decoded.items()
        known = (key, _field_value(key, raw) if context == "Container" else raw)
        _memo[memo_key] = known
    return known


def _decode(text: str) -> Any:
    filled = _from_skeleton(text)
    if filled is not _OMIT:
        return filled
    try:
        return load_piece(text)
    except ValueError as err:
        raise NotPieceable(str(err)) from None


# Pieces that differ from pod to pod mostly differ in a double-quoted value (a
# name, a label): ``value: "orders-cart-0"``.  Such a piece is decoded as its
# skeleton, the text with each double-quoted scalar's content replaced by a
# numbered placeholder, once; then every piece with that skeleton is the
# skeleton's data with the contents put back in.  Exact because a double-quoted
# scalar of printable ASCII without quotes or backslashes is its content, and
# it is trusted only where the skeleton's data holds each placeholder exactly
# once as a whole value, never as a key: texts holding the placeholder's mark
# or a backslash (an escape could spell a placeholder) are decoded directly.
_QUOTED = re.compile(r'"([ !#-\[\]-~]*)"')
_MARK = "\u00a7"
#: Skeleton text -> (its data, how many placeholders), or None where it cannot serve.
_skeletons: dict[str, tuple[Any, int] | None] = {}


def _from_skeleton(text: str) -> Any:
    """The data of ``text`` through its skeleton; _OMIT where the skeleton cannot tell."""
    if _MARK in text or "\\" in text:
        return _OMIT
    contents: list[str] = []

    def hole(match: re.Match[str]) -> str:
        contents.append(match.group(1))
        return f'"{_MARK}{len(contents) - 1}{_MARK}"'

    skeleton = _QUOTED.sub(hole, text)
    if not contents:
        return _OMIT
    if skeleton not in _skeletons:
        if len(_skeletons) >= MEMO_LIMIT:
            _skeletons.clear()
        _skeletons[skeleton] = _skeleton_data(skeleton, len(contents))
    known = _skeletons[skeleton]
    if known is None:
        return _OMIT
    return _fill(known[0], {f"{_MARK}{i}{_MARK}": content for i, content in enumerate(contents)})


def _skeleton_data(skeleton: str, holes: int) -> tuple[Any, int] | None:
    try:
        data = load_piece(skeleton)
    except ValueError:
        return None
    seen: list[str] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(isinstance(key, str) and _MARK in key for key in node):
                return None
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and _MARK in node:
            seen.append(node)
    if sorted(seen) != sorted(f"{_MARK}{i}{_MARK}" for i in range(holes)):
        return None
    return data, holes


def _fill(node: Any, contents: dict[str, str]) -> Any:
    """A copy of the skeleton's data with its placeholders replaced."""
    if type(node) is dict:
        return {key: _fill(value, contents) for key, value in node.items()}
    if type(node) is list:
        return [_fill(value, contents) for value in node]
    if type(node) is str and node in contents:
        return contents[node]
    return node


def _put(out: dict[Any, Any], key: Any, value: Any) -> None:
    if key in out:
        raise NotPieceable("a key twice")
    out[key] = value


def _columns(lines: list[str]) -> list[int]:
    """Each line's indentation; -1 for lines of spaces and comment lines, which never start or end a piece."""
    return [len(line) - len(body) if (body := line.lstrip(" ")) and body[0] != "#" else -1 for line in lines]


def _bare_key(line: str) -> str | None:
    """``name`` for a line that is only ``name:`` (its value is the block below)."""
    match = _BARE_KEY.match(line.lstrip(" "))
    return match.group(1) if match else None


def _block_indent(lines: list[str], cols: list[int], start: int, end: int, parent: int, *, sequence: bool) -> int:
    """The indentation of the block in ``lines[start:end]`` (a mapping, or a ``- `` list if ``sequence``)."""
    for i in range(start, end):
        indent = cols[i]
        if indent < 0:
            continue
        line = lines[i]
        is_item = line[indent] == "-" and line[indent + 1:indent + 2] in (" ", "")
        if is_item != sequence or indent < parent or (indent == parent and not sequence):
            raise NotPieceable("unexpected block shape")
        return indent
    raise NotPieceable("empty block")


def _pieces(lines: list[str], cols: list[int], start: int, end: int, indent: int) -> list[tuple[int, int]]:
    """``(first, last)`` line ranges of a block mapping's keys at ``indent``.

    A piece runs from a line holding a plain key at ``indent`` to the next such
    line; the lines between must be blank or more indented, or list items at
    ``indent`` (a key's list may sit at the key's own indentation).
    """
    out: list[tuple[int, int]] = []
    first = -1
    for i in range(start, end):
        at = cols[i]
        if at > indent:
            if first < 0:
                raise NotPieceable("text before the first key")
            continue
        if at < 0:
            continue  # a comment goes with the piece it sits in (it may be inside a quoted scalar)
        if at < indent:
            raise NotPieceable("text outside the block")
        line = lines[i]
        head = line[at]
        if head == "-" and line[at + 1:at + 2] in (" ", ""):
            if first < 0:
                raise NotPieceable("a list where keys were expected")
            continue
        if head not in _KEY_START:
            raise NotPieceable("not a plain key")
        if first >= 0:
            out.append((first, i))
        first = i
    if first >= 0:
        out.append((first, end))
    return out


def _items(lines: list[str], cols: list[int], start: int, end: int, parent: int) -> list[tuple[int, int, int]]:
    """``(first, last, indent)`` of each ``- `` item of the block list in ``lines[start:end]``."""
    if max(cols[start:end], default=-1) < 0:
        return []
    indent = _block_indent(lines, cols, start, end, parent, sequence=True)
    out: list[tuple[int, int, int]] = []
    first = -1
    for i in range(start, end):
        at = cols[i]
        if at > indent or at < 0:
            continue
        line = lines[i]
        if at < indent or line[at] != "-" or line[at + 1:at + 2] not in (" ", ""):
            raise NotPieceable("not a list item")
        if first >= 0:
            out.append((first, i, indent))
        first = i
    if first >= 0:
        out.append((first, end, indent))
    return out


def _join(lines: list[str], start: int, end: int, indent: int) -> str:
    """The lines as their own document, ``indent`` spaces to the left, with the line break that followed them."""
    tail = "\n" if end < len(lines) else ""
    if indent == 0:
        return "\n".join(lines[start:end]) + tail
    cut = " " * indent
    return "\n".join(
        line[indent:] if line.startswith(cut) else line.lstrip(" ") for line in lines[start:end]
    ) + tail
