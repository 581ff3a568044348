"""Decode a rendered template piece by piece, reusing what identical pieces decoded to before.

A sidecar template renders about 250 lines per pod, and nearly all of them are
the same from one pod to the next: only a few names, ports and JSON values
change.  Decoding the whole text (libyaml, then Go-struct normalisation of the
containers) costs more than rendering it.  :func:`decode_rendered` cuts the
text at the block-mapping keys of the root, of ``spec`` and of each container,
at the items of ``containers`` and ``initContainers``, and at the items of each
container's ``env``; each piece is decoded once and its result is memoised by
its exact text, the indentation it is cut at, whether a line break followed it
and the Go type it decodes into, so the result is the same function of the text
as decoding it whole.  A whole container item is memoised the same way (by its
text and whether a line break followed it), so an item that repeats from pod to
pod is not cut at all.

The cut (:mod:`pyinject.render.cut`) goes line by line: a piece is exactly the
lines a line-by-line cut would give it, and decoding it (shifted left by its
indentation) is decoding those lines.  A piece keeps its lines but not the line
break after its last one; whether there was one is part of its memo key (a
block scalar kept with ``|+`` ends with it), and a nested block's last piece
inherits it from the piece the block was cut from.

The pieces are handed out as they are in the memo, not copied: the result is
a new dict (and new container dicts, with new ``env`` lists), but the values
inside are shared with the memo and with every other text that had the same
piece.  So a decoded fragment is read-only: the injector reads it and the
strategic merge copies what it stores (see :func:`pyinject.k8s.merge.merge_overlay`);
whoever needs to change one copies first (as
:func:`pyinject.manifests.istioctl_style.decoded_as_release` does).

The copy that merge makes of a fragment for an empty template pod is made here
instead, as the fragment is put together (:func:`take_copy`): the new maps and
lists of the result are built twice, once as they are and once as the merge
copies them (no null map values, no directive keys), and each memoised piece
is copied by the recipe kept with it (:func:`pyinject.k8s.merge.copy_recipe`,
written when the piece comes a second time).  So the copy holds only new maps
and lists, owned by whoever takes it, and costs no second walk of the fragment.
A container item that differs from those before only in its ``env`` takes its
other fields, and the recipes of their copies, from the memo, keyed by those
fields' pieces.

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
from pyinject.k8s.merge import copy_recipe, fresh_copy, follow
from pyinject.k8s.schema import POD
from pyinject.k8s.shapes import POD_SPEC, field_fits, fits
from pyinject.manifests.load import copy_plain, load_piece, plain_scalar
from pyinject.render.cut import (
    BARE_KEY, CONTENT, MAPPING, SEQUENCE, NotPieceable, as_document, bare_block, bare_name, below, cut, list_items, mapping,
    shape_pattern,
)

__all__ = ["MEMO_LIMIT", "NotPieceable", "decode_rendered", "take_copy"]

#: Memoised pieces; cleared when full, so memory stays flat on any input.
MEMO_LIMIT = 5_000

#: Keys of a rendered fragment's structure that are cut further.
_SPEC = "spec"
_CONTAINER_LISTS = ("containers", "initContainers")
_ENV = "env"

#: Line breaks YAML knows besides ``\n`` (and tabs): texts with them are decoded whole.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029\t]")

_CONTAINER = gojson.STRUCTS["Container"]
_CONTAINER_FIELDS = {f.name: f for f in _CONTAINER}
#: Each Container field's place in Go's order.
_RANK = {f.name: n for n, f in enumerate(_CONTAINER)}
#: What an absent Container field encodes to (the same for every pod), and whether it is mutable.
_ABSENT = tuple(
    (f.name, value, isinstance(value, (dict, list)))
    for f in _CONTAINER
    for written, value in (gojson.encode_field(f, None),)
    if written
)
_OMIT = object()

#: The Kubernetes definition of each context a piece is decoded in (see :func:`_entry`).
CONTAINER = "io.k8s.api.core.v1.Container"
ENV_VAR = "io.k8s.api.core.v1.EnvVar"
_DEFINITIONS = {"Pod": POD, "PodSpec": POD_SPEC, "Container": CONTAINER}


_memo: dict[tuple[Any, ...], Any] = {}
#: Recent fragments' copies (see :func:`take_copy`), by the fragment's id; each entry holds its fragment.
_copies: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
_COPIES_LIMIT = 16


def take_copy(fragment: dict[str, Any]) -> dict[str, Any] | None:
    """What ``merge_overlay({}, fragment, frozen=True)`` gives, if :func:`decode_rendered` made it; None if not.

    The decoding makes this copy as it goes, from new maps and lists only (see
    :func:`pyinject.k8s.merge.copy_recipe`): none is shared with the memo, with
    ``fragment`` or with another copy, so the caller owns it.  It is handed out
    once: a second call for the same fragment gives None.
    """
    known = _copies.pop(id(fragment), None)
    return known[1] if known is not None and known[0] is fragment else None


def decode_rendered(text: str) -> dict[str, Any]:
    """The rendered fragment ``text`` as plain data, its containers as Go would re-encode them.

    Equal to decoding the whole text with :func:`pyinject.manifests.load.load_plain`
    and then normalising each container through :func:`pyinject.k8s.typed_patch.encode_patch`.
    Raises :class:`NotPieceable` when the text must be decoded whole.
    """
    # The other line breaks are not ASCII, and isascii() does not scan.
    if "\t" in text or "\r" in text or (not text.isascii() and _OTHER_BREAKS.search(text)):
        raise NotPieceable("tab or another line break")
    if len(_memo) > MEMO_LIMIT:
        _memo.clear()
    doc = "\n" + text
    first = CONTENT.search(doc)
    if first is None:
        raise NotPieceable("no keys")
    # Most texts end with spec: the lines below it need not be scanned at the root
    # as well.  Its piece runs to the end exactly when no line below it is at the
    # root's indentation, and such a line is one the cut of spec's block declines.
    at = doc.find("\nspec:")
    if at >= 0 and BARE_KEY.match(doc, at + 1) is not None:  # "spec:" alone on its line
        try:
            return _root(cut(doc[:at], MAPPING, 0, first.start()) + [doc[at + 1:]])
        except NotPieceable:
            pass  # cut the whole text, which then words what is wrong
    return _root(cut(doc, MAPPING, 0, first.start()))


def _root(pieces: list[str]) -> dict[str, Any]:
    """The fragment of the root's ``pieces`` (see :func:`decode_rendered`)."""
    last = len(pieces) - 1
    out: dict[Any, Any] = {}
    # The copy merge_overlay({}, out, frozen=True) would make: each value's copy
    # (see copy_recipe), in the same order, less null values; a top-level
    # directive makes that merge take another way, so then there is none.
    copy: dict[Any, Any] | None = {}
    for n, piece in enumerate(pieces):
        tail = n < last  # the text's last piece ends where the text does
        block = bare_block(piece, 0, _SPEC)
        if block is not None:
            key: Any = _SPEC
            value, value_copy = _spec(block, tail)
        else:
            key, value, value_copy = _entry("Pod", piece, 0, tail)
            if key == _SPEC:
                raise NotPieceable("spec not written as a block")
        _put(out, key, value)
        if copy is not None and value is not None:
            if isinstance(key, str) and key.startswith("$"):
                copy = None
            else:
                copy[key] = value_copy
    if copy is not None:
        if len(_copies) >= _COPIES_LIMIT:
            _copies.clear()
        _copies[id(out)] = (out, copy)
    return out


def _spec(block: str, tail: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decoded ``spec`` and its copy (see :func:`decode_rendered`)."""
    indent, pieces = mapping(block, 0, known=True)
    last = len(pieces) - 1
    out: dict[Any, Any] = {}
    copy: dict[Any, Any] = {}
    for n, piece in enumerate(pieces):
        piece_tail = tail or n < last
        name = bare_name(piece, indent)
        if name in _CONTAINER_LISTS:
            key: Any = name
            pairs = _lone_container(below(piece), indent, piece_tail)
            if pairs is None:
                at, items = list_items(below(piece), indent, known=True)
                item_last = len(items) - 1
                pairs = [_one(_container(item, at, piece_tail or i < item_last)) for i, item in enumerate(items)]
            value: Any = [c for c, _ in pairs] if pairs else None
            value_copy: Any = [c for _, c in pairs]
        else:
            key, value, value_copy = _entry("PodSpec", piece, indent, piece_tail)
            if key in _CONTAINER_LISTS:
                raise NotPieceable("containers not written as a block list")
        _put(out, key, value)
        if value is not None and not (isinstance(key, str) and key.startswith("$")):
            copy[key] = value_copy
    return out, copy


def _lone_container(block: str, parent: int, tail: bool) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    """The container list in ``block`` (nested under ``parent``) when the memo shows it holds one item; else None.

    A list's text read as one item is one exactly when a cut made that item
    before (its lines hold no other at its indentation), or when it holds the
    text of fields a cut made before around its env (their lines are all deeper).
    """
    first = CONTENT.search(block)
    if first is None:
        return None
    at = first.end() - first.start() - 2
    dash = first.end() - 1
    if at < parent or block[dash] != "-" or block[dash + 1:dash + 2] not in (" ", "\n", ""):
        return None
    one = _container(block[first.start() + 1:], at, tail, lone=True)
    return None if one is None else [one]


def _one(pair: tuple[dict[str, Any], dict[str, Any]] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if pair is None:  # (None comes only from lone items)
        raise NotPieceable("no container")
    return pair


def _container(item: str, indent: int, tail: bool, lone: bool = False) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """One list item (``- ...`` at ``indent``) decoded into Go's Container, as typed_patch.encode_patch gives it.

    And its copy (see :func:`decode_rendered`).  With ``lone`` (see :func:`_lone_container`),
    None unless the memo shows the item is one.
    """
    # Exact: the container is a function of the item's text and of whether a
    # line break followed it (the pieces cut from it are).
    memo_key = ("item", item, tail)
    known = _memo.get(memo_key)
    if known is None:
        built = _build_container(item, indent, tail, lone)
        if built is None:
            return None
        container, fresh, copy = built
        # The recipe of its copy is written when the item comes again.
        _memo[memo_key] = [container, fresh, None]
    else:
        container, fresh, recipe = known
        if recipe is None:
            recipe = known[2] = copy_recipe(container)
        copy = follow(recipe)
    out = dict(container)
    # What the decoding makes anew for each container is new on a memo hit too.
    for name in fresh:
        value = out[name]
        out[name] = list(value) if type(value) is list else copy_plain(value)
    return out, copy


def _build_container(item: str, indent: int, tail: bool, lone: bool = False) -> tuple[
        dict[str, Any], tuple[str, ...], dict[str, Any]] | None:
    """The container of :func:`_container`, the names of the values it made for this item alone, and its copy.

    With ``lone`` (see :func:`_lone_container`), None unless its fields come from the memo.
    """
    # The item's first key moves from behind "- " to its own indentation.
    head_end = item.find("\n")
    if head_end < 0:
        head_end = len(item)
    head = item[indent + 1:head_end]
    key_at = len(head) - len(head.lstrip(" "))
    if head[key_at:key_at + 1] not in ("", "#"):
        key_at += indent + 1
        block = "\n" + " " * key_at + item[key_at:]
    else:
        block = item[head_end:]
    first = CONTENT.search(block)
    if first is None:
        raise NotPieceable("empty block")
    fields_indent = first.end() - first.start() - 2
    # The first line that is only "env:" at the fields' indentation opens env's
    # piece (the cut opens a piece at every key there), which ends where the cut
    # next opens one (or declines).  The other fields are a function of the text
    # before and after that piece, the indentation and the tail (the cut is line
    # by line: the same lines give the same pieces): they are memoised by them,
    # and only env's piece is cut again when the item is new.
    env = _env_line(fields_indent).search(block)
    pieces: list[str] | None = None
    if env is None:
        if lone:
            return None
        fields_indent, pieces = mapping(block, indent)
        shape_key: tuple[Any, ...] = ("fields", fields_indent, indent, tail, *pieces)
    else:
        env_body = env.end() - 1 if block[env.end() - 1:env.end()] == "\n" else env.end()
        # One scan finds env's items and its end: the lines the fields' cut matches
        # are exactly those that cutting the items at that indentation declines
        # (any line not deeper, not a "- " item there, not spaces or a comment).
        env_end = len(block)
        starts = []
        for line in shape_pattern(SEQUENCE, fields_indent).finditer(block, env_body):
            if line.group(1) is not None:
                env_end = line.start()
                break
            starts.append(line.start())
        shape_key = ("env", fields_indent, indent, tail, block[:env.start()], block[env_end:])
    shape = _memo.get(shape_key)
    if shape is None:
        if lone:
            return None
        if pieces is None:
            fields_indent, pieces = mapping(block, indent)
        env_at = -1
        if env is not None:
            env_at = next((n for n, piece in enumerate(pieces) if piece == block[env.start() + 1:env_end]), -1)
            if env_at < 0:
                raise NotPieceable("env not where the cut puts it")
        shape = _memo[shape_key] = _container_shape(pieces, env_at, fields_indent, tail)
    before, after, absent, before_recipe, after_recipe, env_tail = shape
    out = dict(before)
    copy = follow(before_recipe)
    fresh = absent
    if env is not None:
        # The items found above are the cut's when the first line with content is the first of them
        # (else the list sits deeper than its key, and is cut at its own indentation).
        opening = CONTENT.search(block, env_body, env_end)
        if starts and opening is not None and opening.start() == starts[0]:
            at = fields_indent
            env_items = [block[start + 1:stop] for start, stop in zip(starts, [*starts[1:], env_end])]
        else:
            at, env_items = list_items(block[env_body:env_end], fields_indent)
        if env_items:
            # []EnvVar is omitempty; its items are encoded one by one (_env_var's
            # memo hits inline: a sidecar has a score of them, most the same pod after pod).
            memo = _memo
            env_last = len(env_items) - 1
            values = []
            copies = []
            for k, text in enumerate(env_items):
                known = memo.get(("EnvVar", at, text, env_tail or k < env_last))
                if known is None or known[1] is None:
                    value, value_copy = _env_var(text, at, env_tail or k < env_last)
                else:
                    value, (make, argument) = known
                    value_copy = argument if make is None else make(argument)
                values.append(value)
                copies.append(value_copy)
            out[_ENV] = values
            copy[_ENV] = copies
            fresh = (_ENV, *absent)
    out.update(after)
    copy.update(follow(after_recipe))
    return out, fresh, copy


_env_lines: dict[int, re.Pattern[str]] = {}


def _env_line(indent: int) -> re.Pattern[str]:
    """A line that is only ``env:`` at ``indent`` (as :data:`BARE_KEY` reads a piece's first line)."""
    pattern = _env_lines.get(indent)
    if pattern is None:
        if len(_env_lines) > 64:
            _env_lines.clear()
        pattern = _env_lines[indent] = re.compile(rf"\n {{{indent}}}{_ENV}:[ ]*(?:\n|\Z)")
    return pattern


#: Where env goes among a container's fields (Go's order).
_ENV_RANK = _RANK[_ENV]


def _container_shape(pieces: list[str], env_at: int, fields_indent: int, tail: bool) -> tuple[Any, ...]:
    """A container's fields but ``env`` (the piece at ``env_at``, if any), cut in two around it.

    The fields before env in Go's order, those after it (then the directives),
    the names of the absent fields whose (mutable) defaults it holds, and the
    recipes of the copies of both parts (see :func:`decode_rendered`).
    """
    last = len(pieces) - 1
    fields: dict[Any, Any] = {}
    directives: dict[Any, Any] = {}
    for n, piece in enumerate(pieces):
        if n == env_at:
            continue
        key, value, _ = _entry("Container", piece, fields_indent, tail or n < last)
        if key in fields or key in directives or (key == _ENV and env_at >= 0):
            raise NotPieceable("a key twice")
        if isinstance(key, str) and key.startswith("$"):
            directives[key] = value
        else:
            fields[key] = value
    absent = []
    for name, default, mutable in _ABSENT:
        if name not in fields:
            fields[name] = default
            if mutable:
                absent.append(name)
    # As inject.as_decoded writes it: the struct's fields in Go order, then the directives.
    present = sorted((name for name, value in fields.items() if value is not _OMIT), key=_RANK.__getitem__)
    before = {name: fields[name] for name in present if _RANK[name] < _ENV_RANK}
    after = {name: fields[name] for name in present if _RANK[name] > _ENV_RANK}
    after.update(directives)
    # The copies drop what merge_overlay's copy drops: null values and the directives.
    # (env's own tail: whether a line break followed its piece)
    return before, after, tuple(absent), copy_recipe(before), copy_recipe(after), tail or env_at < last


def _env_var(item: str, indent: int, tail: bool) -> tuple[Any, Any]:
    """One ``env`` item decoded into Go's EnvVar, and its copy (see :func:`decode_rendered`)."""
    key = ("EnvVar", indent, item, tail)
    known = _memo.get(key)
    if known is None:
        text = as_document(item, indent, tail)
        simple = _SIMPLE_ENV.fullmatch(text)
        decoded = _decode(text) if simple is None else [_simple_env(*simple.groups())]
        if not isinstance(decoded, list) or len(decoded) != 1:
            raise NotPieceable("not one list item")
        if not fits(decoded[0], ENV_VAR):
            raise NotPieceable("an env item Kubernetes does not decode")
        value = typed_patch.encode_patch("EnvVar", decoded[0])
        _memo[key] = [value, None]
        return value, fresh_copy(value)
    value, recipe = known
    if recipe is None:
        recipe = known[1] = copy_recipe(value)
    return value, follow(recipe)


# An env item that is only a name and a value (``- name: N`` then ``  value: V``)
# is decoded without the YAML parser when each is one line: a plain scalar of
# the characters below, starting with no indicator, without spaces (so without
# ": " or " #") and not ending with ":", is its own text, resolved as the loader
# resolves it (load.plain_scalar); a double-quoted scalar of printable ASCII
# without quotes or backslashes is its content.  Only lines of spaces may follow
# (a scalar ends before them); any other shape, a comment or a line more goes to
# _decode.
_PLAIN = r"[A-Za-z0-9_./$][A-Za-z0-9_./$()=@%+~:-]*(?<!:)"
_SIMPLE_ENV = re.compile(rf'- name: ({_PLAIN})\n  value: (?:"([ !#-\[\]-~]*)"|({_PLAIN}))(?:\n *)*')


def _simple_env(name: str, quoted: str | None, plain: str | None) -> dict[str, Any]:
    return {"name": plain_scalar(name), "value": quoted if plain is None else plain_scalar(plain)}


def _field_value(name: Any, raw: Any) -> Any:
    """A Container field as typed_patch.encode_patch writes it; _OMIT when it has no part in the patch."""
    field = _CONTAINER_FIELDS.get(name) if isinstance(name, str) else None
    if field is None:
        return raw if isinstance(name, str) and name.startswith("$") else _OMIT
    written, value = typed_patch.encode_patch_field("Container", field, raw)
    return value if written else _OMIT


def _entry(context: str, piece: str, indent: int, tail: bool) -> tuple[Any, Any, Any]:
    """The one key of ``piece`` (see :func:`as_document`), its value (memoised and shared: read-only) and a new copy of it.

    The copy is the value as merge_overlay copies it (:func:`pyinject.k8s.merge.fresh_copy`).
    """
    # Exact: as_document's text is a function of the piece, its indentation and the tail.
    memo_key = (context, indent, piece, tail)
    known = _memo.get(memo_key)
    if known is None:
        decoded = _decode(as_document(piece, indent, tail))
        if not isinstance(decoded, dict) or len(decoded) != 1:
            raise NotPieceable("not one key")
        ((key, raw),) = decoded.items()
        if not field_fits(_DEFINITIONS[context], key, raw):
            raise NotPieceable("a value Kubernetes does not decode there")  # decoded whole, which says where
        value = _field_value(key, raw) if context == "Container" else raw
        # The recipe of its copy is written when the piece comes again (most come once or often).
        _memo[memo_key] = [key, value, None]
        return key, value, fresh_copy(value)
    key, value, recipe = known
    if recipe is None:
        recipe = known[2] = copy_recipe(value)
    return key, value, follow(recipe)


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
